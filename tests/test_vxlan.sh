#!/bin/bash
# SPDX-License-Identifier: MIT
# test_vxlan.sh - networks across hosts over kernel VXLAN, static peers:
# three hosts (tests/vxlan_lib.sh: h1 the gateway host with wan behind it,
# h2 and h3 members, joined by an underlay), each with its own squib-net
# serve; network sqn-iso (VNI 100, isolation on) and sqn-open (VNI 200,
# UDP port 4790, isolation off) on all three; guests a1, a2, a3 on sqn-iso
# and b1, b2, b3 on sqn-open, on h1, h2, h3 (stream clients of each host's
# service). Member guests get leases from h1's dnsmasq (none runs on a
# member, whose bridge has no address); each host has the VXLAN port and
# one all-zeros FDB entry per peer; status shows role, VNI, peers and
# counters; isolated guests reach the gateway across hosts but not each
# other (broadcasts included), open ones reach each other; wan is reached
# through h1's NAT (seen there with h1's address); a 1422-byte ICMP payload
# with DF passes between hosts, 1423 is refused (the guest's MTU is 1450
# from DHCP), nothing fragmented on the underlay, nothing dropped; the
# other VNI is not seen; broadcasts leave bounded counters (no loop);
# SIGHUP: a peer removed is cut off, put back it is there again, no entry
# twice; the gateway host's service restarted: member guests keep their
# addresses and reach the gateway and wan again; a member host vanishing
# leaves the others working; SIGTERM leaves nothing.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
PROBE=$(realpath tests/vxlan_probe.py)
NS_TAG=tvx$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_vxlan
. tests/lib.sh
. tests/vxlan_lib.sh
trap 'vx_down; rm -rf "$tmp"' EXIT

GW_A=10.140.0.1 # sqn-iso's gateway (on h1)
GW_B=10.141.0.1 # sqn-open's
H1_WAN=10.99.0.2 # h1's address towards wan: what wan sees of NAT
GUESTS="a1 a2 a3 b1 b2 b3"

# conf N PEERS_A PEERS_B: host N's serve.conf, the peer lists of sqn-iso
# and sqn-open given (h1 the gateway, by its address; h2 and h3 members,
# by their underlay interface).
conf() {
	local n=$1 role=gateway where="vxlan-local $VX_NET.1" dns="dns-upstream none"
	if [ "$n" != 1 ]; then
		role=member where="vxlan-underlay ul0" dns=
	fi
	cat >"$tmp/h$n/serve.conf" <<-EOF
		[network sqn-iso]
		mode shared
		subnet $GW_A/24
		$dns
		vxlan-vni 100
		vxlan-role $role
		$where
		${2:+vxlan-peers $2}
		[network sqn-open]
		mode shared
		subnet $GW_B/24
		isolation off
		$dns
		vxlan-vni 200
		vxlan-port 4790
		vxlan-role $role
		$where
		vxlan-control static
		${3:+vxlan-peers $3}
	EOF
}
# peers_but N [GONE]: the underlay addresses of the hosts other than N
# (and GONE), A,B.
peers_but() {
	local i out=
	for i in 1 2 3; do
		[ "$i" = "$1" ] || [ "$i" = "${2:-}" ] || out=$out${out:+,}$VX_NET.$i
	done
	echo "$out"
}
all_conf() {
	local n p
	for n in 1 2 3; do
		p=$(peers_but $n)
		conf $n "$p" "$p"
	done
}

