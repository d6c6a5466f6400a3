// SPDX-License-Identifier: MIT
/* slow_peer.c - a stream peer that reads late, and the guest that sends to it */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * slow_peer serve SOCKET SENT ACK BURSTS SIZE
 * slow_peer send IFACE SENT ACK BURSTS SIZE
 *
 * "serve" listens on SOCKET (it appears there only once it listens), takes
 * one connection of QEMU stream framing (4-byte big-endian length, then
 * the frame) and, for burst b of 1..BURSTS, does not read until the sender
 * says on the FIFO SENT that it sent the burst's b frames of SIZE bytes:
 * the socket fills meanwhile, and the relay is left with a part of a frame
 * to send. Then it reads, in small pieces, until the burst's frames are
 * all there and whole, and acknowledges it on the FIFO ACK; after the
 * last, it waits for squib-net to close the connection. A gap of
 * GAP_MS with nothing to read is a failure: the rest of a frame the relay
 * accepted never came.
 *
 * "send" runs in the guest: IPv6 off (no frames of the kernel's own to
 * push the relay on), then for each burst its frames on IFACE through a
 * packet socket, a byte on SENT, and a wait for the byte on ACK.
 *
 * Frames: broadcast, ethertype 0x88b5, then the burst and the frame's
 * number (4 bytes each), then bytes that depend on both and the offset.
 * Exit status 0 when every frame came whole; the peer prints "N frames
 * whole".
 */

#define ETHERTYPE_TEST 0x88b5
#define GAP_MS 10000
#define WAIT_MS 60000
#define CHUNK 4096

static void fail(const char *what)
{
	fprintf(stderr, "slow_peer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint8_t pattern(unsigned int burst, unsigned int frame, size_t off)
{
	return (uint8_t)(burst * 31 + frame * 7 + off * 13 + (off >> 8));
}

static void frame_fill(uint8_t *f, size_t size, const uint8_t src[6],
		       unsigned int burst, unsigned int frame)
{
	size_t i;

	memset(f, 0xff, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETHERTYPE_TEST >> 8;
	f[13] = ETHERTYPE_TEST & 0xff;
	for (i = 0; i < 4; i++) {
		f[14 + i] = (uint8_t)(burst >> (24 - 8 * i));
		f[18 + i] = (uint8_t)(frame >> (24 - 8 * i));
	}
	for (i = 22; i < size; i++)
		f[i] = pattern(burst, frame, i);
}

/* Wait up to @ms for @fd to have @events; 0 if it did. */
static int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do {
		r = poll(&p, 1, ms);
	} while (r < 0 && errno == EINTR);
	return r == 1 ? 0 : -1;
}

/* One byte from FIFO @fd within WAIT_MS. */
static int fifo_wait(int fd)
{
	char c;

	return wait_fd(fd, POLLIN, WAIT_MS) || read(fd, &c, 1) != 1 ? -1 : 0;
}

/* Exactly @len bytes from @fd, waiting GAP_MS at most for each piece. */
static int read_all(int fd, uint8_t *buf, size_t len, size_t *got)
{
	ssize_t m;

	*got = 0;
	while (*got < len) {
		size_t want = len - *got < CHUNK ? len - *got : CHUNK;

		if (wait_fd(fd, POLLIN, GAP_MS))
			return -1;
		m = recv(fd, buf + *got, want, MSG_DONTWAIT);
		if (m < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (m <= 0)
			return -1;
		*got += (size_t)m;
	}
	return 0;
}

static int listen_at(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char tmp[sizeof(a.sun_path)];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 ||
	    snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		fail("socket");
	memcpy(a.sun_path, tmp, strlen(tmp) + 1);
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1) ||
	    rename(tmp, path))
		fail(path);
	return fd;
}

static int serve(const char *path, int sent, int ack, unsigned int bursts,
		 size_t size)
{
	static uint8_t frame[65536], want[65536];
	uint8_t hdr[4], zero[6] = { 0 };
	unsigned int b, f, whole = 0;
	size_t got, len;
	int lfd = listen_at(path), fd;

	if (wait_fd(lfd, POLLIN, WAIT_MS))
		fail("no connection");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		fail("accept");
	for (b = 1; b <= bursts; b++) {
		if (fifo_wait(sent))
			fail("the sender said nothing");
		for (f = 0; f < b;) {
			if (read_all(fd, hdr, 4, &got))
				goto cut;
			len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 |
			      (size_t)hdr[2] << 8 | hdr[3];
			if (len > sizeof(frame)) {
				fprintf(stderr, "slow_peer: length %zu\n", len);
				return 1;
			}
			if (read_all(fd, frame, len, &got))
				goto cut;
			/* The guest kernel's own frames, if any, are not
			 * ours to count. */
			if (len < 22 || frame[12] != ETHERTYPE_TEST >> 8 ||
			    frame[13] != (ETHERTYPE_TEST & 0xff))
				continue;
			frame_fill(want, size, zero, b, f);
			if (len != size ||
			    memcmp(frame + 14, want + 14, size - 14)) {
				fprintf(stderr,
					"slow_peer: burst %u frame %u: %zu bytes, not the ones sent\n",
					b, f, len);
				return 1;
			}
			f++;
			whole++;
		}
		if (write(ack, "a", 1) != 1)
			fail("ack");
	}
	/* Hold the connection until squib-net closes it, at the guest's end:
	 * a peer gone first would be a link failure. */
	while (!wait_fd(fd, POLLIN, WAIT_MS) &&
	       recv(fd, frame, sizeof(frame), 0) > 0)
		;
	printf("%u frames whole\n", whole);
	return 0;
cut:
	fprintf(stderr,
		"slow_peer: burst %u: %u of %u frames whole, then %zu bytes and nothing for %d ms\n",
		b, f, b, got, GAP_MS);
	return 1;
}

static void ipv6_off(const char *ifname)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			fprintf(stderr, "slow_peer: %s: %s\n", path,
				strerror(errno));
		close(fd);
	}
}

