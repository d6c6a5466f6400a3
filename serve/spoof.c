// SPDX-License-Identifier: MIT
/* spoof.c - squib-net serve's anti-spoofing: the service's nftables table
 * (src/sys/nft_spoof.h) holds each port to its MAC and leased address;
 * an inotify on the networks' records sees dnsmasq's lease files change */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "log.h"
#include "spoof.h"
#include "sys/nft_spoof.h"

/* What dnsmasq does to its lease file: it keeps it open and writes it
 * again in place (IN_MODIFY); a new dnsmasq makes it (IN_CREATE). */
#define SPOOF_LEASES "dnsmasq.leases"
#define SPOOF_EVENTS                                                        \
	(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | \
	 IN_MOVED_FROM)

/**
 * struct serve_spoof - one port held to its MAC and address
 * @port:	its name (the TAP's)
 * @mac:	its MAC, once known (@mac_known)
 * @mac_known:	the one asked for, or the first it sent from, read back
 *		from the kernel's set
 * @ip:		the address it is held to (@has_ip)
 * @has_ip:	dnsmasq leased it one
 * @any_ip:	a bridged network's port: the MAC only
 */
struct serve_spoof {
	char port[SYS_TAP_NAME_MAX];
	uint8_t mac[6];
	int mac_known;
	uint8_t ip[4];
	int has_ip;
	int any_ip;
};

/**
 * spoof_init() - the table (ports of networks that do not allow spoofing
 * get their rules there) and the lease files' inotify; a table left by a
 * service that was killed is kept, its MAC sets read, until
 * spoof_adopted() (its ports that are adopted keep their learned MACs
 * and are never left unfiltered)
 * @s:		the service, its loop made
 * @msg:	reason on failure
 * @len:	its size
 *
 * Return: 0 or a negative errno.
 */
int spoof_init(struct serve *s, char *msg, size_t len)
{
	unsigned int i;
	int need = 0, r;

	s->spoof.kind = SERVE_SPOOF;
	s->spoof.fd = -1;
	for (i = 0; i < s->cfg.n_nets; i++)
		need |= !s->cfg.nets[i].allow_spoofing;
	if (!need)
		return nft_spoof_table_del(msg, len);
	r = nft_spoof_table(msg, len);
	if (r < 0)
		return r;
	if (r == 1 && nft_spoof_list("sets", &s->spoof_sets))
		s->spoof_sets = NULL;
	r = 0;
	s->spoof.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->spoof.fd < 0 || serve_watch_add(s, &s->spoof, EPOLLIN)) {
		r = -errno;
		snprintf(msg, len, "inotify: %s", strerror(errno));
		spoof_fini(s);
	}
	return r;
}

/* Whether port @name is an attachment's of @arg, the service. */
static int spoof_keep(const char *name, void *arg)
{
	const struct serve *s = arg;
	const struct serve_att *a;

	for (a = s->atts; a; a = a->next)
		if (a->spoof && !strcmp(a->spoof->port, name))
			return 1;
	return 0;
}

/**
 * spoof_adopted() - the attachments of a service that was killed are
 * adopted: the ports of the others (gone with their TAPs) leave the table
 * @s:		the service
 */
void spoof_adopted(struct serve *s)
{
	int r;

	free(s->spoof_sets);
	s->spoof_sets = NULL;
	if (s->spoof.fd < 0)
		return;
	r = nft_spoof_sweep(spoof_keep, s);
	if (r < 0)
		warn("anti-spoofing: ports not adopted: not all removed (%s)",
		     strerror(-r));
	else if (r)
		info("anti-spoofing: %d port(s) not adopted removed", r);
}

/**
 * spoof_fini() - the table goes, and the inotify (the service stops)
 * @s:		the service, its attachments gone
 *
 * Return: 0, or -EIO when the table could not be removed (logged).
 */
int spoof_fini(struct serve *s)
{
	char msg[300];
	int r;

	free(s->spoof_sets);
	s->spoof_sets = NULL;
	if (s->spoof.fd < 0)
		return 0;
	serve_watch_del(s, &s->spoof);
	close(s->spoof.fd);
	s->spoof.fd = -1;
	r = nft_spoof_table_del(msg, sizeof(msg));
	if (r)
		err("anti-spoofing: %s", msg);
	return r;
}

/* The address dnsmasq leased to @mac on @a's network, in @ip: 0,
 * -ENOENT, or -EAGAIN while dnsmasq writes its lease file. */
static int spoof_lease(const struct serve_att *a, const uint8_t mac[6],
		       uint8_t ip[4])
{
	char text[64];
	struct in_addr in;
	int r = netplane_lease(&a->np, mac, text, sizeof(text));

	if (r == -EAGAIN)
		return r;
	if (r || inet_pton(AF_INET, text, &in) != 1)
		return -ENOENT;
	memcpy(ip, &in, 4);
	return 0;
}

