// SPDX-License-Identifier: MIT
/* opts.c - the slirp helper's command line: parsed and checked up front */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

/**
 * opts_usage() - print --help to stdout
 * @prog:	the program's name
 */
void opts_usage(const char *prog)
{
	printf("usage: %s [OPTIONS]\n"
	       "\n"
	       "User-mode networking for one guest on libslirp (QEMU's user\n"
	       "networking): Ethernet frames with QEMU stream framing (a 4-byte\n"
	       "big-endian length before each) on stdin/stdout or --fd N;\n"
	       "DHCP, DNS and NAT to the sockets of the namespace it runs in.\n"
	       "Runs sandboxed: no new privileges, an empty root in a user and\n"
	       "mount namespace where the kernel allows, and a seccomp filter.\n"
	       "\n"
	       "Options:\n"
	       "  --fd N                the socket (default: stdin and stdout;\n"
	       "                        not 2, stderr)\n"
	       "  --subnet A.B.C.D/N    the guest's network (default 10.0.2.0/24)\n"
	       "  --gateway A.B.C.D     the helper's own address (default .2)\n"
	       "  --dns A.B.C.D         the DNS address given to the guest\n"
	       "                        (default .3); queries to it go to the\n"
	       "                        first nameserver of /etc/resolv.conf\n"
	       "  --ipv6-prefix P/LEN   IPv6 prefix (default fec0::/64; host bits\n"
	       "                        cleared), helper at ::2, DNS at ::3\n"
	       "  --no-ipv6             IPv4 only (the default below --mtu 1280)\n"
	       "  --dns-search DOMAIN   search domain given by DHCP (repeatable)\n"
	       "  --hostname NAME       host name given by DHCP\n"
	       "  --forward tcp|udp:[HOST_ADDR:]HOST_PORT:GUEST_PORT\n"
	       "                        listen on the host, connect to the guest\n"
	       "                        (repeatable, up to %d)\n"
	       "  --restrict            no egress: only forwards and DHCP, no DNS\n"
	       "                        either (libslirp drops all other guest UDP)\n"
	       "  --mtu N               the guest's MTU, 576 to %d (default 1500;\n"
	       "                        below 1280 IPv6 is off, and --ipv6-prefix\n"
	       "                        refused)\n"
	       "  --stats N             counters and connections on stderr every\n"
	       "                        N seconds (also on SIGUSR1)\n"
	       "  --verbose             say more on stderr\n"
	       "  --debug-forbidden-syscall  make a call the seccomp filter\n"
	       "                        forbids once sandboxed (a test: the\n"
	       "                        helper dies of SIGSYS)\n"
	       "  --help                this text\n"
	       "\n"
	       "Exit status: 0 when the socket closed or on SIGTERM, 1 on an\n"
	       "error, 2 on a usage error, 3 when the stream lost its framing.\n",
	       prog, OPTS_FWD_MAX, OPTS_MTU_MAX);
}

/* A decimal number in [min, max], the whole string. */
static int opts_num(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	if (errno || end == s || *end || *v < min || *v > max)
		return -EINVAL;
	return 0;
}

/* tcp|udp:[HOST_ADDR:]HOST_PORT:GUEST_PORT */
static int opts_forward(struct opts_fwd *f, const char *arg)
{
	char buf[96], *p, *parts[3];
	unsigned int n = 0;
	long v;

	if (strlen(arg) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, arg);
	if (!strncmp(buf, "tcp:", 4))
		f->udp = 0;
	else if (!strncmp(buf, "udp:", 4))
		f->udp = 1;
	else
		return -EINVAL;
	/* Split by hand: strtok would take "tcp::8000:80" for "tcp:8000:80". */
	for (p = buf + 4;; p++) {
		if (n == 3)
			return -EINVAL;
		parts[n++] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p = 0;
	}
	if (n < 2 || (n == 3 && !*parts[0]))
		return -EINVAL;
	f->host_addr.s_addr = INADDR_ANY;
	if (n == 3 && inet_pton(AF_INET, parts[0], &f->host_addr) != 1)
		return -EINVAL;
	if (opts_num(parts[n - 2], 1, 65535, &v))
		return -EINVAL;
	f->host_port = (int)v;
	if (opts_num(parts[n - 1], 1, 65535, &v))
		return -EINVAL;
	f->guest_port = (int)v;
	return 0;
}

/* ADDR/LEN into @buf (ADDR, NUL-ended) and the LEN text, or NULL. */
static const char *opts_split(const char *arg, char *buf, size_t size)
{
	char *slash;

	if (strlen(arg) >= size)
		return NULL;
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	return slash + 1;
}

