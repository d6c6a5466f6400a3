// SPDX-License-Identifier: MIT
/* forward.c - "squib-net forward add|remove|list": port forwards into an
 * attachment's guest, at runtime, through squib-net serve */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "forward.h"
#include "log.h"
#include "svcproto.h"

/**
 * usage_forward() - "squib-net help forward" on stdout
 */
void usage_forward(void)
{
	printf("usage: squib-net forward add NETWORK ATTACHMENT RULE\n"
	       "       squib-net forward remove NETWORK ATTACHMENT RULE\n"
	       "       squib-net forward list [NETWORK]\n"
	       "       (each with [--socket PATH])\n"
	       "\n"
	       "Forwards a port of the host to a guest of squib-net serve's\n"
	       "shared network NETWORK (\"shared\" stands for sqn-shared), or\n"
	       "stops, or lists the forwards there are. ATTACHMENT is the\n"
	       "attachment's id (squib-net status) or its label, when one\n"
	       "attachment of NETWORK has it. RULE is PROTO:[ADDR:]PORT[:GPORT]:\n"
	       "what reaches the host at ADDR:PORT (no ADDR: every IPv4 address\n"
	       "of the host, 127.0.0.1 included; from outside, through an\n"
	       "interface that forwards, as the NAT interface does), TCP or UDP,\n"
	       "goes to the guest's port GPORT (default PORT), e.g.\n"
	       "tcp:8080:80, udp:5353:53, tcp:127.0.0.1:2222:22. The guest gets\n"
	       "a fixed address (its current one when it has a lease) that the\n"
	       "forwards lead to.\n"
	       "\n"
	       "Only the attachment's uid (or root) may change its forwards, and\n"
	       "only with an ACL line \"allow WHO NETWORK forward\" (docs/acl.md).\n"
	       "A forward goes with its attachment. One that collides with\n"
	       "another or with a port in use on the host is refused, with why;\n"
	       "so is a port below ip_unprivileged_port_start (1024) asked for by\n"
	       "a uid other than root. The forward holds no socket on the host:\n"
	       "a service that binds its port later gets no connections to it.\n"
	       "\n"
	       "  --socket PATH   the service's socket (default: $SQN_SERVICE,\n"
	       "                  else %s)\n"
	       "\n"
	       "Exit status: 0; 1 when the service is not there or refuses (its\n"
	       "reason on stderr); 2 for a usage error.\n",
	       SVC_SOCKET_DEFAULT);
}

/* A network as the service names it: "", "shared", "host" stand for
 * sqn-shared and sqn-host. */
static const char *forward_network(const char *name)
{
	if (!name[0] || !strcmp(name, "shared"))
		return "sqn-shared";
	if (!strcmp(name, "host"))
		return "sqn-host";
	return name;
}

/* The attachment @which (an id, or a label) of network @net. Return: its
 * id, or -1 after a line on stderr. */
static long forward_target(const struct svc_reply *rep, const char *net,
			   const char *which)
{
	const struct svc_attach *a, *found = NULL;
	unsigned long id = 0;
	unsigned int i, n = 0;
	char *end;

	if (which[0] >= '0' && which[0] <= '9') {
		id = strtoul(which, &end, 10);
		if (*end || id > UINT32_MAX) {
			err("forward: %s: not an attachment's id", which);
			return -1;
		}
	}
	for (i = 0; i < rep->n_attachments; i++) {
		a = &rep->attachments[i];
		if (strcmp(a->network, net))
			continue;
		if ((which[0] >= '0' && which[0] <= '9') ?
			    a->id == id :
			    !strcmp(a->label, which)) {
			found = a;
			n++;
		}
	}
	if (n == 1)
		return (long)found->id;
	if (n)
		err("forward: %u attachments of %s have label %s: name one by its id (squib-net status)",
		    n, net, which);
	else
		err("forward: network %s has no attachment %s (squib-net status lists them)",
		    net, which);
	return -1;
}

