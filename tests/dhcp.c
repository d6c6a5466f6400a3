// SPDX-License-Identifier: MIT
/* dhcp.c - the DHCP client steps of the test clients: a DISCOVER or a
 * REQUEST built by hand, and the OFFER or ACK to it recognised */
#include <string.h>

#include "dhcp.h"

#define DHCP_XID 0x53716e31u

/**
 * dhcp_ip_csum() - the Internet checksum of @len bytes (even)
 * @h:		the bytes
 * @len:	how many
 *
 * Return: the checksum, to store big-endian.
 */
uint16_t dhcp_ip_csum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < len; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * dhcp_msg() - a DHCP message of @type from the guest
 * @f:		DHCP_FRAME_MAX bytes
 * @hl:		bytes of virtio_net_hdr first (zeroed)
 * @mac:	the guest's MAC
 * @type:	1 DISCOVER, 3 REQUEST
 * @ip:		REQUEST: the address offered
 * @server:	REQUEST: the server that offered it
 *
 * Return: the frame's length, @hl included.
 */
size_t dhcp_msg(uint8_t *f, size_t hl, const uint8_t mac[6], int type,
		const uint8_t ip[4], const uint8_t server[4])
{
	uint8_t *e = f + hl, *iph = e + 14, *udp = iph + 20, *b = udp + 8;
	uint8_t *o = b + 236;
	size_t ulen;
	uint16_t c;

	memset(f, 0, hl + 14 + 20 + 8 + 300);
	memset(e, 0xff, 6);
	memcpy(e + 6, mac, 6);
	e[12] = 0x08;
	b[0] = 1;
	b[1] = 1;
	b[2] = 6;
	b[4] = DHCP_XID >> 24;
	b[5] = (DHCP_XID >> 16) & 0xff;
	b[6] = (DHCP_XID >> 8) & 0xff;
	b[7] = DHCP_XID & 0xff;
	b[10] = 0x80;
	memcpy(b + 28, mac, 6);
	memcpy(o, "\x63\x82\x53\x63\x35\x01", 6);
	o[6] = (uint8_t)type;
	o += 7;
	if (type == 3) {
		memcpy(o, "\x32\x04", 2);
		memcpy(o + 2, ip, 4);
		memcpy(o + 6, "\x36\x04", 2);
		memcpy(o + 8, server, 4);
		o += 12;
	}
	*o++ = 255;
	ulen = 8 + (size_t)(o - b);
	iph[0] = 0x45;
	iph[2] = (uint8_t)((20 + ulen) >> 8);
	iph[3] = (uint8_t)(20 + ulen);
	iph[8] = 64;
	iph[9] = 17;
	memset(iph + 16, 0xff, 4);
	c = dhcp_ip_csum(iph, 20);
	iph[10] = (uint8_t)(c >> 8);
	iph[11] = (uint8_t)c;
	udp[1] = 68;
	udp[3] = 67;
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	return hl + 14 + 20 + ulen;
}

/**
 * dhcp_answer() - whether frame @f is the answer of @type (2 OFFER, 5 ACK)
 * to our transaction
 * @f:		the frame, @hl bytes of virtio_net_hdr first
 * @n:		its length
 * @hl:		the header's length
 * @type:	the message type wanted
 * @ip:		set to the address it gives
 * @server:	set to the server, when it names one
 *
 * Return: 1 when it is, else 0.
 */
int dhcp_answer(const uint8_t *f, size_t n, size_t hl, int type, uint8_t ip[4],
		uint8_t server[4])
{
	const uint8_t *e = f + hl, *b, *o, *end = f + n;
	int t = 0;

	if (n < hl + 14 + 20 + 8 + 240)
		return 0;
	b = e + 14 + 20 + 8;
	if (e[12] != 8 || e[13] != 0 || e[14 + 9] != 17 ||
	    e[14 + 20 + 1] != 67 || memcmp(b + 4, "\x53\x71\x6e\x31", 4))
		return 0;
	for (o = b + 240; o + 2 <= end && *o != 255; o += *o ? 2 + o[1] : 1) {
		if (o[0] == 53)
			t = o[2];
		if (o[0] == 54 && o[1] == 4 && o + 6 <= end)
			memcpy(server, o + 2, 4);
	}
	if (t != type)
		return 0;
	memcpy(ip, b + 16, 4);
	return 1;
}
