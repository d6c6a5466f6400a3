// SPDX-License-Identifier: MIT
/* portfwd.c - squib-net serve's fixed addresses and port forwards: an
 * attach's "ip" and "forwards", the forward_add and forward_remove ops
 * (the owner, the ACL's forward right), each made by the network plane
 * (netplane_reserve(), netplane_forward_add()) and gone with the
 * attachment (netplane_close()) */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "forward.h"
#include "log.h"
#include "portfwd.h"
#include "spoof.h"
#include "state.h"

/* @in as the plane takes it; its address points into @in. */
static void portfwd_sqn(const struct svc_forward *in, struct sqn_forward *out)
{
	memset(out, 0, sizeof(*out));
	out->proto = (enum sqn_proto)in->proto;
	out->host_addr = in->addr[0] ? in->addr : NULL;
	out->host_port = in->host_port;
	out->guest_port = in->guest_port;
}

/* @f as a rule's text, for messages and the log. */
static const char *portfwd_text(const struct svc_forward *f,
				char out[FORWARD_STRLEN])
{
	struct sqn_forward sf;

	portfwd_sqn(f, &sf);
	return forward_format(out, &sf);
}

/* What a network allows: a fixed address on shared and host networks,
 * forwards on shared ones. */
static int portfwd_mode(const struct serve_net *n, int forwards, char *msg,
			size_t len)
{
	if (n->spec.mode == SQN_MODE_SHARED ||
	    (n->spec.mode == SQN_MODE_HOST && !forwards))
		return 0;
	snprintf(msg, len, "network %s is %s: %s", n->conf.name,
		 n->spec.mode == SQN_MODE_HOST ? "host-only" : "bridged",
		 forwards ? "no port forwards (shared networks have them)" :
			    "no fixed addresses (its DHCP is not ours)");
	return -EINVAL;
}

/**
 * portfwd_attach_check() - before an attach makes anything: may it have
 * the fixed address and forwards it asks for
 * @s:		the service
 * @peer:	the client
 * @n:		the network
 * @req:	the attach request
 * @msg:	why not
 * @len:	its size
 *
 * Return: 0, -EINVAL (a network without them, no MAC) or -EACCES (the
 * ACL gives no forward right).
 */
int portfwd_attach_check(struct serve *s, const struct acl_peer *peer,
			 const struct serve_net *n,
			 const struct svc_request *req, char *msg, size_t len)
{
	char why[SVC_ERRMSG_MAX];
	int r;

	if (!req->ip[0] && !req->n_fwd)
		return 0;
	r = portfwd_mode(n, req->n_fwd > 0, msg, len);
	if (r)
		return r;
	/* The reservation is for the guest's MAC: one the service made up
	 * might not be the one the guest uses. */
	if (!req->has_mac) {
		snprintf(msg, len,
			 "a fixed address or forwards need the guest's mac");
		return -EINVAL;
	}
	if (req->n_fwd &&
	    acl_check_forward(s->acl, peer, n->conf.name, why, sizeof(why))) {
		snprintf(msg, len, "%s", why);
		return -EACCES;
	}
	return 0;
}

/* The guest's fixed address: @want, or when none is asked the one it has
 * leased now (its forwards reach it at once, no new lease needed), else
 * one of the pool. Kept: one it has already. */
static int portfwd_reserve(struct serve_att *a, const char *want, char *msg,
			   size_t len)
{
	struct svc_attach *f = &a->facts;
	char now[16] = "";
	int r;

	if (f->fixed_ip[0] && (!want[0] || !strcmp(want, f->fixed_ip)))
		return 0;
	if (!want[0] &&
	    !netplane_lease(&a->np, spoof_mac(a), now, sizeof(now)) &&
	    !netplane_reserve(&a->np, spoof_mac(a), now, f->fixed_ip, msg, len))
		return 0;
	r = netplane_reserve(&a->np, spoof_mac(a), want, f->fixed_ip, msg, len);
	if (r)
		f->fixed_ip[0] = '\0';
	return r;
}

/* The lowest port a process without CAP_NET_BIND_SERVICE may bind in the
 * service's namespace (1024 when it cannot be read). */
static unsigned int portfwd_unprivileged_start(void)
{
	unsigned int port = 1024;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");

	if (f) {
		if (fscanf(f, "%u", &port) != 1)
			port = 1024;
		fclose(f);
	}
	return port;
}

/* One more forward of @a's, to its fixed address, asked for by @who. A
 * forward catches a host port as binding it would, so a uid other than
 * root may not forward one it could not bind (a privileged port: sshd's
 * or a web server's, free for a moment while it restarts). */
static int portfwd_add(struct serve_att *a, const struct svc_forward *f,
		       uid_t who, char *msg, size_t len)
{
	struct svc_attach *x = &a->facts;
	unsigned int low = portfwd_unprivileged_start();
	struct sqn_forward sf;
	int r;

	if (who && f->host_port < low) {
		snprintf(
			msg, len,
			"host port %u is privileged (below %u, ip_unprivileged_port_start): only root may forward it",
			(unsigned int)f->host_port, low);
		return -EACCES;
	}
	if (x->n_fwd >= SVC_FORWARDS_MAX) {
		snprintf(msg, len, "attachment %u has %d forwards, the most",
			 a->id, SVC_FORWARDS_MAX);
		return -ENOSPC;
	}
	portfwd_sqn(f, &sf);
	r = netplane_forward_add(&a->np, &sf, x->fixed_ip, msg, len);
	if (!r)
		x->fwd[x->n_fwd++] = *f;
	return r;
}

