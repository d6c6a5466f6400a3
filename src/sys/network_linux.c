// SPDX-License-Identifier: MIT
/* network_linux.c - Linux side of network.h: a network's bridge,
 * forwarding and nftables table, made and undone on record (record.h) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netlink.h"
#include "network.h"
#include "nft.h"
#include "record.h"
#include "sys.h"

/**
 * network_nsdir() - the namespace's part of the record
 * @out:	set to @dir without its last component, RECORD_PATH_MAX bytes
 * @dir:	a network's directory
 */
void network_nsdir(char *out, const char *dir)
{
	char *slash;

	snprintf(out, RECORD_PATH_MAX, "%s", dir);
	slash = strrchr(out, '/');
	if (slash)
		*slash = '\0';
}

/**
 * network_link_gone() - delete the link of an attachment that has ended
 * @link:	its name, from the record
 *
 * Only a TAP or macvtap is deleted: a name on record may have been taken
 * since by a link of another kind (a bridge, say), which is left alone.
 */
void network_link_gone(const char *link)
{
	struct nl_link l;
	char node[64];

	if (!nl_link_get(link, &l) &&
	    (!strcmp(l.kind, "tun") || !strcmp(l.kind, "macvtap")))
		nl_link_del(link);
	/* A macvtap's device node, if its maker died before removing it. */
	snprintf(node, sizeof(node), "/dev/.sqn-%s", link);
	unlink(node);
}

