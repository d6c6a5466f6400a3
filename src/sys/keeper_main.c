// SPDX-License-Identifier: MIT
/* keeper_main.c - squib-net-keeper, a network's keeper: a small program of
 * its own (not a copy of the VMM that made the network) that runs the
 * network's dnsmasq and waits on the attachments' entries */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "keeper.h"
#include "netplane.h"
#include "netplane_fwd.h"
#include "network.h"
#include "record.h"

/* A dnsmasq that ends after running this long is started again at once;
 * one that ends sooner, or does not start, is started again only after a
 * pause that doubles each time from KEEPER_RETRY_MS to KEEPER_RETRY_MAX_MS,
 * so one that cannot run does not spin. */
#define KEEPER_STABLE_MS 10000
#define KEEPER_RETRY_MS 1000
#define KEEPER_RETRY_MAX_MS 60000
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

/* Whether an attachment's entry in @dir names link @name (att.PID.NAME). */
static int keeper_has_link(const char *dir, const char *name)
{
	size_t n = strlen(name), l;
	struct dirent *d;
	int found = 0;
	DIR *dp = opendir(dir);

	while (dp && !found && (d = readdir(dp))) {
		l = strlen(d->d_name);
		found = !strncmp(d->d_name, "att.", 4) && l > n + 1 &&
			d->d_name[l - n - 1] == '.' &&
			!strcmp(d->d_name + l - n, name);
	}
	if (dp)
		closedir(dp);
	return found || !dp;
}

/* netplane_links_gone()'s callback: a link an entry of @dir names went,
 * or (a persistent TAP) lost its last opener. */
static int keeper_link_gone(const char *name, int gone, void *dir)
{
	(void)gone;
	return !strncmp(name, "sqn", 3) && keeper_has_link(dir, name);
}

/**
 * struct keeper_dns - the network's dnsmasq under the keeper's care
 * @p:		the process, pid 0 while there is none
 * @started:	when it was last started
 * @retry:	when it may be started again
 * @pause:	the pause before the next start, after a quick end
 */
struct keeper_dns {
	struct proc p;
	long started;
	long retry;
	long pause;
};

/* dnsmasq ended (or would not start) at @now: when to start it again. */
static void keeper_backoff(struct keeper_dns *d, long now, int ran)
{
	if (ran && now - d->started >= KEEPER_STABLE_MS) {
		d->pause = KEEPER_RETRY_MS;
		d->retry = now;
		return;
	}
	d->retry = now + d->pause;
	d->pause = d->pause * 2 > KEEPER_RETRY_MAX_MS ? KEEPER_RETRY_MAX_MS :
							d->pause * 2;
}

/* Under the namespace's lock: the network goes when no attachment is left
 * (then 1), and a dnsmasq that ended is started again. */
static int keeper_check(const struct keeper_spec *k, struct keeper_dns *d)
{
	struct proc *dns = &d->p;
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
		/* An attachment's forwards and fixed address go with it. */
		netplane_fwd_gc(k->dir);
		if (dns->pid && proc_poll(dns, -1, 0, NULL) == 1) {
			proc_reap(dns, &end);
			keeper_backoff(d, keeper_now_ms(), 1);
		}
		if (!dns->pid && keeper_now_ms() >= d->retry) {
			d->started = keeper_now_ms();
			if (dnsmasq_start(&k->dns, dns, msg, sizeof(msg)))
				keeper_backoff(d, d->started, 0);
		}
	}
	record_unlock(k->ns, lock);
	return done;
}

/* Hold the keeper's lock (1 when another keeper has it), write this
 * process's pid in it, and watch the network's directory (@ino). */
static int keeper_hold(const struct keeper_spec *k, int *ino, char *msg,
		       size_t len)
{
	char path[RECORD_PATH_MAX], line[32];
	int fd;

	record_path(path, k->dir, NETWORK_KEEPER);
	/* Never closed: the lock is this process's until it ends. */
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return record_err(msg, len, -errno, "%s: %s", path,
				  strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB))
		return 1;
	snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (write(fd, line, strlen(line)) < 0)
		return record_err(msg, len, -errno, "%s: %s", path,
				  strerror(errno));
	*ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (*ino < 0 ||
	    inotify_add_watch(*ino, k->dir,
			      IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF |
				      IN_ONLYDIR) < 0)
		return record_err(msg, len, -errno, "inotify: %s",
				  strerror(errno));
	return 0;
}

