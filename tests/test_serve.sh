#!/bin/bash
# SPDX-License-Identifier: MIT
# test_serve.sh - squib-net serve in the "host" namespace of scripts/netns.sh
# ("wan" beyond it), its clients unprivileged users (setpriv with numeric
# ids, no account added) speaking through tests/svc_client: attach and a
# DHCP lease through the TAP it hands over, the ACL's refusals, hostile
# requests, the holds (connection, process, parent), dnsmasq killed, 200
# cycles with flat fds and RSS, SIGTERM, SIGKILL and a restart that adopts
# the client's TAP, SIGHUP,
# socket activation and sd_notify readiness.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
CLIENT=$(realpath "$B/tests/svc_client")
NS_TAG=tsv$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_serve
. tests/lib.sh
# The unprivileged clients reach the socket through $tmp.
chmod 755 "$tmp"
G=4200   # the socket's group
U=4242   # allowed (by uid), in the group
D=4343   # allowed and denied: deny wins
M=4646   # allowed, at most 2 attachments
H=4545   # allowed only after a SIGHUP
O=4444   # not in the group
GW=10.123.0.1
LEASE='10\.123\.0\.'
SOCK=$tmp/control
spid=
declare -A holds
trap 'serve_kill; suite_down' EXIT

LATE=$NS_TAG-l # no such link at the start (then a veth, to $NS_TAG-lp)
cat >"$tmp/serve.conf" <<EOF
# the test's network, which no query leaves
[network sqn-shared]
mode shared
subnet $GW/24
dns-upstream none
# down until $LATE exists
[network sqn-late]
mode shared
subnet 10.124.0.1/24
nat-iface $LATE
dns-upstream none
EOF
acl() {
	cat >"$tmp/acl.conf" <<-EOF
		allow uid:$U shared
		allow uid:$U sqn-late
		allow uid:$D sqn-shared
		deny uid:$D all
		allow uid:$M shared
		max-attachments uid:$M 2
		$1
	EOF
}

. tests/serve_lib.sh

taps() { in_host ip -o link show | awk -F': ' '$2 ~ /^sqn-t/ {print $2}' | sort; }
# taps_are LIST: the TAPs now are LIST (for wait_for, which must look again
# each time, not at a list expanded once).
taps_are() { [ "$(taps)" = "$1" ]; }
tap_of() { sed -n 's/^tap //p' "$tmp/$1.out" | head -1; }
ATTACH='{"v":1,"op":"attach","network":"shared","label":"t"}'
attach_doc() { echo "{\"v\":1,\"op\":\"attach\",\"network\":\"shared\",\"hold\":\"$1\"}"; }

# Missing and broken config files: no start, the file and line named.
config_errors_refuse_the_start() {
	printf '[network sqn-shared]\nmode shared\nsubnet 10.1.2.3/40\n' >"$tmp/bad.conf"
	in_host "$PROG" serve --config "$tmp/bad.conf" --socket "$SOCK" 2>"$tmp/err"
	[ $? = 1 ] && has err "bad.conf:1: network sqn-shared: subnet" || return 1
	printf 'socket %s\nfrobnicate yes\n' "$SOCK" >"$tmp/bad.conf"
	in_host "$PROG" serve --config "$tmp/bad.conf" 2>"$tmp/err"
	[ $? = 1 ] && has err "bad.conf:2: unknown setting frobnicate" || return 1
	in_host "$PROG" serve --config "$tmp/none.conf" --socket "$SOCK" 2>"$tmp/err"
	[ $? = 1 ] && has err "none.conf: No such file" || return 1
	in_host "$PROG" serve --frob 2>"$tmp/err"
	has err "unknown option: --frob" || return 1
	in_host "$PROG" serve --socket 2>"$tmp/err"
	has err "--socket needs a value" || return 1
	[ ! -e "$SOCK" ] && leftovers
}

