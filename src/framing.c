// SPDX-License-Identifier: MIT
/* framing.c - QEMU, hyperkit and datagram framing: encoder and decoder */
#include <errno.h>
#include <string.h>

#include "framing.h"

/**
 * framing_hdr_len() - bytes of length prefix before each frame
 * @kind:	framing
 *
 * Return: 4 for QEMU, 2 for hyperkit, 0 for datagrams.
 */
size_t framing_hdr_len(enum sqn_framing kind)
{
	switch (kind) {
	case SQN_FRAMING_QEMU:
		return 4;
	case SQN_FRAMING_HYPERKIT:
		return 2;
	default:
		return 0;
	}
}

/**
 * framing_cap() - largest frame that @kind can carry, at most @cap
 * @kind:	framing
 * @cap:	caller's limit
 *
 * Return: @cap, lowered to 65535 for hyperkit's 16-bit length.
 */
size_t framing_cap(enum sqn_framing kind, size_t cap)
{
	if (kind == SQN_FRAMING_HYPERKIT && cap > UINT16_MAX)
		return UINT16_MAX;
	return cap;
}

/**
 * framing_buf_min() - smallest decoder buffer for @kind and @cap
 * @kind:	framing
 * @cap:	largest frame
 *
 * Return: room for one whole frame and its header.
 */
size_t framing_buf_min(enum sqn_framing kind, size_t cap)
{
	return framing_hdr_len(kind) + framing_cap(kind, cap);
}

/**
 * framing_encode() - write the length prefix of a frame
 * @kind:	framing
 * @frame_len:	length of the frame, at most framing_cap(@kind, ...)
 * @hdr:	where the prefix goes
 *
 * Return: bytes written to @hdr.
 */
size_t framing_encode(enum sqn_framing kind, size_t frame_len,
		      uint8_t hdr[FRAMING_HDR_MAX])
{
	switch (kind) {
	case SQN_FRAMING_QEMU:
		hdr[0] = (uint8_t)(frame_len >> 24);
		hdr[1] = (uint8_t)(frame_len >> 16);
		hdr[2] = (uint8_t)(frame_len >> 8);
		hdr[3] = (uint8_t)frame_len;
		return 4;
	case SQN_FRAMING_HYPERKIT:
		hdr[0] = (uint8_t)frame_len;
		hdr[1] = (uint8_t)(frame_len >> 8);
		return 2;
	default:
		return 0;
	}
}

/**
 * framing_dec_init() - set up a decoder on @buf
 * @d:		decoder
 * @kind:	SQN_FRAMING_QEMU, _HYPERKIT or _DGRAM
 * @cap:	largest frame accepted (at least SQN_ETH_HLEN)
 * @buf:	storage owned by the caller
 * @size:	bytes of @buf, at least framing_buf_min(@kind, @cap)
 *
 * Return: 0, or -EINVAL for a bad kind or a buffer too small.
 */
int framing_dec_init(struct framing_dec *d, enum sqn_framing kind, size_t cap,
		     uint8_t *buf, size_t size)
{
	if (kind != SQN_FRAMING_QEMU && kind != SQN_FRAMING_HYPERKIT &&
	    kind != SQN_FRAMING_DGRAM)
		return -EINVAL;
	cap = framing_cap(kind, cap);
	if (cap < SQN_ETH_HLEN || !buf || size < framing_buf_min(kind, cap))
		return -EINVAL;
	d->kind = kind;
	d->cap = cap;
	d->buf = buf;
	d->size = size;
	framing_dec_reset(d);
	return 0;
}

/**
 * framing_dec_reset() - forget every byte received (a new connection)
 * @d:		decoder
 */
void framing_dec_reset(struct framing_dec *d)
{
	d->rd = 0;
	d->wr = 0;
	d->bad_len = 0;
}

/**
 * framing_dec_space() - where the next received bytes go
 * @d:		decoder
 * @at:		set to the first free byte
 *
 * Moves an undecoded partial frame to the front of the buffer first when
 * the room behind it could be too small for a whole frame. For
 * datagrams there is room only once the previous datagram was taken, so
 * that one receive holds exactly one datagram.
 *
 * Return: free bytes at @at (0 when the buffer is full of whole frames).
 */
