/* SPDX-License-Identifier: MIT */
/* holder.h - squib-net serve: the process an attachment lives as long as
 * (the client itself, or its parent: QEMU for its bridge helper), found
 * and checked through /proc and held by a pidfd */
#ifndef SQN_SERVE_HOLDER_H
#define SQN_SERVE_HOLDER_H

#include <stddef.h>
#include <sys/types.h>

#include "serve.h"

int holder_peer_pidfd(struct serve_conn *c, char *msg, size_t len);
int holder_parent_pidfd(struct serve_conn *c, pid_t *parent, char *msg,
			size_t len);

#endif /* SQN_SERVE_HOLDER_H */
