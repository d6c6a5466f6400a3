#!/bin/bash
# SPDX-License-Identifier: MIT
# test_runner.sh - run.sh's suite function against fake suites that crash,
# exit non-zero or leak after a good summary: each must count as failed
#
# Usage: tests/test_runner.sh [RUNNER]: RUNNER is the file that defines
# suite (default tests/runner.sh, the one run.sh sources).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/runner.sh
. "${1:-tests/runner.sh}"
ulimit -c 0 # the SIGSEGV case needs no core file

ok=0
bad=0

# expect NAME PASSED FAILED CMD...: suite CMD adds exactly PASSED and FAILED.
expect() {
	local name=$1 want_p=$2 want_f=$3
	shift 3
	passed=0
	failed=0
	suite "$@" >/dev/null 2>&1
	if [ "$passed/$failed" = "$want_p/$want_f" ]; then
		echo "ok   runner $name"
		ok=$((ok + 1))
	else
		echo "FAIL runner $name: counted $passed passed, $failed failed, not $want_p, $want_f"
		bad=$((bad + 1))
	fi
}

good='echo "ok   a"; echo "3 passed, 0 failed"'
expect good 3 0 sh -c "$good"
expect exit-1-after-good-summary 3 1 sh -c "$good; exit 1"
expect sigsegv-after-good-summary 3 1 sh -c "$good; kill -SEGV \$\$"
expect leak-report 3 1 sh -c \
	"echo '==42==ERROR: LeakSanitizer: detected memory leaks'; $good"
expect asan-report 3 1 sh -c \
	"echo '==42==ERROR: AddressSanitizer: heap-use-after-free'; $good"
expect ubsan-report 3 1 sh -c \
	"echo 'src/x.c:7:3: runtime error: signed integer overflow'; $good"
expect failures-counted-once 2 1 sh -c 'echo "2 passed, 1 failed"; exit 1'
expect no-summary 0 1 sh -c 'echo "ok   a"'
expect sigsegv-before-summary 0 1 sh -c "kill -SEGV \$\$"
# Counting goes on across suites, good ones included.
passed=0
failed=0
suite sh -c "$good" >/dev/null 2>&1
suite sh -c "$good; exit 1" >/dev/null 2>&1
suite sh -c "$good; kill -SEGV \$\$" >/dev/null 2>&1
suite sh -c "echo '==1==ERROR: LeakSanitizer: detected memory leaks'; $good" \
	>/dev/null 2>&1
if [ "$passed/$failed" = 12/3 ]; then
	echo "ok   runner four-suites-in-a-row"
	ok=$((ok + 1))
else
	echo "FAIL runner four-suites-in-a-row: $passed passed, $failed failed, not 12, 3"
	bad=$((bad + 1))
fi
echo "$ok passed, $bad failed"
[ "$bad" = 0 ]
