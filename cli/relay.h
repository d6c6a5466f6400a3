/* SPDX-License-Identifier: MIT */
/* relay.h - frames between the guest's TAP and the attachment, as a VMM's */
#ifndef SQN_CLI_RELAY_H
#define SQN_CLI_RELAY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "guestns.h"
#include "squibnet.h"
#include "tapgso.h"
#include "tcpmerge.h"

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
 * @soft:	eth0 has offloads the attachment lacks (a virtio_net_hdr of
 *		GUEST_VNET_HDR_LEN bytes on the TAP only): its TSO frames
 *		are cut into segments (@gso), and runs of segments from the
 *		attachment joined into one (@merge) on the way in
 * @slot:	soft: the buffer of each frame of @out (one of @out, or
 *		@spare)
 * @spare:	soft: the buffer @gso cuts from, or a free one
 * @spare_buf:	storage for it
 * @gso:	soft: the TSO frame being cut
 * @merge:	soft: the run of segments being joined
 * @tap_iov:	soft: a write into the TAP, header then frame or payloads
 * @no_merge:	soft: the TAP refused a joined frame; no more joining
 * @zero_hdr:	soft: the virtio_net_hdr of a frame that needs nothing
 * @busy_us:	poll this long after the last event before sleeping
 * @last_us:	when epoll last had an event (with @busy_us)
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
	int soft;
	uint8_t *slot[RELAY_BATCH];
	uint8_t *spare;
	uint8_t spare_buf[RELAY_FRAME];
	struct tapgso gso;
	struct tcpmerge merge;
	struct iovec tap_iov[RELAY_BATCH + 1];
	int no_merge;
	uint8_t zero_hdr[GUEST_VNET_HDR_LEN];
	unsigned int busy_us;
	long long last_us;
	int status;
	int link_down;
	long deadline;
	int killed;
};

void relay_setup(struct relay *r);
int relay_run(struct relay *r, int sfd);

#endif /* SQN_CLI_RELAY_H */
