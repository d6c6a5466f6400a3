// SPDX-License-Identifier: MIT
/* abi_client.c - a client built against an older squibnet.h, run on today's libsquibnet.so */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
/* ABI_HEADER is tests/abi/squibnet-vN.h: include/squibnet.h as it was at
 * config version N, from git history. Nothing here sees today's header. */
#include ABI_HEADER

/* tests/fake_helper.c's program, beside this one. (Not fixture.c's
 * finder: that file calls today's API, and this program must need nothing
 * an old binary did not.) */
static const char *fake_helper(void)
{
	static char path[4096 + 16];
	char exe[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	CHECK(n > 0);
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	CHECK(slash);
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/fake_helper", exe);
	return path;
}

static int log_calls;
static char logged[512];

static void log_cb(void *ctx, int level, const char *msg)
{
	(*(int *)ctx)++;
	if (level == SQN_LOG_ERR)
		snprintf(logged, sizeof(logged), "%s", msg);
}

/* @size bytes that end where a PROT_NONE page begins: reading or writing
 * past them faults, and the test's child dies. */
static void *at_page_end(size_t size)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	CHECK(!mprotect(p + pg, (size_t)pg, PROT_NONE));
	memset(p, 0x5a, (size_t)pg);
	return p + pg - size;
}

/* A config of this header's version, at the end of a page: filled with
 * the library's old sqn_config_init() for version 3 (the only version
 * whose binaries could call it and work), with the sized one from
 * version 4 on, by hand for the older ones. */
static struct sqn_config *config_at_page_end(enum sqn_mode mode)
{
	struct sqn_config *cfg = at_page_end(sizeof(*cfg));

#if SQN_CONFIG_VERSION >= 3
	sqn_config_init(cfg);
#else
	memset(cfg, 0, sizeof(*cfg));
	cfg->version = SQN_CONFIG_VERSION;
	cfg->peer_fd = -1;
#if SQN_CONFIG_VERSION >= 2
	cfg->tap_fd = -1;
#endif
#endif
	cfg->mode = mode;
	cfg->log = log_cb;
	cfg->log_ctx = &log_calls;
	return cfg;
}

static void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed * 31 + i);
}

/* Send one frame of @len bytes and receive it back (the peer echoes). */
static void round_trip(sqn_net *net, size_t len, unsigned int seed)
{
	unsigned char out[2048], in[2048];
	struct iovec ov = { out, len }, iv = { in, sizeof(in) };
	struct sqn_pkt sp = { &ov, 1, 0, 0 }, rp = { &iv, 1, 0, 0 };
	struct pollfd pfd = { sqn_fd(net), POLLIN, 0 };
	int r;

	fill(out, len, seed);
	CHECK_EQ(sqn_send(net, &sp, 1), 1);
	for (;;) {
		r = sqn_recv(net, &rp, 1);
		if (r != -EAGAIN)
			break;
		CHECK_MSG(poll(&pfd, 1, WAIT_MS) == 1, "no frame back in %d ms",
			  WAIT_MS);
	}
	CHECK_EQ(r, 1);
	CHECK_EQ(rp.len, len);
	CHECK(!memcmp(in, out, len));
}

TEST(runs_against_the_shared_library)
{
	void *sym = dlsym(RTLD_DEFAULT, "sqn_open");
	Dl_info dl;

	CHECK(sym && dladdr(sym, &dl));
	CHECK_MSG(strstr(dl.dli_fname, "libsquibnet.so"), "sqn_open from %s",
		  dl.dli_fname);
	/* the old names keep the version they had */
	CHECK(dlvsym(RTLD_DEFAULT, "sqn_config_init", "SQUIBNET_0"));
	CHECK(dlvsym(RTLD_DEFAULT, "sqn_stats", "SQUIBNET_0"));
}

#if SQN_CONFIG_VERSION == 3
/* The old symbol writes exactly what version 3 binaries expect. */
TEST(old_config_init_writes_a_version_3_struct)
{
	struct sqn_config *cfg = at_page_end(sizeof(*cfg));

	sqn_config_init(cfg);
	CHECK_EQ(cfg->version, 3);
	CHECK_EQ(cfg->mode, SQN_MODE_SHARED);
	CHECK_EQ(cfg->peer_fd, -1);
	CHECK_EQ(cfg->tap_fd, -1);
	CHECK(!cfg->iface_id && !cfg->network && !cfg->dns_hosts &&
	      !cfg->helper_path && !cfg->log && !cfg->log_ctx);
	CHECK_EQ(cfg->queue_depth, 0);
	CHECK_EQ(cfg->mtu, 0);
}
#endif

