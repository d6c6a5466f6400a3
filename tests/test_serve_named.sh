#!/bin/bash
# SPDX-License-Identifier: MIT
# test_serve_named.sh - squib-net serve's named TAPs (attach kind "named",
# squib-net run --tap-name) in the "host" namespace of scripts/netns.sh:
# a persistent TAP owned by the client's uid, opened by name without
# capabilities as Firecracker does (tests/svc_client --open), a DHCP lease
# through it, refused to another uid, gone when its holder ends, on
# detach, when the service stops, and swept when the service is killed.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
CLIENT=$(realpath "$B/tests/svc_client")
NS_TAG=tsn$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_serve_named
. tests/lib.sh
# The unprivileged clients reach the socket through $tmp.
chmod 755 "$tmp"
G=4200 # the socket's group
U=4242 # allowed
O=4444 # another user, allowed too
GW=10.125.0.1
LEASE='10\.125\.0\.'
SOCK=$tmp/control
spid=
declare -A holds
trap 'serve_kill; suite_down' EXIT

cat >"$tmp/serve.conf" <<EOF
[network sqn-shared]
mode shared
subnet $GW/24
dns-upstream none
EOF
printf 'allow uid:%s shared\nallow uid:%s shared\n' $U $O >"$tmp/acl.conf"

. tests/serve_lib.sh
# Its clients' /dev/net/tun is mode 0666, as the distributions' udev rules
# make it (a container's may be 0600): a node of their own, on a tmpfs in
# the mount namespace of ip netns exec, which nothing else sees.
TUN='mount -t tmpfs -o mode=755 sqn-test /dev/net && mknod -m 666 /dev/net/tun c 10 200 && exec "$@"'
AS=(ip netns exec "$NS_HOST" sh -c "$TUN" sh setpriv --reuid UID --regid "$G" --clear-groups --inh-caps=-all)

# gone NAME WHEN: TAP NAME goes within 1 s (of WHEN, for the message).
gone() {
	wait_for 10 link_gone "$1" && return 0
	why="$1 still there 1 s after $2"
	return 1
}
# named_doc HOLD: an attach of kind named.
named_doc() { echo "{\"v\":1,\"op\":\"attach\",\"network\":\"shared\",\"kind\":\"named\",\"vnet_hdr\":true,\"hold\":\"$1\",\"label\":\"fc\"}"; }
# name_of NAME: the TAP the attach reply in $tmp/NAME.out named.
name_of() { sed -n 's/^reply .*"tap":"\([^"]*\)".*/\1/p' "$tmp/$1.out" | head -1; }

# The reply names a TAP and comes without a descriptor; the TAP is
# persistent (IFF_PERSIST, 0x800, in tun_flags), owned by the client's uid
# with no group, a port of the bridge, up, and on the plane's record.
T=
named_tap_is_persistent_and_owned() {
	local flags
	client_bg n $U --send "$(named_doc process)" --close --hold
	has_in n held || return 1
	T=$(name_of n)
	link_there "$T" || return 1
	! grep -q "^tap " "$tmp/n.out" || { why="a descriptor came with the reply"; return 1; }
	[ "$(in_host cat "/sys/class/net/$T/owner")" = $U ] ||
		{ why="owner $(in_host cat "/sys/class/net/$T/owner"), not $U"; return 1; }
	[ "$(in_host cat "/sys/class/net/$T/group")" = -1 ] ||
		{ why="group $(in_host cat "/sys/class/net/$T/group")"; return 1; }
	flags=$(in_host cat "/sys/class/net/$T/tun_flags")
	(((flags & 0x800) != 0)) || { why="tun_flags $flags: not persistent"; return 1; }
	[ "$(basename "$(in_host readlink "/sys/class/net/$T/master")")" = sqn-shared ] ||
		{ why="$T is no port of sqn-shared"; return 1; }
	in_host ip -o link show dev "$T" | grep -q '[<,]UP[,>]' || { why="$T is not up"; return 1; }
	ls "/run/squib-net/net-$NS_HOST_INO/sqn-shared/" | grep -q "^att\..*\.$T\$" ||
		{ why="no entry of $T on record"; return 1; }
	logged "attachment [0-9]* on sqn-shared: $T, .* hold process of pid ${holds[n]}"
}