/* The keeper: holds its lock, starts dnsmasq and says how that went on
 * KEEPER_STATUS_FD, then waits until no attachment is left. */
static int keeper_run(const struct keeper_spec *k)
{
	struct keeper_dns d = { PROC_NONE, 0, 0, KEEPER_RETRY_MS };
	struct proc *dns = &d.p;
	char msg[512], line[600];
	long left;
	struct proc_end end;
	struct pollfd p[3];
	int ino = -1, nl = -1, r, what;

	r = keeper_hold(k, &ino, msg, sizeof(msg));
	if (r == 1) {
		/* Another keeper has it, and its dnsmasq. */
		return write(KEEPER_STATUS_FD, "0 ok\n", 5) < 0;
	}
	if (!r) {
		/* One left by a keeper that was killed is stopped: this one
		 * runs its own, to start it again when it dies. */
		dnsmasq_stop(k->dir, dns);
		d.started = keeper_now_ms();
		r = dnsmasq_start(&k->dns, dns, msg, sizeof(msg));
	}
	snprintf(line, sizeof(line), "%d %s\n", r, r ? msg : "ok");
	if (write(KEEPER_STATUS_FD, line, strlen(line)) < 0)
		r = -EIO;
	close(KEEPER_STATUS_FD);
	if (r)
		return 1;
	/* Before the first check: a TAP that goes after it is seen. */
	nl = netplane_links_open();
	/* The opener has the namespace's lock until its attachment's entry is
	 * there: the first check waits for it. */
	for (what = KEEPER_CHECK; !(what & KEEPER_GONE);) {
		if ((what & KEEPER_CHECK) && keeper_check(k, &d))
			break;
		/* Without dnsmasq: wake to start it again when it is time. */
		left = dns->pid ? -1 : d.retry - keeper_now_ms();
		if (!dns->pid && left < 0)
			left = 0;
		p[0] = (struct pollfd){ ino, POLLIN, 0 };
		p[1] = (struct pollfd){ dns->pidfd, POLLIN, 0 };
		p[2] = (struct pollfd){ nl, POLLIN, 0 };
		while ((r = poll(p, 3, left < 0 ? -1 : (int)left)) < 0 &&
		       errno == EINTR)
			;
		what = keeper_events(ino);
		/* Links come and go with every attachment: only the going
		 * of one on record, or a persistent TAP on record that its
		 * last opener closed (the sweep deletes it when its maker
		 * has ended too), is worth the namespace's lock. */
		if (nl >= 0 &&
		    netplane_links_gone(nl, keeper_link_gone, (void *)k->dir))
			what |= KEEPER_CHECK;
		if (nl < 0 || r <= 0 || p[1].revents)
			what |= KEEPER_CHECK;
	}
	if (nl >= 0)
		close(nl);
	if (dns->pid) {
		proc_signal(dns, SIGKILL);
		proc_reap(dns, &end);
	}
	return 0;
}

/**
 * main() - squib-net-keeper OPTIONS: keep one network
 * @argc:	argument count
 * @argv:	what keeper_args() wrote
 *
 * Started by the library (keeper_start()) in a session of its own, with
 * /dev/null as stdio, the report's pipe as KEEPER_STATUS_FD and no other
 * descriptor; its parent has ended, so it is nobody's child to reap.
 * Signals start at their defaults here: the starter blocked them all.
 *
 * Return: 0 when the network went, 1 when it could not keep it, 2 on a
 * usage error.
 */
int main(int argc, char **argv)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct keeper_spec k;
	sigset_t none;
	int sig;

	if (fcntl(KEEPER_STATUS_FD, F_SETFD, FD_CLOEXEC) ||
	    keeper_parse(argc, argv, &k)) {
		fprintf(stderr,
			"%s: a network's keeper, started by libsquibnet: "
			"not to be run by hand\n",
			argv[0] ? argv[0] : KEEPER_PROGRAM);
		/* For the starter, when it was one. */
		if (write(KEEPER_STATUS_FD, "-22 bad arguments\n", 18) < 0) {
		}
		return 2;
	}
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The name that ps and the tests know it by. */
	prctl(PR_SET_NAME, "sqn-keeper");
	if (chdir("/"))
		return 1;
	return keeper_run(&k);
}
