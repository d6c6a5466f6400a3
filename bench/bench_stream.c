// SPDX-License-Identifier: MIT
/* bench_stream.c - frames/s and Gbit/s through loopback and socket peers
 *
 * One program, one concern, past 600 lines: the Makefile builds each
 * file of bench/ as a program of its own, so its options, buffers and runs
 * stay in this one file. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "squibnet.h"

#define BATCH_DEFAULT 64
#define BATCH_MAX 1024
#define SIZES_MAX 16
/* Ethernet header, a sequence number after it and its complement at the end */
#define SEQ_OFF SQN_ETH_HLEN
#define SIZE_MIN (SEQ_OFF + 2 * 8)
#define SECONDS_DEFAULT 2.5
#define CALIBRATE_NS 150000000ull /* a calibration pass at least this long */
#define POLL_SLICE_MS 100
#define STALL_MS 10000 /* no progress for this long: the run failed */
#define WHY_LEN 512

/**
 * struct backend - one way of carrying frames
 * @name:	for the table and --backends
 * @mode:	SQN_MODE_LOOPBACK or SQN_MODE_STREAM
 * @framing:	framing of a stream attachment
 * @sotype:	socketpair type of a stream attachment
 * @def:	run when --backends is not given
 */
struct backend {
	const char *name;
	enum sqn_mode mode;
	enum sqn_framing framing;
	int sotype;
	int def;
};

static const struct backend backends[] = {
	{ "loopback", SQN_MODE_LOOPBACK, SQN_FRAMING_DEFAULT, 0, 1 },
	{ "stream", SQN_MODE_STREAM, SQN_FRAMING_QEMU, SOCK_STREAM, 1 },
	{ "hyperkit", SQN_MODE_STREAM, SQN_FRAMING_HYPERKIT, SOCK_STREAM, 0 },
	{ "dgram", SQN_MODE_STREAM, SQN_FRAMING_DGRAM, SOCK_DGRAM, 1 },
};

#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

/**
 * struct opts - the command line
 * @frames:	frames per case; 0: as many as take about @seconds
 * @seconds:	target duration of a case when @frames is 0
 * @batch:	frames per sqn_send() and sqn_recv() call
 * @sizes:	frame sizes, Ethernet header included
 * @nsizes:	entries in @sizes
 * @sockbuf:	SO_SNDBUF and SO_RCVBUF of the socketpair; 0: the default
 * @use:	which entries of backends[] to run
 */
struct opts {
	uint64_t frames;
	double seconds;
	unsigned int batch;
	int sockbuf;
	size_t sizes[SIZES_MAX];
	unsigned int nsizes;
	int use[NBACKENDS];
};

/**
 * struct bufs - every buffer the timed loops touch, set up once
 * @tx:		@batch frame slots the sender fills
 * @rx:		@batch frame slots the receiver fills
 * @slot:	bytes of one slot, at least the largest frame size
 * @tx_iov:	one entry per sender slot
 * @rx_iov:	one entry per receiver slot, @slot bytes each
 * @tx_pkt:	sender descriptors
 * @rx_pkt:	receiver descriptors
 */
struct bufs {
	uint8_t *tx;
	uint8_t *rx;
	size_t slot;
	struct iovec tx_iov[BATCH_MAX];
	struct iovec rx_iov[BATCH_MAX];
	struct sqn_pkt tx_pkt[BATCH_MAX];
	struct sqn_pkt rx_pkt[BATCH_MAX];
};

/**
 * struct run - one measured case
 * @be:		backend
 * @size:	frame size
 * @n:		frames to carry
 * @batch:	frames per call
 * @sockbuf:	socket buffer size to set, 0 for the default
 * @tx:		sending attachment
 * @rx:		receiving attachment (@tx for loopback)
 * @stop:	set by a side that failed, so that the other gives up
 * @start:	lines the two threads up before the clock starts
 * @t_end:	when the receiver had every frame
 * @got:	frames the receiver verified
 * @tx_why:	the sender's failure, empty when it succeeded
 * @rx_why:	the receiver's failure, empty when it succeeded
 */
struct run {
	const struct backend *be;
	size_t size;
	uint64_t n;
	unsigned int batch;
	int sockbuf;
	sqn_net *tx;
	sqn_net *rx;
	atomic_int stop;
	pthread_barrier_t start;
	uint64_t t_end;
	uint64_t got;
	char tx_why[WHY_LEN];
	char rx_why[WHY_LEN];
};

