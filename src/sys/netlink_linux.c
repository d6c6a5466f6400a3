// SPDX-License-Identifier: MIT
/* netlink_linux.c - Linux side of netlink.h, links: one request and its
 * answer (netlink_mnl.h), RTM_NEWLINK, RTM_SETLINK, RTM_DELLINK, RTM_GETLINK */
#include <errno.h>
#include <linux/if_bridge.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "netlink.h"
#include "netlink_mnl.h"

/* One read: the kernel fills each part of a dump up to the largest read so
 * far, and one link's message can pass a page; the kernel's netlink intro
 * (Documentation/userspace-api/netlink/intro.rst) asks for 8 KiB at least,
 * iproute2 reads 32 KiB. */
#define NL_RECV_SIZE 32768

/**
 * nl_talk() - send one request and read its answer to the end
 * @nlh:	the request, in a buffer of MNL_SOCKET_BUFFER_SIZE bytes
 * @cb:		called for each message of the answer, or NULL
 * @data:	passed to @cb
 *
 * The acknowledgement ends the answer; a dump ends with NLMSG_DONE instead
 * (the kernel acknowledges no dump, NLM_F_ACK or not).
 *
 * Return: 0, or the negative errno the kernel or @cb answered with.
 */
int nl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[NL_RECV_SIZE];
	struct mnl_socket *nl;
	unsigned int portid, seq;
	ssize_t m;
	int r;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	seq = (unsigned int)time(NULL);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	do {
		m = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (m < 0) {
			r = -errno;
			goto out;
		}
		r = mnl_cb_run(buf, (size_t)m, seq, portid, cb, data);
	} while (r > 0);
	r = r < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return r;
}

/**
 * nl_attr_cb() - file one attribute in a table by its type
 * @a:		the attribute
 * @data:	the table, NL_TB_LEN slots
 *
 * Return: MNL_CB_OK.
 */
int nl_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type < NL_TB_LEN)
		tb[type] = a;
	return MNL_CB_OK;
}

/**
 * nl_parse() - a message's fixed header, and its attributes by type
 * @nlh:	the message
 * @hdrlen:	the size of its fixed header
 * @tb:		NL_TB_LEN slots; a type the message lacks is left NULL
 *
 * Return: the fixed header, or NULL when the message is too short for it.
 */
const void *nl_parse(const struct nlmsghdr *nlh, size_t hdrlen,
		     const struct nlattr **tb)
{
	memset(tb, 0, NL_TB_LEN * sizeof(*tb));
	if (mnl_nlmsg_get_payload_len(nlh) < hdrlen)
		return NULL;
	mnl_attr_parse(nlh, (unsigned int)hdrlen, nl_attr_cb, tb);
	return mnl_nlmsg_get_payload(nlh);
}

/**
 * nl_bytes() - an attribute's payload, if it is @len bytes long
 * @a:		the attribute, or NULL
 * @len:	the length it must have
 *
 * Return: the payload, or NULL when @a is missing or of another length.
 */
const void *nl_bytes(const struct nlattr *a, size_t len)
{
	return a && mnl_attr_get_payload_len(a) == len ?
		       mnl_attr_get_payload(a) :
		       NULL;
}

/**
 * nl_u32() - an attribute's u32
 * @a:		the attribute, or NULL
 * @dflt:	the value when @a is missing or not 4 bytes
 *
 * Return: the value.
 */
uint32_t nl_u32(const struct nlattr *a, uint32_t dflt)
{
	return nl_bytes(a, 4) ? mnl_attr_get_u32(a) : dflt;
}

/**
 * nl_link_msg() - start a request about one link
 * @buf:	MNL_SOCKET_BUFFER_SIZE bytes for it
 * @type:	RTM_NEWLINK, RTM_SETLINK, RTM_GETLINK or RTM_DELLINK
 * @flags:	NLM_F_ flags beyond REQUEST and ACK
 * @family:	AF_UNSPEC, or AF_BRIDGE for bridge port attributes
 * @name:	the link
 *
 * Return: the request, ready for more attributes.
 */
struct nlmsghdr *nl_link_msg(char *buf, int type, int flags,
			     unsigned char family, const char *name)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = (uint16_t)flags;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = family;
	/* By index: RTM_SETLINK of AF_BRIDGE does not look names up. */
	ifm->ifi_index = (int)if_nametoindex(name);
	if (!ifm->ifi_index)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

/**
 * nl_bridge_add() - make a bridge
 * @name:	its name
 * @mac:	its address, or NULL for one the kernel picks. A bridge keeps
 *		an address it was given (it takes its ports' otherwise), so it
 *		tells this bridge apart from a namesake made by someone else
 *
 * Return: 0, -EEXIST when a link of that name exists, or a negative errno.
 */
