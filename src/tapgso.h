/* SPDX-License-Identifier: MIT */
/* tapgso.h - what the kernel hands a TAP with its offloads on (a partial
 * checksum, a TSO frame of up to 64 KiB) made into the complete frames a
 * caller without offloads takes (portable C: no OS headers) */
#ifndef SQN_TAPGSO_H
#define SQN_TAPGSO_H

#include <stddef.h>
#include <stdint.h>

/* Ethernet, IPv6 with extension headers, TCP with the most options: the
 * headers of one segment. */
#define TAPGSO_HDRS_MAX 256

/**
 * struct tapgso - a TSO frame being cut into segments
 * @frame:	the frame (behind its virtio-net header); NULL when none is
 *		being cut
 * @len:	its length
 * @l3:		where its IP header starts: behind the Ethernet header and
 *		up to two VLAN tags (802.1Q, 802.1ad)
 * @l4:		where its TCP header starts
 * @hlen:	where its payload starts (Ethernet, IP, TCP headers)
 * @mss:	payload bytes per segment
 * @off:	payload bytes cut off so far
 * @v6:		IPv6 (else IPv4)
 * @segs:	segments made so far
 */
struct tapgso {
	const uint8_t *frame;
	size_t len;
	size_t l3;
	size_t l4;
	size_t hlen;
	size_t mss;
	size_t off;
	int v6;
	unsigned int segs;
};

int tapgso_start(struct tapgso *g, const uint8_t *vhdr, uint8_t *frame,
		 size_t len);
unsigned int tapgso_left(const struct tapgso *g);
size_t tapgso_next(struct tapgso *g, uint8_t hdr[TAPGSO_HDRS_MAX],
		   const uint8_t **payload, size_t *plen);

#endif /* SQN_TAPGSO_H */
