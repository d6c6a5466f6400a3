#!/bin/bash
# SPDX-License-Identifier: MIT
# test_vxlan_evpn.sh - one network across two hosts with BGP EVPN (FRR) as
# its control plane: hosts h1 (the gateway: scripts/netns.sh's "host", with
# "wan" behind it) and h2 (a member) are namespaces joined by an underlay
# namespace; in each the test runs FRR's zebra and bgpd (Debian's frr,
# pathspace -N of the test's own) and squib-net serve with vxlan-control
# evpn. A member guest gets its lease from h1's dnsmasq (none runs on h2),
# reaches the guest on h1 and the gateway, and wan through h1's NAT; the
# VXLAN FDB of both hosts is FRR's (extern_learn MACs, the remote VTEP's
# all-zeros entry), nothing learned; a member whose FRR is not there is
# down with the reason, and comes up on SIGHUP once FRR runs; SIGHUP gives
# FRR a changed bgp-neighbors; the service's part of FRR's configuration
# goes with the service.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
NS_TAG=tve$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_vxlan_evpn
. tests/lib.sh
# FRR's daemons run as user frr: they write their pid files in $tmp/fN.
chmod 755 "$tmp"
H1=$NS_HOST
H2=$NS_TAG-h2
UL=$NS_TAG-ul
U1=10.98.0.1 # the hosts' underlay addresses
U2=10.98.0.2
VNI=4242
VX=sqnvx$VNI
NET=sqn-evpn
GW=10.123.0.1
LEASE='10\.123\.0\.'
ASN=65042
# FRR's pathspaces: vtysh -N finds the daemons in /var/run/frr/NAME.
PS1=$NS_TAG-h1
PS2=$NS_TAG-h2
FRR=/usr/lib/frr
declare -A spids
# In a guest's command: its eth0's MAC (its /sys is the host's).
MAC="ip -o link show eth0 | grep -o 'ether [0-9a-f:]*' | cut -d' ' -f2"
trap 'serve_stop 1; serve_stop 2; frr_down 1; frr_down 2; ip netns del "$H2" 2>/dev/null;
	ip netns del "$UL" 2>/dev/null; suite_down' EXIT

# The underlay: a bridge in $UL, a veth to each host, MTU 1500.
underlay_up() {
	ip netns add "$UL" && ip netns add "$H2" || return 1
	ip -n "$UL" link set lo up
	ip -n "$H2" link set lo up
	ip -n "$UL" link add ub type bridge || return 1
	ip -n "$UL" link set ub up
	ip -n "$H1" link add "$NS_LINK-u" type veth peer name u1 netns "$UL" || return 1
	ip -n "$H2" link add "$NS_LINK-u" type veth peer name u2 netns "$UL" || return 1
	ip -n "$UL" link set u1 master ub up
	ip -n "$UL" link set u2 master ub up
	ip -n "$H1" addr add "$U1/24" dev "$NS_LINK-u"
	ip -n "$H2" addr add "$U2/24" dev "$NS_LINK-u"
	ip -n "$H1" link set "$NS_LINK-u" up
	ip -n "$H2" link set "$NS_LINK-u" up
	ip netns exec "$H1" busybox ping -c 1 -w 5 "$U2" >/dev/null ||
		{ why="the underlay does not carry"; return 1; }
}

ns_of() { [ "$1" = 1 ] && echo "$H1" || echo "$H2"; }
ps_of() { [ "$1" = 1 ] && echo "$PS1" || echo "$PS2"; }
vtysh_on() { vtysh -N "$(ps_of "$1")" "${@:2}" 2>/dev/null; }

