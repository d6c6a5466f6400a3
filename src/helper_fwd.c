// SPDX-License-Identifier: MIT
/* helper_fwd.c - the userspace mode's port forwards: sqn_config.forwards
 * checked, tried on the host's ports, and given to the helper in its own
 * syntax (passt -t/-u, the slirp helper's --forward) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helper.h"

/* "tcp"/"udp", for messages and the slirp helper's syntax. */
static const char *helper_fwd_proto(const struct sqn_forward *f)
{
	return f->proto == SQN_PROTO_UDP ? "udp" : "tcp";
}

/* The host address as given, or "" for all of the host's. */
static const char *helper_fwd_addr(const struct sqn_forward *f)
{
	return f->host_addr ? f->host_addr : "";
}

/* Whether @a and @b take the same port of the host: one protocol, one
 * port, and one address or all of them on either side. */
static int helper_fwd_clash(const struct sqn_forward *a,
			    const struct sqn_forward *b)
{
	const char *x = helper_fwd_addr(a), *y = helper_fwd_addr(b);

	return a->proto == b->proto && a->host_port == b->host_port &&
	       (!*x || !*y || !strcmp(x, y));
}

/**
 * helper_fwd_config() - check the userspace mode's port forwards
 * @cfg:	caller's config
 * @kind:	the helper it runs
 * @msg:	reason on failure, naming the field
 * @msglen:	bytes of @msg
 *
 * passt (-t/-u) and the slirp helper (--forward) take forwards on their
 * command line. gvproxy takes them only at run time, through its HTTP
 * API (-listen, then POST /services/forwarder/expose): its command line
 * has none but -ssh-port, which forwards to the guest's port 22 alone. A
 * custom helper's syntax is not known.
 *
 * Return: 0, -ENOTSUP (gvproxy, custom) or -EINVAL; -EADDRINUSE when two
 * of them take the same port of the host.
 */
int helper_fwd_config(const struct sqn_config *cfg, enum sqn_helper kind,
		      char *msg, size_t msglen)
{
	const struct sqn_forward *f;
	struct in_addr a;
	uint32_t i, j;

	if (!cfg->n_forwards)
		return 0;
	if (kind == SQN_HELPER_GVPROXY || kind == SQN_HELPER_CUSTOM) {
		snprintf(
			msg, msglen, "forwards: %s",
			kind == SQN_HELPER_GVPROXY ?
				"gvproxy takes port forwards only at run time through its HTTP API (-listen, /services/forwarder/expose), not on its command line; use passt or the slirp helper" :
				"a custom helper's forward syntax is not known: give them in helper_args");
		return -ENOTSUP;
	}
	if (!cfg->forwards || cfg->n_forwards > SQN_FORWARDS_MAX) {
		snprintf(msg, msglen, "forwards: %u of them, %s %d",
			 cfg->n_forwards,
			 cfg->forwards ? "more than" : "the list NULL; at most",
			 SQN_FORWARDS_MAX);
		return -EINVAL;
	}
	for (i = 0; i < cfg->n_forwards; i++) {
		f = &cfg->forwards[i];
		if ((f->proto != SQN_PROTO_TCP && f->proto != SQN_PROTO_UDP) ||
		    !f->host_port ||
		    (*helper_fwd_addr(f) &&
		     inet_pton(AF_INET, f->host_addr, &a) != 1)) {
			snprintf(
				msg, msglen,
				"forwards[%u]: wants proto tcp or udp, a host port and an IPv4 host address or none",
				i);
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (helper_fwd_clash(f, &cfg->forwards[j])) {
				snprintf(
					msg, msglen,
					"forwards[%u]: %s port %u is forwarded by forwards[%u] already",
					i, helper_fwd_proto(f), f->host_port,
					j);
				return -EADDRINUSE;
			}
	}
	return 0;
}

/**
 * helper_fwd_try() - whether each forward's port of the host is free
 * @net:	attachment, its forwards checked
 *
 * The helper binds them itself, in the caller's network namespace; one
 * in use would end it at its start with a message of its own (passt; the
 * slirp helper exits 1, naming the address, port and errno). Tried
 * here with SO_REUSEADDR, as both bind, so that a port in TIME_WAIT is
 * not taken for one in use.
 *
 * Return: 0, or -EADDRINUSE (or another bind() errno) with the message.
 */
int helper_fwd_try(struct sqn_net *net)
{
	const struct sqn_forward *f;
	struct sockaddr_in sa;
	int s, r = 0, one = 1;
	uint32_t i;

	for (i = 0; !r && i < net->p.n_forwards; i++) {
		f = &net->p.forwards[i];
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons(f->host_port);
		if (*helper_fwd_addr(f))
			inet_pton(AF_INET, f->host_addr, &sa.sin_addr);
		s = socket(AF_INET,
			   (f->proto == SQN_PROTO_UDP ? SOCK_DGRAM :
							SOCK_STREAM) |
				   SOCK_CLOEXEC,
			   0);
		if (s < 0)
			return net_error(net, -errno, "forwards: socket: %s",
					 strerror(errno));
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, (struct sockaddr *)&sa, sizeof(sa)))
			r = net_error(
				net, -errno,
				"forwards[%u]: %s %s%s%u: the host's port: %s",
				i, helper_fwd_proto(f), helper_fwd_addr(f),
				*helper_fwd_addr(f) ? ":" : "", f->host_port,
				strerror(errno));
		close(s);
	}
	return r;
}

/**
 * helper_fwd_args() - the forwards as the helper's arguments
 * @net:	attachment, its forwards checked
 * @kind:	passt or the slirp helper
 * @argv:	where the arguments go, two per forward
 * @buf:	their storage, SQN_FORWARDS_MAX of HELPER_FWD_ARG_MAX bytes
 *
 * passt(1): "-t" or "-u" and "[ADDR/]HOST_PORT:GUEST_PORT", one spec per
 * option (an address binds the whole spec it leads). The slirp helper
 * (docs/slirp-helper.md): "--forward" and
 * "tcp|udp:[ADDR:]HOST_PORT:GUEST_PORT".
 *
 * Return: how many arguments were added.
 */
unsigned int helper_fwd_args(const struct sqn_net *net, enum sqn_helper kind,
			     char **argv, char (*buf)[HELPER_FWD_ARG_MAX])
{
	const struct sqn_forward *f;
	unsigned int n = 0;
	const char *a;
	uint32_t i;

	for (i = 0; i < net->p.n_forwards; i++) {
		f = &net->p.forwards[i];
		a = helper_fwd_addr(f);
		if (kind == SQN_HELPER_PASST) {
			argv[n++] = f->proto == SQN_PROTO_UDP ? "-u" : "-t";
			snprintf(buf[i], HELPER_FWD_ARG_MAX, "%s%s%u:%u", a,
				 *a ? "/" : "", f->host_port,
				 f->guest_port ? f->guest_port : f->host_port);
		} else {
			argv[n++] = "--forward";
			snprintf(buf[i], HELPER_FWD_ARG_MAX, "%s:%s%s%u:%u",
				 helper_fwd_proto(f), a, *a ? ":" : "",
				 f->host_port,
				 f->guest_port ? f->guest_port : f->host_port);
		}
		argv[n++] = buf[i];
	}
	return n;
}
