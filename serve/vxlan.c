// SPDX-License-Identifier: MIT
/* vxlan.c - networks that span hosts: the VXLAN device sqnvx<VNI> as a
 * port of the network's bridge, a member host's own bridge and filter,
 * the static flood list, the kernel's VXLAN probe (docs/serve.md, "A
 * network across hosts") */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "sys/netlink.h"
#include "sys/netlink_vxlan.h"
#include "sys/nft.h"
#include "sys/sys.h"
#include "vxlan.h"

/* A member host's bridge says so, so that a restarted service adopts it and
 * never touches a bridge of the same name that is not its own. */
#define VXLAN_MEMBER_ALIAS "squib-net vxlan member %u"

/**
 * vxlan_dev() - the name of a network's VXLAN device: sqnvx<VNI>
 * @n:		the network
 * @out:	set
 */
void vxlan_dev(const struct serve_net *n, char out[VXLAN_DEV_MAX])
{
	snprintf(out, VXLAN_DEV_MAX, "sqnvx%u", n->conf.vni);
}

/* The gateway host's bridge MAC: 02:73:71 ("sq", locally administered)
 * and the VNI, so that members know it without being told. */
static void vxlan_gateway_mac(uint32_t vni, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x73;
	mac[2] = 0x71;
	mac[3] = (uint8_t)(vni >> 16);
	mac[4] = (uint8_t)(vni >> 8);
	mac[5] = (uint8_t)vni;
}

/**
 * vxlan_probe() - whether this kernel makes VXLAN devices: one made in a
 * throwaway network namespace (a child's, unshare(CLONE_NEWNET)), or in
 * this one and deleted when the service may not make namespaces
 * @s:		the service; s->vx_missing says why not, "" when it does (or
 *		no network has a VNI: no probe then)
 */
void vxlan_probe(struct serve *s)
{
	struct nl_vxlan v = { .vni = 1, .port = SERVE_VXLAN_PORT };
	char name[VXLAN_DEV_MAX];
	unsigned int i;
	int r, st;
	pid_t pid;

	s->vx_missing[0] = '\0';
	for (i = 0; i < s->n_nets && !s->nets[i].conf.vni; i++)
		;
	if (i == s->n_nets)
		return;
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNET))
			_exit(255);
		r = nl_vxlan_add("sqnvxprobe", &v);
		_exit(r < 0 ? (-r & 0xff) : 0);
	}
	r = pid < 0 ? -errno : 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!r && WIFEXITED(st) && WEXITSTATUS(st) != 255)
		r = -WEXITSTATUS(st);
	else {
		/* No namespace of its own: a device of its own name here. */
		snprintf(name, sizeof(name), "sqnvxp%d",
			 (int)getpid() % 100000);
		r = nl_vxlan_add(name, &v);
		if (!r)
			nl_link_del(name);
	}
	/* Only a kernel that does not know the kind says EOPNOTSUPP; any
	 * other failure (a device of that VNI and port there already, no
	 * right to make one) is the network's own to report when it is
	 * made. */
	if (r == -EOPNOTSUPP)
		snprintf(
			s->vx_missing, sizeof(s->vx_missing),
			"this kernel has no VXLAN (CONFIG_VXLAN): making a VXLAN device failed: %s",
			strerror(-r));
}

/**
 * vxlan_spec() - a network that spans hosts, as the plane makes it: a
 * member is served as a bridged network on its own bridge; the gateway's
 * bridge gets the MAC of its VNI
 * @n:		the network, its spec checked (conf_net_spec())
 */
void vxlan_spec(struct serve_net *n)
{
	if (!n->conf.vni)
		return;
	if (n->conf.member) {
		n->spec.mode = SQN_MODE_BRIDGED;
		n->spec.bridged_iface = n->conf.name;
		return;
	}
	vxlan_gateway_mac(n->conf.vni, n->spec.bridge_mac);
}