# reach G ADDR [TENTHS]: guest G has an answer from ADDR (within TENTHS
# tenths of a second of trying, 10 s unless told).
reach() {
	wait_for "${3:-50}" vx_in "$1" busybox ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0
	why="$1 ($(vx_addr "$1")) has no answer from $2"
	return 1
}
# unreach "G ADDR"...: no guest G (or host hN) has an answer from its
# ADDR (3 pings each, all at once).
unreach() {
	local pair ps=() bad= g in
	for pair; do
		g=${pair%% *}
		[[ $g == h? ]] || vx_gpid "$g" >/dev/null || { why="guest $g is gone"; return 1; }
	done
	for pair; do
		g=${pair%% *} in=vx_in
		[[ $g != h? ]] || in=vx_host g=${g#h}
		# (Not grep -q: under pipefail, ping's SIGPIPE would be the
		# pipe's status.)
		($in "$g" busybox ping -c 3 -W 1 -w 3 "${pair#* }" 2>&1 | grep "bytes from" >/dev/null) &
		ps+=($!)
	done
	for pair; do
		wait "${ps[0]}" && bad="$bad $pair;"
		ps=("${ps[@]:1}")
	done
	[ -z "$bad" ] && return 0
	why="reached:$bad"
	return 1
}
# mac G: guest G's eth0 MAC.
mac() { vx_in "$1" ip -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
# zeros N DEV: host N's all-zeros FDB entries on DEV, their dst sorted, A,B.
zeros() {
	vx_host "$1" bridge fdb show dev "$2" 2>/dev/null | awk '$1 == "00:00:00:00:00:00" {
		for (i = 2; i < NF; i++) if ($i == "dst") print $(i + 1) }' | sort | paste -sd,
}
# zeros_are N DEV LIST: exactly those (one entry each).
zeros_are() {
	local got
	got=$(zeros "$1" "$2")
	[ "$got" = "$3" ] && return 0
	why="h$1 $2: all-zeros FDB entries to \"$got\", wanted \"$3\""
	return 1
}
# stat64 N DEV DIR FIELD: a counter of host N's link DEV (ip -s -j).
stat64() {
	vx_host "$1" ip -s -j link show dev "$2" 2>/dev/null | jq ".[0].stats64.$3.$4"
}
leases() { find "/run/squib-net/net-$NS_HOST_INO" -name dnsmasq.leases -path "*$1*" -exec cat {} + 2>/dev/null; }

# The guests, on each host and network; each has an address.
start_guests() {
	vx_guest a1 1 sqn-iso
	vx_guest a2 2 sqn-iso
	vx_guest a3 3 sqn-iso
	vx_guest b1 1 sqn-open
	vx_guest b2 2 sqn-open
	vx_guest b3 3 sqn-open
	# shellcheck disable=SC2086
	vx_ready $GUESTS
}

# Member guests' leases are h1's dnsmasq's; no dnsmasq on h2 or h3, whose
# bridges have no address; each guest's eth0 takes MTU 1450 from DHCP.
leases_from_the_gateway_host() {
	local g m l
	start_guests || return 1
	for g in $GUESTS; do
		vx_gpid $g >/dev/null || { why="guest $g: no namespace"; return 1; }
		case $g in
		a*) [[ $(vx_addr $g) == 10.140.0.* ]] || { why="$g: $(vx_addr $g) is not of sqn-iso"; return 1; } ;;
		b*) [[ $(vx_addr $g) == 10.141.0.* ]] || { why="$g: $(vx_addr $g) is not of sqn-open"; return 1; } ;;
		esac
		m=$(vx_in $g ip -o link show eth0 | grep -o 'mtu [0-9]*')
		[ "$m" = "mtu 1450" ] || { why="$g: eth0 $m, not 1450 (DHCP's option 26)"; return 1; }
	done
	for g in a2 a3 b2 b3; do
		case $g in a*) l=$(leases sqn-iso) ;; b*) l=$(leases sqn-open) ;; esac
		echo "$l" | awk -v m="$(mac $g)" -v a="$(vx_addr $g)" '$2 == m && $3 == a {f = 1} END {exit !f}' ||
			{ why="$g ($(mac $g) $(vx_addr $g)) is not in h1's leases: $(echo "$l" | tr '\n' ' ')"; return 1; }
	done
	for g in 2 3; do
		[ -z "$(ns_procs "${VXH[$g]}" dnsmasq)" ] || { why="dnsmasq runs on h$g"; return 1; }
		for m in sqn-iso sqn-open; do
			l=$(vx_host $g ip -4 -o addr show dev $m 2>&1)
			[ -z "$l" ] || { why="h$g's bridge $m: $l"; return 1; }
		done
	done
}

