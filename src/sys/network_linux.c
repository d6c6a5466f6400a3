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

#include "ipv4.h"
#include "ipv6.h"
#include "netlink.h"
#include "netplane_fwd.h"
#include "network.h"
#include "nft.h"
#include "nft_spoof.h"
#include "record.h"
#include "sys.h"
#include "tap.h"

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
 * network_link_gone() - delete the link of an attachment whose maker has
 * ended, unless it lives on
 * @link:	its name, from the record
 *
 * A TAP made without TUNSETPERSIST exists exactly as long as some process
 * holds a descriptor of it: one still there is held, by the VMM the
 * attachment's maker (squib-net serve, killed) handed it to. A persistent
 * TAP (a named one, which its VMM opens by name) exists without any: it
 * lives on only while a VMM has it open (nl_tun_unheld()), and is deleted
 * once nobody has. One that lives on keeps its network until that VMM
 * closes it (the keeper watches for its removal, or its last opener's
 * going) or a new service adopts it. A macvtap, which no descriptor
 * keeps, is deleted; a name on record may have been taken since by a link
 * of another kind (a bridge, say), which is left alone.
 *
 * Return: 1 when the link lives on (a TAP held open), 0 when it is gone
 * now.
 */
int network_link_gone(const char *link)
{
	struct nl_link l;
	char node[64];
	int r = nl_link_get(link, &l);

	/* Not known to be gone (out of descriptors, say): it stays. */
	if (r && r != -ENODEV)
		return 1;
	if (!r && !strcmp(l.kind, "tun") && !nl_tun_unheld(&l))
		return 1;
	if (!r && (!strcmp(l.kind, "macvtap") || !strcmp(l.kind, "tun")) &&
	    nl_link_del(link))
		return 1;
	/* A macvtap's device node, if its maker died before removing it. */
	snprintf(node, sizeof(node), "/dev/.sqn-%s", link);
	unlink(node);
	return 0;
}

/* record_each()'s callback: there is a network. */
static int network_any(const char *dir, void *ctx)
{
	(void)dir;
	(void)ctx;
	return 1;
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
	char path[RECORD_PATH_MAX], ns[RECORD_PATH_MAX], val[64], nat[64];
	char table[64];
	const char *name = strrchr(dir, '/') + 1;
	int bridge = 0, fail = 0, rb, rn, rt;
	uint8_t mac[6];
	struct nl_link l;

	record_path(path, dir, "network");
	if (access(path, F_OK)) {
		rmdir(dir);
		return;
	}
	/* A record that cannot be read now (out of descriptors, say) is
	 * not one without a bridge or table: all stays, for the next sweep. */
	rb = record_get(dir, "bridge", val, sizeof(val));
	rn = record_get(dir, "nat", nat, sizeof(nat));
	rt = record_get(dir, "table", table, sizeof(table));
	if ((rb && rb != -ENOENT) || (rn && rn != -ENOENT) ||
	    (rt && rt != -ENOENT))
		return;
	dnsmasq_stop(dir, dnsmasq);
	if (!rb &&
	    sscanf(val, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		   &mac[2], &mac[3], &mac[4], &mac[5]) == 6 &&
	    !nl_link_get(name, &l) && !memcmp(l.mac, mac, 6)) {
		bridge = 1;
		/* Nothing is forwarded to or from it once its table goes. */
		network_forwarding(0, name, NULL, "0");
	}
	if (!rn) {
		network_nsdir(ns, dir);
		network_fwd_release(0, ns, dir, nat);
		network_fwd_release(1, ns, dir, nat);
	}
	if (!rt)
		fail |= nft_table_del(name, table);
	if (bridge)
		fail |= nl_link_del(name);
	/* What could not be undone stays on record, for the next sweep. */
	if (fail)
		return;
	record_path(path, dir, "hosts");
	unlink(path);
	netplane_fwd_drop(dir);
	record_path(path, dir, NETWORK_KEEPER);
	unlink(path);
	/* network_nat_follow()'s new record, had it been cut short there. */
	record_path(path, dir, NETWORK_RECORD_NEW);
	unlink(path);
	record_path(path, dir, "network");
	unlink(path);
	rmdir(dir);
	/* The namespace's last network gone: the anti-spoofing table of a
	 * service that was killed goes too (one that runs holds a network). */
	network_nsdir(ns, dir);
	if (!record_each(ns, network_any, NULL))
		nft_spoof_gc();
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
	else
		netplane_fwd_gc(dir);
	return 0;
}

