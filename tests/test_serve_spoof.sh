#!/bin/bash
# SPDX-License-Identifier: MIT
# test_serve_spoof.sh - squib-net serve's anti-spoofing, in the "host"
# namespace of scripts/netns.sh: on network sqn-shared (held, the default)
# a client that sends from another MAC, from another client's address, or
# ARP for another's address is dropped and counted (status' spoof_drops,
# the table's counter) while its victim keeps its replies and the
# gateway's neighbour entry; on network sqn-open (allow-spoofing yes) the
# same frames pass. DHCP works before a lease; a MAC not asked for is the
# first the port sends from; a port's rules go with it, the table with the
# service.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
CLIENT=$(realpath "$B/tests/svc_client")
PEER=$(realpath "$B/tests/stream_peer")
NS_TAG=tsp$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_serve_spoof
. tests/lib.sh
chmod 755 "$tmp"
G=4200 # the socket's group
U=4242 # the clients' uid
SOCK=$tmp/control
GW=10.131.0.1
OGW=10.132.0.1
spid=
declare -A holds
trap 'serve_kill; suite_down' EXIT

cat >"$tmp/serve.conf" <<EOF
[network sqn-shared]
mode shared
subnet $GW/24
dns-upstream none
[network sqn-open]
mode host
subnet $OGW/24
allow-spoofing yes
EOF
printf 'allow uid:%s sqn-shared\nallow uid:%s sqn-open\n' $U $U >"$tmp/acl.conf"

. tests/serve_lib.sh
HAS_IN_TICKS=150
tap_of() { sed -n 's/^tap //p' "$tmp/$1.out" | head -1; }
lease_of() { sed -n 's/^lease //p' "$tmp/$1.out" | head -1; }
mac_of() { sed -n 's/.*"guest_mac":"\([0-9a-f:]*\)".*/\1/p' "$tmp/$1.out" | head -1; }
attach() {
	local mac=
	[ -z "${2:-}" ] || mac=",\"mac\":\"$2\""
	echo "{\"v\":1,\"op\":\"attach\",\"network\":\"$1\",\"label\":\"spoof\"$mac}"
}
go() { touch "$tmp/go-$1"; }

# networks_are N: N dnsmasq and N keepers run.
networks_are() {
	[ "$(ns_procs "$NS_HOST" dnsmasq | wc -l)" = "$1" ] &&
		[ "$(ns_procs "$NS_HOST" sqn-keeper | wc -l)" = "$1" ]
}

