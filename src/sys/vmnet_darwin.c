// SPDX-License-Identifier: MIT
/* vmnet_darwin.c - shared, host and bridged modes on macOS: a vmnet.framework
 * interface, its packets read and written on the caller's thread */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iov.h"
#include "sys/sys.h"
#include "sys/vmnet.h"
#include "sys/vmnet_iface.h"

static size_t vmnet_pool_size(const struct sqn_net *net)
{
	(void)net;
	return pool_round(sizeof(struct vmnet)) +
	       pool_round(VMNET_READ_MAX * sizeof(struct vmpktdesc)) +
	       pool_round(VMNET_READ_MAX * sizeof(struct iovec)) +
	       pool_round(VMNET_WRITE_MAX * sizeof(struct vmpktdesc)) +
	       pool_round(VMNET_WRITE_MAX * sizeof(struct iovec));
}

/* sqn_info's guest MAC and subnet from what the start handler copied. */
static int vmnet_fill_info(struct sqn_net *net, const struct vmnet_shared *sh)
{
	static const uint8_t zero[6];
	unsigned int m[6];
	uint8_t start[4], mask[4];
	const char *end;
	int i;

	if (!memcmp(net->p.guest_mac, zero, 6)) {
		if (sscanf(sh->mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2],
			   &m[3], &m[4], &m[5]) != 6)
			return net_error(
				net, -EIO,
				"vmnet: no guest MAC address in the interface's parameters (\"%s\")",
				sh->mac);
		for (i = 0; i < 6; i++)
			net->p.guest_mac[i] = (uint8_t)m[i];
	}
	memcpy(net->info.guest_mac, net->p.guest_mac, 6);
	memset(net->info.host_mac, 0, 6);
	if (net->p.net.mode == SQN_MODE_BRIDGED)
		return 0;
	if (ipv4_parse(sh->start, &end, start) || *end ||
	    ipv4_parse(sh->mask, &end, mask) || *end) {
		/* Not told: what was asked for. */
		memcpy(start, net->p.net.gateway.addr, 4);
		ipv4_unpack(ipv4_mask(net->p.net.gateway.len), mask);
	}
	net->info.has_subnet = 1;
	memcpy(net->info.gateway, start, 4);
	memcpy(net->info.netmask, mask, 4);
	ipv4_unpack(ipv4_pack(start) & ipv4_pack(mask), net->info.subnet);
	return 0;
}

/* @slots buffers of @slot bytes: as many as @bytes take, 1 to @most. */
static unsigned int vmnet_slots(size_t slot, unsigned int most)
{
	size_t n = VMNET_READ_BYTES / slot;

	return n > most ? most : n ? (unsigned int)n : 1;
}

/* Buffers for vmnet_read() and for frames vmnet_write() needs in one
 * piece, now that the largest packet is known: made once, here. */
static int vmnet_bufs_setup(struct sqn_net *net, struct vmnet *v, size_t max)
{
	v->rx_slot = max + net->info.vnet_hdr_len;
	v->rx_batch = vmnet_slots(v->rx_slot, VMNET_READ_MAX);
	v->rxbuf = malloc(v->rx_batch * v->rx_slot);
	v->tx_slot = net->info.max_packet_size + net->info.vnet_hdr_len;
	v->tx_slots = vmnet_slots(v->tx_slot, VMNET_WRITE_MAX);
	v->txbuf = malloc(v->tx_slots * v->tx_slot);
	if (!v->rxbuf || !v->txbuf)
		return net_error(
			net, -ENOMEM,
			"vmnet: cannot allocate %u read buffers of %zu bytes and %u write buffers of %zu",
			v->rx_batch, v->rx_slot, v->tx_slots, v->tx_slot);
	return 0;
}

