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
#include <sys/auxv.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "helper_fx.h"

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
	unsetenv("SQN_SLIRP_HELPER"); /* the default is passt without it */
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
	char want[300];
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *net;

	/* The fake echoes only when started as passt is (-f --fd 3, stdin
	 * /dev/null); otherwise it exits with status 3. */
	setenv("SQN_PASST", fx_fake_helper(), 1);
	unsetenv("SQN_SLIRP_HELPER");
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_USERSPACE;
	cfg.helper_args = args;
	cfg.log = log_cb;
	net = must_open(&cfg);
	snprintf(want, sizeof(want), "helper passt: %s (from SQN_PASST)",
		 fx_fake_helper());
	CHECK_MSG(logged(SQN_LOG_INFO, want), "no \"%s\"", want);
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

/* Open with @args, see sqn_info report @mtu, and a frame of @len go
 * through the helper and back. */
static void opens_with_mtu(struct sqn_config *cfg, const char *const *args,
			   uint32_t mtu, size_t len)
{
	struct sqn_info info;
	sqn_net *net;

	cfg->helper_args = args;
	net = must_open(cfg);
	sqn_info(net, &info);
	CHECK_EQ(info.mtu, mtu);
	CHECK_EQ(info.max_packet_size, mtu + 14);
	round_trip(net, 60, 1);
	round_trip(net, len, 2);
	sqn_close(net);
}

/* The slirp profile: squib-net-slirp-helper --fd 3 [args] --mtu M, with
 * M the attachment's MTU (1500 by default); the fake checks that argv. */
TEST(slirp_profile_argv_and_mtu)
{
	static const char *const a1500[] = { "slirp", "1500", NULL };
	static const char *const a9000[] = { "slirp", "9000", NULL };
	static const char *const a1400[] = { "slirp", "1400", NULL };
	struct sqn_config cfg;
	char want[300];

	CHECK_EQ(SQN_HELPER_SLIRP, 4); /* appended: the ABI keeps the rest */
	setenv("SQN_SLIRP_HELPER", fx_fake_helper(), 1);
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_USERSPACE;
	cfg.helper = SQN_HELPER_SLIRP;
	cfg.log = log_cb;
	opens_with_mtu(&cfg, a1500, 1500, 1514);
	snprintf(want, sizeof(want),
		 "helper squib-net-slirp-helper: %s (from SQN_SLIRP_HELPER)",
		 fx_fake_helper());
	CHECK_MSG(logged(SQN_LOG_INFO, want), "no \"%s\"", want);
	cfg.mtu = 9000;
	opens_with_mtu(&cfg, a9000, 9000, 9014);
	/* The fake refuses an MTU it did not expect. */
	cfg.mtu = 0;
	cfg.helper_args = a1400;
	cfg.helper_start_ms = 5000;
	open_fails(&cfg, -ENOTCONN, "not ended with the --mtu expected");
	cfg.helper_start_ms = 0;
	cfg.mtu = 500;
	open_fails(&cfg, -EINVAL,
		   "mtu: squib-net-slirp-helper takes 576..65520, not 500");
	cfg.mtu = 65521;
	open_fails(&cfg, -EINVAL, "takes 576..65520, not 65521");
	cfg.mtu = 0;
	cfg.framing = SQN_FRAMING_HYPERKIT;
	open_fails(
		&cfg, -EINVAL,
		"framing: squib-net-slirp-helper speaks the qemu framing only");
	cfg.framing = SQN_FRAMING_DEFAULT;
	cfg.helper = (enum sqn_helper)5;
	open_fails(&cfg, -EINVAL, "helper: 5 is not a known helper");
	unsetenv("SQN_SLIRP_HELPER");
	CHECK(no_children());
}

/* SQN_HELPER_DEFAULT: the slirp helper when found, else passt; passt too
 * with helper_path set. (Assumes no squib-net-slirp-helper in the
 * library's libexec directory, as on a machine it was not installed on.) */
