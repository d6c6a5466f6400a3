// SPDX-License-Identifier: MIT
/* net.c - the attachment: config, backend choice, stats, the sqn_ API */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "config.h"
#include "iov.h"
#include "ipv4.h"
#include "net.h"

static _Thread_local char open_errmsg[NET_ERRMSG_LEN];

static const char *const mode_names[SQN_MODE_COUNT_] = {
	[SQN_MODE_SHARED] = "shared",	  [SQN_MODE_HOST] = "host",
	[SQN_MODE_BRIDGED] = "bridged",	  [SQN_MODE_USERSPACE] = "userspace",
	[SQN_MODE_LOOPBACK] = "loopback", [SQN_MODE_STREAM] = "stream",
};

static int set_errno(int r)
{
	if (r < 0)
		errno = -r;
	return r;
}

static void net_vlog(const struct sqn_net *net, int level, const char *fmt,
		     va_list ap, char *out, size_t outlen)
	__attribute__((format(printf, 3, 0)));

static void net_vlog(const struct sqn_net *net, int level, const char *fmt,
		     va_list ap, char *out, size_t outlen)
{
	char line[NET_ERRMSG_LEN];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (out)
		snprintf(out, outlen, "%s", line);
	if (net->log)
		net->log(net->log_ctx, level, line);
}

/**
 * net_log() - pass a message to the caller's log callback, if any
 * @net:	attachment
 * @level:	enum sqn_log_level
 * @fmt:	printf format
 */
void net_log(const struct sqn_net *net, int level, const char *fmt, ...)
{
	va_list ap;

	if (!net->log)
		return;
	va_start(ap, fmt);
	net_vlog(net, level, fmt, ap, NULL, 0);
	va_end(ap);
}

/**
 * net_error() - record the message of an error and log it
 * @net:	attachment
 * @err:	negative errno
 * @fmt:	printf format of the message
 *
 * Return: @err, so that callers can "return net_error(...)".
 */
int net_error(struct sqn_net *net, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	net_vlog(net, SQN_LOG_ERR, fmt, ap, net->errmsg, sizeof(net->errmsg));
	va_end(ap);
	return err;
}

/**
 * net_link_down() - mark the link down, with the reason
 * @net:	attachment
 * @fmt:	printf format of the reason
 *
 * Return: -ENOTCONN, what sqn_recv() and sqn_send() return from now on.
 */
int net_link_down(struct sqn_net *net, const char *fmt, ...)
{
	va_list ap;

	if (!net->info.link_up)
		return -ENOTCONN;
	net->info.link_up = 0;
	va_start(ap, fmt);
	net_vlog(net, SQN_LOG_WARN, fmt, ap, net->errmsg, sizeof(net->errmsg));
	va_end(ap);
	return -ENOTCONN;
}

const char *sqn_mode_name(enum sqn_mode mode)
{
	if ((unsigned int)mode >= SQN_MODE_COUNT_)
		return "unknown";
	return mode_names[mode];
}

int sqn_mode_parse(const char *name, enum sqn_mode *mode)
{
	int i;

	for (i = 0; name && i < SQN_MODE_COUNT_; i++) {
		if (!strcmp(name, mode_names[i])) {
			*mode = (enum sqn_mode)i;
			return 0;
		}
	}
	return set_errno(-EINVAL);
}

/* The backend of the mode, its own checks of @cfg, its buffers, and its
 * open. */
static int open_backend(struct sqn_net *net, const struct sqn_config *cfg)
{
	struct sqn_config current;
	const char *why = NULL;
	size_t need;
	int r;

	net->ops = platform_backend(&net->p, &why);
	if (!net->ops)
		return net_error(net, -ENOTSUP, "mode %s: %s",
				 sqn_mode_name(net->p.net.mode), why);
	if (net->ops->check) {
		r = compat_config_read(cfg, &current, net->errmsg,
				       sizeof(net->errmsg));
		if (!r)
			r = net->ops->check(&current, &net->p, net->errmsg,
					    sizeof(net->errmsg));
		if (r) {
			net_log(net, SQN_LOG_ERR, "%s", net->errmsg);
			return r;
		}
	}
	need = net->ops->pool_size(net);
	r = pool_init(&net->pool, need);
	if (r)
		return net_error(net, r,
				 "%s: cannot allocate %zu bytes of buffers",
				 net->ops->name, need);
	return net->ops->open(net);
}

