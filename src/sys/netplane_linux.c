// SPDX-License-Identifier: MIT
/* netplane_linux.c - Linux side of netplane.h: bridges, forwarding, the
 * nftables table, dnsmasq, and each attachment's TAP or macvtap, all on
 * record (record.h) */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dnsmasq.h"
#include "netlink.h"
#include "netplane.h"
#include "nft.h"
#include "record.h"
#include "sys.h"

#define NETPLANE_SETTINGS_MAX 1400

static int np_err(char *msg, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int np_err(char *msg, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return err;
}

/* Whether CAP_NET_ADMIN is in the effective set. */
static int np_net_admin(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return 1; /* unknown: let the kernel say */
	return (data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &
		CAP_TO_MASK(CAP_NET_ADMIN)) != 0;
}

/* The network's directory in the namespace's record @ns: its name, or
 * "bridged:<iface>" for bridged attachments of an interface, which no
 * network's name can be (':' is not allowed in one). */
static int np_set_dir(struct netplane *np, const char *ns,
		      const struct netplane_spec *s)
{
	int n;

	if (s->mode == SQN_MODE_BRIDGED)
		n = snprintf(np->dir, sizeof(np->dir), "%s/bridged:%s", ns,
			     s->bridged_iface);
	else
		n = snprintf(np->dir, sizeof(np->dir), "%s/%s", ns, s->network);
	return n < (int)sizeof(np->dir) ? 0 : -ENAMETOOLONG;
}

/* The namespace's part of the record: @dir without its last component. */
static void np_nsdir(char *out, const char *dir)
{
	char *slash;

	snprintf(out, RECORD_PATH_MAX, "%s", dir);
	slash = strrchr(out, '/');
	if (slash)
		*slash = '\0';
}

static void np_link_gone(const char *link)
{
	char node[64];

	nl_link_del(link);
	/* A macvtap's device node, if its maker died before removing it. */
	snprintf(node, sizeof(node), "/dev/.sqn-%s", link);
	unlink(node);
}

/* The forwarding switch of @iface, "0" or "1". */
static int np_forwarding(const char *iface, char *val, const char *set)
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
static void np_fwd_path(char *path, const char *ns, const char *iface)
{
	char name[96];

	snprintf(name, sizeof(name), RECORD_FWD "%s", iface);
	record_path(path, ns, name);
}

/* Whether forwarding on @iface was off before any network of ours turned
 * it on: then only replies may come in through it. */
static int np_fwd_was_off(const char *ns, const char *iface)
{
	char path[RECORD_PATH_MAX], val[2] = "";

	np_fwd_path(path, ns, iface);
	if (!access(path, F_OK))
		return 1;
	return !np_forwarding(iface, val, NULL) && val[0] == '0';
}

/* Turn forwarding on for the NAT interface, once its table is there to
 * filter; that it was off goes in +fwd.<iface>, for the last network
 * using it to turn it off again. */
static int np_fwd_take(const char *ns, const char *iface)
{
	char path[RECORD_PATH_MAX], val[2] = "";
	int r;

	np_fwd_path(path, ns, iface);
	if (!access(path, F_OK))
		return 0;
	r = np_forwarding(iface, val, NULL);
	if (r || val[0] != '0')
		return r;
	r = record_write(path, "0", 0);
	return r ? r : np_forwarding(iface, NULL, "1");
}

struct np_nat_user {
	const char *self;
	const char *iface;
};

/* Whether network @dir, not the one leaving, leads out of the interface. */
static int np_uses_nat(const char *dir, void *ctx)
{
	const struct np_nat_user *u = ctx;
	char nat[64];

	return strcmp(dir, u->self) &&
	       !record_get(dir, "nat", nat, sizeof(nat)) &&
	       !strcmp(nat, u->iface);
}

/* Put the NAT interface's forwarding back as it was, unless another
 * network of the namespace leads out of it too, or the host has turned
 * forwarding on everywhere since. */
static void np_fwd_release(const char *ns, const char *self, const char *iface)
{
	struct np_nat_user u = { self, iface };
	char path[RECORD_PATH_MAX], all[2] = "";

	if (record_each(ns, np_uses_nat, &u))
		return;
	np_fwd_path(path, ns, iface);
	if (access(path, F_OK))
		return;
	if (np_forwarding("all", all, NULL) || all[0] != '1')
		np_forwarding(iface, NULL, "0");
	unlink(path);
}

/* Everything of a network nobody uses, in the reverse order of its
 * making: dnsmasq, the NAT interface's forwarding, the table, the bridge,
 * the record. Only what the record says was made is undone: a table or
 * bridge of that name that was there before is left alone. */
static void np_remove_network(struct netplane *np)
{
	char path[RECORD_PATH_MAX], ns[RECORD_PATH_MAX], val[64];
	const char *name = strrchr(np->dir, '/') + 1;
	int bridge = 0, fail = 0;
	uint8_t mac[6];
	struct nl_link l;

	record_path(path, np->dir, "network");
	if (access(path, F_OK)) {
		rmdir(np->dir);
		return;
	}
	dnsmasq_stop(np->dir, &np->dnsmasq);
	if (!record_get(np->dir, "bridge", val, sizeof(val)) &&
	    sscanf(val, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		   &mac[2], &mac[3], &mac[4], &mac[5]) == 6 &&
	    !nl_link_get(name, &l) && !memcmp(l.mac, mac, 6)) {
		bridge = 1;
		/* Nothing is forwarded to or from it once its table goes. */
		np_forwarding(name, NULL, "0");
	}
	if (!record_get(np->dir, "nat", val, sizeof(val))) {
		np_nsdir(ns, np->dir);
		np_fwd_release(ns, np->dir, val);
	}
	if (!record_get(np->dir, "table", val, sizeof(val)))
		fail |= nft_table_del(name, val);
	if (bridge)
		fail |= nl_link_del(name);
	/* What could not be undone stays on record, for the next sweep. */
	if (fail)
		return;
	record_path(path, np->dir, "hosts");
	unlink(path);
	record_path(path, np->dir, "network");
	unlink(path);
	rmdir(np->dir);
}

/* A network whose attachments have all ended goes. */
static int np_sweep_one(const char *dir, void *ctx)
{
	struct netplane dead;

	(void)ctx;
	memset(&dead, 0, sizeof(dead));
	dead.dnsmasq = PROC_NONE;
	if (snprintf(dead.dir, sizeof(dead.dir), "%s", dir) <
		    (int)sizeof(dead.dir) &&
	    !record_sweep(dead.dir, np_link_gone))
		np_remove_network(&dead);
	return 0;
}

static void np_settings(const struct netplane_spec *s, char *out, size_t len)
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

/* A network that exists is joined only with the settings it was made
 * with. */
static int np_join(const struct netplane *np, const struct netplane_spec *s,
		   char *msg, size_t len)
{
	char want[NETPLANE_SETTINGS_MAX], have[NETPLANE_SETTINGS_MAX] = "";

	np_settings(s, want, sizeof(want));
	want[strcspn(want, "\n")] = '\0';
	record_get(np->dir, "settings", have, sizeof(have));
	if (!strcmp(have, want + 9))
		return 0;
	return np_err(
		msg, len, -EEXIST,
		"network %s exists, in use, with other settings (%s); this one asks for %s",
		s->network, have[0] ? have : "unknown", want + 9);
}

/* Interface names go into nft's commands; only plain ones are taken. */
static int np_plain_name(const char *name)
{
	return name[0] && strspn(name, "abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789_.-") == strlen(name);
}

/* Checks before anything is made: the name is free, the subnet too, the
 * NAT interface is there. */
static int np_check_new(const struct netplane_spec *s, char *nat, char *msg,
			size_t len)
{
	struct nl_link l;
	char what[96];
	int r;

	if (!nl_link_get(s->network, &l))
		return np_err(
			msg, len, -EEXIST,
			"network %s: a link of that name exists and is not a squib-net network",
			s->network);
	r = nl_ipv4_overlap(s->gateway, s->prefix, what, sizeof(what));
	if (r > 0)
		return np_err(msg, len, -EADDRINUSE,
			      "network %s: subnet %u.%u.%u.%u/%d overlaps %s",
			      s->network, s->gateway[0], s->gateway[1],
			      s->gateway[2], s->gateway[3], s->prefix, what);
	if (r < 0)
		return np_err(msg, len, r, "network %s: addresses: %s",
			      s->network, strerror(-r));
	if (s->mode != SQN_MODE_SHARED)
		return 0;
	if (s->nat_iface) {
		snprintf(nat, SYS_TAP_NAME_MAX, "%s", s->nat_iface);
		if (nl_link_get(nat, &l))
			return np_err(msg, len, -ENODEV,
				      "nat_iface: no interface named %s", nat);
	} else if (nl_default_route(nat)) {
		return np_err(
			msg, len, -ENETUNREACH,
			"network %s: no default route to lead NAT out of; set nat_iface",
			s->network);
	}
	if (!np_plain_name(nat))
		return np_err(
			msg, len, -EINVAL,
			"nat_iface: %s: only A-Z a-z 0-9 _ . - are taken in its name",
			nat);
	return 0;
}

/* A copy of the hosts file that dnsmasq can read after it drops to
 * "nobody": the caller's may be in a directory of root's only. */
static int np_copy_hosts(const char *from, const char *to)
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

/* The network's dnsmasq: started when the network is made (@copy: with a
 * copy of the hosts file), and again by a later attachment that finds it
 * gone, so that a dnsmasq that died does not leave the network without
 * DHCP and DNS for longer than the next attach. */
static int np_dnsmasq(struct netplane *np, const struct netplane_spec *s,
		      int copy, char *msg, size_t len)
{
	struct dnsmasq_spec d = { np->dir,   s->network,      { 0 },
				  s->prefix, s->dns_upstream, NULL };
	char hosts[RECORD_PATH_MAX];
	int r;

	memcpy(d.gateway, s->gateway, 4);
	if (s->dns_hosts) {
		record_path(hosts, np->dir, "hosts");
		r = copy ? np_copy_hosts(s->dns_hosts, hosts) : 0;
		if (r)
			return np_err(msg, len, r, "dns_hosts: %s: %s",
				      s->dns_hosts, strerror(-r));
		d.hosts = hosts;
	}
	return dnsmasq_start(&d, &np->dnsmasq, msg, len);
}

/* The bridge, with the gateway's address; IPv4 only (no IPv6 address, and
 * IPv6 arriving on it is dropped: the table filters IPv4 alone). */
static int np_bridge(const struct netplane_spec *s, const uint8_t mac[6],
		     char *msg, size_t len)
{
	char path[128];
	int fd, r;

	r = nl_bridge_add(s->network, mac);
	if (r)
		return np_err(msg, len, r, "bridge %s: %s", s->network,
			      strerror(-r));
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 s->network);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			r = -EIO;
		close(fd);
	}
	if (!r)
		r = nl_addr_add(s->network, s->gateway, s->prefix);
	if (!r)
		r = np_forwarding(s->network, NULL, "0");
	if (!r)
		r = nl_link_set(s->network, NULL, 1);
	if (r)
		return np_err(msg, len, r, "bridge %s: %s", s->network,
			      strerror(-r));
	return 0;
}

