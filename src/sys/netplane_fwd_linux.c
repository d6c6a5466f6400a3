// SPDX-License-Identifier: MIT
/* netplane_fwd_linux.c - Linux side of netplane.h's fixed addresses and
 * port forwards: each attachment's on record beside its entry, the
 * network's dnsmasq hosts file and forward chains made from them all */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dnsmasq_hosts.h"
#include "forward.h"
#include "netplane.h"
#include "netplane_fwd.h"
#include "network.h" /* NETWORK_SETTINGS_MAX */
#include "nft_fwd.h"
#include "record.h"

/* An attachment's file: "fwd." and its entry's name (att.<pid>.<link>),
 * which goes when the entry has gone. */
#define NF_PREFIX "fwd."
/* Forwards of one network, all attachments: what nft_fwd_sync() takes. */
#define NF_NET_MAX 1024

/**
 * netplane_fwd_read() - read an attachment's file: lines "ip ADDR MAC" and
 * "fwd PROTO HOSTADDR|* HOSTPORT GUESTIP GUESTPORT"
 * @path:	the file (netplane_fwd_path())
 * @a:		set; a missing file is an empty one
 *
 * Return: 0 or a negative errno.
 */
int netplane_fwd_read(const char *path, struct netplane_fwd_att *a)
{
	char line[160], proto[8], ha[16];
	unsigned int hp, gp;
	struct nft_fwd *f;
	FILE *fp;

	memset(a, 0, sizeof(*a));
	fp = fopen(path, "re");
	if (!fp)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), fp)) {
		f = &a->fwd[a->n];
		if (sscanf(line, "ip %15s %17s", a->ip, a->mac) == 2) {
			a->has_ip = 1;
		} else if (a->n < SQN_FORWARDS_MAX &&
			   sscanf(line, "fwd %7s %15s %u %15s %u", proto, ha,
				  &hp, f->guest_ip, &gp) == 5 &&
			   hp && hp <= 65535 && gp && gp <= 65535) {
			f->proto = strcmp(proto, "udp") ? SQN_PROTO_TCP :
							  SQN_PROTO_UDP;
			snprintf(f->host_addr, sizeof(f->host_addr), "%s",
				 strcmp(ha, "*") ? ha : "");
			f->host_port = (uint16_t)hp;
			f->guest_port = (uint16_t)gp;
			a->n++;
		}
	}
	fclose(fp);
	return 0;
}

/* Write it whole; an empty one is removed. */
static int nf_write(const char *path, const struct netplane_fwd_att *a)
{
	char text[160 * (SQN_FORWARDS_MAX + 1)];
	size_t at = 0;
	unsigned int i;
	const struct nft_fwd *f;

	if (!a->has_ip && !a->n)
		return unlink(path) && errno != ENOENT ? -errno : 0;
	if (a->has_ip)
		at += (size_t)snprintf(text, sizeof(text), "ip %s %s\n", a->ip,
				       a->mac);
	for (i = 0; i < a->n; i++) {
		f = &a->fwd[i];
		at += (size_t)snprintf(
			text + at, sizeof(text) - at, "fwd %s %s %u %s %u\n",
			forward_proto_name((enum sqn_proto)f->proto),
			f->host_addr[0] ? f->host_addr : "*", f->host_port,
			f->guest_ip, f->guest_port);
	}
	text[at] = '\0';
	return record_write(path, text, 0);
}

/**
 * netplane_fwd_path() - the file of an attachment
 * @out:	set to it, RECORD_PATH_MAX bytes
 * @dir:	the network's directory
 * @entry:	the attachment's entry (att.<pid>.<link>)
 */
void netplane_fwd_path(char *out, const char *dir, const char *entry)
{
	char name[64];

	snprintf(name, sizeof(name), NF_PREFIX "%s", entry);
	record_path(out, dir, name);
}

/**
 * netplane_fwd_each() - call @fn with each attachment's file of a network
 * @dir:	the network's directory
 * @fn:		called with @dir and the file's entry name; non-zero stops
 * @ctx:	passed to @fn
 *
 * Return: what @fn returned last, 0 when it never stopped.
 */
