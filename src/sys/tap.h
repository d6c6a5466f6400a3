/* SPDX-License-Identifier: MIT */
/* tap.h - the tun/tap driver's ioctls, for the TAP backend */
#ifndef SQN_SYS_TAP_H
#define SQN_SYS_TAP_H

#include <stdint.h>
#include <sys/types.h>

#define SYS_TAP_NAME_MAX 16 /* IFNAMSIZ */
#define SYS_TAP_NODE_MAX 512

/**
 * struct sys_tap_info - what the driver says about a TAP descriptor
 * @name:	its interface's name
 * @is_tap:	it carries Ethernet frames (IFF_TAP), not IP packets
 * @vnet_hdr:	frames carry a virtio-net header (IFF_VNET_HDR)
 * @mac:	the interface's MAC address
 *
 * Whether frames carry the 4-byte packet information is not here: the
 * driver's answer to TUNGETIFF cannot tell (see sys_tap_link()).
 */
struct sys_tap_info {
	char name[SYS_TAP_NAME_MAX];
	int is_tap;
	int vnet_hdr;
	uint8_t mac[6];
};

/**
 * struct sys_tap_link - what rtnetlink says of a TAP's interface
 * @mtu:	its MTU
 * @pi:		1 when its frames carry the 4-byte packet information (made
 *		without IFF_NO_PI), 0 when not (or a macvtap, which never
 *		does), -1 when the kernel does not say
 */
struct sys_tap_link {
	uint32_t mtu;
	int pi;
};

int sys_tap_query(int fd, struct sys_tap_info *ti);
int sys_tap_set_vnet_hdr_len(int fd, int len);
int sys_tap_set_offloads(int fd, uint32_t offloads);
int sys_tap_link(const struct sys_tap_info *ti, struct sys_tap_link *l);
int sys_tap_set_nonblock(int fd);
int sys_tap_create(const char *name, int vnet_hdr, int *fd);
int sys_tap_persist(int fd, uid_t owner);
int sys_macvtap_open(const char *name, const char *nodedir, int *fd);

#endif /* SQN_SYS_TAP_H */