/* Make the network, putting each part on record once it is made: a crash
 * anywhere leaves nothing the next start cannot find, and a failure
 * undoes only what this attachment made. */
static int np_make(struct netplane *np, const struct netplane_spec *s,
		   char *msg, size_t len)
{
	char nat[SYS_TAP_NAME_MAX] = "", ns[RECORD_PATH_MAX],
	     rec[NETPLANE_SETTINGS_MAX + 128], path[RECORD_PATH_MAX], token[16];
	struct nft_net n = { s->network, token, s->network, { 0 },
			     s->prefix,	 NULL,	0,	    s->isolation };
	uint32_t mask = 0xffffffffu << (32 - s->prefix), rnd;
	uint8_t mac[6];
	int r, i;

	r = np_check_new(s, nat, msg, len);
	if (r)
		return r;
	r = sys_random(mac, sizeof(mac));
	if (!r)
		r = sys_random(&rnd, sizeof(rnd));
	if (r)
		return np_err(msg, len, r, "random: %s", strerror(-r));
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02); /* local, unicast */
	snprintf(token, sizeof(token), "%08x", rnd);
	/* What will be made goes on record first, each with a mark of its
	 * own (the bridge's MAC, the table's chain id_<token>), so that a
	 * crash anywhere leaves nothing the next start cannot find, and
	 * only what was made here is ever undone. */
	np_settings(s, rec, sizeof(rec));
	snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec),
		 "bridge %02x:%02x:%02x:%02x:%02x:%02x\ntable %s\n", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5], token);
	if (nat[0])
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec),
			 "nat %s\n", nat);
	record_path(path, np->dir, "network");
	r = record_write(path, rec, 0);
	if (r)
		return np_err(msg, len, r, "%s: %s", path, strerror(-r));
	r = np_bridge(s, mac, msg, len);
	if (r)
		return r;
	np_nsdir(ns, np->dir);
	if (nat[0]) {
		n.nat_iface = nat;
		n.return_only = np_fwd_was_off(ns, nat);
	}
	for (i = 0; i < 4; i++)
		n.subnet[i] = (uint8_t)(s->gateway[i] & (mask >> (24 - 8 * i)));
	r = nft_table_add(&n, msg, len);
	if (r)
		return r;
	/* Forwarding once the table is there to filter it. */
	if (nat[0]) {
		r = np_forwarding(s->network, NULL, "1");
		if (!r)
			r = np_fwd_take(ns, nat);
		if (r)
			return np_err(msg, len, r, "forwarding on %s: %s", nat,
				      strerror(-r));
	}
	return np_dnsmasq(np, s, 1, msg, len);
}

