#!/bin/bash
# SPDX-License-Identifier: MIT
# test_names.sh - guest names: the hostname a guest sends by DHCP is
# NAME.<network> in the network's DNS (dnsmasq --domain/--local), found
# from another guest (isolation off) and from the host namespace through
# the network's DNS server; the domain is the guests' search domain.
# Made in the "host" namespace of scripts/netns.sh; dnsmasq never forwards
# a query (--dns-upstream none).
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
NS_TAG=tnm$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_names
. tests/lib.sh
GW=10.125.0.1
NET=sqn-names
MODE=(--mode shared --network "$NET" --subnet "$GW/24" --dns-upstream none)
trap suite_down EXIT
leftovers() { nothing_left "$NS_HOST" "$NS_HOST_INO"; }

# In a guest's command: ask for the lease again, sending hostname $1
# (busybox udhcpc -x hostname:NAME; the same MAC gets the same address).
named() {
	echo "busybox udhcpc -i eth0 -q -n -t 5 -T 1 -A 1 -x hostname:$1 -s /bin/true >/dev/null 2>&1"
}

# Guest a calls itself web; guest b finds web.$NET, and web alone through
# its search domain, at a's address; so does the host namespace at the
# gateway. A name nobody took is not found.
hostname_resolves_from_a_guest_and_the_host() {
	local pid rc a
	guest_bg a "${MODE[@]}" --disable-isolation -- sh -c "$(named web) &&
		echo $ADDR >$tmp/a.addr; $HOLD"
	pid=$bg
	ready a || { stop $pid; return 1; }
	a=$(cat "$tmp/a.addr")
	guest 0 "${MODE[@]}" --disable-isolation -- sh -c "
		grep search /etc/resolv.conf;
		busybox nslookup web.$NET $GW | sed 's/^/fqdn: /';
		busybox nslookup web | sed 's/^/short: /';
		busybox nslookup nobody.$NET $GW | sed 's/^/nobody: /';
		busybox ping -c 1 -w 5 web.$NET >/dev/null && echo ping-ok;
		true"
	rc=$?
	in_host busybox nslookup "web.$NET" "$GW" >"$tmp/host" 2>&1
	touch "$tmp/go"
	wait $pid
	[ $rc = 0 ] || { why="guest b: exit status $rc"; return 1; }
	has out "search $NET" && has out "^fqdn: Address.*$a" &&
		has out "^short: Address.*$a" && has out ping-ok &&
		has host "Address.*$a" && has out "^nobody: .*can't find nobody.$NET" &&
		leftovers
}

setup ns_up

tcase hostname_resolves_from_a_guest_and_the_host hostname_resolves_from_a_guest_and_the_host

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