int netplane_fwd_each(const char *dir,
		      int (*fn)(const char *dir, const char *entry, void *ctx),
		      void *ctx)
{
	struct dirent *d;
	int r = 0;
	DIR *dp;

	dp = opendir(dir);
	while (!r && dp && (d = readdir(dp)))
		if (!strncmp(d->d_name, NF_PREFIX, strlen(NF_PREFIX)))
			r = fn(dir, d->d_name + strlen(NF_PREFIX), ctx);
	if (dp)
		closedir(dp);
	return r;
}

/**
 * struct nf_all - what the network's dnsmasq and table are made of
 * @hosts:	reservations
 * @n_hosts:	how many
 * @fwd:	forwards
 * @n_fwd:	how many
 */
struct nf_all {
	struct dnsmasq_host hosts[NF_NET_MAX];
	unsigned int n_hosts;
	struct nft_fwd fwd[NF_NET_MAX];
	unsigned int n_fwd;
};

/* netplane_fwd_each(): gather one attachment's into a struct nf_all. */
static int nf_gather(const char *dir, const char *entry, void *ctx)
{
	struct nf_all *all = ctx;
	char path[RECORD_PATH_MAX];
	struct netplane_fwd_att a;
	unsigned int i;

	netplane_fwd_path(path, dir, entry);
	if (netplane_fwd_read(path, &a))
		return 0;
	if (a.has_ip && all->n_hosts < NF_NET_MAX) {
		snprintf(all->hosts[all->n_hosts].mac, 18, "%s", a.mac);
		snprintf(all->hosts[all->n_hosts].ip, 16, "%s", a.ip);
		all->n_hosts++;
	}
	for (i = 0; i < a.n && all->n_fwd < NF_NET_MAX; i++)
		all->fwd[all->n_fwd++] = a.fwd[i];
	return 0;
}

/**
 * netplane_fwd_subnet() - the network's subnet, from its settings on
 * record ("subnet=A.B.C.D/N")
 * @dir:	the network's directory
 * @g:		set to the gateway's address and the prefix length
 *
 * Return: 0, -ENOENT or -EINVAL.
 */
int netplane_fwd_subnet(const char *dir, struct ipv4_prefix *g)
{
	char set[NETWORK_SETTINGS_MAX], *s;

	if (record_get(dir, "settings", set, sizeof(set)))
		return -ENOENT;
	s = strstr(set, " subnet=");
	if (!s)
		return -ENOENT;
	s += 8;
	s[strcspn(s, " ")] = '\0';
	return ipv4_parse_prefix(s, g);
}

/* Whether network @dir is a shared one (its settings on record). */
static int nf_shared(const char *dir)
{
	char set[NETWORK_SETTINGS_MAX];

	return !record_get(dir, "settings", set, sizeof(set)) &&
	       !strncmp(set, "mode=shared ", 12);
}

/* Make the network's hosts file and forward chains what its attachments'
 * files say. */
static int nf_sync(const char *dir, char *msg, size_t len)
{
	struct nf_all *all = calloc(1, sizeof(*all));
	int r;

	if (!all)
		return record_err(msg, len, -ENOMEM, "forwards: %s",
				  strerror(ENOMEM));
	netplane_fwd_each(dir, nf_gather, all);
	r = dnsmasq_hosts_write(dir, all->hosts, all->n_hosts);
	if (r)
		record_err(msg, len, r, "%s/" DNSMASQ_HOSTS ": %s", dir,
			   strerror(-r));
	/* A host-only network has no forwards, and so no chains for them. */
	if (!r && nf_shared(dir))
		r = nft_fwd_sync(strrchr(dir, '/') + 1, all->fwd, all->n_fwd,
				 msg, len);
	free(all);
	return r;
}

/**
 * struct nf_gone - the files of entries that have gone
 * @n:		how many were removed
 * @n_rel:	how many of their reservations @rel holds
 * @rel:	their reservations, whose leases go too
 */
struct nf_gone {
	unsigned int n;
	unsigned int n_rel;
	struct dnsmasq_host rel[64];
};

/* netplane_fwd_each(): remove the file of an entry that has gone, into struct
 * nf_gone. */
static int nf_orphan(const char *dir, const char *entry, void *ctx)
{
	struct nf_gone *g = ctx;
	char path[RECORD_PATH_MAX];
	struct netplane_fwd_att a;

	record_path(path, dir, entry);
	if (!access(path, F_OK) || errno != ENOENT)
		return 0;
	netplane_fwd_path(path, dir, entry);
	if (netplane_fwd_read(path, &a) || unlink(path))
		return 0;
	g->n++;
	if (a.has_ip && g->n_rel < sizeof(g->rel) / sizeof(g->rel[0])) {
		snprintf(g->rel[g->n_rel].ip, 16, "%s", a.ip);
		snprintf(g->rel[g->n_rel].mac, 18, "%s", a.mac);
		g->n_rel++;
	}
	return 0;
}

