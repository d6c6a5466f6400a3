// SPDX-License-Identifier: MIT
/* netlink_route_linux.c - Linux side of netlink.h, addresses and routes
 * (IPv4's, and IPv6's for the networks' prefixes): RTM_NEWADDR, and the
 * RTM_GETADDR and RTM_GETROUTE dumps */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ipv4.h"
#include "ipv6.h"
#include "netlink.h"
#include "netlink_mnl.h"

/**
 * nl_dump() - ask for every object of a type and family
 * @family:	AF_INET or AF_INET6
 * @type:	RTM_GETADDR or RTM_GETROUTE
 * @hdrlen:	the size of that type's fixed header
 * @cb:		called for each object; MNL_CB_STOP ends the dump early
 * @data:	passed to @cb
 *
 * Return: 0, or the negative errno the kernel or @cb answered with.
 */
int nl_dump(unsigned char family, uint16_t type, size_t hdrlen, mnl_cb_t cb,
	    void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_DUMP;
	/* The whole fixed header, zeroed, as strict checking wants it; its
	 * family is the first byte, as in struct rtgenmsg. */
	g = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	g->rtgen_family = family;
	return nl_talk(nlh, cb, data);
}

/**
 * nl_addr_put() - give a link an address of either family
 * @name:	the link
 * @family:	AF_INET or AF_INET6
 * @addr:	the address, network order, @alen bytes
 * @alen:	4 or 16
 * @prefixlen:	its prefix length
 * @flags:	IFA_F_* (IFA_F_NODAD)
 *
 * Return: 0 (also when it had the address already) or a negative errno.
 */
int nl_addr_put(const char *name, unsigned char family, const void *addr,
		size_t alen, int prefixlen, unsigned char flags)
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
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = (unsigned char)prefixlen;
	ifa->ifa_flags = flags;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = idx;
	mnl_attr_put(nlh, IFA_LOCAL, alen, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, addr);
	r = nl_talk(nlh, NULL, NULL);
	return r == -EEXIST ? 0 : r;
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
	return nl_addr_put(name, AF_INET, addr->addr, 4, addr->len, 0);
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

static int nl_overlap6_route(const struct nlmsghdr *nlh, void *data);

/**
 * struct nl_overlap - what nl_ipv4_overlap() or nl_ipv6_overlap() looks
 * for, and what it found
 * @family:	AF_INET or AF_INET6
 * @net:	the network, AF_INET
 * @net6:	the prefix, AF_INET6
 * @what:	where to describe what overlaps it, or NULL
 * @len:	the size of @what
 * @found:	1 once something overlaps it
 */
struct nl_overlap {
	unsigned char family;
	struct ipv4_prefix net;
	struct ipv6_prefix net6;
	char *what;
	size_t len;
	int found;
};

/**
 * nl_overlap_one() - compare one address or route with the network
 * @o:		what nl_ipv4_overlap() or nl_ipv6_overlap() looks for
 * @label:	"" for an address, "route " for a route
 * @addr:	its address, of @o's family, network order
 * @prefix:	its prefix length
 * @ifindex:	its link, 0 for none
 *
 * Return: MNL_CB_STOP when they overlap (the dump need go no further),
 * MNL_CB_OK when they do not.
 */
static int nl_overlap_one(struct nl_overlap *o, const char *label,
			  const uint8_t *addr, int prefix, unsigned int ifindex)
{
	struct ipv4_prefix p = { { 0 }, prefix };
	struct ipv6_prefix p6 = { { 0 }, prefix };
	char ifname[IF_NAMESIZE] = "", a[IPV6_PREFIX_STRLEN];
	int v6 = o->family == AF_INET6;

	memcpy(v6 ? p6.addr : p.addr, addr, v6 ? 16 : 4);
	if (v6 ? !ipv6_overlap(&p6, &o->net6) : !ipv4_overlap(&p, &o->net))
		return MNL_CB_OK;
	o->found = 1;
	if (ifindex && !if_indextoname(ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "#%u", ifindex);
	if (o->what)
		snprintf(o->what, o->len, "%s%s%s%s", label,
			 v6 ? ipv6_format_prefix(a, &p6) :
			      ipv4_format_prefix(a, &p),
			 ifindex ? " on " : "", ifname);
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
	struct nl_overlap *o = data;
	size_t alen = o->family == AF_INET6 ? 16 : 4;
	const uint8_t *a;

	if (nlh->nlmsg_type != RTM_NEWADDR || !ifa ||
	    ifa->ifa_family != o->family || ifa->ifa_prefixlen > alen * 8)
		return MNL_CB_OK;
	/* IFA_ADDRESS is the peer's on a point-to-point link. */
	a = nl_bytes(tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS], alen);
	if (!a)
		return MNL_CB_OK;
	return nl_overlap_one(o, "", a, ifa->ifa_prefixlen, ifa->ifa_index);
}

