// SPDX-License-Identifier: MIT
/* tap.c - the TAP backend: frames on a TAP made elsewhere, one per read or write
 * (a run of one TCP flow's segments as one TSO write: tcpmerge.c; for a
 * caller without offloads, one TSO read cut into its segments: tapgso.c) */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "iov.h"
#include "net.h"
#include "sys/sys.h"
#include "sys/tap.h"
#include "tap.h"
#include "tapgso.h"
#include "tcpmerge.h"

/* struct virtio_net_hdr_v1 (virtio 1.0): num_buffers included. */
#define TAP_VNET_HDR_LEN 12
/* POSIX guarantees at least 16; Linux takes 1024 (UIO_MAXIOV). */
#define TAP_IOV_MAX 1024
/* A TSO or USO frame: an IPv4 datagram of 64 KiB behind an Ethernet header. */
#define TAP_GSO_FRAME_MAX (65535 + SQN_ETH_HLEN)
#define TAP_BOUNCE_SIZE (TAP_VNET_HDR_LEN + TAP_GSO_FRAME_MAX)
#define TAP_GSO_OFFLOADS (SQN_OFFLOAD_TSO4 | SQN_OFFLOAD_TSO6 | SQN_OFFLOAD_USO)
#define TAP_OFFLOADS \
	(SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM | TAP_GSO_OFFLOADS)
/* Frames above max_packet_size one sqn_recv() drops before it returns,
 * so that a flood of them cannot hold the caller (dgram.c bounds its bad
 * datagrams the same way). */
#define TAP_DROP_MAX 64
#define TAP_NO_VNET_HDR \
	"tap: %s was made without IFF_VNET_HDR: no virtio-net header, no offloads"

/**
 * struct tap - one TAP descriptor and its scratch space
 * @fd:		our duplicate of sqn_config.tap_fd
 * @hdr:	bytes of virtio-net header on the descriptor: 0 or 12
 * @strip:	the descriptor has a header that the caller does not want:
 *		a zero one is added on send and the received one dropped
 * @name:	the interface, for messages
 * @iov:	a header followed by the caller's pieces, for one readv/writev
 * @bounce:	a frame whose pieces are too many for one readv/writev
 * @scratch:	the received header that @strip drops
 * @merge:	segments of one TCP flow leaving as one write (with @strip:
 *		the caller's frames are complete and the header is ours)
 * @no_merge:	the kernel refused a joined frame: no more are tried
 * @soft:	with @strip, the kernel's offloads are on all the same: what
 *		it hands over (a TSO frame, a partial checksum) is made
 *		complete here (tapgso.c), so that a read brings up to 64 KiB
 * @gso:	the TSO frame in @gsobuf whose segments are being handed out
 * @gsobuf:	@soft's reads: a header and a frame of up to 64 KiB (not
 *		@bounce, which a send may take while segments wait)
 */
struct tap {
	int fd;
	size_t hdr;
	int strip;
	char name[SYS_TAP_NAME_MAX];
	struct iovec *iov;
	uint8_t *bounce;
	uint8_t scratch[TAP_VNET_HDR_LEN];
	struct tcpmerge merge;
	int no_merge;
	int soft;
	struct tapgso gso;
	uint8_t *gsobuf;
};

static const uint8_t tap_zero_hdr[TAP_VNET_HDR_LEN];

/* The TAP, its iovecs, the bounce buffer and the soft mode's read buffer
 * (64 KiB each: a caller may go soft at any sqn_set_offloads()). */
static size_t tap_pool_size(const struct sqn_net *net)
{
	(void)net;
	return pool_round(sizeof(struct tap)) +
	       pool_round(TAP_IOV_MAX * sizeof(struct iovec)) +
	       pool_round(TAP_BOUNCE_SIZE) * 2;
}

/* What @fd is: a TAP attached to an interface, without packet
 * information. @l->mtu is left 0 when the interface is not visible. */
static int tap_check(struct sqn_net *net, int fd, struct sys_tap_info *ti,
		     struct sys_tap_link *l)
{
	int r = sys_tap_query(fd, ti);

