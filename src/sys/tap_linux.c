// SPDX-License-Identifier: MIT
/* tap_linux.c - Linux side of tap.h: TUNGETIFF, TUNSETVNETHDRSZ, TUNSETOFFLOAD,
 * TUNSETOWNER and TUNSETPERSIST */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "netlink.h"
#include "squibnet.h"
#include "tap.h"

/* Linux 6.2 added UDP segmentation offload to tun; older headers lack it
 * (include/uapi/linux/if_tun.h), older kernels refuse it with EINVAL. */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

/**
 * sys_tap_query() - check that @fd is an attached tun/tap descriptor
 * @fd:		descriptor
 * @ti:		filled on success
 *
 * Return: 0; -EBADF when @fd is not open, -ENOTTY (or another errno of
 * ioctl) when it is not a tun/tap descriptor, -EBADFD when it is one that
 * is attached to no interface.
 */
int sys_tap_query(int fd, struct sys_tap_info *ti)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memset(ti, 0, sizeof(*ti));
	if (ioctl(fd, TUNGETIFF, &ifr))
		return -errno;
	memcpy(ti->name, ifr.ifr_name, sizeof(ti->name) - 1);
	/* Not IFF_NO_PI: TUNGETIFF sets IFF_NOFILTER, the same bit, for a
	 * descriptor without a socket filter (tun.c, __tun_chr_ioctl()). */
	ti->is_tap = (ifr.ifr_flags & IFF_TAP) != 0;
	ti->vnet_hdr = (ifr.ifr_flags & IFF_VNET_HDR) != 0;
	/* tun answers SIOCGIFHWADDR on the descriptor itself (tun.c). */
	if (!ioctl(fd, SIOCGIFHWADDR, &ifr))
		memcpy(ti->mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/**
 * sys_tap_set_vnet_hdr_len() - set the size of the virtio-net header
 * @fd:		TAP with IFF_VNET_HDR
 * @len:	bytes, 10 or 12 (the interface's, shared by its descriptors)
 *
 * Return: 0 or a negative errno.
 */
int sys_tap_set_vnet_hdr_len(int fd, int len)
{
	return ioctl(fd, TUNSETVNETHDRSZ, &len) ? -errno : 0;
}

/**
 * sys_tap_set_offloads() - tell the driver which offloads the reader takes
 * @fd:		TAP with IFF_VNET_HDR
 * @offloads:	SQN_OFFLOAD_CSUM, _TSO4, _TSO6, _USO; 0: complete frames only
 *
 * Return: 0, or a negative errno (-EINVAL for a flag this kernel lacks).
 */
int sys_tap_set_offloads(int fd, uint32_t offloads)
{
	unsigned long f = 0;

	if (offloads & SQN_OFFLOAD_CSUM)
		f |= TUN_F_CSUM;
	if (offloads & SQN_OFFLOAD_TSO4)
		f |= TUN_F_TSO4;
	if (offloads & SQN_OFFLOAD_TSO6)
		f |= TUN_F_TSO6;
	if (offloads & SQN_OFFLOAD_USO)
		f |= TUN_F_USO4 | TUN_F_USO6;
	return ioctl(fd, TUNSETOFFLOAD, f) ? -errno : 0;
}

/**
 * sys_tap_link() - the MTU of the TAP's interface, and its packet
 * information
 * @ti:		from sys_tap_query()
 * @l:		filled on success
 *
 * The interface is looked up by name in this process's network
 * namespace, and must have the TAP's MAC there: a TAP made in another
 * namespace may have a namesake here. rtnetlink's IFLA_TUN_PI is the one
 * true word on IFF_NO_PI (struct sys_tap_info).
 *
 * Return: 0, or a negative errno (-ENODEV when it is not visible here).
 */
int sys_tap_link(const struct sys_tap_info *ti, struct sys_tap_link *l)
{
	struct nl_link nl;
	int r = nl_link_get(ti->name, &nl);

	if (r)
		return r;
	if (memcmp(nl.mac, ti->mac, 6))
		return -ENODEV;
	l->mtu = nl.mtu;
	/* A macvtap (drivers/net/tap.c) takes only IFF_TAP | IFF_NO_PI. */
	l->pi = strcmp(nl.kind, "tun") ? 0 : nl.tun_pi;
	return 0;
}

/**
 * sys_tap_set_nonblock() - set O_NONBLOCK on @fd's open file description
 * @fd:		descriptor (its duplicates see the change too)
 *
 * Return: 0 or a negative errno.
 */
int sys_tap_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	return 0;
}

/**
 * sys_tap_create() - make a TAP interface, gone when its last descriptor
 * closes
 * @name:	its name, shorter than SYS_TAP_NAME_MAX
 * @vnet_hdr:	1: with IFF_VNET_HDR (offloads possible), 0: plain frames
 *		(a VMM that takes no virtio_net_hdr, through squib-net serve)
 * @fd:		set on success: the descriptor, close-on-exec, attached
 *		with IFF_TAP | IFF_NO_PI [| IFF_VNET_HDR]
 *
 * Return: 0 or a negative errno (-EPERM without CAP_NET_ADMIN, -EBUSY when
 * a TAP of that name exists).
 */