/**
 * portfwd_attach() - an attach's fixed address and forwards, once its TAP
 * is made (portfwd_attach_check() said yes)
 * @a:		the attachment
 * @req:	the attach request
 * @msg:	why not
 * @len:	its size
 *
 * Return: 0 or a negative errno; what was made goes with the attachment's
 * netplane_close().
 */
int portfwd_attach(struct serve_att *a, const struct svc_request *req,
		   char *msg, size_t len)
{
	char text[FORWARD_STRLEN], why[SVC_ERRMSG_MAX];
	unsigned int i;
	int r;

	if (!req->ip[0] && !req->n_fwd)
		return 0;
	r = portfwd_reserve(a, req->ip, msg, len);
	for (i = 0; !r && i < req->n_fwd; i++) {
		r = portfwd_add(a, &req->fwd[i], a->uid, why, sizeof(why));
		if (r)
			snprintf(msg, len, "forward %s: %s",
				 portfwd_text(&req->fwd[i], text), why);
	}
	return r;
}

/* The index of @a's forward that @f names (protocol, address, host
 * port), or -1. */
static int portfwd_find(const struct serve_att *a, const struct svc_forward *f)
{
	unsigned int i;

	for (i = 0; i < a->facts.n_fwd; i++)
		if (a->facts.fwd[i].proto == f->proto &&
		    a->facts.fwd[i].host_port == f->host_port &&
		    !strcmp(a->facts.fwd[i].addr, f->addr))
			return (int)i;
	return -1;
}

/* forward_remove of @a's forward @f (its text, the one removed, in
 * @text). */
static int portfwd_remove(struct serve_att *a, const struct svc_forward *f,
			  char text[FORWARD_STRLEN], char *msg, size_t len)
{
	struct svc_attach *x = &a->facts;
	struct sqn_forward sf;
	int i = portfwd_find(a, f), r;

	if (i < 0) {
		snprintf(msg, len, "attachment %u has no such forward", a->id);
		return -ENOENT;
	}
	portfwd_sqn(&x->fwd[i], &sf);
	forward_format(text, &sf);
	r = netplane_forward_remove(&a->np, &sf, msg, len);
	if (r && r != -ENOENT)
		return r;
	x->n_fwd--;
	memmove(&x->fwd[i], &x->fwd[i + 1],
		(x->n_fwd - (unsigned int)i) * sizeof(x->fwd[0]));
	return 0;
}

/* The attachment a forward request names, if the client may change it
 * (else refused, NULL). */
static struct serve_att *portfwd_target(struct serve *s, struct serve_conn *c,
					const struct svc_request *req,
					char *why, size_t len)
{
	char msg[SVC_ERRMSG_MAX];
	struct serve_att *a;

	for (a = s->atts; a && a->id != req->id; a = a->next)
		;
	if (!a) {
		conn_refuse(s, c, req, ENOENT, "no attachment %u", req->id);
		return NULL;
	}
	if (c->peer.uid && c->peer.uid != a->uid) {
		conn_refuse(
			s, c, req, EPERM,
			"attachment %u is uid %u's: only it or root may change its forwards",
			a->id, (unsigned int)a->uid);
		return NULL;
	}
	if (acl_check_forward(s->acl, &c->peer, a->net->conf.name, why, len)) {
		conn_refuse(s, c, req, EACCES, "%s", why);
		return NULL;
	}
	if (portfwd_mode(a->net, 1, msg, sizeof(msg))) {
		conn_refuse(s, c, req, EINVAL, "%s", msg);
		return NULL;
	}
	return a;
}

/**
 * portfwd_request() - forward_add or forward_remove: by the uid that made
 * the attachment (or root), with the ACL's forward right on its network
 * @s:		the service
 * @c:		the client's connection
 * @req:	the request (one forward)
 */
void portfwd_request(struct serve *s, struct serve_conn *c,
		     const struct svc_request *req)
{
	char why[SVC_ERRMSG_MAX], msg[SVC_ERRMSG_MAX], text[FORWARD_STRLEN];
	int add = req->op == SVC_OP_FORWARD_ADD, r;
	struct svc_reply rep = { 0 };
	struct serve_att *a;

	a = portfwd_target(s, c, req, why, sizeof(why));
	if (!a)
		return;
	portfwd_text(&req->fwd[0], text);
	if (add) {
		r = portfwd_reserve(a, "", msg, sizeof(msg));
		if (!r)
			r = portfwd_add(a, &req->fwd[0], c->peer.uid, msg,
					sizeof(msg));
	} else {
		r = portfwd_remove(a, &req->fwd[0], text, msg, sizeof(msg));
	}
	if (r) {
		conn_refuse(s, c, req, -r, "forward %s: %s", text, msg);
		return;
	}
	info("uid %u pid %d: attachment %u on %s: forward %s %s %s %s (%s)",
	     (unsigned int)c->peer.uid, (int)c->peer.pid, a->id,
	     a->net->conf.name, text, add ? "to" : "from", a->facts.fixed_ip,
	     add ? "added" : "removed", why);
	state_save(s);
	conn_reply(s, c, req, &rep, -1);
}
