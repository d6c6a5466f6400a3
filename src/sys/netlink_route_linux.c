// SPDX-License-Identifier: MIT
/* netlink_route_linux.c - Linux side of netlink.h, IPv4 addresses and
 * routes: RTM_NEWADDR, and the RTM_GETADDR and RTM_GETROUTE dumps */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ipv4.h"
#include "netlink.h"
#include "netlink_mnl.h"

/**
 * nl_dump_ipv4() - ask for every IPv4 object of a type
 * @type:	RTM_GETADDR or RTM_GETROUTE
 * @hdrlen:	the size of that type's fixed header
 * @cb:		called for each object; MNL_CB_STOP ends the dump early
 * @data:	passed to @cb
 *
 * Return: 0, or the negative errno the kernel or @cb answered with.
 */
static int nl_dump_ipv4(uint16_t type, size_t hdrlen, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_DUMP;
	/* The whole fixed header, zeroed, as strict checking wants it; its
	 * family is the first byte, as in struct rtgenmsg. */
	g = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	g->rtgen_family = AF_INET;
	return nl_talk(nlh, cb, data);
}

/**
 * nl_addr_add() - give a link an IPv4 address
 * @name:	the link
 * @addr:	the address and its prefix length
 *
 * Return: 0 (also when it had the address already) or a negative errno.
 */
int nl_addr_add(const char *name, const struct ipv4_prefix *addr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int idx = if_nametoindex(name);
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int r;

	if (!idx)
		return -errno;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)addr->len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = idx;
	mnl_attr_put(nlh, IFA_LOCAL, 4, addr->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, addr->addr);
	r = nl_talk(nlh, NULL, NULL);
	return r == -EEXIST ? 0 : r;
}

/**
 * struct nl_route - the parts of an IPv4 route of the main table used here
 * @dst:	its destination network, host order
 * @dst_len:	the destination's prefix length; 0 for a default route
 * @oif:	its output interface (the first next hop's), 0 when none
 * @priority:	its metric
 * @type:	RTN_UNICAST, RTN_BLACKHOLE, ...
 */
struct nl_route {
	uint32_t dst;
	int dst_len;
	unsigned int oif;
	uint32_t priority;
	unsigned char type;
};

/**
 * nl_route_main() - read a route, if it is IPv4 and of the main table
 * @nlh:	an RTM_NEWROUTE of a dump
 * @rt:		filled in when it is
 *
 * Return: 1 when it is, 0 when it is not (or is malformed).
 */
static int nl_route_main(const struct nlmsghdr *nlh, struct nl_route *rt)
{
	const struct nlattr *tb[NL_TB_LEN];
	const struct rtmsg *rtm = nl_parse(nlh, sizeof(*rtm), tb);
	const struct rtnexthop *nh;
	const uint8_t *dst;

	/* A table above 255 is in RTA_TABLE only (rtm_table says
	 * RT_TABLE_COMPAT). */
	if (nlh->nlmsg_type != RTM_NEWROUTE || !rtm ||
	    rtm->rtm_family != AF_INET || rtm->rtm_dst_len > 32 ||
	    nl_u32(tb[RTA_TABLE], rtm->rtm_table) != RT_TABLE_MAIN)
		return 0;
	dst = nl_bytes(tb[RTA_DST], 4);
	rt->dst = dst ? ipv4_pack(dst) : 0;
	rt->dst_len = rtm->rtm_dst_len;
	rt->priority = nl_u32(tb[RTA_PRIORITY], 0);
	rt->type = rtm->rtm_type;
	rt->oif = nl_u32(tb[RTA_OIF], 0);
	if (!rt->oif && tb[RTA_MULTIPATH] &&
	    mnl_attr_get_payload_len(tb[RTA_MULTIPATH]) >= sizeof(*nh)) {
		nh = mnl_attr_get_payload(tb[RTA_MULTIPATH]);
		rt->oif = (unsigned int)nh->rtnh_ifindex;
	}
	return 1;
}

/**
 * struct nl_overlap - what nl_ipv4_overlap() looks for, and what it found
 * @net:	the network
 * @what:	where to describe what overlaps it, or NULL
 * @len:	the size of @what
 * @found:	1 once something overlaps it
 */
struct nl_overlap {
	struct ipv4_prefix net;
	char *what;
	size_t len;
	int found;
};

/**
 * nl_overlap_one() - compare one address or route with the network
 * @o:		what nl_ipv4_overlap() looks for
 * @label:	"" for an address, "route " for a route
 * @addr:	its address, host order
 * @prefix:	its prefix length
 * @ifindex:	its link, 0 for none
 *
 * Return: MNL_CB_STOP when they overlap (the dump need go no further),
 * MNL_CB_OK when they do not.
 */
