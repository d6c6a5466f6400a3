# SPDX-License-Identifier: MIT
# lib.sh - what the shell suites share (sourced): the case runner, checks
#
# The suite sets SUITE (its name in the output) and tmp (its scratch
# directory) first; passed, failed and why are kept here.

passed=0
failed=0
why=
# The network's keeper program of the build in $B, also for a suite run
# by hand (tests/run.sh sets it for all).
SQN_LIBEXECDIR=${SQN_LIBEXECDIR:-$(realpath "${B:-build}/libexec")}
export SQN_LIBEXECDIR
# tcase NAME FUNCTION: counts the function's result; it may set $why. On
# failure, the end of $tmp/err is shown.
tcase() {
	why=
	if "$2"; then
		echo "ok   $SUITE $1"
		passed=$((passed + 1))
	else
		echo "FAIL $SUITE $1: ${why:-a check failed}"
		[ -s "$tmp/err" ] && sed 's/^/    /' "$tmp/err" | tail -20
		failed=$((failed + 1))
	fi
}
# has FILE TEXT: $tmp/FILE contains TEXT.
has() {
	grep -q -- "$2" "$tmp/$1" && return 0
	why="$1 lacks \"$2\""
	return 1
}

# What the namespace suites of shared, host and bridged mode share. They
# source scripts/netns.sh first and set PROG, MODE (the guest's mode
# arguments, an array), LEASE (a pattern of the guest's address), GW (the
# gateway) and leftovers() (true when nothing is left, else sets why).
# squib-net runs in GUEST_NS.
GUEST_NS=${NS_HOST:-}
pids=()

# setup CMD...: CMD makes the test bed; if it fails the suite ends here.
setup() {
	"$@" && return 0
	echo "FAIL $SUITE setup: $*${why:+: $why}"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
}
# suite_down: stop what the suite started, and remove the test bed.
suite_down() {
	local p
	for p in "${pids[@]}"; do
		stop "$p"
	done
	ns_down
	rm -rf "$tmp"
}

