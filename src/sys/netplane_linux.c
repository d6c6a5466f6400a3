// SPDX-License-Identifier: MIT
/* netplane_linux.c - Linux side of netplane.h: the record, bridges,
 * forwarding, and each attachment's TAP or macvtap */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dnsmasq.h"
#include "netlink.h"
#include "netplane.h"
#include "nft.h"
#include "sys.h"

#define NETPLANE_RUN "/run/squib-net"
#define NETPLANE_ENTRY "att."
#define NETPLANE_PATH_MAX (NETPLANE_DIR_MAX + 260) /* a d_name fits */
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

/* @dir/@name in @out, of NETPLANE_PATH_MAX bytes; names of the record are
 * short enough, and a path that would not fit is left empty. */
static void np_path(char *out, const char *dir, const char *name)
{
	if (snprintf(out, NETPLANE_PATH_MAX, "%s/%s", dir, name) >=
	    NETPLANE_PATH_MAX)
		out[0] = '\0';
}

/* The namespace's part of the record: @dir without its last component. */
static void np_nsdir(char *out, const char *dir)
{
	char *slash;

	snprintf(out, NETPLANE_PATH_MAX, "%s", dir);
	slash = strrchr(out, '/');
	if (slash)
		*slash = '\0';
}

/* The network's record, /run/squib-net/net-<netns inode>/<name>: each
 * network namespace has its own networks, so its own record. Bridged
 * attachments of an interface share "bridged:<iface>", which no network
 * name can be (':' is not allowed in one). */
static int np_set_dir(struct netplane *np, const struct netplane_spec *s)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	if (s->mode == SQN_MODE_BRIDGED)
		snprintf(np->dir, sizeof(np->dir),
			 NETPLANE_RUN "/net-%llu/bridged:%s",
			 (unsigned long long)st.st_ino, s->bridged_iface);
	else
		snprintf(np->dir, sizeof(np->dir), NETPLANE_RUN "/net-%llu/%s",
			 (unsigned long long)st.st_ino, s->network);
	return 0;
}

/* /run/squib-net and the namespace's directory in it, which dnsmasq must
 * be able to pass through once it is "nobody", to read the network's
 * hosts file: searchable by all, writable by root only. */
static int np_mkdirs(const char *ns)
{
	struct stat st;

	if (mkdir(NETPLANE_RUN, 0755) && errno != EEXIST)
		return -errno;
	/* Made 0700 by an older squib-net: still ours, opened up. */
	if (!lstat(NETPLANE_RUN, &st) && S_ISDIR(st.st_mode) &&
	    st.st_uid == geteuid() && (st.st_mode & 0111) != 0111)
		chmod(NETPLANE_RUN, 0755);
	if (mkdir(ns, 0711) && errno != EEXIST)
		return -errno;
	return 0;
}

/* The namespace's lock, held: the last one out removes the lock file with
 * the rest, so a lock on an unlinked file is retried. */
static int np_lock(const struct netplane *np)
{
	char ns[NETPLANE_PATH_MAX], path[NETPLANE_PATH_MAX];
	struct stat a, b;
	int fd, r;

	np_nsdir(ns, np->dir);
	for (;;) {
		r = np_mkdirs(ns);
		if (r)
			return r;
		np_path(path, ns, "lock");
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		while ((r = flock(fd, LOCK_EX)) && errno == EINTR)
			;
		if (r) {
			r = -errno;
			close(fd);
			return r;
		}
		if (!fstat(fd, &a) && !stat(path, &b) && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
}

/* Release the lock; with no network left, the namespace's record goes. */
static void np_unlock(const struct netplane *np, int fd)
{
	char ns[NETPLANE_PATH_MAX], path[NETPLANE_PATH_MAX];
	struct dirent *d;
	int others = 0;
	DIR *dir;

	np_nsdir(ns, np->dir);
	dir = opendir(ns);
	while (dir && (d = readdir(dir)))
		others += strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
			  strcmp(d->d_name, "lock");
	if (dir)
		closedir(dir);
	if (dir && !others) {
		np_path(path, ns, "lock");
		unlink(path);
		rmdir(ns);
	}
	close(fd);
}

static int np_alive(pid_t pid)
{
	return pid > 0 && (!kill(pid, 0) || errno == EPERM);
}

/* Remove the entries whose process is gone, and their links. Return: how
 * many entries of live processes remain. */
static int np_sweep(const char *dirname)
{
	char path[NETPLANE_PATH_MAX], link[SYS_TAP_NAME_MAX];
	struct dirent *d;
	int alive = 0;
	DIR *dir;
	long pid;

	dir = opendir(dirname);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, NETPLANE_ENTRY, strlen(NETPLANE_ENTRY)))
			continue;
		/* Only links of ours are ever deleted, whatever the entry
		 * says. */
		if (sscanf(d->d_name, NETPLANE_ENTRY "%ld.%15s", &pid, link) !=
			    2 ||
		    strncmp(link, "sqn", 3))
			continue;
		if (np_alive((pid_t)pid)) {
			alive++;
			continue;
		}
		nl_link_del(link);
		np_path(path, dirname, d->d_name);
		unlink(path);
	}
	closedir(dir);
	return alive;
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

