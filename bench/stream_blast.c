// SPDX-License-Identifier: MIT
/* stream_blast.c - frames as fast as a stream socket takes them: the sender side of the relay's frames/s
 *
 * stream_blast SOCKET SECONDS SIZE DST_MAC [hold]
 *
 * Connects to SOCKET through libsquibnet (SQN_MODE_STREAM, QEMU framing)
 * and sends SIZE-byte frames (Ethernet header included) to DST_MAC from a
 * locally administered MAC of its own, ethertype 0x88b5 (local
 * experimental: no stack answers it), in batches of 64, for SECONDS,
 * waiting on sqn_fd() when the socket is full. Prints one line: "sent N
 * frames in S s" (the frames the socket took; what the far side of the
 * relay got is counted there). With "hold" it then keeps the connection
 * until SIGTERM, so that the far side can still be counted.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "squibnet.h"

#define BATCH 64

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int v[6];
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t frame[SQN_FRAME_MAX];
	struct iovec iov[BATCH];
	struct sqn_pkt pkts[BATCH];
	struct sqn_config cfg;
	unsigned long long sent = 0;
	double secs, t0, end;
	size_t size;
	sqn_net *net;
	int i, r;

	if ((argc != 5 && (argc != 6 || strcmp(argv[5], "hold"))) ||
	    (secs = atof(argv[2])) <= 0 ||
	    (size = strtoul(argv[3], NULL, 10)) < SQN_ETH_HLEN || size > 1514 ||
	    parse_mac(argv[4], frame)) {
		fprintf(stderr,
			"usage: stream_blast SOCKET SECONDS SIZE(14..1514) DST_MAC [hold]\n");
		return 2;
	}
	memcpy(frame + 6, "\x02\x00\x5e\xb1\xa5\x70", 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_STREAM;
	cfg.peer_path = argv[1];
	cfg.connect_timeout_ms = 10000;
	if (sqn_open(&cfg, &net)) {
		fprintf(stderr, "stream_blast: %s\n", sqn_last_error(NULL));
		return 1;
	}
	for (i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ frame, size };
		pkts[i] = (struct sqn_pkt){ .iov = &iov[i], .iovcnt = 1 };
	}
	t0 = now_s();
	end = t0 + secs;
	while (now_s() < end) {
		r = sqn_send(net, pkts, BATCH);
		if (r > 0) {
			sent += (unsigned long long)r;
			continue;
		}
		if (r != -EAGAIN) {
			fprintf(stderr, "stream_blast: send: %s\n",
				sqn_last_error(net));
			sqn_close(net);
			return 1;
		}
		struct pollfd pfd = { sqn_fd(net), POLLOUT, 0 };
		poll(&pfd, 1, 100);
	}
	while (sqn_flush(net) == -EAGAIN) {
		struct pollfd pfd = { sqn_fd(net), POLLOUT, 0 };
		poll(&pfd, 1, 100);
	}
	printf("sent %llu frames in %.3f s\n", sent, now_s() - t0);
	fflush(stdout);
	if (argc == 6)
		for (;;)
			pause();
	sqn_close(net);
	return 0;
}
