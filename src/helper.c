// SPDX-License-Identifier: MIT
/* helper.c - the userspace mode: passt, gvproxy or our slirp helper on a socketpair, supervised */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "helper.h"
#include "stream.h"

#define HELPER_START_MS 50 /* default watch for an early exit */
#define HELPER_START_MS_MAX 60000
#define HELPER_STOP_MS 200 /* from SIGTERM to SIGKILL at close */
#define HELPER_EXIT_MS 1000 /* for the exit that follows a lost link */
#define HELPER_ARGV_MAX (6 + 2 * SQN_FORWARDS_MAX + SQN_ARGS_MAX + 1)

/**
 * helper_config() - resolve and check the userspace mode's fields
 * @cfg:	caller's config, already checked field by field
 * @p:		parameters; helper, helper_start_ms and framing are set
 * @msg:	reason on failure, naming the field
 * @msglen:	bytes of @msg
 *
 * Helpers get a stream socketpair, so datagram framing is refused here
 * rather than half supported (a datagram socketpair shows no end of
 * stream when the helper dies). The profiles speak one framing each, and
 * the slirp helper takes MTUs of 576 to 65520 only. Port forwards: see
 * helper_fwd_config().
 *
 * Return: 0, -EINVAL, or for forwards -ENOTSUP or -EADDRINUSE.
 */
static int helper_config(const struct sqn_config *cfg, struct net_params *p,
			 char *msg, size_t msglen)
{
	enum sqn_helper kind = cfg->helper ? cfg->helper : helper_default(cfg);
	const struct helper_profile *pr = &helper_profiles[kind];
	int r;

	if (cfg->helper_start_ms > HELPER_START_MS_MAX) {
		snprintf(msg, msglen, "helper_start_ms: %u is above %d",
			 cfg->helper_start_ms, HELPER_START_MS_MAX);
		return -EINVAL;
	}
	if (kind == SQN_HELPER_CUSTOM && !cfg->helper_path) {
		snprintf(
			msg, msglen,
			"helper_path: the custom helper needs the path of its binary");
		return -EINVAL;
	}
	if (kind == SQN_HELPER_CUSTOM && cfg->framing == SQN_FRAMING_DGRAM) {
		snprintf(
			msg, msglen,
			"framing: a helper gets a stream socketpair, so qemu or hyperkit framing, not datagrams");
		return -EINVAL;
	}
	if (kind != SQN_HELPER_CUSTOM && cfg->framing &&
	    cfg->framing != pr->framing) {
		snprintf(msg, msglen, "framing: %s speaks the %s framing only",
			 pr->name, pr->framing_name);
		return -EINVAL;
	}
	if (cfg->mtu && pr->mtu_max &&
	    (cfg->mtu < pr->mtu_min || cfg->mtu > pr->mtu_max)) {
		snprintf(msg, msglen, "mtu: %s takes %u..%u, not %u", pr->name,
			 pr->mtu_min, pr->mtu_max, cfg->mtu);
		return -EINVAL;
	}
	r = helper_fwd_config(cfg, kind, msg, msglen);
	if (r)
		return r;
	p->helper = kind;
	p->helper_start_ms = cfg->helper_start_ms ? cfg->helper_start_ms :
						    HELPER_START_MS;
	if (kind != SQN_HELPER_CUSTOM)
		p->framing = pr->framing;
	else if (!cfg->framing)
		p->framing = SQN_FRAMING_QEMU;
	return 0;
}

static size_t helper_pool_size(const struct sqn_net *net)
{
	return pool_round(sizeof(struct helper)) + stream_pool_size(net);
}

/* The helper has ended: read how, and its last words. It stays a zombie
 * until helper_close(), which can then still end its process group. */
static void helper_ended(struct sqn_net *net, struct helper *h)
{
	proc_status(&h->proc, &h->end);
	h->ended = 1;
	helper_drain(net, h, HELPER_DRAIN_END);
}

