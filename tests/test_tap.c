// SPDX-License-Identifier: MIT
/* test_tap.c - the TAP backend on real TAPs, each test in a network namespace of its own */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc_count.h"
#include "harness.h"
#include "squibnet.h"
#include "taptest.h"

#define BATCH 32
#define FLOOD 2000

#ifdef SQN_ASAN
#define PINGS 10000
#else
#define PINGS 100000
#endif

static void arp_and_ping(int tap_flags, uint32_t offloads, size_t want_hdr)
{
	struct sqn_stats st;
	struct tt t;
	uint16_t s;

	tt_open(&t, tap_flags, offloads);
	CHECK_EQ(t.hdr, want_hdr);
	CHECK_EQ(t.info.mtu, 1500);
	CHECK_EQ(t.info.max_packet_size, 1514);
	CHECK_EQ(t.info.link_up, 1);
	CHECK_EQ(t.info.offloads & SQN_OFFLOAD_VNET_HDR ? HDR : 0, want_hdr);
	tt_arp(&t);
	for (s = 1; s <= 3; s++)
		tt_ping(&t, s, 56 + s * 100);
	/* A stall of seconds lets the kernel ask for us again (ARP probe). */
	sqn_stats(t.net, &st);
	CHECK_EQ(st.tx_frames, 4 + t.answered);
	CHECK_EQ(st.tx_bytes, 42 * (1 + t.answered) + 3 * (42 + 56) + 600);
	CHECK_EQ(st.rx_frames, 4 + t.answered);
	CHECK_EQ(st.rx_bytes, st.tx_bytes);
	CHECK_EQ(st.tx_dropped + st.rx_dropped + st.tx_errors + st.rx_errors,
		 0);
	tt_close(&t);
}

TEST(plain_tap_arp_and_ping)
{
	arp_and_ping(0, 0, 0);
}

TEST(vnet_hdr_tap_with_header_arp_and_ping)
{
	arp_and_ping(IFF_VNET_HDR, SQN_OFFLOAD_VNET_HDR, HDR);
}

TEST(vnet_hdr_tap_with_checksum_offload_arp_and_ping)
{
	arp_and_ping(IFF_VNET_HDR, SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM,
		     HDR);
}

TEST(vnet_hdr_tap_header_added_and_stripped)
{
	arp_and_ping(IFF_VNET_HDR, 0, 0);
}

TEST(header_asked_of_a_tap_without_one_is_not_given)
{
	arp_and_ping(0, SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_TSO4, 0);
}