/* The forwarding switch of @iface, "0" or "1". */
static int network_forwarding(const char *iface, char *val, const char *set)
{
	char path[96];
	int fd, r = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding",
		 iface);
	fd = open(path, (set ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (set)
		n = write(fd, set, 1);
	else if ((n = read(fd, val, 1)) == 1)
		val[1] = '\0';
	if (n != 1)
		r = n < 0 ? -errno : -EIO;
	close(fd);
	return r;
}

/* +fwd.<iface> of the namespace's record: it says that forwarding on the
 * NAT interface was off before a network of ours turned it on. */
static void network_fwd_path(char *path, const char *ns, const char *iface)
{
	char name[96];

	snprintf(name, sizeof(name), RECORD_FWD "%s", iface);
	record_path(path, ns, name);
}

/* Whether forwarding on @iface was off before any network of ours turned
 * it on: then only replies may come in through it. */
static int network_fwd_was_off(const char *ns, const char *iface)
{
	char path[RECORD_PATH_MAX], val[2] = "";

	network_fwd_path(path, ns, iface);
	if (!access(path, F_OK))
		return 1;
	return !network_forwarding(iface, val, NULL) && val[0] == '0';
}

/* Turn forwarding on for the NAT interface, once its table is there to
 * filter; that it was off goes in +fwd.<iface>, for the last network
 * using it to turn it off again. */
static int network_fwd_take(const char *ns, const char *iface)
{
	char path[RECORD_PATH_MAX], val[2] = "";
	int r;

	network_fwd_path(path, ns, iface);
	if (!access(path, F_OK))
		return 0;
	r = network_forwarding(iface, val, NULL);
	if (r || val[0] != '0')
		return r;
	r = record_write(path, "0", 0);
	return r ? r : network_forwarding(iface, NULL, "1");
}

struct network_nat_user {
	const char *self;
	const char *iface;
};

/* Whether network @dir, not the one leaving, leads out of the interface. */
static int network_uses_nat(const char *dir, void *ctx)
{
	const struct network_nat_user *u = ctx;
	char nat[64];

	return strcmp(dir, u->self) &&
	       !record_get(dir, "nat", nat, sizeof(nat)) &&
	       !strcmp(nat, u->iface);
}

/* Put the NAT interface's forwarding back as it was, unless another
 * network of the namespace leads out of it too, or the host has turned
 * forwarding on everywhere since. */
static void network_fwd_release(const char *ns, const char *self,
				const char *iface)
{
	struct network_nat_user u = { self, iface };
	char path[RECORD_PATH_MAX], all[2] = "";

	if (record_each(ns, network_uses_nat, &u))
		return;
	network_fwd_path(path, ns, iface);
	if (access(path, F_OK))
		return;
	if (network_forwarding("all", all, NULL) || all[0] != '1')
		network_forwarding(iface, NULL, "0");
	unlink(path);
}

/**
 * network_remove() - everything of a network nobody uses, in the reverse
 * order of its making: dnsmasq, the NAT interface's forwarding, the table,
 * the bridge, the record
 * @dir:	the network's directory
 * @dnsmasq:	its dnsmasq when the caller started it, or one with pid 0
 *
 * Only what the record says was made is undone: a table or bridge of that
 * name that was there before is left alone. Called under the namespace's
 * lock.
 */
void network_remove(const char *dir, struct proc *dnsmasq)
{
	char path[RECORD_PATH_MAX], ns[RECORD_PATH_MAX], val[64];
	const char *name = strrchr(dir, '/') + 1;
	int bridge = 0, fail = 0;
	uint8_t mac[6];
	struct nl_link l;

	record_path(path, dir, "network");
	if (access(path, F_OK)) {
		rmdir(dir);
		return;
	}
	dnsmasq_stop(dir, dnsmasq);
	if (!record_get(dir, "bridge", val, sizeof(val)) &&
	    sscanf(val, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		   &mac[2], &mac[3], &mac[4], &mac[5]) == 6 &&
	    !nl_link_get(name, &l) && !memcmp(l.mac, mac, 6)) {
		bridge = 1;
		/* Nothing is forwarded to or from it once its table goes. */
		network_forwarding(name, NULL, "0");
	}
	if (!record_get(dir, "nat", val, sizeof(val))) {
		network_nsdir(ns, dir);
		network_fwd_release(ns, dir, val);
	}
	if (!record_get(dir, "table", val, sizeof(val)))
		fail |= nft_table_del(name, val);
	if (bridge)
		fail |= nl_link_del(name);
	/* What could not be undone stays on record, for the next sweep. */
	if (fail)
		return;
	record_path(path, dir, "hosts");
	unlink(path);
	record_path(path, dir, NETWORK_KEEPER);
	unlink(path);
	record_path(path, dir, "network");
	unlink(path);
	rmdir(dir);
}

/**
 * network_sweep_one() - a network whose attachments have all ended goes
 * @dir:	its directory
 * @ctx:	unused (a record_each() callback)
 *
 * Return: 0, to go on with the next.
 */
int network_sweep_one(const char *dir, void *ctx)
{
	struct proc none = PROC_NONE;

	(void)ctx;
	if (!record_sweep(dir, network_link_gone))
		network_remove(dir, &none);
	return 0;
}

/**
 * network_ours() - whether the network on record in @dir is the one made
 * with table mark @token (and not one made again since, under that name)
 * @dir:	its directory
 * @token:	from network_make()
 *
 * Return: 1 or 0.
 */
int network_ours(const char *dir, const char *token)
{
	char val[64];

	return !record_get(dir, "table", val, sizeof(val)) &&
	       !strcmp(val, token);
}

static void network_settings(const struct netplane_spec *s, char *out,
			     size_t len)
{
	const uint8_t *g = s->gateway;

	snprintf(
		out, len,
		"settings mode=%s subnet=%u.%u.%u.%u/%d nat=%s dns=%s hosts=%s isolation=%s\n",
		sqn_mode_name(s->mode), g[0], g[1], g[2], g[3], s->prefix,
		s->nat_iface ? s->nat_iface : "(default route)",
		s->dns_upstream ? s->dns_upstream : "(resolv.conf)",
		s->dns_hosts ? s->dns_hosts : "(none)",
		s->isolation ? "on" : "off");
}

/**
 * network_join() - check that the network in @dir was made with the
 * settings @s asks for
 * @dir:	its directory
 * @s:		what the attachment asks for
 * @token:	set to the network's table mark, NETWORK_TOKEN_MAX bytes
 * @msg:	set on failure
 * @len:	its size
 *
 * Return: 0, or -EEXIST when it was made with other settings.
 */
int network_join(const char *dir, const struct netplane_spec *s, char *token,
		 char *msg, size_t len)
{
	char want[NETWORK_SETTINGS_MAX], have[NETWORK_SETTINGS_MAX] = "";

	network_settings(s, want, sizeof(want));
	want[strcspn(want, "\n")] = '\0';
	record_get(dir, "settings", have, sizeof(have));
	record_get(dir, "table", token, NETWORK_TOKEN_MAX);
	if (!strcmp(have, want + 9))
		return 0;
	return record_err(
		msg, len, -EEXIST,
		"network %s exists, in use, with other settings (%s); this one asks for %s",
		s->network, have[0] ? have : "unknown", want + 9);
}

/* Interface names go into nft's commands; only plain ones are taken. */
static int network_plain_name(const char *name)
{
	return name[0] && strspn(name, "abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789_.-") == strlen(name);
}

/* Checks before anything is made: the name is free, the subnet too, the
 * NAT interface is there. */
static int network_check_new(const struct netplane_spec *s, char *nat,
			     char *msg, size_t len)
{
	struct nl_link l;
	char what[96];
	int r;

	if (!nl_link_get(s->network, &l))
		return record_err(
			msg, len, -EEXIST,
			"network %s: a link of that name exists and is not a squib-net network",
			s->network);
	r = nl_ipv4_overlap(s->gateway, s->prefix, what, sizeof(what));
	if (r > 0)
		return record_err(
			msg, len, -EADDRINUSE,
			"network %s: subnet %u.%u.%u.%u/%d overlaps %s",
			s->network, s->gateway[0], s->gateway[1], s->gateway[2],
			s->gateway[3], s->prefix, what);
	if (r < 0)
		return record_err(msg, len, r, "network %s: addresses: %s",
				  s->network, strerror(-r));
	if (s->mode != SQN_MODE_SHARED)
		return 0;
	if (s->nat_iface) {
		snprintf(nat, SYS_TAP_NAME_MAX, "%s", s->nat_iface);
		if (nl_link_get(nat, &l))
			return record_err(msg, len, -ENODEV,
					  "nat_iface: no interface named %s",
					  nat);
	} else if (nl_default_route(nat)) {
		return record_err(
			msg, len, -ENETUNREACH,
			"network %s: no default route to lead NAT out of; set nat_iface",
			s->network);
	}
	if (!network_plain_name(nat))
		return record_err(
			msg, len, -EINVAL,
			"nat_iface: %s: only A-Z a-z 0-9 _ . - are taken in its name",
			nat);
	return 0;
}

/* A copy of the hosts file that dnsmasq can read after it drops to
 * "nobody": the caller's may be in a directory of root's only. */
static int network_copy_hosts(const char *from, const char *to)
{
	char buf[4096];
	int in, out, r = 0;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		r = -errno;
		close(in);
		return r;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			r = -EIO;
			break;
		}
	if (n < 0)
		r = -errno;
	if (!r && fchmod(out, 0644))
		r = -errno;
	close(in);
	close(out);
	return r;
}

