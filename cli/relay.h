/* SPDX-License-Identifier: MIT */
/* relay.h - frames between the guest's TAP and the attachment, as a VMM's */
#ifndef SQN_CLI_RELAY_H
#define SQN_CLI_RELAY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "guestns.h"
#include "squibnet.h"

#define RELAY_BATCH 64
#define RELAY_FRAME (65536 + 64) /* a 64 KiB GSO frame and its virtio_net_hdr */

/**
 * struct relay - frames between the guest's TAP and the attachment
 * @net:	the attachment
 * @g:		the guest
 * @out:	frames read from the TAP, waiting for sqn_send()
 * @out_iov:	one per frame of @out
 * @out_pkt:	them, for sqn_send()
 * @out_first:	first of them not yet sent
 * @out_count:	how many were read
 * @in:		buffers for sqn_recv()
 * @in_iov:	one per buffer of @in
 * @in_pkt:	them, for sqn_recv()
 * @hdr:	bytes of virtio_net_hdr before each frame, both ways
 * @status:	exit status to return
 * @link_down:	the attachment's link failed
 * @deadline:	after a link failure, when the guest is next signalled
 * @killed:	SIGTERM was sent; SIGKILL comes next
 */
struct relay {
	sqn_net *net;
	struct guestns g;
	uint8_t out[RELAY_BATCH][RELAY_FRAME];
	struct iovec out_iov[RELAY_BATCH];
	struct sqn_pkt out_pkt[RELAY_BATCH];
	unsigned int out_first;
	unsigned int out_count;
	uint8_t in[RELAY_BATCH][RELAY_FRAME];
	struct iovec in_iov[RELAY_BATCH];
	struct sqn_pkt in_pkt[RELAY_BATCH];
	size_t hdr;
	int status;
	int link_down;
	long deadline;
	int killed;
};

void relay_setup(struct relay *r);
int relay_run(struct relay *r, int sfd);

#endif /* SQN_CLI_RELAY_H */
