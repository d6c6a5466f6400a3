// SPDX-License-Identifier: MIT
/* fuzz_proto.c - libFuzzer target: the service's request and reply
 * decoders (svcproto.h) on any bytes, and what they accept round-trips */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "svcproto.h"

/*
 * Input layout:
 *   [0]	bits 0-1: the op whose reply is decoded (0: none, only the
 *		request decoder); bits 2-4: the caller's networks array
 *		(0..7); bits 5-7: its attachments array (0..7)
 *   then the document, exactly as long as what is left: ASan sees a read
 *   past it, and it holds no NUL at its end to lean on.
 *
 * A refusal says why in a NUL-terminated message. What decodes encodes
 * again, and that decodes to the same thing: so the decoders and encoders
 * agree on every value one of them lets through.
 */
#define ARR_MAX 7
#define MSG_LEN 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char doc[SVC_MSG_MAX + 1];

static void check_refusal(int r, const char *msg)
{
	if (r != -EPROTO && r != -EPROTONOSUPPORT)
		abort();
	if (!memchr(msg, '\0', MSG_LEN) || !msg[0])
		abort();
}

static void request_round_trip(const struct svc_request *r)
{
	struct svc_request again;
	char msg[MSG_LEN];
	int n;

	n = svc_request_encode(r, doc, sizeof(doc));
	if (n <= 0 || (size_t)n != strlen(doc))
		abort();
	if (svc_request_decode(doc, (size_t)n, &again, msg, sizeof(msg)))
		abort();
	if (memcmp(r, &again, sizeof(again)))
		abort();
}

/* The reply again, with what the caller's arrays kept of it. */
static void reply_round_trip(enum svc_op op, const struct svc_reply *r,
			     unsigned int n_nets, unsigned int n_atts)
{
	struct svc_network nets[ARR_MAX];
	struct svc_attach atts[ARR_MAX];
	struct svc_request req = { .op = op, .has_ip = 1 };
	struct svc_reply keep = *r, again;
	char msg[MSG_LEN];
	int n;

	if (keep.n_networks > n_nets)
		keep.n_networks = n_nets;
	if (keep.n_attachments > n_atts)
		keep.n_attachments = n_atts;
	n = svc_reply_encode(&req, &keep, doc, sizeof(doc));
	if (n <= 0 || (size_t)n != strlen(doc))
		abort();
	memset(&again, 0, sizeof(again));
	again.networks = nets;
	again.n_networks = ARR_MAX;
	again.attachments = atts;
	again.n_attachments = ARR_MAX;
	if (svc_reply_decode(op, doc, (size_t)n, &again, msg, sizeof(msg)))
		abort();
	if (again.err != r->err || strcmp(again.message, r->message) ||
	    memcmp(&again.attach, &r->attach, sizeof(again.attach)) ||
	    again.n_networks != keep.n_networks ||
	    again.n_attachments != keep.n_attachments ||
	    (keep.n_networks &&
	     memcmp(nets, r->networks, keep.n_networks * sizeof(*nets))) ||
	    (keep.n_attachments &&
	     memcmp(atts, r->attachments, keep.n_attachments * sizeof(*atts))))
		abort();
}

static int untouched(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != 0xa5)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* one more than the caller says, to see it is not written */
	struct svc_network nets[ARR_MAX + 1];
	struct svc_attach atts[ARR_MAX + 1];
	struct svc_request req;
	struct svc_reply rep;
	char msg[MSG_LEN];
	unsigned int n_nets, n_atts;
	enum svc_op op;
	const char *buf;
	char *copy;
	size_t len;
	int r;

	if (!size)
		return 0;
	op = (enum svc_op)(data[0] & 3);
	n_nets = (data[0] >> 2) & 7;
	n_atts = (data[0] >> 5) & 7;
	len = size - 1;
	/* a copy of exactly @len bytes: the input's tail is not a NUL */
	copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, data + 1, len);
	buf = copy;

	memset(msg, 0x5a, sizeof(msg));
	r = svc_request_decode(buf, len, &req, msg, sizeof(msg));
	if (r)
		check_refusal(r, msg);
	else
		request_round_trip(&req);

	if (op) {
		memset(nets, 0xa5, sizeof(nets));
		memset(atts, 0xa5, sizeof(atts));
		memset(&rep, 0, sizeof(rep));
		rep.networks = nets;
		rep.n_networks = n_nets;
		rep.attachments = atts;
		rep.n_attachments = n_atts;
		memset(msg, 0x5a, sizeof(msg));
		r = svc_reply_decode(op, buf, len, &rep, msg, sizeof(msg));
		/* past the caller's counts, nothing written */
		if (!untouched(&nets[n_nets], sizeof(nets[0])) ||
		    !untouched(&atts[n_atts], sizeof(atts[0])))
			abort();
		if (r)
			check_refusal(r, msg);
		else
			reply_round_trip(op, &rep, n_nets, n_atts);
	}
	free(copy);
	return 0;
}
