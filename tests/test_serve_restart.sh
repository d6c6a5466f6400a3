#!/bin/bash
# SPDX-License-Identifier: MIT
# test_serve_restart.sh - squib-net serve SIGKILLed and started again: its
# clients' guests go on. The service runs in the "host" namespace of
# scripts/netns.sh; a VMM stand-in (tests/tap_pair under squib-net run, in
# a guest namespace of the test's own) holds its TAP fd and relays it to
# the guest's eth0, which pings the gateway all along; a raw client holds
# another TAP by its connection; a stream client (tests/stream_peer, a
# guest's MAC) pings the gateway through the network's stream socket.
# After the restart: no ping lost beyond a few, the TAP and the bridge the
# same links (ifindex), dnsmasq the same process, the guest's lease the
# same, status lists both attachments under their ids, new ids follow; the
# stream client connects again by itself, gets the same lease and pings
# on; each goes when its holder ends; SIGTERM leaves nothing. A named TAP
# that its owner has open is adopted too; one nobody has open is swept.
# And a service killed whose clients then end: the network goes with the
# last TAP, and the next service starts clean.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
CLIENT=$(realpath "$B/tests/svc_client")
PAIR=$(realpath "$B/tests/tap_pair")
PEER=$(realpath "$B/tests/stream_peer")
NS_TAG=tsr$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_serve_restart
. tests/lib.sh
NS_G=$NS_TAG-g
GW=10.125.0.1
LEASE='10\.125\.0\.'
SOCK=$tmp/control
STREAM=$tmp/sqn-shared.sock
SMAC=52:54:00:5e:00:01 # the stream client's guest's
spid=
trap 'serve_kill; ip netns del "$NS_G" 2>/dev/null; suite_down' EXIT

cat >"$tmp/serve.conf" <<EOF
[network sqn-shared]
mode shared
subnet $GW/24
dns-upstream none
EOF
: >"$tmp/acl.conf" # root only
# udhcpc's script in the guest: the lease on eth0, its address in
# $tmp/lease.
cat >"$tmp/dhcp.sh" <<EOF
#!/bin/sh
case "\$1" in
bound|renew)
	ip addr flush dev "\$interface"
	ip addr add "\$ip/\$mask" dev "\$interface"
	echo "\$ip" >"$tmp/lease" ;;
esac
EOF
chmod 755 "$tmp/dhcp.sh"

G= # the socket keeps root's group: root is the only client
. tests/serve_lib.sh
serve_sigkill() {
	kill -KILL "$spid"
	wait "$spid" 2>/dev/null
	spid=
}
# (Not for CMD &: $! would be a subshell's; background commands use ip
# netns exec themselves, so that $! is theirs.)
in_guest() { ip netns exec "$NS_G" "$@"; }
ifindex() { in_host ip -o link show dev "$1" 2>/dev/null | cut -d: -f1; }
status() { in_host "$PROG" status --socket "$SOCK" >"$tmp/status" 2>"$tmp/err"; }
status_json() { in_host "$PROG" status --json --socket "$SOCK" >"$tmp/json" 2>"$tmp/err"; }
# json_has TEXT: status (JSON) says TEXT now.
json_has() { status_json && grep -q -- "$1" "$tmp/json"; }
json_lacks() { status_json && ! grep -q -- "$1" "$tmp/json"; }
# status_has TEXT: status says TEXT, within 10 s; status_lacks: no more.
status_has() {
	wait_for 100 json_has "$1" && return 0
	why="status lacks \"$1\": $(sed 's/.*"attachments":\[//' "$tmp/json" | cut -c1-3000)"
	return 1
}
status_lacks() {
	wait_for 100 json_lacks "$1" && return 0
	why="status still has \"$1\""
	return 1
}
dnsmasq_pid() { ns_procs "$NS_HOST" dnsmasq; }
replies() { grep -c "bytes from" "$tmp/ping.out"; }
# replies_past N: the guest's ping had more than N replies.
replies_past() { [ "$(replies)" -gt "$1" ]; }

