/* SPDX-License-Identifier: MIT */
/* svcclient.h - the client of squib-net serve: an attachment, and its TAP, from the service */
#ifndef SQN_SVCCLIENT_H
#define SQN_SVCCLIENT_H

#include <stddef.h>

#include "svcproto.h"

/**
 * struct svcclient - one attach exchange with the service, and what it got
 * @path:	the control socket (svc_socket_path()'s answer)
 * @connect_ms:	how long the service may take to accept the connection
 * @reply_ms:	how long it may then take to answer
 * @conn:	the connection, close-on-exec; it holds an attachment of
 *		hold "connection" until it is closed. -1 when none
 * @tap:	the TAP's descriptor, close-on-exec; -1 when none
 * @att:	the attachment's facts, from the reply
 * @refused:	on failure: 1 when @msg is the service's own (a refusal),
 *		0 when it is ours (no service, no answer, a bad reply)
 * @msg:	on failure: why
 */
struct svcclient {
	const char *path;
	unsigned int connect_ms;
	unsigned int reply_ms;
	int conn;
	int tap;
	struct svc_attach att;
	int refused;
	char msg[SVC_ERRMSG_MAX + 160];
};

int svcclient_attach(struct svcclient *c, const struct svc_request *req);
void svcclient_close(struct svcclient *c);

#endif /* SQN_SVCCLIENT_H */