/* The network down for @why (-errno @r): in @n->error, returned. */
static int vxlan_fail(struct serve_net *n, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int vxlan_fail(struct serve_net *n, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(n->error, sizeof(n->error), fmt, ap);
	va_end(ap);
	return r < 0 ? r : -EINVAL;
}

/* The underlay: local address and interface, and the network's MTU from
 * the interface's (less VXLAN's 50 bytes), or the configured one if it
 * fits. */
static int vxlan_underlay(struct serve_net *n)
{
	const struct serve_netconf *c = &n->conf;
	char name[16], first[16];
	struct nl_link l;
	unsigned int max;
	int r;

	r = nl_addr4_find(c->vx_underlay, c->vx_local, name, first);
	if (r == -ENODEV)
		return vxlan_fail(n, r, "vxlan-underlay: no interface %s",
				  c->vx_underlay);
	if (r == -EADDRNOTAVAIL && c->vx_underlay[0] && !c->vx_local[0])
		return vxlan_fail(n, r,
				  "vxlan-underlay: %s has no IPv4 address",
				  c->vx_underlay);
	if (r == -EADDRNOTAVAIL)
		return vxlan_fail(
			n, r, "vxlan-local: %s is no address of this host%s%s",
			c->vx_local, c->vx_underlay[0] ? " on " : "",
			c->vx_underlay);
	if (r)
		return vxlan_fail(n, r, "the underlay's address: %s",
				  strerror(-r));
	snprintf(n->vx_under, sizeof(n->vx_under), "%s", name);
	snprintf(n->vx_local, sizeof(n->vx_local), "%s",
		 c->vx_local[0] ? c->vx_local : first);
	r = nl_link_get(name, &l);
	if (r)
		return vxlan_fail(n, r, "underlay %s: %s", name, strerror(-r));
	if (l.mtu < 1280 + SERVE_VXLAN_OVERHEAD)
		return vxlan_fail(
			n, -EINVAL,
			"underlay %s: its MTU %u leaves less than 1280 after VXLAN's %d bytes",
			name, l.mtu, SERVE_VXLAN_OVERHEAD);
	max = l.mtu - SERVE_VXLAN_OVERHEAD;
	if (c->mtu > max)
		return vxlan_fail(
			n, -EINVAL,
			"mtu %u is more than the underlay %s's MTU %u less VXLAN's %d bytes: at most %u, or frames would be fragmented",
			c->mtu, name, l.mtu, SERVE_VXLAN_OVERHEAD, max);
	n->spec.mtu = c->mtu ? c->mtu : max;
	return 0;
}

/* A member host's bridge: ours (its alias), or made: no address, IPv6
 * off, the network's MTU, up. */
static int vxlan_member_bridge(struct serve_net *n)
{
	const char *name = n->conf.name;
	char alias[64];
	struct nl_vxlan l;
	int r, made = 0;

	snprintf(alias, sizeof(alias), VXLAN_MEMBER_ALIAS, n->conf.vni);
	r = nl_vxlan_get(name, &l);
	if (!r && strcmp(l.alias, alias))
		return vxlan_fail(
			n, -EEXIST,
			"a link named %s is there and is not squib-net's member bridge of VNI %u (its alias is not \"%s\"): remove it or name the network otherwise",
			name, n->conf.vni, alias);
	if (r == -ENODEV) {
		r = nl_bridge_add(name, NULL);
		made = !r;
		if (!r)
			r = nl_link_alias(name, alias);
		if (!r)
			r = sys_ipv6_off(name);
	} else if (r) {
		return vxlan_fail(n, r, "bridge %s: %s", name, strerror(-r));
	}
	if (!r)
		r = nl_link_mtu(name, n->spec.mtu);
	if (!r)
		r = nl_link_set(name, NULL, 1);
	if (r) {
		if (made)
			nl_link_del(name);
		return vxlan_fail(n, r, "bridge %s: %s", name, strerror(-r));
	}
	return 0;
}

/**
 * vxlan_plan() - before a network with a VNI is made: the kernel can, the
 * underlay is there, the network's MTU set from it; a member's bridge
 * made (or adopted)
 * @s:		the service
 * @n:		the network
 *
 * Return: 0 (also for a network without a VNI), or a negative errno with
 * the reason in @n->error.
 */
int vxlan_plan(struct serve *s, struct serve_net *n)
{
	int r;

	if (!n->conf.vni)
		return 0;
	if (s->vx_missing[0])
		return vxlan_fail(n, -EOPNOTSUPP, "%s", s->vx_missing);
	if (n->conf.evpn && s->frr_error[0])
		return vxlan_fail(n, -EHOSTUNREACH, "%s", s->frr_error);
	r = vxlan_underlay(n);
	if (!r && n->conf.member)
		r = vxlan_member_bridge(n);
	return r;
}

/* A member's filter: with isolation, frames from across the overlay reach
 * the guests' ports only from the gateway's MAC (the bridge of the
 * gateway host), so that guests of two members cannot reach each other;
 * without isolation, none. */
static int vxlan_filter(const struct serve_net *n, int on, char *msg,
			size_t len)
{
	char cmds[1024], dev[VXLAN_DEV_MAX];
	uint8_t m[6];
	int k;

	vxlan_dev(n, dev);
	vxlan_gateway_mac(n->conf.vni, m);
	k = snprintf(cmds, sizeof(cmds),
		     "add table bridge squib-net-vx%u\n"
		     "delete table bridge squib-net-vx%u\n",
		     n->conf.vni, n->conf.vni);
	if (on)
		snprintf(
			cmds + k, sizeof(cmds) - (size_t)k,
			"add table bridge squib-net-vx%u\n"
			"add chain bridge squib-net-vx%u forward { type filter hook forward priority filter; policy accept; }\n"
			"add rule bridge squib-net-vx%u forward iifname \"%s\" ether saddr != %02x:%02x:%02x:%02x:%02x:%02x counter drop\n",
			n->conf.vni, n->conf.vni, n->conf.vni, dev, m[0], m[1],
			m[2], m[3], m[4], m[5]);
	return nft_run_out(cmds, NULL, 0, msg, len);
}

/* The VXLAN device: the one there adopted when it is the same, else made
 * anew; a port of the bridge. */
static int vxlan_device(struct serve_net *n, const char *dev)
{
	struct nl_vxlan want = { 0 }, have;
	const char *bridge = n->conf.name;
	int r;

	want.vni = n->conf.vni;
	snprintf(want.local, sizeof(want.local), "%s", n->vx_local);
	want.dev = if_nametoindex(n->vx_under);
	want.port = n->conf.vx_port ? n->conf.vx_port : SERVE_VXLAN_PORT;
	want.mtu = n->spec.mtu;
	want.learning = !n->conf.evpn;
	r = nl_vxlan_get(dev, &have);
	if (!r && !have.is_vxlan)
		return vxlan_fail(n, -EEXIST,
				  "a link named %s is there and is no VXLAN",
				  dev);
	if (!r && (have.vni != want.vni || strcmp(have.local, want.local) ||
		   have.dev != want.dev || have.port != want.port ||
		   have.learning != want.learning)) {
		info("network %s: VXLAN %s has other settings: made anew",
		     n->conf.name, dev);
		nl_link_del(dev);
		r = -ENODEV;
	}
	if (r == -ENODEV) {
		r = nl_vxlan_add(dev, &want);
		if (!r)
			r = sys_ipv6_off(dev);
	}
	if (!r)
		r = nl_link_mtu(dev, n->spec.mtu);
	if (!r)
		r = nl_link_set(dev, bridge, 1);
	/* The gateway's port is isolated with its guests' (it needs only the
	 * bridge, which routes); a member's is the uplink its isolated
	 * guests reach. */
	if (!r)
		r = nl_port_isolate(dev, !n->conf.member && n->spec.isolation);
	if (!r && n->conf.evpn)
		r = nl_brport_flags(dev, 0, 1);
	else if (!r)
		r = nl_brport_flags(dev, 1, 0);
	if (r)
		return vxlan_fail(n, r, "VXLAN %s on %s: %s", dev, bridge,
				  strerror(-r));
	return 0;
}

/**
 * vxlan_join() - once the network's bridge is there: its VXLAN port, the
 * static flood list, a member's filter
 * @s:		the service
 * @n:		the network
 *
 * Return: 0 (also for a network without a VNI), or a negative errno with
 * the reason in @n->error.
 */
int vxlan_join(struct serve *s, struct serve_net *n)
{
	char dev[VXLAN_DEV_MAX], msg[256];
	unsigned int added, removed;
	int r;

	(void)s;
	if (!n->conf.vni)
		return 0;
	vxlan_dev(n, dev);
	r = vxlan_device(n, dev);
	if (r)
		return r;
	if (!n->conf.evpn) {
		r = vxlan_peers_sync(n, (const char(*)[16])n->conf.vx_peers,
				     n->conf.n_peers, &added, &removed);
		if (r)
			return vxlan_fail(n, r, "VXLAN %s: flood list: %s", dev,
					  strerror(-r));
	}
	if (n->conf.member) {
		r = vxlan_filter(n, n->spec.isolation, msg, sizeof(msg));
		if (r)
			return vxlan_fail(n, r, "member filter: %s", msg);
	}
	return 0;
}

/**
 * vxlan_repair() - SIGHUP: the VXLAN device of a network that is up made
 * again when it has gone (the kernel deletes it with its underlay
 * interface), on the underlay as it is now
 * @s:		the service
 * @n:		the network
 *
 * Return: 0 (nothing to do, or made again), or a negative errno with the
 * reason in @n->error (logged).
 */
int vxlan_repair(struct serve *s, struct serve_net *n)
{
	char dev[VXLAN_DEV_MAX];
	uint32_t mtu = n->spec.mtu;
	int r;

	if (!n->conf.vni || !n->up)
		return 0;
	vxlan_dev(n, dev);
	if (if_nametoindex(dev))
		return 0;
	r = vxlan_underlay(n);
	if (!r && n->spec.mtu != mtu) {
		n->spec.mtu = mtu;
		r = vxlan_fail(
			n, -EINVAL,
			"the underlay's MTU changed: the network's MTU %u stays until a restart",
			mtu);
	}
	if (!r)
		r = vxlan_join(s, n);
	if (r)
		err("network %s: VXLAN %s not made again: %s", n->conf.name,
		    dev, n->error);
	else
		info("network %s: VXLAN %s made again (underlay %s)",
		     n->conf.name, dev, n->vx_under);
	return r;
}

/**
 * vxlan_down() - the network's VXLAN parts go with its bridge: the
 * gateway's device once its bridge has gone; a member's bridge, device and
 * filter unless ports of VMMs are still on the bridge
 * @n:		the network, its hold let go
 */
void vxlan_down(struct serve_net *n)
{
	char dev[VXLAN_DEV_MAX], msg[256];
	int ports;

	if (!n->conf.vni)
		return;
	vxlan_dev(n, dev);
	if (!n->conf.member) {
		if (!if_nametoindex(n->conf.name))
			nl_link_del(dev);
		return;
	}
	ports = nl_bridge_ports(n->conf.name, dev);
	if (ports > 0) {
		warn("network %s: member bridge left with its VXLAN port: %d other ports are still on it",
		     n->conf.name, ports);
		return;
	}
	nl_link_del(dev);
	nl_link_del(n->conf.name);
	if (vxlan_filter(n, 0, msg, sizeof(msg)))
		warn("network %s: member filter: %s", n->conf.name, msg);
}

/* @a among @list[0..n). */
static int vxlan_listed(const char (*list)[16], unsigned int n, const char *a)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], a))
			return 1;
	return 0;
}

