// SPDX-License-Identifier: MIT
/* test_csum.c - the Internet checksum of csum.c against RFC 1071's
 * definition, summed here a 16-bit word at a time */
#include <stdint.h>
#include <string.h>

#include "csum.h"
#include "harness.h"

static uint8_t buf[4096 + 64];

/* RFC 1071: the ones' complement sum of big-endian 16-bit words, an odd
 * last byte padded with zero, folded; stored big-endian in @out. */
static void reference(const uint8_t *p, size_t len, uint8_t out[2])
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	out[0] = (uint8_t)(sum >> 8);
	out[1] = (uint8_t)sum;
}

/* csum_add() in the machine's order gives the same two bytes in memory,
 * for every length and alignment, and summed in pieces of even length. */
TEST(the_sum_is_rfc_1071s_at_every_length_and_alignment)
{
	uint32_t x = 12345;
	uint8_t want[2], got[2];
	uint16_t c;
	size_t len, off, cut;

	for (len = 0; len < sizeof(buf); len++) {
		x = x * 1103515245 + 12345;
		buf[len] = (uint8_t)(x >> 16);
	}
	for (off = 0; off < 8; off++)
		for (len = 0; len <= 1100; len += len < 300 ? 1 : 37) {
			reference(buf + off, len, want);
			c = csum_fold(csum_add(0, buf + off, len));
			memcpy(got, &c, 2);
			CHECK_MSG(!memcmp(got, want, 2),
				  "length %zu at offset %zu", len, off);
			cut = (len / 3) & ~(size_t)1;
			c = csum_fold(csum_add(csum_add(0, buf + off, cut),
					       buf + off + cut, len - cut));
			memcpy(got, &c, 2);
			CHECK_MSG(!memcmp(got, want, 2),
				  "length %zu cut at %zu", len, cut);
		}
}

/* All ones: the sums that fold over most often. */
TEST(a_buffer_of_all_ones_folds_to_all_ones)
{
	uint8_t want[2], got[2];
	uint16_t c;

	memset(buf, 0xff, sizeof(buf));
	reference(buf, sizeof(buf), want);
	c = csum_fold(csum_add(0, buf, sizeof(buf)));
	memcpy(got, &c, 2);
	CHECK(!memcmp(got, want, 2) && want[0] == 0xff && want[1] == 0xff);
}
