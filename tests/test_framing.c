// SPDX-License-Identifier: MIT
/* test_framing.c - unit tests of the frame codec: qemu and hyperkit
 * streams cut every way, bad lengths, buffer limits, pending bytes */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "framing.h"
#include "harness.h"
#include "squibnet.h"

#define STREAM_MAX (512 * 1024)
#define FRAMES_MAX 64
#define MSG_LEN 2048

/**
 * struct frames - frames in the order they were decoded, bytes copied out
 * @n:		frames
 * @len:	their lengths
 * @off:	where each one starts in @data
 * @used:	bytes of @data in use
 * @data:	the frames, back to back
 */
struct frames {
	size_t n;
	size_t len[FRAMES_MAX];
	size_t off[FRAMES_MAX];
	size_t used;
	uint8_t data[STREAM_MAX];
};

/* One of each is plenty: every TEST runs in a child of its own. */
static uint8_t stream[STREAM_MAX];
static uint8_t decbuf[STREAM_MAX];
static struct frames want, got, ref;

/**
 * enum split - how a byte stream is cut into feeds
 * @SPLIT_WHOLE:	all of it in one feed
 * @SPLIT_BYTE:		one byte a feed
 * @SPLIT_FIXED:	@chunker.fixed bytes a feed
 * @SPLIT_RANDOM:	1 to @chunker.fixed bytes a feed, from @chunker.seed
 */
enum split {
	SPLIT_WHOLE,
	SPLIT_BYTE,
	SPLIT_FIXED,
	SPLIT_RANDOM,
};

struct chunker {
	enum split how;
	size_t fixed;
	uint32_t seed;
};

