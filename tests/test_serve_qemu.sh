#!/bin/bash
# SPDX-License-Identifier: MIT
# test_serve_qemu.sh - unprivileged VMMs on squib-net serve: the service runs
# as root in the "host" namespace of scripts/netns.sh ("wan" beyond it); a
# user with no capabilities (setpriv, numeric ids, no account added), in
# the socket's group and allowed by the ACL, boots the real guest
# (tests/guest) under QEMU with -netdev tap,helper=squib-net-bridge-helper
# and again under squib-net run with -netdev tap,fd=3, then through the
# network's stream socket (-netdev stream, and squib-net run --stream with
# -netdev socket,fd=3): a lease, a name
# resolved by dnsmasq, a page from wan through NAT, the TAP gone once QEMU
# ends. A libsquibnet caller of that user (tests/vmm_relay) gets shared mode
# through the service; two of them reach each other only on a network with
# isolation off. Users outside the ACL or the group are refused with the
# reason. Prints (not asserted) the boot-to-lease times and what a refused
# user sees, for the record.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
# Not realpath: the helper is the program under another name (a link).
HELPER=$(cd "$B/libexec" && pwd)/squib-net-bridge-helper
RELAY=$(realpath "$B/tests/vmm_relay")
NS_TAG=tsq$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_serve_qemu
. tests/lib.sh
GUEST_DIR=$B/guest
. tests/guest/guest.sh
G=4210 # the socket's group
U=4252 # allowed to attach anywhere, in the group
N=4262 # in the group, no allow line
O=4272 # not in the group
SOCK=$tmp/control
GW=10.123.0.1
LEASE='10\.123\.0\.[0-9]+/24 router 10\.123\.0\.1 '
NAME=www.wan.test
spid=
relays=()
# The unprivileged users reach the socket through $tmp, and write in $tmp/u.
chmod 755 "$tmp"
mkdir "$tmp/u"
chown "$U:$U" "$tmp/u"
trap 'guest_kill; stop_relays; serve_stop; suite_down' EXIT

cat >"$tmp/hosts" <<EOF
$WAN_ADDR $NAME
EOF
cat >"$tmp/serve.conf" <<EOF
# The default network, whose DNS knows $NAME and asks no one else.
[network sqn-shared]
mode shared
subnet $GW/24
dns-upstream none
dns-hosts $tmp/hosts
# Guests that may reach each other.
[network sqn-open]
mode host
subnet 10.124.0.1/24
isolation off
EOF
cat >"$tmp/acl.conf" <<EOF
allow uid:$U all
EOF

# as UID CMD...: CMD in host as UID with the socket's group as a
# supplementary one, no capabilities, the service named in SQN_SERVICE.
# as_cmd UID: those words, for a command started in the background (so
# that $! is the command's own pid: each word execs the next).
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
# The same for the user outside the group.
as_outsider() {
	ip netns exec "$NS_HOST" setpriv --reuid "$O" --regid "$O" --clear-groups \
		--inh-caps=-all env SQN_SERVICE="$SOCK" "$@"
}

serve_start() {
	: >"$tmp/log"
	ip netns exec "$NS_HOST" "$PROG" -v serve --config "$tmp/serve.conf" \
		--socket "$SOCK" --group $G --acl "$tmp/acl.conf" 2>>"$tmp/log" &
	spid=$!
	wait_for 300 grep -q "ready:" "$tmp/log" && return 0
	echo "the service is not ready: $(tail -3 "$tmp/log")" >&2
	return 1
}
serve_stop() {
	[ -n "$spid" ] || return 0
	kill -TERM "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	spid=
}
stop_relays() {
	local p
	for p in "${relays[@]}"; do
		stop "$p"
	done
	relays=()
}
# serving: the service answers a client of the group (squib-net status).
serving() {
	kill -0 "$spid" 2>/dev/null || { why="the service ended: $(tail -3 "$tmp/log" | tr '\n' ' ')"; return 1; }
	as "$U" "$PROG" status >"$tmp/status" 2>&1 && grep -q '^sqn-shared ' "$tmp/status" ||
		{ why="status: $(tr '\n' ' ' <"$tmp/status")"; return 1; }
}
taps() { in_host ip -o link show | awk -F': ' '$2 ~ /^sqn-t/ {print $2}' | sort | tr '\n' ' '; }
no_taps() { [ -z "$(taps)" ]; }
# since T0: seconds from T0 (date +%s.%N) to now.
since() { echo "$(date +%s.%N) $1" | awk '{printf "%.2f", $1 - $2}'; }

