/* SPDX-License-Identifier: MIT */
/* fixture.h - one attachment per backend with its peer, for backend-agnostic tests */
#ifndef SQN_TEST_FIXTURE_H
#define SQN_TEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "squibnet.h"

struct peer;
struct kpeer;

/**
 * struct fx_kind - where a fixture's backend differs from the others (the
 * reasons are in fixture.c's table)
 * @max_packet:	sqn_info's max_packet_size after open
 * @hold:	0: sqn_send() pushes back (-EAGAIN) while the peer lags.
 *		Else it never does, and this many frames sent unread must
 *		all come back
 * @cycles:	open/close cycles of the leak check
 */
struct fx_kind {
	uint32_t max_packet;
	unsigned int hold;
	unsigned int cycles;
};

/**
 * struct fx - an open attachment and whatever stands behind it
 * @name:	fixture name, for messages
 * @kind:	what sets its backend apart
 * @net:	the attachment
 * @peer:	echo peer, NULL for loopback and the helper (its own peer)
 * @kpeer:	the TAP and plane fixtures' echo peer: the kernel's side
 * @info:	sqn_info() after open
 */
struct fx {
	const char *name;
	const struct fx_kind *kind;
	sqn_net *net;
	struct peer *peer;
	struct kpeer *kpeer;
	struct sqn_info info;
};

extern const char *const fx_names[];
extern const struct fx_kind fx_kinds[];
extern const unsigned int fx_count;

/* The fixtures of tests/fixture_sock.c: a peer on a socket, or none. */
enum fx_sock {
	FX_SOCK_LOOPBACK,
	FX_SOCK_FD,
	FX_SOCK_PATH,
	FX_SOCK_HYPERKIT,
	FX_SOCK_DGRAM,
};

const char *fx_fake_helper(void);
int fx_sock_open(struct fx *f, enum fx_sock how, struct sqn_config *cfg);
void fx_sock_close(struct fx *f);
void fx_prepare(struct fx *f, unsigned int which, const struct sqn_config *base,
		struct sqn_config *cfg);
int fx_opened(struct fx *f, int r);
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
