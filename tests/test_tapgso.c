// SPDX-License-Identifier: MIT
/* test_tapgso.c - a TAP's TSO frames cut into complete segments and
 * partial checksums finished (tapgso.h), from memory */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "taptest.h"
#include "tapgso.h"

#define MSS 1448

static uint8_t frame[65536 + 256];
static uint8_t whole[65536];

/* The pseudo-header's sum for @tlen bytes of TCP behind @ip. */
static uint32_t pseudo(int v6, const uint8_t *ip, size_t tlen)
{
	return v6 ? tt_sum16(ip + 8, 32, 6 + (uint32_t)tlen) :
		    tt_sum16(ip + 12, 8, 6 + (uint32_t)tlen);
}

/* A TSO frame as the kernel hands it: @paylen bytes from @seq with TCP
 * flags @flags, 12 bytes of options, over IPv4 (ID 100) or IPv6; @vhdr
 * set (NEEDS_CSUM, GSO_TCPV4/6, gso_size MSS). Return: its length. */
static size_t mktso(int v6, uint8_t *vhdr, uint32_t seq, uint8_t flags,
		    size_t paylen)
{
	size_t l4 = v6 ? 54 : 34, tlen = 32 + paylen, i;
	uint8_t *ip = frame + 14, *th = frame + l4;

	memset(frame, 0, l4 + 32);
	memcpy(frame, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	if (v6) {
		tt_put16(frame + 12, 0x86dd);
		ip[0] = 0x60;
		tt_put16(ip + 4, (uint32_t)tlen);
		ip[6] = 6;
		ip[7] = 64;
		ip[8] = 0xfd;
		ip[23] = 1;
		ip[24] = 0xfd;
		ip[39] = 2;
	} else {
		tt_put16(frame + 12, 0x0800);
		ip[0] = 0x45;
		tt_put16(ip + 2, (uint32_t)(20 + tlen));
		tt_put16(ip + 4, 100);
		ip[6] = 0x40;
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	}
	tt_put16(th, 5201);
	tt_put16(th + 2, 40000);
	tt_put16(th + 4, seq >> 16);
	tt_put16(th + 6, seq & 0xffff);
	th[12] = 8 << 4;
	th[13] = flags;
	tt_put16(th + 14, 502);
	memcpy(th + 20, "\x01\x01\x08\x0a\x00\x00\x00\x07\x00\x00\x00\x09", 12);
	for (i = 0; i < paylen; i++)
		th[32 + i] = (uint8_t)(i * 13 + i / 251);
	/* CHECKSUM_PARTIAL: the field holds the pseudo-header's sum. */
	tt_put16(th + 16, tt_fold(pseudo(v6, ip, tlen)));
	memset(vhdr, 0, 12);
	vhdr[0] = 1;
	vhdr[1] = v6 ? 4 : 1;
	vhdr[2] = (uint8_t)(l4 + 32);
	tt_put16(vhdr + 4, 0); /* gso_size, little-endian */
	vhdr[4] = MSS & 0xff;
	vhdr[5] = MSS >> 8;
	vhdr[6] = (uint8_t)l4;
	vhdr[8] = 16;
	return l4 + tlen;
}

/* Cut @len bytes of TSO frame and check every segment: complete, its
 * checksums right, its sequence, ID and flags; the payloads, joined, are
 * the frame's. Return: segments. */
static unsigned int cut(int v6, const uint8_t *vhdr, size_t len, uint32_t seq,
			uint8_t flags)
{
	size_t l4 = v6 ? 54 : 34, got = 0, hlen, plen, tlen;
	uint8_t hdr[TAPGSO_HDRS_MAX], seg[2048];
	const uint8_t *payload;
	struct tapgso g;
	unsigned int n = 0;

	CHECK_EQ(tapgso_start(&g, vhdr, frame, len), 1);
	while ((hlen = tapgso_next(&g, hdr, &payload, &plen))) {
		uint8_t *ip = seg + 14, *th = seg + l4;
		int last = got + plen == len - l4 - 32;

		CHECK_EQ(hlen, l4 + 32);
		CHECK(plen <= MSS && plen > 0);
		CHECK(last || plen == MSS);
		memcpy(seg, hdr, hlen);
		memcpy(seg + hlen, payload, plen);
		tlen = 32 + plen;
		if (v6) {
			CHECK_EQ(ip[4] << 8 | ip[5], (int)tlen);
		} else {
			CHECK_EQ(ip[2] << 8 | ip[3], (int)(20 + tlen));
			CHECK_EQ(ip[4] << 8 | ip[5], (int)(100 + n));
			CHECK_EQ(tt_fold(tt_sum16(ip, 20, 0)), 0xffff);
		}
		CHECK_EQ(tt_fold(tt_sum16(th, tlen, pseudo(v6, ip, tlen))),
			 0xffff);
		CHECK_EQ(tt_get32(th + 4), seq + (uint32_t)got);
		CHECK_EQ(th[13] & 0x09, last ? flags & 0x09 : 0); /* FIN, PSH */
		CHECK_EQ(th[13] & 0x80, n ? 0 : flags & 0x80); /* CWR */
		memcpy(whole + got, payload, plen);
		got += plen;
		n++;
	}
	CHECK(g.frame == NULL);
	CHECK_EQ(got, len - l4 - 32);
	CHECK(!memcmp(whole, frame + l4 + 32, got));
	return n;
}

TEST(a_tso_frame_is_cut_into_complete_segments)
{
	uint8_t vhdr[12];
	size_t len;

	/* 44 full segments and a short one; PSH and FIN on the last,
	 * CWR on the first only. */
	len = mktso(0, vhdr, 7000, 0x99, 44 * MSS + 100);
	CHECK_EQ(cut(0, vhdr, len, 7000, 0x99), 45u);
	len = mktso(1, vhdr, 0xfffff000u, 0x18, 10 * MSS);
	CHECK_EQ(cut(1, vhdr, len, 0xfffff000u, 0x18), 10u);
	/* One segment's worth: one segment. */
	len = mktso(0, vhdr, 1, 0x10, 10);
	CHECK_EQ(cut(0, vhdr, len, 1, 0x10), 1u);
}

TEST(a_partial_checksum_is_finished_in_place)
{
	uint8_t vhdr[12];
	struct tapgso g;
	size_t len;

	len = mktso(0, vhdr, 1, 0x18, 1000);
	vhdr[1] = 0; /* no GSO, NEEDS_CSUM at 34 + 16 */
	CHECK_EQ(tapgso_start(&g, vhdr, frame, len), 0);
	CHECK(g.frame == NULL);
	CHECK_EQ(tt_fold(tt_sum16(frame + 34, len - 34,
				  pseudo(0, frame + 14, len - 34))),
		 0xffff);
	/* Without NEEDS_CSUM nothing is touched. */
	len = mktso(1, vhdr, 1, 0x18, 1000);
	memset(vhdr, 0, 12);
	CHECK_EQ(tapgso_start(&g, vhdr, frame, len), 0);
	CHECK_EQ(frame[54 + 16] << 8 | frame[54 + 17],
		 tt_fold(pseudo(1, frame + 14, len - 54)));
}

TEST(headers_that_do_not_fit_the_frame_are_refused)
{
	uint8_t vhdr[12];
	struct tapgso g;
	size_t len;
	int i;

	/* 0: UDP (UFO); 1: gso_size 0; 2: TCPv4 over an IPv6 frame; 3:
	 * csum_start past the end; 4: a TCP header longer than the frame;
	 * 5: csum_start inside the IP header; 6: a partial checksum whose
	 * field is past the end; 7: an IPv4 header length of 4. */
	for (i = 0; i < 8; i++) {
		len = mktso(i == 2, vhdr, 1, 0x10, 3 * MSS);
		if (i == 0)
			vhdr[1] = 3;
		if (i == 1)
			vhdr[4] = vhdr[5] = 0;
		if (i == 2)
			vhdr[1] = 1;
		if (i == 3)
			tt_put16(vhdr + 6, 0xff7f); /* 0x7fff, little-endian */
		if (i == 4)
			len = 34 + 30;
		if (i == 5)
			vhdr[6] = 20;
		if (i == 6) {
			vhdr[1] = 0;
			vhdr[8] = 0xff;
			vhdr[9] = 0xff;
		}
		if (i == 7)
			frame[14] = 0x41;
		CHECK_MSG(tapgso_start(&g, vhdr, frame, len) < 0,
			  "case %d taken", i);
	}
}

/* mktso()'s frame with an 802.1Q tag (VLAN 7) after the MACs; csum_start
 * moves with it. Return: its length. */
static size_t mktso_tagged(int v6, uint8_t *vhdr, uint32_t seq, size_t paylen)
{
	size_t len = mktso(v6, vhdr, seq, 0x10, paylen);

	memmove(frame + 16, frame + 12, len - 12);
	tt_put16(frame + 12, 0x8100);
	tt_put16(frame + 14, 7);
	vhdr[6] = (uint8_t)(vhdr[6] + 4);
	vhdr[2] = (uint8_t)(vhdr[2] + 4);
	return len + 4;
}

TEST(a_vlan_tagged_tso_frame_is_cut_with_its_tag)
{
	size_t l4, len, hlen, plen, got;
	uint8_t vhdr[12], hdr[TAPGSO_HDRS_MAX];
	const uint8_t *payload;
	struct tapgso g;
	unsigned int v6, n;

	for (v6 = 0; v6 < 2; v6++) {
		l4 = (v6 ? 54 : 34) + 4;
		len = mktso_tagged((int)v6, vhdr, 500, 3 * MSS + 7);
		CHECK_EQ(tapgso_start(&g, vhdr, frame, len), 1);
		CHECK_EQ(tapgso_left(&g), 4u);
		for (n = 0, got = 0;
		     (hlen = tapgso_next(&g, hdr, &payload, &plen)); n++) {
			uint8_t *ip = hdr + 18, *th = hdr + l4;
			size_t tlen = 32 + plen;

			CHECK_EQ(hlen, l4 + 32);
			CHECK_EQ(tt_get16(hdr + 12), 0x8100);
			CHECK_EQ(tt_get16(hdr + 16), v6 ? 0x86dd : 0x0800);
			if (v6) {
				CHECK_EQ(tt_get16(ip + 4), tlen);
			} else {
				CHECK_EQ(tt_get16(ip + 2), 20 + tlen);
				CHECK_EQ(tt_fold(tt_sum16(ip, 20, 0)), 0xffff);
			}
			memcpy(whole, th, 32);
			memcpy(whole + 32, payload, plen);
			CHECK_EQ(tt_fold(tt_sum16(whole, tlen,
						  pseudo((int)v6, ip, tlen))),
				 0xffff);
			CHECK_EQ(tt_get32(th + 4), 500 + (uint32_t)got);
			got += plen;
			CHECK_EQ(tapgso_left(&g), 3 - n);
		}
		CHECK_EQ(n, 4u);
		CHECK_EQ(got, 3 * MSS + 7);
	}
}

/* A read cut short (the IP length says more than the frame has) is not
 * cut up: its last segment would carry FIN at the wrong place. */
TEST(a_frame_shorter_than_its_ip_length_is_refused)
{
	uint8_t vhdr[12];
	struct tapgso g;
	size_t len;

	len = mktso(0, vhdr, 1, 0x19, 5 * MSS);
	CHECK_EQ(tapgso_start(&g, vhdr, frame, len - 100), -EINVAL);
	len = mktso(1, vhdr, 1, 0x19, 5 * MSS);
	CHECK_EQ(tapgso_start(&g, vhdr, frame, len - 1), -EINVAL);
	CHECK_EQ(tapgso_start(&g, vhdr, frame, len), 1);
}
