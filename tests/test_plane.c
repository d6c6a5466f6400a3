// SPDX-License-Identifier: MIT
/* test_plane.c - shared, host and bridged networks made by sqn_open() and
 * undone by sqn_close(), each test in a network namespace of its own */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "squibnet.h"

#define NET "sqn-tp"
#define UPLINK "up0"
/* How long a network may outlive its last attachment (issue 9: "a few
 * seconds"; generous for a loaded machine). */
#define GONE_MS 15000

static char record[128];

/* A fresh namespace with an uplink 10.250.0.2/24 and a default route
 * through it, as a host has; nothing leaves it (the peer end is here). */
static void ns_new(void)
{
	struct stat st;

	CHECK_MSG(!unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET): %s (root?)",
		  strerror(errno));
	CHECK(!system("ip link set lo up && "
		      "ip link add " UPLINK " type veth peer name up1 && "
		      "ip addr add 10.250.0.2/24 dev " UPLINK " && "
		      "ip link set " UPLINK " up && ip link set up1 up && "
		      "ip route add default via 10.250.0.1"));
	CHECK(!stat("/proc/self/ns/net", &st));
	snprintf(record, sizeof(record), "/run/squib-net/net-%llu",
		 (unsigned long long)st.st_ino);
}

static int sh(const char *cmd)
{
	int r = system(cmd);

	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static int sh_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int sh_printf(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return sh(cmd);
}

static int forwarding(const char *iface)
{
	char path[96], c = '?';
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding",
		 iface);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = '?';
	close(fd);
	return c - '0';
}

static void config(struct sqn_config *cfg, enum sqn_mode mode,
		   const char *subnet)
{
	sqn_config_init(cfg);
	cfg->mode = mode;
	cfg->network = NET;
	cfg->subnet = subnet;
	cfg->dns_upstream = "none";
}

static sqn_net *open_ok(const struct sqn_config *cfg)
{
	sqn_net *net = NULL;

	CHECK_MSG(!sqn_open(cfg, &net), "%s", sqn_last_error(NULL));
	return net;
}

/* The pid of a process named @comm in this network namespace, other than
 * this one, or 0. */
static int ns_proc(const char *comm)
{
	char path[300], name[32];
	struct stat me, st;
	struct dirent *d;
	int pid = 0, p;
	DIR *dp;
	FILE *f;

	if (stat("/proc/self/ns/net", &me))
		return 0;
	dp = opendir("/proc");
	while (dp && !pid && (d = readdir(dp))) {
		p = atoi(d->d_name);
		if (p <= 0 || p == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", p);
		if (stat(path, &st) || st.st_ino != me.st_ino ||
		    st.st_dev != me.st_dev)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", p);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f) &&
		    !strncmp(name, comm, strlen(comm)) &&
		    name[strlen(comm)] == '\n' && !harness_proc_ended(p, 0))
			pid = p;
		fclose(f);
	}
	if (dp)
		closedir(dp);
	return pid;
}

/* Nothing of a network in the namespace: no bridge, TAP or table, no
 * record, no keeper or dnsmasq, the uplink forwarding as before. Within
 * @ms: the keeper ends on its own after the network went. */
static void nothing_left_within(int ms)
{
	struct stat st;
	int waited;

	for (waited = 0;; waited += 10) {
		if (!if_nametoindex(NET) &&
		    sh("ip -o link show | grep -q ': sqn'") &&
		    sh("nft list tables | grep -q squib-net") &&
		    stat(record, &st) && !ns_proc("sqn-keeper") &&
		    !ns_proc("dnsmasq"))
			break;
		if (waited >= ms)
			break;
		usleep(10000);
	}
	CHECK_MSG(!if_nametoindex(NET), "bridge " NET " left");
	CHECK_MSG(sh("ip -o link show | grep -q ': sqn'"),
		  "a TAP sqn* is left");
	CHECK_MSG(sh("nft list tables | grep -q squib-net"),
		  "an nftables table is left");
	CHECK_MSG(stat(record, &st), "%s is left", record);
	CHECK_MSG(!ns_proc("dnsmasq"), "dnsmasq %d is left",
		  ns_proc("dnsmasq"));
	CHECK_MSG(!ns_proc("sqn-keeper"), "keeper %d is left",
		  ns_proc("sqn-keeper"));
	CHECK_EQ(forwarding(UPLINK), 0);
}

