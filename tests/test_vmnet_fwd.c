// SPDX-License-Identifier: MIT
/* test_vmnet_fwd.c - the vmnet backend's port forwards on the fake
 * framework: the rules vmnet is given, their removal, their failures */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "fake_vmnet/fake_vmnet.h"
#include "harness.h"
#include "squibnet.h"

static const struct sqn_forward two[] = {
	{ SQN_PROTO_TCP, NULL, 8080, 80 },
	{ SQN_PROTO_UDP, "0.0.0.0", 5353, 0 },
};

static void shared_cfg(struct sqn_config *cfg, const struct sqn_forward *f,
		       uint32_t n)
{
	sqn_config_init(cfg);
	cfg->mode = SQN_MODE_SHARED;
	cfg->forwards = f;
	cfg->n_forwards = n;
	cfg->guest_ip = "192.168.105.5";
}

static unsigned int rules(struct fake_vmnet_rule *r)
{
	return fake_vmnet_rules(r, 8);
}

/* The two rules of two[] as vmnet holds them, with address family @af. */
static void expect_two(uint8_t af)
{
	static const uint8_t ip[4] = { 192, 168, 105, 5 };
	struct fake_vmnet_rule r[8];

	CHECK_EQ(rules(r), 2);
	CHECK_EQ(r[0].proto, IPPROTO_TCP);
	CHECK_EQ(r[0].ext_port, 8080);
	CHECK_EQ(r[0].int_port, 80);
	CHECK_EQ(r[0].af, af);
	CHECK(!memcmp(r[0].addr, ip, 4));
	CHECK_EQ(r[1].proto, IPPROTO_UDP);
	CHECK_EQ(r[1].ext_port, 5353);
	CHECK_EQ(r[1].int_port, 5353);
	CHECK_EQ(r[1].af, af);
	CHECK(!memcmp(r[1].addr, ip, 4));
}

static sqn_net *must_open(const struct sqn_config *cfg)
{
	sqn_net *net = NULL;
	int r = sqn_open(cfg, &net);

	CHECK_MSG(!r, "open: %s: %s", sqn_strerror(r), sqn_last_error(NULL));
	return net;
}

/* What the library logged, one message a line. */
struct logbuf {
	char s[4096];
	size_t len;
};

static void log_keep(void *ctx, int level, const char *msg)
{
	struct logbuf *b = ctx;
	int n;

	(void)level;
	n = snprintf(b->s + b->len, sizeof(b->s) - b->len, "%s\n", msg);
	if (n > 0 && b->len + (size_t)n < sizeof(b->s))
		b->len += (size_t)n;
}

/* The forwarding calls and the stop, in order, as "a6:8080 s" (a for add,
 * r remove, s stop; 6 TCP, 17 UDP): each on a started interface. */
static void expect_ops(const char *want)
{
	struct fake_vmnet_fwd_op op[16];
	char got[256] = "";
	unsigned int i, n = fake_vmnet_fwd_ops(op, 16);
	size_t len = 0;

	for (i = 0; i < n && i < 16; i++) {
		if (op[i].op == 's')
			len += (size_t)snprintf(got + len, sizeof(got) - len,
						"%ss", i ? " " : "");
		else
			len += (size_t)snprintf(got + len, sizeof(got) - len,
						"%s%c%u:%u", i ? " " : "",
						op[i].op, op[i].proto,
						op[i].port);
		CHECK_MSG(op[i].live, "call %u on a stopped interface", i);
	}
	CHECK_MSG(!strcmp(got, want), "calls \"%s\", not \"%s\"", got, want);
}

/* Wait for @n add handlers to have reached the rule table. */
static void wait_answered(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < WAIT_MS / 10 && fake_vmnet_fwd_counts().answered < n;
	     i++)
		poll(NULL, 0, 10);
	CHECK_EQ(fake_vmnet_fwd_counts().answered, n);
}

/* sqn_open() fails with @err, saying @what, and leaves nothing: no
 * interface, no rule, no fd. */
static void expect_refusal(const struct sqn_config *cfg, int err,
			   const char *what)
{
	struct fake_vmnet_rule r[8];
	sqn_net *net = NULL;
	int fds = harness_fd_count(), got;

	got = sqn_open(cfg, &net);
	CHECK_MSG(got == err, "got %s, not %s: %s", sqn_strerror(got),
		  sqn_strerror(err), sqn_last_error(NULL));
	CHECK(!net);
	CHECK_MSG(strstr(sqn_last_error(NULL), what), "no \"%s\" in: %s", what,
		  sqn_last_error(NULL));
	CHECK_EQ(rules(r), 0);
	CHECK_EQ(fake_vmnet_counts().live, 0);
	CHECK_EQ(harness_fd_count(), fds);
}

