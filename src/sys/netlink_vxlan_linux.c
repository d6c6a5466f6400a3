// SPDX-License-Identifier: MIT
/* netlink_vxlan_linux.c - Linux side of netlink_vxlan.h: VXLAN links
 * (RTM_NEWLINK of kind "vxlan"), FDB entries of the flood list
 * (RTM_NEWNEIGH with NLM_F_APPEND, RTM_DELNEIGH, the AF_BRIDGE neighbour
 * dump), bridge port flags, IFLA_STATS64 and the address dump */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <linux/if_bridge.h>
#include <linux/neighbour.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netlink_mnl.h"
#include "netlink_vxlan.h"

_Static_assert(IFLA_VXLAN_MAX < NL_TB_LEN && NDA_MAX < NL_TB_LEN,
	       "an attribute table holds every type parsed here");

/**
 * nl_vxlan_add() - make a VXLAN link, left down and without a master
 * @name:	its name
 * @v:		its VNI, source address, underlay link, port, MTU, learning
 *
 * Return: 0, -EEXIST when a link of that name exists, or a negative errno
 * (-EOPNOTSUPP, or -EINVAL for the kind, when the kernel has no VXLAN).
 */
int nl_vxlan_add(const char *name, const struct nl_vxlan *v)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *li, *data;
	struct nlmsghdr *nlh;
	struct in_addr a;

	if (v->local[0] && inet_pton(AF_INET, v->local, &a) != 1)
		return -EINVAL;
	nlh = nl_link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
			  AF_UNSPEC, name);
	if (v->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, v->mtu);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vxlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, v->vni);
	if (v->local[0])
		mnl_attr_put(nlh, IFLA_VXLAN_LOCAL, 4, &a);
	if (v->dev)
		mnl_attr_put_u32(nlh, IFLA_VXLAN_LINK, v->dev);
	/* In network order, unlike every other port of rtnetlink. */
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(v->port));
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, v->learning ? 1 : 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return nl_talk(nlh, NULL, NULL);
}

/* IFLA_INFO_DATA of a "vxlan" link into @v. */
static void nlvx_info(const struct nlattr *data, struct nl_vxlan *v)
{
	const struct nlattr *tb[NL_TB_LEN];
	const void *p;

	memset(tb, 0, sizeof(tb));
	mnl_attr_parse_nested(data, nl_attr_cb, tb);
	v->vni = nl_u32(tb[IFLA_VXLAN_ID], 0);
	v->dev = nl_u32(tb[IFLA_VXLAN_LINK], 0);
	p = nl_bytes(tb[IFLA_VXLAN_LOCAL], 4);
	if (p)
		inet_ntop(AF_INET, p, v->local, sizeof(v->local));
	if (nl_bytes(tb[IFLA_VXLAN_PORT], 2))
		v->port = ntohs(mnl_attr_get_u16(tb[IFLA_VXLAN_PORT]));
	if (nl_bytes(tb[IFLA_VXLAN_LEARNING], 1))
		v->learning = mnl_attr_get_u8(tb[IFLA_VXLAN_LEARNING]) != 0;
}

/* An RTM_NEWLINK: what struct nl_vxlan holds, and the counters when
 * @data's stats pointer is set. */
struct nlvx_get {
	struct nl_vxlan *v;
	struct nl_stats *st;
};

#define NLVX_STAT(st, p, f)                                           \
	memcpy(&(st)->f, (p) + offsetof(struct rtnl_link_stats64, f), \
	       sizeof((st)->f))

