// SPDX-License-Identifier: MIT
/* guestopt.c - "squib-net guest"'s options: parsed without side effects */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "cli.h"
#include "forward.h"
#include "guestopt.h"
#include "util.h"

/* The longest path a unix socket address holds, with its NUL. */
#define PEER_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* Options that only some modes take, by the modes that take them. */
#define M(m) (1u << (m))
#define FOR_PLANE (M(SQN_MODE_SHARED) | M(SQN_MODE_HOST) | M(SQN_MODE_BRIDGED))

/**
 * usage_guest() - "squib-net help guest" on stdout
 */
void usage_guest(void)
{
	printf("usage: squib-net guest [--mode MODE] [OPTIONS] -- CMD [ARGS...]\n"
	       "\n"
	       "Runs CMD in a new network namespace whose eth0 is a TAP device,\n"
	       "and relays its frames to an attachment through the libsquibnet\n"
	       "API, as a VMM's virtio-net would. eth0 gets its address by DHCP\n"
	       "(busybox udhcpc; the namespace gets its own resolv.conf), or\n"
	       "--ip/--gateway/--dns with --no-dhcp. CMD also runs in a PID\n"
	       "namespace of its own, under a small init of squib-net's, with\n"
	       "/proc mounted anew to show it: whatever CMD starts ends when\n"
	       "CMD ends or squib-net is killed. /sys is the host's. Exits\n"
	       "with CMD's status (128+N if a signal N ended it), or 1 when\n"
	       "the link failed. Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN).\n"
	       "\n"
	       "Modes (--mode):\n"
	       "  shared     (default) bridge NETWORK with the gateway address,\n"
	       "             DHCP and DNS by dnsmasq, NAT out of the default\n"
	       "             route's interface (nftables table\n"
	       "             ip squib-net-NETWORK)\n"
	       "  host       the same without NAT: guests reach the host only\n"
	       "  bridged    a port on a LAN: --bridged-iface is a bridge (the\n"
	       "             TAP joins it) or a NIC (a macvtap is made on it)\n"
	       "  userspace  a helper (slirp, passt or gvproxy) gives the guest\n"
	       "             the connectivity of the namespace it runs in\n"
	       "  stream     a QEMU stream peer listening on --peer SOCKET\n"
	       "  loopback   every frame comes back (see docs/api.md)\n"
	       "Guests of one shared or host network cannot reach each other\n"
	       "unless --disable-isolation. The network is made by the first\n"
	       "guest and removed with the last one, in the current network\n"
	       "namespace.\n"
	       "\n");
	printf("Options:\n"
	       "  --network NAME        shared/host network and bridge name\n"
	       "                        (default sqn-shared, sqn-host)\n"
	       "  --subnet A.B.C.D/N    the gateway's address and prefix\n"
	       "                        (default 192.168.105.1/24 shared,\n"
	       "                        192.168.106.1/24 host)\n"
	       "  --subnet6 PREFIX/64   the network's IPv6 prefix (guests get\n"
	       "                        addresses by SLAAC and DHCPv6), or\n"
	       "                        none; default: a ULA /64 from NETWORK\n"
	       "  --nat-iface IF        shared: NAT out of IF\n"
	       "  --dns-upstream LIST   shared: dnsmasq forwards unknown names\n"
	       "                        to these IPv4 addresses (comma\n"
	       "                        separated), or none; default: the\n"
	       "                        host's /etc/resolv.conf\n"
	       "  --dns-hosts FILE      names (hosts(5) format) dnsmasq answers\n"
	       "  --bridged-iface IF    bridged: the bridge or NIC\n"
	       "  --disable-isolation   let guests of a network reach each other\n"
	       "  --offload             pass checksum and TCP segmentation offloads\n"
	       "                        between eth0 and the attachment (frames\n"
	       "                        up to 64 KiB)\n"
	       "  --no-guest-offload    eth0 without offloads either (without\n"
	       "                        --offload it has them, and we cut and\n"
	       "                        join segments for the attachment; not\n"
	       "                        with --offload)\n"
	       "  --busy-poll USEC      after the last event, poll USEC more\n"
	       "                        microseconds before sleeping: a busy\n"
	       "                        CPU for shorter request/response\n"
	       "                        round trips (default 0)\n"
	       "  --helper slirp|passt|gvproxy|custom, --helper-path PATH,\n"
	       "  --helper-arg ARG      userspace: the helper. Default: slirp\n"
	       "                        (squib-net-slirp-helper, ours, on\n"
	       "                        libslirp, MTU 1500) when installed or\n"
	       "                        named by SQN_SLIRP_HELPER, else passt\n"
	       "  --peer SOCKET         stream: the unix socket to connect to\n"
	       "                        (a path of at most %zu bytes)\n"
	       "  --mtu N               the attachment's MTU, %d to %d\n"
	       "  --mac MAC             the guest's MAC address\n"
	       "  --ip A.B.C.D          shared/host: a fixed address, which the\n"
	       "                        network's DHCP reserves for the MAC\n"
	       "  --forward PROTO:[ADDR:]HPORT[:GPORT]\n"
	       "                        shared, userspace: forward the host's\n"
	       "                        port HPORT (tcp or udp; on ADDR, else\n"
	       "                        on its IPv4 addresses, 127.0.0.1 too)\n"
	       "                        to the guest's GPORT (default HPORT),\n"
	       "                        e.g. tcp:8080:80; up to %d times. A\n"
	       "                        port forwarded already or in use on\n"
	       "                        the host: refused\n"
	       "  --no-dhcp, --ip ADDR/PREFIX, --gateway ADDR, --dns ADDR\n"
	       "                        a static address instead of DHCP\n"
	       "  --dhcp-timeout SEC    how long to wait for a lease (10)\n"
	       "  --pcap FILE           write every frame to FILE (pcap)\n"
	       "  --stats               print the attachment's counters at exit\n"
	       "                        (stderr)\n"
	       "  --verbose             say more\n",
	       PEER_PATH_MAX, SQN_MTU_MIN, SQN_FRAME_MAX - SQN_ETH_HLEN,
	       SQN_FORWARDS_MAX);
}

