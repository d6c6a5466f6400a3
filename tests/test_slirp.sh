#!/bin/bash
# SPDX-License-Identifier: MIT
# test_slirp.sh - squib-net-slirp-helper: a guest through it, forwards,
# hostile frames (plain and ASan+UBSan), the sandbox, diagnostics
#
# The helper is started as squib-net's custom helper, as nobody (setpriv),
# and through its profile (--helper slirp, found through SQN_SLIRP_HELPER),
# in the "host" namespace of scripts/netns.sh, whose only route leads to
# "wan". wan gets here a DNS server (dnsmasq on 10.99.0.1, host's resolver
# in /etc/netns) answering wan.test, and IPv6: fd00:99::/64 on the link,
# a server on fd00:99:1::1.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
HELPER=$(realpath "$B/squib-net-slirp-helper")
ASAN_HELPER=$(realpath "$B/asan/squib-net-slirp-helper")
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_slirp
. tests/lib.sh
trap 'suite_down' EXIT
WAN6=fd00:99:1::1
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
# sanitizers: no leak check (LSan stops the world with ptrace, which the
# seccomp filter forbids), any report fails the run.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The slirp profile finds the helper here (no --helper-path).
export SQN_SLIRP_HELPER=$HELPER

# stats_lines N: the helper's stderr has N "frames from guest" lines by
# now (counted again at each try of wait_for).
stats_lines() { [ "$(grep -c 'frames from guest' "$tmp/herr")" -ge "$1" ]; }
# wrapper NAME HELPER [REDIR]: $tmp/NAME, an executable that runs HELPER as
# nobody and first writes its pid (the helper's, after two execs) to
# $tmp/NAME.pid; REDIR (e.g. 2>FILE) applies to the helper.
wrapper() {
	cat >"$tmp/$1" <<-EOF
		#!/bin/sh
		echo \$\$ >$tmp/$1.pid
		exec $NOBODY $2 "\$@" ${3:-}
	EOF
	chmod 755 "$tmp/$1"
}

# sguest STATUS HELPER_ARGS -- CMD: a userspace guest through the helper;
# HELPER_ARGS is one string of --helper-arg words.
sguest() {
	local want=$1 hargs=() a got
	for a in $2; do hargs+=(--helper-arg "$a"); done
	shift 3
	in_host timeout 90 "$PROG" guest --mode userspace --helper custom \
		--helper-path "$tmp/slirp" "${hargs[@]}" --mtu 1500 -- "$@" \
		>"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] && return 0
	why="exit status $got, wanted $want"
	return 1
}
# sguest_bg NAME HELPER_ARGS -- CMD: the same in the background ($bg).
sguest_bg() {
	local name=$1 hargs=() a
	for a in $2; do hargs+=(--helper-arg "$a"); done
	shift 3
	rm -f "$tmp/$name.addr" "$tmp/go"
	in_host "$PROG" guest --mode userspace --helper custom \
		--helper-path "$tmp/${WRAP:-slirp}" "${hargs[@]}" --mtu 1500 -- "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" &
	bg=$!
	pids+=($bg)
}

# The profile: --helper slirp, no --helper-path, no --mtu. The library
# logs where it found the helper (squib-net -v); the MTU is the profile's
# 1500, in the guest's eth0.
profile_lease_fetch_default_mtu() {
	in_host timeout 90 "$PROG" -v guest --mode userspace --helper slirp -- \
		sh -c "echo addr=$ADDR; ip -o link show eth0;
		timeout 20 busybox wget -q -O - http://$WAN_ADDR/" >"$tmp/out" 2>"$tmp/err" ||
		{ why="exit status $?: $(tail -2 "$tmp/err")"; return 1; }
	has err "helper squib-net-slirp-helper: $HELPER (from SQN_SLIRP_HELPER)" &&
		has err "by DHCP" && has out "addr=10.0.2.15" && has out " mtu 1500 " &&
		has out "hello from wan"
}