# guest STATUS ARGS...: squib-net guest ARGS in namespace $GUEST_NS, 60 s
# at most, output in $tmp/out and $tmp/err; true if it exits with STATUS.
guest() {
	local want=$1 got
	shift
	ip netns exec "$GUEST_NS" timeout 60 "$PROG" guest "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] && return 0
	why="exit status $got, wanted $want"
	return 1
}
# guest_bg NAME ARGS...: the same in the background, output in $tmp/NAME.out
# and $tmp/NAME.err; squib-net's own pid in $bg (and in pids). $tmp/NAME.addr
# and $tmp/go (see ready and HOLD) are removed first.
guest_bg() {
	local name=$1
	shift
	rm -f "$tmp/$name.addr" "$tmp/go"
	ip netns exec "$GUEST_NS" "$PROG" guest "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	bg=$!
	pids+=($bg)
}
# stop PID: SIGTERM to PID if it still runs, and reap it.
stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
# wait_for TENTHS CMD...: until CMD succeeds, TENTHS tenths of a second at most.
wait_for() {
	local n=$1 i
	shift
	for i in $(seq "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}
# ready NAME: a guest started with guest_bg wrote its address to $tmp/NAME.addr
# (30 s at most).
ready() {
	wait_for 300 test -s "$tmp/$1.addr" && return 0
	why="guest $1 got no address"
	return 1
}
# In a guest's command: its address on eth0; holding on until $tmp/go
# exists (90 s at most).
ADDR='$(ip -4 -o addr show eth0 | awk "{print \$4}" | cut -d/ -f1)'
HOLD="for i in \$(seq 900); do [ -e $tmp/go ] && break; sleep 0.1; done"

# gateway_httpd: a web server in host on $GW:80 serving $tmp/www, started
# before the network's bridge has that address (nonlocal bind).
gateway_httpd() {
	in_host sysctl -qw net.ipv4.ip_nonlocal_bind=1
	ip netns exec "$NS_HOST" busybox httpd -f -p "$GW:80" -h "$tmp/www" >/dev/null 2>&1 &
	pids+=($!)
	ns_wait "$NS_HOST" ss -Hltn "sport = :80" || echo "no web server on the host" >&2
}

# nothing_left NS INO: nothing of squib-net's networks is left in namespace
# NS (whose inode is INO): no link named sqn*, no nftables table squib-net-*,
# no dnsmasq, no record in /run/squib-net/net-INO, and (within 10 s: it
# ends on its own once its network went) no network keeper.
no_keeper() { [ -z "$(ns_procs "$1" sqn-keeper)" ]; }
nothing_left() {
	local left
	wait_for 100 no_keeper "$1" || { why="keeper left: $(ns_procs "$1" sqn-keeper)"; return 1; }
	left=$(ip -n "$1" -o link show | awk -F': ' '$2 ~ /^sqn/ {printf "%s ", $2}')
	[ -z "$left" ] || { why="links left: $left"; return 1; }
	left=$(ip netns exec "$1" nft list tables | grep squib-net)
	[ -z "$left" ] || { why="nftables left: $left"; return 1; }
	left=$(ns_procs "$1" dnsmasq)
	[ -z "$left" ] || { why="dnsmasq left: $left"; return 1; }
	[ ! -e "/run/squib-net/net-$2" ] ||
		{ why="left in /run/squib-net/net-$2: $(ls -R "/run/squib-net/net-$2" | tr '\n' ' ')"; return 1; }
	return 0
}

# refused STATUS TEXT ARGS...: squib-net guest ARGS -- true exits with
# STATUS and says TEXT (in one line if STATUS is 1); then the suite's
# leftovers() finds nothing.
refused() {
	local want=$1 text=$2
	shift 2
	guest "$want" "$@" -- true && has err "$text" || return 1
	[ "$want" != 1 ] || [ "$(grep -cv '^$' "$tmp/err")" = 1 ] ||
		{ why="more than one line on stderr"; return 1; }
	leftovers
}

# two_guests FLAGS...: while guest a runs, another guest pings the gateway
# (gw-ok in $tmp/out) and a (peer-ok), directly and then routed through the
# gateway, deaf to the host's redirects (peer-routed-ok); both with
# "${MODE[@]}" FLAGS.
two_guests() {
	local pid rc
	# Isolated, a answers through the gateway too (the /24's halves), so
	# that a host routing between the guests would close the loop.
	local via=
	case " $* " in
	*" --disable-isolation "*) ;;
	*) via="echo 0 >/proc/sys/net/ipv4/conf/all/accept_redirects;
		echo 0 >/proc/sys/net/ipv4/conf/eth0/accept_redirects;
		ip route add ${GW%.*}.0/25 via $GW; ip route add ${GW%.*}.128/25 via $GW" ;;
	esac
	guest_bg a "${MODE[@]}" "$@" -- sh -c "$via
		echo $ADDR >$tmp/a.addr; $HOLD"
	pid=$bg
	ready a || { stop $pid; return 1; }
	guest 0 "${MODE[@]}" "$@" -- sh -c "echo addr=$ADDR;
		busybox ping -c 1 -w 5 $GW >/dev/null && echo gw-ok;
		busybox ping -c 1 -w 4 $(cat "$tmp/a.addr") >/dev/null && echo peer-ok;
		echo 0 >/proc/sys/net/ipv4/conf/all/accept_redirects;
		echo 0 >/proc/sys/net/ipv4/conf/eth0/accept_redirects;
		ip route add $(cat "$tmp/a.addr")/32 via $GW &&
		busybox ping -c 1 -w 4 $(cat "$tmp/a.addr") >/dev/null && echo peer-routed-ok;
		true"
	rc=$?
	touch "$tmp/go"
	wait $pid
	[ $rc = 0 ] && has out "addr=$LEASE" && has out gw-ok
}

isolated_guests_cannot_reach_each_other() {
	two_guests && ! grep -q peer "$tmp/out" || { why="${why:-the guests reached each other: $(grep peer "$tmp/out" | tr '\n' ' ')}"; return 1; }
	leftovers
}

without_isolation_they_can() {
	two_guests --disable-isolation && has out peer-ok && leftovers
}
