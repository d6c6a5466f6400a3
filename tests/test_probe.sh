#!/bin/bash
# SPDX-License-Identifier: MIT
# test_probe.sh - squib-net probe: sqn_info printed, a DHCP discover sent
# and the network's offer printed; host mode in the "host" namespace of
# scripts/netns.sh (the Linux side of what macOS checks against vmnet)
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
NS_TAG=tpr$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_probe
. tests/lib.sh
trap suite_down EXIT

# probe STATUS ARGS...: squib-net probe ARGS in the host namespace.
probe() {
	local want=$1 got
	shift
	ip netns exec "$NS_HOST" timeout 60 "$PROG" probe "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] && return 0
	why="exit status $got, wanted $want"
	return 1
}

host_mode_gets_an_offer_from_its_network() {
	probe 0 --mode host &&
		has out "mode:      host" && has out "gateway:   192.168.106.1" &&
		has out "sent:      DHCP discover" &&
		grep -q "^offer:     192\.168\.106\.[0-9]*$" "$tmp/out" &&
		has out "server:    192.168.106.1" &&
		has out "netmask:   255.255.255.0" &&
		nothing_left "$NS_HOST" "$NS_HOST_INO"
}

# Loopback sends the discover back: a request, not an offer.
loopback_has_no_dhcp_server() {
	probe 1 --mode loopback --timeout-ms 300 &&
		has out "mode:      loopback" && has out "sent:      DHCP discover" &&
		has err "no DHCP offer within 300 ms" && ! has out "offer:"
}

bad_arguments_are_usage_errors() {
	probe 2 --mode frob && has err "unknown mode frob" &&
		probe 2 --timeout-ms 0 && has err "not a positive number" &&
		probe 0 --help && has out "usage: squib-net probe"
}

setup ns_up
tcase host_mode_gets_an_offer_from_its_network host_mode_gets_an_offer_from_its_network
tcase loopback_has_no_dhcp_server loopback_has_no_dhcp_server
tcase bad_arguments_are_usage_errors bad_arguments_are_usage_errors
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
