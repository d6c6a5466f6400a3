// SPDX-License-Identifier: MIT
/* test_tap.c - the TAP backend on real TAPs, each test in a network namespace of its own */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc_count.h"
#include "harness.h"
#include "squibnet.h"

#define TAP_NAME "sqt0"
#define HDR 12 /* virtio_net_hdr_v1 */
#define GSO_MAX (65535 + SQN_ETH_HLEN)
#define BATCH 32
#define ICMP_ID 0x5157
#define TCP_PORT 5001

#ifdef SQN_ASAN
#define PINGS 10000
#else
#define PINGS 100000
#endif

/* The made-up guest: 02:00:00:00:77:02, 10.77.0.2; the TAP is 10.77.0.1. */
static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0x77, 0x02 };
static const uint8_t our_ip[4] = { 10, 77, 0, 2 };
static const uint8_t tap_ip[4] = { 10, 77, 0, 1 };
static const uint8_t zero_hdr[HDR];

static uint8_t rxbuf[HDR + GSO_MAX + 64];
static uint8_t frame[HDR + GSO_MAX + 64];
static uint8_t arpbuf[64];

/**
 * struct tt - a TAP in a fresh namespace and the attachment on it
 * @tap:	the test's own descriptor of the TAP
 * @net:	the attachment
 * @info:	sqn_info() after open
 * @hdr:	info.vnet_hdr_len
 * @tap_mac:	the TAP's MAC, from its ARP reply
 */
struct tt {
	int tap;
	sqn_net *net;
	struct sqn_info info;
	size_t hdr;
	uint8_t tap_mac[6];
	unsigned int answered; /* the kernel's ARP requests answered */
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t s)
{
	for (; len > 1; p += 2, len -= 2)
		s += get16(p);
	if (len)
		s += (uint32_t)p[0] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* A network namespace for this test process alone, without IPv6 chatter. */
static void ns_new(void)
{
	int fd;

	CHECK_MSG(!unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET): %s (root?)",
		  strerror(errno));
	/* net sysctls resolve to the opener's namespace: this new one. */
	fd = open("/proc/sys/net/ipv6/conf/default/disable_ipv6", O_WRONLY);
	if (fd < 0 && errno == ENOENT)
		return; /* a kernel without IPv6: no chatter either */
	CHECK_MSG(fd >= 0, "disable_ipv6: %s", strerror(errno));
	CHECK(write(fd, "1", 1) == 1);
	close(fd);
}

static int tun_make(int flags)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	CHECK_MSG(fd >= 0, "/dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", TAP_NAME);
	ifr.ifr_flags = (short)flags;
	CHECK_MSG(!ioctl(fd, TUNSETIFF, &ifr), "TUNSETIFF: %s",
		  strerror(errno));
	return fd;
}

static void tap_up(void)
{
	CHECK(!system("ip addr add 10.77.0.1/24 dev " TAP_NAME
		      " && ip link set " TAP_NAME " up"));
}

static int tt_try(struct tt *t, int tap_flags, enum sqn_mode mode,
		  uint32_t offloads, uint32_t mtu)
{
	struct sqn_config cfg;
	int r;

	memset(t, 0, sizeof(*t));
	sqn_config_init(&cfg);
	cfg.mode = mode;
	cfg.tap_fd = t->tap = tun_make(IFF_TAP | IFF_NO_PI | tap_flags);
	cfg.offloads = offloads;
	cfg.mtu = mtu;
	tap_up();
	r = sqn_open(&cfg, &t->net);
	if (!r) {
		sqn_info(t->net, &t->info);
		t->hdr = t->info.vnet_hdr_len;
	}
	return r;
}

static void tt_open(struct tt *t, int tap_flags, uint32_t offloads)
{
	int r;

	ns_new();
	r = tt_try(t, tap_flags, SQN_MODE_SHARED, offloads, 0);
	CHECK_MSG(!r, "sqn_open: %s: %s", sqn_strerror(r),
		  sqn_last_error(NULL));
}

static void tt_close(struct tt *t)
{
	sqn_close(t->net);
	close(t->tap);
}