static struct bufs b;

static void failf(char *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record the first failure of one side in @why (WHY_LEN bytes). */
static void failf(char *why, const char *fmt, ...)
{
	va_list ap;

	if (why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(why, WHY_LEN, fmt, ap);
	va_end(ap);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/**
 * bufs_init() - allocate and pre-fault the frame slots
 * @batch:	slots per direction
 * @max_size:	largest frame size
 *
 * Return: 0, or -ENOMEM.
 */
static int bufs_init(unsigned int batch, size_t max_size)
{
	static const uint8_t eth[SQN_ETH_HLEN] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02, /* destination */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* source */
		0x88, 0xb5, /* local experimental EtherType */
	};
	unsigned int i;

	b.slot = (max_size + 63) & ~(size_t)63;
	b.tx = malloc(batch * b.slot);
	b.rx = malloc(batch * b.slot);
	if (!b.tx || !b.rx)
		return -ENOMEM;
	memset(b.tx, 0xa5, batch * b.slot);
	memset(b.rx, 0, batch * b.slot);
	for (i = 0; i < batch; i++) {
		memcpy(b.tx + i * b.slot, eth, sizeof(eth));
		b.tx_pkt[i].iov = &b.tx_iov[i];
		b.tx_pkt[i].iovcnt = 1;
		b.rx_iov[i].iov_base = b.rx + i * b.slot;
		b.rx_iov[i].iov_len = b.slot;
		b.rx_pkt[i].iov = &b.rx_iov[i];
		b.rx_pkt[i].iovcnt = 1;
	}
	return 0;
}

/* Point the sender's descriptors at @size bytes of each slot. */
static void bufs_size(unsigned int batch, size_t size)
{
	unsigned int i;

	for (i = 0; i < batch; i++) {
		b.tx_iov[i].iov_base = b.tx + i * b.slot;
		b.tx_iov[i].iov_len = size;
	}
}

/* Number frame @f of @size bytes: @seq after the header, ~@seq at the end. */
static void stamp(uint8_t *f, size_t size, uint64_t seq)
{
	uint64_t inv = ~seq;

	memcpy(f + SEQ_OFF, &seq, sizeof(seq));
	memcpy(f + size - sizeof(inv), &inv, sizeof(inv));
}

/**
 * stamp_batch() - number the first @cnt sender slots from @seq on
 * @cnt:	frames
 * @size:	frame size
 * @seq:	number of the first
 */
static void stamp_batch(unsigned int cnt, size_t size, uint64_t seq)
{
	unsigned int i;

	for (i = 0; i < cnt; i++)
		stamp(b.tx + i * b.slot, size, seq + i);
}

/**
 * verify() - check @k received frames against what was sent
 * @k:		frames in b.rx_pkt
 * @size:	expected length of each
 * @seq:	expected number of the first
 * @why:	failure message
 *
 * Return: 0, or -1 with @why set.
 */
static int verify(unsigned int k, size_t size, uint64_t seq, char *why)
{
	unsigned int i;

	for (i = 0; i < k; i++) {
		const struct sqn_pkt *p = &b.rx_pkt[i];
		const uint8_t *f = b.rx_iov[i].iov_base;
		uint64_t head, tail;

		if (p->len != size || p->flags) {
			failf(why,
			      "frame %llu: length %zu, flags 0x%x (want %zu, 0)",
			      (unsigned long long)(seq + i), p->len,
			      (unsigned int)p->flags, size);
			return -1;
		}
		memcpy(&head, f + SEQ_OFF, sizeof(head));
		memcpy(&tail, f + size - sizeof(tail), sizeof(tail));
		if (head != seq + i || tail != ~(seq + i)) {
			failf(why,
			      "frame %llu: carries sequence number %llu, tail %#llx (out of order or corrupt)",
			      (unsigned long long)(seq + i),
			      (unsigned long long)head,
			      (unsigned long long)~tail);
			return -1;
		}
	}
	return 0;
}

/**
 * wait_fd() - poll sqn_fd(@net) for @events
 * @net:	attachment
 * @events:	POLLIN or POLLOUT
 * @stop:	gives up when the other side set it
 *
 * Return: 0 when ready (or hung up: the next call tells), -ECANCELED,
 * -ETIMEDOUT after STALL_MS without readiness, or a poll error.
 */
static int wait_fd(sqn_net *net, short events, atomic_int *stop)
{
	struct pollfd pfd = { .fd = sqn_fd(net), .events = events };
	int waited = 0, r;

	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		r = poll(&pfd, 1, POLL_SLICE_MS);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (!r) {
			waited += POLL_SLICE_MS;
			if (waited >= STALL_MS)
				return -ETIMEDOUT;
		}
	}
	return -ECANCELED;
}

static const char *wait_error(int r)
{
	if (r == -ETIMEDOUT)
		return "no progress for 10 s";
	if (r == -ECANCELED)
		return "gave up: the other side failed";
	return strerror(-r);
}

/**
 * recv_until() - loopback: receive and verify until @want frames came
 * @r:		the run
 * @want:	frames sent so far
 *
 * Return: 0, or -1 with r->rx_why set.
 */
static int recv_until(struct run *r, uint64_t want)
{
	while (r->got < want) {
		unsigned int cnt = want - r->got < r->batch ?
					   (unsigned int)(want - r->got) :
					   r->batch;
		int k = sqn_recv(r->rx, b.rx_pkt, cnt);

		if (k <= 0) {
			failf(r->rx_why,
			      "sqn_recv after %llu of %llu frames: %s (%s)",
			      (unsigned long long)r->got,
			      (unsigned long long)want, sqn_strerror(k),
			      sqn_last_error(r->rx));
			return -1;
		}
		if (verify((unsigned int)k, r->size, r->got, r->rx_why))
			return -1;
		r->got += (unsigned int)k;
	}
	return 0;
}

/**
 * make_room() - after a short send: wait until the socket takes more or,
 * for loopback, receive what is queued (the attachment gives it back)
 * @r:		the run
 * @queued:	frames sent so far
 *
 * Return: 0, or -1 with r->tx_why or r->rx_why set.
 */
static int make_room(struct run *r, uint64_t queued)
{
	int w;

	if (r->rx == r->tx) {
		if (r->got == queued) {
			failf(r->tx_why,
			      "sqn_send took nothing after %llu frames with none queued (%s)",
			      (unsigned long long)queued,
			      sqn_last_error(r->tx));
			return -1;
		}
		return recv_until(r, queued);
	}
	w = wait_fd(r->tx, POLLOUT, &r->stop);
	if (w) {
		failf(r->tx_why, "waiting to send frame %llu: %s",
		      (unsigned long long)queued, wait_error(w));
		return -1;
	}
	return 0;
}

/**
 * send_frames() - the sender: r->n frames, flushed (and for loopback,
 * all received back)
 * @r:		the run
 *
 * Return: 0, or -1 with r->tx_why or r->rx_why set.
 */
static int send_frames(struct run *r)
{
	uint64_t sent = 0;
	int k;

	while (sent < r->n) {
		unsigned int cnt = r->n - sent < r->batch ?
					   (unsigned int)(r->n - sent) :
					   r->batch;
		unsigned int done = 0;

		stamp_batch(cnt, r->size, sent);
		while (done < cnt) {
			k = sqn_send(r->tx, b.tx_pkt + done, cnt - done);
			if (k > 0) {
				done += (unsigned int)k;
			} else if (k != -EAGAIN) {
				failf(r->tx_why,
				      "sqn_send after %llu frames: %s (%s)",
				      (unsigned long long)(sent + done),
				      sqn_strerror(k), sqn_last_error(r->tx));
				return -1;
			}
			if (done < cnt && make_room(r, sent + done))
				return -1;
		}
		sent += cnt;
	}
	while ((k = sqn_flush(r->tx))) {
		if (k != -EAGAIN) {
			failf(r->tx_why, "sqn_flush: %s (%s)", sqn_strerror(k),
			      sqn_last_error(r->tx));
			return -1;
		}
		if (make_room(r, r->n))
			return -1;
	}
	return r->rx == r->tx ? recv_until(r, r->n) : 0;
}

/**
 * rx_main() - the receiver thread of a socket case
 * @arg:	the run
 *
 * Receives until r->n frames came, verifying each; sets r->t_end.
 *
 * Return: NULL.
 */
static void *rx_main(void *arg)
{
	struct run *r = arg;
	uint64_t got = 0;
	int k, w;

	pthread_barrier_wait(&r->start);
	while (got < r->n) {
		k = sqn_recv(r->rx, b.rx_pkt, r->batch);
		if (k > 0) {
			if ((uint64_t)k > r->n - got) {
				failf(r->rx_why,
				      "more than the %llu frames sent",
				      (unsigned long long)r->n);
				break;
			}
			if (verify((unsigned int)k, r->size, got, r->rx_why))
				break;
			got += (unsigned int)k;
			continue;
		}
		if (k != -EAGAIN) {
			failf(r->rx_why, "sqn_recv after %llu frames: %s (%s)",
			      (unsigned long long)got, sqn_strerror(k),
			      sqn_last_error(r->rx));
			break;
		}
		w = wait_fd(r->rx, POLLIN, &r->stop);
		if (w) {
			failf(r->rx_why, "waiting for frame %llu: %s",
			      (unsigned long long)got, wait_error(w));
			break;
		}
	}
	r->t_end = now_ns();
	r->got = got;
	if (got < r->n)
		atomic_store(&r->stop, 1);
	return NULL;
}

/**
 * open_net() - open one attachment of backend @be
 * @be:		backend
 * @fd:		socket for a stream backend, -1 for loopback
 * @out:	the attachment
 * @why:	failure message
 *
 * Return: 0, or -1 with @why set.
 */
static int open_net(const struct backend *be, int fd, sqn_net **out, char *why)
{
	struct sqn_config cfg;
	int r;

	sqn_config_init(&cfg);
	cfg.mode = be->mode;
	if (be->mode == SQN_MODE_STREAM) {
		cfg.peer_fd = fd;
		cfg.framing = be->framing;
	}
	r = sqn_open(&cfg, out);
	if (r) {
		failf(why, "sqn_open: %s (%s)", sqn_strerror(r),
		      sqn_last_error(NULL));
		return -1;
	}
	return 0;
}

/* Frames of @size do not fit @net: the case is skipped. */
static int too_big(sqn_net *net, size_t size, size_t *max)
{
	struct sqn_info info;

	if (sqn_info(net, &info))
		return 0;
	*max = info.max_packet_size;
	return size > info.max_packet_size;
}

/* One direction's counters against @n frames and @want_bytes bytes. */
static int check_dir(const char *dir, uint64_t frames, uint64_t bytes,
		     uint64_t dropped, uint64_t errors, uint64_t n,
		     uint64_t want_bytes, char *why)
{
	if (frames == n && bytes == want_bytes && !dropped && !errors)
		return 0;
	failf(why,
	      "%s stats: %llu frames, %llu bytes, %llu dropped, %llu errors (want %llu, %llu, 0, 0)",
	      dir, (unsigned long long)frames, (unsigned long long)bytes,
	      (unsigned long long)dropped, (unsigned long long)errors,
	      (unsigned long long)n, (unsigned long long)want_bytes);
	return -1;
}

/**
 * check_stats() - the counters of @net must show @n frames of @size
 * @net:	attachment
 * @tx:		check the transmit counters
 * @rx:		check the receive counters
 * @n:		frames
 * @size:	frame size
 * @why:	failure message
 *
 * Return: 0, or -1 with @why set.
 */
static int check_stats(sqn_net *net, int tx, int rx, uint64_t n, size_t size,
		       char *why)
{
	struct sqn_stats st;
	uint64_t bytes = n * size;

	if (sqn_stats(net, &st)) {
		failf(why, "sqn_stats failed");
		return -1;
	}
	if (tx && check_dir("tx", st.tx_frames, st.tx_bytes, st.tx_dropped,
			    st.tx_errors, n, bytes, why))
		return -1;
	if (rx && check_dir("rx", st.rx_frames, st.rx_bytes, st.rx_dropped,
			    st.rx_errors, n, bytes, why))
		return -1;
	return 0;
}

/* After the run nothing more may arrive. */
static int check_drained(sqn_net *net, char *why)
{
	int k = sqn_recv(net, b.rx_pkt, 1);

	if (k != -EAGAIN) {
		failf(why, "sqn_recv after the last frame: %d, want -EAGAIN",
		      k);
		return -1;
	}
	return 0;
}

/* Set both buffer sizes of both ends of the socketpair to @size. */
static int set_sockbuf(const int sv[2], int size, char *why)
{
	int i;

	for (i = 0; i < 2 && size; i++) {
		if (setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &size,
			       sizeof(size)) ||
		    setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &size,
			       sizeof(size))) {
			failf(why, "setsockopt: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/**
 * run_pair() - a socket case: a sender and a receiver thread
 * @r:		the run; r->tx_why holds the failure
 * @ns:		elapsed time
 * @skip:	set to the largest frame when r->size does not fit
 *
 * Return: 0, or -1 on failure.
 */
static int run_pair(struct run *r, uint64_t *ns, size_t *skip)
{
	pthread_t th;
	uint64_t t0;
	int sv[2], ret = -1;

	if (socketpair(AF_UNIX, r->be->sotype | SOCK_CLOEXEC, 0, sv)) {
		failf(r->tx_why, "socketpair: %s", strerror(errno));
		return -1;
	}
	if (set_sockbuf(sv, r->sockbuf, r->tx_why) ||
	    open_net(r->be, sv[0], &r->tx, r->tx_why) ||
	    open_net(r->be, sv[1], &r->rx, r->tx_why)) {
		close(sv[0]);
		close(sv[1]);
		goto out;
	}
	/* The library has its own duplicates. */
	close(sv[0]);
	close(sv[1]);
	if (too_big(r->tx, r->size, skip)) {
		ret = 0;
		goto out;
	}
	*skip = 0;
	if (pthread_barrier_init(&r->start, NULL, 2)) {
		failf(r->tx_why, "pthread_barrier_init failed");
		goto out;
	}
	if (pthread_create(&th, NULL, rx_main, r)) {
		failf(r->tx_why, "pthread_create failed");
		pthread_barrier_destroy(&r->start);
		goto out;
	}
	pthread_barrier_wait(&r->start);
	t0 = now_ns();
	if (send_frames(r))
		atomic_store(&r->stop, 1);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&r->start);
	*ns = r->t_end - t0;
	if (r->tx_why[0] || r->rx_why[0])
		goto out;
	if (check_drained(r->rx, r->rx_why) ||
	    check_stats(r->tx, 1, 0, r->n, r->size, r->tx_why) ||
	    check_stats(r->rx, 0, 1, r->n, r->size, r->rx_why))
		goto out;
	ret = 0;
out:
	sqn_close(r->tx);
	sqn_close(r->rx);
	r->tx = r->rx = NULL;
	return ret;
}

/**
 * run_loopback() - the loopback case: send a batch, receive it, repeat
 * @r:		the run; r->tx_why or r->rx_why holds the failure
 * @ns:		elapsed time
 * @skip:	set to the largest frame when r->size does not fit
 *
 * Return: 0, or -1 on failure.
 */
static int run_loopback(struct run *r, uint64_t *ns, size_t *skip)
{
	uint64_t t0;
	int ret = -1;

	if (open_net(r->be, -1, &r->tx, r->tx_why))
		return -1;
	r->rx = r->tx;
	if (too_big(r->tx, r->size, skip)) {
		ret = 0;
		goto out;
	}
	*skip = 0;
	t0 = now_ns();
	if (send_frames(r))
		goto out;
	*ns = now_ns() - t0;
	if (check_drained(r->rx, r->rx_why) ||
	    check_stats(r->tx, 1, 1, r->n, r->size, r->tx_why))
		goto out;
	ret = 0;
out:
	sqn_close(r->tx);
	r->tx = r->rx = NULL;
	return ret;
}

/**
 * run_case() - carry @n frames of @size over @be once
 * @be:		backend
 * @size:	frame size
 * @n:		frames
 * @o:		options (batch, sockbuf)
 * @ns:		elapsed time on success
 * @skip:	set to the backend's largest frame when @size does not fit
 *
 * Return: 0, or -1 after printing why.
 */
static int run_case(const struct backend *be, size_t size, uint64_t n,
		    const struct opts *o, uint64_t *ns, size_t *skip)
{
	struct run r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.be = be;
	r.size = size;
	r.n = n;
	r.batch = o->batch;
	r.sockbuf = o->sockbuf;
	atomic_init(&r.stop, 0);
	bufs_size(o->batch, size);
	*skip = 0;
	if (be->mode == SQN_MODE_LOOPBACK)
		ret = run_loopback(&r, ns, skip);
	else
		ret = run_pair(&r, ns, skip);
	if (ret) {
		if (r.tx_why[0])
			fprintf(stderr, "bench_stream: %s %zu: sender: %s\n",
				be->name, size, r.tx_why);
		if (r.rx_why[0])
			fprintf(stderr, "bench_stream: %s %zu: receiver: %s\n",
				be->name, size, r.rx_why);
	}
	return ret;
}

/**
 * frames_for() - how many frames take about @seconds, from short runs
 * @be:		backend
 * @size:	frame size
 * @o:		options
 * @n:		the count
 * @skip:	as for run_case()
 *
 * Return: 0, or -1 when a calibration run failed.
 */
static int frames_for(const struct backend *be, size_t size,
		      const struct opts *o, uint64_t *n, size_t *skip)
{
	uint64_t try = 1024, ns = 0;
	double want;

	for (;;) {
		if (run_case(be, size, try, o, &ns, skip))
			return -1;
		if (*skip)
			return 0;
		if (ns >= CALIBRATE_NS || try >= (1ull << 36))
			break;
		try *= 4;
	}
	want = (double)try * o->seconds * 1e9 / (double)(ns ? ns : 1);
	*n = want < 1000 ? 1000 : (uint64_t)want;
	return 0;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: bench_stream [--frames N] [--sizes S,...] [--time SEC]\n"
		"                    [--batch N] [--backends B,...] [--sockbuf BYTES]\n"
		"                    [--help]\n"
		"\n"
		"Carry frames through libsquibnet attachments and print frames/s\n"
		"and Gbit/s (frame bytes, framing headers excluded). Socket\n"
		"backends run a sender and a receiver thread on a socketpair;\n"
		"loopback sends until its queue is full, then receives, on one\n"
		"thread. Every frame's length, order and content are checked,\n"
		"and the stats.\n"
		"\n"
		"  --frames N      frames per case (default: about --time)\n"
		"  --sizes S,...   frame sizes in bytes, %d..%d (default 64,1514)\n"
		"  --time SEC      target seconds per case (default %.1f)\n"
		"  --batch N       frames per sqn_send/sqn_recv, 1..%d (default %d)\n"
		"  --backends B,.. any of:",
		SIZE_MIN, SQN_FRAME_MAX, SECONDS_DEFAULT, BATCH_MAX,
		BATCH_DEFAULT);
	for (i = 0; i < NBACKENDS; i++)
		fprintf(f, " %s%s", backends[i].name,
			backends[i].def ? "" : "*");
	fprintf(f,
		"\n"
		"                  or all (default: all but *)\n"
		"  --sockbuf BYTES SO_SNDBUF and SO_RCVBUF of the socketpair\n"
		"                  (default: the system's)\n"
		"  --help          this text\n"
		"\n"
		"Exit status: 0 when every case verified, 1 when one failed,\n"
		"2 for bad arguments.\n");
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || x < min || x > max)
		return -1;
	*v = x;
	return 0;
}