# frr_up N: zebra and bgpd in host N, pathspace $PSN, pid files and logs
# in $tmp/fN, vty sockets in /var/run/frr/$PSN (-N puts them there; no TCP
# vty: -P 0).
frr_up() {
	local d=$tmp/f$1 ps ns p
	ps=$(ps_of "$1")
	ns=$(ns_of "$1")
	[ ! -e "/var/run/frr/$ps" ] || { why="/var/run/frr/$ps is there already"; return 1; }
	mkdir -p "$d"
	chown frr:frr "$d"
	for p in zebra bgpd; do
		ip netns exec "$ns" "$FRR/$p" -N "$ps" -d -i "$d/$p.pid" -f /dev/null -P 0 \
			--log "file:$d/$p.log" >>"$tmp/f$1.start" 2>&1 ||
			{ why="$p did not start: $(tail -2 "$tmp/f$1.start" | tr '\n' ' ')"; return 1; }
	done
	wait_for 100 test -S "/var/run/frr/$ps/bgpd.vty" || { why="no bgpd.vty in /var/run/frr/$ps"; return 1; }
}
# frr_down N: its daemons end (by their pid files), and their directory.
frr_down() {
	local d=$tmp/f$1 p pid
	for p in bgpd zebra; do
		pid=$(cat "$d/$p.pid" 2>/dev/null) || continue
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$p" ] || continue
		kill "$pid"
		wait_for 100 test ! -e "/proc/$pid" || kill -KILL "$pid"
		rm -f "$d/$p.pid"
	done
	[ ! -d "$d" ] || rm -rf "/var/run/frr/$(ps_of "$1")"
}

# serve_conf N ROLE: host N's serve.conf, the other host its neighbour.
serve_conf() {
	local me=$U1 peer=$U2 ps=$PS1 extra="dns-upstream none"
	[ "$1" = 1 ] || { me=$U2 peer=$U1 ps=$PS2 extra=; }
	mkdir -p "$tmp/h$1"
	cat >"$tmp/h$1/serve.conf" <<-EOF
		bgp-asn $ASN
		bgp-neighbors $peer
		frr-pathspace $ps
		[network $NET]
		mode shared
		subnet $GW/24
		isolation off
		$extra
		vxlan-vni $VNI
		vxlan-role $2
		vxlan-local $me
		vxlan-control evpn
	EOF
	echo "allow uid:4999 all" >"$tmp/h$1/acl.conf"
}
# serve_start N: host N's service, log in $tmp/hN/log, ready (which it is
# with its network down, too).
serve_start() {
	: >"$tmp/h$1/log"
	ip netns exec "$(ns_of "$1")" "$PROG" -v serve --config "$tmp/h$1/serve.conf" \
		--socket "$tmp/h$1/control" --acl "$tmp/h$1/acl.conf" >>"$tmp/h$1/log" 2>&1 &
	spids[$1]=$!
	wait_for 300 grep -q "ready:" "$tmp/h$1/log" && return 0
	why="service $1 is not ready: $(tail -3 "$tmp/h$1/log" | tr '\n' ' ')"
	return 1
}
serve_stop() {
	[ -n "${spids[$1]:-}" ] || return 0
	kill -TERM "${spids[$1]}" 2>/dev/null
	wait "${spids[$1]}" 2>/dev/null
	spids[$1]=
}
# status N [--json]: squib-net status of host N's service in $tmp/status.
status() {
	ip netns exec "$(ns_of "$1")" env SQN_SERVICE="$tmp/h$1/control" "$PROG" status "${@:2}" \
		>"$tmp/status" 2>&1
}
net_up() { status "$1" && ! grep -q "down:" "$tmp/status" && grep -q "^$NET " "$tmp/status"; }
# fdb N: host N's FDB entries of the VXLAN device in $tmp/fdbN.
fdb() { ip netns exec "$(ns_of "$1")" bridge fdb show dev "$VX" >"$tmp/fdb$1"; }
# flood_to N ADDR: host N floods to the VTEP ADDR (the all-zeros entry).
flood_to() { fdb "$1" && grep -q "^00:00:00:00:00:00 dst $2 self permanent" "$tmp/fdb$1"; }

setup ns_up
setup underlay_up
setup frr_up 1
serve_conf 1 gateway
serve_conf 2 member
setup serve_start 1

