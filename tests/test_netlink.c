// SPDX-License-Identifier: MIT
/* test_netlink.c - the rtnetlink queries and the macvtap maker, each test in a network namespace of its own */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "harness.h"
#include "sys/netlink.h"

#define BRIDGE "sqbr0"
#define VETH "sqv0"
#define PEER "sqv1"
#define MACVTAP "sqmv0"

static const uint8_t vt_mac[6] = { 0x02, 0x51, 0x4e, 0, 0, 0x01 };

/* Everything a test does happens in a network namespace of its own. */
static void ns_new(void)
{
	CHECK_MSG(!unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET): %s (root?)",
		  strerror(errno));
}

static void sh(const char *cmd)
{
	CHECK_MSG(!system(cmd), "%s failed", cmd);
}

/* A veth pair VETH-PEER, both up, VETH with 10.99.0.2/24. */
static void veth_with_address(void)
{
	static const struct ipv4_prefix ip = { { 10, 99, 0, 2 }, 24 };

	sh("ip link add " VETH " type veth peer name " PEER);
	CHECK_EQ(nl_addr_add(VETH, &ip), 0);
	CHECK_EQ(nl_link_set(VETH, NULL, 1), 0);
	CHECK_EQ(nl_link_set(PEER, NULL, 1), 0);
}

static struct nl_link link_get(const char *name)
{
	struct nl_link l;
	int r = nl_link_get(name, &l);

	CHECK_MSG(!r, "nl_link_get(%s): %s", name, strerror(-r));
	CHECK_EQ(l.index, if_nametoindex(name));
	return l;
}

/* What `ip -d link show` says of @name, into @buf. */
static void ip_details(const char *name, char *buf, size_t len)
{
	char cmd[64];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip -d link show %s", name);
	p = popen(cmd, "r");
	CHECK(p);
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	CHECK_EQ(pclose(p), 0);
}

TEST(link_get_reads_lo_down_then_up)
{
	static const uint8_t zero[6];
	struct nl_link l;

	ns_new();
	l = link_get("lo");
	CHECK_EQ(l.index, 1);
	CHECK_MSG(!strcmp(l.kind, ""), "kind \"%s\"", l.kind);
	CHECK_EQ(l.up, 0);
	CHECK_EQ(l.master, 0);
	CHECK_EQ(l.mtu, 65536);
	CHECK(!memcmp(l.mac, zero, 6));
	CHECK_EQ(nl_link_set("lo", NULL, 1), 0);
	l = link_get("lo");
	CHECK_EQ(l.up, 1);
}

