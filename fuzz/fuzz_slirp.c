// SPDX-License-Identifier: MIT
/* fuzz_slirp.c - libFuzzer target: the slirp helper's frame input
 * (slirp/frames.c) on any byte stream, in any chunking
 *
 * Input layout:
 *   [0..1]	the MTU's frame, 14..65534 (big-endian, reduced)
 *   [2]	chunk size seed: each read takes 1..256 times it bytes
 *   [3..]	the stream
 * The same stream is parsed whole by a plain reference loop; the frames
 * delivered (count, lengths and a hash of their bytes), the counters and
 * the end (-EBADMSG or not) must agree.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * struct tally - what was delivered
 * @n:		frames
 * @hash:	FNV-1a over their lengths and bytes
 * @max:	largest frame allowed, checked on each
 */
struct tally {
	uint64_t n, hash;
	size_t max;
};

/* Count a delivered frame; its length must be in range. */
static void tally_add(struct tally *t, const uint8_t *frame, size_t len)
{
	size_t i;

	if (len < FRAMES_MIN || len > t->max)
		abort();
	t->n++;
	t->hash = (t->hash ^ len) * 1099511628211ull;
	for (i = 0; i < len; i++)
		t->hash = (t->hash ^ frame[i]) * 1099511628211ull;
}

/* frames_in_commit's callback. */
static void deliver(const uint8_t *frame, size_t len, void *opaque)
{
	tally_add(opaque, frame, len);
}

/* The reference: the whole stream at once, the rules written plainly. */
static int reference(const uint8_t *s, size_t n, size_t max, struct tally *t,
		     struct frames_stats *st)
{
	size_t off = 0;
	uint32_t len;

	while (n - off >= 4) {
		len = (uint32_t)s[off] << 24 | (uint32_t)s[off + 1] << 16 |
		      (uint32_t)s[off + 2] << 8 | s[off + 3];
		if (len > FRAMES_LEN_SANE) {
			st->in_bad_length++;
			return -EBADMSG;
		}
		if (len < FRAMES_MIN)
			st->in_runt++;
		else if (len > max)
			st->in_oversized++;
		else if (n - off - 4 >= len)
			tally_add(t, s + off + 4, len);
		else
			break;
		if (n - off - 4 < len)
			break;
		off += 4 + (size_t)len;
	}
	return 0;
}

/* One input: chunked through frames.c, whole through the reference. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frames_stats st = { 0 }, ref_st = { 0 };
	struct tally t = { 0 }, ref_t = { 0 };
	size_t max, off, c, room, step;
	struct frames_in in;
	int r = 0, ref_r;
	uint8_t *p;

	if (size < 3)
		return 0;
	max = FRAMES_MIN + ((size_t)data[0] << 8 | data[1]) % (65535 - 14);
	step = data[2] + 1u;
	data += 3;
	size -= 3;
	t.max = ref_t.max = max;
	if (frames_in_init(&in, (uint32_t)max))
		return 0;
	for (off = 0; off < size && !r; off += c) {
		p = frames_in_space(&in, &room);
		c = (step * (off % 256 + 1)) % room + 1;
		if (c > size - off)
			c = size - off;
		memcpy(p, data + off, c);
		r = frames_in_commit(&in, c, deliver, &t, &st);
	}
	ref_r = reference(data, size, max, &ref_t, &ref_st);
	/* Oversized frames at the end are counted once their length is in. */
	if (r != ref_r || t.n != ref_t.n || t.hash != ref_t.hash ||
	    st.in_frames != t.n || st.in_runt != ref_st.in_runt ||
	    st.in_oversized != ref_st.in_oversized ||
	    st.in_bad_length != ref_st.in_bad_length)
		abort();
	frames_in_free(&in);
	return 0;
}
