// SPDX-License-Identifier: MIT
/* netplane_linux.c - Linux side of netplane.h: each attachment's TAP or
 * macvtap and its entry in the record, on a network that network.h makes
 * and keeper.h keeps */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keeper.h"
#include "netlink.h"
#include "netplane.h"
#include "netplane_fwd.h"
#include "network.h"
#include "record.h"
#include "sys.h"

/* How many names a TAP of one iface_id may try: sqn-<id>, then with -2 to
 * -NETPLANE_NAMES_MAX. */
#define NETPLANE_NAMES_MAX 99
/* The "link" of a holder's entry (netplane_hold()): not a name of ours
 * (sqn*), so the sweep deletes no link for it. */
#define NETPLANE_HOLDER "holder"

/* The network's directory in the namespace's record @ns: its name, or
 * "bridged:<iface>" for bridged attachments of an interface, which no
 * network's name can be (':' is not allowed in one). */
static int np_set_dir(struct netplane *np, const char *ns,
		      const struct net_spec *s)
{
	int n;

	if (s->mode == SQN_MODE_BRIDGED)
		n = snprintf(np->dir, sizeof(np->dir), "%s/bridged:%s", ns,
			     s->bridged_iface);
	else
		n = snprintf(np->dir, sizeof(np->dir), "%s/%s", ns, s->name);
	return n < (int)sizeof(np->dir) ? 0 : -ENAMETOOLONG;
}

/* Link name number @n of @id: sqn-<id> (just <id> when it starts with
 * "sqn"), cut to fit a name with room for its suffix -<n> from 2 on.
 * Every name starts with "sqn": the sweep deletes no other. */
static void np_link_name(char *out, const char *id, int n)
{
	char suffix[8] = "";
	const char *pre = strncmp(id, "sqn", 3) ? "sqn-" : "";
	int room;

	if (n > 1)
		snprintf(suffix, sizeof(suffix), "-%d", n);
	room = SYS_TAP_NAME_MAX - 1 - (int)strlen(pre) - (int)strlen(suffix);
	snprintf(out, SYS_TAP_NAME_MAX, "%s%.*s%s", pre, room, id, suffix);
}

/* The attachment's link, made: no IPv6 (the host's side must not speak it
 * to the guest, nor on a LAN with the guest's MAC: router solicitations,
 * multicast reports), the network's MTU, up, a port of @master if given. */
static int np_link_ready(const struct netplane *np, const struct net_spec *s,
			 const char *master)
{
	int r = sys_ipv6_off(np->link);

	if (!r && s->mtu)
		r = nl_link_mtu(np->link, s->mtu);
	if (!r)
		r = nl_link_set(np->link, master, 1);
	return r;
}

/* A TAP of the network's MTU as a port of bridge @np->on; persistent and
 * @np->owner's if asked, before it is a port: an owner's TAP is never on
 * the bridge without its owner set. */
static int np_tap(struct netplane *np, const struct net_spec *s, char *msg,
		  size_t len)
{
	int r = sys_tap_create(np->link, !np->plain, &np->fd);

	if (r)
		return r;
	np->made = 1;
	if (np->persist)
		r = sys_tap_persist(np->fd, np->owner);
	if (!r)
		r = np_link_ready(np, s, np->on);
	if (!r)
		r = nl_port_isolate(np->link, s->isolation);
	if (r)
		return record_err(msg, len, r, "TAP %s on %s: %s", np->link,
				  np->on, strerror(-r));
	return 0;
}

/* A macvtap on NIC @np->on with the guest's MAC: bridge mode, or private
 * mode (no macvtap of the NIC reaches another) when isolated. */
