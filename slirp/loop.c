// SPDX-License-Identifier: MIT
/* loop.c - the slirp helper's event loop: the socket, libslirp, timers
 *
 * One thread, one poll(): the guest's socket, a signalfd, and whatever
 * sockets libslirp asks for through slirp_pollfds_fill(). libslirp's timers
 * live in a small fixed table and fire from the same loop. Frames to the
 * guest go through a bounded ring (frames_out); while it is more than half
 * full, libslirp's sockets are not polled, so the outside world's TCP
 * waits instead of the ring dropping.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_PROG "squib-net-slirp-helper"
/* Reads of the guest's socket per turn of the loop, to batch. */
#define LOOP_READS 16
/* guest_error messages printed without --verbose. */
#define LOOP_GUEST_ERRORS_SHOWN 10
/* The output ring: about 4 MiB of frames in flight to the guest. */
#define LOOP_RING (4u << 20)

/* CLOCK_MONOTONIC in ns: libslirp's clock and the timers'. */
static int64_t loop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The same in ms, the unit of timer_mod. */
static int64_t loop_now_ms(void)
{
	return loop_now_ns() / 1000000;
}

/* libslirp's send_packet: queue the frame (never blocks), write when the
 * ring is half full. Return: @len, the frame is taken or counted dropped. */
static ssize_t loop_send_packet(const void *buf, size_t len, void *opaque)
{
	struct loop *l = opaque;
	int r;

	frames_out_queue(&l->out, buf, len, &l->st);
	/* Batch, but write before the ring gets full. */
	if (!l->out_err && l->out.len > l->out.cap / 2) {
		r = frames_out_flush(&l->out, l->o->fd_out);
		if (r < 0)
			l->out_err = r;
	}
	return (ssize_t)len;
}

/* libslirp's guest_error: counted, the first few printed. */
static void loop_guest_error(const char *msg, void *opaque)
{
	struct loop *l = opaque;

	if (l->guest_errors++ < LOOP_GUEST_ERRORS_SHOWN || l->o->verbose)
		fprintf(stderr, LOOP_PROG ": guest error: %s\n", msg);
}

/* libslirp's clock_get_ns. */
static int64_t loop_clock_get_ns(void *opaque)
{
	(void)opaque;
	return loop_now_ns();
}

/* libslirp's timer_new_opaque: a free slot of the fixed table. */
static void *loop_timer_new_opaque(SlirpTimerId id, void *cb_opaque,
				   void *opaque)
{
	struct loop *l = opaque;
	unsigned int i;

	for (i = 0; i < LOOP_TIMERS; i++) {
		if (l->timers[i].used)
			continue;
		l->timers[i] = (struct loop_timer){ .used = true,
						    .id = id,
						    .cb_opaque = cb_opaque };
		return &l->timers[i];
	}
	/* Not the guest's doing: a libslirp with more timers than the table. */
	fprintf(stderr, LOOP_PROG ": more than %d libslirp timers\n",
		LOOP_TIMERS);
	abort();
}

/* libslirp's timer_free: the slot is free again. */
static void loop_timer_free(void *timer, void *opaque)
{
	struct loop_timer *t = timer;

	(void)opaque;
	t->used = t->armed = false;
}

/* libslirp's timer_mod: arm the timer for @expire_ms. */
static void loop_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct loop_timer *t = timer;

	(void)opaque;
	t->armed = true;
	t->expire_ms = expire_ms;
}

/* The loop polls afresh each turn: nothing to keep per fd. */
static void loop_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

/* libslirp's notify: one thread, the loop polls again anyway. */
static void loop_notify(void *opaque)
{
	(void)opaque;
}

static const SlirpCb loop_callbacks = {
	.send_packet = loop_send_packet,
	.guest_error = loop_guest_error,
	.clock_get_ns = loop_clock_get_ns,
	.timer_free = loop_timer_free,
	.timer_mod = loop_timer_mod,
	.register_poll_fd = loop_poll_fd,
	.unregister_poll_fd = loop_poll_fd,
	.notify = loop_notify,
	.timer_new_opaque = loop_timer_new_opaque,
};

