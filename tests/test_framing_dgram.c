// SPDX-License-Identifier: MIT
/* test_framing_dgram.c - unit tests of the datagram framing (one frame a
 * feed, bad sizes dropped) and of the decoder's argument checks */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "framing.h"
#include "harness.h"
#include "squibnet.h"

/* One of each is plenty: every TEST runs in a child of its own. */
static uint8_t stream[2048];
static uint8_t decbuf[2048];

static uint8_t pattern(size_t frame, size_t i)
{
	return (uint8_t)(frame * 37 + i * 11 + 5);
}

TEST(dgram_one_frame_per_feed)
{
	struct framing_dec d;
	const uint8_t *frame;
	size_t flen, i;
	uint8_t *at;

	for (i = 0; i < 2000; i++)
		stream[i] = pattern(1, i);
	/* a buffer longer than the cap: oversize datagrams arrive whole */
	CHECK_EQ(framing_dec_init(&d, SQN_FRAMING_DGRAM, 1514, decbuf, 2000),
		 0);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 0);

	CHECK_EQ(framing_dec_feed(&d, stream, 60), 60);
	CHECK_EQ(framing_dec_pending(&d), 60);
	/* no room for a second datagram until the first is taken */
	CHECK_EQ(framing_dec_space(&d, &at), 0);
	CHECK_EQ(framing_dec_feed(&d, stream, 70), 0);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 1);
	CHECK_EQ(flen, 60);
	CHECK(!memcmp(frame, stream, 60));
	CHECK_EQ(framing_dec_pending(&d), 0);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 0);

	/* datagrams never merge, even below the cap */
	CHECK_EQ(framing_dec_feed(&d, stream + 1, 14), 14);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 1);
	CHECK_EQ(flen, 14);
	CHECK(!memcmp(frame, stream + 1, 14));
	CHECK_EQ(framing_dec_feed(&d, stream + 2, 1514), 1514);
	CHECK_EQ(framing_dec_next(&d, &frame, &flen), 1);
	CHECK_EQ(flen, 1514);
	CHECK(!memcmp(frame, stream + 2, 1514));
	CHECK(frame == decbuf);
}

TEST(dgram_bad_sizes_dropped)
{
	static const size_t bad[] = { 1, 3, 13, 1515, 2000 };
	struct framing_dec d;
	const uint8_t *frame;
	size_t flen, i;

	for (i = 0; i < 2000; i++)
		stream[i] = pattern(2, i);
	CHECK_EQ(framing_dec_init(&d, SQN_FRAMING_DGRAM, 1514, decbuf, 2000),
		 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(framing_dec_feed(&d, stream, bad[i]), bad[i]);
		CHECK_EQ(framing_dec_next(&d, &frame, &flen), -EMSGSIZE);
		CHECK_EQ(d.bad_len, bad[i]);
		CHECK_EQ(framing_dec_pending(&d), 0);
		CHECK_EQ(framing_dec_next(&d, &frame, &flen), 0);
		/* the next datagram is fine, no reset needed */
		CHECK_EQ(framing_dec_feed(&d, stream + i, 64), 64);
		CHECK_EQ(framing_dec_next(&d, &frame, &flen), 1);
		CHECK_EQ(flen, 64);
		CHECK(!memcmp(frame, stream + i, 64));
	}
}

TEST(dec_init_rejects)
{
	struct framing_dec d;
	unsigned int k;

	CHECK_EQ(framing_dec_init(&d, SQN_FRAMING_DEFAULT, 1514, decbuf, 2000),
		 -EINVAL);
	CHECK_EQ(framing_dec_init(&d, (enum sqn_framing)4, 1514, decbuf, 2000),
		 -EINVAL);
	CHECK_EQ(framing_dec_init(&d, (enum sqn_framing)99, 1514, decbuf, 2000),
		 -EINVAL);
	CHECK_EQ(framing_dec_init(&d, (enum sqn_framing)0xffffffffu, 1514,
				  decbuf, 2000),
		 -EINVAL);
	for (k = SQN_FRAMING_QEMU; k <= SQN_FRAMING_DGRAM; k++) {
		enum sqn_framing kind = (enum sqn_framing)k;
		size_t min = framing_buf_min(kind, 1514);

		CHECK_EQ(min, framing_hdr_len(kind) + 1514);
		CHECK_EQ(framing_dec_init(&d, kind, 1514, decbuf, min - 1),
			 -EINVAL);
		CHECK_EQ(framing_dec_init(&d, kind, 1514, decbuf, 0), -EINVAL);
		CHECK_EQ(framing_dec_init(&d, kind, 1514, NULL, min), -EINVAL);
		CHECK_EQ(framing_dec_init(&d, kind, 13, decbuf, 2000), -EINVAL);
		CHECK_EQ(framing_dec_init(&d, kind, 0, decbuf, 2000), -EINVAL);
		CHECK_EQ(framing_dec_init(&d, kind, 1514, decbuf, min), 0);
		CHECK_EQ(d.kind, kind);
		CHECK_EQ(d.cap, 1514);
		CHECK_EQ(d.size, min);
		CHECK_EQ(framing_dec_pending(&d), 0);
		CHECK_EQ(framing_dec_init(&d, kind, 14, decbuf,
					  framing_buf_min(kind, 14)),
			 0);
	}
}
