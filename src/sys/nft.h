/* SPDX-License-Identifier: MIT */
/* nft.h - the nftables table of one network (libnftables) */
#ifndef SQN_SYS_NFT_H
#define SQN_SYS_NFT_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct nft_net - what a network's table filters and translates
 * @network:	the network's name; its table is "ip squib-net-@network"
 * @token:	the table's mark: it holds an empty chain "id_@token", by
 *		which a table of ours is told apart from a namesake
 * @bridge:	its bridge
 * @subnet:	its network address
 * @prefix:	and prefix length
 * @nat_iface:	shared: where NAT leads out; NULL for a host-only network
 * @return_only: the forwarding of @nat_iface was turned on for this: let
 *		only replies in through it
 * @isolation:	guests may not reach each other through the host either
 */
struct nft_net {
	const char *network;
	const char *token;
	const char *bridge;
	uint8_t subnet[4];
	int prefix;
	const char *nat_iface;
	int return_only;
	int isolation;
};

int nft_table_add(const struct nft_net *n, char *msg, size_t len);
int nft_table_del(const char *network, const char *token);

#endif /* SQN_SYS_NFT_H */
