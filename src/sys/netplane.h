/* SPDX-License-Identifier: MIT */
/* netplane.h - the Linux network plane: a bridge, dnsmasq and an nftables
 * table per network, a TAP or macvtap per attachment, all on record */
#ifndef SQN_SYS_NETPLANE_H
#define SQN_SYS_NETPLANE_H

#include <stddef.h>
#include <stdint.h>

#include "squibnet.h"
#include "tap.h"

#define NETPLANE_DIR_MAX 128

/**
 * struct netplane_spec - the network an attachment asks for
 * @mode:	SQN_MODE_SHARED, _HOST or _BRIDGED
 * @network:	shared, host: the network's name, also its bridge's
 * @gateway:	shared, host: the bridge's address
 * @prefix:	and the subnet's prefix length
 * @nat_iface:	shared: where NAT leads out; NULL: the default route's
 * @dns_upstream: shared: see sqn_config
 * @dns_hosts:	shared, host: see sqn_config
 * @bridged_iface: bridged: the bridge or NIC
 * @guest_mac:	bridged on a NIC: the macvtap's address
 * @isolation:	1: guests of the network cannot reach each other
 * @iface_id:	names the attachment's TAP or macvtap: sqn-<iface_id>
 * @lock_ms:	how long to wait for the namespace's lock
 */
struct netplane_spec {
	enum sqn_mode mode;
	const char *network;
	uint8_t gateway[4];
	int prefix;
	const char *nat_iface;
	const char *dns_upstream;
	const char *dns_hosts;
	const char *bridged_iface;
	uint8_t guest_mac[6];
	int isolation;
	const char *iface_id;
	uint32_t lock_ms;
};

/**
 * struct netplane - one attachment to a network
 * @dir:	the network's record, /run/squib-net/net-<netns inode>/<name>
 * @entry:	this attachment's entry in it
 * @entry_fd:	the entry, locked while the attachment lives
 * @link:	this attachment's TAP or macvtap
 * @on:		the bridge its TAP is a port of, or the NIC of its macvtap
 * @fd:		the TAP's descriptor, until the TAP backend has its own
 * @made:	@link was made by this attachment
 * @macvtap:	@link is a macvtap
 * @cookie:	the network namespace's cookie (record_ns())
 * @lock_ms:	how long netplane_close() waits for the namespace's lock
 */
struct netplane {
	char dir[NETPLANE_DIR_MAX];
	char entry[48];
	int entry_fd;
	char link[SYS_TAP_NAME_MAX];
	char on[SYS_TAP_NAME_MAX];
	int fd;
	int made;
	int macvtap;
	unsigned long long cookie;
	uint32_t lock_ms;
};

int netplane_open(struct netplane *np, const struct netplane_spec *spec,
		  char *msg, size_t len);
void netplane_close(struct netplane *np);

#endif /* SQN_SYS_NETPLANE_H */
