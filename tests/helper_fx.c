// SPDX-License-Identifier: MIT
/* helper_fx.c - what the helper tests share: the fake helper's config, a log, waits */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "helper_fx.h"

uint8_t txb[70000], rxb[70000];
struct helper_logs logs;

void log_cb(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (logs.n >= LOG_MAX)
		return;
	logs.level[logs.n] = level;
	snprintf(logs.line[logs.n], sizeof(logs.line[0]), "%s", msg);
	logs.n++;
}

/* The first logged line at @level that contains @s, or NULL. */
const char *logged(int level, const char *s)
{
	int i;

	for (i = 0; i < logs.n; i++)
		if (logs.level[i] == level && strstr(logs.line[i], s))
			return logs.line[i];
	return NULL;
}

long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A config for the fake helper as a custom helper: fake_helper ARGS. */
void fake_config(struct sqn_config *cfg, const char *const *args)
{
	sqn_config_init(cfg);
	cfg->mode = SQN_MODE_USERSPACE;
	cfg->helper = SQN_HELPER_CUSTOM;
	cfg->helper_path = fx_fake_helper();
	cfg->helper_args = args;
	cfg->log = log_cb;
}

sqn_net *must_open(const struct sqn_config *cfg)
{
	sqn_net *net = NULL;
	int r = sqn_open(cfg, &net);

	CHECK_MSG(!r, "open: %s: %s", sqn_strerror(r), sqn_last_error(NULL));
	return net;
}

/* sqn_open() must fail with @err and a message holding @want. */
void open_fails(const struct sqn_config *cfg, int err, const char *want)
{
	sqn_net *net = (sqn_net *)1;
	int r = sqn_open(cfg, &net);

	CHECK_MSG(r == err, "open: %d (%s), wanted %d; %s", r, sqn_strerror(r),
		  err, sqn_last_error(NULL));
	CHECK(net == NULL);
	CHECK_MSG(strstr(sqn_last_error(NULL), want), "\"%s\" lacks \"%s\"",
		  sqn_last_error(NULL), want);
}

/* The parent of process @pid, or 0. */
pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* pid (comm) state ppid ...; comm may hold ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

/* The pid of the helper started last, as the library's log names it,
 * or 0. */
pid_t child_pid(void)
{
	int i, pid;

	for (i = logs.n - 1; i >= 0; i--) {
		const char *s = strstr(logs.line[i], "started, pid ");

		if (logs.level[i] == SQN_LOG_DEBUG && s &&
		    sscanf(s + 13, "%d", &pid) == 1)
			return (pid_t)pid;
	}
	return 0;
}

/* Whether @fd is the file at @path. */
static int same_file(int fd, const char *path)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(path, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* Open @cfg and find the helper's pid. */
sqn_net *open_helper(const struct sqn_config *cfg, pid_t *pid)
{
	sqn_net *net = must_open(cfg);
	char path[64];
	int fd;

	/* The library's messages name the helper itself, not a process
	 * that stands for it: the one that runs the binary. */
	*pid = child_pid();
	CHECK(*pid > 0);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)*pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK_MSG(fd >= 0 && same_file(fd, cfg->helper_path),
		  "pid %d does not run %s", (int)*pid, cfg->helper_path);
	if (fd >= 0)
		close(fd);
	return net;
}

/* No child of this process is left, running or zombie, whatever its
 * exit signal. */
int no_children(void)
{
	return waitpid(-1, NULL, WNOHANG | __WALL) == -1 && errno == ECHILD;
}

/* Send a frame of @len bytes and get the same back. */
void round_trip(sqn_net *net, size_t len, uint32_t seq)
{
	struct fx f = { .name = "helper", .net = net };
	struct iovec ti = { txb, len }, ri = { rxb, sizeof(rxb) };
	struct sqn_pkt t = { .iov = &ti, .iovcnt = 1 };
	struct sqn_pkt r = { .iov = &ri, .iovcnt = 1 };

	frame_fill(txb, len, seq);
	CHECK_MSG(!fx_send_all(&f, &t, 1), "send %zu: %s", len,
		  sqn_last_error(net));
	CHECK_MSG(fx_recv_wait(&f, &r, 1, 5000) == 1, "no echo of %zu: %s", len,
		  sqn_last_error(net));
	CHECK_MSG(r.len == len && frame_check(rxb, len, seq),
		  "%zu-byte frame came back wrong", len);
}

int recv_one(sqn_net *net)
{
	struct iovec iov = { rxb, sizeof(rxb) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };

	return sqn_recv(net, &p, 1);
}

/* Receive until something other than a frame happens. */
int recv_until_error(sqn_net *net, unsigned int *frames)
{
	struct iovec iov = { rxb, sizeof(rxb) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	long t0 = now_ms();
	int n;

	*frames = 0;
	for (;;) {
		struct pollfd pfd = { sqn_fd(net), POLLIN, 0 };

		n = sqn_recv(net, &p, 1);
		if (n == 1) {
			(*frames)++;
			continue;
		}
		if (n != -EAGAIN || now_ms() - t0 > 5000)
			return n;
		poll(&pfd, 1, 100);
	}
}

void temp_file(char *path, const char *content, mode_t mode)
{
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK_EQ(write(fd, content, strlen(content)), strlen(content));
	CHECK(!fchmod(fd, mode));
	CHECK(!close(fd));
}

/* Receive (which reads the helper's stderr) until an info line holding
 * @text is logged. Return: the line, or NULL after WAIT_MS. */
const char *wait_logged(sqn_net *net, const char *text)
{
	struct iovec iov = { rxb, sizeof(rxb) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	long t0 = now_ms();
	const char *line;

	while (!(line = logged(SQN_LOG_INFO, text)) &&
	       now_ms() - t0 < WAIT_MS) {
		sqn_recv(net, &p, 1);
		usleep(1000);
	}
	return line;
}

/* Start the fake as "family" @leave, return the pid of its child. */
int family_kid(sqn_net **net, const char *leave)
{
	const char *args[] = { "family", leave, NULL };
	struct sqn_config cfg;
	const char *line;
	int kid = 0;

	fake_config(&cfg, args);
	*net = must_open(&cfg);
	line = wait_logged(*net, "fake_helper: child ");
	CHECK_MSG(line && sscanf(strstr(line, "child ") + 6, "%d", &kid) == 1,
		  "the fake did not say its child's pid");
	return kid;
}
