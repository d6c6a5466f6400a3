/* SPDX-License-Identifier: MIT */
/* dnsmasq_hosts.h - a network's DHCP reservations: dnsmasq's
 * --dhcp-hostsfile, read again on SIGHUP, and the leases it has given */
#ifndef SQN_SYS_DNSMASQ_HOSTS_H
#define SQN_SYS_DNSMASQ_HOSTS_H

#include <stddef.h>
#include <stdint.h>

/* The file in the network's record, made by dnsmasq_start(). */
#define DNSMASQ_HOSTS "dnsmasq.hosts"

/**
 * struct dnsmasq_host - one reservation
 * @mac:	the guest's MAC, "xx:xx:xx:xx:xx:xx"
 * @ip:		its address, dotted
 */
struct dnsmasq_host {
	char mac[18];
	char ip[16];
};

int dnsmasq_hosts_write(const char *dir, const struct dnsmasq_host *h,
			unsigned int n);
int dnsmasq_leased(const char *dir, const char *ip, char mac[18]);
int dnsmasq_release(const char *gw, const char *ip, const char *mac);

#endif /* SQN_SYS_DNSMASQ_HOSTS_H */
