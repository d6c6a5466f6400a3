// SPDX-License-Identifier: MIT
/* main.c - squib-net-slirp-helper: user-mode networking on libslirp */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "opts.h"
#include "sandbox.h"

/* resolv.conf beyond this is cut: libslirp uses its first nameservers. */
#define MAIN_RESOLV_MAX 4096

/* The host's /etc/resolv.conf, read before the sandbox hides it. */
static size_t main_read_resolv(char *buf, size_t cap)
{
	int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	while (len < cap && (n = read(fd, buf + len, cap - len)) > 0)
		len += (size_t)n;
	close(fd);
	return len;
}

/**
 * main() - parse, set up libslirp and its forwards, sandbox, serve
 * @argc:	argument count
 * @argv:	arguments (see --help)
 *
 * Return: see --help's exit statuses.
 */
int main(int argc, char **argv)
{
	static char resolv[MAIN_RESOLV_MAX];
	struct sandbox_report rep;
	struct loop l;
	struct opts o;
	char err[256];
	sigset_t sigs;
	size_t rlen;
	int r;

	/* Blocked first thing, not in loop_init(): a SIGUSR1 (or SIGTERM)
	 * before the loop would otherwise kill the helper by default. The
	 * loop's signalfd reads what came meanwhile. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	r = opts_parse(&o, argc, argv, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "squib-net-slirp-helper: %s (see --help)\n",
			err);
		return 2;
	}
	if (r > 0)
		return 0;
	if (o.ipv6_off_by_mtu)
		fprintf(stderr,
			"squib-net-slirp-helper: --mtu %u is below IPv6's 1280: IPv4 only\n",
			o.mtu);
	/* A guest that went away shows as EPIPE from write, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	rlen = main_read_resolv(resolv, sizeof(resolv));
	r = loop_init(&l, &o, err, sizeof(err));
	if (!r)
		r = sandbox_enter(resolv, rlen, &rep, err, sizeof(err));
	if (r) {
		fprintf(stderr, "squib-net-slirp-helper: %s\n", err);
		loop_free(&l);
		return LOOP_EXIT_ERROR;
	}
	if (o.verbose)
		fprintf(stderr,
			"squib-net-slirp-helper: libslirp %s, mtu %u, %s; sandbox: %s, seccomp on\n",
			slirp_version_string(), o.mtu,
			o.restrict_egress ? "restricted" : "egress allowed",
			rep.userns ? "empty root in a user namespace" :
				     rep.why);
	if (o.debug_forbidden) {
		sandbox_forbidden_call();
		fprintf(stderr, "squib-net-slirp-helper: the forbidden call "
				"returned: no seccomp filter\n");
		loop_free(&l);
		return LOOP_EXIT_ERROR;
	}
	r = loop_run(&l);
	loop_free(&l);
	return r;
}