TEST(forwards_go_to_vmnet_with_protocol_ports_and_address)
{
	struct fake_vmnet_rule r[8];
	struct sqn_config cfg;
	sqn_net *net;

	/* None asked for: no forwarding call at all ("" is no address). */
	fake_vmnet_reset();
	shared_cfg(&cfg, NULL, 0);
	cfg.guest_ip = "";
	sqn_close(must_open(&cfg));
	CHECK_EQ(fake_vmnet_fwd_counts().adds, 0);
	CHECK_EQ(fake_vmnet_fwd_counts().removes, 0);
	fake_vmnet_reset();
	shared_cfg(&cfg, two, 2);
	net = must_open(&cfg);
	/* The _ip_ calls of macOS 11, with AF_INET, while both exist. */
	expect_two(AF_INET);
	CHECK_EQ(fake_vmnet_fwd_counts().adds, 2);
	sqn_close(net);
	/* Removed, last first, each before the stop (which would have
	 * taken them: none was left to it). */
	CHECK_EQ(rules(r), 0);
	CHECK_EQ(fake_vmnet_fwd_counts().removed, 2);
	CHECK_EQ(fake_vmnet_fwd_counts().dropped, 0);
	CHECK_EQ(fake_vmnet_fwd_counts().after_stop, 0);
	expect_ops("a6:8080 a17:5353 r17:5353 r6:8080 s");
	CHECK_EQ(fake_vmnet_counts().live, 0);
}

TEST(without_the_ip_calls_the_calls_of_10_15_serve)
{
	static const char *const hide[] = {
		"vmnet_interface_add_ip_port_forwarding_rule",
		/* One of the pair missing is as both missing. */
		"vmnet_interface_remove_ip_port_forwarding_rule",
	};
	struct fake_vmnet_rule r[8];
	struct sqn_config cfg;
	unsigned int i;
	sqn_net *net;

	for (i = 0; i < 2; i++) {
		fake_vmnet_reset();
		fake_vmnet_script()->hide[0] = hide[i];
		shared_cfg(&cfg, two, 2);
		net = must_open(&cfg);
		expect_two(0);
		sqn_close(net);
		CHECK_EQ(rules(r), 0);
		CHECK_EQ(fake_vmnet_fwd_counts().removed, 2);
	}
}

TEST(no_forwarding_calls_is_enotsup_naming_the_macos)
{
	struct fake_vmnet_script *sc;
	struct sqn_config cfg;

	fake_vmnet_reset();
	sc = fake_vmnet_script();
	sc->hide[0] = "vmnet_interface_add_ip_port_forwarding_rule";
	sc->hide[1] = "vmnet_interface_add_port_forwarding_rule";
	shared_cfg(&cfg, two, 2);
	expect_refusal(&cfg, -ENOTSUP, "need macOS 10.15 or later");
	CHECK_EQ(fake_vmnet_fwd_counts().adds, 0);
	/* Its interface had started: it was stopped again. */
	CHECK_EQ(fake_vmnet_counts().stopped, 1);
}

TEST(a_failing_rule_fails_open_and_leaves_nothing)
{
	static const struct sqn_forward three[] = {
		{ SQN_PROTO_TCP, NULL, 8080, 80 },
		{ SQN_PROTO_TCP, NULL, 8081, 81 },
		{ SQN_PROTO_UDP, NULL, 8082, 82 },
	};
	static const struct {
		vmnet_return_t st;
		int err;
		const char *what;
	} codes[] = {
		{ VMNET_FAILURE, -EIO, "VMNET_FAILURE" },
		{ VMNET_INVALID_ARGUMENT, -EINVAL, "VMNET_INVALID_ARGUMENT" },
		{ VMNET_INVALID_ACCESS, -EPERM, "com.apple.vm.networking" },
		{ VMNET_NOT_AUTHORIZED, -EACCES, "VMNET_NOT_AUTHORIZED" },
	};
	struct sqn_config cfg;
	unsigned int i;

	shared_cfg(&cfg, three, 3);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		fake_vmnet_reset();
		fake_vmnet_script()->fwd_status = codes[i].st;
		fake_vmnet_script()->fwd_fail_at = 2;
		expect_refusal(&cfg, codes[i].err, codes[i].what);
		CHECK_MSG(strstr(sqn_last_error(NULL),
				 "forward tcp 8081 -> 192.168.105.5:81"),
			  "%s", sqn_last_error(NULL));
		/* The third was never asked for; the first was taken back. */
		CHECK_EQ(fake_vmnet_fwd_counts().adds, 2);
		CHECK_EQ(fake_vmnet_fwd_counts().removed, 1);
		CHECK_EQ(fake_vmnet_counts().stopped, 1);
	}
	/* Refused at the call: no handler comes, nothing waits for one. */
	fake_vmnet_reset();
	fake_vmnet_script()->fwd_call_status = VMNET_SETUP_INCOMPLETE;
	expect_refusal(&cfg, -EIO,
		       "forward tcp 8080 -> 192.168.105.5:80: "
		       "VMNET_SETUP_INCOMPLETE");
	CHECK_EQ(fake_vmnet_fwd_counts().removes, 0);
}