/* Turn forwarding on for the NAT interface; what it was before goes in
 * fwd.<iface>, which the last network using it reads to restore it.
 * Return: 1 when it was off (only replies may come in through it), 0
 * when it was on already, or a negative errno. */
static int np_fwd_take(const char *ns, const char *iface)
{
	char path[NETPLANE_PATH_MAX], name[48], val[2] = "";
	int fd, r;

	snprintf(name, sizeof(name), "fwd.%s", iface);
	np_path(path, ns, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		r = read(fd, val, 1) == 1 && val[0] == '0';
		close(fd);
		return r;
	}
	r = np_forwarding(iface, val, NULL);
	if (r || val[0] != '0')
		return r;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = write(fd, "0", 1) == 1 ? 0 : -EIO;
	close(fd);
	if (!r)
		r = np_forwarding(iface, NULL, "1");
	return r ? r : 1;
}

/* The NAT interface named in a network's record, "" when none. */
static void np_record_nat(const char *dir, char nat[SYS_TAP_NAME_MAX])
{
	char path[NETPLANE_PATH_MAX], line[NETPLANE_SETTINGS_MAX];
	FILE *f;

	nat[0] = '\0';
	np_path(path, dir, "network");
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "nat %15s", nat) == 1)
			break;
	fclose(f);
}

/* Put the NAT interface's forwarding back as it was, unless another
 * network of the namespace leads out of it too. */
static void np_fwd_release(const char *ns, const char *iface)
{
	char path[NETPLANE_PATH_MAX], nat[SYS_TAP_NAME_MAX], name[48];
	struct dirent *d;
	DIR *dir;

	dir = opendir(ns);
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.' || !strcmp(d->d_name, "lock") ||
		    !strncmp(d->d_name, "fwd.", 4))
			continue;
		np_path(path, ns, d->d_name);
		np_record_nat(path, nat);
		if (!strcmp(nat, iface)) {
			closedir(dir);
			return;
		}
	}
	if (dir)
		closedir(dir);
	snprintf(name, sizeof(name), "fwd.%s", iface);
	np_path(path, ns, name);
	if (!access(path, F_OK)) {
		np_forwarding(iface, NULL, "0");
		unlink(path);
	}
}

/* Everything of a network nobody uses: dnsmasq, its table, its bridge,
 * the NAT interface's forwarding, the record. What the record does not
 * name (a bridge that was there before) is left alone. */
static void np_remove_network(struct netplane *np)
{
	char path[NETPLANE_PATH_MAX], ns[NETPLANE_PATH_MAX],
		nat[SYS_TAP_NAME_MAX];
	const char *name = strrchr(np->dir, '/') + 1;

	np_path(path, np->dir, "network");
	if (!access(path, F_OK)) {
		np_record_nat(np->dir, nat);
		dnsmasq_stop(np->dir, &np->dnsmasq);
		nft_table_del(name);
		nl_link_del(name);
		unlink(path);
		np_path(path, np->dir, "hosts");
		unlink(path);
		if (nat[0]) {
			np_nsdir(ns, np->dir);
			np_fwd_release(ns, nat);
		}
	}
	rmdir(np->dir);
}

