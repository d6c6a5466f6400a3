// SPDX-License-Identifier: MIT
/* svc_client.c - a raw client of squib-net serve for tests/test_serve.sh:
 * runs its arguments as steps, in order, on one control connection
 *
 *   svc_client SOCKET STEP...
 *   --send DOC       send DOC as one packet; print "reply DOC" and, when a
 *                    TAP's fd came with it, "tap NAME" (the fd is kept)
 *   --garbage N      send N bytes of 'x' as one packet, print the reply
 *   --dhcp           DHCP through the last TAP (DISCOVER, REQUEST) with the
 *                    guest MAC of the last attach reply: "lease A.B.C.D"
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

#include "svcproto.h"

#define DHCP_XID 0x53716e31u
#define WAIT_MS 10000

static char buf[SVC_MSG_MAX + 1];
static struct svc_reply last;
static int tap = -1;

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
	ssize_t n;
	int got = -1, r;

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

static uint16_t ip_csum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < len; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A DHCP message of @type from the guest (@hl bytes of virtio_net_hdr
 * first); REQUEST names @ip and @server. */
static size_t dhcp_msg(uint8_t *f, size_t hl, const uint8_t mac[6], int type,
		       const uint8_t ip[4], const uint8_t server[4])
{
	uint8_t *e = f + hl, *iph = e + 14, *udp = iph + 20, *b = udp + 8;
	uint8_t *o = b + 236;
	size_t ulen;
	uint16_t c;

	memset(f, 0, hl + 14 + 20 + 8 + 300);
	memset(e, 0xff, 6);
	memcpy(e + 6, mac, 6);
	e[12] = 0x08;
	b[0] = 1;
	b[1] = 1;
	b[2] = 6;
	b[4] = DHCP_XID >> 24;
	b[5] = (DHCP_XID >> 16) & 0xff;
	b[6] = (DHCP_XID >> 8) & 0xff;
	b[7] = DHCP_XID & 0xff;
	b[10] = 0x80;
	memcpy(b + 28, mac, 6);
	memcpy(o, "\x63\x82\x53\x63\x35\x01", 6);
	o[6] = (uint8_t)type;
	o += 7;
	if (type == 3) {
		memcpy(o, "\x32\x04", 2);
		memcpy(o + 2, ip, 4);
		memcpy(o + 6, "\x36\x04", 2);
		memcpy(o + 8, server, 4);
		o += 12;
	}
	*o++ = 255;
	ulen = 8 + (size_t)(o - b);
	iph[0] = 0x45;
	iph[2] = (uint8_t)((20 + ulen) >> 8);
	iph[3] = (uint8_t)(20 + ulen);
	iph[8] = 64;
	iph[9] = 17;
	memset(iph + 16, 0xff, 4);
	c = ip_csum(iph, 20);
	iph[10] = (uint8_t)(c >> 8);
	iph[11] = (uint8_t)c;
	udp[1] = 68;
	udp[3] = 67;
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	return hl + 14 + 20 + ulen;
}

/* The answer of @type (2 offer, 5 ack) to our transaction within @ms: the
 * address it gives in @ip, the server in @server. */
static int dhcp_wait(size_t hl, int type, uint8_t ip[4], uint8_t server[4],
		     long ms)
{
	static uint8_t f[65536];
	long until = now_ms() + ms;
	struct pollfd p = { tap, POLLIN, 0 };
	const uint8_t *e, *b, *o, *end;
	ssize_t n;
	int t;

	while (now_ms() < until) {
		if (poll(&p, 1, (int)(until - now_ms())) <= 0)
			continue;
		n = read(tap, f, sizeof(f));
		if (n < (ssize_t)(hl + 14 + 20 + 8 + 240))
			continue;
		e = f + hl;
		b = e + 14 + 20 + 8;
		end = f + n;
		if (e[12] != 8 || e[13] != 0 || e[14 + 9] != 17 ||
		    e[14 + 20 + 1] != 67 ||
		    memcmp(b + 4, "\x53\x71\x6e\x31", 4))
			continue;
		for (t = 0, o = b + 240; o + 2 <= end && *o != 255;
		     o += *o ? 2 + o[1] : 1) {
			if (o[0] == 53)
				t = o[2];
			if (o[0] == 54 && o[1] == 4 && o + 6 <= end)
				memcpy(server, o + 2, 4);
		}
		if (t != type)
			continue;
		memcpy(ip, b + 16, 4);
		return 0;
	}
	return -1;
}

static int sc_dhcp(void)
{
	static uint8_t f[2048];
	size_t hl = last.attach.vnet_hdr_len, len;
	uint8_t ip[4] = { 0 }, server[4] = { 0 };
	int n;

	if (tap < 0) {
		printf("dhcp: no TAP\n");
		return -1;
	}
	/* DISCOVER again each second, as DHCP clients do: a TAP just
	 * opened by name is a port of the bridge only once the bridge has
	 * seen its carrier come up (linkwatch, up to a second later). */
	len = dhcp_msg(f, hl, last.attach.guest_mac, 1, ip, server);
	for (n = 0;; n++) {
		if (n == WAIT_MS / 1000 || write(tap, f, len) != (ssize_t)len) {
			printf("dhcp: no offer\n");
			return -1;
		}
		if (!dhcp_wait(hl, 2, ip, server, 1000))
			break;
	}
	len = dhcp_msg(f, hl, last.attach.guest_mac, 3, ip, server);
	if (write(tap, f, len) != (ssize_t)len ||
	    dhcp_wait(hl, 5, ip, server, WAIT_MS)) {
		printf("dhcp: no ack\n");
		return -1;
	}
	printf("lease %u.%u.%u.%u\n", ip[0], ip[1], ip[2], ip[3]);
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
