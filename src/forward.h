/* SPDX-License-Identifier: MIT */
/* forward.h - port forward rules as text, "tcp:[ADDR:]HPORT[:GPORT]":
 * parsed, checked and formatted for the CLI, the service and the plane
 * (portable C) */
#ifndef SQN_FORWARD_H
#define SQN_FORWARD_H

#include <stddef.h>
#include <stdint.h>

#include "squibnet.h"

/* "udp:255.255.255.255:65535:65535" with its NUL, and room to spare. */
#define FORWARD_STRLEN 40

int forward_parse(const char *text, struct sqn_forward *f, char addr[16]);
int forward_check(const struct sqn_forward *f, char *msg, size_t len);
char *forward_format(char out[FORWARD_STRLEN], const struct sqn_forward *f);
const char *forward_proto_name(enum sqn_proto proto);
uint16_t forward_guest_port(const struct sqn_forward *f);
int forward_collide(const struct sqn_forward *a, const struct sqn_forward *b);

#endif /* SQN_FORWARD_H */
