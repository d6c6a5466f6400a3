// SPDX-License-Identifier: MIT
/* test_offloads.c - virtio_net_hdr and TSO on real TAPs, at open and switched by sqn_set_offloads(); backends without offloads refuse */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "squibnet.h"
#include "taptest.h"

#define ALL_OFFLOADS                                                  \
	(SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM | SQN_OFFLOAD_TSO4 | \
	 SQN_OFFLOAD_TSO6 | SQN_OFFLOAD_USO)
#define TSO4_ON (SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM | SQN_OFFLOAD_TSO4)
#define MSS 1448 /* 1460 less the kernel's timestamp option */

/**
 * struct conn - a TCP connection from the kernel (a socket in the test's
 * namespace) to the made-up guest, whose side is played by hand
 * @s:		the kernel's socket
 * @sport:	its port
 * @kseq:	the sequence number of the kernel's next byte to us
 * @kstart:	that of its first data byte (stream offset 0)
 * @ourseq:	our next byte
 * @sent:	bytes the kernel's socket took so far
 */
struct conn {
	int s;
	uint16_t sport;
	uint32_t kseq;
	uint32_t kstart;
	uint32_t ourseq;
	size_t sent;
};

static uint8_t kbuf[65536];

/* The byte at @off of what the kernel sends: not periodic in a segment. */
static uint8_t kbyte(size_t off)
{
	return (uint8_t)(off * 13 + off / 251);
}

/* The kernel connects to us; we answer its SYN by hand. */
static void conn_open(struct tt *t, struct conn *c)
{
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 }; /* 1460 */
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(TCP_PORT) };
	const uint8_t *f = tt_rxbuf + t->hdr;
	struct pollfd pf;
	size_t len;
	int n = 0;

	memset(c, 0, sizeof(*c));
	memcpy(&sa.sin_addr, tt_our_ip, 4);
	c->s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(c->s >= 0);
	CHECK(connect(c->s, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	      errno == EINPROGRESS);
	do {
		CHECK(n++ < 50);
		len = tt_recv(t);
	} while (!tt_is_tcp_to_us(f, len, 0x02, 0));
	c->kseq = c->kstart = tt_get32(f + 38) + 1;
	c->sport = tt_get16(f + 34);
	c->ourseq = 1001;
	tt_send(t, tt_frame,
		tt_tcp(tt_frame, t->tap_mac, c->sport, c->ourseq - 1, c->kseq,
		       0x12, mss, 4, 0, 0));
	pf = (struct pollfd){ c->s, POLLOUT, 0 };
	CHECK(poll(&pf, 1, WAIT_MS) == 1);
}

/* The kernel's socket reads @len bytes of the pattern tt_tcp() sends. */
static void conn_kernel_reads(struct conn *c, size_t len)
{
	struct pollfd pf;
	size_t n;
	ssize_t m;

	for (n = 0; n < len; n += (size_t)m) {
		pf = (struct pollfd){ c->s, POLLIN, 0 };
		CHECK_MSG(poll(&pf, 1, WAIT_MS) == 1, "got %zu of %zu", n, len);
		m = recv(c->s, kbuf + n, len - n, 0);
		CHECK(m > 0);
	}
	for (n = 0; n < len; n++)
		CHECK_EQ(kbuf[n], (uint8_t)(n * 7 + 3));
}

/* Ours to the kernel: @len bytes in one frame. With a header: a TSO
 * frame of MSS-byte segments, the TCP checksum left to the kernel. */
static void conn_send(struct tt *t, struct conn *c, size_t len)
{
	uint8_t vh[HDR] = { 0 };
	size_t flen;

	if (len > MSS) {
		vh[0] = 1; /* VIRTIO_NET_HDR_F_NEEDS_CSUM */
		vh[1] = 1; /* VIRTIO_NET_HDR_GSO_TCPV4 */
		vh[2] = 54; /* hdr_len, little-endian */
		vh[4] = MSS & 0xff;
		vh[5] = MSS >> 8;
		vh[6] = 34; /* csum_start */
		vh[8] = 16; /* csum_offset */
	}
	flen = tt_tcp(tt_frame, t->tap_mac, c->sport, c->ourseq, c->kseq, 0x18,
		      NULL, 0, len, len > MSS);
	tt_send_hdr(t, vh, tt_frame, flen);
	c->ourseq += (uint32_t)len;
	conn_kernel_reads(c, len);
}

