/* SPDX-License-Identifier: MIT */
/* loop.h - squib-net serve's event loop: one epoll for the control socket,
 * connections, holders' and dnsmasq's pidfds, signals and a timer */
#ifndef SQN_SERVE_LOOP_H
#define SQN_SERVE_LOOP_H

#include <stddef.h>

#include "serve.h"

int loop_init(struct serve *s, char *msg, size_t len);
int loop_run(struct serve *s);
void loop_fini(struct serve *s);

#endif /* SQN_SERVE_LOOP_H */
