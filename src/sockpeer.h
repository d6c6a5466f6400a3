/* SPDX-License-Identifier: MIT */
/* sockpeer.h - what the stream and datagram backends share: the peer socket */
#ifndef SQN_SOCKPEER_H
#define SQN_SOCKPEER_H

#include "net.h"

/* POSIX guarantees at least 16; Linux and macOS take 1024. */
#define SOCKPEER_IOV_MAX 1024
/* Frames per system call: a header and a frame each fill an iovec. */
#define SOCKPEER_BATCH_MAX (SOCKPEER_IOV_MAX / 2)

long long sockpeer_now_ms(void);
int sockpeer_wait(int fd, short events, long long deadline);
int sockpeer_connect(const char *path, int type, unsigned int timeout_ms);
int sockpeer_open(struct sqn_net *net, int type);
int sockpeer_full(int err);
int sockpeer_lost(struct sqn_net *net, int *eof, const char *what, int err);
void sockpeer_close(struct sqn_net *net);

#endif /* SQN_SOCKPEER_H */