/* The first add's answer does not come within connect_timeout_ms: the
 * open fails so, saying which rule, with the log kept in @log. */
static void open_times_out(struct logbuf *log)
{
	struct sqn_config cfg;
	sqn_net *net = NULL;

	shared_cfg(&cfg, two, 2);
	cfg.connect_timeout_ms = 150;
	cfg.log = log_keep;
	cfg.log_ctx = log;
	CHECK_EQ(sqn_open(&cfg, &net), -ETIMEDOUT);
	CHECK_MSG(
		strstr(sqn_last_error(NULL),
		       "forward tcp 8080 -> 192.168.105.5:80: the framework did not answer within 150 ms"),
		"%s", sqn_last_error(NULL));
	CHECK_EQ(fake_vmnet_fwd_counts().adds, 1);
	CHECK_EQ(fake_vmnet_counts().live, 0);
}

TEST(a_late_add_is_waited_for_and_its_rule_taken_back)
{
	struct logbuf log = { "", 0 };
	struct fake_vmnet_rule r[8];

	/* The answer comes after the open gave up, within the close's wait. */
	fake_vmnet_reset();
	fake_vmnet_script()->fwd_delay_ms = 600;
	open_times_out(&log);
	/* Its rule landed and was removed, before the stop; nothing stays. */
	wait_answered(1);
	CHECK_EQ(fake_vmnet_fwd_counts().removed, 1);
	CHECK_EQ(fake_vmnet_fwd_counts().dropped, 0);
	CHECK_EQ(rules(r), 0);
	expect_ops("a6:8080 r6:8080 s");
}

TEST(an_add_that_never_answers_is_still_asked_to_go)
{
	struct logbuf log = { "", 0 };
	struct fake_vmnet_rule r[8];

	fake_vmnet_reset();
	fake_vmnet_script()->fwd_never = 1;
	open_times_out(&log);
	/* The close waited for it, and asked for its removal all the same:
	 * it may have landed without an answer. */
	CHECK_MSG(
		strstr(log.s,
		       "forward tcp 8080 -> 192.168.105.5:80: its add did not answer within 2000 ms more"),
		"%s", log.s);
	expect_ops("a6:8080 r6:8080 s");
	/* The answer comes after the stop: what it touches is still there
	 * (ASan watches), and its rule does not stay. */
	fake_vmnet_release();
	wait_answered(1);
	CHECK_EQ(fake_vmnet_fwd_counts().dropped, 1);
	CHECK_EQ(rules(r), 0);
}

TEST(after_a_removal_without_answer_the_rest_are_asked_not_waited_for)
{
	struct logbuf log = { "", 0 };
	struct sqn_config cfg;
	sqn_net *net;

	fake_vmnet_reset();
	shared_cfg(&cfg, two, 2);
	cfg.log = log_keep;
	cfg.log_ctx = &log;
	net = must_open(&cfg);
	fake_vmnet_script()->fwd_remove_never = 1;
	sqn_close(net);
	CHECK_MSG(
		strstr(log.s,
		       "removing forward udp 5353 -> 192.168.105.5:5353: no answer\n"),
		"%s", log.s);
	CHECK_MSG(
		strstr(log.s,
		       "removing forward tcp 8080 -> 192.168.105.5:80: asked for, not waited for (an earlier removal did not answer)"),
		"%s", log.s);
	expect_ops("a6:8080 a17:5353 r17:5353 r6:8080 s");
	CHECK_EQ(fake_vmnet_counts().live, 0);
	/* The removals' answers come after the stop (ASan watches). */
	fake_vmnet_release();
}

TEST(a_failing_rollback_removal_is_logged_and_the_add_s_error_kept)
{
	static const struct sqn_forward three[] = {
		{ SQN_PROTO_TCP, NULL, 8080, 80 },
		{ SQN_PROTO_TCP, NULL, 8081, 81 },
		{ SQN_PROTO_UDP, NULL, 8082, 82 },
	};
	struct logbuf log = { "", 0 };
	struct fake_vmnet_rule r[8];
	struct sqn_config cfg;
	sqn_net *net = NULL;

	fake_vmnet_reset();
	fake_vmnet_script()->fwd_status = VMNET_FAILURE;
	fake_vmnet_script()->fwd_fail_at = 2;
	fake_vmnet_script()->fwd_remove_status = VMNET_INVALID_ACCESS;
	shared_cfg(&cfg, three, 3);
	cfg.log = log_keep;
	cfg.log_ctx = &log;
	CHECK_EQ(sqn_open(&cfg, &net), -EIO);
	CHECK_MSG(strstr(sqn_last_error(NULL),
			 "forward tcp 8081 -> 192.168.105.5:81: VMNET_FAILURE"),
		  "%s", sqn_last_error(NULL));
	CHECK_MSG(
		strstr(log.s,
		       "removing forward tcp 8080 -> 192.168.105.5:80: VMNET_INVALID_ACCESS"),
		"%s", log.s);
	/* Asked for once, then the stop all the same. */
	expect_ops("a6:8080 a6:8081 r6:8080 s");
	CHECK_EQ(fake_vmnet_counts().live, 0);
	CHECK_EQ(rules(r), 0);
}