static int vmnet_open(struct sqn_net *net)
{
	struct vmnet *v = pool_take(&net->pool, sizeof(*v));
	uint32_t avail = vmnet_offloads_avail();
	uint32_t want = vmnet_offloads_want(net->p.offloads, avail);
	xpc_object_t d;
	uint8_t uuid[16];
	size_t max;
	int r;

	if (!v)
		return net_error(net, -ENOMEM, "vmnet: pool too small");
	net->priv = v;
	v->rxd = pool_take(&net->pool, VMNET_READ_MAX * sizeof(*v->rxd));
	v->rxiov = pool_take(&net->pool, VMNET_READ_MAX * sizeof(*v->rxiov));
	v->txd = pool_take(&net->pool, VMNET_WRITE_MAX * sizeof(*v->txd));
	v->txiov = pool_take(&net->pool, VMNET_WRITE_MAX * sizeof(*v->txiov));
	v->tx_max = VMNET_WRITE_MAX;
	v->sh = vmnet_shared_new();
	if (!v->rxd || !v->rxiov || !v->txd || !v->txiov || !v->sh)
		return net_error(net, -ENOMEM, "vmnet: out of memory");
	r = sys_wake_open();
	if (r < 0)
		return net_error(net, r, "vmnet: wake-up fd: %s", strerror(-r));
	v->sh->wake = net->fd = r;
	r = vmnet_uuid(net->p.iface_id, uuid);
	if (r)
		return net_error(net, r, "vmnet: no random interface id");
	/* One serial queue per interface: its handlers never run at once. */
	v->queue =
		dispatch_queue_create("squib-net.vmnet", DISPATCH_QUEUE_SERIAL);
	d = vmnet_desc(net, uuid, want);
	if (!v->queue || !d) {
		if (d)
			xpc_release(d);
		return net_error(net, -ENOMEM, "vmnet: out of memory");
	}
	r = vmnet_start(net, v, d);
	xpc_release(d);
	if (r)
		return r;
	/* Its buffers are sized from it (and divided by it). */
	if (v->sh->max_packet < VMNET_MIN_PACKET)
		return net_error(
			net, -EIO,
			"vmnet: the interface reported a max packet size of %llu bytes (none, or below %d)",
			(unsigned long long)v->sh->max_packet,
			VMNET_MIN_PACKET);
	net->info.offloads = want;
	net->info.offloads_avail = avail;
	net->info.vnet_hdr_len = want ? VMNET_VNET_HDR_LEN : 0;
	if (!net->p.mtu)
		net->p.mtu = (uint32_t)v->sh->mtu;
	r = net_set_mtu(net, (size_t)v->sh->max_packet);
	if (r)
		return r;
	/* With TSO, frames of up to 64 KiB whatever the MTU (squibnet.h's
	 * max_packet_size), both ways. */
	max = v->sh->max_packet;
	if (want & (SQN_OFFLOAD_TSO4 | SQN_OFFLOAD_TSO6))
		max = net->info.max_packet_size = VMNET_TSO_FRAME;
	r = vmnet_fill_info(net, v->sh);
	if (!r)
		r = vmnet_bufs_setup(net, v, max);
	/* net->outer: the forwards vmnet_check() copied (its invariant). */
	if (!r)
		r = vmnet_fwd_add(net, v, net->outer);
	if (r)
		return r;
	r = vmnet_events_on(v);
	if (r)
		return net_error(net, r, "vmnet: no packet events");
	net_log(net, SQN_LOG_DEBUG, "vmnet: %s, mtu %u, max packet %llu",
		sqn_mode_name(net->p.net.mode), net->p.mtu,
		(unsigned long long)v->sh->max_packet);
	return 0;
}

/* The link is gone: what sqn_recv() and sqn_send() say from now on. */
static int vmnet_lost(struct sqn_net *net, struct vmnet *v, const char *what,
		      vmnet_return_t st)
{
	v->down = 1;
	return net_link_down(net, "vmnet: %s: %s", what, vmnet_strerror(st));
}

/**
 * vmnet_recv() - read up to @n packets (200 at most) and copy them out
 * @net:	attachment
 * @pkts:	caller's packets
 * @n:		how many
 *
 * The wake-up is cleared before the read: a packet that arrives after
 * the read sets it again. A full batch sets it too, as more may wait.
 *
 * Return: packets stored (0: none ready), or -ENOTCONN.
 */
