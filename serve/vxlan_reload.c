// SPDX-License-Identifier: MIT
/* vxlan_reload.c - SIGHUP: serve.conf read again for what changes without
 * a restart, the static peers of networks that span hosts (exactly the
 * entries that changed); every other change is logged as needing one */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "vxlan.h"

/* @a and @b the same but for their peers (and where they are written). */
static int vxlan_same_but_peers(const struct serve_netconf *a,
				const struct serve_netconf *b)
{
	struct serve_netconf x = *a, y = *b;

	memset(x.vx_peers, 0, sizeof(x.vx_peers));
	memset(y.vx_peers, 0, sizeof(y.vx_peers));
	x.n_peers = y.n_peers = 0;
	x.line = y.line = 0;
	return !memcmp(&x, &y, sizeof(x));
}

/* The new peers of network @n (static, in both files) in force. */
static void vxlan_new_peers(struct serve *s, struct serve_net *n,
			    unsigned int i, const struct serve_netconf *c)
{
	unsigned int added = 0, removed = 0;
	int r = 0;

	if (n->conf.n_peers == c->n_peers &&
	    !memcmp(n->conf.vx_peers, c->vx_peers, sizeof(c->vx_peers)))
		return;
	if (n->up)
		r = vxlan_peers_sync(n, (const char(*)[16])c->vx_peers,
				     c->n_peers, &added, &removed);
	if (r) {
		err("SIGHUP: network %s: VXLAN peers: %s (the entries not changed stay)",
		    n->conf.name, strerror(-r));
		return;
	}
	memcpy(n->conf.vx_peers, c->vx_peers, sizeof(c->vx_peers));
	n->conf.n_peers = c->n_peers;
	memcpy(s->cfg.nets[i].vx_peers, c->vx_peers, sizeof(c->vx_peers));
	s->cfg.nets[i].n_peers = c->n_peers;
	info("SIGHUP: network %s: VXLAN peers now %u (%u added, %u removed)",
	     n->conf.name, c->n_peers, added, removed);
}

/* The global bgp-* and frr-* settings of @c in force: FRR's part. */
static void vxlan_new_bgp(struct serve *s, const struct serve_config *c)
{
	if (s->cfg.bgp_asn == c->bgp_asn &&
	    !strcmp(s->cfg.bgp_router_id, c->bgp_router_id) &&
	    s->cfg.n_bgp_neighbors == c->n_bgp_neighbors &&
	    !memcmp(s->cfg.bgp_neighbors, c->bgp_neighbors,
		    sizeof(c->bgp_neighbors)) &&
	    !strcmp(s->cfg.frr_pathspace, c->frr_pathspace))
		return;
	s->cfg.bgp_asn = c->bgp_asn;
	memcpy(s->cfg.bgp_router_id, c->bgp_router_id,
	       sizeof(c->bgp_router_id));
	memcpy(s->cfg.bgp_neighbors, c->bgp_neighbors,
	       sizeof(c->bgp_neighbors));
	s->cfg.n_bgp_neighbors = c->n_bgp_neighbors;
	memcpy(s->cfg.frr_pathspace, c->frr_pathspace,
	       sizeof(c->frr_pathspace));
	info("SIGHUP: BGP settings read again (%u neighbours)",
	     c->n_bgp_neighbors);
}

/**
 * vxlan_reload() - SIGHUP: serve.conf read again; each static network's
 * peers that changed added or removed, BGP's settings taken; other
 * changes logged as needing a restart and left as they are. A file with a
 * mistake changes nothing (logged).
 * @s:		the service
 */
void vxlan_reload(struct serve *s)
{
	struct serve_config *c;
	const struct serve_netconf *nc;
	struct serve_net *n;
	unsigned int i, j;
	char msg[600];
	int r;

	if (!s->cfg.path[0])
		return;
	c = malloc(sizeof(*c));
	if (!c) {
		err("SIGHUP: %s not read again: out of memory", s->cfg.path);
		return;
	}
	conf_init(c);
	r = conf_load(c, s->cfg.path, 1, msg, sizeof(msg));
	if (r) {
		err("SIGHUP: %s not read again, the old one stays: %s",
		    s->cfg.path, msg);
		goto out;
	}
	for (i = 0; i < s->n_nets; i++) {
		n = &s->nets[i];
		for (j = 0;
		     j < c->n_nets && strcmp(c->nets[j].name, n->conf.name);
		     j++)
			;
		if (j == c->n_nets) {
			if (c->n_nets)
				warn("SIGHUP: network %s is gone from %s: that needs a restart; it stays",
				     n->conf.name, s->cfg.path);
			continue;
		}
		nc = &c->nets[j];
		vxlan_repair(s, n);
		if (!vxlan_same_but_peers(&n->conf, nc))
			warn("SIGHUP: network %s: settings other than vxlan-peers changed: they need a restart; the old ones stay",
			     n->conf.name);
		if (n->conf.vni && !n->conf.evpn && nc->vni == n->conf.vni &&
		    !nc->evpn)
			vxlan_new_peers(s, n, i, nc);
	}
	for (j = 0; j < c->n_nets; j++) {
		for (i = 0; i < s->n_nets &&
			    strcmp(c->nets[j].name, s->nets[i].conf.name);
		     i++)
			;
		if (i == s->n_nets)
			warn("SIGHUP: network %s is new in %s: that needs a restart",
			     c->nets[j].name, s->cfg.path);
	}
	/* FRR's configuration follows (frr_sync(), serve/frr.c). */
	vxlan_new_bgp(s, c);
out:
	free(c);
}