/* forward add|remove NETWORK ATTACHMENT RULE. */
static int forward_change(const char *path, enum svc_op op, char **args)
{
	struct svc_request req = { .op = op };
	struct svc_reply rep = { 0 }, got = { 0 };
	const char *net = forward_network(args[0]);
	char *buf = NULL, msg[SVC_ERRMSG_MAX], addr[16];
	struct sqn_forward f;
	ssize_t n;
	long id;
	int r = 1;

	if (forward_parse(args[2], &f, addr)) {
		err("forward: %s: not a rule PROTO:[ADDR:]PORT[:GPORT] (tcp:8080:80)",
		    args[2]);
		return EXIT_USAGE;
	}
	if (status_fetch(path, &rep, &buf))
		goto out;
	id = forward_target(&rep, net, args[1]);
	if (id < 0)
		goto out;
	req.id = (uint32_t)id;
	req.fwd[0].proto = f.proto;
	snprintf(req.fwd[0].addr, sizeof(req.fwd[0].addr), "%s", addr);
	req.fwd[0].host_port = f.host_port;
	req.fwd[0].guest_port = forward_guest_port(&f);
	req.n_fwd = 1;
	n = status_ask(path, &req, buf, SVC_MSG_MAX + 1);
	if (n < 0)
		goto out;
	if (svc_reply_decode(op, buf, (size_t)n, &got, msg, sizeof(msg)))
		err("forward: the service's reply: %s", msg);
	else if (got.err)
		err("forward: %s", got.message);
	else
		r = 0;
out:
	status_free(&rep, buf);
	return r;
}

/* forward list [NETWORK]: a line per forward. */
static int forward_list(const char *path, const char *only)
{
	char one[FORWARD_STRLEN], *buf = NULL;
	const struct svc_attach *a;
	struct svc_reply rep;
	unsigned int i, k;

	if (status_fetch(path, &rep, &buf)) {
		status_free(&rep, buf);
		return 1;
	}
	printf("%-4s %-15s %-15s %-15s %s\n", "ID", "NETWORK", "GUEST IP",
	       "LABEL", "FORWARD");
	for (i = 0; i < rep.n_attachments; i++) {
		a = &rep.attachments[i];
		if (only && strcmp(a->network, forward_network(only)))
			continue;
		for (k = 0; k < a->n_fwd; k++)
			printf("%-4u %-15s %-15s %-15s %s\n", a->id, a->network,
			       a->fixed_ip[0] ? a->fixed_ip : "-",
			       a->label[0] ? a->label : "-",
			       status_forward(&a->fwd[k], one));
	}
	status_free(&rep, buf);
	return 0;
}

/**
 * cmd_forward() - squib-net forward add|remove|list ...
 * @argc:	argument count, from "forward" on
 * @argv:	arguments
 *
 * Return: 0, 1 when the service could not be asked or refused,
 * EXIT_USAGE for a usage error.
 */
int cmd_forward(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = NULL, *cmd;
	int o, n;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (o == 's') {
			path = optarg;
		} else if (o == 'h') {
			usage_forward();
			return 0;
		} else {
			err("forward: %s %s (see squib-net help forward)",
			    o == ':' ? "needs a value:" : "unknown option:",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	n = argc - optind;
	cmd = n ? argv[optind] : "";
	path = svc_socket_path(path);
	if (!strcmp(cmd, "list") && n <= 2)
		return forward_list(path, n == 2 ? argv[optind + 1] : NULL);
	if (!strcmp(cmd, "add") && n == 4)
		return forward_change(path, SVC_OP_FORWARD_ADD,
				      argv + optind + 1);
	if (!strcmp(cmd, "remove") && n == 4)
		return forward_change(path, SVC_OP_FORWARD_REMOVE,
				      argv + optind + 1);
	err("forward: add NETWORK ATTACHMENT RULE, remove NETWORK ATTACHMENT RULE or list [NETWORK] (see squib-net help forward)");
	return EXIT_USAGE;
}
