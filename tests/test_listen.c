// SPDX-License-Identifier: MIT
/* test_listen.c - the stream mode listening (peer_listen): one peer at a time, the next after it, nothing left */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "squibnet.h"

static uint8_t buf[70000];
static char logged[4096];

/* Keep what the library logs, to find its warnings in. */
static void keep_log(void *ctx, int level, const char *msg)
{
	size_t n = strlen(logged);

	(void)ctx;
	(void)level;
	snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

struct lsn {
	char dir[40];
	char path[64];
	sqn_net *net;
};

static int lsn_try(struct lsn *t)
{
	struct sqn_config cfg;

	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_STREAM;
	cfg.peer_path = t->path;
	cfg.peer_listen = 1;
	cfg.log = keep_log;
	return sqn_open(&cfg, &t->net);
}

static void lsn_dir(struct lsn *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/sqn-listen-XXXXXX");
	CHECK(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/vm.sock", t->dir);
	logged[0] = '\0';
}

static void lsn_open(struct lsn *t)
{
	int e;

	lsn_dir(t);
	e = lsn_try(t);
	CHECK_MSG(!e, "open: %s", sqn_last_error(NULL));
}

static void lsn_close(struct lsn *t)
{
	sqn_close(t->net);
	unlink(t->path);
	CHECK(!rmdir(t->dir));
}

static int peer_connect(const struct lsn *t)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", t->path);
	CHECK(!connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
	return fd;
}

static int readable(int fd, int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	return poll(&pfd, 1, ms) == 1;
}

static int link_up(const struct lsn *t)
{
	struct sqn_info info;

	CHECK(!sqn_info(t->net, &info));
	return info.link_up;
}

/* One sqn_recv() once sqn_fd() polls readable. */
static int recv_one(struct lsn *t, size_t *len)
{
	struct iovec iov = { buf, sizeof(buf) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	int n;

	CHECK_MSG(readable(sqn_fd(t->net), WAIT_MS), "sqn_fd never readable");
	n = sqn_recv(t->net, &p, 1);
	*len = p.len;
	return n;
}

/* Until the first frame: the call that accepts may find none yet. */
static size_t recv_frame(struct lsn *t, uint8_t tag)
{
	size_t len = 0;
	int n, tries;

	for (tries = 0; tries < 100; tries++) {
		n = recv_one(t, &len);
		if (n == 1)
			break;
		CHECK_MSG(n == -EAGAIN, "recv: %d: %s", n,
			  sqn_last_error(t->net));
	}
	CHECK_EQ(n, 1);
	CHECK_EQ(buf[14], tag);
	return len;
}

/* The peer sends a 60-byte frame tagged @tag, QEMU framing. */
static void peer_send(int fd, uint8_t tag)
{
	uint8_t msg[4 + 60] = { 0, 0, 0, 60 };

	msg[4 + 14] = tag;
	CHECK_EQ(write(fd, msg, sizeof(msg)), sizeof(msg));
}

/* The attachment sends a 60-byte frame tagged @tag; the peer reads it. */
static void net_send_to(struct lsn *t, int fd, uint8_t tag)
{
	uint8_t frame[60] = { 0 }, got[4 + 60];
	struct iovec iov = { frame, sizeof(frame) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	size_t have = 0;
	ssize_t m;

	frame[14] = tag;
	CHECK_EQ(sqn_send(t->net, &p, 1), 1);
	CHECK_EQ(sqn_flush(t->net), 0);
	while (have < sizeof(got)) {
		CHECK(readable(fd, WAIT_MS));
		m = read(fd, got + have, sizeof(got) - have);
		CHECK(m > 0);
		have += (size_t)m;
	}
	CHECK(got[0] == 0 && got[1] == 0 && got[2] == 0 && got[3] == 60);
	CHECK_EQ(got[4 + 14], tag);
}

TEST(no_peer_then_one_peer_both_ways)
{
	struct lsn t;
	struct stat st;
	size_t len;
	int a;

	lsn_open(&t);
	CHECK(!lstat(t.path, &st) && S_ISSOCK(st.st_mode));
	CHECK_EQ(link_up(&t), 0);
	CHECK(!readable(sqn_fd(t.net), 0));
	CHECK_EQ(sqn_recv(t.net, (struct sqn_pkt[1]){ 0 }, 1), -ENOTCONN);
	CHECK_EQ(sqn_send(t.net, NULL, 0), -ENOTCONN);
	CHECK_MSG(strstr(sqn_last_error(t.net), "no peer yet"), "%s",
		  sqn_last_error(t.net));

	a = peer_connect(&t);
	/* The waiting peer wakes the caller; sqn_recv() takes it. */
	CHECK(recv_one(&t, &len) == -EAGAIN);
	CHECK_EQ(link_up(&t), 1);
	peer_send(a, 0xa1);
	CHECK_EQ(recv_frame(&t, 0xa1), 60);
	net_send_to(&t, a, 0xb1);
	peer_send(a, 0xa2);
	CHECK_EQ(recv_frame(&t, 0xa2), 60);
	close(a);
	lsn_close(&t);
}

TEST(second_peer_is_refused_first_keeps_working)
{
	struct lsn t;
	size_t len;
	int a, b;

	lsn_open(&t);
	a = peer_connect(&t);
	peer_send(a, 0xa1);
	CHECK_EQ(recv_frame(&t, 0xa1), 60);
	b = peer_connect(&t);
	/* It wakes the caller, whose next call closes it. */
	CHECK(recv_one(&t, &len) == -EAGAIN);
	CHECK_MSG(readable(b, WAIT_MS), "the second peer is not closed");
	CHECK_EQ(read(b, buf, sizeof(buf)), 0);
	CHECK_MSG(strstr(logged, "refused a peer: one is connected"), "%s",
		  logged);
	CHECK(!readable(sqn_fd(t.net), 0));
	CHECK_EQ(link_up(&t), 1);
	peer_send(a, 0xa2);
	CHECK_EQ(recv_frame(&t, 0xa2), 60);
	net_send_to(&t, a, 0xb2);
	close(b);
	close(a);
	lsn_close(&t);
}

TEST(next_peer_after_the_first_leaves)
{
	struct lsn t;
	size_t len;
	int a, b;

	lsn_open(&t);
	a = peer_connect(&t);
	peer_send(a, 0xa1);
	close(a);
	/* What it sent before leaving still arrives, then the link is down. */
	CHECK_EQ(recv_frame(&t, 0xa1), 60);
	CHECK_EQ(recv_one(&t, &len), -ENOTCONN);
	CHECK_EQ(link_up(&t), 0);
	CHECK(!readable(sqn_fd(t.net), 0));
	b = peer_connect(&t);
	peer_send(b, 0xc1);
	CHECK_EQ(recv_frame(&t, 0xc1), 60);
	CHECK_EQ(link_up(&t), 1);
	net_send_to(&t, b, 0xd1);
	CHECK(!strstr(logged, "refused"));
	close(b);
	lsn_close(&t);
}

TEST(a_path_that_is_not_a_socket_is_not_replaced)
{
	struct lsn t, other;
	struct stat st;
	int fd, e;

	lsn_dir(&t);
	fd = open(t.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "keep", 4), 4);
	close(fd);
	e = lsn_try(&t);
	CHECK_EQ(e, -EEXIST);
	CHECK_MSG(strstr(sqn_last_error(NULL), "is not a socket"), "%s",
		  sqn_last_error(NULL));
	CHECK(!lstat(t.path, &st) && S_ISREG(st.st_mode) && st.st_size == 4);
	CHECK(!unlink(t.path));

	/* A live listener is another's; a stale socket is replaced. */
	lsn_open(&other);
	memcpy(t.path, other.path, sizeof(t.path));
	CHECK_EQ(lsn_try(&t), -EADDRINUSE);
	CHECK(!lstat(other.path, &st) && S_ISSOCK(st.st_mode));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(!rmdir(t.dir));
	sqn_close(other.net);
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", other.path);
		CHECK(!bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
		close(fd); /* the file stays, nobody listens: stale */
	}
	memcpy(t.dir, other.dir, sizeof(t.dir));
	e = lsn_try(&t);
	CHECK_MSG(!e, "stale socket: %s", sqn_last_error(NULL));
	fd = peer_connect(&t);
	peer_send(fd, 0xe1);
	CHECK_EQ(recv_frame(&t, 0xe1), 60);
	close(fd);
	lsn_close(&t);
}

TEST(config_refusals)
{
	struct sqn_config cfg;
	sqn_net *net = NULL;

	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_STREAM;
	cfg.peer_fd = 0;
	cfg.peer_listen = 1;
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK_MSG(strstr(sqn_last_error(NULL), "peer_listen"), "%s",
		  sqn_last_error(NULL));
	cfg.peer_fd = -1;
	cfg.peer_path = "/tmp/sqn-listen-never.sock";
	cfg.framing = SQN_FRAMING_DGRAM;
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK_MSG(strstr(sqn_last_error(NULL), "peer_listen"), "%s",
		  sqn_last_error(NULL));
	CHECK(access(cfg.peer_path, F_OK));
}

TEST(nothing_left_and_only_its_own_file_removed)
{
	struct lsn t;
	int fds = harness_fd_count(), a, b, i, fd;
	struct stat st;

	for (i = 0; i < 20; i++) {
		lsn_open(&t);
		a = peer_connect(&t);
		peer_send(a, 0xa1);
		CHECK_EQ(recv_frame(&t, 0xa1), 60);
		b = peer_connect(&t); /* still waiting at close */
		sqn_close(t.net);
		CHECK_MSG(access(t.path, F_OK), "%s left behind", t.path);
		/* The peers see the end. */
		CHECK(readable(a, WAIT_MS));
		CHECK_EQ(read(a, buf, sizeof(buf)), 0);
		close(a);
		close(b);
		CHECK(!rmdir(t.dir));
	}
	CHECK_EQ(harness_fd_count(), fds);

	/* A file put in its place since is not its own: left alone. */
	lsn_open(&t);
	CHECK(!unlink(t.path));
	fd = open(t.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	close(fd);
	sqn_close(t.net);
	CHECK(!lstat(t.path, &st) && S_ISREG(st.st_mode));
	CHECK(!unlink(t.path));
	CHECK(!rmdir(t.dir));
	CHECK_EQ(harness_fd_count(), fds);
}
