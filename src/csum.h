/* SPDX-License-Identifier: MIT */
/* csum.h - the Internet checksum (RFC 1071), TCP's pseudo-header and
 * header fields, for frames the data path joins, cuts or completes
 * (portable C) */
#ifndef SQN_CSUM_H
#define SQN_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Header fields, big-endian (network order) or little-endian (virtio). */
static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline void put_le16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len);
uint16_t csum_fold(uint64_t sum);
uint64_t csum_pseudo(int v6, const uint8_t *ip, size_t tcp_len);

#endif /* SQN_CSUM_H */