static int np_macvtap(struct netplane *np, const struct net_spec *s,
		      const struct netplane_port *port, char *msg, size_t len)
{
	int r;

	np->macvtap = 1;
	r = nl_macvtap_add(np->link, np->on, port->guest_mac, s->isolation);
	if (r)
		return r;
	np->made = 1;
	r = np_link_ready(np, s, NULL);
	if (!r)
		r = sys_macvtap_open(np->link, np->dir, &np->fd);
	if (r)
		return record_err(msg, len, r, "macvtap %s on %s: %s", np->link,
				  np->on, strerror(-r));
	return 0;
}

/* This attachment's link, named after @port->iface_id (np_link_name()), the
 * first name that is free; its entry is on record before the link is
 * made: a crash in between leaves an entry whose link the next sweep
 * deletes if it is there. */
static int np_attach(struct netplane *np, const struct net_spec *s,
		     const struct netplane_port *port, int tap, char *msg,
		     size_t len)
{
	struct nl_link l;
	int n, r = -EEXIST;

	if (!tap && np->persist)
		return record_err(
			msg, len, -EOPNOTSUPP,
			"%s is a NIC: its attachments are macvtaps, which are opened by their device node, not by name; a named TAP needs a bridge",
			np->on);
	for (n = 1; n <= NETPLANE_NAMES_MAX && (r == -EEXIST || r == -EBUSY);
	     n++) {
		np_link_name(np->link, port->iface_id, n);
		if (!nl_link_get(np->link, &l))
			continue; /* taken */
		r = record_enter(np->dir, np->link, np->entry,
				 sizeof(np->entry), &np->entry_fd);
		if (r)
			return record_err(msg, len, r, "%s/%s: %s", np->dir,
					  np->entry, strerror(-r));
		r = tap ? np_tap(np, s, msg, len) :
			  np_macvtap(np, s, port, msg, len);
		if (r != -EEXIST && r != -EBUSY)
			break;
		/* Made by another in between: the next name. */
		record_leave(np->dir, np->entry, np->entry_fd);
		np->entry_fd = -1;
	}
	if (r == -EEXIST || r == -EBUSY)
		return record_err(msg, len, -EEXIST,
				  "iface_id %s: sqn-%s to -%d are all taken",
				  port->iface_id, port->iface_id,
				  NETPLANE_NAMES_MAX);
	if (r && !msg[0])
		record_err(msg, len, r, "%s %s: %s", tap ? "TAP" : "macvtap",
			   np->link, strerror(-r));
	return r;
}

/* The network's keeper, which runs its dnsmasq: started with the network,
 * or again when an attachment finds it gone. */
static int np_keeper(struct netplane *np, const struct net_spec *s,
		     const char *ns, const char *token, char *msg, size_t len)
{
	struct keeper_spec k = {
		.dir = np->dir, .ns = ns, .cookie = np->cookie, .token = token
	};
	char hosts[RECORD_PATH_MAX];

	network_dnsmasq(np->dir, s, &k.dns, hosts);
	return keeper_start(&k, msg, len);
}

/* The network @s names, joined (an MTU of 0 becomes the network's) or
 * made (an MTU of 0 becomes NET_SPEC_MTU_DEFAULT). */
static int np_network(struct netplane *np, struct net_spec *s, const char *ns,
		      char *msg, size_t len)
{
	char token[NETWORK_TOKEN_MAX] = "";
	int r;

	if (record_sweep(np->dir, network_link_gone)) {
		netplane_fwd_gc(np->dir);
		r = network_join(np->dir, s, token, msg, len);
		if (!r && !keeper_alive(np->dir))
			r = np_keeper(np, s, ns, token, msg, len);
		return r;
	}
	if (!s->mtu)
		s->mtu = NET_SPEC_MTU_DEFAULT;
	r = network_make(np->dir, s, token, msg, len);
	if (!r)
		r = np_keeper(np, s, ns, token, msg, len);
	return r;
}

/* Leave the network, under the namespace's lock; the last one out removes
 * it. */