# --mtu 9000 reaches the helper: its command line in /proc, while the
# guest (eth0 at 9000) holds on after a fetch.
profile_mtu_reaches_helper() {
	local pid hp cmd
	rm -f "$tmp/m.addr" "$tmp/go"
	in_host "$PROG" guest --mode userspace --helper slirp --mtu 9000 -- \
		sh -c "ip -o link show eth0;
		timeout 20 busybox wget -q -O - http://$WAN_ADDR/;
		echo $ADDR >$tmp/m.addr; $HOLD" >"$tmp/m.out" 2>"$tmp/m.err" &
	pid=$!
	pids+=($pid)
	ready m || { stop $pid; return 1; }
	hp=$(ns_procs "$NS_HOST" squib-net-slirp)
	cmd=$(tr '\0' ' ' <"/proc/$hp/cmdline" 2>/dev/null)
	touch "$tmp/go"
	wait $pid || { why="exit status $?: $(tail -2 "$tmp/m.err")"; return 1; }
	[ "$cmd" = "squib-net-slirp-helper --fd 3 --mtu 9000 " ] ||
		{ why="helper ($hp) command line: $cmd"; return 1; }
	has m.out " mtu 9000 " && has m.out "hello from wan"
}

# --mtu 1000 through the profile: within the library's 576..65520, and the
# helper starts (IPv4 only, said on its stderr: squib-net -v logs it) instead
# of refusing the MTU with IPv6 on.
profile_mtu_below_ipv6_minimum() {
	in_host timeout 90 "$PROG" -v guest --mode userspace --helper slirp --mtu 1000 -- \
		sh -c "ip -o link show eth0; timeout 20 busybox wget -q -O - http://$WAN_ADDR/" \
		>"$tmp/out" 2>"$tmp/err" || { why="exit status $?: $(tail -2 "$tmp/err")"; return 1; }
	has out " mtu 1000 " && has out "hello from wan" && has err "below IPv6's 1280: IPv4 only"
}

# wan's DNS server and IPv6 (beyond what scripts/netns.sh makes).
wan_extras() {
	ip netns exec "$NS_WAN" dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--no-resolv --no-hosts --bind-interfaces --listen-address="$HOST_GW" \
		--address=/wan.test/"$WAN_ADDR" --pid-file= --log-facility=- \
		2>/dev/null &
	pids+=($!)
	ip -n "$NS_WAN" addr add fd00:99::1/64 dev "$NS_LINK-w" nodad || return 1
	ip -n "$NS_WAN" addr add "$WAN6/128" dev lo || return 1
	ip -n "$NS_HOST" addr add fd00:99::2/64 dev "$NS_LINK-h" nodad || return 1
	ip -n "$NS_HOST" route add default via fd00:99::1 || return 1
	ip netns exec "$NS_WAN" busybox httpd -f -p "[$WAN6]:80" -h "$NS_WWW" &
	pids+=($!)
	ns_wait "$NS_WAN" ss -Hlun "sport = :53" &&
		ns_wait "$NS_WAN" ss -Hltn "sport = :80 and src [$WAN6]"
}

lease_resolve_fetch() {
	sguest 0 "" -- sh -c "echo addr=$ADDR; cat /etc/resolv.conf;
		timeout 5 busybox nslookup wan.test 10.0.2.3 | grep -q $WAN_ADDR && echo dns-answered;
		timeout 20 busybox wget -q -O - http://wan.test/ && echo by-name-ok;
		timeout 20 busybox wget -q -O - http://$WAN_ADDR/cgi-bin/remote" &&
		has err "by DHCP" && has out "addr=10.0.2.15" &&
		has out "nameserver 10.0.2.3" && has out "dns-answered" && has out "by-name-ok" &&
		has out "hello from wan" && has out "remote=10.99.0.2"
}

