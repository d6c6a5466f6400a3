#!/bin/bash
# SPDX-License-Identifier: MIT
# test_forward.sh - squib-net guest --forward and --ip on a shared network
# in the "host" namespace of scripts/netns.sh: a guest's TCP and UDP
# servers reached from "wan" through the host's address, and from the host
# to its own address and to 127.0.0.1; collisions refused with the reason;
# forwards and the fixed address gone with the guest, also when it is
# killed; the fixed address again after detaching and attaching again.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
NS_TAG=tfw$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_forward
. tests/lib.sh
GW=10.123.0.1
HOST_IP=10.99.0.2 # host's address towards wan
WAN_IP=$HOST_GW   # wan's address towards host
MODE=(--mode shared --subnet "$GW/24" --dns-upstream none)
trap suite_down EXIT
leftovers() {
	nothing_left "$NS_HOST" "$NS_HOST_INO"
}

# The guest's servers: TCP 80 answers "hello PEER", UDP 53 "pong PEER";
# the file named by the argument appears once both are bound.
cat >"$tmp/srv.py" <<'EOF'
import socket, sys, threading
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('0.0.0.0', 53))
t = socket.socket()
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(('0.0.0.0', 80))
t.listen(64)
open(sys.argv[1], 'w').close()
def udp():
    while True:
        d, a = u.recvfrom(2048)
        u.sendto(b'pong ' + a[0].encode(), a)
threading.Thread(target=udp, daemon=True).start()
while True:
    c, a = t.accept()
    c.sendall(('hello ' + a[0] + '\n').encode())
    c.close()
EOF
# ask PROTO ADDR PORT: the answer of a guest's server, or "none".
cat >"$tmp/ask.py" <<'EOF'
import socket, sys
proto, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    if proto == 'tcp':
        c = socket.create_connection((addr, port), 5)
        c.settimeout(5)
        print(c.recv(100).decode().strip() or 'none')
    else:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.settimeout(1)
        for i in range(5):
            u.sendto(b'ping', (addr, port))
            try:
                print(u.recv(100).decode())
                break
            except socket.timeout:
                pass
        else:
            print('none')
except OSError:
    print('none')
EOF
# asks NS PROTO ADDR PORT WANT: the answer from namespace NS is WANT.
asks() {
	local got
	got=$(ip netns exec "$1" python3 "$tmp/ask.py" "$2" "$3" "$4")
	[ "$got" = "$5" ] && return 0
	why="$2 $3:$4 from $1: '$got', wanted '$5'"
	return 1
}
# serving NAME ARGS...: guest NAME in the background with ARGS, running
# the servers, its address in $tmp/NAME.addr; ready when both are.
serving() {
	local name=$1
	shift
	rm -f "$tmp/$name.ready"
	guest_bg "$name" "$@" -- sh -c "python3 $tmp/srv.py $tmp/$name.ready &
		echo $ADDR >$tmp/$name.addr; $HOLD"
	ready "$name" && wait_for 100 test -e "$tmp/$name.ready" && return 0
	why=${why:-"guest $name's servers did not start: $(cat "$tmp/$name.err")"}
	return 1
}
dnats() {
	in_host nft list table ip squib-net-sqn-shared 2>/dev/null | grep -c "dnat to"
}
no_dnats() { [ "$(dnats)" = 0 ]; }

# From wan to the host's address, from the host to its own address and to
# 127.0.0.1, TCP and UDP, into the guest's servers at its fixed address;
# wan's address is what the guest sees from wan.
forwards_reach_the_guest() {
	local pid rc=0
	serving a "${MODE[@]}" --ip 10.123.0.50 --forward tcp:8081:80 \
		--forward udp:5353:53 || { stop $bg; return 1; }
	pid=$bg
	[ "$(cat "$tmp/a.addr")" = 10.123.0.50 ] ||
		{ why="the guest has $(cat "$tmp/a.addr"), not 10.123.0.50"; rc=1; }
	[ $rc = 0 ] &&
		asks "$NS_WAN" tcp $HOST_IP 8081 "hello $WAN_IP" &&
		asks "$NS_WAN" udp $HOST_IP 5353 "pong $WAN_IP" &&
		asks "$NS_HOST" tcp $HOST_IP 8081 "hello $HOST_IP" &&
		asks "$NS_HOST" udp $HOST_IP 5353 "pong $HOST_IP" &&
		asks "$NS_HOST" tcp 127.0.0.1 8081 "hello $GW" &&
		asks "$NS_HOST" udp 127.0.0.1 5353 "pong $GW" &&
		asks "$NS_HOST" tcp $GW 8081 "hello $GW" || rc=1
	touch "$tmp/go"
	wait $pid || { [ $rc = 1 ] || why="guest a: exit status $?"; rc=1; }
	[ $rc = 0 ] && leftovers
}

