#!/bin/sh
# SPDX-License-Identifier: MIT
# vmnet_keys_check.sh - the vmnet backend links only macOS 10.10's keys
#
# Usage: scripts/vmnet_keys_check.sh OBJ...
#
# A key variable of a later macOS is looked up with dlsym() at run time
# (src/sys/vmnet_api.h says why): an object that names one as an undefined
# symbol fails to link against an SDK older than the key, weak or not.
# Exits 1, naming the object and the symbol, when one does.
set -u
old='^_?vmnet_(operation_mode|interface_id|mtu|mac_address|max_packet_size)_key$'
bad=0
for o in "$@"; do
	for s in $(nm -u "$o" | awk '{print $NF}' | grep -E '^_?vmnet_.*_key$' |
		grep -Ev "$old"); do
		echo "$o: links $s, a key later than macOS 10.10: look it up with vmnet_key()"
		bad=1
	done
done
[ $# -gt 0 ] || { echo "usage: $0 OBJ..." >&2; exit 2; }
[ $bad = 0 ] && echo "vmnet-keys: $# objects, ok"
exit $bad