static void drops(int tap_flags, uint32_t offloads)
{
	struct sqn_stats st;
	struct tt t;
	uint8_t small[20];
	struct iovec iov = { small, sizeof(small) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	size_t big;
	int r;

	tt_open(&t, tap_flags, offloads);
	big = t.info.max_packet_size + 1;
	tt_arp(&t);
	memset(tt_frame, 0, big);
	tt_eth(tt_frame, t.tap_mac, 0x0800);
	CHECK_EQ(sqn_send(t.net,
			  &(struct sqn_pkt){
				  .iov = &(struct iovec){ tt_frame, 13 },
				  .iovcnt = 1 },
			  1),
		 1);
	tt_send(&t, tt_frame, 13);
	tt_send(&t, tt_frame, big);
	sqn_stats(t.net, &st);
	CHECK_EQ(st.tx_dropped, 3);
	CHECK_EQ(st.tx_frames, 1);
	/* The reply to an ARP request, into 20 bytes: truncated, counted. */
	tt_send(&t, tt_frame, tt_arp_frame(tt_frame, 1, NULL, tt_tap_ip));
	tt_wait(&t, POLLIN, WAIT_MS);
	r = sqn_recv(t.net, &p, 1);
	CHECK_EQ(r, 1);
	CHECK_MSG(p.flags & SQN_PKT_TRUNCATED, "len %zu", p.len);
	CHECK_EQ(p.len, t.hdr + 42);
	CHECK(!memcmp(small + t.hdr, tt_our_mac, 6));
	sqn_stats(t.net, &st);
	CHECK_EQ(st.rx_dropped, 1);
	CHECK_EQ(st.rx_frames, 1);
	CHECK_EQ(st.tx_errors + st.rx_errors, 0);
	tt_ping(&t, 9, 56);
	tt_close(&t);
}

TEST(short_and_long_frames_are_dropped_and_counted)
{
	drops(0, 0);
}

TEST(short_and_long_frames_are_dropped_and_counted_with_header)
{
	drops(IFF_VNET_HDR, SQN_OFFLOAD_VNET_HDR);
}

static char logged[4096];

/* A log callback that keeps the warnings, one per line. */
static void log_keep(void *ctx, int level, const char *msg)
{
	size_t n = strlen(logged);

	(void)ctx;
	if (level <= SQN_LOG_WARN)
		snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

static void open_err(int fd, enum sqn_mode mode, int err, const char *want)
{
	struct sqn_config cfg;
	sqn_net *net = NULL;
	int r;

	sqn_config_init(&cfg);
	cfg.mode = mode;
	cfg.tap_fd = fd;
	r = sqn_open(&cfg, &net);
	CHECK_MSG(r == err, "fd %d: %d (%s) instead of %d", fd, r,
		  sqn_last_error(NULL), err);
	CHECK(!net);
	CHECK_MSG(strstr(sqn_last_error(NULL), want), "\"%s\" lacks \"%s\"",
		  sqn_last_error(NULL), want);
}

TEST(open_refuses_what_is_not_a_tap)
{
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *net;
	int p[2], sp[2], fd;

	tt_ns_new();
	CHECK(!pipe(p));
	open_err(p[0], SQN_MODE_SHARED, -EINVAL, "not a TAP");
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sp));
	open_err(sp[0], SQN_MODE_HOST, -EINVAL, "not a TAP");
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	open_err(fd, SQN_MODE_SHARED, -EINVAL, "attached to no interface");
	close(fd);
	fd = tt_tun_make(IFF_TUN | IFF_NO_PI);
	open_err(fd, SQN_MODE_SHARED, -EINVAL, "TUN device");
	close(fd);
	/* TUNGETIFF says IFF_NO_PI of these too (it is IFF_NOFILTER); the
	 * refusal comes before the descriptor is changed. */
	fd = tt_tun_make(IFF_TAP);
	open_err(fd, SQN_MODE_SHARED, -EINVAL, "made without IFF_NO_PI");
	CHECK(!(fcntl(fd, F_GETFL) & O_NONBLOCK));
	close(fd);
	fd = tt_tun_make(IFF_TAP | IFF_VNET_HDR);
	open_err(fd, SQN_MODE_HOST, -EINVAL, "made without IFF_NO_PI");
	close(fd);
	/* Other modes do not look at tap_fd (a config filled without
	 * sqn_config_init() has 0 there). */
	fd = tt_tun_make(IFF_TAP | IFF_NO_PI);
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_LOOPBACK;
	cfg.tap_fd = fd;
	CHECK_MSG(!sqn_open(&cfg, &net), "%s", sqn_last_error(NULL));
	sqn_info(net, &info);
	CHECK_EQ(info.mode, SQN_MODE_LOOPBACK);
	CHECK_EQ(info.vnet_hdr_len, 0);
	sqn_close(net);
	close(fd);
	open_err(fd, SQN_MODE_BRIDGED, -EBADF, "not an open descriptor");
	/* Without tap_fd, shared mode makes its network: not in this
	 * namespace, which has no default route for NAT to lead out of. */
	open_err(-1, SQN_MODE_SHARED, -ENETUNREACH, "no default route");
}

