// SPDX-License-Identifier: MIT
/* test_svcsock.c - unit tests of the service's control transport
 * (svcproto.h: svc_send/svc_recv on SOCK_SEQPACKET, SCM_RIGHTS), the
 * socket path and the errno names */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "svcproto.h"

static char buf[SVC_MSG_MAX + 1];

static void seqpacket_pair(int sv[2])
{
	CHECK(!socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
}

/* The fds the kernel gives next: the @n lowest free numbers. */
static void next_fds(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		CHECK((fds[i] = dup(0)) >= 0);
	for (i = 0; i < n; i++)
		close(fds[i]);
}

static int fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Send @n_fds copies of @fd with "{}" in one packet, as a peer may. */
static void send_fds(int sock, int fd, int n_fds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { "{}", 2 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	int i;

	CHECK(n_fds <= 16);
	memset(&ctl, 0, sizeof(ctl));
	mh.msg_control = ctl.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
	for (i = 0; i < n_fds; i++)
		memcpy(CMSG_DATA(cm) + i * sizeof(int), &fd, sizeof(int));
	CHECK_EQ(sendmsg(sock, &mh, 0), 2);
}

TEST(sock_send_recv)
{
	static const char doc[] = "{\"v\":1,\"op\":\"status\"}";
	int sv[2], p[2], fd = 42, i;
	char c;

	seqpacket_pair(sv);
	/* many documents on one connection, each whole and NUL-terminated */
	for (i = 0; i < 3; i++) {
		CHECK_EQ(svc_send(sv[0], doc, strlen(doc), -1), 0);
		memset(buf, 'x', sizeof(buf));
		CHECK_EQ(svc_recv(sv[1], buf, sizeof(buf), &fd), strlen(doc));
		CHECK_EQ(fd, -1);
		CHECK(!strcmp(buf, doc));
	}
	/* with an fd: it arrives close-on-exec, the same pipe */
	CHECK(!pipe(p));
	CHECK_EQ(svc_send(sv[1], doc, strlen(doc), p[1]), 0);
	CHECK_EQ(svc_recv(sv[0], buf, sizeof(buf), &fd), strlen(doc));
	CHECK(fd >= 0 && fd != p[1]);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK_EQ(write(fd, "k", 1), 1);
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(c, 'k');
	close(fd);
	/* an fd nobody asked for: closed, refused */
	next_fds(&fd, 1);
	CHECK_EQ(svc_send(sv[1], doc, strlen(doc), p[1]), 0);
	CHECK_EQ(svc_recv(sv[0], buf, sizeof(buf), NULL), -EPROTO);
	CHECK(!fd_open(fd));
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

TEST(sock_two_fds_refused)
{
	int sv[2], p[2], next[12], fd = 7, before, n, i;

	seqpacket_pair(sv);
	CHECK(!pipe(p));
	for (n = 2; n <= 12; n += 10) {
		/* 2 fds; 12, past what svc_recv() has room for (MSG_CTRUNC) */
		before = harness_fd_count();
		next_fds(next, n);
		send_fds(sv[0], p[1], n);
		CHECK_EQ(svc_recv(sv[1], buf, sizeof(buf), &fd), -EPROTO);
		CHECK_EQ(fd, -1);
		for (i = 0; i < n; i++)
			CHECK_MSG(!fd_open(next[i]), "fd %d of %d left open",
				  next[i], n);
		CHECK_EQ(harness_fd_count(), before);
	}
	/* one is fine */
	send_fds(sv[0], p[1], 1);
	CHECK_EQ(svc_recv(sv[1], buf, sizeof(buf), &fd), 2);
	CHECK(fd >= 0);
	close(fd);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

TEST(sock_sizes)
{
	static char big[SVC_MSG_MAX + 2];
	int sv[2], p[2], fd = 7, next;

	seqpacket_pair(sv);
	memset(big, 'a', sizeof(big));
	CHECK_EQ(svc_send(sv[0], big, SVC_MSG_MAX + 1, -1), -EMSGSIZE);
	CHECK_EQ(svc_send(sv[0], big, 0, -1), -EINVAL);
	/* SVC_MSG_MAX exactly: whole, in a buffer of one more */
	CHECK_EQ(svc_send(sv[0], big, SVC_MSG_MAX, -1), 0);
	CHECK_EQ(svc_recv(sv[1], buf, sizeof(buf), &fd), SVC_MSG_MAX);
	CHECK_EQ(buf[SVC_MSG_MAX], '\0');
	/* a document longer than the caller's buffer: cut, refused, its
	 * fd closed; the next one is read as usual */
	CHECK(!pipe(p));
	next_fds(&next, 1);
	CHECK_EQ(svc_send(sv[0], big, 100, p[1]), 0);
	CHECK_EQ(svc_recv(sv[1], buf, 100, &fd), -EMSGSIZE);
	CHECK_EQ(fd, -1);
	CHECK(!fd_open(next));
	CHECK_EQ(svc_send(sv[0], big, 99, -1), 0);
	CHECK_EQ(svc_recv(sv[1], buf, 100, &fd), 99);
	CHECK_EQ(svc_recv(sv[1], buf, 1, &fd), -EINVAL);
	/* past SVC_MSG_MAX from a peer that does not use svc_send() (and
	 * makes its send buffer big enough itself) */
	next = 4 * SVC_MSG_MAX;
	CHECK(!setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &next,
			  sizeof(next)));
	CHECK_EQ(send(sv[0], big, SVC_MSG_MAX + 1, 0), SVC_MSG_MAX + 1);
	CHECK_EQ(svc_recv(sv[1], big, sizeof(big), &fd), -EMSGSIZE);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

TEST(sock_peer_closed_and_nonblocking)
{
	int sv[2], fd = 7;

	seqpacket_pair(sv);
	/* never blocks beyond what the socket does */
	CHECK(!fcntl(sv[1], F_SETFL, O_NONBLOCK));
	CHECK_EQ(svc_recv(sv[1], buf, sizeof(buf), &fd), -EAGAIN);
	close(sv[0]);
	CHECK_EQ(svc_recv(sv[1], buf, sizeof(buf), &fd), 0);
	CHECK_EQ(fd, -1);
	/* sending to a closed peer: an error */
	CHECK_EQ(svc_send(sv[1], "{}", 2, -1), -EPIPE);
	close(sv[1]);
}

static int sig_pipe[2];

static void on_usr1(int sig)
{
	(void)sig;
	if (write(sig_pipe[1], "s", 1) < 0)
		_exit(3);
}

/* 'S' when process @pid sleeps (in recvmsg(), for the test). */
static char proc_state(pid_t pid)
{
	char path[64], line[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	p = fgets(line, sizeof(line), f);
	fclose(f);
	p = p ? strrchr(line, ')') : NULL;
	return p && p[1] ? p[2] : '?';
}

/* Wait until @pid sleeps; 0 when it ended (its test failed) or timed out. */
static int wait_sleeping(pid_t pid)
{
	int ms;
	char st;

	for (ms = 0; ms < WAIT_MS; ms++) {
		st = proc_state(pid);
		if (st == 'S')
			return 1;
		if (st == 'Z' || st == 'X' || st == '?')
			return 0;
		usleep(1000);
	}
	return 0;
}

TEST(sock_recv_retries_eintr)
{
	struct sigaction sa;
	int sv[2], fd = 7, i, status;
	pid_t me = getpid(), child;
	char c;

	seqpacket_pair(sv);
	CHECK(!pipe(sig_pipe));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1; /* no SA_RESTART: recvmsg() sees EINTR */
	CHECK(!sigaction(SIGUSR1, &sa, NULL));
	child = fork();
	CHECK(child >= 0);
	if (!child) {
		/* signal the parent 3 times while it waits in svc_recv() */
		for (i = 0; i < 3; i++) {
			if (!wait_sleeping(me))
				_exit(1);
			kill(me, SIGUSR1);
			if (read(sig_pipe[0], &c, 1) != 1)
				_exit(1);
		}
		if (!wait_sleeping(me))
			_exit(1);
		_exit(svc_send(sv[0], "{}", 2, -1) ? 2 : 0);
	}
	CHECK_EQ(svc_recv(sv[1], buf, sizeof(buf), &fd), 2);
	CHECK(!strcmp(buf, "{}"));
	CHECK_EQ(waitpid(child, &status, 0), child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
TEST(sock_path_and_errno_names)
{
	CHECK(!unsetenv("SQN_SERVICE"));
	CHECK(!strcmp(svc_socket_path(NULL), SVC_SOCKET_DEFAULT));
	CHECK(!strcmp(svc_socket_path(""), SVC_SOCKET_DEFAULT));
	CHECK(!strcmp(svc_socket_path("/x/y"), "/x/y"));
	CHECK(!setenv("SQN_SERVICE", "", 1));
	CHECK(!strcmp(svc_socket_path(NULL), SVC_SOCKET_DEFAULT));
	CHECK(!setenv("SQN_SERVICE", "/tmp/ctl", 1));
	CHECK(!strcmp(svc_socket_path(NULL), "/tmp/ctl"));
	CHECK(!strcmp(svc_socket_path("/x/y"), "/x/y"));

	CHECK(!strcmp(svc_errno_name(EACCES), "EACCES"));
	CHECK(!strcmp(svc_errno_name(EPROTONOSUPPORT), "EPROTONOSUPPORT"));
	CHECK(!strcmp(svc_errno_name(ECONNREFUSED), "ECONNREFUSED"));
	CHECK(!strcmp(svc_errno_name(EDQUOT), "EDQUOT"));
	CHECK(!strcmp(svc_errno_name(0), "E?"));
	CHECK(!strcmp(svc_errno_name(-1), "E?"));
	CHECK(!strcmp(svc_errno_name(4000), "E?"));
}
