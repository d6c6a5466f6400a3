#!/bin/bash
# SPDX-License-Identifier: MIT
# test_serve_stream.sh - squib-net serve's stream and datagram clients, in
# the "host" namespace of scripts/netns.sh: each network's stream socket
# beside the control socket (its group and mode, the ACL checked at
# accept); stream clients (squib-net guest --mode stream, a namespace with
# a real network stack behind the QEMU framing) and an fd client (the
# library through the service, tests/vmm_relay) on one network reach the
# gateway, and each other only with isolation off; a datagram client
# (tests/svc_client, kind dgram) that sends vfkit's VFKT first gets a
# lease; hostile stream peers (tests/stream_peer) are closed or held back
# alone while the others are served; status shows kinds, ports and relay
# counters; 100 connect/disconnect cycles leave fds, RSS and TAPs flat.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
CLIENT=$(realpath "$B/tests/svc_client")
PEER=$(realpath "$B/tests/stream_peer")
RELAY=$(realpath "$B/tests/vmm_relay")
NS_TAG=tss$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_serve_stream
. tests/lib.sh
G=4220 # the socket's group
U=4262 # allowed everywhere, in the group
D=4363 # in the group, denied
O=4464 # not in the group
SOCK=$tmp/control
GW=10.123.0.1
LEASE='10\.123\.0\.'
STREAM=$tmp/sqn-shared.sock
OPEN=$tmp/sqn-open.sock
spid=
relays=()
# The unprivileged users reach the sockets through $tmp, and write in $tmp/u.
chmod 755 "$tmp"
mkdir "$tmp/u"
chown "$U:$U" "$tmp/u"
trap 'stop_relays; serve_kill; suite_down' EXIT

cat >"$tmp/serve.conf" <<EOF
[network sqn-shared]
mode shared
subnet $GW/24
dns-upstream none
# Guests that may reach each other.
[network sqn-open]
mode host
subnet 10.124.0.1/24
isolation off
EOF
cat >"$tmp/acl.conf" <<EOF
allow uid:$U all
deny uid:$D all
EOF

declare -A holds
. tests/serve_lib.sh
HAS_IN_TICKS=300
# as UID CMD...: CMD in host as UID, the socket's group a supplementary
# one, no capabilities, the service in SQN_SERVICE. as_cmd UID: those
# words, for a command started in the background ($! its own pid).
as_cmd() {
	cmd=(ip netns exec "$NS_HOST" setpriv --reuid "$1" --regid "$1" --groups "$G"
		--inh-caps=-all env SQN_SERVICE="$SOCK")
}
as() {
	local cmd
	as_cmd "$1"
	shift
	"${cmd[@]}" "$@"
}
# peer NAME UID STEP...: stream_peer as UID on the shared network's stream
# socket, output in $tmp/NAME.out.
peer() {
	local name=$1
	as "$2" "$PEER" "$STREAM" "${@:3}" >"$tmp/$name.out" 2>&1
}
# peer_bg NAME UID STEP...: the same in the background, its pid in $bg.
peer_bg() {
	local name=$1 cmd
	as_cmd "$2"
	"${cmd[@]}" "$PEER" "$STREAM" "${@:3}" >"$tmp/$name.out" 2>&1 &
	bg=$!
	pids+=($bg)
}
stop_relays() {
	local p
	for p in "${relays[@]}"; do
		stop "$p"
	done
	relays=()
}
# serving: the service runs and answers status.
serving() {
	kill -0 "$spid" 2>/dev/null || { why="the service ended: $(tail -3 "$tmp/log" | tr '\n' ' ')"; return 1; }
	as "$U" "$PROG" status >"$tmp/status" 2>&1 && grep -q '^sqn-shared ' "$tmp/status" ||
		{ why="status: $(tr '\n' ' ' <"$tmp/status")"; return 1; }
}
status_json() { as "$U" "$PROG" status --json >"$tmp/json" 2>&1; }
taps() { in_host ip -o link show | awk -F': ' '$2 ~ /^sqn-t/ {print $2}' | sort | tr '\n' ' '; }
no_taps() { [ -z "$(taps)" ]; }
ntaps() { taps | wc -w; }
taps_are() { [ "$(ntaps)" = "$1" ]; }

