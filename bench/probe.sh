#!/bin/bash
# SPDX-License-Identifier: MIT
# probe.sh - the measures of one guest, run inside the guest's namespace
#
# probe.sh DEST PORT RR_PORT SECS STREAMS PINGS RR_BIN (STREAMS: 1,4, or
# none: no iperf3; PINGS 0: no ping; RR_BIN none: no request/response)
# One line per measure: "NAME VALUE [RETRANSMITS]", VALUE "fail" when it
# failed (always exits 0: the caller records what it got):
#   g2w_N  Gbit/s, iperf3 with N streams from here to DEST (sender
#          retransmits beside); w2g_N the same from DEST to here (-R)
#   rtt_med, rtt_p99, rtt_loss  ping (PINGS, 10 ms apart), µs and %
#   rr     TCP request/response transactions/s (rr client, 1 s), and
#   rr_med, rr_p99 their round trips in µs
set -u
dest=$1 port=$2 rrport=$3 secs=$4 streams=$5 pings=$6 rr=$7

# iperf NAME ARGS...: one iperf3 client run, reported as NAME.
iperf() {
	local name=$1 out
	shift
	out=$(timeout $((secs + 20)) iperf3 -c "$dest" -p "$port" -t "$secs" -J "$@" 2>/dev/null)
	echo "$out" | jq -r --arg n "$name" 'if .end.sum_received.bits_per_second then
		"\($n) \(.end.sum_received.bits_per_second / 1e9) \(.end.sum_sent.retransmits // "")"
		else "\($n) fail" end' 2>/dev/null || echo "$name fail"
}

[ "$streams" != none ] || streams=
for s in ${streams//,/ }; do
	iperf "g2w_$s" -P "$s"
	iperf "w2g_$s" -P "$s" -R
done
if [ "$pings" -gt 0 ]; then
	busybox ping -c "$pings" -i 0.01 -W 2 "$dest" 2>/dev/null |
		sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -g | awk -v want="$pings" '
		{ v[++n] = $1 * 1000 }
		END {
			if (!n) { print "rtt_med fail"; print "rtt_p99 fail"; exit }
			i = int(n * 0.99); if (i < n * 0.99) i++
			print "rtt_med", (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2)
			print "rtt_p99", v[i]
			print "rtt_loss", (want - n) * 100 / want
		}'
fi
[ "$rr" = none ] && exit 0
# One second: the rate settles within it.
out=$(timeout 20 "$rr" client "$dest" "$rrport" 1 2>/dev/null)
set -- $out
if [ $# -eq 3 ]; then
	echo "rr $1"
	echo "rr_med $2"
	echo "rr_p99 $3"
else
	echo "rr fail"
fi
