// SPDX-License-Identifier: MIT
/* relay.c - squib-net serve's relays: a stream client (QEMU framing) or a
 * datagram client (one frame per datagram) and its TAP port, joined in
 * the service's one event loop with the library's own stream, datagram
 * and TAP backends; a slow client is held back alone */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attach.h"
#include "log.h"
#include "relay.h"
#include "status.h"
#include "squibnet.h"

/* Frames one system call moves, per direction. */
#define RELAY_BATCH 64
/* Batches per direction before the loop serves other descriptors: one
 * busy client cannot hold the service. */
#define RELAY_ROUNDS 4
/* vfkit's first datagram: its peer learns the client's address by it
 * (vfkit's virtio-net unixgram); consumed, never a frame. */
#define RELAY_VFKT "VFKT"

/* Where a direction stands after relay_pump(). */
enum relay_state {
	RELAY_IDLE, /* its source has nothing more */
	RELAY_MORE, /* stopped at RELAY_ROUNDS: come back */
	RELAY_BLOCKED, /* its destination is full: frames wait */
};

/**
 * struct relay_dir - one direction: frames read, and those not sent yet
 * @pkts:	the frames of the last read
 * @iov:	one buffer each, slot bytes from @buf
 * @buf:	RELAY_BATCH slots
 * @head:	the first frame not sent yet
 * @n:		frames read
 * @state:	enum relay_state
 */
struct relay_dir {
	struct sqn_pkt pkts[RELAY_BATCH];
	struct iovec iov[RELAY_BATCH];
	uint8_t *buf;
	unsigned int head;
	unsigned int n;
	enum relay_state state;
};

/**
 * struct relay_end - a descriptor of a relay in the event loop
 * @w:		the socket's or the TAP's (SERVE_RELAY)
 * @r:		its relay
 * @events:	what it is watched for now
 */
struct relay_end {
	struct serve_watch w;
	struct serve_relay *r;
	uint32_t events;
};

/**
 * struct serve_relay - one client's socket and its TAP
 * @sock:	the client's socket end
 * @tap:	the TAP's
 * @att:	its attachment
 * @peer:	the socket: the library's stream (QEMU framing) or datagram
 *		backend
 * @port:	the TAP: the library's TAP backend
 * @dgram:	@peer carries datagrams
 * @magic:	dgram: the first datagram is not looked at yet (VFKT)
 * @slot:	bytes of a frame slot: the network's MTU and an Ethernet
 *		header
 * @from:	from the guest: @peer to @port
 * @to:		to the guest: @port to @peer
 */
struct serve_relay {
	struct relay_end sock;
	struct relay_end tap;
	struct serve_att *att;
	sqn_net *peer;
	sqn_net *port;
	int dgram;
	int magic;
	size_t slot;
	struct relay_dir from;
	struct relay_dir to;
};

/* The library's messages, at the service's debug level. */
static void relay_log(void *ctx, int level, const char *text)
{
	const struct serve_relay *r = ctx;

	if (level <= SQN_LOG_WARN)
		info("attachment %u: %s", r->att->id, text);
	else
		debug("attachment %u: %s", r->att->id, text);
}

/* The two handles: @sock (the relay's own end, kept by the library as a
 * duplicate) and the attachment's TAP. */
static int relay_handles(struct serve_relay *r, int sock, char *msg, size_t len)
{
	struct serve_att *a = r->att;
	struct sqn_config cfg;
	int e;

	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_STREAM;
	cfg.peer_fd = sock;
	cfg.framing = r->dgram ? SQN_FRAMING_DGRAM : SQN_FRAMING_QEMU;
	/* Stream: frames above the network's MTU are dropped (counted), as
	 * the TAP would refuse them. Datagrams: the backend sizes the
	 * socket's send buffer by the MTU, so it gets the largest (the
	 * slots' size drops the long ones all the same). */
	cfg.mtu = r->dgram ? 0 : a->facts.mtu;
	cfg.log = relay_log;
	cfg.log_ctx = r;
	e = sqn_open(&cfg, &r->peer);
	if (e) {
		snprintf(msg, len, "socket: %s", sqn_last_error(NULL));
		return e;
	}
	sqn_config_init(&cfg);
	cfg.mode = a->net->spec.mode;
	cfg.tap_fd = a->np.fd;
	cfg.mtu = a->facts.mtu;
	/* No virtio_net_hdr towards the client: the kernel hands over
	 * complete frames (the TAP's header is the backend's own). */
	cfg.offloads = 0;
	cfg.log = relay_log;
	cfg.log_ctx = r;
	e = sqn_open(&cfg, &r->port);
	if (e)
		snprintf(msg, len, "TAP %s: %s", a->np.link,
			 sqn_last_error(NULL));
	return e;
}

/* A direction's slots, taken once: nothing is allocated per frame. */
static int relay_dir_init(struct relay_dir *d, size_t slot)
{
	unsigned int i;

	d->buf = malloc(RELAY_BATCH * slot);
	if (!d->buf)
		return -ENOMEM;
	for (i = 0; i < RELAY_BATCH; i++)
		d->iov[i].iov_base = d->buf + i * slot;
	return 0;
}

