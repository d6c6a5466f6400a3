/* SPDX-License-Identifier: MIT */
/* guestns.h - a command in fresh network and PID namespaces, eth0 our TAP */
#ifndef SQN_CLI_GUESTNS_H
#define SQN_CLI_GUESTNS_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define GUEST_VNET_HDR_LEN 12

/**
 * struct guestns_opts - how the guest's eth0 is set up
 * @mac:	its MAC address
 * @mtu:	its MTU
 * @offload:	a virtio_net_hdr of GUEST_VNET_HDR_LEN bytes before each frame,
 *		checksum and TCP segmentation offloads on
 * @offload_optional: a kernel that refuses the offloads leaves eth0
 *		without them (the header stays), instead of failing
 * @dhcp:	get the address with busybox udhcpc
 * @dhcp_timeout: seconds to wait for a lease
 * @addr:	static address with prefix ("10.0.2.15/24") when !@dhcp
 * @gateway:	static default gateway, or NULL
 * @dns:	static name server for the guest's resolv.conf, or NULL
 * @start:	when squib-net started (CLOCK_MONOTONIC), to time the lease
 */
struct guestns_opts {
	uint8_t mac[6];
	unsigned int mtu;
	int offload;
	int offload_optional;
	int dhcp;
	unsigned int dhcp_timeout;
	const char *addr;
	const char *gateway;
	const char *dns;
	struct timespec start;
};

/**
 * struct guestns - the running guest
 * @pid:	pid 1 of the guest's PID namespace, which runs the command
 *		and exits with its status; -1 once reaped
 * @pgid:	its process group, the command's and its children's
 * @tty:	we gave that group our terminal, to take back at the end
 * @tap:	our end of its eth0 (non-blocking), or -1
 * @sync:	our end of the start-up handshake, or -1
 * @dir:	temporary directory (resolv.conf, DHCP hook), or ""
 */
struct guestns {
	pid_t pid;
	pid_t pgid;
	int tty;
	int tap;
	int sync;
	char dir[64];
};

int guestns_start(struct guestns *g, const struct guestns_opts *o,
		  char *const *cmd);
void guestns_carrier(struct guestns *g, int on);
void guestns_cleanup(struct guestns *g);

#endif /* SQN_CLI_GUESTNS_H */
