#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh - run every benchmark binary of a build: bench/run.sh [BUILD_DIR]
#
# BUILD_DIR defaults to "build"; the binaries are BUILD_DIR/bench/bench_*.
# Extra arguments after BUILD_DIR go to every benchmark. Exits non-zero when
# one fails (a verification error) or none is built.
set -eu

dir=${1:-build}
if [ $# -gt 0 ]; then
	shift
fi

found=0
failed=0
# run NAME CMD...: one benchmark, counted.
run() {
	name=$1
	shift
	found=$((found + 1))
	echo "== $name"
	if ! "$@"; then
		echo "== $name: FAILED" >&2
		failed=$((failed + 1))
	fi
	echo
}

for bench in "$dir"/bench/bench_*; do
	case ${bench##*/} in
	*.*) continue ;; # bench_x.o, bench_x.d
	esac
	if [ ! -f "$bench" ] || [ ! -x "$bench" ]; then
		continue
	fi
	run "${bench##*/}" "$bench" "$@"
done

# Benchmarks that need namespaces and helpers (root; scripts/deps.sh bench):
# guest.sh (userspace mode), shared.sh (shared mode and the kernel's own
# bridge and NAT). lib.sh is what they source.
for script in bench/*.sh; do
	case ${script##*/} in
	run.sh | lib.sh) continue ;;
	esac
	run "${script##*/}" "$script" "$dir"
done

if [ "$found" -eq 0 ]; then
	echo "run.sh: no benchmarks in $dir/bench (make $dir/bench/bench_stream)" >&2
	exit 1
fi
[ "$failed" -eq 0 ] || exit 1
