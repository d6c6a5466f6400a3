// SPDX-License-Identifier: MIT
/* nft_fwd_linux.c - Linux side of nft_fwd.h: the chains fwd_* of a
 * network's table "ip squib-net-<name>", made again whole from the record
 * at each change */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forward.h"
#include "nft.h"
#include "nft_fwd.h"

/* The text of one forward's rules, and the chains' before them. */
#define NFT_FWD_RULES_MAX 640
#define NFT_FWD_HEAD_MAX 1024

/* route_localnet on the bridge: a connection of the host's to 127.0.0.1,
 * DNATed to a guest, leaves through the bridge with its source 127.0.0.1
 * until masqueraded, which the kernel takes for a martian without it
 * (the same for the replies coming back, before they are un-NATed). */
static int nft_fwd_localnet(const char *bridge, int on)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path),
		 "/proc/sys/net/ipv4/conf/%s/route_localnet", bridge);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, on ? "1" : "0", 1);
	close(fd);
	return n == 1 ? 0 : -EIO;
}

/* One forward's rules: its DNAT from another interface than the bridge
 * (prerouting) and from the host itself (output), to the host's address
 * or to any of its own ("fib daddr type local", which has 127.0.0.1), and
 * the connection let through to the guest, and its replies back. */
static void nft_fwd_rules(char *out, size_t len, const char *t, const char *b,
			  const struct nft_fwd *f)
{
	const char *p = forward_proto_name((enum sqn_proto)f->proto);
	char to[64];

	if (f->host_addr[0])
		snprintf(to, sizeof(to), "ip daddr %s", f->host_addr);
	else
		snprintf(to, sizeof(to), "fib daddr type local");
	snprintf(
		out, len,
		"add rule %s fwd_pre iifname != \"%s\" %s %s dport %u dnat to %s:%u\n"
		"add rule %s fwd_out %s %s dport %u dnat to %s:%u\n"
		"add rule %s fwd_in oifname \"%s\" ip daddr %s %s dport %u ct status dnat ct direction original accept\n"
		"add rule %s fwd_in iifname \"%s\" ip saddr %s %s sport %u ct status dnat ct direction reply accept\n",
		t, b, to, p, f->host_port, f->guest_ip, f->guest_port, t, to, p,
		f->host_port, f->guest_ip, f->guest_port, t, b, f->guest_ip, p,
		f->guest_port, t, b, f->guest_ip, p, f->guest_port);
}

/**
 * nft_fwd_sync() - make the network's forward chains hold these forwards,
 * and only these, in one transaction
 * @network:	the network's name (its bridge's, its table's)
 * @fwd:	all the network's forwards
 * @n:		how many
 * @msg:	reason on failure
 * @len:	its size
 *
 * The table's forward chain jumps to fwd_in for what enters or leaves the
 * bridge (nft_table_add()); the DNAT chains are made here, with the first
 * forward, at the priorities of dstnat and srcnat (nft 1.0.6 takes the
 * name "dstnat" for prerouting only). A connection of the host's to
 * 127.0.0.1 is masqueraded to the bridge's address on its way out, which
 * needs route_localnet on the bridge while the network has forwards.
 *
 * Return: 0, or a negative errno (-EIO from nft) with the reason in @msg.
 */
int nft_fwd_sync(const char *network, const struct nft_fwd *fwd, unsigned int n,
		 char *msg, size_t len)
{
	size_t size = NFT_FWD_HEAD_MAX + (size_t)n * NFT_FWD_RULES_MAX, at;
	char *cmds = malloc(size), t[48], err[256] = "";
	unsigned int i;
	int r;

	if (!cmds) {
		snprintf(msg, len, "nftables: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	snprintf(t, sizeof(t), "ip squib-net-%s", network);
	at = (size_t)snprintf(
		cmds, size,
		"add chain %s fwd_pre { type nat hook prerouting priority dstnat; policy accept; }\n"
		"add chain %s fwd_out { type nat hook output priority -100; policy accept; }\n"
		"add chain %s fwd_post { type nat hook postrouting priority srcnat; policy accept; }\n"
		"add chain %s fwd_guard { type filter hook prerouting priority raw; policy accept; }\n"
		"add chain %s fwd_in\n"
		"flush chain %s fwd_guard\n"
		"flush chain %s fwd_pre\n"
		"flush chain %s fwd_out\n"
		"flush chain %s fwd_post\n"
		"flush chain %s fwd_in\n",
		t, t, t, t, t, t, t, t, t, t);
	/* route_localnet lets 127.0.0.0/8 in through the bridge too: no
	 * guest may use it to reach the host's loopback services (as
	 * CVE-2020-8558 did through kube-proxy's); a reply to the host's
	 * connection arrives to the bridge's address, before un-NAT. */
	if (n)
		at += (size_t)snprintf(
			cmds + at, size - at,
			"add rule %s fwd_guard iifname \"%s\" ip daddr 127.0.0.0/8 drop\n"
			"add rule %s fwd_guard iifname \"%s\" ip saddr 127.0.0.0/8 drop\n"
			"add rule %s fwd_post ip saddr 127.0.0.0/8 oifname \"%s\" masquerade\n",
			t, network, t, network, t, network);
	for (i = 0; i < n && at < size; i++) {
		nft_fwd_rules(cmds + at, size - at, t, network, &fwd[i]);
		at += strlen(cmds + at);
	}
	/* route_localnet only while fwd_guard is there: on after the rules
	 * are in, off before the last of them goes. */
	r = n ? 0 : nft_fwd_localnet(network, 0);
	if (!r) {
		r = nft_run_out(cmds, NULL, 0, err, sizeof(err));
		if (r)
			snprintf(msg, len, "nftables table %s: %s", t, err);
	} else {
		snprintf(msg, len, "route_localnet on %s: %s", network,
			 strerror(-r));
	}
	if (!r && n) {
		r = nft_fwd_localnet(network, 1);
		if (r)
			snprintf(msg, len, "route_localnet on %s: %s", network,
				 strerror(-r));
	}
	free(cmds);
	return r;
}
