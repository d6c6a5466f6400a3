/* SPDX-License-Identifier: MIT */
/* tap.h - the tun/tap driver's ioctls, for the TAP backend */
#ifndef SQN_SYS_TAP_H
#define SQN_SYS_TAP_H

#include <stdint.h>

#define SYS_TAP_NAME_MAX 16 /* IFNAMSIZ */
#define SYS_TAP_NODE_MAX 512

/**
 * struct sys_tap_info - what the driver says about a TAP descriptor
 * @name:	its interface's name
 * @is_tap:	it carries Ethernet frames (IFF_TAP), not IP packets
 * @no_pi:	frames come without the 4-byte packet information
 * @vnet_hdr:	frames carry a virtio-net header (IFF_VNET_HDR)
 * @mac:	the interface's MAC address
 */
struct sys_tap_info {
	char name[SYS_TAP_NAME_MAX];
	int is_tap;
	int no_pi;
	int vnet_hdr;
	uint8_t mac[6];
};

int sys_tap_query(int fd, struct sys_tap_info *ti);
int sys_tap_set_vnet_hdr_len(int fd, int len);
int sys_tap_set_offloads(int fd, uint32_t offloads);
int sys_tap_mtu(const struct sys_tap_info *ti, uint32_t *mtu);
int sys_tap_set_nonblock(int fd);
int sys_tap_create(const char *name, int *fd);
int sys_macvtap_open(const char *name, const char *nodedir, int *fd);

#endif /* SQN_SYS_TAP_H */
