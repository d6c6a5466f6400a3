/* SPDX-License-Identifier: MIT */
/* frr.h - the BGP EVPN control plane of networks across hosts: the
 * service's part of FRR's configuration, applied with vtysh */
#ifndef SQN_SERVE_FRR_H
#define SQN_SERVE_FRR_H

#include <stddef.h>

#include "serve.h"

/* Where the service keeps what it gave FRR last (frr-<pathspace>.conf),
 * so that a neighbour taken out of serve.conf is taken out of FRR even
 * after the service was restarted. */
#define FRR_STATE_DIR "/run/squib-net"
/* How long one vtysh may take before it is killed. */
#define FRR_VTYSH_MS 10000

int frr_sync(struct serve *s, char *msg, size_t len);
void frr_clear(struct serve *s);
int frr_apply(struct serve *s);

#endif /* SQN_SERVE_FRR_H */
