// SPDX-License-Identifier: MIT
/* test_tcpmerge.c - joining TCP segments into one TSO frame (tcpmerge.h),
 * from memory: what joins, what the joined frame says, what never joins */
#include <string.h>

#include "harness.h"
#include "taptest.h"
#include "tcpmerge.h"

#define MSS 1448
#define SEG_MAX (14 + 40 + 60 + MSS)

static uint8_t seg[70][SEG_MAX];

static uint32_t pseudo(const uint8_t *ip, size_t tcp_len)
{
	return tt_sum16(ip + 12, 8, 6 + (uint32_t)tcp_len);
}

static uint32_t pseudo6(const uint8_t *ip6, size_t tcp_len)
{
	return tt_sum16(ip6 + 8, 32, 6 + (uint32_t)tcp_len);
}

/* A segment of @paylen bytes at @seq, flags @flags, 12 bytes of
 * timestamp option, checksums right; over IPv4 (DF), or with @v6 over
 * IPv6 (flow label 0x12345, hop limit 64, no extension headers).
 * Return: its length. */
static size_t mkseg_ip(int v6, uint8_t *f, uint32_t seq, uint8_t flags,
		       size_t paylen)
{
	static const uint8_t opt[12] = { 1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9 };
	size_t l4 = v6 ? 54 : 34, tlen = 32 + paylen, i;
	uint8_t *ip = f + 14, *th = f + l4;

	memset(f, 0, l4 + 32);
	memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	if (v6) {
		tt_put16(f + 12, 0x86dd);
		memcpy(ip, "\x60\x01\x23\x45", 4);
		tt_put16(ip + 4, (uint32_t)tlen);
		ip[6] = 6;
		ip[7] = 64;
		ip[8] = 0xfd;
		ip[23] = 2;
		ip[24] = 0xfd;
		ip[39] = 1;
	} else {
		tt_put16(f + 12, 0x0800);
		ip[0] = 0x45;
		tt_put16(ip + 2, (uint32_t)(20 + tlen));
		tt_put16(ip + 4, seq / MSS); /* the ID may differ (DF) */
		ip[6] = 0x40;
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, "\x0a\x00\x00\x02\x0a\x00\x00\x01", 8);
		tt_put16(ip + 10, (uint16_t)~tt_fold(tt_sum16(ip, 20, 0)));
	}
	tt_put16(th, 40000);
	tt_put16(th + 2, 5201);
	tt_put16(th + 4, seq >> 16);
	tt_put16(th + 6, seq & 0xffff);
	tt_put16(th + 8, 0x1234);
	tt_put16(th + 10, 0x5678);
	th[12] = 8 << 4;
	th[13] = flags;
	tt_put16(th + 14, 502);
	memcpy(th + 20, opt, 12);
	for (i = 0; i < paylen; i++)
		th[32 + i] = (uint8_t)(seq + i);
	tt_put16(th + 16,
		 (uint16_t)~tt_fold(tt_sum16(
			 th, tlen, v6 ? pseudo6(ip, tlen) : pseudo(ip, tlen))));
	return l4 + tlen;
}

static size_t mkseg(uint8_t *f, uint32_t seq, uint8_t flags, size_t paylen)
{
	return mkseg_ip(0, f, seq, flags, paylen);
}

static size_t mkseg6(uint8_t *f, uint32_t seq, uint8_t flags, size_t paylen)
{
	return mkseg_ip(1, f, seq, flags, paylen);
}

/* The IPv4 header checksum of @ip is right. */
static int ip_ok(const uint8_t *ip)
{
	return tt_fold(tt_sum16(ip, 20, 0)) == 0xffff;
}

/* Four segments (the last short, with PSH) of IPv4 or, with @v6, IPv6
 * join; the frame says how to cut them, its lengths and checksums are
 * right once a device finishes it as told. */