/* The kernel's to us: @len bytes, received in order and acknowledged
 * frame by frame. Return: how many frames were above 1514 bytes, each
 * checked to be a TSO frame behind its header. */
static unsigned int conn_recv(struct tt *t, struct conn *c, size_t len)
{
	const uint8_t *f = tt_rxbuf + t->hdr;
	size_t flen, doff, paylen, want = c->sent + len, off, i;
	unsigned int large = 0;
	ssize_t m;
	uint32_t seq;

	while (c->kseq - c->kstart < want) {
		if (c->sent < want) {
			for (i = c->sent;
			     i < want && i - c->sent < sizeof(kbuf); i++)
				kbuf[i - c->sent] = kbyte(i);
			m = send(c->s, kbuf, i - c->sent, 0);
			CHECK_MSG(m > 0 || errno == EAGAIN, "send: %s",
				  strerror(errno));
			if (m > 0)
				c->sent += (size_t)m;
		}
		flen = tt_recv(t);
		if (!tt_is_tcp_to_us(f, flen, 0x10, 1))
			continue;
		seq = tt_get32(f + 38);
		doff = (size_t)(f[46] >> 4) * 4;
		paylen = flen - 34 - doff;
		if (seq != c->kseq)
			continue; /* a retransmission: taken already */
		CHECK(flen <= t->info.max_packet_size);
		if (flen > 1514) {
			large++;
			CHECK_EQ(tt_rxbuf[1], 1); /* gso_type TCPV4 */
			CHECK(tt_rxbuf[0] & 1); /* NEEDS_CSUM */
			CHECK((tt_rxbuf[4] | tt_rxbuf[5] << 8) > 0 &&
			      (tt_rxbuf[4] | tt_rxbuf[5] << 8) <= 1460);
		}
		off = c->kseq - c->kstart;
		for (i = 0; i < paylen; i++)
			CHECK_EQ(f[34 + doff + i], kbyte(off + i));
		c->kseq += (uint32_t)paylen;
		tt_send(t, tt_frame,
			tt_tcp(tt_frame, t->tap_mac, c->sport, c->ourseq,
			       c->kseq, 0x10, NULL, 0, 0, 0));
	}
	return large;
}

TEST(tso4_segments_both_ways)
{
	struct conn c;
	struct tt t;

	tt_open(&t, IFF_VNET_HDR, TSO4_ON);
	CHECK_EQ(t.info.offloads & (SQN_OFFLOAD_CSUM | SQN_OFFLOAD_TSO4),
		 SQN_OFFLOAD_CSUM | SQN_OFFLOAD_TSO4);
	CHECK_EQ(t.info.max_packet_size, GSO_MAX);
	CHECK_EQ(t.info.offloads_avail, ALL_OFFLOADS);
	tt_arp(&t);
	conn_open(&t, &c);
	conn_send(&t, &c, 10000);
	CHECK(conn_recv(&t, &c, 30000) > 0);
	close(c.s);
	tt_close(&t);
}

/* Follow the attachment's new header length, and check what it says. */
/* Frames the TAP's interface took from us (its rx_packets), from
 * /proc/net/dev of this process's namespace. */
static unsigned long tap_rx_packets(void)
{
	char line[512];
	unsigned long rx = 0, pk = 0;
	FILE *f = fopen("/proc/self/net/dev", "re");

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " " TAP_NAME ": %lu %lu", &rx, &pk) == 2)
			break;
	fclose(f);
	return pk;
}

/*
 * Without offloads the caller's frames are complete: a batch of one
 * flow's consecutive segments enters the TAP as one TSO frame (tcpmerge.c),
 * and the kernel's socket reads every byte in order. A segment out of
 * order, or a bad checksum, ends the run: those go alone.
 */
