#!/bin/sh
# SPDX-License-Identifier: MIT
# vmnet_keys_check.sh - the vmnet backend links only macOS 10.10's keys, and
# never the port forwarding calls
#
# Usage: scripts/vmnet_keys_check.sh OBJ...
#
# A key variable of a later macOS is looked up with dlsym() at run time
# (src/sys/vmnet_api.h says why): an object that names one as an undefined
# symbol fails to link against an SDK older than the key, weak or not. So
# are the port forwarding calls (macOS 10.15 and 11, one pair deprecated
# since 12: src/sys/vmnet_fwd_darwin.c): an object that links one fails on
# a system without it, or later without the deprecated pair.
# Exits 1, naming the object and the symbol, when one does.
set -u
old='^_?vmnet_(operation_mode|interface_id|mtu|mac_address|max_packet_size)_key$'
fwd='^_?vmnet_interface_.*port_forwarding.*$'
[ $# -gt 0 ] || { echo "usage: $0 OBJ..." >&2; exit 2; }
bad=0
for o in "$@"; do
	syms=$(nm -u "$o") || { echo "$o: nm failed"; exit 1; }
	syms=$(printf '%s\n' "$syms" | awk '{print $NF}')
	for s in $(printf '%s\n' "$syms" | grep -E '^_?vmnet_.*_key$' |
		grep -Ev "$old"); do
		echo "$o: links $s, a key later than macOS 10.10: look it up with vmnet_key()"
		bad=1
	done
	for s in $(printf '%s\n' "$syms" | grep -E "$fwd"); do
		echo "$o: links $s, a port forwarding call: look it up with dlsym() (vmnet_fwd_darwin.c's fwd_api())"
		bad=1
	done
done
[ $bad = 0 ] && echo "vmnet-keys: $# objects, ok"
exit $bad
