#!/bin/bash
# SPDX-License-Identifier: MIT
# test_qemu.sh - a real guest: QEMU (TCG) boots Debian's kernel with a
# busybox initramfs (scripts/guest-kit.sh) whose virtio-net device is a
# -netdev stream socket; build/tests/vmm_relay, a VMM's network code on
# libsquibnet, relays it to shared mode (bridge, dnsmasq, NAT) or to
# userspace mode (passt). QEMU and the relay run in the "host" namespace
# of scripts/netns.sh, whose only route leads to "wan": the guest reaches
# nothing else.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
RELAY=$(realpath "$B/tests/vmm_relay")
NS_TAG=tqm$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_qemu
# These tests are passt's: the default helper is passt when the slirp
# helper is not found (not installed, SQN_SLIRP_HELPER unset).
unset SQN_SLIRP_HELPER
. tests/lib.sh
GUEST_DIR=$B/guest
. tests/guest/guest.sh
GUEST_EXEC=(ip netns exec "$NS_HOST")
GW=10.123.0.1
LEASE='10\.123\.0\.[0-9]+/24 router 10\.123\.0\.1 '
relay_pid=
trap 'guest_kill; stop_relay; suite_down' EXIT

stop_relay() {
	[ -z "$relay_pid" ] || stop "$relay_pid"
	relay_pid=
}

# run_guest NAME SCENARIO RELAY_ARGS...: boot the guest on a stream socket
# that QEMU listens on, start the relay on it once it is there, wait for
# the guest to finish and power off, then for the relay to see QEMU go
# and end. Console in $tmp/NAME.console, relay's stderr in
# $tmp/NAME.relay; false (with why) when a step fails.
run_guest() {
	local name=$1 scenario=$2 sock=$tmp/$1.sock rc
	shift 2
	rm -f "$sock" "$tmp/$name.pid"
	guest_boot "$tmp/$name" "$scenario" \
		"stream,id=n0,server=on,addr.type=unix,addr.path=$sock"
	wait_for 600 test -S "$sock" || { why="QEMU made no socket: $(cat "$tmp/$name.err")"; return 1; }
	in_host "$RELAY" --stream "$sock" --pid-file "$tmp/$name.pid" "$@" 2>"$tmp/$name.relay" &
	relay_pid=$!
	wait_for 600 test -s "$tmp/$name.pid" ||
		{ why="the relay did not start: $(cat "$tmp/$name.relay")"; return 1; }
	guest_wait "$tmp/$name" "^sqn-guest: done" ||
		{ why="the guest did not finish in ${GUEST_LIMIT} s: $(tail -3 "$tmp/$name.console" | tr '\n' ' ')"; return 1; }
	guest_end || { why="QEMU ended with status $guest_status: $(cat "$tmp/$name.err")"; return 1; }
	# QEMU's end is the relay's end of link: it closes both attachments.
	wait_for 300 eval "! kill -0 $relay_pid 2>/dev/null" ||
		{ why="the relay still runs after QEMU ended"; return 1; }
	wait "$relay_pid"
	rc=$?
	relay_pid=
	[ $rc = 0 ] || { why="relay exit status $rc: $(cat "$tmp/$name.relay")"; return 1; }
	grep -Eq 'guest->net [1-9][0-9]* frames, net->guest [1-9][0-9]* frames' "$tmp/$name.relay" ||
		{ why="relay counts: $(cat "$tmp/$name.relay")"; return 1; }
}

# console NAME PATTERN: the guest's console has a line matching PATTERN
# (its lines end in CR LF: the tty's ONLCR).
console() {
	tr -d '\r' <"$tmp/$1.console" | grep -Eq -- "$2" && return 0
	why="console lacks \"$2\": $(grep '^sqn-guest' "$tmp/$1.console" | tr '\n' '|')"
	return 1
}

# The lease, a page and the client's address as wan sees it (host's, by
# NAT), then nothing of the network is left.
shared_lease_nat_fetch() {
	run_guest shared "sqn.run=fetch sqn.url=http://$WAN_ADDR/cgi-bin/remote sqn.url=http://$WAN_ADDR/" \
		--mode shared --subnet "$GW/24" --dns-upstream none || return 1
	console shared "^sqn-guest: lease $LEASE" &&
		console shared "^sqn-guest: body: remote=10\.99\.0\.2$" &&
		console shared "^sqn-guest: fetch http://$WAN_ADDR/ sha256=$PAGE_SUM " &&
		console shared "^sqn-guest: done rc=0 " || return 1
	nothing_left "$NS_HOST" "$NS_HOST_INO" || return 1
	[ -z "$(ns_procs "$NS_HOST" vmm_relay)" ] || { why="a relay is left"; return 1; }
}

# passt in host: the guest gets host's address and gateway (passt copies
# them) and reaches wan through passt's sockets; passt is gone afterwards.
userspace_passt_lease_fetch() {
	run_guest passt "sqn.run=fetch sqn.url=http://$WAN_ADDR/cgi-bin/remote sqn.url=http://$WAN_ADDR/" \
		--mode userspace || return 1
	console passt "^sqn-guest: lease 10\.99\.0\.2/24 router $HOST_GW " &&
		console passt "^sqn-guest: body: remote=10\.99\.0\.2$" &&
		console passt "^sqn-guest: fetch http://$WAN_ADDR/ sha256=$PAGE_SUM " &&
		console passt "^sqn-guest: done rc=0 " || return 1
	[ -z "$(ns_procs "$NS_HOST" passt)$(ns_procs "$NS_HOST" passt.avx2)" ] ||
		{ why="passt is left"; return 1; }
}

setup scripts/guest-kit.sh "$B"
setup ns_up
PAGE_SUM=$(sha256sum <"$NS_WWW/index.html" | cut -d' ' -f1)
# So a missing NAT shows as the guest's own address, not as silence.
ip -n "$NS_WAN" route add 10.123.0.0/24 via 10.99.0.2

tcase shared_lease_nat_fetch shared_lease_nat_fetch
tcase userspace_passt_lease_fetch userspace_passt_lease_fetch

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
