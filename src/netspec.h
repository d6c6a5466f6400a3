/* SPDX-License-Identifier: MIT */
/* netspec.h - the network an attachment asks for: checked once by
 * config_check(), then passed down as it is to the plane (netplane,
 * network, nft, dnsmasq) */
#ifndef SQN_NETSPEC_H
#define SQN_NETSPEC_H

#include <stdint.h>

#include "ipv4.h"
#include "ipv6.h"
#include "squibnet.h"

/* A network name, also its bridge's: an interface name with its NUL. */
#define NET_SPEC_NAME_MAX 16
/* The MTU of a network made without one asked for: Ethernet's. */
#define NET_SPEC_MTU_DEFAULT 1500

/**
 * struct net_spec - one network
 * @mode:	the attachment's mode; the plane serves SQN_MODE_SHARED,
 *		_HOST and _BRIDGED
 * @name:	shared, host: the network's name, also its bridge's
 * @gateway:	shared, host: the bridge's address and the subnet's prefix
 *		length
 * @has_v6:	shared, host: the network has IPv6, prefix @subnet6
 * @subnet6:	its /64 (host bits 0); the gateway is its ::1
 * @nat_iface:	shared: where NAT leads out; NULL: the default route's
 *		(always NULL for host)
 * @dns_upstream: where unknown names go: NULL the host's resolv.conf,
 *		"none" nowhere (always so for host), else IPv4 addresses
 *		separated by commas
 * @dns_hosts:	shared, host: a hosts(5) file of names its DNS answers
 * @bridged_iface: bridged: the bridge or NIC
 * @isolation:	1: guests of the network cannot reach each other
 * @mtu:	the network's MTU (its bridge's, each TAP's, DHCP's option
 *		26); 0: an existing network's, NET_SPEC_MTU_DEFAULT for a
 *		new one (bridged: the bridge's, or the NIC's)
 * @bridge_mac:	shared, host: the address of a bridge made for it; all
 *		zeros: a random one. A network that spans hosts (squib-net
 *		serve's vxlan-vni) takes one derived from its VNI, so that
 *		the other hosts know the gateway's MAC without being told
 *
 * Its strings point into the caller's sqn_config, which must outlive
 * sqn_open().
 */
struct net_spec {
	enum sqn_mode mode;
	char name[NET_SPEC_NAME_MAX];
	struct ipv4_prefix gateway;
	int has_v6;
	struct ipv6_prefix subnet6;
	const char *nat_iface;
	const char *dns_upstream;
	const char *dns_hosts;
	const char *bridged_iface;
	int isolation;
	uint32_t mtu;
	uint8_t bridge_mac[6];
};

#endif /* SQN_NETSPEC_H */