# console NAME PATTERN: the guest's console has a line matching PATTERN.
console() {
	tr -d '\r' <"$tmp/u/$1.console" | grep -Eq -- "$2" && return 0
	why="console lacks \"$2\": $(grep '^sqn-guest' "$tmp/u/$1.console" | tr '\n' '|')"
	return 1
}

# qemu_guest NAME NETDEV: boot the guest as $U (QEMU's console and
# messages in $tmp/u/NAME.*), wait for its lease (the TAP it got in
# $tap), for it to finish and power off, and for its TAP to go (1 s at
# most); then check what it saw and that the service still serves.
qemu_guest() {
	local name=$1 netdev=$2 out=$tmp/u/$1 t0 lease cmd
	install -o "$U" -m 644 /dev/null "$out.console"
	as_cmd "$U"
	GUEST_EXEC=("${cmd[@]}")
	t0=$(date +%s.%N)
	guest_boot "$out" "sqn.run=fetch sqn.resolve=$NAME sqn.url=http://$WAN_ADDR/cgi-bin/remote sqn.url=http://$WAN_ADDR/" "$netdev"
	guest_wait "$out" "^sqn-guest: lease" ||
		{ why="no lease: $(cat "$out.err") $(grep sqn-guest "$out.console" | tr '\n' '|')"; return 1; }
	lease=$(since "$t0")
	tap=$(taps)
	guest_wait "$out" "^sqn-guest: done" ||
		{ why="the guest did not finish in ${GUEST_LIMIT} s: $(tail -3 "$out.console" | tr '\n' ' ')"; return 1; }
	guest_end || { why="QEMU ended with status $guest_status: $(cat "$out.err")"; return 1; }
	echo "measure: $name: QEMU start to lease ${lease} s (wall), guest uptime at lease $(tr -d '\r' <"$out.console" | sed -n 's/^sqn-guest: lease .* \([0-9.]*s\)$/\1/p')"
	[ -n "$tap" ] && [ "$(echo $tap | wc -w)" = 1 ] || { why="TAPs while QEMU ran: \"$tap\""; return 1; }
	wait_for 10 no_taps || { why="TAP still there 1 s after QEMU ended: $(taps)"; return 1; }
	console "$name" "^sqn-guest: lease $LEASE" &&
		console "$name" "^sqn-guest: resolve $NAME $WAN_ADDR via $GW$" &&
		console "$name" "^sqn-guest: body: remote=10\.99\.0\.2$" &&
		console "$name" "^sqn-guest: fetch http://$WAN_ADDR/ sha256=$PAGE_SUM " &&
		console "$name" "^sqn-guest: done rc=0 " || return 1
	# The attach was the user's, through the service.
	grep -q "uid $U" "$tmp/log" || { why="the service logged no attach by uid $U"; return 1; }
	serving
}

qemu_bridge_helper() {
	qemu_guest helper "tap,id=n0,br=sqn-shared,helper=$HELPER"
}

