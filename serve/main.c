// SPDX-License-Identifier: MIT
/* main.c - squib-net serve: options, start (configuration, ACL, control
 * socket, networks, capabilities, readiness), the loop, and the end */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "attach.h"
#include "caps.h"
#include "cli.h"
#include "conf.h"
#include "conn.h"
#include "frr.h"
#include "log.h"
#include "loop.h"
#include "nets.h"
#include "route.h"
#include "sock.h"
#include "state.h"
#include "streams.h"
#include "spoof.h"
#include "sys/keeper.h"

#ifndef SQN_LIBEXECDIR
#define SQN_LIBEXECDIR "/usr/local/libexec"
#endif

/**
 * usage_serve() - "squib-net serve --help" on stdout
 */
void usage_serve(void)
{
	printf("usage: squib-net serve [--config FILE] [--socket PATH] [--group NAME|GID]\n"
	       "                       [--acl FILE] [--verbose]\n"
	       "\n"
	       "The network service: owns the networks of its configuration\n"
	       "(default sqn-shared and sqn-host: bridges, nftables, dnsmasq),\n"
	       "and gives each client its ACL allows a TAP on one of them,\n"
	       "over a control socket. Runs as root (or with CAP_NET_ADMIN and\n"
	       "what dnsmasq needs), in the foreground; logs on stderr. SIGTERM\n"
	       "removes everything it made; SIGHUP reads the ACL again, and\n"
	       "the vxlan-peers and bgp-* settings of its configuration.\n"
	       "\n"
	       "A network with vxlan-vni spans hosts: a VXLAN device sqnvxVNI\n"
	       "is a port of its bridge, the network's MTU the underlay's less\n"
	       "50; the gateway host (vxlan-role gateway) holds its address,\n"
	       "dnsmasq and NAT, member hosts only a bridge whose guests get\n"
	       "their leases across the overlay; static peers or BGP EVPN\n"
	       "(FRR) fill the VXLAN FDB (docs/serve.md, \"A network across\n"
	       "hosts\").\n"
	       "\n"
	       "Beside the control socket: NETWORK.sock for each network, a\n"
	       "stream socket (QEMU's framing) where each connection gets a\n"
	       "port of its own (-netdev stream,...,addr.path=...), and\n"
	       "PATH.state, its record of the attachments, which a service\n"
	       "started again after a crash adopts.\n"
	       "\n"
	       "Options:\n"
	       "  --config FILE    its configuration (default " SERVE_CONFIG_DEFAULT
	       ";\n"
	       "                   missing: the defaults)\n"
	       "  --socket PATH    the control socket (default " SVC_SOCKET_DEFAULT
	       ")\n"
	       "  --group NAME|GID the socket's group, which may connect (mode\n"
	       "                   0660; default " SERVE_GROUP_DEFAULT
	       " when it exists, else\n"
	       "                   root only, mode 0600)\n"
	       "  --acl FILE       who may attach to which network (default\n"
	       "                   " ACL_PATH_DEFAULT "; missing: root only)\n"
	       "  -v, --verbose    more messages\n"
	       "\n"
	       "Under systemd: Type=notify, and socket activation\n"
	       "(squib-net.socket). See docs/serve.md.\n");
}

/* The command line over the file: which file first, then the rest.
 * Return: -1 to go on, else the exit status (0 after --help, EXIT_USAGE,
 * 1 for a configuration that is wrong). */
static int serve_options(struct serve *s, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "group", required_argument, NULL, 'g' },
		{ "acl", required_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config = NULL, *sock = NULL, *group = NULL, *acl = NULL;
	char msg[600];
	int o, r;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+:vh", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			config = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'a':
			acl = optarg;
			break;
		case 'v':
			log_verbose = 1;
			break;
		case 'h':
			usage_serve();
			return 0;
		case ':':
			err("serve: %s needs a value (see squib-net serve --help)",
			    argv[optind - 1]);
			return EXIT_USAGE;
		default:
			err("serve: unknown option: %s (see squib-net serve --help)",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		err("serve: takes no arguments: %s", argv[optind]);
		return EXIT_USAGE;
	}
	conf_init(&s->cfg);
	r = conf_load(&s->cfg, config ? config : SERVE_CONFIG_DEFAULT,
		      config != NULL, msg, sizeof(msg));
	if (!r && sock)
		r = conf_set_socket(&s->cfg, sock, msg, sizeof(msg));
	if (!r && group &&
	    (size_t)snprintf(s->cfg.group, sizeof(s->cfg.group), "%s", group) >=
		    sizeof(s->cfg.group)) {
		snprintf(msg, sizeof(msg), "--group: too long");
		r = -EINVAL;
	}
	if (!r && acl) {
		snprintf(s->cfg.acl, sizeof(s->cfg.acl), "%s", acl);
		s->cfg.acl_given = 1;
	}
	if (r) {
		err("serve: %s", msg);
		return 1;
	}
	conf_defaults(&s->cfg);
	return -1;
}

/* The keeper program: beside this program in a build tree (its libexec),
 * else where make install put it; never from the environment. */
