// SPDX-License-Identifier: MIT
/* test_forward.c - port forward rules as text (src/forward.c) and their
 * checks in sqn_config (config_check_forwards()) */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "forward.h"
#include "harness.h"
#include "squibnet.h"

TEST(rules_parse_and_format_back)
{
	static const char *const ok[][2] = {
		{ "tcp:8080:80", "tcp:8080:80" },
		{ "udp:5353:53", "udp:5353:53" },
		{ "tcp:8080", "tcp:8080:8080" },
		{ "tcp:127.0.0.1:2222:22", "tcp:127.0.0.1:2222:22" },
		{ "udp:10.0.0.1:65535", "udp:10.0.0.1:65535:65535" },
	};
	char addr[16], out[FORWARD_STRLEN];
	struct sqn_forward f;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK_MSG(!forward_parse(ok[i][0], &f, addr), "%s", ok[i][0]);
		CHECK_MSG(!strcmp(forward_format(out, &f), ok[i][1]),
			  "%s -> %s", ok[i][0], out);
	}
	CHECK(!forward_parse("tcp:127.0.0.1:2222:22", &f, addr));
	CHECK_EQ(f.proto, SQN_PROTO_TCP);
	CHECK(f.host_addr == addr && !strcmp(addr, "127.0.0.1"));
	CHECK_EQ(f.host_port, 2222);
	CHECK_EQ(f.guest_port, 22);
	CHECK(!forward_parse("udp:53", &f, addr));
	CHECK(!f.host_addr && f.proto == SQN_PROTO_UDP && !f.guest_port);
	CHECK_EQ(forward_guest_port(&f), 53);
}

TEST(bad_rules_are_refused)
{
	static const char *const bad[] = {
		"",
		"tcp",
		"tcp:",
		"sctp:80",
		"tcp:0",
		"tcp:65536",
		"tcp:80:0",
		"tcp:080",
		"tcp:80:",
		"tcp:80:81:82",
		"tcp:1.2.3:80",
		"tcp:1.2.3.4",
		"tcp:1.2.3.4:",
		"tcp:256.1.1.1:80",
		"TCP:80",
		"tcp:80x",
		"tcp: 80",
		"tcp:-1",
	};
	char addr[16];
	struct sqn_forward f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(forward_parse(bad[i], &f, addr) == -EINVAL,
			  "'%s' taken", bad[i]);
}

TEST(collisions_are_one_protocol_one_port_meeting_addresses)
{
	struct sqn_forward any = { SQN_PROTO_TCP, NULL, 80, 0 };
	struct sqn_forward empty = { SQN_PROTO_TCP, "", 80, 8 };
	struct sqn_forward lo = { SQN_PROTO_TCP, "127.0.0.1", 80, 0 };
	struct sqn_forward other = { SQN_PROTO_TCP, "10.0.0.1", 80, 0 };
	struct sqn_forward udp = { SQN_PROTO_UDP, NULL, 80, 0 };
	struct sqn_forward port = { SQN_PROTO_TCP, NULL, 81, 0 };

	CHECK(forward_collide(&any, &empty));
	CHECK(forward_collide(&any, &lo));
	CHECK(forward_collide(&lo, &any));
	CHECK(!forward_collide(&lo, &other));
	CHECK(!forward_collide(&any, &udp));
	CHECK(!forward_collide(&any, &port));
}

/* A config with @n forwards in @mode (shared: on subnet @subnet, NULL the
 * default); the check's result. */
static int check_on(enum sqn_mode mode, const char *subnet,
		    const struct sqn_forward *f, uint32_t n,
		    const char *guest_ip, char *msg)
{
	struct sqn_config cfg;
	struct net_params p;

	sqn_config_init(&cfg);
	cfg.mode = mode;
	cfg.subnet = subnet;
	cfg.forwards = f;
	cfg.n_forwards = n;
	cfg.guest_ip = guest_ip;
	if (mode == SQN_MODE_STREAM)
		cfg.peer_path = "/nonexistent";
	if (mode == SQN_MODE_BRIDGED)
		cfg.bridged_iface = "eth0";
	return config_check(&cfg, &p, msg, 256);
}

static int check(enum sqn_mode mode, const struct sqn_forward *f, uint32_t n,
		 const char *guest_ip, char *msg)
{
	return check_on(mode, NULL, f, n, guest_ip, msg);
}