# Its owner, without capabilities, opens it by name with Firecracker's
# flags (the service keeps no descriptor: a second opener would get
# EBUSY) and gets a lease through it; closed, it stays for the next open.
owner_opens_it_by_name() {
	link_there "$T" || return 1
	as $U grep -q '^CapEff:[[:space:]]*0*$' /proc/self/status ||
		{ why="the client has capabilities"; return 1; }
	client o $U --open "$T" --dhcp || { why="$(tr '\n' ' ' <"$tmp/o.out")"; return 1; }
	has o.out "opened $T" && has o.out "lease $LEASE" || return 1
	link_there "$T" || return 1
	client o2 $U --open "$T" || { why="second open: $(tr '\n' ' ' <"$tmp/o2.out")"; return 1; }
}

another_uid_cannot_open_it() {
	link_there "$T" || return 1
	client x $O --open "$T" && { why="uid $O opened it"; return 1; }
	has x.out "open $T: Operation not permitted" && link_there "$T"
}

gone_when_its_process_ends() {
	link_there "$T" || return 1
	release n
	gone "$T" "its process ended" && logged "its process, pid ${holds[n]}, ended"
}

# Detach removes it, also while its owner has it open; hold connection
# ends with the connection.
detach_removes_it() {
	local t
	client_bg d $U --send "$(named_doc process)" --open - --detach --hold
	has_in d held || return 1
	t=$(name_of d)
	[ -n "$t" ] && has d.out "opened $t" && has d.out '"ok":true}$' || return 1
	gone "$t" "the detach" || return 1
	release d
	client c $U --send "$(named_doc connection)" --close || return 1
	t=$(name_of c)
	[ -n "$t" ] && gone "$t" "its connection closed"
}

# squib-net run --tap-name: SQN_TAP names a TAP that CMD (the process run
# execs) opens and gets a lease through; no SQN_TAP_FD; gone after.
run_tap_name() {
	as $U env SQN_TAP_FD=stale "$PROG" run --socket "$SOCK" --tap-name -- sh -c '
		echo "tap=$SQN_TAP fd=${SQN_TAP_FD:-none}"
		[ -e "/sys/class/net/$SQN_TAP" ] && echo there
		"$0" "$1" --open "$SQN_TAP" --dhcp' "$CLIENT" "$SOCK" >"$tmp/r.out" 2>&1 ||
		{ why="run: $(tr '\n' ' ' <"$tmp/r.out")"; return 1; }
	local t=$(sed -n 's/^tap=\([^ ]*\) .*/\1/p' "$tmp/r.out")
	[ -n "$t" ] && has r.out "fd=none" && has r.out there && has r.out "lease $LEASE" || return 1
	gone "$t" "run ended" || return 1
	as $U "$PROG" run --socket "$SOCK" --tap-name --fd 4 -- true 2>"$tmp/err"
	[ $? = 2 ] && has err "exclude each other"
}

# The service's stop removes a named TAP, nobody holding it open.
stop_removes_it() {
	client_bg s $U --send "$(named_doc process)" --hold
	has_in s held || return 1
	local t=$(name_of s)
	link_there "$t" || return 1
	serve_kill
	release s
	link_gone "$t" || { why="$t outlived the service"; return 1; }
	leftovers
}

# The service killed: its entry is unlocked, and the network's keeper's
# sweep deletes the persistent TAP (which nobody has open) with the
# network; only the service's anti-spoofing table stays, until its next
# start.
killed_service_its_tap_is_swept() {
	serve_kill
	serve_start || return 1
	client_bg k $U --send "$(named_doc process)" --hold
	has_in k held || return 1
	local t=$(name_of k)
	link_there "$t" || return 1
	kill -KILL "$spid"
	wait "$spid" 2>/dev/null
	spid=
	release k
	wait_for 100 link_gone "$t" || { why="$t not swept 10 s after the service was killed"; return 1; }
	leftovers || return 1
	serve_start && serve_kill
	leftovers
}

setup ns_up
setup serve_start
tcase named_tap_is_persistent_and_owned named_tap_is_persistent_and_owned
tcase owner_opens_it_by_name owner_opens_it_by_name
tcase another_uid_cannot_open_it another_uid_cannot_open_it
tcase gone_when_its_process_ends gone_when_its_process_ends
tcase detach_removes_it detach_removes_it
tcase run_tap_name run_tap_name
tcase stop_removes_it stop_removes_it
tcase killed_service_its_tap_is_swept killed_service_its_tap_is_swept

[ "$failed" = 0 ] || tail -40 "$tmp/log" | sed 's/^/    log: /'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