# vmm_start: the VMM stand-in in the guest namespace, through squib-net
# run (hold process: the attachment lives as long as it); eth0 up with a
# lease. Its pid in $vmm.
vmm_start() {
	rm -f "$tmp/ready" "$tmp/lease"
	ip netns exec "$NS_G" "$PROG" run --socket "$SOCK" --no-vnet-hdr --label vmm -- \
		"$PAIR" 3 eth0 "$tmp/ready" >"$tmp/vmm.out" 2>&1 &
	vmm=$!
	pids+=($vmm)
	wait_for 100 test -e "$tmp/ready" || { why="no VMM: $(cat "$tmp/vmm.out")"; return 1; }
	in_guest ip link set lo up && in_guest ip link set eth0 up || return 1
	dhcp || return 1
}
# dhcp: a lease for the guest's eth0 (a new DISCOVER each time).
dhcp() {
	rm -f "$tmp/lease"
	in_guest busybox udhcpc -i eth0 -q -n -t 10 -T 1 -s "$tmp/dhcp.sh" >"$tmp/dhcp.out" 2>&1
	grep -q "^$LEASE" "$tmp/lease" 2>/dev/null && return 0
	why="no lease: $(tr '\n' ' ' <"$tmp/dhcp.out")"
	return 1
}

# stream NAME STEP...: tests/stream_peer on the network's stream socket,
# with the stream client's MAC, in the background; its pid in $bg.
stream() {
	local name=$1
	shift
	ip netns exec "$NS_HOST" "$PEER" "$STREAM" --mac $SMAC "$@" >"$tmp/$name.out" 2>&1 &
	bg=$!
	pids+=($bg)
}

# stream_replies: the replies the stream client has counted so far.
stream_replies() { sed -n 's/^replies //p' "$tmp/s1.out" | tail -1; }
# stream_leases N: it has had N leases.
stream_leases() { [ "$(grep -c "^lease " "$tmp/s1.out")" = "$1" ]; }
# stream_past N: it has counted more than N.
stream_past() { [ "$(stream_replies)" -gt "$1" ] 2>/dev/null; }

