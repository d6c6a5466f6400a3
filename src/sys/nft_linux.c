// SPDX-License-Identifier: MIT
/* nft_linux.c - Linux side of nft.h: one nftables table per network */
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

#include "ipv4.h"
#include "netlink.h"
#include "nft.h"

#define NFT_CMDS_MAX 2048

/**
 * nft_run_out() - run nft commands as one transaction, silently, and keep
 * what they print
 * @cmds:	the commands, in nft's syntax
 * @out:	set to their output (a list command's), or NULL
 * @outlen:	its size
 * @msg:	set to nft's first error line on failure, or NULL
 * @len:	its size
 *
 * Return: 0, or -EIO with the reason in @msg.
 */
int nft_run_out(const char *cmds, char *out, size_t outlen, char *msg,
		size_t len)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *err, *o;
	int r;

	if (!ctx)
		return -ENOMEM;
	/* Buffered, or libnftables would print to our caller's stdout. */
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	r = nft_run_cmd_from_buffer(ctx, cmds) ? -EIO : 0;
	if (r && msg) {
		err = nft_ctx_get_error_buffer(ctx);
		snprintf(msg, len, "%.*s", (int)strcspn(err ? err : "", "\n"),
			 err ? err : "");
	}
	if (!r && out) {
		o = nft_ctx_get_output_buffer(ctx);
		snprintf(out, outlen, "%s", o ? o : "");
	}
	nft_ctx_free(ctx);
	return r;
}

/* nft_run_out() without output. */
static int nft_run(const char *cmds, char *msg, size_t len)
{
	return nft_run_out(cmds, NULL, 0, msg, len);
}

/**
 * nft_refuse() - the chains of a host-only network that refuse at once
 * what a guest sends the host for beyond it
 * @s:		the network, its bridge made
 * @v6:		0: for its ip table, 1: for its ip6 table
 * @subnet:	its network address and prefix, "A.B.C.D/N" (@v6:
 *		"PREFIX/64")
 * @out:	the chains, in nft's syntax
 * @len:	its size
 *
 * The host does not forward for the network (forwarding is off on its
 * bridge), so the kernel drops such a packet while routing it, silently,
 * before the forward hook: the guest's connection would hang until its
 * own timeout. It is refused before routing instead: a TCP reset, or ICMP
 * admin-prohibited. Only from the subnet's own addresses (the answer goes
 * back to the guest, nowhere else) and only frames to the bridge's MAC:
 * br_netfilter shows frames between guests to this hook too, and a guest
 * may route for another.
 *
 * Return: 0, or a negative errno when the bridge cannot be read.
 */
int nft_refuse(const struct net_spec *s, int v6, const char *subnet, char *out,
	       size_t len)
{
	struct nl_link l;
	uint8_t *m = l.mac;
	int r = nl_link_get(s->name, &l);

	if (r)
		return r;
	snprintf(
		out, len,
		" chain refuse {\n"
		"  meta l4proto tcp reject with tcp reset\n"
		"  reject with %s type admin-prohibited\n"
		" }\n"
		" chain prerouting {\n"
		"  type filter hook prerouting priority filter; policy accept;\n"
		"  iifname \"%s\" ether daddr %02x:%02x:%02x:%02x:%02x:%02x"
		" %s saddr %s fib daddr type unicast"
		" fib daddr oifname != \"%s\" goto refuse\n"
		" }\n",
		v6 ? "icmpv6" : "icmp", s->name, m[0], m[1], m[2], m[3], m[4],
		m[5], v6 ? "ip6" : "ip", subnet, s->name);
	return 0;
}

