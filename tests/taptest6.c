// SPDX-License-Identifier: MIT
/* taptest6.c - taptest.h's TAP over IPv6: its address, and hand-made
 * TCP segments from the made-up guest */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "taptest.h"

/* fd77::2, the made-up guest; fd77::1, the TAP. */
const uint8_t tt_our_ip6[16] = { 0xfd, 0x77, [15] = 2 };
const uint8_t tt_tap_ip6[16] = { 0xfd, 0x77, [15] = 1 };

/**
 * tt_ip6_up() - IPv6 on the TAP (tt_ns_new() keeps it off elsewhere):
 * fd77::1/64 without duplicate address detection, and the made-up guest
 * as a permanent neighbour, so that no neighbour solicitation needs an
 * answer
 */
void tt_ip6_up(void)
{
	CHECK(!system("sysctl -qw net.ipv6.conf." TAP_NAME ".disable_ipv6=0"
		      " && ip -6 addr add fd77::1/64 dev " TAP_NAME " nodad"
		      " && ip -6 neigh replace fd77::2 lladdr 02:00:00:00:77:02"
		      " dev " TAP_NAME " nud permanent"));
}

/**
 * tt_tcp6() - tt_tcp()'s segment over IPv6, its checksum complete
 * @f:		the frame
 * @dst_mac:	the TAP's MAC
 * @dport:	destination port
 * @seq:	sequence number
 * @ack:	acknowledgement number
 * @flags:	TCP flags
 * @opt:	options, or NULL
 * @optlen:	their bytes, a multiple of 4
 * @datalen:	bytes of data, the pattern i * 7 + 3
 *
 * Return: the frame's length.
 */
size_t tt_tcp6(uint8_t *f, const uint8_t *dst_mac, uint16_t dport, uint32_t seq,
	       uint32_t ack, uint8_t flags, const uint8_t *opt, size_t optlen,
	       size_t datalen)
{
	uint8_t *ip = f + 14, *th = f + 54;
	size_t tlen = 20 + optlen + datalen;
	uint32_t pseudo;

	tt_eth(f, dst_mac, 0x86dd);
	memset(ip, 0, 40);
	ip[0] = 0x60;
	tt_put16(ip + 4, (uint16_t)tlen);
	ip[6] = 6;
	ip[7] = 64;
	memcpy(ip + 8, tt_our_ip6, 16);
	memcpy(ip + 24, tt_tap_ip6, 16);
	tt_tcp_hdr(th, dport, seq, ack, flags, opt, optlen, datalen);
	pseudo = tt_sum16(ip + 8, 32, 6 + (uint32_t)tlen);
	tt_put16(th + 16, (uint16_t)~tt_fold(tt_sum16(th, tlen, pseudo)));
	return 54 + tlen;
}

/**
 * tt_is_tcp6_to_us() - whether @f is a TCP segment over IPv6 from the TAP
 * to our port, with TCP flag @flag
 * @f:		the frame
 * @len:	its length
 * @flag:	the flag
 *
 * Return: 1 or 0.
 */
int tt_is_tcp6_to_us(const uint8_t *f, size_t len, uint8_t flag)
{
	return len >= 74 && tt_get16(f + 12) == 0x86dd && f[20] == 6 &&
	       !memcmp(f + 38, tt_our_ip6, 16) &&
	       tt_get16(f + 56) == TCP_PORT && (f[67] & flag);
}
