// SPDX-License-Identifier: MIT
/* test_plane_keeper.c - the network plane when things go wrong: killed
 * owners and keepers, a held lock, dnsmasq that dies or cannot start, a
 * run directory not to be trusted; each test in a namespace of its own */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "plane_ns.h"
#include "squibnet.h"

/* A dnsmasq that is not @old runs for the network, within WAIT_MS. */
static int dnsmasq_restarted(int old)
{
	int waited, pid;

	for (waited = 0; waited < WAIT_MS; waited += 10) {
		pid = dnsmasq_pid();
		if (pid > 0 && pid != old && !kill(pid, 0))
			return pid;
		usleep(10000);
	}
	return -1;
}

TEST(attachments_share_a_network_with_the_same_settings_only)
{
	struct sqn_config cfg;
	sqn_net *a, *b, *c = NULL;
	int dns, again;

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	a = open_ok(&cfg);
	/* A dnsmasq that died is started again (by the network's keeper). */
	dns = dnsmasq_pid();
	CHECK(dns > 0 && !kill(dns, SIGKILL));
	b = open_ok(&cfg);
	again = dnsmasq_restarted(dns);
	CHECK_MSG(again > 0, "dnsmasq %d not restarted", dns);
	CHECK(!sh("test $(ip -o link show master " NET " | wc -l) = 2"));
	cfg.subnet = "10.253.0.1/24";
	CHECK_EQ(sqn_open(&cfg, &c), -EEXIST);
	CHECK(!c);
	CHECK_MSG(strstr(sqn_last_error(NULL), "exists"), "%s",
		  sqn_last_error(NULL));
	cfg.subnet = "10.251.0.1/24";
	cfg.mode = SQN_MODE_HOST;
	CHECK_EQ(sqn_open(&cfg, &c), -EEXIST);
	sqn_close(b);
	CHECK_MSG(if_nametoindex(NET), "the network went with a user left");
	CHECK(!sh("test $(ip -o link show master " NET " | wc -l) = 1"));
	/* The first opener, last out, stops the dnsmasq it did not start. */
	sqn_close(a);
	CHECK_MSG(harness_proc_ended(again, WAIT_MS), "dnsmasq %d is left",
		  again);
	nothing_left();
	CHECK_MSG(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
		  "a child is left unreaped");
	/* And the next network has its ports 53 and 67. */
	cfg.mode = SQN_MODE_SHARED;
	sqn_close(open_ok(&cfg));
	nothing_left();
}

/* dnsmasq's own complaint reaches the caller, not its first (empty) line:
 * here port 53 is taken by a socket of this process. */
TEST(dnsmasq_says_why_it_did_not_start)
{
	struct sockaddr_in any = { .sin_family = AF_INET,
				   .sin_port = htons(53) };
	struct sqn_config cfg;
	sqn_net *net = NULL;
	int fd;

	ns_new();
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(fd >= 0 && !bind(fd, (struct sockaddr *)&any, sizeof(any)));
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	CHECK_EQ(sqn_open(&cfg, &net), -EIO);
	CHECK(!net);
	CHECK_MSG(strstr(sqn_last_error(NULL), "Address already in use"), "%s",
		  sqn_last_error(NULL));
	close(fd);
	nothing_left();
}

/* An open that runs out of descriptors at any step fails, and leaves the
 * network in use as it was: never taken for one nobody uses (removed
 * under its user), nor for another's (EEXIST for every open after). */
TEST(out_of_descriptors_an_open_fails_and_the_network_stays)
{
	struct rlimit rl, low;
	struct sqn_config cfg;
	sqn_net *a, *b;
	int fd, i, r;

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	a = open_ok(&cfg);
	CHECK(!getrlimit(RLIMIT_NOFILE, &rl));
	fd = dup(0);
	CHECK(fd >= 0 && !close(fd));
	for (i = 0; i < 24; i++) {
		low = rl;
		low.rlim_cur = (rlim_t)(fd + i);
		b = NULL;
		CHECK(!setrlimit(RLIMIT_NOFILE, &low));
		r = sqn_open(&cfg, &b);
		CHECK(!setrlimit(RLIMIT_NOFILE, &rl));
		if (!r)
			sqn_close(b);
		b = NULL;
		r = sqn_open(&cfg, &b);
		CHECK_MSG(!r, "after an open with %d descriptors: %s", fd + i,
			  sqn_last_error(NULL));
		if (r)
			break;
		sqn_close(b);
	}
	CHECK_MSG(if_nametoindex(NET), "the network went with a user left");
	sqn_close(a);
	nothing_left();
}

