/* SPDX-License-Identifier: MIT */
/* peer.h - test peers: a thread that echoes every byte or datagram back */
#ifndef SQN_TEST_PEER_H
#define SQN_TEST_PEER_H

struct peer;

struct peer *peer_echo_start(int fd, int dgram);
struct peer *peer_listen_start(const char *path);
void peer_stop(struct peer *p);

#endif /* SQN_TEST_PEER_H */
