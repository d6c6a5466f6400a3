// SPDX-License-Identifier: MIT
/* dgram.c - one frame per datagram, many datagrams per system call */
#include <errno.h>
#include <string.h>

#include "iov.h"
#include "stream.h"
#include "sys/sys.h"

/* Batches of nothing but bad datagrams read before giving up for now. */
#define DGRAM_BAD_ROUNDS 4

static unsigned int dgram_iovcnt(const struct sqn_pkt *pkt)
{
	return pkt->iovcnt > STREAM_IOV_MAX ? STREAM_IOV_MAX : pkt->iovcnt;
}

/* Move what datagram @from holds into descriptor @to (rare: after a bad
 * datagram in the middle of a batch), through the scratch buffer. */
static void dgram_move(struct stream *s, struct sqn_pkt *to,
		       const struct sqn_pkt *from, size_t len)
{
	size_t have = iov_to_buf(from->iov, dgram_iovcnt(from), 0, s->dec.buf,
				 len < s->dec.size ? len : s->dec.size);

	iov_from_buf(to->iov, to->iovcnt, 0, s->dec.buf, have);
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
int dgram_recv(struct sqn_net *net, struct sqn_pkt *pkts, unsigned int n)
{
	struct stream *s = net->priv;
	unsigned int i, out = 0, rounds = 0;
	size_t room;
	int m;

	if (s->eof)
		return -ENOTCONN;
	if (n > STREAM_BATCH_MAX)
		n = STREAM_BATCH_MAX;
	do {
		for (i = 0; i < n; i++)
			s->mmsg[i].msg_hdr = (struct msghdr){
				.msg_iov = pkts[i].iov,
				.msg_iovlen = dgram_iovcnt(&pkts[i]),
			};
		do {
			m = sys_recvmmsg(s->fd, s->mmsg, n, MSG_TRUNC);
		} while (m < 0 && errno == EINTR);
		if (m < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			s->eof = 1;
			return net_link_down(net, "%s: receive: %s",
					     net->ops->name, strerror(errno));
		}
		for (i = 0; i < (unsigned int)m; i++) {
			size_t len = s->mmsg[i].msg_len;

			if (len < SQN_ETH_HLEN || len > s->dec.cap) {
				/* Logged at the 1st, 2nd, 4th, 8th... */
				if (!(net->stats.rx_errors &
				      (net->stats.rx_errors + 1)))
					net_log(net, SQN_LOG_WARN,
						"%s: dropped a datagram of %zu bytes (%llu bad so far)",
						net->ops->name, len,
						(unsigned long long)net->stats
								.rx_errors +
							1);
				net->stats.rx_errors++;
				continue;
			}
			if (len > net->info.max_packet_size) {
				net->stats.rx_dropped++;
				continue;
			}
			/* What arrived is what fit in slot i; a move cuts it
			 * to what fits in slot out. */
			room = iov_size(pkts[i].iov, dgram_iovcnt(&pkts[i]));
			if (out != i) {
				size_t to = iov_size(pkts[out].iov,
						     dgram_iovcnt(&pkts[out]));

				dgram_move(s, &pkts[out], &pkts[i],
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

/**
 * dgram_send() - send up to @n frames, one datagram each, in one call
 * @net:	attachment
 * @pkts:	valid frames
 * @n:		how many
 *
 * Return: frames sent (0 when the socket is full), or -ENOTCONN.
 */
int dgram_send(struct sqn_net *net, const struct sqn_pkt *pkts, unsigned int n)
{
	struct stream *s = net->priv;
	unsigned int i;
	int m;

	if (pkts[0].iovcnt > STREAM_IOV_MAX)
		return stream_send_linear(net, &pkts[0]);
	for (i = 0;
	     i < n && i < STREAM_BATCH_MAX && pkts[i].iovcnt <= STREAM_IOV_MAX;
	     i++)
		s->mmsg[i].msg_hdr = (struct msghdr){
			.msg_iov = pkts[i].iov,
			.msg_iovlen = pkts[i].iovcnt,
		};
	do {
		m = sys_sendmmsg(s->fd, s->mmsg, i);
	} while (m < 0 && errno == EINTR);
	if (m < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			return 0;
		return stream_write_error(net, errno);
	}
	return m;
}
