/* SPDX-License-Identifier: MIT */
/* netplane_fwd.h - what the network plane's sweeps do with the fixed
 * addresses and port forwards of attachments that have ended (the calls
 * that make them are in netplane.h), and the attachment's file they share */
#ifndef SQN_SYS_NETPLANE_FWD_H
#define SQN_SYS_NETPLANE_FWD_H

#include <stddef.h>

#include "ipv4.h"
#include "netplane.h"
#include "nft_fwd.h"
#include "squibnet.h"

void netplane_fwd_gc(const char *dir);
void netplane_fwd_drop(const char *dir);

/* Between netplane_fwd_linux.c (the attachment's file, forwards) and
 * netplane_reserve_linux.c (its reservation). */
/**
 * struct netplane_fwd_att - one attachment's file
 * @has_ip:	a reservation: @ip for @mac
 * @ip:		the reserved address, dotted
 * @mac:	the MAC it is reserved for, "xx:xx:xx:xx:xx:xx"
 * @n:		how many @fwd
 * @fwd:	its forwards
 */
struct netplane_fwd_att {
	int has_ip;
	char ip[16];
	char mac[18];
	unsigned int n;
	struct nft_fwd fwd[SQN_FORWARDS_MAX];
};

int netplane_fwd_read(const char *path, struct netplane_fwd_att *a);
void netplane_fwd_path(char *out, const char *dir, const char *entry);
int netplane_fwd_each(const char *dir,
		      int (*fn)(const char *dir, const char *entry, void *ctx),
		      void *ctx);
int netplane_fwd_subnet(const char *dir, struct ipv4_prefix *g);
int netplane_fwd_open(const struct netplane *np, int *lock, char *path,
		      struct netplane_fwd_att *a, struct netplane_fwd_att *undo,
		      char *msg, size_t len);
int netplane_fwd_close(const struct netplane *np, int lock, const char *path,
		       const struct netplane_fwd_att *a,
		       const struct netplane_fwd_att *undo, int r, char *msg,
		       size_t len);
int netplane_fwd_guest_addr(const struct ipv4_prefix *g, const char *want,
			    char *msg, size_t len);

#endif /* SQN_SYS_NETPLANE_FWD_H */
