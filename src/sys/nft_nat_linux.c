// SPDX-License-Identifier: MIT
/* nft_nat_linux.c - Linux side of nft_nat.h: set nat_out of a shared
 * network's tables (ip, and ip6 when it has one) changed in one transaction */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nft.h"
#include "nft_nat.h"

#define NFT_NAT_CMDS_MAX 512

/* Whether table @family squib-net-@network has a set nat_out. */
static int nft_nat_has_set(const char *family, const char *network)
{
	char cmds[128];

	snprintf(cmds, sizeof(cmds), "list set %s squib-net-%s nat_out\n",
		 family, network);
	return !nft_run_out(cmds, NULL, 0, NULL, 0);
}

/**
 * nft_nat_set() - make @iface the one interface the network's NAT (and
 * the forwarding of its traffic) leads out of
 * @network:	the network's name; its tables are "ip squib-net-<name>"
 *		and, when it has IPv6, "ip6 squib-net-<name>"
 * @iface:	the interface; a plain name (it goes into nft's commands)
 * @msg:	reason on failure
 * @len:	its size
 *
 * The rules name the interface only through set nat_out (nft_table_add()),
 * so this flushes the set and adds @iface, in both tables in one
 * transaction: never a moment with the tables leading out of different
 * interfaces, nor with an empty set once it is done. Connections already
 * masqueraded keep their conntrack entries (and their old source
 * address); new ones leave through @iface.
 *
 * Return: 0, -ENOENT when the network has no set nat_out (not shared, or
 * no table), or -EIO from nft with the reason in @msg.
 */
int nft_nat_set(const char *network, const char *iface, char *msg, size_t len)
{
	static const char *const families[] = { "ip", "ip6" };
	char cmds[NFT_NAT_CMDS_MAX], err[256] = "";
	size_t at = 0, i;
	int r;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if (!nft_nat_has_set(families[i], network))
			continue;
		at += (size_t)snprintf(
			cmds + at, sizeof(cmds) - at,
			"flush set %s squib-net-%s nat_out\n"
			"add element %s squib-net-%s nat_out { \"%s\" }\n",
			families[i], network, families[i], network, iface);
	}
	if (!at) {
		snprintf(msg, len, "network %s: no nftables set nat_out",
			 network);
		return -ENOENT;
	}
	r = nft_run_out(cmds, NULL, 0, err, sizeof(err));
	if (r)
		snprintf(msg, len, "nftables set nat_out of network %s: %s",
			 network, err);
	return r;
}
