/* SPDX-License-Identifier: MIT */
/* tap.h - the TAP backend's data path, which the backends that get their TAP elsewhere (the plane, the service) run as theirs */
#ifndef SQN_TAP_H
#define SQN_TAP_H

#include <stdint.h>

#include "net.h"

int tap_recv(struct sqn_net *net, struct sqn_pkt *pkts, unsigned int n);
int tap_send(struct sqn_net *net, const struct sqn_pkt *pkts, unsigned int n);
int tap_set_offloads(struct sqn_net *net, uint32_t offloads);

#endif /* SQN_TAP_H */