static int send_bursts(const char *ifname, int sent, int ack,
		       unsigned int bursts, size_t size)
{
	static uint8_t frame[65536];
	struct sockaddr_ll a = { .sll_family = AF_PACKET };
	uint8_t src[6] = { 0x02, 0x53, 0x51, 0x4e, 0, 1 };
	unsigned int b, f;
	int fd;

	ipv6_off(ifname);
	ipv6_off("all");
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	a.sll_ifindex = (int)if_nametoindex(ifname);
	if (fd < 0 || !a.sll_ifindex ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)))
		fail(ifname);
	for (b = 1; b <= bursts; b++) {
		for (f = 0; f < b; f++) {
			frame_fill(frame, size, src, b, f);
			if (send(fd, frame, size, 0) != (ssize_t)size)
				fail("send");
		}
		if (write(sent, "s", 1) != 1)
			fail("sent");
		if (fifo_wait(ack)) {
			fprintf(stderr,
				"slow_peer: burst %u not acknowledged\n", b);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int bursts;
	size_t size;
	int sent, ack;

	if (argc != 7) {
		fprintf(stderr,
			"usage: slow_peer serve|send SOCKET|IFACE SENT ACK BURSTS SIZE\n");
		return 2;
	}
	bursts = (unsigned int)strtoul(argv[5], NULL, 10);
	size = strtoul(argv[6], NULL, 10);
	if (size < 22 || size > 65536)
		return 2;
	/* O_RDWR: a FIFO opened so never waits for the other end. */
	sent = open(argv[3], O_RDWR | O_CLOEXEC);
	ack = open(argv[4], O_RDWR | O_CLOEXEC);
	if (sent < 0 || ack < 0)
		fail("fifo");
	if (!strcmp(argv[1], "serve"))
		return serve(argv[2], sent, ack, bursts, size);
	if (!strcmp(argv[1], "send"))
		return send_bursts(argv[2], sent, ack, bursts, size);
	return 2;
}