# An allowed user gets a TAP that is a port of the bridge, and a lease
# through its fd; status shows it; it goes with the connection.
attach_gives_a_working_tap() {
	local tap
	client_bg a $U --send "$ATTACH" --dhcp --hold
	has_in a "^lease $LEASE" && has_in a held || return 1
	tap=$(tap_of a)
	case $tap in sqn-t*) ;; *) why="TAP named $tap"; return 1 ;; esac
	in_host ip -o link show master sqn-shared >"$tmp/ports"
	has ports ": $tap" || return 1
	as $U "$PROG" status --socket "$SOCK" >"$tmp/status" 2>"$tmp/err" &&
		has status "^sqn-shared *shared *10.123.0.0/24 *up *running" &&
		has status " $tap .* $U .*$(sed -n 's/^lease //p' "$tmp/a.out")" || return 1
	as $U "$PROG" status --json --socket "$SOCK" >"$tmp/json" 2>"$tmp/err" &&
		has json '"dnsmasq_state":"running"' && has json "\"tap\":\"$tap\"" &&
		has json '"rx_packets":[1-9]' || return 1
	release a
	wait_for 10 link_gone "$tap" || { why="$tap still there 1 s after its connection closed"; return 1; }
	logged "removed: its connection closed"
}

# Outside the socket's group: connect() refused by the kernel. A denied
# uid, and one over its max-attachments: the reason, logged, nothing made.
refusals_say_why_and_make_nothing() {
	local before
	before=$(taps)
	in_host setpriv --reuid $O --regid $O --clear-groups --inh-caps=-all \
		"$CLIENT" "$SOCK" --send "$ATTACH" >"$tmp/o.out" 2>&1
	[ $? = 3 ] && has o.out "connect: Permission denied" || return 1
	in_host setpriv --reuid $O --regid $O --clear-groups --inh-caps=-all \
		"$PROG" status --socket "$SOCK" >/dev/null 2>"$tmp/err"
	[ $? = 1 ] && has err "Permission denied" || return 1
	client d $D --send "$ATTACH"
	has d.out '"ok":false' && has d.out '"error":"EACCES"' && has d.out "$D" || return 1
	logged "uid $D pid [0-9]*: refused (EACCES)" || return 1
	client m $M --send "$ATTACH" --send "$ATTACH" --send "$ATTACH"
	[ "$(grep -c '"ok":true' "$tmp/m.out")" = 2 ] && has m.out '"error":"EDQUOT"' &&
		has m.out "uid $M has 2 attachments" || return 1
	logged "uid $M pid [0-9]*: refused (EDQUOT)" || return 1
	# The first two went with the connection.
	wait_for 30 taps_are "$before" || { why="TAPs: $(taps | tr '\n' ' '), were: $before"; return 1; }
}

# Garbage, cut and oversized packets, a wrong version, unknown members, an
# idle client: each refused, while another client keeps being served.
hostile_requests_harm_no_one() {
	client_bg idle $U --hold
	client_bg a $U --send "$ATTACH" --hold
	has_in a "^tap " && has_in idle held || return 1
	client g $U --garbage 100 --send '{"v":1,"op":"att' \
		--garbage 70000 --send '{"v":2,"op":"status"}' \
		--send '{"v":1,"op":"attach","evil":1}' --send '[]' \
		--send '{"v":1,"op":"status"}'
	[ "$(grep -c '"ok":false' "$tmp/g.out")" = 6 ] && has g.out EMSGSIZE &&
		has g.out EPROTONOSUPPORT && has g.out '"networks":\[' || return 1
	client b $U --send "$ATTACH" --dhcp
	has b.out "^lease $LEASE" && link_there "$(tap_of a)" || return 1
	kill -0 "$spid" || { why="the service died"; return 1; }
	release idle
	release a
	wait_for 10 link_gone "$(tap_of a)"
}

# A client killed: its TAP gone within 1 s.
client_sigkilled_its_tap_goes() {
	local tap
	client_bg k $U --send "$ATTACH" --hold
	has_in k "^tap " || return 1
	tap=$(tap_of k)
	kill -KILL "$bg"
	wait_for 10 link_gone "$tap" || { why="$tap still there 1 s after its client was killed"; return 1; }
}

