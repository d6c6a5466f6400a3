# SPDX-License-Identifier: MIT
# lib.sh - what the shell suites share (sourced): the case runner, checks
#
# The suite sets SUITE (its name in the output) and tmp (its scratch
# directory) first; passed, failed and why are kept here.

passed=0
failed=0
why=
# tcase NAME FUNCTION: counts the function's result; it may set $why. On
# failure, the end of $tmp/err is shown.
tcase() {
	why=
	if "$2"; then
		echo "ok   $SUITE $1"
		passed=$((passed + 1))
	else
		echo "FAIL $SUITE $1: ${why:-a check failed}"
		[ -s "$tmp/err" ] && sed 's/^/    /' "$tmp/err" | tail -20
		failed=$((failed + 1))
	fi
}
# has FILE TEXT: $tmp/FILE contains TEXT.
has() {
	grep -q -- "$2" "$tmp/$1" && return 0
	why="$1 lacks \"$2\""
	return 1
}