/* xorshift32: the same sequence on every libc */
static uint32_t rng_next(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static size_t chunk_next(struct chunker *c, size_t left)
{
	size_t n;

	switch (c->how) {
	case SPLIT_BYTE:
		n = 1;
		break;
	case SPLIT_FIXED:
		n = c->fixed;
		break;
	case SPLIT_RANDOM:
		n = 1 + rng_next(&c->seed) % c->fixed;
		break;
	default:
		n = left;
		break;
	}
	return n < left ? n : left;
}

static uint8_t pattern(size_t frame, size_t i)
{
	return (uint8_t)(frame * 37 + i * 11 + 5);
}

/* Appends @n frames of @lens to @out with their headers; fills @exp. */
static size_t build_stream(enum sqn_framing kind, const size_t *lens, size_t n,
			   uint8_t *out, struct frames *exp)
{
	size_t pos = 0, f, i;

	exp->n = 0;
	exp->used = 0;
	for (f = 0; f < n; f++) {
		uint8_t hdr[FRAMING_HDR_MAX];
		size_t hlen = framing_encode(kind, lens[f], hdr);

		CHECK(pos + hlen + lens[f] <= STREAM_MAX);
		CHECK(exp->n < FRAMES_MAX);
		memcpy(out + pos, hdr, hlen);
		pos += hlen;
		exp->off[exp->n] = exp->used;
		exp->len[exp->n] = lens[f];
		for (i = 0; i < lens[f]; i++) {
			out[pos + i] = pattern(f, i);
			exp->data[exp->used + i] = pattern(f, i);
		}
		pos += lens[f];
		exp->used += lens[f];
		exp->n++;
	}
	return pos;
}

static void frames_add(struct frames *fr, const uint8_t *p, size_t len)
{
	CHECK(fr->n < FRAMES_MAX);
	CHECK(fr->used + len <= STREAM_MAX);
	fr->off[fr->n] = fr->used;
	fr->len[fr->n] = len;
	memcpy(fr->data + fr->used, p, len);
	fr->used += len;
	fr->n++;
}

static void frames_check_equal(const struct frames *a, const struct frames *b)
{
	size_t i;

	CHECK_EQ(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		CHECK_MSG(a->len[i] == b->len[i],
			  "frame %zu: length %zu != %zu", i, a->len[i],
			  b->len[i]);
		CHECK_MSG(!memcmp(a->data + a->off[i], b->data + b->off[i],
				  a->len[i]),
			  "frame %zu: bytes differ", i);
	}
}

/* Takes every whole frame; returns how many, or the decoder's error. */
static int drain(struct framing_dec *d, struct frames *out)
{
	const uint8_t *frame;
	size_t len;
	int r, n = 0;

	while ((r = framing_dec_next(d, &frame, &len)) == 1) {
		CHECK(frame >= d->buf && frame + len <= d->buf + d->size);
		CHECK(len >= SQN_ETH_HLEN && len <= d->cap);
		frames_add(out, frame, len);
		n++;
	}
	return r < 0 ? r : n;
}

/* Puts up to @n bytes in the decoder through space/commit or feed. */
static size_t put(struct framing_dec *d, const uint8_t *p, size_t n,
		  int use_space)
{
	uint8_t *at;
	size_t room;

	if (!use_space)
		return framing_dec_feed(d, p, n);
	room = framing_dec_space(d, &at);
	if (n > room)
		n = room;
	memcpy(at, p, n);
	framing_dec_commit(d, n);
	return n;
}

/*
 * Decodes @len bytes of @s cut by @ch into @out. Return: 0, or the
 * decoder's error.
 */
static int decode(struct framing_dec *d, const uint8_t *s, size_t len,
		  struct chunker *ch, int use_space, struct frames *out)
{
	size_t off = 0;
	int r;

	out->n = 0;
	out->used = 0;
	while (off < len) {
		size_t c = chunk_next(ch, len - off);

		while (c) {
			size_t took = put(d, s + off, c, use_space);

			off += took;
			c -= took;
			r = drain(d, out);
			if (r < 0)
				return r;
			CHECK_MSG(took || r, "decoder stuck at byte %zu", off);
		}
	}
	r = drain(d, out);
	return r < 0 ? r : 0;
}

static void decode_all_splits(enum sqn_framing kind, size_t cap, size_t bufsize,
			      const size_t *lens, size_t n)
{
	static const struct chunker plans[] = {
		{ SPLIT_WHOLE, 0, 0 },	   { SPLIT_BYTE, 0, 0 },
		{ SPLIT_FIXED, 2, 0 },	   { SPLIT_FIXED, 3, 0 },
		{ SPLIT_FIXED, 4, 0 },	   { SPLIT_FIXED, 5, 0 },
		{ SPLIT_FIXED, 6, 0 },	   { SPLIT_FIXED, 7, 0 },
		{ SPLIT_RANDOM, 64, 1 },   { SPLIT_RANDOM, 3000, 42 },
		{ SPLIT_RANDOM, 9, 2024 }, { SPLIT_RANDOM, 70000, 7 },
	};
	struct framing_dec d;
	size_t len = build_stream(kind, lens, n, stream, &want);
	size_t i;
	int use_space;

	CHECK(bufsize <= sizeof(decbuf));
	for (use_space = 0; use_space < 2; use_space++) {
		for (i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
			struct chunker ch = plans[i];
			struct frames *out = i ? &got : &ref;

			CHECK_EQ(framing_dec_init(&d, kind, cap, decbuf,
						  bufsize),
				 0);
			CHECK_MSG(decode(&d, stream, len, &ch, use_space,
					 out) == 0,
				  "plan %zu (space %d) failed", i, use_space);
			CHECK_EQ(framing_dec_pending(&d), 0);
			/* the one-shot decode is the reference */
			frames_check_equal(out, &ref);
			frames_check_equal(out, &want);
		}
	}
}

/* Lengths for a stream of mixed frames, each at most 9014. */
static const size_t mixed_lens[] = {
	60,  14,   1514, 15,   64,   9014, 100, 14,  14,  1500,
	42,  4096, 16,	 8999, 77,   14,   255, 256, 257, 65,
	600, 1514, 14,	 31,   2048, 9000, 14,	60,  61,  1514,
};
#define MIXED_N (sizeof(mixed_lens) / sizeof(mixed_lens[0]))

TEST(encode_qemu)
{
	uint8_t hdr[FRAMING_HDR_MAX];

	CHECK_EQ(framing_hdr_len(SQN_FRAMING_QEMU), 4);
	CHECK_EQ(framing_encode(SQN_FRAMING_QEMU, 0x01020304, hdr), 4);
	CHECK(hdr[0] == 1 && hdr[1] == 2 && hdr[2] == 3 && hdr[3] == 4);
	CHECK_EQ(framing_encode(SQN_FRAMING_QEMU, 1514, hdr), 4);
	CHECK(hdr[0] == 0 && hdr[1] == 0 && hdr[2] == 0x05 && hdr[3] == 0xea);
	CHECK_EQ(framing_encode(SQN_FRAMING_QEMU, SQN_FRAME_MAX, hdr), 4);
	CHECK(hdr[0] == 0 && hdr[1] == 1 && hdr[2] == 0 && hdr[3] == 0);
	CHECK_EQ(framing_encode(SQN_FRAMING_QEMU, 14, hdr), 4);
	CHECK(hdr[0] == 0 && hdr[1] == 0 && hdr[2] == 0 && hdr[3] == 14);
}

TEST(encode_hyperkit)
{
	uint8_t hdr[FRAMING_HDR_MAX] = { 0xaa, 0xaa, 0xaa, 0xaa };

	CHECK_EQ(framing_hdr_len(SQN_FRAMING_HYPERKIT), 2);
	CHECK_EQ(framing_encode(SQN_FRAMING_HYPERKIT, 0x1234, hdr), 2);
	CHECK(hdr[0] == 0x34 && hdr[1] == 0x12);
	CHECK(hdr[2] == 0xaa && hdr[3] == 0xaa);
	CHECK_EQ(framing_encode(SQN_FRAMING_HYPERKIT, 1514, hdr), 2);
	CHECK(hdr[0] == 0xea && hdr[1] == 0x05);
	CHECK_EQ(framing_encode(SQN_FRAMING_HYPERKIT, 65535, hdr), 2);
	CHECK(hdr[0] == 0xff && hdr[1] == 0xff);
}

TEST(encode_dgram)
{
	uint8_t hdr[FRAMING_HDR_MAX] = { 0xaa, 0xaa, 0xaa, 0xaa };

	CHECK_EQ(framing_hdr_len(SQN_FRAMING_DGRAM), 0);
	CHECK_EQ(framing_encode(SQN_FRAMING_DGRAM, 1514, hdr), 0);
	CHECK(hdr[0] == 0xaa && hdr[1] == 0xaa && hdr[2] == 0xaa &&
	      hdr[3] == 0xaa);
}

static void many_in_one_feed(enum sqn_framing kind)
{
	struct framing_dec d;
	size_t len = build_stream(kind, mixed_lens, MIXED_N, stream, &want);
	const uint8_t *frame;
	size_t flen;

	CHECK(len <= sizeof(decbuf));
	CHECK_EQ(framing_dec_init(&d, kind, SQN_FRAME_MAX, decbuf,
				  sizeof(decbuf)),
		 0);
	CHECK_EQ(framing_dec_feed(&d, stream, len), len);
	CHECK_EQ(framing_dec_pending(&d), len);
	got.n = 0;
	got.used = 0;
	CHECK_EQ(drain(&d, &got), MIXED_N);
	frames_check_equal(&got, &want);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 0);
	CHECK_EQ(framing_dec_pending(&d), 0);
}

