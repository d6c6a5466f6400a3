// SPDX-License-Identifier: MIT
/* helper.c - the userspace mode: passt or gvproxy on a socketpair, supervised */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "net.h"
#include "stream.h"
#include "sys/proc.h"

#define HELPER_START_MS 50 /* default watch for an early exit */
#define HELPER_START_MS_MAX 60000
#define HELPER_STOP_MS 200 /* from SIGTERM to SIGKILL at close */
#define HELPER_EXIT_MS 1000 /* for the exit that follows a lost link */
#define HELPER_LINE_MAX 512 /* longer stderr lines are cut */
#define HELPER_DRAIN_MAX 16 /* reads of stderr per look */
#define HELPER_ARGV_MAX (6 + SQN_ARGS_MAX + 1)
/* PATH when the environment has none, as execvp() does. */
#define HELPER_PATH_DEFAULT "/usr/local/bin:/usr/bin:/bin"

/**
 * struct helper_profile - how one kind of helper is started
 * @name:	its program name: looked up in PATH, used in messages and
 *		as its argv[0] (passt's argv[0] chooses passt or pasta)
 * @env:	environment variable that may hold its path
 * @framing:	what it speaks on the socket
 * @framing_name: that framing, for messages
 * @mtu:	its own default MTU; 0: the largest the framing carries
 */
struct helper_profile {
	const char *name;
	const char *env;
	enum sqn_framing framing;
	const char *framing_name;
	uint32_t mtu;
};

static const struct helper_profile helper_profiles[] = {
	[SQN_HELPER_PASST] = { "passt", "SQN_PASST", SQN_FRAMING_QEMU, "qemu",
			       65520 },
	/* gvproxy -listen-stdio: 2-byte little-endian lengths, -mtu 1500. */
	[SQN_HELPER_GVPROXY] = { "gvproxy", "SQN_GVPROXY", SQN_FRAMING_HYPERKIT,
				 "hyperkit", 1500 },
	[SQN_HELPER_CUSTOM] = { NULL, NULL, SQN_FRAMING_DEFAULT, NULL, 0 },
};

/**
 * struct helper - a helper process and what the attachment keeps of it
 * @kind:	passt, gvproxy or custom
 * @name:	for messages: the profile's name, or the custom binary's
 * @path:	the binary
 * @proc:	the process while it is not reaped
 * @pid:	its pid, kept for messages after it was reaped
 * @end:	how it ended, once @ended
 * @ended:	it was reaped
 * @sock:	the child's end of the socketpair, until the child has it
 * @err_fd:	read end of the pipe on its stderr, -1 after the pipe's end
 * @mtu_asked:	the MTU the caller configured (0: none), passed to the helper
 * @err_len:	bytes in @err_buf, a line not finished yet
 * @err_buf:	stderr being cut into lines
 * @last:	the last line it wrote to stderr
 */
struct helper {
	enum sqn_helper kind;
	char name[64];
	char path[SQN_PATH_MAX + 1];
	struct proc proc;
	pid_t pid;
	struct proc_end end;
	int ended;
	int sock;
	int err_fd;
	uint32_t mtu_asked;
	size_t err_len;
	char err_buf[HELPER_LINE_MAX];
	char last[HELPER_LINE_MAX + 1];
};

/**
 * helper_config() - resolve and check the userspace mode's fields
 * @cfg:	caller's config, already checked field by field
 * @p:		parameters; helper, helper_start_ms and framing are set
 * @msg:	reason on failure, naming the field
 * @msglen:	bytes of @msg
 *
 * Helpers get a stream socketpair, so datagram framing is refused here
 * rather than half supported (a datagram socketpair shows no end of
 * stream when the helper dies). passt and gvproxy speak one framing each.
 *
 * Return: 0 or -EINVAL.
 */
int helper_config(const struct sqn_config *cfg, struct net_params *p, char *msg,
		  size_t msglen)
{
	enum sqn_helper kind = cfg->helper ? cfg->helper :
					     platform_helper_default();
	const struct helper_profile *pr = &helper_profiles[kind];

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

/* Pass one line of the helper's stderr on, and keep it as the last. */
static void helper_line(struct sqn_net *net, struct helper *h, const char *line,
			size_t len)
{
	if (len && line[len - 1] == '\r')
		len--;
	if (!len)
		return;
	memcpy(h->last, line, len);
	h->last[len] = '\0';
	net_log(net, SQN_LOG_INFO, "helper %s: %s", h->name, h->last);
}

/* Cut complete lines off the front of the stderr buffer. */
static void helper_cut(struct sqn_net *net, struct helper *h, int at_end)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(h->err_buf + start, '\n', h->err_len - start))) {
		size_t len = (size_t)(nl - (h->err_buf + start));

		helper_line(net, h, h->err_buf + start, len);
		start += len + 1;
	}
	/* A line longer than the buffer, or the unfinished last one. */
	if (start < h->err_len &&
	    (at_end || (!start && h->err_len == sizeof(h->err_buf)))) {
		helper_line(net, h, h->err_buf + start, h->err_len - start);
		start = h->err_len;
	}
	memmove(h->err_buf, h->err_buf + start, h->err_len - start);
	h->err_len -= start;
}

