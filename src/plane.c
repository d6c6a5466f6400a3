// SPDX-License-Identifier: MIT
/* host.c - host mode: the TAP backend on a TAP of the host network (Linux) */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "sys/hostnet.h"

static const uint8_t host_subnet[4] = { 192, 168, 106, 0 };
static const uint8_t host_netmask[4] = { 255, 255, 255, 0 };
static const uint8_t host_gateway[4] = { 192, 168, 106, 1 };

static size_t host_pool_size(const struct sqn_net *net)
{
	return pool_round(sizeof(struct hostnet)) + tap_ops.pool_size(net);
}

/* The network first, then the TAP backend on its TAP, as if the caller
 * had passed it in tap_fd. */
static int host_open(struct sqn_net *net)
{
	struct hostnet *h = pool_take(&net->pool, sizeof(*h));
	char msg[NET_ERRMSG_LEN - 16];
	int r;

	if (!h)
		return net_error(net, -ENOMEM, "host: pool too small");
	r = hostnet_open(h, net->p.isolation, msg, sizeof(msg));
	if (r)
		return net_error(net, r, "host: %s", msg);
	net->outer = h;
	net->p.tap_fd = h->tap_fd;
	r = tap_ops.open(net);
	net->p.tap_fd = -1;
	if (r)
		return r;
	/* The backend has a duplicate; the TAP lives as long as it. */
	close(h->tap_fd);
	h->tap_fd = -1;
	net->info.has_subnet = 1;
	memcpy(net->info.subnet, host_subnet, 4);
	memcpy(net->info.netmask, host_netmask, 4);
	memcpy(net->info.gateway, host_gateway, 4);
	net_log(net, SQN_LOG_DEBUG, "host: %s on %s", h->tap, HOSTNET_BRIDGE);
	return 0;
}

static void host_close(struct sqn_net *net)
{
	struct hostnet *h = net->outer;

	tap_ops.close(net);
	if (h)
		hostnet_close(h);
	net->outer = NULL;
}

static int host_recv(struct sqn_net *net, struct sqn_pkt *pkts, unsigned int n)
{
	return tap_ops.recv(net, pkts, n);
}

static int host_send(struct sqn_net *net, const struct sqn_pkt *pkts,
		     unsigned int n)
{
	return tap_ops.send(net, pkts, n);
}

const struct backend_ops host_ops = {
	.name = "host",
	.pool_size = host_pool_size,
	.open = host_open,
	.recv = host_recv,
	.send = host_send,
	.close = host_close,
};
