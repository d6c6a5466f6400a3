#!/bin/bash
# SPDX-License-Identifier: MIT
# test_host_mode.sh - squib-net guest --mode host: bridge sqn-host, dnsmasq,
# a TAP per guest; made in the "host" namespace of scripts/netns.sh, whose
# "wan" the guests must not reach
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
NS_TAG=thm$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
GW=192.168.106.1
tmp=$(mktemp -d)
SUITE=test_host_mode
. tests/lib.sh
MODE=(--mode host)
LEASE='192\.168\.106\.'
trap suite_down EXIT

# Nothing of host mode left in the namespace: bridge, TAP, dnsmasq, record.
leftovers() {
	nothing_left "$NS_HOST" "$NS_HOST_INO"
}

lease_and_fetch_from_the_host() {
	guest 0 --mode host -- sh -c "echo addr=$ADDR;
		timeout 10 busybox wget -q -O - http://$GW/" &&
		has err "by DHCP" && has out "addr=$LEASE" &&
		has out "hello from the host" && leftovers
}

# Run from its build tree without SQN_LIBEXECDIR, squib-net finds the
# network's keeper in build/libexec by itself.
keeper_found_from_the_build_tree() {
	(unset SQN_LIBEXECDIR; guest 0 --mode host -- sh -c "echo addr=$ADDR") &&
		has err "by DHCP" && has out "addr=$LEASE" && leftovers
}

sigkill_then_the_keeper_cleans_up() {
	local pid
	guest_bg a --mode host -- sh -c "echo $ADDR >$tmp/a.addr; sleep 30"
	pid=$bg
	ready a || { stop $pid; return 1; }
	kill -KILL $pid
	wait $pid 2>/dev/null
	# The network's keeper removes it (15 s at most here).
	wait_for 150 leftovers || return 1
	guest 0 --mode host -- true && has err "by DHCP" || return 1
	leftovers
}

# The guest and the host namespace reach each other both ways; wan, which
# host reaches and which has a route back, does not: host forwards nothing.
guest_and_host_reach_each_other_wan_does_not() {
	local pid rc
	in_host timeout 5 busybox wget -q -O /dev/null "http://$WAN_ADDR/" ||
		{ why="host does not reach wan"; return 1; }
	guest_bg a --mode host -- sh -c "
		timeout 10 busybox wget -q -O - http://$GW/ && echo host-ok;
		ip route replace 10.99.0.0/16 via $GW;
		timeout 3 busybox wget -q -O - http://$WAN_ADDR/ && echo wan-reached;
		echo $ADDR >$tmp/a.addr; $HOLD"
	pid=$bg
	ready a || { stop $pid; return 1; }
	in_host busybox ping -c 1 -w 5 "$(cat "$tmp/a.addr")" >"$tmp/ping" 2>&1
	rc=$?
	touch "$tmp/go"
	wait $pid
	[ $rc = 0 ] || { why="host cannot ping the guest at $(cat "$tmp/a.addr")"; return 1; }
	has a.out host-ok || return 1
	! grep -q wan-reached "$tmp/a.out" || { why="the guest reached wan"; return 1; }
	leftovers
}

# Beyond the host a guest is refused at once, not left to its own timeout
# (20 s here): a TCP reset ("Connection refused"; wan does serve port 80),
# ICMP admin-prohibited for the rest (traceroute's "!A"). The route to wan
# is the guest's own, whatever DHCP hands out.
off_the_network_is_refused_at_once() {
	guest 0 --mode host -- sh -c "ip route replace 10.99.0.0/16 via $GW;
		busybox nc -w 20 $WAN_ADDR 80 </dev/null && echo wan-reached;
		busybox traceroute -n -q 1 -m 1 -w 20 $WAN_ADDR" || return 1
	! grep -q wan-reached "$tmp/out" || { why="the guest reached wan"; return 1; }
	has err "can't connect to remote host ($WAN_ADDR): Connection refused" &&
		has out "^ 1  $GW .* !A\$" && leftovers
}

# The guest's TAP has IPv6 off, and so has a network without it
# (--subnet6 none): from the guest's start through its lease and a few
# pings no IPv6 packet reaches it, where the TAP's own duplicate address
# detection, multicast reports and router solicitations did.
no_ipv6_reaches_the_guest() {
	local pid tap off
	guest_bg a --mode host --subnet6 none -- sh -c "
		tcpdump --immediate-mode -l -n -Q in -i eth0 ip6 >$tmp/a.ip6 2>$tmp/a.dump & t=\$!
		for i in \$(seq 100); do grep -q listening $tmp/a.dump && break; sleep 0.1; done
		busybox ping -c 3 $GW >/dev/null && echo pinged;
		kill \$t; wait \$t; echo $ADDR >$tmp/a.addr; $HOLD"
	pid=$bg
	ready a || { stop $pid; return 1; }
	tap=$(ip -n "$NS_HOST" -o link show master sqn-host | awk -F': ' '{print $2}')
	tap=${tap%%@*}
	# A kernel without IPv6 has no disable_ipv6 (nor IPv6 to send).
	off=1
	[ ! -d /proc/sys/net/ipv6 ] ||
		off=$(in_host cat "/proc/sys/net/ipv6/conf/$tap/disable_ipv6")
	touch "$tmp/go"
	wait $pid
	[ "$off" = 1 ] || { why="TAP '$tap': disable_ipv6 '$off', wanted 1"; return 1; }
	has a.out pinged && has a.dump "listening on eth0" || return 1
	grep -q "^0 packets captured" "$tmp/a.dump" ||
		{ why="IPv6 reached the guest: $(grep IP6 "$tmp/a.ip6" | head -3 | tr '\n' ' ')"; return 1; }
	leftovers
}

needs_cap_net_admin() {
	in_host setpriv --inh-caps=-net_admin --bounding-set=-net_admin \
		"$PROG" guest --mode host -- true >"$tmp/out" 2>"$tmp/err"
	[ $? = 1 ] || { why="setpriv: exit status not 1"; return 1; }
	has err "needs CAP_NET_ADMIN" || return 1
	in_host capsh --drop=cap_net_admin -- -c "$PROG guest --mode host -- true" \
		>"$tmp/out" 2>"$tmp/err"
	has err "needs CAP_NET_ADMIN" && leftovers
}

if [ "$(id -u)" != 0 ]; then
	echo "ok   test_host_mode skipped (not root)"
	echo "1 passed, 0 failed"
	exit 0
fi
setup ns_up
# A way back from wan, so only host's not forwarding keeps guests from it.
ip -n "$NS_WAN" route add 192.168.106.0/24 via 10.99.0.2
mkdir -p "$tmp/www"
echo "hello from the host" >"$tmp/www/index.html"
gateway_httpd

tcase lease_and_fetch_from_the_host lease_and_fetch_from_the_host
tcase isolated_guests_cannot_reach_each_other isolated_guests_cannot_reach_each_other
tcase without_isolation_they_can without_isolation_they_can
tcase keeper_found_from_the_build_tree keeper_found_from_the_build_tree
tcase sigkill_then_the_keeper_cleans_up sigkill_then_the_keeper_cleans_up
tcase guest_and_host_reach_each_other_wan_does_not guest_and_host_reach_each_other_wan_does_not
tcase off_the_network_is_refused_at_once off_the_network_is_refused_at_once
tcase no_ipv6_reaches_the_guest no_ipv6_reaches_the_guest
tcase needs_cap_net_admin needs_cap_net_admin

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
