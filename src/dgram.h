/* SPDX-License-Identifier: MIT */
/* dgram.h - the datagram backend: one frame per datagram on a peer socket */
#ifndef SQN_DGRAM_H
#define SQN_DGRAM_H

#include "net.h"

extern const struct backend_ops dgram_ops;

#endif /* SQN_DGRAM_H */
