// SPDX-License-Identifier: MIT
/* network_fwd_linux.c - the forwarding switches a network turns on: its
 * bridge's, and its NAT interface's (put back as they were by the last
 * network leading out of it), for IPv4 and IPv6 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "network.h"
#include "record.h"

/* IPv4 forwards per interface (conf/IF/forwarding); IPv6 only through
 * all/forwarding, which makes the whole host a router (it stops taking
 * router advertisements on its own uplinks), or since Linux 6.17 through
 * IF/force_forwarding, which forwards what comes in through IF and
 * changes nothing else. */
static const char *const network_fwd_family[2] = { "ipv4", "ipv6" };
static const char *const network_fwd_key[2] = { "forwarding",
						"force_forwarding" };
static const char *const network_fwd_rec[2] = { RECORD_FWD, RECORD_FWD6 };

/**
 * network_sysctl() - read or set a switch of an interface,
 * /proc/sys/net/@family/conf/@iface/@key
 * @family:	"ipv4" or "ipv6"
 * @iface:	the interface, or "all"
 * @key:	the switch ("forwarding")
 * @val:	set to its first byte and a NUL (2 bytes) when @set is NULL
 * @set:	a one-byte value to write, or NULL to read
 *
 * Return: 0 or a negative errno.
 */
int network_sysctl(const char *family, const char *iface, const char *key,
		   char *val, const char *set)
{
	char path[128];
	int fd, r = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family,
		 iface, key);
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

/**
 * network_forwarding() - read or set the forwarding switch of an
 * interface
 * @v6:		0: IPv4's (forwarding), 1: IPv6's (force_forwarding)
 * @iface:	the interface
 * @val:	set to "0" or "1" (2 bytes) when @set is NULL
 * @set:	"0" or "1", or NULL to read
 *
 * Return: 0 or a negative errno (-ENOENT: a kernel without the switch).
 */
int network_forwarding(int v6, const char *iface, char *val, const char *set)
{
	return network_sysctl(network_fwd_family[v6], iface,
			      network_fwd_key[v6], val, set);
}

/* +fwd.<iface> (+fwd6.<iface>) of the namespace's record: it says that
 * forwarding on the NAT interface was off before a network of ours
 * turned it on. */
static void network_fwd_path(int v6, char *path, const char *ns,
			     const char *iface)
{
	char name[96];

	snprintf(name, sizeof(name), "%s%s", network_fwd_rec[v6], iface);
	record_path(path, ns, name);
}

/**
 * network_fwd_was_off() - whether forwarding on @iface was off before any
 * network of ours turned it on: then only replies may come in through it
 * @v6:		0: IPv4's, 1: IPv6's (also off while all/forwarding is)
 * @ns:		the namespace's record
 * @iface:	the NAT interface
 *
 * Return: 1 or 0.
 */
int network_fwd_was_off(int v6, const char *ns, const char *iface)
{
	char path[RECORD_PATH_MAX], val[2] = "", all[2] = "";

	network_fwd_path(v6, path, ns, iface);
	if (!access(path, F_OK))
		return 1;
	if (v6 && (network_sysctl("ipv6", "all", "forwarding", all, NULL) ||
		   all[0] != '0'))
		return 0;
	return !network_forwarding(v6, iface, val, NULL) && val[0] == '0';
}

/**
 * network_fwd_take() - turn forwarding on for the NAT interface, once its
 * table is there to filter; that it was off goes in +fwd.<iface>
 * (+fwd6.), for the last network using it to turn it off again
 * @v6:		0: IPv4's, 1: IPv6's
 * @ns:		the namespace's record
 * @iface:	the NAT interface
 *
 * Return: 0 or a negative errno.
 */
int network_fwd_take(int v6, const char *ns, const char *iface)
{
	char path[RECORD_PATH_MAX], val[2] = "";
	int r;

	network_fwd_path(v6, path, ns, iface);
	if (!access(path, F_OK))
		return 0;
	r = network_forwarding(v6, iface, val, NULL);
	if (r || val[0] != '0')
		return r;
	r = record_write(path, "0", 0);
	return r ? r : network_forwarding(v6, iface, NULL, "1");
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

/**
 * network_fwd_release() - put the NAT interface's forwarding back as it
 * was, unless another network of the namespace leads out of it too, or
 * the host has turned forwarding on everywhere since
 * @v6:		0: IPv4's, 1: IPv6's
 * @ns:		the namespace's record
 * @self:	the directory of the network leaving
 * @iface:	the NAT interface
 */
void network_fwd_release(int v6, const char *ns, const char *self,
			 const char *iface)
{
	struct network_nat_user u = { self, iface };
	char path[RECORD_PATH_MAX], all[2] = "";

	if (record_each(ns, network_uses_nat, &u))
		return;
	network_fwd_path(v6, path, ns, iface);
	if (access(path, F_OK))
		return;
	if (network_sysctl(network_fwd_family[v6], "all", "forwarding", all,
			   NULL) ||
	    all[0] != '1')
		network_forwarding(v6, iface, NULL, "0");
	unlink(path);
}
