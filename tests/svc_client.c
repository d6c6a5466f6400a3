// SPDX-License-Identifier: MIT
/* svc_client.c - a raw client of squib-net serve for tests/test_serve.sh:
 * runs its arguments as steps, in order, on one control connection
 *
 *   svc_client SOCKET STEP...
 *   --send DOC       send DOC as one packet; print "reply DOC" and, when a
 *                    TAP's fd came with it, "tap NAME" (the fd is kept)
 *   --garbage N      send N bytes of 'x' as one packet, print the reply
 *   --dhcp           DHCP through the last TAP (DISCOVER, REQUEST) with the
 *                    guest MAC of the last attach reply: "lease A.B.C.D";
 *                    through a datagram socket (kind dgram: "socket dgram"
 *                    after its reply) one frame per datagram
 *   --vfkt           send vfkit's first datagram, "VFKT", on that socket
 *   --detach         detach the last attachment, print the reply
 *   --close          close the connection (the TAP's fd stays)
 *   --drop-tap       close the TAP's fd
 *   --open NAME      open TAP NAME by its name as Firecracker does
 *                    (TUNSETIFF, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, a
 *                    12-byte header), "-" for the one the last attach
 *                    reply named (kind named, no fd with it); it becomes
 *                    the TAP: "opened NAME", or "open NAME: ERROR"; the
 *                    guest MAC is 02:53:71:6e:00:01 when no reply named one
 *   --hold           print "held", then wait to be killed
 *   --mac MAC        the frames of the steps after come from MAC (a VMM's
 *                    own), not the attach reply's guest MAC
 *   --ping N         N echo requests from the lease's address to the
 *                    gateway (its MAC asked with ARP first, once):
 *                    "pong K/N" with K the replies
 *   --spoof-arp IP   3 ARP requests for the gateway that say IP is ours
 *   --spoof-ip IP    3 echo requests to the gateway from IP
 *   --spoof-mac MAC  3 echo requests to the gateway from the lease's
 *                    address, from MAC; each spoof step prints "spoofed"
 *   --forge-request MAC@IP  a DHCPREQUEST (broadcast, from 0.0.0.0) for IP
 *                    with MAC as its chaddr (another guest's): "forged"
 *   --forge-release MAC@IP  a DHCPRELEASE of IP with MAC as its chaddr,
 *                    unicast to the gateway from the lease's address
 *   --wait-file PATH wait until PATH exists (the test's go, 60 s at most)
 *   --cycles N DOC   N times: connect, attach with DOC, detach, close;
 *                    "cycles N" when every one worked
 *
 *   svc_client --notify PATH
 *                    a NOTIFY_SOCKET for sd_notify(): binds a datagram
 *                    socket at PATH, prints "notify TEXT" per message
 *                    (newlines as blanks) until killed
 *
 * Exit: 0, 1 when a step failed, 3 when connect() failed (with
 * "connect: ERROR" on stdout).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dhcp.h"
#include "svcproto.h"

#define WAIT_MS 10000

static char buf[SVC_MSG_MAX + 1];
static struct svc_reply last;
static int tap = -1;
/* What --dhcp got, the MAC the frames come from, the gateway's MAC. */
static uint8_t lease_ip[4], my_mac[6], gw_mac[6];
static int has_lease, has_my_mac, has_gw_mac;

static int sc_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		printf("connect: %s\n", strerror(errno));
		return -1;
	}
	return fd;
}

/* Send @len bytes of @doc, print the reply; an attach reply is kept in
 * @last, its fd in @tap. */
