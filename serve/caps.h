/* SPDX-License-Identifier: MIT */
/* caps.h - squib-net serve's capabilities: only those still needed once
 * it is up (docs/serve.md says which, and why) */
#ifndef SQN_SERVE_CAPS_H
#define SQN_SERVE_CAPS_H

#include <stddef.h>

void caps_bound(void);
int caps_drop(char *msg, size_t len);

#endif /* SQN_SERVE_CAPS_H */