/* A.B.C.D/N into network and mask. */
static int opts_subnet(struct opts *o, const char *arg)
{
	char buf[32];
	const char *n = opts_split(arg, buf, sizeof(buf));
	long len;

	/* At least the gateway, DNS and DHCP's .15 need room. */
	if (!n || inet_pton(AF_INET, buf, &o->net) != 1 ||
	    opts_num(n, 8, 27, &len))
		return -EINVAL;
	o->mask.s_addr = htonl(~0u << (32 - len));
	o->net.s_addr &= o->mask.s_addr;
	return 0;
}

/* P/LEN into the IPv6 prefix and its length. */
static int opts_prefix6(struct opts *o, const char *arg)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *n = opts_split(arg, buf, sizeof(buf));
	unsigned int i;
	long len;

	/* SLAAC needs a /64 at most: the guest makes the other 64 bits. */
	if (!n || inet_pton(AF_INET6, buf, &o->prefix6) != 1 ||
	    opts_num(n, 8, 64, &len))
		return -EINVAL;
	o->prefix6_len = (unsigned int)len;
	/* Host bits cleared, as --subnet's: ::2 and ::3 are put into it. */
	for (i = (unsigned int)len; i < 128; i++)
		o->prefix6.s6_addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	return 0;
}

/* A domain name libslirp's DHCP encoder takes (RFC 1035 labels of 1 to 63
 * letters, digits, '-' or '_', a last '.' allowed): it only warns on others,
 * and leaves them out. */
static bool opts_domain(const char *s)
{
	size_t label = 0, all = strlen(s);

	if (!all || all > 253)
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (!label)
				return false;
			label = 0;
		} else if (isalnum((unsigned char)*s) || *s == '-' ||
			   *s == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

/* @a is in libslirp's DHCP pool: the first address and the 15 after it. */
static bool opts_in_pool(const struct opts *o, struct in_addr a)
{
	uint32_t off = ntohl(a.s_addr) - ntohl(o->dhcp_start.s_addr);

	return off < OPTS_DHCP_POOL;
}

/* @net with its host part replaced by @host_part. */
static struct in_addr opts_in_net(const struct opts *o, uint32_t host_part)
{
	struct in_addr a;

	a.s_addr = o->net.s_addr | (htonl(host_part) & ~o->mask.s_addr);
	return a;
}

/* @a is a host address of the subnet (not its network or broadcast). */
static bool opts_inside(const struct opts *o, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr & ~o->mask.s_addr);

	return (a.s_addr & o->mask.s_addr) == o->net.s_addr && h &&
	       h != ntohl(~o->mask.s_addr);
}

enum {
	OPT_FD = 256,
	OPT_SUBNET,
	OPT_GATEWAY,
	OPT_DNS,
	OPT_PREFIX6,
	OPT_NO_IPV6,
	OPT_SEARCH,
	OPT_HOSTNAME,
	OPT_FORWARD,
	OPT_RESTRICT,
	OPT_MTU,
	OPT_STATS,
	OPT_VERBOSE,
	OPT_FORBIDDEN,
	OPT_HELP,
};

static const struct option opts_long[] = {
	{ "fd", required_argument, NULL, OPT_FD },
	{ "subnet", required_argument, NULL, OPT_SUBNET },
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "dns", required_argument, NULL, OPT_DNS },
	{ "ipv6-prefix", required_argument, NULL, OPT_PREFIX6 },
	{ "no-ipv6", no_argument, NULL, OPT_NO_IPV6 },
	{ "dns-search", required_argument, NULL, OPT_SEARCH },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "forward", required_argument, NULL, OPT_FORWARD },
	{ "restrict", no_argument, NULL, OPT_RESTRICT },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "debug-forbidden-syscall", no_argument, NULL, OPT_FORBIDDEN },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Fill in what options left at their defaults, and check the whole. */
