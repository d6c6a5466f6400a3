/* SPDX-License-Identifier: MIT */
/* nft_nat.h - where a shared network's NAT leads out: the one element of
 * set nat_out of its tables */
#ifndef SQN_SYS_NFT_NAT_H
#define SQN_SYS_NFT_NAT_H

#include <stddef.h>

int nft_nat_set(const char *network, const char *iface, char *msg, size_t len);

#endif /* SQN_SYS_NFT_NAT_H */
