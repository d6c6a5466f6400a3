#!/bin/bash
# SPDX-License-Identifier: MIT
# forward.sh - a port forward's throughput: iperf3 from "wan" into a guest
# through the forward (DNAT on the host's address), next to the same guest
# reached routed without DNAT, and to the host's own iperf3 (the
# kernel-only path, no guest), in one run
#
# bench/forward.sh [BUILD_DIR]: as root, in namespaces of its own
# (scripts/netns.sh). The guest is squib-net guest --mode shared --offload
# with --forward tcp:5201:5201 and iperf3 servers on 5201 and 5202; wan
# has a route to the guest's subnet through the host, and the network's
# table lets wan's connections to 5202 in (a rule of the bench's, in its
# own namespace), so that the only difference between the first two rows
# is the forward. The rows run in turn, RUNS times over. Prints CSV on
# stdout:
#   fwd,ID,RUN,gbps,VALUE
#   fwd-median,ID,LABEL,GBPS
# and the medians as a table on stderr.
set -euo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
. bench/lib.sh
GW=10.123.0.1
GUEST=10.123.0.50
HOST_IP=10.99.0.2
NET=sqn-shared
TMP=$(mktemp -d /tmp/sqn-bench-fwd.XXXXXX)
GUEST_PID=
ROW_IDS=(forward routed host)
declare -A LABEL=(
	[forward]="wan -> host:5201 -> forward (DNAT) -> guest"
	[routed]="wan -> guest routed without DNAT (same guest)"
	[host]="wan -> host's own iperf3 (kernel only)"
)
declare -A TARGET=([forward]="$HOST_IP 5201" [routed]="$GUEST 5202"
	[host]="$HOST_IP 5203")

cleanup() {
	[ -z "$GUEST_PID" ] || { touch "$TMP/go"; bench_stop "$GUEST_PID"; }
	rm -rf "$TMP"
	bench_down
}
trap cleanup EXIT

# gbps ADDR PORT: one iperf3 run from wan, SECS seconds; the receiver's
# Gbit/s.
gbps() {
	ip netns exec "$NS_WAN" iperf3 -c "$1" -p "$2" -t "$SECS" -J |
		python3 -c 'import json, sys
print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
}

ns_up >&2
ip -n "$NS_WAN" route add 10.123.0.0/24 via "$HOST_IP"
ip netns exec "$NS_HOST" iperf3 -s -p 5203 >/dev/null 2>&1 &
BENCH_PIDS+=($!)
ip netns exec "$NS_HOST" "$PROG" guest --mode shared --subnet "$GW/24" \
	--dns-upstream none --offload --ip "$GUEST" --forward tcp:5201:5201 \
	-- sh -c "iperf3 -s -p 5201 >/dev/null 2>&1 & iperf3 -s -p 5202 >/dev/null 2>&1 &
		echo ok >$TMP/up; while [ ! -e $TMP/go ]; do sleep 0.2; done" \
	>"$TMP/guest.out" 2>"$TMP/guest.err" &
GUEST_PID=$!
for _ in $(seq 300); do
	[ -e "$TMP/up" ] && break
	kill -0 "$GUEST_PID" 2>/dev/null || break
	sleep 0.1
done
[ -e "$TMP/up" ] || { echo "forward.sh: the guest did not start: $(cat "$TMP/guest.err")" >&2; exit 1; }
ns_wait "$NS_HOST" ss -Hltn "sport = :5203"
# The guest's servers: reached through the forward, once both listen.
for _ in $(seq 100); do
	ip netns exec "$NS_WAN" iperf3 -c "$HOST_IP" -p 5201 -n 1K >/dev/null 2>&1 &&
		ip netns exec "$NS_WAN" iperf3 -c "$HOST_IP" -p 5203 -n 1K >/dev/null 2>&1 && break
	sleep 0.1
done
ip netns exec "$NS_HOST" nft insert rule ip "squib-net-$NET" forward \
	iifname "$NS_LINK-h" oifname "$NET" ip daddr "$GUEST" tcp dport 5202 accept

for run in $(seq "$RUNS"); do
	for id in "${ROW_IDS[@]}"; do
		# shellcheck disable=SC2086 # TARGET is "ADDR PORT"
		v=$(gbps ${TARGET[$id]}) || v=
		echo "fwd,$id,$run,gbps,$v"
		echo "$id run $run: $v Gbit/s" >&2
	done
done >"$TMP/csv"
cat "$TMP/csv"
echo "forward.sh: iperf3 from wan, 1 stream, $SECS s, median of $RUNS runs (--offload guest):" >&2
for id in "${ROW_IDS[@]}"; do
	m=$(awk -F, -v id="$id" '$2 == id && $5 != "" { print $5 }' "$TMP/csv" | bench_median)
	echo "fwd-median,$id,${LABEL[$id]},$m"
	printf '  %-48s %6s Gbit/s\n' "${LABEL[$id]}" "$m" >&2
done