size_t framing_dec_space(struct framing_dec *d, uint8_t **at)
{
	if (d->kind == SQN_FRAMING_DGRAM) {
		if (d->rd != d->wr) {
			*at = d->buf + d->wr;
			return 0;
		}
		d->rd = d->wr = 0;
	} else if (d->rd == d->wr) {
		d->rd = d->wr = 0;
	} else if (d->rd &&
		   d->size - d->wr < framing_buf_min(d->kind, d->cap)) {
		/* Move a partial frame only when a whole one may not fit. */
		memmove(d->buf, d->buf + d->rd, d->wr - d->rd);
		d->wr -= d->rd;
		d->rd = 0;
	}
	*at = d->buf + d->wr;
	return d->size - d->wr;
}

/**
 * framing_dec_commit() - account for @n bytes written at framing_dec_space()
 * @d:		decoder
 * @n:		bytes written, at most what framing_dec_space() returned
 */
void framing_dec_commit(struct framing_dec *d, size_t n)
{
	if (n > d->size - d->wr)
		n = d->size - d->wr;
	d->wr += n;
}

/**
 * framing_dec_feed() - copy bytes into the decoder (tests, fuzzing)
 * @d:		decoder
 * @data:	bytes of the stream (one datagram for _DGRAM; a datagram
 *		longer than the buffer is cut, unlike a receive with MSG_TRUNC)
 * @n:		their number
 *
 * Return: bytes taken, fewer than @n when the buffer is full.
 */
size_t framing_dec_feed(struct framing_dec *d, const uint8_t *data, size_t n)
{
	uint8_t *at;
	size_t room = framing_dec_space(d, &at);

	if (n > room)
		n = room;
	if (n)
		memcpy(at, data, n);
	framing_dec_commit(d, n);
	return n;
}

static size_t dec_read_len(const struct framing_dec *d, const uint8_t *p)
{
	if (d->kind == SQN_FRAMING_QEMU)
		return (size_t)p[0] << 24 | (size_t)p[1] << 16 |
		       (size_t)p[2] << 8 | p[3];
	return (size_t)p[0] | (size_t)p[1] << 8;
}

/**
 * framing_dec_next() - the next whole frame, if there is one
 * @d:		decoder
 * @frame:	set to the frame, inside the decoder's buffer; valid until
 *		the next framing_dec_space()
 * @len:	set to its length
 *
 * Return: 1 with a frame; 0 when more bytes are needed; -EPROTO when a
 * length prefix is below SQN_ETH_HLEN or above the cap: the stream can't be
 * resynchronised and must be reset (@bad_len tells the length);
 * -EMSGSIZE when a datagram has such a length: it is dropped and the next
 * one is fine.
 */
int framing_dec_next(struct framing_dec *d, const uint8_t **frame, size_t *len)
{
	size_t avail = d->wr - d->rd;
	size_t hlen, flen;

	if (d->kind == SQN_FRAMING_DGRAM) {
		if (!avail)
			return 0;
		d->rd = d->wr;
		if (avail < SQN_ETH_HLEN || avail > d->cap) {
			d->bad_len = avail;
			return -EMSGSIZE;
		}
		*frame = d->buf + d->wr - avail;
		*len = avail;
		return 1;
	}

	hlen = framing_hdr_len(d->kind);
	if (avail < hlen)
		return 0;
	flen = dec_read_len(d, d->buf + d->rd);
	if (flen < SQN_ETH_HLEN || flen > d->cap) {
		d->bad_len = flen;
		return -EPROTO;
	}
	if (avail - hlen < flen)
		return 0;
	*frame = d->buf + d->rd + hlen;
	*len = flen;
	d->rd += hlen + flen;
	return 1;
}

/**
 * framing_dec_pending() - bytes received but not yet returned as frames
 * @d:		decoder
 *
 * Return: a byte count; nonzero at end of stream means a truncated frame.
 */
size_t framing_dec_pending(const struct framing_dec *d)
{
	return d->wr - d->rd;
}