TEST(host_and_bridged_modes_mtu_and_mac_come_from_the_tap)
{
	static const enum sqn_mode modes[] = { SQN_MODE_HOST,
					       SQN_MODE_BRIDGED };
	struct sqn_config cfg;
	struct ifreq ifr;
	struct tt t;
	unsigned int i;

	tt_ns_new();
	for (i = 0; i < 2; i++) {
		CHECK(!tt_try(&t, 0, modes[i], 0, i ? 1400 : 0));
		CHECK_EQ(t.info.mode, modes[i]);
		CHECK_EQ(t.info.mtu, i ? 1400 : 1500);
		memset(&ifr, 0, sizeof(ifr));
		CHECK(!ioctl(t.tap, SIOCGIFHWADDR, &ifr));
		CHECK(!memcmp(ifr.ifr_hwaddr.sa_data, t.info.host_mac, 6));
		/* Documented: the flag is on the caller's descriptor too. */
		CHECK(fcntl(t.tap, F_GETFL) & O_NONBLOCK);
		CHECK_EQ(sqn_fd(t.net) != t.tap, 1);
		tt_close(&t);
	}
	sqn_config_init(&cfg);
	cfg.tap_fd = tt_tun_make(IFF_TAP | IFF_NO_PI);
	CHECK(!system("ip link set " TAP_NAME " mtu 9000"));
	CHECK(!sqn_open(&cfg, &t.net));
	sqn_info(t.net, &t.info);
	CHECK_EQ(t.info.mtu, 9000);
	CHECK_EQ(t.info.max_packet_size, 9014);
	sqn_close(t.net);
	close(cfg.tap_fd);
}

/* An interface set down is a pulled cable, not a lost link: frames sent
 * meanwhile are dropped and counted, and it works again once up. */
TEST(interface_down_drops_frames_and_keeps_the_link)
{
	struct sqn_stats st;
	struct tt t;

	tt_open(&t, IFF_VNET_HDR, SQN_OFFLOAD_VNET_HDR);
	tt_arp(&t);
	CHECK(!system("ip link set " TAP_NAME " down"));
	tt_send(&t, tt_frame, tt_arp_frame(tt_frame, 1, NULL, tt_tap_ip));
	tt_send(&t, tt_frame, tt_arp_frame(tt_frame, 1, NULL, tt_tap_ip));
	sqn_stats(t.net, &st);
	CHECK_EQ(st.tx_dropped, 2);
	CHECK_EQ(st.tx_errors, 0);
	sqn_info(t.net, &t.info);
	CHECK_EQ(t.info.link_up, 1);
	CHECK(!system("ip link set " TAP_NAME " up"));
	tt_arp(&t);
	sqn_stats(t.net, &st);
	CHECK_EQ(st.tx_frames, 2 + t.answered);
	tt_close(&t);
}

