// SPDX-License-Identifier: MIT
/* tcpmerge.c - consecutive TCP segments (IPv4, IPv6) joined into one TSO
 * frame
 *
 * What the kernel's GRO does to frames it receives, done to a batch of
 * frames before they enter a TAP: a guest without offloads sends 1514-byte
 * frames, and each one written alone travels the host's whole stack
 * (bridge, netfilter, NAT, forwarding, the receiver's TCP) as a packet of
 * its own. Joined, a run of up to 64 segments travels it once, as the
 * kernel's own TSO frames do, and is cut again only where a device needs
 * it. Only what GRO would join is joined (tcp_gro_receive(),
 * inet_gro_receive(), ipv6_gro_receive()): IPv4 without options, DF and no
 * fragment, or IPv6 without extension headers, the same traffic class,
 * flow label and hop limit; TCP with
 * only ACK (PSH on the last), the same addresses, ports, acknowledgment,
 * window and options, each segment starting where the last one ended, all
 * but the last of the first one's size, every checksum right (a segment
 * with a bad one is left alone: the receiver drops it, as it would have).
 */
#include <string.h>

#include "csum.h"
#include "tcpmerge.h"

#define ETH_HLEN 14
#define IP_HLEN 20 /* no options */
#define IP6_HLEN 40 /* no extension headers */
#define L3 ETH_HLEN
#define L4 (ETH_HLEN + IP_HLEN)
#define L4_6 (ETH_HLEN + IP6_HLEN)
#define TCP_ACK 0x10
#define TCP_PSH 0x08
#define IP_DF 0x4000
#define IP_MF_OFFSET 0x3fff
/* virtio_net_hdr: VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
 * VIRTIO_NET_HDR_GSO_TCPV6 */
#define VNET_F_NEEDS_CSUM 1
#define VNET_GSO_TCPV4 1
#define VNET_GSO_TCPV6 4

/* The IPv4 header (IPv6 has no checksum) and the TCP checksum of a frame
 * whose TCP starts at @l4 are right. */
static int csum_ok(int v6, const uint8_t *frame, size_t l4, size_t len)
{
	const uint8_t *ip = frame + L3;

	return (v6 || csum_fold(csum_add(0, ip, IP_HLEN)) == 0xffff) &&
	       csum_fold(csum_add(csum_pseudo(v6, ip, len - l4), frame + l4,
				  len - l4)) == 0xffff;
}

/* Where TCP starts in a frame that can be joined at all: IPv4 without
 * options, DF and no fragment, or IPv6 without extension headers, of
 * TCP, its length field right; 0 for any other frame. */
static size_t tcp_at(const uint8_t *frame, size_t len, int *v6)
{
	const uint8_t *ip = frame + L3;

	if (len >= L4_6 + 20 && be16(frame + 12) == 0x86dd && ip[0] >> 4 == 6 &&
	    be16(ip + 4) == len - L4_6 && ip[6] == 6) {
		*v6 = 1;
		return L4_6;
	}
	*v6 = 0;
	if (len >= L4 + 20 && be16(frame + 12) == 0x0800 && ip[0] == 0x45 &&
	    be16(ip + 2) == len - L3 && ip[9] == 6 &&
	    (be16(ip + 6) & (IP_DF | IP_MF_OFFSET)) == IP_DF)
		return L4;
	return 0;
}

/**
 * tcpmerge_start() - begin a run with @frame, if it can be joined at all
 * @m:		the run
 * @frame:	a complete Ethernet frame, checksums filled in
 * @len:	its length
 *
 * Return: 1 when @frame began the run, 0 when it must go alone.
 */
int tcpmerge_start(struct tcpmerge *m, const uint8_t *frame, size_t len)
{
	const uint8_t *tcp;
	size_t doff, l4;
	int v6;

	l4 = tcp_at(frame, len, &v6);
	if (!l4)
		return 0;
	tcp = frame + l4;
	doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < 20 || l4 + doff >= len || (tcp[13] & ~TCP_PSH) != TCP_ACK ||
	    !csum_ok(v6, frame, l4, len))
		return 0;
	m->v6 = v6;
	m->l4 = l4;
	m->l4end = l4 + doff;
	m->mss = m->payload = len - m->l4end;
	m->segs = 1;
	m->next_seq = be32(tcp + 4) + (uint32_t)m->payload;
	m->psh = (tcp[13] & TCP_PSH) != 0;
	memcpy(m->hdr + TCPMERGE_VNET_LEN, frame, m->l4end);
	return 1;
}

