# SPDX-License-Identifier: MIT
# netns.sh - a test bed of network namespaces of the test's own (sourced)
#
#   wan  (10.99.0.1/24, and 10.99.1.1 with an HTTP server on port 80)
#    |   veth
#   host (10.99.0.2/24, default route via wan; HTTP on 127.0.0.1:8080)
#
# "host" stands for the machine squib-net runs on: passt copies its
# addresses and routes, and its only route leads to "wan". It forwards
# nothing (whatever the root namespace does). Nothing here touches the root
# namespace's interfaces, routes, firewall or sysctls: links are made inside
# the namespaces. ip netns exec gives "host" the resolv.conf in
# /etc/netns/NAME, so passt never sees the machine's real DNS server.
# wan's server runs two CGI scripts: /cgi-bin/remote prints the client's
# address, /cgi-bin/sha256 the sha256 of what was POSTed.
#
# ns_lan_up adds a LAN with a router of its own:
#
#   lan  (bridge lan0 10.77.0.1/24: dnsmasq DHCP .100-.199, HTTP on :80)
#    |  veth lb                     |  veth ln
#   host: $NS_TAG-lb, a port of      host: $NS_TAG-ln, 10.77.0.2/24 (a NIC
#         bridge $NS_TAG-br                on the LAN)

NS_TAG=${NS_TAG:-sqn$$}
NS_HOST=$NS_TAG-host
NS_WAN=$NS_TAG-wan
NS_LAN=$NS_TAG-lan
# Links are named from this, fixed now: NS_TAG=x . netns.sh only sets NS_TAG
# while it is sourced.
NS_LINK=$NS_TAG
NS_PIDS=()
NS_WWW=
NS_HOST_INO=
WAN_ADDR=10.99.1.1
HOST_GW=10.99.0.1
LAN_GW=10.77.0.1
LAN_LEASES=

# ns_up: make the namespaces and start the servers.
ns_up() {
	NS_WWW=$(mktemp -d /tmp/sqn-www.XXXXXX)
	echo "hello from wan" >"$NS_WWW/index.html"
	mkdir -p "$NS_WWW/host"
	echo "hello from host loopback" >"$NS_WWW/host/index.html"
	mkdir -p "$NS_WWW/cgi-bin"
	cat >"$NS_WWW/cgi-bin/remote" <<-'EOF'
		#!/bin/sh
		printf 'Content-Type: text/plain\r\n\r\nremote=%s\n' "$REMOTE_ADDR"
	EOF
	cat >"$NS_WWW/cgi-bin/sha256" <<-'EOF'
		#!/bin/sh
		printf 'Content-Type: text/plain\r\n\r\n'
		head -c "$CONTENT_LENGTH" | sha256sum
	EOF
	chmod 755 "$NS_WWW/cgi-bin/remote" "$NS_WWW/cgi-bin/sha256"
	ip netns add "$NS_HOST" || return 1
	ip netns add "$NS_WAN" || return 1
	NS_HOST_INO=$(stat -L -c %i "/run/netns/$NS_HOST")
	ip netns exec "$NS_HOST" sysctl -qw net.ipv4.conf.all.forwarding=0
	ip -n "$NS_HOST" link add "$NS_LINK-h" type veth peer name "$NS_LINK-w" \
		netns "$NS_WAN" || return 1
	ip -n "$NS_HOST" link set lo up
	ip -n "$NS_HOST" addr add 10.99.0.2/24 dev "$NS_LINK-h"
	ip -n "$NS_HOST" link set "$NS_LINK-h" up
	ip -n "$NS_HOST" route add default via "$HOST_GW"
	ip -n "$NS_WAN" link set lo up
	ip -n "$NS_WAN" addr add "$WAN_ADDR/32" dev lo
	ip -n "$NS_WAN" addr add "$HOST_GW/24" dev "$NS_LINK-w"
	ip -n "$NS_WAN" link set "$NS_LINK-w" up
	ip -n "$NS_WAN" route add 10.99.0.0/16 dev "$NS_LINK-w" 2>/dev/null
	# passt runs as nobody and answers pings with ping sockets.
	ip netns exec "$NS_HOST" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	mkdir -p "/etc/netns/$NS_HOST"
	echo "nameserver $HOST_GW" >"/etc/netns/$NS_HOST/resolv.conf"
	ip netns exec "$NS_WAN" busybox httpd -f -p "$WAN_ADDR:80" -h "$NS_WWW" &
	NS_PIDS+=($!)
	ip netns exec "$NS_HOST" busybox httpd -f -p 127.0.0.1:8080 -h "$NS_WWW/host" &
	NS_PIDS+=($!)
	ns_wait_http "$NS_WAN" "$WAN_ADDR:80" && ns_wait_http "$NS_HOST" 127.0.0.1:8080
}

# ns_wait_http NS ADDR:PORT: until the server answers (20 s at most).
ns_wait_http() {
	local i
	for i in $(seq 200); do
		ip netns exec "$1" timeout 2 busybox wget -q -O /dev/null "http://$2/" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "server $2 in $1 did not start" >&2
	return 1
}