static int sc_ask(int fd, const char *doc, size_t len, enum svc_op op,
		  int quiet)
{
	char msg[SVC_ERRMSG_MAX];
	struct svc_reply named;
	struct ifreq ifr;
	socklen_t tlen = sizeof(int);
	ssize_t n;
	int got = -1, r, type;

	/* Past SVC_MSG_MAX svc_send() refuses: what a hostile client sends. */
	if (len > SVC_MSG_MAX)
		r = send(fd, doc, len, MSG_NOSIGNAL) < 0 ? -errno : 0;
	else
		r = svc_send(fd, doc, len, -1);
	if (r) {
		printf("send: %s\n", strerror(-r));
		return -1;
	}
	n = svc_recv(fd, buf, sizeof(buf), &got);
	if (n <= 0) {
		printf("recv: %s\n", n ? strerror((int)-n) : "closed");
		return -1;
	}
	if (!quiet)
		printf("reply %s\n", buf);
	if (got < 0) {
		/* A named TAP's attachment comes without a descriptor. */
		if (op == SVC_OP_ATTACH &&
		    !svc_reply_decode(op, buf, (size_t)n, &named, msg,
				      sizeof(msg)) &&
		    !named.err)
			last = named;
		return 0;
	}
	if (tap >= 0)
		close(tap);
	tap = got;
	memset(&last, 0, sizeof(last));
	if (svc_reply_decode(op, buf, (size_t)n, &last, msg, sizeof(msg))) {
		printf("decode: %s\n", msg);
		return -1;
	}
	/* Kind dgram: a datagram socket, not a TAP. */
	if (!getsockopt(tap, SOL_SOCKET, SO_TYPE, &type, &tlen)) {
		if (!quiet)
			printf("socket %s\n",
			       type == SOCK_DGRAM ? "dgram" : "other");
		return 0;
	}
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(tap, TUNGETIFF, &ifr)) {
		printf("TUNGETIFF: %s\n", strerror(errno));
		return -1;
	}
	if (!quiet)
		printf("tap %s\n", ifr.ifr_name);
	return 0;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The answer of @type (2 offer, 5 ack) to our transaction: the address it
 * gives in @ip, the server in @server. */
static int dhcp_wait(size_t hl, int type, uint8_t ip[4], uint8_t server[4],
		     long ms)
{
	static uint8_t f[65536];
	long until = now_ms() + ms;
	struct pollfd p = { tap, POLLIN, 0 };
	ssize_t n;

	while (now_ms() < until) {
		if (poll(&p, 1, (int)(until - now_ms())) <= 0)
			continue;
		n = read(tap, f, sizeof(f));
		if (n > 0 && dhcp_answer(f, (size_t)n, hl, type, ip, server))
			return 0;
	}
	return -1;
}

static const uint8_t *sc_mac(void);

static int sc_dhcp(void)
{
	static uint8_t f[DHCP_FRAME_MAX + 16];
	size_t hl = last.attach.vnet_hdr_len, len;
	uint8_t ip[4] = { 0 }, server[4] = { 0 };
	int i;

	if (tap < 0) {
		printf("dhcp: no TAP\n");
		return -1;
	}
	/* DISCOVER again after a while, as a DHCP client does (RFC 2131
	 * 4.1): a frame written while the port is not yet forwarding is
	 * lost. */
	len = dhcp_msg(f, hl, sc_mac(), 1, ip, server);
	for (i = 0; i < 3; i++)
		if (write(tap, f, len) == (ssize_t)len &&
		    !dhcp_wait(hl, 2, ip, server, WAIT_MS / 3))
			break;
	if (i == 3) {
		printf("dhcp: no offer\n");
		return -1;
	}
	len = dhcp_msg(f, hl, sc_mac(), 3, ip, server);
	if (write(tap, f, len) != (ssize_t)len ||
	    dhcp_wait(hl, 5, ip, server, WAIT_MS)) {
		printf("dhcp: no ack\n");
		return -1;
	}
	printf("lease %u.%u.%u.%u\n", ip[0], ip[1], ip[2], ip[3]);
	memcpy(lease_ip, ip, 4);
	has_lease = 1;
	return 0;
}

/* The MAC our frames come from. */
static const uint8_t *sc_mac(void)
{
	return has_my_mac ? my_mac : last.attach.guest_mac;
}

