// SPDX-License-Identifier: MIT
/* nft_spoof_linux.c - Linux side of nft_spoof.h: the table "bridge
 * squib-net-spoof", three chains, a MAC set and a drop counter per port */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft.h"
#include "nft_spoof.h"

#define T "bridge " NFT_SPOOF_TABLE
#define NFT_SPOOF_CMDS_MAX 4096
/* The text of one port in nft_spoof_addr_rules(). */
#define NFT_SPOOF_ADDR_MAX 1280
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

/* The mark of a table this code made: one of an older layout (its MAC
 * sets typed otherwise) is made anew. */
#define NFT_SPOOF_MARK "layout-2"

/**
 * nft_spoof_table() - the table: kept when a service that was killed left
 * it (its ports' learned MACs in it; nft_spoof_sweep() removes the ports
 * not adopted), else made empty
 * @msg:	reason on failure
 * @len:	its size
 *
 * Every frame a bridge port sends passes the prerouting hook of the bridge
 * family before the bridge learns its source or forwards it; the map
 * "ports" sends each port's frames to its own chain, others pass.
 *
 * Return: 1 when a table was kept, 0 when made, or -EIO with the reason in
 * @msg.
 */
int nft_spoof_table(char *msg, size_t len)
{
	char err[256] = "";
	int r;

	if (!nft_run_out("list chain " T " " NFT_SPOOF_MARK "\n", NULL, 0, NULL,
			 0))
		return 1;
	r = nft_spoof_table_del(msg, len);
	if (!r)
		r = nft_run_out(
			"table " T " {\n"
			" chain " NFT_SPOOF_MARK " {\n"
			" }\n"
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

/**
 * nft_spoof_table_del() - remove the table, whoever left it
 * @msg:	reason on failure
 * @len:	its size
 *
 * Return: 0, or -EIO with the reason in @msg.
 */
int nft_spoof_table_del(char *msg, size_t len)
{
	char err[256] = "";
	int r;

	r = nft_run_out("add table " T "\n"
			"delete table " T "\n",
			NULL, 0, err, sizeof(err));
	if (r)
		snprintf(msg, len, "nftables table %s: %s", T, err);
	return r;
}

/* The rules of chain i-NAME: ARP's sender MAC is the port's; DHCP to a
 * server (port 67) carries the port's MAC as its client's hardware
 * address (chain h-NAME), or a guest could release or move another's
 * lease; with a lease, the sender's address (ARP or IPv4) is the lease's;
 * without one, DHCP from 0.0.0.0 and ARP probes pass, no other IPv4. The
 * MAC set holds raw 48-bit keys (typeof @ll,48,48): a typed ether_addr set
 * cannot be matched against DHCP's chaddr, a raw field. */
static void nft_spoof_addr_rules(const struct nft_spoof_port *p, char *out,
				 size_t len)
{
	const char *x = p->name;
	const uint8_t *a = p->ip;
	size_t n;

	n = (size_t)snprintf(out, len,
			     "add rule " T " i-%s ether type arp"
			     " @nh,64,48 != @m-%s counter name \"d-%s\" drop\n"
			     "add rule " T " i-%s udp dport 67 jump h-%s\n",
			     x, x, x, x, x);
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
 * nft_spoof_port_add() - hold a port to its MAC (and address); a port
 * the table already has (a service started again adopts it) gets its
 * rules again and keeps its MAC set (a learned MAC stays)
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
 * would carry IPv4 past the checks. Chain i-NAME then checks ARP, DHCP
 * and IPv4 (nft_spoof_addr_rules()); h-NAME drops DHCP whose chaddr is not
 * in m-NAME (one too short to hold a chaddr as well: the lookup fails).
 * One transaction: an adopted port's chains are never seen empty.
 *
 * Return: 0, -EINVAL for a name nft's text cannot take, or -EIO with the
 * reason in @msg.
 */
int nft_spoof_port_add(const struct nft_spoof_port *p, char *msg, size_t len)
{
	char cmds[NFT_SPOOF_CMDS_MAX], addr[NFT_SPOOF_ADDR_MAX], mac[64] = "";
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
			 " elements = { 0x%02x%02x%02x%02x%02x%02x };", m[0],
			 m[1], m[2], m[3], m[4], m[5]);
	else
		snprintf(learn, sizeof(learn),
			 "add rule " T " p-%s add @m-%s { @ll,48,48 }"
			 " goto i-%s\n",
			 x, x, x);
	nft_spoof_addr_rules(p, addr, sizeof(addr));
	snprintf(cmds, sizeof(cmds),
		 "add counter " T " d-%s\n"
		 "add set " T " m-%s { typeof @ll,48,48; size 1;"
		 " flags dynamic;%s }\n"
		 "add chain " T " p-%s\n"
		 "add chain " T " i-%s\n"
		 "add chain " T " h-%s\n"
		 "flush chain " T " p-%s\n"
		 "flush chain " T " i-%s\n"
		 "flush chain " T " h-%s\n"
		 "add rule " T " h-%s @th,288,48 @m-%s return\n"
		 "add rule " T " h-%s counter name \"d-%s\" drop\n"
		 "add rule " T " p-%s ether type { 8021q, 8021ad }"
		 " counter name \"d-%s\" drop\n"
		 "add rule " T " p-%s @ll,48,48 @m-%s goto i-%s\n"
		 "%s"
		 "add rule " T " p-%s counter name \"d-%s\" drop\n"
		 "%s"
		 "add element " T " ports { \"%s\" : goto p-%s }\n",
		 x, x, mac, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, learn,
		 x, x, addr, x, x);
	r = nft_run_out(cmds, NULL, 0, err, sizeof(err));
	if (r)
		snprintf(msg, len, "nftables, port %s: %s", x, err);
	return r;
}

/**
 * nft_spoof_ports_addr() - ports' addresses changed (a lease came, went
 * or is another): their chains i-NAME again, in one transaction
 * @p:		the ports, as nft_spoof_port_add() made them
 * @n:		how many
 * @msg:	reason on failure
 * @len:	its size
 *
 * Return: 0, or -EINVAL, -ENOMEM, -EIO as nft_spoof_port_add().
 */
int nft_spoof_ports_addr(const struct nft_spoof_port *p, size_t n, char *msg,
			 size_t len)
{
	size_t i, at = 0, size = n * (NFT_SPOOF_ADDR_MAX + 64) + 1;
	char err[256] = "", *cmds;
	int r;

	for (i = 0; i < n; i++)
		if (!nft_spoof_name_ok(p[i].name)) {
			snprintf(msg, len, "port name %s: not for nftables",
				 p[i].name);
			return -EINVAL;
		}
	cmds = malloc(size);
	if (!cmds)
		return -ENOMEM;
	cmds[0] = '\0';
	/* One transaction: no frame sees a chain empty. */
	for (i = 0; i < n; i++) {
		at += (size_t)snprintf(cmds + at, size - at,
				       "flush chain " T " i-%s\n", p[i].name);
		nft_spoof_addr_rules(&p[i], cmds + at, size - at);
		at += strlen(cmds + at);
	}
	r = nft_run_out(cmds, NULL, 0, err, sizeof(err));
	if (r)
		snprintf(msg, len, "nftables, %zu port(s): %s", n, err);
	free(cmds);
	return r;
}

/* The commands that remove port @x, in @out. */
static void nft_spoof_del_cmds(const char *x, char *out, size_t len)
{
	/* What refers to a thing goes before it. */
	snprintf(out, len,
		 "delete element " T " ports { \"%s\" }\n"
		 "flush chain " T " p-%s\n"
		 "flush chain " T " i-%s\n"
		 "flush chain " T " h-%s\n"
		 "delete chain " T " p-%s\n"
		 "delete chain " T " i-%s\n"
		 "delete chain " T " h-%s\n"
		 "delete set " T " m-%s\n"
		 "delete counter " T " d-%s\n",
		 x, x, x, x, x, x, x, x, x);
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

	if (!nft_spoof_name_ok(name))
		return -EINVAL;
	nft_spoof_del_cmds(name, cmds, sizeof(cmds));
	return nft_run_out(cmds, NULL, 0, NULL, 0);
}

/* What nft prints for @cmd, whatever its length, in @text (free() it). */
static int nft_spoof_out(const char *cmd, char **text)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *o;
	int r;

	if (!ctx)
		return -ENOMEM;
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	r = nft_run_cmd_from_buffer(ctx, cmd) ? -EIO : 0;
	if (!r) {
		o = nft_ctx_get_output_buffer(ctx);
		*text = strdup(o ? o : "");
		if (!*text)
			r = -ENOMEM;
	}
	nft_ctx_free(ctx);
	return r;
}

/**
 * nft_spoof_list() - the whole table's counters or sets, listed by one
 * call to nft however many ports there are
 * @what:	"counters" or "sets"
 * @text:	set to the listing (free() it), for nft_spoof_text_drops() and
 *		nft_spoof_text_mac()
 *
 * Return: 0, -ENOMEM, or -EIO (no table).
 */
int nft_spoof_list(const char *what, char **text)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "list %s table " T "\n", what);
	return nft_spoof_out(cmd, text);
}