# SIGKILL while the guest pings the gateway every 20 ms and the stream
# client does too; the service started again adopts its TAP; the guest's
# pings go on. The stream client loses its connection, connects again,
# gets the same lease by its MAC and pings on.
restart_loses_no_guest() {
	local tap bridge_ix tap_ix dns lease id cid ctap n sent got ping new s1 slease
	serve_start || return 1
	vmm_start || return 1
	lease=$(cat "$tmp/lease")
	# A second client whose attachment is held by its connection.
	ip netns exec "$NS_HOST" "$CLIENT" "$SOCK" --send '{"v":1,"op":"attach","network":"shared","label":"conn"}' \
		--hold >"$tmp/c.out" 2>&1 &
	cid=$!
	pids+=($cid)
	wait_for 100 grep -q "^held" "$tmp/c.out" || { why="client: $(cat "$tmp/c.out")"; return 1; }
	ctap=$(sed -n 's/^tap //p' "$tmp/c.out")
	stream s1 --dhcp --transfer $GW
	s1=$bg
	has_in s1 "^replies 25\$" || return 1
	slease=$(sed -n 's/^lease //p' "$tmp/s1.out")
	status_has '"kind":"stream"' || return 1
	status_has '"label":"vmm"' || return 1
	tap=$(sed 's/},{/}\n{/g' "$tmp/json" | grep '"label":"vmm"' | sed 's/.*"tap":"\([^"]*\)".*/\1/')
	id=$(sed 's/},{/}\n{/g' "$tmp/json" | grep '"label":"vmm"' | sed 's/.*"id":\([0-9]*\).*/\1/')
	[ -n "$tap" ] && [ -n "$id" ] || { why="no TAP or id in status"; return 1; }
	tap_ix=$(ifindex "$tap")
	bridge_ix=$(ifindex sqn-shared)
	dns=$(dnsmasq_pid)
	ip netns exec "$NS_G" busybox ping -i 0.02 "$GW" >"$tmp/ping.out" 2>&1 &
	ping=$!
	pids+=($ping)
	wait_for 100 replies_past 20 || { why="no pings through: $(tail -3 "$tmp/ping.out")"; return 1; }
	# Both transfer at the kill.
	n=$(stream_replies)
	wait_for 100 stream_past "$n" || { why="the stream client's pings stopped before the kill"; return 1; }
	serve_sigkill
	n=$(replies)
	# With no service at all, the guest's traffic goes on.
	wait_for 100 replies_past $((n + 20)) || { why="pings stopped with the service: $(tail -2 "$tmp/ping.out")"; return 1; }
	# The stream client's connection went with the service.
	has_in s1 "^closed" || return 1
	serve_start || return 1
	logged "attachment $id (uid 0, $tap on sqn-shared, pid $vmm): adopted" || return 1
	# It connects again by itself: the same MAC, the same lease, and its
	# pings go on.
	has_in s1 "^reconnected" || return 1
	wait_for 350 stream_leases 2 && [ "$(grep -c "^lease $slease\$" "$tmp/s1.out")" = 2 ] ||
		{ why="stream client's leases: $(grep -v "^replies" "$tmp/s1.out" | tr '\n' ' ')"; return 1; }
	n=$(stream_replies)
	wait_for 100 stream_past $((n + 50)) || { why="the stream client's pings did not go on: $(tail -3 "$tmp/s1.out" | tr '\n' ' ')"; return 1; }
	n=$(replies)
	wait_for 100 replies_past $((n + 50)) || { why="pings stopped after the restart: $(tail -2 "$tmp/ping.out")"; return 1; }
	kill -INT $ping
	wait $ping
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$tmp/ping.out")
	got=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$tmp/ping.out")
	[ -n "$sent" ] && [ -n "$got" ] && [ $((sent - got)) -le 5 ] ||
		{ why="pings lost: $sent sent, $got received"; return 1; }
	[ "$(ifindex "$tap")" = "$tap_ix" ] && [ "$(ifindex sqn-shared)" = "$bridge_ix" ] ||
		{ why="links made again: $tap $tap_ix -> $(ifindex "$tap"), bridge $bridge_ix -> $(ifindex sqn-shared)"; return 1; }
	[ "$(dnsmasq_pid)" = "$dns" ] || { why="dnsmasq $dns, now $(dnsmasq_pid)"; return 1; }
	# The same lease, asked anew; status shows both under their ids.
	dhcp && [ "$(cat "$tmp/lease")" = "$lease" ] || { why="${why:-lease $lease, now $(cat "$tmp/lease")}"; return 1; }
	status_has "\"id\":$id,[^}]*\"tap\":\"$tap\"" && status_has "\"ip\":\"$lease\"" &&
		status_has "\"tap\":\"$ctap\"" && status_has "\"kind\":\"stream\"" || return 1
	# New ids follow the adopted ones.
	in_host "$CLIENT" "$SOCK" --send '{"v":1,"op":"attach","network":"shared"}' >"$tmp/n.out" 2>&1
	new=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$tmp/n.out" | head -1)
	[ -n "$new" ] && [ "$new" -gt "$id" ] || { why="new attachment's id ${new:-none}, adopted $id"; return 1; }
	# Each goes when its holder ends: the VMM (its TAP with it), the
	# client's process.
	stop $vmm
	logged "attachment $id .* removed" || return 1
	status_lacks "\"tap\":\"$tap\"" && wait_for 50 link_gone "$tap" || return 1
	stop $cid
	logged " $ctap on sqn-shared) removed" || return 1
	status_lacks "\"tap\":\"$ctap\"" && wait_for 50 link_gone "$ctap" || { why="${why:-$ctap left}"; return 1; }
	stop $s1
	serve_kill
	[ ! -e "$SOCK.state" ] || { why="$SOCK.state left"; return 1; }
	leftovers
}

# reply_of NAME FIELD: FIELD's value in the attach reply in $tmp/NAME.out.
reply_of() { sed -n "s/^reply .*\"$2\":\"\{0,1\}\([^\",]*\).*/\1/p" "$tmp/$1.out" | head -1; }