static int parse_sizes(const char *arg, struct opts *o)
{
	char buf[256], *tok, *save = NULL;
	uint64_t v;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	memcpy(buf, arg, strlen(arg) + 1);
	o->nsizes = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->nsizes == SIZES_MAX ||
		    parse_u64(tok, SIZE_MIN, SQN_FRAME_MAX, &v))
			return -1;
		o->sizes[o->nsizes++] = (size_t)v;
	}
	return o->nsizes ? 0 : -1;
}

static int parse_backends(const char *arg, struct opts *o)
{
	char buf[256], *tok, *save = NULL;
	size_t i;
	int any = 0;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	memcpy(buf, arg, strlen(arg) + 1);
	memset(o->use, 0, sizeof(o->use));
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int found = 0;

		for (i = 0; i < NBACKENDS; i++) {
			if (!strcmp(tok, "all") ||
			    !strcmp(tok, backends[i].name)) {
				o->use[i] = 1;
				found = 1;
			}
		}
		if (!found)
			return -1;
		any = 1;
	}
	return any ? 0 : -1;
}

/**
 * parse_args() - fill @o from the command line
 * @argc:	argument count
 * @argv:	arguments
 * @o:		options
 *
 * Return: 0 to run, 1 after --help, -1 on a bad argument (reported).
 */
