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
	if (got < 0)
		return 0;
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
static int dhcp_wait(size_t hl, int type, uint8_t ip[4], uint8_t server[4])
{
	static uint8_t f[65536];
	long until = now_ms() + WAIT_MS;
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

static int sc_dhcp(void)
{
	static uint8_t f[DHCP_FRAME_MAX + 16];
	size_t hl = last.attach.vnet_hdr_len, len;
	uint8_t ip[4] = { 0 }, server[4] = { 0 };

	if (tap < 0) {
		printf("dhcp: no TAP\n");
		return -1;
	}
	len = dhcp_msg(f, hl, last.attach.guest_mac, 1, ip, server);
	if (write(tap, f, len) != (ssize_t)len ||
	    dhcp_wait(hl, 2, ip, server)) {
		printf("dhcp: no offer\n");
		return -1;
	}
	len = dhcp_msg(f, hl, last.attach.guest_mac, 3, ip, server);
	if (write(tap, f, len) != (ssize_t)len ||
	    dhcp_wait(hl, 5, ip, server)) {
		printf("dhcp: no ack\n");
		return -1;
	}
	printf("lease %u.%u.%u.%u\n", ip[0], ip[1], ip[2], ip[3]);
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
