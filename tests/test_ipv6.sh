#!/bin/bash
# SPDX-License-Identifier: MIT
# test_ipv6.sh - IPv6 of the shared and host networks: squib-net guest
# gets an address of the network's prefix by SLAAC and by DHCPv6 (both
# from the network's dnsmasq), pings the gateway's IPv6 address, reaches
# wan's IPv6 server through NAT66 (wan sees host's address and has no
# route back to the prefix), isolation holds over IPv6, a host-only
# network has no IPv6 beyond the host, overlapping prefixes and a second
# attacher asking for another prefix are refused. In the namespaces of
# scripts/netns.sh, with IPv6 between host and wan (ns_ipv6_up).
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
NS_TAG=tv6$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_ipv6
. tests/lib.sh
NAT_IF=$NS_TAG-h
GW=10.124.0.1
LEASE='10\.124\.0\.'
P6=fd42:1:2:3:: # the network's prefix, /64
GW6=${P6}1
P6RE='fd42:1:2:3:'
MODE=(--mode shared --subnet "$GW/24" --subnet6 "${P6}/64" --dns-upstream none)
DHCP6=$(realpath tests/dhcp6_solicit.py)
trap suite_down EXIT

fwd6() {
	in_host cat "/proc/sys/net/ipv6/conf/$1/force_forwarding" 2>/dev/null
}
# Nothing of the network left, and NAT_IF forwards IPv6 no more.
leftovers() {
	nothing_left "$NS_HOST" "$NS_HOST_INO" || return 1
	[ "$(fwd6 "$NAT_IF")" = 0 ] || { why="force_forwarding of $NAT_IF is $(fwd6 "$NAT_IF"), was 0"; return 1; }
}

# In a guest's command: IPv6 on eth0 (squib-net guest brings it up
# without: toggling disable_ipv6 starts it), then until it has a global
# address that passed duplicate address detection and a default route
# (from the router advertisement), 20 s at most.
V6UP="echo 1 >/proc/sys/net/ipv6/conf/eth0/disable_ipv6;
	echo 0 >/proc/sys/net/ipv6/conf/eth0/disable_ipv6;
	for i in \$(seq 200); do ip -6 route | grep -q '^default' &&
		ip -6 -o addr show dev eth0 scope global -tentative | grep -q inet6 && break;
		sleep 0.1; done"
ADDR6='$(ip -6 -o addr show dev eth0 scope global -tentative | awk "{print \$4}" | cut -d/ -f1 | head -1)'

# SLAAC's address and DHCPv6's lease in the prefix, the gateway answers
# over IPv6, wan's IPv6 server reached through NAT66: it sees host's
# address (it has no route to the prefix). All gone after.
slaac_dhcpv6_gateway_and_nat66() {
	guest 0 "${MODE[@]}" -- sh -c "$V6UP; echo addr6=$ADDR6;
		python3 $DHCP6 eth0 10;
		busybox ping6 -c 1 -w 5 $GW6 >/dev/null && echo gw6-ok;
		curl -s -g --max-time 10 http://[$WAN6]/cgi-bin/remote" || return 1
	has out "addr6=$P6RE" && has out "dhcpv6=${P6RE}:1[0-9a-f][0-9a-f]$" &&
		has out gw6-ok && has out "remote=\[$HOST6\]$" && leftovers
}

# Without --subnet6: the ULA /64 of the network's name (sqn-shared's is
# fd92:cdc:ec5a::/64, test_ipv6.c), and sqn_info's prefix in the log.
default_prefix_is_the_names_ula() {
	guest 0 --mode shared --subnet "$GW/24" --dns-upstream none -- \
		sh -c "$V6UP; echo addr6=$ADDR6" || return 1
	has out "addr6=fd92:cdc:ec5a:0:" && has err "fd92:cdc:ec5a::/64" && leftovers
}

# two6 FLAGS...: guest a runs; guest b pings the gateway over IPv6
# (gw6-ok), then a directly (peer6-ok) and routed through the gateway
# (peer6-routed-ok), deaf to redirects.
two6() {
	local pid rc
	guest_bg a "${MODE[@]}" "$@" -- sh -c "$V6UP; echo $ADDR6 >$tmp/a.addr; $HOLD"
	pid=$bg
	ready a || { stop $pid; return 1; }
	grep -q "^$P6RE" "$tmp/a.addr" || { why="guest a: no address in the prefix: $(cat "$tmp/a.addr")"; stop $pid; return 1; }
	guest 0 "${MODE[@]}" "$@" -- sh -c "$V6UP;
		echo 0 >/proc/sys/net/ipv6/conf/eth0/accept_redirects;
		busybox ping6 -c 1 -w 5 $GW6 >/dev/null && echo gw6-ok;
		busybox ping6 -c 1 -w 4 $(cat "$tmp/a.addr") >/dev/null && echo peer6-ok;
		ip -6 route add $(cat "$tmp/a.addr")/128 via $GW6 &&
		busybox ping6 -c 1 -w 4 $(cat "$tmp/a.addr") >/dev/null && echo peer6-routed-ok;
		true"
	rc=$?
	touch "$tmp/go"
	wait $pid
	[ $rc = 0 ] && has out gw6-ok
}

