// SPDX-License-Identifier: MIT
/* demo.c - "squib-net demo": frames through the stream backend to a peer it starts */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "parent.h"
#include "util.h"

#define DEMO_BATCH 64
#define DEMO_FRAME_MAX 1514
#define DEMO_ETHERTYPE 0x88b5 /* IEEE local experimental */

struct demo {
	enum sqn_mode mode;
	enum sqn_framing framing;
	unsigned long frames;
	char dir[64];
	char path[108];
	int listen_fd;
	pid_t peer;
	sqn_net *net;
	uint8_t tx[DEMO_BATCH][DEMO_FRAME_MAX];
	uint8_t rx[DEMO_BATCH][DEMO_FRAME_MAX];
	struct iovec txiov[DEMO_BATCH], rxiov[DEMO_BATCH];
	struct sqn_pkt txp[DEMO_BATCH], rxp[DEMO_BATCH];
};

void usage_demo(void)
{
	printf("usage: squib-net demo [--mode stream|loopback] [--frames N]\n"
	       "                      [--framing qemu|hyperkit]\n"
	       "\n"
	       "Starts a peer process that listens on a unix socket and echoes\n"
	       "every frame (a QEMU -netdev stream peer), attaches to it with\n"
	       "the stream backend, sends N Ethernet frames of 60 to 1514 bytes\n"
	       "(default 10000), checks that each comes back intact and in\n"
	       "order, and prints the attachment's stats. With --mode loopback\n"
	       "no peer is started. Exit status 0 when every frame came back.\n");
}

/* The peer: a separate process, as a QEMU stream peer would be. A
 * program that went away is a write error, not a signal (SIG_IGN rather
 * than Linux's MSG_NOSIGNAL: macOS has none). */
static void demo_peer(int listen_fd)
{
	static uint8_t buf[256 * 1024];
	int fd;

	parent_death_kills();
	signal(SIGPIPE, SIG_IGN);
	fd = accept(listen_fd, NULL, NULL);
	if (fd < 0)
		_exit(1);
	for (;;) {
		ssize_t m = recv(fd, buf, sizeof(buf), 0), off = 0;

		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			_exit(m ? 1 : 0);
		while (off < m) {
			ssize_t w = send(fd, buf + off, (size_t)(m - off), 0);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				_exit(0);
			off += w;
		}
	}
}

static int demo_start_peer(struct demo *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(d->dir, sizeof(d->dir), "/tmp/squib-net-demo.XXXXXX");
	if (!mkdtemp(d->dir)) {
		d->dir[0] = '\0';
		err("cannot make a temporary directory: %s", strerror(errno));
		return -1;
	}
	snprintf(d->path, sizeof(d->path), "%s/peer.sock", d->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->path);
	/* Close-on-exec by fcntl(): macOS has no SOCK_CLOEXEC (no thread
	 * here could exec in between). */
	d->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (d->listen_fd < 0 || fcntl(d->listen_fd, F_SETFD, FD_CLOEXEC) ||
	    bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(d->listen_fd, 1)) {
		err("peer socket %s: %s", d->path, strerror(errno));
		return -1;
	}
	d->peer = fork();
	if (d->peer < 0) {
		err("fork: %s", strerror(errno));
		return -1;
	}
	if (!d->peer)
		demo_peer(d->listen_fd);
	info("peer (pid %d) listening on %s", (int)d->peer, d->path);
	return 0;
}

static void demo_cleanup(struct demo *d)
{
	int status;

	sqn_close(d->net);
	d->net = NULL;
	if (d->listen_fd >= 0)
		close(d->listen_fd);
	if (d->peer > 0) {
		/* It exits on EOF; it is ours, so ending it by pid is fine. */
		if (waitpid(d->peer, &status, WNOHANG) == 0) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };
			int i;

			for (i = 0; i < 50; i++) {
				if (waitpid(d->peer, &status, WNOHANG))
					break;
				nanosleep(&ts, NULL);
			}
			if (i == 50) {
				kill(d->peer, SIGKILL);
				waitpid(d->peer, &status, 0);
			}
		}
	}
	if (d->path[0])
		unlink(d->path);
	if (d->dir[0])
		rmdir(d->dir);
}

static void demo_fill(struct demo *d, unsigned int i, uint32_t seq,
		      const uint8_t *mac)
{
	size_t len = 60 + (seq * 97) % (DEMO_FRAME_MAX - 59), k;
	uint8_t *f = d->tx[i];

	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = DEMO_ETHERTYPE >> 8;
	f[13] = DEMO_ETHERTYPE & 0xff;
	memcpy(f + 14, &seq, 4);
	for (k = 18; k < len; k++)
		f[k] = (uint8_t)(seq + k);
	d->txiov[i] = (struct iovec){ f, len };
	d->txp[i] = (struct sqn_pkt){ .iov = &d->txiov[i], .iovcnt = 1 };
}

static int demo_ok(const struct demo *d, unsigned int i, uint32_t seq)
{
	const uint8_t *f = d->rx[i];
	uint32_t got;
	size_t k;

	if (d->rxp[i].flags || d->rxp[i].len != d->txiov[i].iov_len)
		return 0;
	memcpy(&got, f + 14, 4);
	if (got != seq || memcmp(f, d->tx[i], 14))
		return 0;
	for (k = 18; k < d->rxp[i].len; k++)
		if (f[k] != (uint8_t)(seq + k))
			return 0;
	return 1;
}

