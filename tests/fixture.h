/* SPDX-License-Identifier: MIT */
/* fixture.h - one attachment per backend with its peer, for backend-agnostic tests */
#ifndef SQN_TEST_FIXTURE_H
#define SQN_TEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "squibnet.h"

struct peer;

/**
 * struct fx - an open attachment and whatever stands behind it
 * @name:	fixture name, for messages
 * @net:	the attachment
 * @peer:	echo peer, NULL for loopback and the helper (its own peer)
 * @info:	sqn_info() after open
 */
struct fx {
	const char *name;
	sqn_net *net;
	struct peer *peer;
	struct sqn_info info;
};

extern const char *const fx_names[];
extern const unsigned int fx_count;

const char *fx_fake_helper(void);
int fx_open(struct fx *f, unsigned int which, const struct sqn_config *base);
void fx_close(struct fx *f);

void frame_fill(uint8_t *buf, size_t len, uint32_t seq);
int frame_check(const uint8_t *buf, size_t len, uint32_t seq);
uint32_t frame_seq(const uint8_t *buf);

int fx_send_all(struct fx *f, const struct sqn_pkt *pkts, unsigned int n);
int fx_exchange(struct fx *f, const struct sqn_pkt *tx, struct sqn_pkt *rx,
		unsigned int n);
int fx_recv_wait(struct fx *f, struct sqn_pkt *pkts, unsigned int n,
		 int timeout_ms);

#endif /* SQN_TEST_FIXTURE_H */