# While a guest forwards tcp:8081 and has 10.123.0.50: the same port, one
# that overlaps it by address, a port the host's own server holds
# (127.0.0.1:8080, scripts/netns.sh) and its address are refused, with
# the reason, and leave nothing; the first guest's forward still works.
collisions_are_refused() {
	local pid rc=0
	serving a "${MODE[@]}" --ip 10.123.0.50 --forward tcp:8081:80 ||
		{ stop $bg; return 1; }
	pid=$bg
	guest 1 "${MODE[@]}" --forward tcp:8081:81 -- true &&
		has err "tcp:8081:80 is forwarded already, to 10.123.0.50:80" &&
		guest 1 "${MODE[@]}" --forward tcp:127.0.0.1:8081:81 -- true &&
		has err "forwarded already" &&
		guest 1 "${MODE[@]}" --forward tcp:8080:80 -- true &&
		has err "tcp port 8080 is in use on the host" &&
		guest 1 "${MODE[@]}" --ip 10.123.0.50 -- true &&
		has err "guest: --ip: 10.123.0.50 is reserved for another guest" &&
		guest 1 "${MODE[@]}" --forward tcp:9.9.9.9:8083:80 -- true &&
		has err "9.9.9.9 is not an address of the host" || rc=1
	[ $rc = 0 ] && { [ "$(dnats)" = 2 ] || { why="$(dnats) DNAT rules, wanted 2"; rc=1; }; }
	[ $rc = 0 ] && asks "$NS_WAN" tcp $HOST_IP 8081 "hello $WAN_IP" || rc=1
	touch "$tmp/go"
	wait $pid
	[ $rc = 0 ] && leftovers
}

# A guest's forwards go when it is killed (SIGKILL: the network's keeper
# sweeps its entry) while another guest keeps the network.
killed_guests_forwards_go() {
	local a b rc=0
	guest_bg a "${MODE[@]}" -- sh -c "echo $ADDR >$tmp/a.addr; $HOLD"
	a=$bg
	ready a || { stop $a; return 1; }
	serving b "${MODE[@]}" --forward tcp:8082:80 || { stop $bg; stop $a; return 1; }
	b=$bg
	asks "$NS_WAN" tcp $HOST_IP 8082 "hello $WAN_IP" || rc=1
	kill -KILL $b
	wait $b 2>/dev/null
	[ $rc = 0 ] && { wait_for 150 no_dnats ||
		{ why="the killed guest's forward is left: $(dnats) DNAT rules"; rc=1; }; }
	[ $rc = 0 ] && asks "$NS_HOST" tcp 127.0.0.1 8082 none || rc=1
	touch "$tmp/go"
	wait $a || { [ $rc = 1 ] || why="guest a: exit status $?"; rc=1; }
	[ $rc = 0 ] && leftovers
}

# --ip is what the guest gets, also when it detaches and attaches again
# (another MAC each time) while the network lives on (guest a holds it):
# the lease of the one that left is not in the way.
fixed_address_again_after_reattach() {
	local a rc=0 i
	guest_bg a "${MODE[@]}" -- sh -c "echo $ADDR >$tmp/a.addr; $HOLD"
	a=$bg
	ready a || { stop $a; return 1; }
	for i in 1 2 3; do
		guest 0 "${MODE[@]}" --ip 10.123.0.60 -- sh -c "echo addr=$ADDR" &&
			has out "addr=10.123.0.60$" || { rc=1; break; }
	done
	touch "$tmp/go"
	wait $a || { [ $rc = 1 ] || why="guest a: exit status $?"; rc=1; }
	[ $rc = 0 ] && leftovers
}

setup ns_up

tcase forwards_reach_the_guest forwards_reach_the_guest
tcase collisions_are_refused collisions_are_refused
tcase killed_guests_forwards_go killed_guests_forwards_go
tcase fixed_address_again_after_reattach fixed_address_again_after_reattach

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