static int sc_parse_mac(const char *t, uint8_t mac[6])
{
	unsigned int m[6];
	int i;

	if (sscanf(t, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	return 0;
}

static int sc_parse_ip(const char *t, uint8_t ip[4])
{
	unsigned int a[4];
	int i;

	if (sscanf(t, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]) != 4)
		return -1;
	for (i = 0; i < 4; i++)
		ip[i] = (uint8_t)a[i];
	return 0;
}

/* An ARP request for the gateway: from @src (ether and sender MAC),
 * sender address @sip. */
static size_t arp_msg(uint8_t *f, size_t hl, const uint8_t src[6],
		      const uint8_t sip[4])
{
	uint8_t *e = f + hl, *a = e + 14;

	memset(f, 0, hl + 60);
	memset(e, 0xff, 6);
	memcpy(e + 6, src, 6);
	e[12] = 0x08;
	e[13] = 0x06;
	memcpy(a, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	memcpy(a + 8, src, 6);
	memcpy(a + 14, sip, 4);
	memcpy(a + 24, last.attach.gateway, 4);
	return hl + 60;
}

/* An echo request to the gateway (at @dst) from @src, address @sip. */
static size_t echo_msg(uint8_t *f, size_t hl, const uint8_t dst[6],
		       const uint8_t src[6], const uint8_t sip[4], uint16_t seq)
{
	uint8_t *e = f + hl, *iph = e + 14, *icmp = iph + 20;
	uint16_t c;

	memset(f, 0, hl + 14 + 20 + 64);
	memcpy(e, dst, 6);
	memcpy(e + 6, src, 6);
	e[12] = 0x08;
	iph[0] = 0x45;
	iph[3] = 20 + 64;
	iph[8] = 64;
	iph[9] = 1;
	memcpy(iph + 12, sip, 4);
	memcpy(iph + 16, last.attach.gateway, 4);
	c = dhcp_ip_csum(iph, 20);
	iph[10] = (uint8_t)(c >> 8);
	iph[11] = (uint8_t)c;
	icmp[0] = 8;
	icmp[4] = 0x53;
	icmp[5] = 0x71;
	icmp[6] = (uint8_t)(seq >> 8);
	icmp[7] = (uint8_t)seq;
	c = dhcp_ip_csum(icmp, 64);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return hl + 14 + 20 + 64;
}

/* Wait (@ms at most) for the gateway's ARP reply to us (@arp) or its
 * echo reply @seq. */
static int sc_wait_reply(size_t hl, int arp, uint16_t seq, long ms)
{
	static uint8_t f[65536];
	long until = now_ms() + ms;
	struct pollfd p = { tap, POLLIN, 0 };
	const uint8_t *e, *x;
	ssize_t n;

	while (now_ms() < until) {
		if (poll(&p, 1, (int)(until - now_ms())) <= 0)
			continue;
		n = read(tap, f, sizeof(f));
		if (n < (ssize_t)(hl + 42))
			continue;
		e = f + hl;
		x = e + 14;
		if (arp && e[12] == 8 && e[13] == 6 && x[7] == 2 &&
		    !memcmp(x + 14, last.attach.gateway, 4) &&
		    !memcmp(x + 24, lease_ip, 4)) {
			memcpy(gw_mac, x + 8, 6);
			return 0;
		}
		if (!arp && e[12] == 8 && e[13] == 0 && x[9] == 1 &&
		    n >= (ssize_t)(hl + 14 + 20 + 8) && x[20] == 0 &&
		    x[24] == 0x53 && x[25] == 0x71 && x[26] == (seq >> 8) &&
		    x[27] == (uint8_t)seq)
			return 0;
	}
	return -1;
}

/* The gateway's MAC, asked once from the lease's address. */
static int sc_gw_mac(void)
{
	static uint8_t f[256];
	size_t hl = last.attach.vnet_hdr_len, len;
	int i;

	for (i = 0; !has_gw_mac && i < 5; i++) {
		len = arp_msg(f, hl, sc_mac(), lease_ip);
		if (write(tap, f, len) == (ssize_t)len &&
		    !sc_wait_reply(hl, 1, 0, 1000))
			has_gw_mac = 1;
	}
	if (!has_gw_mac)
		printf("no ARP reply from the gateway\n");
	return has_gw_mac ? 0 : -1;
}

static int sc_ping(int n)
{
	static uint8_t f[256];
	static uint16_t seq;
	size_t hl = last.attach.vnet_hdr_len, len;
	int i, got = 0;

	if (!has_lease || sc_gw_mac())
		return -1;
	for (i = 0; i < n; i++) {
		len = echo_msg(f, hl, gw_mac, sc_mac(), lease_ip, ++seq);
		if (write(tap, f, len) == (ssize_t)len &&
		    !sc_wait_reply(hl, 0, seq, 2000))
			got++;
	}
	printf("pong %d/%d\n", got, n);
	return 0;
}

/* --spoof-arp, --spoof-ip, --spoof-mac: @what 'a', 'i', 'm'. */
static int sc_spoof(int what, const char *arg)
{
	static uint8_t f[256];
	size_t hl = last.attach.vnet_hdr_len, len;
	uint8_t ip[4], mac[6];
	int i;

	if (what == 'm' ? sc_parse_mac(arg, mac) : sc_parse_ip(arg, ip)) {
		printf("spoof: bad %s\n", arg);
		return -1;
	}
	if (what != 'a' && (!has_lease || sc_gw_mac()))
		return -1;
	for (i = 0; i < 3; i++) {
		if (what == 'a')
			len = arp_msg(f, hl, sc_mac(), ip);
		else if (what == 'i')
			len = echo_msg(f, hl, gw_mac, sc_mac(), ip, 1000);
		else
			len = echo_msg(f, hl, gw_mac, mac, lease_ip, 1000);
		if (write(tap, f, len) != (ssize_t)len) {
			printf("spoof: write: %s\n", strerror(errno));
			return -1;
		}
	}
	printf("spoofed\n");
	return 0;
}

/* --forge-request, --forge-release (@type 3, 7): DHCP from our MAC, as
 * the guest of another MAC (@arg "MAC@IP"). */
static int sc_forge(int type, const char *arg)
{
	static uint8_t f[DHCP_FRAME_MAX + 16];
	size_t hl = last.attach.vnet_hdr_len, len;
	const char *at = strchr(arg, '@');
	uint8_t mac[6], ip[4], *e = f + hl, *iph = e + 14, *b = iph + 28;
	uint16_t c;

	if (!at || sc_parse_mac(arg, mac) || sc_parse_ip(at + 1, ip)) {
		printf("forge: bad %s\n", arg);
		return -1;
	}
	if (type == 7 && (!has_lease || sc_gw_mac()))
		return -1;
	len = dhcp_msg(f, hl, sc_mac(), 3, ip, last.attach.gateway);
	memcpy(b + 28, mac, 6);
	if (type == 7) {
		/* Options: 53 (its type) first, dhcp_msg()'s layout. */
		b[240 + 2] = 7;
		memcpy(b + 12, ip, 4);
		memcpy(e, gw_mac, 6);
		memcpy(iph + 12, lease_ip, 4);
		memcpy(iph + 16, last.attach.gateway, 4);
		iph[10] = iph[11] = 0;
		c = dhcp_ip_csum(iph, 20);
		iph[10] = (uint8_t)(c >> 8);
		iph[11] = (uint8_t)c;
	}
	if (write(tap, f, len) != (ssize_t)len) {
		printf("forge: write: %s\n", strerror(errno));
		return -1;
	}
	printf("forged\n");
	return 0;
}

static int sc_wait_file(const char *path)
{
	long until = now_ms() + 60000;
	struct pollfd none = { -1, 0, 0 };

	while (access(path, F_OK)) {
		if (now_ms() > until) {
			printf("no %s\n", path);
			return -1;
		}
		poll(&none, 0, 20);
	}
	return 0;
}

static int sc_open(const char *name)
{
	struct ifreq ifr;
	int t, hl = 12;

	if (!strcmp(name, "-"))
		name = last.attach.tap;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	t = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (t < 0 || ioctl(t, TUNSETIFF, &ifr) ||
	    ioctl(t, TUNSETVNETHDRSZ, &hl)) {
		printf("open %s: %s\n", name, strerror(errno));
		if (t >= 0)
			close(t);
		return -1;
	}
	if (tap >= 0)
		close(tap);
	tap = t;
	last.attach.vnet_hdr_len = (uint32_t)hl;
	/* A VMM that attached nothing itself has a MAC of its own. */
	if (!memcmp(last.attach.guest_mac, "\0\0\0\0\0\0", 6))
		memcpy(last.attach.guest_mac, "\x02\x53\x71\x6e\x00\x01", 6);
	printf("opened %s\n", name);
	return 0;
}

static int sc_detach(int fd, int quiet)
{
	char doc[64];

	snprintf(doc, sizeof(doc), "{\"v\":1,\"op\":\"detach\",\"id\":%u}",
		 last.attach.id);
	return sc_ask(fd, doc, strlen(doc), SVC_OP_DETACH, quiet);
}

static int sc_cycles(const char *path, int n, const char *doc)
{
	int i, fd;

	for (i = 0; i < n; i++) {
		fd = sc_connect(path);
		if (fd < 0)
			return -1;
		if (sc_ask(fd, doc, strlen(doc), SVC_OP_ATTACH, 1) || tap < 0 ||
		    !strstr(buf, "\"ok\":true")) {
			printf("cycle %d: %s\n", i, buf);
			return -1;
		}
		close(tap);
		tap = -1;
		if (sc_detach(fd, 1) || !strstr(buf, "\"ok\":true")) {
			printf("cycle %d: detach: %s\n", i, buf);
			return -1;
		}
		close(fd);
	}
	printf("cycles %d\n", n);
	return 0;
}

/* The notification socket a service manager listens on. */
static int sc_notify(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ssize_t n, i;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		printf("notify: %s\n", strerror(errno));
		return 1;
	}
	printf("listening\n");
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) >= 0) {
		for (i = 0; i < n; i++)
			if (buf[i] == '\n')
				buf[i] = ' ';
		buf[n] = '\0';
		printf("notify %s\n", buf);
	}
	return 1;
}

