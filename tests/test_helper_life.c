// SPDX-License-Identifier: MIT
/* test_helper_life.c - the userspace mode: a helper's death, its reaping, its stop */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "helper_fx.h"

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
	CHECK_EQ(sqn_flush(net), -ENOTCONN);
	sqn_close(net);
	CHECK_MSG(no_children(), "the helper was not reaped");
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
	sqn_close(net);
	CHECK(no_children());
}

TEST(helper_dies_with_its_parent)
{
	/* It never reads, so only PR_SET_PDEATHSIG can end it. */
	static const char *const args[] = { "sleep", NULL };
	pid_t child, helper = 0, super;
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
	super = parent_of(helper);
	CHECK(!kill(child, SIGKILL));
	CHECK(helper > 0);
	CHECK(super > 0 && super != child);
	CHECK_EQ(waitpid(child, &status, 0), child);
	t0 = now_ms();
	do {
		r = waitpid(helper, &status, WNOHANG);
	} while (r != helper && now_ms() - t0 < WAIT_MS && !usleep(2000));
	CHECK_MSG(r == helper, "helper %d still there %d ms after its parent",
		  (int)helper, WAIT_MS);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(kill(helper, 0) == -1 && errno == ESRCH);
	/* Its supervisor died first, with the parent, and came here too. */
	CHECK_EQ(waitpid(super, &status, __WALL), super);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(no_children());
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

/* SIGCHLD ignored: the kernel reaps the helper itself, and keeps its
 * status for the pidfd (Linux 6.15), so nothing hangs and the status is
 * still told. */
TEST(sigchld_ignored_keeps_the_status)
{
	static const char *const sleeper[] = { "sleep", NULL };
	static const char *const exit7[] = { "exit", "7", NULL };
	struct sqn_config cfg;
	sqn_net *net;

	signal(SIGCHLD, SIG_IGN);
	fake_config(&cfg, sleeper);
	net = must_open(&cfg);
	CHECK(wait_logged(net, "fake_helper: ready"));
	sqn_close(net);
	CHECK_MSG(logged(SQN_LOG_DEBUG, "stopped: killed by signal 15"),
		  "the status of a helper stopped at close was lost");
	fake_config(&cfg, exit7);
	cfg.helper_start_ms = 5000;
	open_fails(&cfg, -ENOTCONN, "exited with status 7 at start");
	CHECK(no_children());
}

/* Issue 9 item 2: the helper exits while a child of its own keeps the
 * socket open, so the socket never shows the end; sqn_fd() must still
 * wake the caller, and sqn_recv() tell how the helper ended. */
TEST(helper_death_wakes_sqn_fd_though_its_child_holds_the_socket)
{
	struct fx f = { .name = "helper" };
	struct iovec ti = { txb, 60 };
	struct sqn_pkt t = { .iov = &ti, .iovcnt = 1 };
	struct pollfd p;
	int kid = family_kid(&f.net, "leave"), fds;
	pid_t helper = child_pid();

	CHECK(helper > 0 && helper != kid);
	p = (struct pollfd){ sqn_fd(f.net), POLLIN, 0 };
	CHECK_EQ(recv_one(f.net), -EAGAIN);
	CHECK_EQ(poll(&p, 1, 0), 0);
	fds = harness_fd_count();
	/* The fake leaves at the first bytes in, its child running. */
	frame_fill(txb, 60, 1);
	CHECK(!fx_send_all(&f, &t, 1));
	CHECK_MSG(harness_proc_ended(helper, WAIT_MS), "the fake did not exit");
	CHECK_MSG(!harness_proc_ended(kid, 0), "the fake's child %d ended",
		  kid);
	CHECK_MSG(poll(&p, 1, 1000) == 1 && (p.revents & POLLIN),
		  "sqn_fd() not readable 1 s after the helper exited");
	CHECK_EQ(recv_one(f.net), -ENOTCONN);
	CHECK_MSG(strstr(sqn_last_error(f.net), "exited with status 5"), "%s",
		  sqn_last_error(f.net));
	CHECK_EQ(harness_fd_count(), fds);
	sqn_close(f.net);
	CHECK_MSG(harness_proc_ended(kid, WAIT_MS),
		  "the helper's child %d still runs", kid);
	CHECK(no_children());
}

/* Issue 9 item 3: sqn_recv() finds the helper dead and reads its status;
 * sqn_close() must still end what the helper left running. */
TEST(close_ends_the_group_of_a_helper_recv_found_dead)
{
	struct fx f = { .name = "helper" };
	struct iovec ti = { txb, 60 };
	struct sqn_pkt t = { .iov = &ti, .iovcnt = 1 };
	int kid = family_kid(&f.net, "leave");
	unsigned int frames;

	frame_fill(txb, 60, 1);
	CHECK(!fx_send_all(&f, &t, 1));
	CHECK_EQ(recv_until_error(f.net, &frames), -ENOTCONN);
	CHECK_MSG(strstr(sqn_last_error(f.net), "exited with status 5"), "%s",
		  sqn_last_error(f.net));
	CHECK_MSG(!harness_proc_ended(kid, 0), "the child %d ended early", kid);
	sqn_close(f.net);
	CHECK_MSG(harness_proc_ended(kid, WAIT_MS),
		  "the helper's child %d still runs", kid);
	CHECK(no_children());
}

/* A VMM thread that reaps every child it can, as some do: it records
 * every pid it reaped. */
#define REAPED_MAX 64

static struct {
	int flags;
	volatile int stop;
	pid_t got[REAPED_MAX];
	volatile int n;
} reaper;

static void *reaper_run(void *arg)
{
	(void)arg;
	while (!reaper.stop) {
		int st;
		pid_t pid = waitpid(-1, &st, reaper.flags);

		if (pid > 0 && reaper.n < REAPED_MAX)
			reaper.got[reaper.n] = pid;
		if (pid > 0)
			__atomic_add_fetch(&reaper.n, 1, __ATOMIC_SEQ_CST);
		else if (!pid || errno == ECHILD)
			usleep(200); /* nothing it may see: look again */
	}
	return NULL;
}

static int reaped(pid_t pid)
{
	int i;

	for (i = 0; i < reaper.n && i < REAPED_MAX; i++)
		if (reaper.got[i] == pid)
			return 1;
	return 0;
}

/* A child of the test's own that the reaper must take, once the test
 * closes *@fd: proof that the reaper runs (and, blocking, that it waits
 * in waitpid() meanwhile). */
static pid_t marker_start(int *fd)
{
	int p[2];
	char c;
	pid_t pid;

	CHECK(!pipe(p));
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	*fd = p[1];
	return pid;
}

/* Let the marker go, and wait for the reaper to take it. */
static void marker_end(pid_t marker, int fd)
{
	long t0 = now_ms();

	close(fd);
	while (!reaped(marker) && now_ms() - t0 < WAIT_MS)
		usleep(1000);
	CHECK_MSG(reaped(marker), "the reaper did not take the marker %d",
		  (int)marker);
}

/* The helper's pid, as the library's log tells it, and its parent's. */
static pid_t started_pid(pid_t *parent)
{
	const char *line = logged(SQN_LOG_DEBUG, "started, pid ");
	int pid = 0;

	CHECK(line &&
	      sscanf(strstr(line, "started, pid ") + 13, "%d", &pid) == 1);
	if (parent)
		*parent = parent_of(pid);
	return pid;
}

static void reaper_took_neither(pid_t helper, pid_t super)
{
	CHECK_MSG(!reaped(helper),
		  "the application's waitpid(-1) took the helper %d",
		  (int)helper);
	CHECK_MSG(
		!reaped(super),
		"the application's waitpid(-1) took the helper's supervisor %d",
		(int)super);
}

/* The helper, in use, ended (@how): once the reaper had its chance
 * (the marker taken after the end), the library tells how, naming the
 * helper's pid. */
static void ended_in_use(sqn_net *net, pid_t helper, pid_t marker, int fd,
			 const char *how)
{
	unsigned int frames;
	char want[96];

	CHECK_MSG(harness_proc_ended(helper, WAIT_MS), "the helper lives on");
	marker_end(marker, fd);
	CHECK_EQ(recv_until_error(net, &frames), -ENOTCONN);
	snprintf(want, sizeof(want), "(pid %d) %s", (int)helper, how);
	CHECK_MSG(strstr(sqn_last_error(net), want), "%s lacks %s",
		  sqn_last_error(net), want);
}

/* Issue 9 item 3: an application thread that reaps with waitpid(-1,
 * @flags) never takes the helper or what stands for it, and the library
 * still tells how the helper ended: stopped at close, killed in use,
 * exited in use, exited at start. */
static void waitpid_minus_one_takes_nothing(int flags)
{
	static const char *const echo[] = { "echo", NULL };
	static const char *const exit7[] = { "exit", "7", NULL };
	struct sqn_config cfg;
	struct iovec ti = { txb, 60 };
	struct sqn_pkt t = { .iov = &ti, .iovcnt = 1 };
	struct fx f = { .name = "helper" };
	pthread_t th;
	pid_t pid, helper, super, marker;
	int fd, kid, markers = 4;

	reaper.flags = flags;
	CHECK(!pthread_create(&th, NULL, reaper_run, NULL));

	/* Opened, used, stopped at close. */
	marker = marker_start(&fd);
	fake_config(&cfg, echo);
	f.net = open_helper(&cfg, &pid);
	helper = started_pid(&super);
	CHECK_EQ(helper, pid);
	round_trip(f.net, 1514, 1);
	sqn_close(f.net);
	CHECK_MSG(logged(SQN_LOG_DEBUG, "stopped: "), "no stop logged");
	marker_end(marker, fd);
	reaper_took_neither(helper, super);

	/* Killed in use: the reaper has its chance before the library looks. */
	logs.n = 0;
	marker = marker_start(&fd);
	f.net = open_helper(&cfg, &pid);
	helper = started_pid(&super);
	round_trip(f.net, 60, 2);
	CHECK(!kill(helper, SIGKILL));
	ended_in_use(f.net, helper, marker, fd, "killed by signal 9");
	sqn_close(f.net);
	reaper_took_neither(helper, super);

	/* Exits by itself in use (status 5), its child left running. */
	logs.n = 0;
	marker = marker_start(&fd);
	kid = family_kid(&f.net, "leave");
	helper = started_pid(&super);
	frame_fill(txb, 60, 1);
	CHECK(!fx_send_all(&f, &t, 1));
	ended_in_use(f.net, helper, marker, fd, "exited with status 5");
	sqn_close(f.net);
	CHECK_MSG(harness_proc_ended(kid, WAIT_MS),
		  "the helper's child %d still runs", kid);
	reaper_took_neither(helper, super);

	/* Exits at start. */
	logs.n = 0;
	marker = marker_start(&fd);
	fake_config(&cfg, exit7);
	cfg.helper_start_ms = 5000;
	open_fails(&cfg, -ENOTCONN, "exited with status 7 at start");
	marker_end(marker, fd);
	helper = started_pid(NULL);
	CHECK_MSG(!reaped(helper),
		  "the application's waitpid(-1) took the helper %d",
		  (int)helper);

	reaper.stop = 1;
	CHECK(!pthread_join(th, NULL));
	/* The markers, and nothing else (a supervisor of a helper that
	 * exited at start included). */
	CHECK_MSG(reaper.n == markers,
		  "the reaper took %d processes, %d markers", reaper.n,
		  markers);
	CHECK(no_children());
}

TEST(blocking_waitpid_minus_one_never_takes_the_helper)
{
	waitpid_minus_one_takes_nothing(0);
}

TEST(polling_waitpid_minus_one_never_takes_the_helper)
{
	waitpid_minus_one_takes_nothing(WNOHANG);
}
