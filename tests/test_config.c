// SPDX-License-Identifier: MIT
/* test_config.c - unit tests of the config checks (config.h): each field's
 * rule, the defaults, a message naming the field */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "harness.h"
#include "squibnet.h"

#define MSG_LEN 2048

static void check_msg_names(int r, const char *msg, const char *field)
{
	CHECK_MSG(r == -EINVAL, "r %d, msg \"%s\"", r, msg);
	CHECK_MSG(strstr(msg, field), "\"%s\" does not name %s", msg, field);
}

TEST(config_iface_id)
{
	static const char *const bad[] = {
		"",	"a-b",	  "a b",  "a/b",    "caf\xc3\xa9",
		"\xff", "eth0.1", "x\ty", "sqn0\n",
	};
	char msg[MSG_LEN], id[SQN_IFACE_ID_MAX + 2];
	size_t i;

	CHECK_EQ(config_check_iface_id("sqn0", msg, sizeof(msg)), 0);
	CHECK_EQ(config_check_iface_id("A", msg, sizeof(msg)), 0);
	CHECK_EQ(config_check_iface_id("azAZ09_", msg, sizeof(msg)), 0);

	memset(id, 'a', sizeof(id));
	id[SQN_IFACE_ID_MAX] = '\0';
	CHECK_EQ(config_check_iface_id(id, msg, sizeof(msg)), 0);
	id[SQN_IFACE_ID_MAX - 1] = '_';
	CHECK_EQ(config_check_iface_id(id, msg, sizeof(msg)), 0);
	id[SQN_IFACE_ID_MAX] = 'b';
	id[SQN_IFACE_ID_MAX + 1] = '\0';
	check_msg_names(config_check_iface_id(id, msg, sizeof(msg)), msg,
			"iface_id");
	CHECK(strstr(msg, "64"));

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg[0] = '\0';
		check_msg_names(config_check_iface_id(bad[i], msg, sizeof(msg)),
				msg, "iface_id");
	}
	/* a short message buffer is truncated, not overrun */
	CHECK_EQ(config_check_iface_id("a-b", msg, 5), -EINVAL);
	CHECK_EQ(strlen(msg), 4);
}

