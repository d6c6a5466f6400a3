// SPDX-License-Identifier: MIT
/* network6_linux.c - a network's IPv6: its bridge as the prefix's router,
 * its ip6 table, and forwarding for NAT66 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipv6.h"
#include "netlink.h"
#include "network.h"
#include "nft6.h"
#include "record.h"

/**
 * network6_bridge() - make the new bridge (still down) the router of the
 * network's prefix: the gateway's address PREFIX::1/64, no address or
 * route of its own from router advertisements, router behaviour
 * @s:		the network, with IPv6
 * @msg:	set on failure
 * @len:	its size
 *
 * accept_ra 0: a guest's advertisement must not give the host a route or
 * an address. forwarding 1 is the interface's router role, not
 * forwarding (RFC 4861's IsRouter: its neighbour advertisements carry the
 * router flag, which guests need to keep it as their default router).
 * accept_dad 0: the bridge's link-local address, which dnsmasq sends its
 * advertisements from, is usable the moment the first port comes up.
 *
 * Return: 0 or a negative errno.
 */
int network6_bridge(const struct net_spec *s, char *msg, size_t len)
{
	static const char *const set[][2] = {
		{ "disable_ipv6", "0" }, { "accept_ra", "0" },
		{ "autoconf", "0" },	 { "accept_dad", "0" },
		{ "forwarding", "1" },
	};
	struct ipv6_prefix gw = s->subnet6;
	char g6[IPV6_PREFIX_STRLEN];
	unsigned int i;
	int r = 0;

	for (i = 0; !r && i < sizeof(set) / sizeof(set[0]); i++)
		r = network_sysctl("ipv6", s->name, set[i][0], NULL, set[i][1]);
	if (r == -ENOENT)
		return record_err(
			msg, len, -EAFNOSUPPORT,
			"network %s: the kernel has no IPv6 (subnet6 \"none\" makes the network without it)",
			s->name);
	if (r)
		return record_err(msg, len, r, "bridge %s: IPv6 settings: %s",
				  s->name, strerror(-r));
	ipv6_host(&s->subnet6, 1, gw.addr);
	r = nl_addr6_add(s->name, &gw);
	if (r)
		return record_err(msg, len, r, "bridge %s: address %s: %s",
				  s->name, ipv6_format_prefix(g6, &gw),
				  strerror(-r));
	return 0;
}

/**
 * network6_make() - the network's ip6 table, and (shared) forwarding for
 * NAT66: in through the bridge, and in through the NAT interface (its
 * replies, unless the host forwarded IPv6 there already)
 * @ns:		the namespace's record
 * @s:		the network, with IPv6, its bridge made
 * @token:	its table mark
 * @nat:	shared: the NAT interface; NULL for a host-only network
 * @msg:	set on failure
 * @len:	its size
 *
 * A kernel without per-interface IPv6 forwarding (force_forwarding, Linux
 * 6.17) gets the network and its table all the same; its guests reach
 * beyond the host over IPv6 only where the host forwards IPv6 already
 * (all/forwarding), which squib-net never turns on: that would make the
 * whole host a router.
 *
 * Return: 0 or a negative errno.
 */
int network6_make(const char *ns, const struct net_spec *s, const char *token,
		  const char *nat, char *msg, size_t len)
{
	int r;

	r = nft6_table_add(s, token, nat,
			   nat && network_fwd_was_off(1, ns, nat), msg, len);
	if (r || !nat)
		return r;
	r = network_forwarding(1, s->name, NULL, "1");
	if (r == -ENOENT)
		return 0; /* no force_forwarding */
	if (!r)
		r = network_fwd_take(1, ns, nat);
	if (r)
		return record_err(msg, len, r,
				  "IPv6 forwarding on %s and %s: %s", s->name,
				  nat, strerror(-r));
	return 0;
}
