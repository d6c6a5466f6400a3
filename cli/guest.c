// SPDX-License-Identifier: MIT
/* guest.c - "squib-net guest": a command behind a TAP, relayed as a VMM would */
#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "guestns.h"
#include "log.h"
#include "pcap.h"

#define RELAY_BATCH 64
#define RELAY_FRAME (65536 + 64) /* a 64 KiB GSO frame and its virtio_net_hdr */
#define LINK_GRACE_MS 2000
#define GUEST_TAP_MTU_MAX 65521

/**
 * struct relay - frames between the guest's TAP and the attachment
 * @net:	the attachment
 * @g:		the guest
 * @out:	frames read from the TAP, waiting for sqn_send()
 * @out_len:	their lengths
 * @out_first:	first of them not yet sent
 * @out_count:	how many were read
 * @in:		buffers for sqn_recv()
 * @hdr:	bytes of virtio_net_hdr before each frame, both ways
 * @status:	exit status to return
 * @link_down:	the attachment's link failed
 * @deadline:	after a link failure, when the guest is next signalled
 * @killed:	SIGTERM was sent; SIGKILL comes next
 */
struct relay {
	sqn_net *net;
	struct guestns g;
	uint8_t out[RELAY_BATCH][RELAY_FRAME];
	struct iovec out_iov[RELAY_BATCH];
	struct sqn_pkt out_pkt[RELAY_BATCH];
	unsigned int out_first;
	unsigned int out_count;
	uint8_t in[RELAY_BATCH][RELAY_FRAME];
	struct iovec in_iov[RELAY_BATCH];
	struct sqn_pkt in_pkt[RELAY_BATCH];
	size_t hdr;
	int status;
	int link_down;
	long deadline;
	int killed;
};

/* Options that only some modes take, by the modes that take them. */
#define M(m) (1u << (m))
#define FOR_PLANE (M(SQN_MODE_SHARED) | M(SQN_MODE_HOST) | M(SQN_MODE_BRIDGED))

struct guest_args {
	struct sqn_config cfg;
	const char *only_for[8]; /* by O_*: the first such option given */
	struct guestns_opts o;
	const char *pcap;
	const char *helper_args[SQN_ARGS_MAX + 2];
	unsigned int nargs;
	int no_dhcp;
	int stats;
	char **cmd;
};