static void np_leave(struct netplane *np, int locked)
{
	struct proc none = PROC_NONE;

	if (np->fd >= 0)
		close(np->fd);
	np->fd = -1;
	if (np->made)
		nl_link_del(np->link);
	np->made = 0;
	if (np->entry_fd >= 0)
		record_leave(np->dir, np->entry, np->entry_fd);
	np->entry_fd = -1;
	/* Without the lock, the rest is the keeper's (or the next sweep's). */
	if (!locked)
		return;
	if (!record_sweep(np->dir, network_link_gone))
		network_remove(np->dir, &none);
	else
		netplane_fwd_gc(np->dir);
}

/* What np_open() makes beside the network: an attachment's link with a
 * virtio_net_hdr or without, or a holder's entry alone. */
enum np_what { NP_LINK, NP_LINK_PLAIN, NP_HOLD };

static int np_open(struct netplane *np, const struct net_spec *net,
		   const struct netplane_port *port, enum np_what what,
		   const uid_t *owner, char *msg, size_t len);

/**
 * netplane_open() - attach to a network, making it if needed
 * @np:		filled on success; np->fd is the TAP or macvtap
 * @net:	the network
 * @port:	the attachment's name, MAC, header and lock deadline
 * @msg:	set on failure
 * @len:	its size
 *
 * Shared and host: a bridge named after the network with the gateway's
 * address, an nftables table (shared: NAT and forwarding of this
 * network only; host: no forwarding to or from it), dnsmasq serving DHCP
 * and DNS on it, run by the network's keeper (keeper.h), and a TAP of
 * this attachment as a port. Bridged: a TAP as a port of the given
 * bridge, or a macvtap on the given NIC. The bridge and each TAP have the
 * network's MTU (@net->mtu, or the network's when 0); a bridged TAP takes
 * the bridge's when @net->mtu is 0. What attachments that have ended left
 * in the namespace is removed first.
 *
 * Return: 0 or a negative errno: -EPERM without CAP_NET_ADMIN or for a
 * run directory not to be trusted, -ENODEV for a missing interface,
 * -EEXIST for a name taken or a network in use with other settings (an
 * MTU other than its own too), -EADDRINUSE for an overlapping subnet,
 * -EBUSY when the namespace's lock was held for @port->lock_ms.
 */
int netplane_open(struct netplane *np, const struct net_spec *net,
		  const struct netplane_port *port, char *msg, size_t len)
{
	return np_open(np, net, port, NP_LINK, NULL, msg, len);
}

/**
 * netplane_attach() - netplane_open(), with a TAP that carries a
 * virtio_net_hdr or not
 * @np, @net, @port, @msg, @len: as for netplane_open()
 * @vnet_hdr:	1: the TAP has IFF_VNET_HDR (offloads possible), 0: plain
 *		frames (a VMM that takes no header: squib-net serve's
 *		clients choose). A macvtap always has one.
 *
 * Return: as netplane_open().
 */
int netplane_attach(struct netplane *np, const struct net_spec *net,
		    const struct netplane_port *port, int vnet_hdr, char *msg,
		    size_t len)
{
	return np_open(np, net, port, vnet_hdr ? NP_LINK : NP_LINK_PLAIN, NULL,
		       msg, len);
}

/**
 * netplane_attach_named() - netplane_attach(), with a persistent TAP that
 * uid @owner may open by name
 * @np, @net, @port, @vnet_hdr, @msg, @len: as for netplane_attach()
 * @owner:	the TAP's owner (TUNSETOWNER)
 *
 * For a VMM that opens its TAP by name (Firecracker): the caller lets go
 * of np->fd with netplane_named() once it has asked the TAP what it
 * needs, and netplane_close() deletes the TAP. A bridged network on a
 * NIC (macvtaps) has none to offer.
 *
 * Return: as netplane_open(); -EOPNOTSUPP for a network bridged on a NIC.
 */
int netplane_attach_named(struct netplane *np, const struct net_spec *net,
			  const struct netplane_port *port, uid_t owner,
			  int vnet_hdr, char *msg, size_t len)
{
	return np_open(np, net, port, vnet_hdr ? NP_LINK : NP_LINK_PLAIN,
		       &owner, msg, len);
}