int sys_tap_create(const char *name, int vnet_hdr, int *fd)
{
	struct ifreq ifr;
	int t, r;

	t = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (t < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	/* IFF_TUN_EXCL: never attach to a TAP of that name made by others. */
	ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL |
				(vnet_hdr ? IFF_VNET_HDR : 0));
	if (ioctl(t, TUNSETIFF, &ifr)) {
		r = -errno;
		close(t);
		return r;
	}
	*fd = t;
	return 0;
}

/**
 * sys_tap_persist() - keep a TAP past its last descriptor, for @owner to
 * open by name
 * @fd:		descriptor of the TAP (sys_tap_create())
 * @owner:	the only uid besides CAP_NET_ADMIN's that may attach to it
 *
 * The owner is set first: a TAP is never persistent without one. No
 * group is set: tun lets a process in when its uid is the owner or its
 * group the TAP's group (tun.c, tun_not_capable()), and the caller's
 * group would let its other members in as well. The TAP then outlives
 * @fd: only its deletion (nl_link_del(), or TUNSETPERSIST 0 by an
 * opener) removes it.
 *
 * Return: 0 or a negative errno.
 */
int sys_tap_persist(int fd, uid_t owner)
{
	if (ioctl(fd, TUNSETOWNER, (unsigned long)owner) ||
	    ioctl(fd, TUNSETPERSIST, 1UL))
		return -errno;
	return 0;
}

/* Open character device @dev through a node of our own in @dir; the node
 * is removed once open. */
static int sys_node_open(const char *dir, const char *name, dev_t dev)
{
	char path[SYS_TAP_NODE_MAX];
	int t, r;

	if (snprintf(path, sizeof(path), "%s/.sqn-%s", dir, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	unlink(path);
	if (mknod(path, S_IFCHR | 0600, dev))
		return -errno;
	t = open(path, O_RDWR | O_CLOEXEC);
	r = t < 0 ? -errno : t;
	unlink(path);
	return r;
}

/* /dev/tap<idx> if it is the device @dev, else a node of our own: in
 * /dev (devtmpfs takes device nodes, where /run is often nodev), or in
 * @nodedir. */
static int sys_macvtap_dev(const char *name, unsigned int idx, dev_t dev,
			   const char *nodedir)
{
	char path[SYS_TAP_NODE_MAX];
	struct stat st;
	int t;

	/* Looked at before it is opened: opening another macvtap's node
	 * would take a share of that guest's frames while open. */
	snprintf(path, sizeof(path), "/dev/tap%u", idx);
	if (!stat(path, &st) && S_ISCHR(st.st_mode) && st.st_rdev == dev) {
		t = open(path, O_RDWR | O_CLOEXEC);
		if (t >= 0 && !fstat(t, &st) && st.st_rdev == dev)
			return t;
		if (t >= 0)
			close(t);
	}
	t = sys_node_open("/dev", name, dev);
	return t >= 0 ? t : sys_node_open(nodedir, name, dev);
}

/**
 * sys_macvtap_open() - open the character device of a macvtap
 * @name:	the macvtap, in this network namespace (and /sys showing it)
 * @nodedir:	a private directory for a device node, if /dev takes none
 * @fd:		set on success: close-on-exec, IFF_TAP | IFF_NO_PI |
 *		IFF_VNET_HDR
 *
 * The device's number is in /sys/class/net/<name>/macvtap/tap<ifindex>/dev
 * (drivers/net/tap.c). /dev/tap<ifindex> is used only if it is that
 * device: devtmpfs names the node by an ifindex of whichever namespace
 * made it, and another namespace's macvtap may have the same one. The
 * descriptor is checked to be @name's.
 *
 * Return: 0 or a negative errno (-ENODEV when /sys is another
 * namespace's).
 */
int sys_macvtap_open(const char *name, const char *nodedir, int *fd)
{
	char path[SYS_TAP_NODE_MAX];
	unsigned int idx = if_nametoindex(name), maj, min;
	struct ifreq ifr;
	int t, r;
	FILE *f;

	if (!idx)
		return -errno;
	snprintf(path, sizeof(path), "/sys/class/net/%s/macvtap/tap%u/dev",
		 name, idx);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ENODEV : -errno;
	r = fscanf(f, "%u:%u", &maj, &min) == 2 ? 0 : -EIO;
	fclose(f);
	if (r)
		return r;
	t = sys_macvtap_dev(name, idx, makedev(maj, min), nodedir);
	if (t < 0)
		return t;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(t, TUNSETIFF, &ifr) || ioctl(t, TUNGETIFF, &ifr)) {
		r = -errno;
		close(t);
		return r;
	}
	if (strncmp(ifr.ifr_name, name, sizeof(ifr.ifr_name))) {
		close(t);
		return -ENODEV;
	}
	*fd = t;
	return 0;
}
