// SPDX-License-Identifier: MIT
/* bridge_helper.c - "squib-net bridge-helper": qemu-bridge-helper's interface, the TAP from the service */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attach.h"
#include "cli.h"
#include "log.h"
#include "sys/sys.h"
#include "util.h"

#define BRIDGE_HELPER_FD_MAX 65535

void usage_bridge_helper(void)
{
	printf("usage: squib-net bridge-helper [--use-vnet] --fd=N --br=NETWORK\n"
	       "                               [--socket=PATH]\n"
	       "       squib-net-bridge-helper ... (the same, installed in\n"
	       "                               LIBEXECDIR for QEMU's helper=)\n"
	       "\n"
	       "A stand-in for qemu-bridge-helper: QEMU runs it with the\n"
	       "arguments above and a unix socket on fd N; it asks squib-net\n"
	       "serve for a TAP on its network NETWORK (a bridge's name, as\n"
	       "br= gives it; \"shared\" and \"host\" stand for sqn-shared and\n"
	       "sqn-host), with a virtio-net header when --use-vnet is given,\n"
	       "sends the TAP's descriptor over fd N (SCM_RIGHTS, one byte of\n"
	       "payload) and exits. The attachment lasts as long as its parent,\n"
	       "QEMU: when QEMU ends, the service removes the TAP. Who may use\n"
	       "which network is the service's ACL, not /etc/qemu/bridge.conf.\n"
	       "\n"
	       "  qemu-system-x86_64 ... -netdev tap,id=n0,br=sqn-shared,\\\n"
	       "      helper=/usr/local/libexec/squib-net-bridge-helper,vhost=on \\\n"
	       "      -device virtio-net-pci,netdev=n0\n"
	       "\n"
	       "--socket=PATH names the service's socket (default:\n"
	       "$SQN_SERVICE, else /run/squib-net/control); QEMU runs a helper=\n"
	       "with blanks through sh -c, so helper=\"PATH --socket=SOCKET\" works.\n"
	       "Errors go to stderr, where QEMU shows them, with exit status 1\n"
	       "(2 for arguments it does not take).\n");
}

/**
 * struct bridge_helper - what QEMU asked
 * @req:	the attach request
 * @socket:	--socket, or NULL
 * @fd:		--fd: QEMU's end of the socket pair
 * @has_fd:	--fd was given
 */
struct bridge_helper {
	struct svc_request req;
	const char *socket;
	unsigned long fd;
	int has_fd;
};

/* "--NAME=VALUE", or "--NAME VALUE" (taking argv[*i + 1]): the value if
 * @arg is that option, else NULL. */
static const char *bh_value(char **argv, int argc, int *i, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len))
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* QEMU's arguments (net/tap.c, net_bridge_run_helper()). Return: 0, -1
 * after --help, or EXIT_USAGE. */
static int bh_parse(struct bridge_helper *b, int argc, char **argv)
{
	const char *v;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--use-vnet")) {
			b->req.vnet_hdr = 1;
		} else if (!strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "-h")) {
			usage_bridge_helper();
			return -1;
		} else if ((v = bh_value(argv, argc, &i, "--fd"))) {
			if (parse_uint(v, BRIDGE_HELPER_FD_MAX, &b->fd)) {
				err("bridge-helper: --fd takes a descriptor, not %s",
				    v);
				return EXIT_USAGE;
			}
			b->has_fd = 1;
		} else if ((v = bh_value(argv, argc, &i, "--br"))) {
			if (!*v || strlen(v) >= SVC_NAME_MAX) {
				err("bridge-helper: --br: \"%s\" is not a network's name (1 to %d bytes)",
				    v, SVC_NAME_MAX - 1);
				return EXIT_USAGE;
			}
			snprintf(b->req.network, sizeof(b->req.network), "%s",
				 v);
		} else if ((v = bh_value(argv, argc, &i, "--socket"))) {
			b->socket = v;
		} else {
			err("bridge-helper: unknown argument %s (see squib-net help bridge-helper)",
			    argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!b->has_fd || !b->req.network[0]) {
		err("bridge-helper: --fd=N and --br=NETWORK are needed (QEMU gives both)");
		return EXIT_USAGE;
	}
	return 0;
}

/* Our parent's name, as status shows it: "qemu-system-x86". */
static void bh_label(char label[SVC_LABEL_MAX])
{
	char path[64], comm[SVC_LABEL_MAX];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
	if (sys_read_line(path, comm, sizeof(comm)) || !comm[0])
		snprintf(comm, sizeof(comm), "bridge-helper");
	attach_label(label, comm);
}

/**
 * cmd_bridge_helper() - squib-net bridge-helper
 * @argc:	arguments, argv[0] the command's name
 * @argv:	the same
 *
 * Return: the exit status: 0 once QEMU has the TAP, 1 when it has not (a
 * line on stderr says why), EXIT_USAGE for arguments it does not take.
 */
int cmd_bridge_helper(int argc, char **argv)
{
	struct bridge_helper b;
	struct svcclient c;
	int type = 0, r;
	socklen_t len = sizeof(type);

	memset(&b, 0, sizeof(b));
	b.req.op = SVC_OP_ATTACH;
	b.req.hold = SVC_HOLD_PARENT;
	r = bh_parse(&b, argc, argv);
	if (r)
		return r < 0 ? 0 : r;
	if (getsockopt((int)b.fd, SOL_SOCKET, SO_TYPE, &type, &len)) {
		err("bridge-helper: --fd=%lu: not a socket: %s", b.fd,
		    strerror(errno));
		return 1;
	}
	bh_label(b.req.label);
	if (attach_service("bridge-helper", b.socket, &b.req, &c))
		return 1;
	/* QEMU's recv_fd() takes one byte of payload with the descriptor;
	 * a document of one NUL byte is just that. */
	r = svc_send((int)b.fd, "", 1, c.tap);
	svcclient_close(&c);
	if (r) {
		err("bridge-helper: sending the TAP over fd %lu: %s", b.fd,
		    strerror(-r));
		return 1;
	}
	return 0;
}
