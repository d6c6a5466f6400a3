#!/bin/bash
# SPDX-License-Identifier: MIT
# test_host_mode.sh - squib-net guest --mode host: bridge sqn-host, dnsmasq,
# a TAP per guest; all inside a network namespace of the test's own
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
NS=sqnhm$$
GW=192.168.106.1
pids=()
tmp=$(mktemp -d)
SUITE=test_host_mode
. tests/lib.sh
down() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	# A dnsmasq that a failed test left, known by its namespace.
	for p in $(pgrep -x dnsmasq); do
		[ "$(ip netns identify "$p" 2>/dev/null)" = "$NS" ] && kill "$p"
	done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap down EXIT

in_ns() {
	ip netns exec "$NS" "$@"
}
# guest STATUS ARGS...: squib-net guest --mode host in the namespace
guest() {
	local want=$1 got
	shift
	in_ns timeout 60 "$PROG" guest --mode host "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] && return 0
	why="exit status $got, wanted $want"
	return 1
}
ns_dnsmasq() {
	local p
	for p in $(pgrep -x dnsmasq); do
		[ "$(ip netns identify "$p" 2>/dev/null)" = "$NS" ] && echo "$p"
	done
}
# Nothing of host mode left in the namespace: bridge, TAP, dnsmasq, record.
leftovers() {
	in_ns ip -o link show | grep -q -e sqn-host -e ": sqn" &&
		{ why="links left: $(in_ns ip -o link show | cut -d: -f2 | tr '\n' ' ')"; return 1; }
	[ -z "$(ns_dnsmasq)" ] || { why="dnsmasq left: $(ns_dnsmasq)"; return 1; }
	[ ! -e "/run/squib-net/net-$NS_INO" ] ||
		{ why="left in /run/squib-net/net-$NS_INO: $(ls -R "/run/squib-net/net-$NS_INO")"; return 1; }
	return 0
}
# The guest's address on eth0, from inside.
ADDR='$(ip -4 -o addr show eth0 | awk "{print \$4}" | cut -d/ -f1)'

lease_and_fetch_from_the_host() {
	guest 0 -- sh -c "echo addr=$ADDR;
		timeout 10 busybox wget -q -O - http://$GW/" &&
		has err "by DHCP" && has out "addr=192.168.106." &&
		has out "hello from the host" && leftovers
}

# two_guests FLAGS: a guest pings another that runs at the same time.
two_guests() {
	local pid i
	rm -f "$tmp/a.addr"
	ip netns exec "$NS" "$PROG" guest --mode host "$@" -- sh -c \
		"echo $ADDR >$tmp/a.addr; sleep 20" >"$tmp/a.out" 2>"$tmp/a.err" &
	pid=$!
	pids+=($pid)
	for i in $(seq 100); do
		[ -s "$tmp/a.addr" ] && break
		sleep 0.1
	done
	[ -s "$tmp/a.addr" ] || { why="first guest got no address"; kill $pid; return 1; }
	guest 0 "$@" -- sh -c "echo addr=$ADDR;
		busybox ping -c 1 -W 2 $GW >/dev/null && echo gw-ok;
		busybox ping -c 2 -W 2 $(cat "$tmp/a.addr") >/dev/null && echo peer-ok;
		true"
	kill $pid
	wait $pid 2>/dev/null
	has out "addr=192.168.106." && has out gw-ok
}

isolated_guests_cannot_reach_each_other() {
	two_guests && ! grep -q peer-ok "$tmp/out" || { why="${why:-the guests reached each other}"; return 1; }
	leftovers
}

without_isolation_they_can() {
	two_guests --disable-isolation && has out peer-ok && leftovers
}

sigkill_then_next_run_cleans_up() {
	local pid i tap
	ip netns exec "$NS" "$PROG" guest --mode host -- sleep 30 >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	pids+=($pid)
	for i in $(seq 100); do
		grep -q "by DHCP" "$tmp/err" && break
		sleep 0.1
	done
	has err "by DHCP" || { kill $pid; return 1; }
	kill -KILL $pid
	wait $pid 2>/dev/null
	tap=$(ls "/run/squib-net/net-$NS_INO/host/" | sed -n 's/^att\.[0-9]*\.//p')
	[ -n "$(ns_dnsmasq)" ] || { why="dnsmasq ended with squib-net (expected to stay)"; return 1; }
	[ -n "$tap" ] || { why="no entry of the killed run"; return 1; }
	guest 0 -- true && has err "by DHCP" || return 1
	leftovers
}

needs_cap_net_admin() {
	in_ns setpriv --inh-caps=-net_admin --bounding-set=-net_admin \
		"$PROG" guest --mode host -- true >"$tmp/out" 2>"$tmp/err"
	[ $? = 1 ] || { why="setpriv: exit status not 1"; return 1; }
	has err "needs CAP_NET_ADMIN" || return 1
	in_ns capsh --drop=cap_net_admin -- -c "$PROG guest --mode host -- true" \
		>"$tmp/out" 2>"$tmp/err"
	has err "needs CAP_NET_ADMIN" && leftovers
}

shared_is_not_built() {
	in_ns timeout 10 "$PROG" guest --mode shared -- true >"$tmp/out" 2>"$tmp/err"
	[ $? = 1 ] && has err "not built yet" && leftovers
}

if [ "$(id -u)" != 0 ]; then
	echo "ok   test_host_mode skipped (not root)"
	echo "1 passed, 0 failed"
	exit 0
fi
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
NS_INO=$(in_ns stat -L -c %i /proc/self/ns/net)
mkdir -p "$tmp/www"
echo "hello from the host" >"$tmp/www/index.html"
# The server starts before sqn-host has its address.
in_ns sysctl -qw net.ipv4.ip_nonlocal_bind=1
ip netns exec "$NS" busybox httpd -f -p "$GW:80" -h "$tmp/www" >/dev/null 2>&1 &
pids+=($!)

tcase lease_and_fetch_from_the_host lease_and_fetch_from_the_host
tcase isolated_guests_cannot_reach_each_other isolated_guests_cannot_reach_each_other
tcase without_isolation_they_can without_isolation_they_can
tcase sigkill_then_next_run_cleans_up sigkill_then_next_run_cleans_up
tcase needs_cap_net_admin needs_cap_net_admin
tcase shared_is_not_built shared_is_not_built

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
