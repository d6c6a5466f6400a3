#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh - make bench: every benchmark, one table, CSV and chart
#
# bench/run.sh [BUILD_DIR]; QUICK=1 for a short check (under 2 minutes);
# BENCH_BASE=<git revision> adds the shared-mode rows of that revision's
# squib-net (built in BUILD_DIR/base), to see a change side by side.
# Runs bench_framing (micro), bench_stream (library to library, printed
# only), then, as root, e2e.sh, scale.sh, serve_stream.sh, forward.sh,
# ipv6.sh and vxlan.sh in namespaces of their own;
# bench/report.sh turns what they print into the tables, and
# bench/results/{micro,e2e,scale,raw,vxlan}.csv and bench.png. Exits non-zero
# when a benchmark program fails.
set -euo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
QUICK=${QUICK:-0}
OUT=bench/results
raw=$(mktemp /tmp/sqn-bench-raw.XXXXXX)
trap 'rm -f "$raw"' EXIT
start=$(date +%s)
export QUICK

{
	echo "machine,date,$(date -u +%Y-%m-%d)"
	echo "machine,cpu,$(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1 | tr -s ' ,' ' ')"
	echo "machine,kernel,Linux $(uname -r)"
	[ "$QUICK" != 1 ] || echo "machine,quick,QUICK=1"
} >"$raw"

secs=0.5
[ "$QUICK" != 1 ] || secs=0.2
echo "== micro: bench_framing" >&2
"$B/bench/bench_framing" --csv --time "$secs" >>"$raw"
if [ "$QUICK" != 1 ]; then
	echo "== bench_stream: library to library over a socketpair" >&2
	"$B/bench/bench_stream" --time 0.5 --sizes 64,1514,9000,65535 \
		--backends stream,dgram >&2
fi

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: not root: the end-to-end and scale benchmarks need namespaces" >&2
else
	if [ -n "${BENCH_BASE:-}" ]; then
		echo "== building squib-net of $BENCH_BASE in $B/base" >&2
		rm -rf "$B/base"
		mkdir -p "$B/base"
		git archive --format=tar "$BENCH_BASE" | tar -x -C "$B/base"
		make -C "$B/base" -j2 build/squib-net build/libexec/squib-net-keeper >/dev/null
		BENCH_BASE_PROG=$(realpath "$B/base/build/squib-net")
		export BENCH_BASE_PROG
	fi
	echo "== end to end: bench/e2e.sh" >&2
	bench/e2e.sh "$B" >>"$raw"
	echo "== scale: bench/scale.sh" >&2
	bench/scale.sh "$B" >>"$raw"
	echo "== squib-net serve: stream and fd clients: bench/serve_stream.sh" >&2
	bench/serve_stream.sh "$B" >>"$raw"
	echo "== port forward into a guest: bench/forward.sh" >&2
	bench/forward.sh "$B" >>"$raw"
	echo "== IPv6: shared-mode guest to wan over IPv6 and IPv4: bench/ipv6.sh" >&2
	bench/ipv6.sh "$B" >>"$raw"
	echo "== a network across hosts (VXLAN): bench/vxlan.sh" >&2
	bench/vxlan.sh "$B" >>"$raw"
fi
echo "machine,took,$(($(date +%s) - start)) s" >>"$raw"
mkdir -p "$OUT"
cp "$raw" "$OUT/raw.csv"
echo
awk -F, '$1 == "machine" { printf "%s%s", sep, $3; sep = ", " } END { print "" }' "$raw"
bench/report.sh "$raw" "$OUT"
if grep -q '^fwd-median,' "$raw"; then
	echo
	echo "Port forward (bench/forward.sh), iperf3 from wan, Gbit/s:"
	awk -F, '$1 == "fwd-median" { printf "  %-48s %6s\n", $3, $4 }' "$raw"
fi
if grep -q '^vxlan-median,' "$raw"; then
	grep '^vxlan' "$raw" >"$OUT/vxlan.csv"
	echo
	echo "A network across hosts (bench/vxlan.sh), guest to guest, medians:"
	awk -F, '$1 == "vxlan-median" { printf "  %-48s %8s %s\n", $5, $4,
		$3 == "gbps" ? "Gbit/s" : $3 == "rtt_ms" ? "ms RTT" : "ms" }' "$raw"
fi
echo
echo "CSV and chart in $OUT/ ($(($(date +%s) - start)) s)"
