/* SPDX-License-Identifier: MIT */
/* status.h - squib-net serve's status reply: its networks and attachments */
#ifndef SQN_SERVE_STATUS_H
#define SQN_SERVE_STATUS_H

#include <stdint.h>

#include "serve.h"

uint64_t status_counter(const char *tap, const char *name);

void status_reply(struct serve *s, struct serve_conn *c,
		  const struct svc_request *req);

#endif /* SQN_SERVE_STATUS_H */
