// SPDX-License-Identifier: MIT
/* tap_pair.c - a VMM stand-in for tests/test_serve_restart.sh: the TAP fd
 * squib-net run handed over, relayed to a TAP of the calling namespace
 *
 *   tap_pair FD NAME READY
 *
 * Makes TAP NAME (no packet information, no virtio-net header) in the
 * current network namespace, writes READY, then copies each frame read
 * from one to the other, both ways, as a VMM's virtio-net backend would,
 * until FD fails or ends (its TAP removed: exit 0) or SIGTERM (exit 0).
 * Exit 1 when NAME cannot be made, 2 for a usage error.
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
#include <unistd.h>

/* A TAP of this namespace named @name, or -1. */
static int tp_tap(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd >= 0 && ioctl(fd, TUNSETIFF, &ifr)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* One frame from @from to @to; 0, or -1 when @from failed or ended. A
 * frame the other side does not take is dropped, as a NIC would. */
static int tp_copy(int from, int to)
{
	static char frame[65536];
	ssize_t n = read(from, frame, sizeof(frame));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	if (write(to, frame, (size_t)n) < 0) {
		/* dropped */
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct pollfd p[2];
	int fd, tap, i;
	FILE *f;

	if (argc != 4 || (fd = atoi(argv[1])) < 3) {
		fprintf(stderr, "usage: tap_pair FD NAME READY\n");
		return 2;
	}
	tap = tp_tap(argv[2]);
	if (tap < 0) {
		fprintf(stderr, "tap_pair: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	f = fopen(argv[3], "w");
	if (!f || fclose(f))
		return 1;
	p[0] = (struct pollfd){ fd, POLLIN, 0 };
	p[1] = (struct pollfd){ tap, POLLIN, 0 };
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (i = 0; i < 2; i++)
			if (p[i].revents & (POLLERR | POLLHUP | POLLNVAL))
				return 0;
		if ((p[0].revents & POLLIN) && tp_copy(fd, tap))
			return 0;
		if ((p[1].revents & POLLIN) && tp_copy(tap, fd))
			return 0;
	}
}
