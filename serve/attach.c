// SPDX-License-Identifier: MIT
/* attach.c - squib-net serve's attachments: the ACL asked, a TAP made on
 * the network's bridge with the library's plane, its fd sent to the
 * client, and the TAP removed when its connection, process or parent ends */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attach.h"
#include "config.h"
#include "conn.h"
#include "holder.h"
#include "ipv4.h"
#include "ipv6.h"
#include "log.h"
#include "named.h"
#include "nets.h"
#include "portfwd.h"
#include "relay.h"
#include "spoof.h"
#include "state.h"
#include "sys/sys.h"
#include "sys/tap.h"

/* The virtio_net_hdr with num_buffers, as QEMU and vhost-net use it. */
#define ATTACH_VNET_HDR_LEN 12

static const char *const attach_holds[] = { "connection", "process", "parent" };

/**
 * attach_net_facts() - the facts of the reply that are the attachment's
 * and its network's: id, network, mode, TAP, subnet, gateway, DNS, uid,
 * pid, label
 * @a:		the attachment
 */
void attach_net_facts(struct serve_att *a)
{
	const struct net_spec *spec = &a->net->spec;
	struct svc_attach *f = &a->facts;

	f->id = a->id;
	snprintf(f->network, sizeof(f->network), "%s", a->net->conf.name);
	/* A VXLAN member's mode and subnet are the network's as written:
	 * the plane serves it as bridged, the gateway host's DHCP and
	 * gateway address are its guests'. */
	snprintf(f->mode, sizeof(f->mode), "%s", nets_mode(a->net->conf.mode));
	snprintf(f->tap, sizeof(f->tap), "%s", a->np.link);
	if (a->net->conf.mode != SQN_MODE_BRIDGED) {
		f->has_subnet = 1;
		ipv4_unpack(ipv4_network(&spec->gateway), f->subnet);
		f->prefix_len = (uint32_t)spec->gateway.len;
		memcpy(f->gateway, spec->gateway.addr, 4);
		memcpy(f->dns, spec->gateway.addr, 4);
	}
	if (a->net->conf.mode != SQN_MODE_BRIDGED && spec->has_v6) {
		f->has_subnet6 = 1;
		memcpy(f->subnet6, spec->subnet6.addr, 16);
		ipv6_host(&spec->subnet6, 1, f->gateway6);
	}
	f->uid = a->uid;
	f->pid = (uint32_t)a->pid;
	snprintf(f->label, sizeof(f->label), "%s", a->label);
}

/* The TAP's facts for the reply: its MAC, MTU, header and offloads. */
static int attach_facts(struct serve_att *a, const struct svc_request *req)
{
	struct svc_attach *f = &a->facts;
	const uint32_t all = SQN_OFFLOAD_CSUM | SQN_OFFLOAD_TSO4 |
			     SQN_OFFLOAD_TSO6 | SQN_OFFLOAD_USO;
	struct sys_tap_info ti;
	struct sys_tap_link l;
	int r;

	r = sys_tap_query(a->np.fd, &ti);
	if (!r)
		r = sys_tap_link(&ti, &l);
	if (r)
		return r;
	attach_net_facts(a);
	if (!a->np.macvtap)
		memcpy(f->host_mac, ti.mac, 6);
	f->mtu = l.mtu;
	if (ti.vnet_hdr) {
		r = sys_tap_set_vnet_hdr_len(a->np.fd, ATTACH_VNET_HDR_LEN);
		if (r)
			return r;
		f->vnet_hdr_len = ATTACH_VNET_HDR_LEN;
		/* What the kernel takes (USO from 6.2), then none until the
		 * VMM says what it handles. */
		if (!sys_tap_set_offloads(a->np.fd, all))
			f->offloads = all;
		else if (!sys_tap_set_offloads(a->np.fd,
					       all & ~SQN_OFFLOAD_USO))
			f->offloads = all & ~SQN_OFFLOAD_USO;
		sys_tap_set_offloads(a->np.fd, 0);
	}
	(void)req; /* a->label is req's */
	return 0;
}

/* Put @a on the service's list, its port held to its MAC and address
 * (spoof.c), and watch its holder. */
