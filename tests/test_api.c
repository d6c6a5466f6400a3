// SPDX-License-Identifier: MIT
/* test_api.c - the public API's edges: modes, config errors, logging, NULLs */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "harness.h"
#include "squibnet.h"

static char logged[512];
static int log_level = -1;

static void log_cb(void *ctx, int level, const char *msg)
{
	(*(int *)ctx)++;
	log_level = level;
	snprintf(logged, sizeof(logged), "%s", msg);
}

/* Each a config error, found before anything of a network is made; in a
 * network namespace of the test's own all the same, so that a check that
 * lets a config through makes nothing on the machine. */
TEST(network_fields_are_checked)
{
	static const struct {
		enum sqn_mode mode;
		const char *network, *subnet, *nat, *dns, *hosts, *want;
	} bad[] = {
		{ SQN_MODE_SHARED, "", NULL, NULL, NULL, NULL, "network" },
		{ SQN_MODE_HOST, "name-of-16-bytes", NULL, NULL, NULL, NULL,
		  "network" },
		{ SQN_MODE_SHARED, "bad/name", NULL, NULL, NULL, NULL,
		  "network" },
		{ SQN_MODE_SHARED, "-x", NULL, NULL, NULL, NULL, "network" },
		{ SQN_MODE_SHARED, "quote\"", NULL, NULL, NULL, NULL,
		  "network" },
		{ SQN_MODE_SHARED, NULL, "10.0.0.1", NULL, NULL, NULL,
		  "subnet" },
		{ SQN_MODE_SHARED, NULL, "10.0.0.1/7", NULL, NULL, NULL,
		  "subnet" },
		{ SQN_MODE_SHARED, NULL, "10.0.0.1/30", NULL, NULL, NULL,
		  "subnet" },
		{ SQN_MODE_HOST, NULL, "10.0.0.0/24", NULL, NULL, NULL,
		  "gateway" },
		{ SQN_MODE_HOST, NULL, "10.0.0.255/24", NULL, NULL, NULL,
		  "gateway" },
		{ SQN_MODE_SHARED, NULL, "10.0.0.01/24", NULL, NULL, NULL,
		  "subnet" },
		{ SQN_MODE_SHARED, NULL, "10.0.0.256/24", NULL, NULL, NULL,
		  "subnet" },
		{ SQN_MODE_SHARED, NULL, "127.0.0.1/8", NULL, NULL, NULL,
		  "unicast" },
		{ SQN_MODE_SHARED, NULL, "10.0.0.1/24 ", NULL, NULL, NULL,
		  "subnet" },
		{ SQN_MODE_SHARED, NULL, NULL, "eth0 x", NULL, NULL,
		  "nat_iface" },
		{ SQN_MODE_SHARED, NULL, NULL, NULL, "8.8.8.8;", NULL,
		  "dns_upstream" },
		{ SQN_MODE_SHARED, NULL, NULL, NULL, "1.1.1.1,", NULL,
		  "dns_upstream" },
		{ SQN_MODE_SHARED, NULL, NULL, NULL,
		  "1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5", NULL,
		  "dns_upstream" },
		{ SQN_MODE_SHARED, NULL, NULL, NULL, NULL, "/nonexistent/hosts",
		  "dns_hosts" },
		{ SQN_MODE_HOST, NULL, NULL, NULL, NULL, "/tmp", "dns_hosts" },
	};
	struct sqn_config cfg;
	unsigned int i;
	sqn_net *net;

	CHECK_MSG(!unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET): %s (root?)",
		  strerror(errno));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sqn_config_init(&cfg);
		cfg.mode = bad[i].mode;
		cfg.network = bad[i].network;
		cfg.subnet = bad[i].subnet;
		cfg.nat_iface = bad[i].nat;
		cfg.dns_upstream = bad[i].dns;
		cfg.dns_hosts = bad[i].hosts;
		CHECK_MSG(sqn_open(&cfg, &net) == -EINVAL, "case %u: %s", i,
			  sqn_last_error(NULL));
		CHECK(!net);
		CHECK_MSG(strstr(sqn_last_error(NULL), bad[i].want),
			  "case %u: \"%s\" lacks \"%s\"", i,
			  sqn_last_error(NULL), bad[i].want);
	}
}

