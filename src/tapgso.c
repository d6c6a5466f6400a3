// SPDX-License-Identifier: MIT
/* tapgso.c - a TAP's offloaded frames made complete for a caller without
 * offloads
 *
 * A caller that takes no virtio-net header (a QEMU stream client, a VMM
 * whose guest has no offloads) needs every frame whole: at most its MTU,
 * every checksum filled in. The kernel hands such frames one read() each,
 * and a TCP download of 64 KiB is 45 of them. With the TAP's offloads on,
 * the kernel hands the same 64 KiB in one read() as a TSO frame, or a
 * frame with the checksum left to finish: this file does what the
 * kernel's software GSO would have done (skb_segment(), tcp_gso_segment()),
 * into the caller's buffers, so the data path reads once per 64 KiB.
 * Only what the TAP was told it may get arrives: TCP over IPv4 and IPv6
 * (TUN_F_TSO4, TUN_F_TSO6) and partial checksums (TUN_F_CSUM); anything
 * else the header asks for is refused, and the frame dropped.
 */
#include <errno.h>
#include <string.h>

#include "csum.h"
#include "tapgso.h"

#define ETH_HLEN 14
#define L3 ETH_HLEN
/* struct virtio_net_hdr: flags, gso_type, hdr_len, gso_size,
 * csum_start, csum_offset (little-endian) */
#define VNET_F_NEEDS_CSUM 1
#define VNET_GSO_NONE 0
#define VNET_GSO_TCPV4 1
#define VNET_GSO_TCPV6 4
#define VNET_GSO_ECN 0x80
#define VLAN_CTAG 0x8100
#define VLAN_STAG 0x88a8
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v & 0xffff);
}

/* Finish a partial checksum: the sum from @start to the end, stored at
 * @start + @off (the field holds the pseudo-header's sum already). */
static int csum_finish(uint8_t *frame, size_t len, size_t start, size_t off)
{
	uint16_t c;

	if (start >= len || off > len - start || len - start - off < 2)
		return -EINVAL;
	c = (uint16_t)~csum_fold(csum_add(0, frame + start, len - start));
	/* UDP sends a sum of 0 as 0xffff (RFC 768); TCP's is never 0 then. */
	if (!c)
		c = 0xffff;
	memcpy(frame + start + off, &c, 2);
	return 0;
}

/**
 * tapgso_start() - look at a frame the kernel handed with its header
 * @g:		set up to cut @frame when it is a TSO frame
 * @vhdr:	its virtio-net header (12 bytes)
 * @frame:	the frame: a partial checksum is finished in place
 * @len:	its length
 *
 * Return: 0 when @frame is complete now (@g->frame NULL), 1 when it is
 * to be cut with tapgso_next(), or -EINVAL for a header that does not
 * fit the frame or asks for what the TAP was not offered.
 */
int tapgso_start(struct tapgso *g, const uint8_t *vhdr, uint8_t *frame,
		 size_t len)
{
	uint8_t type = vhdr[1] & (uint8_t)~VNET_GSO_ECN;
	size_t start = le16(vhdr + 6), doff, l3 = L3, l3end, iplen;
	uint16_t eth;
	int tags;

	g->frame = NULL;
	if (type == VNET_GSO_NONE)
		return vhdr[0] & VNET_F_NEEDS_CSUM ?
			       csum_finish(frame, len, start, le16(vhdr + 8)) :
			       0;
	if ((type != VNET_GSO_TCPV4 && type != VNET_GSO_TCPV6) ||
	    !le16(vhdr + 4) || len < L3 + 8 + 40)
		return -EINVAL;
	/* A VLAN device on the TAP, or a bridge tagging its port, puts the
	 * tags in the frame (tun takes none aside). */
	eth = be16(frame + 12);
	for (tags = 0; tags < 2 && (eth == VLAN_CTAG || eth == VLAN_STAG);
	     tags++) {
		eth = be16(frame + l3 + 2);
		l3 += 4;
	}
	g->v6 = type == VNET_GSO_TCPV6;
	/* The IP header is what the type says, its length the frame's (a
	 * read cut short is not cut up), TCP where the checksum starts,
	 * behind the IP header (IPv6's extension headers may lie between),
	 * and the frame longer than its headers. */
	l3end = l3 + (g->v6 ? 40 : (size_t)(frame[l3] & 0x0f) * 4);
	iplen = g->v6 ? (size_t)be16(frame + l3 + 4) + 40 :
			be16(frame + l3 + 2);
	if (eth != (g->v6 ? 0x86dd : 0x0800) ||
	    frame[l3] >> 4 != (g->v6 ? 6 : 4) || l3end < l3 + 20 ||
	    iplen != len - l3 || start < l3end || start + 20 > len)
		return -EINVAL;
	doff = (size_t)(frame[start + 12] >> 4) * 4;
	if (doff < 20 || start + doff >= len || start + doff > TAPGSO_HDRS_MAX)
		return -EINVAL;
	g->frame = frame;
	g->len = len;
	g->l3 = l3;
	g->l4 = start;
	g->hlen = start + doff;
	g->mss = le16(vhdr + 4);
	g->off = 0;
	g->segs = 0;
	return 1;
}