/* @a and @b agree on bytes @from to @to (exclusive). */
static int same(const uint8_t *a, const uint8_t *b, size_t from, size_t to)
{
	return !memcmp(a + from, b + from, to - from);
}

/**
 * tcpmerge_add() - join @frame to the run, if it continues it
 * @m:		a run begun by tcpmerge_start()
 * @frame:	a complete Ethernet frame, checksums filled in
 * @len:	its length
 *
 * Return: 1 when joined, 0 when the run ends before @frame.
 */
int tcpmerge_add(struct tcpmerge *m, const uint8_t *frame, size_t len)
{
	const uint8_t *f = m->hdr + TCPMERGE_VNET_LEN;
	const uint8_t *ip = frame + L3, *tcp = frame + m->l4;
	size_t payload = len - m->l4end, l4 = m->l4;
	/* What the IP length field counts: IPv4's the header too. */
	size_t ip_len = m->v6 ? len - L4_6 : len - L3;

	/* Only the last segment may be short, or carry PSH. */
	if (m->psh || m->segs == TCPMERGE_SEGS_MAX ||
	    m->payload != m->mss * m->segs || len <= m->l4end ||
	    payload > m->mss ||
	    m->l4end - (m->v6 ? L4_6 : L3) + m->payload + payload >
		    TCPMERGE_IP_MAX)
		return 0;
	/* Everything but the IP length (IPv4's ID and checksum too) and the
	 * TCP sequence number, PSH and checksum is the first segment's. */
	if (m->v6 ? !same(f, frame, 0, L3 + 4) || be16(ip + 4) != ip_len ||
			    !same(f, frame, L3 + 6, l4 + 4) :
		    !same(f, frame, 0, L3 + 2) || be16(ip + 2) != ip_len ||
			    !same(f, frame, L3 + 6, L3 + 10) ||
			    !same(f, frame, L3 + 12, l4 + 4))
		return 0;
	if (be32(tcp + 4) != m->next_seq || !same(f, frame, l4 + 8, l4 + 13) ||
	    (tcp[13] & ~TCP_PSH) != TCP_ACK ||
	    !same(f, frame, l4 + 14, l4 + 16) ||
	    !same(f, frame, l4 + 18, m->l4end) ||
	    !csum_ok(m->v6, frame, l4, len))
		return 0;
	m->payload += payload;
	m->segs++;
	m->next_seq += (uint32_t)payload;
	m->psh = (tcp[13] & TCP_PSH) != 0;
	return 1;
}

/**
 * tcpmerge_finish() - the joined frame's virtio-net header and headers
 * @m:		a run of at least two segments
 *
 * After it, m->hdr (m->hdr_len bytes), then the payload of each segment
 * (from m->l4end on), is the frame: its IPv4 length and checksum (IPv6's
 * payload length) set, PSH if the last segment had it, the TCP checksum
 * field holding the pseudo-header's sum for the device to finish
 * (CHECKSUM_PARTIAL), and a virtio-net header asking for TCPv4 (TCPv6)
 * segmentation at the first segment's size.
 */
void tcpmerge_finish(struct tcpmerge *m)
{
	uint8_t *v = m->hdr, *f = m->hdr + TCPMERGE_VNET_LEN;
	uint8_t *ip = f + L3, *tcp = f + m->l4;
	size_t tcp_len = m->l4end - m->l4 + m->payload;
	uint16_t c;

	if (m->v6) {
		put_be16(ip + 4, tcp_len);
	} else {
		put_be16(ip + 2, IP_HLEN + tcp_len);
		memset(ip + 10, 0, 2);
		/* Checksums are stored in the machine's order, as summed. */
		c = (uint16_t)~csum_fold(csum_add(0, ip, IP_HLEN));
		memcpy(ip + 10, &c, 2);
	}
	if (m->psh)
		tcp[13] |= TCP_PSH;
	c = csum_fold(csum_pseudo(m->v6, ip, tcp_len));
	memcpy(tcp + 16, &c, 2);
	memset(v, 0, TCPMERGE_VNET_LEN);
	v[0] = VNET_F_NEEDS_CSUM;
	v[1] = m->v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4;
	put_le16(v + 2, m->l4end);
	put_le16(v + 4, m->mss);
	put_le16(v + 6, m->l4);
	put_le16(v + 8, 16);
	m->hdr_len = TCPMERGE_VNET_LEN + m->l4end;
}
