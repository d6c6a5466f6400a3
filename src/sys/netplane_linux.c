// SPDX-License-Identifier: MIT
/* hostnet_linux.c - Linux side of hostnet.h: the record, dnsmasq, the bridge and the TAPs */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostnet.h"
#include "netlink.h"
#include "sys.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define HOSTNET_RUN "/run/squib-net"
#define HOSTNET_DNSMASQ "/usr/sbin/dnsmasq"
#define HOSTNET_ENTRY "att."
/* How long dnsmasq may take to start, and to end after SIGTERM. */
#define HOSTNET_START_MS 5000
#define HOSTNET_STOP_MS 2000
#define HOSTNET_PATH_MAX (HOSTNET_DIR_MAX + 260) /* a d_name fits */

static const uint8_t hostnet_gw[4] = { 192, 168, 106, 1 };

static int hostnet_err(char *msg, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int hostnet_err(char *msg, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return err;
}

/* Whether CAP_NET_ADMIN is in the effective set. */
static int hostnet_net_admin(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return 1; /* unknown: let the kernel say */
	return (data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &
		CAP_TO_MASK(CAP_NET_ADMIN)) != 0;
}

static void hostnet_path(const struct hostnet *h, char *out, const char *name)
{
	snprintf(out, HOSTNET_PATH_MAX, "%s/%s", h->dir, name);
}

/* /run/squib-net/net-<inode of this network namespace>/host: a network
 * namespace has its own sqn-host and dnsmasq, so its own record. */
static int hostnet_mkdir(struct hostnet *h)
{
	struct stat st;
	char *slash;
	int r;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	snprintf(h->dir, sizeof(h->dir), HOSTNET_RUN "/net-%llu/host",
		 (unsigned long long)st.st_ino);
	if (mkdir(HOSTNET_RUN, 0755) && errno != EEXIST)
		return -errno;
	slash = strrchr(h->dir, '/');
	*slash = '\0';
	r = mkdir(h->dir, 0700) && errno != EEXIST ? -errno : 0;
	*slash = '/';
	if (!r && mkdir(h->dir, 0700) && errno != EEXIST)
		r = -errno;
	return r;
}

/* The record's lock, held: the last one out removes the lock file with
 * the rest, so a lock on an unlinked file is retried. */
static int hostnet_lock(struct hostnet *h)
{
	char path[HOSTNET_PATH_MAX];
	struct stat a, b;
	int fd, r;

	for (;;) {
		r = hostnet_mkdir(h);
		if (r)
			return r;
		hostnet_path(h, path, "lock");
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		while ((r = flock(fd, LOCK_EX)) && errno == EINTR)
			;
		if (r) {
			r = -errno;
			close(fd);
			return r;
		}
		if (!fstat(fd, &a) && !stat(path, &b) && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
}

static int hostnet_alive(pid_t pid)
{
	return pid > 0 && (!kill(pid, 0) || errno == EPERM);
}

/* Remove the entries whose process is gone, and their TAPs. Return: how
 * many entries of live processes remain. */
static int hostnet_sweep(const struct hostnet *h)
{
	char path[HOSTNET_PATH_MAX], tap[SYS_TAP_NAME_MAX];
	struct dirent *d;
	int alive = 0;
	DIR *dir;
	long pid;

	dir = opendir(h->dir);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, HOSTNET_ENTRY, strlen(HOSTNET_ENTRY)))
			continue;
		/* Only TAPs of ours are ever deleted, whatever the entry says. */
		if (sscanf(d->d_name, HOSTNET_ENTRY "%ld.%15s", &pid, tap) !=
			    2 ||
		    strncmp(tap, "sqn", 3))
			continue;
		if (hostnet_alive((pid_t)pid)) {
			alive++;
			continue;
		}
		nl_link_del(tap);
		hostnet_path(h, path, d->d_name);
		unlink(path);
	}
	closedir(dir);
	return alive;
}

static int hostnet_poll_end(int pidfd, int ms)
{
	struct pollfd p = { pidfd, POLLIN, 0 };
	int r;

	while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	return r > 0;
}

/* Whether process @pid was started with @arg among its arguments. */
static int hostnet_has_arg(long pid, const char *arg)
{
	char path[64], args[4096];
	size_t n, i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(args, 1, sizeof(args) - 1, f);
	fclose(f);
	args[n] = '\0';
	for (i = 0; i < n; i += strlen(args + i) + 1)
		if (!strcmp(args + i, arg))
			return 1;
	return 0;
}

/* A dnsmasq of the record that this attachment did not start: named by
 * the pid file, known by the pid file in its arguments (so never the
 * dnsmasq of another namespace that took a stale pid), signalled through
 * a pidfd. Return: its pidfd, or -1 when none runs. */
