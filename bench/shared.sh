#!/bin/bash
# SPDX-License-Identifier: MIT
# shared.sh - shared mode: lease time and TCP throughput, and the kernel's
# own bridge and NAT for comparison
#
# In namespaces of its own (scripts/netns.sh): squib-net guest --mode
# shared in "host" (its bridge, nftables NAT and dnsmasq are made there;
# --dns-upstream none, so no DNS query is forwarded anywhere), an iperf3
# server in "wan". Prints the median, min and max lease time over 10
# starts, then iperf3 guest->wan in Mbit/s for shared mode (a) without and
# (b) with --offload, each with the attachment's counters (--stats), and
# (c) for a guest namespace on a veth port of a Linux bridge in "host",
# masqueraded by an nftables table of ours: the kernel-only path.
set -euo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
. bench/lib.sh
KNS=$NS_TAG-kg # the guest of the kernel-only path
SHARED=(--mode shared --dns-upstream none)
failed=0

# ns_down (scripts/netns.sh) also stops a dnsmasq that shared mode left in
# "host" and removes its record there; the shared-mode runs below check
# that there was none.
cleanup() {
	ip netns del "$KNS" 2>/dev/null || true
	bench_down
}
trap cleanup EXIT

# kernel_up: bridge kbr0 (192.168.107.1/24) in "host" with a veth port to
# eth0 (192.168.107.2/24) of namespace KNS; forwarding and masquerade out
# of the bridge, all inside "host". The veth is made inside the namespaces.
kernel_up() {
	ip netns add "$KNS"
	ip -n "$KNS" link set lo up
	ip -n "$NS_HOST" link add kbr0 type bridge
	ip -n "$NS_HOST" link add kbp0 type veth peer name eth0 netns "$KNS"
	ip -n "$NS_HOST" link set kbp0 master kbr0
	ip -n "$NS_HOST" addr add 192.168.107.1/24 dev kbr0
	ip -n "$NS_HOST" link set kbr0 up
	ip -n "$NS_HOST" link set kbp0 up
	ip -n "$KNS" addr add 192.168.107.2/24 dev eth0
	ip -n "$KNS" link set eth0 up
	ip -n "$KNS" route add default via 192.168.107.1
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

ns_up
bench_iperf_server

bench_lease "from squib-net guest start (shared mode)" "${SHARED[@]}" ||
	failed=$((failed + 1))
bench_iperf "guest->wan (a) shared mode, no offloads" "$NS_HOST" \
	"$PROG" guest "${SHARED[@]}" --stats -- \
	iperf3 -c "$WAN_ADDR" -t "$SECS" -f m || failed=$((failed + 1))
bench_iperf "guest->wan (b) shared mode, --offload" "$NS_HOST" \
	"$PROG" guest "${SHARED[@]}" --offload --stats -- \
	iperf3 -c "$WAN_ADDR" -t "$SECS" -f m || failed=$((failed + 1))
left=$(ns_procs "$NS_HOST" dnsmasq) || true
[ ! -e "/run/squib-net/net-$NS_HOST_INO" ] || left+=" /run/squib-net/net-$NS_HOST_INO"
if [ -n "$left" ]; then
	echo "shared.sh: left after the last guest: $left" >&2
	failed=$((failed + 1))
fi

kernel_up
bench_iperf "guest->wan (c) kernel only: veth, bridge, nftables masquerade" \
	"$KNS" iperf3 -c "$WAN_ADDR" -t "$SECS" -f m || failed=$((failed + 1))
[ "$failed" -eq 0 ]