TEST(tcp_segments_of_a_batch_enter_the_tap_as_one_tso_frame)
{
	static uint8_t seg[10][1600];
	struct iovec iov[10];
	struct sqn_pkt pkts[10];
	unsigned long rx0;
	struct conn c;
	struct tt t;
	size_t n, i;
	ssize_t m;

	tt_open(&t, IFF_VNET_HDR, 0);
	CHECK_EQ(t.info.offloads, 0u);
	tt_arp(&t);
	conn_open(&t, &c);
	for (i = 0; i < 10; i++) {
		/* 8 in a row, then one that skips a segment, then one with
		 * a checksum off by one. */
		uint32_t seq = c.ourseq + (uint32_t)((i < 8 ? i : i + 1) * MSS);

		iov[i] =
			(struct iovec){ seg[i],
					tt_tcp(seg[i], t.tap_mac, c.sport, seq,
					       c.kseq, 0x10, NULL, 0, MSS, 0) };
		pkts[i] = (struct sqn_pkt){ .iov = &iov[i], .iovcnt = 1 };
	}
	seg[9][50]++;
	rx0 = tap_rx_packets();
	CHECK_EQ(sqn_send(t.net, pkts, 10), 10);
	CHECK_EQ(sqn_flush(t.net), 0);
	/* The 8 in order, each with tt_tcp()'s pattern from its start. */
	for (n = 0; n < 8 * MSS; n += (size_t)m) {
		struct pollfd pf = { c.s, POLLIN, 0 };

		CHECK_MSG(poll(&pf, 1, WAIT_MS) == 1, "got %zu", n);
		m = recv(c.s, kbuf + n, 8 * MSS - n, 0);
		CHECK(m > 0);
	}
	for (n = 0; n < 8 * MSS; n++)
		CHECK_EQ(kbuf[n], (uint8_t)((n % MSS) * 7 + 3));
	/* One frame for the 8, one each for the two that could not join. */
	CHECK_EQ(tap_rx_packets() - rx0, 3ul);
	close(c.s);
	tt_close(&t);
}

/* The same over IPv6: the kernel connects to fd77::2, we answer its SYN
 * by hand, a batch of 8 consecutive segments and 2 that cannot join
 * enters as 3 frames, and the socket reads the 8 in order. */
TEST(ipv6_tcp_segments_of_a_batch_enter_the_tap_as_one_tso_frame)
{
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xa0 }; /* 1440 */
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(TCP_PORT) };
	const uint8_t *f = tt_rxbuf;
	static uint8_t seg[10][1600];
	struct sqn_pkt pkts[10];
	struct iovec iov[10];
	uint32_t kseq, ourseq = 1001;
	unsigned long rx0;
	uint16_t sport;
	struct pollfd pf;
	size_t n, i, len;
	ssize_t m;
	struct tt t;
	int s, k = 0;

	tt_open(&t, IFF_VNET_HDR, 0);
	tt_ip6_up();
	tt_arp(&t);
	memcpy(&sa.sin6_addr, tt_our_ip6, 16);
	s = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(s >= 0);
	CHECK(connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	      errno == EINPROGRESS);
	do {
		CHECK(k++ < 50);
		len = tt_recv(&t);
	} while (!tt_is_tcp6_to_us(f, len, 0x02));
	kseq = tt_get32(f + 58) + 1;
	sport = tt_get16(f + 54);
	tt_send(&t, tt_frame,
		tt_tcp6(tt_frame, t.tap_mac, sport, ourseq - 1, kseq, 0x12, mss,
			4, 0));
	pf = (struct pollfd){ s, POLLOUT, 0 };
	CHECK(poll(&pf, 1, WAIT_MS) == 1);
	for (i = 0; i < 10; i++) {
		/* 8 in a row, then one that skips a segment, then one with
		 * a checksum off by one. */
		uint32_t seq = ourseq + (uint32_t)((i < 8 ? i : i + 1) * 1428);

		iov[i] = (struct iovec){ seg[i],
					 tt_tcp6(seg[i], t.tap_mac, sport, seq,
						 kseq, 0x10, NULL, 0, 1428) };
		pkts[i] = (struct sqn_pkt){ .iov = &iov[i], .iovcnt = 1 };
	}
	seg[9][70]++;
	rx0 = tap_rx_packets();
	CHECK_EQ(sqn_send(t.net, pkts, 10), 10);
	CHECK_EQ(sqn_flush(t.net), 0);
	for (n = 0; n < 8 * 1428; n += (size_t)m) {
		pf = (struct pollfd){ s, POLLIN, 0 };
		CHECK_MSG(poll(&pf, 1, WAIT_MS) == 1, "got %zu", n);
		m = recv(s, kbuf + n, 8 * 1428 - n, 0);
		CHECK(m > 0);
	}
	for (n = 0; n < 8 * 1428; n++)
		CHECK_EQ(kbuf[n], (uint8_t)((n % 1428) * 7 + 3));
	/* One frame for the 8, one each for the two that could not join. */
	CHECK_EQ(tap_rx_packets() - rx0, 3ul);
	close(s);
	tt_close(&t);
}