static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "frames", required_argument, NULL, 'n' },
		{ "sizes", required_argument, NULL, 's' },
		{ "time", required_argument, NULL, 't' },
		{ "batch", required_argument, NULL, 'b' },
		{ "backends", required_argument, NULL, 'B' },
		{ "sockbuf", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	size_t i;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->seconds = SECONDS_DEFAULT;
	o->batch = BATCH_DEFAULT;
	o->sizes[0] = 64;
	o->sizes[1] = 1514;
	o->nsizes = 2;
	for (i = 0; i < NBACKENDS; i++)
		o->use[i] = backends[i].def;
	while ((c = getopt_long(argc, argv, "n:s:t:b:B:S:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'n':
			if (parse_u64(optarg, 1, 1ull << 40, &o->frames))
				goto bad;
			break;
		case 's':
			if (parse_sizes(optarg, o))
				goto bad;
			break;
		case 't':
			o->seconds = strtod(optarg, &end);
			if (end == optarg || *end || !(o->seconds > 0) ||
			    o->seconds > 3600)
				goto bad;
			break;
		case 'b':
			if (parse_u64(optarg, 1, BATCH_MAX, &v))
				goto bad;
			o->batch = (unsigned int)v;
			break;
		case 'B':
			if (parse_backends(optarg, o))
				goto bad;
			break;
		case 'S':
			if (parse_u64(optarg, 1, 1 << 30, &v))
				goto bad;
			o->sockbuf = (int)v;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bench_stream: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "bench_stream: bad value '%s' for --%s\n", optarg,
		c == 'n' ? "frames" :
		c == 's' ? "sizes" :
		c == 't' ? "time" :
		c == 'b' ? "batch" :
		c == 'B' ? "backends" :
			   "sockbuf");
	usage(stderr);
	return -1;
}

/**
 * bench_one() - measure and print one row: @be carrying frames of @size
 * @be:		backend
 * @size:	frame size
 * @o:		options
 *
 * Return: 0, or -1 when a run failed verification.
 */
static int bench_one(const struct backend *be, size_t size,
		     const struct opts *o)
{
	uint64_t n = o->frames, ns = 0;
	size_t skip = 0;
	double s;

	if (!n && frames_for(be, size, o, &n, &skip)) {
		printf("%-9s %6zu %11s   FAILED while calibrating\n", be->name,
		       size, "");
		return -1;
	}
	if (!skip && run_case(be, size, n, o, &ns, &skip)) {
		printf("%-9s %6zu %11llu   FAILED\n", be->name, size,
		       (unsigned long long)n);
		return -1;
	}
	if (skip) {
		printf("%-9s %6zu   skipped: frames above %zu bytes\n",
		       be->name, size, skip);
		return 0;
	}
	s = ns ? (double)ns / 1e9 : 1e-9;
	printf("%-9s %6zu %11llu %8.3f %12.0f %8.2f %9.1f\n", be->name, size,
	       (unsigned long long)n, s, (double)n / s,
	       (double)n * (double)size * 8 / s / 1e9, s * 1e9 / (double)n);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	size_t i, max = 0;
	unsigned int j, failed = 0;
	int r;

	r = parse_args(argc, argv, &o);
	if (r)
		return r > 0 ? 0 : 2;
	for (j = 0; j < o.nsizes; j++)
		max = o.sizes[j] > max ? o.sizes[j] : max;
	if (bufs_init(o.batch, max)) {
		fprintf(stderr, "bench_stream: out of memory\n");
		return 1;
	}
	printf("libsquibnet %s, %u frames per call\n", SQN_VERSION_STRING,
	       o.batch);
	printf("%-9s %6s %11s %8s %12s %8s %9s\n", "backend", "size", "frames",
	       "seconds", "frames/s", "Gbit/s", "ns/frame");
	fflush(stdout);
	for (i = 0; i < NBACKENDS; i++) {
		for (j = 0; j < o.nsizes && o.use[i]; j++) {
			if (bench_one(&backends[i], o.sizes[j], &o))
				failed++;
			fflush(stdout);
		}
	}
	free(b.tx);
	free(b.rx);
	if (failed)
		fprintf(stderr, "bench_stream: %u case%s failed\n", failed,
			failed == 1 ? "" : "s");
	return failed ? 1 : 0;
}
