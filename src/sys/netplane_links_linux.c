// SPDX-License-Identifier: MIT
/* netplane_links_linux.c - Linux side of netplane.h's links watch: TAPs
 * that outlived their maker, seen as they go (rtnetlink RTM_DELLINK) or
 * as their last opener closes them (RTM_NEWLINK, carrier down) */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netlink.h"
#include "netplane.h"

/**
 * netplane_links_open() - a socket told of links going (rtnetlink's
 * RTMGRP_LINK), for netplane_links_gone()
 *
 * A TAP whose maker ended (a service killed) lives on while a VMM holds
 * it, and its end closes no entry of the record: this is how its keeper,
 * or a service that adopted it, sees it go, or (a persistent one) lose
 * its last opener.
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

/**
 * netplane_links_gone() - read what netplane_links_open()'s socket has
 * @fd:		the socket
 * @fn:		called with the name of each link that went (@gone 1),
 *		and of each persistent TAP that no descriptor has open any
 *		more (@gone 0: its VMM closed it, and nothing keeps it);
 *		returns non-zero when it cares
 * @ctx:	passed to @fn
 *
 * A persistent TAP (a named one) outlives its descriptors: its last
 * opener's going is told as an RTM_NEWLINK, its carrier down (tun.c
 * turns it off as the last queue detaches).
 *
 * Return: 1 when @fn cared about one, or when messages were lost (the
 * socket's buffer overflowed: the caller looks at everything again);
 * else 0.
 */
int netplane_links_gone(int fd,
			int (*fn)(const char *name, int gone, void *ctx),
			void *ctx)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	const struct nlmsghdr *h;
	struct nl_link l;
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
			if (nl_link_parse(h, &l) || !l.name[0])
				continue;
			if (h->nlmsg_type == RTM_DELLINK) {
				if (fn(l.name, 1, ctx))
					any = 1;
			} else if (nl_tun_unheld(&l) && fn(l.name, 0, ctx)) {
				any = 1;
			}
		}
	}
	return any;
}