static int helper_spawn(struct sqn_net *net, struct helper *h, int err_w)
{
	const char *const *args = net->p.helper_args;
	char *argv[HELPER_ARGV_MAX];
	char fdnum[16], mtu[16], fwd[SQN_FORWARDS_MAX][HELPER_FWD_ARG_MAX];
	struct proc_spec spec = {
		.path = h->path,
		.argv = argv,
		.sock = h->sock,
		.sock_stdio = h->kind != SQN_HELPER_PASST &&
			      h->kind != SQN_HELPER_SLIRP,
		.err_fd = err_w,
	};
	const char *step;
	unsigned int n = 0;
	int r;

	argv[n++] = h->kind == SQN_HELPER_CUSTOM ? h->path : h->name;
	if (h->kind == SQN_HELPER_PASST) {
		/* passt(1): -f stays in the foreground, --fd is the socket. */
		snprintf(fdnum, sizeof(fdnum), "%d", PROC_SOCK_FD);
		argv[n++] = "-f";
		argv[n++] = "--fd";
		argv[n++] = fdnum;
	} else if (h->kind == SQN_HELPER_GVPROXY) {
		argv[n++] = "-listen-stdio";
	} else if (h->kind == SQN_HELPER_SLIRP) {
		snprintf(fdnum, sizeof(fdnum), "%d", PROC_SOCK_FD);
		argv[n++] = "--fd";
		argv[n++] = fdnum;
	}
	n += helper_fwd_args(net, h->kind, argv + n, fwd);
	while (args && *args)
		argv[n++] = (char *)*args++;
	/* An MTU the caller asked for goes to the helper too, which tells
	 * the guest by DHCP: passt(1) --mtu, gvproxy -mtu. Ours always gets
	 * it: it refuses frames above its MTU, so both ends must agree. */
	snprintf(mtu, sizeof(mtu), "%u", net->p.mtu);
	if (h->kind == SQN_HELPER_SLIRP) {
		argv[n++] = "--mtu";
		argv[n++] = mtu;
	} else if (h->mtu_asked && h->kind == SQN_HELPER_PASST) {
		argv[n++] = "--mtu";
		argv[n++] = mtu;
	} else if (h->mtu_asked && h->kind == SQN_HELPER_GVPROXY) {
		argv[n++] = "-mtu";
		argv[n++] = mtu;
	}
	argv[n] = NULL;
	r = proc_spawn(&spec, &h->proc, &step);
	if (r)
		return net_error(net, r, "helper %s: %s: %s", h->name, step,
				 strerror(-r));
	h->pid = h->proc.pid;
	net_log(net, SQN_LOG_DEBUG, "helper %s: %s started, pid %d", h->name,
		h->path, (int)h->pid);
	return 0;
}

/* An exit within helper_start_ms fails sqn_open(), with the reason. */
static int helper_start_watch(struct sqn_net *net, struct helper *h)
{
	int r = proc_poll(&h->proc, -1, (int)net->p.helper_start_ms, NULL);
	char status[128];

	if (r < 0)
		return net_error(net, r, "helper %s: poll: %s", h->name,
				 strerror(-r));
	if (!r) {
		helper_drain(net, h, HELPER_DRAIN_LOOK);
		return 0;
	}
	helper_ended(net, h);
	helper_status(h, status, sizeof(status));
	return net_error(net, -ENOTCONN, "helper %s: %s %s at start%s%s",
			 h->name, h->path, status, helper_last_intro(h),
			 h->last);
}

/* sqn_fd(): the watch, which wakes on the socket, the helper's end and
 * its stderr, in place of the socket the stream code set. */
static int helper_watch_start(struct sqn_net *net, struct helper *h)
{
	int r = proc_watch_open(&h->proc, h->link, h->err_fd);

	if (r < 0)
		return net_error(net, r, "helper %s: epoll: %s", h->name,
				 strerror(-r));
	h->watch = net->fd = r;
	return 0;
}

/**
 * helper_open() - start the helper on one end of a socketpair and run the
 * stream code on the other
 * @net:	attachment
 *
 * Return: 0, or a negative errno with the message set; helper_close()
 * releases what was taken either way.
 */
