#!/bin/bash
# SPDX-License-Identifier: MIT
# ipv6.sh - a shared-mode guest's throughput to wan over IPv6 (NAT66)
# next to IPv4 (NAT), in one run, as CSV
#
# bench/ipv6.sh [BUILD_DIR]: as root; in namespaces of its own
# (scripts/netns.sh, with IPv6 between host and wan: ns_ipv6_up). One
# squib-net guest in shared mode sends to wan's iperf3 with one stream,
# over IPv4 and IPv6 in turn, RUNS times each, so that a slow moment of
# the machine hits both alike. Prints CSV on stdout:
#   ipv6,RUN,FAMILY,GBITS,RETRANSMITS     FAMILY: ipv4 or ipv6
# and the medians on stderr.
set -euo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
. bench/lib.sh
TMP=$(mktemp -d /tmp/sqn-bench6.XXXXXX)

cleanup() {
	rm -rf "$TMP"
	bench_down
}
trap cleanup EXIT

ns_up >/dev/null
ns_ipv6_up >/dev/null
# One server on both families (IPv6 socket, v4-mapped).
ip netns exec "$NS_WAN" iperf3 -s -p "$PORT_IPERF" >/dev/null 2>&1 &
BENCH_PIDS+=($!)
ns_wait "$NS_WAN" ss -Hltn "sport = :$PORT_IPERF"

# In the guest: IPv6 up (squib-net guest brings eth0 up without it) and
# its SLAAC address ready, then RUNS rounds of IPv4 and IPv6.
cat >"$TMP/guest.sh" <<-EOF2
	echo 1 >/proc/sys/net/ipv6/conf/eth0/disable_ipv6
	echo 0 >/proc/sys/net/ipv6/conf/eth0/disable_ipv6
	for i in \$(seq 200); do ip -6 route | grep -q '^default' &&
		ip -6 -o addr show dev eth0 scope global -tentative | grep -q inet6 && break
		sleep 0.1
	done
	for run in \$(seq $RUNS); do
		for fam in ipv4 ipv6; do
			dest=$WAN_ADDR
			[ \$fam = ipv4 ] || dest=$WAN6
			timeout $((SECS + 20)) iperf3 -c \$dest -p $PORT_IPERF -t $SECS -J 2>/dev/null |
				jq -r --arg r \$run --arg f \$fam 'if .end.sum_received.bits_per_second then
				"ipv6,\(\$r),\(\$f),\(.end.sum_received.bits_per_second / 1e9),\(.end.sum_sent.retransmits // "")"
				else "ipv6,\(\$r),\(\$f),fail," end' || echo "ipv6,\$run,\$fam,fail,"
		done
	done
EOF2
echo "ipv6.sh: shared-mode guest to wan, IPv4 and IPv6, $RUNS runs of ${SECS} s" >&2
in_host timeout $((RUNS * (SECS + 25) * 2 + 60)) "$PROG" guest --mode shared \
	--dns-upstream none -- sh "$TMP/guest.sh" | tee "$TMP/out"
for fam in ipv4 ipv6; do
	awk -F, -v f=$fam '$3 == f && $4 != "fail" { print $4 }' "$TMP/out" | bench_median |
		awk -v f=$fam '{ printf "ipv6.sh: %s guest -> wan %.2f Gbit/s (median)\n", f, $1 }' >&2
done