static int hostnet_dnsmasq_find(const struct hostnet *h)
{
	char path[HOSTNET_PATH_MAX], arg[HOSTNET_PATH_MAX + 16];
	long pid = 0;
	FILE *f;
	int fd;

	hostnet_path(h, path, "dnsmasq.pid");
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 0)
		return -1;
	fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (fd < 0)
		return -1;
	/* Read after the pidfd is held: the pid cannot be reused since. */
	snprintf(arg, sizeof(arg), "--pid-file=%s", path);
	if (!hostnet_has_arg(pid, arg)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void hostnet_dnsmasq_stop(struct hostnet *h)
{
	struct proc_end end;
	siginfo_t si;
	int fd;

	if (h->dnsmasq.pid) {
		proc_signal(&h->dnsmasq, SIGTERM);
		if (!hostnet_poll_end(h->dnsmasq.pidfd, HOSTNET_STOP_MS))
			proc_signal(&h->dnsmasq, SIGKILL);
		proc_reap(&h->dnsmasq, &end);
		return;
	}
	fd = hostnet_dnsmasq_find(h);
	if (fd < 0)
		return;
	syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0);
	if (!hostnet_poll_end(fd, HOSTNET_STOP_MS)) {
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		hostnet_poll_end(fd, HOSTNET_STOP_MS);
	}
	/* A child of this process, started by an attachment closed since. */
	waitid((idtype_t)3, (id_t)fd, &si, WEXITED | WNOHANG);
	close(fd);
}

/* Everything of the network: dnsmasq, the bridge, the record. */
static void hostnet_remove_all(struct hostnet *h)
{
	static const char *const files[] = { "dnsmasq.pid", "dnsmasq.leases",
					     "dnsmasq.log", "lock" };
	char path[HOSTNET_PATH_MAX];
	unsigned int i;
	char *slash;

	hostnet_dnsmasq_stop(h);
	nl_link_del(HOSTNET_BRIDGE);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		hostnet_path(h, path, files[i]);
		unlink(path);
	}
	rmdir(h->dir);
	snprintf(path, sizeof(path), "%s", h->dir);
	slash = strrchr(path, '/');
	if (slash) {
		*slash = '\0';
		rmdir(path);
	}
}

