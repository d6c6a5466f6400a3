// SPDX-License-Identifier: MIT
/* test_sockpeer.c - the stream and datagram backends' peer socket: a connect that cannot hang, a reset mid-frame */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

#define FILL_MAX 64

static uint8_t buf[70000];

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * struct full_listener - a unix listener that accepts no one, its backlog
 * filled by connections of its own
 */
struct full_listener {
	char dir[32];
	struct sockaddr_un sa;
	int fd;
	int fill[FILL_MAX];
	int nfill;
	int taken[FILL_MAX + 1];
	int ntaken;
};

static void full_listener_open(struct full_listener *l)
{
	int fd;

	snprintf(l->dir, sizeof(l->dir), "/tmp/sqn-sockpeer-XXXXXX");
	CHECK(mkdtemp(l->dir));
	l->sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
	snprintf(l->sa.sun_path, sizeof(l->sa.sun_path), "%s/full.sock",
		 l->dir);
	l->ntaken = 0;
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(l->fd >= 0);
	CHECK(!bind(l->fd, (struct sockaddr *)&l->sa, sizeof(l->sa)));
	CHECK(!listen(l->fd, 0));
	/* Connect until the queue is full: Linux answers EAGAIN then. */
	for (l->nfill = 0;; l->nfill++) {
		CHECK(l->nfill < FILL_MAX);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    0);
		CHECK(fd >= 0);
		if (connect(fd, (struct sockaddr *)&l->sa, sizeof(l->sa))) {
			CHECK_EQ(errno, EAGAIN);
			close(fd);
			break;
		}
		l->fill[l->nfill] = fd;
	}
	CHECK(l->nfill >= 1);
}

static void full_listener_close(struct full_listener *l)
{
	int i;

	for (i = 0; i < l->nfill; i++)
		close(l->fill[i]);
	for (i = 0; i < l->ntaken; i++)
		close(l->taken[i]);
	close(l->fd);
	unlink(l->sa.sun_path);
	rmdir(l->dir);
}

TEST(connect_to_a_full_listener_times_out)
{
	struct full_listener l;
	struct sqn_config cfg;
	sqn_net *net = (sqn_net *)1;
	int fds = harness_fd_count(), r;
	unsigned int outer;
	long long t0, ms;

	full_listener_open(&l);
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_STREAM;
	cfg.peer_path = l.sa.sun_path;
	cfg.connect_timeout_ms = 300;
	/* A blocking connect hangs here: end the test soon, with a failure;
	 * then the harness's own limit again. */
	outer = alarm(30);
	t0 = now_ms();
	r = sqn_open(&cfg, &net);
	ms = now_ms() - t0;
	alarm(outer);
	CHECK_EQ(r, -ETIMEDOUT);
	CHECK(net == NULL);
	CHECK_MSG(strstr(sqn_last_error(NULL), l.sa.sun_path) &&
			  strstr(sqn_last_error(NULL), "300 ms"),
		  "%s", sqn_last_error(NULL));
	/* The deadline was kept: not given up at once, and no hang (a
	 * generous bound: the machine may be loaded). */
	CHECK_MSG(ms >= 250 && ms < 10000, "%lld ms", ms);
	full_listener_close(&l);
	CHECK_EQ(harness_fd_count(), fds);
}

/* Accepts the connections of @arg's listener, the library's among them,
 * until it is shut down. */
static void *accept_all(void *arg)
{
	struct full_listener *l = arg;
	int fd;

	while (l->ntaken <= FILL_MAX && (fd = accept(l->fd, NULL, NULL)) >= 0)
		l->taken[l->ntaken++] = fd;
	return NULL;
}