static int nlvx_link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_TB_LEN], *info[NL_TB_LEN];
	const struct ifinfomsg *ifm;
	struct nlvx_get *g = data;
	const char *s;
	struct nl_vxlan *v = g->v;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	ifm = nl_parse(nlh, sizeof(*ifm), tb);
	if (!ifm)
		return MNL_CB_OK;
	if (g->st) {
		/* At least the struct this was built with (newer kernels add
		 * fields at its end).
		 * Unaligned (a 4-byte attribute header): copied by offset. */
		if (tb[IFLA_STATS64] &&
		    mnl_attr_get_payload_len(tb[IFLA_STATS64]) >=
			    sizeof(struct rtnl_link_stats64)) {
			s = mnl_attr_get_payload(tb[IFLA_STATS64]);
			NLVX_STAT(g->st, s, rx_packets);
			NLVX_STAT(g->st, s, tx_packets);
			NLVX_STAT(g->st, s, rx_bytes);
			NLVX_STAT(g->st, s, tx_bytes);
			NLVX_STAT(g->st, s, rx_dropped);
			NLVX_STAT(g->st, s, tx_dropped);
			NLVX_STAT(g->st, s, rx_errors);
			NLVX_STAT(g->st, s, tx_errors);
		}
		return MNL_CB_OK;
	}
	v->index = (unsigned int)ifm->ifi_index;
	v->master = nl_u32(tb[IFLA_MASTER], 0);
	v->mtu = nl_u32(tb[IFLA_MTU], 0);
	if (tb[IFLA_IFALIAS])
		snprintf(v->alias, sizeof(v->alias), "%.*s",
			 (int)mnl_attr_get_payload_len(tb[IFLA_IFALIAS]),
			 (const char *)mnl_attr_get_payload(tb[IFLA_IFALIAS]));
	memset(info, 0, sizeof(info));
	if (tb[IFLA_LINKINFO])
		mnl_attr_parse_nested(tb[IFLA_LINKINFO], nl_attr_cb, info);
	if (info[IFLA_INFO_KIND] &&
	    !strcmp(mnl_attr_get_str(info[IFLA_INFO_KIND]), "vxlan")) {
		v->is_vxlan = 1;
		if (info[IFLA_INFO_DATA])
			nlvx_info(info[IFLA_INFO_DATA], v);
	}
	return MNL_CB_OK;
}

/* RTM_GETLINK of @name into @v, or its counters into @st. */
static int nlvx_getlink(const char *name, struct nl_vxlan *v,
			struct nl_stats *st)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlvx_get g = { v, st };

	if (strnlen(name, IF_NAMESIZE) == IF_NAMESIZE || !if_nametoindex(name))
		return -ENODEV;
	return nl_talk(nl_link_msg(buf, RTM_GETLINK, 0, AF_UNSPEC, name),
		       nlvx_link_cb, &g);
}

/**
 * nl_vxlan_get() - what rtnetlink says of a link: its VXLAN settings (when
 * it is one), index, master, MTU and alias
 * @name:	the link
 * @out:	filled in
 *
 * Return: 0, -ENODEV when there is no such link, or a negative errno.
 */
int nl_vxlan_get(const char *name, struct nl_vxlan *out)
{
	memset(out, 0, sizeof(*out));
	return nlvx_getlink(name, out, NULL);
}

/**
 * nl_link_stats() - a link's counters
 * @name:	the link
 * @out:	filled in (zeros when the kernel gives none)
 *
 * Return: 0, -ENODEV, or a negative errno.
 */
int nl_link_stats(const char *name, struct nl_stats *out)
{
	struct nl_vxlan v;

	memset(out, 0, sizeof(*out));
	return nlvx_getlink(name, &v, out);
}

/**
 * nl_link_alias() - set a link's alias (IFLA_IFALIAS, "ip link set alias")
 * @name:	the link
 * @alias:	the text
 *
 * Return: 0 or a negative errno.
 */
int nl_link_alias(const char *name, const char *alias)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nl_link_msg(buf, RTM_NEWLINK, 0, AF_UNSPEC, name);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	return nl_talk(nlh, NULL, NULL);
}

/**
 * nl_brport_flags() - a bridge port's learning and neighbour suppression
 * @name:	the port
 * @learning:	0: the bridge learns no MAC from its frames (EVPN: FRR's
 *		routes say where each MAC is)
 * @neigh_suppress: 1: the bridge answers ARP and ND for the port from its
 *		neighbour table instead of flooding them across it
 *
 * Return: 0 or a negative errno.
 */
