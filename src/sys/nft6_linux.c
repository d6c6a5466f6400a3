// SPDX-License-Identifier: MIT
/* nft6_linux.c - Linux side of nft6.h: a network's "ip6 squib-net-<name>"
 * table, IPv6's twin of nft_linux.c's "ip" one */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipv6.h"
#include "nft.h"
#include "nft6.h"

#define NFT6_CMDS_MAX 2048

/**
 * nft6_table_add() - make the network's IPv6 table: NAT66 (masquerade)
 * out of its interface and forwarding of its own prefix only (shared), or
 * no forwarding at all to or from its bridge (host)
 * @s:		the network, with IPv6; its table is "ip6 squib-net-<name>"
 * @token:	the table's mark (chain "id_@token"), the ip table's
 * @nat_iface:	shared: where NAT leads out; NULL for a host-only network
 * @return_only: IPv6 forwarding from @nat_iface was turned on for this:
 *		let only replies in through it
 * @msg:	reason on failure
 * @len:	its size
 *
 * The same rules as the ip table's (nft_table_add()): the NAT interface is
 * the one element of set "nat_out" (a default route that moves changes
 * that element in both tables), only the prefix's addresses go out, only
 * replies come in, and with @s->isolation guests do not reach each other
 * routed through the host. The table must not exist yet.
 *
 * Return: 0, or a negative errno (-EIO from nft) with the reason in @msg.
 */
int nft6_table_add(const struct net_spec *s, const char *token,
		   const char *nat_iface, int return_only, char *msg,
		   size_t len)
{
	char cmds[NFT6_CMDS_MAX], chains[640], out[256] = "", err[256] = "";
	char pfx[IPV6_PREFIX_STRLEN];
	const char *b = s->name;
	int r;

	ipv6_format_prefix(pfx, &s->subnet6);
	if (nat_iface) {
		snprintf(
			chains, sizeof(chains),
			" set nat_out {\n"
			"  type ifname;\n"
			"  elements = { \"%s\" }\n"
			" }\n"
			" chain postrouting {\n"
			"  type nat hook postrouting priority srcnat; policy accept;\n"
			"  ip6 saddr %s oifname @nat_out masquerade\n"
			" }\n",
			nat_iface, pfx);
		snprintf(
			out, sizeof(out),
			"  iifname \"%s\" oifname @nat_out ip6 saddr %s accept\n"
			"  iifname @nat_out oifname \"%s\" ct state established,related accept\n",
			b, pfx, b);
	} else if ((r = nft_refuse(s, 1, pfx, chains, sizeof(chains)))) {
		snprintf(msg, len, "bridge %s: %s", b, strerror(-r));
		return r;
	}
	snprintf(
		cmds, sizeof(cmds),
		"create table ip6 squib-net-%s\n"
		"table ip6 squib-net-%s {\n"
		" chain id_%s {\n"
		" }\n"
		"%s"
		" chain forward {\n"
		"  type filter hook forward priority filter; policy accept;\n"
		"  iifname \"%s\" oifname \"%s\" %s\n"
		"%s"
		"  iifname \"%s\" drop\n"
		"  oifname \"%s\" drop\n"
		"%s"
		" }\n"
		"}\n",
		b, b, token, chains, b, b, s->isolation ? "drop" : "accept",
		out, b, b,
		return_only ?
			"  iifname @nat_out ct state != { established, related } drop\n" :
			"");
	r = nft_run_out(cmds, NULL, 0, err, sizeof(err));
	if (r)
		snprintf(msg, len, "nftables table ip6 squib-net-%s: %s", b,
			 err);
	return r;
}