/* @sp as nft_spoof.h takes it. */
static void spoof_nft(const struct serve_spoof *sp, struct nft_spoof_port *p)
{
	p->name = sp->port;
	p->mac = sp->mac_known ? sp->mac : NULL;
	p->ip = sp->has_ip ? sp->ip : NULL;
	p->any_ip = sp->any_ip;
}

/* The log line of what @a's port is held to. */
static void spoof_log(const struct serve_att *a, const char *what)
{
	const struct serve_spoof *sp = a->spoof;
	const uint8_t *m = sp->mac, *i = sp->ip;
	char mac[24] = "its first", ip[40] = "";

	if (sp->mac_known)
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 m[0], m[1], m[2], m[3], m[4], m[5]);
	if (sp->any_ip)
		snprintf(ip, sizeof(ip), ", any address");
	else if (sp->has_ip)
		snprintf(ip, sizeof(ip), ", address %u.%u.%u.%u", i[0], i[1],
			 i[2], i[3]);
	else
		snprintf(ip, sizeof(ip), ", DHCP only until it has a lease");
	info("attachment %u, port %s: %s MAC %s%s", a->id, sp->port, what, mac,
	     ip);
}

/**
 * spoof_port_add() - hold an attachment's port to its MAC (the one asked
 * for, else the first it sends from) and its lease's address; also for an
 * attachment that is already there (a service started again adopts it)
 * @s:		the service
 * @a:		the attachment, its TAP a port of its network's bridge
 *
 * Nothing when its network allows spoofing, or for a macvtap (its frames
 * cross no bridge of ours).
 *
 * Return: 0 or a negative errno (logged): the port is not to be used.
 */
int spoof_port_add(struct serve *s, struct serve_att *a)
{
	struct nft_spoof_port p;
	struct serve_spoof *sp;
	char msg[300];
	int r;

	if (a->net->conf.allow_spoofing || a->spoof)
		return 0;
	if (a->np.macvtap) {
		warn("attachment %u: %s is a macvtap: not held to its MAC and address",
		     a->id, a->np.link);
		return 0;
	}
	if (s->spoof.fd < 0)
		return -ENOTCONN;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	snprintf(sp->port, sizeof(sp->port), "%s", a->np.link);
	sp->any_ip = a->net->spec.mode == SQN_MODE_BRIDGED;
	if (a->mac_asked) {
		memcpy(sp->mac, a->facts.guest_mac, 6);
		sp->mac_known = 1;
	} else if (s->spoof_sets &&
		   !nft_spoof_text_mac(s->spoof_sets, sp->port, sp->mac)) {
		/* Adopted: the MAC it was held to before the restart. */
		sp->mac_known = 1;
	}
	if (sp->mac_known)
		sp->has_ip = !sp->any_ip && !spoof_lease(a, sp->mac, sp->ip);
	spoof_nft(sp, &p);
	r = nft_spoof_port_add(&p, msg, sizeof(msg));
	/* The table went with the namespace's last network while none of
	 * its ports was held (nft_spoof_gc()): made again, once. */
	if (r == -EIO && !nft_spoof_table(msg, sizeof(msg)))
		r = nft_spoof_port_add(&p, msg, sizeof(msg));
	/* Each network's record once (the same watch again is a no-op). */
	if (!r && !sp->any_ip &&
	    inotify_add_watch(s->spoof.fd, a->np.dir, SPOOF_EVENTS) < 0) {
		r = -errno;
		snprintf(msg, sizeof(msg), "inotify on %s: %s", a->np.dir,
			 strerror(errno));
		nft_spoof_port_del(sp->port);
	}
	if (r) {
		err("attachment %u: anti-spoofing: %s", a->id, msg);
		free(sp);
		return r;
	}
	a->spoof = sp;
	spoof_log(a, "held to");
	return 0;
}

/**
 * spoof_port_remove() - an attachment's rules go (before its TAP)
 * @s:		the service
 * @a:		the attachment
 */
void spoof_port_remove(struct serve *s, struct serve_att *a)
{
	(void)s;
	if (!a->spoof)
		return;
	if (nft_spoof_port_del(a->spoof->port))
		warn("attachment %u: anti-spoofing rules of %s not removed",
		     a->id, a->spoof->port);
	free(a->spoof);
	a->spoof = NULL;
}

/* A lease file changed: @a's port to the address its MAC has now, in
 * @p when it is another (1). The lease comes after the MAC is learned
 * (the guest's DHCP is its frames), so a learned MAC is read back here,
 * once, from @sets (the table's sets, listed when some port needs it). */
