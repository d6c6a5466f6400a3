/* SPDX-License-Identifier: MIT */
/* streams.h - squib-net serve's stream sockets, one per network: each
 * connection a TAP port of its own, relayed */
#ifndef SQN_SERVE_STREAMS_H
#define SQN_SERVE_STREAMS_H

#include "serve.h"

void streams_open(struct serve *s);
void streams_close(struct serve *s);
void streams_accept(struct serve *s, struct serve_watch *w);

#endif /* SQN_SERVE_STREAMS_H */