/**
 * vxlan_peers_sync() - the flood list of a static network made exactly
 * @peers: an all-zeros FDB entry per peer, those not listed removed (with
 * what was learned toward them: the peer is cut off at once), those
 * missing appended, the others left as they are (no duplicate)
 * @n:		the network, its VXLAN device there
 * @peers:	the peers, dotted
 * @n_peers:	how many
 * @added:	set to how many were added
 * @removed:	set to how many were removed
 *
 * Return: 0 or a negative errno.
 */
int vxlan_peers_sync(struct serve_net *n, const char (*peers)[16],
		     unsigned int n_peers, unsigned int *added,
		     unsigned int *removed)
{
	char have[SERVE_PEERS_MAX * 2][16], dev[VXLAN_DEV_MAX];
	unsigned int i, k;
	int r;

	*added = *removed = 0;
	vxlan_dev(n, dev);
	r = nl_fdb_remotes(dev, 1, have, SERVE_PEERS_MAX * 2);
	if (r < 0)
		return r;
	k = (unsigned int)r < SERVE_PEERS_MAX * 2 ? (unsigned int)r :
						    SERVE_PEERS_MAX * 2;
	for (i = 0; i < k; i++) {
		if (vxlan_listed(peers, n_peers, have[i]))
			continue;
		/* What it learned there goes too: the peer is cut off. */
		r = nl_fdb_forget(dev, have[i]);
		if (r)
			return r;
		(*removed)++;
	}
	for (i = 0; i < n_peers; i++) {
		if (vxlan_listed((const char(*)[16])have, k, peers[i]))
			continue;
		r = nl_fdb_flood(dev, peers[i], 1);
		if (r)
			return r;
		(*added)++;
	}
	return 0;
}