int nl_bridge_add(const char *name, const uint8_t mac[6])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *li;

	nlh = nl_link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
			  AF_UNSPEC, name);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, li);
	return nl_talk(nlh, NULL, NULL);
}

/**
 * nl_link_set() - put a link under a master and set it up
 * @name:	the link
 * @master:	the bridge it joins, or NULL
 * @up:		1 to set it up
 *
 * Return: 0 or a negative errno.
 */
int nl_link_set(const char *name, const char *master, int up)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	unsigned int midx = 0;

	if (master) {
		midx = if_nametoindex(master);
		if (!midx)
			return -errno;
	}
	nlh = nl_link_msg(buf, RTM_NEWLINK, 0, AF_UNSPEC, name);
	ifm = mnl_nlmsg_get_payload(nlh);
	if (up) {
		ifm->ifi_change = IFF_UP;
		ifm->ifi_flags = IFF_UP;
	}
	if (master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, midx);
	return nl_talk(nlh, NULL, NULL);
}

/**
 * nl_link_mtu() - set a link's MTU
 * @name:	the link
 * @mtu:	the MTU
 *
 * On a bridge this is its own from then on: the kernel no longer lowers
 * it to its smallest port's (BROPT_MTU_SET_BY_USER).
 *
 * Return: 0 or a negative errno (-EINVAL beyond what the link takes).
 */
int nl_link_mtu(const char *name, unsigned int mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nl_link_msg(buf, RTM_NEWLINK, 0, AF_UNSPEC, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nl_talk(nlh, NULL, NULL);
}

/**
 * nl_port_isolate() - set the isolated flag of a bridge port
 * @name:	the port
 * @on:		1: it forwards only to non-isolated ports (the bridge itself)
 *
 * Return: 0 or a negative errno.
 */
int nl_port_isolate(const char *name, int on)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *pi;

	nlh = nl_link_msg(buf, RTM_SETLINK, 0, AF_BRIDGE, name);
	pi = mnl_attr_nest_start(nlh, IFLA_PROTINFO | NLA_F_NESTED);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_ISOLATED, on ? 1 : 0);
	mnl_attr_nest_end(nlh, pi);
	return nl_talk(nlh, NULL, NULL);
}

/**
 * nl_link_del() - delete a link
 * @name:	the link
 *
 * Return: 0 (also when there is no such link) or a negative errno.
 */
int nl_link_del(const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int r;

	if (!if_nametoindex(name))
		return 0;
	r = nl_talk(nl_link_msg(buf, RTM_DELLINK, 0, AF_UNSPEC, name), NULL,
		    NULL);
	return r == -ENODEV ? 0 : r;
}

/**
 * nl_tun_info() - a "tun" link's IFLA_INFO_DATA: its packet information,
 * persistence and queues
 * @data:	the IFLA_INFO_DATA attribute, or NULL
 * @l:		its tun_pi, tun_persist and tun_queues are set (-1: not told)
 *
 * TUNGETIFF cannot tell whether frames carry packet information: it
 * reports IFF_NOFILTER, the same bit as IFF_NO_PI, whenever the
 * descriptor has no socket filter (tun.c), so a TAP made without
 * IFF_NO_PI reads as one made with it. IFLA_TUN_PI is what iproute2 shows
 * as "pi on".
 */
static void nl_tun_info(const struct nlattr *data, struct nl_link *l)
{
	const struct nlattr *tb[NL_TB_LEN];

	memset(tb, 0, sizeof(tb));
	if (data)
		mnl_attr_parse_nested(data, nl_attr_cb, tb);
	l->tun_pi = nl_bytes(tb[IFLA_TUN_PI], 1) ?
			    mnl_attr_get_u8(tb[IFLA_TUN_PI]) != 0 :
			    -1;
	l->tun_persist = nl_bytes(tb[IFLA_TUN_PERSIST], 1) ?
				 mnl_attr_get_u8(tb[IFLA_TUN_PERSIST]) != 0 :
				 -1;
	l->tun_queues = (int)nl_u32(tb[IFLA_TUN_NUM_QUEUES], (uint32_t)-1);
}

/**
 * nl_link_cb() - read an RTM_NEWLINK (the answer to an RTM_GETLINK, or a
 * notice) or an RTM_DELLINK notice
 * @nlh:	the message
 * @data:	the struct nl_link to fill
 *
 * Return: MNL_CB_OK.
 */
