#!/bin/bash
# SPDX-License-Identifier: MIT
# demo.sh - the main job: a guest in userspace mode (passt) gets a lease and
# fetches a page, all inside network namespaces this script makes and removes
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
make -s -j2 "${B:-build}/squib-net" >/dev/null
PROG=$(realpath "${B:-build}/squib-net")
. scripts/netns.sh
trap ns_down EXIT
t0=$(date +%s%N)
ns_up
echo "demo: namespace $NS_HOST runs squib-net and passt; $NS_WAN stands for"
echo "      the outside world, with a web server at http://$WAN_ADDR/"
echo "demo: squib-net guest -- busybox wget -O - http://$WAN_ADDR/"
set +e
ip netns exec "$NS_HOST" "$PROG" --verbose guest -- sh -c "
	echo \"guest: \$(ip -4 -o addr show eth0 | awk '{print \$4}'), default via \$(ip route | awk '/default/ {print \$3}')\"
	printf 'guest: fetched: '
	timeout 10 busybox wget -q -O - http://$WAN_ADDR/" 2>&1 |
	grep -v -e '^udhcpc' -e 'debug:'
rc=${PIPESTATUS[0]}
set -e
ns_down
trap - EXIT
ms=$((($(date +%s%N) - t0) / 1000000))
printf 'demo: %s in %d.%03d s; namespaces removed\n' \
	"$([ "$rc" = 0 ] && echo done || echo "FAILED ($rc)")" $((ms / 1000)) $((ms % 1000))
exit "$rc"
