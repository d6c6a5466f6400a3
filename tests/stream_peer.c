// SPDX-License-Identifier: MIT
/* stream_peer.c - a client of a network's stream socket for
 * tests/test_serve_stream.sh, honest or hostile: runs its arguments as
 * steps, in order, on one connection, in the QEMU framing (a 4-byte
 * big-endian length, then the frame)
 *
 *   stream_peer SOCKET STEP...
 *   --dhcp          DHCP (DISCOVER, REQUEST) from a random MAC: "lease IP"
 *   --mac MAC       from now on MAC, not a random one (a guest's NIC)
 *   --split         from now on each length prefix goes in two writes
 *   --ping IP       ARP for IP, then an ICMP echo: "ping-ok IP", else
 *                   "ping-fail IP" (and a failed step)
 *   --flood N SIZE  N echo requests of SIZE bytes to the last IP pinged,
 *                   reading nothing: "flooded N"
 *   --zero          a length prefix of 0
 *   --big           a length prefix of 70000, above any frame
 *   --cut           a prefix of 100, 50 bytes of frame, then the end
 *   --tiny N        N frames of 14 bytes (an Ethernet header) in one
 *                   write: "tiny N"
 *   --random N      N random bytes
 *   --closed        the service closes the connection within 10 s:
 *                   "closed"
 *   --hold          "held", then answer ARP and pings for the lease
 *                   until killed
 *   --transfer IP   --ping IP, then an echo request to IP every 20 ms
 *                   until killed: "replies N" at each 25th reply; when
 *                   the service closes the connection, "closed", then
 *                   (as QEMU's reconnect-ms) connect again every 50 ms
 *                   for 60 s: "reconnected", DHCP again with the same MAC
 *                   ("lease IP"), --ping IP, and on
 *   --deaf          "held", then read nothing until killed
 *   --cycles N      N times: connect, DHCP DISCOVER, its OFFER, close:
 *                   "cycles N"
 *
 * Exit: 0, 1 when a step failed, 3 when connect() failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dhcp.h"

#define WAIT_MS 10000
#define RX_SIZE (1 << 20)
#define FRAME_MAX 65536

static const char *path;
static int fd = -1, split;
static uint8_t rx[RX_SIZE], tx[4 + FRAME_MAX], frame[FRAME_MAX];
static size_t rd, wr;
static uint8_t mac[6], ip[4], gw_ip[4], gw_mac[6];
static int have_ip, have_gw;

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int sp_connect(int quiet)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		if (!quiet)
			printf("connect: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
		return -1;
	}
	rd = wr = 0;
	return 0;
}

static int sp_write(const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t m;

	while (n) {
		m = send(fd, b, n, MSG_NOSIGNAL);
		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			return -1;
		b += m;
		n -= (size_t)m;
	}
	return 0;
}

/* One frame out: its prefix (in two writes after --split), then it. */
static int sp_send(const uint8_t *f, size_t len)
{
	uint32_t be = htonl((uint32_t)len);

	memcpy(tx, &be, 4);
	memcpy(tx + 4, f, len);
	if (split)
		return sp_write(tx, 2) || sp_write(tx + 2, len + 2);
	return sp_write(tx, len + 4);
}

/* The next frame, within @ms: its length, 0 on timeout, -1 at the end. */
static ssize_t sp_recv(long ms)
{
	long until = now_ms() + ms;
	struct pollfd p = { 0, POLLIN, 0 };
	uint32_t len;
	ssize_t m;

	p.fd = fd;
	for (;;) {
		if (wr - rd >= 4) {
			memcpy(&len, rx + rd, 4);
			len = ntohl(len);
			if (len > FRAME_MAX)
				return -1;
			if (wr - rd >= 4 + len) {
				memcpy(frame, rx + rd + 4, len);
				rd += 4 + len;
				return (ssize_t)len;
			}
		}
		if (rd && rd == wr)
			rd = wr = 0;
		if (wr > RX_SIZE / 2) {
			memmove(rx, rx + rd, wr - rd);
			wr -= rd;
			rd = 0;
		}
		if (now_ms() >= until)
			return 0;
		if (poll(&p, 1, (int)(until - now_ms())) <= 0)
			continue;
		m = recv(fd, rx + wr, RX_SIZE - wr, 0);
		if (m <= 0)
			return -1;
		wr += (size_t)m;
	}
}

/* Send @f (@len bytes) and wait for the answer of @type, sending it again
 * each second as a DHCP client does (a port just made may not pass the
 * first one yet), for up to dhcp_wait_ms. */
static long dhcp_wait_ms = WAIT_MS;