static int helper_open(struct sqn_net *net)
{
	struct helper *h = pool_take(&net->pool, sizeof(*h));
	int sv[2], ep[2], r;

	if (!h)
		return net_error(net, -ENOMEM, "userspace: pool too small");
	h->proc = PROC_NONE;
	h->sock = h->link = h->watch = h->err_fd = -1;
	h->kind = net->p.helper;
	net->outer = h;
	r = helper_find(net, h);
	if (r)
		return r;
	r = helper_fwd_try(net);
	if (r)
		return r;
	h->mtu_asked = net->p.mtu;
	if (!net->p.mtu)
		net->p.mtu = helper_profiles[h->kind].mtu;
	r = proc_socketpair(sv);
	if (r)
		return net_error(net, r, "helper %s: socketpair: %s", h->name,
				 strerror(-r));
	h->sock = sv[1];
	r = stream_attach(net, sv[0]);
	h->link = net->fd;
	if (r)
		return r;
	r = proc_pipe(ep);
	if (r)
		return net_error(net, r, "helper %s: pipe: %s", h->name,
				 strerror(-r));
	h->err_fd = ep[0];
	r = helper_spawn(net, h, ep[1]);
	close(ep[1]);
	close(h->sock);
	h->sock = -1;
	if (!r)
		r = helper_watch_start(net, h);
	if (r)
		return r;
	return helper_start_watch(net, h);
}

/**
 * helper_watch() - look at the helper's stderr and life, without waiting
 * @net:	attachment
 * @h:		its helper
 *
 * When the helper has ended, its status is read and the socket shut
 * down: what it sent before is still received, then the end of the
 * stream, even when a child of the helper keeps its end of the socket
 * open. It stays a zombie until helper_close().
 *
 * Return: 1 when the helper was found ended just now.
 */
static int helper_watch(struct sqn_net *net, struct helper *h)
{
	int err_ready = 0, r;

	if (h->ended)
		return 0;
	r = proc_poll(&h->proc, h->err_fd, 0, &err_ready);
	if (err_ready)
		helper_drain(net, h, HELPER_DRAIN_LOOK);
	if (r != 1)
		return 0;
	helper_ended(net, h);
	shutdown(h->link, SHUT_RDWR);
	return 1;
}

/* The stream code took the link down: add what became of the helper. */
static void helper_link_lost(struct sqn_net *net, struct helper *h)
{
	size_t len = strlen(net->errmsg);
	char status[128];

	helper_drain(net, h, HELPER_DRAIN_LOOK);
	if (!h->ended && proc_poll(&h->proc, -1, HELPER_EXIT_MS, NULL) == 1)
		helper_ended(net, h);
	if (!h->ended)
		return; /* it lives on: sqn_close() stops it */
	helper_status(h, status, sizeof(status));
	net_log(net, SQN_LOG_WARN, "helper %s (pid %d) %s", h->name,
		(int)h->pid, status);
	/* After the stream's reason, cut where the buffer ends. */
	snprintf(net->errmsg + len, sizeof(net->errmsg) - len,
		 "; helper %s (pid %d) %s%s%s", h->name, (int)h->pid, status,
		 helper_last_intro(h), h->last);
}

/**
 * helper_after() - after a call into the stream code: the helper's fate
 * when the link went down, and whether the watch wakes on writability
 * @net:	attachment
 * @h:		its helper
 * @was_up:	the link was up before the call
 * @r:		what the call returns
 *
 * The watch, an epoll descriptor, never polls writable: it polls
 * readable when the socket can take more, asked for while the caller was
 * told to wait for room (@h->blocked) or accepted bytes still wait in
 * the stream code. Only then, or it would stay readable for nothing.
 *
 * Return: @r.
 */
static int helper_after(struct sqn_net *net, struct helper *h, int was_up,
			int r)
{
	int out = h->blocked;

	/* Accepted bytes still buffered go out when the caller next calls
	 * in, whatever the call: the watch woke it for that. */
	if (!out && net->info.link_up)
		out = stream_flush(net) == -EAGAIN;
	if (was_up && !net->info.link_up)
		helper_link_lost(net, h);
	out = out && net->info.link_up;
	if (out != h->out_on && !proc_watch_out(h->watch, h->link, out))
		h->out_on = out;
	return r;
}

