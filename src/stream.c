// SPDX-License-Identifier: MIT
/* stream.c - the stream backend: frames on a connected socket, QEMU or hyperkit framing */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "framing.h"
#include "iov.h"
#include "net.h"
#include "sockpeer.h"
#include "stream.h"
#include "sys/sys.h"

static size_t stream_rx_size(enum sqn_framing kind)
{
	size_t min = framing_buf_min(kind, SQN_FRAME_MAX);

	return min > STREAM_RX_MIN ? min : STREAM_RX_MIN;
}

/**
 * stream_pool_size() - pool bytes that stream_attach() takes
 * @net:	attachment
 *
 * Return: a byte count for pool_init().
 */
size_t stream_pool_size(const struct sqn_net *net)
{
	enum sqn_framing kind = net->p.framing ? net->p.framing :
						 SQN_FRAMING_QEMU;

	return pool_round(sizeof(struct stream)) +
	       pool_round(stream_rx_size(kind)) +
	       pool_round(SOCKPEER_IOV_MAX * sizeof(struct iovec)) +
	       pool_round(SOCKPEER_BATCH_MAX * FRAMING_HDR_MAX) +
	       pool_round(SOCKPEER_BATCH_MAX * sizeof(size_t)) +
	       pool_round(FRAMING_HDR_MAX + SQN_FRAME_MAX);
}

/**
 * stream_attach() - run the attachment over connected socket @fd
 * @net:	attachment; net->p.framing chooses the framing (0: QEMU;
 *		datagrams are dgram.c's)
 * @fd:		connected socket, owned by @net from now on (also on error)
 *
 * Return: 0 or a negative errno with the message set.
 */
int stream_attach(struct sqn_net *net, int fd)
{
	enum sqn_framing kind = net->p.framing ? net->p.framing :
						 SQN_FRAMING_QEMU;
	struct stream *s = pool_take(&net->pool, sizeof(*s));
	size_t rx = stream_rx_size(kind);
	uint8_t *rxbuf;
	int r;

	net->fd = fd;
	if (kind != SQN_FRAMING_QEMU && kind != SQN_FRAMING_HYPERKIT)
		return net_error(
			net, -EINVAL,
			"%s: a stream carries qemu or hyperkit framing",
			net->ops->name);
	if (!s)
		return net_error(net, -ENOMEM, "%s: pool too small",
				 net->ops->name);
	net->priv = s;
	s->fd = fd;
	s->kind = kind;
	s->hlen = framing_hdr_len(kind);
	rxbuf = pool_take(&net->pool, rx);
	s->iov = pool_take(&net->pool, SOCKPEER_IOV_MAX * sizeof(struct iovec));
	s->hdr = pool_take(&net->pool, SOCKPEER_BATCH_MAX * FRAMING_HDR_MAX);
	s->flen = pool_take(&net->pool, SOCKPEER_BATCH_MAX * sizeof(size_t));
	s->pend = pool_take(&net->pool, FRAMING_HDR_MAX + SQN_FRAME_MAX);
	if (!rxbuf || !s->iov || !s->hdr || !s->flen || !s->pend)
		return net_error(net, -ENOMEM, "%s: pool too small",
				 net->ops->name);
	r = net_set_mtu(net, framing_cap(kind, SQN_FRAME_MAX));
	if (r)
		return r;
	/* Decode up to what the framing allows: a frame above the MTU but
	 * within that is dropped and counted, not a reason to reset. */
	r = framing_dec_init(&s->dec, kind, framing_cap(kind, SQN_FRAME_MAX),
			     rxbuf, rx);
	if (r)
		return net_error(net, r, "%s: bad framing", net->ops->name);
	net_log(net, SQN_LOG_DEBUG, "%s: fd %d, %s framing, mtu %u",
		net->ops->name, fd,
		kind == SQN_FRAMING_QEMU ? "qemu" : "hyperkit", net->info.mtu);
	return 0;
}

/**
 * stream_rebind() - carry on over another connected socket, or none
 * @net:	attachment whose stream_attach() succeeded
 * @fd:		the new peer's socket (its owner stays the caller's), or -1
 *		for no peer: then every call finds the link down
 *
 * What the previous peer sent and was not delivered, and the unsent tail
 * of a frame for it, are forgotten: a new peer starts on a frame boundary.
 */
void stream_rebind(struct sqn_net *net, int fd)
{
	struct stream *s = net->priv;

	s->fd = fd;
	s->eof = fd < 0;
	framing_dec_reset(&s->dec);
	s->pend_off = s->pend_len = 0;
}

