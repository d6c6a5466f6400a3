#!/bin/bash
# SPDX-License-Identifier: MIT
# test_serve_fwd.sh - squib-net serve's port forwards and fixed addresses,
# in the "host" namespace of scripts/netns.sh (wan beyond it): a VMM
# stand-in (tests/tap_pair under squib-net run, in a guest namespace of the
# test's own) asks for a fixed address and gets it by DHCP; a forward added
# at runtime (squib-net forward add) reaches the guest's TCP and UDP
# servers from wan and from the host (its own address and 127.0.0.1), and
# is gone once removed; one given at attach (run --forward) works at once;
# a colliding one is refused with why; the ACL refuses another user's
# attachment and a user without the forward right; forwards and the
# reservation go with the attachment.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
CLIENT=$(realpath "$B/tests/svc_client")
PAIR=$(realpath "$B/tests/tap_pair")
NS_TAG=tsf$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_serve_fwd
. tests/lib.sh
chmod 755 "$tmp"
NS_G=$NS_TAG-g
GW=10.133.0.1
FIXED=10.133.0.50
HOST=10.99.0.2 # host's address towards wan (scripts/netns.sh)
MAC=52:54:00:0f:0d:01
G=4300 # the socket's group
U=4301 # may attach and forward
V=4302 # may attach, not forward
SOCK=$tmp/control
spid=
vmm=
declare -A holds
trap 'serve_kill; ip netns del "$NS_G" 2>/dev/null; suite_down' EXIT

cat >"$tmp/serve.conf" <<EOF
[network sqn-shared]
mode shared
subnet $GW/24
dns-upstream none
EOF
printf 'allow uid:%s shared forward\nallow uid:%s shared\n' $U $V >"$tmp/acl.conf"
# udhcpc's script in the guest: the lease on eth0, its address in
# $tmp/lease.
cat >"$tmp/dhcp.sh" <<EOF
#!/bin/sh
case "\$1" in
bound|renew)
	ip addr flush dev "\$interface"
	ip addr add "\$ip/\$mask" dev "\$interface"
	ip route add default via "\$router" dev "\$interface"
	echo "\$ip" >"$tmp/lease" ;;
esac
EOF
chmod 755 "$tmp/dhcp.sh"
mkdir -p "$tmp/www"
echo "hello from the guest" >"$tmp/www/index.html"

. tests/serve_lib.sh

