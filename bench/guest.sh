#!/bin/bash
# SPDX-License-Identifier: MIT
# guest.sh - lease time and TCP throughput of a guest in userspace mode
#
# In namespaces of its own (scripts/netns.sh): squib-net guest with passt
# in "host", an iperf3 server in "wan". Prints the median lease time over
# 10 starts, then iperf3 guest->wan and wan->guest.
set -euo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
SECS=${BENCH_SECS:-5}
. scripts/netns.sh
IPERF_PID=
cleanup() {
	if [ -n "$IPERF_PID" ]; then
		kill "$IPERF_PID" 2>/dev/null || true
		wait "$IPERF_PID" 2>/dev/null || true
	fi
	ns_down
}
trap cleanup EXIT
ns_up

times=()
for i in $(seq 10); do
	t=$(ip netns exec "$NS_HOST" "$PROG" guest -- true 2>&1 |
		sed -n 's/.*by DHCP \([0-9.]*\) s after start.*/\1/p')
	[ -n "$t" ] || { echo "guest.sh: run $i got no lease" >&2; exit 1; }
	times+=("$t")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{v[NR]=$1} END {print (v[5]+v[6])/2}')
echo "lease time from squib-net guest start (10 runs): median $median s; all: $sorted"

ip netns exec "$NS_WAN" iperf3 -s -B "$WAN_ADDR" >/dev/null 2>&1 &
IPERF_PID=$!
sleep 0.5
for dir in "guest->wan" "wan->guest"; do
	flag=
	[ "$dir" = "wan->guest" ] && flag=-R
	out=$(ip netns exec "$NS_HOST" "$PROG" guest -- \
		iperf3 -c "$WAN_ADDR" -t "$SECS" $flag -f m 2>&1) || true
	rate=$(echo "$out" | awk '/receiver/ {print $(NF-2), $(NF-1)}' | tail -1)
	retr=$(echo "$out" | awk '/sender/ && NF >= 9 {print $(NF-1)}' | tail -1)
	echo "iperf3 $dir via passt, $SECS s, 1 stream: ${rate:-failed} (sender retransmits: ${retr:-?})"
	[ -n "$rate" ] || echo "$out" | tail -5 | sed 's/^/    /'
done
