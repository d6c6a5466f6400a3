// SPDX-License-Identifier: MIT
/* nets.c - the networks squib-net serve owns: each held with the library's
 * plane (netplane_hold()) from the start to the end of the service, its
 * dnsmasq watched through a pidfd while its keeper starts it again */
#include <errno.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "ipv4.h"
#include "ipv6.h"
#include "log.h"
#include "frr.h"
#include "nets.h"
#include "vxlan.h"

/* A keeper found gone is started again after this pause, doubled each
 * time it is found gone again, up to the most. */
#define NETS_KEEPER_PAUSE_MS 1000
#define NETS_KEEPER_PAUSE_MAX_MS 60000

/**
 * nets_mode() - a mode's name, as status and the attach reply give it
 * @mode:	shared, host or bridged
 *
 * Return: the name.
 */
const char *nets_mode(enum sqn_mode mode)
{
	return mode == SQN_MODE_SHARED ? "shared" :
	       mode == SQN_MODE_HOST   ? "host" :
					 "bridged";
}

/* Watch the network's dnsmasq, or note that it is not running yet. */
static void nets_watch(struct serve *s, struct serve_net *n)
{
	long pid = 0;
	int fd = netplane_dnsmasq(&n->hold, &pid);

	if (fd < 0) {
		n->dns = SERVE_DNS_RESTARTING;
		n->dns_pid = 0;
		return;
	}
	n->w.kind = SERVE_DNSMASQ;
	n->w.fd = fd;
	if (serve_watch_add(s, &n->w, EPOLLIN)) {
		close(fd);
		n->w.fd = -1;
	}
	n->dns = SERVE_DNS_RUNNING;
	n->dns_pid = pid;
}

/**
 * nets_up() - make (or find) a network that is down
 * @s:		the service
 * @n:		the network
 *
 * Shared and host: held with netplane_hold(), which makes the bridge,
 * the table and the keeper that runs dnsmasq (or joins them when a
 * network of the same settings is there). Bridged: its interface must be
 * there; each attachment makes its own TAP or macvtap on it.
 *
 * Return: 0, or a negative errno with the reason in @n->error (logged).
 */
int nets_up(struct serve *s, struct serve_net *n)
{
	struct netplane_port port = { "", { 0 }, SERVE_LOCK_MS };
	char gs[IPV4_PREFIX_STRLEN];
	int r = 0;

	if (n->up)
		return 0;
	n->error[0] = '\0';
	/* A network across hosts: its MTU from the underlay's, a member's
	 * bridge made (served as a bridged network's from then on). */
	r = vxlan_plan(s, n);
	if (r)
		goto down;
	if (n->spec.mode == SQN_MODE_BRIDGED) {
		if (!if_nametoindex(n->spec.bridged_iface)) {
			r = -errno;
			snprintf(n->error, sizeof(n->error),
				 "no interface named %s",
				 n->spec.bridged_iface);
		}
	} else {
		r = netplane_hold(&n->hold, &n->spec, &port, n->error,
				  sizeof(n->error));
	}
	if (!r) {
		r = vxlan_join(s, n);
		if (r && n->spec.mode != SQN_MODE_BRIDGED)
			netplane_close(&n->hold);
		if (r)
			vxlan_down(n);
	}
down:
	if (r) {
		if (!n->error[0])
			snprintf(n->error, sizeof(n->error), "%s",
				 strerror(-r));
		err("network %s: down: %s", n->conf.name, n->error);
		return r;
	}
	n->up = 1;
	if (n->conf.member) {
		info("network %s: up (VXLAN member of VNI %u, %s, MTU %u)",
		     n->conf.name, n->conf.vni, nets_mode(n->conf.mode),
		     n->spec.mtu);
		return 0;
	}
	if (n->spec.mode == SQN_MODE_BRIDGED) {
		info("network %s: up (bridged on %s)", n->conf.name,
		     n->spec.bridged_iface);
		return 0;
	}
	if (n->conf.vni)
		info("network %s: VXLAN gateway of VNI %u, MTU %u",
		     n->conf.name, n->conf.vni, n->spec.mtu);
	nets_watch(s, n);
	info("network %s: up (%s, %s, dnsmasq pid %ld)", n->conf.name,
	     nets_mode(n->spec.mode), ipv4_format_prefix(gs, &n->spec.gateway),
	     n->dns_pid);
	return 0;
}

