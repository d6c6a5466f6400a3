/* SPDX-License-Identifier: MIT */
/* dhcp.h - the DHCP client steps of the test clients (svc_client,
 * stream_peer): a DISCOVER or REQUEST frame, and the server's answer */
#ifndef SQN_TESTS_DHCP_H
#define SQN_TESTS_DHCP_H

#include <stddef.h>
#include <stdint.h>

/* Room for a frame dhcp_msg() builds, and a header before it. */
#define DHCP_FRAME_MAX 400

size_t dhcp_msg(uint8_t *f, size_t hl, const uint8_t mac[6], int type,
		const uint8_t ip[4], const uint8_t server[4]);
int dhcp_answer(const uint8_t *f, size_t n, size_t hl, int type, uint8_t ip[4],
		uint8_t server[4]);
uint16_t dhcp_ip_csum(const uint8_t *h, size_t len);

#endif /* SQN_TESTS_DHCP_H */
