/* SPDX-License-Identifier: MIT */
/* vxlan.h - networks that span hosts (serve.conf's vxlan-vni): the VXLAN
 * port of the network's bridge, a member host's bridge and filter, the
 * static flood list, the kernel's VXLAN probe, status (docs/serve.md, "A
 * network across hosts") */
#ifndef SQN_SERVE_VXLAN_H
#define SQN_SERVE_VXLAN_H

#include <stddef.h>

#include "serve.h"

/* The VXLAN device of VNI N: sqnvxN, at most 13 bytes. */
#define VXLAN_DEV_MAX 16

void vxlan_probe(struct serve *s);
void vxlan_spec(struct serve_net *n);
void vxlan_dev(const struct serve_net *n, char out[VXLAN_DEV_MAX]);
int vxlan_plan(struct serve *s, struct serve_net *n);
int vxlan_join(struct serve *s, struct serve_net *n);
int vxlan_repair(struct serve *s, struct serve_net *n);
void vxlan_down(struct serve_net *n);
int vxlan_peers_sync(struct serve_net *n, const char (*peers)[16],
		     unsigned int n_peers, unsigned int *added,
		     unsigned int *removed);
void vxlan_status(const struct serve_net *n, struct svc_network *out);
int vxlan_fdb_remotes(const char *dev, char out[][16], unsigned int max);
void vxlan_reload(struct serve *s);

#endif /* SQN_SERVE_VXLAN_H */