/**
 * nl_overlap_route_cb() - compare one route of a dump, of the main table
 * and not a default one, with the network
 * @nlh:	an RTM_NEWROUTE
 * @data:	the struct nl_overlap
 *
 * Return: MNL_CB_STOP when they overlap, else MNL_CB_OK.
 */
static int nl_overlap_route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_overlap *o = data;
	struct nl_route rt;
	uint8_t dst[4];

	if (o->family == AF_INET6)
		return nl_overlap6_route(nlh, data);
	if (!nl_route_main(nlh, &rt) || !rt.dst_len)
		return MNL_CB_OK;
	ipv4_unpack(rt.dst, dst);
	return nl_overlap_one(o, "route ", dst, rt.dst_len, rt.oif);
}

/**
 * nl_overlap() - whether a network is in use in this namespace
 * @o:		what to look for; sets @o->found and @o->what
 *
 * Return: 1 when it overlaps an address or route, 0 when not, or a
 * negative errno.
 */
static int nl_overlap(struct nl_overlap *o)
{
	int r;

	r = nl_dump(o->family, RTM_GETADDR, sizeof(struct ifaddrmsg),
		    nl_overlap_addr_cb, o);
	if (!r && !o->found)
		r = nl_dump(o->family, RTM_GETROUTE, sizeof(struct rtmsg),
			    nl_overlap_route_cb, o);
	return r ? r : o->found;
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
	struct nl_overlap o = { AF_INET, *net, { { 0 }, 0 }, what, len, 0 };

	if (net->len < 0 || net->len > 32)
		return -EINVAL;
	return nl_overlap(&o);
}

/**
 * nl_ipv6_overlap() - whether an IPv6 prefix is in use in this namespace
 * @net:	the prefix
 * @what:	where to describe the first address or route it overlaps
 *		("fd00:1::2/64 on veth0", "route fd00::/8 on wg0"), or NULL
 * @len:	the size of @what
 *
 * As nl_ipv4_overlap(): an IPv6 address of a link (with its prefix
 * length), or a route of the main table other than a default one. A
 * kernel without IPv6 has neither.
 *
 * Return: 1 when it overlaps one, 0 when not, or a negative errno.
 */
int nl_ipv6_overlap(const struct ipv6_prefix *net, char *what, size_t len)
{
	struct nl_overlap o = { AF_INET6, { { 0 }, 0 }, *net, what, len, 0 };
	int r;

	if (net->len < 0 || net->len > 128)
		return -EINVAL;
	r = nl_overlap(&o);
	return r == -EAFNOSUPPORT ? 0 : r;
}

/**
 * nl_overlap6_route() - nl_overlap_route_cb() for an IPv6 route
 * @nlh:	an RTM_NEWROUTE
 * @data:	the struct nl_overlap
 *
 * Return: MNL_CB_STOP when they overlap, else MNL_CB_OK.
 */
static int nl_overlap6_route(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_TB_LEN];
	const struct rtmsg *rtm = nl_parse(nlh, sizeof(*rtm), tb);
	const uint8_t *dst;

	if (nlh->nlmsg_type != RTM_NEWROUTE || !rtm ||
	    rtm->rtm_family != AF_INET6 || !rtm->rtm_dst_len ||
	    rtm->rtm_dst_len > 128 ||
	    nl_u32(tb[RTA_TABLE], rtm->rtm_table) != RT_TABLE_MAIN)
		return MNL_CB_OK;
	dst = nl_bytes(tb[RTA_DST], 16);
	if (!dst)
		return MNL_CB_OK;
	return nl_overlap_one(data, "route ", dst, rtm->rtm_dst_len,
			      nl_u32(tb[RTA_OIF], 0));
}

/**
 * nl_addr6_add() - give a link an IPv6 address, usable at once
 * @name:	the link
 * @addr:	the address and its prefix length
 *
 * Without duplicate address detection (IFA_F_NODAD): the address is the
 * network's own gateway, on a bridge of ours, and dnsmasq must be able to
 * bind it and announce it the moment it starts.
 *
 * Return: 0 (also when it had the address already) or a negative errno.
 */
int nl_addr6_add(const char *name, const struct ipv6_prefix *addr)
{
	return nl_addr_put(name, AF_INET6, addr->addr, 16, addr->len,
			   IFA_F_NODAD);
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

	r = nl_dump(AF_INET, RTM_GETROUTE, sizeof(struct rtmsg), nl_default_cb,
		    &best);
	if (r)
		return r;
	if (!best.oif)
		return -ENETUNREACH;
	return if_indextoname(best.oif, name) ? 0 : -errno;
}