static int usage_error(struct guest_args *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Why the command line is refused, in a->err; the exit status. */
static int usage_error(struct guest_args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->err, sizeof(a->err), fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

static int guest_parse_helper(struct guest_args *a, const char *s)
{
	if (!strcmp(s, "slirp"))
		a->cfg.helper = SQN_HELPER_SLIRP;
	else if (!strcmp(s, "passt"))
		a->cfg.helper = SQN_HELPER_PASST;
	else if (!strcmp(s, "gvproxy"))
		a->cfg.helper = SQN_HELPER_GVPROXY;
	else if (!strcmp(s, "custom"))
		a->cfg.helper = SQN_HELPER_CUSTOM;
	else
		return -1;
	return 0;
}

enum { O_HELPER, O_PEER, O_NET, O_NAT, O_BRIDGED, O_PLANE, O_FWD, O_COUNT };

static const struct {
	unsigned int modes;
	const char *which;
} guest_only[O_COUNT] = {
	[O_HELPER] = { M(SQN_MODE_USERSPACE), "userspace" },
	[O_PEER] = { M(SQN_MODE_STREAM), "stream" },
	[O_NET] = { M(SQN_MODE_SHARED) | M(SQN_MODE_HOST), "shared and host" },
	[O_NAT] = { M(SQN_MODE_SHARED), "shared" },
	[O_BRIDGED] = { M(SQN_MODE_BRIDGED), "bridged" },
	[O_PLANE] = { FOR_PLANE, "shared, host and bridged" },
	[O_FWD] = { M(SQN_MODE_SHARED) | M(SQN_MODE_USERSPACE),
		    "shared and userspace" },
};

/* An IPv4 address, and with @prefix "/N" (0 to 32) after it. */
static int guest_ipv4_ok(const char *s, int prefix)
{
	char addr[INET_ADDRSTRLEN];
	struct in_addr in;
	unsigned long n;
	size_t len = strcspn(s, "/");

	if (len >= sizeof(addr) || (!prefix && s[len]) || (prefix && !s[len]))
		return 0;
	memcpy(addr, s, len);
	addr[len] = '\0';
	return inet_pton(AF_INET, addr, &in) == 1 &&
	       (!prefix || !parse_uint(s + len + 1, 32, &n));
}

/* What getopt cannot see: values of the static address, options given to
 * a mode that does not take them, options a mode cannot do without. */
static int guest_check(struct guest_args *a)
{
	unsigned int i;

	/* --ip with DHCP: the address DHCP gives, reserved. */
	if (a->o.addr && !a->no_dhcp) {
		if (!guest_ipv4_ok(a->o.addr, 0))
			return usage_error(
				a,
				"--ip takes A.B.C.D (a fixed address by DHCP), or A.B.C.D/N with --no-dhcp");
		if (a->cfg.mode != SQN_MODE_SHARED &&
		    a->cfg.mode != SQN_MODE_HOST)
			return usage_error(
				a,
				"--ip without --no-dhcp is a fixed address of a shared or host network's DHCP, not %s mode's",
				sqn_mode_name(a->cfg.mode));
		a->cfg.guest_ip = a->o.addr;
		a->o.addr = NULL;
	}
	if ((a->o.gateway || a->o.dns) && !a->o.addr)
		return usage_error(
			a, "--gateway and --dns go with --no-dhcp --ip");
	if ((a->o.addr && !guest_ipv4_ok(a->o.addr, 1)) ||
	    (a->o.gateway && !guest_ipv4_ok(a->o.gateway, 0)) ||
	    (a->o.dns && !guest_ipv4_ok(a->o.dns, 0)))
		return usage_error(
			a, "--ip takes A.B.C.D/N, --gateway and --dns A.B.C.D");
	/* A static address in shared mode: where the forwards lead. */
	if (a->o.addr && a->cfg.n_forwards && a->cfg.mode == SQN_MODE_SHARED) {
		snprintf(a->ip, sizeof(a->ip), "%.*s",
			 (int)strcspn(a->o.addr, "/"), a->o.addr);
		a->cfg.guest_ip = a->ip;
	}
	for (i = 0; i < O_COUNT; i++)
		if (a->only_for[i] && !(guest_only[i].modes & M(a->cfg.mode)))
			return usage_error(a, "--%s is for %s mode, not %s",
					   a->only_for[i], guest_only[i].which,
					   sqn_mode_name(a->cfg.mode));
	if (a->cfg.mode == SQN_MODE_STREAM && !a->cfg.peer_path)
		return usage_error(a, "--mode stream needs --peer SOCKET");
	if (a->cfg.mode == SQN_MODE_BRIDGED && !a->cfg.bridged_iface)
		return usage_error(a,
				   "--mode bridged needs --bridged-iface IF");
	if (a->cfg.mode == SQN_MODE_LOOPBACK && !a->no_dhcp)
		return usage_error(
			a,
			"--mode loopback has no DHCP server (frames come back): add --no-dhcp");
	if (a->o.offload && a->plain_eth0)
		return usage_error(
			a,
			"--offload and --no-guest-offload exclude each other (--offload passes eth0's offloads to the attachment)");
	return 0;
}

static const struct option guest_opts[] = {
	{ "mode", required_argument, NULL, 'm' },
	{ "helper", required_argument, NULL, 'H' },
	{ "helper-path", required_argument, NULL, 'P' },
	{ "helper-arg", required_argument, NULL, 'A' },
	{ "peer", required_argument, NULL, 'p' },
	{ "mtu", required_argument, NULL, 'M' },
	{ "mac", required_argument, NULL, 'a' },
	{ "no-dhcp", no_argument, NULL, 'n' },
	{ "ip", required_argument, NULL, 'i' },
	{ "gateway", required_argument, NULL, 'g' },
	{ "dns", required_argument, NULL, 'd' },
	{ "dhcp-timeout", required_argument, NULL, 't' },
	{ "pcap", required_argument, NULL, 'c' },
	{ "disable-isolation", no_argument, NULL, 'I' },
	{ "network", required_argument, NULL, 'N' },
	{ "subnet", required_argument, NULL, 'S' },
	{ "subnet6", required_argument, NULL, '6' },
	{ "nat-iface", required_argument, NULL, 'X' },
	{ "dns-upstream", required_argument, NULL, 'U' },
	{ "dns-hosts", required_argument, NULL, 'D' },
	{ "bridged-iface", required_argument, NULL, 'B' },
	{ "offload", no_argument, NULL, 'O' },
	{ "no-guest-offload", no_argument, NULL, 'G' },
	{ "busy-poll", required_argument, NULL, 'b' },
	{ "forward", required_argument, NULL, 'F' },
	{ "stats", no_argument, NULL, 's' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The long name of option @c, for the mode checks. */
static const char *guest_opt_name(int c)
{
	unsigned int i;

	for (i = 0; guest_opts[i].name; i++)
		if (guest_opts[i].val == c)
			return guest_opts[i].name;
	return "?";
}

/* Note which mode-specific option was given first. */
static void guest_note_only(struct guest_args *a, int c)
{
	static const struct {
		int c, o;
	} only[] = { { 'H', O_HELPER }, { 'P', O_HELPER },  { 'A', O_HELPER },
		     { 'p', O_PEER },	{ 'N', O_NET },	    { 'S', O_NET },
		     { '6', O_NET },	{ 'D', O_NET },	    { 'X', O_NAT },
		     { 'U', O_NAT },	{ 'B', O_BRIDGED }, { 'O', O_PLANE },
		     { 'I', O_PLANE },	{ 'F', O_FWD } };
	unsigned int i;

	for (i = 0; i < sizeof(only) / sizeof(only[0]); i++)
		if (c == only[i].c && !a->only_for[only[i].o])
			a->only_for[only[i].o] = guest_opt_name(c);
}

/* One option @c with its argument @arg (NULL if it takes none). */
static int guest_option(struct guest_args *a, int c, char *arg)
{
	unsigned long v;
	int r;

	guest_note_only(a, c);
	switch (c) {
	case 'm':
		if (sqn_mode_parse(arg, &a->cfg.mode))
			return usage_error(a, "--mode: no mode %s", arg);
		break;
	case 'H':
		if (guest_parse_helper(a, arg))
			return usage_error(
				a,
				"--helper takes slirp, passt, gvproxy or custom, not %s",
				arg);
		break;
	case 'I':
		a->cfg.disable_isolation = 1;
		break;
	case 'P':
		a->cfg.helper_path = arg;
		break;
	case 'N':
		a->cfg.network = arg;
		break;
	case 'S':
		a->cfg.subnet = arg;
		break;
	case '6':
		a->cfg.subnet6 = arg;
		break;
	case 'X':
		a->cfg.nat_iface = arg;
		break;
	case 'U':
		a->cfg.dns_upstream = arg;
		break;
	case 'D':
		a->cfg.dns_hosts = arg;
		break;
	case 'B':
		a->cfg.bridged_iface = arg;
		break;
	case 'O':
		a->o.offload = 1;
		a->cfg.offloads = SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM |
				  SQN_OFFLOAD_TSO4 | SQN_OFFLOAD_TSO6;
		break;
	case 'G':
		a->plain_eth0 = 1;
		break;
	case 's':
		a->stats = 1;
		break;
	case 'A':
		if (a->nargs >= SQN_ARGS_MAX)
			return usage_error(a, "more than %d --helper-arg",
					   SQN_ARGS_MAX);
		a->helper_args[a->nargs++] = arg;
		a->helper_args[a->nargs] = NULL;
		a->cfg.helper_args = a->helper_args;
		break;
	case 'p':
		/* Refused here, before anything is made: connect() could
		 * only say ENAMETOOLONG once the rest stands. */
		if (strlen(arg) > PEER_PATH_MAX)
			return usage_error(
				a,
				"--peer: %.64s... is %zu bytes, a unix socket path at most %zu",
				arg, strlen(arg), PEER_PATH_MAX);
		a->cfg.peer_path = arg;
		break;
	case 'M':
		/* 0 is the backend's default, as in sqn_config. */
		r = parse_uint(arg, SQN_FRAME_MAX - SQN_ETH_HLEN, &v);
		if (r == -EINVAL)
			return usage_error(a, "--mtu takes a number, not %s",
					   arg);
		if (r || (v && v < SQN_MTU_MIN))
			return usage_error(a, "--mtu: %s is outside %d..%d",
					   arg, SQN_MTU_MIN,
					   SQN_FRAME_MAX - SQN_ETH_HLEN);
		a->cfg.mtu = (uint32_t)v;
		break;
	case 'a':
		if (parse_mac(arg, a->cfg.guest_mac))
			return usage_error(
				a, "--mac takes xx:xx:xx:xx:xx:xx, not %s",
				arg);
		a->cfg.has_guest_mac = 1;
		break;
	case 'n':
		a->no_dhcp = 1;
		break;
	case 'i':
		a->o.addr = arg;
		break;
	case 'g':
		a->o.gateway = arg;
		break;
	case 'd':
		a->o.dns = arg;
		break;
	case 'b':
		if (parse_uint(arg, 1000000, &v))
			return usage_error(
				a,
				"--busy-poll takes 0 to 1000000 microseconds, not %s",
				arg);
		a->busy_poll = (unsigned int)v;
		break;
	case 't':
		if (parse_uint(arg, 3600, &v) || !v)
			return usage_error(
				a,
				"--dhcp-timeout takes 1 to 3600 seconds, not %s",
				arg);
		a->o.dhcp_timeout = (unsigned int)v;
		break;
	case 'c':
		a->pcap = arg;
		break;
	case 'F':
		if (a->cfg.n_forwards >= SQN_FORWARDS_MAX)
			return usage_error(a, "more than %d --forward",
					   SQN_FORWARDS_MAX);
		if (forward_parse(arg, &a->fwd[a->cfg.n_forwards],
				  a->fwd_addr[a->cfg.n_forwards]))
			return usage_error(
				a,
				"--forward takes tcp|udp:[ADDR:]HPORT[:GPORT] (e.g. tcp:8080:80), not %.64s",
				arg);
		a->cfg.forwards = a->fwd;
		a->cfg.n_forwards++;
		break;
	case 'v':
		a->verbose = 1;
		break;
	case 'h':
		return GUESTOPT_HELP;
	}
	return 0;
}

/**
 * guestopt_parse() - read "squib-net guest"'s command line into @a
 * @a:		filled from scratch (sqn_config_init() and the defaults
 *		first); a->err says why on EXIT_USAGE
 * @argc:	arguments from "guest" on
 * @argv:	them; kept, @a points into them
 *
 * Prints nothing and exits nothing, so that a fuzzer can call it.
 * getopt's state is reset first.
 *
 * Return: 0, GUESTOPT_HELP for --help, or EXIT_USAGE.
 */
int guestopt_parse(struct guest_args *a, int argc, char **argv)
{
	int c, at, r;

	memset(a, 0, sizeof(*a));
	sqn_config_init(&a->cfg);
	a->o.dhcp_timeout = 10;
	opterr = 0;
	optind = 0; /* glibc: start over, as on a fresh command line */
	for (;;) {
		at = optind ? optind : 1;
		c = getopt_long(argc, argv, "+m:vh", guest_opts, NULL);
		if (c == -1)
			break;
		if (c == '?' || c == ':')
			return usage_error(
				a,
				"unknown or incomplete option %.64s (see squib-net help guest)",
				at < argc ? argv[at] : "");
		r = guest_option(a, c, optarg);
		if (r)
			return r;
	}
	if (optind >= argc)
		return usage_error(
			a,
			"no command (squib-net guest [OPTIONS] -- CMD [ARGS])");
	a->cmd = argv + optind;
	return guest_check(a);
}

/* Config fields as the library names them, and the options that set them.
 * A plain word ("mtu") is only taken at the start of a message, as
 * "mtu: ..."; a name with '_' wherever it stands alone. */
static const char *const guest_fields[][2] = {
	{ "sqn_config.mtu", "--mtu" },
	{ "guest_mac", "--mac" },
	{ "bridged_iface", "--bridged-iface" },
	{ "nat_iface", "--nat-iface" },
	{ "dns_upstream", "--dns-upstream" },
	{ "dns_hosts", "--dns-hosts" },
	{ "helper_path", "--helper-path" },
	{ "helper_args", "--helper-arg" },
	{ "peer_path", "--peer" },
	{ "disable_isolation", "--disable-isolation" },
	{ "mtu", "--mtu" },
	{ "mode", "--mode" },
	{ "helper", "--helper" },
	{ "network", "--network" },
	{ "subnet", "--subnet" },
	{ "subnet6", "--subnet6" },
	{ "offloads", "--offload" },
	{ "guest_ip", "--ip" },
	{ "forwards", "--forward" },
};

/* The field named at @s, if a word starts there: its index, or -1. */
static int guest_field_at(const char *msg, const char *s)
{
	static const char before[] = " (\"'", after[] = " :,;.)\"'";
	unsigned int i;
	size_t n;

	if (s != msg && !strchr(before, s[-1]))
		return -1;
	for (i = 0; i < sizeof(guest_fields) / sizeof(guest_fields[0]); i++) {
		n = strlen(guest_fields[i][0]);
		if (strncmp(s, guest_fields[i][0], n) ||
		    (s[n] && !strchr(after, s[n])))
			continue;
		if (!strchr(guest_fields[i][0], '_') &&
		    (s != msg || s[n] != ':'))
			continue;
		return (int)i;
	}
	return -1;
}

/**
 * guestopt_explain() - a library message in the words of the command line
 * @msg:	as sqn_last_error() gives it ("nat_iface: ...", "... set
 *		nat_iface")
 * @out:	the same with each config field named by its option
 * @len:	size of @out (at least 1); a longer result is cut
 */
void guestopt_explain(const char *msg, char *out, size_t len)
{
	size_t o = 0, n;
	const char *s = msg;
	int f;

	while (*s && o + 1 < len) {
		f = guest_field_at(msg, s);
		if (f < 0) {
			out[o++] = *s++;
			continue;
		}
		n = strlen(guest_fields[f][1]);
		if (n > len - 1 - o)
			n = len - 1 - o;
		memcpy(out + o, guest_fields[f][1], n);
		o += n;
		s += strlen(guest_fields[f][0]);
	}
	out[o] = '\0';
}
