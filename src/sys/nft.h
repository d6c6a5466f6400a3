/* SPDX-License-Identifier: MIT */
/* nft.h - the nftables table of one network (libnftables) */
#ifndef SQN_SYS_NFT_H
#define SQN_SYS_NFT_H

#include <stddef.h>
#include <stdint.h>

#include "netspec.h"

int nft_table_add(const struct net_spec *s, const char *token,
		  const char *nat_iface, int return_only, char *msg,
		  size_t len);
int nft_table_del(const char *network, const char *token);
int nft_refuse(const struct net_spec *s, int v6, const char *subnet, char *out,
	       size_t len);
int nft_run_out(const char *cmds, char *out, size_t outlen, char *msg,
		size_t len);

#endif /* SQN_SYS_NFT_H */