TEST(connect_gets_in_once_the_listener_accepts)
{
	struct iovec iov = { buf, 60 };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	struct full_listener l;
	struct sqn_config cfg;
	pthread_t th;
	sqn_net *net;
	int r;

	full_listener_open(&l);
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_STREAM;
	cfg.peer_path = l.sa.sun_path;
	cfg.connect_timeout_ms = WAIT_MS;
	/* The queue empties while sqn_open() tries again (or before). */
	CHECK(!pthread_create(&th, NULL, accept_all, &l));
	r = sqn_open(&cfg, &net);
	CHECK_MSG(!r, "%s", sqn_last_error(NULL));
	frame_fill(buf, 60, 1);
	CHECK_EQ(sqn_send(net, &p, 1), 1);
	sqn_close(net);
	shutdown(l.fd, SHUT_RDWR);
	CHECK(!pthread_join(th, NULL));
	full_listener_close(&l);
}

/* A connected TCP pair on loopback: @mine for the library, @theirs the
 * peer's. */
static void tcp_pair(int *mine, int *theirs)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(l >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(!bind(l, (struct sockaddr *)&sa, sizeof(sa)));
	CHECK(!listen(l, 1));
	CHECK(!getsockname(l, (struct sockaddr *)&sa, &len));
	*mine = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(*mine >= 0);
	CHECK(!connect(*mine, (struct sockaddr *)&sa, sizeof(sa)));
	*theirs = accept(l, NULL, NULL);
	CHECK(*theirs >= 0);
	close(l);
}

/* The peer sends half a frame, which the library reads, then resets the
 * connection: @tcp by SO_LINGER 0, else a unix peer that leaves with
 * data unread (unix(7): the other end gets ECONNRESET). */
static void reset_mid_frame(int tcp)
{
	struct iovec iov = { buf, sizeof(buf) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	uint8_t msg[4 + 20] = { 0, 0, 0x05, 0xdc }; /* 1500 */
	struct sqn_config cfg;
	struct sqn_stats st;
	int sp[2], n, waits = 0;
	sqn_net *net;

	if (tcp)
		tcp_pair(&sp[0], &sp[1]);
	else
		CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_STREAM;
	cfg.peer_fd = sp[0];
	CHECK(!sqn_open(&cfg, &net));
	close(sp[0]);
	if (!tcp) {
		frame_fill(buf, 60, 1);
		iov.iov_len = 60;
		CHECK_EQ(sqn_send(net, &p, 1), 1);
		iov.iov_len = sizeof(buf);
	}
	CHECK_EQ(write(sp[1], msg, sizeof(msg)), sizeof(msg));
	/* The library holds the half frame: nothing left in the socket. */
	for (;;) {
		struct pollfd pfd = { sqn_fd(net), POLLIN, 0 };

		CHECK(poll(&pfd, 1, WAIT_MS) == 1);
		CHECK_EQ(sqn_recv(net, &p, 1), -EAGAIN);
		if (recv(sqn_fd(net), buf, 1, MSG_PEEK | MSG_DONTWAIT) < 0)
			break;
		CHECK(++waits < 100);
	}
	if (tcp)
		CHECK(!setsockopt(sp[1], SOL_SOCKET, SO_LINGER, &lg,
				  sizeof(lg)));
	close(sp[1]);
	for (waits = 0; (n = sqn_recv(net, &p, 1)) == -EAGAIN; waits++) {
		struct pollfd pfd = { sqn_fd(net), POLLIN, 0 };

		CHECK(waits < 100);
		CHECK(poll(&pfd, 1, WAIT_MS) == 1);
	}
	CHECK_EQ(n, -ENOTCONN);
	CHECK_MSG(strstr(sqn_last_error(net),
			 "reset by peer in the middle of a frame"),
		  "%s", sqn_last_error(net));
	sqn_stats(net, &st);
	CHECK_EQ(st.rx_errors, 1);
	CHECK_EQ(st.rx_frames, 0);
	sqn_close(net);
}

TEST(reset_mid_frame_is_counted_tcp)
{
	reset_mid_frame(1);
}

TEST(reset_mid_frame_is_counted_unix)
{
	reset_mid_frame(0);
}