# Hold process: the TAP outlives the connection, not the process.
hold_process() {
	local tap pid
	client_bg p $U --send "$(attach_doc process)" --close --hold
	has_in p held || return 1
	tap=$(tap_of p)
	pid=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$tmp/p.out")
	logged "uid $U pid $bg: disconnected" && link_there "$tap" &&
		logged "attachment [0-9]* on sqn-shared: $tap, .* hold process of pid $bg" || return 1
	release p
	wait_for 10 link_gone "$tap" || { why="$tap still there 1 s after its process ended"; return 1; }
	logged "its process, pid $bg, ended"
}

# Hold parent: the TAP outlives the client (a bridge helper), not its
# parent (QEMU). The client runs in a script of /bin/sh, which ends with
# it, as QEMU's "sh -c HELPER" does: the shell's parent is held. A parent
# of another uid is refused.
hold_parent() {
	local tap parent
	printf '%s\n' "'$CLIENT' '$SOCK' --send '$(attach_doc parent)'" true >"$tmp/helper.sh"
	"${AS[@]/UID/$U}" bash -c "sh '$tmp/helper.sh'; echo shell-ended; exec sleep 1000" \
		>"$tmp/pa.out" 2>&1 &
	parent=$!
	pids+=($parent)
	has_in pa "^tap " && has_in pa shell-ended || return 1
	tap=$(tap_of pa)
	logged "$tap, .* hold parent of pid $parent," && link_there "$tap" || return 1
	# status shows the holder's pid, not the helper's that has ended.
	in_host "$PROG" status --json --socket "$SOCK" >"$tmp/st.out" 2>&1
	has st.out "\"pid\":$parent," || return 1
	stop $parent
	wait_for 10 link_gone "$tap" || { why="$tap still there 1 s after the parent ended"; return 1; }
	logged "its parent, pid $parent, ended" || return 1
	# setpriv execs the client: its parent is this root shell.
	client pr $U --send "$(attach_doc parent)"
	has pr.out '"error":"EPERM"' && has pr.out "is uid 0, not uid $U"
}

# Detach by id: not by another uid; by the owner.
detach_only_by_the_owner() {
	local id
	client_bg o $U --send "$ATTACH" --hold
	has_in o "^tap " || return 1
	id=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$tmp/o.out" | head -1)
	client x $M --send "{\"v\":1,\"op\":\"detach\",\"id\":$id}"
	has x.out '"error":"EPERM"' && link_there "$(tap_of o)" || return 1
	client y $U --send "{\"v\":1,\"op\":\"detach\",\"id\":$id}"
	has y.out '"ok":true' && link_gone "$(tap_of o)" || return 1
	release o
}

# dnsmasq killed: its keeper starts it again, the service logs it, the next
# lease works.
dnsmasq_killed_is_restarted() {
	local old new
	old=$(ns_procs "$NS_HOST" dnsmasq)
	[ -n "$old" ] || { why="no dnsmasq"; return 1; }
	kill -KILL $old
	logged "dnsmasq (pid $old) ended" && logged "dnsmasq started again (pid" || return 1
	new=$(ns_procs "$NS_HOST" dnsmasq)
	[ -n "$new" ] && [ "$new" != "$old" ] || { why="dnsmasq: $old before, $new after"; return 1; }
	client l $U --send "$ATTACH" --dhcp
	has l.out "^lease $LEASE" || return 1
	as $U "$PROG" status --socket "$SOCK" >"$tmp/status" 2>"$tmp/err" &&
		has status "running (pid $new)"
}

