// SPDX-License-Identifier: MIT
/* test_vxlan_nl.c - netlink_vxlan.h: VXLAN links, the flood list (no
 * duplicates, exact removal), the remotes of every FDB entry, bridge port
 * flags, counters, the underlay lookup and a bridge's ports; each test in
 * a network namespace of its own */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "sys/netlink.h"
#include "sys/netlink_vxlan.h"

#define VETH "sqv0"
#define PEER "sqv1"
#define VX "sqvx42"
#define BRIDGE "sqbr0"

static void ns_new(void)
{
	CHECK_MSG(!unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET): %s (root?)",
		  strerror(errno));
}

static void sh(const char *cmd)
{
	CHECK_MSG(!system(cmd), "%s failed", cmd);
}

/* What @cmd prints, into @buf. */
static void out_of(const char *cmd, char *buf, size_t len)
{
	size_t n;
	FILE *p = popen(cmd, "r");

	CHECK(p);
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	CHECK_EQ(pclose(p), 0);
}

/* How many lines of @text hold @what. */
static int lines_with(const char *text, const char *what)
{
	int n = 0;
	const char *l = text, *e;

	while (*l) {
		e = strchr(l, '\n');
		if (!e)
			e = l + strlen(l);
		if (memmem(l, (size_t)(e - l), what, strlen(what)))
			n++;
		l = *e ? e + 1 : e;
	}
	return n;
}

/* VX on the underlay VETH: VNI 42, port 4790, MTU 1450, learning as
 * asked. */
static void vxlan_add(int learning)
{
	struct nl_vxlan v = { 0 };

	v.vni = 42;
	strcpy(v.local, "10.99.0.2");
	v.dev = if_nametoindex(VETH);
	v.port = 4790;
	v.mtu = 1450;
	v.learning = learning;
	CHECK_EQ(nl_vxlan_add(VX, &v), 0);
}

/* An underlay VETH with 10.99.0.2/24 (MTU 1500), and VX on it. */
static void vxlan_on_veth(int learning)
{
	static const struct ipv4_prefix ip = { { 10, 99, 0, 2 }, 24 };

	sh("ip link add " VETH " type veth peer name " PEER);
	CHECK_EQ(nl_addr_add(VETH, &ip), 0);
	CHECK_EQ(nl_link_set(VETH, NULL, 1), 0);
	CHECK_EQ(nl_link_set(PEER, NULL, 1), 0);
	vxlan_add(learning);
}

TEST(vxlan_add_reads_back)
{
	struct nl_vxlan g;
	char d[2048];

	ns_new();
	vxlan_on_veth(0);
	CHECK_EQ(nl_vxlan_get(VX, &g), 0);
	CHECK(g.is_vxlan);
	CHECK_EQ(g.vni, 42);
	CHECK(!strcmp(g.local, "10.99.0.2"));
	CHECK_EQ(g.dev, if_nametoindex(VETH));
	CHECK_EQ(g.port, 4790);
	CHECK_EQ(g.mtu, 1450);
	CHECK_EQ(g.learning, 0);
	CHECK_EQ(g.index, if_nametoindex(VX));
	out_of("ip -d link show " VX, d, sizeof(d));
	CHECK_MSG(strstr(d, "vxlan id 42 local 10.99.0.2 dev " VETH) &&
			  strstr(d, "dstport 4790") &&
			  strstr(d, "nolearning") && strstr(d, "mtu 1450"),
		  "%s", d);
	/* the same name again; a link that is no VXLAN; one not there */
	CHECK_EQ(nl_vxlan_add(VX, &g), -EEXIST);
	CHECK_EQ(nl_vxlan_get(VETH, &g), 0);
	CHECK(!g.is_vxlan);
	CHECK_EQ(nl_vxlan_get("sqnone", &g), -ENODEV);
	/* learning on: iproute2 shows no "nolearning" */
	CHECK_EQ(nl_link_del(VX), 0);
	vxlan_add(1);
	CHECK_EQ(nl_vxlan_get(VX, &g), 0);
	CHECK_EQ(g.learning, 1);
}