static void check_join(int v6)
{
	size_t l4 = v6 ? 54 : 34, hl = l4 + 32, len[4], i, tlen;
	struct tcpmerge m;
	uint8_t *v = m.hdr, *ip = m.hdr + 12 + 14, *th = m.hdr + 12 + l4;
	static uint8_t whole[65536];
	uint16_t c;

	for (i = 0; i < 4; i++)
		len[i] = mkseg_ip(v6, seg[i], 1000 + (uint32_t)(i * MSS),
				  i == 3 ? 0x18 : 0x10, i == 3 ? 100 : MSS);
	CHECK_EQ(tcpmerge_start(&m, seg[0], len[0]), 1);
	for (i = 1; i < 4; i++)
		CHECK_EQ(tcpmerge_add(&m, seg[i], len[i]), 1);
	tcpmerge_finish(&m);
	CHECK_EQ(m.segs, 4u);
	CHECK_EQ(m.l4end, hl);
	CHECK_EQ(m.hdr_len, 12u + hl);
	/* virtio_net_hdr: NEEDS_CSUM, GSO_TCPV4 (1) or GSO_TCPV6 (4),
	 * hdr_len, gso_size, csum_start, csum_offset, little-endian. */
	CHECK_EQ(v[0], 1);
	CHECK_EQ(v[1], v6 ? 4 : 1);
	CHECK_EQ(v[2] | v[3] << 8, hl);
	CHECK_EQ(v[4] | v[5] << 8, MSS);
	CHECK_EQ(v[6] | v[7] << 8, l4);
	CHECK_EQ(v[8] | v[9] << 8, 16);
	tlen = 32 + 3 * MSS + 100;
	if (v6) {
		CHECK_EQ(ip[4] << 8 | ip[5], (int)tlen); /* payload length */
		CHECK_EQ(ip[1], 0x01); /* the flow label kept */
	} else {
		CHECK_EQ(ip[2] << 8 | ip[3], (int)(20 + tlen));
		CHECK(ip_ok(ip));
	}
	CHECK_EQ(th[13], 0x18); /* the last one's PSH */
	/* Finished as a device would, the checksum is right. */
	memcpy(whole, th, 32);
	for (i = 0; i < 4; i++)
		memcpy(whole + 32 + i * MSS, seg[i] + hl, len[i] - hl);
	c = (uint16_t)~tt_fold(tt_sum16(whole, tlen, 0));
	tt_put16(whole + 16, c);
	c = tt_fold(v6 ? pseudo6(ip, tlen) : pseudo(ip, tlen));
	CHECK_EQ(tt_fold(tt_sum16(whole, tlen, c)), 0xffff);
	/* The partial sum is the pseudo-header's, in network order. */
	CHECK_EQ(th[16] << 8 | th[17], c);
}

TEST(consecutive_segments_join_and_the_frame_says_how_to_cut_them)
{
	check_join(0);
}

TEST(what_does_not_continue_the_run_is_left_alone)
{
	struct tcpmerge m;
	size_t l0, l;
	int i;

	l0 = mkseg(seg[0], 5000, 0x10, MSS);
	/* 0: a gap; 1: an older one; 2: another ack; 3: SYN; 4: FIN;
	 * 5: bad TCP checksum; 6: bad IP checksum; 7: another port;
	 * 8: a longer one; 9: a window change; 10: another timestamp. */
	for (i = 0; i < 11; i++) {
		uint32_t seq = i == 0 ? 5000 + 2 * MSS :
			       i == 1 ? 5000 :
					5000 + MSS;
		uint8_t fl = i == 3 ? 0x12 : i == 4 ? 0x11 : 0x10;

		l = mkseg(seg[1], seq, fl, i == 8 ? MSS + 1 : MSS);
		if (i == 2)
			seg[1][34 + 11]++;
		if (i == 5)
			seg[1][100]++;
		if (i == 6)
			seg[1][14 + 8]--; /* TTL */
		if (i == 7)
			seg[1][34 + 1]++;
		if (i == 9)
			seg[1][34 + 15]++;
		if (i == 10)
			seg[1][34 + 27]++;
		CHECK_EQ(tcpmerge_start(&m, seg[0], l0), 1);
		CHECK_MSG(tcpmerge_add(&m, seg[1], l) == 0, "case %d joined",
			  i);
	}
	/* Nothing follows a short segment, or one with PSH. */
	CHECK_EQ(tcpmerge_start(&m, seg[0], mkseg(seg[0], 0, 0x10, MSS)), 1);
	CHECK_EQ(tcpmerge_add(&m, seg[1], mkseg(seg[1], MSS, 0x10, 100)), 1);
	CHECK_EQ(tcpmerge_add(&m, seg[2], mkseg(seg[2], MSS + 100, 0x10, 100)),
		 0);
	CHECK_EQ(tcpmerge_start(&m, seg[0], mkseg(seg[0], 0, 0x18, MSS)), 1);
	CHECK_EQ(tcpmerge_add(&m, seg[1], mkseg(seg[1], MSS, 0x10, MSS)), 0);
}

