#!/bin/bash
# SPDX-License-Identifier: MIT
# test_route.sh - NAT follows the default route: squib-net serve in the
# "host" namespace of scripts/netns.sh, with a second uplink to "wan"
# (host $NS_TAG-h2 10.99.2.2/24, wan 10.99.2.1/24). The default route
# moves to it and back; a shared network without nat-iface leads NAT out
# of the new interface (its set nat_out, the interfaces' forwarding), the
# service logs it, and a guest's new connections reach wan from the new
# address; a network with nat-iface stays. Guests are stream clients
# (squib-net guest --mode stream on the network's stream socket).
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
NS_TAG=trt$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_route
. tests/lib.sh
G=4230 # the sockets' group
SOCK=$tmp/control
STREAM=$tmp/sqn-shared.sock
UP1=$NS_TAG-h # the first uplink (netns.sh's)
UP2=$NS_TAG-h2
spid=
trap 'serve_kill; suite_down' EXIT

cat >"$tmp/serve.conf" <<EOF
[network sqn-shared]
mode shared
subnet 10.126.0.1/24
dns-upstream none
# NAT out of the first uplink, wherever the route goes
[network sqn-fixed]
mode shared
subnet 10.127.0.1/24
nat-iface $UP1
dns-upstream none
EOF
: >"$tmp/acl.conf"
. tests/serve_lib.sh

fwd() { in_host sysctl -n "net.ipv4.conf.$1.forwarding" 2>/dev/null; }
# nat_out NETWORK: the elements of the network's set nat_out.
nat_out() {
	in_host nft list set ip "squib-net-$1" nat_out 2>/dev/null |
		sed -n 's/.*elements = { \(.*\) }.*/\1/p' | tr -d '"'
}
# nat_is NETWORK IFACE: its set nat_out is IFACE alone.
nat_is() {
	[ "$(nat_out "$1")" = "$2" ] && return 0
	why="network $1: set nat_out is \"$(nat_out "$1")\", wanted $2"
	return 1
}
# remote_is ADDR: a new guest's connection reaches wan's server, which
# sees ADDR (the host's address on the uplink NAT leads out of).
remote_is() {
	guest 0 --mode stream --peer "$STREAM" -- sh -c "
		timeout 10 busybox wget -q -O - http://$WAN_ADDR/cgi-bin/remote" || return 1
	has out "remote=$1$"
}
# default_via GW DEV: host's default route now leads to GW through DEV.
default_via() { in_host ip route replace default via "$1" dev "$2"; }

the_nat_follows_the_default_route() {
	serve_start || return 1
	nat_is sqn-shared "$UP1" && nat_is sqn-fixed "$UP1" || return 1
	remote_is '10\.99\.0\.2' || return 1
	default_via 10.99.2.1 "$UP2"
	logged "network sqn-shared: NAT now out of $UP2 (" || return 1
	nat_is sqn-shared "$UP2" && nat_is sqn-fixed "$UP1" || return 1
	[ "$(fwd "$UP2")" = 1 ] || { why="forwarding of $UP2 is $(fwd "$UP2"), wanted 1"; return 1; }
	remote_is '10\.99\.2\.2' || return 1
	grep -q "network sqn-fixed: NAT now" "$tmp/log" && { why="sqn-fixed moved"; return 1; }
	# And back: the second uplink's forwarding goes back off (the
	# fixed network still leads out of the first).
	default_via "$HOST_GW" "$UP1"
	# "$UP1 (": not the line about $UP2, whose name starts the same.
	logged "network sqn-shared: NAT now out of $UP1 (" || return 1
	nat_is sqn-shared "$UP1" || return 1
	[ "$(fwd "$UP2")" = 0 ] || { why="forwarding of $UP2 is $(fwd "$UP2"), wanted 0"; return 1; }
	remote_is '10\.99\.0\.2' || return 1
	serve_kill
	leftovers || return 1
	[ "$(fwd "$UP1")" = 0 ] && [ "$(fwd "$UP2")" = 0 ] ||
		{ why="forwarding left on: $UP1 $(fwd "$UP1"), $UP2 $(fwd "$UP2")"; return 1; }
}

# The route moved while no service ran: a network still made by a guest
# of the library (its NAT out of the old uplink) is moved at the start.
moved_while_no_service_ran() {
	local pid
	guest_bg a --mode shared --subnet 10.126.0.1/24 --dns-upstream none -- \
		sh -c "echo $ADDR >$tmp/a.addr; $HOLD"
	pid=$bg
	ready a || { stop $pid; return 1; }
	default_via 10.99.2.1 "$UP2"
	serve_start || { touch "$tmp/go"; stop $pid; return 1; }
	logged "network sqn-shared: NAT now out of $UP2 (" && nat_is sqn-shared "$UP2" &&
		remote_is '10\.99\.2\.2'
	local rc=$?
	touch "$tmp/go"
	wait $pid
	serve_kill
	default_via "$HOST_GW" "$UP1"
	[ $rc = 0 ] && leftovers
}

setup ns_up
chmod 755 "$tmp"
ip -n "$NS_HOST" link add "$UP2" type veth peer name "$NS_TAG-w2" netns "$NS_WAN"
ip -n "$NS_HOST" addr add 10.99.2.2/24 dev "$UP2"
ip -n "$NS_HOST" link set "$UP2" up
ip -n "$NS_WAN" addr add 10.99.2.1/24 dev "$NS_TAG-w2"
ip -n "$NS_WAN" link set "$NS_TAG-w2" up
ip netns exec "$NS_HOST" sysctl -qw "net.ipv4.conf.$UP2.forwarding=0"
# So a missing NAT shows as the guest's own address, not as silence.
ip -n "$NS_WAN" route add 10.126.0.0/24 via 10.99.0.2

tcase the_nat_follows_the_default_route the_nat_follows_the_default_route
tcase moved_while_no_service_ran moved_while_no_service_ran

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
