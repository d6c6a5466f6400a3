// SPDX-License-Identifier: MIT
/* bench_framing.c - the receive side of a stream relay: decoder, backend, naive
 *
 * Three ways to turn a QEMU-framed byte stream (4-byte big-endian length,
 * then the frame) into frames, each timed at the same frame sizes:
 *   decoder  framing_dec from memory, each frame copied out as sqn_recv()
 *            copies it into the caller's buffer (no syscalls at all);
 *   stream   the stream backend on a socketpair: sqn_recv() of 64 frames;
 *   naive    the original design: one read() for the length, a fresh
 *            buffer (malloc) and one read() for the body, per frame.
 * A sender thread writes the same pre-framed bytes, 1 MiB per send(), for
 * both socket cases, so the two differ only in how they receive. Each case
 * runs --runs times; the median is printed, with heap allocations per
 * frame counted over the timed part (tests/alloc_count.c), and the ratio
 * of stream to naive. --csv prints comma-separated lines instead.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "alloc_count.h"
#include "framing.h"
#include "squibnet.h"
#include "stream.h"

#define SIZES_MAX 8
#define RUNS_MAX 15
#define BATCH 64
#define CHUNK (1024 * 1024) /* bytes per send() of the sender */
#define CASES 3

enum { CASE_DECODER, CASE_STREAM, CASE_NAIVE };

static const char *const case_names[CASES] = { "decoder", "stream", "naive" };

/**
 * struct feed - a chunk of whole framed frames, sent over and over
 * @buf:	CHUNK bytes or fewer: frames, each behind its 4-byte length
 * @len:	bytes used in @buf
 * @frames:	frames in @buf
 * @fd:		socket the sender writes to (socket cases)
 * @stop:	set by the receiver when its time is up
 */
struct feed {
	uint8_t *buf;
	size_t len;
	size_t frames;
	int fd;
	atomic_int stop;
};

/**
 * struct result - one timed case
 * @frames:	frames received
 * @ns:		time taken
 * @allocs:	heap allocations while timed
 */
struct result {
	uint64_t frames;
	uint64_t ns;
	long allocs;
};

static uint8_t *rx_slots; /* BATCH frames of SQN_FRAME_MAX, for sqn_recv() */
static uint8_t *dec_buf; /* the decoder case's receive buffer */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Fill @f with as many framed frames of @size as fit in CHUNK bytes. */
static void feed_fill(struct feed *f, size_t size)
{
	uint8_t *p = f->buf;

	f->frames = 0;
	while ((size_t)(p - f->buf) + FRAMING_HDR_MAX + size <= CHUNK) {
		p += framing_encode(SQN_FRAMING_QEMU, size, p);
		memset(p, 0xa5, size);
		p += size;
		f->frames++;
	}
	f->len = (size_t)(p - f->buf);
}

/* The sender thread: the chunk, again and again, until told to stop. */
static void *sender_main(void *arg)
{
	struct feed *f = arg;

	while (!atomic_load_explicit(&f->stop, memory_order_relaxed)) {
		size_t off = 0;

		while (off < f->len) {
			ssize_t m = send(f->fd, f->buf + off, f->len - off,
					 MSG_NOSIGNAL);

			if (m < 0 && errno == EINTR)
				continue;
			if (m <= 0)
				return NULL; /* the receiver closed its end */
			off += (size_t)m;
		}
	}
	return NULL;
}

/**
 * run_decoder() - frames through framing_dec from memory for @ns_want
 * @f:		the chunk
 * @size:	frame size
 * @ns_want:	how long
 * @res:	the result
 *
 * Return: 0, or -1 when a frame came out wrong.
 */
static int run_decoder(struct feed *f, size_t size, uint64_t ns_want,
		       struct result *res)
{
	size_t dsize = framing_buf_min(SQN_FRAMING_QEMU, SQN_FRAME_MAX) +
		       STREAM_RX_MIN;
	struct framing_dec d;
	uint64_t t0 = now_ns(), n = 0;
	long a0 = alloc_count_calls();
	size_t off = 0;

	if (framing_dec_init(&d, SQN_FRAMING_QEMU, SQN_FRAME_MAX, dec_buf,
			     dsize))
		return -1;
	do {
		unsigned int k;

		for (k = 0; k < 64; k++) {
			const uint8_t *frame;
			size_t len, room, take;
			uint8_t *at;
			int r;

			room = framing_dec_space(&d, &at);
			take = f->len - off < room ? f->len - off : room;
			memcpy(at, f->buf + off, take);
			framing_dec_commit(&d, take);
			off = (off + take) % f->len;
			while ((r = framing_dec_next(&d, &frame, &len)) == 1) {
				if (len != size)
					return -1;
				memcpy(rx_slots + (n % BATCH) * SQN_FRAME_MAX,
				       frame, len);
				n++;
			}
			if (r < 0)
				return -1;
		}
	} while (now_ns() - t0 < ns_want);
	res->ns = now_ns() - t0;
	res->frames = n;
	res->allocs = alloc_count_calls() - a0;
	return 0;
}

