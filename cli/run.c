// SPDX-License-Identifier: MIT
/* run.c - "squib-net run": a TAP from the service on fd N (or by name), then exec the VMM in this process */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "attach.h"
#include "cli.h"
#include "forward.h"
#include "log.h"
#include "runstream.h"
#include "util.h"

/* The VMM's fd of the TAP: QEMU's fd=3 and socket_vmnet_client's habit. */
#define RUN_FD_DEFAULT 3
#define RUN_FD_MAX 65535

void usage_run(void)
{
	printf("usage: squib-net run [--network NAME] [--mac MAC] [--fd N]\n"
	       "                     [--socket PATH] [--no-vnet-hdr] [--label TEXT]\n"
	       "                     [--ip A.B.C.D] [--forward RULE]...\n"
	       "                     [--tap-name] -- VMM [ARGS...]\n"
	       "       squib-net run --stream [--network NAME] [--fd N] [--socket PATH]\n"
	       "                     -- VMM [ARGS...]\n"
	       "\n"
	       "Asks squib-net serve for a TAP on its network NAME (default: its\n"
	       "default network, sqn-shared; \"shared\" and \"host\" stand for\n"
	       "sqn-shared and sqn-host), puts it on fd N (default 3) and\n"
	       "executes VMM in this process, printing nothing. The attachment\n"
	       "lasts as long as that process (the VMM): when it ends, the\n"
	       "service removes the TAP. No privilege is needed beyond what\n"
	       "the service's ACL allows.\n"
	       "\n"
	       "  --network NAME  the service's network (a bridge's name)\n"
	       "  --mac MAC       the guest's MAC (default: the service picks one)\n"
	       "  --fd N          the TAP's descriptor in VMM, 3 or above\n"
	       "  --socket PATH   the service's socket (default: $SQN_SERVICE,\n"
	       "                  else /run/squib-net/control)\n"
	       "  --no-vnet-hdr   a TAP without a virtio-net header (no offloads,\n"
	       "                  no vhost-net); by default it has one\n"
	       "  --label TEXT    what squib-net status shows (default: VMM's name)\n"
	       "  --ip A.B.C.D    a fixed address: the network's DHCP gives the\n"
	       "                  guest's MAC this one (shared and host networks)\n"
	       "  --forward RULE  forward a host port to the guest while it runs,\n"
	       "                  PROTO:[ADDR:]PORT[:GPORT] (tcp:8080:80; at most\n"
	       "                  %d; shared networks; the ACL's forward right)\n"
	       "  --tap-name      no fd: a persistent TAP owned by this uid, which\n"
	       "                  VMM opens by the name in $SQN_TAP (Firecracker's\n"
	       "                  host_dev_name); removed when VMM ends\n"
	       "  --stream        no TAP: connect to the network's stream socket\n"
	       "                  (beside the service's socket: NAME.sock, e.g.\n"
	       "                  /run/squib-net/sqn-shared.sock) and put that\n"
	       "                  connection on fd N, for a VMM that speaks QEMU's\n"
	       "                  stream framing; VMM's environment gets SQN_FD (N)\n"
	       "                  and SQN_STREAM (the socket). The service makes a\n"
	       "                  port for it; the VMM's own MAC is the guest's.\n"
	       "\n"
	       "VMM's environment gets SQN_MAC (the guest's MAC), SQN_TAP (the\n"
	       "TAP's name), SQN_TAP_FD (N; not with --tap-name), SQN_MTU (the\n"
	       "network's MTU) and, with --ip or --forward, SQN_IP (the guest's\n"
	       "fixed address). With --ip or --forward and no --mac, a random\n"
	       "MAC is asked for: the guest must use $SQN_MAC, which the address\n"
	       "is reserved for.\n"
	       "\n"
	       "  squib-net run -- qemu-system-x86_64 ... \\\n"
	       "      -netdev tap,id=n0,fd=3,vhost=on -device virtio-net-pci,netdev=n0\n"
	       "  squib-net run --forward tcp:2222:22 -- sh -c 'exec qemu-system-x86_64 \\\n"
	       "      ... -device virtio-net-pci,netdev=n0,mac=$SQN_MAC'\n"
	       "  squib-net run -- sh -c 'exec cloud-hypervisor ... --net fd=3,mac=$SQN_MAC'\n"
	       "  squib-net run -- crosvm run --net tap-fd=3 ...\n"
	       "  squib-net run --tap-name -- ./start-firecracker.sh (its config's\n"
	       "      network-interfaces: \"host_dev_name\": the name in $SQN_TAP)\n"
	       "  squib-net run --stream -- qemu-system-x86_64 ... \\\n"
	       "      -netdev socket,id=n0,fd=3 -device virtio-net-pci,netdev=n0\n"
	       "\n"
	       "Exit status: VMM's; 1 when the service is not there or refuses\n"
	       "(its reason on stderr) or VMM cannot be executed, 2 for a usage\n"
	       "error.\n",
	       SVC_FORWARDS_MAX);
}