/* The block of @kind ("set", "counter") @prefix-@name in @text; @end set
 * to its end. NULL when it is not there. */
static const char *nft_spoof_block(const char *text, const char *kind,
				   char prefix, const char *name,
				   const char **end)
{
	char key[64];
	const char *b;

	snprintf(key, sizeof(key), "%s %c-%s {\n", kind, prefix, name);
	b = strstr(text, key);
	if (!b)
		return NULL;
	*end = strstr(b, "\n\t}");
	if (!*end)
		*end = b + strlen(b);
	return b;
}

/**
 * nft_spoof_text_drops() - how many frames a port sent that were dropped
 * @text:	nft_spoof_list() of "counters"
 * @name:	the port
 * @packets:	set to the count
 *
 * Return: 0, or -ENOENT (no such counter), -EIO.
 */
int nft_spoof_text_drops(const char *text, const char *name, uint64_t *packets)
{
	const char *b, *end, *p;

	b = nft_spoof_block(text, "counter", 'd', name, &end);
	if (!b)
		return -ENOENT;
	p = strstr(b, "packets ");
	if (!p || p > end)
		return -EIO;
	return sscanf(p, "packets %" SCNu64, packets) == 1 ? 0 : -EIO;
}

/**
 * nft_spoof_text_mac() - the MAC a port is held to
 * @text:	nft_spoof_list() of "sets"
 * @name:	the port
 * @mac:	set to it
 *
 * Return: 0, or -ENOENT while the port has sent nothing (or has no set).
 */
