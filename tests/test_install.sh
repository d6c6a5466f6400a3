#!/bin/bash
# SPDX-License-Identifier: MIT
# test_install.sh - what make install leaves for a program built against
# libsquibnet: squibnet.pc for the install's prefix, the network's keeper
# where the library looks for it, QEMU's bridge helper, the slirp helper
# (run by the installed "squib-net slirp-helper"), the libraries the
# static library needs (libmnl, libnftables) named in Requires.private,
# squib-net serve's systemd units, and the man pages in MANDIR, which man
# renders without a warning
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
SUITE=test_install
. tests/lib.sh
trap 'rm -rf "$tmp"' EXIT

# inst DIR PREFIX: make install into $tmp/DIR with PREFIX; pkgconf then
# reads that copy (the sysroot prefixes its -L and -I).
inst() {
	local dir=$1 prefix=$2
	shift 2
	make -s install B="$B" DESTDIR="$tmp/$dir" PREFIX="$prefix" "$@" >"$tmp/err" 2>&1 ||
		{ why="make install DESTDIR=$tmp/$dir PREFIX=$prefix $* failed"; return 1; }
}
pc() {
	PKG_CONFIG_SYSROOT_DIR="$tmp/root" \
		PKG_CONFIG_PATH="$tmp/root/usr/lib/pkgconfig" pkg-config "$@"
}

# Each install's squibnet.pc has its own prefix, not the one of an
# install before it.
pc_follows_each_prefix() {
	inst other /opt/sqn && inst root /usr || return 1
	cp "$tmp/other/opt/sqn/lib/pkgconfig/squibnet.pc" "$tmp/other.pc" &&
		cp "$tmp/root/usr/lib/pkgconfig/squibnet.pc" "$tmp/root.pc" &&
		has other.pc '^prefix=/opt/sqn$' && has root.pc '^prefix=/usr$' &&
		has root.pc '^includedir=/usr/include$'
}

# The network's keeper goes to LIBEXECDIR (PREFIX/libexec unless given),
# and each install's library looks for it there.
keeper_in_libexecdir() {
	inst other /opt/sqn && inst root /usr &&
		inst own /opt/sqn LIBEXECDIR=/opt/sqn/lib/sqn || return 1
	[ -x "$tmp/other/opt/sqn/libexec/squib-net-keeper" ] &&
		[ -x "$tmp/root/usr/libexec/squib-net-keeper" ] &&
		[ -x "$tmp/own/opt/sqn/lib/sqn/squib-net-keeper" ] ||
		{ why="squib-net-keeper not installed in LIBEXECDIR"; return 1; }
	strings "$tmp"/other/opt/sqn/lib/libsquibnet.so.*.* >"$tmp/other.str" &&
		strings "$tmp"/root/usr/lib/libsquibnet.a >"$tmp/root.str" &&
		strings "$tmp"/own/opt/sqn/lib/libsquibnet.so.*.* >"$tmp/own.str" &&
		has other.str '^/opt/sqn/libexec$' && has root.str '^/usr/libexec$' &&
		has own.str '^/opt/sqn/lib/sqn$'
}

# QEMU's helper= finds the bridge helper in LIBEXECDIR, and it answers to
# its own name there (the program dispatches on argv[0]).
bridge_helper_in_libexecdir() {
	inst own /opt/sqn LIBEXECDIR=/opt/sqn/lib/sqn || return 1
	local h=$tmp/own/opt/sqn/lib/sqn/squib-net-bridge-helper
	[ -x "$h" ] || { why="squib-net-bridge-helper not installed in LIBEXECDIR"; return 1; }
	"$h" --help >"$tmp/out" 2>"$tmp/err" && has out '^usage: squib-net bridge-helper' || return 1
	"$h" --use-vnet --br=sqn-shared >"$tmp/out" 2>"$tmp/err"
	[ $? = 2 ] && has err -- '--fd=N and --br=NETWORK are needed'
}

# The slirp helper goes to LIBEXECDIR, and the installed program's
# "squib-net slirp-helper" runs it from there (an install without DESTDIR,
# into a prefix of the test's: the program looks in its own LIBEXECDIR).
slirp_helper_in_libexecdir() {
	local p=$tmp/real
	make -s install B="$B" PREFIX="$p" >"$tmp/err" 2>&1 ||
		{ why="make install PREFIX=$p failed"; return 1; }
	[ -x "$p/libexec/squib-net-slirp-helper" ] ||
		{ why="squib-net-slirp-helper not installed in LIBEXECDIR"; return 1; }
	[ ! -e "$p/bin/squib-net-slirp-helper" ] || { why="a helper beside the program: proves nothing"; return 1; }
	"$p/bin/squib-net" slirp-helper --help >"$tmp/out" 2>"$tmp/err" &&
		has out '^usage: squib-net-slirp-helper' || return 1
	"$p/bin/squib-net" slirp-helper --bogus </dev/null >"$tmp/out" 2>"$tmp/err"
	[ $? = 2 ] && has err 'unknown option --bogus' || return 1
	# Without it there, the program says where it looked.
	rm "$p/libexec/squib-net-slirp-helper"
	"$p/bin/squib-net" slirp-helper --help >"$tmp/out" 2>"$tmp/err"
	[ $? = 1 ] && has err "$p/libexec/squib-net-slirp-helper"
}

