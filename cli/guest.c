// SPDX-License-Identifier: MIT
/* guest.c - "squib-net guest": a command behind a TAP, relayed as a VMM would */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "guestopt.h"
#include "log.h"
#include "pcap.h"
#include "relay.h"
#include "util.h"

#define GUEST_TAP_MTU_MAX 65521

/* The network's IPv6 prefix and gateway, as sqn_info() tells them. */
static void guest_say_ipv6(const struct sqn_info *in)
{
	char p[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, in->subnet6, p, sizeof(p));
	inet_ntop(AF_INET6, in->gateway6, g, sizeof(g));
	info("IPv6 prefix %s/%u, gateway %s", p, in->prefix6_len, g);
}

/* The library names a config field ("subnet: ...", "... set nat_iface");
 * the user gave an option. */
static void guest_attach_error(const char *msg)
{
	char text[GUESTOPT_ERR_LEN];

	guestopt_explain(msg, text, sizeof(text));
	if (strcmp(text, msg))
		err("guest: %s", text);
	else
		err("attach: %s", msg);
}

/**
 * guest_run() - attach, start the guest, relay until it ends, clean up
 * @r:		relay (static: its buffers are large)
 * @a:		the parsed command line
 *
 * Return: exit status: the command's, 1 when the run failed, EXIT_USAGE
 * when the library refused a value of the command line.
 */
static int guest_run(struct relay *r, struct guest_args *a)
{
	struct sqn_info in;
	sigset_t sigs, block;
	int sfd, rc = 1;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	/* Taking the terminal back from the guest's group sends SIGTTOU. */
	block = sigs;
	sigaddset(&block, SIGTTOU);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		die("signalfd: %s", strerror(errno));
	if (sqn_open(&a->cfg, &r->net)) {
		/* A value the library's checks refused: a usage error, named
		 * by its option. */
		if (errno == EINVAL)
			rc = EXIT_USAGE;
		guest_attach_error(sqn_last_error(NULL));
		goto out;
	}
	if (a->pcap && pcap_open(a->pcap))
		goto out;
	sqn_info(r->net, &in);
	info("attached in %s mode, mtu %u", sqn_mode_name(in.mode), in.mtu);
	if (in.has_subnet6)
		guest_say_ipv6(&in);
	memcpy(a->o.mac, in.guest_mac, 6);
	if (a->o.offload && in.vnet_hdr_len != GUEST_VNET_HDR_LEN) {
		err("guest: --offload: the %s attachment has no virtio-net header",
		    sqn_mode_name(in.mode));
		goto out;
	}
	r->hdr = in.vnet_hdr_len;
	/* An attachment without offloads (a stream, a helper, or no
	 * --offload): eth0 has them anyway, and the relay cuts and joins
	 * segments, as a VMM's virtio-net with offloads to its guest and
	 * none to us may. */
	r->soft = !r->hdr && !a->plain_eth0;
	r->busy_us = a->busy_poll;
	if (r->soft)
		a->o.offload = a->o.offload_optional = 1;
	/* A TAP takes at most 65535 bytes with its Ethernet header. */
	a->o.mtu = in.mtu > GUEST_TAP_MTU_MAX ? GUEST_TAP_MTU_MAX : in.mtu;
	a->o.dhcp = !a->no_dhcp;
	relay_setup(r);
	if (guestns_start(&r->g, &a->o, a->cmd))
		goto out;
	relay_run(r, sfd);
	rc = r->link_down ? 1 : r->status;
	if (log_verbose || a->stats)
		print_stats(stderr, r->net);
out:
	guestns_cleanup(&r->g);
	sqn_close(r->net);
	r->net = NULL;
	pcap_close();
	close(sfd);
	return rc;
}

/**
 * cmd_guest() - "squib-net guest"
 * @argc:	arguments from "guest" on
 * @argv:	them
 *
 * Return: exit status.
 */
int cmd_guest(int argc, char **argv)
{
	static struct relay r;
	static struct guest_args a;
	int rc;

	r.g.pid = -1;
	r.g.pgid = -1;
	r.g.tty = 0;
	r.g.tap = -1;
	r.g.sync = -1;
	rc = guestopt_parse(&a, argc, argv);
	if (a.verbose)
		log_verbose = 1;
	if (rc == GUESTOPT_HELP) {
		usage_guest();
		return 0;
	}
	if (rc) {
		err("guest: %s", a.err);
		return rc;
	}
	/* The library's default mode, shared, unless --mode. */
	a.cfg.log = log_lib;
	clock_gettime(CLOCK_MONOTONIC, &a.o.start);
	return guest_run(&r, &a);
}
