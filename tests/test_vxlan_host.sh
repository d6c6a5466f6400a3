#!/bin/bash
# SPDX-License-Identifier: MIT
# test_vxlan_host.sh - networks across hosts as one host's service makes
# them, in the "host" namespace of scripts/netns.sh (its veth, 10.99.0.2,
# MTU 1500, is the underlay): a gateway network's bridge (MTU 1450, MAC of
# its VNI) with sqnvx<VNI> as an isolated port and one all-zeros FDB entry
# per peer; a member's bridge of its own (alias, no address, its VXLAN
# port not isolated, the gateway-only filter) whose attachments are TAP
# ports of it with the network's facts; an mtu above the underlay's less 50
# and a link of the member's name that is not ours refused with the
# reason; status' VXLAN members; SIGHUP changes exactly the peers that
# changed (none twice), keeps the old file on a mistake, logs other changes
# as needing a restart; a member bridge with a port left stays and is
# adopted; nothing left at the end but what was not ours.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
CLIENT=$(realpath "$B/tests/svc_client")
NS_TAG=tvx$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_vxlan_host
. tests/lib.sh
chmod 755 "$tmp"
G=
SOCK=$tmp/control
UNDER=$NS_LINK-h
DUM=${NS_TAG}d # vxd's underlay, a dummy that goes and comes back
spid=
declare -A holds
trap 'serve_kill; suite_down' EXIT

conf() {
	cat >"$tmp/serve.conf" <<-EOF
		[network vxg]
		mode shared
		subnet ${1:-10.140.0.1/24}
		dns-upstream none
		vxlan-vni 140
		vxlan-underlay $UNDER
		vxlan-peers ${2:-10.99.0.1,10.99.0.7}
		[network vxm]
		mode host
		subnet 10.141.0.1/24
		vxlan-vni 141
		vxlan-role member
		vxlan-local 10.99.0.2
		vxlan-peers 10.99.0.1
		[network vxbig]
		mode host
		subnet 10.142.0.1/24
		mtu 1451
		vxlan-vni 142
		vxlan-local 10.99.0.2
		[network vxtaken]
		mode host
		subnet 10.143.0.1/24
		vxlan-vni 143
		vxlan-role member
		vxlan-local 10.99.0.2
		[network vxd]
		mode host
		subnet 10.144.0.1/24
		vxlan-vni 144
		vxlan-role member
		vxlan-underlay $DUM
	EOF
}
conf
: >"$tmp/acl.conf"

. tests/serve_lib.sh

details() { in_host ip -d link show dev "$1" 2>/dev/null; }
# flood VNI: the all-zeros entries of sqnvx<VNI>, one "dst" a line, sorted.
flood() {
	in_host bridge fdb show dev "sqnvx$1" 2>/dev/null |
		awk '$1 == "00:00:00:00:00:00" {print $3}' | sort
}
flood_is() {
	local got
	got=$(flood "$1" | tr '\n' ' ')
	[ "$got" = "$2" ] && return 0
	why="sqnvx$1's flood list is \"$got\", not \"$2\""
	return 1
}
status_json() { in_host "$PROG" status --json --socket "$SOCK"; }
# net_field NET KEY: a network's member of status, as JSON.
net_field() {
	status_json | python3 -c '
import json, sys
d = json.load(sys.stdin)
n = [x for x in d["networks"] if x["name"] == sys.argv[1]][0]
print(json.dumps(n.get(sys.argv[2])))' "$1" "$2"
}
field_is() {
	local got
	got=$(net_field "$1" "$2")
	[ "$got" = "$3" ] && return 0
	why="network $1: $2 is $got, not $3"
	return 1
}

gateway_made() {
	local d
	d=$(details vxg)
	grep -q "mtu 1450 " <<<"$d" && grep -q "link/ether 02:73:71:00:00:8c" <<<"$d" ||
		{ why="bridge vxg: $d"; return 1; }
	d=$(details sqnvx140)
	grep -q "master vxg" <<<"$d" && grep -q "mtu 1450 " <<<"$d" &&
		grep -q "vxlan id 140 local 10.99.0.2 dev $UNDER " <<<"$d" &&
		grep -q "dstport 4789" <<<"$d" && grep -q "isolated on" <<<"$d" &&
		! grep -q "nolearning" <<<"$d" || { why="sqnvx140: $d"; return 1; }
	flood_is 140 "10.99.0.1 10.99.0.7 " || return 1
	field_is vxg role '"gateway"' && field_is vxg vni 140 &&
		field_is vxg vxlan_local '"10.99.0.2"' && field_is vxg vxlan_port 4789 &&
		field_is vxg control '"static"' &&
		field_is vxg peers '["10.99.0.1", "10.99.0.7"]' &&
		field_is vxg state '"up"' || return 1
	net_field vxg vxlan_tx_packets | grep -qx '[0-9][0-9]*' ||
		{ why="vxlan_tx_packets: $(net_field vxg vxlan_tx_packets)"; return 1; }
}