TEST(config_mac)
{
	static const uint8_t ok[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t ok2[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast_local[6] = { 0x03, 0, 0, 0, 0, 1 };
	static const uint8_t zero[6];
	char msg[MSG_LEN], mmsg[MSG_LEN];

	CHECK_EQ(config_check_mac(ok, msg, sizeof(msg)), 0);
	CHECK_EQ(config_check_mac(ok2, msg, sizeof(msg)), 0);
	check_msg_names(config_check_mac(mcast, mmsg, sizeof(mmsg)), mmsg,
			"guest_mac");
	CHECK(strstr(mmsg, "multicast"));
	check_msg_names(config_check_mac(bcast, msg, sizeof(msg)), msg,
			"guest_mac");
	check_msg_names(config_check_mac(mcast_local, msg, sizeof(msg)), msg,
			"guest_mac");
	check_msg_names(config_check_mac(zero, msg, sizeof(msg)), msg,
			"guest_mac");
	CHECK(strcmp(msg, mmsg));
}

TEST(config_path)
{
	char msgs[5][MSG_LEN], msg[MSG_LEN];
	char tmpl[] = "/tmp/sqn_test_framing_XXXXXX";
	static char longpath[SQN_PATH_MAX + 2];
	int fd, i, j, r[5];

	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[SQN_PATH_MAX + 1] = '\0';

	fd = mkstemp(tmpl);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(chmod(tmpl, 0644), 0);

	/* every result first, so that a failed check leaves no file behind */
	r[0] = config_check_path("helper_path", "", 1, msgs[0], MSG_LEN);
	r[1] = config_check_path("helper_path", longpath, 1, msgs[1], MSG_LEN);
	r[2] = config_check_path("helper_path", "/nonexistent/sqn/helper", 1,
				 msgs[2], MSG_LEN);
	r[3] = config_check_path("helper_path", "/tmp", 1, msgs[3], MSG_LEN);
	r[4] = config_check_path("helper_path", tmpl, 1, msgs[4], MSG_LEN);
	unlink(tmpl);
	for (i = 0; i < 5; i++)
		check_msg_names(r[i], msgs[i], "helper_path");

	CHECK_MSG(strstr(msgs[0], "empty"), "%s", msgs[0]);
	CHECK_MSG(strstr(msgs[1], "1024"), "%s", msgs[1]);
	CHECK_MSG(strstr(msgs[2], "/nonexistent/sqn/helper"), "%s", msgs[2]);
	CHECK_MSG(strstr(msgs[3], "regular"), "%s", msgs[3]);
	CHECK_MSG(strstr(msgs[4], "executable"), "%s", msgs[4]);
	for (i = 0; i < 5; i++)
		for (j = i + 1; j < 5; j++)
			CHECK_MSG(strcmp(msgs[i], msgs[j]),
				  "messages %d and %d are both \"%s\"", i, j,
				  msgs[i]);

	CHECK_EQ(config_check_path("helper_path", "/bin/sh", 1, msg,
				   sizeof(msg)),
		 0);
	/* without need_exec only the length is checked */
	CHECK_EQ(config_check_path("peer_path", "/nonexistent/sqn/sock", 0, msg,
				   sizeof(msg)),
		 0);
	CHECK_EQ(config_check_path("peer_path", "/tmp", 0, msg, sizeof(msg)),
		 0);
	check_msg_names(config_check_path("peer_path", "", 0, msg, sizeof(msg)),
			msg, "peer_path");
	check_msg_names(config_check_path("peer_path", longpath, 0, msg,
					  sizeof(msg)),
			msg, "peer_path");
	longpath[SQN_PATH_MAX] = '\0';
	CHECK_EQ(config_check_path("peer_path", longpath, 0, msg, sizeof(msg)),
		 0);
}

static char argstore[SQN_ARGS_MAX + 2][SQN_ARG_LEN_MAX + 2];

TEST(config_args)
{
	const char *args[SQN_ARGS_MAX + 2];
	const char *const empty[] = { NULL };
	char msg[MSG_LEN];
	int i;

	for (i = 0; i < SQN_ARGS_MAX + 2; i++) {
		memset(argstore[i], 'a' + i % 26, SQN_ARG_LEN_MAX);
		argstore[i][SQN_ARG_LEN_MAX] = '\0';
		args[i] = argstore[i];
	}

	CHECK_EQ(config_check_args(NULL, msg, sizeof(msg)), 0);
	CHECK_EQ(config_check_args(empty, msg, sizeof(msg)), 0);

	/* 32 arguments of 512 bytes */
	args[SQN_ARGS_MAX] = NULL;
	CHECK_EQ(config_check_args(args, msg, sizeof(msg)), 0);

	/* 33 arguments */
	args[SQN_ARGS_MAX] = argstore[SQN_ARGS_MAX];
	args[SQN_ARGS_MAX + 1] = NULL;
	check_msg_names(config_check_args(args, msg, sizeof(msg)), msg,
			"helper_args");
	CHECK(strstr(msg, "32"));

	/* one argument of 513 bytes */
	args[SQN_ARGS_MAX] = NULL;
	argstore[5][SQN_ARG_LEN_MAX] = 'z';
	argstore[5][SQN_ARG_LEN_MAX + 1] = '\0';
	check_msg_names(config_check_args(args, msg, sizeof(msg)), msg,
			"helper_args");
	CHECK_MSG(strstr(msg, "argument 6"), "%s", msg);

	args[1] = NULL;
	CHECK_EQ(config_check_args(args, msg, sizeof(msg)), 0);
}

static int check_cfg(const struct sqn_config *cfg, struct net_params *p,
		     char *msg)
{
	memset(p, 0xa5, sizeof(*p));
	msg[0] = '\0';
	return config_check(cfg, p, msg, MSG_LEN);
}

TEST(config_defaults)
{
	struct sqn_config cfg;
	struct net_params p;
	char msg[MSG_LEN];

	sqn_config_init(&cfg);
	CHECK_EQ(cfg.version, SQN_CONFIG_VERSION);
	CHECK_EQ(cfg.peer_fd, -1);
	CHECK_MSG(check_cfg(&cfg, &p, msg) == 0, "%s", msg);
	CHECK_EQ(p.net.mode, SQN_MODE_SHARED);
	CHECK(!strcmp(p.iface_id, "sqn0"));
	CHECK_EQ(p.mtu, 0);
	CHECK_EQ(p.queue_depth, 256);
	CHECK_EQ(p.net.isolation, 1);
	CHECK_EQ(p.peer_fd, -1);
	CHECK(!p.helper_path && !p.peer_path && !p.net.bridged_iface);

	cfg.iface_id = "vm_7";
	cfg.mtu = SQN_MTU_MIN;
	cfg.queue_depth = SQN_QUEUE_MAX;
	cfg.offloads = 0x1f;
	cfg.disable_isolation = 1;
	cfg.framing = SQN_FRAMING_DGRAM;
	CHECK_MSG(check_cfg(&cfg, &p, msg) == 0, "%s", msg);
	CHECK(!strcmp(p.iface_id, "vm_7"));
	CHECK_EQ(p.mtu, SQN_MTU_MIN);
	CHECK_EQ(p.queue_depth, SQN_QUEUE_MAX);
	CHECK_EQ(p.offloads, 0x1f);
	CHECK_EQ(p.net.isolation, 0);
	CHECK_EQ(p.framing, SQN_FRAMING_DGRAM);
	cfg.mtu = SQN_FRAME_MAX - SQN_ETH_HLEN;
	cfg.queue_depth = 1;
	CHECK_MSG(check_cfg(&cfg, &p, msg) == 0, "%s", msg);
	CHECK_EQ(p.queue_depth, 1);

	cfg.mode = SQN_MODE_STREAM;
	cfg.peer_fd = 5;
	CHECK_MSG(check_cfg(&cfg, &p, msg) == 0, "%s", msg);
	CHECK_EQ(p.peer_fd, 5);
	cfg.peer_fd = -1;
	cfg.peer_path = "/nonexistent/sqn.sock";
	CHECK_MSG(check_cfg(&cfg, &p, msg) == 0, "%s", msg);
	CHECK(p.peer_path == cfg.peer_path);
}

/* sqn_config_init(), then one field changed by @set, must fail naming @f */
static void expect_field(void (*set)(struct sqn_config *cfg), const char *f)
{
	struct sqn_config cfg;
	struct net_params p;
	char msg[MSG_LEN];

	sqn_config_init(&cfg);
	set(&cfg);
	check_msg_names(check_cfg(&cfg, &p, msg), msg, f);
}

static void set_version(struct sqn_config *cfg)
{
	cfg->version = SQN_CONFIG_VERSION + 1;
}

static void set_version0(struct sqn_config *cfg)
{
	cfg->version = 0;
}

static void set_mode99(struct sqn_config *cfg)
{
	cfg->mode = (enum sqn_mode)99;
}

static void set_mode_count(struct sqn_config *cfg)
{
	cfg->mode = SQN_MODE_COUNT_;
}

static void set_mtu10(struct sqn_config *cfg)
{
	cfg->mtu = 10;
}

static void set_mtu67(struct sqn_config *cfg)
{
	cfg->mtu = SQN_MTU_MIN - 1;
}

static void set_mtu70000(struct sqn_config *cfg)
{
	cfg->mtu = 70000;
}

static void set_mtu_above(struct sqn_config *cfg)
{
	cfg->mtu = SQN_FRAME_MAX - SQN_ETH_HLEN + 1;
}

static void set_queue5000(struct sqn_config *cfg)
{
	cfg->queue_depth = 5000;
}

static void set_queue_above(struct sqn_config *cfg)
{
	cfg->queue_depth = SQN_QUEUE_MAX + 1;
}

static void set_offloads(struct sqn_config *cfg)
{
	cfg->offloads = SQN_OFFLOAD_CSUM | (1u << 5);
}

static void set_offloads_high(struct sqn_config *cfg)
{
	cfg->offloads = 1u << 31;
}

static void set_stream_no_peer(struct sqn_config *cfg)
{
	cfg->mode = SQN_MODE_STREAM;
}

static void set_framing(struct sqn_config *cfg)
{
	cfg->framing = (enum sqn_framing)7;
}

static void set_iface_id(struct sqn_config *cfg)
{
	cfg->iface_id = "sqn-0";
}

static void set_mac(struct sqn_config *cfg)
{
	cfg->has_guest_mac = 1;
	cfg->guest_mac[0] = 0x01;
}

static void set_bridged(struct sqn_config *cfg)
{
	cfg->mode = SQN_MODE_BRIDGED;
}

static void set_helper_path(struct sqn_config *cfg)
{
	cfg->mode = SQN_MODE_USERSPACE;
	cfg->helper_path = "/nonexistent/sqn/passt";
}

static void set_peer_path(struct sqn_config *cfg)
{
	cfg->mode = SQN_MODE_STREAM;
	cfg->peer_path = "";
}

TEST(config_bad_fields)
{
	expect_field(set_version, "version");
	expect_field(set_version0, "version");
	expect_field(set_mode99, "mode");
	expect_field(set_mode_count, "mode");
	expect_field(set_mtu10, "mtu");
	expect_field(set_mtu67, "mtu");
	expect_field(set_mtu70000, "mtu");
	expect_field(set_mtu_above, "mtu");
	expect_field(set_queue5000, "queue_depth");
	expect_field(set_queue_above, "queue_depth");
	expect_field(set_offloads, "offloads");
	expect_field(set_offloads_high, "offloads");
	expect_field(set_stream_no_peer, "peer_path");
	expect_field(set_framing, "framing");
	expect_field(set_iface_id, "iface_id");
	expect_field(set_mac, "guest_mac");
	expect_field(set_bridged, "bridged_iface");
	expect_field(set_helper_path, "helper_path");
	expect_field(set_peer_path, "peer_path");
}

TEST(config_null)
{
	struct net_params p;
	char msg[MSG_LEN];

	check_msg_names(check_cfg(NULL, &p, msg), msg, "config");
}

TEST(config_random_mac)
{
	struct sqn_config cfg;
	struct net_params p1, p2;
	char msg[MSG_LEN];
	int i;

	sqn_config_init(&cfg);
	CHECK_EQ(cfg.has_guest_mac, 0);
	CHECK_MSG(check_cfg(&cfg, &p1, msg) == 0, "%s", msg);
	CHECK_MSG(check_cfg(&cfg, &p2, msg) == 0, "%s", msg);
	CHECK_MSG(memcmp(p1.guest_mac, p2.guest_mac, 6),
		  "two configs got the same MAC");
	/* many, so that a bit left to chance shows */
	for (i = 0; i < 64; i++) {
		CHECK_MSG(check_cfg(&cfg, &p1, msg) == 0, "%s", msg);
		CHECK_MSG(p1.guest_mac[0] & 0x02,
			  "not locally administered: %02x", p1.guest_mac[0]);
		CHECK_MSG(!(p1.guest_mac[0] & 0x01), "multicast: %02x",
			  p1.guest_mac[0]);
		CHECK_EQ(config_check_mac(p1.guest_mac, msg, sizeof(msg)), 0);
	}

	/* a given MAC is kept as it is */
	cfg.has_guest_mac = 1;
	memcpy(cfg.guest_mac, "\x52\x54\x00\x12\x34\x56", 6);
	CHECK_MSG(check_cfg(&cfg, &p1, msg) == 0, "%s", msg);
	CHECK(!memcmp(p1.guest_mac, "\x52\x54\x00\x12\x34\x56", 6));
}