/**
 * netplane_fwd_gc() - the fixed addresses and forwards of attachments
 * whose entry has gone (closed, or swept after their process died) go
 * too
 * @dir:	the network's directory
 *
 * Called under the namespace's lock, after each sweep of a network that
 * lives on (a network removed takes its table and hosts file with it:
 * netplane_fwd_drop()).
 */
void netplane_fwd_gc(const char *dir)
{
	char msg[256], gw[IPV4_STRLEN];
	struct nf_gone g;
	struct ipv4_prefix p;
	unsigned int i;

	memset(&g, 0, sizeof(g));
	netplane_fwd_each(dir, nf_orphan, &g);
	if (!g.n)
		return;
	nf_sync(dir, msg, sizeof(msg));
	/* The guest went with its attachment: so does its lease. */
	if (netplane_fwd_subnet(dir, &p))
		return;
	ipv4_format(gw, ipv4_pack(p.addr));
	for (i = 0; i < g.n_rel; i++)
		dnsmasq_release(gw, g.rel[i].ip, g.rel[i].mac);
}

/* netplane_fwd_each(): remove the file. */
static int nf_drop(const char *dir, const char *entry, void *ctx)
{
	char path[RECORD_PATH_MAX];

	(void)ctx;
	netplane_fwd_path(path, dir, entry);
	unlink(path);
	return 0;
}

/**
 * netplane_fwd_drop() - remove the attachments' files and the hosts file
 * of a network that goes
 * @dir:	the network's directory
 */
void netplane_fwd_drop(const char *dir)
{
	char path[RECORD_PATH_MAX];

	netplane_fwd_each(dir, nf_drop, NULL);
	record_path(path, dir, DNSMASQ_HOSTS);
	unlink(path);
}

/* The namespace's record, where @np's network is. */
static void nf_ns(char ns[RECORD_PATH_MAX], const struct netplane *np)
{
	snprintf(ns, RECORD_PATH_MAX, "%.*s",
		 (int)(strrchr(np->dir, '/') - np->dir), np->dir);
}

/**
 * netplane_fwd_open() - take the namespace's lock and read @np's file
 * @np:		the attachment
 * @lock:	set to the lock, for netplane_fwd_close()
 * @path:	set to the file's path, RECORD_PATH_MAX bytes
 * @a:		set to the file's content, to change
 * @undo:	the same, to put back if the change cannot be made
 * @msg:	set on failure
 * @len:	its size
 *
 * Return: 0, or a negative errno (the lock then not held).
 */
int netplane_fwd_open(const struct netplane *np, int *lock, char *path,
		      struct netplane_fwd_att *a, struct netplane_fwd_att *undo,
		      char *msg, size_t len)
{
	char ns[RECORD_PATH_MAX];
	int r;

	msg[0] = '\0';
	nf_ns(ns, np);
	*lock = record_lock(ns, np->cookie, (int)np->lock_ms, 0, msg, len);
	if (*lock < 0)
		return *lock;
	netplane_fwd_path(path, np->dir, np->entry);
	r = netplane_fwd_read(path, a);
	if (r) {
		record_unlock(ns, *lock);
		return record_err(msg, len, r, "%s: %s", path, strerror(-r));
	}
	*undo = *a;
	return 0;
}

/**
 * netplane_fwd_close() - netplane_fwd_open()'s end: the file written,
 * @np's network made to match, the lock let go
 * @np, @lock, @path, @undo: as from netplane_fwd_open()
 * @a:		the file's new content
 * @r:		0 to write it; else only the lock goes
 * @msg:	set on failure
 * @len:	its size
 *
 * What could not be made goes off the record again: the file as it was.
 *
 * Return: @r, or 0 or the negative errno of the change.
 */