/* read() exactly @len bytes; 0, or -1 at the end of the stream. */
static int read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t m = read(fd, p, len);

		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			return -1;
		p += m;
		len -= (size_t)m;
	}
	return 0;
}

/* The naive receiver on @fd: returns frames taken in @ns_want, or -1. */
static int64_t recv_naive(int fd, size_t size, uint64_t ns_want)
{
	uint64_t t0 = now_ns(), n = 0;

	do {
		uint8_t hdr[4], *frame;
		size_t len;

		if (read_full(fd, hdr, sizeof(hdr)))
			return -1;
		len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 |
		      (size_t)hdr[2] << 8 | hdr[3];
		if (len != size)
			return -1;
		frame = malloc(len);
		if (!frame || read_full(fd, frame, len)) {
			free(frame);
			return -1;
		}
		free(frame);
		n++;
	} while ((n & 15) || now_ns() - t0 < ns_want);
	return (int64_t)n;
}

/* The stream backend's receiver on @net: frames in @ns_want, or -1. */
static int64_t recv_stream(sqn_net *net, struct sqn_pkt *pkts, size_t size,
			   uint64_t ns_want)
{
	struct pollfd pfd = { .fd = sqn_fd(net), .events = POLLIN };
	uint64_t t0 = now_ns(), n = 0;

	do {
		int k = sqn_recv(net, pkts, BATCH), i;

		if (k == -EAGAIN) {
			if (poll(&pfd, 1, 1000) <= 0)
				return -1;
			continue;
		}
		if (k < 0)
			return -1;
		for (i = 0; i < k; i++)
			if (pkts[i].len != size || pkts[i].flags)
				return -1;
		n += (uint64_t)k;
	} while (now_ns() - t0 < ns_want);
	return (int64_t)n;
}

/**
 * run_socket() - a sender thread and one of the receivers on a socketpair
 * @f:		the chunk
 * @which:	CASE_STREAM or CASE_NAIVE
 * @size:	frame size
 * @ns_want:	how long
 * @res:	the result
 *
 * Return: 0, or -1.
 */
static int run_socket(struct feed *f, int which, size_t size, uint64_t ns_want,
		      struct result *res)
{
	static struct iovec iov[BATCH];
	static struct sqn_pkt pkts[BATCH];
	struct sqn_config cfg;
	sqn_net *net = NULL;
	pthread_t th;
	int sv[2], ret = -1, i;
	uint64_t t0;
	int64_t n;
	long a0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	f->fd = sv[0];
	if (which == CASE_STREAM) {
		sqn_config_init(&cfg);
		cfg.mode = SQN_MODE_STREAM;
		cfg.framing = SQN_FRAMING_QEMU;
		cfg.peer_fd = sv[1];
		if (sqn_open(&cfg, &net))
			goto out;
		for (i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ rx_slots + i * SQN_FRAME_MAX,
						 SQN_FRAME_MAX };
			pkts[i] =
				(struct sqn_pkt){ .iov = &iov[i], .iovcnt = 1 };
		}
	}
	atomic_store(&f->stop, 0);
	if (pthread_create(&th, NULL, sender_main, f))
		goto out;
	a0 = alloc_count_calls();
	t0 = now_ns();
	n = which == CASE_STREAM ? recv_stream(net, pkts, size, ns_want) :
				   recv_naive(sv[1], size, ns_want);
	res->ns = now_ns() - t0;
	res->allocs = alloc_count_calls() - a0;
	atomic_store(&f->stop, 1);
	/* The sender may be blocked in send(): a shutdown wakes it. */
	shutdown(sv[1], SHUT_RDWR);
	pthread_join(th, NULL);
	if (n >= 0) {
		res->frames = (uint64_t)n;
		ret = 0;
	}
out:
	sqn_close(net);
	close(sv[0]);
	close(sv[1]);
	return ret;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of @n values (sorted in place). */
static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/**
 * bench_size() - every case at @size, @runs times each, interleaved
 * @f:		the chunk buffer
 * @size:	frame size
 * @runs:	runs per case
 * @ns_want:	time per run
 * @csv:	print CSV lines instead of the table's
 * @fps:	the median frames/s of each case
 *
 * Return: 0, or -1 when a case failed.
 */