# isolated N NET: host N's ports of bridge NET that are isolated, A B.
isolated() {
	vx_host "$1" bridge -d link show | awk -v m="master $2 " '/^[0-9]+:/ { p = index($0, m) ? $2 : "" }
		p != "" && / isolated on / { print p }' | tr -d : | paste -sd' '
}
# Each host: sqnvx100 and sqnvx200, VXLAN ports of the network's bridge
# with the VNI, port, local address and MTU 1450 (underlay's 1500 - 50),
# one all-zeros FDB entry per peer; on h1 sqn-iso's is isolated (it needs
# only the gateway), on members it is not (the uplink) but the guests'
# ports are; sqn-open has no isolated port.
vxlan_ports_and_flood_lists() {
	local n d vni net port l
	for n in 1 2 3; do
		for vni in 100 200; do
			d=sqnvx$vni net=sqn-iso port=4789
			[ $vni = 100 ] || net=sqn-open port=4790
			l=$(vx_host $n ip -d -o link show dev $d 2>&1)
			[[ $l == *"master $net "* ]] && [[ $l == *"vxlan id $vni "* ]] &&
				[[ $l == *"local $VX_NET.$n "* ]] && [[ $l == *"dstport $port "* ]] &&
				[[ $l == *" mtu 1450 "* ]] || { why="h$n $d: $l"; return 1; }
			l=$(vx_host $n ip -o link show dev $net)
			[[ $l == *" mtu 1450 "* ]] || { why="h$n bridge: $l"; return 1; }
			zeros_are $n $d "$(peers_but $n)" || return 1
		done
		# One guest on each network of each host.
		l=$(isolated $n sqn-iso)
		if [ $n = 1 ]; then
			[[ $l == sqnvx100\ sqn-t* || $l == sqn-t*\ sqnvx100 ]] ||
				{ why="h1: the isolated ports of sqn-iso are \"$l\", not its VXLAN port and the guest's"; return 1; }
		else
			[[ $l == sqn-t* ]] ||
				{ why="h$n: the isolated ports of sqn-iso are \"$l\", not (only) the guest's"; return 1; }
		fi
		l=$(isolated $n sqn-open)
		[ -z "$l" ] || { why="h$n: isolated ports on sqn-open: $l"; return 1; }
	done
}

# status (JSON) per network: role, vni, local address, port, control,
# peers, the VXLAN counters; squib-net status says the role too.
status_shows_role_peers_and_counters() {
	local n role j
	for n in 1 2 3; do
		role=member
		[ $n = 1 ] && role=gateway
		vx_status $n --json || { why="h$n status: $(cat "$tmp/h$n/status.json")"; return 1; }
		j=$(jq -c '.networks[] | select(.name == "sqn-iso")' "$tmp/h$n/status.json" 2>&1)
		for want in "\"role\":\"$role\"" '"vni":100' "\"vxlan_local\":\"$VX_NET.$n\"" \
			'"vxlan_port":4789' '"control":"static"' \
			"\"peers\":\[\"${VX_NET//./\\.}\.[0-9]\",\"${VX_NET//./\\.}\.[0-9]\"\]" \
			'"vxlan_rx_packets":[1-9]' '"vxlan_tx_packets":[1-9]' '"vxlan_rx_bytes":[1-9]' \
			'"vxlan_tx_bytes":[1-9]' '"vxlan_drops":[0-9]'; do
			grep -q -- "$want" <<<"$j" || { why="h$n status of sqn-iso lacks $want: $j"; return 1; }
		done
		jq -e '.networks[] | select(.name == "sqn-open") | .vxlan_port == 4790 and .vni == 200' \
			"$tmp/h$n/status.json" >/dev/null || { why="h$n status of sqn-open: $(cat "$tmp/h$n/status.json")"; return 1; }
		vx_status $n && grep -q "$role" "$tmp/h$n/status" ||
			{ why="h$n: squib-net status lacks \"$role\": $(cat "$tmp/h$n/status")"; return 1; }
	done
	# A network without VNI has no role: not on record here, all have one.
	true
}

