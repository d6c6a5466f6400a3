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

#include "forward.h"
#include "helper.h"
#include "sys/sys.h"

/* The host address as given, or "" for all of the host's. */
static const char *helper_fwd_addr(const struct sqn_forward *f)
{
	return f->host_addr ? f->host_addr : "";
}

/**
 * helper_fwd_config() - check the userspace mode's port forwards, as its
 * helper takes them
 * @cfg:	caller's config; each forward checked (config_check_forwards())
 * @kind:	the helper it runs
 * @msg:	reason on failure, naming the field
 * @msglen:	bytes of @msg
 *
 * passt (-t/-u) and the slirp helper (--forward) take forwards on their
 * command line. gvproxy takes them only at run time, through its HTTP
 * API (-listen, then POST /services/forwarder/expose): its command line
 * has none but -ssh-port, which forwards to the guest's port 22 alone. A
 * custom helper's syntax is not known. Two forwards of one port of the
 * host would leave the second unbound (the helpers bind each in turn).
 *
 * Return: 0, -ENOTSUP (gvproxy, custom) or -EADDRINUSE (a clash).
 */
int helper_fwd_config(const struct sqn_config *cfg, enum sqn_helper kind,
		      char *msg, size_t msglen)
{
	const struct sqn_forward *f;
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
	for (i = 0; i < cfg->n_forwards; i++) {
		f = &cfg->forwards[i];
		for (j = 0; j < i; j++)
			if (forward_collide(f, &cfg->forwards[j])) {
				snprintf(
					msg, msglen,
					"forwards[%u]: %s port %u is forwarded by forwards[%u] already",
					i, forward_proto_name(f->proto),
					f->host_port, j);
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
 * slirp helper exits 1, naming the address, port and errno). Tried here
 * (sys_bind_try(): SO_REUSEADDR, as both bind, so that a port in
 * TIME_WAIT is not taken for one in use).
 *
 * Return: 0, or -EADDRINUSE (or another bind() errno) with the message.
 */
int helper_fwd_try(struct sqn_net *net)
{
	const struct sqn_forward *f;
	struct sockaddr_in sa;
	uint32_t i;
	int r;

	for (i = 0; i < net->p.n_forwards; i++) {
		f = &net->p.forwards[i];
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons(f->host_port);
		if (*helper_fwd_addr(f))
			inet_pton(AF_INET, f->host_addr, &sa.sin_addr);
		r = sys_bind_try(f->proto == SQN_PROTO_UDP ? SOCK_DGRAM :
							     SOCK_STREAM,
				 (struct sockaddr *)&sa, sizeof(sa));
		if (r)
			return net_error(
				net, r,
				"forwards[%u]: %s %s%s%u: the host's port: %s",
				i, forward_proto_name(f->proto),
				helper_fwd_addr(f),
				*helper_fwd_addr(f) ? ":" : "", f->host_port,
				strerror(-r));
	}
	return 0;
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
				 forward_guest_port(f));
		} else {
			argv[n++] = "--forward";
			forward_format(buf[i], f);
		}
		argv[n++] = buf[i];
	}
	return n;
}
