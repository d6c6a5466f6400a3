// SPDX-License-Identifier: MIT
/* svcclient.c - the client of squib-net serve: one attach exchange on its control socket, and the backend that runs the TAP it hands over */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipv4.h"
#include "net.h"
#include "sockpeer.h"
#include "svcclient.h"
#include "svcproto.h"
#include "tap.h"

/* Errors of the kernel are below this; a reply's errno above it is not
 * one (include/linux/err.h's MAX_ERRNO). */
#define SVCCLIENT_ERRNO_MAX 4095

static int svcclient_fail(struct svcclient *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int svcclient_fail(struct svcclient *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return err;
}

/* What a failed connect means to the user: no service (start one), or
 * one that is not theirs to use. */
static int svcclient_connect_failed(struct svcclient *c, int err)
{
	switch (err) {
	case -ENOENT:
		return svcclient_fail(
			c, err,
			"%s: no such socket: start `squib-net serve` (or name its socket in SQN_SERVICE)",
			c->path);
	case -ECONNREFUSED:
		return svcclient_fail(
			c, err,
			"%s: nobody listens there (connection refused): start `squib-net serve`",
			c->path);
	case -EACCES:
		return svcclient_fail(
			c, err,
			"%s: permission denied: the service lets its group in (squib-net serve --group)",
			c->path);
	case -ETIMEDOUT:
		return svcclient_fail(
			c, err,
			"%s: the service did not accept the connection within %u ms: is it stuck?",
			c->path, c->connect_ms);
	case -ENAMETOOLONG:
		return svcclient_fail(c, err,
				      "%s: too long for a unix socket address",
				      c->path);
	default:
		return svcclient_fail(c, err, "%s: %s", c->path,
				      strerror(-err));
	}
}

/* The service closed the connection before it answered: what it does to
 * a connection past its limits (its log says which). */
#define SVCCLIENT_REFUSED \
	"%s: the service refused the connection (closed it without an answer: too many connections, or it is out of descriptors; its log says why)"

/* One document out, waiting for room until @deadline. */
static int svcclient_send(struct svcclient *c, const char *buf, size_t len,
			  long long deadline)
{
	int r;

	while ((r = svc_send(c->conn, buf, len, -1)) == -EAGAIN) {
		r = sockpeer_wait(c->conn, POLLOUT, deadline);
		if (r)
			break;
	}
	if (r == -ETIMEDOUT)
		return svcclient_fail(
			c, r,
			"%s: the service took no request within %u ms: is it stuck?",
			c->path, c->reply_ms);
	if (r == -EPIPE || r == -ECONNRESET)
		return svcclient_fail(c, -ECONNRESET, SVCCLIENT_REFUSED,
				      c->path);
	if (r)
		return svcclient_fail(c, r, "%s: sending the request: %s",
				      c->path, strerror(-r));
	return 0;
}

/* One document in (and the fd with it), waiting until @deadline. */
static ssize_t svcclient_recv(struct svcclient *c, char *buf, size_t size,
			      long long deadline)
{
	ssize_t n;
	int r;

	for (;;) {
		c->tap = -1;
		n = svc_recv(c->conn, buf, size, &c->tap);
		if (n != -EAGAIN && n != -EINTR)
			break;
		r = sockpeer_wait(c->conn, POLLIN, deadline);
		if (r == -ETIMEDOUT)
			return svcclient_fail(
				c, r,
				"%s: the service did not answer within %u ms (connect_timeout_ms): is it stuck?",
				c->path, c->reply_ms);
		if (r)
			return svcclient_fail(c, r, "%s: %s", c->path,
					      strerror(-r));
	}
	if (!n || n == -ECONNRESET)
		return svcclient_fail(c, -ECONNRESET, SVCCLIENT_REFUSED,
				      c->path);
	if (n == -EMSGSIZE || n == -EPROTO)
		return svcclient_fail(
			c, -EPROTO,
			"%s: the service's answer is not of its protocol (%s)",
			c->path,
			n == -EMSGSIZE ? "longer than a document may be" :
					 "more than one descriptor with it");
	if (n < 0)
		return svcclient_fail(c, (int)n, "%s: receiving the answer: %s",
				      c->path, strerror((int)-n));
	return n;
}

/* The reply in @buf: the attachment, a refusal, or garbage; a named TAP's
 * comes without a descriptor (@kind). */
static int svcclient_reply(struct svcclient *c, const char *buf, size_t len,
			   enum svc_kind kind)
{
	struct svc_reply reply;
	char why[SVC_ERRMSG_MAX];

	memset(&reply, 0, sizeof(reply));
	if (svc_reply_decode(SVC_OP_ATTACH, buf, len, &reply, why, sizeof(why)))
		return svcclient_fail(
			c, -EPROTO,
			"%s: the service's answer is not of its protocol: %s",
			c->path, why);
	if (reply.err <= 0 || reply.err > SVCCLIENT_ERRNO_MAX) {
		if (reply.err)
			return svcclient_fail(
				c, -EPROTO,
				"%s: the service refused with errno %d, which is none",
				c->path, reply.err);
	} else {
		/* The service's words, as it said them. */
		c->refused = 1;
		if (reply.message[0])
			return svcclient_fail(c, -reply.err, "%s",
					      reply.message);
		return svcclient_fail(c, -reply.err, "the service refused: %s",
				      strerror(reply.err));
	}
	if (c->tap >= 0 && kind == SVC_KIND_NAMED) {
		/* Not of the protocol, and of no use: the TAP is opened by
		 * its name. */
		close(c->tap);
		c->tap = -1;
	}
	if (c->tap < 0 && kind != SVC_KIND_NAMED)
		return svcclient_fail(
			c, -EPROTO,
			"%s: the service's answer came without the TAP's descriptor",
			c->path);
	c->att = reply.attach;
	return 0;
}

/**
 * svcclient_attach() - connect to the service, ask for an attachment and
 * take its TAP
 * @c:		@path, @connect_ms and @reply_ms set; the rest is filled
 * @req:	the attach request
 *
 * The connect never blocks past @connect_ms (sockpeer_connect()), and
 * the reply is waited for at most @reply_ms after that. On success the
 * caller owns @c->conn and @c->tap (svcclient_close() closes both); for a
 * named TAP (@req->kind SVC_KIND_NAMED) @c->tap is -1 and @c->att.tap
 * names it.
 *
 * Return: 0; the connect's negative errno (-ENOENT: no socket there,
 * -ECONNREFUSED: nobody listens, -EACCES, -ETIMEDOUT) with a message
 * that says to start squib-net serve and names @path; the service's
 * errno with its message as it is (@refused set); -ETIMEDOUT when it
 * does not answer in time; -EPROTO for an answer that is not of the
 * protocol or an attachment without a descriptor; -ECONNRESET when it
 * hangs up without one. Nothing is left open on failure.
 */
int svcclient_attach(struct svcclient *c, const struct svc_request *req)
{
	long long deadline;
	char *buf;
	ssize_t n;
	int r, fl;

	c->conn = c->tap = -1;
	c->refused = 0;
	c->msg[0] = '\0';
	/* Not on the stack: a VMM's threads may have small ones. */
	buf = malloc(SVC_MSG_MAX + 1);
	if (!buf)
		return svcclient_fail(c, -ENOMEM, "out of memory");
	r = svc_request_encode(req, buf, SVC_MSG_MAX);
	if (r < 0) {
		svcclient_fail(c, r, "the request cannot be sent: %s",
			       strerror(-r));
		goto out;
	}
	n = r;
	r = sockpeer_connect(c->path, SOCK_SEQPACKET, c->connect_ms);
	if (r < 0) {
		svcclient_connect_failed(c, r);
		goto out;
	}
	c->conn = r;
	fl = fcntl(c->conn, F_GETFL);
	if (fl < 0 || fcntl(c->conn, F_SETFL, fl | O_NONBLOCK)) {
		r = svcclient_fail(c, -errno, "%s: O_NONBLOCK: %s", c->path,
				   strerror(errno));
		goto out;
	}
	deadline = sockpeer_now_ms() + c->reply_ms;
	r = svcclient_send(c, buf, (size_t)n, deadline);
	if (r)
		goto out;
	n = svcclient_recv(c, buf, SVC_MSG_MAX + 1, deadline);
	if (n < 0) {
		r = (int)n;
		goto out;
	}
	r = svcclient_reply(c, buf, (size_t)n, req->kind);
out:
	free(buf);
	if (r)
		svcclient_close(c);
	return r;
}

/**
 * svcclient_close() - close the connection (which ends an attachment of
 * hold "connection") and the TAP's descriptor, those still open
 * @c:		after svcclient_attach()
 */
void svcclient_close(struct svcclient *c)
{
	if (c->tap >= 0)
		close(c->tap);
	if (c->conn >= 0)
		close(c->conn);
	c->tap = c->conn = -1;
}

/* The backend: shared, host and bridged through the service. */

static size_t svcclient_pool_size(const struct sqn_net *net)
{
	return pool_round(sizeof(struct svcclient)) + tap_ops.pool_size(net);
}

/* The service's network decides these; a caller that set one expects
 * what the service may not give. */
static int svcclient_check(const struct sqn_config *cfg, struct net_params *p,
			   char *msg, size_t msglen)
{
	const char *field = cfg->subnet		   ? "subnet" :
			    cfg->subnet6	   ? "subnet6" :
			    cfg->nat_iface	   ? "nat_iface" :
			    cfg->dns_upstream	   ? "dns_upstream" :
			    cfg->dns_hosts	   ? "dns_hosts" :
			    cfg->disable_isolation ? "disable_isolation" :
						     NULL;

	if (!field)
		return 0;
	snprintf(
		msg, msglen,
		"%s: the service's network decides it (squib-net serve's configuration); leave it unset when attaching through the service (%s)",
		field,
		p->service_path ? "service_path is set" :
				  "this process has no CAP_NET_ADMIN");
	return -EINVAL;
}

/* Why the service was asked, before what went wrong. */
static int svcclient_open_failed(struct sqn_net *net, struct svcclient *c,
				 int r)
{
	const char *mode = sqn_mode_name(net->p.net.mode);

	if (c->refused)
		return net_error(net, r, "%s", c->msg);
	if (net->p.service_path)
		return net_error(net, r, "%s: service_path: %s", mode, c->msg);
	return net_error(
		net, r,
		"%s mode needs CAP_NET_ADMIN, which this process has not got, or squib-net serve: %s",
		mode, c->msg);
}

/* The attach request of this config: the network, the guest's MAC when
 * the caller set one (the service holds the port to a MAC asked for;
 * else to the first the guest sends from, and proposes one, which
 * sqn_info() gives), and a TAP with a virtio_net_hdr, as the plane makes
 * (sqn_set_offloads() can turn offloads on later). */
static void svcclient_request(const struct net_params *p,
			      struct svc_request *req)
{
	memset(req, 0, sizeof(*req));
	req->op = SVC_OP_ATTACH;
	snprintf(req->network, sizeof(req->network), "%.*s", SVC_NAME_MAX - 1,
		 p->net.mode == SQN_MODE_BRIDGED ? p->net.bridged_iface :
						   p->net.name);
	req->has_mac = p->has_guest_mac;
	if (req->has_mac)
		memcpy(req->mac, p->guest_mac, 6);
	req->mtu = p->mtu;
	req->vnet_hdr = 1;
	req->hold = SVC_HOLD_CONNECTION;
	/* An iface_id of 64 characters loses its last one. */
	snprintf(req->label, sizeof(req->label), "%.*s", SVC_LABEL_MAX - 1,
		 p->iface_id);
}

static int svcclient_open(struct sqn_net *net)
{
	struct svcclient *c = pool_take(&net->pool, sizeof(*c));
	const char *mode = sqn_mode_name(net->p.net.mode);
	struct svc_request req;
	struct ipv4_prefix gw;
	int r;

	if (!c)
		return net_error(net, -ENOMEM, "service: pool too small");
	c->conn = c->tap = -1;
	net->outer = c;
	svcclient_request(&net->p, &req);
	c->path = svc_socket_path(net->p.service_path);
	c->connect_ms = net->p.connect_timeout_ms;
	c->reply_ms = net->p.reply_timeout_ms;
	r = svcclient_attach(c, &req);
	if (r)
		return svcclient_open_failed(net, c, r);
	if (strcmp(c->att.mode, mode))
		return net_error(
			net, -EEXIST,
			"%s: network %s of the service at %s is a %.16s network, not %s",
			mode, c->att.network, c->path, c->att.mode, mode);
	if (!net->p.mtu)
		net->p.mtu = c->att.mtu;
	net->p.tap_fd = c->tap;
	r = tap_ops.open(net);
	net->p.tap_fd = -1;
	/* The backend has a duplicate; the connection holds the TAP. */
	close(c->tap);
	c->tap = -1;
	if (r)
		return r;
	memcpy(net->info.guest_mac, c->att.guest_mac, 6);
	if (c->att.has_subnet && c->att.prefix_len <= 32) {
		memcpy(gw.addr, c->att.gateway, 4);
		gw.len = (int)c->att.prefix_len;
		net_set_subnet(net, &gw);
	}
	net_log(net, SQN_LOG_DEBUG,
		"%s: TAP %.16s of network %.16s from the service at %s (attachment %u)",
		mode, c->att.tap, c->att.network, c->path, c->att.id);
	return 0;
}

static void svcclient_close_net(struct sqn_net *net)
{
	struct svcclient *c = net->outer;

	tap_ops.close(net);
	if (c)
		svcclient_close(c);
	net->outer = NULL;
}

const struct backend_ops svcclient_ops = {
	.name = "service",
	.pool_size = svcclient_pool_size,
	.open = svcclient_open,
	.recv = tap_recv,
	.send = tap_send,
	.set_offloads = tap_set_offloads,
	.close = svcclient_close_net,
	.check = svcclient_check,
};