/* A frame longer than the MTU the caller set is dropped and counted. */
TEST(frames_above_the_callers_mtu_are_dropped)
{
	static uint8_t big[1400];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct iovec iov = { tt_rxbuf, sizeof(tt_rxbuf) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	struct sqn_stats st;
	struct tt t;
	int r, s, got = 0, i;

	tt_ns_new();
	/* 1000 for us; the interface keeps its 1500. */
	r = tt_try(&t, 0, SQN_MODE_SHARED, 0, 1000);
	CHECK_MSG(!r, "sqn_open: %s", sqn_last_error(NULL));
	memcpy(&to.sin_addr, tt_our_ip, 4);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(s >= 0);
	CHECK_EQ(sendto(s, big, sizeof(big), 0, (struct sockaddr *)&to,
			sizeof(to)),
		 sizeof(big));
	/* Answer the kernel's ARP until the 1442-byte UDP frame is dropped:
	 * it must not come. */
	for (i = 0; i < WAIT_MS / 20; i++) {
		sqn_stats(t.net, &st);
		if (st.rx_dropped)
			break;
		r = sqn_recv(t.net, &p, 1);
		if (r == -EAGAIN) {
			struct pollfd pfd = { sqn_fd(t.net), POLLIN, 0 };

			poll(&pfd, 1, 20);
			continue;
		}
		CHECK_EQ(r, 1);
		if (!tt_arp_answer(&t, tt_rxbuf, p.len))
			got++;
	}
	close(s);
	CHECK_EQ(got, 0);
	sqn_stats(t.net, &st);
	CHECK_EQ(st.rx_dropped, 1);
	tt_close(&t);
}

/* A flood of frames above the caller's MTU ends each sqn_recv() after a
 * bounded number, counted; the frame behind them still comes. */
TEST(a_run_of_frames_above_the_mtu_ends_each_receive_early)
{
	static uint8_t big[1400];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct iovec iov = { tt_rxbuf, sizeof(tt_rxbuf) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	struct sqn_stats st, before;
	struct tt t;
	int r, s, i, calls = 0;

	tt_ns_new();
	r = tt_try(&t, 0, SQN_MODE_SHARED, 0, 1000);
	CHECK_MSG(!r, "sqn_open: %s", sqn_last_error(NULL));
	/* Room for all of them in the TAP's queue, and no ARP to answer. */
	CHECK(!system("ip link set " TAP_NAME " txqueuelen 4000 && "
		      "ip neigh replace 10.77.0.2 lladdr 02:00:00:00:77:02 "
		      "dev " TAP_NAME " nud permanent"));
	memcpy(&to.sin_addr, tt_our_ip, 4);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(s >= 0);
	for (i = 0; i <= FLOOD; i++)
		CHECK_EQ(sendto(s, big, i < FLOOD ? sizeof(big) : 100, 0,
				(struct sockaddr *)&to, sizeof(to)),
			 i < FLOOD ? sizeof(big) : 100);
	for (;;) {
		CHECK(calls++ < FLOOD);
		sqn_stats(t.net, &before);
		r = sqn_recv(t.net, &p, 1);
		sqn_stats(t.net, &st);
		CHECK_MSG(st.rx_dropped - before.rx_dropped <= 64,
			  "one sqn_recv() dropped %llu frames",
			  (unsigned long long)(st.rx_dropped -
					       before.rx_dropped));
		if (r == 1)
			break;
		CHECK_EQ(r, -EAGAIN);
		/* The rest keep the descriptor readable. */
		tt_wait(&t, POLLIN, WAIT_MS);
	}
	CHECK_EQ(p.len, 14 + 20 + 8 + 100);
	CHECK_EQ(st.rx_dropped, FLOOD);
	CHECK(calls > FLOOD / 64);
	close(s);
	tt_close(&t);
}

/* A TAP of another network namespace cannot be checked for IFF_NO_PI
 * (TUNGETIFF cannot tell, rtnetlink does not see it): it is taken, with
 * a warning. */
TEST(tap_of_another_namespace_is_taken_with_a_warning)
{
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *net;

	tt_ns_new();
	sqn_config_init(&cfg);
	cfg.tap_fd = tt_tun_make(IFF_TAP | IFF_NO_PI);
	cfg.log = log_keep;
	tt_ns_new();
	CHECK_MSG(!sqn_open(&cfg, &net), "%s", sqn_last_error(NULL));
	CHECK_MSG(strstr(logged, "not visible in this network namespace"), "%s",
		  logged);
	CHECK_MSG(strstr(logged, "IFF_NO_PI not checked"), "%s", logged);
	sqn_info(net, &info);
	CHECK_EQ(info.mtu, 1500);
	sqn_close(net);
	close(cfg.tap_fd);
}

TEST(deleted_interface_takes_the_link_down)
{
	struct iovec iov = { tt_rxbuf, sizeof(tt_rxbuf) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	struct tt t;

	tt_open(&t, IFF_VNET_HDR, SQN_OFFLOAD_VNET_HDR);
	tt_arp(&t);
	CHECK(!system("ip link del " TAP_NAME));
	CHECK_EQ(sqn_recv(t.net, &p, 1), -ENOTCONN);
	CHECK_MSG(strstr(sqn_last_error(t.net), "deleted"), "%s",
		  sqn_last_error(t.net));
	CHECK_EQ(sqn_send(t.net, &p, 1), -ENOTCONN);
	sqn_info(t.net, &t.info);
	CHECK_EQ(t.info.link_up, 0);
	tt_close(&t);
}

TEST(open_close_1000_cycles_on_one_tap_leak_nothing)
{
	struct sqn_config cfg;
	struct tt t;
	sqn_net *net;
	long live;
	int i, fds;

	tt_open(&t, IFF_VNET_HDR,
		SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM | SQN_OFFLOAD_TSO4);
	sqn_config_init(&cfg);
	cfg.tap_fd = t.tap;
	cfg.offloads = SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM;
	CHECK(!sqn_open(&cfg, &net));
	sqn_close(net);
	fds = harness_fd_count();
	live = alloc_count_live();
	for (i = 0; i < 1000; i++) {
		cfg.offloads ^= SQN_OFFLOAD_VNET_HDR;
		CHECK_MSG(!sqn_open(&cfg, &net), "cycle %d: %s", i,
			  sqn_last_error(NULL));
		sqn_close(net);
	}
	CHECK_EQ(harness_fd_count(), fds);
	CHECK_EQ(alloc_count_live(), live);
	tt_arp(&t);
	tt_ping(&t, 1, 56);
	tt_close(&t);
}

/* Handle one received frame of the ping flood; return 1 for a reply. */
static int flood_frame(struct tt *t, const uint8_t *f, size_t len)
{
	if (tt_arp_answer(t, f, len))
		return 0;
	return tt_is_ip4(f, len, 1) && f[34] == 0 &&
	       tt_get16(f + 38) == ICMP_ID;
}

TEST(ping_flood_allocates_nothing)
{
	static uint8_t txb[BATCH][128], rxb[BATCH][2048];
	static struct iovec tiov[BATCH][2], riov[BATCH];
	static struct sqn_pkt tx[BATCH], rx[BATCH];
	struct sqn_stats st;
	struct tt t;
	long calls = 0;
	unsigned int i, done, sent, got;
	int r;

	tt_open(&t, IFF_VNET_HDR, SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM);
	tt_arp(&t);
	for (i = 0; i < BATCH; i++) {
		tiov[i][0] = (struct iovec){ (void *)tt_zero_hdr, HDR };
		riov[i] = (struct iovec){ rxb[i], sizeof(rxb[i]) };
		rx[i] = (struct sqn_pkt){ .iov = &riov[i], .iovcnt = 1 };
	}
	for (done = 0; done < PINGS + 10 * BATCH; done += BATCH) {
		if (done == 10 * BATCH) /* warmed up */
			calls = alloc_count_calls();
		for (i = 0; i < BATCH; i++) {
			tiov[i][1] = (struct iovec){
				txb[i], tt_echo(txb[i], t.tap_mac,
						(uint16_t)(done + i), 56)
			};
			tx[i] = (struct sqn_pkt){ .iov = tiov[i], .iovcnt = 2 };
		}
		for (sent = 0; sent < BATCH; sent += (unsigned int)r) {
			r = sqn_send(t.net, tx + sent, BATCH - sent);
			if (r == -EAGAIN) {
				tt_wait(&t, POLLOUT, WAIT_MS);
				r = 0;
			}
			CHECK_MSG(r >= 0, "send: %s", sqn_strerror(r));
		}
		for (got = 0; got < BATCH;) {
			r = sqn_recv(t.net, rx, BATCH);
			if (r == -EAGAIN) {
				tt_wait(&t, POLLIN, WAIT_MS);
				continue;
			}
			CHECK_MSG(r > 0, "recv: %s", sqn_strerror(r));
			for (i = 0; i < (unsigned int)r; i++)
				got += (unsigned int)flood_frame(
					&t, rxb[i] + HDR, rx[i].len - HDR);
		}
	}
	CHECK_EQ(alloc_count_calls(), calls);
	sqn_stats(t.net, &st);
	CHECK(st.rx_frames >= PINGS);
	CHECK_EQ(st.tx_dropped + st.rx_dropped + st.tx_errors + st.rx_errors,
		 0);
	tt_close(&t);
}
