// SPDX-License-Identifier: MIT
/* route.c - squib-net serve's shared networks without a nat-iface lead
 * NAT out of the default route's interface: route, address and link
 * changes watched over rtnetlink, each network moved (netplane_nat_follow())
 * when the default route's interface is not its NAT interface any more */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "route.h"

/* What may move the default route: routes changed, and (for routes the
 * kernel drops without a word of its own) addresses and links going. */
#define ROUTE_GROUPS                                                  \
	(RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_IPV4_IFADDR | \
	 RTMGRP_LINK)

/* Whether network @n leads NAT out of the default route's interface. */
static int route_follows(const struct serve_net *n)
{
	return n->up && n->spec.mode == SQN_MODE_SHARED && !n->spec.nat_iface;
}

/**
 * route_follow() - each shared network without a nat-iface whose NAT
 * leads out of another interface than the default route's is moved to
 * that one, and the move logged
 * @s:		the service
 *
 * Without a default route for now, NAT stays where it was. A move that
 * fails is logged once per interface the route moved to (the route may
 * change again and again meanwhile), and tried again at the next change.
 */
void route_follow(struct serve *s)
{
	char now[16], nat[16], from[16], to[16], msg[SVC_ERRMSG_MAX];
	struct serve_net *n;
	unsigned int i;
	int r;

	if (netplane_default_route(now))
		return;
	for (i = 0; i < s->n_nets; i++) {
		n = &s->nets[i];
		/* Its record read without the namespace's lock: only a move
		 * takes the lock (and reads it again under it). */
		if (!route_follows(n) || netplane_nat_iface(&n->hold, nat) ||
		    !strcmp(nat, now))
			continue;
		r = netplane_nat_follow(&n->hold, from, to, msg, sizeof(msg));
		if (r > 0) {
			info("network %s: NAT now out of %s (the default route's interface; was %s)",
			     n->conf.name, to, from);
			n->nat_warned[0] = '\0';
		} else if (r < 0 && strcmp(n->nat_warned, now)) {
			warn("network %s: NAT stays out of %s: %s",
			     n->conf.name, nat, msg[0] ? msg : strerror(-r));
			memcpy(n->nat_warned, now, sizeof(n->nat_warned));
		}
	}
}

/**
 * route_init() - watch the namespace's route changes, and follow the
 * default route once now (it may have moved while no service ran)
 * @s:		the service, its networks made
 *
 * Without the watch (out of descriptors, say) the service runs on, its
 * networks' NAT fixed where it is: logged.
 */
void route_init(struct serve *s)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK,
				 .nl_groups = ROUTE_GROUPS };
	int fd;

	s->routes.kind = SERVE_ROUTES;
	s->routes.fd = -1;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    NETLINK_ROUTE);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		warn("route changes not watched (%s): NAT stays out of the interfaces it leads out of now",
		     strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	s->routes.fd = fd;
	if (serve_watch_add(s, &s->routes, EPOLLIN)) {
		warn("route changes not watched (epoll): NAT stays out of the interfaces it leads out of now");
		close(fd);
		s->routes.fd = -1;
		return;
	}
	route_follow(s);
}

/**
 * route_event() - routes, addresses or links changed: what was said is
 * read (only that something changed counts) and the networks follow
 * @s:		the service
 */
void route_event(struct serve *s)
{
	char buf[8192];
	ssize_t n;

	/* ENOBUFS (messages lost while the service was busy) is a change
	 * too: the default route is looked up, not read from messages. */
	do
		n = recv(s->routes.fd, buf, sizeof(buf), MSG_DONTWAIT);
	while (n > 0 || (n < 0 && (errno == EINTR || errno == ENOBUFS)));
	route_follow(s);
}

/**
 * route_fini() - stop watching route changes
 * @s:		the service
 */
void route_fini(struct serve *s)
{
	if (s->routes.fd < 0)
		return;
	serve_watch_del(s, &s->routes);
	close(s->routes.fd);
	s->routes.fd = -1;
}
