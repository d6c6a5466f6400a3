#!/bin/bash
# SPDX-License-Identifier: MIT
# test_guest.sh - squib-net guest with passt, inside namespaces of its own
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
SLOW_PEER=$(realpath "$B/tests/slow_peer")
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_guest
# These tests are passt's: the default helper is passt when the slirp
# helper is not found (not installed, SQN_SLIRP_HELPER unset).
unset SQN_SLIRP_HELPER
. tests/lib.sh
trap 'ns_down; rm -rf "$tmp"' EXIT

# guest STATUS ARGS...: squib-net guest in the host namespace
guest() {
	local want=$1 got
	shift
	# Userspace mode unless the test says otherwise (a later --mode wins).
	in_host timeout 60 "$PROG" guest --mode userspace "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] && return 0
	why="exit status $got, wanted $want"
	return 1
}
# Processes left in the guest's namespace or as zombies of ours.
leftovers() {
	local z
	z=$(ps -eo stat=,ppid= | awk -v p=$$ '$1 ~ /^Z/ && $2 == p' | wc -l)
	[ "$z" = 0 ] || { why="$z zombies"; return 1; }
	in_host ip -o link show >"$tmp/links"
	grep -qv -e ": lo:" -e "$NS_TAG-h" "$tmp/links" &&
		{ why="links left in host: $(cat "$tmp/links")"; return 1; }
	[ -z "$(ls -d /run/squib-net/guest.* 2>/dev/null)" ] ||
		{ why="temp dirs left"; return 1; }
	return 0
}

# The guest's default gateway, from inside.
GW='$(ip route | awk "/default/ {print \$3; exit}")'

userspace_lease_ping_and_fetch() {
	guest 0 -- sh -c "gw=$GW; echo gw=\$gw;
		busybox ping -c 1 -w 5 \$gw >/dev/null && echo ping-ok;
		timeout 10 busybox wget -q -O - http://$WAN_ADDR/;
		timeout 10 busybox wget -q -O - http://\$gw:8080/" &&
		has err "by DHCP" && has out "gw=$HOST_GW" && has out ping-ok &&
		has out "hello from wan" && has out "hello from host loopback" &&
		leftovers
}

guest_has_its_own_resolv_conf() {
	local before
	before=$(md5sum </etc/resolv.conf)
	guest 0 -- cat /etc/resolv.conf && has out "nameserver $HOST_GW" &&
		[ "$(md5sum </etc/resolv.conf)" = "$before" ] ||
		{ why="${why:-resolv.conf of the host changed}"; return 1; }
}

exit_status_is_the_commands() {
	guest 7 --mode loopback --no-dhcp -- sh -c 'exit 7' &&
		guest 0 --mode loopback --no-dhcp -- true && leftovers
}

usage_errors() {
	guest 2 && has err "no command" &&
		guest 2 --ip 10.0.0.2/24 -- true && has err "--ip takes A.B.C.D (a fixed address by DHCP)" &&
		guest 2 --mode bridged --bridged-iface x --ip 10.0.0.2 -- true &&
		has err "--ip without --no-dhcp is a fixed address of a shared or host network's DHCP, not bridged" &&
		guest 2 --forward tcp:80:0 -- true && has err "--forward takes" &&
		guest 2 --mode host --forward tcp:8080:80 -- true &&
		has err "--forward is for shared and userspace mode, not host" &&
		guest 2 --helper nope -- true && has err "--helper takes" &&
		guest 2 --mode loopback --no-dhcp --offload -- true &&
		has err "--offload is for shared, host and bridged mode, not loopback" &&
		guest 2 --peer /x -- true && has err "--peer is for stream mode, not userspace" &&
		guest 2 --mode loopback -- true && has err "no DHCP server" &&
		guest 2 --no-dhcp --ip 10.0.0.2 -- true && has err "--ip takes" &&
		guest 2 --no-dhcp --ip 10.0.0.2/24 --dns bogus -- true && has err "--ip takes" &&
		guest 2 --gateway 10.0.0.1 -- true && has err "go with --no-dhcp --ip" &&
		guest 2 --mode shared --offload --no-guest-offload -- true &&
		has err "--offload and --no-guest-offload exclude each other" &&
		guest 2 --busy-poll 1000001 -- true && has err "--busy-poll takes 0 to 1000000" &&
		# refused by the library's config checks, before anything is made
		guest 2 --mode shared --subnet 10.1.2.3/33 -- true && has err "guest: --subnet: "
}

