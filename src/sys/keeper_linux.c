// SPDX-License-Identifier: MIT
/* keeper_linux.c - Linux side of keeper.h: a process of its own in the
 * network's namespace, nobody's child, that waits on the attachments'
 * entries */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "keeper.h"
#include "network.h"
#include "record.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* How long the keeper may take to report its dnsmasq started: dnsmasq's
 * own 5 s, and some. */
#define KEEPER_START_MS 8000
/* A dnsmasq that ends sooner than this after its start is started again
 * only this much later, so one that cannot run does not spin. */
#define KEEPER_RETRY_MS 2000
/* The descriptor the keeper reports on. */
#define KEEPER_STATUS_FD 3
/* What inotify tells: an entry closed (its attachment ended), the
 * network's directory went. */
#define KEEPER_CHECK 1
#define KEEPER_GONE 2

static long keeper_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/**
 * keeper_alive() - whether the network in @dir has a keeper
 * @dir:	the network's directory
 *
 * Return: 1 when a process holds the keeper's lock, else 0.
 */
int keeper_alive(const char *dir)
{
	char path[RECORD_PATH_MAX];
	int fd, alive;

	record_path(path, dir, NETWORK_KEEPER);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	alive = flock(fd, LOCK_EX | LOCK_NB) != 0;
	close(fd);
	return alive;
}

/* What inotify has for us: KEEPER_CHECK when an attachment's entry was
 * closed by the last process holding it (which also drops its flock),
 * KEEPER_GONE when the directory went. */
static int keeper_events(int ino)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *e;
	int what = 0;
	ssize_t n;
	char *p;

	while ((n = read(ino, buf, sizeof(buf))) > 0)
		for (p = buf; p < buf + n; p += sizeof(*e) + e->len) {
			e = (const struct inotify_event *)p;
			if (e->mask &
			    (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
				what |= KEEPER_GONE;
			else if (e->len && !strncmp(e->name, "att.", 4))
				what |= KEEPER_CHECK;
		}
	return what;
}

/* Under the namespace's lock: the network goes when no attachment is left
 * (then 1), and a dnsmasq that ended is started again. */
static int keeper_check(const struct keeper_spec *k, struct proc *dns,
			long *started, long *retry)
{
	struct proc_end end;
	char msg[256];
	int lock, done = 0;

	lock = record_lock(k->ns, k->cookie, -1, 0, msg, sizeof(msg));
	if (lock < 0)
		return 1;
	if (!network_ours(k->dir, k->token)) {
		done = 1;
	} else if (!record_sweep(k->dir, network_link_gone)) {
		network_remove(k->dir, dns);
		done = 1;
	} else {
		if (dns->pid && proc_poll(dns, -1, 0, NULL) == 1) {
			proc_reap(dns, &end);
			*retry = *started + KEEPER_RETRY_MS;
		}
		if (!dns->pid && keeper_now_ms() >= *retry) {
			*started = keeper_now_ms();
			*retry = *started + KEEPER_RETRY_MS;
			dnsmasq_start(&k->dns, dns, msg, sizeof(msg));
		}
	}
	record_unlock(k->ns, lock);
	return done;
}

/* The keeper: holds its lock, starts dnsmasq and says how that went on
 * @status, then waits until no attachment is left. Never returns. */
static void keeper_run(const struct keeper_spec *k, int status)
{
	char path[RECORD_PATH_MAX], msg[512], line[600];
	long started = 0, retry = 0, left;
	struct proc dns = PROC_NONE;
	struct proc_end end;
	struct pollfd p[2];
	int fd, ino = -1, r, what;

	record_path(path, k->dir, NETWORK_KEEPER);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		goto report;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		/* Another keeper has it, and its dnsmasq. */
		if (write(status, "0 ok\n", 5) < 0)
			_exit(1);
		_exit(0);
	}
	snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (write(fd, line, strlen(line)) < 0) {
		r = -errno;
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		goto report;
	}
	ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ino < 0 ||
	    inotify_add_watch(ino, k->dir,
			      IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF |
				      IN_ONLYDIR) < 0) {
		r = -errno;
		snprintf(msg, sizeof(msg), "inotify: %s", strerror(errno));
		goto report;
	}
	/* One left by a keeper that was killed is stopped: this one runs its
	 * own, to start it again when it dies. */
	dnsmasq_stop(k->dir, &dns);
	started = keeper_now_ms();
	r = dnsmasq_start(&k->dns, &dns, msg, sizeof(msg));
