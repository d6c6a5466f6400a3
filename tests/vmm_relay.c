// SPDX-License-Identifier: MIT
/* vmm_relay.c - what a VMM does with libsquibnet: frames between a QEMU stream socket and a network */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "forward.h"
#include "squibnet.h"

/*
 * vmm_relay --stream SOCK|--listen SOCK [--mode shared|host|userspace|loopback]
 *           [--network NAME] [--subnet A.B.C.D/N] [--dns-upstream LIST]
 *           [--dns-hosts FILE] [--pid-file FILE] [--helper passt|slirp|gvproxy]
 *           [--forward tcp|udp:[ADDR:]HOST_PORT[:GUEST_PORT]]...
 *
 * Attachment A is SQN_MODE_STREAM on SOCK (a QEMU -netdev stream listening
 * there), or with --listen on the first connection to a socket it listens
 * on at SOCK (squib-net guest --mode stream --peer SOCK, which connects);
 * attachment B is the network of --mode (default shared), opened before
 * that connection is accepted. Frames
 * go both ways until A's link goes down (QEMU ended: exit 0) or SIGTERM or
 * SIGINT (exit 0); then both are closed, which removes what B made. The
 * pid file is written once both are open. At the end one line of counts
 * goes to stderr: "vmm_relay: guest->net N frames, net->guest M frames".
 * --helper and --forward (at most RELAY_FWD_MAX) go to B's config
 * (userspace: the helper, and sqn_config.forwards).
 * Exit 1 when an attachment fails, 2 for a usage error.
 */

#define BATCH 32
#define FRAME (SQN_FRAME_MAX + 64)

/**
 * struct way - one direction: frames received from @from, waiting for @to
 * @from:	attachment frames are received from
 * @to:		attachment they are sent to
 * @buf:	a buffer per frame, allocated once (none per frame)
 * @rx_iov:	whole buffers, for sqn_recv()
 * @rx:		descriptors for sqn_recv()
 * @tx_iov:	the frames as received, for sqn_send()
 * @tx:		descriptors for sqn_send()
 * @first:	first frame not yet accepted by @to
 * @count:	frames held (0: receive more)
 * @frames:	frames @to accepted
 */