TEST(link_get_reads_kinds_masters_macs_and_mtus)
{
	struct nl_link br, v, peer, t;
	struct ifreq ifr;
	int fd;

	ns_new();
	CHECK_EQ(nl_bridge_add(BRIDGE, NULL), 0);
	br = link_get(BRIDGE);
	CHECK_MSG(!strcmp(br.kind, "bridge"), "kind \"%s\"", br.kind);
	CHECK_EQ(br.up, 0);
	CHECK_EQ(br.master, 0);

	sh("ip link add " VETH " type veth peer name " PEER
	   " && ip link set " VETH " mtu 1400 address 02:00:00:00:99:02");
	CHECK_EQ(nl_link_set(VETH, BRIDGE, 1), 0);
	v = link_get(VETH);
	CHECK_MSG(!strcmp(v.kind, "veth"), "kind \"%s\"", v.kind);
	CHECK_EQ(v.master, br.index);
	CHECK_EQ(v.up, 1);
	CHECK_EQ(v.mtu, 1400);
	CHECK(!memcmp(v.mac, "\x02\0\0\0\x99\x02", 6));
	peer = link_get(PEER);
	CHECK_EQ(peer.master, 0);
	CHECK_EQ(peer.up, 0);
	CHECK_EQ(peer.mtu, 1500);
	/* A bridge takes the lowest MAC of its ports. */
	br = link_get(BRIDGE);
	CHECK(!memcmp(br.mac, v.mac, 6));

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	CHECK_MSG(fd >= 0, "/dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "sqtap0");
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	CHECK(!ioctl(fd, TUNSETIFF, &ifr));
	CHECK_EQ(nl_link_set("sqtap0", BRIDGE, 0), 0);
	t = link_get("sqtap0");
	CHECK_MSG(!strcmp(t.kind, "tun"), "kind \"%s\"", t.kind);
	CHECK_EQ(t.master, br.index);
	CHECK_EQ(t.up, 0);
	close(fd);
}

TEST(link_get_of_a_missing_link_is_enodev)
{
	struct nl_link l;

	ns_new();
	CHECK_EQ(nl_link_get("sqnone0", &l), -ENODEV);
	CHECK_EQ(nl_link_get("", &l), -ENODEV);
	CHECK_EQ(nl_link_get("a-name-longer-than-ifnamsiz", &l), -ENODEV);
	/* The peer of a veth pair goes with it. */
	sh("ip link add " VETH " type veth peer name " PEER);
	link_get(PEER);
	CHECK_EQ(nl_link_del(VETH), 0);
	CHECK_EQ(nl_link_get(PEER, &l), -ENODEV);
}

TEST(macvtap_add_makes_a_macvtap_in_private_or_bridge_mode)
{
	static const char *const modes[] = { "macvtap mode bridge ",
					     "macvtap mode private " };
	char out[4096];
	struct nl_link l;
	int priv;

	ns_new();
	sh("ip link add " VETH " type veth peer name " PEER);
	for (priv = 0; priv < 2; priv++) {
		CHECK_EQ(nl_macvtap_add(MACVTAP, VETH, vt_mac, priv), 0);
		l = link_get(MACVTAP);
		CHECK_MSG(!strcmp(l.kind, "macvtap"), "kind \"%s\"", l.kind);
		CHECK(!memcmp(l.mac, vt_mac, 6));
		CHECK_EQ(l.up, 0);
		CHECK_EQ(l.master, 0);
		ip_details(MACVTAP, out, sizeof(out));
		CHECK_MSG(strstr(out, modes[priv]), "no \"%s\" in:\n%s",
			  modes[priv], out);
		CHECK_MSG(strstr(out, MACVTAP "@" VETH ":"), "lower:\n%s", out);
		CHECK_EQ(nl_link_del(MACVTAP), 0);
	}
	/* Without a MAC the kernel makes one up. */
	CHECK_EQ(nl_macvtap_add(MACVTAP, VETH, NULL, 0), 0);
	l = link_get(MACVTAP);
	CHECK(memcmp(l.mac, vt_mac, 6) && !(l.mac[0] & 1));
}

TEST(macvtap_add_refuses_a_missing_lower_and_a_taken_name)
{
	struct nl_link l;

	ns_new();
	CHECK_EQ(nl_macvtap_add(MACVTAP, "sqnone0", vt_mac, 1), -ENODEV);
	CHECK_EQ(nl_link_get(MACVTAP, &l), -ENODEV);
	sh("ip link add " VETH " type veth peer name " PEER);
	CHECK_EQ(nl_macvtap_add(MACVTAP, VETH, vt_mac, 1), 0);
	CHECK_EQ(nl_macvtap_add(MACVTAP, VETH, vt_mac, 1), -EEXIST);
	CHECK_EQ(nl_macvtap_add(PEER, VETH, vt_mac, 1), -EEXIST);
	l = link_get(PEER);
	CHECK_MSG(!strcmp(l.kind, "veth"), "kind \"%s\"", l.kind);
}

/* The macvtap's character device, made from the numbers in sysfs (devtmpfs
 * names it tap<ifindex>, which another namespace's macvtap may hold). */
TEST(macvtap_char_device_opens_from_its_sysfs_numbers)
{
	char path[128], dev[32];
	unsigned int maj, min;
	struct ifreq ifr;
	struct nl_link l;
	FILE *f;
	int fd;

	ns_new();
	/* sysfs shows the links of the namespace it was mounted in; the node
	 * goes in a /tmp of this test's own. */
	CHECK(!unshare(CLONE_NEWNS));
	CHECK(!mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	CHECK(!mount("sysfs", "/sys", "sysfs", 0, NULL));
	CHECK(!mount("tmpfs", "/tmp", "tmpfs", 0, NULL));
	sh("ip link add " VETH " type veth peer name " PEER);
	CHECK_EQ(nl_macvtap_add(MACVTAP, VETH, vt_mac, 1), 0);
	l = link_get(MACVTAP);
	snprintf(path, sizeof(path), "/sys/class/net/%s/macvtap/tap%u/dev",
		 MACVTAP, l.index);
	f = fopen(path, "r");
	CHECK_MSG(f, "%s: %s", path, strerror(errno));
	CHECK(fgets(dev, sizeof(dev), f));
	fclose(f);
	CHECK_MSG(sscanf(dev, "%u:%u", &maj, &min) == 2, "%s", dev);
	CHECK(!mknod("/tmp/tap", S_IFCHR | 0600, makedev(maj, min)));
	fd = open("/tmp/tap", O_RDWR | O_CLOEXEC);
	CHECK_MSG(fd >= 0, "/tmp/tap: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	CHECK(!ioctl(fd, TUNGETIFF, &ifr));
	CHECK_MSG(!strcmp(ifr.ifr_name, MACVTAP), "%s", ifr.ifr_name);
	CHECK(ifr.ifr_flags & IFF_TAP);
	close(fd);
}

/* nl_ipv4_overlap() of a.b.c.d/@prefix, its description into @what. */
static int overlap(const char *addr, int prefix, char *what, size_t len)
{
	struct ipv4_prefix p = { { 0 }, prefix };
	const char *end;

	CHECK(!ipv4_parse(addr, &end, p.addr) && !*end);
	what[0] = '\0';
	return nl_ipv4_overlap(&p, what, len);
}

static void overlaps(const char *addr, int prefix, const char *want)
{
	char what[64];
	int r = overlap(addr, prefix, what, sizeof(what));

	CHECK_MSG(r == 1, "%s/%d: %d (%s)", addr, prefix, r, what);
	CHECK_MSG(!strcmp(what, want), "%s/%d: \"%s\", not \"%s\"", addr,
		  prefix, what, want);
}

static void overlaps_not(const char *addr, int prefix)
{
	char what[64];
	int r = overlap(addr, prefix, what, sizeof(what));

	CHECK_MSG(r == 0, "%s/%d: %d (%s)", addr, prefix, r, what);
	CHECK_EQ(what[0], '\0');
}

TEST(ipv4_overlap_with_addresses)
{
	static const struct ipv4_prefix host = { { 10, 60, 0, 5 }, 32 };

	ns_new();
	overlaps_not("10.99.0.1", 24);
	veth_with_address();
	overlaps("10.99.0.1", 24, "10.99.0.2/24 on " VETH);
	overlaps("10.99.0.0", 16, "10.99.0.2/24 on " VETH);
	overlaps("10.99.0.128", 25, "10.99.0.2/24 on " VETH);
	overlaps("10.99.0.2", 32, "10.99.0.2/24 on " VETH);
	overlaps("10.0.0.0", 8, "10.99.0.2/24 on " VETH);
	overlaps_not("10.98.0.1", 24);
	overlaps_not("10.99.1.0", 24);
	overlaps_not("11.99.0.2", 24);
	/* A /32 on a link that is down: the shorter prefix is ours. */
	CHECK_EQ(nl_addr_add(PEER, &host), 0);
	CHECK_EQ(nl_link_set(PEER, NULL, 0), 0);
	overlaps("10.60.0.0", 24, "10.60.0.5/32 on " PEER);
	overlaps_not("10.60.0.4", 32);
	/* 0.0.0.0/0 holds everything. */
	CHECK_EQ(overlap("192.168.0.0", 0, (char[64]){ 0 }, 64), 1);
}

TEST(ipv4_overlap_with_lo_once_it_is_up)
{
	ns_new();
	/* Linux gives lo 127.0.0.1/8 when it comes up. */
	overlaps_not("127.0.0.1", 8);
	CHECK_EQ(nl_link_set("lo", NULL, 1), 0);
	overlaps("127.0.0.1", 8, "127.0.0.1/8 on lo");
	overlaps("127.5.0.0", 16, "127.0.0.1/8 on lo");
	/* Its routes are in the local table; 10.x still free. */
	overlaps_not("10.99.0.1", 24);
}

TEST(ipv4_overlap_with_routes_of_the_main_table)
{
	char what[64];

	ns_new();
	veth_with_address();
	sh("ip route add 10.50.0.0/16 via 10.99.0.1");
	overlaps("10.50.3.1", 24, "route 10.50.0.0/16 on " VETH);
	overlaps("10.48.0.0", 12, "route 10.50.0.0/16 on " VETH);
	overlaps_not("10.51.0.1", 24);
	/* A default route does not make everything in use. */
	sh("ip route add default via 10.99.0.1");
	overlaps_not("10.51.0.1", 24);
	overlaps_not("192.168.106.1", 24);
	/* Other tables are policy, not networks of this host. */
	sh("ip route add 10.70.0.0/16 dev " VETH " table 100"
	   " && ip route add 10.71.0.0/16 dev " VETH " table 1000");
	overlaps_not("10.70.1.0", 24);
	overlaps_not("10.71.1.0", 24);
	/* A route without a link. */
	sh("ip route add blackhole 10.80.0.0/12");
	overlaps("10.81.0.0", 16, "route 10.80.0.0/12");
	/* The description is cut to fit. */
	CHECK_EQ(overlap("10.50.3.1", 24, what, 9), 1);
	CHECK_MSG(!strcmp(what, "route 10"), "\"%s\"", what);
	CHECK_EQ(nl_ipv4_overlap(&(struct ipv4_prefix){ { 10, 50, 3, 1 }, 24 },
				 NULL, 0),
		 1);
}

TEST(ipv4_overlap_refuses_a_bad_prefix)
{
	struct ipv4_prefix ip = { { 10, 1, 2, 3 }, 33 };

	ns_new();
	CHECK_EQ(nl_ipv4_overlap(&ip, NULL, 0), -EINVAL);
	ip.len = -1;
	CHECK_EQ(nl_ipv4_overlap(&ip, NULL, 0), -EINVAL);
}

static void default_route_is(const char *want)
{
	char name[16] = "";
	int r = nl_default_route(name);

	CHECK_MSG(!r, "nl_default_route: %s", strerror(-r));
	CHECK_MSG(!strcmp(name, want), "\"%s\", not \"%s\"", name, want);
}

TEST(default_route_is_the_lowest_metric_of_the_main_table)
{
	char name[16];

	ns_new();
	CHECK_EQ(nl_default_route(name), -ENETUNREACH);
	CHECK_EQ(nl_link_set("lo", NULL, 1), 0);
	veth_with_address();
	sh("ip route add 0.0.0.0/1 via 10.99.0.1"
	   " && ip route add default dev " VETH " table 100"
	   " && ip route add unreachable default metric 1");
	CHECK_EQ(nl_default_route(name), -ENETUNREACH);
	sh("ip route add default via 10.99.0.1 metric 100");
	default_route_is(VETH);
	sh("ip route add default dev " PEER " metric 50");
	default_route_is(PEER);
	sh("ip route add default dev " VETH " metric 70");
	default_route_is(PEER);
	sh("ip route del default dev " PEER " metric 50");
	default_route_is(VETH);
}