qemu_squib_net_run() {
	local vhost=
	# vhost-net when the user may open it (the service's TAP has a
	# virtio-net header, which vhost-net needs).
	if as "$U" test -r /dev/vhost-net -a -w /dev/vhost-net; then
		vhost=,vhost=on
	else
		echo "note: no vhost=on: /dev/vhost-net $( [ -e /dev/vhost-net ] && echo "is not usable by uid $U" || echo "does not exist (no vhost_net in this kernel)")"
	fi
	GUEST_WRAP=("$PROG" run --label serve-qemu --)
	qemu_guest run "tap,id=n0,fd=3$vhost"
	local r=$?
	GUEST_WRAP=()
	return $r
}

# QEMU's -netdev stream pointed at the network's stream socket (beside
# the control socket): the service makes the port, relays the framing.
qemu_stream_socket() {
	qemu_guest stream "stream,id=n0,server=off,addr.type=unix,addr.path=$tmp/sqn-shared.sock" || return 1
	grep -q "uid $U pid [0-9]*: attachment [0-9]* on sqn-shared: .*stream connection" "$tmp/log" ||
		{ why="the service logged no stream connection of uid $U"; return 1; }
}

# squib-net run --stream: the same socket, connected, as QEMU's fd 3.
qemu_squib_net_run_stream() {
	GUEST_WRAP=("$PROG" run --stream --)
	qemu_guest run-stream "socket,id=n0,fd=3"
	local r=$?
	GUEST_WRAP=()
	return $r
}

# relay_up NAME ARGS...: vmm_relay as $U listening on $tmp/u/NAME.sock
# (squib-net guest --mode stream connects there), its network through the
# service; its pid in $relay.
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
# relay_done NAME PID: the relay ended by itself (its guest went), status 0.
relay_done() {
	wait_for 100 eval "! kill -0 $2 2>/dev/null" || { why="relay $1 still runs"; return 1; }
	wait "$2" || { why="relay $1: $(cat "$tmp/$1.relay")"; return 1; }
	grep -Eq 'guest->net [1-9][0-9]* frames, net->guest [1-9][0-9]* frames' "$tmp/$1.relay" ||
		{ why="relay $1 counts: $(cat "$tmp/$1.relay")"; return 1; }
}

# A library caller without capabilities: sqn_open(shared) goes to the
# service; a namespace behind it (squib-net guest, by stream) gets a
# lease and reaches wan through NAT.
library_caller_without_caps() {
	local rpid caps
	relay_up lib --mode shared || return 1
	rpid=$relay
	caps=$(awk '/^CapEff/ {print $2}' "/proc/$rpid/status")
	[ "$caps" = 0000000000000000 ] || { why="the relay has capabilities $caps"; return 1; }
	guest 0 --mode stream --peer "$tmp/u/lib.sock" -- sh -c "echo addr=$ADDR;
		busybox ping -c 1 -w 5 $GW >/dev/null && echo gw-ok;
		busybox wget -q -O - http://$WAN_ADDR/cgi-bin/remote" || return 1
	has out "addr=10\.123\.0\." && has out gw-ok && has out "remote=10\.99\.0\.2" &&
		relay_done lib "$rpid" || return 1
	wait_for 10 no_taps || { why="TAP left: $(taps)"; return 1; }
	serving
}

# pair NETWORK MODE: two library callers on NETWORK (of MODE), each with a
# namespace behind it; a pings the gateway and holds on; b pings the
# gateway and a.
pair() {
	local net=$1 mode=$2 ra rb pid rc
	rm -f "$tmp/u/a.sock" "$tmp/u/b.sock" "$tmp/a.gw"
	relay_up a --mode "$mode" --network "$net" || return 1
	ra=$relay
	relay_up b --mode "$mode" --network "$net" || return 1
	rb=$relay
	guest_bg a --mode stream --peer "$tmp/u/a.sock" -- sh -c "
		busybox ping -c 1 -w 5 \$(ip route | awk '/^default/ {print \$3}') >/dev/null && touch $tmp/a.gw
		echo $ADDR >$tmp/a.addr; $HOLD"
	pid=$bg
	ready a || { stop $pid; return 1; }
	guest 0 --mode stream --peer "$tmp/u/b.sock" -- sh -c "echo addr=$ADDR;
		gw=\$(ip route | awk '/^default/ {print \$3}'); echo gw=\$gw
		busybox ping -c 1 -w 5 \$gw >/dev/null && echo gw-ok;
		busybox ping -c 1 -w 4 $(cat "$tmp/a.addr") >/dev/null && echo peer-ok;
		true"
	rc=$?
	touch "$tmp/go"
	wait $pid
	[ $rc = 0 ] && has out gw-ok && [ -e "$tmp/a.gw" ] || { why="${why:-a did not reach its gateway}"; return 1; }
	relay_done a "$ra" && relay_done b "$rb" || return 1
	wait_for 10 no_taps || { why="TAPs left: $(taps)"; return 1; }
}