TEST(vxlan_alias_reads_back)
{
	struct nl_vxlan g;

	ns_new();
	sh("ip link add " BRIDGE " type bridge");
	CHECK_EQ(nl_vxlan_get(BRIDGE, &g), 0);
	CHECK(!strcmp(g.alias, ""));
	CHECK_EQ(nl_link_alias(BRIDGE, "squib-net vxlan member 42"), 0);
	CHECK_EQ(nl_vxlan_get(BRIDGE, &g), 0);
	CHECK(!strcmp(g.alias, "squib-net vxlan member 42"));
}

TEST(fdb_flood_list_exact)
{
	char have[8][16], d[4096];
	int n;

	ns_new();
	vxlan_on_veth(1);
	CHECK_EQ(nl_fdb_remotes(VX, 1, have, 8), 0);
	CHECK_EQ(nl_fdb_flood(VX, "10.99.0.1", 1), 0);
	CHECK_EQ(nl_fdb_flood(VX, "10.99.0.3", 1), 0);
	/* again: no second entry */
	CHECK_EQ(nl_fdb_flood(VX, "10.99.0.1", 1), 0);
	out_of("bridge fdb show dev " VX, d, sizeof(d));
	CHECK_MSG(lines_with(d, "00:00:00:00:00:00 dst 10.99.0.1 ") == 1 &&
			  lines_with(d, "00:00:00:00:00:00 dst 10.99.0.3 ") ==
				  1 &&
			  lines_with(d, "00:00:00:00:00:00") == 2,
		  "%s", d);
	n = nl_fdb_remotes(VX, 1, have, 8);
	CHECK_EQ(n, 2);
	CHECK((!strcmp(have[0], "10.99.0.1") &&
	       !strcmp(have[1], "10.99.0.3")) ||
	      (!strcmp(have[0], "10.99.0.3") && !strcmp(have[1], "10.99.0.1")));
	/* only as many as asked for, the count all the same */
	CHECK_EQ(nl_fdb_remotes(VX, 1, have, 1), 2);
	/* one removed, the other stays; removing it again is no error */
	CHECK_EQ(nl_fdb_flood(VX, "10.99.0.1", 0), 0);
	CHECK_EQ(nl_fdb_flood(VX, "10.99.0.1", 0), 0);
	out_of("bridge fdb show dev " VX, d, sizeof(d));
	CHECK_MSG(lines_with(d, "00:00:00:00:00:00") == 1 &&
			  lines_with(d, "dst 10.99.0.3 ") == 1,
		  "%s", d);
	CHECK_EQ(nl_fdb_remotes(VX, 1, have, 8), 1);
	CHECK(!strcmp(have[0], "10.99.0.3"));
	CHECK_EQ(nl_fdb_flood(VX, "not.an.address", 1), -EINVAL);
	CHECK_EQ(nl_fdb_flood("sqnone", "10.99.0.1", 1), -ENODEV);
	CHECK_EQ(nl_fdb_remotes("sqnone", 1, have, 8), -ENODEV);
}

TEST(fdb_remotes_of_every_entry)
{
	char have[8][16];
	int n, i, seen7 = 0, seen3 = 0;

	ns_new();
	vxlan_on_veth(0);
	CHECK_EQ(nl_fdb_flood(VX, "10.99.0.3", 1), 0);
	/* a MAC's entry, as FRR puts one (type-2 route) */
	sh("bridge fdb add 02:00:00:00:00:07 dev " VX " dst 10.99.0.7 self");
	sh("bridge fdb add 02:00:00:00:00:08 dev " VX " dst 10.99.0.3 self");
	CHECK_EQ(nl_fdb_remotes(VX, 1, have, 8), 1);
	CHECK(!strcmp(have[0], "10.99.0.3"));
	n = nl_fdb_remotes(VX, 0, have, 8);
	CHECK_EQ(n, 2);
	for (i = 0; i < n; i++) {
		seen7 += !strcmp(have[i], "10.99.0.7");
		seen3 += !strcmp(have[i], "10.99.0.3");
	}
	CHECK(seen7 == 1 && seen3 == 1);
}