# A named TAP (Firecracker's, opened by name) that its VMM has open lives
# through a SIGKILL of the service, is adopted by the next under its id
# and works as before; one that nobody has open is swept (nothing holds a
# persistent TAP: the service's record of it went with the service) and
# not adopted. The adopted one goes when its holder ends.
named_tap_open_is_adopted() {
	local doc f u ft fid fix ut
	serve_start || return 1
	doc='{"v":1,"op":"attach","network":"shared","kind":"named","vnet_hdr":true,"hold":"process","label":"fc"}'
	# f holds its TAP open, as a VMM does, and pings after the restart.
	ip netns exec "$NS_HOST" "$CLIENT" "$SOCK" --send "$doc" --open - --dhcp \
		--wait-file "$tmp/go" --ping 5 --hold >"$tmp/f.out" 2>&1 &
	f=$!
	pids+=($f)
	# u holds its attachment, and nobody opens its TAP.
	ip netns exec "$NS_HOST" "$CLIENT" "$SOCK" --send "$doc" --hold >"$tmp/u.out" 2>&1 &
	u=$!
	pids+=($u)
	has_in f "^lease $LEASE" && has_in u "^held" || return 1
	ft=$(reply_of f tap)
	fid=$(reply_of f id)
	ut=$(reply_of u tap)
	fix=$(ifindex "$ft")
	[ -n "$ft" ] && [ -n "$fid" ] && [ -n "$fix" ] && [ -n "$(ifindex "$ut")" ] ||
		{ why="no named TAPs: $(cat "$tmp/f.out" "$tmp/u.out" | tr '\n' ' ')"; return 1; }
	serve_sigkill
	# The network's keeper deletes the TAP nobody has open, not the other.
	wait_for 100 link_gone "$ut" || { why="$ut, open by nobody, left 10 s after the kill"; return 1; }
	[ "$(ifindex "$ft")" = "$fix" ] || { why="$ft, open, went with the service"; return 1; }
	serve_start || return 1
	logged "attachment $fid (uid 0, $ft on sqn-shared, pid $f): adopted" &&
		logged "restart: 1 attachments adopted, 1 not" || return 1
	status_has "\"id\":$fid,[^}]*\"tap\":\"$ft\"[^}]*\"kind\":\"named\"" || return 1
	json_lacks "\"tap\":\"$ut\"" || { why="status lists $ut"; return 1; }
	# Its guest reaches the gateway through the adopted port.
	touch "$tmp/go"
	has_in f "^pong 5/5" && [ "$(ifindex "$ft")" = "$fix" ] || return 1
	stop $f
	logged "attachment $fid .* removed" && status_lacks "\"tap\":\"$ft\"" || return 1
	wait_for 50 link_gone "$ft" || { why="$ft left after its holder ended"; return 1; }
	stop $u
	serve_kill
	[ ! -e "$SOCK.state" ] || { why="$SOCK.state left"; return 1; }
	leftovers
}

# A service killed while a VMM holds its TAP: the network stays until the
# VMM ends, then goes without any service; the next one starts clean and
# its SIGTERM leaves nothing.
clients_gone_then_restart_is_clean() {
	local tap
	serve_kill
	serve_start || return 1
	vmm_start || return 1
	tap=$(in_host ip -o link show master sqn-shared | awk -F': ' '{print $2}' | cut -d@ -f1 | head -1)
	serve_sigkill
	# The keeper keeps the network while the TAP lives: the guest still
	# reaches the gateway.
	in_guest busybox ping -c 1 -w 5 "$GW" >/dev/null || { why="the network went with the service"; return 1; }
	stop $vmm
	# Its TAP went, and with it the network (no service running), the
	# killed service's anti-spoofing table with the namespace's last one.
	wait_for 100 link_gone sqn-shared || { why="sqn-shared left after its last TAP went"; return 1; }
	leftovers || return 1
	serve_start || return 1
	logged "restart: 0 attachments adopted, 1 not" || return 1
	status_json && ! grep -q '"tap"' "$tmp/json" || { why="status lists an attachment: $(cat "$tmp/json")"; return 1; }
	serve_kill
	leftovers
}

setup ns_up
ip netns add "$NS_G" || { echo "FAIL $SUITE setup: netns $NS_G"; exit 1; }
tcase restart_loses_no_guest restart_loses_no_guest
tcase named_tap_open_is_adopted named_tap_open_is_adopted
tcase clients_gone_then_restart_is_clean clients_gone_then_restart_is_clean

[ "$failed" = 0 ] || tail -40 "$tmp/log" | sed 's/^/    log: /'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
