// SPDX-License-Identifier: MIT
/* fuzz_recv.c - libFuzzer target: sqn_recv() on stream and datagram peers, into iovec arrays of any shape */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "squibnet.h"

/*
 * Input layout:
 *   [0]	bits 0-1: framing (QEMU, hyperkit, datagram, datagram);
 *		bit 2: a small MTU from [1]; bits 3-7: how the peer's bytes
 *		are cut into writes
 *   [1]	that MTU: 68 + 8 * [1]
 *   [2]	descriptors per sqn_recv(): 1 + [2] % PKTS_MAX
 *   then, per descriptor, its iovec count (a byte, % (IOVS_MAX + 1)) and
 *   one length code per iovec (see shape_len())
 *   then the peer's bytes: a stream as is; for datagrams, each a 2-byte
 *   little-endian length (cut to what is left) and its bytes
 *
 * The peer writes through a socketpair while sqn_recv() reads, then
 * leaves. Every frame delivered must be the next one the peer sent,
 * whole unless flagged truncated, within the caller's buffers (guard
 * bytes after each iovec stay untouched); at the end every frame came,
 * and the stats count exactly what the peer did.
 */
#define PKTS_MAX 8
#define IOVS_MAX 8
#define IOV_LEN_MAX 65000
#define GUARD 16
#define REGION (IOV_LEN_MAX + GUARD)
#define FRAMES_MAX 8192
#define STEPS_MAX 1000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t arena[PKTS_MAX][IOVS_MAX][REGION];

/**
 * struct model - what the library must deliver, in order
 * @frame:	start of each deliverable frame in the input
 * @len:	its length
 * @n:		deliverable frames
 * @next:	index of the next one to be delivered
 * @oversize:	frames the library must drop for max_packet_size
 * @errors:	framing errors the peer commits
 * @whole:	frames delivered whole so far
 * @bytes:	their bytes
 * @truncated:	frames delivered cut
 */
struct model {
	const uint8_t *frame[FRAMES_MAX];
	size_t len[FRAMES_MAX];
	unsigned int n;
	unsigned int next;
	uint64_t oversize;
	uint64_t errors;
	uint64_t whole;
	uint64_t bytes;
	uint64_t truncated;
};

static struct model m;

/**
 * struct run - one input
 * @net:	the attachment
 * @peer:	the peer's end of the socketpair
 * @dgram:	datagram framing
 * @pkts:	descriptors handed to sqn_recv()
 * @iov:	their iovecs
 * @npkts:	descriptors per call
 * @down:	sqn_recv() said -ENOTCONN
 */
struct run {
	sqn_net *net;
	int peer;
	int dgram;
	struct sqn_pkt pkts[PKTS_MAX];
	struct iovec iov[PKTS_MAX][IOVS_MAX];
	unsigned int npkts;
	int down;
};

/* Length codes: empty with and without a base, short, odd, large. */
static size_t shape_len(uint8_t c, int *null_base)
{
	*null_base = c == 0;
	if (c < 2)
		return 0;
	if (c < 128)
		return c - 1u;
	if (c < 192)
		return (c - 128u) * 61 + 7;
	return (c - 192u) * 1031 + 1;
}

/* Descriptors from the input; returns bytes of it used, or 0 when short. */
static size_t shape(struct run *r, const uint8_t *in, size_t size)
{
	size_t pos = 0;
	unsigned int i, j, cnt;
	int null_base;

	for (i = 0; i < r->npkts; i++) {
		if (pos >= size)
			return 0;
		cnt = in[pos++] % (IOVS_MAX + 1);
		if (size - pos < cnt)
			return 0;
		for (j = 0; j < cnt; j++) {
			size_t len = shape_len(in[pos++], &null_base);

			r->iov[i][j] =
				(struct iovec){ null_base ? NULL : arena[i][j],
						len };
		}
		r->pkts[i] = (struct sqn_pkt){ .iov = cnt ? r->iov[i] : NULL,
					       .iovcnt = cnt };
	}
	return pos;
}

static void guards_set(struct run *r)
{
	unsigned int i, j;

	for (i = 0; i < r->npkts; i++)
		for (j = 0; j < r->pkts[i].iovcnt; j++)
			memset(arena[i][j] + r->iov[i][j].iov_len, 0xa5, GUARD);
}

