#!/bin/bash
# SPDX-License-Identifier: MIT
# guest-kit.sh - build the real test guest: Debian's kernel and a busybox
# initramfs for QEMU, cached in BUILD_DIR/guest (default build/guest)
#
# Makes BUILD_DIR/guest/vmlinux (the uncompressed kernel of Debian's
# linux-image-amd64, which QEMU boots directly through its PVH entry) and
# BUILD_DIR/guest/initramfs.cpio (busybox-static, the virtio-net modules,
# tests/guest/init). Nothing is installed but the packages of
# scripts/deps.sh: the kernel and busybox-static packages are downloaded
# and unpacked here (busybox-static conflicts with the busybox package the
# tests use on the host). A second run reuses what is there; the
# initramfs is rebuilt when tests/guest/init, lease.sh or this script is newer.
set -euo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
G=$B/guest
# Modules the guest loads, with what they depend on: the kernel has
# virtio, virtio_pci, virtio_net and (net_)failover as modules (=m).
WANT=(virtio_pci virtio_net)

say() {
	echo "guest-kit: $*" >&2
}

# fetch PKG DIR: download PKG's .deb into $G and unpack it into DIR.
fetch() {
	local pkg=$1 dir=$2 deb
	rm -rf "$dir" "$G"/"$pkg"_*.deb
	# apt-get download writes into the current directory, as _apt when
	# it can: let it.
	chmod 755 "$G"
	(cd "$G" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) || true
	deb=$(ls "$G"/"$pkg"_*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || { say "could not download $pkg"; return 1; }
	mkdir -p "$dir"
	dpkg-deb -x "$deb" "$dir"
	rm -f "$deb"
}

# kernel_package: the package linux-image-amd64 depends on (the metapackage
# names the current kernel, linux-image-6.1.0-N-amd64).
kernel_package() {
	local p
	p=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
	if [ -z "$p" ]; then
		apt-get update -qq >&2
		p=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
	fi
	[ -n "$p" ] || { say "linux-image-amd64 names no kernel package"; return 1; }
	echo "$p"
}

# extract_vmlinux VMLINUZ CONFIG OUT: the ELF kernel inside a bzImage, as
# the kernel's scripts/extract-vmlinux finds it: the first offset of the
# compressor's magic, decompressed to its end (the data after it makes the
# decompressor complain; the ELF check below is what counts).
extract_vmlinux() {
	local z=$1 config=$2 out=$3 magic cmd off
	case $(grep -E '^CONFIG_KERNEL_[A-Z0-9]+=y' "$config") in
	CONFIG_KERNEL_XZ=y) magic='\xfd7zXZ\x00' cmd='xz -dc' ;;
	CONFIG_KERNEL_GZIP=y) magic='\x1f\x8b\x08' cmd='gzip -dc' ;;
	CONFIG_KERNEL_ZSTD=y) magic='\x28\xb5\x2f\xfd' cmd='zstd -dc' ;;
	*) say "unknown kernel compression in $config"; return 1 ;;
	esac
	for off in $(LC_ALL=C grep -obUaP "$magic" "$z" | cut -d: -f1); do
		tail -c +$((off + 1)) "$z" | $cmd >"$out" 2>/dev/null || true
		if [ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
			break
		fi
	done
	[ -s "$out" ] || { say "no kernel found in $z"; return 1; }
	# An x86-64 ELF whose Xen note 18 (XEN_ELFNOTE_PHYS32_ENTRY) is the PVH
	# entry point QEMU's -kernel uses for an ELF image.
	readelf -h "$out" | grep -q 'Class:.*ELF64' &&
		readelf -h "$out" | grep -q 'Machine:.*X86-64' ||
		{ say "$out is not an x86-64 ELF kernel"; return 1; }
	readelf -n "$out" | grep -Eq 'Xen.*(0x00000012|PHYS32_ENTRY)' ||
		{ say "$out has no PVH entry note"; return 1; }
}