/* This attachment's entry, before its link is made: a crash in between
 * leaves an entry whose link the next sweep deletes if it is there. */
static int np_enter(struct netplane *np, char *msg, size_t len)
{
	uint32_t rnd;
	int r;

	r = sys_random(&rnd, sizeof(rnd));
	if (r)
		return np_err(msg, len, r, "random: %s", strerror(-r));
	snprintf(np->link, sizeof(np->link), "sqn%08x", rnd);
	r = record_enter(np->dir, np->link, np->entry, sizeof(np->entry),
			 &np->entry_fd);
	if (r)
		return np_err(msg, len, r, "%s/%s: %s", np->dir, np->entry,
			      strerror(-r));
	return 0;
}

/* A TAP as a port of bridge @np->on. */
static int np_tap(struct netplane *np, int isolation, char *msg, size_t len)
{
	int r = sys_tap_create(np->link, &np->fd);

	if (r)
		return np_err(msg, len, r, "TAP %s: %s", np->link,
			      strerror(-r));
	np->made = 1;
	r = sys_ipv6_off(np->link);
	if (!r)
		r = nl_link_set(np->link, np->on, 1);
	if (!r)
		r = nl_port_isolate(np->link, isolation);
	if (r)
		return np_err(msg, len, r, "TAP %s on %s: %s", np->link, np->on,
			      strerror(-r));
	return 0;
}