static int bench_size(struct feed *f, size_t size, unsigned int runs,
		      uint64_t ns_want, int csv, double fps[CASES])
{
	double v[CASES][RUNS_MAX], apf[CASES][RUNS_MAX];
	unsigned int run;
	int c;

	feed_fill(f, size);
	for (run = 0; run < runs; run++) {
		for (c = 0; c < CASES; c++) {
			struct result res = { 0, 1, 0 };
			int r = c == CASE_DECODER ?
					run_decoder(f, size, ns_want, &res) :
					run_socket(f, c, size, ns_want, &res);

			if (r || !res.frames) {
				fprintf(stderr,
					"bench_framing: %s at %zu bytes failed\n",
					case_names[c], size);
				return -1;
			}
			v[c][run] = (double)res.frames * 1e9 / (double)res.ns;
			apf[c][run] = (double)res.allocs / (double)res.frames;
		}
	}
	for (c = 0; c < CASES; c++) {
		double m = median(v[c], runs), a = median(apf[c], runs);
		double gbit = m * (double)size * 8 / 1e9;

		fps[c] = m;
		if (csv)
			printf("micro,%s,%zu,%.0f,%.3f,%.3f\n", case_names[c],
			       size, m, gbit, a);
		else
			printf("%-8s %6zu %12.0f %8.2f %8.3f\n", case_names[c],
			       size, m, gbit, a);
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_framing [--sizes S,...] [--time SEC] [--runs N] [--csv]\n"
		"\n"
		"Frames/s and Gbit/s of the receive side of a stream relay at each\n"
		"size (default 64,1514,9000,65535): framing_dec from memory, the\n"
		"stream backend on a socketpair, and a naive receiver (a read for\n"
		"the length, a malloc and a read for the body, per frame); heap\n"
		"allocations per frame; medians of --runs (3) runs of --time (1) s.\n");
}

/* Parse the options into the out-parameters; 0, or -1 for bad ones. */
static int parse_args(int argc, char **argv, size_t *sizes,
		      unsigned int *nsizes, double *secs, unsigned int *runs,
		      int *csv)
{
	static const struct option longopts[] = {
		{ "sizes", required_argument, NULL, 's' },
		{ "time", required_argument, NULL, 't' },
		{ "runs", required_argument, NULL, 'r' },
		{ "csv", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end, *tok;
	int o;

	while ((o = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (o) {
		case 's':
			*nsizes = 0;
			for (tok = strtok(optarg, ","); tok;
			     tok = strtok(NULL, ",")) {
				unsigned long s = strtoul(tok, &end, 10);

				if (*end || s < SQN_ETH_HLEN ||
				    s > SQN_FRAME_MAX || *nsizes == SIZES_MAX)
					return -1;
				sizes[(*nsizes)++] = s;
			}
			break;
		case 't':
			*secs = strtod(optarg, &end);
			if (*end || *secs <= 0 || *secs > 60)
				return -1;
			break;
		case 'r':
			*runs = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !*runs || *runs > RUNS_MAX)
				return -1;
			break;
		case 'c':
			*csv = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	return optind == argc && *nsizes ? 0 : -1;
}

int main(int argc, char **argv)
{
	size_t sizes[SIZES_MAX] = { 64, 1514, 9000, 65535 };
	unsigned int nsizes = 4, runs = 3, i;
	double secs = 1, fps[CASES];
	struct feed f = { .fd = -1 };
	int csv = 0, failed = 0;

	if (parse_args(argc, argv, sizes, &nsizes, &secs, &runs, &csv)) {
		usage(stderr);
		return 2;
	}
	f.buf = malloc(CHUNK);
	rx_slots = calloc(BATCH, SQN_FRAME_MAX);
	dec_buf = malloc(framing_buf_min(SQN_FRAMING_QEMU, SQN_FRAME_MAX) +
			 STREAM_RX_MIN);
	if (!f.buf || !rx_slots || !dec_buf) {
		fprintf(stderr, "bench_framing: out of memory\n");
		return 1;
	}
	if (!csv)
		printf("%-8s %6s %12s %8s %8s  (median of %u runs of %.1f s)\n",
		       "case", "size", "frames/s", "Gbit/s", "allocs", runs,
		       secs);
	for (i = 0; i < nsizes; i++) {
		if (bench_size(&f, sizes[i], runs, (uint64_t)(secs * 1e9), csv,
			       fps)) {
			failed++;
			continue;
		}
		if (csv)
			printf("micro_ratio,stream/naive,%zu,%.2f\n", sizes[i],
			       fps[CASE_STREAM] / fps[CASE_NAIVE]);
		else
			printf("%-8s %6zu %11.2fx\n", "str/nai", sizes[i],
			       fps[CASE_STREAM] / fps[CASE_NAIVE]);
	}
	free(f.buf);
	free(rx_slots);
	free(dec_buf);
	return failed ? 1 : 0;
}