# rx_eth0 G: frames guest G's eth0 received.
rx_eth0() { vx_in "$1" ip -s -j link show dev eth0 | jq '.[0].stats64.rx.packets'; }

# sqn-iso: a2 and a3 reach the gateway across the overlay, but neither
# each other nor a1 (on h1), and a1 not them; 100 broadcasts of a2 reach
# neither a3 nor a1.
isolated_guests_reach_the_gateway_not_each_other() {
	local r3 r1 rx
	reach a2 $GW_A && reach a3 $GW_A && reach a1 $GW_A || return 1
	unreach "a2 $(vx_addr a3)" "a3 $(vx_addr a2)" "a2 $(vx_addr a1)" "a1 $(vx_addr a2)" "a1 $(vx_addr a3)" || return 1
	r3=$(rx_eth0 a3) r1=$(rx_eth0 a1)
	rx=$(stat64 3 sqnvx100 rx packets)
	vx_in a2 "$PROBE" bcast eth0 100 >/dev/null || { why="a2 could not send broadcasts"; return 1; }
	# h3 had them (h2 floods them to its peers), its filter kept them.
	wait_for 50 eval '[ $(($(stat64 3 sqnvx100 rx packets) - rx)) -ge 100 ]' ||
		{ why="h3's sqnvx100 received $(($(stat64 3 sqnvx100 rx packets) - rx)) of 100 broadcasts"; return 1; }
	reach a3 $GW_A || return 1 # what was on its way came
	r3=$(($(rx_eth0 a3) - r3)) r1=$(($(rx_eth0 a1) - r1))
	[ $r3 -lt 50 ] && [ $r1 -lt 50 ] && return 0
	why="a2's 100 broadcasts: a3 received $r3 frames, a1 $r1"
	return 1
}

# sqn-open: guests on different hosts reach each other.
open_guests_reach_each_other_across_hosts() {
	reach b2 "$(vx_addr b3)" && reach b3 "$(vx_addr b2)" && reach b2 "$(vx_addr b1)" &&
		reach b1 "$(vx_addr b3)" && reach b3 $GW_B
}

# remote G: what wan's server saw of guest G's request.
# (curl: busybox wget crashes on this CGI's answer.)
remote() { vx_in "$1" curl -s -m 5 "http://$WAN_ADDR/cgi-bin/remote" 2>&1; }
# Member guests reach wan's server through h1's NAT: seen there with h1's
# address.
wan_through_the_gateway_hosts_nat() {
	local g r
	for g in a2 a3 b2; do
		r=$(remote $g)
		[ "$r" = "remote=$H1_WAN" ] || { why="$g -> wan: \"$r\", wanted remote=$H1_WAN"; return 1; }
	done
}

# snmp N FIELD: host N's IP counter FIELD (/proc/net/snmp in its namespace).
snmp() {
	vx_host "$1" awk -v f="$2" '$1 == "Ip:" && !h { for (i = 2; i <= NF; i++) k[i] = $i; h = 1; next }
		$1 == "Ip:" { for (i = 2; i <= NF; i++) if (k[i] == f) print $i }' /proc/net/snmp
}
# drops N DEV: host N's link DEV's drops and errors, both ways.
drops() {
	vx_host "$1" ip -s -j link show dev "$2" 2>/dev/null |
		jq '.[0].stats64 | .rx.dropped + .rx.errors + .tx.dropped + .tx.errors'
}
# With DF: 1422 bytes of ICMP payload (1450 with the headers) pass from b2
# to b3 and to sqn-iso's gateway, 1423 is refused by the guest ("Message
# too long"); the underlay fragmented nothing, the VXLAN ports dropped
# nothing.
mtu_1422_passes_with_df_1423_is_refused() {
	local f2 f3 d2 d3 r
	f2=$(snmp 2 FragCreates) f3=$(snmp 3 FragCreates)
	d2=$(drops 2 sqnvx200) d3=$(drops 3 sqnvx200)
	r=$(vx_in b2 "$PROBE" dfping "$(vx_addr b3)" 1422)
	[ "$r" = "reply 1422" ] || { why="b2 -> b3, 1422 with DF: $r"; return 1; }
	r=$(vx_in b3 "$PROBE" dfping "$(vx_addr b2)" 1422)
	[ "$r" = "reply 1422" ] || { why="b3 -> b2, 1422 with DF: $r"; return 1; }
	r=$(vx_in a2 "$PROBE" dfping $GW_A 1422)
	[ "$r" = "reply 1422" ] || { why="a2 -> gateway, 1422 with DF: $r"; return 1; }
	r=$(vx_in b2 "$PROBE" dfping "$(vx_addr b3)" 1423)
	[[ $r == "refused: Message too long" || $r == "frag needed mtu 1450" ]] ||
		{ why="b2 -> b3, 1423 with DF: $r"; return 1; }
	[ "$(snmp 2 FragCreates)" = "$f2" ] && [ "$(snmp 3 FragCreates)" = "$f3" ] ||
		{ why="the underlay fragmented: h2 $f2 -> $(snmp 2 FragCreates), h3 $f3 -> $(snmp 3 FragCreates)"; return 1; }
	[ "$(drops 2 sqnvx200)" = "$d2" ] && [ "$(drops 3 sqnvx200)" = "$d3" ] ||
		{ why="sqnvx200 dropped: h2 $d2 -> $(drops 2 sqnvx200), h3 $d3 -> $(drops 3 sqnvx200)"; return 1; }
}

