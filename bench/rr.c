// SPDX-License-Identifier: MIT
/* rr.c - a TCP request/response rate: one byte each way, one at a time
 *
 *   rr server ADDR PORT       answers every byte with a byte, one client
 *                             at a time, until killed
 *   rr client ADDR PORT SECS  for SECS seconds: send a byte, wait for its
 *                             answer; prints "TRANSACTIONS/S MEDIAN_US
 *                             P99_US" of the round trips
 *
 * netperf's TCP_RR, which Debian does not ship in main; the benchmark
 * (bench/e2e.sh) runs the server in its "wan" namespace and the client in
 * each guest. TCP_NODELAY both ends: each byte leaves at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RR_SAMPLES_MAX (4u << 20)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ADDR and PORT into @sa; 0, or -1 when they are not an IPv4 address
 * and a port. */
static int rr_addr(const char *addr, const char *port, struct sockaddr_in *sa)
{
	char *end;
	unsigned long p = strtoul(port, &end, 10);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)p);
	if (*end || !p || p > 65535 ||
	    inet_pton(AF_INET, addr, &sa->sin_addr) != 1)
		return -1;
	return 0;
}

static void rr_nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* The server: echo each byte of each client in turn. */
static int rr_server(const struct sockaddr_in *sa)
{
	int one = 1, ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char c;

	if (ls < 0)
		return 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (const struct sockaddr *)sa, sizeof(*sa)) ||
	    listen(ls, 8)) {
		perror("rr: bind/listen");
		return 1;
	}
	for (;;) {
		int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			continue;
		rr_nodelay(fd);
		while (read(fd, &c, 1) == 1 && write(fd, &c, 1) == 1)
			;
		close(fd);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The client: round trips for @secs, then the rate and the quantiles. */
static int rr_client(const struct sockaddr_in *sa, double secs)
{
	uint32_t *ns = malloc(RR_SAMPLES_MAX * sizeof(*ns));
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uint64_t t0, t, end;
	size_t n = 0;
	char c = 'x';

	if (!ns || fd < 0)
		return 1;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa))) {
		perror("rr: connect");
		return 1;
	}
	rr_nodelay(fd);
	t0 = now_ns();
	end = t0 + (uint64_t)(secs * 1e9);
	t = t0;
	while (t < end && n < RR_SAMPLES_MAX) {
		uint64_t s = t;

		if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1) {
			perror("rr: round trip");
			return 1;
		}
		t = now_ns();
		ns[n++] = (uint32_t)(t - s < UINT32_MAX ? t - s : UINT32_MAX);
	}
	close(fd);
	if (!n)
		return 1;
	qsort(ns, n, sizeof(*ns), cmp_u32);
	printf("%.0f %.1f %.1f\n", (double)n * 1e9 / (double)(t - t0),
	       ns[n / 2] / 1e3, ns[n * 99 / 100] / 1e3);
	free(ns);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;

	if (argc >= 4 && !rr_addr(argv[2], argv[3], &sa)) {
		if (argc == 4 && !strcmp(argv[1], "server"))
			return rr_server(&sa);
		if (argc == 5 && !strcmp(argv[1], "client") &&
		    atof(argv[4]) > 0)
			return rr_client(&sa, atof(argv[4]));
	}
	fprintf(stderr,
		"usage: rr server ADDR PORT | rr client ADDR PORT SECS\n");
	return 2;
}
