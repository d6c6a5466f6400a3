// SPDX-License-Identifier: MIT
/* test_api.c - the public API's edges: modes, config errors, logging, NULLs */
#include <errno.h>
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

TEST(modes_not_built_say_where_they_are)
{
	/* Not host mode: it is built, and would change this namespace's
	 * network (tests/test_host_mode.sh runs it in one of its own). */
	static const enum sqn_mode modes[] = { SQN_MODE_SHARED,
					       SQN_MODE_BRIDGED };
	struct sqn_config cfg;
	unsigned int i;
	sqn_net *net;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		sqn_config_init(&cfg);
		cfg.mode = modes[i];
		cfg.bridged_iface = "eth0";
		CHECK_EQ(sqn_open(&cfg, &net), -ENOTSUP);
		CHECK_EQ(errno, ENOTSUP);
		CHECK(!net);
		CHECK_MSG(strstr(sqn_last_error(NULL), sqn_mode_name(modes[i])),
			  "%s", sqn_last_error(NULL));
		CHECK_MSG(strstr(sqn_last_error(NULL), "Linux"), "%s",
			  sqn_last_error(NULL));
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
	cfg.version = 1; /* the layout before tap_fd */
	CHECK_EQ(sqn_open(&cfg, &net), -EINVAL);
	CHECK(strstr(sqn_last_error(NULL), "version: 1 is not 2"));
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