static int nl_link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_TB_LEN], *info[NL_TB_LEN];
	const struct ifinfomsg *ifm;
	const struct nlattr *kind;
	struct nl_link *l = data;
	const uint8_t *mac;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	ifm = nl_parse(nlh, sizeof(*ifm), tb);
	if (!ifm)
		return MNL_CB_OK;
	l->index = (unsigned int)ifm->ifi_index;
	l->up = !!(ifm->ifi_flags & IFF_UP);
	l->master = nl_u32(tb[IFLA_MASTER], 0);
	l->mtu = nl_u32(tb[IFLA_MTU], 0);
	l->carrier = nl_bytes(tb[IFLA_CARRIER], 1) ?
			     mnl_attr_get_u8(tb[IFLA_CARRIER]) != 0 :
			     -1;
	if (tb[IFLA_IFNAME])
		snprintf(l->name, sizeof(l->name), "%.*s",
			 (int)mnl_attr_get_payload_len(tb[IFLA_IFNAME]),
			 mnl_attr_get_str(tb[IFLA_IFNAME]));
	mac = nl_bytes(tb[IFLA_ADDRESS], sizeof(l->mac));
	if (mac)
		memcpy(l->mac, mac, sizeof(l->mac));
	memset(info, 0, sizeof(info));
	if (tb[IFLA_LINKINFO])
		mnl_attr_parse_nested(tb[IFLA_LINKINFO], nl_attr_cb, info);
	kind = info[IFLA_INFO_KIND];
	if (kind)
		snprintf(l->kind, sizeof(l->kind), "%.*s",
			 (int)mnl_attr_get_payload_len(kind),
			 mnl_attr_get_str(kind));
	if (!strcmp(l->kind, "tun"))
		nl_tun_info(info[IFLA_INFO_DATA], l);
	return MNL_CB_OK;
}

/* A struct nl_link that says nothing yet. */
static void nl_link_init(struct nl_link *l)
{
	memset(l, 0, sizeof(*l));
	l->tun_pi = l->tun_persist = l->tun_queues = l->carrier = -1;
}

/**
 * nl_link_parse() - what one rtnetlink message of a link says of it (a
 * notice of RTMGRP_LINK's, say)
 * @msg:	the message (struct nlmsghdr), its length checked
 * @out:	filled in
 *
 * Return: 0, or -EINVAL when it is no RTM_NEWLINK or RTM_DELLINK, or
 * too short.
 */
int nl_link_parse(const void *msg, struct nl_link *out)
{
	const struct nlmsghdr *nlh = msg;

	nl_link_init(out);
	if ((nlh->nlmsg_type != RTM_NEWLINK &&
	     nlh->nlmsg_type != RTM_DELLINK) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg))
		return -EINVAL;
	nl_link_cb(nlh, out);
	return 0;
}

/**
 * nl_tun_unheld() - whether @l is a persistent TAP that no descriptor has
 * open
 * @l:		from nl_link_get() or nl_link_parse()
 *
 * A TAP made without TUNSETPERSIST goes with its last descriptor: one
 * that exists is held. A persistent one stays without any: its queues
 * say whether some process (a VMM) has it open, and where the kernel does
 * not count them, its carrier, which tun.c turns on as a queue attaches
 * and off as the last one goes.
 *
 * Return: 1 or 0 (0 also for other kinds, and when the kernel does not
 * say).
 */
int nl_tun_unheld(const struct nl_link *l)
{
	if (strcmp(l->kind, "tun") || l->tun_persist != 1)
		return 0;
	if (l->tun_queues >= 0)
		return l->tun_queues == 0;
	return l->carrier == 0;
}

/**
 * nl_link_get() - what rtnetlink says of a link
 * @name:	the link
 * @out:	filled in
 *
 * Return: 0, -ENODEV when there is no such link, or a negative errno.
 */
int nl_link_get(const char *name, struct nl_link *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	nl_link_init(out);
	/* The kernel answers -ERANGE to an IFLA_IFNAME this long. */
	if (strnlen(name, IF_NAMESIZE) == IF_NAMESIZE)
		return -ENODEV;
	return nl_talk(nl_link_msg(buf, RTM_GETLINK, 0, AF_UNSPEC, name),
		       nl_link_cb, out);
}

/**
 * nl_macvtap_add() - make a macvtap on a link, left down
 * @name:		its name
 * @lower:		the link it sits on
 * @mac:		its MAC, or NULL for a random one
 * @private_mode:	1: it reaches no other macvtap/macvlan of @lower
 *			(MACVLAN_MODE_PRIVATE); 0: it reaches them in
 *			the kernel (MACVLAN_MODE_BRIDGE)
 *
 * Return: 0, -EEXIST when a link of that name exists, -ENODEV when @lower
 * does not, or a negative errno.
 */
int nl_macvtap_add(const char *name, const char *lower, const uint8_t mac[6],
		   int private_mode)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int idx = if_nametoindex(lower);
	struct nlattr *li, *data;
	struct nlmsghdr *nlh;

	if (!idx)
		return -errno;
	nlh = nl_link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
			  AF_UNSPEC, name);
	mnl_attr_put_u32(nlh, IFLA_LINK, idx);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "macvtap");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE,
			 private_mode ? MACVLAN_MODE_PRIVATE :
					MACVLAN_MODE_BRIDGE);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return nl_talk(nlh, NULL, NULL);
}
