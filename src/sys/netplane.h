/* SPDX-License-Identifier: MIT */
/* netplane.h - the Linux network plane: a bridge, dnsmasq and an nftables
 * table per network, a TAP or macvtap per attachment, all on record */
#ifndef SQN_SYS_NETPLANE_H
#define SQN_SYS_NETPLANE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "netspec.h"
#include "tap.h"

#define NETPLANE_DIR_MAX 128

/**
 * struct netplane_port - what an attachment asks for beyond its network
 * @iface_id:	names its TAP or macvtap: sqn-<iface_id>
 * @guest_mac:	bridged on a NIC: the macvtap's address
 * @lock_ms:	how long to wait for the namespace's lock
 */
struct netplane_port {
	const char *iface_id;
	uint8_t guest_mac[6];
	uint32_t lock_ms;
};

/**
 * struct netplane - one attachment to a network
 * @dir:	the network's record, /run/squib-net/net-<netns inode>/<name>
 * @entry:	this attachment's entry in it
 * @entry_fd:	the entry, locked while the attachment lives
 * @link:	this attachment's TAP or macvtap
 * @on:		the bridge its TAP is a port of, or the NIC of its macvtap
 * @fd:		the TAP's descriptor, until the TAP backend has its own (a
 *		persistent TAP's: until netplane_named(), then -1)
 * @made:	@link was made by this attachment (and is deleted with it:
 *		a persistent TAP does not go with its last descriptor)
 * @macvtap:	@link is a macvtap
 * @plain:	@link is a TAP without IFF_VNET_HDR
 * @persist:	@link is a persistent TAP owned by @owner, which opens it by
 *		name (netplane_attach_named())
 * @owner:	with @persist: the uid that may open it
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
	int plain;
	int persist;
	uid_t owner;
	unsigned long long cookie;
	uint32_t lock_ms;
};

int netplane_open(struct netplane *np, const struct net_spec *net,
		  const struct netplane_port *port, char *msg, size_t len);
void netplane_close(struct netplane *np);
void netplane_named(struct netplane *np);
int netplane_attach(struct netplane *np, const struct net_spec *net,
		    const struct netplane_port *port, int vnet_hdr, char *msg,
		    size_t len);
int netplane_attach_named(struct netplane *np, const struct net_spec *net,
			  const struct netplane_port *port, uid_t owner,
			  int vnet_hdr, char *msg, size_t len);
int netplane_hold(struct netplane *np, const struct net_spec *net,
		  const struct netplane_port *port, char *msg, size_t len);
int netplane_adopt(struct netplane *np, const struct net_spec *net,
		   const char *entry, const char *link, unsigned int ifindex,
		   uint32_t lock_ms, char *msg, size_t len);
int netplane_links_open(void);
int netplane_links_gone(int fd,
			int (*fn)(const char *name, int gone, void *ctx),
			void *ctx);
int netplane_keep(struct netplane *np, const struct net_spec *net, char *msg,
		  size_t len);
int netplane_dnsmasq(const struct netplane *np, long *pid);
int netplane_keeper_alive(const struct netplane *np);
/*
 * Fixed addresses and port forwards of one attachment (shared and host;
 * forwards: shared), in the network's dnsmasq hosts file and nftables
 * table. They go with the attachment: netplane_close(), and the record's
 * sweep of an attachment whose process died, remove them.
 *
 * netplane_reserve() - a dnsmasq reservation of an address for @mac (the
 * hosts file, then SIGHUP to dnsmasq: never a restart): @want, or "" /
 * NULL for a free one of the pool; the address in @ip (dotted).
 * -EADDRINUSE when @want is reserved for another MAC, -EINVAL when it is
 * not a guest address of the subnet. Again for the same MAC: its address.
 *
 * netplane_forward_add() - DNAT @f to @guest_ip:@f->guest_port (0:
 * host_port), reachable from outside, from the host's own addresses and
 * 127.0.0.1; -EADDRINUSE (the reason in @msg) when it collides with a
 * forward there already or a port in use on the host.
 *
 * netplane_forward_remove() - one of this attachment's forwards goes;
 * -ENOENT when it has no such one.
 */
struct sqn_forward;
int netplane_reserve(struct netplane *np, const uint8_t mac[6],
		     const char *want, char ip[16], char *msg, size_t len);
int netplane_forward_add(struct netplane *np, const struct sqn_forward *f,
			 const char *guest_ip, char *msg, size_t len);
int netplane_forward_remove(struct netplane *np, const struct sqn_forward *f,
			    char *msg, size_t len);
int netplane_lease(const struct netplane *np, const uint8_t mac[6], char *ip,
		   size_t len);
int netplane_nat_iface(const struct netplane *np, char iface[16]);
int netplane_default_route(char iface[16]);
int netplane_nat_follow(struct netplane *np, char from[16], char to[16],
			char *msg, size_t len);

#endif /* SQN_SYS_NETPLANE_H */
