# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# vxlan_lib.sh - hosts joined by an underlay, for the networks that span
# hosts (sourced after scripts/netns.sh and tests/lib.sh; the suite or
# benchmark sets PROG and tmp)
#
#            wan (10.99.0.1, 10.99.1.1: HTTP, /cgi-bin/remote)
#             |  veth (scripts/netns.sh)
#   h1 = "host" (10.99.0.2, default route via wan): the gateway host
#     ul0 10.98.0.1/24          h2: ul0 10.98.0.2/24    h3: ul0 10.98.0.3/24
#        |  veth                    |  veth                  |  veth
#   ul (a bridge, ul0, whose ports h1, h2, h3 are the hosts' veths; MTU 1500)
#
# h2 and h3 have no route beyond the underlay: what their guests reach
# outside goes through the overlay to h1's network and its NAT. Each host
# runs its own squib-net serve (vx_serve): socket $tmp/hN/control, config
# $tmp/hN/serve.conf (written by the caller), log $tmp/hN/log; the stream
# socket of network NET is $tmp/hN/NET.sock. Guests (vx_guest) are squib-net
# guest --mode stream on such a socket, in the host's namespace, and hold on;
# vx_in runs a command in a guest's network namespace (nsenter), so that one
# guest serves many checks. Nothing here touches the root namespace's
# interfaces, routes, firewall or sysctls.

VX_UL=$NS_TAG-ul
# The hosts' namespaces, by number.
VXH=([1]="$NS_HOST" [2]="$NS_TAG-h2" [3]="$NS_TAG-h3")
VX_NET=10.98.0 # the underlay's /24; host N is .N
declare -A VX_GPID=()  # guest name -> squib-net guest's pid
declare -A VX_GNS=()   # guest name -> a pid in its network namespace
declare -A VX_SPID=()  # host number -> its service's pid

# vx_up: scripts/netns.sh's host (h1) and wan, h2, h3, and the underlay.
vx_up() {
	local n h
	ns_up || return 1
	ip netns add "$VX_UL" || return 1
	ip -n "$VX_UL" link set lo up
	ip -n "$VX_UL" link add ul0 type bridge || return 1
	ip -n "$VX_UL" link set ul0 up
	for n in 1 2 3; do
		h=${VXH[$n]}
		mkdir -p "$tmp/h$n"
		if [ "$n" != 1 ]; then
			ip netns add "$h" || return 1
			ip -n "$h" link set lo up
			ip netns exec "$h" sysctl -qw net.ipv4.conf.all.forwarding=0
		fi
		ip -n "$VX_UL" link add "h$n" type veth peer name ul0 netns "$h" || return 1
		ip -n "$VX_UL" link set "h$n" master ul0
		ip -n "$VX_UL" link set "h$n" up
		ip -n "$h" link set ul0 mtu 1500
		ip -n "$h" addr add "$VX_NET.$n/24" dev ul0 || return 1
		ip -n "$h" link set ul0 up
	done
	# The underlay carries: h1 reaches h2 and h3.
	wait_for 50 ip netns exec "${VXH[1]}" busybox ping -c 1 -W 1 "$VX_NET.2" >/dev/null &&
		wait_for 50 ip netns exec "${VXH[1]}" busybox ping -c 1 -W 1 "$VX_NET.3" >/dev/null ||
		{ echo "the underlay does not carry" >&2; return 1; }
}

# vx_down: end the guests and services (by pid), then remove the
# namespaces (a dnsmasq the service in h1 left is ns_down's).
vx_down() {
	local g n ino
	for g in "${!VX_GPID[@]}"; do
		stop "${VX_GPID[$g]}"
	done
	VX_GPID=()
	for n in "${!VX_SPID[@]}"; do
		vx_serve_kill "$n"
	done
	for n in 2 3; do
		ino=$(stat -L -c %i "/run/netns/${VXH[$n]}" 2>/dev/null)
		ip netns del "${VXH[$n]}" 2>/dev/null
		# The record of a host whose service was SIGKILLed (the member
		# that vanishes) keeps its guests' entries: on a real host it
		# would go with the machine; here it goes with the namespace.
		[ -n "$ino" ] && rm -rf "/run/squib-net/net-$ino"
	done
	ip netns del "$VX_UL" 2>/dev/null
	ns_down
}

# vx_host N CMD...: CMD in host N's namespace.
vx_host() {
	local n=$1
	shift
	ip netns exec "${VXH[$n]}" "$@"
}