/**
 * netplane_hold() - hold a network (shared, host) without a link: made or
 * joined as netplane_open() does, and kept while the holder lives
 * @np:		filled on success; np->fd is -1
 * @net:	the network
 * @port:	only its lock deadline counts
 * @msg:	set on failure
 * @len:	its size
 *
 * A service that owns networks (squib-net serve) holds each from its
 * start, so that it outlives the attachments made and ended on it;
 * netplane_close() lets it go, and the last one out removes it. The
 * holder's entry is on record like an attachment's: a holder killed
 * leaves the network to its keeper, or the next sweep.
 *
 * Return: as netplane_open(); -EINVAL for a bridged network.
 */
int netplane_hold(struct netplane *np, const struct net_spec *net,
		  const struct netplane_port *port, char *msg, size_t len)
{
	if (net->mode == SQN_MODE_BRIDGED)
		return record_err(msg, len, -EINVAL,
				  "a bridged network has nothing to hold");
	return np_open(np, net, port, NP_HOLD, NULL, msg, len);
}

/* netplane_open() and the others; @owner: a persistent TAP of that uid's,
 * NULL for a TAP that goes with its last descriptor. */
static int np_open(struct netplane *np, const struct net_spec *net,
		   const struct netplane_port *port, enum np_what what,
		   const uid_t *owner, char *msg, size_t len)
{
	struct net_spec s = *net;
	char ns[RECORD_PATH_MAX];
	struct nl_link l;
	int lock, dir, r;

	memset(np, 0, sizeof(*np));
	np->fd = -1;
	np->entry_fd = -1;
	np->lock_ms = port->lock_ms;
	np->plain = what == NP_LINK_PLAIN;
	np->persist = owner != NULL;
	np->owner = owner ? *owner : 0;
	msg[0] = '\0';
	if (!sys_net_admin())
		return record_err(
			msg, len, -EPERM,
			"%s mode needs CAP_NET_ADMIN (to make bridges and TAPs), which this process has not got; run it as root or pass tap_fd",
			sqn_mode_name(s.mode));
	if (s.mode == SQN_MODE_BRIDGED) {
		r = nl_link_get(s.bridged_iface, &l);
		if (r == -ENODEV)
			return record_err(msg, len, r, "no interface named %s",
					  s.bridged_iface);
		if (r)
			return record_err(msg, len, r, "%s: %s",
					  s.bridged_iface, strerror(-r));
		/* As qemu-bridge-helper does: the bridge's MTU. */
		if (!s.mtu && !strcmp(l.kind, "bridge"))
			s.mtu = l.mtu;
	}
	r = record_ns(ns, sizeof(ns), &np->cookie);
	if (r)
		return record_err(msg, len, r, "/proc/self/ns/net: %s",
				  strerror(-r));
	r = np_set_dir(np, ns, &s);
	if (r)
		return record_err(msg, len, r, "%s: %s", ns, strerror(-r));
	lock = record_lock(ns, np->cookie, (int)port->lock_ms, 1, msg, len);
	if (lock < 0)
		return lock;
	/* What a killed run left goes at the next start of any network. */
	record_each(ns, network_sweep_one, NULL);
	dir = record_opendir(AT_FDCWD, np->dir, np->dir, 0711, msg, len);
	if (dir < 0) {
		r = dir;
		goto out;
	}
	close(dir);
	if (s.mode == SQN_MODE_BRIDGED) {
		snprintf(np->on, sizeof(np->on), "%s", s.bridged_iface);
		r = np_attach(np, &s, port, !strcmp(l.kind, "bridge"), msg,
			      len);
		goto out;
	}
	snprintf(np->on, sizeof(np->on), "%s", s.name);
	r = np_network(np, &s, ns, msg, len);
	if (!r && what == NP_HOLD) {
		r = record_enter(np->dir, NETPLANE_HOLDER, np->entry,
				 sizeof(np->entry), &np->entry_fd);
		if (r)
			record_err(msg, len, r, "%s: %s", np->dir,
				   strerror(-r));
	} else if (!r) {
		r = np_attach(np, &s, port, 1, msg, len);
	}
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
 * It waits up to np->lock_ms for the namespace's lock, which other
 * attachments hold while they open or close; past that it leaves the
 * network's removal to its keeper (or the next open), as a crash would.
 */
void netplane_close(struct netplane *np)
{
	char ns[RECORD_PATH_MAX], here[RECORD_PATH_MAX], msg[256];
	unsigned long long cookie;
	int lock;

	/* Only in the namespace it was opened in; elsewhere the links and
	 * the record are not this thread's to see, and the next sweep there
	 * finds the entry unlocked. */
	network_nsdir(ns, np->dir);
	if (record_ns(here, sizeof(here), &cookie) || strcmp(here, ns) ||
	    cookie != np->cookie) {
		if (np->fd >= 0)
			close(np->fd);
		if (np->entry_fd >= 0)
			close(np->entry_fd);
		np->fd = np->entry_fd = -1;
		return;
	}
	lock = record_lock(ns, np->cookie, (int)np->lock_ms, 0, msg,
			   sizeof(msg));
	if (lock < 0) {
		np_leave(np, 0);
		return;
	}
	np_leave(np, 1);
	record_unlock(ns, lock);
}

/* Under the namespace's lock: take over entry @entry of @np->dir and its
 * TAP @link, which must still be a port of @np->on with ifindex @index. */
static int np_adopt(struct netplane *np, const char *entry, const char *link,
		    unsigned int index, char *msg, size_t len)
{
	struct nl_link l, on;
	int r;

	r = record_adopt(np->dir, entry, &np->entry_fd);
	if (r)
		return record_err(msg, len, r, "%s/%s: %s", np->dir, entry,
				  r == -EBUSY ? "held by a live process" :
						strerror(-r));
	snprintf(np->entry, sizeof(np->entry), "%s", entry);
	r = nl_link_get(link, &l);
	if (!r && (strcmp(l.kind, "tun") || (index && l.index != index)))
		r = -ESTALE;
	if (!r && (nl_link_get(np->on, &on) || l.master != on.index))
		r = -ESTALE;
	if (r) {
		/* Its TAP went (or is another's now): so does the entry. */
		record_leave(np->dir, np->entry, np->entry_fd);
		np->entry_fd = -1;
		return record_err(msg, len, r, "TAP %s: %s", link,
				  r == -ESTALE ? "not the one on record" :
						 strerror(-r));
	}
	snprintf(np->link, sizeof(np->link), "%s", link);
	np->made = 1;
	return 0;
}

/**
 * netplane_adopt() - take over an attachment whose maker has ended (a
 * service killed) while its TAP lives on, held by a VMM
 * @np:		filled on success; np->fd is -1: the TAP cannot be opened
 *		again while the VMM holds it (one opener per TAP)
 * @net:	its network, as it was opened
 * @entry:	its entry in the network's record (struct netplane.entry)
 * @link:	its TAP (struct netplane.link)
 * @ifindex:	the TAP's ifindex when it was made; 0: not checked
 * @lock_ms:	how long to wait for the namespace's lock
 * @msg:	set on failure
 * @len:	its size
 *
 * From now on @np is as netplane_attach() made it: netplane_close()
 * removes the TAP and the entry. An entry whose TAP has gone is removed.
 *
 * Return: 0, -ENOENT when the entry has gone (its TAP went, and a sweep
 * with it), -ENODEV or -ESTALE for a TAP gone or not the one on record,
 * -EBUSY when another live process holds the entry, or a negative errno.
 */
int netplane_adopt(struct netplane *np, const struct net_spec *net,
		   const char *entry, const char *link, unsigned int ifindex,
		   uint32_t lock_ms, char *msg, size_t len)
{
	char ns[RECORD_PATH_MAX];
	int lock, r;

	memset(np, 0, sizeof(*np));
	np->fd = np->entry_fd = -1;
	np->lock_ms = lock_ms;
	msg[0] = '\0';
	r = record_ns(ns, sizeof(ns), &np->cookie);
	if (!r)
		r = np_set_dir(np, ns, net);
	if (r)
		return record_err(msg, len, r, "%s: %s", ns, strerror(-r));
	snprintf(np->on, sizeof(np->on), "%s",
		 net->mode == SQN_MODE_BRIDGED ? net->bridged_iface :
						 net->name);
	lock = record_lock(ns, np->cookie, (int)lock_ms, 0, msg, len);
	if (lock < 0)
		return lock;
	r = np_adopt(np, entry, link, ifindex, msg, len);
	record_unlock(ns, lock);
	return r;
}

/**
 * netplane_named() - let go of a persistent TAP's descriptor, so that its
 * owner may open it by name
 * @np:		from netplane_open() or netplane_attach() with port->persist
 *
 * A TAP without IFF_MULTI_QUEUE takes one descriptor at a time (tun.c,
 * tun_set_iff() answers -EBUSY to a second), so the attachment keeps
 * none: the TAP lives on as persistent, a port of the bridge, until
 * netplane_close() deletes it. Its entry stays locked meanwhile, so the
 * network is kept for it. Should the attachment's process die, the
 * sweep keeps the TAP while a VMM has it open (its queue count) and
 * deletes it once nobody has (network_link_gone(), nl_tun_unheld()).
 */
void netplane_named(struct netplane *np)
{
	if (np->fd >= 0)
		close(np->fd);
	np->fd = -1;
}

/**
 * netplane_keep() - start the network's keeper again if it has gone (and
 * with it its dnsmasq)
 * @np:		a network held (netplane_hold()) or attached to
 * @net:	the network, as it was opened
 * @msg:	set on failure
 * @len:	its size
 *
 * Return: 0 (also when it runs), or a negative errno.
 */
int netplane_keep(struct netplane *np, const struct net_spec *net, char *msg,
		  size_t len)
{
	char ns[RECORD_PATH_MAX], token[NETWORK_TOKEN_MAX] = "";
	struct net_spec s = *net;
	int lock, r;

	msg[0] = '\0';
	network_nsdir(ns, np->dir);
	lock = record_lock(ns, np->cookie, (int)np->lock_ms, 0, msg, len);
	if (lock < 0)
		return lock;
	r = network_join(np->dir, &s, token, msg, len);
	if (!r && !keeper_alive(np->dir))
		r = np_keeper(np, &s, ns, token, msg, len);
	record_unlock(ns, lock);
	return r;
}

/**
 * netplane_dnsmasq() - the network's dnsmasq, if it runs
 * @np:		a network held or attached to
 * @pid:	set to its pid when it runs
 *
 * Return: a pidfd of it (the caller's to close), or -1 when none runs.
 */
int netplane_dnsmasq(const struct netplane *np, long *pid)
{
	return dnsmasq_find(np->dir, pid);
}

/**
 * netplane_keeper_alive() - whether the network's keeper runs
 * @np:		a network held or attached to
 *
 * Return: 1 or 0.
 */
int netplane_keeper_alive(const struct netplane *np)
{
	return keeper_alive(np->dir);
}

/**
 * netplane_lease() - the address dnsmasq leased to a guest
 * @np:		a network held or attached to
 * @mac:	the guest's MAC
 * @ip:		set to the address, dotted; "" when none
 * @len:	its size
 *
 * Return: 0, -ENOENT when it has none, or -EAGAIN while dnsmasq writes
 * its lease file (dnsmasq_lease()).
 */
int netplane_lease(const struct netplane *np, const uint8_t mac[6], char *ip,
		   size_t len)
{
	return dnsmasq_lease(np->dir, mac, ip, len);
}