# fdb_has N BRIDGE MAC: host N's bridge BRIDGE knows MAC.
fdb_has() { vx_host "$1" bridge fdb show br "$2" | grep "^$3 " >/dev/null; }
# b3, given an address of sqn-iso's subnet beside its own, reaches b2 but
# not a2 (sqn-iso, on h2): the ARP for it never crossed to VNI 100; h2's
# sqn-iso never saw b3's MAC, h3's sqn-open never a2's.
a_second_vni_cannot_see_the_first() {
	local a2 rc=0
	a2=$(vx_addr a2)
	vx_in b3 ip addr add 10.140.0.250/24 dev eth0 || { why="b3: no second address"; return 1; }
	reach b3 "$(vx_addr b2)" && unreach "b3 $a2" || rc=1
	vx_in b3 ip addr del 10.140.0.250/24 dev eth0
	[ $rc = 0 ] || return 1
	! fdb_has 2 sqn-iso "$(mac b3)" && ! fdb_has 1 sqn-iso "$(mac b3)" ||
		{ why="sqn-iso's bridge learned b3's MAC"; return 1; }
	! fdb_has 3 sqn-open "$(mac a2)" || { why="h3's sqn-open learned a2's MAC"; return 1; }
}

# counters N: host N's sqnvx200 rx and tx packets, "RX TX".
counters() { echo "$(stat64 "$1" sqnvx200 rx packets) $(stat64 "$1" sqnvx200 tx packets)"; }
# settled N: host N's counters do not move for half a second.
settled() {
	local a
	a=$(counters "$1")
	sleep 0.5
	[ "$(counters "$1")" = "$a" ]
}
# 300 broadcasts from b2: h2's VXLAN sends each once to each peer (600),
# h1 and h3 take 300 each and send none back (no loop: the bridge sends
# no frame back out of its VXLAN port, and VXLAN never floods what came
# from VXLAN).
counters_stay_bounded() {
	local n c0=() c1=() d
	for n in 1 2 3; do
		c0[$n]=$(counters $n)
	done
	vx_in b2 "$PROBE" bcast eth0 300 >/dev/null || { why="b2 could not send broadcasts"; return 1; }
	for n in 1 2 3; do
		wait_for 100 settled $n || { why="h$n's counters keep moving: $(counters $n)"; return 1; }
		c1[$n]=$(counters $n)
	done
	# shellcheck disable=SC2086
	d=$(for n in 1 2 3; do set -- ${c0[$n]} ${c1[$n]}; echo "$(($3 - $1)) $(($4 - $2))"; done | paste -sd' ')
	# shellcheck disable=SC2086
	set -- $d # h1 rx tx, h2 rx tx, h3 rx tx
	[ "$1" -ge 300 ] && [ "$1" -lt 340 ] && [ "$2" -lt 40 ] &&
		[ "$3" -lt 40 ] && [ "$4" -ge 600 ] && [ "$4" -lt 680 ] &&
		[ "$5" -ge 300 ] && [ "$5" -lt 340 ] && [ "$6" -lt 40 ] && return 0
	why="sqnvx200 packets moved (rx tx, h1 h2 h3): $d"
	return 1
}