	if (r == -EBADF)
		return net_error(net, r, "tap_fd %d: not an open descriptor",
				 fd);
	if (r == -EBADFD)
		return net_error(
			net, -EINVAL,
			"tap_fd %d: a tun/tap descriptor attached to no interface (TUNSETIFF was not called)",
			fd);
	if (r)
		return net_error(net, -EINVAL,
				 "tap_fd %d: not a TAP (TUNGETIFF: %s)", fd,
				 strerror(-r));
	if (!ti->is_tap)
		return net_error(
			net, -EINVAL,
			"tap_fd %d: %s is a TUN device (IP packets), not a TAP (Ethernet frames): make it with IFF_TAP",
			fd, ti->name);
	*l = (struct sys_tap_link){ .mtu = 0, .pi = -1 };
	r = sys_tap_link(ti, l);
	if (r) {
		/* A TAP of another network namespace: TUNGETIFF cannot tell
		 * (sys/tap.h), so its word is taken. */
		net_log(net, SQN_LOG_WARN,
			"tap: %s is not visible in this network namespace (%s): IFF_NO_PI not checked",
			ti->name, strerror(-r));
	} else if (l->pi > 0) {
		return net_error(
			net, -EINVAL,
			"tap_fd %d: %s was made without IFF_NO_PI: every frame would start with 4 bytes of packet information; make it with IFF_TAP | IFF_NO_PI",
			fd, ti->name);
	}
	return 0;
}

/* TUNSETOFFLOAD with what the kernel takes of @want: USO (Linux 6.2)
 * goes first, then TSO; checksum offload is as old as the flag. */
static int tap_offloads(struct sqn_net *net, uint32_t want, uint32_t *got)
{
	static const uint32_t drop[] = { 0, SQN_OFFLOAD_USO, TAP_GSO_OFFLOADS };
	struct tap *t = net->priv;
	unsigned int i;
	int r = 0;

	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		if (i && !(want & drop[i]))
			continue;
		*got = want & ~drop[i];
		r = sys_tap_set_offloads(t->fd, *got);
		if (r != -EINVAL)
			break;
	}
	if (r)
		return net_error(net, r, "tap: %s: TUNSETOFFLOAD: %s", t->name,
				 strerror(-r));
	if (*got != want)
		net_log(net, SQN_LOG_INFO,
			"tap: %s: the kernel refused offloads 0x%x", t->name,
			want & ~*got);
	return 0;
}

/* Turn the caller's header and the kernel's offloads to what @want asks,
 * on a TAP with IFF_VNET_HDR, and say so in sqn_info. Without the
 * caller's header the caller gets complete, checksummed frames: the
 * kernel's CSUM, TSO4 and TSO6 are on all the same, and what they bring
 * is made complete here (@t->soft, tapgso.c). Segmentation offloads need
 * checksum offload. */
static int tap_apply_offloads(struct sqn_net *net, uint32_t want)
{
	struct tap *t = net->priv;
	int strip = !(want & SQN_OFFLOAD_VNET_HDR);
	uint32_t got = 0;
	int r;

	/* A caller without the header still gets TCP in 64 KiB reads, cut
	 * here (tapgso.c); UDP's segmentation (USO) is not offered. */
	if (strip)
		want = SQN_OFFLOAD_CSUM | SQN_OFFLOAD_TSO4 | SQN_OFFLOAD_TSO6;
	else if (!(want & SQN_OFFLOAD_CSUM))
		want = 0;
	r = tap_offloads(net, want & (SQN_OFFLOAD_CSUM | TAP_GSO_OFFLOADS),
			 &got);
	if (r)
		return r;
	/* Segments still waiting are complete frames: a caller that stays
	 * without the header takes them still; one that now wants the
	 * header would find them without one, and they are dropped. */
	if (t->gso.frame && !(strip && got)) {
		net->stats.rx_dropped += tapgso_left(&t->gso);
		t->gso.frame = NULL;
	}
	t->strip = strip;
	t->soft = strip && got;
	net->info.vnet_hdr_len = strip ? 0 : TAP_VNET_HDR_LEN;
	net->info.offloads = strip ? 0 : SQN_OFFLOAD_VNET_HDR | got;
	net->info.max_packet_size = !strip && got & TAP_GSO_OFFLOADS ?
					    TAP_GSO_FRAME_MAX :
					    net->info.mtu + SQN_ETH_HLEN;
	return 0;
}