static void np_settings(const struct netplane_spec *s, char *out, size_t len)
{
	const uint8_t *g = s->gateway;

	snprintf(
		out, len,
		"settings mode=%s subnet=%u.%u.%u.%u/%d nat=%s dns=%s hosts=%s\n",
		sqn_mode_name(s->mode), g[0], g[1], g[2], g[3], s->prefix,
		s->nat_iface ? s->nat_iface : "(default route)",
		s->dns_upstream ? s->dns_upstream : "(resolv.conf)",
		s->dns_hosts ? s->dns_hosts : "(none)");
}

/* A network that exists is joined only with the settings it was made with. */
static int np_join(const struct netplane *np, const struct netplane_spec *s,
		   char *msg, size_t len)
{
	char path[NETPLANE_PATH_MAX], want[NETPLANE_SETTINGS_MAX],
		have[NETPLANE_SETTINGS_MAX] = "";
	FILE *f;

	np_settings(s, want, sizeof(want));
	np_path(path, np->dir, "network");
	f = fopen(path, "re");
	if (f) {
		if (!fgets(have, sizeof(have), f))
			have[0] = '\0';
		fclose(f);
	}
	if (!strcmp(have, want))
		return 0;
	have[strcspn(have, "\n")] = '\0';
	want[strcspn(want, "\n")] = '\0';
	return np_err(
		msg, len, -EEXIST,
		"network %s exists, in use, with other settings (%s); this one asks for %s",
		s->network, have[0] ? have + 9 : "unknown", want + 9);
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

static int np_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t n = strlen(text);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, n) != (ssize_t)n)
		r = -EIO;
	close(fd);
	return r;
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
	char hosts[NETPLANE_PATH_MAX];
	int r;

	memcpy(d.gateway, s->gateway, 4);
	if (s->dns_hosts) {
		np_path(hosts, np->dir, "hosts");
		r = copy ? np_copy_hosts(s->dns_hosts, hosts) : 0;
		if (r)
			return np_err(msg, len, r, "dns_hosts: %s: %s",
				      s->dns_hosts, strerror(-r));
		d.hosts = hosts;
	}
	return dnsmasq_start(&d, &np->dnsmasq, msg, len);
}

/* Make the network, first putting it on record so that a crash anywhere
 * after leaves nothing the next start cannot find. */
static int np_make(struct netplane *np, const struct netplane_spec *s,
		   char *msg, size_t len)
{
	char nat[SYS_TAP_NAME_MAX] = "", ns[NETPLANE_PATH_MAX],
	     rec[NETPLANE_SETTINGS_MAX + 32], path[NETPLANE_PATH_MAX];
	struct nft_net n = { s->network, s->network, { 0 }, s->prefix, NULL, 0 };
	uint32_t mask = 0xffffffffu << (32 - s->prefix);
	int r, i;

	r = np_check_new(s, nat, msg, len);
	if (r)
		return r;
	np_settings(s, rec, sizeof(rec));
	if (nat[0])
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec),
			 "nat %s\n", nat);
	np_path(path, np->dir, "network");
	r = np_write(path, rec);
	if (r)
		return np_err(msg, len, r, "%s: %s", path, strerror(-r));
	r = nl_bridge_add(s->network);
	if (!r)
		r = nl_addr_add(s->network, s->gateway, s->prefix);
	if (!r)
		r = np_forwarding(s->network, NULL, nat[0] ? "1" : "0");
	if (!r)
		r = nl_link_set(s->network, NULL, 1);
	if (r)
		return np_err(msg, len, r, "bridge %s: %s", s->network,
			      strerror(-r));
	if (nat[0]) {
		np_nsdir(ns, np->dir);
		r = np_fwd_take(ns, nat);
		if (r < 0)
			return np_err(msg, len, r, "forwarding on %s: %s", nat,
				      strerror(-r));
		n.nat_iface = nat;
		n.return_only = r;
	}
	for (i = 0; i < 4; i++)
		n.subnet[i] = (uint8_t)(s->gateway[i] & (mask >> (24 - 8 * i)));
	r = nft_table_add(&n, msg, len);
	if (!r)
		r = np_dnsmasq(np, s, 1, msg, len);
	return r;
}

/* This attachment's entry, before its link is made: a crash in between
 * leaves an entry whose link the next sweep deletes if it is there. */
