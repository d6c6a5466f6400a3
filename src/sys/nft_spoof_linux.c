// SPDX-License-Identifier: MIT
/* nft_spoof_linux.c - Linux side of nft_spoof.h: the table "bridge
 * squib-net-spoof", a chain pair, a MAC set and a drop counter per port */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "nft.h"
#include "nft_spoof.h"

#define T "bridge " NFT_SPOOF_TABLE
#define NFT_SPOOF_CMDS_MAX 2048
#define NFT_SPOOF_NAME_MAX 15

/* Whether @name may go into nft's text: a TAP's name, nothing else. */
static int nft_spoof_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n && n <= NFT_SPOOF_NAME_MAX &&
	       strspn(name,
		      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789_.-") == n;
}

/**
 * nft_spoof_table() - remove the table, whoever left it (a service that
 * was killed), and make it again empty
 * @make:	0: only remove it
 * @msg:	reason on failure
 * @len:	its size
 *
 * Every frame a bridge port sends passes the prerouting hook of the bridge
 * family before the bridge learns its source or forwards it; the map
 * "ports" sends each port's frames to its own chain, others pass.
 *
 * Return: 0, or -EIO with the reason in @msg.
 */
int nft_spoof_table(int make, char *msg, size_t len)
{
	char err[256] = "";
	int r;

	r = nft_run_out("add table " T "\n"
			"delete table " T "\n",
			NULL, 0, err, sizeof(err));
	if (!r && make)
		r = nft_run_out(
			"table " T " {\n"
			" map ports {\n"
			"  type ifname : verdict\n"
			" }\n"
			" chain prerouting {\n"
			"  type filter hook prerouting priority filter; policy accept;\n"
			"  iifname vmap @ports\n"
			" }\n"
			"}\n",
			NULL, 0, err, sizeof(err));
	if (r)
		snprintf(msg, len, "nftables table %s: %s", T, err);
	return r;
}

/* The rules of chain i-NAME, on IPv4 and ARP: the ARP sender's MAC is the
 * port's; with a lease, the sender's address (ARP or IPv4) is the lease's;
 * without one, DHCP's DISCOVER and REQUEST from 0.0.0.0 and ARP probes
 * pass, no other IPv4. */
static void nft_spoof_addr_rules(const struct nft_spoof_port *p, char *out,
				 size_t len)
{
	const char *x = p->name;
	const uint8_t *a = p->ip;
	size_t n;

	n = (size_t)snprintf(out, len,
			     "add rule " T " i-%s arp saddr ether != @m-%s"
			     " counter name \"d-%s\" drop\n",
			     x, x, x);
	if (p->any_ip || n >= len)
		return;
	if (!a) {
		snprintf(out + n, len - n,
			 "add rule " T " i-%s arp saddr ip != 0.0.0.0"
			 " counter name \"d-%s\" drop\n"
			 "add rule " T " i-%s ip saddr 0.0.0.0"
			 " ip daddr 255.255.255.255 udp sport 68 udp dport 67"
			 " accept\n"
			 "add rule " T " i-%s ether type ip"
			 " counter name \"d-%s\" drop\n",
			 x, x, x, x, x);
		return;
	}
	snprintf(out + n, len - n,
		 "add rule " T " i-%s arp saddr ip != { 0.0.0.0, %u.%u.%u.%u }"
		 " counter name \"d-%s\" drop\n"
		 "add rule " T " i-%s ip saddr 0.0.0.0"
		 " ip daddr 255.255.255.255 udp sport 68 udp dport 67 accept\n"
		 "add rule " T " i-%s ip saddr != %u.%u.%u.%u"
		 " counter name \"d-%s\" drop\n",
		 x, a[0], a[1], a[2], a[3], x, x, x, a[0], a[1], a[2], a[3], x);
}

/**
 * nft_spoof_port_add() - hold a port to its MAC (and address)
 * @p:		the port
 * @msg:	reason on failure
 * @len:	its size
 *
 * Chain p-NAME checks the MAC: a frame from a MAC other than the one in
 * set m-NAME is dropped and counted (counter d-NAME). Without @p->mac the
 * set starts empty and the port's first frame puts its source in it: a
 * set of one element takes no second, so the "add" of any later MAC fails
 * and that frame falls to the drop, in the kernel, with no window. VLAN
 * tags are dropped too: the guest's frames are untagged, and a tagged one
 * would carry IPv4 past the checks. Chain i-NAME then checks ARP and
 * IPv4 (nft_spoof_addr_rules()).
 *
 * Return: 0, -EINVAL for a name nft's text cannot take, or -EIO with the
 * reason in @msg.
 */