# Every message names the option the user typed, never the library's
# config field, wherever the field stands in the message.
FIELDS='guest_mac|bridged_iface|nat_iface|dns_upstream|dns_hosts|helper_path|helper_args|peer_path|sqn_config'
says() { # TEXT: $tmp/err has TEXT and no config field name
	has err "$1" || return 1
	! grep -qE "$FIELDS" "$tmp/err" || { why="a config field named: $(cat "$tmp/err")"; return 1; }
}
usage_errors_name_the_option() {
	local long=/tmp/$(printf 'p%.0s' $(seq 110))
	guest 2 --mode loopback --no-dhcp --mtu 70000 -- true && says "--mtu: 70000 is outside 68..65522" &&
		guest 2 --mode loopback --no-dhcp --mtu 65523 -- true && says "--mtu: 65523 is outside 68..65522" &&
		guest 2 --mode loopback --no-dhcp --mac 01:00:5e:00:00:01 -- true && says "guest: --mac: " &&
		guest 2 --mode shared --network a/b -- true && says "guest: --network: " &&
		guest 2 --mode shared --nat-iface a/b -- true && says "guest: --nat-iface: " &&
		guest 2 --mode shared --dns-upstream x -- true && says "guest: --dns-upstream: " &&
		guest 2 --mode shared --dns-hosts /nonexistent/hosts -- true && says "guest: --dns-hosts: " &&
		guest 2 --mode bridged --bridged-iface a/b -- true && says "guest: --bridged-iface: " &&
		guest 2 --mode bridged -- true && says "--mode bridged needs --bridged-iface" &&
		guest 2 --helper custom -- true && says "guest: --helper-path: " &&
		guest 2 --helper-arg "$(printf 'a%.0s' $(seq 600))" -- true && says "guest: --helper-arg: " &&
		guest 2 --mode stream --no-dhcp -- true && says "--mode stream needs --peer" &&
		# found by the network plane, inside the library's message
		guest 1 --mode shared --nat-iface nosuch0 -- true &&
		says "--nat-iface: no interface named nosuch0" || return 1
	# in a namespace of its own without a default route
	unshare -n timeout 60 "$PROG" guest --mode shared -- true >"$tmp/out" 2>"$tmp/err"
	[ $? = 1 ] && says "set --nat-iface" || { why=${why:-"no default route: $(cat "$tmp/err")"}; return 1; }
	# A path no unix socket takes: refused before anything is made.
	guest 2 --mode stream --no-dhcp --pcap "$tmp/never.pcap" --peer "$long" -- true &&
		says "--peer: " && says "a unix socket path at most 107" && [ ! -e "$tmp/never.pcap" ] &&
		leftovers || { why=${why:-"--pcap file made"}; return 1; }
}

helper_missing_or_not_executable() {
	: >"$tmp/notexec"
	chmod 644 "$tmp/notexec"
	# A path the library's checks refuse: a usage error, like any bad value.
	guest 2 --helper-path /nonexistent/passt -- true &&
		has err "/nonexistent/passt" &&
		guest 2 --helper-path "$tmp/notexec" -- true &&
		has err "not executable" && leftovers
}

pcap_is_readable_by_tcpdump() {
	guest 0 --pcap "$tmp/cap.pcap" -- timeout 10 busybox wget -q -O /dev/null "http://$WAN_ADDR/" &&
		tcpdump -nr "$tmp/cap.pcap" >"$tmp/tcpdump" 2>&1 &&
		has tcpdump "BOOTP/DHCP" && has tcpdump "$WAN_ADDR.80" ||
		{ why="${why:-tcpdump: $(head -3 "$tmp/tcpdump")}"; return 1; }
}

# Kill passt (the child of our squib-net's sqn-supervisor) in the middle
# of a download.
helper_killed_during_transfer() {
	local pid passt i rc
	truncate -s 2G "$NS_WWW/big"
	# Not through a shell function: $! must be squib-net itself.
	ip netns exec "$NS_HOST" "$PROG" guest --mode userspace -- timeout 60 busybox wget -q -O /dev/null "http://$WAN_ADDR/big" \
		>"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for i in $(seq 300); do
		passt=$(pgrep -P "$(pgrep -d, -P $pid -x sqn-supervisor)" "^passt" 2>/dev/null)
		[ -n "$passt" ] && grep -q "by DHCP" "$tmp/err" && break
		sleep 0.1
	done
	[ -n "$passt" ] || { why="no passt child"; kill $pid; wait $pid; return 1; }
	sleep 0.3
	kill -KILL "$passt"
	wait $pid
	rc=$?
	rm -f "$NS_WWW/big"
	[ "$rc" = 1 ] || { why="exit status $rc, wanted 1"; return 1; }
	has err "link down" && has err "signal 9" && leftovers
}