/**
 * helper_drain() - read what the helper wrote to stderr, without waiting
 * @net:	attachment
 * @h:		its helper
 *
 * Lines go to the log callback at SQN_LOG_INFO, "helper NAME: line".
 */
static void helper_drain(struct sqn_net *net, struct helper *h)
{
	int i;

	for (i = 0; h->err_fd >= 0 && i < HELPER_DRAIN_MAX; i++) {
		ssize_t m = read(h->err_fd, h->err_buf + h->err_len,
				 sizeof(h->err_buf) - h->err_len);

		if (m < 0 && errno == EINTR)
			continue;
		if (m < 0)
			return;
		if (!m) {
			helper_cut(net, h, 1);
			close(h->err_fd);
			h->err_fd = -1;
			return;
		}
		h->err_len += (size_t)m;
		helper_cut(net, h, 0);
	}
}

/* Collect the status of a helper that ended, and its last words. */
static void helper_reap(struct sqn_net *net, struct helper *h)
{
	proc_reap(&h->proc, &h->end);
	h->ended = 1;
	helper_drain(net, h);
}

/* "exited with status 1", "killed by signal 9 (Killed)", ... */
static void helper_status(const struct helper *h, char *buf, size_t len)
{
	if (!h->end.known)
		snprintf(
			buf, len,
			"ended, its status taken by another wait (is SIGCHLD ignored?)");
	else if (h->end.signal)
		snprintf(buf, len, "killed by signal %d (%s)%s", h->end.signal,
			 strsignal(h->end.signal),
			 h->end.core ? ", core dumped" : "");
	else
		snprintf(buf, len, "exited with status %d", h->end.status);
}

static const char *helper_last_intro(const struct helper *h)
{
	return h->last[0] ? "; its last stderr line: " : "";
}

/* @name in the directories of PATH, an executable regular file. */
static int helper_search(const char *name, char *out, size_t outlen)
{
	const char *dirs = getenv("PATH"), *d, *end;
	char why[128];
	int n;

	if (!dirs)
		dirs = HELPER_PATH_DEFAULT;
	for (d = dirs;; d = end + 1) {
		end = strchr(d, ':');
		if (!end)
			end = d + strlen(d);
		/* An empty entry is the current directory, as for execvp(). */
		n = snprintf(out, outlen, "%.*s%s%s", (int)(end - d), d,
			     end > d ? "/" : "", name);
		if (n > 0 && (size_t)n < outlen &&
		    !config_check_path("PATH", out, 1, why, sizeof(why)))
			return 0;
		if (!*end)
			return -ENOENT;
	}
}

/**
 * helper_find() - the binary: helper_path, else the profile's variable
 * (SQN_PASST, SQN_GVPROXY), else the profile's name in PATH
 * @net:	attachment
 * @h:		its helper; @h->path and @h->name are set
 *
 * Return: 0, or a negative errno with a message naming what was tried.
 */
static int helper_find(struct sqn_net *net, struct helper *h)
{
	const struct helper_profile *pr = &helper_profiles[h->kind];
	const char *env = pr->env ? getenv(pr->env) : NULL;
	const char *base;
	char why[NET_ERRMSG_LEN];
	int r;

	if (net->p.helper_path) {
		snprintf(h->path, sizeof(h->path), "%s", net->p.helper_path);
	} else if (env && *env) {
		r = config_check_path(pr->env, env, 1, why, sizeof(why));
		if (r)
			return net_error(net, r, "helper %s: %s", pr->name,
					 why);
		snprintf(h->path, sizeof(h->path), "%s", env);
	} else if (helper_search(pr->name, h->path, sizeof(h->path))) {
		return net_error(
			net, -ENOENT,
			"helper %s: not found in PATH; install %s, or set %s or helper_path",
			pr->name, pr->name, pr->env);
	}
	base = strrchr(h->path, '/');
	if (pr->name)
		base = pr->name;
	else
		base = base ? base + 1 : h->path;
	snprintf(h->name, sizeof(h->name), "%.*s", (int)sizeof(h->name) - 1,
		 base);
	return 0;
}