/* mtu, guest_mac and queue_depth come from this version's offsets; info
 * and stats through the old symbols, into structs at a page's end. */
TEST(loopback_moves_frames_within_queue_depth)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
	struct sqn_config *cfg = config_at_page_end(SQN_MODE_LOOPBACK);
	unsigned char out[4][200], in[4][300];
	struct iovec ov[4], iv[4];
	struct sqn_pkt sp[4], rp[4];
	struct sqn_info *info;
	struct sqn_stats *st;
	sqn_net *net;
	int i;

	cfg->queue_depth = 3;
	cfg->mtu = 1400;
	cfg->has_guest_mac = 1;
	memcpy(cfg->guest_mac, mac, 6);
	CHECK_MSG(!sqn_open(cfg, &net), "%s", sqn_last_error(NULL));

	info = at_page_end(sizeof(*info));
	CHECK_EQ(sqn_info(net, info), 0);
	CHECK_EQ(info->mode, SQN_MODE_LOOPBACK);
	CHECK_EQ(info->mtu, 1400);
	CHECK_EQ(info->max_packet_size, 1414);
	CHECK(!memcmp(info->guest_mac, mac, 6));
	CHECK_EQ(info->link_up, 1);

	for (i = 0; i < 4; i++) {
		fill(out[i], 60 + (size_t)i, (unsigned int)i);
		ov[i] = (struct iovec){ out[i], 60 + (size_t)i };
		iv[i] = (struct iovec){ in[i], sizeof(in[i]) };
		sp[i] = (struct sqn_pkt){ &ov[i], 1, 0, 0 };
		rp[i] = (struct sqn_pkt){ &iv[i], 1, 0, 0 };
	}
	CHECK_EQ(sqn_send(net, sp, 4), 3); /* queue_depth 3 */
	CHECK_EQ(sqn_recv(net, rp, 4), 3);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(rp[i].len, 60 + i);
		CHECK(!memcmp(in[i], out[i], rp[i].len));
	}

	st = at_page_end(sizeof(*st));
	CHECK_EQ(sqn_stats(net, st), 0);
	CHECK_EQ(st->tx_frames, 3);
	CHECK_EQ(st->tx_bytes, 60 + 61 + 62);
	CHECK_EQ(st->rx_frames, 3);
	CHECK_EQ(st->rx_bytes, 60 + 61 + 62);
	CHECK_EQ(st->tx_dropped, 0);
	CHECK_EQ(st->rx_errors, 0);
#if SQN_CONFIG_VERSION >= 3
	CHECK_EQ(st->rx_large, 0); /* written: at_page_end filled 0x5a */
	CHECK_EQ(st->tx_large, 0);
#endif
	sqn_close(net);
}

/* peer_fd and framing come from this version's offsets: hyperkit framing
 * shows on the wire as a 2-byte little-endian length. */
TEST(stream_over_socketpair_moves_frames)
{
	struct sqn_config *cfg = config_at_page_end(SQN_MODE_STREAM);
	unsigned char out[100], wire[102], in[200];
	struct iovec ov = { out, sizeof(out) }, iv = { in, sizeof(in) };
	struct sqn_pkt sp = { &ov, 1, 0, 0 }, rp = { &iv, 1, 0, 0 };
	struct pollfd pfd;
	struct sqn_stats *st;
	sqn_net *net;
	size_t got = 0;
	ssize_t n;
	int sv[2], r;

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	cfg->peer_fd = sv[0];
	cfg->framing = SQN_FRAMING_HYPERKIT;
	CHECK_MSG(!sqn_open(cfg, &net), "%s", sqn_last_error(NULL));
	close(sv[0]);

	fill(out, sizeof(out), 7);
	CHECK_EQ(sqn_send(net, &sp, 1), 1);
	CHECK_EQ(sqn_flush(net), 0);
	while (got < sizeof(wire)) {
		n = read(sv[1], wire + got, sizeof(wire) - got);
		CHECK(n > 0);
		got += (size_t)n;
	}
	CHECK_EQ(wire[0], 100);
	CHECK_EQ(wire[1], 0);
	CHECK(!memcmp(wire + 2, out, sizeof(out)));

	wire[0] = 80;
	fill(wire + 2, 80, 9);
	CHECK_EQ(write(sv[1], wire, 82), 82);
	pfd = (struct pollfd){ sqn_fd(net), POLLIN, 0 };
	CHECK_EQ(poll(&pfd, 1, WAIT_MS), 1);
	r = sqn_recv(net, &rp, 1);
	CHECK_EQ(r, 1);
	CHECK_EQ(rp.len, 80);
	CHECK(!memcmp(in, wire + 2, 80));

	st = at_page_end(sizeof(*st));
	CHECK_EQ(sqn_stats(net, st), 0);
	CHECK_EQ(st->tx_frames, 1);
	CHECK_EQ(st->rx_frames, 1);
	sqn_close(net);
	close(sv[1]);
}

