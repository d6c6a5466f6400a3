// SPDX-License-Identifier: MIT
/* test_plane.c - shared, host and bridged networks made by sqn_open() and
 * undone by sqn_close(), each test in a network namespace of its own */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
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

#include "config.h"
#include "harness.h"
#include "plane_ns.h"
#include "squibnet.h"
#include "sys/netplane.h"

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
		  " | grep -q 'oifname @nat_out masquerade'"));
	CHECK(!sh("nft list set ip squib-net-" NET
		  " nat_out | grep -q 'elements = { \"" UPLINK "\" }'"));
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

/* A named TAP in a child that lets go of its descriptor: persistent,
 * uid @owner's, a port of the bridge; or -1. */
static pid_t named_in_child(const struct net_params *p, uid_t owner)
{
	struct netplane_port port = { "named", { 0 }, 3000 };
	struct netplane np;
	char msg[256];
	int go[2];
	pid_t pid;

	CHECK(!pipe2(go, O_CLOEXEC));
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		close(go[0]);
		if (netplane_attach_named(&np, &p->net, &port, owner, 1, msg,
					  sizeof(msg)))
			_exit(1);
		netplane_named(&np);
		if (np.fd != -1 || write(go[1], "k", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(go[1]);
	CHECK_MSG(read(go[0], msg, 1) == 1, "the child made no named TAP");
	close(go[0]);
	return pid;
}

/* A named TAP (netplane_attach_named()) outlives its last descriptor,
 * owned by its uid, a port of the bridge; netplane_close() deletes it,
 * and so does the keeper's sweep once its attachment is killed. A
 * network bridged on a NIC has none to offer. */
TEST(a_named_tap_persists_until_its_attachment_ends)
{
	struct netplane_port port = { "named", { 0 }, 3000 };
	struct sqn_config cfg;
	struct net_params p;
	struct netplane np;
	char msg[256];
	pid_t pid;
	int fds;

	ns_new();
	fds = harness_fd_count();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	CHECK_MSG(!config_check(&cfg, &p, msg, sizeof(msg)), "%s", msg);
	CHECK_MSG(!netplane_attach_named(&np, &p.net, &port, 4242, 1, msg,
					 sizeof(msg)),
		  "%s", msg);
	netplane_named(&np);
	CHECK_EQ(np.fd, -1);
	CHECK_MSG(if_nametoindex("sqn-named"), "the TAP went with its fd");
	CHECK(!sh(
		"ip -d link show sqn-named | grep -q 'persist on user 4242 '"));
	CHECK(!sh("ip -o link show master " NET " | grep -q ': sqn-named:'"));
	netplane_close(&np);
	nothing_left();
	CHECK_EQ(harness_fd_count(), fds);

	pid = named_in_child(&p, 4242);
	CHECK(!sh("ip -o link show master " NET " | grep -q ': sqn-named:'"));
	CHECK(!kill(pid, SIGKILL));
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
	nothing_left_within(GONE_MS);

	CHECK(!sh("ip link add " UPLINK "-n type veth peer name " UPLINK "-p"));
	config(&cfg, SQN_MODE_BRIDGED, NULL);
	cfg.bridged_iface = UPLINK "-n";
	CHECK_MSG(!config_check(&cfg, &p, msg, sizeof(msg)), "%s", msg);
	CHECK_EQ(netplane_attach_named(&np, &p.net, &port, 4242, 1, msg,
				       sizeof(msg)),
		 -EOPNOTSUPP);
	CHECK_MSG(strstr(msg, "a named TAP needs a bridge"), "%s", msg);
	nothing_left();
	CHECK_EQ(harness_fd_count(), fds);
}