TEST(frames_that_cannot_start_a_run)
{
	struct tcpmerge m;
	size_t l = mkseg(seg[0], 0, 0x10, MSS);

	CHECK_EQ(tcpmerge_start(&m, seg[0], mkseg(seg[0], 0, 0x10, 0)), 0);
	seg[0][12] = 0x86; /* IPv6 */
	seg[0][13] = 0xdd;
	CHECK_EQ(tcpmerge_start(&m, seg[0], l), 0);
	l = mkseg(seg[0], 0, 0x10, MSS);
	seg[0][20] = 0x00; /* no DF */
	CHECK_EQ(tcpmerge_start(&m, seg[0], l), 0);
	l = mkseg(seg[0], 0, 0x10, MSS);
	CHECK_EQ(tcpmerge_start(&m, seg[0], l + 4), 0); /* padded */
	l = mkseg(seg[0], 0, 0x11, MSS);
	CHECK_EQ(tcpmerge_start(&m, seg[0], l), 0); /* FIN */
	l = mkseg(seg[0], 0, 0x90, MSS);
	CHECK_EQ(tcpmerge_start(&m, seg[0], l), 0); /* CWR */
}

TEST(a_joined_frame_stays_within_an_ipv4_datagram)
{
	struct tcpmerge m;
	unsigned int i;

	CHECK_EQ(tcpmerge_start(&m, seg[0], mkseg(seg[0], 0, 0x10, MSS)), 1);
	for (i = 1; i < 70; i++)
		if (!tcpmerge_add(&m, seg[i],
				  mkseg(seg[i], i * MSS, 0x10, MSS)))
			break;
	/* 45 * 1448 + 52 fits 65535; a 46th does not. */
	CHECK_EQ(i, 45u);
	CHECK(m.l4end - 14 + m.payload <= 65535);
}

TEST(hostile_lengths_and_offsets_are_refused_not_read_past)
{
	struct tcpmerge m;
	size_t len, l0 = mkseg(seg[0], 0, 0x10, MSS);

	for (len = 0; len < 100; len++) {
		mkseg(seg[1], 0, 0x10, MSS);
		tt_put16(seg[1] + 16, (uint32_t)(len - 14));
		CHECK_EQ(tcpmerge_start(&m, seg[1], len), 0);
	}
	mkseg(seg[1], 0, 0x10, 10);
	seg[1][46] = 0xf0; /* doff 60: past the frame's end */
	CHECK_EQ(tcpmerge_start(&m, seg[1], 14 + 20 + 42), 0);
	seg[1][46] = 0x40; /* doff 16: below a TCP header */
	CHECK_EQ(tcpmerge_start(&m, seg[1], 14 + 20 + 42), 0);
	CHECK_EQ(tcpmerge_start(&m, seg[0], l0), 1);
	/* A frame shorter than the run's headers. */
	CHECK_EQ(tcpmerge_add(&m, seg[1], 40), 0);
	CHECK_EQ(tcpmerge_add(&m, seg[1], 66), 0);
}

