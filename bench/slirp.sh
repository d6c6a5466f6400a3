#!/bin/bash
# SPDX-License-Identifier: MIT
# slirp.sh - the same transfer through passt, squib-net-slirp-helper and
# slirp4netns, in one run: iperf3 guest->wan and wan->guest, ping RTT
#
# bench/slirp.sh [BUILD_DIR]; BENCH_MTU (default 65520) and BENCH_SECS (5).
# In namespaces of its own (scripts/netns.sh); not part of make check.
set -euo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
. bench/lib.sh
MTU=${BENCH_MTU:-65520}
HELPER=$(realpath "$B/squib-net-slirp-helper")
S4N_PID=
S4N_NS=
cleanup() {
	[ -z "$S4N_PID" ] || { kill "$S4N_PID" 2>/dev/null; wait "$S4N_PID" 2>/dev/null; } || true
	[ -z "$S4N_NS" ] || { kill "$S4N_NS" 2>/dev/null; wait "$S4N_NS" 2>/dev/null; } || true
	bench_down
}
trap cleanup EXIT
ns_up
bench_iperf_server

# rtt LABEL CMD...: the median RTT of 20 pings to wan.
rtt() {
	local label=$1 out
	shift
	out=$(ip netns exec "$NS_HOST" timeout 60 "$@" 2>&1) || true
	echo "ping $label: $(echo "$out" | grep -o 'min/avg/max.*' || echo failed)"
}

# run LABEL GUEST_ARGS...: the three measures through squib-net guest.
run() {
	local label=$1
	shift
	bench_iperf "guest->wan via $label" "$NS_HOST" "$PROG" guest "$@" \
		-- iperf3 -c "$WAN_ADDR" -t "$SECS" -f m || true
	bench_iperf "wan->guest via $label" "$NS_HOST" "$PROG" guest "$@" \
		-- iperf3 -c "$WAN_ADDR" -t "$SECS" -R -f m || true
	rtt "$label" "$PROG" guest "$@" -- busybox ping -c 20 -i 0.05 -q "$WAN_ADDR"
}

echo "MTU $MTU, $SECS s per transfer, one stream"
run passt --mode userspace --mtu "$MTU"
run squib-net-slirp-helper --mode userspace --helper custom \
	--helper-path "$HELPER" --helper-arg --mtu --helper-arg "$MTU" --mtu "$MTU"

# slirp4netns drives a TAP of its own in a namespace of a process of ours.
ip netns exec "$NS_HOST" unshare -n sleep 600 &
S4N_NS=$!
for i in $(seq 50); do
	[ "$(cat "/proc/$S4N_NS/comm" 2>/dev/null)" = sleep ] && break
	sleep 0.1
done
ip netns exec "$NS_HOST" slirp4netns --configure --mtu="$MTU" "$S4N_NS" tap0 >/dev/null 2>&1 &
S4N_PID=$!
for i in $(seq 100); do
	nsenter -t "$S4N_NS" -n ip -o addr show tap0 2>/dev/null | grep -q 'inet ' && break
	sleep 0.1
done
bench_iperf "guest->wan via slirp4netns" "$NS_HOST" nsenter -t "$S4N_NS" -n \
	iperf3 -c "$WAN_ADDR" -t "$SECS" -f m || true
bench_iperf "wan->guest via slirp4netns" "$NS_HOST" nsenter -t "$S4N_NS" -n \
	iperf3 -c "$WAN_ADDR" -t "$SECS" -R -f m || true
rtt slirp4netns nsenter -t "$S4N_NS" -n busybox ping -c 20 -i 0.05 -q "$WAN_ADDR"