isolated_callers_cannot_reach_each_other() {
	pair sqn-shared shared || return 1
	! grep -q peer-ok "$tmp/out" || { why="they reached each other on sqn-shared"; return 1; }
}

without_isolation_they_can() {
	pair sqn-open host && has out "gw=10\.124\.0\.1" && has out peer-ok
}

# refused WHO NAME WANT CMD...: CMD (as WHO: as N, as_outsider) fails,
# says WANT, and makes no TAP; what it said is printed for the record.
refused() {
	local who=$1 name=$2 want=$3
	shift 3
	"$who" "$@" >"$tmp/$name.said" 2>&1 && { why="$name: not refused"; return 1; }
	echo "seen: $name: $(tr '\n' '|' <"$tmp/$name.said" | sed 's/|$//')"
	grep -q -- "$want" "$tmp/$name.said" || { why="$name lacks \"$want\": $(cat "$tmp/$name.said")"; return 1; }
	no_taps || { why="$name: TAP made: $(taps)"; return 1; }
}
as_n() { as "$N" "$@"; }
QEMU_NONE=(timeout 20 qemu-system-x86_64 -M none -accel tcg -nodefaults -display none -monitor none)

outsiders_are_told_why() {
	local acl="has no allow line" grp="permission denied"
	refused as_n run-acl "$acl" "$PROG" run -- true &&
		refused as_n helper-acl "$acl" "${QEMU_NONE[@]}" -netdev "tap,id=n0,br=sqn-shared,helper=$HELPER" &&
		refused as_n library-acl "$acl" "$RELAY" --stream "$tmp/none.sock" --mode shared &&
		refused as_outsider run-group "$grp" "$PROG" run -- true &&
		refused as_outsider helper-group "$grp" "${QEMU_NONE[@]}" -netdev "tap,id=n0,br=sqn-shared,helper=$HELPER" &&
		refused as_outsider library-group "$grp" "$RELAY" --stream "$tmp/none.sock" --mode shared ||
		return 1
	serving
}

# After SIGTERM: nothing of the networks, no TAP.
leftovers_all() {
	nothing_left "$NS_HOST" "$NS_HOST_INO" || return 1
	no_taps || { why="TAPs left: $(taps)"; return 1; }
}

setup scripts/guest-kit.sh "$B"
setup ns_up
PAGE_SUM=$(sha256sum <"$NS_WWW/index.html" | cut -d' ' -f1)
# So a missing NAT shows as the guest's own address, not as silence.
ip -n "$NS_WAN" route add 10.123.0.0/24 via 10.99.0.2
setup serve_start

tcase qemu_bridge_helper qemu_bridge_helper
tcase qemu_squib_net_run qemu_squib_net_run
tcase qemu_stream_socket qemu_stream_socket
tcase qemu_squib_net_run_stream qemu_squib_net_run_stream
tcase library_caller_without_caps library_caller_without_caps
tcase isolated_callers_cannot_reach_each_other isolated_callers_cannot_reach_each_other
tcase without_isolation_they_can without_isolation_they_can
tcase outsiders_are_told_why outsiders_are_told_why

serve_stop
tcase nothing_left_after_sigterm leftovers_all
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
