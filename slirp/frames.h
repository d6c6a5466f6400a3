/* SPDX-License-Identifier: MIT */
/* frames.h - the helper's QEMU stream framing: checked input, queued output */
#ifndef SLIRP_FRAMES_H
#define SLIRP_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/* An Ethernet header: the shortest frame worth a length prefix. */
#define FRAMES_MIN 14
/* Lengths above this are no frame any QEMU-framing peer sends: the stream
 * lost its framing (see frames_in_commit()). */
#define FRAMES_LEN_SANE (65535 + 14)

/**
 * struct frames_stats - what crossed the socket, and what was refused
 * @in_frames:	frames from the guest handed to libslirp
 * @in_bytes:	their bytes
 * @in_runt:	lengths below FRAMES_MIN (0 included): skipped
 * @in_oversized: lengths above the MTU's frame, up to FRAMES_LEN_SANE: skipped
 * @in_bad_length: lengths above FRAMES_LEN_SANE: the framing is lost
 * @out_frames:	frames to the guest written or queued
 * @out_bytes:	their bytes
 * @out_dropped: frames to the guest dropped: the queue was full
 * @out_too_big: frames to the guest dropped: larger than the MTU's frame
 */
struct frames_stats {
	uint64_t in_frames, in_bytes, in_runt, in_oversized, in_bad_length;
	uint64_t out_frames, out_bytes, out_dropped, out_too_big;
};

/**
 * struct frames_in - frames from the guest, partial ones kept across reads
 * @buf:	buffer, allocated once
 * @cap:	its size
 * @len:	bytes in it not yet parsed (from its start)
 * @max_frame:	largest frame accepted
 * @skip:	bytes of an oversized frame still to discard
 */
struct frames_in {
	uint8_t *buf;
	size_t cap, len;
	uint32_t max_frame;
	uint64_t skip;
};

/* Called for each whole frame of a sane length. */
typedef void (*frames_deliver_fn)(const uint8_t *frame, size_t len,
				  void *opaque);

int frames_in_init(struct frames_in *in, uint32_t max_frame);
void frames_in_free(struct frames_in *in);
uint8_t *frames_in_space(struct frames_in *in, size_t *room);
int frames_in_commit(struct frames_in *in, size_t n, frames_deliver_fn fn,
		     void *opaque, struct frames_stats *st);

/**
 * struct frames_out - a byte ring of length-prefixed frames to the guest
 * @ring:	the ring, allocated once
 * @cap:	its size
 * @head:	offset of the first byte not yet written
 * @len:	bytes waiting
 * @max_frame:	largest frame sent
 */
struct frames_out {
	uint8_t *ring;
	size_t cap, head, len;
	uint32_t max_frame;
};

int frames_out_init(struct frames_out *out, uint32_t max_frame, size_t cap);
void frames_out_free(struct frames_out *out);
int frames_out_queue(struct frames_out *out, const void *frame, size_t len,
		     struct frames_stats *st);
int frames_out_flush(struct frames_out *out, int fd);

#endif /* SLIRP_FRAMES_H */
