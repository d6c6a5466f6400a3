/* SPDX-License-Identifier: MIT */
/* vmnet.h - the vmnet.framework backend (macOS; on Linux, its tests' fake) */
#ifndef SQN_SYS_VMNET_H
#define SQN_SYS_VMNET_H

#include "net.h"

extern const struct backend_ops vmnet_ops;

#endif /* SQN_SYS_VMNET_H */
