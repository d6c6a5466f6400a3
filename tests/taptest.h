/* SPDX-License-Identifier: MIT */
/* taptest.h - a TAP in a network namespace of its own, the attachment on it, and hand-made frames (tt_: TAP test) */
#ifndef SQN_TEST_TAPTEST_H
#define SQN_TEST_TAPTEST_H

#include <stddef.h>
#include <stdint.h>

#include "squibnet.h"

#define TAP_NAME "sqt0"
#define HDR 12 /* virtio_net_hdr_v1 */
#define GSO_MAX (65535 + SQN_ETH_HLEN)
#define ICMP_ID 0x5157
#define TCP_PORT 5001

/**
 * struct tt - a TAP in a fresh namespace and the attachment on it
 * @tap:	the test's own descriptor of the TAP
 * @net:	the attachment
 * @info:	sqn_info() after open
 * @hdr:	info.vnet_hdr_len
 * @tap_mac:	the TAP's MAC, from its ARP reply
 * @answered:	the kernel's ARP requests answered
 */
struct tt {
	int tap;
	sqn_net *net;
	struct sqn_info info;
	size_t hdr;
	uint8_t tap_mac[6];
	unsigned int answered;
};

/* The made-up guest: 02:00:00:00:77:02, 10.77.0.2; the TAP is 10.77.0.1. */
extern const uint8_t tt_our_mac[6];
extern const uint8_t tt_our_ip[4];
extern const uint8_t tt_tap_ip[4];
extern const uint8_t tt_zero_hdr[HDR];
extern uint8_t tt_rxbuf[HDR + GSO_MAX + 64];
extern uint8_t tt_frame[HDR + GSO_MAX + 64];

uint16_t tt_get16(const uint8_t *p);
uint32_t tt_get32(const uint8_t *p);
void tt_put16(uint8_t *p, uint16_t v);
void tt_put32(uint8_t *p, uint32_t v);
uint32_t tt_sum16(const uint8_t *p, size_t len, uint32_t s);
uint16_t tt_fold(uint32_t s);
void tt_ns_new(void);
int tt_tun_make(int flags);
int tt_try(struct tt *t, int tap_flags, enum sqn_mode mode, uint32_t offloads,
	   uint32_t mtu);
void tt_open(struct tt *t, int tap_flags, uint32_t offloads);
void tt_close(struct tt *t);
void tt_wait(struct tt *t, short events, int ms);
void tt_send_hdr(struct tt *t, const void *vhdr, const void *f, size_t len);
void tt_send(struct tt *t, const void *f, size_t len);
void tt_eth(uint8_t *f, const uint8_t *dst, uint16_t type);
size_t tt_arp_frame(uint8_t *f, uint16_t op, const uint8_t *dst_mac,
		    const uint8_t *tip);
size_t tt_echo(uint8_t *f, const uint8_t *dst_mac, uint16_t seq, size_t paylen);
int tt_is_ip4(const uint8_t *f, size_t len, uint8_t proto);
int tt_arp_answer(struct tt *t, const uint8_t *f, size_t len);
size_t tt_recv(struct tt *t);
void tt_arp(struct tt *t);
void tt_ping(struct tt *t, uint16_t seq, size_t paylen);
void tt_tcp_hdr(uint8_t *th, uint16_t dport, uint32_t seq, uint32_t ack,
		uint8_t flags, const uint8_t *opt, size_t optlen,
		size_t datalen);
size_t tt_tcp(uint8_t *f, const uint8_t *dst_mac, uint16_t dport, uint32_t seq,
	      uint32_t ack, uint8_t flags, const uint8_t *opt, size_t optlen,
	      size_t datalen, int partial);
int tt_is_tcp_to_us(const uint8_t *f, size_t len, uint8_t flag, int with_data);
/* taptest6.c: the same over IPv6, the TAP fd77::1/64, us fd77::2 */
extern const uint8_t tt_our_ip6[16];
extern const uint8_t tt_tap_ip6[16];
void tt_ip6_up(void);
size_t tt_tcp6(uint8_t *f, const uint8_t *dst_mac, uint16_t dport, uint32_t seq,
	       uint32_t ack, uint8_t flags, const uint8_t *opt, size_t optlen,
	       size_t datalen);
int tt_is_tcp6_to_us(const uint8_t *f, size_t len, uint8_t flag);

#endif /* SQN_TEST_TAPTEST_H */