# relay_up NAME ARGS...: an fd client: vmm_relay as $U (the library gets
# its TAP's fd from the service) listening on $tmp/u/NAME.sock, where
# squib-net guest --mode stream connects; its pid in $relay.
relay_up() {
	local name=$1 cmd
	shift
	as_cmd "$U"
	"${cmd[@]}" "$RELAY" --listen "$tmp/u/$name.sock" "$@" 2>"$tmp/$name.relay" &
	relay=$!
	relays+=($relay)
	wait_for 300 test -S "$tmp/u/$name.sock" ||
		{ why="relay $name did not listen: $(cat "$tmp/$name.relay")"; return 1; }
}

# The sockets: one per network beside the control socket, of its group
# and mode; status names them.
sockets_beside_the_control_socket() {
	local s
	for s in "$STREAM" "$OPEN"; do
		[ -S "$s" ] || { why="no socket $s"; return 1; }
		[ "$(stat -c '%a %g' "$s")" = "660 $G" ] || { why="$s: $(stat -c '%a %g' "$s")"; return 1; }
	done
	status_json && has json "\"stream_socket\":\"$STREAM\"" || return 1
	serving
}

# three NETWORK SOCKET: two stream clients and one fd client on NETWORK;
# a and the fd client hold on; b pings the gateway, a and the fd client.
three() {
	local net=$1 sock=$2 mode=$3 rf pa pf rc
	rm -f "$tmp/u/f.sock" "$tmp/a.addr" "$tmp/f.addr" "$tmp/a.gw" "$tmp/f.gw"
	relay_up f --mode "$mode" --network "$net" || return 1
	rf=$relay
	guest_bg f --mode stream --peer "$tmp/u/f.sock" -- sh -c "
		busybox ping -c 1 -w 5 \$(ip route | awk '/^default/ {print \$3}') >/dev/null && touch $tmp/f.gw
		echo $ADDR >$tmp/f.addr; $HOLD"
	pf=$bg
	guest_bg a --mode stream --peer "$sock" -- sh -c "
		busybox ping -c 1 -w 5 \$(ip route | awk '/^default/ {print \$3}') >/dev/null && touch $tmp/a.gw
		echo $ADDR >$tmp/a.addr; $HOLD"
	pa=$bg
	ready a && ready f || { touch "$tmp/go"; stop $pa; stop $pf; return 1; }
	guest 0 --mode stream --peer "$sock" -- sh -c "echo addr=$ADDR;
		gw=\$(ip route | awk '/^default/ {print \$3}'); echo gw=\$gw
		busybox ping -c 1 -w 5 \$gw >/dev/null && echo gw-ok;
		busybox ping -c 1 -w 4 $(cat "$tmp/a.addr") >/dev/null && echo peer-a-ok;
		busybox ping -c 1 -w 4 $(cat "$tmp/f.addr") >/dev/null && echo peer-f-ok;
		true"
	rc=$?
	# While they are there: status shows each one's kind and counters.
	status_json
	cp "$tmp/json" "$tmp/json.three"
	touch "$tmp/go"
	wait $pa
	wait $pf
	stop $rf
	[ $rc = 0 ] && has out gw-ok && [ -e "$tmp/a.gw" ] && [ -e "$tmp/f.gw" ] ||
		{ why="${why:-not every client reached its gateway: $(cat "$tmp/out" | tr '\n' ' ')}"; return 1; }
	# b has gone: a (stream) and f (fd) are there.
	[ "$(grep -o '"kind":"stream"' "$tmp/json.three" | wc -l)" = 1 ] &&
		[ "$(grep -o '"kind":"fd"' "$tmp/json.three" | wc -l)" = 1 ] ||
		{ why="status kinds: $(grep -o '"kind":"[a-z]*"' "$tmp/json.three" | tr '\n' ' ')"; return 1; }
	grep -q '"kind":"stream"[^}]*"from_guest_frames":[1-9][0-9]*,"from_guest_bytes":[1-9][0-9]*,"from_guest_drops":0,"to_guest_frames":[1-9]' "$tmp/json.three" ||
		{ why="no relay counters in status: $(cat "$tmp/json.three")"; return 1; }
	wait_for 100 no_taps || { why="TAPs left: $(taps)"; return 1; }
}

isolated_clients_reach_the_gateway_not_each_other() {
	three sqn-shared "$STREAM" shared || return 1
	! grep -q peer "$tmp/out" || { why="they reached each other on sqn-shared: $(grep peer "$tmp/out" | tr '\n' ' ')"; return 1; }
	serving
}

without_isolation_they_reach_each_other() {
	three sqn-open "$OPEN" host && has out "gw=10\.124\.0\.1" && has out peer-a-ok && has out peer-f-ok
}

