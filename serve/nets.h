/* SPDX-License-Identifier: MIT */
/* nets.h - the networks squib-net serve owns: made at its start with the
 * library's plane, their dnsmasq watched, undone at its end */
#ifndef SQN_SERVE_NETS_H
#define SQN_SERVE_NETS_H

#include "serve.h"

int nets_init(struct serve *s, char *msg, size_t len);
int nets_up(struct serve *s, struct serve_net *n);
unsigned int nets_down(struct serve *s);
struct serve_net *nets_find(struct serve *s, const char *name);
void nets_dnsmasq_ended(struct serve *s, struct serve_net *n);
int nets_supervise(struct serve *s);
void nets_status(const struct serve_net *n, struct svc_network *out);
const char *nets_mode(enum sqn_mode mode);

#endif /* SQN_SERVE_NETS_H */