# A network that could not be made at the start: down, with the reason,
# attaches refused with it; made at the next attach once it can be, by a
# service that has dropped its capabilities (net_admin and kill left; the
# keeper and dnsmasq it then starts get no more than its bounding set).
late_network_is_made_at_attach() {
	local dns
	has log "ready: only 1 of 2 networks up (down: sqn-late)" || return 1
	as $U "$PROG" status --socket "$SOCK" >"$tmp/status" 2>"$tmp/err" &&
		has status "^sqn-late .* down" && has status "down: .*no interface named $LATE" || return 1
	client z $U --send '{"v":1,"op":"attach","network":"sqn-late"}'
	has z.out '"error":"ENETDOWN"' && has z.out "no interface named $LATE" || return 1
	grep -E '^Cap(Eff|Prm|Bnd)' "/proc/$spid/status" >"$tmp/caps"
	has caps 'CapEff:.*0000000000001020$' && has caps 'CapPrm:.*00000000000034e0$' &&
		has caps 'CapBnd:.*00000000000034e0$' || return 1
	in_host ip link add "$LATE" type veth peer name "$NS_TAG-lp" &&
		in_host ip link set "$LATE" up || return 1
	client z $U --send '{"v":1,"op":"attach","network":"sqn-late"}' --dhcp
	has z.out '^lease 10\.124\.0\.' && logged "network sqn-late: up" || return 1
	for dns in $(ns_procs "$NS_HOST" dnsmasq); do
		grep -q "sqn-late" "/proc/$dns/cmdline" || continue
		grep -q 'CapBnd:.*00000000000034e0$' "/proc/$dns/status" ||
			{ why="dnsmasq of sqn-late: $(grep CapBnd "/proc/$dns/status")"; return 1; }
		return 0
	done
	why="no dnsmasq of sqn-late"
	return 1
}