/* Send one batch and take it back, waiting on sqn_fd() as a VMM would. */
static int demo_batch(struct demo *d, unsigned int n, uint32_t seq)
{
	unsigned int sent = 0, got = 0, i;
	int idle = 0, r;

	for (i = 0; i < n; i++) {
		d->rxiov[i] = (struct iovec){ d->rx[i], DEMO_FRAME_MAX };
		d->rxp[i] =
			(struct sqn_pkt){ .iov = &d->rxiov[i], .iovcnt = 1 };
	}
	while (got < n) {
		struct pollfd p = { sqn_fd(d->net), POLLIN, 0 };

		if (sent < n) {
			r = sqn_send(d->net, d->txp + sent, n - sent);
			if (r > 0)
				sent += (unsigned int)r;
			else if (r != -EAGAIN)
				return r;
		}
		r = sqn_recv(d->net, d->rxp + got, n - got);
		if (r > 0) {
			got += (unsigned int)r;
			idle = 0;
			continue;
		}
		if (r != -EAGAIN)
			return r;
		if (sent < n || sqn_flush(d->net) == -EAGAIN)
			p.events |= POLLOUT;
		if (!poll(&p, 1, 100) && ++idle > 50)
			return -ETIMEDOUT;
	}
	for (i = 0; i < n; i++)
		if (!demo_ok(d, i, seq + i))
			return -EBADMSG;
	return 0;
}

static int demo_parse(struct demo *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "frames", required_argument, NULL, 'n' },
		{ "framing", required_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "m:n:f:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (sqn_mode_parse(optarg, &d->mode) ||
			    (d->mode != SQN_MODE_STREAM &&
			     d->mode != SQN_MODE_LOOPBACK)) {
				err("demo: --mode takes stream or loopback, not %s",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (parse_uint(optarg, 100000000, &d->frames) ||
			    !d->frames) {
				err("demo: --frames takes a number from 1 to 100000000, not %s",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if (!strcmp(optarg, "qemu")) {
				d->framing = SQN_FRAMING_QEMU;
			} else if (!strcmp(optarg, "hyperkit")) {
				d->framing = SQN_FRAMING_HYPERKIT;
			} else {
				err("demo: --framing takes qemu or hyperkit, not %s",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'v':
			log_verbose = 1;
			break;
		case 'h':
			usage_demo();
			return -1;
		default:
			err("demo: unknown or incomplete option %s (see squib-net help demo)",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		err("demo: unexpected argument %s", argv[optind]);
		return EXIT_USAGE;
	}
	return 0;
}

static int demo_run(struct demo *d)
{
	struct sqn_config cfg;
	struct sqn_info in;
	struct timespec t0, t1;
	unsigned long done = 0;
	double secs;
	int r;

	if (d->mode == SQN_MODE_STREAM && demo_start_peer(d))
		return 1;
	sqn_config_init(&cfg);
	cfg.mode = d->mode;
	cfg.peer_path = d->mode == SQN_MODE_STREAM ? d->path : NULL;
	cfg.framing = d->framing;
	cfg.log = log_lib;
	r = sqn_open(&cfg, &d->net);
	if (r) {
		err("attach: %s", sqn_last_error(NULL));
		return 1;
	}
	sqn_info(d->net, &in);
	info("attached in %s mode: guest %02x:%02x:%02x:%02x:%02x:%02x, mtu %u, link %s",
	     sqn_mode_name(in.mode), in.guest_mac[0], in.guest_mac[1],
	     in.guest_mac[2], in.guest_mac[3], in.guest_mac[4], in.guest_mac[5],
	     in.mtu, in.link_up ? "up" : "down");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < d->frames) {
		unsigned int n = d->frames - done < DEMO_BATCH ?
					 (unsigned int)(d->frames - done) :
					 DEMO_BATCH;
		unsigned int i;

		for (i = 0; i < n; i++)
			demo_fill(d, i, (uint32_t)(done + i), in.guest_mac);
		r = demo_batch(d, n, (uint32_t)done);
		if (r) {
			err("after %lu frames: %s%s%s", done,
			    r == -EBADMSG ? "a frame came back changed" :
					    sqn_strerror(r),
			    r == -ENOTCONN ? ": " : "",
			    r == -ENOTCONN ? sqn_last_error(d->net) : "");
			print_stats(stdout, d->net);
			return 1;
		}
		done += n;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	info("%lu frames out, %lu back intact and in order, in %.3f s (%.0f frames/s each way)",
	     done, done, secs, secs > 0 ? (double)done / secs : 0.0);
	print_stats(stdout, d->net);
	return 0;
}

/**
 * cmd_demo() - "squib-net demo"
 * @argc:	arguments from "demo" on
 * @argv:	them
 *
 * Return: exit status.
 */
int cmd_demo(int argc, char **argv)
{
	static struct demo d;
	int r;

	d.mode = SQN_MODE_STREAM;
	d.frames = 10000;
	d.listen_fd = -1;
	r = demo_parse(&d, argc, argv);
	if (r)
		return r < 0 ? 0 : r;
	r = demo_run(&d);
	demo_cleanup(&d);
	return r;
}