isolation_holds_for_ipv6() {
	two6 && ! grep -q peer "$tmp/out" || { why="${why:-the guests reached each other: $(grep peer "$tmp/out" | tr '\n' ' ')}"; return 1; }
	leftovers
}

without_isolation_ipv6_passes() {
	two6 --disable-isolation && has out peer6-ok && has out peer6-routed-ok && leftovers
}

# Host mode: the gateway answers over IPv6, wan does not, although wan
# routes the prefix back to host: refused at once (a TCP reset), not left
# to time out; and not because host forwards nothing: it forwards IPv6
# everywhere meanwhile (all/forwarding), the table drops it.
host_mode_has_no_ipv6_egress() {
	local rc
	ip -n "$NS_WAN" -6 route add "${P6}/64" via "$HOST6" || return 1
	in_host sysctl -qw net.ipv6.conf.all.forwarding=1
	guest 0 --mode host --network sqn-v6h --subnet 10.125.0.1/24 --subnet6 "${P6}/64" -- sh -c "$V6UP;
		echo addr6=$ADDR6;
		busybox ping6 -c 1 -w 5 $GW6 >/dev/null && echo gw6-ok;
		curl -s -g --max-time 10 http://[$WAN6]/ && echo wan6-reached;
		ip -6 route replace $WAN6 via $GW6;
		curl -s -g --max-time 10 http://[$WAN6]/ && echo wan6-reached; echo curl=\$?"
	rc=$?
	in_host sysctl -qw net.ipv6.conf.all.forwarding=0
	ip -n "$NS_WAN" -6 route del "${P6}/64"
	[ $rc = 0 ] || { why="exit status $rc"; return 1; }
	has out "addr6=$P6RE" && has out gw6-ok || return 1
	! grep -q wan6-reached "$tmp/out" || { why="the guest reached wan over IPv6"; return 1; }
	# curl's 7: connection refused (a timeout would be 28).
	has out "curl=7$" && leftovers
}

# A prefix on host's uplink, or under one of its routes, is refused.
overlapping_prefix_is_refused() {
	refused 1 "subnet6 fd00:99::/64 overlaps" --mode shared --subnet "$GW/24" \
		--subnet6 fd00:99::/64 --dns-upstream none || return 1
	in_host ip -6 route add fd55::/16 via fd00:99::1 || return 1
	refused 1 "overlaps route fd55::/16" --mode shared --subnet "$GW/24" \
		--subnet6 fd55:1::/64 --dns-upstream none
	rc=$?
	in_host ip -6 route del fd55::/16
	return $rc
}

# The network's record remembers its prefix: a second guest asking for
# another one is refused while the first holds the network.
another_prefix_on_a_used_network_is_refused() {
	local pid rc
	guest_bg a "${MODE[@]}" -- sh -c "echo $ADDR >$tmp/a.addr; $HOLD"
	pid=$bg
	ready a || { stop $pid; return 1; }
	guest 1 --mode shared --subnet "$GW/24" --subnet6 fd42:9::/64 --dns-upstream none -- true
	rc=$?
	touch "$tmp/go"
	wait $pid
	[ $rc = 0 ] && has err "other settings" && has err "subnet6=fd42:9::/64" && leftovers
}

if [ "$(id -u)" != 0 ]; then
	echo "ok   test_ipv6 skipped (not root)"
	echo "1 passed, 0 failed"
	exit 0
fi
setup ns_up
setup ns_ipv6_up

tcase slaac_dhcpv6_gateway_and_nat66 slaac_dhcpv6_gateway_and_nat66
tcase default_prefix_is_the_names_ula default_prefix_is_the_names_ula
tcase isolation_holds_for_ipv6 isolation_holds_for_ipv6
tcase without_isolation_ipv6_passes without_isolation_ipv6_passes
tcase host_mode_has_no_ipv6_egress host_mode_has_no_ipv6_egress
tcase overlapping_prefix_is_refused overlapping_prefix_is_refused
tcase another_prefix_on_a_used_network_is_refused another_prefix_on_a_used_network_is_refused

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