int main(int argc, char **argv)
{
	char *garbage;
	int fd, i, r = 0;
	size_t n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: svc_client SOCKET STEP...\n");
		return 2;
	}
	if (argc == 3 && !strcmp(argv[1], "--notify"))
		return sc_notify(argv[2]);
	if (argc > 2 && !strcmp(argv[2], "--cycles"))
		return argc == 5 && !sc_cycles(argv[1], atoi(argv[3]),
					       argv[4]) ?
			       0 :
			       1;
	fd = sc_connect(argv[1]);
	if (fd < 0)
		return 3;
	for (i = 2; i < argc && !r; i++) {
		if (!strcmp(argv[i], "--send") && i + 1 < argc) {
			i++;
			r = sc_ask(fd, argv[i], strlen(argv[i]), SVC_OP_ATTACH,
				   0);
		} else if (!strcmp(argv[i], "--garbage") && i + 1 < argc) {
			n = strtoul(argv[++i], NULL, 10);
			garbage = malloc(n + 1);
			if (!garbage)
				return 1;
			memset(garbage, 'x', n);
			r = sc_ask(fd, garbage, n, SVC_OP_ATTACH, 0);
			free(garbage);
		} else if (!strcmp(argv[i], "--vfkt")) {
			r = tap < 0 || write(tap, "VFKT", 4) != 4;
		} else if (!strcmp(argv[i], "--dhcp")) {
			r = sc_dhcp();
		} else if (!strcmp(argv[i], "--detach")) {
			r = sc_detach(fd, 0);
		} else if (!strcmp(argv[i], "--close")) {
			close(fd);
			fd = -1;
		} else if (!strcmp(argv[i], "--drop-tap")) {
			close(tap);
			tap = -1;
		} else if (!strcmp(argv[i], "--open") && i + 1 < argc) {
			r = sc_open(argv[++i]);
		} else if (!strcmp(argv[i], "--mac") && i + 1 < argc) {
			r = sc_parse_mac(argv[++i], my_mac);
			has_my_mac = !r;
		} else if (!strcmp(argv[i], "--ping") && i + 1 < argc) {
			r = sc_ping(atoi(argv[++i]));
		} else if (!strcmp(argv[i], "--spoof-arp") && i + 1 < argc) {
			r = sc_spoof('a', argv[++i]);
		} else if (!strcmp(argv[i], "--spoof-ip") && i + 1 < argc) {
			r = sc_spoof('i', argv[++i]);
		} else if (!strcmp(argv[i], "--spoof-mac") && i + 1 < argc) {
			r = sc_spoof('m', argv[++i]);
		} else if (!strcmp(argv[i], "--forge-request") &&
			   i + 1 < argc) {
			r = sc_forge(3, argv[++i]);
		} else if (!strcmp(argv[i], "--forge-release") &&
			   i + 1 < argc) {
			r = sc_forge(7, argv[++i]);
		} else if (!strcmp(argv[i], "--wait-file") && i + 1 < argc) {
			r = sc_wait_file(argv[++i]);
		} else if (!strcmp(argv[i], "--hold")) {
			printf("held\n");
			for (;;)
				pause();
		} else {
			fprintf(stderr, "svc_client: bad step %s\n", argv[i]);
			return 2;
		}
	}
	return r ? 1 : 0;
}