/* A macvtap on NIC @np->on with the guest's MAC: bridge mode, or private
 * mode (no macvtap of the NIC reaches another) when isolated. */
static int np_macvtap(struct netplane *np, const struct netplane_spec *s,
		      char *msg, size_t len)
{
	int r;

	np->macvtap = 1;
	r = nl_macvtap_add(np->link, np->on, s->guest_mac, s->isolation);
	np->made = !r;
	if (!r)
		r = nl_link_set(np->link, NULL, 1);
	if (!r)
		r = sys_macvtap_open(np->link, np->dir, &np->fd);
	if (r)
		return np_err(msg, len, r, "macvtap %s on %s: %s", np->link,
			      np->on, strerror(-r));
	return 0;
}

/* Leave the network, under the namespace's lock; the last one out removes
 * it. */
static void np_leave(struct netplane *np, int locked)
{
	struct proc_end end;

	if (np->fd >= 0)
		close(np->fd);
	np->fd = -1;
	if (np->made)
		nl_link_del(np->link);
	np->made = 0;
	if (np->entry_fd >= 0)
		record_leave(np->dir, np->entry, np->entry_fd);
	np->entry_fd = -1;
	if (!locked)
		return; /* the rest is for the next sweep */
	if (!record_sweep(np->dir, np_link_gone)) {
		np_remove_network(np);
	} else if (np->dnsmasq.pid) {
		/* Others still use it: it stays, a child of this process
		 * that the last one out stops; one that died is reaped. */
		if (proc_poll(&np->dnsmasq, -1, 0, NULL) == 1) {
			proc_reap(&np->dnsmasq, &end);
		} else {
			close(np->dnsmasq.pidfd);
			np->dnsmasq = PROC_NONE;
		}
	}
}

