#!/bin/bash
# SPDX-License-Identifier: MIT
# scale.sh - 1, 2, 4 and 8 guests of one shared network sending to wan at once
#
# bench/scale.sh [BUILD_DIR]: as root, in namespaces of its own (as
# bench/e2e.sh). Each guest is a squib-net guest --mode shared; all get
# their lease, then start iperf3 (one stream, SECS s, each to an iperf3
# server of its own in wan) together, on a file's word. RUNS times over.
# Prints CSV on stdout:
#   scale,GUESTS,RUN,GUEST,GBIT_S,RETRANSMITS
set -euo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
. bench/lib.sh
TMP=$(mktemp -d /tmp/sqn-bench.XXXXXX)
PIDS=()

cleanup() {
	bench_stop "${PIDS[@]}"
	rm -rf "$TMP"
	bench_down
}
trap cleanup EXIT

# scale_run N RUN: N guests at once; one CSV line per guest.
scale_run() {
	local n=$1 run=$2 i ready
	rm -f "$TMP"/*
	PIDS=()
	for i in $(seq 0 $((n - 1))); do
		ip netns exec "$NS_HOST" timeout $((SECS + 120)) "$PROG" guest \
			--mode shared --dns-upstream none -- sh -c "
			touch $TMP/ready.$i
			until [ -e $TMP/go ]; do sleep 0.02; done
			timeout $((SECS + 20)) iperf3 -c $WAN_ADDR -p $((PORT_IPERF + i)) \
				-t $SECS -J >$TMP/out.$i 2>/dev/null" 2>/dev/null &
		PIDS+=($!)
	done
	for i in $(seq 300); do
		ready=$(find "$TMP" -name 'ready.*' | wc -l)
		[ "$ready" -lt "$n" ] || break
		sleep 0.1
	done
	touch "$TMP/go"
	for i in "${PIDS[@]}"; do
		wait "$i" || true
	done
	PIDS=()
	for i in $(seq 0 $((n - 1))); do
		jq -r --arg p "scale,$n,$run,$i" 'if .end.sum_received.bits_per_second then
			"\($p),\(.end.sum_received.bits_per_second / 1e9),\(.end.sum_sent.retransmits // "")"
			else "\($p),fail," end' "$TMP/out.$i" 2>/dev/null || echo "scale,$n,$run,$i,fail,"
	done
}

ns_up
bench_servers
for run in $(seq "$RUNS"); do
	for n in $SCALE; do
		echo "scale.sh: run $run/$RUNS: $n guests" >&2
		scale_run "$n" "$run"
	done
done