/**
 * network_dnsmasq() - what the network's dnsmasq serves
 * @dir:	the network's directory
 * @s:		the network
 * @d:		set; its strings point into @s and @hosts
 * @hosts:	set to the record's copy of the hosts file, RECORD_PATH_MAX
 *		bytes
 */
void network_dnsmasq(const char *dir, const struct netplane_spec *s,
		     struct dnsmasq_spec *d, char *hosts)
{
	memset(d, 0, sizeof(*d));
	d->dir = dir;
	d->bridge = s->network;
	memcpy(d->gateway, s->gateway, 4);
	d->prefix = s->prefix;
	d->upstream = s->dns_upstream;
	record_path(hosts, dir, "hosts");
	d->hosts = s->dns_hosts ? hosts : NULL;
}

/* The bridge, with the gateway's address; IPv4 only (no IPv6 address, and
 * IPv6 arriving on it is dropped: the table filters IPv4 alone). */
static int network_bridge(const struct netplane_spec *s, const uint8_t mac[6],
			  char *msg, size_t len)
{
	int r;

	r = nl_bridge_add(s->network, mac);
	if (r)
		return record_err(msg, len, r, "bridge %s: %s", s->network,
				  strerror(-r));
	r = sys_ipv6_off(s->network);
	if (!r)
		r = nl_addr_add(s->network, s->gateway, s->prefix);
	if (!r)
		r = network_forwarding(s->network, NULL, "0");
	if (!r)
		r = nl_link_set(s->network, NULL, 1);
	if (r)
		return record_err(msg, len, r, "bridge %s: %s", s->network,
				  strerror(-r));
	return 0;
}