/**
 * netplane_open() - attach to a network, making it if needed
 * @np:		filled on success; np->fd is the TAP or macvtap
 * @s:		the network
 * @msg:	set on failure
 * @len:	its size
 *
 * Shared and host: a bridge named after the network with the gateway's
 * address, an nftables table (shared: NAT and forwarding of this
 * network only; host: no forwarding to or from it), dnsmasq serving DHCP
 * and DNS on it, and a TAP of this attachment as a port. Bridged: a TAP
 * as a port of the given bridge, or a macvtap on the given NIC. What
 * attachments that have ended left in the namespace is removed first.
 *
 * Return: 0 or a negative errno: -EPERM without CAP_NET_ADMIN, -ENODEV
 * for a missing interface, -EEXIST for a name taken or a network in use
 * with other settings, -EADDRINUSE for an overlapping subnet.
 */
int netplane_open(struct netplane *np, const struct netplane_spec *s, char *msg,
		  size_t len)
{
	char ns[RECORD_PATH_MAX];
	struct nl_link l;
	int lock, r;

	memset(np, 0, sizeof(*np));
	np->fd = -1;
	np->entry_fd = -1;
	np->dnsmasq = PROC_NONE;
	msg[0] = '\0';
	if (!np_net_admin())
		return np_err(
			msg, len, -EPERM,
			"%s mode needs CAP_NET_ADMIN (to make bridges and TAPs), which this process has not got; run it as root or pass tap_fd",
			sqn_mode_name(s->mode));
	if (s->mode == SQN_MODE_BRIDGED) {
		r = nl_link_get(s->bridged_iface, &l);
		if (r == -ENODEV)
			return np_err(msg, len, r, "no interface named %s",
				      s->bridged_iface);
		if (r)
			return np_err(msg, len, r, "%s: %s", s->bridged_iface,
				      strerror(-r));
	}
	r = record_ns(ns, sizeof(ns), &np->cookie);
	if (r)
		return np_err(msg, len, r, "/proc/self/ns/net: %s",
			      strerror(-r));
	r = np_set_dir(np, ns, s);
	if (r)
		return np_err(msg, len, r, "%s: %s", ns, strerror(-r));
	lock = record_lock(ns, np->cookie);
	if (lock < 0)
		return np_err(msg, len, lock, "%s: %s", ns, strerror(-lock));
	/* What a killed run left goes at the next start of any network. */
	record_each(ns, np_sweep_one, NULL);
	if (mkdir(np->dir, 0711) && errno != EEXIST) {
		r = np_err(msg, len, -errno, "%s: %s", np->dir,
			   strerror(errno));
		goto out;
	}
	if (s->mode == SQN_MODE_BRIDGED) {
		snprintf(np->on, sizeof(np->on), "%s", s->bridged_iface);
		r = np_enter(np, msg, len);
		if (!r)
			r = strcmp(l.kind, "bridge") ?
				    np_macvtap(np, s, msg, len) :
				    np_tap(np, s->isolation, msg, len);
		goto out;
	}
	snprintf(np->on, sizeof(np->on), "%s", s->network);
	if (record_sweep(np->dir, np_link_gone)) {
		r = np_join(np, s, msg, len);
		if (!r)
			r = np_dnsmasq(np, s, 0, msg, len);
	} else {
		r = np_make(np, s, msg, len);
	}
	if (!r)
		r = np_enter(np, msg, len);
	if (!r)
		r = np_tap(np, s->isolation, msg, len);
out:
	if (r)
		np_leave(np, 1);
	record_unlock(ns, lock);
	return r;
}

/**
 * netplane_close() - leave the network: this attachment's link and entry
 * go; the last one out removes the network
 * @np:		from a successful netplane_open()
 *
 * It waits for the namespace's lock, which other attachments hold while
 * they open or close, and up to 2 s for a dnsmasq to stop.
 */
void netplane_close(struct netplane *np)
{
	char ns[RECORD_PATH_MAX], here[RECORD_PATH_MAX];
	unsigned long long cookie;
	int lock;

	/* Only in the namespace it was opened in; elsewhere the links and
	 * the record are not this thread's to see, and the next sweep there
	 * finds the entry unlocked. */
	np_nsdir(ns, np->dir);
	if (record_ns(here, sizeof(here), &cookie) || strcmp(here, ns) ||
	    cookie != np->cookie) {
		if (np->fd >= 0)
			close(np->fd);
		if (np->entry_fd >= 0)
			close(np->entry_fd);
		np->fd = np->entry_fd = -1;
		return;
	}
	lock = record_lock(ns, np->cookie);
	if (lock < 0) {
		np_leave(np, 0);
		return;
	}
	np_leave(np, 1);
	record_unlock(ns, lock);
}