# vx_serve N: host N's service, its log in $tmp/hN/log, ready (30 s at most).
vx_serve() {
	local n=$1 d=$tmp/h$1
	vx_serve_kill "$n"
	: >"$d/log"
	[ -e "$d/acl.conf" ] || : >"$d/acl.conf" # root only
	ip netns exec "${VXH[$n]}" "$PROG" -v serve --config "$d/serve.conf" \
		--socket "$d/control" --acl "$d/acl.conf" >>"$d/log" 2>&1 &
	VX_SPID[$n]=$!
	wait_for 300 grep -q "ready:" "$d/log" && return 0
	why="h$n: the service is not ready: $(tail -3 "$d/log" | tr '\n' ' ')"
	return 1
}
# vx_serve_kill N [SIGNAL]: host N's service ended (SIGTERM unless told),
# reaped.
vx_serve_kill() {
	local p=${VX_SPID[$1]:-}
	[ -n "$p" ] || return 0
	kill -"${2:-TERM}" "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	unset "VX_SPID[$1]"
}
# vx_hup N: host N's service reads its config again.
vx_hup() { kill -HUP "${VX_SPID[$1]}"; }
# vx_status N [--json]: host N's status in $tmp/hN/status (or .json).
vx_status() {
	local f=$tmp/h$1/status
	[ -z "${2:-}" ] || f=$f.json
	vx_host "$1" "$PROG" status ${2:+--json} --socket "$tmp/h$1/control" >"$f" 2>&1
}

# vx_guest NAME N NET [GUEST_ARGS...]: a guest on network NET of host N
# (squib-net guest --mode stream on its stream socket), in the background:
# it writes its network namespace to $tmp/NAME.ns and its address on eth0
# to $tmp/NAME.addr, then holds on until $tmp/NAME.go exists (10 minutes
# at most).
vx_guest() {
	local name=$1 n=$2 net=$3
	shift 3
	rm -f "$tmp/$name.addr" "$tmp/$name.ns" "$tmp/$name.go"
	unset "VX_GNS[$name]"
	ip netns exec "${VXH[$n]}" "$PROG" guest --mode stream --peer "$tmp/h$n/$net.sock" "$@" -- sh -c "
		readlink /proc/self/ns/net >$tmp/$name.ns
		echo $ADDR >$tmp/$name.addr.new && mv $tmp/$name.addr.new $tmp/$name.addr
		for i in \$(seq 3000); do [ -e $tmp/$name.go ] && break; sleep 0.2; done" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" &
	VX_GPID[$name]=$!
}
# vx_guest_end NAME: guest NAME lets go, and is reaped.
vx_guest_end() {
	local p=${VX_GPID[$1]:-}
	touch "$tmp/$1.go"
	[ -n "$p" ] || return 0
	wait_for 100 eval "! kill -0 $p 2>/dev/null"
	stop "$p"
	unset "VX_GPID[$1]" "VX_GNS[$1]"
}
# vx_ready NAME...: each guest has an address (60 s at most, for all).
vx_ready() {
	local g
	for g; do
		wait_for 600 test -s "$tmp/$g.addr" && continue
		why="guest $g got no address: $(tail -3 "$tmp/$g.err" | tr '\n' ' ')"
		return 1
	done
}
# vx_addr NAME: guest NAME's address.
vx_addr() { cat "$tmp/$1.addr" 2>/dev/null; }

# _vx_descendants PID: the processes below PID, one a line.
_vx_descendants() {
	local p
	for p in $(pgrep -P "$1"); do
		echo "$p"
		_vx_descendants "$p"
	done
}
# vx_gpid NAME: a process in guest NAME's network namespace (the shell
# holding on), found below its squib-net guest by the namespace it wrote.
vx_gpid() {
	local want p
	if [ -n "${VX_GNS[$1]:-}" ] && [ "$(readlink "/proc/${VX_GNS[$1]}/ns/net" 2>/dev/null)" = "$(cat "$tmp/$1.ns")" ]; then
		echo "${VX_GNS[$1]}"
		return 0
	fi
	want=$(cat "$tmp/$1.ns" 2>/dev/null) || return 1
	for p in $(_vx_descendants "${VX_GPID[$1]}"); do
		[ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$want" ] || continue
		VX_GNS[$1]=$p
		echo "$p"
		return 0
	done
	return 1
}
# vx_in NAME CMD...: CMD in guest NAME's network namespace (only that: the
# file system and processes are the test's).
vx_in() {
	local p
	# Not in a subshell: the pid found is kept for the next call.
	vx_gpid "$1" >/dev/null || { echo "guest $1 is not there" >&2; return 1; }
	p=${VX_GNS[$1]}
	shift
	nsenter -t "$p" -n -- "$@"
}
