// SPDX-License-Identifier: MIT
/* dgram.c - the datagram backend: one frame per datagram, many per system call */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "dgram.h"
#include "iov.h"
#include "sockpeer.h"
#include "sys/sys.h"

/* Batches of nothing but bad datagrams read before giving up for now. */
#define DGRAM_BAD_ROUNDS 4

/**
 * struct dgram - one datagram socket and its buffers
 * @fd:		the socket
 * @eof:	it failed: read and write no more
 * @cap:	largest datagram accepted as a frame
 * @scratch:	a frame, for the rare copy: a datagram moved to another
 *		descriptor, or a frame in more pieces than one sendmsg takes
 * @mmsg:	one message header per frame of a batch
 */
struct dgram {
	int fd;
	int eof;
	size_t cap;
	uint8_t *scratch;
	struct sys_mmsg *mmsg;
};

static size_t dgram_pool_size(const struct sqn_net *net)
{
	(void)net;
	return pool_round(sizeof(struct dgram)) + pool_round(SQN_FRAME_MAX) +
	       pool_round(SOCKPEER_BATCH_MAX * sizeof(struct sys_mmsg));
}

static unsigned int dgram_iovcnt(const struct sqn_pkt *pkt)
{
	return pkt->iovcnt > SOCKPEER_IOV_MAX ? SOCKPEER_IOV_MAX : pkt->iovcnt;
}

/* A datagram socket refuses what exceeds its send buffer: make room for
 * the largest frame, or settle for a smaller one (unix(7), SO_SNDBUF). */
static size_t dgram_frame_cap(struct sqn_net *net, int fd)
{
	size_t cap = SQN_FRAME_MAX;
	int want = (int)(2 * (cap + 256)), have = 0;
	socklen_t len = sizeof(have);

	if (net->p.mtu)
		want = (int)(2 * (net->p.mtu + SQN_ETH_HLEN + 256));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &have, &len) || have <= 0)
		return cap;
	/* unix_dgram_sendmsg() refuses more than sk_sndbuf - 32. */
	if ((size_t)have - 64 < cap)
		cap = (size_t)have - 64;
	return cap < SQN_ETH_HLEN + SQN_MTU_MIN ? SQN_ETH_HLEN + SQN_MTU_MIN :
						  cap;
}

static int dgram_open(struct sqn_net *net)
{
	struct dgram *d = pool_take(&net->pool, sizeof(*d));
	int fd = sockpeer_open(net, SOCK_DGRAM);

	if (fd < 0)
		return fd;
	net->fd = fd;
	if (!d)
		return net_error(net, -ENOMEM, "%s: pool too small",
				 net->ops->name);
	net->priv = d;
	d->fd = fd;
	d->cap = SQN_FRAME_MAX;
	d->scratch = pool_take(&net->pool, SQN_FRAME_MAX);
	d->mmsg = pool_take(&net->pool,
			    SOCKPEER_BATCH_MAX * sizeof(struct sys_mmsg));
	if (!d->scratch || !d->mmsg)
		return net_error(net, -ENOMEM, "%s: pool too small",
				 net->ops->name);
	net_log(net, SQN_LOG_DEBUG, "%s: fd %d, one frame per datagram",
		net->ops->name, fd);
	return net_set_mtu(net, dgram_frame_cap(net, fd));
}

/* Move what datagram @from holds into descriptor @to (rare: after a bad
 * datagram in the middle of a batch), through the scratch buffer. */
static void dgram_move(struct dgram *d, struct sqn_pkt *to,
		       const struct sqn_pkt *from, size_t len)
{
	size_t have = iov_to_buf(from->iov, dgram_iovcnt(from), 0, d->scratch,
				 len < SQN_FRAME_MAX ? len : SQN_FRAME_MAX);

	iov_from_buf(to->iov, to->iovcnt, 0, d->scratch, have);
}

/* Datagram @len of slot @i: 1 when it is a frame to deliver. */
static int dgram_good(struct sqn_net *net, const struct dgram *d, size_t len)
{
	if (len < SQN_ETH_HLEN || len > d->cap) {
		/* Logged at the 1st, 2nd, 4th, 8th... */
		if (!(net->stats.rx_errors & (net->stats.rx_errors + 1)))
			net_log(net, SQN_LOG_WARN,
				"%s: dropped a datagram of %zu bytes (%llu bad so far)",
				net->ops->name, len,
				(unsigned long long)net->stats.rx_errors + 1);
		net->stats.rx_errors++;
		return 0;
	}
	if (len > net->info.max_packet_size) {
		net->stats.rx_dropped++;
		return 0;
	}
	return 1;
}