/**
 * nets_init() - the networks of the configuration, made
 * @s:		the service; s->cfg read
 * @msg:	set on failure
 * @len:	its size
 *
 * A network that cannot be made is down (logged, shown by status, its
 * attaches refused with the reason and trying it again): the service
 * starts all the same.
 *
 * Return: 0, or -EINVAL for a network the configuration got wrong.
 */
int nets_init(struct serve *s, char *msg, size_t len)
{
	struct serve_net *n;
	unsigned int i;
	int r;

	for (i = 0; i < s->cfg.n_nets; i++) {
		n = &s->nets[i];
		memset(n, 0, sizeof(*n));
		n->w.fd = -1;
		n->stream.kind = SERVE_STREAM_LISTEN;
		n->stream.fd = -1;
		n->stream_net = n;
		n->conf = s->cfg.nets[i];
		/* The spec points into n->conf, which lives as long. */
		r = conf_net_spec(&n->conf, &n->spec, msg, len);
		if (r)
			return r;
		vxlan_spec(n);
		s->n_nets = i + 1;
	}
	vxlan_probe(s);
	if (s->vx_missing[0])
		err("%s: the networks with vxlan-vni stay down", s->vx_missing);
	frr_apply(s);
	for (i = 0; i < s->n_nets; i++)
		nets_up(s, &s->nets[i]);
	return 0;
}

/**
 * nets_down() - undo every network: the last one out (the service, its
 * attachments gone) removes it, dnsmasq and the keeper with it
 * @s:		the service
 *
 * Return: how many networks' bridges are still there (each logged): in
 * use by others, or not removable.
 */
unsigned int nets_down(struct serve *s)
{
	unsigned int i, left = 0;
	struct serve_net *n;

	for (i = 0; i < s->n_nets; i++) {
		n = &s->nets[i];
		if (n->w.fd >= 0) {
			serve_watch_del(s, &n->w);
			close(n->w.fd);
			n->w.fd = -1;
		}
		if (!n->up)
			continue;
		n->up = 0;
		if (n->conf.member)
			vxlan_down(n);
		if (n->spec.mode == SQN_MODE_BRIDGED)
			continue;
		netplane_close(&n->hold);
		vxlan_down(n);
		if (if_nametoindex(n->conf.name)) {
			warn("network %s: left, not removed: its bridge is still there (in use by another program, or it could not be removed)",
			     n->conf.name);
			left++;
			continue;
		}
		info("network %s: removed", n->conf.name);
	}
	return left;
}

/**
 * nets_find() - a network by the name a request gives
 * @s:		the service
 * @name:	its name; "" and "shared" stand for sqn-shared, "host" for
 *		sqn-host
 *
 * Return: the network, or NULL.
 */
struct serve_net *nets_find(struct serve *s, const char *name)
{
	unsigned int i;

	if (!name[0] || !strcmp(name, "shared"))
		name = "sqn-shared";
	else if (!strcmp(name, "host"))
		name = "sqn-host";
	for (i = 0; i < s->n_nets; i++)
		if (!strcmp(s->nets[i].conf.name, name))
			return &s->nets[i];
	return NULL;
}

/**
 * nets_dnsmasq_ended() - the network's dnsmasq has ended: its keeper
 * starts it again (at once, or after a pause when it ended soon after its
 * start), and nets_supervise() sees when
 * @s:		the service
 * @n:		the network
 */
void nets_dnsmasq_ended(struct serve *s, struct serve_net *n)
{
	serve_watch_del(s, &n->w);
	close(n->w.fd);
	n->w.fd = -1;
	warn("network %s: dnsmasq (pid %ld) ended; its keeper starts it again",
	     n->conf.name, n->dns_pid);
	n->dns = SERVE_DNS_RESTARTING;
	n->dns_pid = 0;
	n->dns_down_ms = serve_now_ms();
}

