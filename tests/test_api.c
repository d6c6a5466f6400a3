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
	cfg.version = 2; /* the layout before the network fields */
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK(strstr(sqn_last_error(NULL), "version: 2 is not 3"));
	cfg.version = 7;
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK(strstr(sqn_last_error(NULL), "version"));
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