# (busybox wget --post-file sends a body of its own: curl uploads.)
transfer_16mib_both_ways() {
	local down up
	head -c 16M /dev/urandom >"$NS_WWW/big"
	head -c 16M /dev/urandom >"$tmp/up"
	down=$(sha256sum <"$NS_WWW/big" | cut -d' ' -f1)
	up=$(sha256sum <"$tmp/up" | cut -d' ' -f1)
	sguest 0 "" -- sh -c "
		echo down=\$(timeout 60 busybox wget -q -O - http://$WAN_ADDR/big | sha256sum | cut -d' ' -f1);
		echo up=\$(curl -s --max-time 60 -H 'Expect:' --data-binary @$tmp/up http://$WAN_ADDR/cgi-bin/sha256 | cut -d' ' -f1)"
	local rc=$?
	rm -f "$NS_WWW/big"
	[ $rc = 0 ] && has out "down=$down" && has out "up=$up"
}

# Nothing listens on wan's port 81: wan answers with a RST, and the guest's
# connect must fail with "refused" long before its own 60 s timeout.
refused_connection_fails_at_once() {
	sguest 0 "" -- sh -c "t0=\$(date +%s);
		curl -s --connect-timeout 60 http://$WAN_ADDR:81/; echo rc=\$?;
		echo took=\$((\$(date +%s) - t0))" || return 1
	# curl: 7 is "could not connect" (refused), 28 a timeout.
	has out "rc=7" || return 1
	[ "$(sed -n 's/^took=//p' "$tmp/out")" -lt 10 ] ||
		{ why="refusal took $(sed -n 's/^took=//p' "$tmp/out") s"; return 1; }
}

# wan replies once and keeps the connection open: the guest reads the
# reply exactly once in 3 s (passt 2023-03 re-sends it without end).
open_server_replies_once() {
	local srv
	ip netns exec "$NS_WAN" busybox nc -l -p 7000 -e sh -c 'printf "one-reply\n"; exec sleep 60' &
	srv=$!
	pids+=($srv)
	ns_wait "$NS_WAN" ss -Hltn "sport = :7000" || { why="no server"; return 1; }
	sguest 0 "" -- sh -c "timeout 3 busybox nc $WAN_ADDR 7000 </dev/null >$tmp/reply; true"
	local rc=$?
	stop $srv
	[ $rc = 0 ] || return 1
	[ "$(cat "$tmp/reply")" = one-reply ] && [ "$(wc -c <"$tmp/reply")" = 10 ] ||
		{ why="got $(wc -c <"$tmp/reply") bytes: $(head -c 60 "$tmp/reply" | tr '\n' ' ')"; return 1; }
}

# v6_up SCOPE: a guest's commands that start IPv6 on eth0 and wait for an
# address of SCOPE by SLAAC and a default route, then show the address.
# squib-net guest's eth0 comes up without IPv6 (no link-local address):
# toggling disable_ipv6 starts it, then SLAAC from the helper's RA.
v6_up() {
	echo "echo 1 >/proc/sys/net/ipv6/conf/eth0/disable_ipv6;
		echo 0 >/proc/sys/net/ipv6/conf/eth0/disable_ipv6;
		for i in \$(seq 200); do ip -6 route | grep -q '^default' &&
			ip -6 -o addr show eth0 scope $1 | grep -q inet6 && break; sleep 0.1; done;
		ip -6 -o addr show eth0 scope $1"
}

ipv6_prefix_and_server() {
	sguest 0 "" -- sh -c "$(v6_up site);
		curl -s -g --max-time 20 http://[$WAN6]/" &&
		has out "inet6 fec0::[0-9a-f:]*/64" && has out "hello from wan"
}

# --ipv6-prefix with host bits set: they are cleared, so the helper is at
# the prefix's ::2 (it answers a ping there) and the guest's address is in it.
ipv6_prefix_host_bits_cleared() {
	sguest 0 "--ipv6-prefix fd00:5::1:0/64" -- sh -c "$(v6_up global);
		busybox ping -c 1 -W 3 fd00:5::2 && echo ping-ok" &&
		has out "inet6 fd00:5::[0-9a-f:]*/64" && has out "ping-ok"
}

# A guest with a web server; $tmp/NAME.addr once it serves. CHECK runs in
# the guest first (its output in $tmp/NAME.out).
guest_server() {
	local name=$1 hargs=$2 check=$3
	mkdir -p "$tmp/gwww"
	echo "hello from guest" >"$tmp/gwww/index.html"
	sguest_bg "$name" "$hargs" -- sh -c "$check
		busybox httpd -f -p 80 -h $tmp/gwww & hp=\$!;
		for i in \$(seq 100); do busybox netstat -ltn | grep -q ':80 ' && break; sleep 0.1; done;
		echo $ADDR >$tmp/$name.addr; $HOLD; kill \$hp"
}

forward_reaches_guest_server() {
	local pid
	guest_server fwd "--forward tcp:8022:80" ""
	pid=$bg
	ready fwd || { stop $pid; return 1; }
	in_host timeout 20 busybox wget -q -O - http://127.0.0.1:8022/ >"$tmp/fwd.got" 2>&1
	touch "$tmp/go"
	wait $pid
	has fwd.got "hello from guest"
}

# --restrict: no egress, DNS included (libslirp drops the guest's UDP but
# DHCP's and TFTP's; --help and docs/slirp-helper.md say so); the same
# query is answered without it (lease_resolve_fetch).
restrict_blocks_egress_keeps_forwards() {
	local pid
	guest_server rst "--restrict --forward tcp:8023:80" \
		"timeout 5 busybox wget -q -O - http://$WAN_ADDR/ && echo egress-open;
		timeout 3 busybox nslookup wan.test 10.0.2.3 | grep -q $WAN_ADDR && echo dns-answered;"
	pid=$bg
	ready rst || { stop $pid; return 1; }
	in_host timeout 20 busybox wget -q -O - http://127.0.0.1:8023/ >"$tmp/rst.got" 2>&1
	touch "$tmp/go"
	wait $pid
	has rst.got "hello from guest" &&
		! grep -q -e egress-open -e "hello from wan" "$tmp/rst.out" ||
		{ why="${why:-the guest reached wan under --restrict}"; return 1; }
	! grep -q dns-answered "$tmp/rst.out" ||
		{ why="a DNS query was answered under --restrict"; return 1; }
	"$HELPER" --help | grep -q -- "--restrict .*no DNS" ||
		{ why="--help does not say --restrict blocks DNS"; return 1; }
}

# While a guest runs: the helper runs as nobody, with no new privileges,
# under seccomp (mode 2, filter), in an empty root; SIGUSR1 prints its
# counters and connection table, with a row for the guest's connection to
# a wan server that holds it open (the helper's stderr to a file).
helper_sandboxed_and_reports() {
	local pid hp st srv
	rm -f "$tmp/slirpe.pid" "$tmp/sbx.herr"
	ip netns exec "$NS_WAN" busybox nc -l -p 7001 -e sleep 60 &
	srv=$!
	pids+=($srv)
	ns_wait "$NS_WAN" ss -Hltn "sport = :7001" || { why="no server"; return 1; }
	WRAP=slirpe sguest_bg sbx "" -- sh -c "sleep 60 | busybox nc $WAN_ADDR 7001 >/dev/null &
		echo $ADDR >$tmp/sbx.addr; $HOLD"
	pid=$bg
	ready sbx || { stop $pid; stop $srv; return 1; }
	hp=$(cat "$tmp/slirpe.pid")
	st=$(cat "/proc/$hp/status")
	ls -A "/proc/$hp/root/" >"$tmp/root" 2>&1
	ns_wait "$NS_WAN" ss -Htn state established "sport = :7001" &&
		kill -USR1 "$hp" &&
		wait_for 100 grep -q "TCP\[ESTABLISHED\] .* $WAN_ADDR  *7001 " "$tmp/sbx.herr"
	local row=$?
	touch "$tmp/go"
	wait $pid
	stop $srv
	[ $row = 0 ] || { why="no connection row after SIGUSR1: $(tail -3 "$tmp/sbx.herr" | tr '\n' '|')"; return 1; }
	grep -q "frames from guest [1-9]" "$tmp/sbx.herr" || { why="no counters after SIGUSR1"; return 1; }
	echo "$st" | grep -qP '^Uid:\t65534\t65534\t65534' || { why="uid: $(echo "$st" | grep Uid)"; return 1; }
	echo "$st" | grep -qP '^NoNewPrivs:\t1' || { why="no_new_privs off"; return 1; }
	echo "$st" | grep -qP '^Seccomp:\t2' || { why="seccomp: $(echo "$st" | grep Seccomp)"; return 1; }
	[ "$(cat "$tmp/root")" = etc ] || { why="its root holds: $(tr '\n' ' ' <"$tmp/root")"; return 1; }
}

# A forward whose host port is taken: exit 1, the address, port and errno
# named.
forward_port_in_use_named() {
	local srv rc
	ip netns exec "$NS_HOST" busybox httpd -f -p 127.0.0.1:8099 -h "$tmp" &
	srv=$!
	pids+=($srv)
	ns_wait "$NS_HOST" ss -Hltn "sport = :8099" || { why="no listener"; stop $srv; return 1; }
	in_host $NOBODY "$HELPER" --forward tcp:127.0.0.1:8099:80 </dev/null >/dev/null 2>"$tmp/err"
	rc=$?
	stop $srv
	[ $rc = 1 ] || { why="exit status $rc, wanted 1"; return 1; }
	has err "cannot listen on host address 127.0.0.1 port 8099: Address already in use"
}

# SIGUSR1 sent as soon as the helper's main() has blocked it (its mask in
# /proc), before its loop and signalfd exist: it waits for the loop, which
# prints the counters, instead of killing the helper (status 138). (Before
# main(), while the dynamic loader runs, no program can block it.)
early_signal_waits() {
	local try hp blk i rc
	for try in 1 2 3; do
		rm -f "$tmp/fifo"
		mkfifo "$tmp/fifo"
		exec 9<>"$tmp/fifo"
		# (9>&-: the helper holding the fifo's writer would see no end.)
		ip netns exec "$NS_HOST" $NOBODY "$HELPER" --verbose <"$tmp/fifo" >/dev/null 2>"$tmp/herr" 9>&- &
		hp=$!
		# SIGUSR1 is bit 10 of SigBlk; a C-style loop: $(seq) is slow.
		for ((i = 0; i < 100000; i++)); do
			blk=$(sed -n 's/^SigBlk:\t//p' "/proc/$hp/status" 2>/dev/null) || break
			[ -n "$blk" ] && (((0x$blk >> 9) & 1)) && break
		done
		kill -USR1 $hp
		wait_for 100 grep -q "seccomp on" "$tmp/herr"
		exec 9>&-
		wait $hp
		rc=$?
		rm -f "$tmp/fifo"
		[ $rc = 0 ] || { why="try $try: exit status $rc (138: killed by SIGUSR1)"; return 1; }
		stats_lines 2 || { why="try $try: the early SIGUSR1 printed nothing"; return 1; }
	done
}

forbidden_syscall_kills_it() {
	in_host $NOBODY "$HELPER" --debug-forbidden-syscall </dev/null >/dev/null 2>"$tmp/err"
	local rc=$?
	# 128 + SIGSYS (31): killed by the filter, not an exit.
	[ $rc = 159 ] || { why="exit status $rc, wanted 159 (SIGSYS)"; return 1; }
	! grep -q "returned" "$tmp/err"
}

usage_errors() {
	local a
	for a in "--mtu 70000" "--mtu 500" "--mtu 1000 --ipv6-prefix fd00::/64" \
		"--forward tcp:80" "--forward sctp:1:2" "--forward tcp::8000:80" \
		"--forward tcp:8000::80" "--forward tcp:8000:" "--dns-search a..b" \
		"--dns-search bad/name" "--gateway 10.0.2.20" "--dns 10.0.2.15" \
		"--dns 10.0.2.30" "--gateway 10.0.2.3" "--fd 2" \
		"--subnet 10.0.0.0/30" "--gateway 10.9.9.9" "--fd x" "--bogus" "--stats 0" "extra"; do
		# shellcheck disable=SC2086
		in_host "$HELPER" $a </dev/null >/dev/null 2>"$tmp/err"
		[ $? = 2 ] && has err "see --help" || { why="$a: ${why:-not a usage error}"; return 1; }
	done
	"$HELPER" --help | grep -q -- "--forward tcp|udp:\[HOST_ADDR:\]HOST_PORT:GUEST_PORT" ||
		{ why="--help does not show --forward"; return 1; }
	# The same program as squib-net's subcommand, usage errors included.
	"$PROG" slirp-helper --help >"$tmp/out" 2>&1
	has out "usage: squib-net-slirp-helper" || { why="squib-net slirp-helper --help: $(head -1 "$tmp/out")"; return 1; }
	in_host "$PROG" slirp-helper --bogus </dev/null >/dev/null 2>"$tmp/err"
	[ $? = 2 ] && has err "unknown option --bogus" ||
		{ why="squib-net slirp-helper --bogus: $(cat "$tmp/err")"; return 1; }
}

# An ARP request for the gateway 10.0.2.2, framed: the helper answers it
# if it is alive and in step.
ARP='\x00\x00\x00\x2a\xff\xff\xff\xff\xff\xff\x52\x54\x00\x12\x34\x56\x08\x06\x00\x01\x08\x00\x06\x04\x00\x01\x52\x54\x00\x12\x34\x56\x0a\x00\x02\x0f\x00\x00\x00\x00\x00\x00\x0a\x00\x02\x02'

# feed HELPER FILE: the helper (as nobody) reads FILE as its guest and
# writes to $tmp/hout, stderr to $tmp/herr; sets $hrc.
feed() {
	in_host $NOBODY "$1" --verbose <"$2" >"$tmp/hout" 2>"$tmp/herr"
	hrc=$?
	if grep -q -e AddressSanitizer -e "runtime error" "$tmp/herr"; then
		why="sanitizer: $(grep -m1 -e AddressSanitizer -e 'runtime error' "$tmp/herr")"
		return 1
	fi
	return 0
}
# answered: $tmp/hout holds an ARP reply (frame length 64, ARP, op 2).
answered() {
	xxd -p "$tmp/hout" | tr -d '\n' | grep -q '00000040[0-9a-f]\{24\}08060001080006040002' ||
		{ why="no ARP reply: $(xxd "$tmp/hout" | head -2)"; return 1; }
}
hcount() {
	grep -q "$1" "$tmp/herr" || { why="stderr lacks \"$1\": $(head -c 300 "$tmp/herr")"; return 1; }
}

hostile_frames() {
	local h=$1 f=$tmp/hostile
	# zero and runt lengths, an oversized one (skipped whole), then ARP.
	{
		printf '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05abcde'
		printf '\x00\x00\x05\xeb'
		head -c 1515 /dev/zero
		printf "$ARP"
	} >"$f"
	feed "$h" "$f" && [ $hrc = 0 ] && answered && hcount "runt 3" &&
		hcount "oversized 1" && hcount "frames from guest 1 " || return 1
	# 10,000 minimum-size frames (Ethernet header only: IPv4, ARP, IPv6).
	perl -e 'for (1..10000) { print pack("N", 14), "\xff" x 12,
		(pack("n", 0x0800), pack("n", 0x0806), pack("n", 0x86dd))[$_ % 3] }' >"$f"
	printf "$ARP" >>"$f"
	feed "$h" "$f" && [ $hrc = 0 ] && answered && hcount "frames from guest 10001 " || return 1
	# A truncated frame at the end: the stream ended inside it.
	{ printf "$ARP"; printf '\x00\x00\x00\x64'; head -c 50 /dev/zero; } >"$f"
	feed "$h" "$f" && [ $hrc = 0 ] && answered && hcount "ended inside a frame" || return 1
	# A length no peer sends: framing lost, a clean end with status 3.
	{ printf "$ARP"; printf '\x7f\xff\xff\xff'; printf "$ARP"; } >"$f"
	feed "$h" "$f" && [ $hrc = 3 ] && answered && hcount "lost its framing" &&
		hcount "bad length 1" || { why="${why:-exit status $hrc}"; return 1; }
	# Random bytes: an end at the stream's end or at a bad length, no crash.
	head -c 1M /dev/urandom >"$f"
	feed "$h" "$f" && { [ $hrc = 0 ] || [ $hrc = 3 ]; } ||
		{ why="${why:-random bytes: exit status $hrc}"; return 1; }
	# Random frames with honest lengths: all parsed, still in step.
	perl -e 'srand(7); for (1..3000) { my $n = 14 + int(rand(1500));
		print pack("N", $n), map { chr(int(rand(256))) } 1..$n }' >"$f"
	printf "$ARP" >>"$f"
	feed "$h" "$f" && [ $hrc = 0 ] && answered && hcount "frames from guest 3001 "
}
hostile_frames_plain() { hostile_frames "$HELPER"; }
hostile_frames_asan() { hostile_frames "$ASAN_HELPER"; }