static void wait_fd(struct tt *t, short events, int ms)
{
	struct pollfd p = { sqn_fd(t->net), events, 0 };

	CHECK_MSG(poll(&p, 1, ms) == 1, "nothing in %d ms", ms);
}

/* Send one frame, behind @vhdr (a zero header when NULL) if the
 * attachment carries headers. */
static void tt_send_hdr(struct tt *t, const void *vhdr, const void *f,
			size_t len)
{
	struct iovec iov[2] = { { (void *)(vhdr ? vhdr : zero_hdr), t->hdr },
				{ (void *)f, len } };
	struct sqn_pkt p = { .iov = t->hdr ? iov : iov + 1,
			     .iovcnt = t->hdr ? 2 : 1 };
	int r, tries = 0;

	while ((r = sqn_send(t->net, &p, 1)) == -EAGAIN && tries++ < 100)
		wait_fd(t, POLLOUT, WAIT_MS);
	CHECK_MSG(r == 1, "sqn_send: %s: %s", sqn_strerror(r),
		  sqn_last_error(t->net));
}

static void tt_send(struct tt *t, const void *f, size_t len)
{
	tt_send_hdr(t, NULL, f, len);
}

static void eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, our_mac, 6);
	put16(f + 12, type);
}

static size_t arp(uint8_t *f, uint16_t op, const uint8_t *dst_mac,
		  const uint8_t *tip)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t *a = f + 14;

	eth(f, op == 1 ? bcast : dst_mac, 0x0806);
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, our_mac, 6);
	memcpy(a + 14, our_ip, 4);
	memset(a + 18, 0, 6);
	if (op == 2)
		memcpy(a + 18, dst_mac, 6);
	memcpy(a + 24, tip, 4);
	return 42;
}

/* An IPv4 header for @paylen bytes from us to the TAP. */
static void ip4(uint8_t *f, const uint8_t *dst_mac, uint8_t proto,
		size_t paylen)
{
	uint8_t *ip = f + 14;

	eth(f, dst_mac, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + paylen));
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, our_ip, 4);
	memcpy(ip + 16, tap_ip, 4);
	put16(ip + 10, (uint16_t)~fold(sum16(ip, 20, 0)));
}

static size_t echo(uint8_t *f, const uint8_t *dst_mac, uint16_t seq,
		   size_t paylen)
{
	uint8_t *ic = f + 34;
	size_t i;

	ip4(f, dst_mac, 1, 8 + paylen);
	ic[0] = 8;
	ic[1] = 0;
	put16(ic + 2, 0);
	put16(ic + 4, ICMP_ID);
	put16(ic + 6, seq);
	for (i = 0; i < paylen; i++)
		ic[8 + i] = (uint8_t)(seq + i);
	put16(ic + 2, (uint16_t)~fold(sum16(ic, 8 + paylen, 0)));
	return 34 + 8 + paylen;
}

static int is_ip4(const uint8_t *f, size_t len, uint8_t proto)
{
	return len >= 34 && get16(f + 12) == 0x0800 && f[23] == proto &&
	       !memcmp(f + 26, tap_ip, 4) && !memcmp(f + 30, our_ip, 4);
}

static int is_echo_reply(const uint8_t *f, size_t len, uint16_t seq)
{
	return is_ip4(f, len, 1) && len >= 42 && f[34] == 0 &&
	       get16(f + 38) == ICMP_ID && get16(f + 40) == seq;
}

static int is_arp(const uint8_t *f, size_t len, uint16_t op)
{
	return len >= 42 && get16(f + 12) == 0x0806 && get16(f + 20) == op &&
	       !memcmp(f + 28, tap_ip, 4) && !memcmp(f + 38, our_ip, 4);
}

/* Answer the kernel's ARP request for us; return whether @f was one. */
static int arp_answer(struct tt *t, const uint8_t *f, size_t len)
{
	if (!is_arp(f, len, 1))
		return 0;
	tt_send(t, arpbuf, arp(arpbuf, 2, f + 22, tap_ip));
	t->answered++;
	return 1;
}

