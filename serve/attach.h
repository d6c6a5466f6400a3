/* SPDX-License-Identifier: MIT */
/* attach.h - squib-net serve's attachments: a TAP on a network's bridge,
 * handed to a client, removed when what holds it ends */
#ifndef SQN_SERVE_ATTACH_H
#define SQN_SERVE_ATTACH_H

#include <stddef.h>

#include "serve.h"

void attach_request(struct serve *s, struct serve_conn *c,
		    const struct svc_request *req);
void attach_detach(struct serve *s, struct serve_conn *c,
		   const struct svc_request *req);
void attach_conn_gone(struct serve *s, struct serve_conn *c);
void attach_holder_ended(struct serve *s, struct serve_att *a);
void attach_remove_all(struct serve *s);
void attach_remove(struct serve *s, struct serve_att *a, const char *why);
int attach_stream(struct serve *s, struct serve_net *n,
		  const struct acl_peer *peer, int fd, const char *label,
		  char *msg, size_t len);

#endif /* SQN_SERVE_ATTACH_H */