/* The peer broke the framing or went away: stop reading, tell the peer. */
static int stream_reset(struct sqn_net *net, const char *why, size_t len)
{
	struct stream *s = net->priv;

	s->eof = 1;
	shutdown(s->fd, SHUT_RDWR);
	return net_link_down(
		net,
		"%s: peer sent a frame length of %zu (%s): connection reset",
		net->ops->name, len, why);
}

static int stream_read_more(struct sqn_net *net)
{
	struct stream *s = net->priv;
	uint8_t *at;
	size_t room = framing_dec_space(&s->dec, &at);
	ssize_t m;
	int err;

	if (!room)
		return 0;
	do {
		m = sys_recv(s->fd, at, room, 0);
	} while (m < 0 && errno == EINTR);
	if (m < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		/* A reset (ECONNRESET: SO_LINGER 0, or a unix peer that
		 * left with unread data) cuts a frame as a close does. */
		err = errno;
		s->eof = 1;
		if (framing_dec_pending(&s->dec))
			net->stats.rx_errors++;
		return net_link_down(net, "%s: receive: %s%s", net->ops->name,
				     strerror(err),
				     framing_dec_pending(&s->dec) ?
					     " in the middle of a frame" :
					     "");
	}
	if (!m) {
		s->eof = 1;
		if (framing_dec_pending(&s->dec))
			net->stats.rx_errors++;
		return net_link_down(net, "%s: peer closed the connection%s",
				     net->ops->name,
				     framing_dec_pending(&s->dec) ?
					     " in the middle of a frame" :
					     "");
	}
	framing_dec_commit(&s->dec, (size_t)m);
	return 1;
}

/**
 * stream_recv() - decode frames already read, reading more as needed
 * @net:	attachment
 * @pkts:	caller's packets
 * @n:		how many
 *
 * The unsent tail of a frame sqn_send() accepted goes out first, as far
 * as the socket takes it: a caller that only receives still delivers it.
 *
 * Return: frames stored, or -ENOTCONN when the link is down and nothing
 * is left to deliver.
 */
int stream_recv(struct sqn_net *net, struct sqn_pkt *pkts, unsigned int n)
{
	struct stream *s = net->priv;
	unsigned int got = 0;
	const uint8_t *frame;
	size_t len;
	int r;

	/* Its errors take the link down; what was received still comes. */
	if (s->pend_len)
		stream_flush(net);
	while (got < n) {
		r = framing_dec_next(&s->dec, &frame, &len);
		if (r == 1) {
			if (len > net->info.max_packet_size) {
				net->stats.rx_dropped++;
				continue;
			}
			net_pkt_fill(&pkts[got++], frame, len, NULL, 0);
			continue;
		}
		if (r == -EPROTO) {
			size_t bad = s->dec.bad_len;

			net->stats.rx_errors++;
			framing_dec_reset(&s->dec);
			stream_reset(net,
				     bad < SQN_ETH_HLEN ?
					     "below an Ethernet header" :
					     "above the frame cap",
				     bad);
			break;
		}
		if (s->eof)
			break;
		r = stream_read_more(net);
		if (r <= 0)
			break;
	}
	if (got)
		return (int)got;
	return s->eof ? -ENOTCONN : 0;
}

static int stream_write_error(struct sqn_net *net, int err)
{
	struct stream *s = net->priv;

	net->stats.tx_errors++;
	return sockpeer_lost(net, &s->eof, "send", err);
}

/**
 * stream_flush() - send what is left of a partially sent frame
 * @net:	attachment
 *
 * Return: 0 when nothing is left, -EAGAIN, or -ENOTCONN.
 */
int stream_flush(struct sqn_net *net)
{
	struct stream *s = net->priv;

	/* A dead link has nowhere to send the rest, nor a new error. */
	if (s->eof)
		return -ENOTCONN;
	while (s->pend_off < s->pend_len) {
		struct iovec iov = { s->pend + s->pend_off,
				     s->pend_len - s->pend_off };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t m = sys_sendmsg(s->fd, &msg);

		if (m < 0) {
			if (errno == EINTR)
				continue;
			if (sockpeer_full(errno))
				return -EAGAIN;
			return stream_write_error(net, errno);
		}
		s->pend_off += (size_t)m;
	}
	s->pend_off = s->pend_len = 0;
	return net->info.link_up ? 0 : -ENOTCONN;
}

/* Keep the unsent bytes of frame @f of the last batch, from byte @off of
 * its header-plus-frame on, so that it is never half-sent and forgotten. */
