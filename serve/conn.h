/* SPDX-License-Identifier: MIT */
/* conn.h - squib-net serve's control connections: accepted, identified,
 * read one request at a time, answered without blocking the service */
#ifndef SQN_SERVE_CONN_H
#define SQN_SERVE_CONN_H

#include <stdint.h>

#include "serve.h"

void conn_accept(struct serve *s);
void conn_spare(struct serve *s);
void conn_fini(struct serve *s);
void conn_event(struct serve *s, struct serve_conn *c, uint32_t events);
void conn_close(struct serve *s, struct serve_conn *c);
int conn_reply(struct serve *s, struct serve_conn *c,
	       const struct svc_request *req, const struct svc_reply *rep,
	       int fd);
int conn_refuse(struct serve *s, struct serve_conn *c,
		const struct svc_request *req, int err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif /* SQN_SERVE_CONN_H */