TEST(qemu_many_frames_one_feed)
{
	many_in_one_feed(SQN_FRAMING_QEMU);
}

TEST(hyperkit_many_frames_one_feed)
{
	many_in_one_feed(SQN_FRAMING_HYPERKIT);
}

TEST(qemu_every_split_decodes_the_same)
{
	decode_all_splits(SQN_FRAMING_QEMU, 9014,
			  framing_buf_min(SQN_FRAMING_QEMU, 9014), mixed_lens,
			  MIXED_N);
	decode_all_splits(SQN_FRAMING_QEMU, SQN_FRAME_MAX, sizeof(decbuf),
			  mixed_lens, MIXED_N);
}

TEST(hyperkit_every_split_decodes_the_same)
{
	decode_all_splits(SQN_FRAMING_HYPERKIT, 9014,
			  framing_buf_min(SQN_FRAMING_HYPERKIT, 9014),
			  mixed_lens, MIXED_N);
	decode_all_splits(SQN_FRAMING_HYPERKIT, SQN_FRAME_MAX, sizeof(decbuf),
			  mixed_lens, MIXED_N);
}

static void partial_kept(enum sqn_framing kind)
{
	static const size_t lens[] = { 100, 60 };
	size_t hlen = framing_hdr_len(kind);
	size_t len = build_stream(kind, lens, 2, stream, &want);
	struct framing_dec d;
	const uint8_t *frame;
	size_t flen;

	CHECK_EQ(framing_dec_init(&d, kind, 1514, decbuf, 2000), 0);

	/* a part of the header */
	CHECK_EQ(framing_dec_feed(&d, stream, 1), 1);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 0);
	CHECK_EQ(framing_dec_pending(&d), 1);

	/* the rest of the header and half of the frame */
	CHECK_EQ(framing_dec_feed(&d, stream + 1, hlen - 1 + 50),
		 hlen - 1 + 50);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 0);
	CHECK_EQ(framing_dec_pending(&d), hlen + 50);

	/* the frame's other half and the first byte of the next one */
	CHECK_EQ(framing_dec_feed(&d, stream + hlen + 50, 51), 51);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 1);
	CHECK_EQ(flen, 100);
	CHECK(!memcmp(frame, want.data, 100));
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 0);
	CHECK_EQ(framing_dec_pending(&d), 1);

	/* all but the last byte of the second frame */
	CHECK_EQ(framing_dec_feed(&d, stream + hlen + 101, len - hlen - 102),
		 len - hlen - 102);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 0);
	CHECK_EQ(framing_dec_pending(&d), hlen + 59);
	CHECK_EQ(framing_dec_feed(&d, stream + len - 1, 1), 1);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 1);
	CHECK_EQ(flen, 60);
	CHECK(!memcmp(frame, want.data + want.off[1], 60));
	CHECK_EQ(framing_dec_pending(&d), 0);
}