/**
 * network_ours() - whether the network on record in @dir is the one made
 * with table mark @token (and not one made again since, under that name)
 * @dir:	its directory
 * @token:	from network_make()
 *
 * Return: 1 or 0, or a negative errno when the record could not be read
 * (not "not ours": a keeper must not give up its network for that).
 */
int network_ours(const char *dir, const char *token)
{
	char val[64];
	int r = record_get(dir, "table", val, sizeof(val));

	if (r && r != -ENOENT)
		return r;
	return !r && !strcmp(val, token);
}

static void network_settings(const struct net_spec *s, char *out, size_t len)
{
	char gs[IPV4_PREFIX_STRLEN], s6[IPV6_PREFIX_STRLEN] = "none";

	if (s->has_v6)
		ipv6_format_prefix(s6, &s->subnet6);
	snprintf(
		out, len,
		"settings mode=%s subnet=%s subnet6=%s nat=%s dns=%s hosts=%s isolation=%s mtu=%u\n",
		sqn_mode_name(s->mode), ipv4_format_prefix(gs, &s->gateway), s6,
		s->nat_iface ? s->nat_iface : "(default route)",
		s->dns_upstream ? s->dns_upstream : "(resolv.conf)",
		s->dns_hosts ? s->dns_hosts : "(none)",
		s->isolation ? "on" : "off", s->mtu);
}

/**
 * network_join() - check that the network in @dir was made with the
 * settings @s asks for
 * @dir:	its directory
 * @s:		what the attachment asks for; an MTU of 0 is set to the
 *		network's
 * @token:	set to the network's table mark, NETWORK_TOKEN_MAX bytes
 * @msg:	set on failure
 * @len:	its size
 *
 * Return: 0, -EEXIST when it was made with other settings (an MTU
 * other than its own too), or the errno of a record that could not be
 * read.
 */
int network_join(const char *dir, struct net_spec *s, char *token, char *msg,
		 size_t len)
{
	char want[NETWORK_SETTINGS_MAX], have[NETWORK_SETTINGS_MAX] = "";
	char mtu[16];
	int r;

	/* Its record unreadable (EMFILE, ENOMEM...) is the caller's trouble,
	 * not other settings: said with its own errno. */
	r = record_get(dir, "mtu", mtu, sizeof(mtu));
	if (r && r != -ENOENT)
		goto unreadable;
	if (!s->mtu)
		s->mtu = r ? NET_SPEC_MTU_DEFAULT :
			     (uint32_t)strtoul(mtu, NULL, 10);
	/* IPv6 needs 1280 (config_check() refused it asked for below). */
	if (s->mtu < 1280)
		s->has_v6 = 0;
	network_settings(s, want, sizeof(want));
	want[strcspn(want, "\n")] = '\0';
	r = record_get(dir, "settings", have, sizeof(have));
	if (r && r != -ENOENT)
		goto unreadable;
	r = record_get(dir, "table", token, NETWORK_TOKEN_MAX);
	if (r && r != -ENOENT)
		goto unreadable;
	if (!strcmp(have, want + 9))
		return 0;
	return record_err(
		msg, len, -EEXIST,
		"network %s exists, in use, with other settings (%s); this one asks for %s",
		s->name, have[0] ? have : "unknown", want + 9);
unreadable:
	return record_err(msg, len, r, "network %s: its record: %s", s->name,
			  strerror(-r));
}

/**
 * network_plain_name() - whether an interface name may go into nft's
 * commands: only plain ones are taken
 * @name:	the name
 *
 * Return: 1 or 0.
 */
int network_plain_name(const char *name)
{
	return name[0] && strspn(name, "abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789_.-") == strlen(name);
}

/* Checks before anything is made: the name is free, the subnet too, the
 * NAT interface is there. */
