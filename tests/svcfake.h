/* SPDX-License-Identifier: MIT */
/* svcfake.h - a stand-in for squib-net serve: one attach exchange on its control socket, answered as the test says */
#ifndef SQN_TEST_SVCFAKE_H
#define SQN_TEST_SVCFAKE_H

#include <sys/types.h>

#include "svcproto.h"

/* The subnet the fake's shared and host networks report: the TAP test's
 * (taptest.h), 10.77.0.0/24 with the gateway 10.77.0.1. */
#define SVCFAKE_PREFIX_LEN 24

/**
 * enum svcfake_how - how the fake answers an attach
 * @SVCFAKE_TAP:	an attachment, with a TAP's descriptor
 * @SVCFAKE_REFUSE:	a refusal: errno and message
 * @SVCFAKE_SILENT:	nothing, ever (until the client hangs up)
 * @SVCFAKE_GARBAGE:	a packet that is not JSON
 * @SVCFAKE_NO_FD:	an attachment without a descriptor
 * @SVCFAKE_HANGUP:	the connection closed, no answer
 */
enum svcfake_how {
	SVCFAKE_TAP = 0,
	SVCFAKE_REFUSE,
	SVCFAKE_SILENT,
	SVCFAKE_GARBAGE,
	SVCFAKE_NO_FD,
	SVCFAKE_HANGUP,
};

/**
 * struct svcfake_answer - what to answer
 * @how:	enum svcfake_how
 * @tap:	SVCFAKE_TAP: the descriptor to pass; -1: a new TAP, "fakeN",
 *		with IFF_VNET_HDR when the request asks for it
 * @mode:	the network's mode in the answer; NULL: "host" for sqn-host
 *		and host, "shared" for sqn-shared, shared and "", else
 *		"bridged"
 * @err:	SVCFAKE_REFUSE: the errno
 * @message:	SVCFAKE_REFUSE: the message
 * @v6:		the attachment's network has an IPv6 prefix, fd00:77::/64
 *		(its fixed address is the one asked for, or 10.77.0.99 when
 *		only forwards are)
 */
struct svcfake_answer {
	enum svcfake_how how;
	int tap;
	const char *mode;
	int err;
	const char *message;
	int v6;
};

/**
 * struct svcfake_seen - what one connection asked
 * @decoded:	1 when its request was decoded into @req
 * @req:	the request
 * @pid:	the client's pid (SO_PEERCRED)
 * @ppid:	its parent's, while it waited for the answer
 * @uid:	its uid
 * @tap:	SVCFAKE_TAP: the TAP's name
 */
struct svcfake_seen {
	int decoded;
	struct svc_request req;
	pid_t pid;
	pid_t ppid;
	uid_t uid;
	char tap[SVC_NAME_MAX];
};

int svcfake_listen(const char *path);
int svcfake_serve(int conn, const struct svcfake_answer *a,
		  struct svcfake_seen *seen);
int svcfake_wait_eof(int conn);

#endif /* SQN_TEST_SVCFAKE_H */
