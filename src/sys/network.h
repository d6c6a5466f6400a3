/* SPDX-License-Identifier: MIT */
/* network.h - one network of the plane (shared, host): its bridge,
 * forwarding and nftables table, made, joined and undone on record */
#ifndef SQN_SYS_NETWORK_H
#define SQN_SYS_NETWORK_H

#include <stddef.h>

#include "dnsmasq.h"
#include "netspec.h"
#include "proc.h"

#define NETWORK_SETTINGS_MAX 1400
#define NETWORK_TOKEN_MAX 16
/* The file of a network's directory that its keeper holds locked. */
#define NETWORK_KEEPER "keeper"
/* The file "network" written anew aside, then renamed over it. */
#define NETWORK_RECORD_NEW ".network.new"

void network_nsdir(char *out, const char *dir);
int network_link_gone(const char *link);
void network_remove(const char *dir, struct proc *dnsmasq);
int network_sweep_one(const char *dir, void *ctx);
int network_ours(const char *dir, const char *token);
int network_join(const char *dir, struct net_spec *s, char *token, char *msg,
		 size_t len);
void network_dnsmasq(const char *dir, const struct net_spec *s,
		     struct dnsmasq_spec *d, char *hosts);
int network_plain_name(const char *name);
int network_nat_follow(const char *dir, char from[16], char to[16], char *msg,
		       size_t len);
int network_make(const char *dir, const struct net_spec *s, char *token,
		 char *msg, size_t len);
int network_sysctl(const char *family, const char *iface, const char *key,
		   char *val, const char *set);
int network_forwarding(int v6, const char *iface, char *val, const char *set);
int network_fwd_was_off(int v6, const char *ns, const char *iface);
int network_fwd_take(int v6, const char *ns, const char *iface);
void network_fwd_release(int v6, const char *ns, const char *self,
			 const char *iface);
int network6_bridge(const struct net_spec *s, char *msg, size_t len);
int network6_make(const char *ns, const struct net_spec *s, const char *token,
		  const char *nat, char *msg, size_t len);

#endif /* SQN_SYS_NETWORK_H */
