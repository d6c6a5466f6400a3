// SPDX-License-Identifier: MIT
/* dnsmasq_hosts_linux.c - Linux side of dnsmasq_hosts.h: the hosts file
 * written whole, dnsmasq told with SIGHUP (never restarted) */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
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
 * DNS cache, which costs nothing here); the DHCP requests that follow
 * are served from the new file.
 *
 * Return: 0 or a negative errno.
 */
int dnsmasq_hosts_write(const char *dir, const struct dnsmasq_host *h,
			unsigned int n)
{
	char path[RECORD_PATH_MAX], tmp[RECORD_PATH_MAX];
	unsigned int i, j;
	int fd, r = 0;
	FILE *f;

	record_path(path, dir, DNSMASQ_HOSTS);
	record_path(tmp, dir, DNSMASQ_HOSTS ".new");
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(h[j].mac, h[i].mac); j++)
			;
		if (j == i)
			fprintf(f, "%s,%s\n", h[i].mac, h[i].ip);
	}
	if (fchmod(fileno(f), 0644) || ferror(f))
		r = -EIO;
	if (fclose(f) && !r)
		r = -errno;
	if (!r && rename(tmp, path))
		r = -errno;
	if (r) {
		unlink(tmp);
		return r;
	}
	fd = dnsmasq_find(dir, NULL);
	if (fd >= 0) {
		syscall(SYS_pidfd_send_signal, fd, SIGHUP, NULL, 0);
		close(fd);
	}
	return 0;
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
