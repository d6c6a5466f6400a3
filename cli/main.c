// SPDX-License-Identifier: MIT
/* main.c - the squib-net program: option parsing and subcommand dispatch */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "squibnet.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: squib-net [--verbose] COMMAND [OPTIONS]\n"
		"\n"
		"The host side of a virtual machine's virtio-net device.\n"
		"\n"
		"commands:\n"
		"  guest     run a command in a new network namespace whose eth0\n"
		"            is relayed to an attachment (default: shared mode)\n"
		"  run       execute a VMM with a TAP from squib-net serve on fd 3\n"
		"            (squib-net help run)\n"
		"  bridge-helper\n"
		"            QEMU's helper= for a TAP from squib-net serve, also\n"
		"            installed as libexec/" BRIDGE_HELPER_NAME "\n"
		"  slirp-helper\n"
		"            user-mode networking for one guest on libslirp\n"
		"            (squib-net-slirp-helper; squib-net slirp-helper --help)\n"
		"  serve     the network service: owns shared, host and bridged\n"
		"            networks and gives unprivileged VMMs a TAP on them\n"
		"            (squib-net serve --help)\n"
		"  status [--json]\n"
		"            the service's networks and attachments\n"
		"  forward add|remove|list\n"
		"            port forwards into a guest of the service, at runtime\n"
		"            (squib-net help forward)\n"
		"  demo      attach through the stream backend to a peer it starts,\n"
		"            send frames through it and print the stats\n"
		"  probe     attach (default: shared mode), print what the\n"
		"            attachment offers, ask for a DHCP offer, detach\n"
		"  version   print the version\n"
		"  help [COMMAND]\n"
		"            this text, or a command's\n"
		"\n"
		"options:\n"
		"  -v, --verbose   more messages, the library's included\n"
		"  -h, --help      this text\n"
		"  -V, --version   print the version\n"
		"\n"
		"Modes: shared (bridge, DHCP and DNS by dnsmasq, NAT), host (the\n"
		"same without NAT), bridged (a port on a bridge, or a macvtap on\n"
		"a NIC) - these three made here with CAP_NET_ADMIN, else through\n"
		"squib-net serve -, userspace (our slirp helper, passt, gvproxy\n"
		"or a custom one), stream and loopback. See squib-net help guest.\n");
}

#ifndef SQN_LIBEXECDIR
#define SQN_LIBEXECDIR "/usr/local/libexec"
#endif
#define SLIRP_HELPER_NAME "squib-net-slirp-helper"

/**
 * exe_dir() - the directory this program runs from
 * @dir:	set to it
 * @size:	bytes of @dir
 *
 * Return: 0, or -1 when /proc/self/exe cannot say.
 */
int exe_dir(char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - 1);
	char *slash;

	if (n <= 0)
		return -1;
	dir[n] = 0;
	slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	*slash = 0;
	return 0;
}

/**
 * cmd_slirp_helper() - exec squib-net-slirp-helper with the arguments
 * @argv:	arguments from "slirp-helper" on; argv[0] is replaced by the
 *		helper's name
 *
 * The helper is looked up beside this program (a build tree), then in
 * SQN_LIBEXECDIR (where make install puts it).
 *
 * Return: only when neither could be run: 1.
 */
static int cmd_slirp_helper(char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 32];

	argv[0] = (char *)SLIRP_HELPER_NAME;
	if (!exe_dir(self, sizeof(self))) {
		snprintf(path, sizeof(path), "%s/" SLIRP_HELPER_NAME, self);
		if (!access(path, X_OK))
			execv(path, argv);
	}
	snprintf(path, sizeof(path), "%s",
		 SQN_LIBEXECDIR "/" SLIRP_HELPER_NAME);
	execv(path, argv);
	err("slirp-helper: %s: %s", path, strerror(errno));
	return 1;
}

/**
 * libexec_from_build_tree() - let a squib-net run from its build tree find
 * the library's programs there
 *
 * The network keeper (shared and host modes) is looked up in
 * SQN_LIBEXECDIR, else where make install puts it; build/squib-net has it
 * beside itself in build/libexec. An SQN_LIBEXECDIR already set wins.
 */
static void libexec_from_build_tree(void)
{
	char self[PATH_MAX], dir[PATH_MAX + 32];

	if (getenv("SQN_LIBEXECDIR") || exe_dir(self, sizeof(self)))
		return;
	snprintf(dir, sizeof(dir), "%s/libexec/squib-net-keeper", self);
	if (access(dir, X_OK))
		return;
	snprintf(dir, sizeof(dir), "%s/libexec", self);
	setenv("SQN_LIBEXECDIR", dir, 0);
}

/* "help COMMAND". Return: 0, or EXIT_USAGE for a command there is none of. */
static int help(const char *cmd)
{
	static const struct {
		const char *name;
		void (*usage)(void);
	} cmds[] = {
		{ "demo", usage_demo },
		{ "guest", usage_guest },
		{ "probe", usage_probe },
		{ "run", usage_run },
		{ "bridge-helper", usage_bridge_helper },
		{ "serve", usage_serve },
		{ "status", usage_status },
		{ "forward", usage_forward },
	};
	size_t i;

	for (i = 0; cmd && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(cmd, cmds[i].name)) {
			cmds[i].usage();
			return 0;
		}
	}
	if (cmd && strcmp(cmd, "version")) {
		err("no command %s (see squib-net --help)", cmd);
		return EXIT_USAGE;
	}
	usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	int i;

	/* QEMU runs the installed helper by its own name, with its own
	 * arguments (helper=). */
	if (!strcmp(base ? base + 1 : argv[0], BRIDGE_HELPER_NAME))
		return cmd_bridge_helper(argc, argv);
	libexec_from_build_tree();

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			log_verbose = 1;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-V") ||
			   !strcmp(argv[i], "--version")) {
			printf("squib-net %s\n", SQN_VERSION_STRING);
			return 0;
		} else {
			err("unknown option %s (see squib-net --help)",
			    argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "version")) {
		printf("squib-net %s\n", SQN_VERSION_STRING);
		return 0;
	}
	if (!strcmp(argv[i], "help"))
		return help(i + 1 < argc ? argv[i + 1] : NULL);
	if (!strcmp(argv[i], "demo"))
		return cmd_demo(argc - i, argv + i);
	if (!strcmp(argv[i], "guest"))
		return cmd_guest(argc - i, argv + i);
	if (!strcmp(argv[i], "probe"))
		return cmd_probe(argc - i, argv + i);
	if (!strcmp(argv[i], "slirp-helper"))
		return cmd_slirp_helper(argv + i);
	if (!strcmp(argv[i], "serve"))
		return cmd_serve(argc - i, argv + i);
	if (!strcmp(argv[i], "status"))
		return cmd_status(argc - i, argv + i);
	if (!strcmp(argv[i], "forward"))
		return cmd_forward(argc - i, argv + i);
	if (!strcmp(argv[i], "run"))
		return cmd_run(argc - i, argv + i);
	if (!strcmp(argv[i], "bridge-helper"))
		return cmd_bridge_helper(argc - i, argv + i);
	err("unknown command %s (see squib-net --help)", argv[i]);
	return EXIT_USAGE;
}