void usage_guest(void)
{
	printf("usage: squib-net guest [--mode MODE] [OPTIONS] -- CMD [ARGS...]\n"
	       "\n"
	       "Runs CMD in a new network namespace whose eth0 is a TAP device,\n"
	       "and relays its frames to an attachment through the libsquibnet\n"
	       "API, as a VMM's virtio-net would. eth0 gets its address by DHCP\n"
	       "(busybox udhcpc; the namespace gets its own resolv.conf), or\n"
	       "--ip/--gateway/--dns with --no-dhcp. Exits with CMD's status\n"
	       "(128+N if a signal N ended it), or 1 when the link failed.\n"
	       "Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN).\n"
	       "\n"
	       "Modes (--mode):\n"
	       "  shared     (default) bridge NETWORK with the gateway address,\n"
	       "             DHCP and DNS by dnsmasq, NAT out of the default\n"
	       "             route's interface (nftables table\n"
	       "             ip squib-net-NETWORK)\n"
	       "  host       the same without NAT: guests reach the host only\n"
	       "  bridged    a port on a LAN: --bridged-iface is a bridge (the\n"
	       "             TAP joins it) or a NIC (a macvtap is made on it)\n"
	       "  userspace  a helper, passt or gvproxy, gives the guest the\n"
	       "             connectivity of the namespace it runs in\n"
	       "  stream, loopback  see docs/api.md\n"
	       "Guests of one shared or host network cannot reach each other\n"
	       "unless --disable-isolation. The network is made by the first\n"
	       "guest and removed with the last one, in the current network\n"
	       "namespace.\n"
	       "\n"
	       "Options:\n"
	       "  --network NAME        shared/host network and bridge name\n"
	       "                        (default sqn-shared, sqn-host)\n"
	       "  --subnet A.B.C.D/N    the gateway's address and prefix\n"
	       "                        (default 192.168.105.1/24 shared,\n"
	       "                        192.168.106.1/24 host)\n"
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
	       "  --helper passt|gvproxy|custom, --helper-path PATH,\n"
	       "  --helper-arg ARG      userspace: the helper\n"
	       "  --peer SOCKET         stream: the unix socket to connect to\n"
	       "  --mtu N               the attachment's MTU\n"
	       "  --mac MAC             the guest's MAC address\n"
	       "  --no-dhcp, --ip ADDR/PREFIX, --gateway ADDR, --dns ADDR\n"
	       "                        a static address instead of DHCP\n"
	       "  --dhcp-timeout SEC    how long to wait for a lease (10)\n"
	       "  --pcap FILE           write every frame to FILE (pcap)\n"
	       "  --stats               print the attachment's counters at exit\n"
	       "                        (stderr)\n"
	       "  --verbose             say more\n");
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int guest_parse_helper(struct guest_args *a, const char *s)
{
	if (!strcmp(s, "passt"))
		a->cfg.helper = SQN_HELPER_PASST;
	else if (!strcmp(s, "gvproxy"))
		a->cfg.helper = SQN_HELPER_GVPROXY;
	else if (!strcmp(s, "custom"))
		a->cfg.helper = SQN_HELPER_CUSTOM;
	else
		return -1;
	return 0;
}

enum { O_HELPER, O_PEER, O_NET, O_NAT, O_BRIDGED, O_PLANE, O_COUNT };

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

/* What getopt cannot see: values of the static address, and options
 * given to a mode that does not take them. */
static int guest_check(const struct guest_args *a)
{
	unsigned int i;

	if (a->o.addr && !a->no_dhcp) {
		err("guest: --ip needs --no-dhcp");
		return EXIT_USAGE;
	}
	if ((a->o.gateway || a->o.dns) && !a->o.addr) {
		err("guest: --gateway and --dns go with --no-dhcp --ip");
		return EXIT_USAGE;
	}
	if ((a->o.addr && !guest_ipv4_ok(a->o.addr, 1)) ||
	    (a->o.gateway && !guest_ipv4_ok(a->o.gateway, 0)) ||
	    (a->o.dns && !guest_ipv4_ok(a->o.dns, 0))) {
		err("guest: --ip takes A.B.C.D/N, --gateway and --dns A.B.C.D");
		return EXIT_USAGE;
	}
	for (i = 0; i < O_COUNT; i++)
		if (a->only_for[i] && !(guest_only[i].modes & M(a->cfg.mode))) {
			err("guest: --%s is for %s mode, not %s",
			    a->only_for[i], guest_only[i].which,
			    sqn_mode_name(a->cfg.mode));
			return EXIT_USAGE;
		}
	if (a->cfg.mode == SQN_MODE_LOOPBACK && !a->no_dhcp) {
		err("guest: --mode loopback has no DHCP server (frames come back): add --no-dhcp");
		return EXIT_USAGE;
	}
	return 0;
}

static int guest_parse(struct guest_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
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
		{ "nat-iface", required_argument, NULL, 'X' },
		{ "dns-upstream", required_argument, NULL, 'U' },
		{ "dns-hosts", required_argument, NULL, 'D' },
		{ "bridged-iface", required_argument, NULL, 'B' },
		{ "offload", no_argument, NULL, 'O' },
		{ "stats", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		int c, o;
	} only[] = { { 'H', O_HELPER },	 { 'P', O_HELPER }, { 'A', O_HELPER },
		     { 'p', O_PEER },	 { 'N', O_NET },    { 'S', O_NET },
		     { 'D', O_NET },	 { 'X', O_NAT },    { 'U', O_NAT },
		     { 'B', O_BRIDGED }, { 'O', O_PLANE },  { 'I', O_PLANE } };
	unsigned long v;
	unsigned int i;
	int c, idx;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+m:vh", opts, &idx)) != -1) {
		for (i = 0; i < sizeof(only) / sizeof(only[0]); i++)
			if (c == only[i].c && !a->only_for[only[i].o])
				a->only_for[only[i].o] = opts[idx].name;
		switch (c) {
		case 'm':
			if (sqn_mode_parse(optarg, &a->cfg.mode)) {
				err("guest: --mode: no mode %s", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'H':
			if (guest_parse_helper(a, optarg)) {
				err("guest: --helper takes passt, gvproxy or custom, not %s",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'I':
			a->cfg.disable_isolation = 1;
			break;
		case 'P':
			a->cfg.helper_path = optarg;
			break;
		case 'N':
			a->cfg.network = optarg;
			break;
		case 'S':
			a->cfg.subnet = optarg;
			break;
		case 'X':
			a->cfg.nat_iface = optarg;
			break;
		case 'U':
			a->cfg.dns_upstream = optarg;
			break;
		case 'D':
			a->cfg.dns_hosts = optarg;
			break;
		case 'B':
			a->cfg.bridged_iface = optarg;
			break;
		case 'O':
			a->o.offload = 1;
			a->cfg.offloads = SQN_OFFLOAD_VNET_HDR |
					  SQN_OFFLOAD_CSUM | SQN_OFFLOAD_TSO4 |
					  SQN_OFFLOAD_TSO6;
			break;
		case 's':
			a->stats = 1;
			break;
		case 'A':
			if (a->nargs >= SQN_ARGS_MAX + 1) {
				err("guest: more than %d --helper-arg",
				    SQN_ARGS_MAX);
				return EXIT_USAGE;
			}
			a->helper_args[a->nargs++] = optarg;
			a->cfg.helper_args = a->helper_args;
			break;
		case 'p':
			a->cfg.peer_path = optarg;
			break;
		case 'M':
			if (parse_uint(optarg, SQN_FRAME_MAX, &v)) {
				err("guest: --mtu takes a number, not %s",
				    optarg);
				return EXIT_USAGE;
			}
			a->cfg.mtu = (uint32_t)v;
			break;
		case 'a':
			if (parse_mac(optarg, a->cfg.guest_mac)) {
				err("guest: --mac takes xx:xx:xx:xx:xx:xx, not %s",
				    optarg);
				return EXIT_USAGE;
			}
			a->cfg.has_guest_mac = 1;
			break;
		case 'n':
			a->no_dhcp = 1;
			break;
		case 'i':
			a->o.addr = optarg;
			break;
		case 'g':
			a->o.gateway = optarg;
			break;
		case 'd':
			a->o.dns = optarg;
			break;
		case 't':
			if (parse_uint(optarg, 3600, &v) || !v) {
				err("guest: --dhcp-timeout takes 1 to 3600 seconds, not %s",
				    optarg);
				return EXIT_USAGE;
			}
			a->o.dhcp_timeout = (unsigned int)v;
			break;
		case 'c':
			a->pcap = optarg;
			break;
		case 'v':
			log_verbose = 1;
			break;
		case 'h':
			usage_guest();
			return -1;
		default:
			err("guest: unknown or incomplete option %s (see squib-net help guest)",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		err("guest: no command (squib-net guest [OPTIONS] -- CMD [ARGS])");
		return EXIT_USAGE;
	}
	a->cmd = argv + optind;
	return guest_check(a);
}

/* Move frames from the TAP to the attachment: a few batches at a time, so
 * that the other direction gets its turn; the TAP's fd stays readable. */
static int relay_out(struct relay *r, int *tap_paused)
{
	int rounds, n;

	for (rounds = 0;; rounds++) {
		while (r->out_first < r->out_count) {
			n = sqn_send(r->net, r->out_pkt + r->out_first,
				     r->out_count - r->out_first);
			if (n == -EAGAIN) {
				*tap_paused = 1;
				return 0;
			}
			if (n < 0)
				return n;
			r->out_first += (unsigned int)n;
		}
		r->out_first = r->out_count = 0;
		*tap_paused = 0;
		if (rounds == 8)
			return 0;
		while (r->out_count < RELAY_BATCH) {
			ssize_t m = read(r->g.tap, r->out[r->out_count],
					 RELAY_FRAME);

			if (m < 0 && errno == EINTR)
				continue;
			/* EBADFD: the interface was deleted under us. */
			if (m < 0 && errno != EAGAIN)
				return errno == EBADFD ? -ENODEV : -EIO;
			if (m <= 0)
				break;
			pcap_frame(r->out[r->out_count], (size_t)m, r->hdr);
			r->out_iov[r->out_count++].iov_len = (size_t)m;
		}
		if (!r->out_count)
			return 0;
	}
}

/* Move frames from the attachment into the TAP. */
static int relay_in(struct relay *r)
{
	int n, i;

	for (;;) {
		n = sqn_recv(r->net, r->in_pkt, RELAY_BATCH);
		if (n == -EAGAIN)
			return 0;
		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			size_t len = r->in_pkt[i].len;

			if (r->in_pkt[i].flags)
				continue;
			pcap_frame(r->in[i], len, r->hdr);
			/* A full TAP queue drops, as a NIC's would. */
			if (write(r->g.tap, r->in[i], len) < 0)
				debug("guest: TAP write: %s", strerror(errno));
		}
	}
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

static void epoll_set(int ep, int op, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	epoll_ctl(ep, op, fd, &ev);
}

/* The signals: the guest's end, ours to pass on. 1 when the guest ended. */
static int relay_signal(struct relay *r, int sfd)
{
	struct signalfd_siginfo si;
	int status;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGCHLD) {
			/* To the command's group, as a terminal would. */
			debug("passing signal %u to the guest", si.ssi_signo);
			kill(-r->g.pgid, (int)si.ssi_signo);
			/* A stopped guest could not act on it. */
			kill(-r->g.pgid, SIGCONT);
		}
	}
	/* Only our guest: the helper is the library's to reap. */
	if (waitpid(r->g.pid, &status, WNOHANG) == r->g.pid) {
		r->status = exit_status(status);
		r->g.pid = -1;
		return 1;
	}
	return 0;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The link is gone: no carrier for the guest, which gets LINK_GRACE_MS
 * to end by itself, then SIGTERM, then after as long again SIGKILL. */
static void relay_link_down(struct relay *r, int ep, const char *why)
{
	err("link down: %s", why);
	r->link_down = 1;
	r->deadline = now_ms() + LINK_GRACE_MS;
	guestns_carrier(&r->g, 0);
	epoll_ctl(ep, EPOLL_CTL_DEL, r->g.tap, NULL);
	epoll_ctl(ep, EPOLL_CTL_DEL, sqn_fd(r->net), NULL);
}

static void relay_grace(struct relay *r)
{
	if (now_ms() < r->deadline)
		return;
	kill(-r->g.pgid, r->killed ? SIGKILL : SIGTERM);
	kill(-r->g.pgid, SIGCONT);
	r->killed = 1;
	r->deadline = now_ms() + LINK_GRACE_MS;
}

static int relay_run(struct relay *r, int sfd)
{
	struct epoll_event ev[4];
	int ep = epoll_create1(EPOLL_CLOEXEC), paused = 0, n, i, rc;
	uint32_t tap_events;

	if (ep < 0)
		return -errno;
	epoll_set(ep, EPOLL_CTL_ADD, sfd, EPOLLIN);
	epoll_set(ep, EPOLL_CTL_ADD, r->g.tap, EPOLLIN);
	epoll_set(ep, EPOLL_CTL_ADD, sqn_fd(r->net), EPOLLIN);
	for (;;) {
		long wait = -1;

		if (r->link_down) {
			wait = r->deadline - now_ms();
			wait = wait < 0 ? 0 : wait;
		}
		n = epoll_wait(ep, ev, 4, (int)wait);
		if (n < 0 && errno == EINTR)
			continue;
		tap_events = 0;
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd == sfd && relay_signal(r, sfd))
				goto out;
			if (ev[i].data.fd == r->g.tap)
				tap_events = ev[i].events;
		}
		if (r->link_down) {
			relay_grace(r);
			continue;
		}
		rc = 0;
		/* The guest deleted or detached its eth0. */
		if (tap_events & (EPOLLERR | EPOLLHUP))
			rc = -ENODEV;
		if (!rc)
			rc = relay_in(r);
		if (!rc)
			rc = relay_out(r, &paused);
		if (!rc) {
			epoll_set(ep, EPOLL_CTL_MOD, r->g.tap,
				  paused ? 0 : EPOLLIN);
			epoll_set(ep, EPOLL_CTL_MOD, sqn_fd(r->net),
				  EPOLLIN | (paused ? EPOLLOUT : 0));
			continue;
		}
		relay_link_down(r, ep,
				rc == -ENOTCONN ? sqn_last_error(r->net) :
				rc == -ENODEV	? "the guest's eth0 went away" :
				rc == -EIO	? "the guest's eth0 failed" :
						  sqn_strerror(rc));
	}
out:
	close(ep);
	return 0;
}

static void relay_setup(struct relay *r)
{
	unsigned int i;

	for (i = 0; i < RELAY_BATCH; i++) {
		r->out_iov[i] = (struct iovec){ r->out[i], 0 };
		r->out_pkt[i] =
			(struct sqn_pkt){ .iov = &r->out_iov[i], .iovcnt = 1 };
		r->in_iov[i] = (struct iovec){ r->in[i], RELAY_FRAME };
		r->in_pkt[i] =
			(struct sqn_pkt){ .iov = &r->in_iov[i], .iovcnt = 1 };
	}
}

/* The library names a config field ("subnet: ..."); the user gave an
 * option. */
static void guest_attach_error(const char *msg)
{
	static const char *const fields[][2] = {
		{ "guest_mac", "--mac" },
		{ "mtu", "--mtu" },
		{ "bridged_iface", "--bridged-iface" },
		{ "network", "--network" },
		{ "subnet", "--subnet" },
		{ "nat_iface", "--nat-iface" },
		{ "dns_upstream", "--dns-upstream" },
		{ "dns_hosts", "--dns-hosts" },
		{ "helper_path", "--helper-path" },
		{ "helper_args", "--helper-arg" },
		{ "peer_path", "--peer" },
	};
	size_t i, n;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		n = strlen(fields[i][0]);
		if (!strncmp(msg, fields[i][0], n) && msg[n] == ':') {
			err("guest: %s%s", fields[i][1], msg + n);
			return;
		}
	}
	err("attach: %s", msg);
}

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
	if (a->pcap && pcap_open(a->pcap))
		goto out;
	if (sqn_open(&a->cfg, &r->net)) {
		/* A value the library's checks refused: a usage error, named
		 * by its option. */
		if (errno == EINVAL)
			rc = EXIT_USAGE;
		guest_attach_error(sqn_last_error(NULL));
		goto out;
	}
	sqn_info(r->net, &in);
	info("attached in %s mode, mtu %u", sqn_mode_name(in.mode), in.mtu);
	memcpy(a->o.mac, in.guest_mac, 6);
	if (a->o.offload && in.vnet_hdr_len != GUEST_VNET_HDR_LEN) {
		err("guest: --offload: the %s attachment has no virtio-net header",
		    sqn_mode_name(in.mode));
		goto out;
	}
	r->hdr = in.vnet_hdr_len;
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

	sqn_config_init(&a.cfg);
	/* The library's default, shared. */
	a.cfg.log = log_lib;
	clock_gettime(CLOCK_MONOTONIC, &a.o.start);
	a.o.dhcp_timeout = 10;
	r.g.pid = -1;
	r.g.pgid = -1;
	r.g.tty = 0;
	r.g.tap = -1;
	r.g.sync = -1;
	rc = guest_parse(&a, argc, argv);
	if (rc)
		return rc < 0 ? 0 : rc;
	return guest_run(&r, &a);
}
