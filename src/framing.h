/* SPDX-License-Identifier: MIT */
/* framing.h - length-prefixed frames on byte streams, and datagram frames */
#ifndef SQN_FRAMING_H
#define SQN_FRAMING_H

#include <stddef.h>
#include <stdint.h>

#include "squibnet.h"

#define FRAMING_HDR_MAX 4

/**
 * struct framing_dec - incremental decoder over a caller-provided buffer
 * @kind:	SQN_FRAMING_QEMU, _HYPERKIT or _DGRAM
 * @cap:	largest frame accepted
 * @buf:	storage, at least framing_buf_min() bytes
 * @size:	bytes of @buf
 * @rd:		first byte not yet decoded
 * @wr:		end of the bytes received
 * @bad_len:	after framing_dec_next() failed, the length that was refused
 *
 * Bytes go in at @buf + @wr (framing_dec_space() / framing_dec_commit()),
 * frames come out of [@rd, @wr). A partial frame stays across reads; any
 * split of the stream, one byte at a time included, decodes the same.
 */
struct framing_dec {
	enum sqn_framing kind;
	size_t cap;
	uint8_t *buf;
	size_t size;
	size_t rd;
	size_t wr;
	size_t bad_len;
};

size_t framing_hdr_len(enum sqn_framing kind);
size_t framing_cap(enum sqn_framing kind, size_t cap);
size_t framing_buf_min(enum sqn_framing kind, size_t cap);
size_t framing_encode(enum sqn_framing kind, size_t frame_len,
		      uint8_t hdr[FRAMING_HDR_MAX]);
int framing_dec_init(struct framing_dec *d, enum sqn_framing kind, size_t cap,
		     uint8_t *buf, size_t size);
void framing_dec_reset(struct framing_dec *d);
size_t framing_dec_space(struct framing_dec *d, uint8_t **at);
void framing_dec_commit(struct framing_dec *d, size_t n);
size_t framing_dec_feed(struct framing_dec *d, const uint8_t *data, size_t n);
int framing_dec_next(struct framing_dec *d, const uint8_t **frame, size_t *len);
size_t framing_dec_pending(const struct framing_dec *d);

#endif /* SQN_FRAMING_H */
