# SPDX-License-Identifier: MIT
# serve_lib.sh - what the suites of squib-net serve share (sourced after
# scripts/netns.sh and tests/lib.sh): the service in namespace host with
# its socket $SOCK in $tmp, its config $tmp/serve.conf and ACL
# $tmp/acl.conf, its log in $tmp/log; clients (tests/svc_client, $CLIENT)
# as unprivileged uids of group $G. The suite sets PROG, CLIENT, SOCK, G
# (empty: the service's socket keeps root's group), and declares holds
# (declare -A holds) and spid.

# as UID CMD...: CMD in host as UID, primary group $G (a member of the
# socket's group), no capabilities. Not a function, so that CMD & is CMD's
# own pid ($! of a function is a subshell's).
as() {
	local u=$1
	shift
	"${AS[@]/UID/$u}" "$@"
}
AS=(ip netns exec "$NS_HOST" setpriv --reuid UID --regid "$G" --clear-groups --inh-caps=-all)
# client NAME UID STEP...: svc_client as UID, output in $tmp/NAME.out.
client() {
	local name=$1 u=$2
	shift 2
	as "$u" "$CLIENT" "$SOCK" "$@" >"$tmp/$name.out" 2>&1
}
# client_bg NAME UID STEP...: the same in the background, its pid in $bg
# and holds[NAME]; release NAME ends it (a client that ends, as a VMM
# does).
client_bg() {
	local name=$1 u=$2
	shift 2
	"${AS[@]/UID/$u}" "$CLIENT" "$SOCK" "$@" >"$tmp/$name.out" 2>&1 &
	bg=$!
	holds[$name]=$bg
	pids+=($bg)
}
release() {
	stop "${holds[$1]}"
	return 0
}
# release_all: the clients a failed case left go.
release_all() {
	local n
	for n in "${!holds[@]}"; do
		stop "${holds[$n]}"
	done
	holds=()
}
# has_in NAME TEXT: $tmp/NAME.out has TEXT, within $HAS_IN_TICKS tenths
# of a second (a suite whose clients do DHCP through a busy machine sets
# more than the 10 s default).
has_in() {
	wait_for "${HAS_IN_TICKS:-100}" grep -q -- "$2" "$tmp/$1.out" 2>/dev/null && return 0
	why="$1: no \"$2\" in: $(tr '\n' ' ' <"$tmp/$1.out" | cut -c1-300)"
	return 1
}
logged() {
	wait_for 100 grep -q -- "$1" "$tmp/log" && return 0
	why="the service did not log \"$1\": $(tail -4 "$tmp/log" | tr '\n' ' ')"
	return 1
}
link_there() {
	[ -n "$1" ] || { why="no link named"; return 1; }
	[ -n "$(in_host ip -o link show dev "$1" 2>/dev/null)" ] && return 0
	why="$1 is gone: $(grep -a "$1" "$tmp/log" | tail -2 | tr '\n' ' ')"
	return 1
}
link_gone() { [ -z "$(in_host ip -o link show dev "$1" 2>/dev/null)" ]; }
# serve_start ARGS...: the service in host, log in $tmp/log, ready.
serve_start() {
	# A case that failed before its serve_kill leaves its service: end it
	# (its pid would be lost, and the service held on to everything).
	serve_kill
	: >"$tmp/log"
	ip netns exec "$NS_HOST" "$PROG" -v serve --config "$tmp/serve.conf" --socket "$SOCK" \
		${G:+--group $G} --acl "$tmp/acl.conf" "$@" >>"$tmp/log" 2>&1 &
	spid=$!
	wait_for 300 grep -q "ready:" "$tmp/log" && return 0
	why="the service is not ready: $(tail -3 "$tmp/log" | tr '\n' ' ')"
	return 1
}
serve_kill() {
	[ -n "$spid" ] || return 0
	kill -TERM "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	spid=
}
leftovers() { nothing_left "$NS_HOST" "$NS_HOST_INO"; }