/* A child that has opened @cfg, and waits until killed. */
static pid_t open_in_child(const struct sqn_config *cfg)
{
	sqn_net *net;
	int p[2];
	pid_t pid;
	char c;

	CHECK(!pipe(p));
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		/* Never outlives a test that failed. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		if (sqn_open(cfg, &net) || write(p[1], "o", 1) != 1)
			_exit(1);
		pause();
		_exit(2);
	}
	close(p[1]);
	CHECK_MSG(read(p[0], &c, 1) == 1, "the child did not open: %s",
		  "see its exit status");
	close(p[0]);
	return pid;
}

/* The keeper's pid: the one in the record, which runs. */
static int keeper_running(void)
{
	int keeper = record_pid("keeper");

	CHECK_MSG(keeper > 0 && keeper == ns_proc("sqn-keeper"),
		  "keeper: %d in the record, %d running", keeper,
		  ns_proc("sqn-keeper"));
	return keeper;
}

static void kill_and_reap(pid_t pid)
{
	int status;

	CHECK(!kill(pid, SIGKILL));
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* A VMM killed in a namespace that is never opened again: its network's
 * keeper removes the network, dnsmasq and itself within seconds. */
TEST(a_killed_owner_is_cleaned_up_by_the_keeper)
{
	struct sqn_config cfg;
	pid_t vmm;

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	vmm = open_in_child(&cfg);
	CHECK(if_nametoindex(NET) && dnsmasq_pid() > 0);
	kill_and_reap(vmm);
	nothing_left_within(GONE_MS);
}

/* A process killed with its network up, its keeper killed before: the
 * next open, even with other settings, removes what they left and makes
 * the network anew. */
TEST(a_killed_owner_and_keeper_are_cleaned_up_by_the_next_open)
{
	struct sqn_config cfg;
	int keeper, dns;
	sqn_net *net;
	pid_t vmm;

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	vmm = open_in_child(&cfg);
	keeper = keeper_running();
	CHECK(!kill(keeper, SIGKILL));
	CHECK_MSG(harness_proc_ended(keeper, WAIT_MS), "keeper %d lives on",
		  keeper);
	dns = dnsmasq_pid();
	kill_and_reap(vmm);
	CHECK(if_nametoindex(NET)); /* left, as a crash of both leaves it */
	CHECK_EQ(forwarding(UPLINK), 1);
	CHECK(dns > 0 && !kill(dns, 0));
	cfg.subnet = "10.254.0.1/24";
	net = open_ok(&cfg);
	CHECK(!sh("ip -o addr show dev " NET
		  " | grep -q 'inet 10.254.0.1/24'"));
	CHECK(sh("ip -o addr show dev " NET " | grep -q 'inet 10.251'"));
	CHECK_MSG(harness_proc_ended(dns, WAIT_MS), "dnsmasq %d lives on", dns);
	sqn_close(net);
	nothing_left();
}

/* A child that holds the namespace's lock (as another opener would) until
 * @release is closed; the lock's directories are made as the library
 * makes them. */
static pid_t hold_lock(int *release)
{
	char path[256], c;
	int go[2], done[2], fd;
	pid_t pid;

	CHECK(!pipe(go) && !pipe(done));
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[0]);
		close(done[1]);
		snprintf(path, sizeof(path), "%s/+lock", record);
		if ((mkdir("/run/squib-net", 0755) && errno != EEXIST) ||
		    (mkdir(record, 0711) && errno != EEXIST))
			_exit(1);
		fd = open(path, O_RDWR | O_CREAT, 0600);
		if (fd < 0 || flock(fd, LOCK_EX) || write(go[1], "l", 1) != 1)
			_exit(1);
		if (read(done[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(go[1]);
	close(done[0]);
	CHECK_MSG(read(go[0], &c, 1) == 1, "the lock holder did not lock");
	close(go[0]);
	*release = done[1];
	return pid;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The namespace's lock has a deadline: a holder that never lets go makes
 * sqn_open() fail with -EBUSY naming it, and sqn_close() return, leaving
 * the network to its keeper, which removes it once the lock is free. */
TEST(a_held_lock_fails_the_open_and_does_not_block_the_close)
{
	char want[32];
	struct sqn_config cfg;
	struct timespec t0;
	sqn_net *net = NULL;
	int release, status;
	pid_t holder;

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	cfg.lock_timeout_ms = 300;
	holder = hold_lock(&release);
	CHECK_EQ(sqn_open(&cfg, &net), -EBUSY);
	CHECK(!net);
	snprintf(want, sizeof(want), "pid %d", (int)holder);
	CHECK_MSG(strstr(sqn_last_error(NULL), want), "%s (wanted %s)",
		  sqn_last_error(NULL), want);
	close(release);
	CHECK_EQ(waitpid(holder, &status, 0), holder);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status));

	net = open_ok(&cfg);
	holder = hold_lock(&release);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sqn_close(net);
	/* Bounded: it waited lock_timeout_ms, not for the holder. */
	CHECK_MSG(ms_since(&t0) < WAIT_MS, "sqn_close() took %ld ms",
		  ms_since(&t0));
	CHECK_MSG(if_nametoindex(NET), "removed without the lock");
	close(release);
	CHECK_EQ(waitpid(holder, &status, 0), holder);
	nothing_left_within(GONE_MS);
}

/* A private /run for a test that plants a bad /run/squib-net: the
 * machine's own is never touched. */
static void private_run(void)
{
	CHECK_MSG(!unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS): %s",
		  strerror(errno));
	CHECK(!mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	CHECK(!mount("tmpfs", "/run", "tmpfs", 0, "mode=0755"));
}

static void refused(const struct sqn_config *cfg, int err, const char *why)
{
	sqn_net *net = NULL;

	CHECK_EQ(sqn_open(cfg, &net), err);
	CHECK(!net);
	CHECK_MSG(strstr(sqn_last_error(NULL), why), "%s (wanted %s)",
		  sqn_last_error(NULL), why);
	CHECK_MSG(!if_nametoindex(NET), "the network was made");
}

/* The run directory and the namespace's directory in it are used only
 * when nobody but root can change them, and never through a symlink. */
TEST(a_run_directory_others_can_change_is_refused)
{
	struct sqn_config cfg;

	private_run();
	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	CHECK(!mkdir("/run/squib-net", 0755) && !chmod("/run/squib-net", 0777));
	refused(&cfg, -EPERM, "/run/squib-net: refused: writable by group");
	CHECK(!chmod("/run/squib-net", 0755) &&
	      !chown("/run/squib-net", 1234, 0));
	refused(&cfg, -EPERM, "/run/squib-net: refused: owned by uid 1234");
	CHECK(!rmdir("/run/squib-net") && !mkdir("/run/elsewhere", 0755) &&
	      !symlink("/run/elsewhere", "/run/squib-net"));
	refused(&cfg, -ELOOP, "/run/squib-net: refused: a symlink");
	CHECK(!unlink("/run/squib-net") && !mkdir("/run/squib-net", 0755) &&
	      !mkdir(record, 0711) && !chmod(record, 0733));
	refused(&cfg, -EPERM, "refused: writable by group or others");
	CHECK(!chmod(record, 0711));
	sqn_close(open_ok(&cfg));
	nothing_left();
}

/* A field of /proc/@pid/status in kB (VmRSS, say), or -1. */
static long proc_kb(int pid, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && kb < 0 && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

/* The parent of @pid, or -1. */
static int proc_ppid(int pid)
{
	return (int)proc_kb(pid, "PPid");
}

#define BIG_MB 256

/* The keeper is the program squib-net-keeper, not a copy of the caller:
 * a VMM with 256 MiB of guest RAM touched has a keeper of a few MiB, and
 * the keeper is not its child. */
TEST(the_keeper_is_a_program_of_its_own_not_a_copy_of_the_caller)
{
	char path[64], exe[4096], want[4096], *real;
	size_t big = (size_t)BIG_MB << 20;
	struct sqn_config cfg;
	int keeper;
	ssize_t n;
	long rss;
	char *ram;
	sqn_net *net;

	ram = mmap(NULL, big, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ram != MAP_FAILED);
	memset(ram, 0x5a, big);
	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	net = open_ok(&cfg);
	keeper = keeper_running();
	rss = proc_kb(keeper, "VmRSS");
	CHECK_MSG(rss > 0 && rss < 32 * 1024,
		  "the keeper's VmRSS is %ld kB (the caller touched %d MiB)",
		  rss, BIG_MB);
	snprintf(path, sizeof(path), "/proc/%d/exe", keeper);
	n = readlink(path, exe, sizeof(exe) - 1);
	CHECK(n > 0);
	exe[n] = '\0';
	CHECK(getenv("SQN_LIBEXECDIR"));
	snprintf(want, sizeof(want), "%s/squib-net-keeper",
		 getenv("SQN_LIBEXECDIR"));
	real = realpath(want, NULL);
	CHECK_MSG(real && !strcmp(exe, real), "the keeper runs %s, not %s", exe,
		  want);
	free(real);
	CHECK_MSG(proc_ppid(keeper) != getpid(),
		  "the keeper is the caller's child");
	sqn_close(net);
	nothing_left();
	munmap(ram, big);
}

/* What a VMM's reaper thread collected: every pid its waitpid(-1) got. */
static struct {
	pid_t sleeper;
	pid_t other;
} reaper;

/* A VMM's own reaper: waitpid(-1) until it has its own child, the
 * sleeper; anything else it gets is noted. */
static void *reap_all(void *arg)
{
	pid_t pid;

	(void)arg;
	for (;;) {
		pid = waitpid(-1, NULL, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0 || pid == reaper.sleeper)
			return NULL;
		reaper.other = pid;
	}
}

/* Starting the keeper leaves the caller nothing to reap and sends it no
 * SIGCHLD: a VMM whose thread loops on waitpid(-1) never gets a child it
 * did not start, and the library never loses one to it. */
TEST(starting_the_keeper_is_invisible_to_the_callers_reaping)
{
	struct timespec none = { 0, 0 };
	struct sqn_config cfg;
	sigset_t chld, pending;
	int release[2];
	pthread_t thread;
	sqn_net *net;
	char c;

	ns_new();
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	CHECK(!sigprocmask(SIG_BLOCK, &chld, NULL));
	while (sigtimedwait(&chld, NULL, &none) == SIGCHLD)
		;
	/* A child of the VMM's own, for its reaper to wait on meanwhile. */
	CHECK(!pipe(release));
	reaper.sleeper = fork();
	CHECK(reaper.sleeper >= 0);
	if (!reaper.sleeper) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(release[1]);
		_exit(read(release[0], &c, 1) < 0);
	}
	close(release[0]);
	CHECK(!pthread_create(&thread, NULL, reap_all, NULL));
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	net = open_ok(&cfg);
	CHECK(record_pid("keeper") > 0);
	CHECK(!sigpending(&pending));
	CHECK_MSG(!sigismember(&pending, SIGCHLD),
		  "a SIGCHLD came while the keeper started");
	sqn_close(net);
	close(release[1]);
	CHECK(!pthread_join(thread, NULL));
	CHECK_MSG(!reaper.other, "the caller's waitpid(-1) got pid %d",
		  (int)reaper.other);
	CHECK_MSG(waitpid(-1, NULL, WNOHANG | __WALL) < 0 && errno == ECHILD,
		  "a child is left unreaped");
	nothing_left();
}

/* Without its keeper program, a network is not made: the open fails and
 * says where the program was looked for. */
TEST(a_missing_keeper_program_fails_the_open_naming_it)
{
	struct sqn_config cfg;

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	CHECK(!setenv("SQN_LIBEXECDIR", "/nonexistent/libexec", 1));
	refused(&cfg, -ENOENT,
		"/nonexistent/libexec/squib-net-keeper (from SQN_LIBEXECDIR)");
	CHECK_MSG(strstr(sqn_last_error(NULL), "No such file"), "%s",
		  sqn_last_error(NULL));
	CHECK(!setenv("SQN_LIBEXECDIR", "build/libexec", 1));
	refused(&cfg, -EINVAL, "SQN_LIBEXECDIR build/libexec: not an absolute");
	nothing_left();
}