TEST(qemu_partial_frame_kept)
{
	partial_kept(SQN_FRAMING_QEMU);
}

TEST(hyperkit_partial_frame_kept)
{
	partial_kept(SQN_FRAMING_HYPERKIT);
}

/* Feeds a header of length @bad, then a valid frame after a reset. */
static void expect_eproto(enum sqn_framing kind, size_t cap, size_t bad)
{
	const size_t ok = cap < 60 ? cap : 60;
	const size_t ok_lens[] = { ok };
	struct framing_dec d;
	uint8_t hdr[FRAMING_HDR_MAX];
	size_t hlen = framing_encode(kind, bad, hdr);
	const uint8_t *frame;
	size_t flen, len;

	CHECK_EQ(framing_dec_init(&d, kind, cap, decbuf,
				  framing_buf_min(kind, cap)),
		 0);
	/* a valid frame first, so the bad header is not at offset 0 */
	len = build_stream(kind, ok_lens, 1, stream, &want);
	CHECK_EQ(framing_dec_feed(&d, stream, len), len);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 1);
	CHECK_EQ(flen, ok);

	/* refused as soon as the header is complete, before any body */
	CHECK_EQ(framing_dec_feed(&d, hdr, hlen - 1), hlen - 1);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 0);
	CHECK_EQ(framing_dec_feed(&d, hdr + hlen - 1, 1), 1);
	CHECK_MSG(framing_dec_next(&d, &frame, &flen) == -EPROTO,
		  "length %zu with cap %zu not refused", bad, cap);
	CHECK_EQ(d.bad_len, bad);

	/* a new connection decodes again */
	framing_dec_reset(&d);
	CHECK_EQ(framing_dec_pending(&d), 0);
	CHECK_EQ(framing_dec_feed(&d, stream, len), len);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 1);
	CHECK_EQ(flen, ok);
	CHECK(!memcmp(frame, want.data, ok));
}

TEST(short_lengths_rejected)
{
	static const size_t bad[] = { 0, 1, 3, 13 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_eproto(SQN_FRAMING_QEMU, 1514, bad[i]);
		expect_eproto(SQN_FRAMING_HYPERKIT, 1514, bad[i]);
		expect_eproto(SQN_FRAMING_QEMU, SQN_FRAME_MAX, bad[i]);
	}
}