static void stream_keep_tail(struct stream *s, const struct sqn_pkt *pkt,
			     unsigned int f, size_t off)
{
	size_t n = 0;

	if (off < s->hlen) {
		memcpy(s->pend, s->hdr[f] + off, s->hlen - off);
		n = s->hlen - off;
		off = s->hlen;
	}
	n += iov_to_buf(pkt->iov, pkt->iovcnt, off - s->hlen, s->pend + n,
			s->flen[f] - (off - s->hlen));
	s->pend_off = 0;
	s->pend_len = n;
}

/* A frame with too many pieces for one sendmsg goes out of @pend. */
static int stream_send_linear(struct sqn_net *net, const struct sqn_pkt *pkt)
{
	struct stream *s = net->priv;
	size_t len = iov_size(pkt->iov, pkt->iovcnt);
	uint8_t hdr[FRAMING_HDR_MAX];
	size_t hlen = framing_encode(s->kind, len, hdr);

	memcpy(s->pend, hdr, hlen);
	iov_to_buf(pkt->iov, pkt->iovcnt, 0, s->pend + hlen, len);
	s->pend_off = 0;
	s->pend_len = hlen + len;
	stream_flush(net);
	return net->info.link_up ? 1 : -ENOTCONN;
}

/* One sendmsg of as many frames as fit; returns frames accepted. */
static int stream_send_batch(struct sqn_net *net, const struct sqn_pkt *pkts,
			     unsigned int n)
{
	struct stream *s = net->priv;
	struct msghdr msg = { .msg_iov = s->iov };
	unsigned int nf = 0, niov = 0, f;
	size_t off;
	ssize_t m;

	if (pkts[0].iovcnt + 1 > SOCKPEER_IOV_MAX)
		return stream_send_linear(net, &pkts[0]);
	while (nf < n && nf < SOCKPEER_BATCH_MAX &&
	       niov + 1 + pkts[nf].iovcnt <= SOCKPEER_IOV_MAX) {
		s->flen[nf] = iov_size(pkts[nf].iov, pkts[nf].iovcnt);
		s->iov[niov].iov_base = s->hdr[nf];
		s->iov[niov++].iov_len =
			framing_encode(s->kind, s->flen[nf], s->hdr[nf]);
		memcpy(&s->iov[niov], pkts[nf].iov,
		       pkts[nf].iovcnt * sizeof(struct iovec));
		niov += pkts[nf].iovcnt;
		nf++;
	}
	msg.msg_iovlen = niov;
	do {
		m = sys_sendmsg(s->fd, &msg);
	} while (m < 0 && errno == EINTR);
	if (m < 0)
		return sockpeer_full(errno) ? 0 :
					      stream_write_error(net, errno);
	off = (size_t)m;
	for (f = 0; f < nf; f++) {
		size_t whole = s->hlen + s->flen[f];

		if (off >= whole) {
			off -= whole;
			continue;
		}
		if (off) {
			stream_keep_tail(s, &pkts[f], f, off);
			f++;
		}
		break;
	}
	return (int)f;
}

/**
 * stream_send() - send a batch of valid frames, header and frame together
 * @net:	attachment
 * @pkts:	frames
 * @n:		how many
 *
 * Return: frames accepted (0 when the socket is full), or -ENOTCONN.
 */
int stream_send(struct sqn_net *net, const struct sqn_pkt *pkts, unsigned int n)
{
	struct stream *s = net->priv;
	unsigned int done = 0;
	int r;

	r = stream_flush(net);
	if (r == -EAGAIN)
		return 0;
	if (r < 0)
		return r;
	while (done < n) {
		r = stream_send_batch(net, pkts + done, n - done);
		if (r < 0)
			return done ? (int)done : r;
		done += (unsigned int)r;
		if (!r || s->pend_len)
			break;
	}
	if (s->pend_len)
		stream_flush(net);
	return (int)done;
}

/**
 * stream_detach() - close the socket
 * @net:	attachment
 */
void stream_detach(struct sqn_net *net)
{
	sockpeer_close(net);
}

static int stream_open(struct sqn_net *net)
{
	int fd = sockpeer_open(net, SOCK_STREAM);

	return fd < 0 ? fd : stream_attach(net, fd);
}

const struct backend_ops stream_ops = {
	.name = "stream",
	.pool_size = stream_pool_size,
	.open = stream_open,
	.recv = stream_recv,
	.send = stream_send,
	.flush = stream_flush,
	.close = stream_detach,
};