int nft_spoof_text_mac(const char *text, const char *name, uint8_t mac[6])
{
	const char *b, *end, *e;
	uint64_t v;
	int i;

	b = nft_spoof_block(text, "set", 'm', name, &end);
	if (!b)
		return -ENOENT;
	e = strstr(b, "elements = { ");
	if (!e || e > end || sscanf(e, "elements = { 0x%" SCNx64, &v) != 1)
		return -ENOENT;
	for (i = 5; i >= 0; i--, v >>= 8)
		mac[i] = (uint8_t)v;
	return 0;
}

/* The commands of nft_spoof_del_cmds() in @cmds one by one, for a port
 * that lacks some of its parts (a service that was killed while making
 * it): what is there goes. Return: 0 when the map's element went. */
static int nft_spoof_del_each(char *cmds)
{
	char *line, *next;
	int r = -EIO, first = 1;

	for (line = cmds; *line; line = next, first = 0) {
		next = strchr(line, '\n');
		if (!next)
			break;
		*next++ = '\0';
		if (!nft_run_out(line, NULL, 0, NULL, 0) && first)
			r = 0;
	}
	return r;
}

/**
 * nft_spoof_sweep() - remove the ports the table has that are not to be
 * kept (a service started again adopted the others)
 * @keep:	whether a port is kept
 * @arg:	for @keep
 *
 * Return: how many were removed, or a negative errno (-EIO: some could
 * not be).
 */
int nft_spoof_sweep(int (*keep)(const char *name, void *arg), void *arg)
{
	char *text = NULL, *p, *q, cmds[NFT_SPOOF_CMDS_MAX];
	int r, n = 0, bad = 0;

	r = nft_spoof_out("list map " T " ports\n", &text);
	if (r)
		return r;
	/* Its elements: "NAME" : goto p-NAME, ... */
	for (p = strchr(text, '"'); p; p = strchr(q + 1, '"')) {
		q = strchr(p + 1, '"');
		if (!q)
			break;
		*q = '\0';
		if (!nft_spoof_name_ok(p + 1) || keep(p + 1, arg))
			continue;
		nft_spoof_del_cmds(p + 1, cmds, sizeof(cmds));
		if (!nft_run_out(cmds, NULL, 0, NULL, 0) ||
		    !nft_spoof_del_each(cmds))
			n++;
		else
			bad = 1;
	}
	free(text);
	return bad ? -EIO : n;
}

/* nft_spoof_sweep()'s @keep for nft_spoof_gc(): a port whose link is
 * still there. */
static int nft_spoof_link_there(const char *name, void *arg)
{
	(void)arg;
	return if_nametoindex(name) != 0;
}

/* nft_spoof_sweep()'s @keep that keeps all, counting them. */
static int nft_spoof_count(const char *name, void *arg)
{
	(void)name;
	++*(int *)arg;
	return 1;
}

/**
 * nft_spoof_gc() - the table a killed service left, once the namespace has
 * no network left: the ports whose link has gone are removed, and the
 * table when no port is left (a service that runs has a port on each
 * link it holds; one that starts makes the table again, and
 * spoof_port_add() makes it again should it have gone)
 */
void nft_spoof_gc(void)
{
	char msg[64];
	int n = 0;

	/* No table, or nft cannot tell: nothing to do. */
	if (nft_spoof_sweep(nft_spoof_link_there, NULL) < 0 ||
	    nft_spoof_sweep(nft_spoof_count, &n) < 0 || n)
		return;
	nft_spoof_table_del(msg, sizeof(msg));
}
