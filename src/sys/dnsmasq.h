/* SPDX-License-Identifier: MIT */
/* dnsmasq.h - the DHCP and DNS server of a network: dnsmasq, supervised */
#ifndef SQN_SYS_DNSMASQ_H
#define SQN_SYS_DNSMASQ_H

#include <stddef.h>
#include <stdint.h>

#include "proc.h"

/**
 * struct dnsmasq_spec - what one network's dnsmasq serves
 * @dir:	the network's record: dnsmasq.pid, .leases and .log go there
 * @bridge:	the interface it serves, and only that one
 * @gateway:	the bridge's address, given out as router and DNS server
 * @prefix:	the subnet's prefix length
 * @upstream:	where unknown names go: NULL the host's resolv.conf, "none"
 *		nowhere, else IPv4 addresses separated by commas
 * @hosts:	a hosts(5) file of names it answers itself, or NULL
 */
struct dnsmasq_spec {
	const char *dir;
	const char *bridge;
	uint8_t gateway[4];
	int prefix;
	const char *upstream;
	const char *hosts;
};

int dnsmasq_start(const struct dnsmasq_spec *s, struct proc *p, char *msg,
		  size_t len);
void dnsmasq_stop(const char *dir, struct proc *p);

#endif /* SQN_SYS_DNSMASQ_H */
