/* SPDX-License-Identifier: MIT */
/* dnsmasq.h - the DHCP and DNS server of a network: dnsmasq, supervised */
#ifndef SQN_SYS_DNSMASQ_H
#define SQN_SYS_DNSMASQ_H

#include <stddef.h>
#include <stdint.h>

#include "netspec.h"
#include "proc.h"

/**
 * struct dnsmasq_spec - what one network's dnsmasq serves
 * @dir:	the network's record: dnsmasq.pid, .leases and .log go there
 * @net:	the network, its MTU settled: it serves its bridge, and only
 *		that, gives out its gateway as router and DNS server and its
 *		MTU (DHCP option 26), and sends names it does not know to
 *		@net->dns_upstream
 * @hosts:	a hosts(5) file of names it answers itself, or NULL
 */
struct dnsmasq_spec {
	const char *dir;
	const struct net_spec *net;
	const char *hosts;
};

int dnsmasq_start(const struct dnsmasq_spec *s, struct proc *p, char *msg,
		  size_t len);
void dnsmasq_stop(const char *dir, struct proc *p);
int dnsmasq_find(const char *dir, long *pid_out);
void dnsmasq_pool(const struct ipv4_prefix *g, uint32_t *from, uint32_t *to);
int dnsmasq_lease(const char *dir, const uint8_t mac[6], char *ip, size_t len);

#endif /* SQN_SYS_DNSMASQ_H */