# h2's FRR is not there yet: its network is down, and says why and what
# to do; on SIGHUP, with FRR started meanwhile, it comes up.
frr_missing_then_sighup() {
	serve_start 2 || return 1
	status 2
	grep -q "down: .*FRR is not running (vtysh -N $PS2" "$tmp/status" ||
		{ why="status of h2 without FRR: $(tr '\n' ' ' <"$tmp/status")"; return 1; }
	frr_up 2 || return 1
	kill -HUP "${spids[2]}"
	wait_for 200 net_up 2 || { why="h2's network is not up after SIGHUP: $(tr '\n' ' ' <"$tmp/status")"; return 1; }
	# The service gave FRR its part: the neighbour, EVPN for all VNIs.
	vtysh_on 2 -c "show running-config" >"$tmp/run2"
	grep -q "^router bgp $ASN" "$tmp/run2" && grep -q "neighbor $U1 remote-as $ASN" "$tmp/run2" &&
		grep -q "advertise-all-vni" "$tmp/run2" ||
		{ why="FRR's configuration on h2: $(tr '\n' ' ' <"$tmp/run2")"; return 1; }
	# The session comes up, and each host floods to the other's VTEP.
	wait_for 300 flood_to 2 "$U1" && wait_for 100 flood_to 1 "$U2" ||
		{ why="no flood entries from FRR: h1: $(tr '\n' ' ' <"$tmp/fdb1") h2: $(tr '\n' ' ' <"$tmp/fdb2")"; return 1; }
	# Status names the remote VTEP FRR installed as the network's peer.
	status 2 --json
	grep -q '"control":"evpn"' "$tmp/status" && grep -q "\"peers\":\[\"$U1\"\]" "$tmp/status" ||
		{ why="status --json of h2: $(cat "$tmp/status")"; return 1; }
}

# The FDB of host N is FRR's: MACs of guests across (extern_learn, with
# the remote VTEP as dst), the flood entry, the device's own address; no
# entry learned from traffic. $1 the host, $2 the other's VTEP, $3 a MAC
# of a guest there.
fdb_is_frrs() {
	fdb "$1" || { why="no FDB of $VX on h$1"; return 1; }
	grep -q "^$3 dst $2 self extern_learn" "$tmp/fdb$1" ||
		{ why="h$1: no extern_learn entry of $3 to $2: $(tr '\n' ' ' <"$tmp/fdb$1")"; return 1; }
	grep -q "^$3 .*extern_learn master $NET" "$tmp/fdb$1" ||
		{ why="h$1: the bridge has no extern_learn entry of $3: $(tr '\n' ' ' <"$tmp/fdb$1")"; return 1; }
	grep -v -e extern_learn -e permanent "$tmp/fdb$1" >"$tmp/learned$1"
	[ ! -s "$tmp/learned$1" ] || { why="h$1: learned entries: $(tr '\n' ' ' <"$tmp/learned$1")"; return 1; }
}

# A guest on h1 holds on; one on h2 gets a lease from h1's dnsmasq, pings
# the gateway and the guest on h1, and fetches from wan through h1's NAT.
member_guest_across() {
	local pa pb rc mac_a mac_b
	rm -f "$tmp/go" "$tmp/a.addr" "$tmp/b.addr"
	GUEST_NS=$H1 guest_bg a --mode stream --peer "$tmp/h1/$NET.sock" -- sh -c "
		$MAC >$tmp/a.mac; echo $ADDR >$tmp/a.addr; $HOLD"
	pa=$bg
	ready a || { stop $pa; return 1; }
	GUEST_NS=$H2 guest_bg b --mode stream --peer "$tmp/h2/$NET.sock" -- sh -c "
		echo addr=$ADDR; $MAC >$tmp/b.mac
		busybox ping -c 1 -w 5 $GW >/dev/null && echo gw-ok
		busybox ping -c 1 -w 5 $(cat "$tmp/a.addr") >/dev/null && echo peer-ok
		curl -s -m 5 http://$WAN_ADDR/cgi-bin/remote || echo wan-failed
		echo $ADDR >$tmp/b.addr; $HOLD"
	pb=$bg
	ready b || { touch "$tmp/go"; stop $pa; stop $pb; why="$why: $(tr '\n' ' ' <"$tmp/b.err")"; return 1; }
	mac_a=$(cat "$tmp/a.mac")
	mac_b=$(cat "$tmp/b.mac")
	fdb_is_frrs 2 "$U1" "$mac_a" && fdb_is_frrs 1 "$U2" "$mac_b"
	rc=$?
	# h2 runs no dnsmasq; h1's gave b its lease.
	[ $rc != 0 ] || [ -z "$(ns_procs "$H2" dnsmasq)" ] || { why="a dnsmasq runs on h2"; rc=1; }
	[ $rc != 0 ] || grep -rqs "$mac_b" "/run/squib-net/net-$NS_HOST_INO" ||
		{ why="h1's dnsmasq has no lease of $mac_b"; rc=1; }
	touch "$tmp/go"
	wait $pa
	wait $pb
	[ $rc = 0 ] || return 1
	grep -q "^addr=$LEASE" "$tmp/b.out" && grep -q gw-ok "$tmp/b.out" &&
		grep -q peer-ok "$tmp/b.out" && grep -q "remote=10.99.0.2" "$tmp/b.out" ||
		{ why="guest b: $(tr '\n' ' ' <"$tmp/b.out") $(tr '\n' ' ' <"$tmp/b.err")"; return 1; }
}