static int opts_finish(struct opts *o, bool gw_set, bool dns_set,
		       bool prefix6_set, char *err, size_t errlen)
{
	if (!gw_set)
		o->host = opts_in_net(o, 2);
	if (!dns_set)
		o->dns = opts_in_net(o, 3);
	o->dhcp_start = opts_in_net(o, 15);
	if (!opts_inside(o, o->host) || !opts_inside(o, o->dns)) {
		snprintf(err, errlen,
			 "--gateway and --dns must be inside --subnet");
		return -EINVAL;
	}
	if (o->host.s_addr == o->dns.s_addr || opts_in_pool(o, o->host) ||
	    opts_in_pool(o, o->dns)) {
		snprintf(
			err, errlen,
			"--gateway and --dns must differ, and be outside the DHCP pool (.15 to .30)");
		return -EINVAL;
	}
	/* IPv6 needs 1280: below, it is off unless asked for by name. */
	if (o->ipv6 && o->mtu < 1280 && prefix6_set) {
		snprintf(err, errlen,
			 "--ipv6-prefix: IPv6 needs --mtu 1280 at least");
		return -EINVAL;
	}
	if (o->ipv6 && o->mtu < 1280) {
		o->ipv6 = false;
		o->ipv6_off_by_mtu = true;
	}
	o->host6 = o->prefix6;
	o->host6.s6_addr[15] = 2;
	o->dns6 = o->prefix6;
	o->dns6.s6_addr[15] = 3;
	return 0;
}

/**
 * opts_parse() - read the command line into @o
 * @o:		result
 * @argc:	as main's
 * @argv:	as main's
 * @err:	message of a usage error
 * @errlen:	its size
 *
 * Return: 0, 1 when --help was printed, or -EINVAL with @err set.
 */
int opts_parse(struct opts *o, int argc, char **argv, char *err, size_t errlen)
{
	bool gw_set = false, dns_set = false, prefix6_set = false;
	int c, idx = 0;
	long v;

	memset(o, 0, sizeof(*o));
	o->fd_in = 0;
	o->fd_out = 1;
	o->ipv6 = true;
	o->mtu = 1500;
	inet_pton(AF_INET, "10.0.2.0", &o->net);
	inet_pton(AF_INET, "255.255.255.0", &o->mask);
	inet_pton(AF_INET6, "fec0::", &o->prefix6);
	o->prefix6_len = 64;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts_long, &idx)) != -1) {
		const char *a = optarg;

		switch (c) {
		case OPT_FD:
			/* 2 is stderr, where the helper writes its lines. */
			if (opts_num(a, 0, INT_MAX, &v) || v == 2)
				goto bad;
			o->fd_in = o->fd_out = (int)v;
			break;
		case OPT_SUBNET:
			if (opts_subnet(o, a))
				goto bad;
			break;
		case OPT_GATEWAY:
			gw_set = true;
			if (inet_pton(AF_INET, a, &o->host) != 1)
				goto bad;
			break;
		case OPT_DNS:
			dns_set = true;
			if (inet_pton(AF_INET, a, &o->dns) != 1)
				goto bad;
			break;
		case OPT_PREFIX6:
			prefix6_set = true;
			if (opts_prefix6(o, a))
				goto bad;
			break;
		case OPT_NO_IPV6:
			o->ipv6 = false;
			break;
		case OPT_SEARCH:
			if (o->nsearch == OPTS_SEARCH_MAX || !opts_domain(a))
				goto bad;
			o->search[o->nsearch++] = a;
			break;
		case OPT_HOSTNAME:
			if (!*a || strlen(a) > 63)
				goto bad;
			o->hostname = a;
			break;
		case OPT_FORWARD:
			if (o->nfwd == OPTS_FWD_MAX ||
			    opts_forward(&o->fwd[o->nfwd], a))
				goto bad;
			o->nfwd++;
			break;
		case OPT_RESTRICT:
			o->restrict_egress = true;
			break;
		case OPT_MTU:
			if (opts_num(a, 576, OPTS_MTU_MAX, &v))
				goto bad;
			o->mtu = (unsigned int)v;
			break;
		case OPT_STATS:
			if (opts_num(a, 1, 86400, &v))
				goto bad;
			o->stats_sec = (unsigned int)v;
			break;
		case OPT_VERBOSE:
			o->verbose = true;
			break;
		case OPT_FORBIDDEN:
			o->debug_forbidden = true;
			break;
		case OPT_HELP:
			opts_usage(argv[0]);
			return 1;
		case ':':
			snprintf(err, errlen, "%s needs a value",
				 argv[optind - 1]);
			return -EINVAL;
		default:
			snprintf(err, errlen, "unknown option %s",
				 argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument %s", argv[optind]);
		return -EINVAL;
	}
	return opts_finish(o, gw_set, dns_set, prefix6_set, err, errlen);
bad:
	snprintf(err, errlen, "--%s: bad value \"%s\"", opts_long[idx].name,
		 optarg);
	return -EINVAL;
}