fds() { ls "/proc/$spid/fd" | wc -l; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$spid/status"; }
# 200 attach/detach cycles: the service's descriptors and memory flat.
cycles_leave_fds_and_rss_flat() {
	local f0 r0 f1 r1
	# As many cycles first: memory the service touches once (a buffer's
	# pages, malloc's arenas) is in r0; a leak grows with every cycle.
	as $U "$CLIENT" "$SOCK" --cycles 200 "$ATTACH" >"$tmp/c.out" 2>&1 || { why=$(cat "$tmp/c.out"); return 1; }
	f0=$(fds) r0=$(rss)
	as $U "$CLIENT" "$SOCK" --cycles 200 "$ATTACH" >"$tmp/c.out" 2>&1 || { why=$(cat "$tmp/c.out"); return 1; }
	f1=$(fds) r1=$(rss)
	has c.out "^cycles 200$" || return 1
	[ "$f1" = "$f0" ] || { why="descriptors: $f0 before, $f1 after"; return 1; }
	[ $((r1 - r0)) -le 512 ] || { why="VmRSS: $r0 kB before, $r1 kB after"; return 1; }
	[ -z "$(taps)" ] || { why="TAPs left: $(taps | tr '\n' ' ')"; return 1; }
}

# The default network's keeper and dnsmasq, made at the start, hold no
# more than dnsmasq needs (the bounding set cut before they are made) and
# none of the service's environment (a fixed PATH only).
keepers_hold_only_what_dnsmasq_needs() {
	local p n=0
	for p in $(ns_procs "$NS_HOST" sqn-keeper) $(ns_procs "$NS_HOST" dnsmasq); do
		n=$((n + 1))
		grep -q 'CapBnd:.*00000000000034e0$' "/proc/$p/status" ||
			{ why="$(cat "/proc/$p/comm") $p: $(grep CapBnd "/proc/$p/status")"; return 1; }
		tr '\0' '\n' <"/proc/$p/environ" | grep -v '^PATH=\|^[A-Z]*SAN_OPTIONS=' >"$tmp/env"
		[ ! -s "$tmp/env" ] || { why="$(cat "/proc/$p/comm") $p has $(head -3 "$tmp/env" | tr '\n' ' ')"; return 1; }
	done
	[ "$n" -ge 2 ] || { why="$n keepers and dnsmasqs"; return 1; }
}

# Two guests of one network with one MAC: the second is refused.
MACDOC='{"v":1,"op":"attach","network":"shared","mac":"52:54:00:0a:0b:0c"}'
one_mac_per_network() {
	client_bg m1 $U --send "$MACDOC" --hold
	has_in m1 "^held" || return 1
	client m2 $U --send "$MACDOC"
	release m1
	has m2.out '"error":"EADDRINUSE"' && has m2.out "is attachment [0-9]*'s on network sqn-shared already"
}

# Out of descriptors: a connection past them is closed at once (not left
# in the backlog, the loop spinning on it), logged once, and the service
# answers again once descriptors are free.
STATUS='{"v":1,"op":"status"}'
refused() { grep -q "^recv:\|^send:\|^connect:" "$tmp/$1.out"; }
answered() { grep -q "^held" "$tmp/$1.out" || refused "$1"; }
emfile_refuses_without_spinning() {
	local lim n i last=
	# The soft limit only: raising the hard one again needs CAP_SYS_RESOURCE.
	lim=$(prlimit --pid "$spid" --nofile -o SOFT --noheadings | tr -d ' ')
	n=$(fds)
	prlimit --pid "$spid" --nofile=$((n + 6)): || { why="prlimit failed"; return 1; }
	for i in $(seq 12); do
		client_bg e$i $U --send "$STATUS" --hold
		wait_for 100 answered e$i || { why="connection $i neither answered nor closed"; break; }
		refused e$i && { last=$i; break; }
	done
	prlimit --pid "$spid" --nofile="$lim":
	for i in $(seq 12); do [ -n "${holds[e$i]:-}" ] && release e$i && unset "holds[e$i]"; done
	[ -n "$last" ] || { why=${why:-"12 connections and none closed"}; return 1; }
	[ "$(grep -c 'out of descriptors\|accept:' "$tmp/log")" -le 1 ] ||
		{ why="logged $(grep -c 'out of descriptors\|accept:' "$tmp/log") times"; return 1; }
	client s $U --send "$STATUS"
	has s.out '"ok":true'
}

# One uid holds at most 64 connections: the next is refused, and said so
# by squib-net status; root still gets through; one warning.
uid_connections_are_capped() {
	local i
	for i in $(seq 64); do
		client_bg u$i $U --send "$STATUS" --hold
	done
	for i in $(seq 64); do
		wait_for 100 grep -q "^held" "$tmp/u$i.out" || { why="connection $i: $(cat "$tmp/u$i.out")"; break; }
	done
	[ -z "$why" ] && as $U "$PROG" status --socket "$SOCK" >"$tmp/u.out" 2>&1
	has u.out "the service refused the connection" || why="uid $U's 65th: $(cat "$tmp/u.out")"
	in_host "$PROG" status --socket "$SOCK" >"$tmp/r.out" 2>&1 && has r.out "^sqn-shared" ||
		why=${why:-"root's status: $(cat "$tmp/r.out")"}
	for i in $(seq 64); do release u$i; unset "holds[u$i]"; done
	[ -z "$why" ] || return 1
	[ "$(grep -c 'too many connections of one uid' "$tmp/log")" = 1 ] ||
		{ why="logged $(grep -c 'too many connections of one uid' "$tmp/log") times"; return 1; }
}

# SIGHUP: a new ACL is read; a broken one is refused and the old stays.
sighup_reloads_the_acl() {
	client h $H --send "$ATTACH"
	has h.out '"error":"EACCES"' || return 1
	acl "allow uid:$H shared"
	kill -HUP "$spid"
	logged "SIGHUP: ACL $tmp/acl.conf read again" || return 1
	client h $H --send "$ATTACH"
	has h.out '"ok":true' || return 1
	acl "alow uid:$H shared"
	kill -HUP "$spid"
	logged "SIGHUP: ACL not read again, the old one stays: $tmp/acl.conf:$(grep -n alow "$tmp/acl.conf" | cut -d: -f1):" || return 1
	client h $H --send "$ATTACH"
	has h.out '"ok":true'
}

# SIGTERM with a client attached: everything goes (links, table, dnsmasq,
# keeper, record, the socket).
sigterm_removes_everything() {
	client_bg t $U --send "$ATTACH" --hold
	has_in t "^tap " || return 1
	kill -TERM "$spid"
	wait "$spid"
	local rc=$?
	spid=
	release t
	[ $rc = 0 ] || { why="exit status $rc"; return 1; }
	has log "stopped: everything removed" && [ ! -e "$SOCK" ] && leftovers
}

one() { [ "$(echo "$1" | grep -c .)" = 1 ]; }
one_keeper() { one "$(ns_procs "$NS_HOST" sqn-keeper)"; }
one_dnsmasq() { one "$(ns_procs "$NS_HOST" dnsmasq)"; }
# SIGKILL of the service with a client attached (holding its TAP), then a
# new one: the client's TAP adopted, one dnsmasq and one keeper, attaching
# works again; the adopted TAP goes with its client (tests/
# test_serve_restart.sh has the guest's traffic across the restart).
sigkill_then_restart() {
	# One network only: sqn-late down again.
	in_host ip link del "$LATE" 2>/dev/null
	serve_start || return 1
	client_bg s $U --send "$ATTACH" --hold
	has_in s "^tap " || return 1
	local old=$(tap_of s)
	kill -KILL "$spid"
	wait "$spid" 2>/dev/null
	spid=
	serve_start || return 1
	logged " $old on sqn-shared, pid ${holds[s]}): adopted" && link_there "$old" || return 1
	wait_for 50 one_dnsmasq || { why="dnsmasq: $(ns_procs "$NS_HOST" dnsmasq)"; return 1; }
	wait_for 100 one_keeper || { why="keepers: $(ns_procs "$NS_HOST" sqn-keeper)"; return 1; }
	client r $U --send "$ATTACH" --dhcp
	has r.out "^lease $LEASE" || return 1
	release s
	wait_for 50 link_gone "$old" || { why="$old left after its client ended"; return 1; }
	logged " $old on sqn-shared) removed: " || return 1
	serve_kill
	leftovers
}

# Under systemd: the socket passed (sd_listen_fds), READY=1 and STOPPING=1
# sent to NOTIFY_SOCKET; the socket is not the service's to remove.
socket_activation_and_readiness() {
	local act=$tmp/activated np
	ip netns exec "$NS_HOST" "$CLIENT" --notify "$tmp/notify" >"$tmp/n.out" 2>&1 &
	np=$!
	pids+=($np)
	has_in n listening || return 1
	: >"$tmp/log"
	ip netns exec "$NS_HOST" systemd-socket-activate --seqpacket -l "$act" \
		-E NOTIFY_SOCKET="$tmp/notify" "$PROG" -v serve \
		--config "$tmp/serve.conf" --acl "$tmp/acl.conf" >>"$tmp/log" 2>&1 &
	spid=$!
	wait_for 100 test -S "$act" || { why="no socket $act"; return 1; }
	chmod 666 "$act"
	# The first connection starts the service, which answers it.
	SOCK=$act client f $U --send "$ATTACH" --dhcp
	has f.out "^lease $LEASE" && has_in n "notify READY=1" &&
		has log "control socket from systemd" || return 1
	kill -TERM "$spid"
	wait "$spid"
	spid=
	has_in n "notify STOPPING=1" && [ -S "$act" ] || { why="${why:-$act removed}"; return 1; }
	stop $np
	leftovers
}

setup ns_up
acl ""
tcase config_errors_refuse_the_start config_errors_refuse_the_start
setup serve_start
tcase attach_gives_a_working_tap attach_gives_a_working_tap
tcase keepers_hold_only_what_dnsmasq_needs keepers_hold_only_what_dnsmasq_needs
tcase refusals_say_why_and_make_nothing refusals_say_why_and_make_nothing
tcase one_mac_per_network one_mac_per_network
tcase hostile_requests_harm_no_one hostile_requests_harm_no_one
tcase client_sigkilled_its_tap_goes client_sigkilled_its_tap_goes
tcase hold_process hold_process
tcase hold_parent hold_parent
tcase detach_only_by_the_owner detach_only_by_the_owner
tcase dnsmasq_killed_is_restarted dnsmasq_killed_is_restarted
tcase late_network_is_made_at_attach late_network_is_made_at_attach
tcase cycles_leave_fds_and_rss_flat cycles_leave_fds_and_rss_flat
tcase emfile_refuses_without_spinning emfile_refuses_without_spinning
tcase uid_connections_are_capped uid_connections_are_capped
tcase sighup_reloads_the_acl sighup_reloads_the_acl
tcase sigterm_removes_everything sigterm_removes_everything
acl ""
tcase sigkill_then_restart sigkill_then_restart
tcase socket_activation_and_readiness socket_activation_and_readiness

[ "$failed" = 0 ] || tail -40 "$tmp/log" | sed 's/^/    log: /'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
