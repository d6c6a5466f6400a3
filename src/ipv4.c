// SPDX-License-Identifier: MIT
/* ipv4.c - IPv4 addresses and prefixes: the one place that packs, masks
 * and prints them */
#include <errno.h>
#include <stdio.h>

#include "ipv4.h"

/**
 * ipv4_parse() - a dotted quad, strictly: four decimal numbers 0..255,
 * no leading zeros (inet_aton would read "010" as octal), nothing else
 * @s:		text
 * @end:	set to the first byte after the address
 * @addr:	set on success, network order
 *
 * Return: 0 or -EINVAL.
 */
int ipv4_parse(const char *s, const char **end, uint8_t addr[4])
{
	int i, v, digits;

	for (i = 0; i < 4; i++) {
		if (i && *s++ != '.')
			return -EINVAL;
		for (v = 0, digits = 0; *s >= '0' && *s <= '9'; s++, digits++) {
			if (digits && !v)
				return -EINVAL; /* a leading zero */
			v = v * 10 + (*s - '0');
			if (v > 255)
				return -EINVAL;
		}
		if (!digits)
			return -EINVAL;
		addr[i] = (uint8_t)v;
	}
	*end = s;
	return 0;
}

/**
 * ipv4_parse_prefix() - "A.B.C.D/N", N from 0 to 32 without leading
 * zeros, and nothing after it
 * @s:		text
 * @p:		set on success
 *
 * Return: 0 or -EINVAL.
 */
int ipv4_parse_prefix(const char *s, struct ipv4_prefix *p)
{
	const char *end;
	int n = 0, digits = 0;

	if (ipv4_parse(s, &end, p->addr) || *end++ != '/')
		return -EINVAL;
	for (; *end >= '0' && *end <= '9'; end++, digits++) {
		if (digits && !n)
			return -EINVAL;
		n = n * 10 + (*end - '0');
		if (n > 32)
			return -EINVAL;
	}
	if (!digits || *end)
		return -EINVAL;
	p->len = n;
	return 0;
}

/**
 * ipv4_pack() - an address as a number
 * @addr:	its four bytes, network order
 *
 * Return: the address, host order.
 */
uint32_t ipv4_pack(const uint8_t addr[4])
{
	return (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
	       (uint32_t)addr[2] << 8 | addr[3];
}

/**
 * ipv4_unpack() - a number as an address
 * @a:		the address, host order
 * @addr:	set to its four bytes, network order
 */
void ipv4_unpack(uint32_t a, uint8_t addr[4])
{
	addr[0] = (uint8_t)(a >> 24);
	addr[1] = (uint8_t)(a >> 16);
	addr[2] = (uint8_t)(a >> 8);
	addr[3] = (uint8_t)a;
}

/**
 * ipv4_mask() - the netmask of a prefix length
 * @len:	0 to 32; outside that, clamped
 *
 * Return: the mask, host order (0 for 0: a shift by 32 is undefined).
 */
uint32_t ipv4_mask(int len)
{
	if (len <= 0)
		return 0;
	if (len >= 32)
		return 0xffffffffu;
	return 0xffffffffu << (32 - len);
}

/**
 * ipv4_network() - the network's own address
 * @p:		an address of it and its prefix length
 *
 * Return: the address, host order.
 */
uint32_t ipv4_network(const struct ipv4_prefix *p)
{
	return ipv4_pack(p->addr) & ipv4_mask(p->len);
}

/**
 * ipv4_broadcast() - the network's broadcast address
 * @p:		an address of it and its prefix length
 *
 * Return: the address, host order.
 */
uint32_t ipv4_broadcast(const struct ipv4_prefix *p)
{
	return ipv4_network(p) | ~ipv4_mask(p->len);
}

/**
 * ipv4_host_range() - the first and last host addresses of a network:
 * all but its own and its broadcast address
 * @p:		an address of it and its prefix length
 * @first:	set to the first, host order
 * @last:	set to the last, host order
 *
 * Return: 0, or -EINVAL for a prefix longer than 30 (no such range).
 */
int ipv4_host_range(const struct ipv4_prefix *p, uint32_t *first,
		    uint32_t *last)
{
	if (p->len < 0 || p->len > 30)
		return -EINVAL;
	*first = ipv4_network(p) + 1;
	*last = ipv4_broadcast(p) - 1;
	return 0;
}

/**
 * ipv4_guest() - whether text is a guest's address of a network: one of
 * its host addresses, not the gateway's
 * @gw:		the gateway's address and the prefix length
 * @s:		the text
 *
 * Return: 0, -EINVAL when @s is not a dotted quad (ipv4_parse()),
 * -ERANGE when it is not a guest's address of the network.
 */
int ipv4_guest(const struct ipv4_prefix *gw, const char *s)
{
	uint32_t x, first, last;
	const char *end;
	uint8_t a[4];

	if (ipv4_parse(s, &end, a) || *end)
		return -EINVAL;
	x = ipv4_pack(a);
	if (ipv4_host_range(gw, &first, &last) || x < first || x > last ||
	    x == ipv4_pack(gw->addr))
		return -ERANGE;
	return 0;
}

/**
 * ipv4_overlap() - whether two networks share an address: the shorter
 * prefix's network holds the other's address
 * @a:		one network
 * @b:		the other
 *
 * Return: 1 or 0.
 */
int ipv4_overlap(const struct ipv4_prefix *a, const struct ipv4_prefix *b)
{
	uint32_t mask = ipv4_mask(a->len < b->len ? a->len : b->len);

	return !((ipv4_pack(a->addr) ^ ipv4_pack(b->addr)) & mask);
}

/**
 * ipv4_format() - an address as a dotted quad
 * @out:	IPV4_STRLEN bytes
 * @a:		the address, host order
 *
 * Return: @out.
 */
char *ipv4_format(char out[IPV4_STRLEN], uint32_t a)
{
	snprintf(out, IPV4_STRLEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255);
	return out;
}

/**
 * ipv4_format_prefix() - a prefix as "A.B.C.D/N"
 * @out:	IPV4_PREFIX_STRLEN bytes
 * @p:		the prefix (its address as it is, not masked)
 *
 * Return: @out.
 */
char *ipv4_format_prefix(char out[IPV4_PREFIX_STRLEN],
			 const struct ipv4_prefix *p)
{
	char a[IPV4_STRLEN];

	snprintf(out, IPV4_PREFIX_STRLEN, "%s/%d",
		 ipv4_format(a, ipv4_pack(p->addr)), p->len);
	return out;
}
