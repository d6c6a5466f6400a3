// SPDX-License-Identifier: MIT
/* conf_vxlan.c - serve.conf's settings of networks that span hosts: a
 * network's vxlan-* lines and the global bgp-* and frr-* lines
 * (docs/serve.md, "A network across hosts") */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ipv4.h"

/* "why" in @msg, -EINVAL (the caller puts FILE:LINE: before it). */
static int conf_vx_err(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int conf_vx_err(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A dotted IPv4 address and nothing else, copied to @out (16 bytes). */
static int conf_vx_addr(const char *s, char out[16])
{
	const char *end;
	uint8_t a[4];

	if (ipv4_parse(s, &end, a) || *end)
		return -EINVAL;
	ipv4_format(out, ipv4_pack(a));
	return 0;
}

/* "A,B,...": dotted IPv4 addresses, none twice, into @out. */
static int conf_vx_list(const char *key, const char *val, char out[][16],
			unsigned int *n, char *msg, size_t len)
{
	char one[32];
	size_t k;
	unsigned int i;

	*n = 0;
	while (*val) {
		k = strcspn(val, ",");
		if (!k || k >= sizeof(one))
			return conf_vx_err(
				msg, len,
				"%s: a list of IPv4 addresses, A,B,...", key);
		memcpy(one, val, k);
		one[k] = '\0';
		val += k + (val[k] == ',');
		if (*n == SERVE_PEERS_MAX)
			return conf_vx_err(msg, len, "%s: more than %d", key,
					   SERVE_PEERS_MAX);
		if (conf_vx_addr(one, out[*n]))
			return conf_vx_err(msg, len,
					   "%s: %s is not an IPv4 address", key,
					   one);
		for (i = 0; i < *n; i++)
			if (!strcmp(out[i], out[*n]))
				return conf_vx_err(msg, len, "%s: %s twice",
						   key, one);
		(*n)++;
	}
	return 0;
}

/**
 * conf_vxlan_line() - one vxlan-* line of a [network] section
 * @n:		the network
 * @key:	the setting
 * @val:	its value
 * @msg:	set on failure (without FILE:LINE)
 * @len:	its size
 *
 * Return: 0, -ENOENT when @key is not a vxlan-* setting, or -EINVAL.
 */
int conf_vxlan_line(struct serve_netconf *n, const char *key, const char *val,
		    char *msg, size_t len)
{
	unsigned long v;
	char *end;

	if (!strcmp(key, "vxlan-vni") || !strcmp(key, "vxlan-port")) {
		errno = 0;
		v = strtoul(val, &end, 10);
		if (key[6] == 'v' &&
		    (errno || *end || v < 1 || v > SERVE_VNI_MAX))
			return conf_vx_err(
				msg, len,
				"vxlan-vni: %s is not a number from 1 to %u",
				val, SERVE_VNI_MAX);
		if (key[6] == 'p' && (errno || *end || v < 1 || v > 65535))
			return conf_vx_err(
				msg, len, "vxlan-port: %s is not a port number",
				val);
		if (key[6] == 'v')
			n->vni = (uint32_t)v;
		else
			n->vx_port = (uint16_t)v;
	} else if (!strcmp(key, "vxlan-role")) {
		if (strcmp(val, "gateway") && strcmp(val, "member"))
			return conf_vx_err(
				msg, len,
				"vxlan-role: gateway or member, not %s", val);
		n->member = !strcmp(val, "member");
	} else if (!strcmp(key, "vxlan-control")) {
		if (strcmp(val, "static") && strcmp(val, "evpn"))
			return conf_vx_err(
				msg, len,
				"vxlan-control: static or evpn, not %s", val);
		n->evpn = !strcmp(val, "evpn");
	} else if (!strcmp(key, "vxlan-local")) {
		if (conf_vx_addr(val, n->vx_local))
			return conf_vx_err(
				msg, len,
				"vxlan-local: %s is not an IPv4 address", val);
	} else if (!strcmp(key, "vxlan-underlay")) {
		if (strlen(val) >= sizeof(n->vx_underlay))
			return conf_vx_err(
				msg, len,
				"vxlan-underlay: %s is not an interface name",
				val);
		snprintf(n->vx_underlay, sizeof(n->vx_underlay), "%s", val);
	} else if (!strcmp(key, "vxlan-peers")) {
		return conf_vx_list(key, val, n->vx_peers, &n->n_peers, msg,
				    len);
	} else {
		return -ENOENT;
	}
	return 0;
}

/**
 * conf_bgp_line() - one global bgp-* or frr-* line
 * @c:		the configuration
 * @key:	the setting
 * @val:	its value
 * @msg:	set on failure (without FILE:LINE)
 * @len:	its size
 *
 * Return: 0, -ENOENT when @key is not one of them, or -EINVAL.
 */
int conf_bgp_line(struct serve_config *c, const char *key, const char *val,
		  char *msg, size_t len)
{
	unsigned long v;
	char *end;

	if (!strcmp(key, "bgp-asn")) {
		errno = 0;
		v = strtoul(val, &end, 10);
		if (errno || *end || v < 1 || v > 4294967295ul)
			return conf_vx_err(
				msg, len,
				"bgp-asn: %s is not an AS number (1 to 4294967295)",
				val);
		c->bgp_asn = (uint32_t)v;
	} else if (!strcmp(key, "bgp-router-id")) {
		if (conf_vx_addr(val, c->bgp_router_id))
			return conf_vx_err(
				msg, len,
				"bgp-router-id: %s is not an IPv4 address",
				val);
	} else if (!strcmp(key, "bgp-neighbors")) {
		return conf_vx_list(key, val, c->bgp_neighbors,
				    &c->n_bgp_neighbors, msg, len);
	} else if (!strcmp(key, "frr-pathspace")) {
		if (!val[0] || strlen(val) >= sizeof(c->frr_pathspace) ||
		    strspn(val, "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
			    strlen(val))
			return conf_vx_err(
				msg, len,
				"frr-pathspace: A-Z a-z 0-9 _ - only, at most %zu bytes",
				sizeof(c->frr_pathspace) - 1);
		snprintf(c->frr_pathspace, sizeof(c->frr_pathspace), "%s", val);
	} else {
		return -ENOENT;
	}
	return 0;
}

/**
 * conf_vxlan_check() - the vxlan settings of the whole file, together
 * @c:		the configuration, read
 * @i:		the network to check, c->nets[@i]
 * @msg:	set on failure (without FILE:LINE)
 * @len:	its size
 *
 * A network with a VNI is shared or host, has a local underlay address
 * or interface, and a VNI no other network has; an evpn one needs
 * bgp-asn and has no static peers; a network without a VNI has no other
 * vxlan setting.
 *
 * Return: 0 or -EINVAL.
 */
int conf_vxlan_check(const struct serve_config *c, unsigned int i, char *msg,
		     size_t len)
{
	const struct serve_netconf *n = &c->nets[i];
	unsigned int j;

	if (!n->vni) {
		if (n->member || n->evpn || n->vx_local[0] ||
		    n->vx_underlay[0] || n->vx_port || n->n_peers)
			return conf_vx_err(msg, len,
					   "vxlan-* settings need vxlan-vni");
		return 0;
	}
	if (n->mode == SQN_MODE_BRIDGED)
		return conf_vx_err(msg, len,
				   "vxlan-vni is for mode shared or host");
	if (!n->vx_local[0] && !n->vx_underlay[0])
		return conf_vx_err(
			msg, len,
			"vxlan-vni needs vxlan-local or vxlan-underlay");
	if (n->member &&
	    (n->nat_iface[0] || n->dns_upstream[0] || n->dns_hosts[0]))
		return conf_vx_err(
			msg, len,
			"nat-iface, dns-upstream and dns-hosts are the gateway host's (vxlan-role gateway)");
	if (n->evpn && n->n_peers)
		return conf_vx_err(
			msg, len,
			"vxlan-peers is for vxlan-control static (FRR finds the peers with evpn)");
	if (n->evpn && !c->bgp_asn)
		return conf_vx_err(
			msg, len,
			"vxlan-control evpn needs bgp-asn (and bgp-neighbors) before any [network]");
	/* FRR's advertise-all-vni takes every VXLAN device zebra sees: a
	 * static network's flood list would be FRR's too. */
	for (j = 0; j < i; j++)
		if (c->nets[j].vni && c->nets[j].evpn != n->evpn)
			return conf_vx_err(
				msg, len,
				"vxlan-control %s here, %s in network %s: one host's networks across hosts are all static or all evpn (FRR's advertise-all-vni takes every VXLAN device)",
				n->evpn ? "evpn" : "static",
				n->evpn ? "static" : "evpn", c->nets[j].name);
	for (j = 0; j < i; j++)
		if (c->nets[j].vni == n->vni)
			return conf_vx_err(
				msg, len, "vxlan-vni %u: network %s has it too",
				n->vni, c->nets[j].name);
	return 0;
}