static int attach_link(struct serve *s, struct serve_att *a)
{
	int r = spoof_port_add(s, a);

	if (r)
		return r;
	if (a->w.fd >= 0 && serve_watch_add(s, &a->w, EPOLLIN)) {
		r = -errno;
		spoof_port_remove(s, a);
		return r;
	}
	a->next = s->atts;
	if (s->atts)
		s->atts->prev = a;
	s->atts = a;
	s->n_atts++;
	a->net->n_att++;
	return 0;
}

/**
 * attach_remove() - an attachment goes: its relay, its TAP and entry, its
 * holder's watch
 * @s:		the service
 * @a:		the attachment, freed
 * @why:	for the log
 */
void attach_remove(struct serve *s, struct serve_att *a, const char *why)
{
	info("attachment %u (uid %u, %s on %s) removed: %s", a->id,
	     (unsigned int)a->uid, a->np.link, a->net->conf.name, why);
	relay_close(s, a);
	spoof_port_remove(s, a);
	netplane_close(&a->np);
	if (a->w.fd >= 0) {
		serve_watch_del(s, &a->w);
		close(a->w.fd);
	}
	if (a->prev)
		a->prev->next = a->next;
	else
		s->atts = a->next;
	if (a->next)
		a->next->prev = a->prev;
	s->n_atts--;
	a->net->n_att--;
	free(a);
	state_save(s);
}

/* How many attachments uid @uid has. */
static unsigned int attach_count(const struct serve *s, uid_t uid)
{
	const struct serve_att *a;
	unsigned int n = 0;

	for (a = s->atts; a; a = a->next)
		n += a->uid == uid;
	return n;
}

/* Checks before anything is made, for an attach or a stream connection
 * of @peer to network @n: the ACL (the rule that allowed it in @why), the
 * limit, the network up. @why and @msg have @len bytes each. Return: 0,
 * or a negative errno and @msg. */
static int attach_check(struct serve *s, const struct acl_peer *peer,
			struct serve_net *n, char *why, char *msg, size_t len)
{
	unsigned int max = ACL_UNLIMITED, have;

	if (acl_check(s->acl, peer, n->conf.name, &max, why, len)) {
		snprintf(msg, len, "%s", why);
		return -EACCES;
	}
	have = attach_count(s, peer->uid);
	if (max == ACL_UNLIMITED && peer->uid &&
	    have >= SERVE_ATT_DEFAULT_MAX) {
		snprintf(
			msg, len,
			"uid %u has %u attachments, the most it may have (the default when the ACL sets no max-attachments for it)",
			(unsigned int)peer->uid, have);
		return -EDQUOT;
	}
	if (max != ACL_UNLIMITED && have >= max) {
		snprintf(msg, len,
			 "uid %u has %u attachments, the most it may have (%s)",
			 (unsigned int)peer->uid, have, why);
		return -EDQUOT;
	}
	if (!n->up && nets_up(s, n)) {
		snprintf(msg, len, "network %s is down: %s", n->conf.name,
			 n->error);
		return -ENETDOWN;
	}
	return 0;
}

/* Checks before anything is made: the network, the ACL, the limit. */
static struct serve_net *attach_allowed(struct serve *s, struct serve_conn *c,
					const struct svc_request *req,
					char why[SVC_ERRMSG_MAX])
{
	struct serve_net *n = nets_find(s, req->network);
	char msg[SVC_ERRMSG_MAX];
	int r;

	if (!n) {
		conn_refuse(s, c, req, ENOENT,
			    "no network %s (squib-net status lists them)",
			    req->network);
		return NULL;
	}
	r = attach_check(s, &c->peer, n, why, msg, sizeof(msg));
	if (!r)
		r = portfwd_attach_check(s, &c->peer, n, req, msg, sizeof(msg));
	if (r) {
		conn_refuse(s, c, req, -r, "%s", msg);
		return NULL;
	}
	return n;
}

/* The attachment of network @n whose guest has @mac, or NULL. */
static const struct serve_att *attach_mac_owner(const struct serve *s,
						const struct serve_net *n,
						const uint8_t mac[6])
{
	const struct serve_att *a;

	for (a = s->atts; a; a = a->next)
		if (a->net == n && !memcmp(a->facts.guest_mac, mac, 6))
			return a;
	return NULL;
}