/* The next frame that is not an ARP request for us, into rxbuf. */
static size_t tt_recv(struct tt *t)
{
	struct iovec iov = { rxbuf, sizeof(rxbuf) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	int r;

	for (;;) {
		r = sqn_recv(t->net, &p, 1);
		if (r == -EAGAIN) {
			wait_fd(t, POLLIN, WAIT_MS);
			continue;
		}
		CHECK_MSG(r == 1, "sqn_recv: %s: %s", sqn_strerror(r),
			  sqn_last_error(t->net));
		CHECK(!p.flags);
		CHECK_MSG(p.len >= t->hdr + 14, "a %zu-byte frame", p.len);
		if (!arp_answer(t, rxbuf + t->hdr, p.len - t->hdr))
			return p.len - t->hdr;
	}
}

/* Resolve the TAP's MAC: the kernel answers our ARP request. */
static void tt_arp(struct tt *t)
{
	size_t len, n = 0;

	tt_send(t, frame, arp(frame, 1, NULL, tap_ip));
	do {
		CHECK(n++ < 50);
		len = tt_recv(t);
	} while (!is_arp(rxbuf + t->hdr, len, 2));
	CHECK(!memcmp(rxbuf + t->hdr, our_mac, 6));
	memcpy(t->tap_mac, rxbuf + t->hdr + 22, 6);
	CHECK(!memcmp(t->tap_mac, t->info.host_mac, 6));
}

static void tt_ping(struct tt *t, uint16_t seq, size_t paylen)
{
	size_t len, n = 0, flen = echo(frame, t->tap_mac, seq, paylen);
	const uint8_t *f = rxbuf + t->hdr;

	tt_send(t, frame, flen);
	do {
		CHECK(n++ < 50);
		len = tt_recv(t);
	} while (!is_echo_reply(f, len, seq));
	CHECK_EQ(len, flen);
	CHECK(!memcmp(f + 42, frame + 42, paylen));
	CHECK_EQ(fold(sum16(f + 34, len - 34, 0)), 0xffff);
	if (t->hdr)
		CHECK_EQ(rxbuf[1], 0); /* gso_type: none */
}

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
	memset(frame, 0, big);
	eth(frame, t.tap_mac, 0x0800);
	CHECK_EQ(
		sqn_send(t.net,
			 &(struct sqn_pkt){ .iov = &(struct iovec){ frame, 13 },
					    .iovcnt = 1 },
			 1),
		1);
	tt_send(&t, frame, 13);
	tt_send(&t, frame, big);
	sqn_stats(t.net, &st);
	CHECK_EQ(st.tx_dropped, 3);
	CHECK_EQ(st.tx_frames, 1);
	/* The reply to an ARP request, into 20 bytes: truncated, counted. */
	tt_send(&t, frame, arp(frame, 1, NULL, tap_ip));
	wait_fd(&t, POLLIN, WAIT_MS);
	r = sqn_recv(t.net, &p, 1);
	CHECK_EQ(r, 1);
	CHECK_MSG(p.flags & SQN_PKT_TRUNCATED, "len %zu", p.len);
	CHECK_EQ(p.len, t.hdr + 42);
	CHECK(!memcmp(small + t.hdr, our_mac, 6));
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

	ns_new();
	CHECK(!pipe(p));
	open_err(p[0], SQN_MODE_SHARED, -EINVAL, "not a TAP");
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sp));
	open_err(sp[0], SQN_MODE_HOST, -EINVAL, "not a TAP");
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	open_err(fd, SQN_MODE_SHARED, -EINVAL, "attached to no interface");
	close(fd);
	fd = tun_make(IFF_TUN | IFF_NO_PI);
	open_err(fd, SQN_MODE_SHARED, -EINVAL, "TUN device");
	close(fd);
	/* No test of a TAP without IFF_NO_PI: Linux 6.18 reports the flag
	 * in TUNGETIFF whether it was asked for or not. */
	/* Other modes do not look at tap_fd (a config filled without
	 * sqn_config_init() has 0 there). */
	fd = tun_make(IFF_TAP | IFF_NO_PI);
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

	ns_new();
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
	cfg.tap_fd = tun_make(IFF_TAP | IFF_NO_PI);
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
	tt_send(&t, frame, arp(frame, 1, NULL, tap_ip));
	tt_send(&t, frame, arp(frame, 1, NULL, tap_ip));
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
	struct iovec iov = { rxbuf, sizeof(rxbuf) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	struct sqn_stats st;
	struct tt t;
	int r, s, got = 0, i;

	ns_new();
	/* 1000 for us; the interface keeps its 1500. */
	r = tt_try(&t, 0, SQN_MODE_SHARED, 0, 1000);
	CHECK_MSG(!r, "sqn_open: %s", sqn_last_error(NULL));
	memcpy(&to.sin_addr, our_ip, 4);
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
		if (!arp_answer(&t, rxbuf, p.len))
			got++;
	}
	close(s);
	CHECK_EQ(got, 0);
	sqn_stats(t.net, &st);
	CHECK_EQ(st.rx_dropped, 1);
	tt_close(&t);
}

