#!/bin/bash
# SPDX-License-Identifier: MIT
# guest.sh - lease time and TCP throughput of a guest in userspace mode
#
# In namespaces of its own (scripts/netns.sh): squib-net guest with passt
# in "host", an iperf3 server in "wan". Prints the median lease time over
# 10 starts, then iperf3 guest->wan and wan->guest.
set -euo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
. bench/lib.sh
trap bench_down EXIT
ns_up

bench_lease "from squib-net guest start (userspace mode, passt)" --mode userspace

bench_iperf_server
bench_iperf "guest->wan via passt" "$NS_HOST" \
	"$PROG" guest --mode userspace -- iperf3 -c "$WAN_ADDR" -t "$SECS" -f m || true
bench_iperf "wan->guest via passt" "$NS_HOST" \
	"$PROG" guest --mode userspace -- iperf3 -c "$WAN_ADDR" -t "$SECS" -R -f m || true
