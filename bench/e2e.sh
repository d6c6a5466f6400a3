#!/bin/bash
# SPDX-License-Identifier: MIT
# e2e.sh - every path a guest can take to "wan", side by side, as CSV
#
# bench/e2e.sh [BUILD_DIR]: as root; in namespaces of its own
# (scripts/netns.sh: "host" stands for the machine, "wan" for the outside,
# with the servers of bench/lib.sh). Each path gets a guest namespace of
# its own and bench/probe.sh runs in it: iperf3 both ways with 1 and 4
# streams, ping, a TCP request/response rate. The rows run in turn, RUNS
# times over (a slow minute of the machine hits every row alike).
# Prints CSV on stdout:
#   row,ID,LABEL,REF           once per row (REF: its kernel-only path)
#   e2e,ID,RUN,MEASURE,VALUE,RETRANSMITS
# Progress goes to stderr. BENCH_ROWS="kernel shared ..." picks rows;
# BENCH_BASE_PROG=path/to/squib-net (its keeper beside it, in libexec/)
# adds that build's row after "shared" and "shared_off" (bench/run.sh
# makes one from BENCH_BASE=<git revision>): the relay before and after,
# in one run; without it, *_base rows are left out.
set -euo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
. bench/lib.sh
KNS=$NS_TAG-kg  # the guest of the kernel-only path
KNS2=$NS_TAG-kg2 # the other guest on its bridge (guest to guest)
PNS=$NS_TAG-pa  # pasta's guest
SNS=$NS_TAG-s4n # slirp4netns's guest
KBR_ADDR=192.168.107.1
HOST_GW_ADDR=192.168.106.1 # squib-net's host mode: the default subnet
SHARED=(--mode shared --dns-upstream none)
PEER_PID=
TMP=$(mktemp -d /tmp/sqn-bench.XXXXXX)
GG=(--network sqn-gg --subnet 192.168.108.1/24 --disable-isolation)

# Rows: ID, then the label; the kernel-only path each is compared with
# follows from whether it goes to wan or to the host.
ROW_IDS=(kernel kernel_host shared shared_plain shared_bp shared_off host
	host_off passt slirp pasta slirp4netns kernel_gg shared_gg)
# QUICK: the paths most users take, and their peers.
[ "${QUICK:-0}" != 1 ] || ROW_IDS=(kernel shared shared_off passt slirp pasta slirp4netns)
declare -A LABEL=(
	[kernel]="kernel: veth + bridge + nft NAT"
	[kernel_host]="kernel: veth + bridge (to host)"
	[shared]="squib-net shared"
	[shared_plain]="squib-net shared (plain eth0)"
	[shared_bp]="squib-net shared --busy-poll 100"
	[shared_off]="squib-net shared --offload"
	[shared_base]="squib-net shared (base)"
	[shared_off_base]="squib-net shared --offload (base)"
	[host]="squib-net host (to host)"
	[host_off]="squib-net host --offload (to host)"
	[passt]="squib-net userspace (passt)"
	[slirp]="squib-net userspace (slirp helper)"
	[pasta]="pasta"
	[slirp4netns]="slirp4netns"
	[kernel_gg]="kernel: guest to guest on a bridge"
	[shared_gg]="squib-net shared: guest to guest"
)
# The service's stream and fd clients: bench/serve_stream.sh.
read -r -a ROW_IDS <<<"${BENCH_ROWS:-${ROW_IDS[*]}}"
# BENCH_BASE_PROG: the base build's row after "shared" and "shared_off"
# (the relay before and after), unless the list names it already;
# without it, no base row.
rows=()
for id in "${ROW_IDS[@]}"; do
	case $id in
	*_base) [ -z "${BENCH_BASE_PROG:-}" ] || [[ " ${rows[*]} " == *" $id "* ]] || rows+=("$id") ;;
	*) rows+=("$id") ;;
	esac
	case $id in
	shared | shared_off)
		[ -z "${BENCH_BASE_PROG:-}" ] || [[ " ${ROW_IDS[*]} " == *" ${id}_base "* ]] ||
			rows+=("${id}_base")
		;;
	esac
done
ROW_IDS=("${rows[@]}")