TEST(ipv6_segments_join_into_a_tcpv6_frame)
{
	check_join(1);
}

TEST(ipv6_what_does_not_continue_the_run_is_left_alone)
{
	struct tcpmerge m;
	size_t l0, l;
	int i;

	l0 = mkseg6(seg[0], 5000, 0x10, MSS);
	/* 0: a gap; 1: another flow label; 2: another hop limit; 3: another
	 * source; 4: bad TCP checksum; 5: an IPv4 segment; 6: another ack;
	 * 7: a payload length that is not the frame's. */
	for (i = 0; i < 8; i++) {
		l = i == 5 ? mkseg(seg[1], 5000 + MSS, 0x10, MSS) :
			     mkseg6(seg[1], i ? 5000 + MSS : 5000 + 2 * MSS,
				    0x10, MSS);
		if (i == 1)
			seg[1][14 + 3]++;
		if (i == 2)
			seg[1][14 + 7]--;
		if (i == 3)
			seg[1][14 + 20]++;
		if (i == 4)
			seg[1][120]++;
		if (i == 6)
			seg[1][54 + 11]++;
		if (i == 7)
			tt_put16(seg[1] + 18, (uint32_t)(l - 54 - 1));
		CHECK_EQ(tcpmerge_start(&m, seg[0], l0), 1);
		CHECK_MSG(tcpmerge_add(&m, seg[1], l) == 0, "case %d joined",
			  i);
	}
	/* An IPv4 run takes no IPv6 segment either. */
	CHECK_EQ(tcpmerge_start(&m, seg[0], mkseg(seg[0], 0, 0x10, MSS)), 1);
	CHECK_EQ(tcpmerge_add(&m, seg[1], mkseg6(seg[1], MSS, 0x10, MSS)), 0);
}

TEST(ipv6_frames_that_cannot_start_a_run)
{
	struct tcpmerge m;
	size_t l, len;

	l = mkseg6(seg[0], 0, 0x10, MSS);
	seg[0][14 + 6] = 0; /* a hop-by-hop extension header */
	CHECK_EQ(tcpmerge_start(&m, seg[0], l), 0);
	l = mkseg6(seg[0], 0, 0x10, MSS);
	CHECK_EQ(tcpmerge_start(&m, seg[0], l + 4), 0); /* padded */
	l = mkseg6(seg[0], 0, 0x12, MSS);
	CHECK_EQ(tcpmerge_start(&m, seg[0], l), 0); /* SYN */
	l = mkseg6(seg[0], 0, 0x10, MSS);
	seg[0][14] = 0x40; /* version 4 in an IPv6 ethertype */
	CHECK_EQ(tcpmerge_start(&m, seg[0], l), 0);
	for (len = 0; len < 120; len++) {
		mkseg6(seg[1], 0, 0x10, MSS);
		tt_put16(seg[1] + 18, (uint32_t)(len - 54));
		CHECK_EQ(tcpmerge_start(&m, seg[1], len), 0);
	}
	mkseg6(seg[1], 0, 0x10, 10);
	seg[1][54 + 12] = 0xf0; /* doff 60: past the frame's end */
	CHECK_EQ(tcpmerge_start(&m, seg[1], 54 + 42), 0);
}

TEST(a_joined_frame_stays_within_an_ipv6_payload_length)
{
	struct tcpmerge m;
	unsigned int i;

	CHECK_EQ(tcpmerge_start(&m, seg[0], mkseg6(seg[0], 0, 0x10, MSS)), 1);
	for (i = 1; i < 70; i++)
		if (!tcpmerge_add(&m, seg[i],
				  mkseg6(seg[i], i * MSS, 0x10, MSS)))
			break;
	/* 32 + 45 * 1448 fits 65535; a 46th does not. */
	CHECK_EQ(i, 45u);
	CHECK(m.l4end - 54 + m.payload <= 65535);
}