# ns_ipv6_up: IPv6 between host and wan: fd00:99::2/64 and ::1 on the
# veth, host's default route via wan, and wan's server on [$WAN6]:80 (on
# wan's lo). wan has no route to anything beyond host: a guest's address
# reaches it only translated to host's. After ns_up.
WAN6=fd00:99:1::1
HOST6=fd00:99::2
ns_ipv6_up() {
	ip -n "$NS_HOST" addr add "$HOST6/64" dev "$NS_LINK-h" nodad || return 1
	ip -n "$NS_WAN" addr add fd00:99::1/64 dev "$NS_LINK-w" nodad || return 1
	ip -n "$NS_WAN" addr add "$WAN6/128" dev lo || return 1
	ip -n "$NS_HOST" -6 route add default via fd00:99::1 || return 1
	ip netns exec "$NS_WAN" busybox httpd -f -p "[$WAN6]:80" -h "$NS_WWW" &
	NS_PIDS+=($!)
	ns_wait_http "$NS_WAN" "[$WAN6]:80"
}

# ns_lan_up: the LAN namespace, its router (dnsmasq, leases in $LAN_LEASES)
# and server, and the two links of host to it (see above). After ns_up.
ns_lan_up() {
	mkdir -p "$NS_WWW/lan"
	echo "hello from lan" >"$NS_WWW/lan/index.html"
	LAN_LEASES=$NS_WWW/lan.leases
	ip netns add "$NS_LAN" || return 1
	ip -n "$NS_LAN" link set lo up
	ip -n "$NS_LAN" link add lan0 type bridge || return 1
	ip -n "$NS_HOST" link add "$NS_LINK-lb" type veth peer name lb netns "$NS_LAN" || return 1
	ip -n "$NS_HOST" link add "$NS_LINK-ln" type veth peer name ln netns "$NS_LAN" || return 1
	ip -n "$NS_LAN" link set lb master lan0
	ip -n "$NS_LAN" link set ln master lan0
	ip -n "$NS_LAN" addr add "$LAN_GW/24" dev lan0
	ip -n "$NS_LAN" link set lb up
	ip -n "$NS_LAN" link set ln up
	ip -n "$NS_LAN" link set lan0 up
	ip -n "$NS_HOST" link add "$NS_LINK-br" type bridge || return 1
	ip -n "$NS_HOST" link set "$NS_LINK-lb" master "$NS_LINK-br"
	ip -n "$NS_HOST" link set "$NS_LINK-lb" up
	ip -n "$NS_HOST" link set "$NS_LINK-br" up
	ip -n "$NS_HOST" addr add 10.77.0.2/24 dev "$NS_LINK-ln"
	ip -n "$NS_HOST" link set "$NS_LINK-ln" up
	ip netns exec "$NS_LAN" dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--no-resolv --no-hosts --port=0 --bind-interfaces --interface=lan0 \
		--except-interface=lo --dhcp-range=10.77.0.100,10.77.0.199,255.255.255.0,1h \
		--dhcp-option=option:router,$LAN_GW --dhcp-authoritative --no-ping --pid-file= \
		--dhcp-leasefile="$LAN_LEASES" --log-facility=- --quiet-dhcp 2>/dev/null &
	NS_PIDS+=($!)
	ip netns exec "$NS_LAN" busybox httpd -f -p "$LAN_GW:80" -h "$NS_WWW/lan" &
	NS_PIDS+=($!)
	ns_wait_http "$NS_LAN" "$LAN_GW:80" || return 1
	ns_wait "$NS_LAN" ss -Hlun "sport = :67" || { echo "no DHCP server in $NS_LAN" >&2; return 1; }
}

# ns_wait NS CMD...: until CMD prints something in NS (20 s at most).
ns_wait() {
	local ns=$1 i
	shift
	for i in $(seq 200); do
		[ -n "$(ip netns exec "$ns" "$@" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	return 1
}

# ns_procs NS COMM: the pids of the processes named COMM in namespace NS.
ns_procs() {
	local p
	for p in $(pgrep -x "$2"); do
		[ "$(ip netns identify "$p" 2>/dev/null)" = "$1" ] && echo "$p"
	done
}

# ns_down: stop our servers (by pid), a dnsmasq that squib-net left in host,
# and remove everything ns_up and ns_lan_up made.
ns_down() {
	local p
	for p in "${NS_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	NS_PIDS=()
	for p in $(ns_procs "$NS_HOST" dnsmasq); do
		kill "$p" 2>/dev/null || true
	done
	[ -z "$NS_HOST_INO" ] || rm -rf "/run/squib-net/net-$NS_HOST_INO"
	NS_HOST_INO=
	ip netns del "$NS_HOST" 2>/dev/null || true
	ip netns del "$NS_WAN" 2>/dev/null || true
	ip netns del "$NS_LAN" 2>/dev/null || true
	rm -rf "/etc/netns/$NS_HOST"
	[ -z "$NS_WWW" ] || rm -rf "$NS_WWW"
	NS_WWW=
}

# in_host CMD...: run in the "host" namespace
in_host() {
	ip netns exec "$NS_HOST" "$@"
}
