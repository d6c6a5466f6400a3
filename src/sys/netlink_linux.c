// SPDX-License-Identifier: MIT
/* netlink_linux.c - Linux side of netlink.h: RTM_NEWLINK, RTM_NEWADDR, RTM_DELLINK */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "netlink.h"

/**
 * nl_talk() - send one request and wait for its acknowledgement
 * @nlh:	the request, in a buffer of MNL_SOCKET_BUFFER_SIZE bytes
 *
 * Return: 0, or the negative errno the kernel answered with.
 */
static int nl_talk(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
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
		r = mnl_cb_run(buf, (size_t)m, seq, portid, NULL, NULL);
	} while (r > 0);
	r = r < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return r;
}

static struct nlmsghdr *nl_link_msg(char *buf, int type, int flags,
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
 *
 * Return: 0, -EEXIST when a link of that name exists, or a negative errno.
 */
int nl_bridge_add(const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *li;

	nlh = nl_link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
			  AF_UNSPEC, name);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, li);
	return nl_talk(nlh);
}

/**
 * nl_addr_add() - give a link an IPv4 address
 * @name:	the link
 * @addr:	the address
 * @prefix:	its prefix length
 *
 * Return: 0 (also when it had the address already) or a negative errno.
 */
int nl_addr_add(const char *name, const uint8_t addr[4], int prefix)
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
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = idx;
	mnl_attr_put(nlh, IFA_LOCAL, 4, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, addr);
	r = nl_talk(nlh);
	return r == -EEXIST ? 0 : r;
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
	return nl_talk(nlh);
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
	return nl_talk(nlh);
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
	r = nl_talk(nl_link_msg(buf, RTM_DELLINK, 0, AF_UNSPEC, name));
	return r == -ENODEV ? 0 : r;
}