static int helper_recv(struct sqn_net *net, struct sqn_pkt *pkts,
		       unsigned int n)
{
	struct helper *h = net->outer;
	int up = net->info.link_up, r = stream_recv(net, pkts, n);

	/* Nothing to read: a moment to look at the helper. */
	if (!r && helper_watch(net, h))
		r = stream_recv(net, pkts, n);
	return helper_after(net, h, up, r);
}

static int helper_send(struct sqn_net *net, const struct sqn_pkt *pkts,
		       unsigned int n)
{
	struct helper *h = net->outer;
	int up = net->info.link_up, r = stream_send(net, pkts, n);

	if (!r && helper_watch(net, h))
		r = stream_send(net, pkts, n);
	h->blocked = r >= 0 && (unsigned int)r < n;
	return helper_after(net, h, up, r);
}

static int helper_flush(struct sqn_net *net)
{
	struct helper *h = net->outer;
	int up = net->info.link_up, r = stream_flush(net);

	if (r == -EAGAIN && helper_watch(net, h))
		r = stream_flush(net);
	h->blocked = r == -EAGAIN;
	return helper_after(net, h, up, r);
}

/* sqn_info() on a const handle: a helper that ended shows the link down
 * at once, though its status is read only by the next call that may
 * change state. */
static void helper_info(const struct sqn_net *net, struct sqn_info *info)
{
	const struct helper *h = net->outer;

	if (info->link_up && h &&
	    (h->ended ||
	     (h->proc.pid && proc_poll(&h->proc, -1, 0, NULL) == 1)))
		info->link_up = 0;
}

/**
 * helper_stop() - end the helper's process group and reap the helper
 * @net:	attachment
 * @h:		its helper, not reaped yet
 *
 * The group gets SIGTERM, then SIGKILL when the helper has ended or
 * HELPER_STOP_MS have passed. Also when the helper had ended before
 * (it may have seen the socket close, or sqn_recv() found it dead): what
 * it started ends with it. It was kept a zombie for this: until it is
 * reaped its pid is its group's and no one else's, so the signals reach
 * only what remains of it.
 */
static void helper_stop(struct sqn_net *net, struct helper *h)
{
	struct proc_end end;
	char status[128];

	proc_signal(&h->proc, SIGTERM);
	if (!h->ended && proc_poll(&h->proc, -1, HELPER_STOP_MS, NULL) != 1)
		net_log(net, SQN_LOG_DEBUG,
			"helper %s (pid %d) still ran %d ms after SIGTERM: SIGKILL",
			h->name, (int)h->pid, HELPER_STOP_MS);
	proc_signal(&h->proc, SIGKILL);
	proc_reap(&h->proc, &end);
	if (!h->ended)
		h->end = end;
	h->ended = 1;
	helper_status(h, status, sizeof(status));
	net_log(net, SQN_LOG_DEBUG, "helper %s (pid %d) stopped: %s", h->name,
		(int)h->pid, status);
}

/**
 * helper_close() - close the socket, stop the helper and reap it
 * @net:	attachment, perhaps from a failed open
 */
static void helper_close(struct sqn_net *net)
{
	struct helper *h = net->outer;

	/* The stream code closes its own descriptor, not the watch. */
	if (h && h->watch >= 0) {
		close(h->watch);
		h->watch = -1;
		net->fd = h->link;
	}
	/* The socket first: a helper that sees its end may leave by itself. */
	stream_detach(net);
	if (!h)
		return;
	if (h->sock >= 0)
		close(h->sock);
	if (h->proc.pid)
		helper_stop(net, h);
	helper_drain(net, h, HELPER_DRAIN_END);
	if (h->err_fd >= 0)
		close(h->err_fd);
	net->outer = NULL;
}

const struct backend_ops helper_ops = {
	.name = "userspace",
	.pool_size = helper_pool_size,
	.open = helper_open,
	.recv = helper_recv,
	.send = helper_send,
	.flush = helper_flush,
	.close = helper_close,
	.info = helper_info,
	.check = helper_config,
};
