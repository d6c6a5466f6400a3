// SPDX-License-Identifier: MIT
/* test_helper.c - the userspace mode: starting, watching and stopping helpers */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

#define LOG_MAX 64

static uint8_t txb[70000], rxb[70000];

static struct {
	int n;
	int level[LOG_MAX];
	char line[LOG_MAX][512];
} logs;

static void log_cb(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (logs.n >= LOG_MAX)
		return;
	logs.level[logs.n] = level;
	snprintf(logs.line[logs.n], sizeof(logs.line[0]), "%s", msg);
	logs.n++;
}

/* The first logged line at @level that contains @s, or NULL. */
static const char *logged(int level, const char *s)
{
	int i;

	for (i = 0; i < logs.n; i++)
		if (logs.level[i] == level && strstr(logs.line[i], s))
			return logs.line[i];
	return NULL;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A config for the fake helper as a custom helper: fake_helper ARGS. */
static void fake_config(struct sqn_config *cfg, const char *const *args)
{
	sqn_config_init(cfg);
	cfg->mode = SQN_MODE_USERSPACE;
	cfg->helper = SQN_HELPER_CUSTOM;
	cfg->helper_path = fx_fake_helper();
	cfg->helper_args = args;
	cfg->log = log_cb;
}

static sqn_net *must_open(const struct sqn_config *cfg)
{
	sqn_net *net = NULL;
	int r = sqn_open(cfg, &net);

	CHECK_MSG(!r, "open: %s: %s", sqn_strerror(r), sqn_last_error(NULL));
	return net;
}

/* sqn_open() must fail with @err and a message holding @want. */
static void open_fails(const struct sqn_config *cfg, int err, const char *want)
{
	sqn_net *net = (sqn_net *)1;
	int r = sqn_open(cfg, &net);

	CHECK_MSG(r == err, "open: %d (%s), wanted %d; %s", r, sqn_strerror(r),
		  err, sqn_last_error(NULL));
	CHECK(net == NULL);
	CHECK_MSG(strstr(sqn_last_error(NULL), want), "\"%s\" lacks \"%s\"",
		  sqn_last_error(NULL), want);
}

/* The pid of a child of this process (the helper), or 0. */
static pid_t child_pid(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	CHECK(d);
	while ((e = readdir(d))) {
		char path[300], buf[512], *p;
		FILE *f;
		size_t n;
		int ppid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* pid (comm) state ppid ...; comm may hold ')' */
		p = strrchr(buf, ')');
		if (p && sscanf(p + 1, " %*c %d", &ppid) == 1 &&
		    ppid == getpid())
			found = (pid_t)atoi(e->d_name);
	}
	closedir(d);
	return found;
}

/* Open @cfg and find the helper's pid. */
static sqn_net *open_helper(const struct sqn_config *cfg, pid_t *pid)
{
	sqn_net *net = must_open(cfg);

	*pid = child_pid();
	CHECK(*pid > 0);
	return net;
}

/* No child of this process is left, running or zombie. */
static int no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

/* Send a frame of @len bytes and get the same back. */
static void round_trip(sqn_net *net, size_t len, uint32_t seq)
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

static int recv_one(sqn_net *net)
{
	struct iovec iov = { rxb, sizeof(rxb) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };

	return sqn_recv(net, &p, 1);
}

/* Receive until something other than a frame happens. */
static int recv_until_error(sqn_net *net, unsigned int *frames)
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

static void temp_file(char *path, const char *content, mode_t mode)
{
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK_EQ(write(fd, content, strlen(content)), strlen(content));
	CHECK(!fchmod(fd, mode));
	CHECK(!close(fd));
}

TEST(helper_path_is_checked)
{
	static const char *const args[] = { "echo", NULL };
	char file[] = "/tmp/sqn-helper-XXXXXX";
	struct sqn_config cfg;
	int fds = harness_fd_count();

	fake_config(&cfg, args);
	cfg.helper_path = "/nonexistent/x";
	open_fails(&cfg, -EINVAL,
		   "helper_path: /nonexistent/x: No such file or directory");
	temp_file(file, "#!/bin/sh\n", 0644);
	cfg.helper_path = file;
	open_fails(&cfg, -EINVAL, "not executable");
	unlink(file);
	cfg.helper_path = "/tmp";
	open_fails(&cfg, -EINVAL, "helper_path: /tmp: not a regular file");
	cfg.helper_path = "";
	open_fails(&cfg, -EINVAL, "helper_path: empty");
	cfg.helper_path = NULL;
	open_fails(&cfg, -EINVAL, "helper_path: the custom helper needs");
	CHECK(no_children());
	CHECK_EQ(harness_fd_count(), fds);
}

TEST(helper_config_is_checked)
{
	struct sqn_config cfg;

	fake_config(&cfg, NULL);
	cfg.framing = SQN_FRAMING_DGRAM;
	open_fails(&cfg, -EINVAL, "framing: a helper gets a stream socketpair");
	cfg.helper = SQN_HELPER_PASST;
	cfg.framing = SQN_FRAMING_HYPERKIT;
	open_fails(&cfg, -EINVAL,
		   "framing: passt speaks the qemu framing only");
	cfg.helper = SQN_HELPER_GVPROXY;
	cfg.framing = SQN_FRAMING_QEMU;
	open_fails(&cfg, -EINVAL,
		   "framing: gvproxy speaks the hyperkit framing only");
	cfg.framing = SQN_FRAMING_DEFAULT;
	cfg.helper = (enum sqn_helper)9;
	open_fails(&cfg, -EINVAL, "helper: 9 is not a known helper");
	cfg.helper = SQN_HELPER_CUSTOM;
	cfg.helper_start_ms = 60001;
	open_fails(&cfg, -EINVAL, "helper_start_ms: 60001 is above 60000");
	CHECK(no_children());
}

TEST(helper_not_found_names_the_variable)
{
	struct sqn_config cfg;

	unsetenv("SQN_PASST");
	unsetenv("SQN_GVPROXY");
	setenv("PATH", "/nonexistent/bin:", 1);
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_USERSPACE;
	open_fails(
		&cfg, -ENOENT,
		"helper passt: not found in PATH; install passt, or set SQN_PASST or helper_path");
	cfg.helper = SQN_HELPER_GVPROXY;
	open_fails(&cfg, -ENOENT, "set SQN_GVPROXY or helper_path");
	setenv("SQN_GVPROXY", "/nonexistent/gvproxy", 1);
	open_fails(
		&cfg, -EINVAL,
		"helper gvproxy: SQN_GVPROXY: /nonexistent/gvproxy: No such file");
	CHECK(no_children());
}

TEST(exec_failure_comes_back_from_the_child)
{
	static const char *const args[] = { "echo", NULL };
	char file[] = "/tmp/sqn-noexec-XXXXXX", want[128];
	struct sqn_config cfg;
	int fds = harness_fd_count();

	temp_file(file, "this is no program\n", 0755);
	fake_config(&cfg, args);
	cfg.helper_path = file;
	snprintf(want, sizeof(want), "helper %s: %s: Exec format error",
		 file + 5, file);
	open_fails(&cfg, -ENOEXEC, want);
	unlink(file);
	CHECK(no_children());
	CHECK_EQ(harness_fd_count(), fds);
}

TEST(helper_exiting_at_start_fails_open)
{
	static const char *const args[] = { "exit", "7", NULL };
	struct sqn_config cfg;
	char want[1200];
	int fds = harness_fd_count();

	fake_config(&cfg, args);
	cfg.helper_start_ms = 5000; /* the watch ends at the exit */
	snprintf(
		want, sizeof(want),
		"helper fake_helper: %s exited with status 7 at start; its last stderr line: fake_helper: exiting with status 7",
		fx_fake_helper());
	open_fails(&cfg, -ENOTCONN, want);
	CHECK(logged(SQN_LOG_INFO,
		     "helper fake_helper: fake_helper: exiting with status 7"));
	CHECK(no_children());
	CHECK_EQ(harness_fd_count(), fds);
}

TEST(passt_profile_through_SQN_PASST)
{
	static const char *const args[] = { "passt", NULL };
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *net;

	/* The fake echoes only when started as passt is (-f --fd 3, stdin
	 * /dev/null); otherwise it exits with status 3. */
	setenv("SQN_PASST", fx_fake_helper(), 1);
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_USERSPACE;
	cfg.helper_args = args;
	net = must_open(&cfg);
	sqn_info(net, &info);
	CHECK_EQ(info.mode, SQN_MODE_USERSPACE);
	CHECK_EQ(info.mtu, 65520);
	CHECK_EQ(info.max_packet_size, 65534);
	CHECK_EQ(info.link_up, 1);
	round_trip(net, 60, 1);
	round_trip(net, 1514, 2);
	round_trip(net, 65534, 3);
	sqn_close(net);
	CHECK(no_children());
}

TEST(passt_profile_found_in_PATH)
{
	static const char *const args[] = { "passt", NULL };
	char dir[] = "/tmp/sqn-path-XXXXXX", link[64], path[200];
	struct sqn_config cfg;
	sqn_net *net;

	CHECK(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/passt", dir);
	CHECK(!symlink(fx_fake_helper(), link));
	snprintf(path, sizeof(path), "/nonexistent/bin:%s", dir);
	setenv("PATH", path, 1);
	unsetenv("SQN_PASST");
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_USERSPACE;
	cfg.helper_args = args;
	cfg.log = log_cb;
	net = must_open(&cfg);
	round_trip(net, 100, 1);
	sqn_close(net);
	unlink(link);
	rmdir(dir);
	CHECK(no_children());
}

TEST(gvproxy_profile_round_trip)
{
	static const char *const args[] = { "gvproxy", NULL };
	static const size_t sizes[] = { 14, 60, 1514 };
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *net;
	unsigned int i;

	/* The fake checks -listen-stdio and every 2-byte LE length. */
	fake_config(&cfg, args);
	cfg.helper = SQN_HELPER_GVPROXY;
	net = must_open(&cfg);
	sqn_info(net, &info);
	CHECK_EQ(info.mtu, 1500);
	for (i = 0; i < 3; i++)
		round_trip(net, sizes[i], i);
	sqn_close(net);

	cfg.mtu = 9000;
	net = must_open(&cfg);
	sqn_info(net, &info);
	CHECK_EQ(info.max_packet_size, 9014);
	round_trip(net, 9014, 7);
	sqn_close(net);
	CHECK(no_children());
}

TEST(fake_gvproxy_catches_wrong_invocation_and_framing)
{
	static const char *const plain[] = { "gvproxy", NULL };
	static const char *const qemu[] = { "-listen-stdio", "gvproxy", NULL };
	struct iovec iov = { txb, 60 };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	struct sqn_config cfg;
	unsigned int frames;
	sqn_net *net;

	/* Without -listen-stdio. */
	fake_config(&cfg, plain);
	cfg.helper_start_ms = 5000;
	open_fails(&cfg, -ENOTCONN, "exited with status 3 at start");
	CHECK(strstr(sqn_last_error(NULL), "not started with -listen-stdio"));
	/* With QEMU framing: 00 00 00 3c reads as a length of 0. */
	fake_config(&cfg, qemu);
	net = must_open(&cfg);
	frame_fill(txb, 60, 1);
	CHECK_EQ(sqn_send(net, &p, 1), 1);
	CHECK_EQ(recv_until_error(net, &frames), -ENOTCONN);
	CHECK_EQ(frames, 0);
	CHECK_MSG(strstr(sqn_last_error(net), "exited with status 3"), "%s",
		  sqn_last_error(net));
	CHECK(strstr(sqn_last_error(net), "a frame length below 14"));
	sqn_close(net);
	CHECK(no_children());
}

/* One good frame, then @kind: the link resets, nothing crashes, nothing
 * is left behind. */
static void garbage(const char *kind, const char *want)
{
	const char *const args[] = { "garbage", kind, NULL };
	struct sqn_config cfg;
	struct sqn_stats st;
	struct sqn_info info;
	unsigned int frames;
	struct iovec iov = { txb, 60 };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	sqn_net *net;
	int fds = harness_fd_count();

	fake_config(&cfg, args);
	net = must_open(&cfg);
	/* The fake starts when it has read something. */
	frame_fill(txb, 60, 1);
	CHECK_EQ(sqn_send(net, &p, 1), 1);
	CHECK_EQ(recv_until_error(net, &frames), -ENOTCONN);
	CHECK_MSG(frames == 1, "%s: %u frames", kind, frames);
	sqn_stats(net, &st);
	CHECK_MSG(st.rx_errors == 1, "%s: rx_errors %llu", kind,
		  (unsigned long long)st.rx_errors);
	sqn_info(net, &info);
	CHECK_EQ(info.link_up, 0);
	CHECK_MSG(strstr(sqn_last_error(net), want), "%s: \"%s\" lacks \"%s\"",
		  kind, sqn_last_error(net), want);
	CHECK_EQ(sqn_send(net, NULL, 0), -ENOTCONN);
	CHECK_EQ(recv_one(net), -ENOTCONN);
	sqn_close(net);
	CHECK_EQ(harness_fd_count(), fds);
	CHECK_MSG(no_children(), "%s: a child is left", kind);
}

TEST(garbage_from_the_helper_resets_the_link)
{
	garbage("len0", "frame length of 0 (below an Ethernet header)");
	garbage("len3", "frame length of 3 (below an Ethernet header)");
	garbage("len1000000", "frame length of 1000000 (above the frame cap)");
	garbage("eof-mid-frame",
		"userspace: peer closed the connection in the middle of a frame; helper fake_helper (pid ");
	garbage("eof-mid-frame", ") exited with status 0");
}

TEST(helper_killed_during_transfer)
{
	static const char *const args[] = { "echo", NULL };
	struct iovec ti = { txb, 1514 }, ri = { rxb, sizeof(rxb) };
	struct sqn_pkt t = { .iov = &ti, .iovcnt = 1 };
	struct sqn_pkt r = { .iov = &ri, .iovcnt = 1 };
	struct sqn_config cfg;
	struct sqn_info info;
	int fds = harness_fd_count(), i, rr = 0, sr = 0;
	sqn_net *net;
	pid_t pid;
	long t0;

	fake_config(&cfg, args);
	net = open_helper(&cfg, &pid);
	for (i = 0; i < 20; i++)
		round_trip(net, 1514, (uint32_t)i);
	frame_fill(txb, 1514, 99);
	for (i = 0; i < 10; i++)
		CHECK_EQ(sqn_send(net, &t, 1), 1);
	CHECK(!kill(pid, SIGKILL));
	t0 = now_ms();
	while (now_ms() - t0 < WAIT_MS) {
		struct pollfd p = { sqn_fd(net), POLLIN, 0 };

		rr = sqn_recv(net, &r, 1);
		sr = sqn_send(net, &t, 1);
		if (rr == -ENOTCONN && sr == -ENOTCONN)
			break;
		poll(&p, 1, 10);
	}
	CHECK_MSG(rr == -ENOTCONN && sr == -ENOTCONN,
		  "recv %d, send %d %d ms after the kill", rr, sr, WAIT_MS);
	CHECK_MSG(strstr(sqn_last_error(net), "killed by signal 9"), "%s",
		  sqn_last_error(net));
	CHECK(logged(SQN_LOG_WARN, "killed by signal 9"));
	sqn_info(net, &info);
	CHECK_EQ(info.link_up, 0);
	CHECK_MSG(no_children(), "the helper was not reaped");
	CHECK_EQ(sqn_flush(net), -ENOTCONN);
	sqn_close(net);
	CHECK_EQ(harness_fd_count(), fds);
}

TEST(info_notices_a_dead_helper_without_recv)
{
	static const char *const args[] = { "sleep", NULL };
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *net;
	pid_t pid;
	long t0;

	fake_config(&cfg, args);
	net = open_helper(&cfg, &pid);
	sqn_info(net, &info);
	CHECK_EQ(info.link_up, 1);
	CHECK(!kill(pid, SIGKILL));
	t0 = now_ms();
	do {
		sqn_info(net, &info);
	} while (info.link_up && now_ms() - t0 < WAIT_MS && !usleep(1000));
	CHECK_EQ(info.link_up, 0);
	CHECK_EQ(recv_one(net), -ENOTCONN);
	CHECK_MSG(strstr(sqn_last_error(net), "killed by signal 9"), "%s",
		  sqn_last_error(net));
	CHECK(no_children());
	sqn_close(net);
}

TEST(helper_dies_with_its_parent)
{
	/* It never reads, so only PR_SET_PDEATHSIG can end it. */
	static const char *const args[] = { "sleep", NULL };
	pid_t child, helper = 0;
	int pfd[2], status = 0, r;
	long t0;

	/* The orphaned helper comes to this process, which can then see
	 * how it ended. */
	CHECK(!prctl(PR_SET_CHILD_SUBREAPER, 1));
	CHECK(!pipe(pfd));
	child = fork();
	CHECK(child >= 0);
	if (!child) {
		struct sqn_config cfg;
		sqn_net *net;

		fake_config(&cfg, args);
		if (sqn_open(&cfg, &net))
			_exit(1);
		helper = child_pid();
		if (write(pfd[1], &helper, sizeof(helper)) != sizeof(helper))
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	CHECK_EQ(read(pfd[0], &helper, sizeof(helper)), sizeof(helper));
	close(pfd[0]);
	CHECK(helper > 0);
	CHECK(!kill(child, SIGKILL));
	CHECK_EQ(waitpid(child, &status, 0), child);
	t0 = now_ms();
	do {
		r = waitpid(helper, &status, WNOHANG);
	} while (r != helper && now_ms() - t0 < WAIT_MS && !usleep(2000));
	CHECK_MSG(r == helper, "helper %d still there %d ms after its parent",
		  (int)helper, WAIT_MS);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(kill(helper, 0) == -1 && errno == ESRCH);
	CHECK(no_children());
}

TEST(stderr_lines_reach_the_log)
{
	static const char *const args[] = { "stderr", NULL };
	struct iovec iov = { rxb, sizeof(rxb) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	struct sqn_config cfg;
	sqn_net *net;
	long t0;
	int i;

	fake_config(&cfg, args);
	net = must_open(&cfg);
	/* Read when the receive path finds nothing to read. */
	t0 = now_ms();
	while (!logged(SQN_LOG_INFO, "line 3") && now_ms() - t0 < WAIT_MS) {
		CHECK_EQ(sqn_recv(net, &p, 1), -EAGAIN);
		usleep(1000);
	}
	for (i = 1; i <= 3; i++) {
		char want[64];

		snprintf(want, sizeof(want),
			 "helper fake_helper: fake_helper: line %d", i);
		CHECK_MSG(logged(SQN_LOG_INFO, want), "no \"%s\"", want);
	}
	round_trip(net, 60, 1);
	sqn_close(net);
}

/* Receive (which reads the helper's stderr) until an info line holding
 * @text is logged. Return: the line, or NULL after WAIT_MS. */
static const char *wait_logged(sqn_net *net, const char *text)
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
static int family_kid(sqn_net **net, const char *leave)
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

/* What the helper started itself ends with it at sqn_close(). */
TEST(close_ends_the_helpers_own_children)
{
	sqn_net *net;
	int kid = family_kid(&net, NULL);

	sqn_close(net);
	/* Gone, or a zombie waiting for init: not running. */
	CHECK_MSG(harness_proc_ended(kid, WAIT_MS),
		  "the helper's child %d still runs", kid);
}

/* Also when the helper has already left by itself before sqn_close(),
 * its child still running (CI once saw the helper leave at the socket's
 * close, before close looked at it, and its child survive). */
TEST(close_ends_the_children_of_a_helper_that_left)
{
	struct fx f = { .name = "helper" };
	struct iovec ti = { txb, 60 };
	struct sqn_pkt t = { .iov = &ti, .iovcnt = 1 };
	struct sqn_info info;
	int kid = family_kid(&f.net, "leave");
	sqn_net *net = f.net;
	long t0;

	frame_fill(txb, 60, 1);
	CHECK(!fx_send_all(&f, &t, 1));
	t0 = now_ms();
	do
		sqn_info(net, &info);
	while (info.link_up && now_ms() - t0 < WAIT_MS && !usleep(1000));
	CHECK_EQ(info.link_up, 0);
	CHECK_MSG(!harness_proc_ended(kid, 0), "the child %d ended early", kid);
	sqn_close(net);
	CHECK_MSG(harness_proc_ended(kid, WAIT_MS),
		  "the helper's child %d still runs", kid);
}

/* A helper that writes more stderr than the pipe holds, while the caller
 * only waits on sqn_fd(), must not stall its frames. */
TEST(stderr_flood_does_not_stall_frames)
{
	static const char *const args[] = { "flood", NULL };
	struct sqn_config cfg;
	sqn_net *net;

	fake_config(&cfg, args);
	net = must_open(&cfg);
	usleep(200 * 1000);
	round_trip(net, 60, 1);
	round_trip(net, 1514, 2);
	sqn_close(net);
}

/* Close the fake started as @args once it is set up: it must be gone,
 * with @stopped logged. Return: whether SIGKILL had to follow SIGTERM. */
static int close_running(const char *const *args, const char *stopped)
{
	struct sqn_config cfg;
	sqn_net *net;
	pid_t pid;

	fake_config(&cfg, args);
	net = open_helper(&cfg, &pid);
	CHECK_MSG(wait_logged(net, "fake_helper: ready"), "the fake not ready");
	sqn_close(net);
	CHECK(kill(pid, 0) == -1 && errno == ESRCH);
	CHECK(no_children());
	CHECK_MSG(logged(SQN_LOG_DEBUG, stopped), "no \"%s\"", stopped);
	return logged(SQN_LOG_DEBUG, "after SIGTERM: SIGKILL") != NULL;
}

TEST(close_stops_a_running_helper)
{
	static const char *const sleeper[] = { "sleep", NULL };
	static const char *const stubborn[] = { "stubborn", NULL };

	/* Whether SIGKILL followed is timing (HELPER_STOP_MS): not asked. */
	close_running(sleeper, "stopped: killed by signal 15");
	/* SIGTERM ignored: SIGKILL follows, HELPER_STOP_MS later. */
	CHECK(close_running(stubborn, "stopped: killed by signal 9"));
}

TEST(caller_signals_neither_leak_nor_change)
{
	static const char *const args[] = { "sleep", NULL };
	struct sigaction ign = { .sa_handler = SIG_IGN }, sa;
	struct sqn_config cfg;
	sigset_t term, mask;
	sqn_net *net;

	/* An application that ignores and blocks SIGTERM: its helper must
	 * not inherit either, or close would need SIGKILL. */
	CHECK(!sigaction(SIGTERM, &ign, NULL));
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	CHECK(!sigprocmask(SIG_BLOCK, &term, NULL));
	fake_config(&cfg, args);
	net = must_open(&cfg);
	/* Signals sent before its exec would meet the child's own. */
	CHECK(wait_logged(net, "fake_helper: ready"));
	CHECK(!sigaction(SIGTERM, NULL, &sa));
	CHECK(sa.sa_handler == SIG_IGN);
	CHECK(!sigprocmask(SIG_BLOCK, NULL, &mask));
	CHECK(sigismember(&mask, SIGTERM) && !sigismember(&mask, SIGINT));
	sqn_close(net);
	CHECK(logged(SQN_LOG_DEBUG, "stopped: killed by signal 15"));
	CHECK(!sigaction(SIGTERM, NULL, &sa));
	CHECK(sa.sa_handler == SIG_IGN);
	CHECK(no_children());
}

TEST(helper_gets_only_its_descriptors)
{
	static const char *const args[] = { "echo", NULL };
	static const char *const passt[] = { "passt", NULL };
	struct sqn_config cfg;
	sqn_net *net;
	int stray = open("/dev/null", O_RDONLY); /* no O_CLOEXEC */

	/* The fake exits with status 4 on any descriptor beyond 0, 1, 2
	 * and its socket. */
	CHECK(stray >= 0);
	fake_config(&cfg, args);
	cfg.helper_start_ms = 300;
	net = must_open(&cfg);
	round_trip(net, 60, 1);
	sqn_close(net);
	cfg.helper = SQN_HELPER_PASST;
	cfg.helper_args = passt;
	net = must_open(&cfg);
	round_trip(net, 60, 2);
	sqn_close(net);
	close(stray);
	CHECK(no_children());
}

TEST(sigchld_ignored_costs_the_status_not_a_hang)
{
	static const char *const echo[] = { "echo", NULL };
	static const char *const exit7[] = { "exit", "7", NULL };
	struct sqn_config cfg;
	sqn_net *net;

	/* Children are reaped by the kernel: no status, but no hang. */
	signal(SIGCHLD, SIG_IGN);
	fake_config(&cfg, echo);
	net = must_open(&cfg);
	round_trip(net, 60, 1);
	sqn_close(net);
	CHECK(logged(SQN_LOG_DEBUG, "stopped: ended, its status taken"));
	fake_config(&cfg, exit7);
	cfg.helper_start_ms = 5000;
	open_fails(&cfg, -ENOTCONN, "ended, its status taken by another wait");
	CHECK(no_children());
}