static int spoof_check(struct serve_att *a, char **sets,
		       struct nft_spoof_port *p, uint8_t ip[4])
{
	struct serve_spoof *sp = a->spoof;
	int has;

	if (!sp || sp->any_ip)
		return 0;
	if (!sp->mac_known && !*sets && nft_spoof_list("sets", sets))
		*sets = NULL;
	if (!sp->mac_known && *sets &&
	    !nft_spoof_text_mac(*sets, sp->port, sp->mac)) {
		sp->mac_known = 1;
		spoof_log(a, "learned");
	}
	if (!sp->mac_known)
		return 0;
	has = spoof_lease(a, sp->mac, ip);
	/* Caught mid-write: its own event follows; the rules stay. */
	if (has == -EAGAIN)
		return 0;
	has = !has;
	if (has == sp->has_ip && (!has || !memcmp(ip, sp->ip, 4)))
		return 0;
	spoof_nft(sp, p);
	p->ip = has ? ip : NULL;
	return 1;
}

/* Whether the inotify events in @buf (@n bytes) touch a lease file (or
 * were too many to tell: the queue overflowed). */
static int spoof_leases_changed(const char *buf, ssize_t n)
{
	const struct inotify_event *e;
	ssize_t at;

	for (at = 0; at + (ssize_t)sizeof(*e) <= n;
	     at += (ssize_t)sizeof(*e) + e->len) {
		e = (const struct inotify_event *)(buf + at);
		if ((e->mask & IN_Q_OVERFLOW) ||
		    (e->len && !strcmp(e->name, SPOOF_LEASES)))
			return 1;
	}
	return 0;
}

/**
 * spoof_event() - the inotify is readable: a network's record changed;
 * when a lease file did, every port looks at its lease again and those
 * whose address changed get their rules in one nft transaction
 * @s:		the service
 */
void spoof_event(struct serve *s)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	struct nft_spoof_port *p = NULL;
	uint8_t(*ip)[4] = NULL;
	struct serve_att *a, **who = NULL;
	char *sets = NULL, msg[300];
	size_t n = 0, i;
	int leases = 0;
	ssize_t got;

	while ((got = read(s->spoof.fd, buf, sizeof(buf))) > 0)
		leases |= spoof_leases_changed(buf, got);
	if (!leases || !s->n_atts)
		return;
	p = calloc(s->n_atts, sizeof(*p));
	ip = calloc(s->n_atts, sizeof(*ip));
	who = calloc(s->n_atts, sizeof(*who));
	if (!p || !ip || !who) {
		err("anti-spoofing: out of memory: leases not looked at");
		goto out;
	}
	for (a = s->atts; a && n < s->n_atts; a = a->next)
		if (spoof_check(a, &sets, &p[n], ip[n]))
			who[n++] = a;
	/* On failure the old rules stay; the next change tries again. */
	if (!n || nft_spoof_ports_addr(p, n, msg, sizeof(msg))) {
		if (n)
			err("anti-spoofing: %s", msg);
		goto out;
	}
	for (i = 0; i < n; i++) {
		who[i]->spoof->has_ip = p[i].ip != NULL;
		memcpy(who[i]->spoof->ip, ip[i], 4);
		spoof_log(who[i], "now held to");
	}
out:
	free(sets);
	free(p);
	free(ip);
	free(who);
}

/**
 * spoof_mac() - the MAC an attachment's port is held to
 * @a:		the attachment
 *
 * Return: it (the one asked for, or the one learned), else the guest MAC
 * of the attach reply (only the service's proposal).
 */
const uint8_t *spoof_mac(const struct serve_att *a)
{
	return a->spoof && a->spoof->mac_known ? a->spoof->mac :
						 a->facts.guest_mac;
}

/**
 * spoof_counters() - the drop counters of every port, read with one call
 * to nft (status asks for all of them at once)
 * @s:		the service
 *
 * Return: their listing, for spoof_drops() (free() it), or NULL.
 */
char *spoof_counters(const struct serve *s)
{
	const struct serve_att *a;
	char *text;

	/* No nft at all without a held port: libnftables ends the process
	 * when it cannot open its netlink socket (a service out of
	 * descriptors still answers status). */
	for (a = s->atts; a && !a->spoof; a = a->next)
		;
	if (!a || nft_spoof_list("counters", &text))
		return NULL;
	return text;
}

/**
 * spoof_drops() - how many frames the port of @a sent that were dropped
 * @a:		the attachment
 * @counters:	spoof_counters(), or NULL
 *
 * Return: the count, 0 when it is not held.
 */
uint64_t spoof_drops(const struct serve_att *a, const char *counters)
{
	uint64_t n = 0;

	if (!a->spoof || !counters ||
	    nft_spoof_text_drops(counters, a->spoof->port, &n))
		n = 0;
	return n;
}
