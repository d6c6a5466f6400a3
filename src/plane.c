// SPDX-License-Identifier: MIT
/* plane.c - shared, host and bridged modes on Linux: the TAP backend on a
 * TAP (or macvtap) of a network the network plane makes */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "forward.h"
#include "ipv4.h"
#include "net.h"
#include "sys/netplane.h"
#include "tap.h"

static size_t plane_pool_size(const struct sqn_net *net)
{
	return pool_round(sizeof(struct netplane)) + tap_ops.pool_size(net);
}

/* The guest's fixed address (config guest_ip, or one the network's DHCP
 * reserves for its MAC when it has forwards) and its forwards to that
 * address; they go with the attachment (netplane_close()). */
static int plane_forwards(struct sqn_net *net, struct netplane *np)
{
	const struct net_params *p = &net->p;
	char msg[NET_ERRMSG_LEN - 48], ip[16], t[FORWARD_STRLEN];
	const char *end;
	uint32_t i;
	int r;

	if (!p->guest_ip && !p->n_forwards)
		return 0;
	r = netplane_reserve(np, p->guest_mac, p->guest_ip, ip, msg,
			     sizeof(msg));
	if (r)
		return net_error(net, r, "guest_ip: %s", msg);
	net->info.has_guest_ip = !ipv4_parse(ip, &end, net->info.guest_ip);
	for (i = 0; i < p->n_forwards; i++) {
		r = netplane_forward_add(np, &p->forwards[i], ip, msg,
					 sizeof(msg));
		if (r)
			return net_error(net, r, "forward %s: %s",
					 forward_format(t, &p->forwards[i]),
					 msg);
	}
	return 0;
}

/* The network first, then the TAP backend on its TAP, as if the caller
 * had passed it in tap_fd. */
static int plane_open(struct sqn_net *net)
{
	struct netplane *np = pool_take(&net->pool, sizeof(*np));
	const struct net_params *p = &net->p;
	struct netplane_port port = { p->iface_id, { 0 }, p->lock_timeout_ms };
	char msg[NET_ERRMSG_LEN - 16];
	int r;

	if (!np)
		return net_error(net, -ENOMEM, "%s: pool too small",
				 sqn_mode_name(net->p.net.mode));
	memcpy(port.guest_mac, p->guest_mac, 6);
	r = netplane_open(np, &p->net, &port, msg, sizeof(msg));
	if (r)
		return net_error(net, r, "%s: %s",
				 sqn_mode_name(net->p.net.mode), msg);
	net->outer = np;
	net->p.tap_fd = np->fd;
	r = tap_ops.open(net);
	net->p.tap_fd = -1;
	if (r)
		return r;
	/* The backend has a duplicate; the link lives as long as it. */
	close(np->fd);
	np->fd = -1;
	if (np->macvtap) {
		/* The macvtap's address is the guest's; the host side has
		 * none of its own. */
		memcpy(net->info.guest_mac, net->p.guest_mac, 6);
		memset(net->info.host_mac, 0, 6);
	}
	if (net->p.net.mode != SQN_MODE_BRIDGED)
		net_set_subnet(net, &net->p.net.gateway);
	r = plane_forwards(net, np);
	if (r)
		return r;
	/* A network of an MTU below 1280, joined with mtu 0, has no IPv6
	 * (network_join()). */
	if (net->p.net.mode != SQN_MODE_BRIDGED && net->p.net.has_v6 &&
	    net->info.mtu >= 1280)
		net_set_subnet6(net, &net->p.net.subnet6);
	net_log(net, SQN_LOG_DEBUG, "%s: %s %s on %s",
		sqn_mode_name(net->p.net.mode), np->macvtap ? "macvtap" : "TAP",
		np->link, np->on);
	return 0;
}

static void plane_close(struct sqn_net *net)
{
	struct netplane *np = net->outer;

	tap_ops.close(net);
	if (np)
		netplane_close(np);
	net->outer = NULL;
}

const struct backend_ops plane_ops = {
	.name = "plane",
	.pool_size = plane_pool_size,
	.open = plane_open,
	.recv = tap_recv,
	.send = tap_send,
	.set_offloads = tap_set_offloads,
	.close = plane_close,
};