cleanup() {
	stop_peer
	[ -z "$TMP" ] || rm -rf "$TMP"
	ip netns del "$KNS" 2>/dev/null || true
	ip netns del "$KNS2" 2>/dev/null || true
	ip netns del "$PNS" 2>/dev/null || true
	ip netns del "$SNS" 2>/dev/null || true
	bench_down
}
trap cleanup EXIT

# kernel_up: bridge kbr0 (KBR_ADDR/24) in "host" with a veth port to eth0
# (192.168.107.2/24) of namespace KNS; forwarding and masquerade out of
# the bridge, all inside "host". The veth is made inside the namespaces.
kernel_up() {
	ip netns add "$KNS"
	ip -n "$KNS" link set lo up
	ip -n "$NS_HOST" link add kbr0 type bridge
	ip -n "$NS_HOST" link add kbp0 type veth peer name eth0 netns "$KNS"
	ip -n "$NS_HOST" link set kbp0 master kbr0
	ip -n "$NS_HOST" addr add "$KBR_ADDR/24" dev kbr0
	ip -n "$NS_HOST" link set kbr0 up
	ip -n "$NS_HOST" link set kbp0 up
	ip -n "$KNS" addr add 192.168.107.2/24 dev eth0
	ip -n "$KNS" link set eth0 up
	ip -n "$KNS" route add default via "$KBR_ADDR"
	ip netns add "$KNS2"
	ip -n "$KNS2" link set lo up
	ip -n "$NS_HOST" link add kbp1 type veth peer name eth0 netns "$KNS2"
	ip -n "$NS_HOST" link set kbp1 master kbr0
	ip -n "$NS_HOST" link set kbp1 up
	ip -n "$KNS2" addr add 192.168.107.3/24 dev eth0
	ip -n "$KNS2" link set eth0 up
	in_host sysctl -qw net.ipv4.ip_forward=1
	in_host nft -f - <<-'NFT'
		table ip sqn_bench {
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				ip saddr 192.168.107.0/24 oifname != "kbr0" masquerade
			}
		}
	NFT
}

# probe DEST: bench/probe.sh's arguments for a guest measuring DEST.
probe() {
	echo "$PROBE" "$1" "$PORT_IPERF" "$PORT_RR" "$SECS" "${STREAMS// /,}" "$PINGS" "$RR"
}

# squib ARGS...: a squib-net guest in "host" running the probe against wan.
squib() {
	in_host timeout $((SECS * 12 + 120)) "$PROG" guest "$@" -- $(probe "$WAN_ADDR")
}

# stop_peer: end the userspace peer of the last row, by pid.
stop_peer() {
	[ -z "$PEER_PID" ] || bench_stop "$PEER_PID"
	PEER_PID=
}

# peer_ns NS CMD...: a fresh guest namespace NS and a peer, CMD, that "host"
# runs for it; waits until NS has a default route.
peer_ns() {
	local ns=$1
	shift
	ip netns del "$ns" 2>/dev/null || true
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$NS_HOST" "$@" >/dev/null 2>&1 &
	PEER_PID=$!
	if ! ns_wait "$ns" ip -4 route show default; then
		echo "e2e.sh: $* gave $ns no route" >&2
		return 1
	fi
}

row_kernel() { ip netns exec "$KNS" $(probe "$WAN_ADDR"); }
# To the host and to another guest: one stream each way (4 streams are
# measured to wan), so that make bench stays under 10 minutes.
row_kernel_host() {
	local STREAMS=1
	ip netns exec "$KNS" $(probe "$KBR_ADDR")
}
row_shared() { squib "${SHARED[@]}"; }
row_shared_off() { squib "${SHARED[@]}" --offload; }
# Without --offload eth0 has offloads anyway (the relay cuts and joins
# segments); here it has none: the guest kernel's work per frame, which
# in a namespace guest shares our two CPUs, as in the original relay.
# One stream each way, no latency (the shared row's): enough to see it,
# and make bench stays under 10 minutes.
row_shared_plain() {
	local STREAMS=1 PINGS=0 RR=none
	squib "${SHARED[@]}" --no-guest-offload
}
# The relay polls 100 µs past its last event before it sleeps: its
# latency only (ping, request/response), no iperf3.
row_shared_bp() {
	local STREAMS=none
	squib "${SHARED[@]}" --busy-poll 100
}
row_host() {
	local STREAMS=1
	in_host "$PROG" guest --mode host -- $(probe "$HOST_GW_ADDR")
}
row_host_off() {
	local STREAMS=1
	in_host "$PROG" guest --mode host --offload -- $(probe "$HOST_GW_ADDR")
}
row_passt() { squib --mode userspace --helper passt --mtu "$USER_MTU"; }
# Our libslirp helper (issue 15), at the same MTU: passt, it and
# slirp4netns side by side in one run.
row_slirp() {
	SQN_SLIRP_HELPER=$(realpath "$B/squib-net-slirp-helper") \
		squib --mode userspace --helper slirp --mtu "$USER_MTU"
}