member_made() {
	local d
	d=$(details vxm)
	grep -q "mtu 1450 " <<<"$d" && grep -q "alias squib-net vxlan member 141" <<<"$d" ||
		{ why="bridge vxm: $d"; return 1; }
	[ -z "$(in_host ip -o addr show dev vxm)" ] ||
		{ why="vxm has addresses: $(in_host ip -o addr show dev vxm)"; return 1; }
	d=$(details sqnvx141)
	grep -q "master vxm" <<<"$d" && grep -q "isolated off" <<<"$d" ||
		{ why="sqnvx141: $d"; return 1; }
	flood_is 141 "10.99.0.1 " || return 1
	d=$(in_host nft list table bridge squib-net-vx141 2>&1)
	grep -q 'iifname "sqnvx141" ether saddr != 02:73:71:00:00:8d .*drop' <<<"$d" ||
		{ why="filter: $d"; return 1; }
	field_is vxm role '"member"' && field_is vxm mode '"host"' &&
		field_is vxm dnsmasq_state '"none"' && field_is vxm state '"up"' &&
		field_is vxm subnet '"10.141.0.0"'
}

refusals() {
	local e
	e=$(net_field vxbig error)
	grep -q "mtu 1451 is more than the underlay $UNDER's MTU 1500 .*at most 1450" <<<"$e" ||
		{ why="vxbig: $e"; return 1; }
	e=$(net_field vxtaken error)
	grep -q "a link named vxtaken is there and is not squib-net's" <<<"$e" ||
		{ why="vxtaken: $e"; return 1; }
	field_is vxbig state '"down"' && field_is vxtaken state '"down"' &&
		link_there vxtaken && [ -z "$(in_host ip -o link show master vxtaken)" ] ||
		{ why="vxtaken touched: ${why:-}"; return 1; }
	# static and evpn on one host: FRR would take the static one's too
	cat >"$tmp/mixed.conf" <<-EOF
		bgp-asn 65000
		[network vxs]
		subnet 10.145.0.1/24
		vxlan-vni 145
		vxlan-local 10.99.0.2
		[network vxe]
		subnet 10.146.0.1/24
		vxlan-vni 146
		vxlan-local 10.99.0.2
		vxlan-control evpn
	EOF
	e=$(in_host timeout 20 "$PROG" serve --config "$tmp/mixed.conf" --socket "$tmp/mixed.sock" 2>&1) &&
		{ why="a mixed config was taken"; return 1; }
	grep -q "mixed.conf:.*network vxe: vxlan-control evpn here, static in network vxs" <<<"$e" ||
		{ why="mixed: $e"; return 1; }
}

member_attach() {
	local tap d
	# root's, which an empty ACL allows; not through a function, so that
	# $! is the client's pid
	ip netns exec "$NS_HOST" "$CLIENT" "$SOCK" --send '{"v":1,"op":"attach","network":"vxm","label":"vx"}' \
		--hold >"$tmp/m.out" 2>&1 &
	holds[m]=$!
	pids+=($!)
	has_in m held || return 1
	has_in m '"mode":"host"' && has_in m '"gateway":"10.141.0.1"' &&
		has_in m '"mtu":1450' || return 1
	tap=$(sed -n 's/^tap //p' "$tmp/m.out" | head -1)
	d=$(details "$tap")
	grep -q "master vxm" <<<"$d" && grep -q "mtu 1450 " <<<"$d" &&
		grep -q "isolated on" <<<"$d" || { why="$tap: $d"; return 1; }
	release m
	wait_for 50 link_gone "$tap" || { why="$tap stays"; return 1; }
}