/**
 * struct run - what squib-net run was asked
 * @req:	the attach request
 * @socket:	--socket, or NULL
 * @fd:		--fd
 * @label:	--label given
 * @fd_given:	--fd given
 * @stream:	--stream: the stream socket instead of a TAP
 * @tap_only:	an option that only a TAP takes, for the message
 */
struct run {
	struct svc_request req;
	const char *socket;
	unsigned long fd;
	int label;
	int fd_given;
	int stream;
	const char *tap_only;
};

/* --ip A.B.C.D (@c 'i') or --forward RULE. Return: 0 or -1 after a
 * line on stderr. */
static int run_forward(struct run *r, int c, const char *arg)
{
	struct svc_forward *f = &r->req.fwd[r->req.n_fwd];
	struct sqn_forward sf;
	uint8_t a[4];
	char addr[16];

	if (c == 'i') {
		if (inet_pton(AF_INET, arg, a) != 1) {
			err("run: --ip takes an address A.B.C.D, not %s", arg);
			return -1;
		}
		snprintf(r->req.ip, sizeof(r->req.ip), "%s", arg);
		return 0;
	}
	if (r->req.n_fwd == SVC_FORWARDS_MAX) {
		err("run: more than %d --forward", SVC_FORWARDS_MAX);
		return -1;
	}
	if (forward_parse(arg, &sf, addr)) {
		err("run: --forward takes PROTO:[ADDR:]PORT[:GPORT] (tcp:8080:80), not %s",
		    arg);
		return -1;
	}
	f->proto = sf.proto;
	snprintf(f->addr, sizeof(f->addr), "%s", addr);
	f->host_port = sf.host_port;
	f->guest_port = forward_guest_port(&sf);
	r->req.n_fwd++;
	return 0;
}