static void guards_check(const struct run *r)
{
	unsigned int i, j, k;

	for (i = 0; i < r->npkts; i++)
		for (j = 0; j < r->pkts[i].iovcnt; j++)
			for (k = 0; k < GUARD; k++)
				if (arena[i][j][r->iov[i][j].iov_len + k] !=
				    0xa5)
					abort();
}

/* The first @len bytes of @pkt's buffers are @want. */
static void content_check(const struct sqn_pkt *pkt, const uint8_t *want,
			  size_t len)
{
	unsigned int j;
	size_t n;

	for (j = 0; j < pkt->iovcnt && len; j++) {
		n = pkt->iov[j].iov_len < len ? pkt->iov[j].iov_len : len;
		if (n && memcmp(pkt->iov[j].iov_base, want, n))
			abort();
		want += n;
		len -= n;
	}
	if (len)
		abort();
}

static size_t capacity(const struct sqn_pkt *pkt)
{
	size_t n = 0;
	unsigned int j;

	for (j = 0; j < pkt->iovcnt; j++)
		n += pkt->iov[j].iov_len;
	return n;
}

/* One sqn_recv(): what it returns is checked against the model.
 * Return: frames received, 0 for -EAGAIN, -1 once the link is down. */
static int receive(struct run *r)
{
	int got, k;

	if (r->down)
		return -1;
	guards_set(r);
	got = sqn_recv(r->net, r->pkts, r->npkts);
	guards_check(r);
	if (got == -EAGAIN)
		return 0;
	if (got == -ENOTCONN) {
		r->down = 1;
		return -1;
	}
	if (got < 1 || (unsigned int)got > r->npkts)
		abort();
	for (k = 0; k < got; k++) {
		const struct sqn_pkt *p = &r->pkts[k];
		size_t cap = capacity(p);

		if (m.next >= m.n || p->len != m.len[m.next])
			abort();
		if (p->flags & ~SQN_PKT_TRUNCATED)
			abort();
		if (p->flags & SQN_PKT_TRUNCATED) {
			/* A stream cuts to the caller's room, no more. */
			if (!r->dgram) {
				if (p->len <= cap)
					abort();
				content_check(p, m.frame[m.next], cap);
			}
			m.truncated++;
		} else {
			if (p->len > cap)
				abort();
			content_check(p, m.frame[m.next], p->len);
			m.whole++;
			m.bytes += p->len;
		}
		m.next++;
	}
	return got;
}

static void model_frame(const uint8_t *frame, size_t len, size_t max_pkt)
{
	if (len > max_pkt) {
		m.oversize++;
		return;
	}
	if (m.n == FRAMES_MAX)
		abort(); /* inputs cannot hold that many */
	m.frame[m.n] = frame;
	m.len[m.n++] = len;
}

/* What a stream of @len bytes must give: frames until a length out of
 * range (a reset) or the end; bytes left over are a frame cut short. */
static void model_stream(enum sqn_framing kind, const uint8_t *in, size_t len,
			 size_t max_pkt)
{
	size_t hlen = kind == SQN_FRAMING_HYPERKIT ? 2 : 4;
	size_t cap = kind == SQN_FRAMING_HYPERKIT ? 65535 : SQN_FRAME_MAX;
	size_t pos = 0, flen;

	while (len - pos >= hlen) {
		if (hlen == 2)
			flen = in[pos] | (size_t)in[pos + 1] << 8;
		else
			flen = (size_t)in[pos] << 24 |
			       (size_t)in[pos + 1] << 16 |
			       (size_t)in[pos + 2] << 8 | in[pos + 3];
		if (flen < SQN_ETH_HLEN || flen > cap) {
			m.errors = 1;
			return;
		}
		if (len - pos - hlen < flen)
			break;
		model_frame(in + pos + hlen, flen, max_pkt);
		pos += hlen + flen;
	}
	if (pos < len)
		m.errors = 1;
}

/* Writes @len bytes of stream in cuts chosen by @seed, receiving
 * between them; then leaves and receives to the end. */