/**
 * network_make() - make the network, putting each part on record once it
 * is made, all but its dnsmasq (the keeper's, keeper.h)
 * @dir:	its directory, made already
 * @s:		the network
 * @token:	set to its table's mark, NETWORK_TOKEN_MAX bytes
 * @msg:	set on failure
 * @len:	its size
 *
 * A crash anywhere leaves nothing the next start cannot find, and a
 * failure leaves on record only what was made, for network_remove().
 *
 * Return: 0 or a negative errno.
 */
int network_make(const char *dir, const struct netplane_spec *s, char *token,
		 char *msg, size_t len)
{
	char nat[SYS_TAP_NAME_MAX] = "", ns[RECORD_PATH_MAX],
	     rec[NETWORK_SETTINGS_MAX + 128], path[RECORD_PATH_MAX];
	struct nft_net n = { s->network, token, s->network, { 0 },
			     s->prefix,	 NULL,	0,	    s->isolation };
	uint32_t mask = 0xffffffffu << (32 - s->prefix), rnd;
	uint8_t mac[6];
	int r, i;

	r = network_check_new(s, nat, msg, len);
	if (r)
		return r;
	r = sys_random(mac, sizeof(mac));
	if (!r)
		r = sys_random(&rnd, sizeof(rnd));
	if (r)
		return record_err(msg, len, r, "random: %s", strerror(-r));
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02); /* local, unicast */
	snprintf(token, NETWORK_TOKEN_MAX, "%08x", rnd);
	/* What will be made goes on record first, each with a mark of its
	 * own (the bridge's MAC, the table's chain id_<token>), so that a
	 * crash anywhere leaves nothing the next start cannot find, and
	 * only what was made here is ever undone. */
	network_settings(s, rec, sizeof(rec));
	snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec),
		 "bridge %02x:%02x:%02x:%02x:%02x:%02x\ntable %s\n", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5], token);
	if (nat[0])
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec),
			 "nat %s\n", nat);
	record_path(path, dir, "network");
	r = record_write(path, rec, 0);
	if (r)
		return record_err(msg, len, r, "%s: %s", path, strerror(-r));
	r = network_bridge(s, mac, msg, len);
	if (r)
		return r;
	network_nsdir(ns, dir);
	if (nat[0]) {
		n.nat_iface = nat;
		n.return_only = network_fwd_was_off(ns, nat);
	}
	for (i = 0; i < 4; i++)
		n.subnet[i] = (uint8_t)(s->gateway[i] & (mask >> (24 - 8 * i)));
	r = nft_table_add(&n, msg, len);
	if (r)
		return r;
	/* Forwarding once the table is there to filter it. */
	if (nat[0]) {
		r = network_forwarding(s->network, NULL, "1");
		if (!r)
			r = network_fwd_take(ns, nat);
		if (r)
			return record_err(msg, len, r, "forwarding on %s: %s",
					  nat, strerror(-r));
	}
	if (s->dns_hosts) {
		record_path(path, dir, "hosts");
		r = network_copy_hosts(s->dns_hosts, path);
		if (r)
			return record_err(msg, len, r, "dns_hosts: %s: %s",
					  s->dns_hosts, strerror(-r));
	}
	return 0;
}