/* The guest's MAC: the one asked for, or a random locally administered
 * unicast one; never one another guest of the network has (two would
 * confuse the bridge and dnsmasq's leases). */
static int attach_mac(const struct serve *s, const struct serve_net *n,
		      const struct svc_request *req, uint8_t mac[6], char *msg,
		      size_t len)
{
	const struct serve_att *o;
	int r, tries = 0;

	if (req->has_mac) {
		memcpy(mac, req->mac, 6);
		r = config_check_mac(mac, msg, len);
		o = r ? NULL : attach_mac_owner(s, n, mac);
		if (o) {
			snprintf(
				msg, len,
				"mac %02x:%02x:%02x:%02x:%02x:%02x is attachment %u's on network %s already",
				mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
				o->id, n->conf.name);
			return -EADDRINUSE;
		}
		return r;
	}
	do {
		r = sys_random(mac, 6);
		if (r) {
			snprintf(msg, len, "no random bytes: %s", strerror(-r));
			return r;
		}
		mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
	} while (attach_mac_owner(s, n, mac) && ++tries < 8);
	return 0;
}

/* The holder of an attachment that outlives its connection. */
static int attach_holder(struct serve_att *a, struct serve_conn *c,
			 enum svc_hold hold, char *msg, size_t len)
{
	a->w.kind = SERVE_HOLDER;
	a->w.fd = -1;
	if (hold == SVC_HOLD_CONNECTION) {
		a->conn = c;
		return 0;
	}
	if (hold == SVC_HOLD_PROCESS) {
		a->holder = c->peer.pid;
		a->w.fd = holder_peer_pidfd(c, msg, len);
	} else {
		a->w.fd = holder_parent_pidfd(c, &a->holder, msg, len);
	}
	return a->w.fd < 0 ? a->w.fd : 0;
}

/* The attachment's TAP, made and checked against the request, and the
 * attachment on the service's list. */
static int attach_make(struct serve *s, struct serve_att *a,
		       const struct svc_request *req, char *msg, size_t len)
{
	struct netplane_port port = { NULL, { 0 }, SERVE_LOCK_MS };
	char id[16];
	int r;

	/* sqn-t<id>: unique in the service; the plane takes the next free
	 * sqn-t<id>-N should another have it. */
	snprintf(id, sizeof(id), "t%u", a->id);
	port.iface_id = id;
	memcpy(port.guest_mac, a->facts.guest_mac, 6);
	if (a->kind == SVC_KIND_NAMED)
		r = named_attach(a, &port, req->vnet_hdr, msg, len);
	else
		r = netplane_attach(&a->np, &a->net->spec, &port, req->vnet_hdr,
				    msg, len);
	if (r)
		return r;
	r = attach_facts(a, req);
	if (r)
		snprintf(msg, len, "TAP %s: %s", a->np.link, strerror(-r));
	if (!r && req->mtu && req->mtu != a->facts.mtu) {
		r = -EINVAL;
		snprintf(msg, len, "mtu %u asked for; network %s has %u",
			 req->mtu, a->net->conf.name, a->facts.mtu);
	}
	if (!r)
		r = portfwd_attach(a, req, msg, len);
	if (!r) {
		r = attach_link(s, a);
		if (r)
			snprintf(msg, len, "TAP %s: %s (see the log)",
				 a->np.link, strerror(-r));
	}
	if (r)
		netplane_close(&a->np);
	return r;
}

/* The log line of a new attachment. */
static void attach_log(const struct serve_conn *c, const struct serve_att *a,
		       const char *why)
{
	const uint8_t *m = a->facts.guest_mac;
	char holder[24] = "";

	if (a->holder)
		snprintf(holder, sizeof(holder), " of pid %d", (int)a->holder);
	info("uid %u pid %d: attachment %u on %s: %s, guest MAC %02x:%02x:%02x:%02x:%02x:%02x, hold %s%s, label \"%s\" (%s)",
	     (unsigned int)c->peer.uid, (int)c->peer.pid, a->id,
	     a->net->conf.name, a->np.link, m[0], m[1], m[2], m[3], m[4], m[5],
	     attach_holds[a->hold], holder, a->label, why);
}