/* Settle the virtio-net header and the offloads. The header size and
 * the offloads belong to the interface, not to our descriptor. */
static int tap_setup_vnet(struct sqn_net *net, const struct sys_tap_info *ti)
{
	struct tap *t = net->priv;
	int r;

	if (!ti->vnet_hdr) {
		if (net->p.offloads & SQN_OFFLOAD_VNET_HDR)
			net_log(net, SQN_LOG_INFO, TAP_NO_VNET_HDR, t->name);
		return 0;
	}
	r = sys_tap_set_vnet_hdr_len(t->fd, TAP_VNET_HDR_LEN);
	if (r)
		return net_error(net, r, "tap: %s: TUNSETVNETHDRSZ %d: %s",
				 t->name, TAP_VNET_HDR_LEN, strerror(-r));
	t->hdr = TAP_VNET_HDR_LEN;
	net->info.offloads_avail = TAP_OFFLOADS;
	return tap_apply_offloads(net, net->p.offloads);
}

/* The MTU: the caller's, else the interface's (0 when it is not
 * visible), else Ethernet's. */
static int tap_setup_mtu(struct sqn_net *net, uint32_t mtu)
{
	struct tap *t = net->priv;

	if (!mtu) {
		mtu = 1500;
		if (!net->p.mtu)
			net_log(net, SQN_LOG_WARN,
				"tap: %s: its mtu is not known here: %u assumed, set sqn_config.mtu",
				t->name, mtu);
	} else if (net->p.mtu && net->p.mtu != mtu) {
		net_log(net, SQN_LOG_INFO, "tap: mtu %u, but %s has %u",
			net->p.mtu, t->name, mtu);
	}
	if (!net->p.mtu)
		net->p.mtu = mtu < SQN_FRAME_MAX - SQN_ETH_HLEN ?
				     mtu :
				     SQN_FRAME_MAX - SQN_ETH_HLEN;
	return net_set_mtu(net, SQN_FRAME_MAX);
}

static int tap_open(struct sqn_net *net)
{
	struct tap *t = pool_take(&net->pool, sizeof(*t));
	struct sys_tap_info ti;
	struct sys_tap_link l;
	int r;

	if (!t)
		return net_error(net, -ENOMEM, "tap: pool too small");
	net->priv = t;
	t->iov = pool_take(&net->pool, TAP_IOV_MAX * sizeof(struct iovec));
	t->bounce = pool_take(&net->pool, TAP_BOUNCE_SIZE);
	t->gsobuf = pool_take(&net->pool, TAP_BOUNCE_SIZE);
	if (!t->iov || !t->bounce || !t->gsobuf)
		return net_error(net, -ENOMEM, "tap: pool too small");
	r = tap_check(net, net->p.tap_fd, &ti, &l);
	if (r)
		return r;
	memcpy(t->name, ti.name, sizeof(t->name));
	t->fd = net->fd = sys_dup_cloexec(net->p.tap_fd);
	if (t->fd < 0)
		return net_error(net, t->fd, "tap_fd %d: %s", net->p.tap_fd,
				 strerror(-t->fd));
	/* A TAP cannot be reopened as a new open file description, so the
	 * flag reaches the caller's descriptor as well (documented). */
	r = sys_tap_set_nonblock(t->fd);
	if (r)
		return net_error(net, r, "tap: %s: O_NONBLOCK: %s", t->name,
				 strerror(-r));
	memcpy(net->info.host_mac, ti.mac, 6);
	r = tap_setup_mtu(net, l.mtu);
	if (r)
		return r;
	r = tap_setup_vnet(net, &ti);
	if (r)
		return r;
	net_log(net, SQN_LOG_DEBUG,
		"tap: %s, fd %d, mtu %u, virtio-net header %zu%s, offloads 0x%x",
		t->name, t->fd, net->info.mtu, t->hdr,
		t->strip ? " (kept from the caller)" : "", net->info.offloads);
	return 0;
}

