// SPDX-License-Identifier: MIT
/* probe.c - squib-net probe: attach, print what the attachment offers, ask
 * its network for a DHCP offer, detach */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "log.h"
#include "squibnet.h"

#define DHCP_FRAME 342 /* Ethernet + IPv4 + UDP + a 300-byte BOOTP */
#define BOOTP_OFF 42
#define COOKIE 0x63825363u

/**
 * usage_probe() - squib-net help probe
 */
void usage_probe(void)
{
	printf("usage: squib-net probe [--mode MODE] [--bridged-iface IF]\n"
	       "                       [--subnet A.B.C.D/N] [--timeout-ms MS]\n"
	       "\n"
	       "Attaches in MODE (default shared), prints what the attachment\n"
	       "offers (sqn_info), broadcasts one DHCP discover from the\n"
	       "guest's MAC and prints the offer that comes back, then\n"
	       "detaches. On macOS this is the check that vmnet.framework\n"
	       "works for this program (run it as root, or signed with the\n"
	       "com.apple.vm.networking entitlement). Exit status 0 when an\n"
	       "offer came within MS milliseconds (default 5000), 1 when none\n"
	       "did or the attachment failed.\n");
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned int get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* The IPv4 header's checksum (RFC 791). */
static unsigned int ip_csum(const uint8_t *h)
{
	uint32_t s = 0;
	int i;

	for (i = 0; i < 20; i += 2)
		s += get16(h + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

/* A DHCPDISCOVER from @mac, broadcast, transaction @xid. */
static void discover(uint8_t *f, const uint8_t mac[6], uint32_t xid)
{
	uint8_t *ip = f + 14, *udp = f + 34, *b = f + BOOTP_OFF;
	static const uint8_t opts[] = { 53, 1, 1, 55, 3, 1, 3, 6, 255 };

	memset(f, 0, DHCP_FRAME);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, DHCP_FRAME - 14);
	ip[8] = 64;
	ip[9] = 17;
	memset(ip + 16, 0xff, 4);
	put16(ip + 10, ip_csum(ip));
	put16(udp, 68);
	put16(udp + 2, 67);
	put16(udp + 4, DHCP_FRAME - 34); /* checksum 0: none (RFC 768) */
	b[0] = 1; /* BOOTREQUEST */
	b[1] = 1;
	b[2] = 6;
	put16(b + 4, xid >> 16);
	put16(b + 6, xid & 0xffff);
	put16(b + 10, 0x8000); /* answer by broadcast: no address yet */
	memcpy(b + 28, mac, 6);
	put16(b + 236, COOKIE >> 16);
	put16(b + 238, COOKIE & 0xffff);
	memcpy(b + 240, opts, sizeof(opts));
}

static void print_addr(const char *what, const uint8_t *a)
{
	printf("%s %u.%u.%u.%u\n", what, a[0], a[1], a[2], a[3]);
}

/* Option @code among the BOOTP options from @o to @end, or NULL. */
static const uint8_t *dhcp_opt(const uint8_t *o, const uint8_t *end, int code)
{
	while (o < end && *o != 255) {
		if (!*o) {
			o++; /* pad */
			continue;
		}
		if (o + 2 > end || o + 2 + o[1] > end)
			return NULL;
		if (*o == code)
			return o;
		o += 2 + o[1];
	}
	return NULL;
}

/* An offer for @xid in @f: print it; 1 if it was one. */
static int offer(const uint8_t *f, size_t len, uint32_t xid)
{
	static const struct {
		int code;
		const char *what;
	} shown[] = { { 54, "server:   " },
		      { 1, "netmask:  " },
		      { 3, "router:   " },
		      { 6, "dns:      " } };
	const uint8_t *b = f + BOOTP_OFF, *end = f + len, *o;
	unsigned int i;

	if (len < BOOTP_OFF + 240 || get16(f + 12) != 0x0800 || f[14] != 0x45 ||
	    f[23] != 17 || get16(f + 36) != 68 || b[0] != 2 ||
	    get32(b + 4) != xid || get32(b + 236) != COOKIE)
		return 0;
	o = dhcp_opt(b + 240, end, 53);
	if (!o || o[1] != 1 || o[2] != 2) /* DHCPOFFER */
		return 0;
	print_addr("offer:    ", b + 16);
	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		o = dhcp_opt(b + 240, end, shown[i].code);
		if (o && o[1] >= 4)
			print_addr(shown[i].what, o + 2);
	}
	return 1;
}

static void print_info(const struct sqn_info *in)
{
	const uint8_t *g = in->guest_mac, *h = in->host_mac;

	printf("mode:      %s\n", sqn_mode_name(in->mode));
	printf("mtu:       %u (frames up to %u bytes)\n", in->mtu,
	       in->max_packet_size);
	printf("guest mac: %02x:%02x:%02x:%02x:%02x:%02x\n", g[0], g[1], g[2],
	       g[3], g[4], g[5]);
	printf("host mac:  %02x:%02x:%02x:%02x:%02x:%02x\n", h[0], h[1], h[2],
	       h[3], h[4], h[5]);
	printf("offloads:  0x%x of 0x%x, header %u bytes\n", in->offloads,
	       in->offloads_avail, in->vnet_hdr_len);
	if (in->has_subnet) {
		print_addr("subnet:   ", in->subnet);
		print_addr("netmask:  ", in->netmask);
		print_addr("gateway:  ", in->gateway);
	}
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Send the discover, then wait for the offer until @deadline. */
static int ask(sqn_net *net, const uint8_t mac[6], int timeout_ms)
{
	static uint8_t tx[DHCP_FRAME], rx[SQN_FRAME_MAX];
	struct iovec ti = { tx, sizeof(tx) }, ri = { rx, sizeof(rx) };
	struct sqn_pkt t = { .iov = &ti, .iovcnt = 1 };
	struct sqn_pkt r = { .iov = &ri, .iovcnt = 1 };
	uint32_t xid = (uint32_t)now_ms() * 2654435761u;
	long deadline = now_ms() + timeout_ms;
	int n;

	discover(tx, mac, xid);
	n = sqn_send(net, &t, 1);
	if (n != 1 || sqn_flush(net)) {
		err("probe: send: %s", sqn_strerror(n < 0 ? n : -EAGAIN));
		return 1;
	}
	printf("sent:      DHCP discover, xid 0x%08x\n", xid);
	while (now_ms() < deadline) {
		struct pollfd p = { sqn_fd(net), POLLIN, 0 };

		n = sqn_recv(net, &r, 1);
		if (n == 1 && !(r.flags & SQN_PKT_TRUNCATED) &&
		    offer(rx, r.len, xid))
			return 0;
		if (n == -EAGAIN) {
			/* The deadline may have passed since the loop's
			 * test: a negative timeout would wait forever. */
			long left = deadline - now_ms();

			poll(&p, 1, left > 0 ? (int)left : 0);
		} else if (n < 0) {
			err("probe: receive: %s: %s", sqn_strerror(n),
			    sqn_last_error(net));
			return 1;
		}
	}
	err("probe: no DHCP offer within %d ms", timeout_ms);
	return 1;
}

int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "bridged-iface", required_argument, NULL, 'b' },
		{ "subnet", required_argument, NULL, 's' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sqn_config cfg;
	struct sqn_info in;
	sqn_net *net;
	int c, r, timeout_ms = 5000;
	char *end;

	sqn_config_init(&cfg);
	cfg.log = log_lib;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (sqn_mode_parse(optarg, &cfg.mode)) {
				err("probe: unknown mode %s", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'b':
			cfg.bridged_iface = optarg;
			break;
		case 's':
			cfg.subnet = optarg;
			break;
		case 't':
			timeout_ms = (int)strtol(optarg, &end, 10);
			if (*end || timeout_ms <= 0) {
				err("probe: --timeout-ms %s: not a positive number",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage_probe();
			return 0;
		default:
			err("probe: unknown or incomplete option %s (see squib-net help probe)",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		err("probe: unexpected argument %s", argv[optind]);
		return EXIT_USAGE;
	}
	r = sqn_open(&cfg, &net);
	if (r) {
		err("probe: %s mode: %s", sqn_mode_name(cfg.mode),
		    sqn_last_error(NULL));
		return 1;
	}
	sqn_info(net, &in);
	print_info(&in);
	fflush(stdout);
	r = ask(net, in.guest_mac, timeout_ms);
	sqn_close(net);
	return r;
}