# atts: the status's attachments in $tmp/atts, one a line (for grep).
atts() { status_json && grep -o '{"id":[^}]*}' "$tmp/json" >"$tmp/atts"; }

# Kind dgram: a datagram socket instead of a TAP; vfkit's VFKT first is
# taken, not forwarded (nor counted as a bad frame); a lease through it.
dgram_client_with_vfkt_gets_a_lease() {
	local cmd
	as_cmd "$U"
	"${cmd[@]}" "$CLIENT" "$SOCK" --send '{"v":1,"op":"attach","network":"shared","kind":"dgram","label":"vf"}' \
		--vfkt --dhcp --hold >"$tmp/dg.out" 2>&1 &
	bg=$!
	pids+=($bg)
	has_in dg "^socket dgram" && has_in dg "^lease $LEASE" && has_in dg held || { stop $bg; return 1; }
	logged "vfkit's first datagram (VFKT) taken" || { stop $bg; return 1; }
	atts
	stop $bg
	grep '"label":"vf"' "$tmp/atts" >"$tmp/dg.att"
	has dg.att '"kind":"dgram"' && has dg.att '"from_guest_frames":2,' &&
		has dg.att '"from_guest_drops":0,' && has dg.att '"to_guest_frames":[1-9]' || return 1
	wait_for 100 no_taps || { why="TAP left: $(taps)"; return 1; }
	serving
}

# The ACL at accept: a denied uid of the group is closed (and logged), one
# outside the group cannot connect; no TAP made.
acl_checked_at_accept() {
	peer d $D --closed && has d.out closed || return 1
	logged "uid $D pid [0-9]*: stream connection to sqn-shared refused (EACCES)" || return 1
	as_cmd "$O"
	ip netns exec "$NS_HOST" setpriv --reuid $O --regid $O --clear-groups --inh-caps=-all \
		"$PEER" "$STREAM" --closed >"$tmp/o.out" 2>&1
	[ $? = 3 ] && has o.out "connect: Permission denied" || return 1
	no_taps || { why="TAP made: $(taps)"; return 1; }
}

# hostile NAME STEP... TEXT: a peer doing STEP is closed by the service,
# which logs TEXT; its TAP goes.
hostile() {
	local name=$1 text=${*: -1}
	peer "$name" $U "${@:2:$#-2}" --closed && has "$name.out" closed ||
		{ why="$name: $(tr '\n' ' ' <"$tmp/$name.out")"; return 1; }
	logged "$text" || return 1
}

# Zero and oversized prefixes, a frame cut by the end, random bytes: each
# closes that client alone; a client holding on and one coming after are
# served; a header split across writes and 10,000 minimum-size frames in
# one write are taken whole.
hostile_peers_are_closed_alone() {
	local hold
	peer_bg good $U --dhcp --hold
	hold=$bg
	has_in good held && hostile_peers "$(sed -n 's/^lease //p' "$tmp/good.out")"
	local rc=$?
	stop $hold
	[ $rc = 0 ] || return 1
	wait_for 100 no_taps || { why="TAPs left: $(taps)"; return 1; }
	serving
}
hostile_peers() {
	local tiny
	hostile zero --zero "frame length of 0 (below an Ethernet header): connection reset" &&
		hostile big --big "frame length of 70000 (above the frame cap): connection reset" &&
		hostile random --random 4096 "(above the frame cap): connection reset" || return 1
	peer cut $U --cut && has cut.out cut && logged "peer closed the connection in the middle of a frame" || return 1
	# Counted: four closed so far.
	logged "(4 clients closed for bad framing so far)" || return 1
	peer split $U --split --dhcp --ping $GW && has split.out "^lease $LEASE" && has split.out "ping-ok $GW" ||
		{ why="${why:-split: $(tr '\n' ' ' <"$tmp/split.out")}"; return 1; }
	peer_bg tiny $U --tiny 10000 --dhcp --hold
	tiny=$bg
	has_in tiny held && atts
	stop $tiny
	grep -q '"kind":"stream"[^}]*"from_guest_frames":100[0-9][0-9],' "$tmp/atts" ||
		{ why="${why:-10,000 frames not all relayed: $(grep -o '"from_guest_frames":[0-9]*' "$tmp/atts" | tr '\n' ' ')}"; return 1; }
	# The one that held on all along still answers (the gateway's ping:
	# the clients are isolated from each other).
	in_host busybox ping -c 1 -W 5 "$1" >/dev/null || { why="the first client ($1) no longer answers"; return 1; }
	grep -q closed "$tmp/good.out" && { why="the first client was closed"; return 1; }
	return 0
}