/* EBADFD: the interface was deleted or the queue detached (tun.c). */
static int tap_gone(struct sqn_net *net, const char *op, int err)
{
	struct tap *t = net->priv;

	return net_link_down(
		net, "tap: %s: %s: %s", t->name, op,
		err == EBADFD ?
			"the TAP was detached or its interface deleted" :
			strerror(err));
}

/* The next segment of the TSO frame being cut into @pkt. */
static void tap_gso_next(struct tap *t, struct sqn_pkt *pkt)
{
	uint8_t hdr[TAPGSO_HDRS_MAX];
	const uint8_t *payload;
	size_t hlen, plen;

	hlen = tapgso_next(&t->gso, hdr, &payload, &plen);
	net_pkt_fill(pkt, hdr, hlen, payload, plen);
}

/* One read of a TAP whose offloads the caller does not take (@t->soft):
 * a complete frame into @pkt, or the first segment of a TSO frame (the
 * rest wait in @t->gso). Return: as tap_read(). */
static int tap_read_soft(struct sqn_net *net, struct sqn_pkt *pkt)
{
	struct tap *t = net->priv;
	uint8_t *frame = t->gsobuf + t->hdr;
	size_t max = net->info.max_packet_size, len;
	ssize_t m;
	int r;

	do {
		m = read(t->fd, t->gsobuf, TAP_BOUNCE_SIZE);
	} while (m < 0 && errno == EINTR);
	if (m < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -EAGAIN;
		return tap_gone(net, "read", errno);
	}
	len = (size_t)m > t->hdr ? (size_t)m - t->hdr : 0;
	r = len ? tapgso_start(&t->gso, t->gsobuf, frame, len) : -EINVAL;
	/* A header it cannot honour, or segments past the MTU (the caller
	 * set a smaller one than the interface's, say): dropped, as
	 * tap_read() drops what is too long. */
	if (r < 0 || (!r && len > max) ||
	    (r > 0 && t->gso.hlen + t->gso.mss > max)) {
		t->gso.frame = NULL;
		net->stats.rx_dropped++;
		return -EMSGSIZE;
	}
	if (r)
		tap_gso_next(t, pkt);
	else
		net_pkt_fill(pkt, frame, len, NULL, 0);
	return 0;
}

/* One frame into @pkt. tun's read returns what it copied, not the
 * frame's length (tun_chr_read_iter()), so the bounce buffer catches the
 * rest of a frame that overflows the caller's buffers: its length is
 * then known, and the frame flagged truncated. */
static int tap_read(struct sqn_net *net, struct sqn_pkt *pkt)
{
	struct tap *t = net->priv;
	size_t skip = t->strip ? t->hdr : 0, room = 0, len;
	int cnt = 0, direct = pkt->iovcnt + 2 <= TAP_IOV_MAX;
	ssize_t m;

	if (t->soft)
		return tap_read_soft(net, pkt);
	if (direct)
		room = iov_size(pkt->iov, pkt->iovcnt);
	/* tun refuses a read with no room for the header (EINVAL). */
	if (room < t->hdr - skip)
		direct = 0;
	if (direct) {
		if (skip)
			t->iov[cnt++] = (struct iovec){ t->scratch, skip };
		memcpy(t->iov + cnt, pkt->iov, pkt->iovcnt * sizeof(*t->iov));
		cnt += (int)pkt->iovcnt;
	} else {
		room = 0;
	}
	t->iov[cnt++] = (struct iovec){ t->bounce, TAP_BOUNCE_SIZE };
	do {
		m = readv(t->fd, t->iov, cnt);
	} while (m < 0 && errno == EINTR);
	if (m < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -EAGAIN;
		return tap_gone(net, "read", errno);
	}
	len = (size_t)m > skip ? (size_t)m - skip : 0;
	/* Longer than the MTU allows (the caller set a smaller one than
	 * the interface's, say): dropped as the stream backends do. */
	if (len > t->hdr - skip &&
	    len - (t->hdr - skip) > net->info.max_packet_size) {
		net->stats.rx_dropped++;
		return -EMSGSIZE;
	}
	if (!direct) {
		net_pkt_fill(pkt, t->bounce + skip, len, NULL, 0);
		return 0;
	}
	pkt->len = len;
	pkt->flags = len > room ? SQN_PKT_TRUNCATED : 0;
	return 0;
}

