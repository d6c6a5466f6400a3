#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh - run every test program and check; the last line sums them up
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.." || exit 1
# Where the library finds the network's keeper program: the build's, for
# every test program and suite.
SQN_LIBEXECDIR=$(realpath "$B/libexec")
export SQN_LIBEXECDIR
# suite, single and fuzz, and the counters they add to.
. tests/runner.sh

single runner-self-test tests/test_runner.sh
single check-format make -s check-format
# Outside src/sys/ and the platform files, POSIX headers only.
single portable-check make -s portable-check
# The vmnet backend links no dictionary key later than macOS 10.10.
single vmnet-keys scripts/vmnet_keys_check.sh "$B"/vmnet/src/sys/vmnet*_darwin.o
# No module calls back into one that calls it, no header circle.
single layers python3 scripts/layers.py .
for t in "$B"/tests/test_*; do
	case $t in *.o | *.d) continue ;; esac
	suite "$t"
done
for t in "$B"/asan/tests/test_*; do
	case $t in *.o | *.d) continue ;; esac
	suite env ASAN_OPTIONS=detect_leaks=1 "$t"
done
suite tests/test_cli.sh "$B"
suite tests/test_install.sh "$B"
suite tests/test_svc_cli.sh "$B"
suite tests/test_guest.sh "$B"
suite tests/test_slirp.sh "$B"
suite tests/test_userspace_fwd.sh "$B"
suite tests/test_host_mode.sh "$B"
suite tests/test_shared_mode.sh "$B"
suite tests/test_names.sh "$B"
suite tests/test_forward.sh "$B"
suite tests/test_ipv6.sh "$B"
suite tests/test_bridged_mode.sh "$B"
suite tests/test_probe.sh "$B"
suite tests/test_serve.sh "$B"
suite tests/test_serve_restart.sh "$B"
suite tests/test_serve_stream.sh "$B"
suite tests/test_serve_named.sh "$B"
suite tests/test_serve_spoof.sh "$B"
suite tests/test_vxlan_host.sh "$B"
suite tests/test_route.sh "$B"
suite tests/test_serve_fwd.sh "$B"
suite tests/test_qemu.sh "$B"
suite tests/test_serve_qemu.sh "$B"
suite tests/test_vxlan.sh "$B"
suite tests/test_vxlan_evpn.sh "$B"
corpus=$(mktemp -d)
cp fuzz/corpus/framing/* "$corpus"/ 2>/dev/null
single fuzz-framing-bounded fuzz fuzz_framing "$corpus"
single fuzz-config-bounded fuzz fuzz_config
single fuzz-recv-bounded fuzz fuzz_recv
single fuzz-cli-bounded fuzz fuzz_cli
single fuzz-slirp-bounded fuzz fuzz_slirp
rm -rf "$corpus"/*
cp fuzz/corpus/proto/* "$corpus"/
single fuzz-proto-bounded fuzz fuzz_proto "$corpus"
single fuzz-acl-bounded fuzz fuzz_acl \
	"-seed_inputs=$(echo fuzz/corpus/acl/* | tr ' ' ,)"
rm -rf "$corpus"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