int sqn_open(const struct sqn_config *cfg, sqn_net **out)
{
	struct sqn_net *net;
	int r;

	open_errmsg[0] = '\0';
	if (!out) {
		snprintf(open_errmsg, sizeof(open_errmsg), "out: NULL");
		return set_errno(-EINVAL);
	}
	*out = NULL;
	net = calloc(1, sizeof(*net));
	if (!net) {
		snprintf(open_errmsg, sizeof(open_errmsg), "out of memory");
		return set_errno(-ENOMEM);
	}
	net->fd = -1;
	r = config_check(cfg, &net->p, net->errmsg, sizeof(net->errmsg));
	net->log = net->p.log;
	net->log_ctx = net->p.log_ctx;
	if (r) {
		net_log(net, SQN_LOG_ERR, "%s", net->errmsg);
		goto fail;
	}
	net->info.mode = net->p.net.mode;
	memcpy(net->info.guest_mac, net->p.guest_mac, 6);
	net->info.link_up = 1;

	r = open_backend(net, cfg);
	if (r)
		goto fail;
	*out = net;
	return 0;
fail:
	snprintf(open_errmsg, sizeof(open_errmsg), "%s", net->errmsg);
	if (net->ops)
		net->ops->close(net);
	pool_free(&net->pool);
	free(net);
	return set_errno(r);
}

void sqn_close(sqn_net *net)
{
	if (!net)
		return;
	net->ops->close(net);
	pool_free(&net->pool);
	free(net);
}

int sqn_fd(const sqn_net *net)
{
	return net ? net->fd : set_errno(-EINVAL);
}

/**
 * net_set_mtu() - settle the MTU against what the backend can carry
 * @net:	attachment
 * @frame_cap:	largest frame the backend carries, Ethernet header included
 *
 * A configured MTU of 0 becomes the largest that fits.
 *
 * Return: 0, or -EINVAL when the configured MTU does not fit.
 */
int net_set_mtu(struct sqn_net *net, size_t frame_cap)
{
	if (!net->p.mtu)
		net->p.mtu = (uint32_t)(frame_cap - SQN_ETH_HLEN);
	if (net->p.mtu + SQN_ETH_HLEN > frame_cap)
		return net_error(net, -EINVAL,
				 "mtu: %u is above %zu, the most %s carries",
				 net->p.mtu, frame_cap - SQN_ETH_HLEN,
				 net->ops->name);
	net->info.mtu = net->p.mtu;
	net->info.max_packet_size = net->p.mtu + SQN_ETH_HLEN;
	return 0;
}

/**
 * net_set_subnet() - the subnet, as sqn_info() tells it
 * @net:	attachment
 * @gw:		the gateway's address and the prefix length
 */
void net_set_subnet(struct sqn_net *net, const struct ipv4_prefix *gw)
{
	net->info.has_subnet = 1;
	ipv4_unpack(ipv4_mask(gw->len), net->info.netmask);
	ipv4_unpack(ipv4_network(gw), net->info.subnet);
	memcpy(net->info.gateway, gw->addr, 4);
}

/**
 * net_set_subnet6() - the IPv6 prefix, as sqn_info() tells it
 * @net:	attachment
 * @p:		the network's prefix; its gateway is ::1
 */
void net_set_subnet6(struct sqn_net *net, const struct ipv6_prefix *p)
{
	net->info.has_subnet6 = 1;
	memcpy(net->info.subnet6, p->addr, 16);
	net->info.prefix6_len = (uint32_t)p->len;
	ipv6_host(p, 1, net->info.gateway6);
}

/**
 * net_pkt_fill() - copy a frame, given in up to two pieces, into @pkt
 * @pkt:	caller's packet descriptor
 * @a:		first piece
 * @alen:	its bytes
 * @b:		second piece (a ring that wrapped), or NULL
 * @blen:	its bytes
 *
 * Sets @pkt->len to the whole frame's length and SQN_PKT_TRUNCATED when
 * the caller's buffers were too small.
 */
void net_pkt_fill(struct sqn_pkt *pkt, const void *a, size_t alen,
		  const void *b, size_t blen)
{
	size_t done = iov_from_buf(pkt->iov, pkt->iovcnt, 0, a, alen);

	if (blen && done == alen)
		done += iov_from_buf(pkt->iov, pkt->iovcnt, alen, b, blen);
	pkt->len = alen + blen;
	pkt->flags = done < pkt->len ? SQN_PKT_TRUNCATED : 0;
}

/* Bytes of the frame in @len bytes of packet: without a virtio_net_hdr. */
static size_t frame_bytes(const struct sqn_net *net, size_t len)
{
	size_t hdr = net->info.vnet_hdr_len;

	return len > hdr ? len - hdr : 0;
}

/* Add (@sign 1) or take back (-1) a frame of @len bytes, virtio_net_hdr
 * included, in one direction's counters. */
static void count_frame(const struct sqn_net *net, uint64_t *frames,
			uint64_t *bytes, uint64_t *large, size_t len, int sign)
{
	uint64_t b = frame_bytes(net, len);
	uint64_t big = b > (uint64_t)net->info.mtu + SQN_ETH_HLEN;

	if (sign > 0) {
		*frames += 1;
		*bytes += b;
		*large += big;
	} else {
		*frames -= 1;
		*bytes -= b;
		*large -= big;
	}
}