static void set_offloads(struct tt *t, uint32_t offloads, uint32_t want,
			 uint32_t max_packet_size)
{
	int r = sqn_set_offloads(t->net, offloads);

	CHECK_MSG(!r, "sqn_set_offloads(0x%x): %s: %s", offloads,
		  sqn_strerror(r), sqn_last_error(t->net));
	sqn_info(t->net, &t->info);
	t->hdr = t->info.vnet_hdr_len;
	CHECK_EQ(t->info.offloads, want);
	CHECK_EQ(t->hdr, want & SQN_OFFLOAD_VNET_HDR ? HDR : 0);
	CHECK_EQ(t->info.max_packet_size, max_packet_size);
	CHECK_EQ(t->info.mtu, 1500);
	CHECK_EQ(t->info.offloads_avail, ALL_OFFLOADS);
}

/* A VMM opens first and learns the guest's features later: plain frames
 * flow, then the header and TSO come on, then go off again, on one TCP
 * connection. */
TEST(tso_switched_on_after_traffic_moves_large_frames_both_ways)
{
	struct sqn_stats st;
	struct conn c;
	struct tt t;

	tt_open(&t, IFF_VNET_HDR, 0);
	CHECK_EQ(t.hdr, 0);
	CHECK_EQ(t.info.offloads, 0);
	CHECK_EQ(t.info.max_packet_size, 1514);
	CHECK_EQ(t.info.offloads_avail, ALL_OFFLOADS);
	tt_arp(&t);
	tt_ping(&t, 1, 56);
	conn_open(&t, &c);
	conn_send(&t, &c, 1000);
	CHECK_EQ(conn_recv(&t, &c, 20000), 0);
	/* The kernel segmented: no frame above max_packet_size came. */
	sqn_stats(t.net, &st);
	CHECK_EQ(st.rx_dropped + st.rx_large + st.tx_large, 0);

	set_offloads(&t, TSO4_ON, TSO4_ON, GSO_MAX);
	tt_ping(&t, 2, 56);
	conn_send(&t, &c, 10000);
	CHECK(conn_recv(&t, &c, 60000) > 0);
	sqn_stats(t.net, &st);
	CHECK(st.rx_large > 0);
	CHECK(st.tx_large > 0);

	/* Back to plain frames: none above 1514 either way. */
	set_offloads(&t, 0, 0, 1514);
	tt_ping(&t, 3, 56);
	CHECK_EQ(conn_recv(&t, &c, 20000), 0);
	memset(tt_frame, 0, 10000);
	tt_eth(tt_frame, t.tap_mac, 0x0800);
	tt_send(&t, tt_frame, 10000);
	sqn_stats(t.net, &st);
	CHECK_EQ(st.tx_dropped, 1);
	/* Not rx_dropped: a TSO retransmission the kernel queued before the
	 * switch is dropped as too long (documented). */
	CHECK_EQ(st.rx_errors + st.tx_errors, 0);
	close(c.s);
	tt_close(&t);
}

/* The header without offloads, then checksum offload only. */
TEST(header_switched_on_alone_then_with_checksum_offload)
{
	struct tt t;

	tt_open(&t, IFF_VNET_HDR, 0);
	tt_arp(&t);
	set_offloads(&t, SQN_OFFLOAD_VNET_HDR, SQN_OFFLOAD_VNET_HDR, 1514);
	tt_ping(&t, 1, 56);
	/* Offloads without the header, or TSO without CSUM, are nothing. */
	set_offloads(&t, SQN_OFFLOAD_CSUM | SQN_OFFLOAD_TSO4, 0, 1514);
	tt_ping(&t, 2, 56);
	set_offloads(&t, SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_TSO4,
		     SQN_OFFLOAD_VNET_HDR, 1514);
	set_offloads(&t, SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM,
		     SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM, 1514);
	tt_ping(&t, 3, 56);
	CHECK_EQ(sqn_set_offloads(t.net, 1u << 7), -EINVAL);
	CHECK_MSG(strstr(sqn_last_error(t.net), "unknown bits 0x80"), "%s",
		  sqn_last_error(t.net));
	sqn_info(t.net, &t.info);
	CHECK_EQ(t.info.offloads, SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM);
	tt_close(&t);
}

