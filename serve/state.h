/* SPDX-License-Identifier: MIT */
/* state.h - squib-net serve's record of its attachments, kept beside the
 * control socket, so that a service started after one that was killed
 * adopts the TAPs its clients still hold instead of losing their guests */
#ifndef SQN_SERVE_STATE_H
#define SQN_SERVE_STATE_H

#include "serve.h"

/* The record's name: the control socket's path and this. */
#define STATE_SUFFIX ".state"

void state_save(struct serve *s);
void state_adopt(struct serve *s);
void state_links_event(struct serve *s);
void state_fini(struct serve *s, int clean);

#endif /* SQN_SERVE_STATE_H */
