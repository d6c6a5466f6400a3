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
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "squibnet.h"

#define NET "sqn-tp"
#define UPLINK "up0"

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

/* Nothing of a network in the namespace: no bridge, TAP or table, no
 * record, the uplink forwarding as before. */
static void nothing_left(void)
{
	struct stat st;

	CHECK_MSG(!if_nametoindex(NET), "bridge " NET " left");
	CHECK_MSG(sh("ip -o link show | grep -q ': sqn'"),
		  "a TAP sqn* is left");
	CHECK_MSG(sh("nft list tables | grep -q squib-net"),
		  "an nftables table is left");
	CHECK_MSG(stat(record, &st), "%s is left", record);
	CHECK_EQ(forwarding(UPLINK), 0);
}

/* The pid in the network's dnsmasq.pid, or -1. */
static int dnsmasq_pid(void)
{
	char path[256];
	int pid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" NET "/dnsmasq.pid", record);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &pid) != 1)
		pid = -1;
	fclose(f);
	return pid;
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

TEST(attachments_share_a_network_with_the_same_settings_only)
{
	struct sqn_config cfg;
	sqn_net *a, *b, *c = NULL;
	int dns;

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	a = open_ok(&cfg);
	/* A dnsmasq that died is started again by the next attachment. */
	dns = dnsmasq_pid();
	CHECK(dns > 0 && !kill(dns, SIGKILL));
	/* kill() returns before the process has ended. */
	CHECK_MSG(harness_proc_ended(dns, WAIT_MS), "dnsmasq %d lives on", dns);
	b = open_ok(&cfg);
	CHECK_MSG(dnsmasq_pid() > 0 && dnsmasq_pid() != dns &&
			  !kill(dnsmasq_pid(), 0),
		  "dnsmasq %d not restarted", dns);
	CHECK(!sh("test $(ip -o link show master " NET " | wc -l) = 2"));
	cfg.subnet = "10.253.0.1/24";
	CHECK_EQ(sqn_open(&cfg, &c), -EEXIST);
	CHECK(!c);
	CHECK_MSG(strstr(sqn_last_error(NULL), "exists"), "%s",
		  sqn_last_error(NULL));
	cfg.subnet = "10.251.0.1/24";
	cfg.mode = SQN_MODE_HOST;
	CHECK_EQ(sqn_open(&cfg, &c), -EEXIST);
	sqn_close(a);
	CHECK_MSG(if_nametoindex(NET), "the network went with a user left");
	CHECK(!sh("test $(ip -o link show master " NET " | wc -l) = 1"));
	sqn_close(b);
	nothing_left();
	CHECK_MSG(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
		  "a dnsmasq is left unreaped");
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

/* A process killed with its network up: the next open, even with other
 * settings, removes what it left and makes the network anew. */
TEST(a_killed_owner_is_cleaned_up_by_the_next_open)
{
	struct sqn_config cfg;
	sqn_net *net;
	int status;
	pid_t pid;

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		if (sqn_open(&cfg, &net))
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(if_nametoindex(NET)); /* left, as a crash leaves it */
	CHECK_EQ(forwarding(UPLINK), 1);
	cfg.subnet = "10.254.0.1/24";
	net = open_ok(&cfg);
	CHECK(!sh("ip -o addr show dev " NET
		  " | grep -q 'inet 10.254.0.1/24'"));
	CHECK(sh("ip -o addr show dev " NET " | grep -q 'inet 10.251'"));
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