static int nl_overlap_one(struct nl_overlap *o, const char *label,
			  uint32_t addr, int prefix, unsigned int ifindex)
{
	struct ipv4_prefix p = { { 0 }, prefix };
	char ifname[IF_NAMESIZE] = "", a[IPV4_PREFIX_STRLEN];

	ipv4_unpack(addr, p.addr);
	if (!ipv4_overlap(&p, &o->net))
		return MNL_CB_OK;
	o->found = 1;
	if (ifindex && !if_indextoname(ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "#%u", ifindex);
	if (o->what)
		snprintf(o->what, o->len, "%s%s%s%s", label,
			 ipv4_format_prefix(a, &p), ifindex ? " on " : "",
			 ifname);
	return MNL_CB_STOP;
}

/**
 * nl_overlap_addr_cb() - compare one address of a dump with the network
 * @nlh:	an RTM_NEWADDR
 * @data:	the struct nl_overlap
 *
 * Return: MNL_CB_STOP when they overlap, else MNL_CB_OK.
 */
static int nl_overlap_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_TB_LEN];
	const struct ifaddrmsg *ifa = nl_parse(nlh, sizeof(*ifa), tb);
	const uint8_t *a;

	if (nlh->nlmsg_type != RTM_NEWADDR || !ifa ||
	    ifa->ifa_family != AF_INET || ifa->ifa_prefixlen > 32)
		return MNL_CB_OK;
	/* IFA_ADDRESS is the peer's on a point-to-point link. */
	a = nl_bytes(tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS], 4);
	if (!a)
		return MNL_CB_OK;
	return nl_overlap_one(data, "", ipv4_pack(a), ifa->ifa_prefixlen,
			      ifa->ifa_index);
}

/**
 * nl_overlap_route_cb() - compare one route of a dump with the network
 * @nlh:	an RTM_NEWROUTE
 * @data:	the struct nl_overlap
 *
 * Return: MNL_CB_STOP when they overlap, else MNL_CB_OK.
 */
static int nl_overlap_route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_route rt;

	if (!nl_route_main(nlh, &rt) || !rt.dst_len)
		return MNL_CB_OK;
	return nl_overlap_one(data, "route ", rt.dst, rt.dst_len, rt.oif);
}

/**
 * nl_ipv4_overlap() - whether an IPv4 network is in use in this namespace
 * @net:	an address of the network and its prefix length
 * @what:	where to describe the first address or route it overlaps
 *		("10.99.0.2/24 on veth0", "route 10.0.0.0/8 on eth0"), or NULL
 * @len:	the size of @what
 *
 * It is in use when it overlaps an IPv4 address of a link (with that
 * address's prefix) or a route of the main table other than a default one.
 *
 * Return: 1 when it overlaps one, 0 when not, or a negative errno.
 */
int nl_ipv4_overlap(const struct ipv4_prefix *net, char *what, size_t len)
{
	struct nl_overlap o = { *net, what, len, 0 };
	int r;

	if (net->len < 0 || net->len > 32)
		return -EINVAL;
	r = nl_dump_ipv4(RTM_GETADDR, sizeof(struct ifaddrmsg),
			 nl_overlap_addr_cb, &o);
	if (!r && !o.found)
		r = nl_dump_ipv4(RTM_GETROUTE, sizeof(struct rtmsg),
				 nl_overlap_route_cb, &o);
	return r ? r : o.found;
}

/**
 * nl_default_cb() - keep a default route if it beats the best so far
 * @nlh:	an RTM_NEWROUTE
 * @data:	the struct nl_route of the best so far (oif 0: none yet)
 *
 * Return: MNL_CB_OK.
 */
static int nl_default_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_route *best = data, rt;

	if (nl_route_main(nlh, &rt) && !rt.dst_len && rt.type == RTN_UNICAST &&
	    rt.oif && (!best->oif || rt.priority < best->priority))
		*best = rt;
	return MNL_CB_OK;
}

/**
 * nl_default_route() - the link of the IPv4 default route
 * @name:	its name, IF_NAMESIZE bytes
 *
 * Of several default routes in the main table, the one of the lowest
 * metric, as the kernel chooses.
 *
 * Return: 0, -ENETUNREACH when there is none, or a negative errno.
 */
int nl_default_route(char name[16])
{
	struct nl_route best = { 0, 0, 0, 0, 0 };
	int r;

	r = nl_dump_ipv4(RTM_GETROUTE, sizeof(struct rtmsg), nl_default_cb,
			 &best);
	if (r)
		return r;
	if (!best.oif)
		return -ENETUNREACH;
	return if_indextoname(best.oif, name) ? 0 : -errno;
}
