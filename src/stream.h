/* SPDX-License-Identifier: MIT */
/* stream.h - length-prefixed frames over a connected stream socket, for the stream and helper backends */
#ifndef SQN_STREAM_H
#define SQN_STREAM_H

#include <sys/socket.h>

#include "framing.h"
#include "net.h"

#define STREAM_RX_MIN (256 * 1024)

/**
 * struct stream - one connected socket and its buffers
 * @fd:		the socket
 * @kind:	its framing
 * @hlen:	bytes of length prefix
 * @eof:	the peer closed or was reset: read no more
 * @dec:	decoder over the receive buffer
 * @iov:	scratch for one sendmsg of many frames
 * @hdr:	length prefixes of the frames in @iov
 * @flen:	lengths of the frames in @iov
 * @pend:	the unsent tail of a frame already accepted
 * @pend_off:	next byte of @pend to send
 * @pend_len:	bytes in @pend
 */
struct stream {
	int fd;
	enum sqn_framing kind;
	size_t hlen;
	int eof;
	struct framing_dec dec;
	struct iovec *iov;
	uint8_t (*hdr)[FRAMING_HDR_MAX];
	size_t *flen;
	uint8_t *pend;
	size_t pend_off;
	size_t pend_len;
};

size_t stream_pool_size(const struct sqn_net *net);
int stream_attach(struct sqn_net *net, int fd);
void stream_rebind(struct sqn_net *net, int fd);
int stream_recv(struct sqn_net *net, struct sqn_pkt *pkts, unsigned int n);
int stream_send(struct sqn_net *net, const struct sqn_pkt *pkts,
		unsigned int n);
int stream_flush(struct sqn_net *net);
void stream_detach(struct sqn_net *net);

#endif /* SQN_STREAM_H */