struct way {
	sqn_net *from;
	sqn_net *to;
	uint8_t (*buf)[FRAME];
	struct iovec rx_iov[BATCH];
	struct sqn_pkt rx[BATCH];
	struct iovec tx_iov[BATCH];
	struct sqn_pkt tx[BATCH];
	unsigned int first;
	unsigned int count;
	unsigned long long frames;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/**
 * way_init() - buffers and descriptors of a direction
 * @w:		direction
 * @from:	attachment to receive from
 * @to:		attachment to send to
 *
 * Return: 0, or -ENOMEM.
 */
static int way_init(struct way *w, sqn_net *from, sqn_net *to)
{
	unsigned int i;

	memset(w, 0, sizeof(*w));
	w->from = from;
	w->to = to;
	w->buf = calloc(BATCH, FRAME);
	if (!w->buf)
		return -ENOMEM;
	for (i = 0; i < BATCH; i++) {
		w->rx_iov[i].iov_base = w->buf[i];
		w->rx_iov[i].iov_len = FRAME;
		w->rx[i].iov = &w->rx_iov[i];
		w->rx[i].iovcnt = 1;
		w->tx_iov[i].iov_base = w->buf[i];
		w->tx[i].iov = &w->tx_iov[i];
		w->tx[i].iovcnt = 1;
	}
	return 0;
}

/**
 * way_pump() - move frames until a side would block
 * @w:		direction
 * @ev_from:	POLLIN is added when @from has nothing more to give
 * @ev_to:	POLLOUT is added when @to takes nothing more (back-pressure:
 *		then @from is not read until @to drains)
 *
 * Return: 0 when waiting on the fds; 1 when it stopped while frames
 * were still coming (some may be buffered in the library, where poll
 * does not see them); -ENOTCONN when a link went down; another negative
 * errno.
 */
static int way_pump(struct way *w, short *ev_from, short *ev_to)
{
	unsigned int i, rounds;
	int r;

	for (rounds = 0; rounds < 64; rounds++) {
		if (w->count == 0) {
			r = sqn_flush(w->to);
			if (r == -EAGAIN) {
				*ev_to |= POLLOUT;
				return 0;
			}
			if (r < 0)
				return r;
			r = sqn_recv(w->from, w->rx, BATCH);
			if (r == -EAGAIN) {
				*ev_from |= POLLIN;
				return 0;
			}
			if (r < 0)
				return r;
			for (i = 0; i < (unsigned int)r; i++)
				w->tx_iov[i].iov_len = w->rx[i].len;
			w->first = 0;
			w->count = (unsigned int)r;
		}
		r = sqn_send(w->to, w->tx + w->first, w->count - w->first);
		if (r == -EAGAIN) {
			*ev_to |= POLLOUT;
			return 0;
		}
		if (r < 0)
			return r;
		w->frames += (unsigned int)r;
		w->first += (unsigned int)r;
		if (w->first == w->count)
			w->count = 0;
	}
	/* Still busy: come back after a look at the other direction. */
	return 1;
}

/**
 * relay() - both directions until a link goes down or a signal comes
 * @a:		the VMM side (stream)
 * @b:		the network side
 * @ab:		direction a to b
 * @ba:		direction b to a
 *
 * Return: 0 when A's link went down or a signal asked to stop; else a
 * negative errno (the message is in sqn_last_error() of the side).
 */
static int relay(sqn_net *a, sqn_net *b, struct way *ab, struct way *ba)
{
	const struct timespec now = { 0, 0 };
	struct pollfd p[2];
	struct sqn_info info;
	sigset_t none;
	int r1, r2;

	sigemptyset(&none);
	while (!stop_requested) {
		short ev_a = 0, ev_b = 0;

		r1 = way_pump(ab, &ev_a, &ev_b);
		r2 = r1 < 0 ? 0 : way_pump(ba, &ev_b, &ev_a);
		if (r1 == -ENOTCONN || r2 == -ENOTCONN) {
			/* QEMU went away: the end of a run, not an error. */
			if (sqn_info(a, &info) == 0 && !info.link_up)
				return 0;
			return -ENOTCONN;
		}
		if (r1 < 0 || r2 < 0)
			return r1 < 0 ? r1 : r2;
		p[0] = (struct pollfd){ .fd = sqn_fd(a), .events = ev_a };
		p[1] = (struct pollfd){ .fd = sqn_fd(b), .events = ev_b };
		/* Signals are blocked except while waiting here. */
		if (ppoll(p, 2, r1 || r2 ? &now : NULL, &none) < 0 &&
		    errno != EINTR)
			return -errno;
	}
	return 0;
}

/**
 * listen_on() - a unix stream socket listening at @path
 * @path:	where; it must not exist
 *
 * Return: the socket, or -1 (with a message on stderr).
 */
static int listen_on(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = -1;

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "vmm_relay: %s: too long\n", path);
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 1)) {
		fprintf(stderr, "vmm_relay: listen on %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/**
 * accept_one() - the first connection to @lfd, waiting with the signals
 * unblocked (SIGTERM ends the wait)
 * @lfd:	the listening socket
 * @path:	its path, for messages
 *
 * Return: the connected socket, or -1 (with a message on stderr, unless
 * a signal asked to stop).
 */
static int accept_one(int lfd, const char *path)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	sigset_t none;
	int fd;

	sigemptyset(&none);
	while (!stop_requested) {
		if (ppoll(&p, 1, NULL, &none) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
			break;
	}
	if (!stop_requested)
		fprintf(stderr, "vmm_relay: accept on %s: %s\n", path,
			strerror(errno));
	return -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vmm_relay --stream SOCK|--listen SOCK [--mode shared|host|userspace|loopback]\n"
		"       [--network NAME] [--subnet A.B.C.D/N] [--dns-upstream LIST]\n"
		"       [--dns-hosts FILE] [--pid-file FILE] [--helper passt|slirp|gvproxy]\n"
		"       [--forward tcp|udp:[ADDR:]HOST_PORT[:GUEST_PORT]]...\n");
}

#define RELAY_FWD_MAX 8

/**
 * parse_mode() - a mode's name
 * @s:		"shared", "host", "userspace" or "loopback"
 *
 * Return: the enum sqn_mode, or -1.
 */
static int parse_mode(const char *s)
{
	static const char *const names[] = {
		[SQN_MODE_SHARED] = "shared",
		[SQN_MODE_HOST] = "host",
		[SQN_MODE_USERSPACE] = "userspace",
		[SQN_MODE_LOOPBACK] = "loopback",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && !strcmp(s, names[i]))
			return (int)i;
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stream", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "mode", required_argument, NULL, 'm' },
		{ "network", required_argument, NULL, 'n' },
		{ "subnet", required_argument, NULL, 'S' },
		{ "dns-upstream", required_argument, NULL, 'u' },
		{ "dns-hosts", required_argument, NULL, 'H' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "helper", required_argument, NULL, 'h' },
		{ "forward", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct sqn_forward fwd[RELAY_FWD_MAX];
	char fwd_addr[RELAY_FWD_MAX][16];
	struct sqn_config ca, cb;
	struct way ab = { 0 }, ba = { 0 };
	sqn_net *a = NULL, *b = NULL;
	const char *pid_file = NULL, *listen_path = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;
	int c, r, status = 1, lfd = -1;
	FILE *f;

	if (sqn_config_init(&ca) < 0 || sqn_config_init(&cb) < 0)
		return 1;
	ca.mode = SQN_MODE_STREAM;
	cb.mode = SQN_MODE_SHARED;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			ca.peer_path = optarg;
			break;
		case 'l':
			listen_path = optarg;
			break;
		case 'm':
			r = parse_mode(optarg);
			if (r < 0) {
				usage();
				return 2;
			}
			cb.mode = (enum sqn_mode)r;
			break;
		case 'n':
			cb.network = optarg;
			break;
		case 'S':
			cb.subnet = optarg;
			break;
		case 'u':
			cb.dns_upstream = optarg;
			break;
		case 'H':
			cb.dns_hosts = optarg;
			break;
		case 'p':
			pid_file = optarg;
			break;
		case 'h':
			cb.helper = !strcmp(optarg, "passt") ?
					    SQN_HELPER_PASST :
				    !strcmp(optarg, "gvproxy") ?
					    SQN_HELPER_GVPROXY :
					    SQN_HELPER_SLIRP;
			break;
		case 'f':
			if (cb.n_forwards == RELAY_FWD_MAX ||
			    forward_parse(optarg, &fwd[cb.n_forwards],
					  fwd_addr[cb.n_forwards])) {
				usage();
				return 2;
			}
			cb.forwards = fwd;
			cb.n_forwards++;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!ca.peer_path == !listen_path || optind != argc) {
		usage();
		return 2;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (listen_path) {
		lfd = listen_on(listen_path);
		if (lfd < 0)
			goto out;
	}
	cb.iface_id = "net";
	r = sqn_open(&cb, &b);
	if (r < 0) {
		fprintf(stderr, "vmm_relay: network: %s\n",
			sqn_last_error(NULL));
		goto out;
	}
	if (listen_path) {
		ca.peer_fd = accept_one(lfd, listen_path);
		if (ca.peer_fd < 0)
			goto out;
	}
	ca.iface_id = "vmm";
	r = sqn_open(&ca, &a);
	if (r < 0) {
		fprintf(stderr, "vmm_relay: stream %s: %s\n",
			listen_path ? listen_path : ca.peer_path,
			sqn_last_error(NULL));
		goto out;
	}
	if (way_init(&ab, a, b) < 0 || way_init(&ba, b, a) < 0) {
		fprintf(stderr, "vmm_relay: out of memory\n");
		goto out;
	}
	if (pid_file) {
		f = fopen(pid_file, "w");
		if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 ||
		    fclose(f) != 0) {
			fprintf(stderr, "vmm_relay: cannot write %s\n",
				pid_file);
			goto out;
		}
	}
	r = relay(a, b, &ab, &ba);
	if (r < 0) {
		fprintf(stderr, "vmm_relay: relay: %s\n",
			*sqn_last_error(b) ? sqn_last_error(b) :
					     sqn_last_error(a));
		goto out;
	}
	fprintf(stderr,
		"vmm_relay: guest->net %llu frames, net->guest %llu frames\n",
		ab.frames, ba.frames);
	status = 0;
out:
	sqn_close(b);
	sqn_close(a);
	if (ca.peer_fd >= 0)
		close(ca.peer_fd);
	if (lfd >= 0)
		close(lfd);
	free(ab.buf);
	free(ba.buf);
	return status;
}