/**
 * tap_recv() - up to @n frames from the TAP
 * @net:	attachment
 * @pkts:	the caller's descriptors
 * @n:		how many
 *
 * At most TAP_DROP_MAX are dropped on the way, then the frames received so
 * far (maybe none) are returned, the rest left for the next call. A frame
 * too large for the caller's buffers is not one of those: tun truncates
 * it (the bounce buffer tells its length) and it takes a slot.
 *
 * Return: frames received (0: none ready), or -ENOTCONN.
 */
int tap_recv(struct sqn_net *net, struct sqn_pkt *pkts, unsigned int n)
{
	struct tap *t = net->priv;
	unsigned int i, dropped = 0;
	int r;

	if (!net->info.link_up)
		return -ENOTCONN;
	for (i = 0; i < n;) {
		if (t->gso.frame) {
			tap_gso_next(t, &pkts[i++]);
			continue;
		}
		r = tap_read(net, &pkts[i]);
		if (r == -EMSGSIZE) {
			if (++dropped == TAP_DROP_MAX)
				break;
			continue;
		}
		if (r == -EAGAIN)
			break;
		if (r < 0)
			return i ? (int)i : r;
		i++;
	}
	return (int)i;
}

/* One frame out. Return: 0 when it was taken (or refused by the kernel or
 * dropped for want of carrier, then counted in tx_dropped), -EAGAIN when
 * the TAP is full, -ENOTCONN. */
static int tap_write(struct sqn_net *net, const struct sqn_pkt *pkt)
{
	struct tap *t = net->priv;
	size_t pre = t->strip ? t->hdr : 0;
	const struct iovec *iov = pkt->iov;
	int cnt = (int)pkt->iovcnt;
	ssize_t m;

	if (pkt->iovcnt >= TAP_IOV_MAX) {
		size_t len = iov_size(pkt->iov, pkt->iovcnt);

		memset(t->bounce, 0, pre);
		iov_to_buf(pkt->iov, pkt->iovcnt, 0, t->bounce + pre, len);
		t->iov[0] = (struct iovec){ t->bounce, pre + len };
		iov = t->iov;
		cnt = 1;
	} else if (pre) {
		t->iov[0] = (struct iovec){ (void *)tap_zero_hdr, pre };
		memcpy(t->iov + 1, pkt->iov, pkt->iovcnt * sizeof(*iov));
		iov = t->iov;
		cnt++;
	}
	do {
		m = writev(t->fd, iov, cnt);
	} while (m < 0 && errno == EINTR);
	if (m >= 0)
		return 0;
	switch (errno) {
	case EAGAIN:
	case ENOBUFS: /* the socket's send buffer (TUNSETSNDBUF) is full */
		return -EAGAIN;
	case EBADFD:
		net->stats.tx_errors++;
		return tap_gone(net, "write", errno);
	default:
		/* EIO: the interface is down (no carrier), as a cable pulled
		 * out: the frame is dropped, the link comes back with it.
		 * EINVAL: a frame or header the kernel refuses. */
		net_tx_refused(net, pkt);
		net_log(net, SQN_LOG_DEBUG, "tap: %s: write: %s", t->name,
			strerror(errno));
		return 0;
	}
}

/* How many frames from @pkts on leave as one TSO frame (t->merge ready),
 * at least 2; or 1: the first goes alone. Joining needs the header. */