static int sp_dhcp_ask(const uint8_t *f, size_t len, int type, uint8_t got[4],
		       uint8_t server[4])
{
	long until = now_ms() + dhcp_wait_ms, again = 0, left;
	ssize_t n;

	while ((left = until - now_ms()) > 0) {
		if (now_ms() >= again) {
			if (sp_send(f, len))
				return -1;
			again = now_ms() + 1000;
		}
		n = sp_recv(again - now_ms() < left ? again - now_ms() : left);
		if (n < 0)
			return -1;
		if (n > 0 &&
		    dhcp_answer(frame, (size_t)n, 0, type, got, server))
			return 0;
	}
	return -1;
}

static void sp_mac(void)
{
	int r = open("/dev/urandom", O_RDONLY);

	if (r < 0 || read(r, mac, 6) != 6)
		memcpy(mac, "\x02\x00\x00\x00\x00\x01", 6);
	if (r >= 0)
		close(r);
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
}

static int sp_dhcp(void)
{
	uint8_t f[DHCP_FRAME_MAX], server[4] = { 0 };
	size_t len;

	len = dhcp_msg(f, 0, mac, 1, ip, server);
	if (sp_dhcp_ask(f, len, 2, ip, server)) {
		printf("dhcp: no offer\n");
		return -1;
	}
	len = dhcp_msg(f, 0, mac, 3, ip, server);
	if (sp_dhcp_ask(f, len, 5, ip, server)) {
		printf("dhcp: no ack\n");
		return -1;
	}
	have_ip = 1;
	printf("lease %u.%u.%u.%u\n", ip[0], ip[1], ip[2], ip[3]);
	return 0;
}

/* An ARP request (1) or reply (2) to @tha/@tpa. */
static void sp_arp(int op, const uint8_t tha[6], const uint8_t tpa[4])
{
	uint8_t f[42];

	memcpy(f, op == 1 ? (const uint8_t *)"\xff\xff\xff\xff\xff\xff" : tha,
	       6);
	memcpy(f + 6, mac, 6);
	memcpy(f + 12, "\x08\x06\x00\x01\x08\x00\x06\x04\x00", 9);
	f[21] = (uint8_t)op;
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, ip, 4);
	memcpy(f + 32, op == 1 ? (const uint8_t *)"\0\0\0\0\0\0" : tha, 6);
	memcpy(f + 38, tpa, 4);
	sp_send(f, sizeof(f));
}

/* An ICMP echo of type @type (8 request, 0 reply) of @size bytes in all
 * to @dmac/@dip; @echo: the request's ICMP part to answer, or NULL. */