reload_peers() {
	local n
	n=$(grep -c "SIGHUP: network vxg: VXLAN peers" "$tmp/log")
	conf 10.140.0.1/24 10.99.0.7,10.99.0.9
	kill -HUP "$spid"
	wait_for 50 grep -q "VXLAN peers now 2 (1 added, 1 removed)" "$tmp/log" ||
		{ why="no reload logged: $(tail -3 "$tmp/log" | tr '\n' ' ')"; return 1; }
	flood_is 140 "10.99.0.7 10.99.0.9 " || return 1
	field_is vxg peers '["10.99.0.7", "10.99.0.9"]' || return 1
	# the same again, in another order: nothing added, nothing twice
	conf 10.140.0.1/24 10.99.0.9,10.99.0.7
	kill -HUP "$spid"
	wait_for 50 grep -q "VXLAN peers now 2 (0 added, 0 removed)" "$tmp/log" ||
		{ why="second reload not logged"; return 1; }
	flood_is 140 "10.99.0.7 10.99.0.9 " || return 1
	# a mistake: the old file stays
	conf 10.140.0.1/24 10.99.0.1,nonsense
	kill -HUP "$spid"
	wait_for 50 grep -q "not read again, the old one stays" "$tmp/log" ||
		{ why="mistake not logged"; return 1; }
	flood_is 140 "10.99.0.7 10.99.0.9 " || return 1
	# another setting: a restart's, left as it is; the peers still follow
	conf 10.144.0.1/24 10.99.0.9
	kill -HUP "$spid"
	wait_for 50 grep -q "network vxg: settings other than vxlan-peers changed: they need a restart" "$tmp/log" ||
		{ why="restart not asked for"; return 1; }
	wait_for 50 flood_is 140 "10.99.0.9 " || return 1
	field_is vxg subnet '"10.140.0.0"' || return 1
	[ "$(grep -c "SIGHUP: network vxg: VXLAN peers" "$tmp/log")" = $((n + 3)) ] ||
		{ why="peer reloads: $(grep "SIGHUP" "$tmp/log" | tr '\n' ' ')"; return 1; }
	conf
}

member_kept_and_adopted() {
	# a port the service did not make (a VMM's TAP, say) keeps the bridge
	in_host ip link add "$NS_LINK-d" type veth peer name "$NS_LINK-e" &&
		in_host ip link set "$NS_LINK-d" master vxm || { why="veth port"; return 1; }
	serve_kill
	grep -q "network vxm: member bridge left with its VXLAN port: 1 other ports are still on it" "$tmp/log" ||
		{ why="not logged: $(tail -4 "$tmp/log" | tr '\n' ' ')"; return 1; }
	link_there vxm && link_there sqnvx141 || return 1
	link_gone vxg && link_gone sqnvx140 || { why="gateway's left"; return 1; }
	serve_start || return 1
	field_is vxm state '"up"' && member_made || return 1
	[ "$(in_host ip -o link show master vxm | wc -l)" = 2 ] ||
		{ why="vxm's ports: $(in_host ip -o link show master vxm)"; return 1; }
	in_host ip link del "$NS_LINK-d"
}

# The kernel deletes a VXLAN device with its underlay (wg-quick down; a
# veth here: this kernel has no dummy):
# status says so; SIGHUP, the underlay back, makes it again.
dummy_up() {
	in_host ip link add "$DUM" type veth peer name "${DUM}p" &&
		in_host ip addr add 10.98.7.2/24 dev "$DUM" &&
		in_host ip link set "$DUM" up
}
device_made_again() {
	link_there sqnvx144 || return 1
	in_host ip link del "$DUM" || { why="no $DUM"; return 1; }
	wait_for 100 link_gone sqnvx144 || { why="sqnvx144 stayed"; return 1; }
	net_field vxd error | grep -q "VXLAN device sqnvx144 is gone" ||
		{ why="status: $(net_field vxd error)"; return 1; }
	dummy_up || { why="dummy"; return 1; }
	kill -HUP "$spid"
	logged "network vxd: VXLAN sqnvx144 made again" || return 1
	in_host ip -o link show dev sqnvx144 | grep -q "master vxd" ||
		{ why="sqnvx144: $(in_host ip -o link show dev sqnvx144)"; return 1; }
	field_is vxd error "\"\""
}

all_gone() {
	in_host ip link del "$DUM"
	serve_kill
	link_there vxtaken || return 1
	in_host ip link del vxtaken
	nothing_left "$NS_HOST" "$NS_HOST_INO" || return 1
	link_gone vxm && link_gone vxg || { why="a bridge is left"; return 1; }
}

setup ns_up
in_host ip link add vxtaken type veth peer name "$NS_LINK-t"
setup dummy_up
setup serve_start
tcase gateway_bridge_vxlan_port_and_flood_list gateway_made
tcase member_bridge_port_and_filter member_made
tcase mtu_too_large_and_foreign_link_refused refusals
tcase member_attachment_is_a_port_of_its_bridge member_attach
tcase sighup_changes_exactly_the_peers reload_peers
tcase member_bridge_with_ports_stays_and_is_adopted member_kept_and_adopted
tcase a_device_gone_with_its_underlay_is_made_again_on_sighup device_made_again
tcase nothing_left_but_what_was_not_ours all_gone
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