static int hostnet_dnsmasq_start(struct hostnet *h, char *msg, size_t len)
{
	char pidf[HOSTNET_PATH_MAX], leases[HOSTNET_PATH_MAX],
		logf[HOSTNET_PATH_MAX], a_pid[HOSTNET_PATH_MAX + 16],
		a_lease[HOSTNET_PATH_MAX + 20], line[160] = "";
	char *argv[] = {
		"dnsmasq",
		"--keep-in-foreground",
		"--conf-file=/dev/null",
		"--no-resolv",
		"--no-ping",
		"--bind-interfaces",
		"--interface=" HOSTNET_BRIDGE,
		"--except-interface=lo",
		"--dhcp-range=192.168.106.2,192.168.106.254,255.255.255.0",
		"--dhcp-authoritative",
		a_lease,
		a_pid,
		NULL
	};
	struct proc_spec spec = { HOSTNET_DNSMASQ, argv, -1, 0, -1, 1 };
	struct proc_end end;
	const char *step;
	int fd, r, waited;
	FILE *f;

	fd = hostnet_dnsmasq_find(h);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	hostnet_path(h, pidf, "dnsmasq.pid");
	hostnet_path(h, leases, "dnsmasq.leases");
	hostnet_path(h, logf, "dnsmasq.log");
	unlink(pidf);
	snprintf(a_pid, sizeof(a_pid), "--pid-file=%s", pidf);
	snprintf(a_lease, sizeof(a_lease), "--dhcp-leasefile=%s", leases);
	spec.sock = open("/dev/null", O_RDWR | O_CLOEXEC);
	spec.err_fd =
		open(logf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (spec.sock < 0 || spec.err_fd < 0) {
		r = -errno;
		goto out;
	}
	r = proc_spawn(&spec, &h->dnsmasq, &step);
	if (r) {
		hostnet_err(msg, len, r, "dnsmasq: %s: %s", step, strerror(-r));
		goto out;
	}
	/* Ready once it has written its pid file, after binding. */
	for (waited = 0; waited < HOSTNET_START_MS; waited += 10) {
		if (!access(pidf, F_OK))
			goto out;
		if (proc_poll(&h->dnsmasq, -1, 10, NULL) == 1)
			break;
	}
	proc_signal(&h->dnsmasq, SIGKILL);
	proc_reap(&h->dnsmasq, &end);
	f = fopen(logf, "re");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	r = hostnet_err(msg, len, -EIO, "dnsmasq did not start%s%s",
			line[0] ? ": " : " (no message)", line);
out:
	if (spec.sock >= 0)
		close(spec.sock);
	if (spec.err_fd >= 0)
		close(spec.err_fd);
	if (r && !msg[0])
		hostnet_err(msg, len, r, "dnsmasq: %s", strerror(-r));
	return r;
}

static int hostnet_bridge(char *msg, size_t len)
{
	int r = nl_bridge_add(HOSTNET_BRIDGE);

	if (r && r != -EEXIST)
		return hostnet_err(msg, len, r, "bridge %s: %s", HOSTNET_BRIDGE,
				   strerror(-r));
	r = nl_addr_add(HOSTNET_BRIDGE, hostnet_gw, 24);
	if (!r)
		r = nl_link_set(HOSTNET_BRIDGE, NULL, 1);
	if (r)
		return hostnet_err(msg, len, r, "bridge %s: %s", HOSTNET_BRIDGE,
				   strerror(-r));
	return 0;
}

static int hostnet_tap(struct hostnet *h, int isolation, char *msg, size_t len)
{
	char path[HOSTNET_PATH_MAX];
	uint32_t rnd;
	int r, fd;

	r = sys_random(&rnd, sizeof(rnd));
	if (r)
		return hostnet_err(msg, len, r, "random: %s", strerror(-r));
	snprintf(h->tap, sizeof(h->tap), "sqn%08x", rnd);
	r = sys_tap_create(h->tap, &h->tap_fd);
	if (r)
		return hostnet_err(msg, len, r, "TAP %s: %s", h->tap,
				   strerror(-r));
	r = nl_link_set(h->tap, HOSTNET_BRIDGE, 1);
	if (!r)
		r = nl_port_isolate(h->tap, isolation);
	if (r)
		return hostnet_err(msg, len, r, "TAP %s on %s: %s", h->tap,
				   HOSTNET_BRIDGE, strerror(-r));
	snprintf(path, sizeof(path), "%s/" HOSTNET_ENTRY "%ld.%s", h->dir,
		 (long)getpid(), h->tap);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return hostnet_err(msg, len, -errno, "%s: %s", path,
				   strerror(errno));
	close(fd);
	h->joined = 1;
	return 0;
}

/* Leave the network, under its lock; the last one out removes it. */
static void hostnet_leave(struct hostnet *h)
{
	char path[HOSTNET_PATH_MAX];

	if (h->tap_fd >= 0)
		close(h->tap_fd);
	h->tap_fd = -1;
	if (h->tap[0])
		nl_link_del(h->tap);
	if (h->joined) {
		snprintf(path, sizeof(path), "%s/" HOSTNET_ENTRY "%ld.%s",
			 h->dir, (long)getpid(), h->tap);
		unlink(path);
		h->joined = 0;
	}
	h->tap[0] = '\0';
	if (!hostnet_sweep(h)) {
		hostnet_remove_all(h);
	} else if (h->dnsmasq.pid) {
		/* Others still use it: it stays, a child of this process
		 * that the last one out stops. */
		close(h->dnsmasq.pidfd);
		h->dnsmasq = (struct proc){ 0, -1 };
	}
}

/**
 * hostnet_open() - join the host network of this network namespace,
 * making it if needed: bridge sqn-host with 192.168.106.1/24, dnsmasq
 * serving DHCP on it, and a TAP of this attachment as an isolated port
 * @h:		filled on success; h->tap_fd is the TAP
 * @isolation:	1: the TAP's port is isolated from the other guests'
 * @msg:	set on failure
 * @len:	its size
 *
 * Entries of processes that have ended are removed first, with their
 * TAPs; with none alive, their dnsmasq and bridge too.
 *
 * Return: 0 or a negative errno (-EPERM without CAP_NET_ADMIN).
 */
int hostnet_open(struct hostnet *h, int isolation, char *msg, size_t len)
{
	int lock, r;

	memset(h, 0, sizeof(*h));
	h->tap_fd = -1;
	h->dnsmasq = (struct proc){ 0, -1 };
	msg[0] = '\0';
	if (!hostnet_net_admin())
		return hostnet_err(
			msg, len, -EPERM,
			"host mode needs CAP_NET_ADMIN (to make a bridge and TAPs), which this process has not got; run it as root or pass tap_fd");
	lock = hostnet_lock(h);
	if (lock < 0)
		return hostnet_err(msg, len, lock, "%s: %s", h->dir,
				   strerror(-lock));
	if (!hostnet_sweep(h)) {
		hostnet_remove_all(h);
		close(lock);
		lock = hostnet_lock(h);
		if (lock < 0)
			return hostnet_err(msg, len, lock, "%s: %s", h->dir,
					   strerror(-lock));
	}
	r = hostnet_bridge(msg, len);
	if (!r)
		r = hostnet_dnsmasq_start(h, msg, len);
	if (!r)
		r = hostnet_tap(h, isolation, msg, len);
	if (r)
		hostnet_leave(h);
	close(lock);
	return r;
}

/**
 * hostnet_close() - leave the host network: this attachment's TAP and
 * entry go; the last one out stops dnsmasq and deletes the bridge
 * @h:		from a successful hostnet_open()
 */
void hostnet_close(struct hostnet *h)
{
	int lock = hostnet_lock(h);

	hostnet_leave(h);
	if (lock >= 0)
		close(lock);
}
