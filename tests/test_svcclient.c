// SPDX-License-Identifier: MIT
/* test_svcclient.c - shared, host and bridged through squib-net serve: the library against a fake service, each test in a network namespace of its own */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "squibnet.h"
#include "svcclient.h"
#include "svcfake.h"
#include "taptest.h"

#define CYCLES 50

/**
 * struct fake - the fake service, a thread of the test
 * @dir:	its temporary directory
 * @path:	its socket, @dir/control
 * @lsock:	the listener
 * @ans:	what it answers; changed only between connections
 * @cycles:	connections it serves, one after the other
 * @seen:	what the last one asked
 * @served:	connections it accepted
 * @eof:	a byte for each connection that hung up, after it was closed
 */
static struct {
	char dir[64];
	char path[96];
	int lsock;
	struct svcfake_answer ans;
	int cycles;
	struct svcfake_seen seen;
	int served;
	int eof[2];
	pthread_t thread;
} fk = { .lsock = -1 };

static void *fake_main(void *arg)
{
	int i, conn;

	(void)arg;
	for (i = 0; i < fk.cycles; i++) {
		conn = accept4(fk.lsock, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0)
			break;
		/* Both before the answer, which the test waits for. */
		__atomic_add_fetch(&fk.served, 1, __ATOMIC_SEQ_CST);
		svcfake_serve(conn, &fk.ans, &fk.seen);
		svcfake_wait_eof(conn);
		close(conn);
		if (write(fk.eof[1], "e", 1) != 1)
			break;
	}
	return NULL;
}

static void fake_cleanup(void)
{
	if (fk.dir[0]) {
		unlink(fk.path);
		rmdir(fk.dir);
	}
}

/* Start the fake: @cycles connections answered as @how, with @tap. */
static void fake_start(enum svcfake_how how, int tap, int cycles)
{
	snprintf(fk.dir, sizeof(fk.dir), "/tmp/sqn-svcfake.XXXXXX");
	CHECK(mkdtemp(fk.dir));
	harness_at_fail(fake_cleanup);
	snprintf(fk.path, sizeof(fk.path), "%s/control", fk.dir);
	fk.lsock = svcfake_listen(fk.path);
	CHECK_MSG(fk.lsock >= 0, "listen: %s", strerror(-fk.lsock));
	fk.ans = (struct svcfake_answer){ .how = how, .tap = tap };
	fk.cycles = cycles;
	CHECK(!pipe2(fk.eof, O_CLOEXEC));
	CHECK(!pthread_create(&fk.thread, NULL, fake_main, NULL));
}

/* The fake saw the client hang up (and closed its end), within WAIT_MS. */
static void fake_wait_eof(void)
{
	struct pollfd p = { fk.eof[0], POLLIN, 0 };
	char c;

	CHECK_MSG(poll(&p, 1, WAIT_MS) == 1,
		  "the connection was not closed within %d ms", WAIT_MS);
	CHECK(read(fk.eof[0], &c, 1) == 1);
}

/* The fake has seen no hang-up so far. */
static int fake_no_eof_yet(void)
{
	struct pollfd p = { fk.eof[0], POLLIN, 0 };

	return poll(&p, 1, 0) == 0;
}

static int fake_served(void)
{
	return __atomic_load_n(&fk.served, __ATOMIC_SEQ_CST);
}

/* End the thread (its accept fails once the listener is shut down). */
static void fake_stop(void)
{
	shutdown(fk.lsock, SHUT_RDWR);
	CHECK(!pthread_join(fk.thread, NULL));
	close(fk.lsock);
	close(fk.eof[0]);
	close(fk.eof[1]);
	fake_cleanup();
	harness_at_fail(NULL);
}

/* Without CAP_NET_ADMIN from here on (this thread: the fake's keeps it). */
static void drop_net_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	unsigned int i = CAP_TO_INDEX(CAP_NET_ADMIN);

	CHECK(!syscall(SYS_capget, &h, d));
	d[i].effective &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	d[i].permitted &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	CHECK(!syscall(SYS_capset, &h, d));
}

/* The TAP test's TAP, 10.77.0.1/24 and up, with a virtio_net_hdr. */
static int make_tap(void)
{
	int fd = tt_tun_make(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);

	CHECK(!system("ip addr add 10.77.0.1/24 dev " TAP_NAME
		      " && ip link set " TAP_NAME " up"));
	return fd;
}