# module_order DIR NAMES...: NAMES and their dependencies, each after what
# it depends on (from the depends= line of each module's .modinfo).
module_order() {
	local dir=$1 m
	shift
	declare -A seen=()
	visit() {
		local f deps d
		[ -z "${seen[$1]:-}" ] || return 0
		seen[$1]=1
		f=$(find "$dir" -name "$1.ko" | head -n 1)
		[ -n "$f" ] || { say "module $1 not found"; return 1; }
		deps=$(tr '\0' '\n' <"$f" | grep -a '^depends=' | head -n 1 | cut -d= -f2)
		for d in ${deps//,/ }; do
			visit "$d" || return 1
		done
		echo "$1 $f"
	}
	for m in "$@"; do
		visit "$m" || return 1
	done
}

# build_kernel: vmlinux, and the modules of WANT in $G/modules with their
# load order; the rest of the package (some 400 MB) is not kept (nor are
# its folders named *.d, which the Makefile would take for dependencies).
build_kernel() {
	local pkg k=$G/unpack name f
	pkg=$(kernel_package)
	say "kernel: $pkg"
	if ! fetch "$pkg" "$k"; then
		# Package lists older than the archive name a kernel it no
		# longer has: read them anew once.
		apt-get update -qq >&2
		pkg=$(kernel_package)
		fetch "$pkg" "$k"
	fi
	extract_vmlinux "$k"/boot/vmlinuz-* "$k"/boot/config-* "$G/vmlinux.new"
	rm -rf "$G/modules"
	mkdir -p "$G/modules"
	module_order "$k/lib/modules" "${WANT[@]}" >"$G/modules.txt"
	while read -r name f; do
		cp "$f" "$G/modules/$name.ko"
		echo "$name" >>"$G/modules/order"
	done <"$G/modules.txt"
	cp "$k"/boot/config-* "$G/config"
	echo "${WANT[*]}" >"$G/modules/want"
	rm -rf "$k" "$G/modules.txt"
	mv "$G/vmlinux.new" "$G/vmlinux"
	echo "$pkg" >"$G/kernel.pkg"
}

# build_initramfs: busybox-static, the modules in order, init and its
# scripts, as a newc cpio (uncompressed: unpacking is quicker than
# decompressing under TCG).
build_initramfs() {
	local r=$G/root a
	if [ ! -x "$G/busybox" ]; then
		fetch busybox-static "$G/unpack"
		mv "$G/unpack/bin/busybox" "$G/busybox"
		rm -rf "$G/unpack"
	fi
	rm -rf "$r"
	mkdir -p "$r"/{bin,dev,proc,sys,tmp,etc,lib/modules}
	cp "$G/busybox" "$r/bin/busybox"
	for a in $("$r/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$r/bin/$a"
	done
	cp "$G"/modules/*.ko "$G/modules/order" "$r/lib/modules/"
	cp tests/guest/init "$r/init"
	cp tests/guest/lease.sh "$r/bin/lease.sh"
	chmod 755 "$r/init" "$r/bin/lease.sh"
	(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$G/initramfs.cpio.new"
	rm -rf "$r"
	mv "$G/initramfs.cpio.new" "$G/initramfs.cpio"
}

scripts/deps.sh
mkdir -p "$G"
trap 'rm -rf "$G/unpack" "$G/root"' EXIT
if [ ! -s "$G/vmlinux" ] || [ "$(cat "$G/modules/want" 2>/dev/null)" != "${WANT[*]}" ]; then
	build_kernel
	rm -f "$G/initramfs.cpio"
fi
if [ ! -s "$G/initramfs.cpio" ] ||
	[ -n "$(find tests/guest/init tests/guest/lease.sh scripts/guest-kit.sh -newer "$G/initramfs.cpio")" ]; then
	build_initramfs
fi
say "ready: $G/vmlinux ($(cat "$G/kernel.pkg")), $G/initramfs.cpio"