TEST(configs_vmnet_cannot_serve_are_refused_before_the_start)
{
	static const struct sqn_forward local[] = {
		{ SQN_PROTO_TCP, "127.0.0.1", 2222, 22 },
	};
	static const struct sqn_forward badaddr[] = {
		{ SQN_PROTO_TCP, "localhost", 2222, 22 },
	};
	static const struct sqn_forward badproto[] = {
		{ (enum sqn_proto)9, NULL, 2222, 22 },
	};
	static const struct sqn_forward port0[] = {
		{ SQN_PROTO_UDP, NULL, 0, 22 },
	};
	static const struct sqn_forward twice[] = {
		{ SQN_PROTO_TCP, NULL, 2222, 22 },
		{ SQN_PROTO_UDP, NULL, 2222, 22 },
		{ SQN_PROTO_TCP, "", 2222, 23 },
	};
	struct sqn_config cfg;

	fake_vmnet_reset();
	shared_cfg(&cfg, two, 2);
	cfg.mode = SQN_MODE_HOST;
	expect_refusal(&cfg, -EINVAL, "forwards: host mode has none");
	cfg.mode = SQN_MODE_BRIDGED;
	cfg.bridged_iface = "en0";
	expect_refusal(&cfg, -EINVAL, "forwards: bridged mode has none");
	shared_cfg(&cfg, two, 2);
	cfg.guest_ip = NULL;
	expect_refusal(&cfg, -EINVAL, "cannot reserve an address");
	cfg.guest_ip = "192.168.105";
	expect_refusal(&cfg, -EINVAL, "guest_ip: \"192.168.105\"");
	shared_cfg(&cfg, local, 1);
	expect_refusal(&cfg, -ENOTSUP, "host_addr 127.0.0.1: vmnet forwards");
	shared_cfg(&cfg, badaddr, 1);
	expect_refusal(&cfg, -EINVAL,
		       "host_addr localhost is not a dotted IPv4");
	shared_cfg(&cfg, badproto, 1);
	expect_refusal(&cfg, -EINVAL, "proto 9 is not tcp or udp");
	shared_cfg(&cfg, port0, 1);
	expect_refusal(&cfg, -EINVAL, "host_port 0");
	shared_cfg(&cfg, twice, 3);
	expect_refusal(&cfg, -EADDRINUSE, "forwards[2]: tcp port 2222");
	shared_cfg(&cfg, two, SQN_FORWARDS_MAX + 1);
	expect_refusal(&cfg, -EINVAL, "n_forwards: 33");
	shared_cfg(&cfg, NULL, 2);
	expect_refusal(&cfg, -EINVAL, "forwards: NULL, with n_forwards 2");
	/* A fixed address alone: vmnet's DHCP would not give it. */
	shared_cfg(&cfg, NULL, 0);
	expect_refusal(&cfg, -ENOTSUP, "cannot reserve an address");
	cfg.mode = SQN_MODE_HOST;
	expect_refusal(&cfg, -ENOTSUP, "cannot reserve an address");
	CHECK_EQ(fake_vmnet_counts().started, 0);
}

TEST(guest_ip_must_be_a_guest_address_of_vmnet_s_subnet)
{
	static const char *const bad[] = { "10.0.0.5", "192.168.105.1",
					   "192.168.105.0", "192.168.105.255" };
	struct sqn_config cfg;
	unsigned int i;
	sqn_net *net;

	/* The default shared subnet, 192.168.105.1/24, is the one vmnet starts. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_vmnet_reset();
		shared_cfg(&cfg, two, 2);
		cfg.guest_ip = bad[i];
		expect_refusal(&cfg, -EINVAL, "not a guest's address");
		CHECK_EQ(fake_vmnet_fwd_counts().adds, 0);
	}
	/* The caller's subnet is the one vmnet starts. */
	fake_vmnet_reset();
	shared_cfg(&cfg, two, 2);
	cfg.subnet = "10.0.0.1/24";
	cfg.guest_ip = "10.0.0.5";
	net = must_open(&cfg);
	CHECK_EQ(fake_vmnet_fwd_counts().adds, 2);
	sqn_close(net);
	CHECK_EQ(fake_vmnet_fwd_counts().removed, 2);
}
