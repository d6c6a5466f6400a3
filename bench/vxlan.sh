#!/bin/bash
# SPDX-License-Identifier: MIT
# vxlan.sh - a network across hosts: guest to guest across two hosts next
# to the same on one host, and a member guest's time to its lease
#
# bench/vxlan.sh [BUILD_DIR]: as root, in namespaces of its own (the three
# hosts of tests/vxlan_lib.sh: h1 the gateway host, h2 and h3 members,
# joined by an underlay bridge, MTU 1500). Network sqn-vx (VNI 300, static
# peers, isolation off, MTU 1450 from the underlay) on all three, served
# by each host's squib-net serve. Guests are squib-net guest --mode stream
# on a host's stream socket: x and z on h2, y on h3. In each run, in turn:
#   same    x -> z, both on h2 (the member's bridge only)
#   across  x -> y, h2 to h3 over VXLAN
# iperf3 (one stream, SECS s, x the client) and ping's RTT (PINGS pings,
# 20 ms apart, median). Then the time from starting a guest to its lease
# (its command starts once udhcpc is bound), LEASES times, on member h2
# (DHCP across the overlay from h1's dnsmasq) and on gateway host h1.
# Prints CSV on stdout:
#   vxlan,ID,RUN,METRIC,VALUE        (gbps, rtt_ms, lease_ms)
#   vxlan-median,ID,METRIC,VALUE,LABEL (no comma in LABEL)
# and the medians as a table on stderr.
set -euo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
. bench/lib.sh
tmp=$(mktemp -d /tmp/sqn-bench-vx.XXXXXX)
. tests/lib.sh
. tests/vxlan_lib.sh
LEASES=${BENCH_LEASES:-5}
[ "${QUICK:-0}" != 1 ] || LEASES=${BENCH_LEASES:-3}
SERVERS=()
declare -A LABEL=(
	[same]="x -> z on one host (h2's bridge)"
	[across]="x -> y across hosts (h2 -> h3 over VXLAN)"
	[member]="member guest (h2) from start to lease"
	[gateway]="gateway-host guest (h1) from start to lease"
)

cleanup() {
	local p
	# Everything, whatever fails (a process stopped has a status of 143).
	set +e
	for p in "${SERVERS[@]}"; do
		bench_stop "$p"
	done
	vx_down
	rm -rf "$tmp"
}
trap cleanup EXIT

# conf N ROLE WHERE: host N's serve.conf.
conf() {
	cat >"$tmp/h$1/serve.conf" <<-EOF
		[network sqn-vx]
		mode shared
		subnet 10.150.0.1/24
		isolation off
		$([ "$2" = member ] || echo "dns-upstream none")
		vxlan-vni 300
		vxlan-role $2
		$3
		vxlan-peers $(for i in 1 2 3; do [ "$i" = "$1" ] || echo "$VX_NET.$i"; done | paste -sd,)
	EOF
}

# server G: iperf3's server in guest G's network namespace (its pid kept).
server() {
	vx_gpid "$1" >/dev/null
	nsenter -t "${VX_GNS[$1]}" -n iperf3 -s -p 5201 >/dev/null 2>&1 &
	SERVERS+=($!)
	wait_for 100 eval "vx_in $1 ss -Hltn 'sport = :5201' | grep . >/dev/null" ||
		{ echo "vxlan.sh: no iperf3 server in $1" >&2; return 1; }
}

# gbps ADDR: x's iperf3 to ADDR, SECS s; the receiver's Gbit/s.
gbps() {
	{ vx_in x iperf3 -c "$1" -p 5201 -t "$SECS" -J 2>/dev/null || true; } |
		jq -r '.end.sum_received.bits_per_second / 1e9 | . * 100 | round / 100'
}
# rtt ADDR: the median of PINGS pings of x to ADDR, ms.
rtt() {
	{ vx_in x busybox ping -c "$PINGS" -i 0.02 -W 2 "$1" 2>/dev/null || true; } |
		sed -n 's/.* time=\([0-9.]*\) ms/\1/p' | bench_median
}

# lease N: ms from starting a guest on host N to its command (bound).
lease() {
	local t0 t1 p
	rm -f "$tmp/t.lease"
	t0=$(date +%s%N)
	ip netns exec "${VXH[$1]}" "$PROG" guest --mode stream --peer "$tmp/h$1/sqn-vx.sock" -- \
		sh -c "date +%s%N >$tmp/t.lease" >/dev/null 2>"$tmp/lease.err" &
	p=$!
	wait "$p" || true
	t1=$(cat "$tmp/t.lease" 2>/dev/null) || { echo "vxlan.sh: no lease: $(cat "$tmp/lease.err")" >&2; return 0; }
	echo $(((t1 - t0) / 1000000))
}

vx_up >&2
conf 1 gateway "vxlan-local $VX_NET.1"
conf 2 member "vxlan-underlay ul0"
conf 3 member "vxlan-underlay ul0"
for n in 1 2 3; do
	vx_serve "$n" || { echo "vxlan.sh: $why" >&2; exit 1; }
done
vx_guest x 2 sqn-vx
vx_guest z 2 sqn-vx
vx_guest y 3 sqn-vx
vx_ready x y z || { echo "vxlan.sh: $why" >&2; exit 1; }
server y
server z
declare -A TO=([same]="$(vx_addr z)" [across]="$(vx_addr y)")

for run in $(seq "$RUNS"); do
	for id in same across; do
		v=$(gbps "${TO[$id]}") || v=
		echo "vxlan,$id,$run,gbps,$v"
		r=$(rtt "${TO[$id]}") || r=
		echo "vxlan,$id,$run,rtt_ms,$r"
		echo "vxlan.sh: run $run/$RUNS $id: $v Gbit/s, RTT $r ms" >&2
	done
done >"$tmp/csv"
for run in $(seq "$LEASES"); do
	echo "vxlan,member,$run,lease_ms,$(lease 2)"
	echo "vxlan,gateway,$run,lease_ms,$(lease 1)"
done >>"$tmp/csv"
cat "$tmp/csv"
echo "vxlan.sh: guests of squib-net serve's stream sockets, MTU 1450;" \
	"median of $RUNS runs (iperf3 one stream, $SECS s; $PINGS pings), $LEASES leases:" >&2
for row in "same gbps" "across gbps" "same rtt_ms" "across rtt_ms" "member lease_ms" "gateway lease_ms"; do
	# shellcheck disable=SC2086 # "ID METRIC"
	set -- $row
	m=$(awk -F, -v id="$1" -v k="$2" '$2 == id && $4 == k && $5 != "" { print $5 }' "$tmp/csv" | bench_median)
	echo "vxlan-median,$1,$2,$m,${LABEL[$1]}"
	case $2 in gbps) u=Gbit/s ;; rtt_ms) u="ms RTT" ;; *) u=ms ;; esac
	printf '  %-44s %8s %s\n' "${LABEL[$1]}" "$m" "$u" >&2
done
