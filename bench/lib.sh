# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# lib.sh - what the namespace benchmarks share (sourced, not run)
#
# The script sets B (the build directory) and runs from the top of the
# tree. This brings in scripts/netns.sh (ns_up, in_host, NS_HOST, NS_WAN,
# WAN_ADDR), the settings of a run (QUICK, RUNS, SECS, ...), the servers
# the guests measure against, and bench_down, which stops them (by pid)
# and removes the namespaces.
PROG=$(realpath "$B/squib-net")
RR=$(realpath "$B/bench/rr")
PROBE=$(realpath bench/probe.sh)
# The network's keeper program of this build (shared and host mode).
SQN_LIBEXECDIR=$(realpath "$B/libexec")
export SQN_LIBEXECDIR
# QUICK=1: a check that the whole harness works, in under 2 minutes;
# still the median of 3 runs, of shorter transfers and fewer cases.
if [ "${QUICK:-0}" = 1 ]; then
	RUNS=${BENCH_RUNS:-3} SECS=${BENCH_SECS:-1} STREAMS=${BENCH_STREAMS:-1}
	PINGS=${BENCH_PINGS:-50} SCALE=${BENCH_SCALE:-1 4}
else
	RUNS=${BENCH_RUNS:-3} SECS=${BENCH_SECS:-2} STREAMS=${BENCH_STREAMS:-1 4}
	PINGS=${BENCH_PINGS:-100} SCALE=${BENCH_SCALE:-1 2 4 8}
fi
# The userspace peers' MTU: their default (passt, pasta) or what podman
# gives slirp4netns; squib-net's shared and host modes keep Ethernet's.
USER_MTU=${BENCH_USER_MTU:-65520}
PORT_IPERF=5201 # wan: 5201 and up, one per scale guest; host: 5201
PORT_RR=5300    # wan and host
SCALE_MAX=8
. scripts/netns.sh
BENCH_PIDS=()

# bench_servers: iperf3 servers (SCALE_MAX of them) and an rr server in
# "wan" on WAN_ADDR, one of each in "host" on every address of it (the
# host-mode and kernel-bridge guests reach it on their gateway).
bench_servers() {
	local i
	for i in $(seq 0 $((SCALE_MAX - 1))); do
		ip netns exec "$NS_WAN" iperf3 -s -B "$WAN_ADDR" -p $((PORT_IPERF + i)) >/dev/null 2>&1 &
		BENCH_PIDS+=($!)
	done
	ip netns exec "$NS_WAN" "$RR" server "$WAN_ADDR" "$PORT_RR" &
	BENCH_PIDS+=($!)
	ip netns exec "$NS_HOST" iperf3 -s -p "$PORT_IPERF" >/dev/null 2>&1 &
	BENCH_PIDS+=($!)
	ip netns exec "$NS_HOST" "$RR" server 0.0.0.0 "$PORT_RR" &
	BENCH_PIDS+=($!)
	ns_wait "$NS_WAN" ss -Hltn "sport = :$((PORT_IPERF + SCALE_MAX - 1))" &&
		ns_wait "$NS_WAN" ss -Hltn "sport = :$PORT_RR" &&
		ns_wait "$NS_HOST" ss -Hltn "sport = :$PORT_IPERF" &&
		ns_wait "$NS_HOST" ss -Hltn "sport = :$PORT_RR" && return 0
	echo "${0##*/}: the servers did not start" >&2
	return 1
}

# bench_stop PID...: end these processes of ours, and reap them.
bench_stop() {
	local p
	for p in "$@"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# bench_down: stop the servers (by pid) and remove the namespaces.
bench_down() {
	bench_stop "${BENCH_PIDS[@]}"
	BENCH_PIDS=()
	ns_down
}

# bench_median: the median of the numbers on stdin, one a line.
bench_median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)
	}'
}
