# SPDX-License-Identifier: MIT
# guest.sh - boot the real test guest under QEMU and watch its console (sourced)
#
# The guest is what scripts/guest-kit.sh built in $GUEST_DIR (default
# build/guest): Debian's kernel booted directly (PVH) with a busybox
# initramfs whose /init (tests/guest/init) gets a DHCP lease on eth0, runs
# the scenario of its command line and powers off. QEMU runs under TCG on
# q35 with one virtio-net-pci device, whose backend the caller names:
#
#   . tests/guest/guest.sh
#   GUEST_EXEC=(ip netns exec NS)       # optional: where QEMU runs
#   GUEST_WRAP=(squib-net run --)       # optional: what execs QEMU
#   guest_boot "$tmp/g" "sqn.run=fetch sqn.url=http://10.99.1.1/" \
#       "stream,id=n0,server=on,addr.type=unix,addr.path=$tmp/s.sock"
#   guest_wait "$tmp/g" "sqn-guest: done" && guest_end
#
# The netdev's id must be n0. Never give QEMU -netdev user or another path
# to the real network: a guest only ever reaches the test's namespaces.

GUEST_DIR=${GUEST_DIR:-build/guest}
# Longest a guest may run, in seconds: TCG on a busy 2-core machine is slow.
GUEST_LIMIT=${GUEST_LIMIT:-120}
GUEST_MAC=${GUEST_MAC:-52:54:00:5a:9b:01}
GUEST_EXEC=()
# Words between timeout and QEMU, a program that execs QEMU in its own
# process (squib-net run --): what watches that process watches QEMU.
GUEST_WRAP=()
# cryptomgr.notests skips the crypto self-tests (0.7 s of boot under TCG).
GUEST_APPEND="console=ttyS0 panic=-1 quiet cryptomgr.notests"
guest_pid=
guest_status=

# guest_boot OUT SCENARIO NETDEV [QEMU_ARGS...]: start QEMU in the
# background, "${GUEST_EXEC[@]}" before timeout and "${GUEST_WRAP[@]}"
# between timeout and QEMU, ended after $GUEST_LIMIT s at
# the latest. SCENARIO: kernel command-line words for the guest's init
# (sqn.run=..., sqn.url=..., see tests/guest/init). The console goes to
# OUT.console, QEMU's own messages to OUT.err; the pid (timeout's, whose
# child QEMU is) in $guest_pid.
guest_boot() {
	local out=$1 scenario=$2 netdev=$3
	shift 3
	: >"$out.console"
	"${GUEST_EXEC[@]}" timeout "$GUEST_LIMIT" "${GUEST_WRAP[@]}" qemu-system-x86_64 \
		-M q35 -accel tcg -m 256 -smp 1 \
		-nodefaults -no-reboot -display none -monitor none \
		-serial "file:$out.console" \
		-kernel "$GUEST_DIR/vmlinux" -initrd "$GUEST_DIR/initramfs.cpio" \
		-append "$GUEST_APPEND $scenario" \
		-netdev "$netdev" -device "virtio-net-pci,netdev=n0,mac=$GUEST_MAC" \
		"$@" </dev/null >"$out.err" 2>&1 &
	guest_pid=$!
	guest_status=
}

# guest_wait OUT PATTERN: true once a line of OUT.console matches PATTERN
# (grep -E); false when QEMU ended without one (or was ended at its limit).
guest_wait() {
	while :; do
		grep -Eq -- "$2" "$1.console" && return 0
		if ! kill -0 "$guest_pid" 2>/dev/null; then
			grep -Eq -- "$2" "$1.console"
			return
		fi
		sleep 0.1
	done
}

# guest_end: wait for QEMU to end by itself (the guest powers off after
# "sqn-guest: done"; timeout ends it at the latest); its status in
# $guest_status (0 when the guest powered off).
guest_end() {
	[ -n "$guest_pid" ] || return 0
	wait "$guest_pid"
	guest_status=$?
	guest_pid=
	[ "$guest_status" = 0 ]
}

# guest_kill: end QEMU now if it runs (by its pid).
guest_kill() {
	[ -n "$guest_pid" ] || return 0
	kill "$guest_pid" 2>/dev/null
	wait "$guest_pid" 2>/dev/null
	guest_pid=
}