in_guest() { ip netns exec "$NS_G" "$@"; }
# fwd UID ARGS...: squib-net forward ARGS as UID (0: root), output in
# $tmp/fwd.out and $tmp/fwd.err; its exit status.
fwd() {
	local u=$1
	shift
	if [ "$u" = 0 ]; then
		in_host "$PROG" forward --socket "$SOCK" "$@" >"$tmp/fwd.out" 2>"$tmp/fwd.err"
	else
		as "$u" "$PROG" forward --socket "$SOCK" "$@" >"$tmp/fwd.out" 2>"$tmp/fwd.err"
	fi
}
status_json() { in_host "$PROG" status --json --socket "$SOCK" >"$tmp/json" 2>"$tmp/err"; }
json_has() { status_json && grep -q -- "$1" "$tmp/json"; }
json_lacks() { status_json && ! grep -q -- "$1" "$tmp/json"; }
status_has() {
	wait_for 100 json_has "$1" && return 0
	why="status lacks \"$1\": $(sed 's/.*"attachments":\[//' "$tmp/json" | cut -c1-1500)"
	return 1
}
status_lacks() {
	wait_for 100 json_lacks "$1" && return 0
	why="status still has \"$1\""
	return 1
}
# fetch NS URL: the page, 3 s at most.
# (busybox wget -T crashes: timeout instead)
fetch() { ip netns exec "$1" timeout 3 busybox wget -q -O - "$2" 2>/dev/null; }
# page_from NS URL: NS gets the guest's page at URL (10 s at most).
got_page() { [ "$(fetch "$1" "$2")" = "hello from the guest" ]; }
page_from() {
	wait_for 30 got_page "$1" "$2" && return 0
	why="$1 did not get the guest's page at $2: $(fetch "$1" "$2" | head -c 200)"
	return 1
}
no_page_from() {
	! got_page "$1" "$2" && return 0
	why="$1 still gets the guest's page at $2"
	return 1
}
# udp_to NS ADDR PORT WORD: WORD sent from NS reaches the guest's UDP
# server (its log, $tmp/udp.log), 10 s at most.
udp_sent() {
	# one datagram a try: the one before may still be on its way
	grep -q "$4" "$tmp/udp.log" && return 0
	ip netns exec "$1" python3 -c "$UDP_SEND" "$2" "$3" "$4" || return 1
	grep -q "$4" "$tmp/udp.log"
}
udp_to() {
	wait_for 50 udp_sent "$@" && return 0
	why="$4 from $1 to $2:$3 did not reach the guest's UDP server (it has: $(tr '\n' ' ' <"$tmp/udp.log"); listening: $(ip netns exec "$NS_G" ss -Hlun | tr '\n' ' '))"
	return 1
}
# reserved MAC: the network's dnsmasq hosts file has a reservation for MAC.
reserved() { grep -qis -- "$1" /run/squib-net/net-"$NS_HOST_INO"/*/dnsmasq.hosts; }
not_reserved() { ! reserved "$1"; }
# dnat_rules: the lines of the network's table that name the guest's
# fixed address (its forwards' DNAT).
dnat_rules() { in_host nft list table ip squib-net-sqn-shared 2>/dev/null | grep -c "dnat.*$FIXED"; }

# vmm ARGS...: the VMM stand-in in the guest namespace through squib-net
# run ARGS (hold process), with eth0 up on MAC $MAC; pid in $vmm, then a
# lease (in $tmp/lease).
vmm() {
	rm -f "$tmp/ready" "$tmp/lease"
	ip netns exec "$NS_G" "$PROG" run --socket "$SOCK" --no-vnet-hdr --mac $MAC --label vmm "$@" -- \
		sh -c "echo SQN_IP=\$SQN_IP >$tmp/env; exec $PAIR 3 eth0 $tmp/ready" >"$tmp/vmm.out" 2>&1 &
	vmm=$!
	pids+=($vmm)
	wait_for 100 test -e "$tmp/ready" || { why="no VMM: $(cat "$tmp/vmm.out")"; return 1; }
	in_guest ip link set lo up && in_guest ip link set eth0 address $MAC &&
		in_guest ip link set eth0 up || return 1
	dhcp
}
dhcp() {
	rm -f "$tmp/lease"
	in_guest busybox udhcpc -i eth0 -q -n -t 10 -T 1 -x hostname:webguest \
		-s "$tmp/dhcp.sh" >"$tmp/dhcp.out" 2>&1
	[ -s "$tmp/lease" ] && return 0
	why="no lease: $(tr '\n' ' ' <"$tmp/dhcp.out")"
	return 1
}
release_all() {
	local n
	for n in "${!holds[@]}"; do
		stop "${holds[$n]}"
	done
	holds=()
}
vmm_stop() {
	[ -n "$vmm" ] && stop "$vmm"
	vmm=
	return 0
}
UDP_SERVER='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", 53))
while True:
    d, a = s.recvfrom(512)
    with open(sys.argv[1], "a") as f:
        f.write(d.decode(errors="replace").strip() + " " + a[0] + "\n")
'
UDP_SEND='
import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
    sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
'
# servers: the guest's web server on port 80 and UDP server on 53.
servers() {
	: >"$tmp/udp.log"
	ip netns exec "$NS_G" busybox httpd -f -p 80 -h "$tmp/www" &
	pids+=($!)
	# every datagram, from whoever (busybox nc -u -l answers one peer)
	ip netns exec "$NS_G" python3 -c "$UDP_SERVER" "$tmp/udp.log" &
	pids+=($!)
	ns_wait "$NS_G" ss -Hltn "sport = :80" && ns_wait "$NS_G" ss -Hlun "sport = :53" ||
		{ why="no servers in the guest"; return 1; }
}
servers_stop() {
	local p
	for p in $(ns_procs "$NS_G" busybox) $(ns_procs "$NS_G" python3); do
		stop "$p"
	done
	return 0
}

# --ip: the guest's DHCP lease is the fixed address, status says so; while
# the attachment lives another MAC cannot have it, and afterwards it can.
fixed_address_through_the_service() {
	serve_start || return 1
	vmm --ip $FIXED || return 1
	[ "$(cat "$tmp/lease")" = $FIXED ] || { why="lease $(cat "$tmp/lease"), not $FIXED"; return 1; }
	status_has "\"fixed_ip\":\"$FIXED\"" || return 1
	# the name it gave DHCP
	status_has '"hostname":"webguest"' || return 1
	in_host "$PROG" status --socket "$SOCK" >"$tmp/status" 2>&1
	grep -q "name webguest.sqn-shared, fixed address $FIXED" "$tmp/status" ||
		{ why="status: $(cat "$tmp/status")"; return 1; }
	grep -q "^SQN_IP=$FIXED\$" "$tmp/env" || { why="the VMM's environment: $(cat "$tmp/env")"; return 1; }
	# another MAC asking for it
	client other 0 --send "{\"v\":1,\"op\":\"attach\",\"network\":\"shared\",\"mac\":\"52:54:00:0f:0d:02\",\"ip\":\"$FIXED\"}"
	has_in other '"errno":98' || return 1
	# again after the attachment went: the same address, for the same MAC
	vmm_stop
	status_lacks '"label":"vmm"' || return 1
	vmm --ip $FIXED || return 1
	[ "$(cat "$tmp/lease")" = $FIXED ] || { why="lease after again $(cat "$tmp/lease")"; return 1; }
	reserved $MAC || { why="no reservation for $MAC in the hosts file"; return 1; }
	vmm_stop
	status_lacks '"label":"vmm"' || return 1
	wait_for 50 not_reserved $MAC || { why="the reservation for $MAC stayed"; return 1; }
	serve_kill
	leftovers
}

# forward add at runtime: reachable from wan, from the host's own address
# and from 127.0.0.1, TCP and UDP; listed; a collision refused with why;
# forward remove: gone.
runtime_forward_add_remove() {
	serve_start || return 1
	vmm || return 1
	servers || return 1
	lease=$(cat "$tmp/lease")
	# by label, as root
	fwd 0 add shared vmm tcp:8081:80 || { why="forward add: $(cat "$tmp/fwd.err")"; return 1; }
	fwd 0 add sqn-shared vmm udp:5353:53 || { why="forward add udp: $(cat "$tmp/fwd.err")"; return 1; }
	# bound to the guest's address it had
	status_has "\"fixed_ip\":\"$lease\"" || return 1
	status_has '"forwards":\[{"proto":"tcp","addr":"","host_port":8081,"guest_port":80},{"proto":"udp"' || return 1
	page_from "$NS_WAN" "http://$HOST:8081/" || return 1
	page_from "$NS_HOST" "http://$HOST:8081/" || return 1
	page_from "$NS_HOST" "http://127.0.0.1:8081/" || return 1
	udp_to "$NS_WAN" $HOST 5353 from-wan || return 1
	udp_to "$NS_HOST" 127.0.0.1 5353 from-host || return 1
	fwd 0 list shared && grep -q "vmm *tcp:8081:80" "$tmp/fwd.out" && grep -q "udp:5353:53" "$tmp/fwd.out" ||
		{ why="forward list: $(cat "$tmp/fwd.out" "$tmp/fwd.err")"; return 1; }
	in_host "$PROG" status --socket "$SOCK" >"$tmp/status" 2>&1
	grep -q "forwards tcp:8081:80 udp:5353:53" "$tmp/status" || { why="status: $(cat "$tmp/status")"; return 1; }
	# collisions: the same port again, a port the host uses (its web
	# server on 127.0.0.1:8080, scripts/netns.sh)
	! fwd 0 add shared vmm tcp:8081:81 && grep -q "8081" "$tmp/fwd.err" ||
		{ why="a second tcp:8081: $(cat "$tmp/fwd.err")"; return 1; }
	! fwd 0 add shared vmm tcp:8080:80 && grep -qi "in use" "$tmp/fwd.err" ||
		{ why="tcp:8080, in use on the host: $(cat "$tmp/fwd.err")"; return 1; }
	# remove: gone from wan and the host
	fwd 0 remove shared vmm tcp:8081 || { why="forward remove: $(cat "$tmp/fwd.err")"; return 1; }
	no_page_from "$NS_WAN" "http://$HOST:8081/" && no_page_from "$NS_HOST" "http://127.0.0.1:8081/" || return 1
	status_lacks '"host_port":8081' || return 1
	! fwd 0 remove shared vmm tcp:8081 && grep -q "no such forward" "$tmp/fwd.err" ||
		{ why="removed twice: $(cat "$tmp/fwd.err")"; return 1; }
	servers_stop
	vmm_stop
	serve_kill
	leftovers
}

# run --forward: the forward is there from the attach on, to the fixed
# address; the VMM's end takes it and the reservation with it.
forwards_go_with_the_attachment() {
	serve_start || return 1
	vmm --ip $FIXED --forward tcp:8082:80 || return 1
	servers || return 1
	page_from "$NS_WAN" "http://$HOST:8082/" || return 1
	[ "$(dnat_rules)" -gt 0 ] || { why="no DNAT rule to $FIXED"; return 1; }
	vmm_stop
	status_lacks '"label":"vmm"' || return 1
	no_page_from "$NS_WAN" "http://$HOST:8082/" || return 1
	[ "$(dnat_rules)" = 0 ] || { why="DNAT rules to $FIXED left: $(dnat_rules)"; return 1; }
	# the reservation went too
	wait_for 50 not_reserved $MAC || { why="the reservation for $MAC stayed"; return 1; }
	servers_stop
	serve_kill
	leftovers
}

# The ACL: U (allow ... forward) may forward to its own attachment, not to
# another's; V (allow without forward) may not, neither at runtime nor at
# attach.
acl_decides_who_forwards() {
	local uid vid
	serve_start || return 1
	client_bg u $U --send '{"v":1,"op":"attach","network":"shared","mac":"52:54:00:0f:0d:04","label":"u"}' --hold
	client_bg v $V --send '{"v":1,"op":"attach","network":"shared","mac":"52:54:00:0f:0d:05","label":"v"}' --hold
	has_in u "^held" && has_in v "^held" || return 1
	uid=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$tmp/u.out" | head -1)
	vid=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$tmp/v.out" | head -1)
	fwd $U add shared "$uid" tcp:8083:80 || { why="U's own: $(cat "$tmp/fwd.err")"; return 1; }
	status_has '"host_port":8083' || return 1
	# a privileged port: U could not bind it, so it may not catch it
	! fwd $U add shared "$uid" tcp:22:22 && grep -q "host port 22 is privileged" "$tmp/fwd.err" ||
		{ why="U forwarded port 22: $(cat "$tmp/fwd.err")"; return 1; }
	# another user's attachment
	! fwd $U add shared "$vid" tcp:8084:80 && grep -q "only it or root" "$tmp/fwd.err" ||
		{ why="U on V's: $(cat "$tmp/fwd.err")"; return 1; }
	# without the right, on its own attachment
	! fwd $V add shared "$vid" tcp:8085:80 && grep -q "no allow line for network sqn-shared with \"forward\"" "$tmp/fwd.err" ||
		{ why="V: $(cat "$tmp/fwd.err")"; return 1; }
	! fwd $V remove shared "$uid" tcp:8083 || { why="V removed U's forward"; return 1; }
	# nor at attach
	client va $V --send '{"v":1,"op":"attach","network":"shared","mac":"52:54:00:0f:0d:06","forwards":[{"proto":"tcp","host_port":8086,"guest_port":80}]}'
	has_in va '"error":"EACCES"' || return 1
	status_lacks '"host_port":8084' && status_lacks '"host_port":8085' && status_lacks '"host_port":8086' &&
		status_lacks '"host_port":22,' || return 1
	# U's forward goes with its client
	release u
	status_lacks '"host_port":8083' || return 1
	release v
	serve_kill
	leftovers
}

# A service SIGKILLed and started again adopts the attachment with its
# fixed address and forwards: status lists them, they work, and they can
# be removed.
forwards_survive_a_restart() {
	serve_start || return 1
	vmm --forward tcp:8087:80 || return 1
	servers || return 1
	page_from "$NS_WAN" "http://$HOST:8087/" || return 1
	kill -KILL "$spid"
	wait "$spid" 2>/dev/null
	spid=
	serve_start || return 1
	logged "adopted" || return 1
	status_has '"host_port":8087' && status_has "\"fixed_ip\":\"$(cat "$tmp/lease")\"" || return 1
	page_from "$NS_WAN" "http://$HOST:8087/" || return 1
	fwd 0 remove shared vmm tcp:8087 || { why="forward remove: $(cat "$tmp/fwd.err")"; return 1; }
	no_page_from "$NS_WAN" "http://$HOST:8087/" || return 1
	servers_stop
	vmm_stop
	status_lacks '"label":"vmm"' || return 1
	serve_kill
	leftovers
}

setup ns_up
ip netns add "$NS_G" || { echo "FAIL $SUITE setup: netns $NS_G"; exit 1; }
# CASES="a b" runs only those (by hand, to look at one)
for c in fixed_address_through_the_service runtime_forward_add_remove \
	forwards_go_with_the_attachment acl_decides_who_forwards \
	forwards_survive_a_restart; do
	[ -z "${CASES:-}" ] || [[ " $CASES " == *" $c "* ]] || continue
	tcase $c $c
	servers_stop
	vmm_stop
	release_all
done

[ "$failed" = 0 ] || tail -40 "$tmp/log" | sed 's/^/    log: /'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
