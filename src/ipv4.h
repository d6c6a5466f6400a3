/* SPDX-License-Identifier: MIT */
/* ipv4.h - IPv4 addresses and prefixes: parsed, packed, masked, compared
 * (portable C: no OS headers) */
#ifndef SQN_IPV4_H
#define SQN_IPV4_H

#include <stddef.h>
#include <stdint.h>

/* "255.255.255.255" and "255.255.255.255/32", with their NUL. */
#define IPV4_STRLEN 16
#define IPV4_PREFIX_STRLEN 19

/**
 * struct ipv4_prefix - an address and a prefix length, as "A.B.C.D/N"
 * @addr:	the address, network order (it need not be the network's own)
 * @len:	the prefix length, 0 to 32
 */
struct ipv4_prefix {
	uint8_t addr[4];
	int len;
};

int ipv4_parse(const char *s, const char **end, uint8_t addr[4]);
int ipv4_parse_prefix(const char *s, struct ipv4_prefix *p);
uint32_t ipv4_pack(const uint8_t addr[4]);
void ipv4_unpack(uint32_t a, uint8_t addr[4]);
uint32_t ipv4_mask(int len);
uint32_t ipv4_network(const struct ipv4_prefix *p);
uint32_t ipv4_broadcast(const struct ipv4_prefix *p);
int ipv4_host_range(const struct ipv4_prefix *p, uint32_t *first,
		    uint32_t *last);
int ipv4_guest(const struct ipv4_prefix *gw, const char *s);
int ipv4_overlap(const struct ipv4_prefix *a, const struct ipv4_prefix *b);
char *ipv4_format(char out[IPV4_STRLEN], uint32_t a);
char *ipv4_format_prefix(char out[IPV4_PREFIX_STRLEN],
			 const struct ipv4_prefix *p);

#endif /* SQN_IPV4_H */