# hup_all: every host's service reads its config again and says so.
hup_all() {
	local n
	for n in 1 2 3; do
		: >"$tmp/h$n/log.mark"
		wc -l <"$tmp/h$n/log" >"$tmp/h$n/log.mark"
		vx_hup $n
	done
}
# reloaded N: host N's service logged something since hup_all.
reloaded() { [ "$(wc -l <"$tmp/h$1/log")" -gt "$(cat "$tmp/h$1/log.mark")" ]; }
# fdb_settled N LIST_A LIST_B: host N's flood lists are those (10 s).
fdb_settled() {
	wait_for 100 eval "zeros_are $1 sqnvx100 '$2' && zeros_are $1 sqnvx200 '$3'" || {
		why="$why; its log: $(tail -3 "$tmp/h$1/log" | tr '\n' ' ')"
		return 1
	}
}
# toward N DEV ADDR: host N's FDB entries of DEV toward ADDR, learned ones
# too.
toward() { vx_host "$1" bridge fdb show dev "$2" | grep -c " dst $3 "; }
# h3 taken out of the other hosts' peer lists (SIGHUP): exactly its
# entries go on h1 and h2, what they learned toward it too, so that
# nothing they send reaches h3 (its own list still names them); then out
# of its own list too: its guests reach nothing. Put back, they reach the
# others again; a reload changing nothing changes nothing; no entry is
# there twice.
sighup_peer_removal_cuts_a_member_off() {
	local n d
	conf 1 "$(peers_but 1 3)" "$(peers_but 1 3)"
	conf 2 "$(peers_but 2 3)" "$(peers_but 2 3)"
	hup_all
	fdb_settled 1 $VX_NET.2 $VX_NET.2 && fdb_settled 2 $VX_NET.1 $VX_NET.1 &&
		fdb_settled 3 "$(peers_but 3)" "$(peers_but 3)" || return 1
	for n in 1 2; do
		for d in sqnvx100 sqnvx200; do
			[ "$(toward $n $d $VX_NET.3)" = 0 ] ||
				{ why="h$n $d: still toward h3: $(vx_host $n bridge fdb show dev $d | grep " dst $VX_NET.3 " | tr '\n' ' ')"; return 1; }
		done
	done
	unreach "b2 $(vx_addr b3)" "b1 $(vx_addr b3)" "h1 $(vx_addr a3)" ||
		{ why="h3 is not cut off from h1 and h2: $why"; return 1; }
	reach a2 $GW_A && reach b2 "$(vx_addr b1)" || return 1
	conf 3 "" ""
	hup_all
	fdb_settled 3 "" "" || return 1
	unreach "a3 $GW_A" "b3 $(vx_addr b2)" "b3 $(vx_addr b1)" ||
		{ why="h3's guests are not cut off: $why"; return 1; }
	all_conf
	hup_all
	for n in 1 2 3; do
		fdb_settled $n "$(peers_but $n)" "$(peers_but $n)" || return 1
	done
	reach a3 $GW_A 150 && reach b3 "$(vx_addr b2)" && reach b1 "$(vx_addr b3)" || return 1
	# Again, unchanged: nothing added, nothing twice.
	hup_all
	for n in 1 2 3; do
		wait_for 100 reloaded $n || { why="h$n logged nothing on SIGHUP"; return 1; }
		fdb_settled $n "$(peers_but $n)" "$(peers_but $n)" || return 1
	done
	reach a3 $GW_A
}