TEST(default_mode_is_shared)
{
	struct sqn_config cfg;

	sqn_config_init(&cfg);
	CHECK_EQ(cfg.version, SQN_CONFIG_VERSION);
	CHECK_EQ(cfg.mode, SQN_MODE_SHARED);
	CHECK_EQ(cfg.peer_fd, -1);
}

/* Bytes of @buf from @from to @to all @c. */
static int all_bytes(const void *buf, size_t from, size_t to, int c)
{
	const unsigned char *b = buf;

	for (; from < to; from++)
		if (b[from] != (unsigned char)c)
			return 0;
	return 1;
}

/* A client built against an older header has a smaller struct: nothing
 * past the size it passes is written. */
TEST(config_init_writes_only_the_callers_size)
{
	static union {
		struct sqn_config cfg;
		unsigned char b[sizeof(struct sqn_config) + 64];
	} u;
	const size_t ours = sizeof(u.cfg);
	sqn_net *net;

	memset(&u, 0x5a, sizeof(u));
	CHECK_EQ(sqn_config_init(&u.cfg), 0);
	CHECK_EQ(u.cfg.version, SQN_CONFIG_VERSION);
	CHECK_EQ(u.cfg.tap_fd, -1);
	CHECK_EQ(u.cfg.connect_timeout_ms, 0);
	CHECK_EQ(u.cfg.lock_timeout_ms, 0);
	CHECK(all_bytes(u.b, ours, sizeof(u), 0x5a));

	/* a newer header's struct: ours, then zeros up to its size, its
	 * version kept so that sqn_open() refuses it by name */
	memset(&u, 0x5a, sizeof(u));
	CHECK_EQ(sqn_config_init2(&u.cfg, ours + 16, SQN_CONFIG_VERSION + 1),
		 -ENOTSUP);
	CHECK_EQ(u.cfg.version, SQN_CONFIG_VERSION + 1);
	CHECK_EQ(u.cfg.peer_fd, -1);
	CHECK(all_bytes(u.b, ours, ours + 16, 0));
	CHECK(all_bytes(u.b, ours + 16, sizeof(u), 0x5a));
	u.cfg.mode = SQN_MODE_LOOPBACK;
	CHECK_EQ(sqn_open(&u.cfg, &net), -EINVAL);
	CHECK(strstr(sqn_last_error(NULL), "newer than this library's"));

	/* too small for the version, or a version without a sized init:
	 * nothing written */
	memset(&u, 0x5a, sizeof(u));
	CHECK_EQ(sqn_config_init2(&u.cfg, ours - 1, SQN_CONFIG_VERSION),
		 -EINVAL);
	CHECK_EQ(sqn_config_init2(&u.cfg, ours, 3), -EINVAL);
	CHECK_EQ(sqn_config_init2(&u.cfg, ours, 0), -EINVAL);
	CHECK_EQ(errno, EINVAL);
	CHECK(all_bytes(u.b, 0, sizeof(u), 0x5a));
	CHECK_EQ(sqn_config_init2(NULL, ours, SQN_CONFIG_VERSION), -EINVAL);
}

/* sqn_info2() and sqn_stats2() fill the caller's size: a prefix for an
 * older client, zeros after ours for a newer one, nothing beyond. */
