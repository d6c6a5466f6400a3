// SPDX-License-Identifier: MIT
/* dnsmasq_hosts_linux.c - Linux side of dnsmasq_hosts.h: the hosts file
 * written whole, dnsmasq told with SIGHUP (never restarted) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dnsmasq.h"
#include "dnsmasq_hosts.h"
#include "record.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/**
 * dnsmasq_hosts_write() - the network's reservations, all of them, in its
 * dnsmasq's hosts file; a running dnsmasq reads it again
 * @dir:	the network's record
 * @h:		the reservations
 * @n:		how many
 *
 * A line "MAC,ADDRESS" each (dnsmasq(8), --dhcp-hostsfile); a MAC twice
 * (two attachments of one guest) is written once. The file is replaced
 * by a rename, never seen half-written, and readable by all: dnsmasq
 * reads it again as "nobody". SIGHUP makes it do so (it also clears its
 * DNS cache); the DHCP requests that follow are served from the new
 * file. A file that says this already is left alone, and dnsmasq too (a
 * forward added changes no reservation).
 *
 * Return: 0 or a negative errno.
 */
int dnsmasq_hosts_write(const char *dir, const struct dnsmasq_host *h,
			unsigned int n)
{
	char path[RECORD_PATH_MAX], tmp[RECORD_PATH_MAX];
	size_t size = (size_t)n * 40 + 1, at = 0;
	char *text = malloc(size), *old = malloc(size + 1);
	unsigned int i, j;
	int fd, r = 0;
	ssize_t got;

	if (!text || !old) {
		r = -ENOMEM;
		goto out;
	}
	text[0] = '\0';
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(h[j].mac, h[i].mac); j++)
			;
		if (j == i)
			at += (size_t)snprintf(text + at, size - at, "%s,%s\n",
					       h[i].mac, h[i].ip);
	}
	record_path(path, dir, DNSMASQ_HOSTS);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	got = fd >= 0 ? read(fd, old, size + 1) : -1;
	if (fd >= 0)
		close(fd);
	if (got == (ssize_t)at && !memcmp(old, text, at))
		goto out;
	record_path(tmp, dir, DNSMASQ_HOSTS ".new");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	if (write(fd, text, at) != (ssize_t)at || fchmod(fd, 0644))
		r = -EIO;
	if (close(fd) && !r)
		r = -errno;
	if (!r && rename(tmp, path))
		r = -errno;
	if (r) {
		unlink(tmp);
		goto out;
	}
	fd = dnsmasq_find(dir, NULL);
	if (fd >= 0) {
		syscall(SYS_pidfd_send_signal, fd, SIGHUP, NULL, 0);
		close(fd);
	}
out:
	free(text);
	free(old);
	return r;
}

/**
 * dnsmasq_leased() - whether dnsmasq has leased an address, and to whom
 * @dir:	the network's record
 * @ip:		the address, dotted
 * @mac:	set to the MAC it is leased to
 *
 * Return: 1 when leased, 0 when not, -EAGAIN while dnsmasq rewrites its
 * lease file, its last line cut (dnsmasq_lease()); an empty one is taken
 * for no leases, which a new network's is.
 */
int dnsmasq_leased(const char *dir, const char *ip, char mac[18])
{
	char path[RECORD_PATH_MAX], line[512], m[18], a[16];
	size_t n = 0, last = 0;
	int r = 0;
	FILE *f;

	record_path(path, dir, "dnsmasq.leases");
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		last = strlen(line);
		n += last;
		if (!r && sscanf(line, "%*s %17s %15s", m, a) == 2 &&
		    !strcmp(a, ip)) {
			snprintf(mac, 18, "%s", m);
			r = 1;
		}
	}
	if (n && line[last - 1] != '\n')
		r = -EAGAIN;
	fclose(f);
	return r;
}

/* A DHCP message's fixed part (RFC 2131 2), the magic cookie, options. */
#define DHCP_FIXED 236
#define DHCP_RELEASE_LEN (DHCP_FIXED + 4 + 3 + 6 + 1)

/**
 * dnsmasq_release() - end a lease in dnsmasq's name of its client, as
 * dnsmasq's own dhcp_release(1) does: a DHCPRELEASE from the host
 * @gw:		the server's address on the network (its gateway), dotted
 * @ip:		the leased address
 * @mac:	the client's MAC, "xx:xx:xx:xx:xx:xx"
 *
 * For a guest that has gone without releasing it (udhcpc -q does not):
 * its address is free at once for the next guest it is reserved for,
 * which dnsmasq would otherwise refuse while the lease lasts ("not using
 * configured address ... because it is leased to ..."). Sent to the
 * gateway's address, a local one: the kernel tells dnsmasq (IP_PKTINFO)
 * the interface of that address, the bridge it serves. dnsmasq checks
 * that the address is leased to that MAC, and answers nothing.
 *
 * Return: 0 or a negative errno.
 */
int dnsmasq_release(const char *gw, const char *ip, const char *mac)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t m[DHCP_RELEASE_LEN] = { 1, 1, 6 }, *o = m + DHCP_FIXED;
	struct in_addr server, client;
	unsigned int b[6], i;
	int s, r = 0;

	if (inet_pton(AF_INET, gw, &server) != 1 ||
	    inet_pton(AF_INET, ip, &client) != 1 ||
	    sscanf(mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -EINVAL;
	memcpy(m + 12, &client, 4); /* ciaddr */
	for (i = 0; i < 6; i++)
		m[28 + i] = (uint8_t)b[i]; /* chaddr */
	memcpy(o, "\x63\x82\x53\x63\x35\x01\x07\x36\x04", 9);
	memcpy(o + 9, &server, 4); /* 54: server identifier */
	o[13] = 255;
	to.sin_port = htons(67);
	to.sin_addr = server;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (sendto(s, m, sizeof(m), 0, (struct sockaddr *)&to, sizeof(to)) !=
	    (ssize_t)sizeof(m))
		r = -errno;
	close(s);
	return r;
}
