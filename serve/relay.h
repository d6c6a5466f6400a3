/* SPDX-License-Identifier: MIT */
/* relay.h - squib-net serve's relays: frames between a client's socket
 * (QEMU stream framing, or one frame per datagram) and its TAP port */
#ifndef SQN_SERVE_RELAY_H
#define SQN_SERVE_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "serve.h"

int relay_open(struct serve *s, struct serve_att *a, int sock, int dgram,
	       char *msg, size_t len);
void relay_close(struct serve *s, struct serve_att *a);
void relay_event(struct serve *s, struct serve_watch *w, uint32_t events);
void relay_status(const struct serve_att *a, struct svc_attach *out);

#endif /* SQN_SERVE_RELAY_H */
