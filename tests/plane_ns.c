// SPDX-License-Identifier: MIT
/* plane_ns.c - what the network plane's tests share: a namespace of the
 * test's own, and checks that nothing of a network is left */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "plane_ns.h"

char record[128];

/* A fresh namespace with an uplink 10.250.0.2/24 and a default route
 * through it, as a host has; nothing leaves it (the peer end is here). */
void ns_new(void)
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

/* The exit status of shell command @cmd, -1 when it did not exit. */
int sh(const char *cmd)
{
	int r = system(cmd);

	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

/* sh() of a command made with printf. */
int sh_printf(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return sh(cmd);
}

/* The switch /proc/sys/net/@family/conf/@iface/@key: 0, 1, or -1 when
 * unknown. */
int conf_flag(const char *family, const char *iface, const char *key)
{
	char path[128], c = '?';
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family,
		 iface, key);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = '?';
	close(fd);
	return c - '0';
}

/* The forwarding switch of @iface: 0, 1, or -1 when unknown. */
int forwarding(const char *iface)
{
	return conf_flag("ipv4", iface, "forwarding");
}

/* A config of network NET in @mode on @subnet, no DNS upstream. */
void config(struct sqn_config *cfg, enum sqn_mode mode, const char *subnet)
{
	sqn_config_init(cfg);
	cfg->mode = mode;
	cfg->network = NET;
	cfg->subnet = subnet;
	cfg->dns_upstream = "none";
}

/* sqn_open() that must succeed. */
sqn_net *open_ok(const struct sqn_config *cfg)
{
	sqn_net *net = NULL;

	CHECK_MSG(!sqn_open(cfg, &net), "%s", sqn_last_error(NULL));
	return net;
}

/* The pid of a process named @comm in this network namespace, other than
 * this one, or 0. */
int ns_proc(const char *comm)
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
void nothing_left_within(int ms)
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
void nothing_left(void)
{
	struct stat st;

	CHECK_MSG(!if_nametoindex(NET), "bridge " NET " left");
	CHECK_MSG(stat(record, &st), "%s is left", record);
	nothing_left_within(WAIT_MS);
}

/* The pid written in the network's file @name, or -1. */
int record_pid(const char *name)
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
int dnsmasq_pid(void)
{
	return record_pid("dnsmasq.pid");
}
