#!/bin/bash
# SPDX-License-Identifier: MIT
# test_shared_mode.sh - squib-net guest --mode shared: bridge, dnsmasq DHCP
# and DNS, nftables NAT and per-interface forwarding, made in the "host"
# namespace of scripts/netns.sh; "wan" stands for the outside world. dnsmasq
# never forwards a query (--dns-upstream none).
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$(realpath "$B/squib-net")
NS_TAG=tsm$$ # not sqn*: every link named sqn* is squib-net's
. scripts/netns.sh
tmp=$(mktemp -d)
SUITE=test_shared_mode
. tests/lib.sh
NAT_IF=$NS_TAG-h # the interface of host's default route
GW=10.123.0.1
SUBNET=$GW/24
LEASE='10\.123\.0\.'
NET=sqn-t # the network of the tests that name one
# A network of ours: no upstream DNS; www.wan.test from a hosts file.
MODE=(--mode shared --subnet "$SUBNET" --dns-upstream none --dns-hosts "$tmp/hosts")
trap suite_down EXIT
fwd() {
	in_host sysctl -n "net.ipv4.conf.$1.forwarding" 2>/dev/null
}
# Nothing of shared mode left, and NAT_IF forwards no more (as before).
leftovers() {
	nothing_left "$NS_HOST" "$NS_HOST_INO" || return 1
	[ "$(fwd "$NAT_IF")" = 0 ] || { why="forwarding of $NAT_IF is $(fwd "$NAT_IF"), was 0"; return 1; }
}

# The lease, wan through NAT (whose server sees host's address), the host
# at the gateway address.
lease_nat_and_host() {
	guest 0 "${MODE[@]}" -- sh -c "echo addr=$ADDR;
		timeout 10 busybox wget -q -O - http://$WAN_ADDR/cgi-bin/remote;
		timeout 10 busybox wget -q -O - http://$GW/" &&
		has out "addr=$LEASE" && has out "remote=10\.99\.0\.2$" &&
		has out "hello from the host" && leftovers
}

# The network's DNS server is the guest's, and answers from --dns-hosts.
names_from_dns_hosts() {
	guest 0 "${MODE[@]}" -- sh -c "grep nameserver /etc/resolv.conf;
		busybox nslookup www.wan.test;
		timeout 10 busybox wget -q -O - http://www.wan.test/" &&
		has out "nameserver $GW" && has out "Address.*$WAN_ADDR" &&
		has out "hello from wan" && leftovers
}

# While the guest runs: the bridge with the gateway address, the NAT table,
# forwarding on the bridge and NAT_IF, dnsmasq, the record. Then all gone.
host_side_made_and_undone() {
	local pid rc
	guest_bg a "${MODE[@]}" -- sh -c "echo $ADDR >$tmp/a.addr; $HOLD"
	pid=$bg
	ready a || { stop $pid; return 1; }
	in_host ip -o addr show dev sqn-shared >"$tmp/addr"
	in_host nft list table ip squib-net-sqn-shared >"$tmp/nft" 2>&1
	in_host ip -o link show master sqn-shared >"$tmp/ports"
	local bfwd nfwd dns rec=no
	bfwd=$(fwd sqn-shared) nfwd=$(fwd "$NAT_IF")
	dns=$(ns_procs "$NS_HOST" dnsmasq | wc -l)
	[ -d "/run/squib-net/net-$NS_HOST_INO/sqn-shared" ] && rec=yes
	touch "$tmp/go"
	wait $pid
	rc=$?
	[ $rc = 0 ] || { why="exit status $rc, wanted 0"; return 1; }
	has addr "inet $SUBNET" && has nft masquerade && has nft "$NAT_IF" &&
		has ports ": sqn" || return 1
	[ "$bfwd" = 1 ] && [ "$nfwd" = 1 ] ||
		{ why="forwarding: sqn-shared $bfwd, $NAT_IF $nfwd (wanted 1, 1)"; return 1; }
	[ "$dns" = 1 ] || { why="$dns dnsmasq in $NS_HOST, wanted 1"; return 1; }
	[ $rec = yes ] || { why="no record in /run/squib-net/net-$NS_HOST_INO/sqn-shared"; return 1; }
	leftovers
}