int nft_spoof_port_add(const struct nft_spoof_port *p, char *msg, size_t len)
{
	char cmds[NFT_SPOOF_CMDS_MAX], addr[1024], mac[64] = "";
	char learn[160] = "", err[256] = "";
	const char *x = p->name;
	const uint8_t *m = p->mac;
	int r;

	if (!nft_spoof_name_ok(x)) {
		snprintf(msg, len, "port name %s: not for nftables", x);
		return -EINVAL;
	}
	if (m)
		snprintf(mac, sizeof(mac),
			 " elements = { %02x:%02x:%02x:%02x:%02x:%02x };", m[0],
			 m[1], m[2], m[3], m[4], m[5]);
	else
		snprintf(learn, sizeof(learn),
			 "add rule " T " p-%s add @m-%s { ether saddr }"
			 " goto i-%s\n",
			 x, x, x);
	nft_spoof_addr_rules(p, addr, sizeof(addr));
	snprintf(cmds, sizeof(cmds),
		 "add counter " T " d-%s\n"
		 "add set " T
		 " m-%s { type ether_addr; size 1; flags dynamic;%s }\n"
		 "add chain " T " p-%s\n"
		 "add chain " T " i-%s\n"
		 "add rule " T " p-%s ether type { 8021q, 8021ad }"
		 " counter name \"d-%s\" drop\n"
		 "add rule " T " p-%s ether saddr @m-%s goto i-%s\n"
		 "%s"
		 "add rule " T " p-%s counter name \"d-%s\" drop\n"
		 "%s"
		 "add element " T " ports { \"%s\" : goto p-%s }\n",
		 x, x, mac, x, x, x, x, x, x, x, learn, x, x, addr, x, x);
	r = nft_run_out(cmds, NULL, 0, err, sizeof(err));
	if (r)
		snprintf(msg, len, "nftables, port %s: %s", x, err);
	return r;
}

/**
 * nft_spoof_port_addr() - a port's address changed (a lease came, went
 * or is another): its chain i-NAME again
 * @p:		the port, as nft_spoof_port_add() made it
 * @msg:	reason on failure
 * @len:	its size
 *
 * Return: 0, or -EINVAL, -EIO as nft_spoof_port_add().
 */
int nft_spoof_port_addr(const struct nft_spoof_port *p, char *msg, size_t len)
{
	char cmds[NFT_SPOOF_CMDS_MAX], err[256] = "";
	size_t n;
	int r;

	if (!nft_spoof_name_ok(p->name)) {
		snprintf(msg, len, "port name %s: not for nftables", p->name);
		return -EINVAL;
	}
	/* One transaction: no frame sees the chain empty. */
	n = (size_t)snprintf(cmds, sizeof(cmds), "flush chain " T " i-%s\n",
			     p->name);
	nft_spoof_addr_rules(p, cmds + n, sizeof(cmds) - n);
	r = nft_run_out(cmds, NULL, 0, err, sizeof(err));
	if (r)
		snprintf(msg, len, "nftables, port %s: %s", p->name, err);
	return r;
}

/**
 * nft_spoof_port_del() - a port's chains, set and counter go
 * @name:	the port
 *
 * Return: 0, or -EINVAL, -EIO (it was not there).
 */
int nft_spoof_port_del(const char *name)
{
	char cmds[NFT_SPOOF_CMDS_MAX];
	const char *x = name;

	if (!nft_spoof_name_ok(x))
		return -EINVAL;
	/* What refers to a thing goes before it. */
	snprintf(cmds, sizeof(cmds),
		 "delete element " T " ports { \"%s\" }\n"
		 "flush chain " T " p-%s\n"
		 "flush chain " T " i-%s\n"
		 "delete chain " T " p-%s\n"
		 "delete chain " T " i-%s\n"
		 "delete set " T " m-%s\n"
		 "delete counter " T " d-%s\n",
		 x, x, x, x, x, x, x);
	return nft_run_out(cmds, NULL, 0, NULL, 0);
}

/* What nft lists of a port's @what ("set", "counter"), named @prefix-NAME,
 * in @out; @at set to where @key is in it. */
static int nft_spoof_list(const char *name, const char *what, char prefix,
			  const char *key, char *out, size_t len,
			  const char **at)
{
	char cmds[96];
	int r;

	if (!nft_spoof_name_ok(name))
		return -EINVAL;
	snprintf(cmds, sizeof(cmds), "list %s " T " %c-%s\n", what, prefix,
		 name);
	r = nft_run_out(cmds, out, len, NULL, 0);
	if (r)
		return r;
	*at = strstr(out, key);
	return *at ? 0 : -ENOENT;
}

/**
 * nft_spoof_port_mac() - the MAC a port is held to
 * @name:	the port
 * @mac:	set to it
 *
 * Return: 0, -ENOENT while the port has sent nothing, or -EINVAL, -EIO.
 */
int nft_spoof_port_mac(const char *name, uint8_t mac[6])
{
	char out[1024];
	unsigned int m[6];
	const char *e;
	int i, r;

	r = nft_spoof_list(name, "set", 'm', "elements = {", out, sizeof(out),
			   &e);
	if (r)
		return r;
	if (sscanf(e, "elements = { %x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2],
		   &m[3], &m[4], &m[5]) != 6)
		return -ENOENT;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	return 0;
}

/**
 * nft_spoof_port_drops() - how many frames a port sent that were dropped
 * @name:	the port
 * @packets:	set to the count
 *
 * Return: 0, or -EINVAL, -EIO, -ENOENT.
 */
int nft_spoof_port_drops(const char *name, uint64_t *packets)
{
	char out[512];
	const char *p;
	int r;

	r = nft_spoof_list(name, "counter", 'd', "packets ", out, sizeof(out),
			   &p);
	if (r)
		return r;
	return sscanf(p, "packets %" SCNu64, packets) == 1 ? 0 : -EIO;
}