# libmnl and libnftables are pkg-config packages: Requires.private, so
# that --static brings their flags (and their own private libraries).
requires_mnl_and_nftables() {
	pc --print-requires-private squibnet >"$tmp/req" 2>"$tmp/err" &&
		has req '^libmnl' && has req '^libnftables' || return 1
	pc --static --libs squibnet >"$tmp/libs" 2>"$tmp/err" &&
		has libs "-L$tmp/root/usr/lib " && has libs ' -lsquibnet' &&
		has libs ' -lmnl' && has libs ' -lnftables'
}

# A program linked with the static library alone (no libsquibnet.so in
# the copy) and pkg-config's --static flags builds and runs; without the
# private ones it does not link, so they are what it needs.
static_link_with_its_flags() {
	cat >"$tmp/user.c" <<-'C'
		#include <squibnet.h>
		#include <stdio.h>
		int main(void)
		{
			struct sqn_config cfg;
			sqn_net *net;

			sqn_config_init(&cfg);
			cfg.mode = SQN_MODE_LOOPBACK;
			if (sqn_open(&cfg, &net))
				return 1;
			sqn_close(net);
			puts("opened");
			return 0;
		}
	C
	rm -f "$tmp/root/usr/lib/libsquibnet.so"*
	# shellcheck disable=SC2046 # pkg-config's flags are words
	cc -std=c11 -Wall -Werror -o "$tmp/user" "$tmp/user.c" \
		$(pc --cflags --static --libs squibnet) 2>"$tmp/err" ||
		{ why="static link failed"; return 1; }
	"$tmp/user" >"$tmp/out" 2>>"$tmp/err" && has out '^opened$' || return 1
	# shellcheck disable=SC2046
	! cc -std=c11 -o "$tmp/bare" "$tmp/user.c" \
		$(pc --cflags --libs squibnet) 2>"$tmp/err" ||
		{ why="linked without the private libraries: the check proves nothing"; return 1; }
}

# squib-net.1 and squib-net-serve.conf.5 in MANDIR (PREFIX/share/man unless
# given), each rendered by man -l with no troff warning and with its
# sections; man-db is in scripts/deps.sh.
man_pages_installed() {
	local page
	inst root /usr && inst own /opt/sqn MANDIR=/opt/sqn/man || return 1
	for page in usr/share/man/man1/squib-net.1 usr/share/man/man5/squib-net-serve.conf.5 \
		opt/sqn/man/man1/squib-net.1 opt/sqn/man/man5/squib-net-serve.conf.5; do
		case $page in usr/*) page=root/$page ;; *) page=own/$page ;; esac
		[ -f "$tmp/$page" ] || { why="$page not installed"; return 1; }
	done
	for page in root/usr/share/man/man1/squib-net.1 root/usr/share/man/man5/squib-net-serve.conf.5; do
		MANWIDTH=80 man -l --warnings=w "$tmp/$page" >"$tmp/man.txt" 2>"$tmp/err" ||
			{ why="man -l $page failed"; return 1; }
		[ ! -s "$tmp/err" ] || { why="man -l $page: $(head -3 "$tmp/err")"; return 1; }
		has man.txt '^NAME' && has man.txt '^SEE ALSO' || return 1
	done
	# Every command of the program's help has its section in squib-net.1.
	MANWIDTH=80 man -l "$tmp/root/usr/share/man/man1/squib-net.1" >"$tmp/man.txt" 2>/dev/null
	for page in $("$B/squib-net" --help | awk '/^commands:/ {on=1; next} /^$/ && on {exit} on && /^  [a-z]/ {print $1}'); do
		has man.txt "^   $page" || return 1
	done
}

# squib-net serve's units: in SYSTEMDUNITDIR (PREFIX/lib/systemd/system
# unless given), ExecStart in that install's BINDIR.
systemd_units_installed() {
	inst root /usr && inst own /opt/sqn SYSTEMDUNITDIR=/opt/sqn/units || return 1
	local u=$tmp/root/usr/lib/systemd/system
	[ -f "$u/squib-net.service" ] && [ -f "$u/squib-net.socket" ] &&
		[ -f "$tmp/own/opt/sqn/units/squib-net.service" ] ||
		{ why="squib-net.service or .socket not installed"; return 1; }
	cp "$u/squib-net.service" "$tmp/service" && cp "$u/squib-net.socket" "$tmp/socket" &&
		cp "$tmp/own/opt/sqn/units/squib-net.service" "$tmp/own.service" &&
		has service '^Type=notify$' && has service '^ExecStart=/usr/bin/squib-net serve$' &&
		has own.service '^ExecStart=/opt/sqn/bin/squib-net serve$' &&
		has socket '^ListenSequentialPacket=/run/squib-net/control$' &&
		has socket '^SocketMode=0660$' && has socket '^SocketGroup=squib-net$' &&
		! grep -q @ "$tmp/service" || { why="${why:-an @...@ left unsubstituted}"; return 1; }
}

tcase pc_follows_each_prefix pc_follows_each_prefix
tcase keeper_in_libexecdir keeper_in_libexecdir
tcase bridge_helper_in_libexecdir bridge_helper_in_libexecdir
tcase slirp_helper_in_libexecdir slirp_helper_in_libexecdir
tcase requires_mnl_and_nftables requires_mnl_and_nftables
tcase static_link_with_its_flags static_link_with_its_flags
tcase man_pages_installed man_pages_installed
tcase systemd_units_installed systemd_units_installed

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
