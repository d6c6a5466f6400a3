#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh - run every test program and check; the last line sums them up
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# A program whose output ends with "N passed, N failed".
suite() {
	local line p f
	"$@" 2>&1 | tee "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $* (ended without a summary)"
		failed=$((failed + 1))
		return
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	passed=$((passed + p))
	failed=$((failed + f))
}

# One check that passes or fails as a whole.
single() {
	local name=$1
	shift
	if "$@" >"$log" 2>&1; then
		echo "ok   $name"
		grep '^     ' "$log"
		passed=$((passed + 1))
	else
		cat "$log"
		echo "FAIL $name"
		failed=$((failed + 1))
	fi
}

# A bounded fuzz run; prints how many inputs it tried.
fuzz() {
	local target=$1 out r=0
	shift
	out=$(mktemp)
	"$B/fuzz/$target" -runs="${FUZZ_RUNS:-300000}" -max_total_time=20 \
		"$@" >"$out" 2>&1 || r=1
	[ $r = 0 ] || cat "$out"
	grep -E '^Done [0-9]+ runs' "$out" | sed "s/^/     $target: /"
	rm -f "$out"
	return $r
}

single check-format make -s check-format
for t in "$B"/tests/test_*; do
	case $t in *.o | *.d) continue ;; esac
	suite "$t"
done
for t in "$B"/asan/tests/test_*; do
	case $t in *.o | *.d) continue ;; esac
	suite env ASAN_OPTIONS=detect_leaks=1 "$t"
done
suite tests/test_cli.sh "$B"
suite tests/test_guest.sh "$B"
suite tests/test_host_mode.sh "$B"
suite tests/test_shared_mode.sh "$B"
suite tests/test_bridged_mode.sh "$B"
suite tests/test_qemu.sh "$B"
corpus=$(mktemp -d)
cp fuzz/corpus/framing/* "$corpus"/ 2>/dev/null
single fuzz-framing-bounded fuzz fuzz_framing "$corpus"
single fuzz-config-bounded fuzz fuzz_config
rm -rf "$corpus"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
