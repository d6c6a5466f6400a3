/* SPDX-License-Identifier: MIT */
/* hostnet.h - the host network on Linux: bridge, dnsmasq, one TAP per attachment */
#ifndef SQN_SYS_HOSTNET_H
#define SQN_SYS_HOSTNET_H

#include <stddef.h>

#include "proc.h"
#include "tap.h"

#define HOSTNET_BRIDGE "sqn-host"
#define HOSTNET_DIR_MAX 96

/**
 * struct hostnet - one attachment to the host network
 * @dir:	the network's record: /run/squib-net/net-<netns inode>/host
 * @tap:	this attachment's TAP
 * @tap_fd:	its descriptor, until the TAP backend has its own
 * @dnsmasq:	dnsmasq when this attachment started it
 * @joined:	this attachment has an entry in @dir
 */
struct hostnet {
	char dir[HOSTNET_DIR_MAX];
	char tap[SYS_TAP_NAME_MAX];
	int tap_fd;
	struct proc dnsmasq;
	int joined;
};

int hostnet_open(struct hostnet *h, int isolation, char *msg, size_t len);
void hostnet_close(struct hostnet *h);

#endif /* SQN_SYS_HOSTNET_H */