/* The options up to VMM. Return: 0, -1 after --help, or EXIT_USAGE. */
static int run_parse(struct run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "network", required_argument, NULL, 'n' },
		{ "mac", required_argument, NULL, 'm' },
		{ "fd", required_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "no-vnet-hdr", no_argument, NULL, 'N' },
		{ "label", required_argument, NULL, 'l' },
		{ "tap-name", no_argument, NULL, 'T' },
		{ "stream", no_argument, NULL, 'S' },
		{ "ip", required_argument, NULL, 'i' },
		{ "forward", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	/* '+': VMM's own options are not ours. */
	while ((c = getopt_long(argc, argv, "+n:m:f:s:Nl:TSi:F:h", opts,
				NULL)) != -1) {
		switch (c) {
		case 'n':
			if (strlen(optarg) >= SVC_NAME_MAX) {
				err("run: --network: \"%s\" is longer than %d bytes",
				    optarg, SVC_NAME_MAX - 1);
				return EXIT_USAGE;
			}
			snprintf(r->req.network, sizeof(r->req.network), "%s",
				 optarg);
			break;
		case 'm':
			if (parse_mac(optarg, r->req.mac) ||
			    (r->req.mac[0] & 1)) {
				err("run: --mac takes a unicast xx:xx:xx:xx:xx:xx, not %s",
				    optarg);
				return EXIT_USAGE;
			}
			r->req.has_mac = 1;
			r->tap_only = "--mac";
			break;
		case 'f':
			if (parse_uint(optarg, RUN_FD_MAX, &r->fd) ||
			    r->fd <= 2) {
				err("run: --fd takes a number from 3 to %d, not %s",
				    RUN_FD_MAX, optarg);
				return EXIT_USAGE;
			}
			r->fd_given = 1;
			break;
		case 's':
			r->socket = optarg;
			break;
		case 'N':
			r->req.vnet_hdr = 0;
			r->tap_only = "--no-vnet-hdr";
			break;
		case 'l':
			attach_label(r->req.label, optarg);
			r->label = 1;
			r->tap_only = "--label";
			break;
		case 'S':
			r->stream = 1;
			break;
		case 'i':
		case 'F':
			if (run_forward(r, c, optarg))
				return EXIT_USAGE;
			r->tap_only = c == 'i' ? "--ip" : "--forward";
			break;
		case 'T':
			r->req.kind = SVC_KIND_NAMED;
			break;
		case 'h':
			usage_run();
			return -1;
		default:
			err("run: unknown or incomplete option %s (see squib-net help run)",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (r->fd_given && r->req.kind == SVC_KIND_NAMED) {
		err("run: --fd and --tap-name exclude each other (VMM opens a named TAP itself)");
		return EXIT_USAGE;
	}
	if (optind == argc) {
		err("run: no VMM to run (squib-net run [OPTIONS] -- VMM [ARGS...])");
		return EXIT_USAGE;
	}
	if (r->stream && r->req.kind == SVC_KIND_NAMED) {
		err("run: --stream and --tap-name exclude each other (a stream connection has no TAP of its own to name)");
		return EXIT_USAGE;
	}
	/* The reservation is for the guest's MAC: one it will use. */
	if ((r->req.ip[0] || r->req.n_fwd) && !r->req.has_mac) {
		if (getrandom(r->req.mac, 6, 0) != 6) {
			err("run: no random MAC: %s", strerror(errno));
			return EXIT_USAGE;
		}
		r->req.mac[0] = (uint8_t)((r->req.mac[0] & 0xfc) | 0x02);
		r->req.has_mac = 1;
	}
	if (r->stream && r->tap_only) {
		err("run: %s is for a TAP, not --stream (the VMM's device sets the guest's MAC)",
		    r->tap_only);
		return EXIT_USAGE;
	}
	return 0;
}

/* The TAP on fd @fd, open across exec; nothing else of ours is. */
static int run_place_tap(struct svcclient *c, int fd)
{
	/* The connection first: it may sit on @fd itself. Closing it
	 * ends nothing: the attachment is held by this process. */
	close(c->conn);
	c->conn = -1;
	if (c->tap == fd)
		return fcntl(fd, F_SETFD, 0);
	if (dup2(c->tap, fd) < 0)
		return -1;
	close(c->tap);
	c->tap = -1;
	return 0;
}

/* What VMM may want to know, in its environment; @fd -1: a named TAP. */
static void run_export(const struct svc_attach *att, int fd)
{
	const uint8_t *m = att->guest_mac;
	char buf[32];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
	setenv("SQN_MAC", buf, 1);
	setenv("SQN_TAP", att->tap, 1);
	snprintf(buf, sizeof(buf), "%d", fd);
	if (fd >= 0)
		setenv("SQN_TAP_FD", buf, 1);
	else
		unsetenv("SQN_TAP_FD");
	snprintf(buf, sizeof(buf), "%u", att->mtu);
	setenv("SQN_MTU", buf, 1);
	if (att->fixed_ip[0])
		setenv("SQN_IP", att->fixed_ip, 1);
	else
		unsetenv("SQN_IP");
}

/**
 * cmd_run() - squib-net run
 * @argc:	arguments from "run" on
 * @argv:	the same
 *
 * Return: only on failure: 1, or EXIT_USAGE (0 after --help).
 */
int cmd_run(int argc, char **argv)
{
	struct run r;
	struct svcclient c;
	char **vmm;
	int st;

	memset(&r, 0, sizeof(r));
	r.req.op = SVC_OP_ATTACH;
	r.req.vnet_hdr = 1;
	r.req.hold = SVC_HOLD_PROCESS;
	/* we read the reply's fixed address and IPv6 prefix */
	r.req.has_ip = 1;
	r.fd = RUN_FD_DEFAULT;
	st = run_parse(&r, argc, argv);
	if (st)
		return st < 0 ? 0 : st;
	vmm = argv + optind;
	if (r.stream)
		return runstream_exec(r.socket, r.req.network, (int)r.fd, vmm);
	if (!r.label) {
		const char *base = strrchr(vmm[0], '/');

		attach_label(r.req.label, base ? base + 1 : vmm[0]);
	}
	if (attach_service("run", r.socket, &r.req, &c))
		return 1;
	if (r.req.kind == SVC_KIND_NAMED) {
		/* Held by this process: VMM opens the TAP by name. */
		svcclient_close(&c);
		run_export(&c.att, -1);
	} else if (run_place_tap(&c, (int)r.fd)) {
		err("run: the TAP on fd %lu: %s", r.fd, strerror(errno));
		svcclient_close(&c);
		return 1;
	} else {
		run_export(&c.att, (int)r.fd);
	}
	execvp(vmm[0], vmm);
	err("run: %s: %s", vmm[0], strerror(errno));
	return 1;
}