/* Set O_NONBLOCK on @fd. Return: 0 or -errno. */
static int loop_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* The libslirp instance from the options (SlirpConfig version 4). */
static Slirp *loop_slirp_new(struct loop *l)
{
	const struct opts *o = l->o;
	SlirpConfig cfg = {
		.version = 4,
		.restricted = o->restrict_egress,
		.in_enabled = true,
		.vnetwork = o->net,
		.vnetmask = o->mask,
		.vhost = o->host,
		.in6_enabled = o->ipv6,
		.vprefix_addr6 = o->prefix6,
		.vprefix_len = (uint8_t)o->prefix6_len,
		.vhost6 = o->host6,
		.vhostname = o->hostname,
		.vdhcp_start = o->dhcp_start,
		.vnameserver = o->dns,
		.vnameserver6 = o->dns6,
		.vdnssearch = o->nsearch ? (const char **)o->search : NULL,
		.if_mtu = o->mtu,
		.if_mru = o->mtu,
	};

	return slirp_new(&cfg, &loop_callbacks, l);
}

/**
 * loop_init() - allocate everything, start libslirp and its forwards
 * @l:		state
 * @o:		options
 * @err:	message on failure
 * @errlen:	its size
 *
 * Everything the data path uses is allocated here; the forwards' listening
 * sockets are made here too, before the sandbox forbids bind() and listen().
 *
 * Return: 0, or -errno with @err set.
 */