int netplane_fwd_close(const struct netplane *np, int lock, const char *path,
		       const struct netplane_fwd_att *a,
		       const struct netplane_fwd_att *undo, int r, char *msg,
		       size_t len)
{
	char ns[RECORD_PATH_MAX];

	if (!r) {
		r = nf_write(path, a);
		if (r)
			record_err(msg, len, r, "%s: %s", path, strerror(-r));
		else
			r = nf_sync(np->dir, msg, len);
		if (r && !nf_write(path, undo))
			nf_sync(np->dir, ns, sizeof(ns));
	}
	nf_ns(ns, np);
	record_unlock(ns, lock);
	return r;
}

/**
 * netplane_fwd_guest_addr() - whether @want is a guest's address of the
 * subnet: not the gateway's, the network's or its broadcast address
 * @g:		the gateway's address and the prefix length
 * @want:	the address, dotted
 * @msg:	set when it is not
 * @len:	its size
 *
 * Return: 0 or -EINVAL.
 */
int netplane_fwd_guest_addr(const struct ipv4_prefix *g, const char *want,
			    char *msg, size_t len)
{
	char gs[IPV4_PREFIX_STRLEN];
	int r = ipv4_guest(g, want);

	if (r == -EINVAL)
		return record_err(msg, len, -EINVAL,
				  "%.40s is not a dotted IPv4 address", want);
	if (r)
		return record_err(
			msg, len, -EINVAL,
			"%s is not a guest's address of the subnet %s (nor its gateway)",
			want, ipv4_format_prefix(gs, g));
	return 0;
}

/**
 * struct nf_clash - a forward looked for among the namespace's
 * @f:		the new one
 * @why:	set to the one it collides with, as text
 */
struct nf_clash {
	const struct sqn_forward *f;
	char why[160];
};

/* netplane_fwd_each(): whether one attachment's file has a forward @ctx collides
 * with. */
static int nf_clash_att(const char *dir, const char *entry, void *ctx)
{
	struct nf_clash *c = ctx;
	char path[RECORD_PATH_MAX], t[FORWARD_STRLEN];
	struct sqn_forward o;
	struct netplane_fwd_att a;
	unsigned int i;

	netplane_fwd_path(path, dir, entry);
	if (netplane_fwd_read(path, &a))
		return 0;
	for (i = 0; i < a.n; i++) {
		o.proto = (enum sqn_proto)a.fwd[i].proto;
		o.host_addr = a.fwd[i].host_addr;
		o.host_port = a.fwd[i].host_port;
		o.guest_port = a.fwd[i].guest_port;
		if (!forward_collide(c->f, &o))
			continue;
		snprintf(c->why, sizeof(c->why),
			 "%s is forwarded already, to %s:%u on network %s",
			 forward_format(t, &o), a.fwd[i].guest_ip,
			 a.fwd[i].guest_port, strrchr(dir, '/') + 1);
		return 1;
	}
	return 0;
}

/* record_each(): a network's forwards. */
static int nf_clash_net(const char *dir, void *ctx)
{
	return netplane_fwd_each(dir, nf_clash_att, ctx);
}

/* Whether the host's own sockets take the port: bind() says (a TCP
 * listener or a UDP socket on it, of any address that meets @f's, IPv6
 * wildcards included). SO_REUSEADDR, so that connections in TIME_WAIT do
 * not count. A port the caller may not bind (below 1024 without
 * CAP_NET_BIND_SERVICE) cannot be tried: it passes. */
static int nf_port_free(const struct sqn_forward *f, char *msg, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const char *p = forward_proto_name(f->proto);
	int s, one = 1, r = 0;
	const char *end;

	sa.sin_port = htons(f->host_port);
	if (f->host_addr && f->host_addr[0])
		ipv4_parse(f->host_addr, &end, (uint8_t *)&sa.sin_addr);
	s = socket(AF_INET,
		   (f->proto == SQN_PROTO_TCP ? SOCK_STREAM : SOCK_DGRAM) |
			   SOCK_CLOEXEC,
		   0);
	if (s < 0)
		return record_err(msg, len, -errno, "socket: %s",
				  strerror(errno));
	if (f->proto == SQN_PROTO_TCP)
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa))) {
		if (errno == EADDRINUSE)
			r = record_err(msg, len, -EADDRINUSE,
				       "%s port %u is in use on the host", p,
				       f->host_port);
		else if (errno == EADDRNOTAVAIL)
			r = record_err(msg, len, -EADDRNOTAVAIL,
				       "%s is not an address of the host",
				       f->host_addr);
	}
	close(s);
	return r;
}

/* Checks of one new forward of @np's: the rule, the guest's address, the
 * network's mode. */