int nl_brport_flags(const char *name, int learning, int neigh_suppress)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *pi;

	nlh = nl_link_msg(buf, RTM_SETLINK, 0, AF_BRIDGE, name);
	pi = mnl_attr_nest_start(nlh, IFLA_PROTINFO | NLA_F_NESTED);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_LEARNING, learning ? 1 : 0);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_NEIGH_SUPPRESS,
			neigh_suppress ? 1 : 0);
	mnl_attr_nest_end(nlh, pi);
	return nl_talk(nlh, NULL, NULL);
}

/**
 * nl_fdb_flood() - add or remove one entry of a VXLAN link's flood list:
 * the all-zeros MAC toward @dst, as "bridge fdb append 00:00:00:00:00:00
 * dev DEV dst DST" does (and "bridge fdb del ... dst DST")
 * @dev:	the VXLAN link
 * @dst:	the remote VTEP, dotted
 * @add:	1 add (appended: the other remotes stay), 0 remove
 *
 * Return: 0 (adding one there already, removing one not there: 0 too) or a
 * negative errno.
 */
int nl_fdb_flood(const char *dev, const char *dst, int add)
{
	static const uint8_t zero[6];
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	struct in_addr a;
	int r;

	if (inet_pton(AF_INET, dst, &a) != 1)
		return -EINVAL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWNEIGH : RTM_DELNEIGH;
	nlh->nlmsg_flags = add ? NLM_F_CREATE | NLM_F_APPEND : 0;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	ndm->ndm_ifindex = (int)if_nametoindex(dev);
	if (!ndm->ndm_ifindex)
		return -ENODEV;
	/* As iproute2's "bridge fdb append": permanent, the device's own
	 * table (NTF_SELF), not the bridge's. */
	ndm->ndm_state = NUD_NOARP | NUD_PERMANENT;
	ndm->ndm_flags = NTF_SELF;
	mnl_attr_put(nlh, NDA_LLADDR, 6, zero);
	mnl_attr_put(nlh, NDA_DST, 4, &a);
	r = nl_talk(nlh, NULL, NULL);
	if ((add && r == -EEXIST) || (!add && r == -ENOENT))
		r = 0;
	return r;
}

/* The remotes of one link's FDB entries. */
struct nlvx_remotes {
	int ifindex;
	int flood_only;
	char (*out)[16];
	unsigned int max, n;
};

static int nlvx_fdb_cb(const struct nlmsghdr *nlh, void *data)
{
	static const uint8_t zero[6];
	const struct nlattr *tb[NL_TB_LEN];
	struct nlvx_remotes *rm = data;
	const struct ndmsg *ndm;
	const uint8_t *mac;
	const void *dst;
	char one[16];
	unsigned int i;

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return MNL_CB_OK;
	ndm = nl_parse(nlh, sizeof(*ndm), tb);
	if (!ndm || ndm->ndm_family != AF_BRIDGE ||
	    ndm->ndm_ifindex != rm->ifindex)
		return MNL_CB_OK;
	dst = nl_bytes(tb[NDA_DST], 4);
	mac = nl_bytes(tb[NDA_LLADDR], 6);
	if (!dst || (rm->flood_only && (!mac || memcmp(mac, zero, 6))))
		return MNL_CB_OK;
	inet_ntop(AF_INET, dst, one, sizeof(one));
	for (i = 0; i < rm->n; i++)
		if (!strcmp(rm->out[i], one))
			return MNL_CB_OK;
	if (rm->n < rm->max)
		memcpy(rm->out[rm->n], one, sizeof(one));
	rm->n++;
	return MNL_CB_OK;
}

/**
 * nl_fdb_remotes() - the remote VTEPs of a VXLAN link's FDB, each once
 * @dev:	the link
 * @flood_only:	1: those of the all-zeros entries only (the flood list);
 *		0: of every entry (EVPN: what FRR installed)
 * @out:	filled with at most @max of them, dotted
 * @max:	its size
 *
 * Return: how many there are (more than @max: only @max in @out), or a
 * negative errno (-ENODEV when there is no such link).
 */