/**
 * nets_supervise() - look for the dnsmasq of each network whose dnsmasq
 * ended; start the network's keeper again if it has gone too
 * @s:		the service
 *
 * Return: how many networks still wait for their dnsmasq (the caller
 * calls again a little later while there are any).
 */
int nets_supervise(struct serve *s)
{
	struct serve_net *n;
	char msg[SVC_ERRMSG_MAX];
	int waiting = 0, r;
	unsigned int i;
	long now;

	for (i = 0; i < s->n_nets; i++) {
		n = &s->nets[i];
		if (!n->up || n->dns != SERVE_DNS_RESTARTING)
			continue;
		nets_watch(s, n);
		if (n->dns == SERVE_DNS_RUNNING) {
			n->keeper_pause_ms = 0;
			info("network %s: dnsmasq started again (pid %ld), %ld ms after it ended",
			     n->conf.name, n->dns_pid,
			     serve_now_ms() - n->dns_down_ms);
			continue;
		}
		waiting++;
		if (netplane_keeper_alive(&n->hold))
			continue;
		/* A keeper that cannot stay (its network's record unreadable,
		 * say) is started again less and less often, not in a loop. */
		now = serve_now_ms();
		if (now < n->keeper_retry_ms)
			continue;
		n->keeper_pause_ms = n->keeper_pause_ms ?
					     n->keeper_pause_ms * 2 :
					     NETS_KEEPER_PAUSE_MS;
		if (n->keeper_pause_ms > NETS_KEEPER_PAUSE_MAX_MS)
			n->keeper_pause_ms = NETS_KEEPER_PAUSE_MAX_MS;
		n->keeper_retry_ms = now + n->keeper_pause_ms;
		warn("network %s: its keeper has gone: starting it again (next time not before %ld s)",
		     n->conf.name, n->keeper_pause_ms / 1000);
		r = netplane_keep(&n->hold, &n->spec, msg, sizeof(msg));
		if (r)
			err("network %s: keeper: %s", n->conf.name, msg);
	}
	return waiting;
}

/**
 * nets_status() - a network, as status shows it
 * @n:		the network
 * @out:	filled
 */
void nets_status(const struct serve_net *n, struct svc_network *out)
{
	const struct ipv4_prefix *g = &n->spec.gateway;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", n->conf.name);
	/* A member: its mode as written (the plane serves it bridged). */
	snprintf(out->mode, sizeof(out->mode), "%s", nets_mode(n->conf.mode));
	if (n->conf.mode != SQN_MODE_BRIDGED) {
		out->has_subnet = 1;
		ipv4_unpack(ipv4_network(g), out->subnet);
		out->prefix_len = (uint32_t)g->len;
		memcpy(out->gateway, g->addr, 4);
	}
	if (n->conf.mode != SQN_MODE_BRIDGED && n->spec.has_v6) {
		out->has_subnet6 = 1;
		memcpy(out->subnet6, n->spec.subnet6.addr, 16);
		ipv6_host(&n->spec.subnet6, 1, out->gateway6);
	}
	snprintf(out->state, sizeof(out->state), "%s", n->up ? "up" : "down");
	if (!n->up)
		snprintf(out->error, sizeof(out->error), "%s", n->error);
	out->dnsmasq_pid = (uint32_t)n->dns_pid;
	snprintf(out->dnsmasq_state, sizeof(out->dnsmasq_state), "%s",
		 !n->up || n->dns == SERVE_DNS_NONE ? "none" :
		 n->dns == SERVE_DNS_RUNNING	    ? "running" :
						      "restarting");
	if (n->up && n->spec.mode == SQN_MODE_SHARED)
		netplane_nat_iface(&n->hold, out->nat_iface);
	out->attachments = n->n_att;
	out->allow_spoofing = n->conf.allow_spoofing;
	snprintf(out->stream_socket, sizeof(out->stream_socket), "%s",
		 n->stream_path);
	/* serve.conf's; one that follows the default route is route.c's */
	if (n->spec.mode == SQN_MODE_SHARED)
		snprintf(out->nat_iface, sizeof(out->nat_iface), "%s",
			 n->conf.nat_iface);
	vxlan_status(n, out);
}