/**
 * dgram_recv() - receive up to @n datagrams straight into caller buffers
 * @net:	attachment
 * @pkts:	caller's packets
 * @n:		how many
 *
 * A datagram shorter than an Ethernet header or longer than the cap is
 * dropped and counted in rx_errors; the link stays up.
 *
 * Return: frames stored (0: none ready), or -ENOTCONN.
 */
static int dgram_recv(struct sqn_net *net, struct sqn_pkt *pkts, unsigned int n)
{
	struct dgram *d = net->priv;
	unsigned int i, out = 0, rounds = 0;
	size_t room;
	int m;

	if (d->eof)
		return -ENOTCONN;
	if (n > SOCKPEER_BATCH_MAX)
		n = SOCKPEER_BATCH_MAX;
	do {
		for (i = 0; i < n; i++)
			d->mmsg[i].msg_hdr = (struct msghdr){
				.msg_iov = pkts[i].iov,
				.msg_iovlen = dgram_iovcnt(&pkts[i]),
			};
		do {
			m = sys_recvmmsg(d->fd, d->mmsg, n, MSG_TRUNC);
		} while (m < 0 && errno == EINTR);
		if (m < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return sockpeer_lost(net, &d->eof, "receive", errno);
		}
		for (i = 0; i < (unsigned int)m; i++) {
			size_t len = d->mmsg[i].msg_len;

			if (!dgram_good(net, d, len))
				continue;
			/* What arrived is what fit in slot i; a move cuts it
			 * to what fits in slot out. */
			room = iov_size(pkts[i].iov, dgram_iovcnt(&pkts[i]));
			if (out != i) {
				size_t to = iov_size(pkts[out].iov,
						     dgram_iovcnt(&pkts[out]));

				dgram_move(d, &pkts[out], &pkts[i],
					   len < room ? len : room);
				room = to < room ? to : room;
			}
			pkts[out].len = len;
			pkts[out].flags = len > room ? SQN_PKT_TRUNCATED : 0;
			out++;
		}
		/* All were bad: look again, a few times, rather than report
		 * nothing while good ones may wait. */
	} while (!out && m > 0 && ++rounds < DGRAM_BAD_ROUNDS);
	return (int)out;
}

static int dgram_write_error(struct sqn_net *net, struct dgram *d, int err)
{
	net->stats.tx_errors++;
	return sockpeer_lost(net, &d->eof, "send", err);
}

/* A frame in more pieces than one sendmsg takes goes out of @scratch. */
static int dgram_send_linear(struct sqn_net *net, const struct sqn_pkt *pkt)
{
	struct dgram *d = net->priv;
	struct iovec iov = { d->scratch, iov_size(pkt->iov, pkt->iovcnt) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t m;

	iov_to_buf(pkt->iov, pkt->iovcnt, 0, d->scratch, iov.iov_len);
	do {
		m = sys_sendmsg(d->fd, &msg);
	} while (m < 0 && errno == EINTR);
	if (m < 0)
		return sockpeer_full(errno) ? 0 :
					      dgram_write_error(net, d, errno);
	return 1;
}

/**
 * dgram_send() - send up to @n frames, one datagram each, in one call
 * @net:	attachment
 * @pkts:	valid frames
 * @n:		how many
 *
 * A datagram leaves whole or not at all: nothing is ever pending.
 *
 * Return: frames sent (0 when the socket is full), or -ENOTCONN.
 */
static int dgram_send(struct sqn_net *net, const struct sqn_pkt *pkts,
		      unsigned int n)
{
	struct dgram *d = net->priv;
	unsigned int i;
	int m;

	if (d->eof)
		return -ENOTCONN;
	if (pkts[0].iovcnt > SOCKPEER_IOV_MAX)
		return dgram_send_linear(net, &pkts[0]);
	for (i = 0; i < n && i < SOCKPEER_BATCH_MAX &&
		    pkts[i].iovcnt <= SOCKPEER_IOV_MAX;
	     i++)
		d->mmsg[i].msg_hdr = (struct msghdr){
			.msg_iov = pkts[i].iov,
			.msg_iovlen = pkts[i].iovcnt,
		};
	do {
		m = sys_sendmmsg(d->fd, d->mmsg, i);
	} while (m < 0 && errno == EINTR);
	if (m < 0)
		return sockpeer_full(errno) ? 0 :
					      dgram_write_error(net, d, errno);
	return m;
}

/* Nothing is ever half sent; only a lost socket has something to say. */
static int dgram_flush(struct sqn_net *net)
{
	const struct dgram *d = net->priv;

	return d->eof || !net->info.link_up ? -ENOTCONN : 0;
}

const struct backend_ops dgram_ops = {
	.name = "datagram",
	.pool_size = dgram_pool_size,
	.open = dgram_open,
	.recv = dgram_recv,
	.send = dgram_send,
	.flush = dgram_flush,
	.close = sockpeer_close,
};
