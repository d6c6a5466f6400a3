#!/bin/bash
# SPDX-License-Identifier: MIT
# serve_stream.sh - stream clients of squib-net serve next to fd clients: bench/serve_stream.sh [BUILD_DIR]
#
# As root, in namespaces of its own (scripts/netns.sh; iperf3 servers in
# wan, bench/lib.sh). The service runs in "host" with its socket in a
# scratch directory, network sqn-shared. Then, in each run, for N in 1 2 4:
#   stream  N guests (squib-net guest --mode stream) connected to the
#           network's stream socket: the service relays each connection to
#           a TAP port of its own;
#   fd      N guests behind tests/vmm_relay, a libsquibnet VMM without
#           capabilities (setpriv) that got its TAP from the service
#           (sqn_open, shared mode through the service): the same hops, the
#           relay being the client's own process instead of the service's
#           loop.
# Each guest gets its lease, then all of one kind start iperf3 (one stream,
# SECS s, each to its own server in wan) together. Then the relay's
# frames/s: bench/stream_blast sends 1514-byte frames to the gateway's MAC
# for SECS s through the stream socket (and, for comparison, through a
# vmm_relay), counted as they come out of the TAP (its rx_packets).
# Prints CSV on stdout:
#   sstream,KIND,N,RUN,CLIENT,GBIT_S
#   sstream_fps,KIND,RUN,FRAMES_PER_S,SENT_PER_S
set -euo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
. bench/lib.sh
RELAY=$(realpath "$B/tests/vmm_relay")
BLAST=$(realpath "$B/bench/stream_blast")
TMP=$(mktemp -d /tmp/sqn-bench-ss.XXXXXX)
chmod 755 "$TMP"
U=4252
G=4210
SOCK=$TMP/control
STREAM=$TMP/sqn-shared.sock
SS_COUNTS=${BENCH_SS_COUNTS:-1 2 4}
# The relays' sockets, where $U may make them.
RDIR=$TMP/u
mkdir "$RDIR"
chown $U:$U "$RDIR"
PIDS=()
spid=

cleanup() {
	bench_stop "${PIDS[@]}"
	[ -z "$spid" ] || bench_stop "$spid"
	rm -rf "$TMP"
	bench_down
}
trap cleanup EXIT

serve_start() {
	cat >"$TMP/serve.conf" <<-EOF
		[network sqn-shared]
		mode shared
		subnet 10.123.0.1/24
		dns-upstream none
	EOF
	echo "allow uid:$U shared" >"$TMP/acl.conf"
	ip netns exec "$NS_HOST" "$PROG" serve --config "$TMP/serve.conf" \
		--socket "$SOCK" --group $G --acl "$TMP/acl.conf" 2>"$TMP/serve.log" &
	spid=$!
	for _ in $(seq 300); do
		[ -S "$STREAM" ] && grep -q "ready:" "$TMP/serve.log" && return 0
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
	done
	echo "serve_stream.sh: the service or its stream socket did not start:" >&2
	cat "$TMP/serve.log" >&2
	return 1
}

# relay_up I: vmm_relay as $U on $TMP/r.I.sock, its TAP from the service.
relay_up() {
	ip netns exec "$NS_HOST" setpriv --reuid $U --regid $U --groups $G \
		--inh-caps=-all env SQN_SERVICE="$SOCK" \
		"$RELAY" --listen "$RDIR/r.$1.sock" --mode shared 2>>"$TMP/relay.log" &
	PIDS+=($!)
	for _ in $(seq 300); do
		[ -S "$RDIR/r.$1.sock" ] && return 0
		sleep 0.1
	done
	echo "serve_stream.sh: vmm_relay $1 did not listen: $(cat "$TMP/relay.log")" >&2
	return 1
}

