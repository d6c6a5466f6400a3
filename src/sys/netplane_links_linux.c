// SPDX-License-Identifier: MIT
/* netplane_links_linux.c - Linux side of netplane.h's links watch: TAPs
 * that outlived their maker, seen as they go (rtnetlink RTM_DELLINK) */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netplane.h"

/**
 * netplane_links_open() - a socket told of links going (rtnetlink's
 * RTMGRP_LINK), for netplane_links_gone()
 *
 * A TAP whose maker ended (a service killed) lives on while a VMM holds
 * it, and its end closes no entry of the record: this is how its keeper,
 * or a service that adopted it, sees it go.
 *
 * Return: the socket (non-blocking), or a negative errno.
 */
int netplane_links_open(void)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK,
				 .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_ROUTE);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -errno;
	}
	return fd < 0 ? -errno : fd;
}

/* The name of link message @h when it says a link went, else NULL. */
static const char *np_dellink_name(const struct nlmsghdr *h)
{
	const struct rtattr *rta;
	int alen;

	if (h->nlmsg_type != RTM_DELLINK ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return NULL;
	rta = IFLA_RTA((struct ifinfomsg *)NLMSG_DATA(h));
	alen = (int)IFLA_PAYLOAD(h);
	for (; RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen))
		if (rta->rta_type == IFLA_IFNAME && RTA_PAYLOAD(rta) > 0 &&
		    memchr(RTA_DATA(rta), '\0', RTA_PAYLOAD(rta)))
			return RTA_DATA(rta);
	return NULL;
}

/**
 * netplane_links_gone() - read what netplane_links_open()'s socket has
 * @fd:		the socket
 * @fn:		called with the name of each link that went; returns
 *		non-zero when it cares
 * @ctx:	passed to @fn
 *
 * Return: 1 when @fn cared about one, or when messages were lost (the
 * socket's buffer overflowed: the caller looks at everything again);
 * else 0.
 */
int netplane_links_gone(int fd, int (*fn)(const char *name, void *ctx),
			void *ctx)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	const struct nlmsghdr *h;
	const char *name;
	int any = 0, left;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) != 0) {
		if (n < 0 && errno == ENOBUFS)
			any = 1;
		if (n < 0 && errno != EINTR && errno != ENOBUFS)
			break;
		if (n < 0)
			continue;
		left = (int)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			name = np_dellink_name(h);
			if (name && fn(name, ctx))
				any = 1;
		}
	}
	return any;
}