/* Nothing to switch on a TAP made without IFF_VNET_HDR. */
TEST(tap_without_vnet_hdr_refuses_the_header)
{
	struct tt t;

	tt_open(&t, 0, 0);
	CHECK_EQ(t.info.offloads_avail, 0);
	tt_arp(&t);
	CHECK_EQ(sqn_set_offloads(t.net, TSO4_ON), -ENOTSUP);
	CHECK_EQ(errno, ENOTSUP);
	CHECK_MSG(strstr(sqn_last_error(t.net), "without IFF_VNET_HDR"), "%s",
		  sqn_last_error(t.net));
	CHECK_EQ(sqn_set_offloads(t.net, 0), 0);
	sqn_info(t.net, &t.info);
	CHECK_EQ(t.info.vnet_hdr_len, 0);
	CHECK_EQ(t.info.offloads, 0);
	tt_ping(&t, 1, 56);
	tt_close(&t);
}

/* Loopback and stream carry no header: any offload is -ENOTSUP, none is
 * fine, and sqn_info says so. */
TEST(loopback_and_stream_refuse_offloads)
{
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *net;
	int sp[2], i;

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
	for (i = 0; i < 2; i++) {
		sqn_config_init(&cfg);
		cfg.mode = i ? SQN_MODE_STREAM : SQN_MODE_LOOPBACK;
		cfg.peer_fd = i ? sp[0] : -1;
		cfg.offloads = TSO4_ON;
		CHECK_MSG(!sqn_open(&cfg, &net), "%s", sqn_last_error(NULL));
		sqn_info(net, &info);
		CHECK_EQ(info.offloads_avail, 0);
		CHECK_EQ(info.offloads, 0);
		CHECK_EQ(sqn_set_offloads(net, SQN_OFFLOAD_VNET_HDR), -ENOTSUP);
		CHECK_MSG(strstr(sqn_last_error(net), "no virtio-net header"),
			  "%s", sqn_last_error(net));
		CHECK_EQ(sqn_set_offloads(net, SQN_OFFLOAD_CSUM), -ENOTSUP);
		CHECK_EQ(sqn_set_offloads(net, 0), 0);
		CHECK_EQ(sqn_set_offloads(net, 1u << 9), -EINVAL);
		sqn_info(net, &info);
		CHECK_EQ(info.vnet_hdr_len, 0);
		sqn_close(net);
	}
	CHECK_EQ(sqn_set_offloads(NULL, 0), -EINVAL);
	close(sp[0]);
	close(sp[1]);
}

/* The network plane's own TAP (bridged onto a bridge of the test's)
 * switches as well. */
TEST(bridged_attachment_switches_offloads)
{
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *net;

	tt_ns_new();
	CHECK(!system(
		"ip link add sqtbr0 type bridge && ip link set sqtbr0 up"));
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_BRIDGED;
	cfg.bridged_iface = "sqtbr0";
	CHECK_MSG(!sqn_open(&cfg, &net), "%s", sqn_last_error(NULL));
	sqn_info(net, &info);
	CHECK_EQ(info.offloads_avail, ALL_OFFLOADS);
	CHECK_EQ(info.vnet_hdr_len, 0);
	CHECK_MSG(!sqn_set_offloads(net, TSO4_ON), "%s", sqn_last_error(net));
	sqn_info(net, &info);
	CHECK_EQ(info.offloads, TSO4_ON);
	CHECK_EQ(info.vnet_hdr_len, HDR);
	CHECK_EQ(info.max_packet_size, GSO_MAX);
	CHECK(!sqn_set_offloads(net, 0));
	sqn_info(net, &info);
	CHECK_EQ(info.offloads, 0);
	CHECK_EQ(info.max_packet_size, 1514);
	sqn_close(net);
}
