/* SPDX-License-Identifier: MIT */
/* nft_fwd.h - a network's port forwards in its nftables table: DNAT from
 * outside, from the host's own addresses and 127.0.0.1, and the forward
 * rules that let exactly those connections in */
#ifndef SQN_SYS_NFT_FWD_H
#define SQN_SYS_NFT_FWD_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct nft_fwd - one forward, as the record keeps it
 * @proto:	SQN_PROTO_TCP or SQN_PROTO_UDP
 * @host_addr:	the host's address it is reached at, dotted; "" for all
 * @host_port:	the host's port
 * @guest_ip:	the guest's address, dotted
 * @guest_port:	the guest's port
 */
struct nft_fwd {
	int proto;
	char host_addr[16];
	uint16_t host_port;
	char guest_ip[16];
	uint16_t guest_port;
};

int nft_fwd_sync(const char *network, const struct nft_fwd *fwd, unsigned int n,
		 char *msg, size_t len);

#endif /* SQN_SYS_NFT_FWD_H */