TEST(info_and_stats_fill_the_callers_size)
{
	static union {
		struct sqn_stats st;
		struct sqn_info info;
		unsigned char b[sizeof(struct sqn_stats) +
				sizeof(struct sqn_info) + 64];
	} u;
	static uint8_t frame[100];
	struct iovec iov = { frame, sizeof(frame) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	struct sqn_config cfg;
	sqn_net *net;

	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_LOOPBACK;
	cfg.mtu = 1500;
	CHECK(!sqn_open(&cfg, &net));
	CHECK_EQ(sqn_send(net, &p, 1), 1);

	memset(&u, 0x5a, sizeof(u));
	CHECK_EQ(sqn_stats2(net, &u.st, 8), 0);
	CHECK_EQ(u.st.rx_frames, 0);
	CHECK(all_bytes(u.b, 8, sizeof(u), 0x5a));
	memset(&u, 0x5a, sizeof(u));
	CHECK_EQ(sqn_stats2(net, &u.st, 6 * sizeof(uint64_t)), 0);
	CHECK_EQ(u.st.tx_frames, 1);
	CHECK_EQ(u.st.tx_bytes, 100);
	CHECK(all_bytes(u.b, 6 * sizeof(uint64_t), sizeof(u), 0x5a));
	memset(&u, 0x5a, sizeof(u));
	CHECK_EQ(sqn_stats2(net, &u.st, sizeof(u.st) + 24), 0);
	CHECK_EQ(u.st.tx_large, 0);
	CHECK(all_bytes(u.b, sizeof(u.st), sizeof(u.st) + 24, 0));
	CHECK(all_bytes(u.b, sizeof(u.st) + 24, sizeof(u), 0x5a));

	memset(&u, 0x5a, sizeof(u));
	CHECK_EQ(sqn_info2(net, &u.info, 8), 0);
	CHECK_EQ(u.info.mode, SQN_MODE_LOOPBACK);
	CHECK_EQ(u.info.mtu, 1500);
	CHECK(all_bytes(u.b, 8, sizeof(u), 0x5a));
	memset(&u, 0x5a, sizeof(u));
	CHECK_EQ(sqn_info2(net, &u.info, sizeof(u.info) + 8), 0);
	CHECK_EQ(u.info.max_packet_size, 1514);
	CHECK_EQ(u.info.link_up, 1);
	CHECK(all_bytes(u.b, sizeof(u.info), sizeof(u.info) + 8, 0));
	CHECK(all_bytes(u.b, sizeof(u.info) + 8, sizeof(u), 0x5a));
	CHECK_EQ(sqn_info2(NULL, &u.info, sizeof(u.info)), -EINVAL);
	CHECK_EQ(sqn_stats2(net, NULL, sizeof(u.st)), -EINVAL);
	sqn_close(net);
}

TEST(config_errors_are_logged_and_kept)
{
	struct sqn_config cfg;
	sqn_net *net;
	int calls = 0;

	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_LOOPBACK;
	cfg.log = log_cb;
	cfg.log_ctx = &calls;
	cfg.iface_id = "bad-id";
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK_EQ(calls, 1);
	CHECK_EQ(log_level, SQN_LOG_ERR);
	CHECK_MSG(strstr(logged, "iface_id"), "%s", logged);
	CHECK(!strcmp(logged, sqn_last_error(NULL)));

	cfg.iface_id = NULL;
	cfg.has_guest_mac = 1;
	memcpy(cfg.guest_mac, "\x01\x00\x5e\x00\x00\x01", 6);
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK_MSG(strstr(sqn_last_error(NULL), "multicast"), "%s",
		  sqn_last_error(NULL));
	memset(cfg.guest_mac, 0, 6);
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK_MSG(strstr(sqn_last_error(NULL), "all zero"), "%s",
		  sqn_last_error(NULL));

	cfg.has_guest_mac = 0;
	cfg.version = 0;
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK_MSG(
		strstr(sqn_last_error(NULL),
		       "version: 0 is not a config version (this library takes 1 to"),
		"%s", sqn_last_error(NULL));
	cfg.version = SQN_CONFIG_VERSION + 1;
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK_MSG(strstr(sqn_last_error(NULL), "is newer than this library's"),
		  "%s", sqn_last_error(NULL));
	cfg.version = SQN_CONFIG_VERSION;
	cfg.mode = (enum sqn_mode)42;
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK(strstr(sqn_last_error(NULL), "mode"));
	cfg.mode = SQN_MODE_BRIDGED;
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK(strstr(sqn_last_error(NULL), "bridged_iface"));
	cfg.mode = SQN_MODE_LOOPBACK;
	cfg.mtu = 67;
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK(strstr(sqn_last_error(NULL), "mtu: 67"));
	cfg.mtu = 0;
	cfg.helper_path = "/nonexistent/passt";
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK(strstr(sqn_last_error(NULL), "helper_path: /nonexistent/passt"));
	CHECK_EQ(sqn_open(NULL, &net), -EINVAL);
	CHECK_EQ(sqn_open(&cfg, NULL), -EINVAL);
}

TEST(guest_mac_honoured_or_random_per_attachment)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct sqn_config cfg;
	struct sqn_info a, b;
	sqn_net *n1, *n2;

	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_LOOPBACK;
	CHECK(!sqn_open(&cfg, &n1));
	CHECK(!sqn_open(&cfg, &n2));
	sqn_info(n1, &a);
	sqn_info(n2, &b);
	CHECK(memcmp(a.guest_mac, b.guest_mac, 6));
	CHECK_EQ(a.guest_mac[0] & 3, 2);
	sqn_close(n1);
	sqn_close(n2);
	cfg.has_guest_mac = 1;
	memcpy(cfg.guest_mac, mac, 6);
	CHECK(!sqn_open(&cfg, &n1));
	sqn_info(n1, &a);
	CHECK(!memcmp(a.guest_mac, mac, 6));
	CHECK_EQ(a.mode, SQN_MODE_LOOPBACK);
	sqn_close(n1);
}