int nl_fdb_remotes(const char *dev, int flood_only, char out[][16],
		   unsigned int max)
{
	struct nlvx_remotes rm = { 0, flood_only, out, max, 0 };
	int r;

	rm.ifindex = (int)if_nametoindex(dev);
	if (!rm.ifindex)
		return -ENODEV;
	r = nl_dump(AF_BRIDGE, RTM_GETNEIGH, sizeof(struct ndmsg), nlvx_fdb_cb,
		    &rm);
	return r ? r : (int)rm.n;
}

/* An address dump's search: by interface or by address. */
struct nlvx_addr {
	unsigned int ifindex;
	struct in_addr want;
	int by_addr;
	unsigned int found;
	char first[16];
};

static int nlvx_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_TB_LEN];
	struct nlvx_addr *q = data;
	const struct ifaddrmsg *ifa;
	const void *a;

	if (nlh->nlmsg_type != RTM_NEWADDR || q->found)
		return MNL_CB_OK;
	ifa = nl_parse(nlh, sizeof(*ifa), tb);
	if (!ifa || ifa->ifa_family != AF_INET)
		return MNL_CB_OK;
	a = nl_bytes(tb[IFA_LOCAL], 4);
	if (!a)
		a = nl_bytes(tb[IFA_ADDRESS], 4);
	if (!a)
		return MNL_CB_OK;
	if (q->by_addr ? !memcmp(a, &q->want, 4) :
			 ifa->ifa_index == q->ifindex) {
		q->found = ifa->ifa_index;
		inet_ntop(AF_INET, a, q->first, sizeof(q->first));
	}
	return MNL_CB_OK;
}

/**
 * nl_addr4_find() - an underlay: the interface that holds an address, or an
 * interface's first IPv4 address
 * @ifname:	the interface, or "" to look for @addr
 * @addr:	with @ifname "": the address, dotted
 * @name:	set to the interface holding it
 * @first:	set to the address found (@ifname's first)
 *
 * Return: 0, -ENODEV (no such interface), -EADDRNOTAVAIL (no interface
 * holds @addr, or @ifname has no IPv4 address), or a negative errno.
 */
int nl_addr4_find(const char *ifname, const char *addr, char name[16],
		  char first[16])
{
	struct nlvx_addr q;
	char n[IF_NAMESIZE];
	int r;

	memset(&q, 0, sizeof(q));
	if (ifname[0]) {
		q.ifindex = if_nametoindex(ifname);
		if (!q.ifindex)
			return -ENODEV;
	} else {
		q.by_addr = 1;
		if (inet_pton(AF_INET, addr, &q.want) != 1)
			return -EINVAL;
	}
	r = nl_dump(AF_INET, RTM_GETADDR, sizeof(struct ifaddrmsg),
		    nlvx_addr_cb, &q);
	if (r)
		return r;
	if (!q.found || !if_indextoname(q.found, n))
		return -EADDRNOTAVAIL;
	snprintf(name, 16, "%s", n);
	snprintf(first, 16, "%s", q.first);
	return 0;
}

/* The ports of one bridge. */
struct nlvx_ports {
	unsigned int bridge, except;
	int n;
};

static int nlvx_ports_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_TB_LEN];
	struct nlvx_ports *p = data;
	const struct ifinfomsg *ifm;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	ifm = nl_parse(nlh, sizeof(*ifm), tb);
	if (ifm && nl_u32(tb[IFLA_MASTER], 0) == p->bridge &&
	    (unsigned int)ifm->ifi_index != p->except)
		p->n++;
	return MNL_CB_OK;
}

/**
 * nl_bridge_ports() - how many ports a bridge has
 * @bridge:	the bridge
 * @except:	a port not counted (its uplink), or ""
 *
 * Return: the count, -ENODEV when there is no such bridge, or a negative
 * errno.
 */
int nl_bridge_ports(const char *bridge, const char *except)
{
	struct nlvx_ports p = { if_nametoindex(bridge), 0, 0 };
	int r;

	if (!p.bridge)
		return -ENODEV;
	if (except[0])
		p.except = if_nametoindex(except);
	r = nl_dump(AF_UNSPEC, RTM_GETLINK, sizeof(struct ifinfomsg),
		    nlvx_ports_cb, &p);
	return r ? r : p.n;
}
