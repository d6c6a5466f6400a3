/* SPDX-License-Identifier: MIT */
/* netlink.h - links, addresses and routes through rtnetlink (libmnl), for the network plane */
#ifndef SQN_SYS_NETLINK_H
#define SQN_SYS_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#include "ipv4.h"
#include "ipv6.h"

/**
 * struct nl_link - what rtnetlink says of one link
 * @index:	ifindex
 * @kind:	IFLA_INFO_KIND ("bridge", "veth", "macvtap", "tun", ...); ""
 *		for a link without one (a physical NIC, lo)
 * @master:	ifindex of its master (bridge), 0 when none
 * @mac:	its hardware address (zeros when it has none)
 * @up:		IFF_UP is set
 * @mtu:	its MTU
 * @tun_pi:	a "tun" link: 1 when its frames carry the 4-byte packet
 *		information (made without IFF_NO_PI), 0 when not; -1 for
 *		other kinds, or when the kernel does not say (IFLA_TUN_PI)
 * @tun_persist: a "tun" link: 1 when it is persistent (TUNSETPERSIST), 0
 *		when not; -1 for other kinds, or when the kernel does not say
 *		(IFLA_TUN_PERSIST)
 * @tun_queues:	a "tun" link: how many descriptors have it open (its
 *		attached queues, IFLA_TUN_NUM_QUEUES); -1 when not told
 * @carrier:	its carrier (IFLA_CARRIER; a tun's is up exactly while a
 *		queue is attached, unless its opener set it with
 *		TUNSETCARRIER); -1 when not told
 * @name:	its name (IFLA_IFNAME)
 */
struct nl_link {
	unsigned int index;
	char kind[16];
	unsigned int master;
	uint8_t mac[6];
	int up;
	unsigned int mtu;
	int tun_pi;
	int tun_persist;
	int tun_queues;
	int carrier;
	char name[16];
};

int nl_bridge_add(const char *name, const uint8_t mac[6]);
int nl_addr_add(const char *name, const struct ipv4_prefix *addr);
int nl_link_set(const char *name, const char *master, int up);
int nl_link_mtu(const char *name, unsigned int mtu);
int nl_port_isolate(const char *name, int on);
int nl_link_del(const char *name);
int nl_link_get(const char *name, struct nl_link *out);
int nl_link_parse(const void *msg, struct nl_link *out);
int nl_tun_unheld(const struct nl_link *l);
int nl_macvtap_add(const char *name, const char *lower, const uint8_t mac[6],
		   int private_mode);
int nl_ipv4_overlap(const struct ipv4_prefix *net, char *what, size_t len);
int nl_default_route(char name[16]);
int nl_addr6_add(const char *name, const struct ipv6_prefix *addr);
int nl_ipv6_overlap(const struct ipv6_prefix *net, char *what, size_t len);

#endif /* SQN_SYS_NETLINK_H */