/**
 * vxlan_fdb_remotes() - the remote VTEPs of a VXLAN device's FDB (evpn:
 * those FRR installed), each once
 * @dev:	the device
 * @out:	filled with at most @max, dotted
 * @max:	its size
 *
 * Return: how many there are (at most @max in @out), or a negative errno.
 */
int vxlan_fdb_remotes(const char *dev, char out[][16], unsigned int max)
{
	return nl_fdb_remotes(dev, 0, out, max);
}

/**
 * vxlan_status() - a network's VXLAN facts for status: role, VNI, local
 * address, port, control plane, peers and the device's counters
 * @n:		the network
 * @out:	its status, the rest filled (nets_status())
 */
void vxlan_status(const struct serve_net *n, struct svc_network *out)
{
	char dev[VXLAN_DEV_MAX];
	struct nl_stats st;
	unsigned int i;
	int r;

	if (!n->conf.vni)
		return;
	vxlan_dev(n, dev);
	snprintf(out->role, sizeof(out->role), "%s",
		 n->conf.member ? "member" : "gateway");
	out->has_vxlan = 1;
	out->vni = n->conf.vni;
	snprintf(out->vxlan_local, sizeof(out->vxlan_local), "%s",
		 n->vx_local[0] ? n->vx_local : n->conf.vx_local);
	out->vxlan_port = n->conf.vx_port ? n->conf.vx_port : SERVE_VXLAN_PORT;
	snprintf(out->control, sizeof(out->control), "%s",
		 n->conf.evpn ? "evpn" : "static");
	if (n->conf.evpn) {
		r = vxlan_fdb_remotes(dev, out->peers, SVC_PEERS_MAX);
		out->n_peers = r < 0		 ? 0 :
			       r > SVC_PEERS_MAX ? SVC_PEERS_MAX :
						   (unsigned int)r;
	} else {
		for (i = 0; i < n->conf.n_peers && i < SVC_PEERS_MAX; i++)
			memcpy(out->peers[i], n->conf.vx_peers[i], 16);
		out->n_peers = i;
	}
	if (nl_link_stats(dev, &st)) {
		/* Deleted with its underlay (wg-quick down, say). */
		if (n->up)
			snprintf(
				out->error, sizeof(out->error),
				"VXLAN device %s is gone (its underlay interface went away?): the network reaches no other host; SIGHUP makes it again",
				dev);
		return;
	}
	out->vxlan_rx_packets = st.rx_packets;
	out->vxlan_tx_packets = st.tx_packets;
	out->vxlan_rx_bytes = st.rx_bytes;
	out->vxlan_tx_bytes = st.tx_bytes;
	out->vxlan_drops =
		st.rx_dropped + st.tx_dropped + st.rx_errors + st.tx_errors;
}
