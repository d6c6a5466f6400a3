// SPDX-License-Identifier: MIT
/* test_leases.c - dnsmasq's lease file read while dnsmasq writes it
 * (dnsmasq_lease()): an empty or cut file is not "no lease" */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sys/dnsmasq.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };

/* A record directory whose dnsmasq.leases holds @text. */
static void leases(char *dir, const char *text)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/dnsmasq.leases", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	fputs(text, f);
	fclose(f);
}

static void with_dir(void (*fn)(char *dir))
{
	char dir[] = "/tmp/sqn-leases-XXXXXX", path[300];

	CHECK(mkdtemp(dir) != NULL);
	fn(dir);
	snprintf(path, sizeof(path), "%s/dnsmasq.leases", dir);
	unlink(path);
	rmdir(dir);
}

static void whole(char *dir)
{
	char ip[16];

	leases(dir, "1700000000 02:00:00:00:00:0b 10.0.0.11 b *\n"
		    "1700000000 02:00:00:00:00:0a 10.0.0.10 a 01:02\n");
	CHECK_EQ(dnsmasq_lease(dir, mac_a, ip, sizeof(ip)), 0);
	CHECK(!strcmp(ip, "10.0.0.10"));
	leases(dir, "1700000000 02:00:00:00:00:0b 10.0.0.11 b *\n");
	CHECK_EQ(dnsmasq_lease(dir, mac_a, ip, sizeof(ip)), -ENOENT);
	CHECK(!strcmp(ip, ""));
}

static void mid_write(char *dir)
{
	char ip[16] = "x";

	leases(dir, "");
	CHECK_EQ(dnsmasq_lease(dir, mac_a, ip, sizeof(ip)), -EAGAIN);
	CHECK(!strcmp(ip, ""));
	leases(dir, "1700000000 02:00:00:00:00:0b 10.0.0.11 b *\n"
		    "1700000000 02:00:00:00:00:0a 10.0.0.1");
	CHECK_EQ(dnsmasq_lease(dir, mac_a, ip, sizeof(ip)), -EAGAIN);
	CHECK(!strcmp(ip, ""));
}

TEST(a_whole_file_says_which_lease_or_none)
{
	with_dir(whole);
}

static void names(char *dir)
{
	static const uint8_t mac_b[6] = { 2, 0, 0, 0, 0, 0x0b };
	char ip[16], name[64] = "x";

	leases(dir, "1700000000 02:00:00:00:00:0b 10.0.0.11 * *\n"
		    "1700000000 02:00:00:00:00:0a 10.0.0.10 web 01:02\n");
	CHECK_EQ(dnsmasq_lease_name(dir, mac_a, ip, sizeof(ip), name,
				    sizeof(name)),
		 0);
	CHECK(!strcmp(ip, "10.0.0.10") && !strcmp(name, "web"));
	/* "*": it gave none */
	CHECK_EQ(dnsmasq_lease_name(dir, mac_b, ip, sizeof(ip), name,
				    sizeof(name)),
		 0);
	CHECK(!strcmp(ip, "10.0.0.11") && !strcmp(name, ""));
	leases(dir, "1700000000 02:00:00:00:00:0a 10.0.0.10 web 01:02");
	strcpy(name, "x");
	CHECK_EQ(dnsmasq_lease_name(dir, mac_a, ip, sizeof(ip), name,
				    sizeof(name)),
		 -EAGAIN);
	CHECK(!strcmp(name, ""));
}

/* The NAME a guest gave DHCP, which status shows. */
TEST(a_lease_says_the_name_the_guest_gave)
{
	with_dir(names);
}

/* dnsmasq truncates its lease file and then writes it: a read between
 * the two must not take every lease for gone (the anti-spoofing rules of
 * squib-net serve dropped a guest's address for that moment). */
TEST(a_file_being_written_is_not_no_lease)
{
	with_dir(mid_write);
}
