// SPDX-License-Identifier: MIT
/* fuzz_framing.c - libFuzzer target: the frame decoder on any byte stream */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "framing.h"

/*
 * Input layout:
 *   [0]	kind (bits 0-1: QEMU, hyperkit, dgram), how bytes go in
 *		(bits 2-3: feed, space/commit, alternating), buffer slack
 *		(bit 4: exactly framing_buf_min(), else up to 255 bytes more)
 *   [1..2]	the cap, 14..65536 (big-endian, reduced)
 *   [3]	chunking: bits 0-1 pick whole / one byte / fixed / varying
 *   [4]	chunk size or the seed of varying chunk sizes
 *   [5]	buffer slack
 *   [6..]	the stream, or the datagrams one chunk each
 */
#define HDR_BYTES 6
#define SLACK_MAX 255

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t buf[FRAMING_HDR_MAX + SQN_FRAME_MAX + SLACK_MAX];

/**
 * struct run - one input being decoded
 * @d:		the decoder
 * @kind:	its framing
 * @cap:	the cap asked of framing_dec_init()
 * @hlen:	bytes of length prefix
 * @in:		the stream
 * @pos:	for streams: offset in @in of the next frame's header, i.e.
 *		where the decoder's undecoded bytes start
 * @fed:	bytes of @in given to the decoder
 */
struct run {
	struct framing_dec d;
	enum sqn_framing kind;
	size_t cap;
	size_t hlen;
	const uint8_t *in;
	size_t pos;
	size_t fed;
};