/* helper, helper_path and helper_args come from this version's offsets. */
TEST(userspace_helper_echoes)
{
	static const char *const args[] = { "echo", NULL };
	struct sqn_config *cfg = config_at_page_end(SQN_MODE_USERSPACE);
	sqn_net *net;

	cfg->helper = SQN_HELPER_CUSTOM;
	cfg->helper_path = fake_helper();
	cfg->helper_args = args;
	CHECK_MSG(!sqn_open(cfg, &net), "%s", sqn_last_error(NULL));
	round_trip(net, 90, 3);
	round_trip(net, 1000, 4);
	sqn_close(net);
}

/* log and log_ctx, the last fields of every old layout, are read where
 * they are: the error reaches this client's callback. */
TEST(errors_reach_the_log_callback)
{
	struct sqn_config *cfg = config_at_page_end(SQN_MODE_LOOPBACK);
	sqn_net *net = (sqn_net *)1;

	cfg->iface_id = "bad-id";
	CHECK_EQ(sqn_open(cfg, &net), -EINVAL);
	CHECK(!net);
	CHECK_EQ(log_calls, 1);
	CHECK_MSG(strstr(logged, "iface_id"), "%s", logged);
	CHECK(!strcmp(logged, sqn_last_error(NULL)));
}

TEST(unknown_versions_are_refused)
{
	struct sqn_config *cfg = config_at_page_end(SQN_MODE_LOOPBACK);
	sqn_net *net;

	cfg->version = 0;
	CHECK_EQ(sqn_open(cfg, &net), -EINVAL);
	CHECK_MSG(strstr(sqn_last_error(NULL),
			 "version: 0 is not a config version"),
		  "%s", sqn_last_error(NULL));
	cfg->version = 1000;
	CHECK_EQ(sqn_open(cfg, &net), -EINVAL);
	CHECK_MSG(strstr(sqn_last_error(NULL),
			 "version: 1000 is newer than this library's"),
		  "%s", sqn_last_error(NULL));
	CHECK_EQ(log_calls, 0); /* where log is depends on the version */
}

/* tap_fd: absent before version 2 (then -1), read from version 2 on; the
 * network fields from version 3. Bridged and shared configs, though
 * refused before anything is made, are opened in a network namespace of
 * the test's own. */
TEST(tap_fd_and_network_fields_by_version)
{
	struct sqn_config *cfg = config_at_page_end(SQN_MODE_BRIDGED);
	sqn_net *net;

	CHECK_MSG(!unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET): %s (root?)",
		  strerror(errno));
#if SQN_CONFIG_VERSION == 1
	CHECK_EQ(sqn_open(cfg, &net), -EINVAL);
	CHECK_MSG(strstr(sqn_last_error(NULL),
			 "bridged_iface: bridged mode needs"),
		  "%s", sqn_last_error(NULL));
#else
	cfg->tap_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	CHECK(cfg->tap_fd >= 0);
	CHECK(sqn_open(cfg, &net) < 0);
	CHECK_MSG(strstr(sqn_last_error(NULL), "tap_fd"), "%s",
		  sqn_last_error(NULL));
	close(cfg->tap_fd);
#endif
#if SQN_CONFIG_VERSION >= 3
	cfg->mode = SQN_MODE_SHARED;
	cfg->tap_fd = -1;
	cfg->subnet = "10.9.8.1/33";
	CHECK_EQ(sqn_open(cfg, &net), -EINVAL);
	CHECK_MSG(strstr(sqn_last_error(NULL), "subnet: \"10.9.8.1/33\""), "%s",
		  sqn_last_error(NULL));
	cfg->subnet = NULL;
	cfg->network = "-bad";
	CHECK_EQ(sqn_open(cfg, &net), -EINVAL);
	CHECK_MSG(strstr(sqn_last_error(NULL), "network: \"-bad\""), "%s",
		  sqn_last_error(NULL));
#endif
}
