#!/bin/bash
# SPDX-License-Identifier: MIT
# test_svc_cli.sh - squib-net run and squib-net bridge-helper against a
# stand-in for squib-net serve (tests/fake_service.c), in a network
# namespace of the test's own: the TAP where the VMM (or QEMU) expects it,
# and the request each sends
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
HELPER=$(realpath "$B/libexec")/squib-net-bridge-helper
FAKE=$(realpath "$B/tests/fake_service")
tmp=$(mktemp -d)
SUITE=test_svc_cli
. tests/lib.sh
NS=sqnsvc$$
fake=
lsn=

if [ "$(id -u)" != 0 ]; then
	echo "ok   $SUITE skipped (not root)"
	echo "1 passed, 0 failed"
	exit 0
fi

cleanup() {
	[ -n "$fake" ] && stop "$fake"
	[ -n "$lsn" ] && stop "$lsn"
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$NS" || { echo "FAIL $SUITE setup: ip netns add"; exit 1; }

in_ns() { ip netns exec "$NS" "$@"; }

# fake [--refuse ERRNO MESSAGE]: a fresh fake service on $tmp/control,
# its log in $tmp/log.
fake() {
	[ -n "$fake" ] && stop "$fake"
	rm -f "$tmp/log" "$tmp/ready"
	# not through a function: $! must be the fake's own pid
	ip netns exec "$NS" "$FAKE" --socket "$tmp/control" --log "$tmp/log" \
		--ready "$tmp/ready" "$@" >/dev/null 2>"$tmp/fake.err" &
	fake=$!
	wait_for 100 test -e "$tmp/ready" || { why="the fake service did not start"; return 1; }
}
# logged_n N: the fake has logged N requests by now.
logged_n() { [ "$(wc -l <"$tmp/log" 2>/dev/null || echo 0)" -ge "$1" ]; }
# served N: the fake has logged N requests (10 s at most; counted again
# at each try).
served() {
	wait_for 100 logged_n "$1" && return 0
	why="the fake service logged no request $1"
	return 1
}
# status WANT CMD...: CMD in the namespace, out and err in $tmp; true if
# it exits WANT.
status() {
	local want=$1 got
	shift
	in_ns "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] && return 0
	why="$* exited $got, wanted $want: $(head -c 300 "$tmp/err")"
	return 1
}
# one_line: stderr is one line.
one_line() {
	[ "$(grep -c . "$tmp/err")" = 1 ] || { why="stderr is not one line: $(cat "$tmp/err")"; return 1; }
}

# The VMM finds the TAP on fd 3, its environment says which, squib-net
# prints nothing, and the request held the attachment by the process
# that became the VMM.
run_puts_the_tap_on_fd_3() {
	fake || return 1
	status 0 env SQN_SERVICE="$tmp/control" "$PROG" run -- sh -c \
		'echo fd3=$(readlink /proc/self/fd/3) pid=$$ tap=$SQN_TAP fd=$SQN_TAP_FD mtu=$SQN_MTU mac=$SQN_MAC;
		ip -d link show "$SQN_TAP"' || return 1
	[ ! -s "$tmp/err" ] || { why="squib-net printed: $(cat "$tmp/err")"; return 1; }
	has out '^fd3=/dev/net/tun ' && has out ' tap=fake[0-9]* fd=3 mtu=1500 ' &&
		has out 'mac=52:54:00:aa:bb:cc$' && has out 'vnet_hdr on' || return 1
	served 1 || return 1
	pid=$(sed -n 's/.* pid=\([0-9]*\) .*/\1/p' "$tmp/out" | head -1)
	has log " hold=process " && has log " pid=$pid " && has log ' network= ' &&
		has log ' has_mac=0 ' && has log ' vnet_hdr=1 ' && has log ' label=sh '
}

# --fd, --network, --mac, --no-vnet-hdr, --label and --socket: in the
# request and in what the VMM gets; fd 3 is not the TAP then.
run_takes_its_options() {
	fake || return 1
	status 0 "$PROG" run --fd 7 --network sqn-host --mac 52:54:00:12:34:56 \
		--no-vnet-hdr --label vm-1 --socket "$tmp/control" -- sh -c \
		'echo fd7=$(readlink /proc/self/fd/7) fd3=$(readlink /proc/self/fd/3) fd=$SQN_TAP_FD mac=$SQN_MAC;
		ip -d link show "$SQN_TAP"' || return 1
	# fd 3 may be the test's own (flock's), never the TAP
	has out '^fd7=/dev/net/tun fd3=' && has out ' fd=7 mac=52:54:00:12:34:56$' || return 1
	grep -q 'fd3=/dev/net/tun' "$tmp/out" && { why="fd 3 is a TAP too"; return 1; }
	grep -q 'vnet_hdr on' "$tmp/out" && { why="the TAP has a virtio-net header"; return 1; }
	served 1 && has log ' network=sqn-host has_mac=1 mac=52:54:00:12:34:56 ' &&
		has log ' vnet_hdr=0 hold=process label=vm-1 '
}

# A refusal: the service's message on one line, exit 1, the VMM not run.
run_refused_says_why() {
	fake --refuse 13 "not allowed: uid 1000 has no allow line for network sqn-shared" || return 1
	status 1 "$PROG" run --socket "$tmp/control" -- touch "$tmp/ran" || return 1
	one_line && has err '^squib-net: error: run: not allowed: uid 1000 has no allow line for network sqn-shared$' || return 1
	[ ! -e "$tmp/ran" ] || { why="the VMM ran"; return 1; }
}

# No service: the path tried, and what to start.
run_without_a_service() {
	[ -n "$fake" ] && stop "$fake"
	fake=
	rm -f "$tmp/control"
	status 1 "$PROG" run --socket "$tmp/control" -- touch "$tmp/ran" || return 1
	one_line && has err "$tmp/control: no such socket: start \`squib-net serve\`" || return 1
	[ ! -e "$tmp/ran" ] || { why="the VMM ran"; return 1; }
}

run_usage_errors() {
	status 2 "$PROG" run --socket "$tmp/control" && has err 'no VMM to run' &&
		status 2 "$PROG" run --fd 2 -- true && has err -- '--fd takes a number from 3' &&
		status 2 "$PROG" run --mac 01:00:5e:00:00:01 -- true && has err -- '--mac takes a unicast' &&
		status 2 "$PROG" run --bogus -- true && has err 'unknown or incomplete option --bogus' &&
		status 0 "$PROG" help run && has out 'fd=3,vhost=on'
}

# A stand-in for a network's stream socket: accepts one connection on
# $1, writes what it read to $2, answers "pong".
cat >"$tmp/stream.py" <<-'PY'
	import os, socket, sys
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.bind(sys.argv[1])
	s.listen(1)
	open(sys.argv[1] + ".ready", "w").close()
	c, _ = s.accept()
	c.sendall(b"pong")
	data = b""
	while True:
	    try:
	        b = c.recv(4096)
	    except ConnectionResetError:
	        break
	    if not b:
	        break
	    data += b
	open(sys.argv[2], "wb").write(data)
PY
# stream_sock NAME: the stand-in on $tmp/NAME.sock, its pid in $lsn.
stream_sock() {
	rm -f "$tmp/$1.sock" "$tmp/$1.sock.ready" "$tmp/got"
	python3 "$tmp/stream.py" "$tmp/$1.sock" "$tmp/got" &
	lsn=$!
	wait_for 100 test -e "$tmp/$1.sock.ready" || { why="no listener"; return 1; }
}

# --stream: the connection to <the control socket's dir>/<network>.sock
# on fd 3 (or --fd), $SQN_FD and $SQN_STREAM say so, no request to the
# control socket; "host" stands for sqn-host.
run_stream_puts_the_connection_on_fd_3() {
	fake || return 1
	stream_sock sqn-shared || return 1
	status 0 env SQN_SERVICE="$tmp/control" "$PROG" run --stream -- sh -c \
		'echo fd=$SQN_FD stream=$SQN_STREAM; head -c 4 <&3; echo; echo ping >&3' || return 1
	wait "$lsn"
	has out "^fd=3 stream=$tmp/sqn-shared.sock\$" && has out '^pong$' && has got '^ping$' || return 1
	[ ! -s "$tmp/err" ] || { why="squib-net printed: $(cat "$tmp/err")"; return 1; }
	logged_n 1 && { why="a request reached the control socket"; return 1; }
	stream_sock sqn-host || return 1
	status 0 "$PROG" run --stream --network host --fd 5 --socket "$tmp/control" -- \
		sh -c 'echo fd=$SQN_FD; head -c 4 <&5 >/dev/null; echo hi >&5' || return 1
	wait "$lsn"
	has out '^fd=5$' && has got '^hi$'
}

# --stream refuses the TAP's options, and says where it looked.
run_stream_refusals() {
	status 2 "$PROG" run --stream --mac 52:54:00:12:34:56 -- true &&
		has err -- '--mac is for a TAP, not --stream' &&
		status 2 "$PROG" run --stream --label x -- true && has err -- '--label is for a TAP' || return 1
	rm -f "$tmp/nonet.sock"
	status 1 "$PROG" run --stream --network nonet --socket "$tmp/control" -- touch "$tmp/ran" || return 1
	one_line && has err "run: $tmp/nonet.sock: No such file or directory (is squib-net serve running, with that network?)" || return 1
	[ ! -e "$tmp/ran" ] || { why="the VMM ran"; return 1; }
}

# QEMU's side of qemu-bridge-helper (net/tap.c): a stream socket pair,
# the helper run as argv ($1 = "sh" for sh -c with a command line),
# recvmsg of one byte and one fd, then the helper's exit status. Prints
# what it got, its own pid and the helper's.
cat >"$tmp/qemu.py" <<-'PY'
	import os, socket, subprocess, sys
	a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
	args = sys.argv[1:]
	fd = "--fd=%d" % b.fileno()
	if args[0] == "sh":
	    argv = ["/bin/sh", "-c", "%s --use-vnet %s --br=%s" % (args[1], fd, args[2])]
	else:
	    argv = [args[0], "--use-vnet", fd, "--br=%s" % args[1]]
	p = subprocess.Popen(argv, pass_fds=[b.fileno()])
	b.close()
	msg, fds, flags, addr = socket.recv_fds(a, 16, 4)
	rc = p.wait()
	print("payload=%d fds=%d rc=%d me=%d helper=%d" % (len(msg), len(fds), rc, os.getpid(), p.pid))
	for f in fds:
	    print("fd=" + os.readlink("/proc/self/fd/%d" % f))
PY

# bridge_helper ARGS...: the helper as QEMU runs it, through $tmp/qemu.py.
bridge_helper() {
	status 0 python3 "$tmp/qemu.py" "$@"
}
# parent_held PARENT: the request said hold=parent, with the vnet header,
# from a process whose parent is PARENT: "me" (the QEMU stand-in) or
# "helper" (what it ran).
parent_held() {
	local pid
	pid=$(sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$tmp/out")
	has log " vnet_hdr=1 hold=parent " && has log " ppid=$pid "
}

# Run by its installed name, as QEMU's helper= does: one byte and the TAP
# over --fd=N, exit 0, the attachment held by QEMU (its parent).
bridge_helper_hands_qemu_the_tap() {
	fake || return 1
	SQN_SERVICE="$tmp/control" bridge_helper "$HELPER" sqn-shared || return 1
	has out '^payload=1 fds=1 rc=0 ' && has out '^fd=/dev/net/tun$' || return 1
	served 1 && has log ' network=sqn-shared ' && parent_held me &&
		has log " pid=$(sed -n 's/.* helper=\([0-9]*\)$/\1/p' "$tmp/out") "
}

# helper= with blanks: QEMU runs "sh -c 'HELPER ARGS --use-vnet --fd=N
# --br=NAME'" and the helper takes --socket= from that command line.
# Debian's dash forks for it, so the helper's parent is that shell,
# whose parent is QEMU: the service holds on to the shell's parent then
# (svcproto.h, SVC_HOLD_PARENT).
bridge_helper_through_sh_c() {
	fake || return 1
	bridge_helper sh "$PROG bridge-helper --socket=$tmp/control" sqn-host || return 1
	has out '^payload=1 fds=1 rc=0 ' && has out '^fd=/dev/net/tun$' || return 1
	served 1 && has log ' network=sqn-host ' && parent_held helper
}

# A refusal reaches QEMU's stderr, exit 1, and no descriptor.
bridge_helper_refused() {
	fake --refuse 1 "network lab: no such network in /etc/squib-net/serve.conf" || return 1
	SQN_SERVICE="$tmp/control" bridge_helper "$HELPER" lab || return 1
	has out '^payload=0 fds=0 rc=1 ' && one_line &&
		has err '^squib-net: error: bridge-helper: network lab: no such network in /etc/squib-net/serve.conf$'
}

bridge_helper_usage_errors() {
	status 2 "$HELPER" --use-vnet --br=sqn-shared && has err -- '--fd=N and --br=NETWORK are needed' &&
		status 2 "$HELPER" --fd=9 --br=sqn-shared --bogus && has err 'unknown argument --bogus' &&
		status 1 "$HELPER" --fd=9 --br=sqn-shared && has err -- '--fd=9: not a socket' &&
		status 0 "$PROG" help bridge-helper && has out 'helper=/usr/local/libexec/squib-net-bridge-helper'
}

tcase run_puts_the_tap_on_fd_3 run_puts_the_tap_on_fd_3
tcase run_takes_its_options run_takes_its_options
tcase run_refused_says_why run_refused_says_why
tcase run_without_a_service run_without_a_service
tcase run_usage_errors run_usage_errors
tcase run_stream_puts_the_connection_on_fd_3 run_stream_puts_the_connection_on_fd_3
tcase run_stream_refusals run_stream_refusals
tcase bridge_helper_hands_qemu_the_tap bridge_helper_hands_qemu_the_tap
tcase bridge_helper_through_sh_c bridge_helper_through_sh_c
tcase bridge_helper_refused bridge_helper_refused
tcase bridge_helper_usage_errors bridge_helper_usage_errors

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