# SIGUSR1 and --stats print the counters and the connection table.
diagnostics_on_signal_and_timer() {
	local hp i
	mkfifo "$tmp/fifo"
	# The fifo's writer stays open until the end (fd 9). Not through a
	# shell function: $! must be the helper itself (ip and setpriv exec).
	ip netns exec "$NS_HOST" $NOBODY "$HELPER" --verbose <"$tmp/fifo" >/dev/null 2>"$tmp/herr" &
	hp=$!
	exec 9>"$tmp/fifo"
	printf "$ARP" >&9
	# Signals are blocked (signalfd) before this line.
	wait_for 100 grep -q "seccomp on" "$tmp/herr" || { why="helper did not start"; exec 9>&-; return 1; }
	for i in $(seq 100); do
		kill -USR1 $hp
		grep -q "frames from guest 1 " "$tmp/herr" && break
		sleep 0.1
	done
	exec 9>&-
	wait $hp
	local rc=$?
	rm -f "$tmp/fifo"
	[ $rc = 0 ] && hcount "frames from guest 1 (42 bytes)" && hcount "Protocol\[State\]" || return 1
	mkfifo "$tmp/fifo"
	ip netns exec "$NS_HOST" $NOBODY "$HELPER" --stats 1 <"$tmp/fifo" >/dev/null 2>"$tmp/herr" &
	hp=$!
	exec 9>"$tmp/fifo"
	wait_for 50 stats_lines 2
	exec 9>&-
	wait $hp
	rm -f "$tmp/fifo"
	[ "$(grep -c 'frames from guest' "$tmp/herr")" -ge 2 ] ||
		{ why="--stats 1 printed $(grep -c 'frames from guest' "$tmp/herr") times"; return 1; }
}

