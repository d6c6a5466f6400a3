/* SPDX-License-Identifier: MIT */
/* stream.h - frames over a connected socket, shared by stream-like backends */
#ifndef SQN_STREAM_H
#define SQN_STREAM_H

#include "net.h"

size_t stream_pool_size(const struct sqn_net *net);
int stream_attach(struct sqn_net *net, int fd);
int stream_recv(struct sqn_net *net, struct sqn_pkt *pkts, unsigned int n);
int stream_send(struct sqn_net *net, const struct sqn_pkt *pkts,
		unsigned int n);
int stream_flush(struct sqn_net *net);
void stream_detach(struct sqn_net *net);

#endif /* SQN_STREAM_H */