# The table, a port's chain, the count of a port's drop counter. A listing
# may fail while the service changes the table: what looks at one waits.
table() { in_host nft list table bridge squib-net-spoof 2>/dev/null; }
# table_has [!] TEXT: the table (listed) has TEXT (or, with !, has not).
table_has() {
	local o
	o=$(table) || return 1
	if [ "$1" = ! ]; then
		! grep -q -- "$2" <<<"$o"
	else
		grep -q -- "$1" <<<"$o"
	fi
}
# set_has TAP MAC: the port's MAC set holds MAC (a raw 48-bit key, or an
# ether_addr as a table of an older layout has it).
set_has() {
	local o
	o=$(in_host nft list set bridge squib-net-spoof "m-$1" 2>/dev/null) || return 1
	grep -q -e "elements = { $(printf '0x%x' "$((16#${2//:/}))") }" -e "elements = { $2 }" <<<"$o"
}
counters_agree() { [ "$(nft_drops "$1")" = "$(drops "$1")" ]; }
chain_has() { in_host nft list chain bridge squib-net-spoof "i-$1" 2>/dev/null | grep -q -- "$2"; }
nft_drops() {
	in_host nft list counter bridge squib-net-spoof "d-$1" 2>/dev/null |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
# drops TAP: status' spoof_drops of the attachment on TAP.
drops() {
	"${AS[@]/UID/$U}" "$PROG" status --json --socket "$SOCK" 2>/dev/null | python3 -c '
import json, sys
for a in json.load(sys.stdin)["attachments"]:
    if a["tap"] == sys.argv[1]:
        print(a["spoof_drops"])' "$1"
}
# status_of TAP FIELD: a field of the attachment on TAP in status.
status_of() {
	"${AS[@]/UID/$U}" "$PROG" status --json --socket "$SOCK" 2>/dev/null | python3 -c '
import json, sys
for a in json.load(sys.stdin)["attachments"]:
    if a["tap"] == sys.argv[1]:
        print(a[sys.argv[2]])' "$1" "$2"
}
# stream_taps: the ports of stream clients, in status.
stream_taps() {
	"${AS[@]/UID/$U}" "$PROG" status --json --socket "$SOCK" 2>/dev/null | python3 -c '
import json, sys
for a in json.load(sys.stdin)["attachments"]:
    if a["kind"] == "stream":
        print(a["tap"])'
}
drops_at_least() { [ "$(drops "$1")" -ge "$2" ] 2>/dev/null; }
# The gateway's ICMP echo requests received (the host namespace's).
echos() { in_host awk '/^Icmp:/ { if (!n) { for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i; n = 1 } else print $c }' /proc/net/snmp; }
echos_above() { [ "$(echos)" -gt "$1" ]; }
neigh_is() { in_host ip neigh show "$1" dev "$2" | grep -q "lladdr $3"; }
fdb_has() { in_host bridge fdb show br "$1" | grep -q "^$2 dev $3"; }

# A checked setting: the file and line named.
config_error_names_file_and_line() {
	printf '[network sqn-shared]\nmode shared\nallow-spoofing maybe\n' >"$tmp/bad.conf"
	in_host "$PROG" serve --config "$tmp/bad.conf" --socket "$SOCK" 2>"$tmp/err"
	[ $? = 1 ] && has err "bad.conf:3: allow-spoofing: yes or no, not maybe"
}

# Two guests of NET: a (its lease; after go-a0 a ping, after go-a 3 more)
# and b (its lease; after go-b ARP saying a's address is its, echo
# requests from a's address, echo requests from another MAC). Sets ta,
# tb, ia, ma, mb.
two_guests() {
	local net=$1
	release_all
	rm -f "$tmp"/go-*
	client_bg a $U --send "$(attach "$net")" --dhcp --wait-file "$tmp/go-a0" \
		--ping 1 --wait-file "$tmp/go-a" --ping 3 --hold
	has_in a "^lease " || return 1
	ta=$(tap_of a) ia=$(lease_of a) ma=$(mac_of a)
	client_bg b $U --send "$(attach "$net")" --dhcp --wait-file "$tmp/go-b" \
		--spoof-arp "$ia" --spoof-ip "$ia" --spoof-mac 02:00:00:5b:00:01 --hold
	has_in b "^lease " || return 1
	tb=$(tap_of b) mb=$(mac_of b)
	return 0
}

# On a held network: DHCP before the lease; then each port held to its
# lease; b's spoofs dropped and counted (9: 3 ARP, 3 from a's address, 3
# from another MAC) by status and by the table's counter; the gateway's
# neighbour entry of a's address stays a's MAC, the other MAC is never
# learned, no echo request of b's reaches the gateway; a gets every reply.
spoofs_are_dropped_and_counted() {
	local e
	two_guests sqn-shared || return 1
	wait_for 100 chain_has "$ta" "ip saddr != $ia" ||
		{ why="port $ta not held to $ia: $(table | tr '\n' ' ')"; return 1; }
	wait_for 100 chain_has "$tb" "ip saddr != $(lease_of b)" ||
		{ why="port $tb not held to its lease"; return 1; }
	go a0
	has_in a "^pong 1/1" && neigh_is "$ia" sqn-shared "$ma" ||
		{ why="${why:-no neighbour entry $ia $ma}"; return 1; }
	e=$(echos)
	go b
	has_in b "^spoofed" || return 1
	wait_for 100 drops_at_least "$tb" 9 ||
		{ why="status: spoof_drops of $tb $(drops "$tb"), wanted 9"; return 1; }
	wait_for 50 counters_agree "$tb" ||
		{ why="counter d-$tb $(nft_drops "$tb"), status $(drops "$tb")"; return 1; }
	neigh_is "$ia" sqn-shared "$ma" ||
		{ why="gateway's entry of $ia: $(in_host ip neigh show "$ia")"; return 1; }
	! fdb_has sqn-shared 02:00:00:5b:00:01 "$tb" || { why="the bridge learned the spoofed MAC"; return 1; }
	[ "$(echos)" = "$e" ] || { why="b's echo requests reached the gateway: $e -> $(echos)"; return 1; }
	go a
	has_in a "^pong 3/3" || return 1
	[ "$(drops "$ta")" = 0 ] || { why="a's port dropped $(drops "$ta")"; return 1; }
	release a
	release b
}

# allow-spoofing yes: the same frames pass: the gateway's entry of a's
# address becomes b's MAC, the bridge learns the other MAC, b's echo
# requests reach the gateway; nothing counted, no rules for the ports.
allowed_spoofs_pass() {
	local e
	two_guests sqn-open || return 1
	go a0
	has_in a "^pong 1/1" || return 1
	e=$(echos)
	go b
	has_in b "^spoofed" || return 1
	wait_for 100 neigh_is "$ia" sqn-open "$mb" ||
		{ why="gateway's entry of $ia: $(in_host ip neigh show "$ia"), not b's $mb"; return 1; }
	wait_for 100 fdb_has sqn-open 02:00:00:5b:00:01 "$tb" || { why="the spoofed MAC was not learned"; return 1; }
	wait_for 100 echos_above $((e + 5)) || { why="gateway echos $e -> $(echos), wanted 6 more"; return 1; }
	[ "$(drops "$tb")" = 0 ] || { why="$tb dropped $(drops "$tb")"; return 1; }
	wait_for 50 table_has ! "$tb" || { why="rules for $tb on an open network"; return 1; }
	release a
	release b
}

# No MAC asked: the port's MAC is the first it sends from (the VMM's, not
# the service's proposal); DHCP works with it, the port is held to it and
# its lease. A MAC asked for: frames from another are dropped (here ARP
# probes, which pass from the port's own MAC).
first_mac_is_the_ports() {
	local tc ic
	release_all
	rm -f "$tmp"/go-*
	client_bg c $U --send "$(attach sqn-shared)" --mac 02:00:00:c0:00:01 --dhcp \
		--wait-file "$tmp/go-c" --spoof-mac 02:00:00:c0:00:02 --hold
	has_in c "^lease " ||
		{ why="$(grep -v reply "$tmp/c.out" | tr '\n' ' '); spoof drops: $(drops "$(tap_of c)"), set: $(in_host nft list set bridge squib-net-spoof "m-$(tap_of c)" | tr '\n' ' ')"; return 1; }
	tc=$(tap_of c) ic=$(lease_of c)
	# Its DHCP was never taken for a spoof.
	[ "$(drops "$tc")" = 0 ] || { why="$tc dropped $(drops "$tc") of its own frames"; return 1; }
	wait_for 50 set_has "$tc" 02:00:00:c0:00:01 ||
		{ why="set m-$tc: $(in_host nft list set bridge squib-net-spoof "m-$tc" | tr '\n' ' ')"; return 1; }
	wait_for 100 chain_has "$tc" "ip saddr != $ic" || { why="$tc not held to $ic"; return 1; }
	go c
	has_in c "^spoofed" || return 1
	wait_for 100 drops_at_least "$tc" 3 || { why="spoof_drops of $tc: $(drops "$tc")"; return 1; }
	release c
	client_bg d $U --send "$(attach sqn-shared 02:00:00:d0:00:01)" --mac 02:00:00:d0:00:09 \
		--spoof-arp 0.0.0.0 --hold
	has_in d "^held" || return 1
	wait_for 100 drops_at_least "$(tap_of d)" 3 || { why="spoof_drops of $(tap_of d): $(drops "$(tap_of d)")"; return 1; }
	release d
}

# DHCP from a port carries the port's MAC as its chaddr: b's DHCPREQUEST
# (broadcast, before any lease check) for another address and its
# DHCPRELEASE (unicast from its own lease) of a's address, both with a's
# MAC, are dropped and counted; a keeps its lease, its rules and its
# replies.
dhcp_for_another_is_dropped() {
	release_all
	rm -f "$tmp"/go-*
	client_bg a $U --send "$(attach sqn-shared)" --dhcp --wait-file "$tmp/go-a" \
		--ping 3 --hold
	has_in a "^lease " || return 1
	ta=$(tap_of a) ia=$(lease_of a) ma=$(mac_of a)
	client_bg b $U --send "$(attach sqn-shared)" --dhcp --wait-file "$tmp/go-b" \
		--forge-request "$ma@${GW%.*}.200" --forge-release "$ma@$ia" --hold
	has_in b "^lease " || return 1
	tb=$(tap_of b)
	wait_for 100 chain_has "$ta" "ip saddr != $ia" || { why="port $ta not held to $ia"; return 1; }
	wait_for 100 chain_has "$tb" "ip saddr != $(lease_of b)" || { why="port $tb not held to its lease"; return 1; }
	go b
	has_in b "^held" || return 1
	wait_for 100 drops_at_least "$tb" 2 ||
		{ why="status: spoof_drops of $tb $(drops "$tb"), wanted 2"; return 1; }
	go a
	has_in a "^pong 3/3" || return 1
	[ "$(status_of "$ta" ip)" = "$ia" ] || { why="a's lease: $(status_of "$ta" ip), not $ia"; return 1; }
	chain_has "$ta" "ip saddr != $ia" || { why="port $ta no longer held to $ia"; return 1; }
	[ "$(drops "$ta")" = 0 ] || { why="a's port dropped $(drops "$ta")"; return 1; }
	release a
	release b
}

# A stream client is held as an fd client is: from its own MAC it gets a
# lease and its ping's replies; from another MAC its frames are dropped
# and counted in status (its port's spoof_drops) while the fd client a
# keeps its replies.
stream_client_is_held() {
	local t
	release_all
	rm -f "$tmp"/go-*
	client_bg a $U --send "$(attach sqn-shared)" --dhcp --wait-file "$tmp/go-a" \
		--ping 3 --hold
	has_in a "^lease " || return 1
	ta=$(tap_of a)
	"${AS[@]/UID/$U}" "$PEER" "$tmp/sqn-shared.sock" --mac 02:00:00:5e:00:01 --dhcp \
		--ping "$GW" --mac 02:00:00:5e:00:02 --ping "$GW" >"$tmp/s.out" 2>&1 &
	holds[s]=$!
	pids+=($!)
	has_in s "^ping-ok $GW" || return 1
	t=$(stream_taps | head -1)
	[ -n "$t" ] || { why="no stream client in status"; return 1; }
	wait_for 100 drops_at_least "$t" 3 ||
		{ why="status: spoof_drops of stream port $t $(drops "$t"), wanted 3"; return 1; }
	! fdb_has sqn-shared 02:00:00:5e:00:02 "$t" || { why="the bridge learned the stream client's other MAC"; return 1; }
	go a
	has_in a "^pong 3/3" || return 1
	[ "$(drops "$ta")" = 0 ] || { why="a's port dropped $(drops "$ta")"; return 1; }
	release s
	release a
}

# Detached, a port's rules go. SIGKILL leaves the table; the next service
# keeps it for the ports it adopts: g's learned MAC stays (a frame from
# another MAC is still dropped, its own still pass, held to its lease
# with no new DHCP), the ports not adopted (e's) are swept. SIGTERM
# leaves nothing.
rules_go_with_ports_and_service() {
	local t tg ig
	release_all
	rm -f "$tmp"/go-*
	client_bg e $U --send "$(attach sqn-shared)" --hold
	has_in e "^held" || return 1
	t=$(tap_of e)
	wait_for 50 table_has "p-$t" || { why="no chain p-$t: $(table | tr '\n' ' ')"; return 1; }
	release e
	wait_for 100 table_has ! "-$t\b" || { why="rules of $t left: $(table | grep -- "$t" | tr '\n' ' ')"; return 1; }
	client_bg g $U --send "$(attach sqn-shared)" --mac 02:00:00:9a:00:01 --dhcp --ping 1 \
		--wait-file "$tmp/go-g" --ping 2 --spoof-mac 02:00:00:9a:00:09 --hold
	has_in g "^pong 1/1" || return 1
	tg=$(tap_of g) ig=$(lease_of g)
	wait_for 50 set_has "$tg" 02:00:00:9a:00:01 || { why="set m-$tg: $(in_host nft list set bridge squib-net-spoof "m-$tg" | tr '\n' ' ')"; return 1; }
	# A port the old service had and the new one does not adopt.
	in_host nft add chain bridge squib-net-spoof p-gone &&
		in_host nft add element bridge squib-net-spoof ports '{ "gone" : goto p-gone }' ||
		{ why="could not add port gone"; return 1; }
	kill -KILL "$spid"
	wait "$spid" 2>/dev/null
	spid=
	[ -n "$(table)" ] || { why="no table after SIGKILL (the case tests nothing)"; return 1; }
	serve_start || return 1
	wait_for 100 networks_are 2 || { why="dnsmasq: $(ns_procs "$NS_HOST" dnsmasq | tr '\n' ' ')"; return 1; }
	wait_for 50 table_has ! "p-gone" || { why="port gone not swept"; return 1; }
	chain_has "$tg" "ip saddr != $ig" || { why="adopted $tg not held to $ig: $(table | grep -- "$tg" | tr '\n' ' ')"; return 1; }
	go g
	has_in g "^pong 2/2" && has_in g "^spoofed" || return 1
	wait_for 100 drops_at_least "$tg" 3 || { why="spoof_drops of $tg after the restart: $(drops "$tg")"; return 1; }
	set_has "$tg" 02:00:00:9a:00:01 || { why="learned MAC lost: $(in_host nft list set bridge squib-net-spoof "m-$tg" | tr '\n' ' ')"; return 1; }
	! fdb_has sqn-shared 02:00:00:9a:00:09 "$tg" || { why="the bridge learned the other MAC"; return 1; }
	release g
	client_bg f $U --send "$(attach sqn-shared)" --dhcp --hold
	has_in f "^lease " || return 1
	release f
	serve_kill
	leftovers
}

setup ns_up
tcase config_error_names_file_and_line config_error_names_file_and_line
setup serve_start
tcase spoofs_are_dropped_and_counted spoofs_are_dropped_and_counted
tcase allowed_spoofs_pass allowed_spoofs_pass
tcase first_mac_is_the_ports first_mac_is_the_ports
tcase dhcp_for_another_is_dropped dhcp_for_another_is_dropped
tcase stream_client_is_held stream_client_is_held
tcase rules_go_with_ports_and_service rules_go_with_ports_and_service

[ "$failed" = 0 ] || tail -40 "$tmp/log" | sed 's/^/    log: /'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
