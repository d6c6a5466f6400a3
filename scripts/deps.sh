#!/bin/bash
# SPDX-License-Identifier: MIT
# deps.sh - install the Debian packages squib-net needs, only those missing
set -euo pipefail

# gcc and make build; clang builds the fuzzers (libFuzzer is in
# libclang-rt-14-dev); clang-format checks the formatting; binutils gives
# nm for the symbol check of the installed library. passt is the
# userspace helper; busybox gives udhcpc, httpd and wget, iproute2 the
# namespaces of the tests and the demo, tcpdump reads --pcap files back,
# bsdutils gives script(1) for the terminal test. libmnl-dev is the
# netlink library of the shared, host and bridged modes, libnftables-dev
# their NAT, dnsmasq-base their DHCP and DNS server; the tests look at the
# tables with nft (nftables), measure offloads with iperf3, and drop
# capabilities with capsh (libcap2-bin) and setpriv (util-linux); pkgconf
# reads the installed squibnet.pc back (test_install). libslirp-dev is the
# TCP/IP stack of squib-net-slirp-helper and libseccomp-dev its syscall
# filter; the helper's tests fetch over IPv6 with curl; make bench
# compares squib-net with slirp4netns and pasta (in passt) and reads
# iperf3's JSON with jq. scripts/layers.py (python3) checks for circles
# among the library's modules.
# The real-guest kit (scripts/guest-kit.sh) boots Debian's kernel under
# qemu-system-x86 (TCG; it pulls in qemu-system-data, whose pvh.bin option
# ROM boots the ELF kernel); it unpacks the downloaded kernel package with
# dpkg-deb (dpkg), finds the kernel's xz stream with grep -P (grep),
# decompresses it with xz-utils and packs the initramfs with cpio.
# squib-net serve (issue 10): libjson-c-dev encodes the control protocol
# (library and service), libsystemd-dev gives sd_notify/sd_listen_fds,
# libcap-ng-dev drops the capabilities the service no longer needs.
# The macOS backend's tests build it against a fake vmnet with clang
# -fblocks and libblocksruntime-dev; make bench draws its chart with gnuplot
# (gnuplot-nox). test_install renders the man pages with man -l (man-db,
# which brings groff-base).
# Issue 16: frr is the BGP EVPN control plane of networks across hosts
# (zebra, bgpd, vtysh); test_vxlan_evpn.sh runs its daemons in the test's
# namespaces. Its postinst runs "invoke-rc.d frr start", which would start
# watchfrr, zebra and staticd in this (the root) namespace: without systemd
# only a policy-rc.d that says 101 (forbidden) stops it, so one is put in
# place for the install when none is there, and removed after.
pkgs=(make gcc libc6-dev binutils clang libclang-rt-14-dev clang-format
	iproute2 busybox passt procps tcpdump coreutils bsdutils libmnl-dev
	dnsmasq-base libnftables-dev nftables iperf3 libcap2-bin util-linux
	pkgconf libslirp-dev libseccomp-dev curl slirp4netns python3
	qemu-system-x86 dpkg grep xz-utils cpio libjson-c-dev libsystemd-dev
	libcap-ng-dev libblocksruntime-dev gnuplot-nox man-db jq frr)

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system; make sure these are installed: ${pkgs[*]}" >&2
	exit 0
fi
missing=()
for p in "${pkgs[@]}"; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] ||
		missing+=("$p")
done
((${#missing[@]})) || exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: run as root to install: ${missing[*]}" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ] && [ ! -L "$policy" ]; then
	printf '#!/bin/sh\n# deps.sh: no service starts during the install\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# A daemon of frr's running in this namespace would be the install's doing.
[[ " ${missing[*]} " == *" frr "* ]] || exit 0
for d in watchfrr zebra bgpd staticd; do
	for pid in $(pgrep -x "$d" || true); do
		[ "$(readlink "/proc/$pid/ns/net")" = "$(readlink /proc/self/ns/net)" ] || continue
		echo "deps.sh: the install started $d (pid $pid) in the root namespace" >&2
		exit 1
	done
done
