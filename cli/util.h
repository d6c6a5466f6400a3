/* SPDX-License-Identifier: MIT */
/* util.h - what the program's commands share: numbers, MACs, stats, time */
#ifndef SQN_CLI_UTIL_H
#define SQN_CLI_UTIL_H

#include <stdint.h>
#include <stdio.h>

#include "squibnet.h"

int parse_uint(const char *s, unsigned long max, unsigned long *out);
int parse_mac(const char *s, uint8_t mac[6]);
void print_stats(FILE *f, const sqn_net *net);
long now_ms(void);
long long now_us(void);

#endif /* SQN_CLI_UTIL_H */