TEST(brport_flags_set)
{
	char d[2048];

	ns_new();
	vxlan_on_veth(0);
	sh("ip link add " BRIDGE " type bridge");
	CHECK_EQ(nl_link_set(VX, BRIDGE, 1), 0);
	CHECK_EQ(nl_brport_flags(VX, 0, 1), 0);
	out_of("ip -d link show " VX, d, sizeof(d));
	CHECK_MSG(strstr(d, "learning off") && strstr(d, "neigh_suppress on"),
		  "%s", d);
	CHECK_EQ(nl_brport_flags(VX, 1, 0), 0);
	out_of("ip -d link show " VX, d, sizeof(d));
	CHECK_MSG(strstr(d, "learning on") && strstr(d, "neigh_suppress off"),
		  "%s", d);
	/* not a port */
	CHECK(nl_brport_flags(VETH, 0, 1) < 0);
}

/* lo's counters as /proc/net/dev (this namespace's) shows them: rx
 * bytes, rx packets, tx packets. */
static void proc_lo(unsigned long long *rx_bytes, unsigned long long *rx_pk,
		    unsigned long long *tx_pk)
{
	char line[512];
	unsigned long long v[16];
	FILE *f = fopen("/proc/net/dev", "re");
	int found = 0;

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line,
			   " lo: %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7], &v[8], &v[9]) == 10)
			found = 1;
	fclose(f);
	CHECK(found);
	*rx_bytes = v[0];
	*rx_pk = v[1];
	*tx_pk = v[9];
}

TEST(link_stats_count)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	unsigned long long rb, rp, tp;
	struct nl_stats st;
	int fd, i;

	ns_new();
	CHECK_EQ(nl_link_set("lo", NULL, 1), 0);
	CHECK_EQ(nl_link_stats("lo", &st), 0);
	CHECK_EQ(st.tx_packets, 0);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	for (i = 0; i < 5; i++)
		CHECK_EQ(sendto(fd, "hello", 5, 0, (struct sockaddr *)&to,
				sizeof(to)),
			 5);
	close(fd);
	CHECK_EQ(nl_link_stats("lo", &st), 0);
	/* the datagrams and the port-unreachable answers */
	CHECK(st.tx_packets >= 5);
	proc_lo(&rb, &rp, &tp);
	CHECK_EQ(st.tx_packets, tp);
	CHECK_EQ(st.rx_packets, rp);
	CHECK_EQ(st.rx_bytes, rb);
	CHECK_EQ(nl_link_stats("sqnone", &st), -ENODEV);
}

TEST(addr4_find_underlay)
{
	char name[16], first[16];

	ns_new();
	vxlan_on_veth(1);
	CHECK_EQ(nl_addr4_find("", "10.99.0.2", name, first), 0);
	CHECK(!strcmp(name, VETH));
	CHECK(!strcmp(first, "10.99.0.2"));
	CHECK_EQ(nl_addr4_find(VETH, "", name, first), 0);
	CHECK(!strcmp(name, VETH) && !strcmp(first, "10.99.0.2"));
	CHECK_EQ(nl_addr4_find("", "10.99.0.9", name, first), -EADDRNOTAVAIL);
	CHECK_EQ(nl_addr4_find(PEER, "", name, first), -EADDRNOTAVAIL);
	CHECK_EQ(nl_addr4_find("sqnone", "", name, first), -ENODEV);
}

TEST(bridge_ports_counted)
{
	ns_new();
	vxlan_on_veth(1);
	sh("ip link add " BRIDGE " type bridge");
	CHECK_EQ(nl_bridge_ports(BRIDGE, ""), 0);
	CHECK_EQ(nl_link_set(VX, BRIDGE, 1), 0);
	CHECK_EQ(nl_bridge_ports(BRIDGE, ""), 1);
	CHECK_EQ(nl_bridge_ports(BRIDGE, VX), 0);
	CHECK_EQ(nl_link_set(PEER, BRIDGE, 1), 0);
	CHECK_EQ(nl_bridge_ports(BRIDGE, VX), 1);
	CHECK_EQ(nl_bridge_ports("sqnone", ""), -ENODEV);
}
