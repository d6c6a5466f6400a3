/* SPDX-License-Identifier: MIT */
/* attach.h - what squib-net run and bridge-helper share: an attachment, and its TAP, from the service */
#ifndef SQN_CLI_ATTACH_H
#define SQN_CLI_ATTACH_H

#include "svcclient.h"

/* How long the service may take: to accept, as the library's default
 * connect_timeout_ms; to answer, as its default for the reply (the
 * network may be made first). */
#define ATTACH_CONNECT_MS 2000
#define ATTACH_REPLY_MS 10000

void attach_label(char label[SVC_LABEL_MAX], const char *text);
int attach_service(const char *cmd, const char *socket,
		   const struct svc_request *req, struct svcclient *c);

#endif /* SQN_CLI_ATTACH_H */
