/* SPDX-License-Identifier: MIT */
/* ipv6.h - IPv6 prefixes of the networks: parsed, printed, compared, and
 * the ULA /64 a network's name gives (POSIX headers only) */
#ifndef SQN_IPV6_H
#define SQN_IPV6_H

#include <stddef.h>
#include <stdint.h>

/* INET6_ADDRSTRLEN, and with "/128". */
#define IPV6_STRLEN 46
#define IPV6_PREFIX_STRLEN 50
/* The only prefix length a network takes: SLAAC's. */
#define IPV6_NET_LEN 64

/**
 * struct ipv6_prefix - an address and a prefix length, as "ADDR/N"
 * @addr:	the address, network order
 * @len:	the prefix length, 0 to 128
 */
struct ipv6_prefix {
	uint8_t addr[16];
	int len;
};

int ipv6_parse(const char *s, uint8_t addr[16]);
int ipv6_parse_prefix(const char *s, struct ipv6_prefix *p);
char *ipv6_format(char out[IPV6_STRLEN], const uint8_t addr[16]);
char *ipv6_format_prefix(char out[IPV6_PREFIX_STRLEN],
			 const struct ipv6_prefix *p);
int ipv6_overlap(const struct ipv6_prefix *a, const struct ipv6_prefix *b);
int ipv6_host_bits_zero(const struct ipv6_prefix *p);
void ipv6_ula(const char *name, struct ipv6_prefix *p);
void ipv6_host(const struct ipv6_prefix *p, uint16_t host, uint8_t out[16]);

#endif /* SQN_IPV6_H */
