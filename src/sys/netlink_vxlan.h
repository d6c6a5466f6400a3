/* SPDX-License-Identifier: MIT */
/* netlink_vxlan.h - VXLAN links, their forwarding database (the flood list
 * and the remote VTEPs), bridge port flags and link counters through
 * rtnetlink (libmnl), for networks that span hosts */
#ifndef SQN_SYS_NETLINK_VXLAN_H
#define SQN_SYS_NETLINK_VXLAN_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct nl_vxlan - a VXLAN link, to make or as rtnetlink tells of it
 * @vni:	its VNI
 * @local:	its source address, dotted ("" none)
 * @dev:	ifindex of the underlay link it is bound to, 0 none
 * @port:	its UDP port (host order)
 * @mtu:	its MTU, 0 the kernel's choice
 * @learning:	1: it learns remote VTEPs from what arrives; 0 (EVPN): only
 *		the FDB entries put there say where a MAC is
 * @index, @master: as read: its ifindex, its bridge's (0 none)
 * @alias:	as read: IFLA_IFALIAS, "" none
 * @is_vxlan:	as read: the link is of kind "vxlan"
 */
struct nl_vxlan {
	uint32_t vni;
	char local[16];
	unsigned int dev;
	uint16_t port;
	unsigned int mtu;
	int learning;
	unsigned int index, master;
	char alias[64];
	int is_vxlan;
};

/**
 * struct nl_stats - a link's counters (IFLA_STATS64)
 */
struct nl_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_dropped, tx_dropped, rx_errors, tx_errors;
};

int nl_vxlan_add(const char *name, const struct nl_vxlan *v);
int nl_vxlan_get(const char *name, struct nl_vxlan *out);
int nl_link_alias(const char *name, const char *alias);
int nl_brport_flags(const char *name, int learning, int neigh_suppress);
int nl_fdb_flood(const char *dev, const char *dst, int add);
int nl_fdb_remotes(const char *dev, int flood_only, char out[][16],
		   unsigned int max);
int nl_link_stats(const char *name, struct nl_stats *out);
int nl_addr4_find(const char *ifname, const char *addr, char name[16],
		  char first[16]);
int nl_bridge_ports(const char *bridge, const char *except);

#endif /* SQN_SYS_NETLINK_VXLAN_H */