/* Kind dgram: a datagram socketpair, one end relayed to the TAP made for
 * @a, the other the reply's. */
static void attach_dgram(struct serve *s, struct serve_conn *c,
			 const struct svc_request *req, struct serve_att *a,
			 const char *why)
{
	struct svc_reply rep = { 0 };
	char msg[SVC_ERRMSG_MAX];
	int sv[2] = { -1, -1 }, r;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv)) {
		r = -errno;
		snprintf(msg, sizeof(msg), "socketpair: %s", strerror(errno));
	} else {
		r = relay_open(s, a, sv[0], 1, msg, sizeof(msg));
		close(sv[0]);
	}
	if (r) {
		if (sv[1] >= 0)
			close(sv[1]);
		attach_remove(s, a, msg);
		conn_refuse(s, c, req, -r, "%s", msg);
		return;
	}
	attach_log(c, a, why);
	state_save(s);
	/* No virtio_net_hdr on the socket: the relay takes the TAP's. */
	rep.attach = a->facts;
	rep.attach.vnet_hdr_len = 0;
	rep.attach.offloads = 0;
	conn_reply(s, c, req, &rep, sv[1]);
	close(sv[1]);
}

/**
 * attach_stream() - an attachment for a connection to network @n's stream
 * socket: checked as an attach (ACL, limits), a TAP made and relayed to
 * the connection; it lives as long as the connection
 * @s:		the service
 * @n:		the network
 * @peer:	who connected (SO_PEERCRED)
 * @fd:		the connection; the caller keeps (and closes) it: the relay
 *		has a duplicate
 * @label:	for status (the client's name)
 * @msg:	set on failure
 * @len:	its size
 *
 * Return: 0, or a negative errno (nothing made).
 */
int attach_stream(struct serve *s, struct serve_net *n,
		  const struct acl_peer *peer, int fd, const char *label,
		  char *msg, size_t len)
{
	struct svc_request req = { .op = SVC_OP_ATTACH,
				   .vnet_hdr = 1,
				   .kind = SVC_KIND_STREAM };
	char why[SVC_ERRMSG_MAX];
	struct serve_att *a;
	int r;

	r = attach_check(s, peer, n, why, msg, len);
	if (r)
		return r;
	a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(msg, len, "out of memory");
		return -ENOMEM;
	}
	snprintf(req.label, sizeof(req.label), "%s", label);
	a->w.fd = a->np.fd = a->np.entry_fd = -1;
	a->w.kind = SERVE_HOLDER;
	a->id = s->next_id++;
	a->net = n;
	a->hold = SVC_HOLD_CONNECTION;
	a->kind = SVC_KIND_STREAM;
	a->uid = peer->uid;
	a->pid = peer->pid;
	snprintf(a->label, sizeof(a->label), "%s", label);
	r = attach_mac(s, n, &req, a->facts.guest_mac, msg, len);
	if (!r)
		r = attach_make(s, a, &req, msg, len);
	if (r) {
		free(a);
		return r;
	}
	r = relay_open(s, a, fd, 0, msg, len);
	if (r) {
		attach_remove(s, a, msg);
		return r;
	}
	info("uid %u pid %d: attachment %u on %s: %s, stream connection, label \"%s\" (%s)",
	     (unsigned int)peer->uid, (int)peer->pid, a->id, n->conf.name,
	     a->np.link, a->label, why);
	state_save(s);
	return 0;
}

/**
 * attach_request() - an attach: checked, made, answered with the TAP's fd
 * (or, kind named, its name alone)
 * @s:		the service
 * @c:		the client's connection
 * @req:	the request
 */