TEST(long_lengths_rejected)
{
	expect_eproto(SQN_FRAMING_QEMU, 1514, 1515);
	expect_eproto(SQN_FRAMING_QEMU, 1514, 65535);
	expect_eproto(SQN_FRAMING_QEMU, SQN_FRAME_MAX, SQN_FRAME_MAX + 1);
	expect_eproto(SQN_FRAMING_QEMU, SQN_FRAME_MAX, 1000000);
	expect_eproto(SQN_FRAMING_QEMU, SQN_FRAME_MAX, 0xffffffffu);
	expect_eproto(SQN_FRAMING_QEMU, 14, 15);
	expect_eproto(SQN_FRAMING_HYPERKIT, 1514, 1515);
	expect_eproto(SQN_FRAMING_HYPERKIT, 14, 15);
	expect_eproto(SQN_FRAMING_HYPERKIT, 9000, 0xffff);
}

/* One frame of @flen, in a buffer of exactly framing_buf_min(). */
static void expect_ok(enum sqn_framing kind, size_t cap, size_t flen)
{
	const size_t lens[] = { flen };
	struct framing_dec d;
	size_t len = build_stream(kind, lens, 1, stream, &want);
	size_t size = framing_buf_min(kind, cap);
	const uint8_t *frame;
	size_t got_len;

	CHECK_EQ(framing_dec_init(&d, kind, cap, decbuf, size), 0);
	CHECK_EQ(framing_dec_feed(&d, stream, len), len);
	CHECK_MSG(framing_dec_next(&d, &frame, &got_len) == 1,
		  "length %zu with cap %zu not accepted", flen, cap);
	CHECK_EQ(got_len, flen);
	CHECK(!memcmp(frame, want.data, flen));
	CHECK_EQ(framing_dec_pending(&d), 0);
}

TEST(boundary_lengths_accepted)
{
	expect_ok(SQN_FRAMING_QEMU, 1514, 14);
	expect_ok(SQN_FRAMING_QEMU, 1514, 1514);
	expect_ok(SQN_FRAMING_QEMU, SQN_FRAME_MAX, 14);
	expect_ok(SQN_FRAMING_QEMU, SQN_FRAME_MAX, SQN_FRAME_MAX);
	expect_ok(SQN_FRAMING_QEMU, 14, 14);
	expect_ok(SQN_FRAMING_HYPERKIT, 1514, 14);
	expect_ok(SQN_FRAMING_HYPERKIT, 1514, 1514);
	expect_ok(SQN_FRAMING_HYPERKIT, 14, 14);
	expect_ok(SQN_FRAMING_HYPERKIT, SQN_FRAME_MAX, 65535);
}

TEST(hyperkit_cap_lowered)
{
	struct framing_dec d;

	CHECK_EQ(framing_cap(SQN_FRAMING_HYPERKIT, SQN_FRAME_MAX), 65535);
	CHECK_EQ(framing_cap(SQN_FRAMING_HYPERKIT, 1000000), 65535);
	CHECK_EQ(framing_cap(SQN_FRAMING_HYPERKIT, 65535), 65535);
	CHECK_EQ(framing_cap(SQN_FRAMING_HYPERKIT, 1514), 1514);
	CHECK_EQ(framing_cap(SQN_FRAMING_QEMU, SQN_FRAME_MAX), SQN_FRAME_MAX);
	CHECK_EQ(framing_cap(SQN_FRAMING_QEMU, 1000000), 1000000);
	CHECK_EQ(framing_cap(SQN_FRAMING_DGRAM, SQN_FRAME_MAX), SQN_FRAME_MAX);

	CHECK_EQ(framing_buf_min(SQN_FRAMING_QEMU, SQN_FRAME_MAX),
		 4 + SQN_FRAME_MAX);
	CHECK_EQ(framing_buf_min(SQN_FRAMING_HYPERKIT, SQN_FRAME_MAX),
		 2 + 65535);
	CHECK_EQ(framing_buf_min(SQN_FRAMING_DGRAM, SQN_FRAME_MAX),
		 SQN_FRAME_MAX);

	/* the smaller buffer is enough once the cap is lowered */
	CHECK_EQ(framing_dec_init(&d, SQN_FRAMING_HYPERKIT, SQN_FRAME_MAX,
				  decbuf, 2 + 65535),
		 0);
	CHECK_EQ(d.cap, 65535);
	CHECK_EQ(framing_dec_init(&d, SQN_FRAMING_HYPERKIT, SQN_FRAME_MAX,
				  decbuf, 2 + 65534),
		 -EINVAL);
}