static int vmnet_recv(struct sqn_net *net, struct sqn_pkt *pkts, unsigned int n)
{
	struct vmnet *v = net->priv;
	size_t cap = net->info.max_packet_size + net->info.vnet_hdr_len;
	vmnet_return_t st;
	int i, cnt, out = 0;

	if (v->down)
		return -ENOTCONN;
	sys_wake_clear(net->fd);
	cnt = (int)(n < v->rx_batch ? n : v->rx_batch);
	for (i = 0; i < cnt; i++) {
		v->rxiov[i].iov_base = v->rxbuf + (size_t)i * v->rx_slot;
		v->rxiov[i].iov_len = v->rx_slot;
		v->rxd[i] =
			(struct vmpktdesc){ v->rx_slot, &v->rxiov[i], 1, 0 };
	}
	st = vmnet_read(v->iface, v->rxd, &cnt);
	if (st != VMNET_SUCCESS) {
		net->stats.rx_errors++;
		return vmnet_lost(net, v, "read", st);
	}
	for (i = 0; i < cnt && i < (int)v->rx_batch; i++) {
		size_t len = v->rxd[i].vm_pkt_size;

		if (len < SQN_ETH_HLEN + net->info.vnet_hdr_len ||
		    len > v->rx_slot) {
			net->stats.rx_errors++;
			continue;
		}
		if (len > cap) {
			net->stats.rx_dropped++;
			continue;
		}
		net_pkt_fill(&pkts[out++], v->rxbuf + (size_t)i * v->rx_slot,
			     len, NULL, 0);
	}
	if (cnt == (int)(n < v->rx_batch ? n : v->rx_batch))
		sys_wake_set(net->fd);
	return out;
}

/* Descriptors for up to @n frames, one piece each: a frame in several is
 * copied into a write buffer. Return: how many (fewer when the buffers
 * ran out). */
static int vmnet_tx_fill(struct vmnet *v, const struct sqn_pkt *pkts, int n)
{
	unsigned int slot = 0;
	int i;

	for (i = 0; i < n; i++) {
		struct iovec *io = pkts[i].iov;
		size_t len = iov_size(io, pkts[i].iovcnt);

		if (pkts[i].iovcnt != 1) {
			if (slot == v->tx_slots)
				break;
			io = &v->txiov[i];
			io->iov_base = v->txbuf + (size_t)slot++ * v->tx_slot;
			io->iov_len = iov_to_buf(pkts[i].iov, pkts[i].iovcnt, 0,
						 io->iov_base, len);
		}
		v->txd[i] = (struct vmpktdesc){ len, io, 1, 0 };
	}
	return i;
}

/**
 * vmnet_send() - write up to @n packets, one descriptor and one piece each
 * @net:	attachment
 * @pkts:	valid frames
 * @n:		how many
 *
 * vmnet says how many it took [A: vmnet_write]: the rest is the caller's
 * to send again (back-pressure, never a silent drop). While it says too
 * many per call, the batch halves; it grows back after a while.
 *
 * Return: packets taken (0: vmnet is full), or -ENOTCONN.
 */
static int vmnet_send(struct sqn_net *net, const struct sqn_pkt *pkts,
		      unsigned int n)
{
	struct vmnet *v = net->priv;
	vmnet_return_t st;
	int ask, cnt;

	if (v->down)
		return -ENOTCONN;
	ask = vmnet_tx_fill(v, pkts,
			    n < (unsigned int)v->tx_max ? (int)n : v->tx_max);
	for (;;) {
		cnt = ask;
		st = vmnet_write(v->iface, v->txd, &cnt);
		if (st != VMNET_TOO_MANY_PACKETS || v->tx_max == 1)
			break;
		v->tx_max /= 2;
		v->tx_full = 0;
		if (ask > v->tx_max)
			ask = v->tx_max;
	}
	if (cnt < 0 || cnt > ask)
		cnt = 0;
	if (st == VMNET_SUCCESS && cnt == v->tx_max &&
	    v->tx_max < VMNET_WRITE_MAX && ++v->tx_full >= VMNET_WRITE_GROW) {
		v->tx_max = v->tx_max * 2 < VMNET_WRITE_MAX ? v->tx_max * 2 :
							      VMNET_WRITE_MAX;
		v->tx_full = 0;
	}
	if (st == VMNET_SUCCESS || st == VMNET_BUFFER_EXHAUSTED)
		return cnt;
	net->stats.tx_errors++;
	return vmnet_lost(net, v, "write", st);
}

