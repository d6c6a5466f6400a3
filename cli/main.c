// SPDX-License-Identifier: MIT
/* main.c - the squib-net program: option parsing and subcommand dispatch */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		"  demo      attach through the stream backend to a peer it starts,\n"
		"            send frames through it and print the stats\n"
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
		"a NIC) - these three need CAP_NET_ADMIN -, userspace (passt,\n"
		"gvproxy or a custom helper), stream and loopback. See\n"
		"squib-net help guest.\n");
}

int main(int argc, char **argv)
{
	int i;

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
	if (!strcmp(argv[i], "help")) {
		if (i + 1 < argc && !strcmp(argv[i + 1], "demo")) {
			usage_demo();
			return 0;
		}
		if (i + 1 < argc && !strcmp(argv[i + 1], "guest")) {
			usage_guest();
			return 0;
		}
		if (i + 1 < argc && strcmp(argv[i + 1], "version")) {
			err("no command %s (see squib-net --help)",
			    argv[i + 1]);
			return EXIT_USAGE;
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[i], "demo"))
		return cmd_demo(argc - i, argv + i);
	if (!strcmp(argv[i], "guest"))
		return cmd_guest(argc - i, argv + i);
	err("unknown command %s (see squib-net --help)", argv[i]);
	return EXIT_USAGE;
}
