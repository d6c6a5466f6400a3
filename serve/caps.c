// SPDX-License-Identifier: MIT
/* caps.c - squib-net serve's capabilities, cut down with libcap-ng once
 * its socket and networks are made */
#include <cap-ng.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>

#include "caps.h"
#include "log.h"

/*
 * What the service keeps, in its effective and permitted sets:
 * CAP_NET_ADMIN for TAPs, bridges, addresses and nftables; CAP_KILL to
 * stop a network's dnsmasq, which runs as nobody.
 */
static const unsigned int caps_own[] = { CAP_NET_ADMIN, CAP_KILL };
/*
 * And in its bounding set also what a network's keeper and dnsmasq need,
 * both started later (a network made again, a keeper started again): they
 * run as root, and an exec gives root the bounding set, nothing beyond it.
 * dnsmasq binds ports 53 and 67 (CAP_NET_BIND_SERVICE), sends DHCP
 * replies on a raw socket (CAP_NET_RAW), and drops to nobody
 * (CAP_SETUID, CAP_SETGID). They are permitted too: under
 * NoNewPrivileges (systemd's hardening), an exec keeps no more than that.
 */
static const unsigned int caps_children[] = { CAP_NET_BIND_SERVICE, CAP_NET_RAW,
					      CAP_SETUID, CAP_SETGID };

/**
 * caps_drop() - keep only the capabilities the service and the programs
 * it starts still need
 * @msg:	set on failure
 * @len:	its size
 *
 * Without CAP_SETPCAP (a service started with only some capabilities),
 * the bounding set is left as it is.
 *
 * Return: 0 or -EPERM.
 */
int caps_drop(char *msg, size_t len)
{
	const size_t n_own = sizeof(caps_own) / sizeof(caps_own[0]);
	const size_t n_all =
		n_own + sizeof(caps_children) / sizeof(caps_children[0]);
	int have[8], bounding;
	capng_select_t what;
	unsigned int i, cap;

	capng_get_caps_process();
	bounding = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	what = bounding ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS;
	/* Only what it has can be kept. */
	for (i = 0; i < n_all; i++) {
		cap = i < n_own ? caps_own[i] : caps_children[i - n_own];
		have[i] = capng_have_capability(CAPNG_PERMITTED, cap);
	}
	capng_clear(what);
	for (i = 0; i < n_all; i++) {
		cap = i < n_own ? caps_own[i] : caps_children[i - n_own];
		if (have[i])
			capng_update(CAPNG_ADD,
				     (i < n_own ? CAPNG_EFFECTIVE : 0) |
					     CAPNG_PERMITTED |
					     CAPNG_BOUNDING_SET,
				     cap);
	}
	if (capng_apply(what)) {
		snprintf(msg, len, "capabilities: capng_apply failed");
		return -EPERM;
	}
	info("capabilities kept: net_admin, kill (and for dnsmasq: net_bind_service, net_raw, setuid, setgid)%s",
	     bounding ? "" : "; bounding set unchanged (no CAP_SETPCAP)");
	return 0;
}