# --offload: TSO frames (longer than 1514 bytes) cross the attachment; an
# iperf3 upload to wan, and a file up and down whose sha256 must match (in
# base64: busybox wget posts a file only up to its first NUL byte).
offload_moves_large_frames_intact() {
	local srv sum stats
	head -c 3000000 /dev/urandom | base64 >"$NS_WWW/blob"
	sum=$(sha256sum <"$NS_WWW/blob" | cut -d' ' -f1)
	ip netns exec "$NS_WAN" iperf3 -s -1 -B "$WAN_ADDR" >"$tmp/iperf-s" 2>&1 &
	srv=$!
	pids+=($srv)
	ns_wait "$NS_WAN" ss -Hltn "sport = :5201" || { why="no iperf3 server"; stop $srv; return 1; }
	guest 0 "${MODE[@]}" --offload --stats -- sh -c "
		timeout 30 iperf3 -c $WAN_ADDR -n 20M && echo iperf-ok;
		echo up=\$(timeout 20 busybox wget -q -O - --post-file $NS_WWW/blob http://$WAN_ADDR/cgi-bin/sha256);
		echo down=\$(timeout 20 busybox wget -q -O - http://$WAN_ADDR/blob | sha256sum)"
	local rc=$?
	stop $srv
	[ $rc = 0 ] && has out iperf-ok && has out "up=$sum" && has out "down=$sum" &&
		has err "^squib-net: stats: " || return 1
	stats=$(grep "^squib-net: stats: " "$tmp/err")
	grep -q "rx_frames=[0-9]" <<<"$stats" && grep -q "tx_bytes=[0-9]" <<<"$stats" ||
		{ why="stats: $stats"; return 1; }
	grep -qE "(rx|tx)_large=[1-9]" <<<"$stats" || { why="no large frames: $stats"; return 1; }
	leftovers
}

# counter NAME: the number NAME=N of the stats line of the last guest.
counter() {
	grep "^squib-net: stats: " "$tmp/err" | grep -o " $1=[0-9]*" | cut -d= -f2
}

# A file up and down through a guest whose attachment has no offloads,
# sha256 checked; what crosses the attachment are Ethernet-sized frames.
# Without --no-guest-offload eth0 has offloads anyway: the relay cuts the
# guest's TSO frames (eth0 sends fewer packets than the attachment takes)
# and joins the segments coming in (eth0 receives fewer than come); with
# it, eth0 moves about every frame itself.
plain_attachment() {
	local sum
	[ -s "$NS_WWW/blob" ] || head -c 3000000 /dev/urandom | base64 >"$NS_WWW/blob"
	sum=$(sha256sum <"$NS_WWW/blob" | cut -d' ' -f1)
	guest 0 "${MODE[@]}" --stats "$@" -- sh -c "
		echo up=\$(timeout 20 busybox wget -q -O - --post-file $NS_WWW/blob http://$WAN_ADDR/cgi-bin/sha256);
		echo down=\$(timeout 20 busybox wget -q -O - http://$WAN_ADDR/blob | sha256sum);
		awk '/eth0:/ { sub(/.*:/, \"\"); print \"eth0 rx=\" \$2 \" tx=\" \$10 }' /proc/net/dev" &&
		has out "up=$sum" && has out "down=$sum" || return 1
	rx=$(counter rx_frames) tx=$(counter tx_frames)
	erx=$(sed -n 's/^eth0 rx=\([0-9]*\) .*/\1/p' "$tmp/out")
	etx=$(sed -n 's/^eth0 .* tx=\([0-9]*\)$/\1/p' "$tmp/out")
	[ "$(counter rx_large)" = 0 ] && [ "$(counter tx_large)" = 0 ] ||
		{ why="frames over 1514 bytes crossed: $(grep stats: "$tmp/err")"; return 1; }
	[ -n "$erx" ] && [ -n "$etx" ] && [ "$rx" -gt 2000 ] && [ "$tx" -gt 2000 ] ||
		{ why="eth0 rx=$erx tx=$etx, attachment rx=$rx tx=$tx"; return 1; }
	echo "eth0 rx=$erx tx=$etx, attachment rx=$rx tx=$tx" >"$tmp/counts"
}
plain_attachment_cuts_and_joins_segments() {
	plain_attachment || return 1
	[ $((erx * 2)) -lt "$rx" ] && [ $((etx * 2)) -lt "$tx" ] ||
		{ why="not joined or cut: $(cat "$tmp/counts")"; return 1; }
	leftovers
}
no_guest_offload_moves_each_frame() {
	plain_attachment --no-guest-offload || return 1
	[ $((erx * 10)) -ge $((rx * 9)) ] && [ $((etx * 10)) -ge $((tx * 9)) ] ||
		{ why="eth0 has offloads: $(cat "$tmp/counts")"; return 1; }
	leftovers
}

sigterm_tears_everything_down() {
	local pid rc
	guest_bg a "${MODE[@]}" -- sh -c "echo $ADDR >$tmp/a.addr; sleep 30"
	pid=$bg
	ready a || { stop $pid; return 1; }
	kill -TERM $pid
	wait $pid
	rc=$?
	[ "$rc" = 143 ] || { why="exit status $rc, wanted 143"; return 1; }
	leftovers
}

# A network whose only guest was killed is swept by the next start.
sigkill_then_the_keeper_cleans_up() {
	local pid
	guest_bg a "${MODE[@]}" -- sh -c "echo $ADDR >$tmp/a.addr; sleep 30"
	pid=$bg
	ready a || { stop $pid; return 1; }
	kill -KILL $pid
	wait $pid 2>/dev/null
	# With no further run, the network's keeper removes all of it (bridge,
	# table, dnsmasq, record, itself) within seconds (15 at most here).
	wait_for 150 leftovers || return 1
	guest 0 "${MODE[@]}" -- sh -c "echo addr=$ADDR" && has out "addr=$LEASE" && leftovers
}

overlapping_subnet_is_refused() {
	# 10.99.0.2/24 is host's address; 10.55.0.0/16 one of its routes.
	refused 1 overlaps --mode shared --subnet 10.99.0.129/25 --dns-upstream none &&
		refused 1 overlaps --mode shared --subnet 10.55.7.1/24 --dns-upstream none || return 1
	[ -n "$(in_host ip route show 10.55.0.0/16)" ] || { why="route 10.55.0.0/16 went away"; return 1; }
}

unknown_mode_is_a_usage_error() {
	refused 2 mode --mode sharred --dns-upstream none
}

# While a network runs, the same name with another subnet is refused; the
# first network goes on working.
same_name_other_subnet_is_refused() {
	local pid second links
	guest_bg a "${MODE[@]}" --network $NET -- sh -c "echo $ADDR >$tmp/a.addr; $HOLD;
		timeout 10 busybox wget -q -O - http://$WAN_ADDR/ && echo still-ok"
	pid=$bg
	ready a || { stop $pid; return 1; }
	links=$(in_host ip -o link show | grep -c ": sqn")
	guest 1 --mode shared --network $NET --subnet 10.124.0.1/24 --dns-upstream none -- true
	second=$?
	local links2 dns addrs
	links2=$(in_host ip -o link show | grep -c ": sqn")
	dns=$(ns_procs "$NS_HOST" dnsmasq | wc -l)
	addrs=$(in_host ip -o addr show dev $NET)
	touch "$tmp/go"
	wait $pid
	local rca=$?
	[ $second = 0 ] && has err exists || return 1
	[ "$links2" = "$links" ] || { why="$links sqn* links before, $links2 after"; return 1; }
	[ "$dns" = 1 ] || { why="$dns dnsmasq, wanted 1"; return 1; }
	grep -q "inet $SUBNET" <<<"$addrs" && ! grep -q 10.124 <<<"$addrs" ||
		{ why="$NET has: $addrs"; return 1; }
	[ $rca = 0 ] || { why="first guest: exit status $rca"; return 1; }
	has a.out still-ok && leftovers
}

# --network naming a link that is not squib-net's (host's veth to wan).
network_named_like_a_link_is_refused() {
	refused 1 "$NAT_IF" "${MODE[@]}" --network "$NAT_IF" || return 1
	in_host ip -o addr show dev "$NAT_IF" >"$tmp/addr"
	in_host ip -d -o link show dev "$NAT_IF" >"$tmp/link"
	has addr "inet 10.99.0.2/24" && has link "veth" && ! grep -q master "$tmp/link" ||
		{ why="${why:-$NAT_IF became a bridge port}"; return 1; }
	in_host timeout 5 busybox wget -q -O /dev/null "http://$WAN_ADDR/" ||
		{ why="host no longer reaches wan"; return 1; }
}

setup ns_up
echo "$WAN_ADDR www.wan.test" >"$tmp/hosts"
mkdir -p "$tmp/www"
echo "hello from the host" >"$tmp/www/index.html"
# So a missing NAT shows as the guest's own address, not as silence.
ip -n "$NS_WAN" route add 10.123.0.0/24 via 10.99.0.2
in_host ip route add 10.55.0.0/16 via "$HOST_GW"
gateway_httpd

tcase lease_nat_and_host lease_nat_and_host
tcase names_from_dns_hosts names_from_dns_hosts
tcase host_side_made_and_undone host_side_made_and_undone
tcase isolated_guests_cannot_reach_each_other isolated_guests_cannot_reach_each_other
tcase without_isolation_they_can without_isolation_they_can
tcase offload_moves_large_frames_intact offload_moves_large_frames_intact
tcase plain_attachment_cuts_and_joins_segments plain_attachment_cuts_and_joins_segments
tcase no_guest_offload_moves_each_frame no_guest_offload_moves_each_frame
tcase sigterm_tears_everything_down sigterm_tears_everything_down
tcase sigkill_then_the_keeper_cleans_up sigkill_then_the_keeper_cleans_up
tcase overlapping_subnet_is_refused overlapping_subnet_is_refused
tcase unknown_mode_is_a_usage_error unknown_mode_is_a_usage_error
tcase same_name_other_subnet_is_refused same_name_other_subnet_is_refused
tcase network_named_like_a_link_is_refused network_named_like_a_link_is_refused

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