# The base build's rows: its own keeper too (their protocol may differ).
base() {
	SQN_LIBEXECDIR=$(dirname "$BENCH_BASE_PROG")/libexec PROG=$BENCH_BASE_PROG "$@"
}
row_shared_base() { base row_shared; }
row_shared_off_base() { base row_shared_off; }

# pasta and slirp4netns, each in "host" (whose only route leads to wan),
# serving a guest namespace of ours, as podman and rootless docker use them.
row_pasta() {
	peer_ns "$PNS" pasta --config-net -f -q --runas 0 --netns "/run/netns/$PNS" || return 0
	ip netns exec "$PNS" $(probe "$WAN_ADDR")
	stop_peer
	ip netns del "$PNS"
}
row_slirp4netns() {
	peer_ns "$SNS" slirp4netns --configure --mtu="$USER_MTU" \
		--netns-type=path "/run/netns/$SNS" tap0 || return 0
	ip netns exec "$SNS" $(probe "$WAN_ADDR")
	stop_peer
	ip netns del "$SNS"
}

# Guest to guest: the first guest serves (iperf3 and rr, in its PID
# namespace: they end with it) and writes its address to a file, the
# second measures it; a file tells the first to end.
row_kernel_gg() {
	local p=() STREAMS=1
	ip netns exec "$KNS2" iperf3 -s -p "$PORT_IPERF" >/dev/null 2>&1 &
	p+=($!)
	ip netns exec "$KNS2" "$RR" server 0.0.0.0 "$PORT_RR" &
	p+=($!)
	ns_wait "$KNS2" ss -Hltn "sport = :$PORT_RR" &&
		ns_wait "$KNS2" ss -Hltn "sport = :$PORT_IPERF" &&
		ip netns exec "$KNS" $(probe 192.168.107.3)
	bench_stop "${p[@]}"
}
row_shared_gg() {
	local a STREAMS=1
	rm -f "$TMP/gg.addr" "$TMP/gg.done"
	ip netns exec "$NS_HOST" timeout $((SECS * 12 + 120)) "$PROG" guest \
		"${SHARED[@]}" "${GG[@]}" -- sh -c "
		iperf3 -s -p $PORT_IPERF >/dev/null 2>&1 &
		$RR server 0.0.0.0 $PORT_RR &
		until ss -Hltn 'sport = :$PORT_IPERF' | grep -q . &&
			ss -Hltn 'sport = :$PORT_RR' | grep -q .; do sleep 0.02; done
		ip -4 -o addr show eth0 | sed 's|.* inet \([0-9.]*\)/.*|\1|' >$TMP/gg.addr
		until [ -e $TMP/gg.done ]; do sleep 0.05; done" &
	a=$!
	if ns_wait_file "$TMP/gg.addr"; then
		in_host "$PROG" guest "${SHARED[@]}" "${GG[@]}" -- \
			$(probe "$(cat "$TMP/gg.addr")")
	fi
	touch "$TMP/gg.done"
	wait "$a" || true
}

# ns_wait_file FILE: until FILE has something in it (20 s at most).
ns_wait_file() {
	local i
	for i in $(seq 200); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

ns_up
bench_servers
kernel_up
for id in "${ROW_IDS[@]}"; do
	ref=kernel
	case $id in
	*host*) ref=kernel_host ;;
	*gg) ref=kernel_gg ;;
	esac
	echo "row,$id,${LABEL[$id]},$ref"
done
for run in $(seq "$RUNS"); do
	for id in "${ROW_IDS[@]}"; do
		echo "e2e.sh: run $run/$RUNS: ${LABEL[$id]}" >&2
		"row_$id" 2>/dev/null | awk -v id="$id" -v run="$run" \
			'NF >= 2 && $1 ~ /^[a-z]/ { printf "e2e,%s,%s,%s,%s,%s\n", id, run, $1, $2, $3 }'
	done
done
