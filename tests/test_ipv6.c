// SPDX-License-Identifier: MIT
/* test_ipv6.c - IPv6 prefixes (ipv6.h): parsing, printing, overlap, the
 * ULA of a network's name; sqn_config.subnet6's checks */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "harness.h"
#include "ipv6.h"
#include "squibnet.h"

static struct ipv6_prefix prefix(const char *s)
{
	struct ipv6_prefix p;

	CHECK_MSG(!ipv6_parse_prefix(s, &p), "%s not parsed", s);
	return p;
}

TEST(prefixes_are_parsed_strictly)
{
	static const char *const bad[] = {
		"fd00::",     "fd00::/",    "fd00::/129", "fd00::/064",
		"fd00::/6 4", "fd00::/64x", "/64",	  "fd00:::1/64",
		"10.0.0.1/8", "fd00::g/64", "fd00::/-1",
	};
	struct ipv6_prefix p = prefix("FD00:1:2:3::/64");
	size_t i;

	CHECK(!memcmp(p.addr, "\xfd\x00\x00\x01\x00\x02\x00\x03", 8));
	CHECK_EQ(p.len, 64);
	p = prefix("::/0");
	CHECK_EQ(p.len, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(ipv6_parse_prefix(bad[i], &p) == -EINVAL, "%s",
			  bad[i]);
}

TEST(prefixes_are_printed_and_compared)
{
	char s[IPV6_PREFIX_STRLEN], a[IPV6_STRLEN];
	struct ipv6_prefix p = prefix("fd00:0:0:1:0::/64"), q, wide;
	uint8_t gw[16];

	CHECK(!strcmp(ipv6_format_prefix(s, &p), "fd00:0:0:1::/64"));
	ipv6_host(&p, 1, gw);
	CHECK(!strcmp(ipv6_format(a, gw), "fd00:0:0:1::1"));
	ipv6_host(&p, 0x1ff, gw);
	CHECK(!strcmp(ipv6_format(a, gw), "fd00:0:0:1::1ff"));
	CHECK(ipv6_host_bits_zero(&p));
	q = prefix("fd00:0:0:1::1/64");
	CHECK(!ipv6_host_bits_zero(&q));
	CHECK(ipv6_overlap(&p, &q));
	q = prefix("fd00:0:0:2::/64");
	CHECK(!ipv6_overlap(&p, &q));
	wide = prefix("fd00::/8");
	CHECK(ipv6_overlap(&wide, &q) && ipv6_overlap(&q, &wide));
	wide = prefix("fd00:0:0:0:8000::/65");
	q = prefix("fd00::/64");
	CHECK(ipv6_overlap(&wide, &q));
	q = prefix("fd00:0:0:1::/64");
	CHECK(!ipv6_overlap(&wide, &q));
}

/* The prefix a name gives is part of what users see and configure
 * against (firewalls, hosts files): it must not change between releases.
 * These are its values; a change to the hash shows here. */
TEST(ula_of_a_name_is_stable)
{
	static const char *const names[][2] = {
		{ "sqn-shared", "fd92:cdc:ec5a::/64" },
		{ "sqn-host", NULL },
		{ "a", NULL },
	};
	char s[IPV6_PREFIX_STRLEN], first[IPV6_PREFIX_STRLEN];
	struct ipv6_prefix p, again;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ipv6_ula(names[i][0], &p);
		ipv6_ula(names[i][0], &again);
		CHECK(!memcmp(&p, &again, sizeof(p)));
		CHECK_EQ(p.addr[0], 0xfd);
		CHECK_EQ(p.len, 64);
		CHECK(ipv6_host_bits_zero(&p));
		/* Subnet ID 0: only the 40-bit global ID comes from the name. */
		CHECK(!p.addr[6] && !p.addr[7]);
		ipv6_format_prefix(s, &p);
		if (names[i][1])
			CHECK_MSG(!strcmp(s, names[i][1]), "%s: %s, wanted %s",
				  names[i][0], s, names[i][1]);
		if (!i)
			memcpy(first, s, sizeof(s));
		else
			CHECK_MSG(strcmp(s, first), "%s and %s: both %s",
				  names[0][0], names[i][0], s);
	}
}

static int check6(const char *subnet6, uint32_t mtu, struct net_params *p,
		  char *msg, size_t len)
{
	struct sqn_config cfg;

	sqn_config_init(&cfg);
	cfg.network = "v6net";
	cfg.subnet6 = subnet6;
	cfg.mtu = mtu;
	return config_check(&cfg, p, msg, len);
}

TEST(subnet6_default_none_and_given)
{
	struct ipv6_prefix ula, want = prefix("fd12:3456:789a:1::/64");
	struct net_params p;
	char msg[512];

	ipv6_ula("v6net", &ula);
	CHECK_MSG(!check6(NULL, 0, &p, msg, sizeof(msg)), "%s", msg);
	CHECK(p.net.has_v6);
	CHECK(!memcmp(&p.net.subnet6, &ula, sizeof(ula)));
	CHECK_MSG(!check6("none", 0, &p, msg, sizeof(msg)), "%s", msg);
	CHECK(!p.net.has_v6);
	CHECK_MSG(!check6("fd12:3456:789a:1::/64", 0, &p, msg, sizeof(msg)),
		  "%s", msg);
	CHECK(p.net.has_v6);
	CHECK(!memcmp(&p.net.subnet6, &want, sizeof(want)));
	/* Below IPv6's minimum MTU: none by default, refused when asked. */
	CHECK_MSG(!check6(NULL, 1000, &p, msg, sizeof(msg)), "%s", msg);
	CHECK(!p.net.has_v6);
	CHECK_EQ(check6("fd12:3456:789a:1::/64", 1000, &p, msg, sizeof(msg)),
		 -EINVAL);
	CHECK_MSG(strstr(msg, "subnet6") && strstr(msg, "1280"), "%s", msg);
}

TEST(subnet6_refused)
{
	static const char *const bad[] = {
		"fd00::/48",   "fd00::1/64", "fe80::/64", "ff02::/64",
		"::/64",       "fd00::",     "",	  "None",
		"10.0.0.0/24", "fd00::/64 ",
	};
	struct net_params p;
	char msg[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_MSG(check6(bad[i], 0, &p, msg, sizeof(msg)) == -EINVAL,
			  "\"%s\" taken", bad[i]);
		CHECK_MSG(strstr(msg, "subnet6"), "\"%s\": %s", bad[i], msg);
	}
}