int loop_init(struct loop *l, const struct opts *o, char *err, size_t errlen)
{
	uint32_t max_frame = o->mtu + 14;
	char addr[INET_ADDRSTRLEN];
	const struct opts_fwd *f;
	sigset_t sigs;
	unsigned int i;

	memset(l, 0, sizeof(*l));
	l->o = o;
	l->sigfd = -1;
	if (frames_in_init(&l->in, max_frame) ||
	    frames_out_init(&l->out, max_frame, LOOP_RING) ||
	    !(l->pfd = calloc(LOOP_POLLFDS, sizeof(*l->pfd)))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (loop_nonblock(o->fd_in) || loop_nonblock(o->fd_out)) {
		snprintf(err, errlen, "fd %d: %s", o->fd_in, strerror(errno));
		return -EBADF;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	l->sigfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sigfd < 0) {
		snprintf(err, errlen, "signalfd: %s", strerror(errno));
		return -errno;
	}
	l->slirp = loop_slirp_new(l);
	if (!l->slirp) {
		snprintf(err, errlen, "libslirp refused the configuration");
		return -EINVAL;
	}
	for (i = 0; i < o->nfwd; i++) {
		f = &o->fwd[i];
		errno = 0;
		if (slirp_add_hostfwd(l->slirp, f->udp, f->host_addr,
				      f->host_port, o->dhcp_start,
				      f->guest_port) < 0) {
			/* libslirp keeps bind()'s or listen()'s errno. */
			inet_ntop(AF_INET, &f->host_addr, addr, sizeof(addr));
			snprintf(
				err, errlen,
				"--forward %s:%d:%d: cannot listen on host address %s port %d: %s",
				f->udp ? "udp" : "tcp", f->host_port,
				f->guest_port, addr, f->host_port,
				errno ? strerror(errno) :
					"refused by libslirp");
			return errno ? -errno : -EADDRINUSE;
		}
	}
	if (o->stats_sec)
		l->next_stats_ms = loop_now_ms() + 1000 * (int64_t)o->stats_sec;
	return 0;
}

/**
 * loop_free() - release what loop_init() took
 * @l:		state
 */
void loop_free(struct loop *l)
{
	if (l->slirp)
		slirp_cleanup(l->slirp);
	if (l->sigfd >= 0)
		close(l->sigfd);
	free(l->pfd);
	frames_in_free(&l->in);
	frames_out_free(&l->out);
}

/**
 * loop_stats() - frame counters and libslirp's connection table, on stderr
 * @l:		state
 */
void loop_stats(struct loop *l)
{
	const struct frames_stats *s = &l->st;
	char *info = slirp_connection_info(l->slirp);

	fprintf(stderr,
		LOOP_PROG
		": frames from guest %llu (%llu bytes), to guest %llu (%llu bytes); "
		"from guest refused: runt %llu, oversized %llu, bad length %llu; "
		"to guest dropped: queue full %llu, too big %llu; "
		"guest errors %llu; sockets not polled %llu\n%s",
		(unsigned long long)s->in_frames,
		(unsigned long long)s->in_bytes,
		(unsigned long long)s->out_frames,
		(unsigned long long)s->out_bytes,
		(unsigned long long)s->in_runt,
		(unsigned long long)s->in_oversized,
		(unsigned long long)s->in_bad_length,
		(unsigned long long)s->out_dropped,
		(unsigned long long)s->out_too_big,
		(unsigned long long)l->guest_errors,
		(unsigned long long)l->poll_full, info ? info : "");
	free(info);
}

/* SLIRP_POLL_* to poll(2) events. */
static short loop_to_poll(int ev)
{
	short p = 0;

	if (ev & SLIRP_POLL_IN)
		p |= POLLIN;
	if (ev & SLIRP_POLL_OUT)
		p |= POLLOUT;
	if (ev & SLIRP_POLL_PRI)
		p |= POLLPRI;
	if (ev & SLIRP_POLL_ERR)
		p |= POLLERR;
	if (ev & SLIRP_POLL_HUP)
		p |= POLLHUP;
	return p;
}

/* slirp_pollfds_fill's add_poll, also used for our own fds. Return: the
 * index in the table, or -1 when it is full (the socket waits a turn). */
static int loop_add_poll(int fd, int events, void *opaque)
{
	struct loop *l = opaque;

	if (l->npfd == LOOP_POLLFDS) {
		l->poll_full++;
		return -1;
	}
	l->pfd[l->npfd].fd = fd;
	l->pfd[l->npfd].events = loop_to_poll(events);
	l->pfd[l->npfd].revents = 0;
	return (int)l->npfd++;
}

/* slirp_pollfds_poll's get_revents: poll(2) revents to SLIRP_POLL_*. */
static int loop_get_revents(int idx, void *opaque)
{
	struct loop *l = opaque;
	short p;
	int ev = 0;

	if (idx < 0 || (unsigned int)idx >= l->npfd)
		return 0;
	p = l->pfd[idx].revents;
	if (p & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (p & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (p & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (p & POLLERR)
		ev |= SLIRP_POLL_ERR;
	if (p & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

/* A checked frame from the guest, to libslirp. */
static void loop_deliver(const uint8_t *frame, size_t len, void *opaque)
{
	struct loop *l = opaque;

	slirp_input(l->slirp, frame, (int)len);
}

/* Read what the guest sent. Return: 0, 1 at the end of the stream, or an
 * exit status. */
static int loop_read_guest(struct loop *l)
{
	size_t room;
	uint8_t *p;
	ssize_t n;
	int i;

	for (i = 0; i < LOOP_READS; i++) {
		p = frames_in_space(&l->in, &room);
		n = read(l->o->fd_in, p, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) {
			fprintf(stderr, LOOP_PROG ": read: %s\n",
				strerror(errno));
			return LOOP_EXIT_ERROR;
		}
		if (!n) {
			if (l->in.len || l->in.skip)
				fprintf(stderr, LOOP_PROG
					": the stream ended inside a frame\n");
			return 1;
		}
		if (frames_in_commit(&l->in, (size_t)n, loop_deliver, l,
				     &l->st)) {
			fprintf(stderr,
				LOOP_PROG
				": a frame length above %d: the stream lost its framing, ending\n",
				FRAMES_LEN_SANE);
			return LOOP_EXIT_FRAMING;
		}
	}
	return 0;
}

/* SIGUSR1 prints; SIGTERM and SIGINT end the loop. Return: 1 to end. */
static int loop_signals(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1)
			loop_stats(l);
		else
			return 1;
	}
	return 0;
}

/* Fire the timers that are due; return ms to the next one (or @max). */
static int64_t loop_timers(struct loop *l, int64_t max)
{
	int64_t now = loop_now_ms(), wait = max;
	struct loop_timer *t;
	unsigned int i;

	for (i = 0; i < LOOP_TIMERS; i++) {
		t = &l->timers[i];
		if (t->armed && t->expire_ms <= now) {
			t->armed = false;
			slirp_handle_timer(l->slirp, t->id, t->cb_opaque);
		}
	}
	for (i = 0; i < LOOP_TIMERS; i++) {
		t = &l->timers[i];
		if (t->armed && t->expire_ms - now < wait)
			wait = t->expire_ms - now > 0 ? t->expire_ms - now : 0;
	}
	return wait;
}

/* One turn: poll, then serve the signals, the guest and libslirp. Return:
 * -1 to go on, else the exit status. */
static int loop_turn(struct loop *l)
{
	const struct opts *o = l->o;
	/* Above half, only the guest's socket is polled (back-pressure). */
	bool full = l->out.len > l->out.cap / 2;
	unsigned int in = 1, out;
	uint32_t timeout = UINT32_MAX;
	int64_t wait, now;
	int n, r;

	l->npfd = 0;
	loop_add_poll(l->sigfd, SLIRP_POLL_IN, l);
	loop_add_poll(o->fd_in, SLIRP_POLL_IN, l);
	out = in;
	if (o->fd_out != o->fd_in)
		out = (unsigned int)loop_add_poll(o->fd_out, 0, l);
	if (l->out.len)
		l->pfd[out].events |= POLLOUT;
	if (!full)
		slirp_pollfds_fill(l->slirp, &timeout, loop_add_poll, l);
	else
		timeout = 10;
	wait = loop_timers(l, timeout);
	if (o->stats_sec) {
		now = loop_now_ms();
		if (l->next_stats_ms <= now) {
			loop_stats(l);
			l->next_stats_ms = now + 1000 * (int64_t)o->stats_sec;
		}
		if (l->next_stats_ms - now < wait)
			wait = l->next_stats_ms - now;
	}
	n = poll(l->pfd, l->npfd, wait > INT32_MAX ? -1 : (int)wait);
	if (n < 0 && errno != EINTR) {
		fprintf(stderr, LOOP_PROG ": poll: %s\n", strerror(errno));
		return LOOP_EXIT_ERROR;
	}
	if (n > 0 && l->pfd[0].revents && loop_signals(l))
		return 0;
	if (n > 0 && (l->pfd[in].revents & (POLLIN | POLLHUP | POLLERR))) {
		r = loop_read_guest(l);
		if (r == 1)
			r = 0;
		else if (!r)
			r = -1;
		if (r >= 0) {
			/* What the last frames answered still goes out. */
			frames_out_flush(&l->out, o->fd_out);
			return r;
		}
	}
	if (!full)
		slirp_pollfds_poll(l->slirp, n < 0, loop_get_revents, l);
	loop_timers(l, 0);
	if (!l->out_err && l->out.len) {
		r = frames_out_flush(&l->out, o->fd_out);
		if (r < 0)
			l->out_err = r;
	}
	if (l->out_err) {
		fprintf(stderr, LOOP_PROG ": write: %s\n",
			strerror(-l->out_err));
		return l->out_err == -EPIPE ? 0 : LOOP_EXIT_ERROR;
	}
	return -1;
}

/**
 * loop_run() - serve the guest until its socket closes or a signal ends it
 * @l:		state, from loop_init()
 *
 * Return: the exit status: 0 at the end of the stream or on SIGTERM/SIGINT,
 * LOOP_EXIT_ERROR on an I/O error, LOOP_EXIT_FRAMING when the framing was
 * lost.
 */
int loop_run(struct loop *l)
{
	int r;

	do
		r = loop_turn(l);
	while (r < 0);
	if (l->o->verbose || l->o->stats_sec)
		loop_stats(l);
	return r;
}