static int network_check_new(const struct net_spec *s, char *nat, char *msg,
			     size_t len)
{
	char what[96], gs[IPV4_PREFIX_STRLEN], g6[IPV6_PREFIX_STRLEN];
	struct nl_link l;
	int r;

	if (!nl_link_get(s->name, &l))
		return record_err(
			msg, len, -EEXIST,
			"network %s: a link of that name exists and is not a squib-net network",
			s->name);
	r = nl_ipv4_overlap(&s->gateway, what, sizeof(what));
	if (r > 0)
		return record_err(msg, len, -EADDRINUSE,
				  "network %s: subnet %s overlaps %s", s->name,
				  ipv4_format_prefix(gs, &s->gateway), what);
	if (!r && s->has_v6) {
		r = nl_ipv6_overlap(&s->subnet6, what, sizeof(what));
		if (r > 0)
			return record_err(msg, len, -EADDRINUSE,
					  "network %s: subnet6 %s overlaps %s",
					  s->name,
					  ipv6_format_prefix(g6, &s->subnet6),
					  what);
	}
	if (r < 0)
		return record_err(msg, len, r, "network %s: addresses: %s",
				  s->name, strerror(-r));
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
			s->name);
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
 * @s:		the network, its MTU settled
 * @d:		set; it points to @dir, @s and @hosts
 * @hosts:	set to the record's copy of the hosts file, RECORD_PATH_MAX
 *		bytes
 */
void network_dnsmasq(const char *dir, const struct net_spec *s,
		     struct dnsmasq_spec *d, char *hosts)
{
	record_path(hosts, dir, "hosts");
	d->dir = dir;
	d->net = s;
	d->hosts = s->dns_hosts ? hosts : NULL;
}

/* The bridge, of the network's MTU, with the gateway's address (and
 * IPv6's, network6_bridge()); without IPv6 on the network, the bridge has
 * none (IPv6 arriving on it is dropped). */
static int network_bridge(const struct net_spec *s, const uint8_t mac[6],
			  char *msg, size_t len)
{
	int r;

	r = nl_bridge_add(s->name, mac);
	if (r)
		return record_err(msg, len, r, "bridge %s: %s", s->name,
				  strerror(-r));
	r = s->has_v6 ? 0 : sys_ipv6_off(s->name);
	if (!r)
		r = nl_link_mtu(s->name, s->mtu);
	if (!r)
		r = nl_addr_add(s->name, &s->gateway);
	if (!r)
		r = network_forwarding(0, s->name, NULL, "0");
	if (!r && s->has_v6 && (r = network6_bridge(s, msg, len)))
		return r;
	if (!r)
		r = nl_link_set(s->name, NULL, 1);
	if (r)
		return record_err(msg, len, r, "bridge %s: %s", s->name,
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
int network_make(const char *dir, const struct net_spec *s, char *token,
		 char *msg, size_t len)
{
	char nat[SYS_TAP_NAME_MAX] = "", ns[RECORD_PATH_MAX],
	     rec[NETWORK_SETTINGS_MAX + 128], path[RECORD_PATH_MAX];
	uint8_t mac[6];
	static const uint8_t none[6];
	uint32_t rnd;
	int r;

	r = network_check_new(s, nat, msg, len);
	if (r)
		return r;
	r = sys_random(mac, sizeof(mac));
	if (!r)
		r = sys_random(&rnd, sizeof(rnd));
	if (r)
		return record_err(msg, len, r, "random: %s", strerror(-r));
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02); /* local, unicast */
	if (memcmp(s->bridge_mac, none, sizeof(none)))
		memcpy(mac, s->bridge_mac, sizeof(mac));
	snprintf(token, NETWORK_TOKEN_MAX, "%08x", rnd);
	/* What will be made goes on record first, each with a mark of its
	 * own (the bridge's MAC, the table's chain id_<token>), so that a
	 * crash anywhere leaves nothing the next start cannot find, and
	 * only what was made here is ever undone. */
	network_settings(s, rec, sizeof(rec));
	snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec),
		 "mtu %u\nbridge %02x:%02x:%02x:%02x:%02x:%02x\ntable %s\n",
		 s->mtu, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], token);
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
	r = nft_table_add(s, token, nat[0] ? nat : NULL,
			  nat[0] && network_fwd_was_off(0, ns, nat), msg, len);
	if (r)
		return r;
	/* Forwarding once the table is there to filter it. */
	if (nat[0]) {
		r = network_forwarding(0, s->name, NULL, "1");
		if (!r)
			r = network_fwd_take(0, ns, nat);
		if (r)
			return record_err(msg, len, r, "forwarding on %s: %s",
					  nat, strerror(-r));
	}
	if (s->has_v6) {
		r = network6_make(ns, s, token, nat[0] ? nat : NULL, msg, len);
		if (r)
			return r;
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
