// SPDX-License-Identifier: MIT
/* test_alloc.c - the data path allocates nothing: counted over 1,000,000 frames */
#include <stdio.h>
#include <string.h>

#include "alloc_count.h"
#include "fixture.h"
#include "harness.h"

#define FRAMES 1000000
#define BATCH 32

static uint8_t txbuf[BATCH][1514];
static uint8_t rxbuf[BATCH][1514];
static struct iovec txiov[BATCH], rxiov[BATCH];
static struct sqn_pkt tx[BATCH], rx[BATCH];

/* Exchange @frames frames in batches; sizes vary from 60 to 1514. */
static void pump(struct fx *f, uint32_t first, uint32_t frames)
{
	uint32_t seq = first;
	unsigned int i;

	while (seq < first + frames) {
		for (i = 0; i < BATCH; i++) {
			size_t len = 60 + (seq + i) % 1455;

			frame_fill(txbuf[i], len, seq + i);
			txiov[i] = (struct iovec){ txbuf[i], len };
			tx[i] = (struct sqn_pkt){ .iov = &txiov[i],
						  .iovcnt = 1 };
			rxiov[i] = (struct iovec){ rxbuf[i], sizeof(rxbuf[i]) };
			rx[i] = (struct sqn_pkt){ .iov = &rxiov[i],
						  .iovcnt = 1 };
		}
		CHECK_MSG(fx_exchange(f, tx, rx, BATCH) == BATCH,
			  "%s: exchange stalled at frame %u", f->name, seq);
		for (i = 0; i < BATCH; i++, seq++)
			CHECK_MSG(frame_check(rxbuf[i], rx[i].len, seq),
				  "%s: frame %u", f->name, seq);
	}
}

TEST(zero_allocations_over_a_million_frames)
{
	unsigned int w;

	for (w = 0; w < fx_count; w++) {
		struct sqn_stats st;
		struct fx f;
		long before, after;
		int r = fx_open(&f, w, NULL);

		CHECK_MSG(!r, "%s: %s", fx_names[w], sqn_last_error(NULL));
		pump(&f, 0, 1024); /* warm up: lazy libc state */
		before = alloc_count_calls();
		pump(&f, 1024, FRAMES);
		after = alloc_count_calls();
		sqn_stats(f.net, &st);
		CHECK_EQ(st.tx_frames, FRAMES + 1024);
		CHECK_EQ(st.rx_frames, FRAMES + 1024);
		printf("     %-16s %d frames each way, %ld allocations\n",
		       f.name, FRAMES, after - before);
		CHECK_MSG(after == before,
			  "%s: %ld allocations on the data path", f.name,
			  after - before);
		fx_close(&f);
	}
}

TEST(allocation_counter_works)
{
	long before = alloc_count_calls();
	char *volatile p = malloc(16);

	CHECK(alloc_count_calls() == before + 1);
	free(p);
	CHECK(alloc_count_calls() == before + 1);
}