void attach_request(struct serve *s, struct serve_conn *c,
		    const struct svc_request *req)
{
	char why[SVC_ERRMSG_MAX], msg[SVC_ERRMSG_MAX];
	struct svc_reply rep = { 0 };
	struct serve_att *a;
	struct serve_net *n;
	int r;

	n = attach_allowed(s, c, req, why);
	if (!n)
		return;
	a = calloc(1, sizeof(*a));
	if (!a) {
		conn_refuse(s, c, req, ENOMEM, "out of memory");
		return;
	}
	a->w.fd = a->np.fd = a->np.entry_fd = -1;
	a->id = s->next_id++;
	a->net = n;
	a->hold = req->hold;
	a->kind = req->kind;
	a->mac_asked = req->has_mac;
	a->uid = c->peer.uid;
	a->pid = c->peer.pid;
	snprintf(a->label, sizeof(a->label), "%s", req->label);
	r = attach_mac(s, n, req, a->facts.guest_mac, msg, sizeof(msg));
	if (!r)
		r = attach_holder(a, c, req->hold, msg, sizeof(msg));
	if (!r)
		r = attach_make(s, a, req, msg, sizeof(msg));
	if (r) {
		if (a->w.fd >= 0)
			close(a->w.fd);
		free(a);
		conn_refuse(s, c, req, -r, "%s", msg);
		return;
	}
	if (a->kind == SVC_KIND_DGRAM) {
		attach_dgram(s, c, req, a, why);
		return;
	}
	attach_log(c, a, why);
	state_save(s);
	rep.attach = a->facts;
	/* The service keeps its own descriptor (netplane_close() closes it):
	 * a TAP goes with its last descriptor, and the attachment's TAP must
	 * live as long as the attachment, whatever the client does with its
	 * copy (a bridge helper passes it on to QEMU and ends). A named TAP
	 * is persistent and goes without one (named.c). */
	conn_reply(s, c, req, &rep, named_reply_fd(a));
}

/**
 * attach_detach() - a detach: only by the uid that made it, or root
 * @s:		the service
 * @c:		the client's connection
 * @req:	the request
 */
void attach_detach(struct serve *s, struct serve_conn *c,
		   const struct svc_request *req)
{
	struct svc_reply rep = { 0 };
	struct serve_att *a;
	char why[64];

	for (a = s->atts; a && a->id != req->id; a = a->next)
		;
	if (!a) {
		conn_refuse(s, c, req, ENOENT, "no attachment %u", req->id);
		return;
	}
	if (c->peer.uid && c->peer.uid != a->uid) {
		conn_refuse(
			s, c, req, EPERM,
			"attachment %u is uid %u's: only it or root may detach it",
			a->id, (unsigned int)a->uid);
		return;
	}
	snprintf(why, sizeof(why), "detached by uid %u pid %d",
		 (unsigned int)c->peer.uid, (int)c->peer.pid);
	attach_remove(s, a, why);
	conn_reply(s, c, req, &rep, -1);
}

/**
 * attach_conn_gone() - a connection ends: the attachments held by it go
 * @s:		the service
 * @c:		the connection
 */
void attach_conn_gone(struct serve *s, struct serve_conn *c)
{
	struct serve_att *a, *next;

	for (a = s->atts; a; a = next) {
		next = a->next;
		if (a->conn == c)
			attach_remove(s, a, "its connection closed");
	}
}

/**
 * attach_holder_ended() - the process (or parent) an attachment lives as
 * long as has ended
 * @s:		the service
 * @a:		the attachment, removed
 */
void attach_holder_ended(struct serve *s, struct serve_att *a)
{
	char why[64];

	snprintf(why, sizeof(why), "its %s, pid %d, ended",
		 a->hold == SVC_HOLD_PARENT ? "parent" : "process",
		 (int)a->holder);
	attach_remove(s, a, why);
}

/**
 * attach_remove_all() - every attachment goes (the service stops)
 * @s:		the service
 */
void attach_remove_all(struct serve *s)
{
	while (s->atts)
		attach_remove(s, s->atts, "the service stops");
}

/**
 * attach_adopt() - an attachment a killed service left, adopted
 * (state.c): on the service's list, its holder watched
 * @s:		the service
 * @a:		the attachment, its TAP and entry adopted
 *
 * Return: 0 or a negative errno.
 */
int attach_adopt(struct serve *s, struct serve_att *a)
{
	return attach_link(s, a);
}
