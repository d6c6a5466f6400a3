// SPDX-License-Identifier: MIT
/* attach.c - what squib-net run and bridge-helper share: an attachment, and its TAP, from the service */
#include <stdio.h>
#include <string.h>

#include "attach.h"
#include "log.h"

/**
 * attach_label() - a label the service takes: printable ASCII, cut to fit
 * @label:	set
 * @text:	what it says (a program's name)
 */
void attach_label(char label[SVC_LABEL_MAX], const char *text)
{
	size_t i;

	snprintf(label, SVC_LABEL_MAX, "%s", text);
	for (i = 0; label[i]; i++)
		if (label[i] < 0x20 || label[i] > 0x7e)
			label[i] = '?';
}

/**
 * attach_service() - attach through the service, or say why not
 * @cmd:	the command, for the message
 * @socket:	its socket as given (--socket), or NULL: $SQN_SERVICE, else
 *		the default
 * @req:	the attach request
 * @c:		filled: the connection and the TAP (svcclient_attach())
 *
 * A refusal is printed as the service worded it.
 *
 * Return: 0, or 1 (the exit status) after one line on stderr.
 */
int attach_service(const char *cmd, const char *socket,
		   const struct svc_request *req, struct svcclient *c)
{
	memset(c, 0, sizeof(*c));
	c->path = svc_socket_path(socket);
	c->connect_ms = ATTACH_CONNECT_MS;
	c->reply_ms = ATTACH_REPLY_MS;
	if (!svcclient_attach(c, req))
		return 0;
	err("%s: %s", cmd, c->msg);
	return 1;
}