/* A config of @mode that finds the fake through SQN_SERVICE. */
static void config(struct sqn_config *cfg, enum sqn_mode mode)
{
	sqn_config_init(cfg);
	cfg->mode = mode;
	CHECK(!setenv("SQN_SERVICE", fk.path, 1));
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* sqn_open(), which must work. */
static sqn_net *attach(const struct sqn_config *cfg)
{
	sqn_net *net = NULL;
	int r = sqn_open(cfg, &net);

	CHECK_MSG(!r, "sqn_open: %s: %s", sqn_strerror(r),
		  sqn_last_error(NULL));
	return net;
}

/* Without CAP_NET_ADMIN, shared mode attaches through the service (found
 * through SQN_SERVICE): frames go both ways on the TAP it handed over,
 * and sqn_info tells the service's facts. */
TEST(attaches_through_the_service_without_cap_net_admin)
{
	static const uint8_t mask[4] = { 255, 255, 255, 0 };
	static const uint8_t subnet[4] = { 10, 77, 0, 0 };
	struct sqn_config cfg;
	struct tt t;

	tt_ns_new();
	memset(&t, 0, sizeof(t));
	t.tap = make_tap();
	fake_start(SVCFAKE_TAP, t.tap, 1);
	drop_net_admin();
	config(&cfg, SQN_MODE_SHARED);
	cfg.has_guest_mac = 1;
	memcpy(cfg.guest_mac, tt_our_mac, 6);
	t.net = attach(&cfg);
	sqn_info(t.net, &t.info);
	t.hdr = t.info.vnet_hdr_len;
	CHECK_EQ(t.info.mode, SQN_MODE_SHARED);
	CHECK_EQ(t.info.mtu, 1500);
	CHECK_EQ(t.info.link_up, 1);
	CHECK(!memcmp(t.info.guest_mac, tt_our_mac, 6));
	CHECK_EQ(t.info.has_subnet, 1);
	CHECK(!memcmp(t.info.subnet, subnet, 4));
	CHECK(!memcmp(t.info.netmask, mask, 4));
	CHECK(!memcmp(t.info.gateway, tt_tap_ip, 4));
	CHECK(t.info.offloads_avail & SQN_OFFLOAD_VNET_HDR);
	tt_arp(&t);
	tt_ping(&t, 1, 200);
	tt_ping(&t, 2, 1400);
	CHECK(fake_no_eof_yet());
	sqn_close(t.net);
	fake_wait_eof();
	fake_stop();
	close(t.tap);
}

/* What the library asks: its mode's network (or bridged_iface), the
 * guest's MAC, the MTU, a TAP with a virtio_net_hdr, held by the
 * connection, iface_id as the label; the MTU and a MAC it did not choose
 * come back in sqn_info. */
TEST(the_request_carries_the_config)
{
	static const struct {
		enum sqn_mode mode;
		const char *network, *bridged, *want;
	} cases[] = {
		{ SQN_MODE_SHARED, NULL, NULL, "sqn-shared" },
		{ SQN_MODE_HOST, NULL, NULL, "sqn-host" },
		{ SQN_MODE_SHARED, "lab.net-1", NULL, "lab.net-1" },
		{ SQN_MODE_BRIDGED, NULL, "br-lan", "br-lan" },
	};
	const struct svc_request *req = &fk.seen.req;
	struct sqn_config cfg;
	struct sqn_info info;
	unsigned int i;
	sqn_net *net;
	int tap;

	tt_ns_new();
	tap = make_tap();
	fake_start(SVCFAKE_TAP, tap, 4);
	drop_net_admin();
	for (i = 0; i < 4; i++) {
		fk.ans.mode = sqn_mode_name(cases[i].mode);
		config(&cfg, cases[i].mode);
		cfg.network = cases[i].network;
		cfg.bridged_iface = cases[i].bridged;
		cfg.iface_id = "vm_7";
		cfg.mtu = 1400 - i;
		net = attach(&cfg);
		CHECK(fk.seen.decoded);
		CHECK_EQ(req->op, SVC_OP_ATTACH);
		CHECK_MSG(!strcmp(req->network, cases[i].want),
			  "case %u: network \"%s\"", i, req->network);
		/* No guest_mac: none asked for (the guest's own is the
		 * port's, serve/spoof.c). */
		CHECK_EQ(req->has_mac, 0);
		CHECK_EQ(req->mtu, 1400 - i);
		CHECK_EQ(req->vnet_hdr, 1);
		CHECK_EQ(req->hold, SVC_HOLD_CONNECTION);
		CHECK(!strcmp(req->label, "vm_7"));
		CHECK_EQ(fk.seen.pid, getpid());
		sqn_info(net, &info);
		CHECK_EQ(info.mode, cases[i].mode);
		CHECK_EQ(info.mtu, 1400 - i);
		/* the one the service proposed (tests/svcfake.c) */
		CHECK(!memcmp(info.guest_mac, "\x52\x54\x00\xaa\xbb\xcc", 6));
		CHECK_EQ(info.has_subnet, cases[i].mode != SQN_MODE_BRIDGED);
		sqn_close(net);
		fake_wait_eof();
	}
	fake_stop();
	close(tap);
}

/* The config's fixed address and forwards go in the request (with the
 * guest's MAC, which the reservation is for, and "ip" always: the reply's
 * newer members); the reply's fixed address and IPv6 prefix come back in
 * sqn_info. */
TEST(forwards_and_the_fixed_address_through_the_service)
{
	static const struct sqn_forward fwd[2] = {
		{ SQN_PROTO_TCP, NULL, 8080, 80 },
		{ SQN_PROTO_UDP, "127.0.0.1", 5353, 0 },
	};
	static const uint8_t fixed[4] = { 192, 168, 105, 50 };
	static const uint8_t gw6[16] = { 0xfd, 0, 0, 0x77, [15] = 1 };
	const struct svc_request *req = &fk.seen.req;
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *net;
	int tap;

	tt_ns_new();
	tap = make_tap();
	fake_start(SVCFAKE_TAP, tap, 2);
	fk.ans.v6 = 1;
	drop_net_admin();
	config(&cfg, SQN_MODE_SHARED);
	cfg.forwards = fwd;
	cfg.n_forwards = 2;
	cfg.guest_ip = "192.168.105.50";
	net = attach(&cfg);
	CHECK(fk.seen.decoded);
	CHECK(req->has_ip && !strcmp(req->ip, "192.168.105.50"));
	CHECK_EQ(req->n_fwd, 2);
	CHECK(req->fwd[0].proto == SQN_PROTO_TCP && !req->fwd[0].addr[0] &&
	      req->fwd[0].host_port == 8080 && req->fwd[0].guest_port == 80);
	/* guest_port 0: the host's */
	CHECK(req->fwd[1].proto == SQN_PROTO_UDP &&
	      !strcmp(req->fwd[1].addr, "127.0.0.1") &&
	      req->fwd[1].host_port == 5353 && req->fwd[1].guest_port == 5353);
	sqn_info(net, &info);
	/* the MAC asked for is the one the guest is to use */
	CHECK(req->has_mac && !memcmp(req->mac, info.guest_mac, 6));
	CHECK(info.has_guest_ip && !memcmp(info.guest_ip, fixed, 4));
	CHECK(info.has_subnet6 && info.prefix6_len == 64);
	CHECK(!memcmp(info.gateway6, gw6, 16) && info.subnet6[0] == 0xfd &&
	      !info.subnet6[15]);
	sqn_close(net);
	fake_wait_eof();

	/* none: no MAC asked, no fixed address, no IPv6 when the network
	 * has none */
	fk.ans.v6 = 0;
	config(&cfg, SQN_MODE_SHARED);
	net = attach(&cfg);
	CHECK(req->has_ip && !req->ip[0] && !req->n_fwd && !req->has_mac);
	sqn_info(net, &info);
	CHECK(!info.has_guest_ip && !info.has_subnet6);
	sqn_close(net);
	fake_wait_eof();
	fake_stop();
	close(tap);
}

/* A refusal: the service's errno, and its message as it said it. */
TEST(a_refusal_is_the_services_errno_and_message)
{
	static const char why[] =
		"not allowed: uid 1000 has no allow line for network sqn-shared in /etc/squib-net/acl.conf";
	struct sqn_config cfg;
	sqn_net *net = NULL;
	int fds;

	tt_ns_new();
	fake_start(SVCFAKE_REFUSE, -1, 1);
	fk.ans.err = EACCES;
	fk.ans.message = why;
	drop_net_admin();
	config(&cfg, SQN_MODE_SHARED);
	fds = harness_fd_count();
	CHECK_EQ(sqn_open(&cfg, &net), -EACCES);
	CHECK_EQ(errno, EACCES);
	CHECK(!net);
	CHECK_MSG(!strcmp(sqn_last_error(NULL), why), "\"%s\"",
		  sqn_last_error(NULL));
	fake_wait_eof();
	CHECK_EQ(harness_fd_count(), fds);
	fake_stop();
}

/* Check that sqn_open() fails with @err and a message holding each of
 * @want (NULL-terminated). */
static void refused(const struct sqn_config *cfg, int err,
		    const char *const *want)
{
	sqn_net *net = NULL;
	int r = sqn_open(cfg, &net);

	CHECK_MSG(r == err, "sqn_open: %d (%s), not %d: %s", r, sqn_strerror(r),
		  err, sqn_last_error(NULL));
	CHECK(!net);
	for (; *want; want++)
		CHECK_MSG(strstr(sqn_last_error(NULL), *want),
			  "\"%s\" lacks \"%s\"", sqn_last_error(NULL), *want);
}

/* No service: no socket (-ENOENT) or nobody listening on it
 * (-ECONNREFUSED), said with the path and what to start; the reason the
 * service was asked comes first. */
TEST(no_service_names_the_path_and_what_to_start)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sqn_config cfg;
	int fd;

	tt_ns_new();
	fake_start(SVCFAKE_TAP, -1, 0);
	config(&cfg, SQN_MODE_HOST);
	CHECK(!unlink(fk.path));
	cfg.service_path = fk.path;
	refused(&cfg, -ENOENT,
		(const char *const[]){ fk.path, "start `squib-net serve`",
				       "host: service_path: ", NULL });
	/* a socket nobody listens on */
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", fk.path);
	CHECK(!bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	close(fd);
	drop_net_admin();
	cfg.service_path = NULL;
	refused(&cfg, -ECONNREFUSED,
		(const char *const[]){
			fk.path, "start `squib-net serve`",
			"host mode needs CAP_NET_ADMIN, which this process has not got, or squib-net serve: ",
			NULL });
	fake_stop();
}

/* A service that takes the request and never answers: -ETIMEDOUT once
 * connect_timeout_ms has passed, and the connection is closed. */
TEST(a_silent_service_times_out_at_the_deadline)
{
	struct sqn_config cfg;
	long long t0, took;

	tt_ns_new();
	fake_start(SVCFAKE_SILENT, -1, 1);
	drop_net_admin();
	config(&cfg, SQN_MODE_SHARED);
	cfg.connect_timeout_ms = 300;
	t0 = now_ms();
	refused(&cfg, -ETIMEDOUT,
		(const char *const[]){ fk.path, "did not answer within 300 ms",
				       NULL });
	took = now_ms() - t0;
	CHECK_MSG(took >= 300 && took < WAIT_MS, "took %lld ms", took);
	CHECK_EQ(fake_served(), 1);
	fake_wait_eof();
	fake_stop();
}

/* Answers that are not an attachment: -EPROTO (garbage, no descriptor),
 * -ECONNRESET (hung up), -EEXIST (a network of another mode); each
 * time the connection is closed. */
TEST(bad_answers_are_refused)
{
	struct sqn_config cfg;
	int fds;

	tt_ns_new();
	fake_start(SVCFAKE_GARBAGE, -1, 4);
	drop_net_admin();
	config(&cfg, SQN_MODE_SHARED);
	fds = harness_fd_count();
	refused(&cfg, -EPROTO,
		(const char *const[]){ fk.path, "not of its protocol", NULL });
	fake_wait_eof();
	fk.ans.how = SVCFAKE_NO_FD;
	refused(&cfg, -EPROTO,
		(const char *const[]){ "without the TAP's descriptor", NULL });
	fake_wait_eof();
	fk.ans.how = SVCFAKE_HANGUP;
	refused(&cfg, -ECONNRESET,
		(const char *const[]){ "refused the connection", NULL });
	fake_wait_eof();
	fk.ans.how = SVCFAKE_TAP;
	fk.ans.mode = "host";
	refused(&cfg, -EEXIST,
		(const char *const[]){ "sqn-shared", "is a host network",
				       NULL });
	fake_wait_eof();
	CHECK_EQ(harness_fd_count(), fds);
	fake_stop();
}

/* A named TAP (kind named) comes by its name alone: the reply without a
 * descriptor is an attachment, and one that comes with a descriptor
 * anyway has it closed (a named TAP is opened by its name). */
TEST(a_named_tap_comes_by_its_name_alone)
{
	struct svc_request req = { .op = SVC_OP_ATTACH,
				   .kind = SVC_KIND_NAMED,
				   .hold = SVC_HOLD_PROCESS };
	struct svcclient c;
	int fds;

	tt_ns_new();
	fake_start(SVCFAKE_NO_FD, -1, 2);
	fds = harness_fd_count();
	memset(&c, 0, sizeof(c));
	c.path = fk.path;
	c.connect_ms = WAIT_MS;
	c.reply_ms = WAIT_MS;
	CHECK_MSG(!svcclient_attach(&c, &req), "%s", c.msg);
	CHECK_EQ(c.tap, -1);
	CHECK(!strcmp(c.att.tap, "fake-nofd"));
	svcclient_close(&c);
	fake_wait_eof();
	CHECK_EQ(fk.seen.req.kind, SVC_KIND_NAMED);
	fk.ans.how = SVCFAKE_TAP;
	CHECK_MSG(!svcclient_attach(&c, &req), "%s", c.msg);
	CHECK_EQ(c.tap, -1);
	CHECK(!strncmp(c.att.tap, "fake", 4));
	svcclient_close(&c);
	fake_wait_eof();
	CHECK_EQ(harness_fd_count(), fds);
	fake_stop();
}

/* 50 attachments opened and closed: each connection ends with its
 * attachment, and no descriptor is left over. */
TEST(no_descriptor_left_after_many_attachments)
{
	struct sqn_config cfg;
	sqn_net *net;
	int i, fds, tap;

	tt_ns_new();
	tap = make_tap();
	fake_start(SVCFAKE_TAP, tap, CYCLES);
	drop_net_admin();
	config(&cfg, SQN_MODE_SHARED);
	fds = harness_fd_count();
	for (i = 0; i < CYCLES; i++) {
		net = attach(&cfg);
		CHECK(fake_no_eof_yet());
		sqn_close(net);
		fake_wait_eof();
	}
	CHECK_EQ(fake_served(), CYCLES);
	CHECK_EQ(harness_fd_count(), fds);
	fake_stop();
	close(tap);
}

/* The service's network decides its subnet, NAT and DNS: a config that
 * sets them is refused before anything is asked. */
TEST(settings_of_the_services_network_are_refused)
{
	static const char *const fields[] = { "subnet", "nat_iface",
					      "dns_upstream", "dns_hosts",
					      "disable_isolation" };
	struct sqn_config cfg;
	unsigned int i;

	tt_ns_new();
	fake_start(SVCFAKE_TAP, -1, 1);
	drop_net_admin();
	for (i = 0; i < 5; i++) {
		config(&cfg, SQN_MODE_SHARED);
		cfg.subnet = i == 0 ? "10.9.0.1/24" : NULL;
		cfg.nat_iface = i == 1 ? "eth0" : NULL;
		cfg.dns_upstream = i == 2 ? "none" : NULL;
		cfg.dns_hosts = i == 3 ? "/etc/hosts" : NULL;
		cfg.disable_isolation = i == 4;
		refused(&cfg, -EINVAL,
			(const char *const[]){
				fields[i], "the service's network decides it",
				"this process has no CAP_NET_ADMIN", NULL });
	}
	CHECK_EQ(fake_served(), 0);
	fake_stop();
}

/* With CAP_NET_ADMIN the network is made in the process (here: refused
 * for want of the interface), SQN_SERVICE or not; service_path sends it
 * to the service all the same. */
TEST(cap_net_admin_keeps_the_plane_unless_service_path_is_set)
{
	struct sqn_config cfg;
	sqn_net *net;
	int tap;

	tt_ns_new();
	tap = make_tap();
	fake_start(SVCFAKE_TAP, tap, 1);
	config(&cfg, SQN_MODE_BRIDGED);
	cfg.bridged_iface = "nosuch0";
	refused(&cfg, -ENODEV, (const char *const[]){ "nosuch0", NULL });
	CHECK_EQ(fake_served(), 0);
	cfg.service_path = fk.path;
	CHECK(!unsetenv("SQN_SERVICE"));
	net = attach(&cfg);
	CHECK_EQ(fake_served(), 1);
	CHECK(!strcmp(fk.seen.req.network, "nosuch0"));
	sqn_close(net);
	fake_wait_eof();
	fake_stop();
	close(tap);
}

/* service_path is checked with the config: it must fit a unix socket's
 * address. */
TEST(service_path_must_fit_a_socket_address)
{
	char path[200];
	struct sqn_config cfg;

	tt_ns_new();
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[108] = '\0';
	sqn_config_init(&cfg);
	cfg.service_path = path;
	refused(&cfg, -EINVAL,
		(const char *const[]){ "service_path: longer than 107 bytes",
				       NULL });
	cfg.service_path = "";
	refused(&cfg, -EINVAL,
		(const char *const[]){ "service_path: empty", NULL });
}