/* What sqn_close() removes is gone when it returns; the keeper follows. */
static void nothing_left(void)
{
	struct stat st;

	CHECK_MSG(!if_nametoindex(NET), "bridge " NET " left");
	CHECK_MSG(stat(record, &st), "%s is left", record);
	nothing_left_within(WAIT_MS);
}

/* The pid written in the network's file @name, or -1. */
static int record_pid(const char *name)
{
	char path[256];
	int pid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" NET "/%s", record, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &pid) != 1)
		pid = -1;
	fclose(f);
	return pid;
}

/* The pid in the network's dnsmasq.pid, or -1. */
static int dnsmasq_pid(void)
{
	return record_pid("dnsmasq.pid");
}

TEST(shared_network_is_made_and_undone)
{
	struct sqn_config cfg;
	struct sqn_info info;
	int fds, dnsmasq;
	sqn_net *net;

	ns_new();
	fds = harness_fd_count();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	net = open_ok(&cfg);
	CHECK(!sqn_info(net, &info));
	CHECK_EQ(info.mode, SQN_MODE_SHARED);
	CHECK_EQ(info.has_subnet, 1);
	CHECK(!memcmp(info.gateway, "\x0a\xfb\x00\x01", 4));
	CHECK(!memcmp(info.subnet, "\x0a\xfb\x00\x00", 4));
	CHECK(!memcmp(info.netmask, "\xff\xff\xff\x00", 4));
	CHECK_EQ(info.link_up, 1);
	CHECK(if_nametoindex(NET));
	CHECK(!sh("ip -o addr show dev " NET
		  " | grep -q 'inet 10.251.0.1/24'"));
	CHECK(!sh("ip -o link show master " NET " | grep -q ': sqn'"));
	CHECK(!sh("nft list table ip squib-net-" NET
		  " | grep -q 'oifname \"" UPLINK "\" masquerade'"));
	CHECK_EQ(forwarding(NET), 1);
	CHECK_EQ(forwarding(UPLINK), 1);
	dnsmasq = dnsmasq_pid();
	CHECK_MSG(dnsmasq > 0 && !kill(dnsmasq, 0), "no dnsmasq: %d", dnsmasq);
	sqn_close(net);
	nothing_left();
	CHECK_MSG(kill(dnsmasq, 0) && errno == ESRCH, "dnsmasq %d is left",
		  dnsmasq);
	CHECK_EQ(harness_fd_count(), fds);
}

TEST(host_network_forwards_nothing)
{
	struct sqn_config cfg;
	sqn_net *net;

	ns_new();
	config(&cfg, SQN_MODE_HOST, "10.252.0.1/24");
	net = open_ok(&cfg);
	CHECK_EQ(forwarding(NET), 0);
	CHECK_EQ(forwarding(UPLINK), 0);
	CHECK(!sh("nft list table ip squib-net-" NET
		  " | grep -q 'oifname \"" NET "\" drop'"));
	CHECK(sh("nft list table ip squib-net-" NET " | grep -q masquerade"));
	sqn_close(net);
	nothing_left();
}

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