static void sp_icmp(int type, const uint8_t dmac[6], const uint8_t dip[4],
		    size_t size, const uint8_t *echo, size_t echo_len,
		    uint16_t seq)
{
	static uint8_t f[FRAME_MAX];
	uint8_t *iph = f + 14, *ic = iph + 20;
	size_t ilen;
	uint16_t c;

	if (size < 14 + 20 + 8)
		size = 14 + 20 + 8;
	if (echo && 14 + 20 + echo_len > size)
		size = 14 + 20 + echo_len;
	if (size > FRAME_MAX - 2)
		size = FRAME_MAX - 2;
	/* One byte more: an odd length's checksum pads with a zero. */
	memset(f, 0, size + 1);
	memcpy(f, dmac, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08;
	ilen = size - 14;
	iph[0] = 0x45;
	iph[2] = (uint8_t)(ilen >> 8);
	iph[3] = (uint8_t)ilen;
	iph[8] = 64;
	iph[9] = 1;
	memcpy(iph + 12, ip, 4);
	memcpy(iph + 16, dip, 4);
	c = dhcp_ip_csum(iph, 20);
	iph[10] = (uint8_t)(c >> 8);
	iph[11] = (uint8_t)c;
	if (echo) {
		memcpy(ic, echo, echo_len);
	} else {
		ic[4] = 0x51;
		ic[5] = 0x71;
		ic[6] = (uint8_t)(seq >> 8);
		ic[7] = (uint8_t)seq;
	}
	ic[0] = (uint8_t)type;
	ic[2] = ic[3] = 0;
	/* An odd length: the checksum's last byte pads with zero (f is). */
	c = dhcp_ip_csum(ic, (ilen - 20 + 1) & ~(size_t)1);
	ic[2] = (uint8_t)(c >> 8);
	ic[3] = (uint8_t)c;
	sp_send(f, size);
}

/* Answer what asks for us: ARP for our address, echo requests to it.
 * Return: 1 when @f was one. */
static int sp_answer(const uint8_t *f, size_t n)
{
	if (!have_ip || n < 42)
		return 0;
	if (f[12] == 8 && f[13] == 6 && f[21] == 1 && !memcmp(f + 38, ip, 4)) {
		sp_arp(2, f + 6, f + 28);
		return 1;
	}
	if (f[12] == 8 && f[13] == 0 && f[14 + 9] == 1 &&
	    !memcmp(f + 14 + 16, ip, 4) && f[14 + 20] == 8) {
		sp_icmp(0, f + 6, f + 14 + 12, n, f + 34, n - 34, 0);
		return 1;
	}
	return 0;
}

static int sp_ping(const char *arg)
{
	long until = now_ms() + WAIT_MS;
	uint8_t dip[4];
	ssize_t n;
	int sent = 0;

	if (!have_ip || inet_pton(AF_INET, arg, dip) != 1) {
		printf("ping-fail %s\n", arg);
		return -1;
	}
	memcpy(gw_ip, dip, 4);
	have_gw = 0;
	sp_arp(1, NULL, dip);
	while (now_ms() < until) {
		n = sp_recv(500);
		if (n < 0)
			break;
		if (!n) {
			/* Asked again: the first may have gone before the
			 * peer was there. */
			if (!have_gw)
				sp_arp(1, NULL, dip);
			else
				sp_icmp(8, gw_mac, dip, 64, NULL, 0, 1);
			continue;
		}
		if (sp_answer(frame, (size_t)n))
			continue;
		if (!have_gw && n >= 42 && frame[12] == 8 && frame[13] == 6 &&
		    frame[21] == 2 && !memcmp(frame + 28, dip, 4)) {
			memcpy(gw_mac, frame + 22, 6);
			have_gw = 1;
		}
		if (have_gw && !sent) {
			sp_icmp(8, gw_mac, dip, 64, NULL, 0, 1);
			sent = 1;
		}
		if (n >= 42 && frame[12] == 8 && frame[13] == 0 &&
		    frame[14 + 9] == 1 && !memcmp(frame + 14 + 12, dip, 4) &&
		    frame[34] == 0 && frame[38] == 0x51) {
			printf("ping-ok %s\n", arg);
			return 0;
		}
	}
	printf("ping-fail %s\n", arg);
	return -1;
}

static int sp_flood(int count, size_t size)
{
	int i;

	if (!have_gw) {
		printf("flood: ping first\n");
		return -1;
	}
	for (i = 0; i < count; i++)
		sp_icmp(8, gw_mac, gw_ip, size, NULL, 0, (uint16_t)i);
	printf("flooded %d\n", count);
	return 0;
}

static int sp_tiny(int count)
{
	uint8_t *b = malloc((size_t)count * 18);
	int i, r;

	if (!b)
		return -1;
	for (i = 0; i < count; i++) {
		uint8_t *p = b + (size_t)i * 18;

		memcpy(p, "\x00\x00\x00\x0e\xff\xff\xff\xff\xff\xff", 10);
		memcpy(p + 10, mac, 6);
		/* IEEE 802 local experimental ethertype: no one's business. */
		p[16] = 0x88;
		p[17] = 0xb5;
	}
	r = sp_write(b, (size_t)count * 18);
	free(b);
	if (!r)
		printf("tiny %d\n", count);
	return r;
}

static int sp_random(size_t n)
{
	uint8_t *b = malloc(n);
	int u = open("/dev/urandom", O_RDONLY), r = -1;

	if (b && u >= 0 && read(u, b, n) == (ssize_t)n)
		r = sp_write(b, n);
	free(b);
	if (u >= 0)
		close(u);
	return r;
}

static int sp_closed(void)
{
	long until = now_ms() + WAIT_MS;
	struct pollfd p = { 0, POLLIN, 0 };
	ssize_t m;

	p.fd = fd;
	while (now_ms() < until) {
		if (poll(&p, 1, (int)(until - now_ms())) <= 0)
			continue;
		m = recv(fd, rx, RX_SIZE, 0);
		if (m <= 0) {
			printf("closed\n");
			return 0;
		}
	}
	printf("still open\n");
	return -1;
}

static int sp_hold(void)
{
	ssize_t n;

	printf("held\n");
	for (;;) {
		n = sp_recv(WAIT_MS);
		if (n < 0) {
			printf("closed\n");
			return -1;
		}
		if (n > 0)
			sp_answer(frame, (size_t)n);
	}
}

/* The connection went: connect again as a VMM that reconnects does, and
 * ask for the lease and the gateway again, with the same MAC. */
static int sp_reconnect(const char *gw)
{
	long until = now_ms() + 6 * WAIT_MS;
	ssize_t got;
	char probe;

	close(fd);
	fd = -1;
	printf("closed\n");
	/* A service that is being killed closes its connections before
	 * its listening socket: a connect in between is taken into the
	 * dying socket's backlog and reset with it. A VMM that reconnects
	 * sees the reset and connects again; so does this one. */
	for (;;) {
		if (!sp_connect(1)) {
			poll(NULL, 0, 100);
			got = recv(fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
			if (got > 0 || (got < 0 && (errno == EAGAIN ||
						    errno == EWOULDBLOCK)))
				break;
			close(fd);
			fd = -1;
		}
		if (now_ms() >= until) {
			printf("reconnect: %s\n", strerror(errno));
			return -1;
		}
		poll(NULL, 0, 50);
	}
	printf("reconnected\n");
	have_ip = 0;
	/* A service just started again may take its time to make the new
	 * connection's port (the namespace's lock, on a busy machine): a
	 * VMM's DHCP client keeps asking; so does this one, 30 s. */
	dhcp_wait_ms = 3 * WAIT_MS;
	return sp_dhcp() || sp_ping(gw);
}

/* Whether @f (@n bytes) is the reply to an echo request of ours. */
static int sp_echo_reply(const uint8_t *f, ssize_t n)
{
	return n >= 42 && f[12] == 8 && f[13] == 0 && f[14 + 9] == 1 &&
	       !memcmp(f + 14 + 12, gw_ip, 4) && f[34] == 0 && f[38] == 0x51;
}

static int sp_transfer(const char *gw)
{
	unsigned long got = 0;
	uint16_t seq = 0;
	long next = 0;
	ssize_t n;

	if (sp_ping(gw))
		return -1;
	for (;;) {
		if (now_ms() >= next) {
			sp_icmp(8, gw_mac, gw_ip, 64, NULL, 0, ++seq);
			next = now_ms() + 20;
		}
		n = sp_recv(next - now_ms());
		if (n < 0 && sp_reconnect(gw))
			return -1;
		if (n > 0 && !sp_answer(frame, (size_t)n) &&
		    sp_echo_reply(frame, n) && !(++got % 25))
			printf("replies %lu\n", got);
	}
}

static int sp_cycles(int count)
{
	uint8_t f[DHCP_FRAME_MAX], got[4], server[4];
	size_t len;
	int i;

	for (i = 0; i < count; i++) {
		if (sp_connect(0))
			return -1;
		len = dhcp_msg(f, 0, mac, 1, got, server);
		if (sp_dhcp_ask(f, len, 2, got, server)) {
			printf("cycle %d: no offer\n", i);
			return -1;
		}
		close(fd);
		fd = -1;
	}
	printf("cycles %d\n", count);
	return 0;
}

int main(int argc, char **argv)
{
	static const uint8_t big[4] = { 0, 1, 0x11, 0x70 }; /* 70000 */
	static const uint8_t cut[4] = { 0, 0, 0, 100 };
	int i, r = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: stream_peer SOCKET STEP...\n");
		return 2;
	}
	path = argv[1];
	sp_mac();
	if (argc == 4 && !strcmp(argv[2], "--cycles"))
		return sp_cycles(atoi(argv[3])) ? 1 : 0;
	if (sp_connect(0))
		return 3;
	for (i = 2; i < argc && !r; i++) {
		if (!strcmp(argv[i], "--dhcp")) {
			r = sp_dhcp();
		} else if (!strcmp(argv[i], "--mac") && i + 1 < argc) {
			r = -(sscanf(argv[++i], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
				     &mac[0], &mac[1], &mac[2], &mac[3],
				     &mac[4], &mac[5]) != 6);
		} else if (!strcmp(argv[i], "--split")) {
			split = 1;
		} else if (!strcmp(argv[i], "--ping") && i + 1 < argc) {
			r = sp_ping(argv[++i]);
		} else if (!strcmp(argv[i], "--flood") && i + 2 < argc) {
			r = sp_flood(atoi(argv[i + 1]),
				     strtoul(argv[i + 2], NULL, 10));
			i += 2;
		} else if (!strcmp(argv[i], "--zero")) {
			r = sp_write("\0\0\0\0", 4);
		} else if (!strcmp(argv[i], "--big")) {
			r = sp_write(big, 4);
		} else if (!strcmp(argv[i], "--cut")) {
			memset(frame, 0x5a, 50);
			r = sp_write(cut, 4) || sp_write(frame, 50);
			if (!r)
				printf("cut\n");
			return r ? 1 : 0;
		} else if (!strcmp(argv[i], "--tiny") && i + 1 < argc) {
			r = sp_tiny(atoi(argv[++i]));
		} else if (!strcmp(argv[i], "--random") && i + 1 < argc) {
			r = sp_random(strtoul(argv[++i], NULL, 10));
		} else if (!strcmp(argv[i], "--closed")) {
			r = sp_closed();
		} else if (!strcmp(argv[i], "--hold")) {
			r = sp_hold();
		} else if (!strcmp(argv[i], "--transfer") && i + 1 < argc) {
			r = sp_transfer(argv[++i]);
		} else if (!strcmp(argv[i], "--deaf")) {
			printf("held\n");
			for (;;)
				pause();
		} else {
			fprintf(stderr, "stream_peer: bad step %s\n", argv[i]);
			return 2;
		}
	}
	return r ? 1 : 0;
}
