/* SPDX-License-Identifier: MIT */
/* spoof.h - squib-net serve's anti-spoofing: each port of a network held
 * to its MAC and, once dnsmasq leased it one, its IPv4 address */
#ifndef SQN_SERVE_SPOOF_H
#define SQN_SERVE_SPOOF_H

#include <stdint.h>

#include "serve.h"

int spoof_init(struct serve *s, char *msg, size_t len);
int spoof_fini(struct serve *s);
void spoof_adopted(struct serve *s);
int spoof_port_add(struct serve *s, struct serve_att *a);
void spoof_port_remove(struct serve *s, struct serve_att *a);
void spoof_event(struct serve *s);
char *spoof_counters(const struct serve *s);
uint64_t spoof_drops(const struct serve_att *a, const char *counters);
const uint8_t *spoof_mac(const struct serve_att *a);

#endif /* SQN_SERVE_SPOOF_H */