static void run_stream(struct run *r, const uint8_t *in, size_t len,
		       unsigned int seed)
{
	size_t pos = 0, cut;
	unsigned int steps = 0;
	ssize_t w;

	while (pos < len && !r->down) {
		if (++steps > STEPS_MAX)
			abort();
		seed = seed * 1103515245u + 12345u;
		cut = seed & 8 ? len - pos : 1 + (seed >> 16) % 64;
		if (cut > len - pos)
			cut = len - pos;
		w = send(r->peer, in + pos, cut, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w > 0)
			pos += (size_t)w;
		else if (w < 0 && errno != EAGAIN)
			break; /* reset by the library */
		receive(r);
	}
	close(r->peer);
	r->peer = -1;
	while (receive(r) >= 0)
		if (++steps > STEPS_MAX)
			abort();
}

/* Sends the datagrams of @in, receiving whenever the socket is full and
 * between them; then receives until none is left. */
static void run_dgram(struct run *r, const uint8_t *in, size_t len,
		      size_t max_pkt)
{
	struct pollfd pfd = { .fd = sqn_fd(r->net), .events = POLLIN };
	unsigned int steps = 0;
	size_t pos = 0, dlen;

	while (pos < len) {
		uint8_t lo = in[pos];

		dlen = lo | (size_t)(pos + 1 < len ? in[pos + 1] : 0) << 8;
		pos += pos + 1 < len ? 2 : 1;
		if (dlen > len - pos)
			dlen = len - pos;
		if (dlen < SQN_ETH_HLEN || dlen > SQN_FRAME_MAX)
			m.errors++;
		else
			model_frame(in + pos, dlen, max_pkt);
		while (send(r->peer, in + pos, dlen, MSG_DONTWAIT) < 0) {
			if (errno != EAGAIN || ++steps > STEPS_MAX)
				abort();
			if (receive(r) < 0)
				abort();
		}
		pos += dlen;
		/* Sometimes let datagrams pile up, sometimes take each. */
		if (lo & 1 && receive(r) < 0)
			abort();
	}
	for (;;) {
		if (++steps > STEPS_MAX)
			abort();
		if (receive(r) < 0)
			abort();
		if (poll(&pfd, 1, 0) == 0)
			break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum sqn_framing kinds[] = { SQN_FRAMING_QEMU,
						  SQN_FRAMING_HYPERKIT,
						  SQN_FRAMING_DGRAM,
						  SQN_FRAMING_DGRAM };
	struct sqn_config cfg;
	struct sqn_stats st;
	struct sqn_info info;
	struct run r = { .peer = -1 };
	int sp[2] = { -1, -1 };
	size_t used;

	if (size < 3)
		return 0;
	memset(&m, 0, sizeof(m));
	r.npkts = 1 + data[2] % PKTS_MAX;
	used = shape(&r, data + 3, size - 3);
	if (!used)
		return 0;
	used += 3;
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_STREAM;
	cfg.framing = kinds[data[0] & 3];
	r.dgram = cfg.framing == SQN_FRAMING_DGRAM;
	if (data[0] & 4)
		cfg.mtu = 68 + 8u * data[1];
	if (socketpair(AF_UNIX,
		       (r.dgram ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0,
		       sp))
		abort();
	cfg.peer_fd = sp[0];
	if (sqn_open(&cfg, &r.net))
		abort();
	close(sp[0]);
	r.peer = sp[1];
	sqn_info(r.net, &info);
	if (r.dgram) {
		run_dgram(&r, data + used, size - used, info.max_packet_size);
	} else {
		model_stream(cfg.framing, data + used, size - used,
			     info.max_packet_size);
		run_stream(&r, data + used, size - used, data[0] >> 3);
	}
	/* Every frame came, and the counters say what happened. */
	sqn_stats(r.net, &st);
	if (m.next != m.n || st.rx_frames != m.whole ||
	    st.rx_bytes != m.bytes ||
	    st.rx_dropped != m.truncated + m.oversize ||
	    st.rx_errors != m.errors)
		abort();
	sqn_close(r.net);
	if (r.peer >= 0)
		close(r.peer);
	return 0;
}
