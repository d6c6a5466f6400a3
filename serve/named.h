/* SPDX-License-Identifier: MIT */
/* named.h - squib-net serve's named TAPs: persistent, owned by the client's
 * uid, opened by name by its VMM (Firecracker's host_dev_name) */
#ifndef SQN_SERVE_NAMED_H
#define SQN_SERVE_NAMED_H

#include "serve.h"

int named_attach(struct serve_att *a, const struct netplane_port *port,
		 int vnet_hdr, char *msg, size_t len);
int named_reply_fd(struct serve_att *a);

#endif /* SQN_SERVE_NAMED_H */