sigterm_ends_guest_and_cleans_up() {
	local pid rc
	rm -f "$tmp/started"
	ip netns exec "$NS_HOST" "$PROG" guest --mode loopback --no-dhcp -- sh -c "touch $tmp/started; exec sleep 30" \
		>"$tmp/out" 2>"$tmp/err" &
	pid=$!
	# The command runs: squib-net passes the signal on (not its default end).
	wait_for 200 test -e "$tmp/started" || { why="the command did not start"; kill $pid; wait $pid; return 1; }
	kill -TERM $pid
	wait $pid
	rc=$?
	[ "$rc" = 143 ] || { why="exit status $rc, wanted 143"; return 1; }
	leftovers
}

# alive PID: running (a zombie waiting for init to reap it is not).
alive() {
	[ -r "/proc/$1/status" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# A sleep that we can tell from any other: found by its path in $tmp.
MARKED=$tmp/marked-sleep
ln -s "$(command -v sleep)" "$MARKED"
# marked SECONDS: pids of our marked sleeps of SECONDS, as the host sees them
marked() { pgrep -f "^$MARKED $1\$"; }
# unmarked SECONDS: none of them runs (or is a zombie nobody reaps).
unmarked() {
	local p
	for p in $(marked "$1"); do
		alive "$p" && return 1
	done
	return 0
}
# end_marked SECONDS: SIGKILL what a failed case left of ours.
end_marked() {
	local p
	for p in $(marked "$1"); do
		kill -KILL "$p" 2>/dev/null
	done
}

# SIGKILL squib-net: passt and the guest die with it (PDEATHSIG), and so
# does what the command started (its PID namespace ends with its pid 1).
parent_killed_takes_helper_and_guest_along() {
	local pid passt init sleeper i
	ip netns exec "$NS_HOST" "$PROG" guest --mode userspace -- sh -c "$MARKED 300; true" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for i in $(seq 300); do
		passt=$(pgrep -P "$(pgrep -d, -P $pid -x sqn-supervisor)" "^passt" 2>/dev/null)
		init=$(pgrep -P $pid -x squib-net-init)
		sleeper=$(marked 300)
		[ -n "$passt" ] && [ -n "$sleeper" ] && break
		sleep 0.1
	done
	[ -n "$passt" ] && [ -n "$sleeper" ] ||
		{ why="no passt ($passt) or sleep ($sleeper)"; kill $pid; wait $pid; end_marked 300; return 1; }
	kill -KILL $pid
	wait $pid 2>/dev/null
	for i in $(seq 100); do
		! alive "$passt" && ! alive "$init" && unmarked 300 && break
		sleep 0.1
	done
	if alive "$passt" || alive "$init" || ! unmarked 300; then
		why="still alive 10 s later: passt $passt, init $init or the command's sleep $sleeper"
		end_marked 300
		return 1
	fi
	# The killed run could not remove its directory: the next run does.
	ls -d /run/squib-net/guest.$pid.* >/dev/null 2>&1 ||
		{ why="no directory left by the killed run"; return 1; }
	guest 0 --mode loopback --no-dhcp -- true &&
		! ls -d /run/squib-net/guest.$pid.* >/dev/null 2>&1 ||
		{ why="${why:-the next run did not sweep it}"; return 1; }
}

background_processes_end_with_the_guest() {
	guest 0 --mode loopback --no-dhcp -- sh -c "$MARKED 47 & echo started >$tmp/bg; exit 0" &&
		[ -s "$tmp/bg" ] || { why="${why:-not started}"; end_marked 47; return 1; }
	wait_for 100 unmarked 47 || { why="sleep $(marked 47) outlived the guest"; end_marked 47; return 1; }
}

# The command is pid 2 under our init, and /proc shows its namespace.
guest_has_its_own_pids_and_proc() {
	guest 0 --mode loopback --no-dhcp -- sh -c 'echo ppid=$PPID pid=$$ init=$(cat /proc/1/comm); ls -d /proc/[0-9]*' &&
		has out "ppid=1 pid=2 init=squib-net-init" &&
		[ "$(grep -c '^/proc/[0-9]' "$tmp/out")" = 2 ] ||
		{ why="${why:-more processes in /proc: $(tr '\n' ' ' <"$tmp/out")}"; return 1; }
}

# A stream peer that reads only once a burst is sent, so the relay meets a
# full socket: every frame the library accepted still arrives whole, also
# the last of a burst, while the guest sends nothing more (sqn_flush()).
relay_delivers_every_frame_to_a_slow_peer() {
	local peer rc prc
	rm -f "$tmp/sent" "$tmp/ack" "$tmp/peer.sock"
	mkfifo "$tmp/sent" "$tmp/ack"
	"$SLOW_PEER" serve "$tmp/peer.sock" "$tmp/sent" "$tmp/ack" 8 60056 >"$tmp/peer.out" 2>"$tmp/peer.err" &
	peer=$!
	wait_for 100 test -S "$tmp/peer.sock" || { why="the peer did not listen"; kill $peer; wait $peer; return 1; }
	guest 0 --mode stream --peer "$tmp/peer.sock" --no-dhcp --mtu 65000 -- \
		"$SLOW_PEER" send eth0 "$tmp/sent" "$tmp/ack" 8 60056
	rc=$?
	# The peer ends by itself: done, or GAP_MS without the rest.
	wait $peer
	prc=$?
	[ $rc = 0 ] && [ $prc = 0 ] && grep -q "^36 frames whole" "$tmp/peer.out" ||
		{ why="${why:-peer status $prc}: $(cat "$tmp/peer.err" "$tmp/peer.out" | tr '\n' ' ')"; return 1; }
	leftovers
}

# A symlink planted among the run directories is never followed.
sweep_follows_no_symlink() {
	local bait=/run/squib-net/guest.4000000.bait
	mkdir -p /run/squib-net "$tmp/victim"
	echo keep >"$tmp/victim/resolv.conf"
	ln -sfn "$tmp/victim" $bait
	guest 0 --mode loopback --no-dhcp -- true
	local rc=$?
	rm -f $bait
	[ $rc = 0 ] && [ -f "$tmp/victim/resolv.conf" ] ||
		{ why="${why:-the sweep followed the symlink}"; return 1; }
}

# Under a terminal the command owns it: it can read, and is not stopped.
command_reads_the_terminal() {
	# stdin stays open until the answer came (or 20 s).
	rm -f "$tmp/out"
	(printf 'hello\n'; wait_for 200 grep -q got "$tmp/out"; true) | timeout 20 script -qec \
		"ip netns exec $NS_HOST $PROG guest --mode loopback --no-dhcp -- sh -c 'read x; echo got \$x'" \
		/dev/null >"$tmp/out" 2>&1 && has out "got hello"
}

guest_deleting_eth0_ends_the_run() {
	guest 1 --mode loopback --no-dhcp -- sh -c 'ip link del eth0; sleep 30' &&
		has err "eth0 went away" && leftovers
}

ns_up || { echo "FAIL test_guest setup: namespaces"; echo "0 passed, 1 failed"; exit 1; }
tcase userspace_lease_ping_and_fetch userspace_lease_ping_and_fetch
tcase guest_has_its_own_resolv_conf guest_has_its_own_resolv_conf
tcase exit_status_is_the_commands exit_status_is_the_commands
tcase usage_errors usage_errors
tcase usage_errors_name_the_option usage_errors_name_the_option
tcase helper_missing_or_not_executable helper_missing_or_not_executable
tcase pcap_is_readable_by_tcpdump pcap_is_readable_by_tcpdump
tcase helper_killed_during_transfer helper_killed_during_transfer
tcase sigterm_ends_guest_and_cleans_up sigterm_ends_guest_and_cleans_up
tcase parent_killed_takes_helper_and_guest_along parent_killed_takes_helper_and_guest_along
tcase background_processes_end_with_the_guest background_processes_end_with_the_guest
tcase guest_has_its_own_pids_and_proc guest_has_its_own_pids_and_proc
tcase relay_delivers_every_frame_to_a_slow_peer relay_delivers_every_frame_to_a_slow_peer
tcase sweep_follows_no_symlink sweep_follows_no_symlink
tcase guest_deleting_eth0_ends_the_run guest_deleting_eth0_ends_the_run
tcase command_reads_the_terminal command_reads_the_terminal

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
