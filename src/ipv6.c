// SPDX-License-Identifier: MIT
/* ipv6.c - IPv6 prefixes of the networks: the one place that parses,
 * prints and compares them, and derives a network's ULA prefix */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipv6.h"

/**
 * ipv6_parse() - an IPv6 address in any of RFC 4291's text forms
 * (inet_pton's), nothing else
 * @s:		text
 * @addr:	set on success, network order
 *
 * Return: 0 or -EINVAL.
 */
int ipv6_parse(const char *s, uint8_t addr[16])
{
	return inet_pton(AF_INET6, s, addr) == 1 ? 0 : -EINVAL;
}

/**
 * ipv6_parse_prefix() - "ADDR/N", N from 0 to 128 without leading zeros,
 * and nothing after it
 * @s:		text
 * @p:		set on success
 *
 * Return: 0 or -EINVAL.
 */
int ipv6_parse_prefix(const char *s, struct ipv6_prefix *p)
{
	char a[IPV6_STRLEN];
	const char *slash = strchr(s, '/'), *d;
	int n = 0;

	if (!slash || (size_t)(slash - s) >= sizeof(a) || !slash[1])
		return -EINVAL;
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	for (d = slash + 1; *d; d++) {
		if (*d < '0' || *d > '9' || (d > slash + 1 && !n))
			return -EINVAL; /* not a digit, or a leading zero */
		n = n * 10 + (*d - '0');
		if (n > 128)
			return -EINVAL;
	}
	if (ipv6_parse(a, p->addr))
		return -EINVAL;
	p->len = n;
	return 0;
}

/**
 * ipv6_format() - an address in RFC 5952's form (inet_ntop's)
 * @out:	IPV6_STRLEN bytes
 * @addr:	network order
 *
 * Return: @out.
 */
char *ipv6_format(char out[IPV6_STRLEN], const uint8_t addr[16])
{
	if (!inet_ntop(AF_INET6, addr, out, IPV6_STRLEN))
		snprintf(out, IPV6_STRLEN, "?");
	return out;
}

/**
 * ipv6_format_prefix() - "ADDR/N"
 * @out:	IPV6_PREFIX_STRLEN bytes
 * @p:		the prefix
 *
 * Return: @out.
 */
char *ipv6_format_prefix(char out[IPV6_PREFIX_STRLEN],
			 const struct ipv6_prefix *p)
{
	char a[IPV6_STRLEN];

	snprintf(out, IPV6_PREFIX_STRLEN, "%s/%d", ipv6_format(a, p->addr),
		 p->len);
	return out;
}

/* Whether the first @bits bits of @a and @b are the same. */
static int ipv6_same_bits(const uint8_t *a, const uint8_t *b, int bits)
{
	int full = bits / 8, rest = bits % 8;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));

	if (memcmp(a, b, (size_t)full))
		return 0;
	return !rest || !((a[full] ^ b[full]) & mask);
}

/**
 * ipv6_overlap() - whether two prefixes share an address
 * @a:		one
 * @b:		the other
 *
 * Return: 1 when one holds the other, else 0.
 */
int ipv6_overlap(const struct ipv6_prefix *a, const struct ipv6_prefix *b)
{
	return ipv6_same_bits(a->addr, b->addr,
			      a->len < b->len ? a->len : b->len);
}

/**
 * ipv6_host_bits_zero() - whether @p names its network itself (its bits
 * after the prefix length are all 0)
 * @p:		the prefix
 *
 * Return: 1 or 0.
 */
int ipv6_host_bits_zero(const struct ipv6_prefix *p)
{
	struct ipv6_prefix net = { { 0 }, 128 };
	int i;

	memcpy(net.addr, p->addr, 16);
	for (i = p->len; i < 128; i++)
		net.addr[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
	return !memcmp(net.addr, p->addr, 16);
}

/**
 * ipv6_ula() - the ULA /64 of a network's name: fd00::/8, a 40-bit global
 * ID from the name's hash, subnet ID 0 (RFC 4193's form; the ID is the
 * name's, not random, so that a network keeps its prefix across restarts
 * and machines agree on it)
 * @name:	the network's name
 * @p:		set to the prefix, fdXX:XXXX:XXXX::/64
 */
void ipv6_ula(const char *name, struct ipv6_prefix *p)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, 64 bits */
	int i;

	for (; *name; name++) {
		h ^= (uint8_t)*name;
		h *= 0x100000001b3ull;
	}
	/* FNV's low bits mix least: fold the high ones in. */
	h ^= h >> 40;
	memset(p, 0, sizeof(*p));
	p->addr[0] = 0xfd;
	for (i = 0; i < 5; i++)
		p->addr[1 + i] = (uint8_t)(h >> (32 - 8 * i));
	p->len = IPV6_NET_LEN;
}

/**
 * ipv6_host() - the address of host number @host in a /64 or shorter
 * prefix (PREFIX::1 is the gateway's)
 * @p:		the prefix, its host bits 0
 * @host:	the host's number, in the last 16 bits
 * @out:	set to the address
 */
void ipv6_host(const struct ipv6_prefix *p, uint16_t host, uint8_t out[16])
{
	memcpy(out, p->addr, 16);
	out[14] = (uint8_t)(host >> 8);
	out[15] = (uint8_t)host;
}