/* A max-size frame after a small one needs the buffer compacted. */
static void min_buffer(enum sqn_framing kind)
{
	size_t cap = framing_cap(kind, SQN_FRAME_MAX);
	const size_t lens[] = { 14, cap, 60, cap, 1514, 14, cap, cap, 100 };

	decode_all_splits(kind, cap, framing_buf_min(kind, cap), lens,
			  sizeof(lens) / sizeof(lens[0]));
}

TEST(qemu_min_buffer_max_frames)
{
	min_buffer(SQN_FRAMING_QEMU);
}

TEST(hyperkit_min_buffer_max_frames)
{
	min_buffer(SQN_FRAMING_HYPERKIT);
}

TEST(full_buffer_then_drained)
{
	/* the buffer holds two whole small frames and nothing more */
	static const size_t lens[] = { 20, 20, 20 };
	const size_t cap = 20, hlen = 4, size = 2 * (hlen + 20);
	struct framing_dec d;
	size_t len = build_stream(SQN_FRAMING_QEMU, lens, 3, stream, &want);
	const uint8_t *frame;
	uint8_t *at;
	size_t flen;

	CHECK_EQ(framing_dec_init(&d, SQN_FRAMING_QEMU, cap, decbuf, size), 0);
	CHECK_EQ(framing_dec_feed(&d, stream, len), size);
	CHECK_EQ(framing_dec_space(&d, &at), 0);
	CHECK_EQ(framing_dec_feed(&d, stream + size, len - size), 0);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 1);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 1);
	CHECK(!memcmp(frame, want.data + want.off[1], 20));
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 0);
	CHECK_EQ(framing_dec_space(&d, &at), size);
	CHECK(at == decbuf);
	CHECK_EQ(framing_dec_feed(&d, stream + size, len - size), len - size);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 1);
	CHECK(frame == decbuf + hlen);
	CHECK(!memcmp(frame, want.data + want.off[2], 20));
}

TEST(dec_pending)
{
	static const size_t lens[] = { 30, 40 };
	struct framing_dec d;
	size_t len = build_stream(SQN_FRAMING_QEMU, lens, 2, stream, &want);
	const uint8_t *frame;
	size_t flen;

	CHECK_EQ(len, 78);
	CHECK_EQ(framing_dec_init(&d, SQN_FRAMING_QEMU, 1514, decbuf, 1518), 0);
	CHECK_EQ(framing_dec_pending(&d), 0);
	CHECK_EQ(framing_dec_feed(&d, stream, 10), 10);
	CHECK_EQ(framing_dec_pending(&d), 10);
	CHECK_EQ(framing_dec_feed(&d, stream + 10, 40), 40);
	CHECK_EQ(framing_dec_pending(&d), 50);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 1);
	CHECK_EQ(framing_dec_pending(&d), 16);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 0);
	CHECK_EQ(framing_dec_pending(&d), 16);
	/* compaction moves bytes but does not change the count */
	CHECK_EQ(framing_dec_feed(&d, stream + 50, 0), 0);
	CHECK_EQ(framing_dec_pending(&d), 16);
	CHECK_EQ(framing_dec_feed(&d, stream + 50, 28), 28);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 1);
	CHECK_EQ(flen, 40);
	CHECK_EQ(framing_dec_pending(&d), 0);

	/* a truncated frame at the end of a stream, then a new connection */
	CHECK_EQ(framing_dec_feed(&d, stream, 20), 20);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 0);
	CHECK_EQ(framing_dec_pending(&d), 20);
	framing_dec_reset(&d);
	CHECK_EQ(framing_dec_pending(&d), 0);
	CHECK_EQ(d.bad_len, 0);
}