/* Each refused before anything is made. */
TEST(bad_networks_are_refused_and_leave_nothing)
{
	struct sqn_config cfg;
	sqn_net *net = NULL;

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.250.0.1/16");
	CHECK_EQ(sqn_open(&cfg, &net), -EADDRINUSE);
	CHECK_MSG(strstr(sqn_last_error(NULL),
			 "overlaps 10.250.0.2/24 on " UPLINK),
		  "%s", sqn_last_error(NULL));
	nothing_left();
	CHECK(!sh("ip route add 10.80.0.0/12 via 10.250.0.1"));
	cfg.subnet = "10.81.0.1/24";
	CHECK_EQ(sqn_open(&cfg, &net), -EADDRINUSE);
	CHECK_MSG(strstr(sqn_last_error(NULL), "route"), "%s",
		  sqn_last_error(NULL));
	nothing_left();
	cfg.subnet = "10.251.0.1/24";
	cfg.network = UPLINK;
	CHECK_EQ(sqn_open(&cfg, &net), -EEXIST);
	CHECK_MSG(strstr(sqn_last_error(NULL), "not a squib-net network"), "%s",
		  sqn_last_error(NULL));
	CHECK(if_nametoindex(UPLINK));
	cfg.network = NET;
	cfg.nat_iface = "nope0";
	CHECK_EQ(sqn_open(&cfg, &net), -ENODEV);
	nothing_left();
	cfg.nat_iface = NULL;
	CHECK(!sh("ip route del default"));
	CHECK_EQ(sqn_open(&cfg, &net), -ENETUNREACH);
	nothing_left();
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_BRIDGED;
	cfg.bridged_iface = "nope0";
	CHECK_EQ(sqn_open(&cfg, &net), -ENODEV);
	CHECK_MSG(strstr(sqn_last_error(NULL), "no interface named nope0"),
		  "%s", sqn_last_error(NULL));
	CHECK(!net);
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
	keeper = record_pid("keeper");
	CHECK_MSG(keeper > 0 && keeper == ns_proc("sqn-keeper"),
		  "keeper: %d in the record, %d running", keeper,
		  ns_proc("sqn-keeper"));
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

TEST(open_close_cycles_leave_no_fds_or_children)
{
	struct sqn_config cfg;
	int i, fds;

	ns_new();
	config(&cfg, SQN_MODE_HOST, "10.252.0.1/24");
	fds = harness_fd_count();
	for (i = 0; i < 20; i++)
		sqn_close(open_ok(&cfg));
	CHECK_EQ(harness_fd_count(), fds);
	CHECK_MSG(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
		  "a child (dnsmasq) is left unreaped");
	nothing_left();
}

/* What squib-net did not make is never undone: a table of the network's
 * name that was there already makes the open fail and stays. */
TEST(a_table_that_was_there_is_left_alone)
{
	struct sqn_config cfg;
	sqn_net *net = NULL;

	ns_new();
	CHECK(!sh("nft add table ip squib-net-" NET));
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	CHECK(sqn_open(&cfg, &net) < 0);
	CHECK(!net);
	CHECK_MSG(strstr(sqn_last_error(NULL), "squib-net-" NET), "%s",
		  sqn_last_error(NULL));
	CHECK_MSG(!sh("nft list table ip squib-net-" NET " >/dev/null"),
		  "the table that was there is gone");
	CHECK(!if_nametoindex(NET));
	CHECK_EQ(forwarding(UPLINK), 0);
	CHECK(!sh("nft delete table ip squib-net-" NET));
	nothing_left();
}

/* A record left by a namespace that had this one's inode number (its
 * cookie differs) is dropped, not acted on: the bridge and table it names
 * are someone else's here. */
TEST(a_record_of_another_namespace_is_dropped_unread)
{
	struct sqn_config cfg;
	char path[256], line[64];
	sqn_net *net;

	ns_new();
	CHECK(!sh("ip link add " NET " type bridge && "
		  "nft add table ip squib-net-" NET));
	CHECK(!mkdir("/run/squib-net", 0755) || errno == EEXIST);
	CHECK(!mkdir(record, 0711));
	snprintf(path, sizeof(path), "%s/+cookie", record);
	CHECK(!sh_printf("echo 1 >%s", path));
	snprintf(path, sizeof(path), "%s/" NET, record);
	CHECK(!mkdir(path, 0711));
	snprintf(line, sizeof(line), "bridge %u", if_nametoindex(NET));
	CHECK(!sh_printf("printf 'settings x\\nnat " UPLINK
			 "\\ntable\\n%s\\n' >%s/network && touch %s/att.1.sqn0",
			 line, path, path));
	config(&cfg, SQN_MODE_HOST, "10.252.0.1/24");
	cfg.network = "sqn-other";
	net = open_ok(&cfg);
	CHECK_MSG(access(path, F_OK), "%s is still there", path);
	sqn_close(net);
	CHECK_MSG(if_nametoindex(NET), "bridge " NET " was deleted");
	CHECK_MSG(!sh("nft list table ip squib-net-" NET " >/dev/null"),
		  "table squib-net-" NET " was deleted");
	CHECK(!sh("ip link del " NET " && nft delete table ip squib-net-" NET));
	nothing_left();
}

/* An attachment lives as long as a process holds it, not its opener: a
 * VMM that forks and lets the opener exit keeps its network. */
TEST(an_attachment_outlives_its_opener_in_a_child)
{
	struct sqn_config cfg;
	int p[2], q[2], status;
	pid_t opener, keeper = 0;
	sqn_net *net;
	char c;

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	CHECK(!pipe(p) && !pipe(q));
	opener = fork();
	CHECK(opener >= 0);
	if (!opener) {
		if (sqn_open(&cfg, &net))
			_exit(1);
		keeper = fork();
		if (keeper == 0) { /* the keeper: holds it until the pipe */
			close(p[1]);
			if (read(p[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		_exit(write(q[1], &keeper, sizeof(keeper)) != sizeof(keeper));
	}
	close(p[0]);
	close(q[1]);
	CHECK_EQ(waitpid(opener, &status, 0), opener);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status));
	CHECK(read(q[0], &keeper, sizeof(keeper)) == sizeof(keeper) &&
	      keeper > 0);
	close(q[0]);
	net = open_ok(&cfg);
	CHECK_MSG(!sh("test $(ip -o link show master " NET " | wc -l) = 2"),
		  "the first attachment was swept while its keeper lives");
	sqn_close(net);
	CHECK(if_nametoindex(NET));
	close(p[1]); /* the keeper ends */
	CHECK_MSG(harness_proc_ended(keeper, WAIT_MS), "keeper %d lives on",
		  keeper);
	net = open_ok(&cfg); /* sweeps the keeper's entry and TAP */
	CHECK(!sh("test $(ip -o link show master " NET " | wc -l) = 1"));
	sqn_close(net);
	nothing_left();
}

static void *other_namespace(void *arg)
{
	struct sqn_config cfg;
	sqn_net *net = NULL;
	int *ok = arg;

	if (unshare(CLONE_NEWNET) ||
	    system("ip link set lo up && ip link add " UPLINK
		   " type veth peer name up1 && "
		   "ip addr add 10.250.0.2/24 dev " UPLINK " && "
		   "ip link set " UPLINK " up && "
		   "ip route add default via 10.250.0.1"))
		return NULL;
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	cfg.network = "sqn-b";
	if (sqn_open(&cfg, &net))
		return NULL;
	*ok = if_nametoindex("sqn-b") && !if_nametoindex(NET);
	sqn_close(net);
	*ok = *ok && !if_nametoindex("sqn-b");
	return NULL;
}

/* A thread of its own network namespace has a record of its own: the
 * main thread's network is neither seen nor swept by it. */
TEST(a_thread_in_another_namespace_keeps_to_its_own)
{
	struct sqn_config cfg;
	pthread_t t;
	sqn_net *net;
	int ok = 0;

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	net = open_ok(&cfg);
	CHECK(!pthread_create(&t, NULL, other_namespace, &ok));
	CHECK(!pthread_join(t, NULL));
	CHECK_MSG(ok, "the thread's network was not made and undone there");
	CHECK(if_nametoindex(NET));
	CHECK(!sh("nft list table ip squib-net-" NET " >/dev/null"));
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

/* iface_id names the TAP: sqn-<id>, cut to 15 characters, with a suffix
 * when the name is taken; a link of that name that is not a TAP is never
 * deleted, even when a dead entry names it. */
TEST(iface_id_names_the_tap)
{
	struct sqn_config cfg;
	sqn_net *a, *b, *c;
	char path[300];

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	cfg.iface_id = "vm1";
	a = open_ok(&cfg);
	CHECK(!sh("ip -o link show master " NET " | grep -q ': sqn-vm1:'"));
	b = open_ok(&cfg);
	CHECK(!sh("ip -o link show master " NET " | grep -q ': sqn-vm1-2:'"));
	CHECK(!sh("ip link add sqn-abcdefghijk type bridge"));
	cfg.iface_id = "abcdefghijklmnopqrstuvwxyz";
	c = open_ok(&cfg);
	CHECK(!sh("ip -o link show master " NET
		  " | grep -q ': sqn-abcdefghi-2:'"));
	sqn_close(c);
	/* A dead entry naming the bridge: the sweep leaves it. */
	snprintf(path, sizeof(path), "%s/" NET "/att.1.sqn-abcdefghijk",
		 record);
	CHECK(!sh_printf("touch %s", path));
	sqn_close(b);
	CHECK_MSG(access(path, F_OK), "%s not swept", path);
	CHECK_MSG(if_nametoindex("sqn-abcdefghijk"), "the bridge was deleted");
	CHECK(!sh("ip link del sqn-abcdefghijk"));
	sqn_close(a);
	nothing_left();
}
