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
 * service that was killed is removed first
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
	r = nft_spoof_table(need, msg, len);
	if (r || !need)
		return r;
	s->spoof.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->spoof.fd < 0 || serve_watch_add(s, &s->spoof, EPOLLIN)) {
		r = -errno;
		snprintf(msg, len, "inotify: %s", strerror(errno));
		spoof_fini(s);
	}
	return r;
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

	if (s->spoof.fd < 0)
		return 0;
	serve_watch_del(s, &s->spoof);
	close(s->spoof.fd);
	s->spoof.fd = -1;
	r = nft_spoof_table(0, msg, sizeof(msg));
	if (r)
		err("anti-spoofing: %s", msg);
	return r;
}

/* The address dnsmasq leased to @mac on @a's network, in @ip. */
static int spoof_lease(const struct serve_att *a, const uint8_t mac[6],
		       uint8_t ip[4])
{
	char text[64];
	struct in_addr in;

	if (netplane_lease(&a->np, mac, text, sizeof(text)) ||
	    inet_pton(AF_INET, text, &in) != 1)
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
		sp->has_ip = !sp->any_ip && !spoof_lease(a, sp->mac, sp->ip);
	}
	spoof_nft(sp, &p);
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

/* A lease file changed: @a's port to the address its MAC has now. The
 * lease comes after the MAC is learned (the guest's DHCP is its frames),
 * so a learned MAC is read back here, once. */
static void spoof_check(struct serve_att *a)
{
	struct serve_spoof *sp = a->spoof;
	struct nft_spoof_port p;
	uint8_t ip[4] = { 0 };
	char msg[300];
	int has;

	if (!sp || sp->any_ip)
		return;
	if (!sp->mac_known && !nft_spoof_port_mac(sp->port, sp->mac)) {
		sp->mac_known = 1;
		spoof_log(a, "learned");
	}
	if (!sp->mac_known)
		return;
	has = !spoof_lease(a, sp->mac, ip);
	if (has == sp->has_ip && (!has || !memcmp(ip, sp->ip, 4)))
		return;
	spoof_nft(sp, &p);
	p.ip = has ? ip : NULL;
	/* On failure the old rules stay; the next change tries again. */
	if (nft_spoof_port_addr(&p, msg, sizeof(msg))) {
		err("attachment %u: anti-spoofing: %s", a->id, msg);
		return;
	}
	sp->has_ip = has;
	memcpy(sp->ip, ip, 4);
	spoof_log(a, "now held to");
}

/**
 * spoof_event() - the inotify is readable: a network's record changed
 * (its lease file, mostly); every port looks at its lease again
 * @s:		the service
 */
void spoof_event(struct serve *s)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	struct serve_att *a;

	while (read(s->spoof.fd, buf, sizeof(buf)) > 0)
		;
	for (a = s->atts; a; a = a->next)
		spoof_check(a);
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
 * spoof_drops() - how many frames the port of @a sent that were dropped
 * @a:		the attachment
 *
 * Return: the count, 0 when it is not held.
 */
uint64_t spoof_drops(const struct serve_att *a)
{
	uint64_t n = 0;

	if (a->spoof && nft_spoof_port_drops(a->spoof->port, &n))
		n = 0;
	return n;
}
