/* SPDX-License-Identifier: MIT */
/* pcap.h - --pcap FILE: every frame, in the classic pcap format */
#ifndef SQN_CLI_PCAP_H
#define SQN_CLI_PCAP_H

#include <stddef.h>
#include <stdint.h>

int pcap_open(const char *path);
void pcap_frame(const uint8_t *frame, size_t len, size_t hdr);
void pcap_close(void);

#endif /* SQN_CLI_PCAP_H */
