// SPDX-License-Identifier: MIT
/* status.c - squib-net serve's status reply: each network (its state and
 * dnsmasq's), each attachment with the address dnsmasq leased to its guest
 * and its TAP's counters */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "log.h"
#include "nets.h"
#include "relay.h"
#include "spoof.h"
#include "status.h"
#include "sys/dnsmasq.h"

/**
 * status_counter() - one counter of @tap's, from sysfs (the service's
 * network namespace's: ip netns exec and systemd both give it its own
 * /sys)
 * @tap:	the link
 * @name:	the counter (rx_bytes, tx_dropped, ...)
 *
 * Return: its value, 0 when unknown.
 */
uint64_t status_counter(const char *tap, const char *name)
{
	char path[128];
	uint64_t v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", tap,
		 name);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%" SCNu64, &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* A guest's DHCP name as a status label: printable ASCII (dnsmasq keeps
 * what a guest sends in its lease file; a name is letters, digits, '-'
 * anyway). */
static void status_clean(char *name)
{
	for (; *name; name++)
		if (*name < 0x20 || *name >= 0x7f)
			*name = '?';
}

/* An attachment as status shows it. */
static void status_att(const struct serve_att *a, const char *counters,
		       struct svc_attach *out)
{
	*out = a->facts;
	out->kind = a->kind;
	/* Hold "parent": the helper that asked has ended; the process the
	 * attachment lives as long as is the one to show. */
	if (a->holder)
		out->pid = (uint32_t)a->holder;
	if (a->net->spec.mode != SQN_MODE_BRIDGED)
		dnsmasq_lease_name(a->np.dir, spoof_mac(a), out->ip,
				   sizeof(out->ip), out->hostname,
				   sizeof(out->hostname));
	status_clean(out->hostname);
	out->rx_bytes = status_counter(a->facts.tap, "rx_bytes");
	out->rx_packets = status_counter(a->facts.tap, "rx_packets");
	out->tx_bytes = status_counter(a->facts.tap, "tx_bytes");
	out->tx_packets = status_counter(a->facts.tap, "tx_packets");
	relay_status(a, out);
	out->spoof_drops = spoof_drops(a, counters);
}

/**
 * status_reply() - answer a status request: readable by anyone who may
 * connect (the socket's group)
 * @s:		the service
 * @c:		the client's connection
 * @req:	the request
 */
void status_reply(struct serve *s, struct serve_conn *c,
		  const struct svc_request *req)
{
	struct svc_reply rep = { 0 };
	const struct serve_att *a;
	char *counters;
	unsigned int i;

	rep.networks = calloc(s->n_nets ? s->n_nets : 1, sizeof(*rep.networks));
	rep.attachments =
		calloc(s->n_atts ? s->n_atts : 1, sizeof(*rep.attachments));
	if (!rep.networks || !rep.attachments) {
		free(rep.networks);
		free(rep.attachments);
		conn_refuse(s, c, req, ENOMEM, "out of memory");
		return;
	}
	for (i = 0; i < s->n_nets; i++)
		nets_status(&s->nets[i], &rep.networks[i]);
	rep.n_networks = s->n_nets;
	/* Every port's drop counter in one call to nft. */
	counters = spoof_counters(s);
	for (a = s->atts; a; a = a->next)
		status_att(a, counters, &rep.attachments[rep.n_attachments++]);
	free(counters);
	debug("uid %u pid %d: status", (unsigned int)c->peer.uid,
	      (int)c->peer.pid);
	conn_reply(s, c, req, &rep, -1);
	free(rep.networks);
	free(rep.attachments);
}