static uint32_t rng_next(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* A frame returned must be inside the buffer, in bounds, and re-encode. */
static void check_frame(struct run *r, const uint8_t *frame, size_t len)
{
	const struct framing_dec *d = &r->d;
	uint8_t hdr[FRAMING_HDR_MAX];
	size_t hlen;

	if (frame < d->buf || frame > d->buf + d->size ||
	    len > (size_t)(d->buf + d->size - frame))
		abort();
	if (len < SQN_ETH_HLEN || len > d->cap || d->cap > r->cap)
		abort();
	if (r->kind == SQN_FRAMING_HYPERKIT && len > UINT16_MAX)
		abort();
	hlen = framing_encode(r->kind, len, hdr);
	if (hlen != r->hlen)
		abort();
	if (r->kind == SQN_FRAMING_DGRAM)
		return;
	/* the header round-trips and the frame is the next bytes in order */
	if ((size_t)(frame - d->buf) < hlen || memcmp(frame - hlen, hdr, hlen))
		abort();
	if (r->pos + hlen + len > r->fed ||
	    memcmp(r->in + r->pos, frame - hlen, hlen + len))
		abort();
	r->pos += hlen + len;
}

static size_t stream_len(const struct run *r, const uint8_t *p)
{
	if (r->kind == SQN_FRAMING_QEMU)
		return (size_t)p[0] << 24 | (size_t)p[1] << 16 |
		       (size_t)p[2] << 8 | p[3];
	return (size_t)p[0] | (size_t)p[1] << 8;
}

/*
 * Takes every frame ready. For datagrams, @dg/@dglen is the datagram
 * just given. Return: frames taken.
 */
static size_t drain(struct run *r, const uint8_t *dg, size_t dglen)
{
	const uint8_t *frame;
	size_t len, n = 0, pending;
	int ret;

	for (;;) {
		ret = framing_dec_next(&r->d, &frame, &len);
		if (ret == 1) {
			check_frame(r, frame, len);
			if (r->kind == SQN_FRAMING_DGRAM &&
			    (len != dglen || memcmp(frame, dg, len)))
				abort();
			n++;
			continue;
		}
		if (ret == 0)
			break;
		if (ret == -EPROTO && r->kind != SQN_FRAMING_DGRAM) {
			size_t bad = r->d.bad_len;

			if (bad >= SQN_ETH_HLEN && bad <= r->d.cap)
				abort();
			if (r->fed - r->pos < r->hlen ||
			    stream_len(r, r->in + r->pos) != bad)
				abort();
			/* the stream can't resync: a new connection */
			framing_dec_reset(&r->d);
			if (framing_dec_pending(&r->d))
				abort();
			r->pos = r->fed;
			n++;
			break;
		}
		if (ret == -EMSGSIZE && r->kind == SQN_FRAMING_DGRAM) {
			if (r->d.bad_len != dglen ||
			    (dglen >= SQN_ETH_HLEN && dglen <= r->d.cap))
				abort();
			n++;
			continue;
		}
		abort();
	}

	pending = framing_dec_pending(&r->d);
	if (pending > r->d.size)
		abort();
	if (r->kind == SQN_FRAMING_DGRAM) {
		if (pending)
			abort();
		return n;
	}
	/* what is left is less than one whole frame */
	if (pending != r->fed - r->pos)
		abort();
	if (pending >= r->hlen) {
		size_t want = stream_len(r, r->in + r->pos);

		if (want < SQN_ETH_HLEN || want > r->d.cap ||
		    pending >= r->hlen + want)
			abort();
	}
	return n;
}

/* Gives the decoder up to @n bytes of @p, through feed or space/commit. */
static size_t put(struct run *r, const uint8_t *p, size_t n, int use_space)
{
	uint8_t *at;
	size_t room;

	if (!use_space)
		return framing_dec_feed(&r->d, p, n);
	room = framing_dec_space(&r->d, &at);
	if (at < r->d.buf || room > r->d.size ||
	    room > (size_t)(r->d.buf + r->d.size - at))
		abort();
	if (n > room)
		n = room;
	if (n)
		memcpy(at, p, n);
	/* committing more than there is room for must be clamped */
	framing_dec_commit(&r->d, n);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum sqn_framing kinds[] = {
		SQN_FRAMING_QEMU,
		SQN_FRAMING_HYPERKIT,
		SQN_FRAMING_DGRAM,
		SQN_FRAMING_QEMU,
	};
	struct run r;
	size_t bufsize, len, off = 0, chunk_fixed;
	unsigned int how, chunking, calls = 0;
	uint32_t seed;

	if (size < HDR_BYTES)
		return 0;
	memset(&r, 0, sizeof(r));
	r.kind = kinds[data[0] & 3];
	how = (data[0] >> 2) & 3;
	r.cap = SQN_ETH_HLEN +
		((size_t)data[1] << 8 | data[2]) % (SQN_FRAME_MAX - 13);
	chunking = data[3] & 3;
	chunk_fixed = (size_t)data[4] + 1;
	seed = (uint32_t)data[4] << 8 | data[3] | 1;
	r.hlen = framing_hdr_len(r.kind);
	bufsize = framing_buf_min(r.kind, r.cap);
	if (!(data[0] & 0x10))
		bufsize += data[5];
	if (bufsize > sizeof(buf))
		abort();
	/* a buffer one byte short is refused */
	if (framing_dec_init(&r.d, r.kind, r.cap, buf,
			     framing_buf_min(r.kind, r.cap) - 1) != -EINVAL)
		abort();
	if (framing_dec_init(&r.d, r.kind, r.cap, buf, bufsize))
		abort();
	if (r.d.cap != framing_cap(r.kind, r.cap))
		abort();

	r.in = data + HDR_BYTES;
	len = size - HDR_BYTES;
	while (off < len) {
		size_t c;

		switch (chunking) {
		case 0:
			c = len - off;
			break;
		case 1:
			c = 1;
			break;
		case 2:
			c = chunk_fixed;
			break;
		default:
			/* mostly small, sometimes big */
			c = rng_next(&seed);
			c = c & 0x100 ? 1 + (c >> 9) % 4096 : 1 + (c >> 9) % 8;
			break;
		}
		if (c > len - off)
			c = len - off;

		if (r.kind == SQN_FRAMING_DGRAM) {
			/* one chunk is one datagram; a too long one is cut */
			size_t took = put(&r, r.in + off, c, how & 1);

			if (took > c || (took < c && took != r.d.size))
				abort();
			r.fed = off + took;
			drain(&r, r.in + off, took);
			off += c;
			continue;
		}
		while (c) {
			int use_space = how == 2 ? (int)(calls & 1) : how & 1;
			size_t took = put(&r, r.in + off, c, use_space);

			calls++;
			off += took;
			c -= took;
			r.fed = off;
			/* room always comes back once the frames are taken */
			if (!drain(&r, NULL, 0) && !took)
				abort();
		}
	}
	return 0;
}