# SIGHUP with bgp-neighbors changed: FRR gets exactly the new list (one
# added, then taken out again), and the session that stays is not reset.
sighup_changes_neighbours() {
	local extra=10.98.0.9 before
	before=$(sessions 2 "$U1")
	[ -n "$before" ] || { why="no session with $U1: $(vtysh_on 2 -c "show bgp neighbors $U1")"; return 1; }
	sed -i "s/^bgp-neighbors .*/bgp-neighbors $U1,$extra/" "$tmp/h2/serve.conf"
	kill -HUP "${spids[2]}"
	wait_for 100 nb_is 2 "$U1 $extra" || { why="h2 after adding $extra: $why"; return 1; }
	sed -i "s/^bgp-neighbors .*/bgp-neighbors $U1/" "$tmp/h2/serve.conf"
	kill -HUP "${spids[2]}"
	wait_for 100 nb_is 2 "$U1" || { why="h2 after taking $extra out: $why"; return 1; }
	[ "$(sessions 2 "$U1")" = "$before" ] ||
		{ why="the session with $U1 was made anew: $(vtysh_on 2 -c "show bgp neighbors $U1" | grep -i -e state -e established)"; return 1; }
	flood_to 2 "$U1" || { why="h2 no longer floods to $U1"; return 1; }
}
# sessions N ADDR: how many times host N's BGP session with ADDR was
# established; empty when it is not now.
sessions() {
	vtysh_on "$1" -c "show bgp neighbors $2 json" >"$tmp/nbj"
	grep -q '"bgpState":"Established"' "$tmp/nbj" &&
		grep -o '"connectionsEstablished":[0-9]*' "$tmp/nbj" | cut -d: -f2
}
# A second service started on h2's socket ends at once, and leaves the
# running one's part of FRR alone.
second_service_leaves_frr_alone() {
	ip netns exec "$H2" timeout 60 "$PROG" -v serve --config "$tmp/h2/serve.conf" \
		--socket "$tmp/h2/control" --acl "$tmp/h2/acl.conf" >"$tmp/second.log" 2>&1 &&
		{ why="a second service ran: $(tail -2 "$tmp/second.log" | tr '\n' ' ')"; return 1; }
	nb_is 2 "$U1" || { why="after a second service: $why"; return 1; }
	[ -e "/run/squib-net/frr-$PS2.conf" ] || { why="the second service took /run/squib-net/frr-$PS2.conf"; return 1; }
	net_up 2 || { why="h2's network: $(tr '\n' ' ' <"$tmp/status")"; return 1; }
}
# nb_is N "A B...": FRR's neighbours on host N are those, in that order.
nb_is() {
	local got
	got=$(vtysh_on "$1" -c "show running-config" | awk '$1 == "neighbor" && $3 == "remote-as" {printf "%s%s", s, $2; s = " "}')
	[ "$got" = "$2" ] && return 0
	why="neighbours: $got"
	return 1
}

# The services end: their part of FRR's configuration goes with them, and
# everything else of theirs.
services_end_and_their_frr_part_goes() {
	local n
	serve_stop 2
	serve_stop 1
	for n in 1 2; do
		vtysh_on "$n" -c "show running-config" >"$tmp/run$n"
		grep -q "router bgp" "$tmp/run$n" && { why="h$n: FRR keeps $(grep "router bgp" "$tmp/run$n")"; return 1; }
		[ ! -e "/run/squib-net/frr-$(ps_of "$n").conf" ] || { why="/run/squib-net/frr-$(ps_of "$n").conf left"; return 1; }
		nothing_left "$(ns_of "$n")" "$(stat -L -c %i "/run/netns/$(ns_of "$n")")" || { why="h$n: $why"; return 1; }
	done
}

tcase frr_missing_then_sighup frr_missing_then_sighup
tcase member_guest_across member_guest_across
tcase sighup_changes_neighbours sighup_changes_neighbours
tcase second_service_leaves_frr_alone second_service_leaves_frr_alone
tcase services_end_and_their_frr_part_goes services_end_and_their_frr_part_goes
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