/**
 * tapgso_left() - segments of the TSO frame not handed out yet
 * @g:		from tapgso_start()
 *
 * Return: how many, 0 when none is being cut.
 */
unsigned int tapgso_left(const struct tapgso *g)
{
	if (!g->frame)
		return 0;
	return (unsigned int)((g->len - g->hlen - g->off + g->mss - 1) /
			      g->mss);
}

/**
 * tapgso_next() - the next segment of the TSO frame being cut
 * @g:		from tapgso_start() (1)
 * @hdr:	set to the segment's headers, its checksums complete
 * @payload:	set to its payload, in the frame
 * @plen:	set to its length
 *
 * Each segment carries the frame's headers with its own IP length (IPv4:
 * its ID, the first one's plus its number, and header checksum), its
 * sequence number, FIN and PSH on the last only, CWR on the first only,
 * and its whole TCP checksum. After the last, @g->frame is NULL.
 *
 * Return: bytes of @hdr, or 0 when there is no segment left.
 */
size_t tapgso_next(struct tapgso *g, uint8_t hdr[TAPGSO_HDRS_MAX],
		   const uint8_t **payload, size_t *plen)
{
	size_t left, n, tcp_len;
	uint8_t *ip = hdr + g->l3, *tcp = hdr + g->l4;
	uint16_t c;
	uint64_t sum;

	if (!g->frame)
		return 0;
	left = g->len - g->hlen - g->off;
	n = left < g->mss ? left : g->mss;
	memcpy(hdr, g->frame, g->hlen);
	*payload = g->frame + g->hlen + g->off;
	*plen = n;
	tcp_len = g->hlen - g->l4 + n;
	if (g->v6) {
		put_be16(ip + 4, g->hlen - g->l3 - 40 + n);
	} else {
		put_be16(ip + 2, g->hlen - g->l3 + n);
		put_be16(ip + 4, be16(ip + 4) + g->segs);
		memset(ip + 10, 0, 2);
		c = (uint16_t)~csum_fold(
			csum_add(0, ip, (size_t)(ip[0] & 0x0f) * 4));
		memcpy(ip + 10, &c, 2);
	}
	put_be32(tcp + 4, be32(tcp + 4) + (uint32_t)g->off);
	if (g->off)
		tcp[13] &= (uint8_t)~TCP_CWR;
	if (n < left)
		tcp[13] &= (uint8_t) ~(TCP_FIN | TCP_PSH);
	memset(tcp + 16, 0, 2);
	sum = csum_pseudo(g->v6, ip, tcp_len);
	sum = csum_add(sum, tcp, g->hlen - g->l4);
	c = (uint16_t)~csum_fold(csum_add(sum, *payload, n));
	memcpy(tcp + 16, &c, 2);
	g->off += n;
	g->segs++;
	if (g->off == g->len - g->hlen)
		g->frame = NULL;
	return g->hlen;
}
