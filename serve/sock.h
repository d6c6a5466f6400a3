/* SPDX-License-Identifier: MIT */
/* sock.h - squib-net serve's control socket: made (mode and group), or
 * taken from systemd (socket activation) */
#ifndef SQN_SERVE_SOCK_H
#define SQN_SERVE_SOCK_H

#include <stddef.h>

#include "serve.h"

int sock_open(struct serve *s, char *msg, size_t len);
void sock_close(struct serve *s);

#endif /* SQN_SERVE_SOCK_H */