TEST(config_takes_forwards_and_guest_ip_where_they_mean_something)
{
	struct sqn_forward f[SQN_FORWARDS_MAX + 1] = {
		{ SQN_PROTO_TCP, NULL, 8080, 80 },
		{ SQN_PROTO_UDP, "127.0.0.1", 5353, 53 },
	};
	struct sqn_config cfg;
	struct net_params p;
	char msg[256];
	uint32_t i;

	CHECK_MSG(!check(SQN_MODE_SHARED, f, 2, "192.168.105.40", msg), "%s",
		  msg);
	CHECK(!check(SQN_MODE_HOST, NULL, 0, "192.168.106.254", msg));
	CHECK(!check(SQN_MODE_USERSPACE, f, 2, NULL, msg));
	CHECK_EQ(check(SQN_MODE_HOST, f, 1, NULL, msg), -EINVAL);
	CHECK_MSG(strstr(msg, "forwards: host mode has none"), "%s", msg);
	CHECK_EQ(check(SQN_MODE_LOOPBACK, f, 1, NULL, msg), -EINVAL);
	CHECK_EQ(check(SQN_MODE_BRIDGED, f, 1, NULL, msg), -EINVAL);
	CHECK_EQ(check(SQN_MODE_USERSPACE, NULL, 0, "10.0.2.15", msg), -EINVAL);
	CHECK_MSG(strstr(msg, "guest_ip: userspace mode has none"), "%s", msg);
	CHECK_EQ(check(SQN_MODE_SHARED, NULL, 1, NULL, msg), -EINVAL);
	for (i = 2; i <= SQN_FORWARDS_MAX; i++)
		f[i] = (struct sqn_forward){ SQN_PROTO_TCP, NULL,
					     (uint16_t)(9000 + i), 0 };
	CHECK(!check(SQN_MODE_SHARED, f, SQN_FORWARDS_MAX, NULL, msg));
	CHECK_EQ(check(SQN_MODE_SHARED, f, SQN_FORWARDS_MAX + 1, NULL, msg),
		 -EINVAL);
	f[1].proto = 7;
	CHECK_EQ(check(SQN_MODE_SHARED, f, 2, NULL, msg), -EINVAL);
	f[1].proto = SQN_PROTO_UDP;
	f[1].host_port = 0;
	CHECK_EQ(check(SQN_MODE_SHARED, f, 2, NULL, msg), -EINVAL);
	f[1].host_port = 5353;
	f[1].host_addr = "localhost";
	CHECK_EQ(check(SQN_MODE_SHARED, f, 2, NULL, msg), -EINVAL);
	f[1].host_addr = NULL;
	/* Not a guest's address of the subnet 192.168.105.1/24 it names
	 * (without one, the network's subnet may be the service's: the
	 * plane checks then, netplane_reserve()). */
#define SUB "192.168.105.1/24"
	CHECK_EQ(check_on(SQN_MODE_SHARED, SUB, f, 2, "192.168.105.1", msg),
		 -EINVAL);
	CHECK_EQ(check_on(SQN_MODE_SHARED, SUB, f, 2, "192.168.105.0", msg),
		 -EINVAL);
	CHECK_EQ(check_on(SQN_MODE_SHARED, SUB, f, 2, "192.168.105.255", msg),
		 -EINVAL);
	CHECK_EQ(check_on(SQN_MODE_SHARED, SUB, f, 2, "192.168.104.7", msg),
		 -EINVAL);
	CHECK(!check(SQN_MODE_SHARED, f, 2, "192.168.104.7", msg));
	CHECK_EQ(check(SQN_MODE_SHARED, f, 2, "192.168.105.07", msg), -EINVAL);
	/* "" is none, as NULL. */
	CHECK(!check(SQN_MODE_USERSPACE, NULL, 0, "", msg));
	/* With tap_fd, sqn_open() makes no network to put them in. */
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_SHARED;
	cfg.tap_fd = 0;
	cfg.guest_ip = "192.168.105.40";
	CHECK_EQ(config_check(&cfg, &p, msg, sizeof(msg)), -EINVAL);
	CHECK_MSG(strstr(msg, "tap_fd"), "%s", msg);
	/* Checked, they are the plane's. */
	cfg.tap_fd = -1;
	cfg.forwards = f;
	cfg.n_forwards = 2;
	CHECK(!config_check(&cfg, &p, msg, sizeof(msg)));
	CHECK(p.forwards == f && p.n_forwards == 2 &&
	      !strcmp(p.guest_ip, "192.168.105.40"));
}