static int nf_fwd_ok(const struct netplane *np, const struct sqn_forward *f,
		     const char *guest_ip, char *msg, size_t len)
{
	struct ipv4_prefix g;
	int r = forward_check(f, msg, len);

	if (r)
		return r;
	if (!nf_shared(np->dir))
		return record_err(
			msg, len, -EINVAL,
			"port forwards are for shared networks (NAT), and %s is not one",
			strrchr(np->dir, '/') + 1);
	r = netplane_fwd_subnet(np->dir, &g);
	if (r)
		return record_err(msg, len, r, "%s: no network on record",
				  np->dir);
	return netplane_fwd_guest_addr(&g, guest_ip, msg, len);
}

/**
 * netplane_forward_add() - see netplane.h
 * @np:		an attachment (or a holder) of a shared network
 * @f:		the forward
 * @guest_ip:	the guest's address, dotted (its reservation's, say)
 * @msg:	set on failure
 * @len:	its size
 *
 * It goes with the attachment, as its reservation does. A forward is
 * checked against those of every network of the namespace, and the
 * host's sockets (nf_port_free()).
 *
 * Return: 0, -EINVAL (a bad rule, a guest address not of the subnet, a
 * network not shared), -EADDRINUSE, -EADDRNOTAVAIL (@f->host_addr not
 * the host's), -ENOSPC (SQN_FORWARDS_MAX already), -EBUSY (the lock),
 * or another negative errno.
 */
int netplane_forward_add(struct netplane *np, const struct sqn_forward *f,
			 const char *guest_ip, char *msg, size_t len)
{
	char path[RECORD_PATH_MAX], ns[RECORD_PATH_MAX];
	struct nf_clash c = { f, "" };
	struct nft_fwd *n;
	struct netplane_fwd_att a, undo;
	int lock, r;

	r = netplane_fwd_open(np, &lock, path, &a, &undo, msg, len);
	if (r)
		return r;
	r = nf_fwd_ok(np, f, guest_ip, msg, len);
	if (r)
		goto out;
	if (a.n >= SQN_FORWARDS_MAX) {
		r = record_err(msg, len, -ENOSPC,
			       "an attachment has at most %d forwards",
			       SQN_FORWARDS_MAX);
		goto out;
	}
	nf_ns(ns, np);
	if (record_each(ns, nf_clash_net, &c)) {
		r = record_err(msg, len, -EADDRINUSE, "%s", c.why);
		goto out;
	}
	r = nf_port_free(f, msg, len);
	if (r)
		goto out;
	n = &a.fwd[a.n++];
	n->proto = f->proto;
	snprintf(n->host_addr, sizeof(n->host_addr), "%s",
		 f->host_addr ? f->host_addr : "");
	n->host_port = f->host_port;
	snprintf(n->guest_ip, sizeof(n->guest_ip), "%s", guest_ip);
	n->guest_port = forward_guest_port(f);
out:
	return netplane_fwd_close(np, lock, path, &a, &undo, r, msg, len);
}

/**
 * netplane_forward_remove() - see netplane.h
 * @np:		the attachment that added it
 * @f:		the forward: its protocol, host address and port name it
 * @msg:	set on failure
 * @len:	its size
 *
 * Return: 0, -ENOENT, -EBUSY (the lock), or another negative errno.
 */
int netplane_forward_remove(struct netplane *np, const struct sqn_forward *f,
			    char *msg, size_t len)
{
	const char *ha = f->host_addr ? f->host_addr : "";
	char path[RECORD_PATH_MAX], t[FORWARD_STRLEN];
	struct netplane_fwd_att a, undo;
	unsigned int i;
	int lock, r;

	r = netplane_fwd_open(np, &lock, path, &a, &undo, msg, len);
	if (r)
		return r;
	for (i = 0; i < a.n; i++)
		if (a.fwd[i].proto == (int)f->proto &&
		    a.fwd[i].host_port == f->host_port &&
		    !strcmp(a.fwd[i].host_addr, ha))
			break;
	if (i == a.n) {
		r = record_err(msg, len, -ENOENT,
			       "this attachment has no forward %s",
			       forward_format(t, f));
		goto out;
	}
	a.fwd[i] = a.fwd[--a.n];
out:
	return netplane_fwd_close(np, lock, path, &a, &undo, r, msg, len);
}