static int helper_spawn(struct sqn_net *net, struct helper *h, int err_w)
{
	const char *const *args = net->p.helper_args;
	char *argv[HELPER_ARGV_MAX];
	char fdnum[16], mtu[16];
	struct proc_spec spec = {
		.path = h->path,
		.argv = argv,
		.sock = h->sock,
		.sock_stdio = h->kind != SQN_HELPER_PASST,
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
	}
	while (args && *args)
		argv[n++] = (char *)*args++;
	/* An MTU the caller asked for goes to the helper too, which tells
	 * the guest by DHCP: passt(1) --mtu, gvproxy -mtu. */
	snprintf(mtu, sizeof(mtu), "%u", h->mtu_asked);
	if (h->mtu_asked && h->kind == SQN_HELPER_PASST) {
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
		helper_drain(net, h);
		return 0;
	}
	helper_reap(net, h);
	helper_status(h, status, sizeof(status));
	return net_error(net, -ENOTCONN, "helper %s: %s %s at start%s%s",
			 h->name, h->path, status, helper_last_intro(h),
			 h->last);
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
	h->proc.pidfd = h->sock = h->err_fd = -1;
	h->kind = net->p.helper;
	net->outer = h;
	r = helper_find(net, h);
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
	if (r)
		return r;
	return helper_start_watch(net, h);
}

/**
 * helper_watch() - look at the helper's stderr and life, without waiting
 * @net:	attachment
 * @h:		its helper
 *
 * A helper that ended is reaped and the socket shut down: what it sent
 * before is still received, then the end of the stream, even when a
 * child of the helper keeps its end of the socket open.
 *
 * Return: 1 when the helper was found ended just now.
 */
static int helper_watch(struct sqn_net *net, struct helper *h)
{
	int err_ready = 0, r;

	if (!h->proc.pid)
		return 0;
	r = proc_poll(&h->proc, h->err_fd, 0, &err_ready);
	if (err_ready)
		helper_drain(net, h);
	if (r != 1)
		return 0;
	helper_reap(net, h);
	shutdown(net->fd, SHUT_RDWR);
	return 1;
}

/* The stream code took the link down: add what became of the helper. */
static void helper_link_lost(struct sqn_net *net, struct helper *h)
{
	size_t len = strlen(net->errmsg);
	char status[128];

	helper_drain(net, h);
	if (h->proc.pid && proc_poll(&h->proc, -1, HELPER_EXIT_MS, NULL) == 1)
		helper_reap(net, h);
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

static int helper_after(struct sqn_net *net, struct helper *h, int was_up,
			int r)
{
	if (was_up && !net->info.link_up)
		helper_link_lost(net, h);
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
	return helper_after(net, h, up, r);
}

static int helper_flush(struct sqn_net *net)
{
	struct helper *h = net->outer;
	int up = net->info.link_up, r = stream_flush(net);

	if (r == -EAGAIN && helper_watch(net, h))
		r = stream_flush(net);
	return helper_after(net, h, up, r);
}

/* sqn_info() on a const handle: a helper that ended shows the link down
 * at once, though it is reaped only by the next call that may change
 * state. */
static void helper_info(const struct sqn_net *net, struct sqn_info *info)
{
	const struct helper *h = net->outer;

	if (info->link_up && h &&
	    (h->ended ||
	     (h->proc.pid && proc_poll(&h->proc, -1, 0, NULL) == 1)))
		info->link_up = 0;
}

/**
 * helper_close() - close the socket, stop the helper and reap it
 * @net:	attachment, perhaps from a failed open
 *
 * The helper's process group gets SIGTERM, then SIGKILL when the helper
 * has ended or HELPER_STOP_MS have passed.
 */
static void helper_close(struct sqn_net *net)
{
	struct helper *h = net->outer;
	char status[128];

	/* The socket first: a helper that sees its end may leave by itself. */
	stream_detach(net);
	if (!h)
		return;
	if (h->sock >= 0)
		close(h->sock);
	if (h->proc.pid) {
		/* Its group too when it has already left by itself (it may
		 * have seen the socket close): what it started ends with it.
		 * Until it is reaped its pid is its group's and no one else's,
		 * so the last SIGKILL reaches only what remains of it. */
		proc_signal(&h->proc, SIGTERM);
		if (proc_poll(&h->proc, -1, HELPER_STOP_MS, NULL) != 1)
			net_log(net, SQN_LOG_DEBUG,
				"helper %s (pid %d) still ran %d ms after SIGTERM: SIGKILL",
				h->name, (int)h->proc.pid, HELPER_STOP_MS);
		proc_signal(&h->proc, SIGKILL);
		helper_reap(net, h);
		helper_status(h, status, sizeof(status));
		net_log(net, SQN_LOG_DEBUG, "helper %s (pid %d) stopped: %s",
			h->name, (int)h->pid, status);
	}
	helper_drain(net, h);
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
};