TEST(default_is_slirp_when_found_else_passt)
{
	static const char *const slirp[] = { "slirp", "1500", NULL };
	static const char *const passt[] = { "passt", NULL };
	const char *old = getenv("PATH");
	char path[512];
	struct sqn_config cfg;

	snprintf(path, sizeof(path), "%s", old ? old : "");
	setenv("SQN_SLIRP_HELPER", fx_fake_helper(), 1);
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_USERSPACE;
	cfg.log = log_cb;
	opens_with_mtu(&cfg, slirp, 1500, 1514);
	CHECK(logged(SQN_LOG_INFO, "(from SQN_SLIRP_HELPER)"));
	/* helper_path: passt's binary, started as passt is. */
	cfg.helper_path = fx_fake_helper();
	opens_with_mtu(&cfg, passt, 65520, 65534);
	/* Neither found: the message names passt, the fallback. */
	cfg.helper_path = NULL;
	unsetenv("SQN_SLIRP_HELPER");
	unsetenv("SQN_PASST");
	setenv("PATH", "/nonexistent/bin", 1);
	open_fails(&cfg, -ENOENT, "helper passt: not found in PATH");
	cfg.helper = SQN_HELPER_SLIRP;
	open_fails(
		&cfg, -ENOENT,
		"libexec or PATH; install squib-net-slirp-helper, or set SQN_SLIRP_HELPER or helper_path");
	setenv("PATH", path, 1);
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

/* Issue 9 item 4: empty and relative PATH entries (the current directory
 * for execvp()) are skipped; an absolute one finds the helper, logged. */
TEST(PATH_skips_empty_and_relative_entries)
{
	static const char *const args[] = { "passt", NULL };
	char dir[] = "/tmp/sqn-path-XXXXXX", link[64], path[200];
	struct sqn_config cfg;
	sqn_net *net;

	CHECK(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/passt", dir);
	CHECK(!symlink(fx_fake_helper(), link));
	CHECK(!chdir(dir));
	unsetenv("SQN_PASST");
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_USERSPACE;
	cfg.helper_args = args;
	cfg.log = log_cb;
	setenv("PATH", ":.:./:/nonexistent", 1);
	open_fails(&cfg, -ENOENT, "helper passt: not found in PATH");
	snprintf(path, sizeof(path), "::%s", dir);
	setenv("PATH", path, 1);
	net = must_open(&cfg);
	snprintf(path, sizeof(path), "helper passt: %s (from PATH)", link);
	CHECK_MSG(logged(SQN_LOG_INFO, path), "no \"%s\"", path);
	round_trip(net, 60, 1);
	sqn_close(net);
	CHECK(!chdir("/"));
	unlink(link);
	rmdir(dir);
	CHECK(no_children());
}

/* The inner half of setuid_ignores_the_environment, run set-user-ID. */
static void setuid_inner(void)
{
	static const char *const args[] = { "gvproxy", NULL };
	const char *dir = getenv("PATH");
	struct sqn_config cfg;
	sqn_net *net = NULL;
	int r;

	CHECK(getenv("SQN_GVPROXY") && dir);
	fake_config(&cfg, args);
	cfg.helper = SQN_HELPER_GVPROXY;
	cfg.helper_path = NULL;
	r = sqn_open(&cfg, &net);
	/* Not the fake from SQN_GVPROXY or PATH: a gvproxy in the default
	 * PATH if the machine has one, else none. */
	if (!r) {
		const char *line = logged(SQN_LOG_INFO, "(from PATH)");

		CHECK_MSG(line && !strstr(line, dir), "ran %s",
			  line ? line : "an unnamed helper");
		sqn_close(net);
	} else {
		CHECK_MSG(r == -ENOENT && strstr(sqn_last_error(NULL),
						 "gvproxy: not found in PATH"),
			  "%d: %s", r, sqn_last_error(NULL));
	}
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
	static char buf[1 << 16];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	CHECK(in >= 0);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0700);
	CHECK(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		CHECK_EQ(write(out, buf, (size_t)n), n);
	CHECK(!n);
	close(in);
	CHECK(!fchmod(out, mode));
	CHECK(!close(out));
}

/* The program to run set-user-ID: this one, or under ASan its plain
 * build (LeakSanitizer cannot stop the threads of a set-user-ID process,
 * which is not dumpable, and cannot read its environment). */
static const char *setuid_program(void)
{
	static char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *asan;

	CHECK(n > 0);
	exe[n] = '\0';
#ifdef SQN_ASAN
	asan = strstr(exe, "/asan/tests/");
	CHECK(asan);
	memmove(asan, asan + 5, strlen(asan + 5) + 1);
#else
	(void)asan;
#endif
	return exe;
}

/* Issue 9 item 4: a set-user-ID program (AT_SECURE) that embeds the
 * library does not let its caller's SQN_GVPROXY or PATH choose what runs:
 * this test binary, copied set-user-ID to nobody, runs its inner half. */
TEST(setuid_ignores_the_environment)
{
	char dir[] = "/tmp/sqn-suid-XXXXXX", prog[64], fake[64];
	int status = 0;
	pid_t pid;

	if (getauxval(AT_SECURE)) {
		setuid_inner();
		return;
	}
	CHECK_MSG(!geteuid(), "needs root, to make a set-user-ID copy");
	CHECK(mkdtemp(dir) && !chmod(dir, 0755));
	snprintf(prog, sizeof(prog), "%s/test", dir);
	snprintf(fake, sizeof(fake), "%s/gvproxy", dir);
	copy_file(setuid_program(), prog, 0755);
	copy_file(fx_fake_helper(), fake, 0755);
	CHECK(!chown(prog, 65534, 65534) && !chmod(prog, 04755));
	setenv("SQN_GVPROXY", fake, 1);
	setenv("PATH", dir, 1);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		/* Its own summary line would count as this suite's. */
		dup2(2, 1);
		execl(prog, prog, "setuid_ignores_the_environment", NULL);
		_exit(127);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	unlink(prog);
	unlink(fake);
	rmdir(dir);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "the set-user-ID run failed (status 0x%x)", status);
	CHECK(no_children());
}

/* Issue 9 item 11: after a bad option passt writes its complaint, then a
 * usage text, and with no syslog "Failed to send N bytes to syslog" after
 * each line: the message shows the complaint. */
TEST(last_stderr_line_is_the_complaint)
{
	static const char *const args[] = { "complain", NULL };
	struct sqn_config cfg;

	fake_config(&cfg, args);
	cfg.helper_start_ms = 5000;
	open_fails(
		&cfg, -ENOTCONN,
		"exited with status 1 at start; its last stderr line: fake_helper: unrecognized option '--bogus'");
	CHECK(no_children());
}