static int np_enter(struct netplane *np, char *msg, size_t len)
{
	char path[NETPLANE_PATH_MAX], name[64];
	uint32_t rnd;
	int r;

	r = sys_random(&rnd, sizeof(rnd));
	if (r)
		return np_err(msg, len, r, "random: %s", strerror(-r));
	snprintf(np->link, sizeof(np->link), "sqn%08x", rnd);
	snprintf(name, sizeof(name), NETPLANE_ENTRY "%ld.%s", (long)getpid(),
		 np->link);
	np_path(path, np->dir, name);
	r = np_write(path, "");
	if (r)
		return np_err(msg, len, r, "%s: %s", path, strerror(-r));
	np->joined = 1;
	return 0;
}

/* A TAP as a port of bridge @np->on. */
static int np_tap(struct netplane *np, int isolation, char *msg, size_t len)
{
	int r = sys_tap_create(np->link, &np->fd);

	if (r)
		return np_err(msg, len, r, "TAP %s: %s", np->link,
			      strerror(-r));
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
	if (!r)
		r = nl_link_set(np->link, NULL, 1);
	if (!r)
		r = sys_macvtap_open(np->link, np->dir, &np->fd);
	if (r)
		return np_err(msg, len, r, "macvtap %s on %s: %s", np->link,
			      np->on, strerror(-r));
	return 0;
}

/* Leave the network, under its lock; the last one out removes it. */
static void np_leave(struct netplane *np)
{
	char path[NETPLANE_PATH_MAX], name[64];
	struct proc_end end;

	if (np->fd >= 0)
		close(np->fd);
	np->fd = -1;
	if (np->link[0])
		nl_link_del(np->link);
	if (np->joined) {
		snprintf(name, sizeof(name), NETPLANE_ENTRY "%ld.%s",
			 (long)getpid(), np->link);
		np_path(path, np->dir, name);
		unlink(path);
		np->joined = 0;
	}
	np->link[0] = '\0';
	if (!np_sweep(np->dir)) {
		np_remove_network(np);
	} else if (np->dnsmasq.pid) {
		/* Others still use it: it stays, a child of this process
		 * that the last one out stops; one that died is reaped. */
		if (proc_poll(&np->dnsmasq, -1, 0, NULL) == 1) {
			proc_reap(&np->dnsmasq, &end);
		} else {
			close(np->dnsmasq.pidfd);
			np->dnsmasq = (struct proc){ 0, -1 };
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
 * address, dnsmasq serving DHCP and DNS on it, an nftables table
 * (shared: NAT and forwarding of this network only; host: no forwarding
 * to or from it), and a TAP of this attachment as a port. Bridged: a TAP
 * as a port of the given bridge, or a macvtap on the given NIC.
 * Entries of processes that have ended are removed first, with their
 * links; with none alive, the rest of what they made too.
 *
 * Return: 0 or a negative errno: -EPERM without CAP_NET_ADMIN, -ENODEV
 * for a missing interface, -EEXIST for a name taken or a network in use
 * with other settings, -EADDRINUSE for an overlapping subnet.
 */
int netplane_open(struct netplane *np, const struct netplane_spec *s, char *msg,
		  size_t len)
{
	struct nl_link l;
	int lock, r;

	memset(np, 0, sizeof(*np));
	np->fd = -1;
	np->dnsmasq = (struct proc){ 0, -1 };
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
	r = np_set_dir(np, s);
	if (r)
		return np_err(msg, len, r, "/proc/self/ns/net: %s",
			      strerror(-r));
	lock = np_lock(np);
	if (lock < 0)
		return np_err(msg, len, lock, "%s: %s", np->dir,
			      strerror(-lock));
	if (!np_sweep(np->dir))
		np_remove_network(np);
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
	if (np_sweep(np->dir)) {
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
		np_leave(np);
	np_unlock(np, lock);
	return r;
}

/**
 * netplane_close() - leave the network: this attachment's link and entry
 * go; the last one out removes the network
 * @np:		from a successful netplane_open()
 */
void netplane_close(struct netplane *np)
{
	int lock = np_lock(np);

	np_leave(np);
	if (lock >= 0)
		np_unlock(np, lock);
}
