#!/bin/bash
# SPDX-License-Identifier: MIT
# test_cli.sh - the squib-net program as a user meets it, and make install
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
PROG=$B/squib-net
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

why=
# tcase NAME FUNCTION: counts the function's result; it may set $why.
tcase() {
	why=
	if "$2"; then
		echo "ok   test_cli $1"
		passed=$((passed + 1))
	else
		echo "FAIL test_cli $1: ${why:-a check failed}"
		failed=$((failed + 1))
	fi
}

# run WANT_STATUS CMD...: stdout in $tmp/out, stderr in $tmp/err
run() {
	local want=$1 got
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] && return 0
	why="$* exited $got, wanted $want; stderr: $(head -c 300 "$tmp/err")"
	return 1
}
has() {
	grep -q -- "$2" "$tmp/$1" && return 0
	why="$1 lacks \"$2\": $(head -c 300 "$tmp/$1")"
	return 1
}

help_lists_commands() {
	run 0 "$PROG" --help && has out demo && has out guest && has out version
}
no_command_is_a_usage_error() {
	run 2 "$PROG" && has err usage: && [ ! -s "$tmp/out" ]
}
unknown_command() {
	run 2 "$PROG" frobnicate && has err "unknown command frobnicate"
}
unknown_option() {
	run 2 "$PROG" --frob && has err "unknown option --frob"
}
version_matches_header() {
	local want
	want=$(sed -n 's/#define SQN_VERSION_STRING "\(.*\)"/\1/p' include/squibnet.h)
	run 0 "$PROG" version && has out "squib-net $want" &&
		run 0 "$PROG" --version && has out "squib-net $want"
}
help_demo() {
	run 0 "$PROG" help demo && has out "usage: squib-net demo" &&
		run 0 "$PROG" demo --help && has out "usage: squib-net demo"
}
help_guest() {
	run 0 "$PROG" help guest && has out "usage: squib-net guest" &&
		run 0 "$PROG" guest --help && has out "usage: squib-net guest" &&
		run 2 "$PROG" help nosuch && has err "no command nosuch"
}
help_guest_says_the_limits() {
	run 0 "$PROG" help guest && has out "--mtu N .* 68 to 65522" &&
		has out "at most 107 bytes" && has out "PID" &&
		has out "namespace of its own"
}
demo_usage_errors() {
	run 2 "$PROG" demo --frames 0 && has err "--frames takes" &&
		run 2 "$PROG" demo --mode shared && has err "--mode takes" &&
		run 2 "$PROG" demo --framing ip && has err "--framing takes" &&
		run 2 "$PROG" demo extra && has err "unexpected argument"
}
demo_frames() { # FRAMES ARGS...
	local n=$1
	shift
	run 0 "$PROG" demo --frames "$n" "$@" &&
		has err "$n frames out, $n back intact and in order" &&
		has out "rx_frames=$n " && has out "tx_frames=$n " &&
		has out "rx_dropped=0 rx_errors=0" && has out "tx_dropped=0 tx_errors=0"
}
demo_stream_default() { demo_frames 10000; }
demo_stream_hyperkit() { demo_frames 2000 --framing hyperkit; }
demo_loopback() { demo_frames 5000 --mode loopback; }
demo_leaves_nothing() {
	local after zombies
	after=$(ls -d /tmp/squib-net-demo.* 2>/dev/null | wc -l)
	zombies=$(ps -o stat= --ppid $$ | grep -c Z)
	why="temp dirs $before -> $after, zombies $zombies"
	[ "$before" = "$after" ] && [ "$zombies" = 0 ]
}
verbose_shows_library_messages() {
	run 0 "$PROG" --verbose demo --frames 10 && has err "debug: lib"
}

tcase help_lists_commands help_lists_commands
tcase no_command_is_a_usage_error no_command_is_a_usage_error
tcase unknown_command unknown_command
tcase unknown_option unknown_option
tcase version_matches_header version_matches_header
tcase help_demo help_demo
tcase help_guest help_guest
tcase help_guest_says_the_limits help_guest_says_the_limits
tcase demo_usage_errors demo_usage_errors
before=$(ls -d /tmp/squib-net-demo.* 2>/dev/null | wc -l)
tcase demo_stream_default demo_stream_default
tcase demo_stream_hyperkit demo_stream_hyperkit
tcase demo_loopback demo_loopback
tcase demo_leaves_nothing demo_leaves_nothing
tcase verbose_shows_library_messages verbose_shows_library_messages

install_and_link_against_it() {
	local dest=$tmp/root others
	if make -s install DESTDIR="$dest" PREFIX=/usr >"$tmp/install.log" 2>&1 &&
		[ -x "$dest/usr/bin/squib-net" ] && [ -f "$dest/usr/include/squibnet.h" ] &&
		[ -f "$dest/usr/lib/libsquibnet.a" ] &&
		grep -q '^Libs: -L${libdir} -lsquibnet' "$dest/usr/lib/pkgconfig/squibnet.pc" &&
		grep -q '^prefix=/usr' "$dest/usr/lib/pkgconfig/squibnet.pc"; then
		cat >"$tmp/user.c" <<-'C'
	#include <squibnet.h>
	#include <stdio.h>
	int main(void)
	{
		struct sqn_config cfg;
		sqn_net *net;
		struct sqn_stats st;
		static unsigned char f[60], g[60];
		struct iovec a = { f, 60 }, b = { g, 60 };
		struct sqn_pkt p = { .iov = &a, .iovcnt = 1 }, q = { .iov = &b, .iovcnt = 1 };

		sqn_config_init(&cfg);
		cfg.mode = SQN_MODE_LOOPBACK;
		if (sqn_open(&cfg, &net))
			return 1;
		f[0] = 42;
		if (sqn_send(net, &p, 1) != 1 || sqn_recv(net, &q, 1) != 1 || g[0] != 42)
			return 2;
		sqn_stats(net, &st);
		printf("%llu\n", (unsigned long long)st.rx_frames);
		sqn_close(net);
		return 0;
	}
	C
		if cc -std=c11 -Wall -Werror -I"$dest/usr/include" "$tmp/user.c" \
			-L"$dest/usr/lib" -lsquibnet -o "$tmp/user" 2>"$tmp/cc.log" &&
			[ "$(LD_LIBRARY_PATH=$dest/usr/lib "$tmp/user")" = 1 ]; then
			# Only the sqn_ API is exported by the shared library.
			others=$(nm -D --defined-only "$dest/usr/lib/libsquibnet.so" |
				awk '$2 ~ /[TDB]/ && $3 !~ /^sqn_/' | wc -l)
			why="$others non-sqn_ symbols exported"
			[ "$others" = 0 ]
		else
			why="user program: $(cat "$tmp/cc.log")"
			false
		fi
	else
		why="install: $(tail -5 "$tmp/install.log")"
		false
	fi
}
tcase install_and_link_against_it install_and_link_against_it

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
