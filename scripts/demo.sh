#!/bin/bash
# SPDX-License-Identifier: MIT
# demo.sh - the main job: a guest in shared mode (bridge, dnsmasq, NAT) gets a
# lease, resolves a name and fetches a page from "wan" through NAT, all inside
# network namespaces this script makes and removes
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
make -s -j2 "${B:-build}/squib-net" "${B:-build}/libexec/squib-net-keeper" >/dev/null
PROG=$(realpath "${B:-build}/squib-net")
# The network's keeper program, of this build (not installed).
SQN_LIBEXECDIR=$(realpath "${B:-build}/libexec")
export SQN_LIBEXECDIR
. scripts/netns.sh
trap ns_down EXIT
t0=$(date +%s%N)
ns_up
echo "demo: namespace $NS_HOST runs squib-net; $NS_WAN stands for the outside"
echo "      world, with a web server www.wan.test at $WAN_ADDR"
# The network's DNS server (dnsmasq) answers www.wan.test itself and sends
# no query anywhere: the names stay inside these namespaces.
echo "$WAN_ADDR www.wan.test" >"$NS_WWW/hosts"
echo "demo: squib-net guest --mode shared -- busybox wget http://www.wan.test/"
set +e
ip netns exec "$NS_HOST" "$PROG" --verbose guest --mode shared \
	--dns-upstream none --dns-hosts "$NS_WWW/hosts" --stats -- sh -c "
	echo \"guest: \$(ip -4 -o addr show eth0 | awk '{print \$4}'), default via \$(ip route | awk '/default/ {print \$3}')\"
	printf 'guest: fetched: '
	timeout 10 busybox wget -q -O - http://www.wan.test/
	printf 'guest: wan saw the request come from: '
	timeout 10 busybox wget -q -O - http://www.wan.test/cgi-bin/remote" 2>&1 |
	grep -v -e '^udhcpc' -e 'debug:'
rc=${PIPESTATUS[0]}
set -e
ns_down
trap - EXIT
ms=$((($(date +%s%N) - t0) / 1000000))
printf 'demo: %s in %d.%03d s; namespaces removed\n' \
	"$([ "$rc" = 0 ] && echo done || echo "FAILED ($rc)")" $((ms / 1000)) $((ms % 1000))
exit "$rc"
