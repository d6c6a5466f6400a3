// SPDX-License-Identifier: MIT
/* test_plane6.c - the IPv6 of shared and host networks made by sqn_open():
 * prefix, gateway, ip6 table, per-interface forwarding, overlap, the
 * record's prefix; each test in a network namespace of its own */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "ipv6.h"
#include "plane_ns.h"
#include "squibnet.h"

/* The IPv6 switch @key of @iface: 0, 1, or -1 when unknown. */
static int sysctl6(const char *iface, const char *key)
{
	return conf_flag("ipv6", iface, key);
}

/* ns_new() with IPv6 on the uplink too, and a default route through it. */
static void ns_new6(void)
{
	ns_new();
	CHECK(!sh("ip addr add fd00:250::2/64 dev " UPLINK " nodad && "
		  "ip -6 route add default via fd00:250::1"));
}

TEST(shared_network_routes_and_nats_its_prefix)
{
	char want[IPV6_PREFIX_STRLEN], gw[IPV6_STRLEN];
	struct ipv6_prefix ula;
	struct sqn_config cfg;
	struct sqn_info info;
	int dnsmasq;
	sqn_net *net;

	ns_new6();
	ipv6_ula(NET, &ula);
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	net = open_ok(&cfg);
	CHECK(!sqn_info(net, &info));
	CHECK_EQ(info.has_subnet6, 1);
	CHECK_EQ(info.prefix6_len, 64);
	CHECK(!memcmp(info.subnet6, ula.addr, 16));
	ipv6_host(&ula, 1, ula.addr);
	CHECK(!memcmp(info.gateway6, ula.addr, 16));
	ipv6_format(gw, info.gateway6);
	CHECK(!sh_printf(
		"ip -o -6 addr show dev " NET " | grep -q 'inet6 %s/64'", gw));
	ipv6_ula(NET, &ula);
	ipv6_format_prefix(want, &ula);
	CHECK(!sh_printf("nft list table ip6 squib-net-" NET
			 " | grep -q 'ip6 saddr %s oifname @nat_out masquerade'",
			 want));
	CHECK(!sh("nft list set ip6 squib-net-" NET
		  " nat_out | grep -q 'elements = { \"" UPLINK "\" }'"));
	/* Forwarding for the bridge and the uplink only, not all's. */
	CHECK_EQ(sysctl6(NET, "force_forwarding"), 1);
	CHECK_EQ(sysctl6(UPLINK, "force_forwarding"), 1);
	CHECK_EQ(sysctl6("all", "forwarding"), 0);
	CHECK_EQ(sysctl6(NET, "accept_ra"), 0);
	dnsmasq = dnsmasq_pid();
	CHECK_MSG(dnsmasq > 0, "no dnsmasq");
	CHECK(!sh_printf("tr '\\0' '\\n' </proc/%d/cmdline | grep -qx -- "
			 "--enable-ra",
			 dnsmasq));
	sqn_close(net);
	nothing_left();
	CHECK_EQ(sysctl6(UPLINK, "force_forwarding"), 0);
}

TEST(host_network_forwards_no_ipv6)
{
	struct sqn_config cfg;
	sqn_net *net;

	ns_new6();
	config(&cfg, SQN_MODE_HOST, "10.252.0.1/24");
	cfg.subnet6 = "fd42:7::/64";
	net = open_ok(&cfg);
	CHECK(!sh("ip -o -6 addr show dev " NET
		  " | grep -q 'inet6 fd42:7::1/64'"));
	CHECK(!sh("nft list table ip6 squib-net-" NET
		  " | grep -q 'oifname \"" NET "\" drop'"));
	CHECK(!sh("nft list table ip6 squib-net-" NET
		  " | grep -q 'reject with icmpv6 admin-prohibited'"));
	CHECK(sh("nft list table ip6 squib-net-" NET " | grep -q masquerade"));
	CHECK_EQ(sysctl6(NET, "force_forwarding"), 0);
	CHECK_EQ(sysctl6(UPLINK, "force_forwarding"), 0);
	sqn_close(net);
	nothing_left();
}

/* A prefix on an address or under a route is refused before anything is
 * made; "none" makes the network without IPv6 all the same. */
TEST(overlapping_prefix_is_refused_none_is_not)
{
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *net = NULL;

	ns_new6();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	cfg.subnet6 = "fd00:250::/64";
	CHECK_EQ(sqn_open(&cfg, &net), -EADDRINUSE);
	CHECK_MSG(
		strstr(sqn_last_error(NULL),
		       "subnet6 fd00:250::/64 overlaps fd00:250::2/64 on " UPLINK),
		"%s", sqn_last_error(NULL));
	nothing_left();
	CHECK(!sh("ip -6 route add fd55::/16 via fd00:250::1"));
	cfg.subnet6 = "fd55:1::/64";
	CHECK_EQ(sqn_open(&cfg, &net), -EADDRINUSE);
	CHECK_MSG(strstr(sqn_last_error(NULL), "overlaps route fd55::/16"),
		  "%s", sqn_last_error(NULL));
	nothing_left();
	cfg.subnet6 = "none";
	net = open_ok(&cfg);
	CHECK(!sqn_info(net, &info));
	CHECK_EQ(info.has_subnet6, 0);
	CHECK_EQ(sysctl6(NET, "disable_ipv6"), 1);
	CHECK(sh("nft list table ip6 squib-net-" NET " >/dev/null 2>&1"));
	sqn_close(net);
	nothing_left();
}

/* The network's record has its prefix: another one is refused while it
 * is in use, like another subnet. */
TEST(another_prefix_for_a_used_network_is_refused)
{
	struct sqn_config a, b;
	sqn_net *net, *other = NULL;

	ns_new6();
	config(&a, SQN_MODE_SHARED, "10.251.0.1/24");
	net = open_ok(&a);
	config(&b, SQN_MODE_SHARED, "10.251.0.1/24");
	b.iface_id = "other";
	b.subnet6 = "fd42:9::/64";
	CHECK_EQ(sqn_open(&b, &other), -EEXIST);
	CHECK_MSG(strstr(sqn_last_error(NULL), "subnet6=fd42:9::/64"), "%s",
		  sqn_last_error(NULL));
	CHECK(!other);
	b.subnet6 = NULL;
	other = open_ok(&b);
	sqn_close(other);
	sqn_close(net);
	nothing_left();
}