report:
	snprintf(line, sizeof(line), "%d %s\n", r, r ? msg : "ok");
	if (write(status, line, strlen(line)) < 0)
		r = -EIO;
	close(status);
	if (r)
		_exit(1);
	/* The opener has the namespace's lock until its attachment's entry is
	 * there: the first check waits for it. */
	for (what = KEEPER_CHECK; !(what & KEEPER_GONE);) {
		if (keeper_check(k, &dns, &started, &retry))
			break;
		/* Without dnsmasq: wake to start it again when it is time. */
		left = dns.pid ? -1 : retry - keeper_now_ms();
		if (!dns.pid && left < 0)
			left = 0;
		p[0] = (struct pollfd){ ino, POLLIN, 0 };
		p[1] = (struct pollfd){ dns.pidfd, POLLIN, 0 };
		while (poll(p, 2, left < 0 ? -1 : (int)left) < 0 &&
		       errno == EINTR)
			;
		what = keeper_events(ino) | KEEPER_CHECK;
	}
	if (dns.pid) {
		proc_signal(&dns, SIGKILL);
		proc_reap(&dns, &end);
	}
	_exit(0);
}

/* The keeper's start in life: a session of its own, default signal
 * handling, no descriptor of its maker's but @status (as
 * KEEPER_STATUS_FD), stdio on /dev/null, the root as its directory. */
static int keeper_detach(int status)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int null, fd, sig;
	sigset_t none;

	setsid();
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_NAME, "sqn-keeper");
	if (chdir("/"))
		return -1;
	fd = fcntl(status, F_DUPFD_CLOEXEC, KEEPER_STATUS_FD + 1);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(null, 2) < 0 || dup3(fd, KEEPER_STATUS_FD, O_CLOEXEC) < 0)
		return -1;
	if (syscall(SYS_close_range, KEEPER_STATUS_FD + 1, ~0u, 0))
		for (fd = KEEPER_STATUS_FD + 1; fd < 65536; fd++)
			close(fd);
	return 0;
}

/* Read the keeper's report from @fd: "0 ok", or "-errno message". */
static int keeper_report(int fd, char *msg, size_t len)
{
	struct pollfd p = { fd, POLLIN, 0 };
	long until = keeper_now_ms() + KEEPER_START_MS;
	char line[700];
	size_t got = 0;
	ssize_t n;
	int r, at;

	while (got < sizeof(line) - 1 && !memchr(line, '\n', got)) {
		at = (int)(until - keeper_now_ms());
		if (at <= 0)
			return record_err(
				msg, len, -ETIMEDOUT,
				"the network's keeper did not report");
		r = poll(&p, 1, at);
		if (r < 0 && errno == EINTR)
			continue;
		n = r > 0 ? read(fd, line + got, sizeof(line) - 1 - got) : 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return record_err(
				msg, len, -EIO,
				"the network's keeper ended at its start");
		got += (size_t)n;
	}
	line[got] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (sscanf(line, "%d %n", &r, &at) != 1)
		return record_err(msg, len, -EIO, "the network's keeper: %s",
				  line);
	if (r)
		snprintf(msg, len, "%s", line + at);
	return r;
}

/**
 * keeper_start() - start the network's keeper, which starts its dnsmasq
 * @k:		the network
 * @msg:	set on failure (dnsmasq's complaint, when it would not start)
 * @len:	its size
 *
 * The keeper is a copy of this process (fork, then fork again so that it
 * is nobody's child to reap), in the calling thread's namespaces, with no
 * descriptor of this process's. It lives until the network goes: it
 * waits for the attachments' entries to be closed (inotify) and then,
 * under the namespace's lock, removes the network when none is left,
 * whoever ended them (a VMM killed with SIGKILL too). It keeps dnsmasq
 * as its child and starts it again when it dies. Called under the
 * namespace's lock: its first check waits for the caller's entry.
 *
 * Return: 0 once dnsmasq runs, or a negative errno.
 */
int keeper_start(const struct keeper_spec *k, char *msg, size_t len)
{
	int fds[2], r;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return record_err(msg, len, -errno, "pipe: %s",
				  strerror(errno));
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (fork() != 0)
			_exit(0);
		if (keeper_detach(fds[1]))
			_exit(1);
		keeper_run(k, KEEPER_STATUS_FD);
	}
	r = pid < 0 ? -errno : 0;
	close(fds[1]);
	if (r) {
		close(fds[0]);
		return record_err(msg, len, r, "fork: %s", strerror(-r));
	}
	/* The middle one ends at once; a caller that reaps every child may
	 * have collected it already (ECHILD). */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	r = keeper_report(fds[0], msg, len);
	close(fds[0]);
	return r;
}