# ss_run KIND N RUN: N guests of KIND at once; one CSV line per guest.
ss_run() {
	local kind=$1 n=$2 run=$3 i peer ready
	rm -f "$TMP"/ready.* "$TMP"/out.* "$TMP/go" "$RDIR"/r.*.sock
	PIDS=()
	for i in $(seq 0 $((n - 1))); do
		peer=$STREAM
		if [ "$kind" = fd ]; then
			relay_up "$i"
			peer=$RDIR/r.$i.sock
		fi
		ip netns exec "$NS_HOST" timeout $((SECS + 120)) "$PROG" guest \
			--mode stream --peer "$peer" -- sh -c "
			touch $TMP/ready.$i
			until [ -e $TMP/go ]; do sleep 0.02; done
			timeout $((SECS + 20)) iperf3 -c $WAN_ADDR -p $((PORT_IPERF + i)) \
				-t $SECS -J >$TMP/out.$i 2>/dev/null" 2>>"$TMP/guest.log" &
		PIDS+=($!)
	done
	for _ in $(seq 300); do
		ready=$(find "$TMP" -name 'ready.*' | wc -l)
		[ "$ready" -lt "$n" ] || break
		sleep 0.1
	done
	touch "$TMP/go"
	for i in "${PIDS[@]}"; do
		wait "$i" || true
	done
	PIDS=()
	for i in $(seq 0 $((n - 1))); do
		jq -r --arg p "sstream,$kind,$n,$run,$i" 'if .end.sum_received.bits_per_second then
			"\($p),\(.end.sum_received.bits_per_second / 1e9)"
			else "\($p),fail" end' "$TMP/out.$i" 2>/dev/null || echo "sstream,$kind,$n,$run,$i,fail"
	done
}

# ports: the ports of the network's bridge.
ports() {
	ip -n "$NS_HOST" -o link show master sqn-shared | awk -F': ' '{print $2}' | cut -d@ -f1
}
# ports_rx: rx_packets of all of them (frames the relays wrote to TAPs).
ports_rx() {
	local p sum=0
	for p in $(ports); do
		sum=$((sum + $(ip netns exec "$NS_HOST" cat "/sys/class/net/$p/statistics/rx_packets" 2>/dev/null || echo 0)))
	done
	echo $sum
}

# fps KIND RUN: 1514-byte frames through one client of KIND for SECS s,
# counted as they come out of its TAP (all ports: the client's is the
# only one).
fps() {
	local kind=$1 run=$2 peer=$STREAM gwmac before after last sent took bpid
	rm -f "$RDIR"/r.*.sock "$TMP/blast"
	PIDS=()
	# The last phase's ports gone first.
	for _ in $(seq 100); do
		[ -z "$(ports)" ] && break
		sleep 0.05
	done
	if [ "$kind" = fd ]; then
		relay_up 0
		peer=$RDIR/r.0.sock
	fi
	gwmac=$(ip netns exec "$NS_HOST" cat /sys/class/net/sqn-shared/address)
	before=$(ports_rx)
	ip netns exec "$NS_HOST" "$BLAST" "$peer" "$SECS" 1514 "$gwmac" hold >"$TMP/blast" 2>&1 &
	bpid=$!
	PIDS+=("$bpid")
	for _ in $(seq $((SECS * 10 + 200))); do
		grep -q '^sent' "$TMP/blast" && break
		kill -0 "$bpid" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^sent' "$TMP/blast" || {
		echo "serve_stream.sh: stream_blast: $(cat "$TMP/blast")" >&2
		echo "sstream_fps,$kind,$run,fail,"
		bench_stop "${PIDS[@]}"
		PIDS=()
		return
	}
	# What the socket holds still goes through: count until it stops.
	after=$(ports_rx)
	last=-1
	while [ "$after" != "$last" ]; do
		last=$after
		sleep 0.1
		after=$(ports_rx)
	done
	sent=$(awk '{print $2}' "$TMP/blast")
	took=$(awk '{print $5}' "$TMP/blast")
	echo "sstream_fps,$kind,$run,$(awk -v a="$after" -v b="$before" -v t="$took" 'BEGIN {printf "%.0f", (a - b) / t}'),$(awk -v s="$sent" -v t="$took" 'BEGIN {printf "%.0f", s / t}')"
	bench_stop "${PIDS[@]}"
	PIDS=()
}

ns_up
bench_servers
serve_start
for run in $(seq "$RUNS"); do
	for n in $SS_COUNTS; do
		for kind in stream fd; do
			echo "serve_stream.sh: run $run/$RUNS: $n $kind clients" >&2
			ss_run "$kind" "$n" "$run"
		done
	done
	for kind in stream fd; do
		echo "serve_stream.sh: run $run/$RUNS: 1514-byte frames/s, $kind" >&2
		fps "$kind" "$run"
	done
done
