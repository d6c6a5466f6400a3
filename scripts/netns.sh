# SPDX-License-Identifier: MIT
# netns.sh - a test bed of network namespaces of the test's own (sourced)
#
#   wan  (10.99.0.1/24, and 10.99.1.1 with an HTTP server on port 80)
#    |   veth
#   host (10.99.0.2/24, default route via wan; HTTP on 127.0.0.1:8080)
#
# "host" stands for the machine squib-net runs on: passt copies its
# addresses and routes, and its only route leads to "wan". Nothing here
# touches the root namespace's interfaces, routes, firewall or sysctls.
# ip netns exec gives "host" the resolv.conf in /etc/netns/NAME, so passt
# never sees the machine's real DNS server.

NS_TAG=${NS_TAG:-sqn$$}
NS_HOST=$NS_TAG-host
NS_WAN=$NS_TAG-wan
NS_PIDS=()
NS_WWW=
WAN_ADDR=10.99.1.1
HOST_GW=10.99.0.1

# ns_up: make the namespaces and start the servers.
ns_up() {
	NS_WWW=$(mktemp -d /tmp/sqn-www.XXXXXX)
	echo "hello from wan" >"$NS_WWW/index.html"
	mkdir -p "$NS_WWW/host"
	echo "hello from host loopback" >"$NS_WWW/host/index.html"
	ip netns add "$NS_HOST" || return 1
	ip netns add "$NS_WAN" || return 1
	ip link add "$NS_TAG-h" type veth peer name "$NS_TAG-w" || return 1
	ip link set "$NS_TAG-h" netns "$NS_HOST" || return 1
	ip link set "$NS_TAG-w" netns "$NS_WAN" || return 1
	ip -n "$NS_HOST" link set lo up
	ip -n "$NS_HOST" addr add 10.99.0.2/24 dev "$NS_TAG-h"
	ip -n "$NS_HOST" link set "$NS_TAG-h" up
	ip -n "$NS_HOST" route add default via "$HOST_GW"
	ip -n "$NS_WAN" link set lo up
	ip -n "$NS_WAN" addr add "$WAN_ADDR/32" dev lo
	ip -n "$NS_WAN" addr add "$HOST_GW/24" dev "$NS_TAG-w"
	ip -n "$NS_WAN" link set "$NS_TAG-w" up
	ip -n "$NS_WAN" route add 10.99.0.0/16 dev "$NS_TAG-w" 2>/dev/null
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

# ns_wait_http NS ADDR:PORT: until the server answers (5 s at most).
ns_wait_http() {
	local i
	for i in $(seq 50); do
		ip netns exec "$1" timeout 2 busybox wget -q -O /dev/null "http://$2/" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "server $2 in $1 did not start" >&2
	return 1
}

# ns_down: stop our servers (by pid) and remove everything ns_up made.
ns_down() {
	local p
	for p in "${NS_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	NS_PIDS=()
	ip netns del "$NS_HOST" 2>/dev/null || true
	ip netns del "$NS_WAN" 2>/dev/null || true
	rm -rf "/etc/netns/$NS_HOST"
	[ -z "$NS_WWW" ] || rm -rf "$NS_WWW"
	NS_WWW=
}

# in_host CMD...: run in the "host" namespace
in_host() {
	ip netns exec "$NS_HOST" "$@"
}
