#!/bin/bash
# SPDX-License-Identifier: MIT
# serve.sh - attach latency through squib-net serve: bench/serve.sh [BUILD_DIR]
#
# The service runs in the "host" namespace of scripts/netns.sh with its
# socket in a scratch directory; build/bench/serve_attach, as a user with
# no capabilities (setpriv, numeric ids, no account added) whom the ACL
# allows, attaches and detaches SERVE_ATTACHES times (default 100) through
# the library (sqn_open with service_path) and prints the median and p99.
# QEMU's boot-to-lease time through the service and what a refused user
# sees are printed by tests/test_serve_qemu.sh ("measure:" and "seen:").
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.." || exit 1
PROG=$(realpath "$B/squib-net")
ATTACH=$(realpath "$B/bench/serve_attach")
COUNT=${SERVE_ATTACHES:-100}
U=4252
G=4210
NS_TAG=bsv$$
. scripts/netns.sh
tmp=$(mktemp -d)
chmod 755 "$tmp"
spid=
end() {
	[ -z "$spid" ] || { kill -TERM "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; }
	ns_down
	rm -rf "$tmp"
}
trap end EXIT

cat >"$tmp/serve.conf" <<EOF
[network sqn-shared]
mode shared
subnet 10.123.0.1/24
dns-upstream none
EOF
echo "allow uid:$U shared" >"$tmp/acl.conf"
ns_up || exit 1
ip netns exec "$NS_HOST" "$PROG" -v serve --config "$tmp/serve.conf" \
	--socket "$tmp/control" --group $G --acl "$tmp/acl.conf" 2>"$tmp/log" &
spid=$!
for i in $(seq 300); do
	grep -q "ready:" "$tmp/log" && break
	kill -0 "$spid" 2>/dev/null || break
	sleep 0.1
done
grep -q "ready:" "$tmp/log" || { echo "serve.sh: the service did not start:" >&2; cat "$tmp/log" >&2; exit 1; }
echo "$COUNT attaches of shared mode through squib-net serve (sqn_open, uid $U, no capabilities):"
ip netns exec "$NS_HOST" setpriv --reuid $U --regid $U --groups $G --inh-caps=-all \
	"$ATTACH" "$tmp/control" "$COUNT"
