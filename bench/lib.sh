# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# lib.sh - what the namespace benchmarks share (sourced, not run)
#
# The script sets B (the build directory) and runs from the top of the
# tree. This brings in scripts/netns.sh (ns_up, in_host, NS_HOST, NS_WAN,
# WAN_ADDR), an iperf3 server in "wan", the lease-time loop and the iperf3
# report. bench_down stops what bench_iperf_server started and removes the
# namespaces.
PROG=$(realpath "$B/squib-net")
# The network's keeper program of this build (shared and host mode).
SQN_LIBEXECDIR=$(realpath "$B/libexec")
export SQN_LIBEXECDIR
SECS=${BENCH_SECS:-5}
LEASE_RUNS=10
. scripts/netns.sh
BENCH_IPERF_PID=

# bench_lease LABEL GUEST_ARGS...: `squib-net guest GUEST_ARGS -- true` in
# "host" LEASE_RUNS times; prints the median, min and max of the lease time
# it reports ("by DHCP N s after start": from its start to the lease).
bench_lease() {
	local label=$1 i out t times=()
	shift
	for i in $(seq "$LEASE_RUNS"); do
		out=$(in_host timeout 60 "$PROG" guest "$@" -- true 2>&1) || true
		t=$(echo "$out" | sed -n 's/.*by DHCP \([0-9.]*\) s after start.*/\1/p')
		if [ -z "$t" ]; then
			echo "${0##*/}: $label: run $i got no lease" >&2
			echo "$out" | tail -5 | sed 's/^/    /' >&2
			return 1
		fi
		times+=("$t")
	done
	printf '%s\n' "${times[@]}" | sort -n | awk -v what="$label" '
		{ v[NR] = $1; all = all " " $1 }
		END {
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "lease time %s (%d runs): median %.3f s, min %s s, max %s s; all:%s\n",
				what, NR, m, v[1], v[NR], all
		}'
}

# bench_iperf_server: an iperf3 server on WAN_ADDR in "wan", until bench_down.
bench_iperf_server() {
	local i
	ip netns exec "$NS_WAN" iperf3 -s -B "$WAN_ADDR" >/dev/null 2>&1 &
	BENCH_IPERF_PID=$!
	for i in $(seq 50); do
		[ -n "$(ip netns exec "$NS_WAN" ss -Hltn "sport = :5201")" ] && return 0
		sleep 0.1
	done
	echo "${0##*/}: iperf3 server did not start" >&2
	return 1
}

# bench_iperf LABEL NS CMD...: run CMD in namespace NS: an iperf3 client
# with -f m, or squib-net guest running one. Prints its receiver rate as one
# line, then the line "squib-net: stats: ..." that --stats adds, if any.
# Fails when there is no rate.
bench_iperf() {
	local label=$1 ns=$2 out rate retr
	shift 2
	out=$(ip netns exec "$ns" timeout $((SECS + 60)) "$@" 2>&1) || true
	rate=$(echo "$out" | awk '/receiver/ {print $(NF-2), $(NF-1)}' | tail -1)
	retr=$(echo "$out" | awk '/sender/ && NF >= 9 {print $(NF-1)}' | tail -1)
	echo "iperf3 $label, $SECS s, 1 stream: ${rate:-failed} (sender retransmits: ${retr:-?})"
	echo "$out" | grep '^squib-net: stats:' | sed 's/^/    /' || true
	[ -n "$rate" ] && return 0
	echo "$out" | tail -5 | sed 's/^/    /'
	return 1
}

# bench_down: stop the iperf3 server (by pid) and remove the namespaces.
bench_down() {
	if [ -n "$BENCH_IPERF_PID" ]; then
		kill "$BENCH_IPERF_PID" 2>/dev/null || true
		wait "$BENCH_IPERF_PID" 2>/dev/null || true
		BENCH_IPERF_PID=
	fi
	ns_down
}
