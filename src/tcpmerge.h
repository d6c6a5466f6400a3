/* SPDX-License-Identifier: MIT */
/* tcpmerge.h - consecutive TCP segments (IPv4, IPv6) joined into one TSO frame
 * (portable C: no OS headers) */
#ifndef SQN_TCPMERGE_H
#define SQN_TCPMERGE_H

#include <stddef.h>
#include <stdint.h>

/* struct virtio_net_hdr_v1 (virtio 1.0), num_buffers included. */
#define TCPMERGE_VNET_LEN 12
/* Ethernet, IPv6 (IPv4 without options is shorter), TCP with the most
 * options. */
#define TCPMERGE_HDRS_MAX (14 + 40 + 60)
/* An IPv4 datagram's total length and an IPv6 payload's length are 16
 * bits. */
#define TCPMERGE_IP_MAX 65535
/* Segments per frame: what the kernel's GRO merges at most (MAX_GRO_SKBS
 * is per-napi; 64 is gro's per-flow count in tcp_gro_receive's limits). */
#define TCPMERGE_SEGS_MAX 64

/**
 * struct tcpmerge - a run of segments of one TCP flow being joined
 * @hdr:	virtio-net header then the first segment's headers, rewritten
 *		for the joined frame by tcpmerge_finish()
 * @hdr_len:	bytes of @hdr in use after tcpmerge_finish()
 * @v6:		the run is of TCP over IPv6 (else IPv4)
 * @l4:		where TCP starts: after Ethernet and IPv4 (34) or IPv6 (54)
 * @l4end:	bytes of headers in each segment (Ethernet, IP, TCP): the
 *		payload of each segment starts there
 * @mss:	payload of the first segment: every one but the last has it
 * @payload:	payload bytes joined so far
 * @segs:	segments joined so far
 * @next_seq:	the sequence number the next segment must carry
 * @psh:	the last segment joined had PSH: nothing may follow it
 */
struct tcpmerge {
	uint8_t hdr[TCPMERGE_VNET_LEN + TCPMERGE_HDRS_MAX];
	size_t hdr_len;
	int v6;
	size_t l4;
	size_t l4end;
	size_t mss;
	size_t payload;
	unsigned int segs;
	uint32_t next_seq;
	int psh;
};

int tcpmerge_start(struct tcpmerge *m, const uint8_t *frame, size_t len);
int tcpmerge_add(struct tcpmerge *m, const uint8_t *frame, size_t len);
void tcpmerge_finish(struct tcpmerge *m);

#endif /* SQN_TCPMERGE_H */
