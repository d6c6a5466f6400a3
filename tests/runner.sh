#!/bin/bash
# SPDX-License-Identifier: MIT
# runner.sh - how run.sh counts: suite, single and fuzz, sourced by run.sh
# and by test_runner.sh (which feeds them fake suites)
#
# Needs bash (PIPESTATUS) and $B (the build directory) for fuzz.

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# What a sanitizer prints when it found something, whatever the exit code.
SANITIZER_REPORT='ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:'

# How a suite's process ended, in words, or nothing for exit status 0.
ended() {
	local rc=$1

	[ "$rc" = 0 ] && return
	if [ "$rc" -gt 128 ]; then
		echo "killed by SIG$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))"
	else
		echo "exit status $rc"
	fi
}

# A program whose output ends with "N passed, N failed". Its failures
# count as it says, plus one when it says 0 failed but exited non-zero,
# was killed, or printed a sanitizer report: a crash after (or instead
# of) a good summary is never a pass.
suite() {
	local line p f rc how
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	how=$(ended "$rc")
	if [ -z "$line" ]; then
		echo "FAIL $* (ended without a summary${how:+, $how})"
		failed=$((failed + 1))
		return
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" = 0 ] || return
	if [ -n "$how" ]; then
		echo "FAIL $* ($how after its summary said 0 failed)"
		failed=$((failed + 1))
	elif grep -qE "$SANITIZER_REPORT" "$log"; then
		echo "FAIL $* (a sanitizer report, though its summary said 0 failed)"
		failed=$((failed + 1))
	fi
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