/**
 * nft_table_add() - make the network's table: NAT out of its interface
 * and forwarding of its own traffic only (shared), or no forwarding at all
 * to or from its bridge (host)
 * @s:		the network; its table is "ip squib-net-<name>"
 * @token:	the table's mark: it holds an empty chain "id_@token", by
 *		which a table of ours is told apart from a namesake
 * @nat_iface:	shared: where NAT leads out; NULL for a host-only network
 * @return_only: the forwarding of @nat_iface was turned on for this: let
 *		only replies in through it
 * @msg:	reason on failure
 * @len:	its size
 *
 * The NAT interface is the one element of set "nat_out", so that a
 * default route that moves changes one element, not the rules. With
 * @return_only, only replies and the host's own port forwards (DNAT)
 * come in through the NAT interface. Isolation between guests is
 * the bridge's (isolated ports); with @s->isolation the table also stops
 * them reaching each other routed through the host, which would go from
 * the bridge back to it. Without isolation that passes, as frames
 * between ports do when br_netfilter shows them here. Only the subnet's
 * own addresses are forwarded out, and in only the port forwards' DNATed
 * connections (chain fwd_in, nft_fwd_sync()). Without @nat_iface, what
 * a guest sends the host for beyond it is refused (nft_refuse()). The
 * table must not exist yet: one of that name is not ours.
 *
 * Return: 0, or a negative errno (-EIO from nft) with the reason in @msg.
 */
int nft_table_add(const struct net_spec *s, const char *token,
		  const char *nat_iface, int return_only, char *msg, size_t len)
{
	char cmds[NFT_CMDS_MAX], chains[512], out[256] = "", err[256] = "";
	struct ipv4_prefix net = s->gateway;
	const char *b = s->name, *o = nat_iface;
	char sub[IPV4_PREFIX_STRLEN];
	int r;

	ipv4_unpack(ipv4_network(&s->gateway), net.addr);
	ipv4_format_prefix(sub, &net);
	if (o) {
		snprintf(
			chains, sizeof(chains),
			" set nat_out {\n"
			"  type ifname;\n"
			"  elements = { \"%s\" }\n"
			" }\n"
			" chain postrouting {\n"
			"  type nat hook postrouting priority srcnat; policy accept;\n"
			"  ip saddr %s oifname @nat_out masquerade\n"
			" }\n",
			o, sub);
		snprintf(
			out, sizeof(out),
			"  iifname \"%s\" oifname @nat_out ip saddr %s accept\n"
			"  iifname @nat_out oifname \"%s\" ct state established,related accept\n",
			b, sub, b);
	} else if ((r = nft_refuse(s, 0, sub, chains, sizeof(chains)))) {
		snprintf(msg, len, "bridge %s: %s", b, strerror(-r));
		return r;
	}
	snprintf(
		cmds, sizeof(cmds),
		"create table ip squib-net-%s\n"
		"table ip squib-net-%s {\n"
		" chain id_%s {\n"
		" }\n"
		"%s"
		" chain fwd_in {\n"
		" }\n"
		" chain forward {\n"
		"  type filter hook forward priority filter; policy accept;\n"
		"  iifname \"%s\" oifname \"%s\" %s\n"
		"%s"
		"  iifname \"%s\" jump fwd_in\n"
		"  oifname \"%s\" jump fwd_in\n"
		"  iifname \"%s\" drop\n"
		"  oifname \"%s\" drop\n"
		"%s%s"
		" }\n"
		"}\n",
		s->name, s->name, token, chains, b, b,
		s->isolation ? "drop" : "accept", out, b, b, b, b,
		return_only ? "  iifname @nat_out" : "",
		return_only ?
			" ct state != { established, related } ct status != dnat drop\n" :
			"");
	r = nft_run(cmds, err, sizeof(err));
	if (r)
		snprintf(msg, len, "nftables table ip squib-net-%s: %s",
			 s->name, err);
	return r;
}

/**
 * nft_table_del() - delete the network's tables (ip, and ip6 when it has
 * IPv6), those that are ours
 * @network:	the network's name
 * @token:	the mark they were made with
 *
 * Return: 0 when they are gone or were never made (or are not ours), -EIO
 * when deleting one failed.
 */
int nft_table_del(const char *network, const char *token)
{
	static const char *const families[] = { "ip", "ip6" };
	char cmds[160];
	unsigned int i;
	int r = 0;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		snprintf(cmds, sizeof(cmds),
			 "list chain %s squib-net-%s id_%s\n", families[i],
			 network, token);
		if (nft_run(cmds, NULL, 0))
			continue;
		snprintf(cmds, sizeof(cmds), "delete table %s squib-net-%s\n",
			 families[i], network);
		r |= nft_run(cmds, NULL, 0);
	}
	return r;
}