# hwaddr N DEV: host N's link DEV's MAC.
hwaddr() { vx_host "$1" ip -o link show dev "$2" | grep -o 'link/ether [0-9a-f:]*'; }
# h1's service ended (SIGTERM) and started again: its bridge comes back
# with the same MAC (the members' guests know it), a2 and a3 keep their
# addresses and reach the gateway and wan again; b2 and b3 reached each
# other all along (their path is not h1's).
gateway_hosts_service_restarted() {
	local mac g a
	mac=$(hwaddr 1 sqn-iso)
	vx_serve_kill 1
	# The guests of h1 went with its service.
	vx_guest_end a1
	vx_guest_end b1
	reach b2 "$(vx_addr b3)" || return 1
	vx_serve 1 || return 1
	[ "$(hwaddr 1 sqn-iso)" = "$mac" ] || { why="h1's bridge was $mac, now $(hwaddr 1 sqn-iso)"; return 1; }
	for g in a2 a3; do
		a=$(vx_in $g ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
		[ "$a" = "$(vx_addr $g)" ] || { why="$g: eth0 has \"$a\", had $(vx_addr $g)"; return 1; }
		reach $g $GW_A 300 || return 1
	done
	[ "$(remote a3)" = "remote=$H1_WAN" ] || { why="a3 -> wan after the restart: $(remote a3)"; return 1; }
	reach b2 "$(vx_addr b3)"
}

# h3 vanishes (its service SIGKILLed, its underlay link gone): h2's guests
# still reach the gateway, wan and each other's networks' gateways; h1 and
# h2 still serve.
a_member_host_vanishing_leaves_the_others_working() {
	vx_serve_kill 3 KILL
	ip -n "$VX_UL" link del h3 || { why="h3's underlay link"; return 1; }
	reach a2 $GW_A && reach b2 $GW_B || return 1
	[ "$(remote b2)" = "remote=$H1_WAN" ] || { why="b2 -> wan: $(remote b2)"; return 1; }
	vx_status 1 && vx_status 2 || { why="status: $(cat "$tmp/h1/status" "$tmp/h2/status")"; return 1; }
	kill -0 "${VX_SPID[1]}" && kill -0 "${VX_SPID[2]}" || { why="a service ended"; return 1; }
}

# The guests gone and h1's and h2's services ended (SIGTERM): nothing of
# theirs left, the member's bridge and VXLAN ports included (there until
# then).
nothing_left_after_sigterm() {
	local g
	for g in sqn-iso sqn-open sqnvx100 sqnvx200; do
		[ -n "$(vx_host 2 ip -o link show dev $g 2>/dev/null)" ] || { why="h2 has no $g"; return 1; }
	done
	for g in $GUESTS; do
		vx_guest_end $g
	done
	vx_serve_kill 1
	vx_serve_kill 2
	nothing_left "${VXH[1]}" "$NS_HOST_INO" &&
		nothing_left "${VXH[2]}" "$(stat -L -c %i "/run/netns/${VXH[2]}")"
}

setup vx_up
all_conf
for n in 1 2 3; do
	setup vx_serve $n
done

tcase leases_from_the_gateway_host leases_from_the_gateway_host
tcase vxlan_ports_and_flood_lists vxlan_ports_and_flood_lists
tcase status_shows_role_peers_and_counters status_shows_role_peers_and_counters
tcase isolated_guests_reach_the_gateway_not_each_other isolated_guests_reach_the_gateway_not_each_other
tcase open_guests_reach_each_other_across_hosts open_guests_reach_each_other_across_hosts
tcase wan_through_the_gateway_hosts_nat wan_through_the_gateway_hosts_nat
tcase mtu_1422_passes_with_df_1423_is_refused mtu_1422_passes_with_df_1423_is_refused
tcase a_second_vni_cannot_see_the_first a_second_vni_cannot_see_the_first
tcase counters_stay_bounded counters_stay_bounded
tcase sighup_peer_removal_cuts_a_member_off sighup_peer_removal_cuts_a_member_off
tcase gateway_hosts_service_restarted gateway_hosts_service_restarted
tcase a_member_host_vanishing_leaves_the_others_working a_member_host_vanishing_leaves_the_others_working
tcase nothing_left_after_sigterm nothing_left_after_sigterm
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