TEST(mtu_sets_max_packet_size)
{
	struct sqn_config cfg;
	struct sqn_info info;
	struct iovec iov;
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	static uint8_t frame[1600];
	struct sqn_stats st;
	sqn_net *net;

	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_LOOPBACK;
	cfg.mtu = 1500;
	CHECK(!sqn_open(&cfg, &net));
	sqn_info(net, &info);
	CHECK_EQ(info.mtu, 1500);
	CHECK_EQ(info.max_packet_size, 1514);
	iov = (struct iovec){ frame, 1515 };
	CHECK_EQ(sqn_send(net, &p, 1), 1);
	iov.iov_len = 1514;
	CHECK_EQ(sqn_send(net, &p, 1), 1);
	sqn_stats(net, &st);
	CHECK_EQ(st.tx_dropped, 1);
	CHECK_EQ(st.tx_frames, 1);
	sqn_close(net);
}

TEST(names_and_strings)
{
	enum sqn_mode m;
	int i;

	for (i = 0; i < SQN_MODE_COUNT_; i++) {
		CHECK(!sqn_mode_parse(sqn_mode_name((enum sqn_mode)i), &m));
		CHECK_EQ(m, i);
	}
	CHECK_EQ(sqn_mode_parse("vmnet", &m), -EINVAL);
	CHECK_EQ(sqn_mode_parse(NULL, &m), -EINVAL);
	CHECK(!strcmp(sqn_mode_name((enum sqn_mode)99), "unknown"));
	CHECK(strstr(sqn_strerror(-ENOTCONN), "link down"));
	CHECK(strstr(sqn_strerror(-EAGAIN), "would block"));
	CHECK(strlen(sqn_strerror(-EIO)) > 0);
}

TEST(null_handles_are_refused)
{
	struct sqn_info info;
	struct sqn_stats st;

	CHECK_EQ(sqn_fd(NULL), -EINVAL);
	CHECK_EQ(sqn_recv(NULL, NULL, 0), -EINVAL);
	CHECK_EQ(sqn_send(NULL, NULL, 0), -EINVAL);
	CHECK_EQ(sqn_flush(NULL), -EINVAL);
	CHECK_EQ(sqn_info(NULL, &info), -EINVAL);
	CHECK_EQ(sqn_stats(NULL, &st), -EINVAL);
}