# A client that reads nothing while 3000 replies come its way: held back
# (its TAP's queue fills, drops counted on its port), while another client
# is served and the service answers.
a_peer_that_never_reads_is_held_back_alone() {
	local deaf rc
	peer_bg deaf $U --dhcp --ping $GW --flood 3000 1400 --deaf
	deaf=$bg
	has_in deaf held && deaf_alone
	rc=$?
	stop $deaf
	[ $rc = 0 ] || return 1
	wait_for 100 no_taps || { why="TAPs left: $(taps)"; return 1; }
}
deaf_alone() {
	peer other $U --dhcp --ping $GW && has other.out "ping-ok $GW" ||
		{ why="${why:-the other client: $(tr '\n' ' ' <"$tmp/other.out")}"; return 1; }
	serving || return 1
	wait_for 100 eval 'atts && grep -q "\"to_guest_drops\":[1-9]" "$tmp/atts"' ||
		{ why="no drops counted: $(grep -o '"to_guest_[a-z]*":[0-9]*' "$tmp/atts" | tr '\n' ' ')"; return 1; }
	[ "$(grep -c '"to_guest_drops":[1-9]' "$tmp/atts")" = 1 ] || { why="drops on more than one port"; return 1; }
	as "$U" "$PROG" status >"$tmp/status" 2>&1
	has status "^ *relay: from guest [0-9]* frames"
}

# settled: no TAP, and the service holds no attachment's entry on record
# (it closes that after the TAP).
att_fds() { ls -l /proc/$spid/fd | grep -o '/att\.[0-9]*\.sqn-t[^ ]*' | tr '\n' ' '; }
settled() { no_taps && [ -z "$(att_fds)" ]; }
# measure NAME: the service's descriptors and RSS (kB) in $NAME_fds, $NAME_rss.
measure() {
	ls -l /proc/$spid/fd | awk '{print $9, $11}' >"$tmp/$1.fds"
	eval "$1_fds=$(ls /proc/$spid/fd | wc -l)"
	eval "$1_rss=$(awk '/^VmRSS/ {print $2}' /proc/$spid/status)"
}

# 100 connections, each relayed (a DHCP offer through it), then closed:
# the service's descriptors as before, its RSS flat, no TAP left.
cycles_leave_nothing() {
	peer warm $U --cycles 10 && has warm.out "cycles 10" || return 1
	wait_for 100 settled || { why="left: $(taps) $(att_fds)"; return 1; }
	measure before
	peer cyc $U --cycles 100 && has cyc.out "cycles 100" || return 1
	wait_for 100 settled || { why="left: $(taps) $(att_fds)"; return 1; }
	measure after
	echo "measure: 100 stream cycles: fds $before_fds -> $after_fds, RSS $before_rss -> $after_rss kB"
	[ "$after_fds" = "$before_fds" ] || { why="fds $before_fds -> $after_fds: $(diff "$tmp/before.fds" "$tmp/after.fds" | tr '\n' ' ')"; return 1; }
	[ "$after_rss" -le $((before_rss + 1024)) ] || { why="RSS $before_rss -> $after_rss kB"; return 1; }
	logged "stream connection" && serving
}

# After SIGTERM: nothing of the networks, no TAP, no stream socket.
leftovers_all() {
	nothing_left "$NS_HOST" "$NS_HOST_INO" || return 1
	no_taps || { why="TAPs left: $(taps)"; return 1; }
	[ ! -e "$STREAM" ] && [ ! -e "$OPEN" ] || { why="stream sockets left"; return 1; }
}

setup ns_up
setup serve_start

tcase sockets_beside_the_control_socket sockets_beside_the_control_socket
tcase isolated_clients_reach_the_gateway_not_each_other isolated_clients_reach_the_gateway_not_each_other
tcase without_isolation_they_reach_each_other without_isolation_they_reach_each_other
tcase dgram_client_with_vfkt_gets_a_lease dgram_client_with_vfkt_gets_a_lease
tcase acl_checked_at_accept acl_checked_at_accept
tcase hostile_peers_are_closed_alone hostile_peers_are_closed_alone
tcase a_peer_that_never_reads_is_held_back_alone a_peer_that_never_reads_is_held_back_alone
tcase cycles_leave_nothing cycles_leave_nothing

serve_kill
tcase nothing_left_after_sigterm leftovers_all
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