/* Offloads are part of the interface's description: fixed at start. */
static int vmnet_set_offloads(struct sqn_net *net, uint32_t offloads)
{
	if (vmnet_offloads_want(offloads, net->info.offloads_avail) ==
	    net->info.offloads)
		return 0;
	return net_error(
		net, -ENOTSUP,
		"vmnet: offloads are fixed when the interface starts: ask in sqn_config.offloads");
}

static void vmnet_close(struct sqn_net *net)
{
	struct vmnet *v = net->priv;

	/* The forwards' copy is the check's, made before @v: net->outer is
	 * this backend's (see vmnet_check()). */
	if (v && v->iface)
		vmnet_fwd_remove(net, v, net->outer);
	vmnet_fwd_free(net->outer);
	net->outer = NULL;
	if (!v)
		return;
	if (v->iface)
		vmnet_stop(net, v);
	if (v->sh) {
		pthread_mutex_lock(&v->sh->lock);
		sys_wake_close(v->sh->wake);
		v->sh->wake = -1;
		pthread_mutex_unlock(&v->sh->lock);
		vmnet_shared_put(v->sh);
		v->sh = NULL;
	}
	net->fd = -1;
	if (v->queue)
		dispatch_release(v->queue);
	v->queue = NULL;
	free(v->rxbuf);
	v->rxbuf = NULL;
	free(v->txbuf);
	v->txbuf = NULL;
	net->priv = NULL;
}

/**
 * vmnet_check() - the backend's part of the config check
 * @cfg:	the caller's config
 * @p:		checked parameters, completed here
 * @msg:	why not, naming the field
 * @msglen:	its size
 *
 * Without has_guest_mac, vmnet chooses the guest's MAC (its DHCP server
 * knows it), so the random one is dropped (all zero until open). The
 * start waits connect_timeout_ms, 5 s when 0. The port forwards are
 * checked and copied (the config's array need not outlive sqn_open()) to
 * the attachment's outer state, which this backend has no other use for.
 *
 * Invariant: @p is &net->p of the attachment being opened (net.c's
 * open_backend(), the only caller of backend_ops.check), so the
 * attachment is found from it; backend_ops.check has no other way to
 * hand state on. vmnet_open() reads the copy from net->outer and
 * vmnet_close() frees it (vmnet_fwd_free()), also after a failed check.
 *
 * Return: 0, or a negative errno with a message.
 */
static int vmnet_check(const struct sqn_config *cfg, struct net_params *p,
		       char *msg, size_t msglen)
{
	/* @p is the attachment's own: see the invariant above. */
	struct sqn_net *net =
		(struct sqn_net *)((char *)p - offsetof(struct sqn_net, p));
	struct vmnet_fwds *fw;
	int r;

	if (!cfg->has_guest_mac)
		memset(p->guest_mac, 0, 6);
	p->connect_timeout_ms =
		cfg->connect_timeout_ms ? cfg->connect_timeout_ms : 5000;
	r = vmnet_fwd_check(cfg, p, &fw, msg, msglen);
	if (!r)
		net->outer = fw;
	return r;
}

const struct backend_ops vmnet_ops = {
	.name = "vmnet",
	.pool_size = vmnet_pool_size,
	.open = vmnet_open,
	.recv = vmnet_recv,
	.send = vmnet_send,
	.set_offloads = vmnet_set_offloads,
	.close = vmnet_close,
	.check = vmnet_check,
};
