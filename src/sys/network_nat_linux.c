// SPDX-License-Identifier: MIT
/* network_nat_linux.c - a shared network's NAT follows the default route:
 * its tables' set nat_out, the interfaces' forwarding and the record */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netlink.h"
#include "netplane.h"
#include "network.h"
#include "nft_nat.h"
#include "record.h"

/* The record's file "network" with its line "nat ..." saying @iface:
 * written aside, then renamed over it, so a reader (or a crash) never
 * finds it half written. */
static int network_nat_record(const char *dir, const char *iface)
{
	char path[RECORD_PATH_MAX], tmp[RECORD_PATH_MAX], line[1600];
	char text[NETWORK_SETTINGS_MAX + 512];
	size_t at = 0;
	FILE *f;
	int r;

	record_path(path, dir, "network");
	record_path(tmp, dir, NETWORK_RECORD_NEW);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (at < sizeof(text) && fgets(line, sizeof(line), f))
		at += (size_t)snprintf(text + at, sizeof(text) - at, "%s",
				       strncmp(line, "nat ", 4) ? line : "");
	fclose(f);
	if (at + 4 + strlen(iface) + 2 > sizeof(text))
		return -ENOSPC;
	snprintf(text + at, sizeof(text) - at, "nat %s\n", iface);
	r = record_write(tmp, text, 0);
	if (!r && rename(tmp, path))
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

/**
 * network_nat_follow() - lead the network's NAT out of the default
 * route's interface, if it has moved (IPv4's, and IPv6's with it when
 * the network has NAT66)
 * @dir:	the network's directory; under the namespace's lock
 * @from:	set to the interface NAT led out of, IF_NAMESIZE bytes
 * @to:		set to the one it leads out of now (@from when unchanged)
 * @msg:	set to the reason on failure
 * @len:	its size
 *
 * Only a shared network made without nat_iface follows the route (its
 * settings say "nat=(default route)"); one whose NAT interface was
 * configured stays. With no default route for now (a route being
 * replaced, a link going down), NAT stays where it was until there is one
 * again. The new interface gets its forwarding turned on (noted on
 * record, as at the making), the tables' set is changed, the record says
 * the new one, and the old one's forwarding goes back as it was unless
 * another network leads out of it. The table lets only replies in through
 * its NAT interface when that interface did not forward before
 * (nft_table_add()'s return_only, fixed at the making): a new interface
 * that differs there (one forwarded by the host for other traffic, where
 * the old one was not, or the reverse) is not followed, -EPERM with the
 * reason: following would drop the host's own routing through it, or
 * open it to traffic beyond the network's.
 *
 * Return: 1 when NAT moved, 0 when it stays, or a negative errno.
 */
int network_nat_follow(const char *dir, char from[16], char to[16], char *msg,
		       size_t len)
{
	char ns[RECORD_PATH_MAX], set[NETWORK_SETTINGS_MAX], val[2] = "";
	const char *name = strrchr(dir, '/') + 1;
	int r, v6;

	from[0] = to[0] = '\0';
	msg[0] = '\0';
	r = record_get(dir, "settings", set, sizeof(set));
	if (r)
		return r == -ENOENT ? 0 : r;
	if (!strstr(set, "mode=shared ") ||
	    !strstr(set, " nat=(default route) "))
		return 0;
	r = record_get(dir, "nat", from, 16);
	if (r)
		return r == -ENOENT ? 0 : r;
	if (nl_default_route(to) || !strcmp(to, from)) {
		snprintf(to, 16, "%s", from);
		return 0;
	}
	if (!network_plain_name(to))
		return record_err(
			msg, len, -EINVAL,
			"network %s: the default route's interface %s: only A-Z a-z 0-9 _ . - are taken in its name",
			name, to);
	network_nsdir(ns, dir);
	if (network_fwd_was_off(0, ns, from) != network_fwd_was_off(0, ns, to))
		return record_err(
			msg, len, -EPERM,
			"network %s: the default route moved to %s, whose forwarding %s while %s's %s: NAT stays out of %s (set nat_iface, or make the network again)",
			name, to,
			network_fwd_was_off(0, ns, to) ? "is off" : "is on",
			from,
			network_fwd_was_off(0, ns, from) ? "was off" : "was on",
			from);
	/* NAT66 too when the bridge forwards IPv6 (network6_make()). */
	v6 = !network_forwarding(1, name, val, NULL) && val[0] == '1';
	r = network_fwd_take(0, ns, to);
	if (!r && v6)
		r = network_fwd_take(1, ns, to);
	if (r) {
		record_err(msg, len, r, "forwarding on %s: %s", to,
			   strerror(-r));
		goto undo;
	}
	r = nft_nat_set(name, to, msg, len);
	if (r)
		goto undo;
	r = network_nat_record(dir, to);
	if (r) {
		record_err(msg, len, r, "network %s: its record: %s", name,
			   strerror(-r));
		nft_nat_set(name, from, set, sizeof(set));
		goto undo;
	}
	network_fwd_release(0, ns, dir, from);
	if (v6)
		network_fwd_release(1, ns, dir, from);
	return 1;
undo:
	network_fwd_release(0, ns, dir, to);
	if (v6)
		network_fwd_release(1, ns, dir, to);
	return r;
}

/**
 * netplane_nat_follow() - a shared network made without nat_iface leads
 * its NAT out of the default route's interface, if that has moved
 * (network_nat_follow())
 * @np:		a network held (netplane_hold()) or attached to
 * @from:	set to the interface NAT led out of, IF_NAMESIZE bytes
 * @to:		set to the one it leads out of now
 * @msg:	set on failure
 * @len:	its size
 *
 * Return: 1 when it moved, 0 when it stays, or a negative errno (-EBUSY
 * when the namespace's lock was held for np->lock_ms).
 */
int netplane_nat_follow(struct netplane *np, char from[16], char to[16],
			char *msg, size_t len)
{
	char ns[RECORD_PATH_MAX];
	int lock, r;

	from[0] = to[0] = '\0';
	msg[0] = '\0';
	network_nsdir(ns, np->dir);
	lock = record_lock(ns, np->cookie, (int)np->lock_ms, 0, msg, len);
	if (lock < 0)
		return lock;
	r = network_nat_follow(np->dir, from, to, msg, len);
	record_unlock(ns, lock);
	return r;
}

/**
 * netplane_nat_iface() - the interface a shared network's NAT leads out
 * of now, as its record says
 * @np:		a network held or attached to
 * @iface:	set to it, IF_NAMESIZE bytes; "" when none (host mode)
 *
 * Return: 0, -ENOENT when it has none, or the errno of an unreadable
 * record.
 */
int netplane_nat_iface(const struct netplane *np, char iface[16])
{
	int r = record_get(np->dir, "nat", iface, 16);

	if (r)
		iface[0] = '\0';
	return r;
}

/**
 * netplane_default_route() - the interface of the namespace's IPv4
 * default route, the one a network without nat_iface leads NAT out of
 * @iface:	set to it, IF_NAMESIZE bytes
 *
 * Return: 0, -ENETUNREACH when there is none, or a negative errno.
 */
int netplane_default_route(char iface[16])
{
	return nl_default_route(iface);
}
