// SPDX-License-Identifier: MIT
/* netplane_reserve_linux.c - Linux side of netplane_reserve(): an address
 * for a guest's MAC that no other MAC has reserved or leased, on record
 * in the attachment's file (netplane_fwd_linux.c) */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dnsmasq.h"
#include "dnsmasq_hosts.h"
#include "netplane.h"
#include "netplane_fwd.h"
#include "record.h"

/**
 * struct nf_res - a reservation looked for among other attachments'
 * @self:	this attachment's entry, skipped
 * @ip:		an address, or ""
 * @mac:	a MAC
 * @ip_mac:	set to the MAC @ip is reserved for, "" if none
 * @mac_ip:	set to the address reserved for @mac, "" if none
 */
struct nf_res {
	const char *self;
	const char *ip;
	const char *mac;
	char ip_mac[18];
	char mac_ip[16];
};

/* netplane_fwd_each(): fill struct nf_res from another attachment's file. */
static int nf_res_find(const char *dir, const char *entry, void *ctx)
{
	struct nf_res *q = ctx;
	char path[RECORD_PATH_MAX];
	struct netplane_fwd_att a;

	if (!strcmp(entry, q->self))
		return 0;
	netplane_fwd_path(path, dir, entry);
	if (netplane_fwd_read(path, &a) || !a.has_ip)
		return 0;
	if (!strcmp(a.ip, q->ip) && strcasecmp(a.mac, q->mac))
		snprintf(q->ip_mac, sizeof(q->ip_mac), "%s", a.mac);
	if (!strcasecmp(a.mac, q->mac))
		snprintf(q->mac_ip, sizeof(q->mac_ip), "%s", a.ip);
	return 0;
}

/* Whether @ip is leased to another MAC than @mac (a lease file caught
 * mid-write is read again, for up to about 50 ms). */
static int nf_leased_other(const char *dir, const char *ip, const char *mac,
			   char other[18])
{
	struct timespec pause = { 0, 1000000 };
	int r, i;

	for (i = 0; (r = dnsmasq_leased(dir, ip, other)) == -EAGAIN && i < 50;
	     i++)
		nanosleep(&pause, NULL);
	return r == 1 && strcasecmp(other, mac);
}

/* Whether @ip may be reserved for @mac: no other MAC has it reserved or
 * leased; the reason in @msg when not. */
static int nf_free(const char *dir, const char *self, const char *ip,
		   const char *mac, char *msg, size_t len)
{
	struct nf_res q = { self, ip, mac, "", "" };
	char other[18];

	netplane_fwd_each(dir, nf_res_find, &q);
	if (q.ip_mac[0])
		return record_err(msg, len, -EADDRINUSE,
				  "%s is reserved for another guest (MAC %s)",
				  ip, q.ip_mac);
	if (q.mac_ip[0] && strcmp(q.mac_ip, ip))
		return record_err(
			msg, len, -EADDRINUSE,
			"MAC %s has %s reserved by another attachment, not %s",
			mac, q.mac_ip, ip);
	if (nf_leased_other(dir, ip, mac, other))
		return record_err(msg, len, -EADDRINUSE,
				  "%s is leased to another guest (MAC %s)", ip,
				  other);
	return 0;
}

/* An address for @mac when none is asked for: one reserved for it
 * already (by this attachment or another), its lease, else the first of
 * the pool that is free. */
static int nf_pick(const char *dir, const char *self,
		   const struct netplane_fwd_att *a,
		   const struct ipv4_prefix *g, const uint8_t mac[6],
		   const char *m, char ip[16], char *msg, size_t len)
{
	struct nf_res q = { self, "", m, "", "" };
	uint32_t from, to, x;
	char scratch[256];

	if (a->has_ip && !strcasecmp(a->mac, m)) {
		snprintf(ip, 16, "%s", a->ip);
		return 0;
	}
	netplane_fwd_each(dir, nf_res_find, &q);
	if (q.mac_ip[0]) {
		snprintf(ip, 16, "%s", q.mac_ip);
		return 0;
	}
	if (!dnsmasq_lease(dir, mac, ip, 16) &&
	    !nf_free(dir, self, ip, m, scratch, sizeof(scratch)))
		return 0;
	dnsmasq_pool(g, &from, &to);
	for (x = from; x <= to && x >= from; x++) {
		ipv4_format(ip, x);
		if (!nf_free(dir, self, ip, m, scratch, sizeof(scratch)))
			return 0;
	}
	ip[0] = '\0';
	return record_err(msg, len, -EADDRNOTAVAIL,
			  "no address of the pool is free to reserve");
}

/**
 * netplane_reserve() - see netplane.h
 * @np:		an attachment (or a holder) of a shared or host network
 * @mac:	the guest's MAC
 * @want:	the address, dotted; NULL or "": one of the pool
 * @ip:		set to the address reserved
 * @msg:	set on failure
 * @len:	its size
 *
 * One reservation per attachment: another call replaces it. It is on
 * record in the attachment's file beside its entry, and goes with the
 * entry (netplane_fwd_gc()). An address leased to another MAC is not
 * taken either: dnsmasq would not give it while that lease lasts.
 *
 * Return: 0, -EINVAL, -EADDRINUSE, -EADDRNOTAVAIL (the pool is full),
 * -EBUSY (the namespace's lock), or another negative errno.
 */
int netplane_reserve(struct netplane *np, const uint8_t mac[6],
		     const char *want, char ip[16], char *msg, size_t len)
{
	char path[RECORD_PATH_MAX], m[18];
	struct ipv4_prefix g;
	struct netplane_fwd_att a, undo;
	int lock, r;

	r = netplane_fwd_open(np, &lock, path, &a, &undo, msg, len);
	if (r)
		return r;
	snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	r = netplane_fwd_subnet(np->dir, &g);
	if (r) {
		record_err(msg, len, r, "%s: no network on record", np->dir);
		goto out;
	}
	if (want && want[0]) {
		r = netplane_fwd_guest_addr(&g, want, msg, len);
		if (!r)
			r = nf_free(np->dir, np->entry, want, m, msg, len);
		if (!r)
			snprintf(ip, 16, "%s", want);
	} else {
		r = nf_pick(np->dir, np->entry, &a, &g, mac, m, ip, msg, len);
	}
	if (r)
		goto out;
	a.has_ip = 1;
	snprintf(a.ip, sizeof(a.ip), "%s", ip);
	snprintf(a.mac, sizeof(a.mac), "%s", m);
out:
	return netplane_fwd_close(np, lock, path, &a, &undo, r, msg, len);
}