/* Watch @e for @events, when that changes. */
static int relay_watch(struct serve *s, struct relay_end *e, uint32_t events)
{
	int r;

	if (e->events == events)
		return 0;
	r = serve_watch_mod(s, &e->w, events);
	if (!r)
		e->events = events;
	return r;
}

/* Free what relay_open() made (not yet in the loop, or taken out). */
static void relay_free(struct serve_relay *r)
{
	sqn_close(r->peer);
	sqn_close(r->port);
	free(r->from.buf);
	free(r->to.buf);
	free(r);
}

/**
 * relay_open() - relay a client's socket to attachment @a's TAP
 * @s:		the service
 * @a:		the attachment, its TAP made; @a->relay set
 * @sock:	the relay's end of the client's socket; the caller keeps
 *		(and closes) its own descriptor
 * @dgram:	@sock carries one frame per datagram (else QEMU framing)
 * @msg:	set on failure
 * @len:	its size
 *
 * Return: 0 or a negative errno.
 */
int relay_open(struct serve *s, struct serve_att *a, int sock, int dgram,
	       char *msg, size_t len)
{
	struct serve_relay *r = calloc(1, sizeof(*r));
	int e;

	if (!r) {
		snprintf(msg, len, "out of memory");
		return -ENOMEM;
	}
	r->att = a;
	r->dgram = r->magic = dgram;
	r->slot = a->facts.mtu + SQN_ETH_HLEN;
	e = relay_handles(r, sock, msg, len);
	if (!e && (relay_dir_init(&r->from, r->slot) ||
		   relay_dir_init(&r->to, r->slot))) {
		snprintf(msg, len, "out of memory");
		e = -ENOMEM;
	}
	if (e)
		goto fail;
	r->sock = (struct relay_end){ { SERVE_RELAY, sqn_fd(r->peer) },
				      r,
				      EPOLLIN };
	r->tap = (struct relay_end){ { SERVE_RELAY, sqn_fd(r->port) },
				     r,
				     EPOLLIN };
	e = serve_watch_add(s, &r->sock.w, EPOLLIN);
	if (e)
		goto fail;
	e = serve_watch_add(s, &r->tap.w, EPOLLIN);
	if (e) {
		serve_watch_del(s, &r->sock.w);
		goto fail;
	}
	a->relay = r;
	return 0;
fail:
	if (e == -ENOMEM || e == -EEXIST || e == -ENOSPC)
		snprintf(msg, len, "epoll: %s", strerror(-e));
	relay_free(r);
	return e;
}

/**
 * relay_close() - end attachment @a's relay: out of the loop, freed
 * @s:		the service
 * @a:		the attachment; @a->relay NULL after (nothing when it was)
 */
void relay_close(struct serve *s, struct serve_att *a)
{
	struct serve_relay *r = a->relay;

	if (!r)
		return;
	serve_watch_del(s, &r->sock.w);
	serve_watch_del(s, &r->tap.w);
	relay_free(r);
	a->relay = NULL;
}

/* vfkit's magic, when it is the first datagram: taken off the socket.
 * Return: 0, or -EAGAIN while no datagram came yet. */
