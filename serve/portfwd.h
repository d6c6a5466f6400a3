/* SPDX-License-Identifier: MIT */
/* portfwd.h - squib-net serve's fixed addresses and port forwards: an
 * attach's, and forward_add/forward_remove at runtime */
#ifndef SQN_SERVE_PORTFWD_H
#define SQN_SERVE_PORTFWD_H

#include <stddef.h>

#include "serve.h"

int portfwd_attach_check(struct serve *s, const struct acl_peer *peer,
			 const struct serve_net *n,
			 const struct svc_request *req, char *msg, size_t len);
int portfwd_attach(struct serve_att *a, const struct svc_request *req,
		   char *msg, size_t len);
void portfwd_request(struct serve *s, struct serve_conn *c,
		     const struct svc_request *req);

#endif /* SQN_SERVE_PORTFWD_H */