int sqn_recv(sqn_net *net, struct sqn_pkt *pkts, unsigned int n)
{
	unsigned int i;
	int r;

	if (!net || (!pkts && n))
		return set_errno(-EINVAL);
	if (!n)
		return 0;
	r = net->ops->recv(net, pkts, n);
	if (r < 0)
		return set_errno(r);
	if (!r)
		return set_errno(-EAGAIN);
	for (i = 0; i < (unsigned int)r; i++) {
		if (pkts[i].flags & SQN_PKT_TRUNCATED) {
			net->stats.rx_dropped++;
			continue;
		}
		count_frame(net, &net->stats.rx_frames, &net->stats.rx_bytes,
			    &net->stats.rx_large, pkts[i].len, 1);
	}
	return r;
}

/* The size limits apply to the frame; a virtio_net_hdr comes on top. */
static int frame_ok(const struct sqn_net *net, const struct sqn_pkt *pkt)
{
	size_t len, hdr = net->info.vnet_hdr_len;

	if (!pkt->iov && pkt->iovcnt)
		return 0;
	len = iov_size(pkt->iov, pkt->iovcnt);
	return len >= hdr + SQN_ETH_HLEN &&
	       len <= hdr + net->info.max_packet_size;
}

/**
 * net_tx_refused() - a frame a backend consumed but could not carry
 * @net:	attachment
 * @pkt:	the frame
 *
 * It counts in tx_dropped. sqn_send() counts every frame a backend
 * consumed as carried once the backend returns, so this one is taken off
 * tx_frames and tx_bytes first (unsigned arithmetic: the sum comes right).
 */
void net_tx_refused(struct sqn_net *net, const struct sqn_pkt *pkt)
{
	net->stats.tx_dropped++;
	count_frame(net, &net->stats.tx_frames, &net->stats.tx_bytes,
		    &net->stats.tx_large, iov_size(pkt->iov, pkt->iovcnt), -1);
}

int sqn_send(sqn_net *net, const struct sqn_pkt *pkts, unsigned int n)
{
	unsigned int i = 0, j, k;
	int r;

	if (!net || (!pkts && n))
		return set_errno(-EINVAL);
	if (!net->info.link_up)
		return set_errno(-ENOTCONN);
	while (i < n) {
		if (!frame_ok(net, &pkts[i])) {
			net->stats.tx_dropped++;
			i++;
			continue;
		}
		for (j = i + 1; j < n && frame_ok(net, &pkts[j]); j++)
			;
		r = net->ops->send(net, pkts + i, j - i);
		if (r < 0)
			return i ? (int)i : set_errno(r);
		for (k = i; k < i + (unsigned int)r; k++)
			count_frame(net, &net->stats.tx_frames,
				    &net->stats.tx_bytes, &net->stats.tx_large,
				    iov_size(pkts[k].iov, pkts[k].iovcnt), 1);
		i += (unsigned int)r;
		if (i < j)
			break;
	}
	if (!i && n)
		return set_errno(-EAGAIN);
	return (int)i;
}

int sqn_flush(sqn_net *net)
{
	if (!net)
		return set_errno(-EINVAL);
	if (!net->ops->flush)
		return 0;
	return set_errno(net->ops->flush(net));
}

int sqn_info2(const sqn_net *net, struct sqn_info *info, size_t size)
{
	struct sqn_info ours;

	if (!net || !info)
		return set_errno(-EINVAL);
	ours = net->info;
	if (net->ops->info)
		net->ops->info(net, &ours);
	compat_copy_out(info, size, &ours, sizeof(ours));
	return 0;
}

int sqn_stats2(const sqn_net *net, struct sqn_stats *st, size_t size)
{
	if (!net || !st)
		return set_errno(-EINVAL);
	compat_copy_out(st, size, &net->stats, sizeof(net->stats));
	return 0;
}

const char *sqn_last_error(const sqn_net *net)
{
	return net ? net->errmsg : open_errmsg;
}

const char *sqn_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -EAGAIN:
		return "would block: poll sqn_fd() and try again";
	case -ENOTCONN:
		return "link down: the peer or helper is gone (see sqn_last_error())";
	case -ENOTSUP:
		return "not available in this mode, build or platform (see sqn_last_error())";
	case -EINVAL:
		return "invalid argument or configuration";
	case -ENOMEM:
		return "out of memory";
	default:
		return err < 0 ? strerror(-err) : "not an error code";
	}
}

int sqn_set_offloads(sqn_net *net, uint32_t offloads)
{
	const uint32_t known = SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM |
			       SQN_OFFLOAD_TSO4 | SQN_OFFLOAD_TSO6 |
			       SQN_OFFLOAD_USO;

	if (!net)
		return set_errno(-EINVAL);
	if (offloads & ~known)
		return set_errno(net_error(net, -EINVAL,
					   "offloads: unknown bits 0x%x",
					   offloads & ~known));
	if (net->ops->set_offloads)
		return set_errno(net->ops->set_offloads(net, offloads));
	if (!offloads)
		return 0;
	return set_errno(net_error(
		net, -ENOTSUP, "%s: carries no virtio-net header or offloads",
		net->ops->name));
}