static int relay_magic(struct serve_relay *r)
{
	char got[sizeof(RELAY_VFKT)];
	ssize_t n;

	n = recv(r->sock.w.fd, got, sizeof(got), MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EAGAIN;
	r->magic = 0;
	if (n == sizeof(RELAY_VFKT) - 1 &&
	    !memcmp(got, RELAY_VFKT, sizeof(RELAY_VFKT) - 1)) {
		if (recv(r->sock.w.fd, got, sizeof(got), MSG_DONTWAIT) < 0)
			return 0;
		debug("attachment %u: vfkit's first datagram (VFKT) taken",
		      r->att->id);
	}
	return 0;
}

/* Send what waits in @d to @dst. Return: 0 when all went, -EAGAIN, or
 * -ENOTCONN. */
static int relay_drain(struct relay_dir *d, sqn_net *dst)
{
	int n;

	while (d->head < d->n) {
		n = sqn_send(dst, d->pkts + d->head, d->n - d->head);
		if (n < 0)
			return n;
		d->head += (unsigned int)n;
	}
	return 0;
}

/* Read a batch from @src into @d; frames too long for a slot were
 * dropped (and counted) by the library. Return: frames, 0 none, or
 * -ENOTCONN. */
static int relay_fill(struct relay_dir *d, size_t slot, sqn_net *src)
{
	unsigned int i, n = 0;
	int got;

	for (i = 0; i < RELAY_BATCH; i++) {
		d->iov[i].iov_len = slot;
		d->pkts[i] = (struct sqn_pkt){ &d->iov[i], 1, 0, 0 };
	}
	got = sqn_recv(src, d->pkts, RELAY_BATCH);
	if (got == -EAGAIN)
		return 0;
	if (got < 0)
		return got;
	for (i = 0; i < (unsigned int)got; i++) {
		if (d->pkts[i].flags & SQN_PKT_TRUNCATED)
			continue;
		d->iov[i].iov_len = d->pkts[i].len;
		d->pkts[n++] = d->pkts[i];
	}
	d->head = 0;
	d->n = n;
	return (int)n;
}

/* Frames from @src to @dst, RELAY_ROUNDS batches at most. Return: 0
 * (@d->state says where it stands) or -ENOTCONN: a side is gone. */
static int relay_pump(struct relay_dir *d, size_t slot, sqn_net *src,
		      sqn_net *dst)
{
	unsigned int round;
	int r;

	for (round = 0; round < RELAY_ROUNDS; round++) {
		r = relay_drain(d, dst);
		if (r == -EAGAIN) {
			d->state = RELAY_BLOCKED;
			return 0;
		}
		if (r)
			return r;
		r = relay_fill(d, slot, src);
		if (r < 0)
			return r;
		if (!r) {
			d->state = RELAY_IDLE;
			return 0;
		}
	}
	r = relay_drain(d, dst);
	if (r && r != -EAGAIN)
		return r;
	d->state = r ? RELAY_BLOCKED : RELAY_MORE;
	return 0;
}

/* Both directions, then what each descriptor waits for. A client that
 * does not read holds its own TAP unread (the TAP's queue fills and the
 * kernel drops on that port alone); a TAP that does not take holds its
 * client's socket unread. Return: 0 or -ENOTCONN. */
static int relay_run(struct serve *s, struct serve_relay *r)
{
	uint32_t sock_ev = 0, tap_ev = 0;
	int e = 0, flushed;

	if (r->magic && relay_magic(r) == -EAGAIN)
		r->from.state = RELAY_IDLE;
	else
		e = relay_pump(&r->from, r->slot, r->peer, r->port);
	if (!e)
		e = relay_pump(&r->to, r->slot, r->port, r->peer);
	if (e)
		return e;
	/* The tail of a frame the socket took in part. */
	flushed = sqn_flush(r->peer);
	if (flushed && flushed != -EAGAIN)
		return flushed;
	if (r->from.state != RELAY_BLOCKED)
		sock_ev |= EPOLLIN;
	if (r->to.state == RELAY_BLOCKED || flushed == -EAGAIN)
		sock_ev |= EPOLLOUT;
	if (r->to.state != RELAY_BLOCKED && flushed != -EAGAIN)
		tap_ev |= EPOLLIN;
	/* Segments of a TSO frame the TAP's read brought may wait in the
	 * library with the TAP's queue empty: the socket, writable, brings
	 * the relay back for them (sqn_recv() until -EAGAIN). */
	if (r->to.state == RELAY_MORE)
		sock_ev |= EPOLLOUT;
	/* Frames may wait in the stream's buffer with nothing more on the
	 * socket: the TAP, writable, brings the relay back. */
	if (r->from.state != RELAY_IDLE)
		tap_ev |= EPOLLOUT;
	if (relay_watch(s, &r->sock, sock_ev) ||
	    relay_watch(s, &r->tap, tap_ev))
		return -ENOTCONN;
	return 0;
}

/**
 * relay_event() - a relay's socket or TAP is ready: frames moved; the
 * attachment removed when a side has gone (or broke the framing)
 * @s:		the service
 * @w:		the watch of one of the relay's descriptors
 * @events:	EPOLL* bits
 */
void relay_event(struct serve *s, struct serve_watch *w, uint32_t events)
{
	/* Clients closed for breaking the framing, since the start. */
	static unsigned long broken;
	struct serve_relay *r = ((struct relay_end *)w)->r;
	struct serve_att *a = r->att;
	char why[SVC_ERRMSG_MAX + 64];
	struct sqn_stats st;

	(void)events;
	if (!relay_run(s, r))
		return;
	sqn_stats(r->peer, &st);
	if (!r->dgram && st.rx_errors)
		snprintf(why, sizeof(why),
			 "%s (%lu clients closed for bad framing so far)",
			 sqn_last_error(r->peer), ++broken);
	else
		snprintf(why, sizeof(why), "%s",
			 sqn_last_error(r->peer)[0] ? sqn_last_error(r->peer) :
						      sqn_last_error(r->port));
	attach_remove(s, a, why);
}

/**
 * relay_status() - an attachment's relay counters, as status shows them
 * @a:		the attachment
 * @out:	its from_guest_* and to_guest_* set (left as they are
 *		without a relay)
 */
void relay_status(const struct serve_att *a, struct svc_attach *out)
{
	const struct serve_relay *r = a->relay;
	struct sqn_stats peer, port;

	if (!r)
		return;
	sqn_stats(r->peer, &peer);
	sqn_stats(r->port, &port);
	out->from_guest_frames = port.tx_frames;
	out->from_guest_bytes = port.tx_bytes;
	out->from_guest_drops =
		peer.rx_dropped + peer.rx_errors + port.tx_dropped;
	out->to_guest_frames = peer.tx_frames;
	out->to_guest_bytes = peer.tx_bytes;
	out->to_guest_drops = peer.tx_dropped + port.rx_dropped +
			      status_counter(a->np.link, "tx_dropped");
}
