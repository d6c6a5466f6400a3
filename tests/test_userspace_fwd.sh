#!/bin/bash
# SPDX-License-Identifier: MIT
# test_userspace_fwd.sh - userspace mode's port forwards (sqn_config.forwards):
# passt's -t/-u and the slirp helper's --forward. tests/vmm_relay runs
# the userspace attachment in the "host" namespace of scripts/netns.sh
# (whose only route leads to "wan": passt copies its addresses and DNS),
# and relays to a guest (squib-net guest --mode stream) that serves HTTP
# on port 80 and echoes UDP on port 53. The forwarded ports are reached
# from host's 127.0.0.1 and from wan at host's address. Refused: a
# forward through gvproxy (-ENOTSUP, it has none on its command line) and
# one on a host port in use (-EADDRINUSE); the relay waits for its guest
# otherwise, hence timeout.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
RELAY=$(realpath "$B/tests/vmm_relay")
NS_TAG=tuf$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_userspace_fwd
. tests/lib.sh
export SQN_SLIRP_HELPER=$(realpath "$B/squib-net-slirp-helper")
HOST_ADDR=10.99.0.2
trap suite_down EXIT

# udp_ask NS ADDR PORT: one datagram to ADDR:PORT from namespace NS; its
# echo printed ("echo-ok" when it came back the same).
udp_ask() {
	ip netns exec "$1" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(b"ping-through", (sys.argv[1], int(sys.argv[2])))
print("echo-ok" if s.recv(64) == b"ping-through" else "echo-wrong")' "$2" "$3" 2>&1
}

# forwarded HELPER GUEST_ARGS...: the relay with HELPER and forwards
# tcp:8090:80, udp:5353:53 and tcp:127.0.0.1:8091:80 (bound to host's
# loopback alone), a guest serving on 80 and 53; its page fetched from
# host (127.0.0.1 and its own address) and from wan, and on 8091 from
# host's 127.0.0.1 but not from wan; its echo from host.
forwarded() {
	local helper=$1 rp pid
	shift
	mkdir -p "$tmp/gwww"
	echo "hello from the guest" >"$tmp/gwww/index.html"
	rm -f "$tmp/r.pid" "$tmp/g.sock" "$tmp/up"
	in_host "$RELAY" --listen "$tmp/g.sock" --mode userspace --helper "$helper" \
		--forward tcp:8090:80 --forward udp:5353:53 --forward tcp:127.0.0.1:8091:80 \
		--pid-file "$tmp/r.pid" \
		>"$tmp/relay.out" 2>&1 &
	rp=$!
	pids+=($rp)
	wait_for 100 test -S "$tmp/g.sock" || { why="no relay socket: $(cat "$tmp/relay.out")"; stop $rp; return 1; }
	guest_bg g --mode stream --peer "$tmp/g.sock" "$@" -- sh -c "
		busybox httpd -p 80 -h $tmp/gwww;
		/usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((\"\", 53))
open(\"$tmp/up\", \"w\").close()
while True:
    d, a = s.recvfrom(64)
    s.sendto(d, a)' &
		echo $ADDR >$tmp/g.addr; $HOLD"
	pid=$bg
	ready g && wait_for 100 test -e "$tmp/up" && wait_for 100 test -s "$tmp/r.pid" ||
		{ why="${why:-no guest}: $(cat "$tmp/relay.out" "$tmp/g.err" | tr '\n' ' ')"; touch "$tmp/go"; stop $pid; stop $rp; return 1; }
	in_host timeout 10 busybox wget -q -O - http://127.0.0.1:8090/ >"$tmp/lo" 2>&1
	in_host timeout 10 busybox wget -q -O - http://$HOST_ADDR:8090/ >"$tmp/self" 2>&1
	ip netns exec "$NS_WAN" timeout 10 busybox wget -q -O - http://$HOST_ADDR:8090/ >"$tmp/wan" 2>&1
	in_host timeout 10 busybox wget -q -O - http://127.0.0.1:8091/ >"$tmp/lo1" 2>&1
	ip netns exec "$NS_WAN" timeout 10 busybox wget -q -O - http://$HOST_ADDR:8091/ >"$tmp/wan1" 2>&1
	udp_ask "$NS_HOST" 127.0.0.1 5353 >"$tmp/udp"
	touch "$tmp/go"
	wait $pid
	stop $rp
	has lo "hello from the guest" && has self "hello from the guest" &&
		has wan "hello from the guest" && has udp echo-ok && has lo1 "hello from the guest" || return 1
	! grep -q "hello" "$tmp/wan1" || { why="wan reached the forward bound to 127.0.0.1"; return 1; }
}

through_passt() {
	forwarded passt
}

through_the_slirp_helper() {
	forwarded slirp --mtu 1500
}

# gvproxy has no forwards on its command line: refused before it starts
# (whether it is installed or not), with the reason.
gvproxy_refuses_forwards() {
	in_host timeout 20 "$RELAY" --listen "$tmp/n.sock" --mode userspace --helper gvproxy \
		--forward tcp:8090:80 >"$tmp/out" 2>&1
	[ $? = 1 ] && has out "forwards: gvproxy takes port forwards only at run time"
}

# A host port in use (netns.sh's server on 127.0.0.1:8080) is refused
# before the helper starts, named; so are two forwards of one port.
port_in_use_is_refused() {
	local h
	for h in passt slirp; do
		rm -f "$tmp/n.sock"
		in_host timeout 20 "$RELAY" --listen "$tmp/n.sock" --mode userspace --helper $h \
			--forward tcp:127.0.0.1:8080:80 >"$tmp/out" 2>&1
		[ $? = 1 ] && has out "forwards\[0\]: tcp 127.0.0.1:8080: the host's port: Address already in use" || return 1
		rm -f "$tmp/n.sock"
		in_host timeout 20 "$RELAY" --listen "$tmp/n.sock" --mode userspace --helper $h \
			--forward udp:5353:53 --forward udp:127.0.0.1:5353:54 >"$tmp/out" 2>&1
		[ $? = 1 ] && has out "forwards\[1\]: udp port 5353 is forwarded by forwards\[0\] already" || return 1
	done
	[ -z "$(ns_procs "$NS_HOST" passt)" ] || { why="passt left: $(ns_procs "$NS_HOST" passt)"; return 1; }
}

setup ns_up
chmod 755 "$tmp"

tcase through_passt through_passt
tcase through_the_slirp_helper through_the_slirp_helper
tcase gvproxy_refuses_forwards gvproxy_refuses_forwards
tcase port_in_use_is_refused port_in_use_is_refused

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