setup ns_up
setup wan_extras
wrapper slirp "$HELPER"
wrapper slirpe "$HELPER" "2>$tmp/sbx.herr"
tcase usage_errors usage_errors
tcase lease_resolve_fetch lease_resolve_fetch
tcase profile_lease_fetch_default_mtu profile_lease_fetch_default_mtu
tcase profile_mtu_reaches_helper profile_mtu_reaches_helper
tcase profile_mtu_below_ipv6_minimum profile_mtu_below_ipv6_minimum
tcase transfer_16mib_both_ways transfer_16mib_both_ways
tcase refused_connection_fails_at_once refused_connection_fails_at_once
tcase open_server_replies_once open_server_replies_once
tcase ipv6_prefix_and_server ipv6_prefix_and_server
tcase ipv6_prefix_host_bits_cleared ipv6_prefix_host_bits_cleared
tcase forward_reaches_guest_server forward_reaches_guest_server
tcase restrict_blocks_egress_keeps_forwards restrict_blocks_egress_keeps_forwards
tcase helper_sandboxed_and_reports helper_sandboxed_and_reports
tcase forbidden_syscall_kills_it forbidden_syscall_kills_it
tcase forward_port_in_use_named forward_port_in_use_named
tcase early_signal_waits early_signal_waits
tcase hostile_frames_plain hostile_frames_plain
tcase hostile_frames_asan hostile_frames_asan
tcase diagnostics_on_signal_and_timer diagnostics_on_signal_and_timer

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
