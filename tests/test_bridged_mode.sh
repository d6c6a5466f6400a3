#!/bin/bash
# SPDX-License-Identifier: MIT
# test_bridged_mode.sh - squib-net guest --mode bridged onto the LAN of
# scripts/netns.sh (ns_lan_up): through host's bridge (the guest's TAP
# becomes a port) and through host's NIC on the LAN (a macvtap). The
# address comes from the LAN's own dnsmasq.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
NS_TAG=tbm$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_bridged_mode
. tests/lib.sh
BR=$NS_TAG-br  # host's bridge, with the veth $NS_TAG-lb to the LAN
NIC=$NS_TAG-ln # host's NIC on the LAN, 10.77.0.2/24
trap suite_down EXIT

# Nothing of squib-net left, and host's own links as they were.
leftovers() {
	nothing_left "$NS_HOST" "$NS_HOST_INO" || return 1
	ip -n "$NS_HOST" -o link show master "$BR" >"$tmp/ports"
	ip -n "$NS_HOST" -o addr show dev "$NIC" >"$tmp/nic"
	has ports "$NS_TAG-lb" && has nic "inet 10.77.0.2/24" || return 1
	[ "$(wc -l <"$tmp/ports")" = 1 ] || { why="ports of $BR: $(cut -d: -f2 "$tmp/ports")"; return 1; }
}

# on_the_lan IFACE MAC: a guest on IFACE with MAC gets a LAN lease and
# fetches the LAN's page; the LAN's router knows it by that MAC.
on_the_lan() {
	guest 0 --mode bridged --bridged-iface "$1" --mac "$2" -- sh -c "echo addr=$ADDR;
		ip link show eth0 | grep -q $2 && echo mac-ok;
		timeout 10 busybox wget -q -O - http://$LAN_GW/" &&
		has out "addr=10\.77\.0\.1[0-9][0-9]$" && has out mac-ok &&
		has out "hello from lan" || return 1
	grep -q " $2 10\.77\.0\." "$LAN_LEASES" || { why="no lease for $2: $(cat "$LAN_LEASES")"; return 1; }
	ip -n "$NS_LAN" neigh show >"$tmp/neigh"
	has neigh "lladdr $2" || { why="lan's neighbours lack $2: $(tr '\n' ';' <"$tmp/neigh")"; return 1; }
	leftovers
}

through_a_bridge() {
	on_the_lan "$BR" 52:54:00:5a:00:01
}

through_a_nic_with_macvtap() {
	on_the_lan "$NIC" 52:54:00:5a:00:02
}

missing_interface_is_refused() {
	refused 1 "no interface" --mode bridged --bridged-iface nosuch0 && has err nosuch0
}

setup ns_up
setup ns_lan_up

tcase through_a_bridge through_a_bridge
tcase through_a_nic_with_macvtap through_a_nic_with_macvtap
tcase missing_interface_is_refused missing_interface_is_refused

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
