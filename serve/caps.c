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

/* Whether @cap is one of @list's @n. */
static int caps_in(const unsigned int *list, size_t n, unsigned int cap)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == cap)
			return 1;
	return 0;
}

/**
 * caps_bound() - cut the bounding set down to what caps_drop() keeps,
 * before the networks are made: their keepers (and dnsmasq) run as root
 * and get the bounding set at exec, so cut first they hold no more than
 * the keepers of networks made later
 *
 * The service's own sets stay until caps_drop(). Without CAP_SETPCAP
 * nothing changes.
 */
void caps_bound(void)
{
	const size_t n_own = sizeof(caps_own) / sizeof(caps_own[0]);
	const size_t n_ch = sizeof(caps_children) / sizeof(caps_children[0]);
	unsigned int cap;

	capng_get_caps_process();
	if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP))
		return;
	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (!caps_in(caps_own, n_own, cap) &&
		    !caps_in(caps_children, n_ch, cap))
			capng_update(CAPNG_DROP, CAPNG_BOUNDING_SET, cap);
	if (capng_apply(CAPNG_SELECT_BOUNDS))
		warn("capabilities: the bounding set could not be cut down");
}

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
