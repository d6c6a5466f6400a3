// SPDX-License-Identifier: MIT
/* test_ipv4.c - addresses and prefixes (ipv4.h): parsing, masks, ranges,
 * overlap, printing */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "ipv4.h"

static struct ipv4_prefix prefix(const char *s)
{
	struct ipv4_prefix p;

	CHECK_MSG(!ipv4_parse_prefix(s, &p), "%s not parsed", s);
	return p;
}

TEST(dotted_quads_are_parsed_strictly)
{
	static const char *const bad[] = {
		"",	  "1.2.3",   "1.2.3.",	 "256.1.1.1", "01.2.3.4",
		"1..3.4", "a.b.c.d", "1.2.3.-4", ".1.2.3",
	};
	const char *end;
	uint8_t a[4];
	size_t i;

	CHECK_EQ(ipv4_parse("10.0.255.1,x", &end, a), 0);
	CHECK(!memcmp(a, "\x0a\x00\xff\x01", 4));
	CHECK_EQ(*end, ',');
	CHECK_EQ(ipv4_parse("0.0.0.0", &end, a), 0);
	CHECK_EQ(*end, '\0');
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(ipv4_parse(bad[i], &end, a) == -EINVAL, "%s", bad[i]);
}

TEST(prefixes_are_parsed_strictly)
{
	static const char *const bad[] = {
		"10.0.0.1",    "10.0.0.1/",   "10.0.0.1/33", "10.0.0.1/024",
		"10.0.0.1/8x", "10.0.0.1/-1", "10.0.0.1 /8", "10.0.0.1/100",
	};
	struct ipv4_prefix p = prefix("192.168.105.1/24");
	size_t i;

	CHECK(!memcmp(p.addr, "\xc0\xa8\x69\x01", 4));
	CHECK_EQ(p.len, 24);
	CHECK_EQ(prefix("10.0.0.0/0").len, 0);
	CHECK_EQ(prefix("10.0.0.1/32").len, 32);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(ipv4_parse_prefix(bad[i], &p) == -EINVAL, "%s",
			  bad[i]);
}

TEST(pack_and_unpack_are_inverse)
{
	uint8_t a[4];

	CHECK_EQ(ipv4_pack((const uint8_t *)"\xc0\xa8\x69\x01"), 0xc0a86901u);
	ipv4_unpack(0x0afb00feu, a);
	CHECK(!memcmp(a, "\x0a\xfb\x00\xfe", 4));
	ipv4_unpack(0xffffffffu, a);
	CHECK_EQ(ipv4_pack(a), 0xffffffffu);
}

TEST(masks_networks_and_broadcasts)
{
	struct ipv4_prefix p = prefix("10.251.3.77/20");

	CHECK_EQ(ipv4_mask(0), 0u);
	CHECK_EQ(ipv4_mask(1), 0x80000000u);
	CHECK_EQ(ipv4_mask(24), 0xffffff00u);
	CHECK_EQ(ipv4_mask(32), 0xffffffffu);
	CHECK_EQ(ipv4_network(&p), 0x0afb0000u);
	CHECK_EQ(ipv4_broadcast(&p), 0x0afb0fffu);
	p = prefix("10.1.2.3/0");
	CHECK_EQ(ipv4_network(&p), 0u);
	CHECK_EQ(ipv4_broadcast(&p), 0xffffffffu);
	p = prefix("10.1.2.3/32");
	CHECK_EQ(ipv4_network(&p), 0x0a010203u);
	CHECK_EQ(ipv4_broadcast(&p), 0x0a010203u);
}

TEST(host_range_leaves_out_network_and_broadcast)
{
	struct ipv4_prefix p = prefix("192.168.105.1/24");
	uint32_t first = 0, last = 0;

	CHECK_EQ(ipv4_host_range(&p, &first, &last), 0);
	CHECK_EQ(first, 0xc0a86901u);
	CHECK_EQ(last, 0xc0a869feu);
	p = prefix("10.0.0.5/30");
	CHECK_EQ(ipv4_host_range(&p, &first, &last), 0);
	CHECK_EQ(first, 0x0a000005u);
	CHECK_EQ(last, 0x0a000006u);
	p = prefix("10.0.0.5/31");
	CHECK_EQ(ipv4_host_range(&p, &first, &last), -EINVAL);
}

TEST(overlap_is_decided_by_the_shorter_prefix)
{
	struct ipv4_prefix a = prefix("10.250.0.2/24");
	struct ipv4_prefix b = prefix("10.250.0.1/16");
	struct ipv4_prefix c = prefix("10.251.0.1/24");
	struct ipv4_prefix all = prefix("1.2.3.4/0");

	CHECK_EQ(ipv4_overlap(&a, &b), 1);
	CHECK_EQ(ipv4_overlap(&b, &a), 1);
	CHECK_EQ(ipv4_overlap(&a, &c), 0);
	CHECK_EQ(ipv4_overlap(&b, &c), 0);
	CHECK_EQ(ipv4_overlap(&c, &all), 1);
	b = prefix("10.80.0.0/12");
	c = prefix("10.81.0.1/24");
	CHECK_EQ(ipv4_overlap(&b, &c), 1);
}

TEST(addresses_and_prefixes_are_printed)
{
	char s[IPV4_STRLEN], ps[IPV4_PREFIX_STRLEN];
	struct ipv4_prefix p = prefix("255.255.255.255/32");

	CHECK(!strcmp(ipv4_format(s, 0xc0a86901u), "192.168.105.1"));
	CHECK(!strcmp(ipv4_format(s, 0), "0.0.0.0"));
	CHECK(!strcmp(ipv4_format_prefix(ps, &p), "255.255.255.255/32"));
	p = prefix("10.0.0.1/8");
	CHECK(!strcmp(ipv4_format_prefix(ps, &p), "10.0.0.1/8"));
}
