// SPDX-License-Identifier: MIT
/* plane.c - shared, host and bridged modes on Linux: the TAP backend on a
 * TAP (or macvtap) of a network the network plane makes */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "sys/netplane.h"
#include "tap.h"

static size_t plane_pool_size(const struct sqn_net *net)
{
	return pool_round(sizeof(struct netplane)) + tap_ops.pool_size(net);
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