static void serve_keeper_dir(void)
{
	char self[PATH_MAX], dir[PATH_MAX + 32];

	if (!exe_dir(self, sizeof(self))) {
		snprintf(dir, sizeof(dir), "%s/libexec/squib-net-keeper", self);
		if (!access(dir, X_OK)) {
			snprintf(dir, sizeof(dir), "%s/libexec", self);
			keeper_set_dir(dir);
			return;
		}
	}
	keeper_set_dir(SQN_LIBEXECDIR);
}

/* The ACL; a missing default file is an empty ACL (root only). */
static int serve_acl(struct serve *s)
{
	char msg[600];
	int r = acl_load(s->cfg.acl, &s->acl, msg, sizeof(msg));

	if (r == -ENOENT && !s->cfg.acl_given) {
		warn("no ACL file %s: only root may attach", s->cfg.acl);
		r = acl_load_text(s->cfg.acl, "", 0, &s->acl, msg, sizeof(msg));
	}
	if (r)
		err("serve: ACL: %s", msg);
	return r;
}

/* As many descriptors as the hard limit allows: each connection and
 * attachment holds some. */
static void serve_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Everything made goes: connections and their attachments, the other
 * attachments, the networks (dnsmasq, keepers, record), the socket.
 * Return: how many networks (and the anti-spoofing table) stayed (each
 * logged). */
static unsigned int serve_end(struct serve *s)
{
	unsigned int left;

	streams_close(s);
	while (s->conns)
		conn_close(s, s->conns);
	attach_remove_all(s);
	state_fini(s, 1);
	route_fini(s);
	left = nets_down(s) + (spoof_fini(s) != 0);
	/* Not a service that ended before its networks (one whose socket
	 * another holds): FRR's part is the running one's. */
	if (s->n_nets)
		frr_clear(s);
	sock_close(s);
	conn_fini(s);
	loop_fini(s);
	acl_free(s->acl);
	free(s->buf);
	free(s);
	return left;
}

/* Ready: how many networks are up, and each that is down named (the
 * service serves the others, and tries it again at its next attach). */
static void serve_ready(struct serve *s)
{
	char down[256] = "";
	unsigned int i, up = 0;
	size_t n = 0;

	for (i = 0; i < s->n_nets; i++) {
		if (s->nets[i].up) {
			up++;
			continue;
		}
		if (n < sizeof(down))
			n += (size_t)snprintf(down + n, sizeof(down) - n, " %s",
					      s->nets[i].conf.name);
	}
	if (up == s->n_nets)
		info("ready: %u networks, control socket %s", s->n_nets,
		     s->activated ? "from systemd" : s->cfg.socket);
	else
		warn("ready: only %u of %u networks up (down:%s), control socket %s",
		     up, s->n_nets, down,
		     s->activated ? "from systemd" : s->cfg.socket);
}

/**
 * cmd_serve() - squib-net serve
 * @argc:	argument count, from "serve" on
 * @argv:	arguments
 *
 * Return: 0 after SIGTERM, 1 when it could not start, EXIT_USAGE for a
 * usage error.
 */
int cmd_serve(int argc, char **argv)
{
	struct serve *s = calloc(1, sizeof(*s));
	char msg[600];
	int r;

	if (!s)
		return 1;
	s->ep = s->sig.fd = s->timer.fd = s->listen.fd = s->spare = -1;
	s->spoof.fd = -1;
	s->links.fd = -1;
	s->routes.fd = -1;
	s->next_id = 1;
	r = serve_options(s, argc, argv);
	if (r >= 0) {
		free(s);
		return r;
	}
	serve_keeper_dir();
	serve_nofile();
	conn_spare(s);
	s->buf = malloc(SVC_MSG_MAX + 1);
	r = s->buf ? serve_acl(s) : -ENOMEM;
	if (!r) {
		r = sock_open(s, msg, sizeof(msg));
		if (r)
			err("serve: control socket: %s", msg);
	}
	if (!r) {
		r = loop_init(s, msg, sizeof(msg));
		if (r)
			err("serve: %s", msg);
	}
	if (!r) {
		r = spoof_init(s, msg, sizeof(msg));
		if (r)
			err("serve: anti-spoofing: %s", msg);
	}
	if (!r) {
		caps_bound();
		r = nets_init(s, msg, sizeof(msg));
		if (r)
			err("serve: %s", msg);
		else
			state_adopt(s);
		spoof_adopted(s);
		if (!r) {
			streams_open(s);
			route_init(s);
		}
	}
	if (!r) {
		r = caps_drop(msg, sizeof(msg));
		if (r)
			err("serve: %s", msg);
	}
	if (r) {
		serve_end(s);
		return 1;
	}
	serve_ready(s);
	sd_notify(0, "READY=1");
	r = loop_run(s);
	if (r)
		err("serve: event loop: %s", strerror(-r));
	sd_notify(0, "STOPPING=1");
	if (serve_end(s))
		warn("stopped: not everything removed (see above)");
	else
		info("stopped: everything removed");
	return r ? 1 : 0;
}
