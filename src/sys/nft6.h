/* SPDX-License-Identifier: MIT */
/* nft6.h - the IPv6 nftables table of one network (libnftables) */
#ifndef SQN_SYS_NFT6_H
#define SQN_SYS_NFT6_H

#include <stddef.h>

#include "netspec.h"

int nft6_table_add(const struct net_spec *s, const char *token,
		   const char *nat_iface, int return_only, char *msg,
		   size_t len);

#endif /* SQN_SYS_NFT6_H */
