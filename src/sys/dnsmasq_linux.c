// SPDX-License-Identifier: MIT
/* dnsmasq_linux.c - Linux side of dnsmasq.h: start, find after a restart, stop */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnsmasq.h"
#include "dnsmasq_hosts.h"
#include "ipv4.h"
#include "ipv6.h"
#include "sys.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define DNSMASQ_PATH "/usr/sbin/dnsmasq"
#define DNSMASQ_ARGS_MAX 32
#define DNSMASQ_ARG_MAX 1100
#define DNSMASQ_SERVERS_MAX 4
/* How long dnsmasq may take to start, and to end after SIGTERM. */
#define DNSMASQ_START_MS 5000
#define DNSMASQ_STOP_MS 2000

/**
 * struct dnsmasq_argv - the arguments of one dnsmasq, in their own storage
 * @argv:	NULL-terminated
 * @buf:	the arguments that are made up
 * @n:		arguments so far
 */
struct dnsmasq_argv {
	char *argv[DNSMASQ_ARGS_MAX + 1];
	char buf[DNSMASQ_ARGS_MAX][DNSMASQ_ARG_MAX];
	int n;
};

static void dnsmasq_arg(struct dnsmasq_argv *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void dnsmasq_arg(struct dnsmasq_argv *a, const char *fmt, ...)
{
	va_list ap;

	if (a->n >= DNSMASQ_ARGS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(a->buf[a->n], DNSMASQ_ARG_MAX, fmt, ap);
	va_end(ap);
	a->argv[a->n] = a->buf[a->n];
	a->argv[++a->n] = NULL;
}

static void dnsmasq_path(char *out, const char *dir, const char *name)
{
	snprintf(out, DNSMASQ_ARG_MAX, "%s/%s", dir, name);
}

static int dnsmasq_poll_end(int pidfd, int ms)
{
	struct pollfd p = { pidfd, POLLIN, 0 };
	int r;

	while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	return r > 0;
}

/* Whether process @pid was started with @arg among its arguments. */
static int dnsmasq_has_arg(long pid, const char *arg)
{
	char path[64], args[8192];
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

/* The pid that pid file @path names, or -1 (none yet: dnsmasq creates the
 * file, then writes it). */
static long dnsmasq_pid(const char *path)
{
	char line[32];
	long pid;

	if (sys_read_line(path, line, sizeof(line)))
		return -1;
	pid = strtol(line, NULL, 10);
	return pid > 0 ? pid : -1;
}

/**
 * dnsmasq_find() - the network's dnsmasq, whoever started it
 * @dir:	the network's record
 * @pid_out:	set to its pid when found, unless NULL
 *
 * Named by the pid file, known by the pid file in its arguments (so never
 * the dnsmasq of another namespace that took a stale pid), held by a
 * pidfd (which the caller polls or signals).
 *
 * Return: its pidfd (close-on-exec), or -1 when none runs.
 */
int dnsmasq_find(const char *dir, long *pid_out)
{
	char path[DNSMASQ_ARG_MAX], arg[DNSMASQ_ARG_MAX + 16];
	long pid;
	int fd;

	dnsmasq_path(path, dir, "dnsmasq.pid");
	pid = dnsmasq_pid(path);
	if (pid <= 0)
		return -1;
	fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (fd < 0)
		return -1;
	/* Read after the pidfd is held: the pid cannot be reused since. */
	snprintf(arg, sizeof(arg), "--pid-file=%s", path);
	if (!dnsmasq_has_arg(pid, arg)) {
		close(fd);
		return -1;
	}
	if (pid_out)
		*pid_out = pid;
	return fd;
}

/* SIGTERM to a dnsmasq held by @pidfd, SIGKILL if it has not ended
 * DNSMASQ_STOP_MS later; then it has ended, or is about to. */
static void dnsmasq_end(int pidfd)
{
	syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
	if (!dnsmasq_poll_end(pidfd, DNSMASQ_STOP_MS)) {
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		dnsmasq_poll_end(pidfd, DNSMASQ_STOP_MS);
	}
}

/**
 * dnsmasq_stop() - stop the network's dnsmasq and remove its files
 * @dir:	the network's record
 * @p:		the dnsmasq this process started and still holds, or one
 *		with pid 0
 *
 * Whoever started it: the one the pid file names is stopped too, when it
 * runs and is the network's (its arguments name that pid file), e.g. one
 * started again by the network's keeper after @p died.
 */
void dnsmasq_stop(const char *dir, struct proc *p)
{
	static const char *const files[] = { "dnsmasq.pid", "dnsmasq.leases",
					     "dnsmasq.log" };
	char path[DNSMASQ_ARG_MAX];
	struct proc_end end;
	unsigned int i;
	siginfo_t si;
	int fd;

	if (p->pid) {
		dnsmasq_end(p->pidfd);
		proc_reap(p, &end);
	}
	fd = dnsmasq_find(dir, NULL);
	if (fd >= 0) {
		dnsmasq_end(fd);
		/* A child of this process, started by an attachment closed
		 * since: reap it, or it stays a zombie. */
		waitid((idtype_t)3 /* P_PIDFD */, (id_t)fd, &si,
		       WEXITED | WNOHANG);
		close(fd);
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		dnsmasq_path(path, dir, files[i]);
		unlink(path);
	}
}

/* What dnsmasq said before it gave up, from its log @path: its lines that
 * say something (it starts with an empty one), without its name, joined
 * by "; ". */
static void dnsmasq_said(const char *path, char *out, size_t len)
{
	char line[512], *s;
	size_t at = 0;
	FILE *f;

	out[0] = '\0';
	f = fopen(path, "re");
	while (f && at + 1 < len && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		s = line + strspn(line, " \t");
		if (!strncmp(s, "dnsmasq: ", 9))
			s += 9;
		if (!*s)
			continue;
		at += (size_t)snprintf(out + at, len - at, "%s%s",
				       at ? "; " : "", s);
	}
	if (f)
		fclose(f);
}

/**
 * dnsmasq_pool() - the addresses dnsmasq gives out of its own choice: the
 * subnet without the gateway, the larger side of it
 * @g:		the gateway's address and the subnet's prefix length
 * @from:	set to the first, host order
 * @to:		set to the last
 */
void dnsmasq_pool(const struct ipv4_prefix *g, uint32_t *from, uint32_t *to)
{
	uint32_t gw = ipv4_pack(g->addr), first, last;

	ipv4_host_range(g, &first, &last);
	if (last - gw >= gw - first) {
		*from = gw + 1;
		*to = last;
	} else {
		*from = first;
		*to = gw - 1;
	}
}

/* IPv6: router advertisements of the prefix with its A flag (SLAAC) and
 * DHCPv6 leases of PREFIX::100 to ::1ff beside it (dnsmasq(8)'s "slaac"
 * mode), so a guest gets an address whichever it speaks. */
static void dnsmasq_args6(const struct net_spec *n, struct dnsmasq_argv *a)
{
	char from[IPV6_STRLEN], to[IPV6_STRLEN];
	uint8_t addr[16];

	ipv6_host(&n->subnet6, 0x100, addr);
	ipv6_format(from, addr);
	ipv6_host(&n->subnet6, 0x1ff, addr);
	ipv6_format(to, addr);
	dnsmasq_arg(a, "--enable-ra");
	dnsmasq_arg(a, "--dhcp-range=%s,%s,slaac,%d", from, to, n->subnet6.len);
}

/* The arguments: one interface, one DHCP range (dnsmasq_pool()), the
 * reservations' file, IPv6's (dnsmasq_args6()), the network's MTU, no
 * config file, no /etc/hosts; the network's name as its DNS domain. */
static void dnsmasq_args(const struct dnsmasq_spec *s, struct dnsmasq_argv *a)
{
	const struct ipv4_prefix *g = &s->net->gateway;
	char from[IPV4_STRLEN], to[IPV4_STRLEN], m[IPV4_STRLEN];
	const char *up = s->net->dns_upstream;
	char pidf[DNSMASQ_ARG_MAX];
	uint32_t first, last;
	size_t i;

	dnsmasq_pool(g, &first, &last);
	ipv4_format(from, first);
	ipv4_format(to, last);
	ipv4_format(m, ipv4_mask(g->len));
	a->n = 0;
	dnsmasq_arg(a, "dnsmasq");
	dnsmasq_arg(a, "--keep-in-foreground");
	dnsmasq_arg(a, "--conf-file=/dev/null");
	dnsmasq_arg(a, "--no-hosts");
	dnsmasq_arg(a, "--no-ping");
	dnsmasq_arg(a, "--bind-interfaces");
	dnsmasq_arg(a, "--interface=%s", s->net->name);
	dnsmasq_arg(a, "--except-interface=lo");
	dnsmasq_arg(a, "--dhcp-range=%s,%s,%s", from, to, m);
	dnsmasq_arg(a, "--dhcp-authoritative");
	/* Leases by MAC only: the service's anti-spoofing holds a guest's
	 * DHCP to its own MAC (chaddr), which a client identifier (option
	 * 61) would get around: a guest could release another's lease with
	 * the other's identifier. */
	dnsmasq_arg(a, "--dhcp-ignore-clid");
	dnsmasq_arg(a, "--dhcp-option=option:mtu,%u", s->net->mtu);
	/* The hostname a guest sends by DHCP is then NAME.<network> in the
	 * network's DNS (dnsmasq(8), --domain), the domain goes to the
	 * guests (option 15) as their search domain, and names of it are
	 * answered here alone (--local): never asked of the upstream. */
	dnsmasq_arg(a, "--domain=%s", s->net->name);
	dnsmasq_arg(a, "--local=/%s/", s->net->name);
	dnsmasq_path(pidf, s->dir, "dnsmasq.leases");
	dnsmasq_arg(a, "--dhcp-leasefile=%s", pidf);
	dnsmasq_path(pidf, s->dir, "dnsmasq.pid");
	dnsmasq_arg(a, "--pid-file=%s", pidf);
	dnsmasq_path(pidf, s->dir, DNSMASQ_HOSTS);
	dnsmasq_arg(a, "--dhcp-hostsfile=%s", pidf);
	if (s->hosts)
		dnsmasq_arg(a, "--addn-hosts=%s", s->hosts);
	if (s->net->has_v6)
		dnsmasq_args6(s->net, a);
	if (!up)
		return;
	dnsmasq_arg(a, "--no-resolv");
	if (!strcmp(up, "none"))
		return;
	for (i = 0; i < DNSMASQ_SERVERS_MAX && *up; i++) {
		size_t n = strcspn(up, ",");

		dnsmasq_arg(a, "--server=%.*s", (int)n, up);
		up += n + (up[n] == ',');
	}
}

/**
 * dnsmasq_start() - start the network's dnsmasq, unless it runs already
 * @s:		what it serves
 * @p:		set to the new process; pid 0 when one was running
 * @msg:	reason on failure
 * @len:	its size
 *
 * It is started detached (no PDEATHSIG: the network's keeper, its
 * parent, stops it; one left by a keeper that was killed goes on until
 * found by its pid file), and is ready, its sockets bound, when this
 * returns 0.
 *
 * Return: 0 or a negative errno.
 */
int dnsmasq_start(const struct dnsmasq_spec *s, struct proc *p, char *msg,
		  size_t len)
{
	struct dnsmasq_argv *a = calloc(1, sizeof(*a)); /* 26 KiB */
	char pidf[DNSMASQ_ARG_MAX], logf[DNSMASQ_ARG_MAX], said[400];
	struct proc_spec spec = { DNSMASQ_PATH, NULL, -1, 0, -1, 1 };
	struct proc_end end;
	const char *step;
	int fd, r, waited;

	*p = PROC_NONE;
	msg[0] = '\0';
	fd = dnsmasq_find(s->dir, NULL);
	if (fd >= 0) {
		close(fd);
		free(a);
		return 0;
	}
	if (!a) {
		snprintf(msg, len, "dnsmasq: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	dnsmasq_args(s, a);
	spec.argv = a->argv;
	/* The reservations' file, there (empty) before dnsmasq reads it:
	 * dnsmasq_hosts_write() fills it. */
	dnsmasq_path(pidf, s->dir, DNSMASQ_HOSTS);
	fd = open(pidf, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	dnsmasq_path(pidf, s->dir, "dnsmasq.pid");
	dnsmasq_path(logf, s->dir, "dnsmasq.log");
	unlink(pidf);
	spec.sock = open("/dev/null", O_RDWR | O_CLOEXEC);
	spec.err_fd =
		open(logf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (spec.sock < 0 || spec.err_fd < 0) {
		r = -errno;
		goto out;
	}
	r = proc_spawn(&spec, p, &step);
	if (r) {
		snprintf(msg, len, "dnsmasq: %s: %s", step, strerror(-r));
		goto out;
	}
	/* Ready once it has written its pid file, after binding. */
	for (waited = 0; waited < DNSMASQ_START_MS; waited += 10) {
		if (dnsmasq_pid(pidf) == p->pid)
			goto out;
		if (proc_poll(p, -1, 10, NULL) == 1)
			break;
	}
	proc_signal(p, SIGKILL);
	proc_reap(p, &end);
	dnsmasq_said(logf, said, sizeof(said));
	r = -EIO;
	snprintf(msg, len, "dnsmasq did not start%s%s",
		 said[0] ? ": " : " (no message)", said);
out:
	if (spec.sock >= 0)
		close(spec.sock);
	if (spec.err_fd >= 0)
		close(spec.err_fd);
	if (r && !msg[0])
		snprintf(msg, len, "dnsmasq: %s", strerror(-r));
	free(a);
	return r;
}

/**
 * dnsmasq_lease() - the address the network's dnsmasq leased to a MAC
 * @dir:	the network's record
 * @mac:	the client's MAC
 * @ip:		set to the address, dotted; "" when none
 * @len:	its size
 *
 * dnsmasq's lease file has a line "EXPIRY MAC IP NAME CLIENT-ID" per
 * lease (dnsmasq(8), --dhcp-leasefile). dnsmasq writes it again in place:
 * it truncates it and then writes it whole, so a reader may find it empty
 * or (tmpfs takes no lock between a read and a write) with its last line
 * cut short. Neither is taken for "no lease": -EAGAIN, and the write that
 * follows comes with an inotify event of its own.
 *
 * Return: 0, -ENOENT when it has none, or -EAGAIN when the file is being
 * written (empty, or not ending with a whole line).
 */
int dnsmasq_lease(const char *dir, const uint8_t mac[6], char *ip, size_t len)
{
	return dnsmasq_lease_name(dir, mac, ip, len, NULL, 0);
}

/**
 * dnsmasq_lease_name() - dnsmasq_lease(), and the name the client gave
 * (the line's NAME: "" when it gave none, dnsmasq's "*")
 * @dir, @mac, @ip, @len: as for dnsmasq_lease()
 * @name:	set to the name, or NULL
 * @nlen:	its size
 *
 * Return: as dnsmasq_lease().
 */
int dnsmasq_lease_name(const char *dir, const uint8_t mac[6], char *ip,
		       size_t len, char *name, size_t nlen)
{
	char path[DNSMASQ_ARG_MAX], line[512], want[18], m[18], a[16], h[64];
	size_t n = 0, last = 0;
	int r = -ENOENT, k;
	FILE *f;

	ip[0] = '\0';
	if (name && nlen)
		name[0] = '\0';
	snprintf(want, sizeof(want), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	dnsmasq_path(path, dir, "dnsmasq.leases");
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		last = strlen(line);
		n += last;
		if (r && line[last ? last - 1 : 0] == '\n' &&
		    (k = sscanf(line, "%*s %17s %15s %63s", m, a, h)) >= 2 &&
		    !strcasecmp(m, want)) {
			snprintf(ip, len, "%s", a);
			if (name && nlen && k == 3 && strcmp(h, "*"))
				snprintf(name, nlen, "%s", h);
			r = 0;
		}
	}
	if (f && (!n || line[last - 1] != '\n')) {
		ip[0] = '\0';
		if (name && nlen)
			name[0] = '\0';
		r = -EAGAIN;
	}
	if (f)
		fclose(f);
	return r;
}
