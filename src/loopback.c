// SPDX-License-Identifier: MIT
/* loopback.c - every frame sent comes back: the "no network" backend */
#include <errno.h>
#include <string.h>

#include "iov.h"
#include "net.h"
#include "sys/sys.h"

/**
 * struct loopback - a FIFO of frames in one circular byte arena
 * @arena:	frame bytes; a frame may wrap around the end
 * @arena_size:	its bytes
 * @lens:	frame lengths, a ring of @depth entries
 * @depth:	most frames queued
 * @head:	arena offset of the oldest frame
 * @used:	arena bytes queued
 * @first:	index in @lens of the oldest frame
 * @count:	frames queued
 */
struct loopback {
	uint8_t *arena;
	size_t arena_size;
	uint32_t *lens;
	uint32_t depth;
	size_t head;
	size_t used;
	uint32_t first;
	uint32_t count;
};

static size_t loopback_arena_size(const struct sqn_net *net)
{
	size_t per = 2048, min = 2 * (size_t)SQN_FRAME_MAX;

	if ((size_t)net->p.queue_depth * per < min)
		return min;
	return (size_t)net->p.queue_depth * per;
}

static size_t loopback_pool_size(const struct sqn_net *net)
{
	return pool_round(sizeof(struct loopback)) +
	       pool_round(loopback_arena_size(net)) +
	       pool_round(net->p.queue_depth * sizeof(uint32_t));
}

static int loopback_open(struct sqn_net *net)
{
	struct loopback *lb = pool_take(&net->pool, sizeof(*lb));
	int r;

	if (!lb)
		return net_error(net, -ENOMEM, "loopback: pool too small");
	net->priv = lb;
	lb->arena_size = loopback_arena_size(net);
	lb->arena = pool_take(&net->pool, lb->arena_size);
	lb->depth = net->p.queue_depth;
	lb->lens = pool_take(&net->pool, lb->depth * sizeof(uint32_t));
	if (!lb->arena || !lb->lens)
		return net_error(net, -ENOMEM, "loopback: pool too small");
	r = net_set_mtu(net, SQN_FRAME_MAX);
	if (r)
		return r;
	net->fd = sys_wake_open();
	if (net->fd < 0)
		return net_error(net, net->fd, "loopback: eventfd: %s",
				 strerror(-net->fd));
	return 0;
}

static int loopback_recv(struct sqn_net *net, struct sqn_pkt *pkts,
			 unsigned int n)
{
	struct loopback *lb = net->priv;
	unsigned int i;

	for (i = 0; i < n && lb->count; i++) {
		size_t len = lb->lens[lb->first];
		size_t a = lb->arena_size - lb->head;

		if (a > len)
			a = len;
		net_pkt_fill(&pkts[i], lb->arena + lb->head, a, lb->arena,
			     len - a);
		lb->head = (lb->head + len) % lb->arena_size;
		lb->used -= len;
		lb->first = (lb->first + 1) % lb->depth;
		lb->count--;
	}
	if (i && !lb->count)
		sys_wake_clear(net->fd);
	return (int)i;
}

static int loopback_send(struct sqn_net *net, const struct sqn_pkt *pkts,
			 unsigned int n)
{
	struct loopback *lb = net->priv;
	unsigned int i;

	for (i = 0; i < n; i++) {
		size_t len = iov_size(pkts[i].iov, pkts[i].iovcnt);
		size_t tail, a;

		if (lb->count == lb->depth || len > lb->arena_size - lb->used)
			break;
		tail = (lb->head + lb->used) % lb->arena_size;
		a = lb->arena_size - tail;
		if (a > len)
			a = len;
		iov_to_buf(pkts[i].iov, pkts[i].iovcnt, 0, lb->arena + tail, a);
		iov_to_buf(pkts[i].iov, pkts[i].iovcnt, a, lb->arena, len - a);
		lb->lens[(lb->first + lb->count) % lb->depth] = (uint32_t)len;
		lb->used += len;
		if (!lb->count++)
			sys_wake_set(net->fd);
	}
	return (int)i;
}

static void loopback_close(struct sqn_net *net)
{
	sys_wake_close(net->fd);
	net->fd = -1;
}

const struct backend_ops loopback_ops = {
	.name = "loopback",
	.pool_size = loopback_pool_size,
	.open = loopback_open,
	.recv = loopback_recv,
	.send = loopback_send,
	.close = loopback_close,
};