TEST(deleted_interface_takes_the_link_down)
{
	struct iovec iov = { rxbuf, sizeof(rxbuf) };
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
	if (arp_answer(t, f, len))
		return 0;
	return is_ip4(f, len, 1) && f[34] == 0 && get16(f + 38) == ICMP_ID;
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
		tiov[i][0] = (struct iovec){ (void *)zero_hdr, HDR };
		riov[i] = (struct iovec){ rxb[i], sizeof(rxb[i]) };
		rx[i] = (struct sqn_pkt){ .iov = &riov[i], .iovcnt = 1 };
	}
	for (done = 0; done < PINGS + 10 * BATCH; done += BATCH) {
		if (done == 10 * BATCH) /* warmed up */
			calls = alloc_count_calls();
		for (i = 0; i < BATCH; i++) {
			tiov[i][1] = (struct iovec){
				txb[i], echo(txb[i], t.tap_mac,
					     (uint16_t)(done + i), 56)
			};
			tx[i] = (struct sqn_pkt){ .iov = tiov[i], .iovcnt = 2 };
		}
		for (sent = 0; sent < BATCH; sent += (unsigned int)r) {
			r = sqn_send(t.net, tx + sent, BATCH - sent);
			if (r == -EAGAIN) {
				wait_fd(&t, POLLOUT, WAIT_MS);
				r = 0;
			}
			CHECK_MSG(r >= 0, "send: %s", sqn_strerror(r));
		}
		for (got = 0; got < BATCH;) {
			r = sqn_recv(t.net, rx, BATCH);
			if (r == -EAGAIN) {
				wait_fd(&t, POLLIN, WAIT_MS);
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

/* A TCP segment from us (port TCP_PORT) to the TAP, @datalen bytes of a
 * pattern after @optlen bytes of options. @partial: the checksum field
 * holds the pseudo-header sum only, for the kernel to finish. */
static size_t tcp(uint8_t *f, const uint8_t *dst_mac, uint16_t dport,
		  uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *opt,
		  size_t optlen, size_t datalen, int partial)
{
	uint8_t *th = f + 34;
	size_t tlen = 20 + optlen + datalen, i;
	uint32_t pseudo;

	ip4(f, dst_mac, 6, tlen);
	memset(th, 0, 20);
	put16(th, TCP_PORT);
	put16(th + 2, dport);
	put32(th + 4, seq);
	put32(th + 8, ack);
	th[12] = (uint8_t)((20 + optlen) / 4 << 4);
	th[13] = flags;
	put16(th + 14, 65535);
	if (optlen)
		memcpy(th + 20, opt, optlen);
	for (i = 0; i < datalen; i++)
		th[20 + optlen + i] = (uint8_t)(i * 7 + 3);
	pseudo = sum16(our_ip, 4, 0) + sum16(tap_ip, 4, 0) + 6 + (uint32_t)tlen;
	put16(th + 16, partial ? fold(pseudo) :
				 (uint16_t)~fold(sum16(th, tlen, pseudo)));
	return 34 + tlen;
}

static int is_tcp_to_us(const uint8_t *f, size_t len, uint8_t flag,
			int with_data)
{
	size_t doff;

	if (!is_ip4(f, len, 6) || len < 54 || get16(f + 36) != TCP_PORT ||
	    !(f[47] & flag))
		return 0;
	doff = (size_t)(f[46] >> 4) * 4;
	return !with_data || len > 34 + doff;
}

TEST(tso4_segments_both_ways)
{
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 }; /* 1460 */
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(TCP_PORT) };
	uint8_t vh[HDR] = { 0 }, got[10000];
	const uint8_t *f = rxbuf + HDR;
	struct pollfd pf;
	size_t len, n, flen;
	uint32_t isn;
	uint16_t sport;
	struct tt t;
	int s, n_tries = 0;
	ssize_t m;

	tt_open(&t, IFF_VNET_HDR,
		SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM | SQN_OFFLOAD_TSO4);
	CHECK_EQ(t.info.offloads & (SQN_OFFLOAD_CSUM | SQN_OFFLOAD_TSO4),
		 SQN_OFFLOAD_CSUM | SQN_OFFLOAD_TSO4);
	CHECK_EQ(t.info.max_packet_size, GSO_MAX);
	tt_arp(&t);

	/* The kernel connects to us; we answer its SYN by hand. */
	memcpy(&sa.sin_addr, our_ip, 4);
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(s >= 0);
	CHECK(connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	      errno == EINPROGRESS);
	do {
		CHECK(n_tries++ < 50);
		len = tt_recv(&t);
	} while (!is_tcp_to_us(f, len, 0x02, 0));
	isn = get32(f + 38);
	sport = get16(f + 34);
	tt_send(&t, frame,
		tcp(frame, t.tap_mac, sport, 1000, isn + 1, 0x12, mss, 4, 0,
		    0));
	pf = (struct pollfd){ s, POLLOUT, 0 };
	CHECK(poll(&pf, 1, WAIT_MS) == 1);

	/* Ours to the kernel: 10000 bytes in one frame, segments of 1448,
	 * the TCP checksum left to the kernel. */
	vh[0] = 1; /* VIRTIO_NET_HDR_F_NEEDS_CSUM */
	vh[1] = 1; /* VIRTIO_NET_HDR_GSO_TCPV4 */
	vh[2] = 54; /* hdr_len, little-endian */
	vh[4] = 1448 & 0xff;
	vh[5] = 1448 >> 8;
	vh[6] = 34; /* csum_start */
	vh[8] = 16; /* csum_offset */
	flen = tcp(frame, t.tap_mac, sport, 1001, isn + 1, 0x18, NULL, 0,
		   sizeof(got), 1);
	tt_send_hdr(&t, vh, frame, flen);
	for (n = 0; n < sizeof(got); n += (size_t)m) {
		pf = (struct pollfd){ s, POLLIN, 0 };
		CHECK_MSG(poll(&pf, 1, WAIT_MS) == 1, "got %zu of %zu", n,
			  sizeof(got));
		m = recv(s, got + n, sizeof(got) - n, 0);
		CHECK(m > 0);
	}
	for (n = 0; n < sizeof(got); n++)
		CHECK_EQ(got[n], (uint8_t)(n * 7 + 3));

	/* The kernel's to us: more than one segment in one frame. */
	memset(frame, 0x5a, 30000);
	CHECK_EQ(send(s, frame, 30000, 0), 30000);
	n_tries = 0;
	do {
		CHECK(n_tries++ < 50);
		len = tt_recv(&t);
	} while (!is_tcp_to_us(f, len, 0x10, 1));
	CHECK_MSG(len > 1514, "a %zu-byte frame: no TSO", len);
	CHECK(len <= t.info.max_packet_size);
	CHECK_EQ(rxbuf[1], 1); /* gso_type TCPV4 */
	CHECK(rxbuf[0] & 1); /* NEEDS_CSUM */
	CHECK((rxbuf[4] | rxbuf[5] << 8) > 0 &&
	      (rxbuf[4] | rxbuf[5] << 8) <= 1460);
	close(s);
	tt_close(&t);
}