static unsigned int tap_merge(struct tap *t, const struct sqn_pkt *pkts,
			      unsigned int n)
{
	unsigned int k = 1;

	if (!t->strip || t->no_merge || n < 2 || pkts[0].iovcnt != 1 ||
	    !tcpmerge_start(&t->merge, pkts[0].iov[0].iov_base,
			    pkts[0].iov[0].iov_len))
		return 1;
	while (k < n && pkts[k].iovcnt == 1 &&
	       tcpmerge_add(&t->merge, pkts[k].iov[0].iov_base,
			    pkts[k].iov[0].iov_len))
		k++;
	if (k > 1)
		tcpmerge_finish(&t->merge);
	return k;
}

/* @k frames joined by tap_merge() out in one write: the joined headers,
 * then each one's payload where it lies. Return: as tap_write(), or 1
 * when the kernel refused the frame: the segments go one at a time. */
static int tap_write_merged(struct sqn_net *net, const struct sqn_pkt *pkts,
			    unsigned int k)
{
	struct tap *t = net->priv;
	size_t off = t->merge.l4end;
	unsigned int i;
	ssize_t m;

	t->iov[0] = (struct iovec){ t->merge.hdr, t->merge.hdr_len };
	for (i = 0; i < k; i++)
		t->iov[i + 1] =
			(struct iovec){ (uint8_t *)pkts[i].iov[0].iov_base +
						off,
					pkts[i].iov[0].iov_len - off };
	do {
		m = writev(t->fd, t->iov, (int)k + 1);
	} while (m < 0 && errno == EINTR);
	if (m >= 0)
		return 0;
	if (errno == EAGAIN || errno == ENOBUFS)
		return -EAGAIN;
	if (errno == EBADFD) {
		net->stats.tx_errors++;
		return tap_gone(net, "write", errno);
	}
	/* EINVAL: a kernel that takes no TSO frame from us; EIO: no
	 * carrier, which the single writes count as refused. */
	if (errno == EINVAL)
		t->no_merge = 1;
	return 1;
}

/**
 * tap_send() - up to @n frames to the TAP
 * @net:	attachment
 * @pkts:	checked frames
 * @n:		how many
 *
 * Return: frames taken (0: the TAP is full), or -ENOTCONN.
 */
int tap_send(struct sqn_net *net, const struct sqn_pkt *pkts, unsigned int n)
{
	struct tap *t = net->priv;
	unsigned int i, k;
	int r;

	for (i = 0; i < n; i += k) {
		k = tap_merge(t, pkts + i, n - i);
		r = k > 1 ? tap_write_merged(net, pkts + i, k) : 1;
		if (r == 1) {
			k = 1;
			r = tap_write(net, &pkts[i]);
		}
		if (r == -EAGAIN)
			break;
		if (r < 0)
			return i ? (int)i : r;
	}
	return (int)i;
}

/**
 * tap_set_offloads() - sqn_set_offloads() on the TAP: only a TAP with
 * IFF_VNET_HDR carries a header, and offloads need one
 * @net:	attachment
 * @offloads:	checked SQN_OFFLOAD_* bits
 *
 * Return: 0 or a negative errno.
 */
int tap_set_offloads(struct sqn_net *net, uint32_t offloads)
{
	struct tap *t = net->priv;

	if (!net->info.link_up)
		return -ENOTCONN;
	if (t->hdr)
		return tap_apply_offloads(net, offloads);
	if (offloads & SQN_OFFLOAD_VNET_HDR)
		return net_error(net, -ENOTSUP, TAP_NO_VNET_HDR, t->name);
	return 0;
}

static void tap_close(struct sqn_net *net)
{
	struct tap *t = net->priv;

	/* The offloads belong to the interface, which the caller's own
	 * descriptor shares: without the header, it gets them off again,
	 * as they were for it (its own reads would bring TSO frames). */
	if (t && t->soft && net->fd >= 0)
		sys_tap_set_offloads(net->fd, 0);
	if (net->fd >= 0)
		close(net->fd);
	net->fd = -1;
}

const struct backend_ops tap_ops = {
	.name = "tap",
	.pool_size = tap_pool_size,
	.open = tap_open,
	.recv = tap_recv,
	.send = tap_send,
	.set_offloads = tap_set_offloads,
	.close = tap_close,
};
