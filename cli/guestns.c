// SPDX-License-Identifier: MIT
/* guestns.c - run a command in new network and PID namespaces, a TAP as eth0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestinit.h"
#include "guestns.h"
#include "log.h"

#define GUEST_IF "eth0"
#define GUEST_RUN_DIR "/run/squib-net"

/*
 * udhcpc calls this with "deconfig", "bound", "renew" and the lease in
 * the environment (busybox udhcpc(8)). It configures eth0 of the guest's
 * namespace and writes the guest's own resolv.conf: never the host's.
 */
static const char dhcp_hook[] =
	"#!/bin/sh\n"
	"# squib-net guest: udhcpc hook; touches only the guest namespace\n"
	"dir=$(dirname \"$0\")\n"
	"case $1 in\n"
	"deconfig)\n"
	"\tip addr flush dev \"$interface\"\n"
	"\tip link set \"$interface\" up ;;\n"
	"bound|renew)\n"
	"\tip addr flush dev \"$interface\"\n"
	"\tip addr add \"$ip/${mask:-24}\" dev \"$interface\"\n"
	"\t[ -n \"$mtu\" ] && ip link set \"$interface\" mtu \"$mtu\"\n"
	"\tfor r in $router; do\n"
	"\t\tip route replace default via \"$r\" dev \"$interface\"\n"
	"\t\tbreak\n"
	"\tdone\n"
	"\t: >\"$dir/resolv.conf\"\n"
	"\tfor d in $dns; do echo \"nameserver $d\" >>\"$dir/resolv.conf\"; done\n"
	"\t[ -n \"$domain\" ] && echo \"search $domain\" >>\"$dir/resolv.conf\"\n"
	"\techo \"$ip/${mask:-24} ${router%% *}\" >\"$dir/lease\" ;;\n"
	"esac\n"
	"exit 0\n";

static int write_file(const char *dir, const char *name, const char *text,
		      mode_t mode)
{
	char path[128];
	FILE *f;
	int r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	if (fputs(text, f) < 0)
		r = -1;
	if (fclose(f))
		r = -1;
	if (!r && chmod(path, mode))
		r = -1;
	return r;
}

/* Run argv in the guest, wait for it; its exit status or -1. Its
 * stderr shows only with --verbose. */
static int run_wait(char *const *argv)
{
	int status, null;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (!log_verbose && null >= 0)
			dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int guest_link_up(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = -1;

	if (s < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(s, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return r;
}

static int guest_dhcp(const struct guestns *g, const struct guestns_opts *o)
{
	char script[96], timeout[16], lease[128] = "", path[96];
	char *argv[] = { "busybox", "udhcpc", "-i", GUEST_IF, "-s",    script,
			 "-q",	    "-f",     "-n", "-t",     timeout, "-T",
			 "1",	    "-A",     "1",  "-O",     "mtu",   NULL };
	FILE *f;

	snprintf(script, sizeof(script), "%s/dhcp-hook", g->dir);
	snprintf(timeout, sizeof(timeout), "%u", o->dhcp_timeout);
	if (run_wait(argv)) {
		err("guest: no DHCP lease on " GUEST_IF " within %u s",
		    o->dhcp_timeout);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/lease", g->dir);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(lease, sizeof(lease), f))
			lease[0] = '\0';
		fclose(f);
	}
	lease[strcspn(lease, "\n")] = '\0';
	info("guest: " GUEST_IF
	     " %s (address, gateway) by DHCP %.3f s after start",
	     lease, since(&o->start));
	return 0;
}

static int guest_static(const struct guestns *g, const struct guestns_opts *o)
{
	char *addr[] = { "ip",	"addr",	  "add", (char *)o->addr,
			 "dev", GUEST_IF, NULL };
	char *route[] = { "ip",	     "route",  "add",
			  "default", "via",    (char *)o->gateway,
			  "dev",     GUEST_IF, NULL };
	char text[128];

	if (run_wait(addr)) {
		err("guest: cannot set address %s", o->addr);
		return -1;
	}
	if (o->gateway && run_wait(route)) {
		err("guest: cannot set gateway %s", o->gateway);
		return -1;
	}
	if (o->dns) {
		snprintf(text, sizeof(text), "nameserver %s\n", o->dns);
		write_file(g->dir, "resolv.conf", text, 0644);
	}
	info("guest: " GUEST_IF " %s gateway %s (static)", o->addr,
	     o->gateway ? o->gateway : "none");
	return 0;
}

/* The child, pid 1 of a new PID namespace: new network and mount
 * namespaces, wait for eth0, configure it, run the command. */
static void __attribute__((noreturn))
guest_child(struct guestns *g, int sync, const struct guestns_opts *o,
	    char *const *cmd)
{
	char resolv[96], go;
	sigset_t none;

	/* Signals that squib-net passes on must work from here on, also
	 * while udhcpc runs; and the command's group is ours. */
	guestinit_prepare();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	/* If squib-net is gone already, the handshake below finds the
	 * socket closed (getppid() is 0 here: our parent is outside). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unshare(CLONE_NEWNET | CLONE_NEWNS)) {
		err("guest: unshare: %s", strerror(errno));
		_exit(1);
	}
	/* Our own resolv.conf and /proc, seen only in this mount
	 * namespace. */
	snprintf(resolv, sizeof(resolv), "%s/resolv.conf", g->dir);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount(resolv, "/etc/resolv.conf", NULL, MS_BIND, NULL))
		warn("guest: no private /etc/resolv.conf: %s", strerror(errno));
	guestinit_proc();
	if (write(sync, "r", 1) != 1 || read(sync, &go, 1) != 1)
		_exit(1);
	close(sync);
	if (guest_link_up("lo") || guest_link_up(GUEST_IF)) {
		err("guest: cannot bring up " GUEST_IF ": %s", strerror(errno));
		_exit(1);
	}
	if (o->dhcp ? guest_dhcp(g, o) : o->addr ? guest_static(g, o) : 0)
		_exit(1);
	guestinit_exec(cmd);
}

/* fork() into a new PID namespace: the child is its pid 1. Our own later
 * children (a helper the library restarts) stay in ours. */
static pid_t guest_fork(void)
{
	int self = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC), e;
	pid_t pid = -1;

	if (self < 0)
		return -1;
	if (unshare(CLONE_NEWPID))
		goto out;
	pid = fork();
	if (!pid) {
		close(self);
		return 0;
	}
	e = errno;
	if (setns(self, CLONE_NEWPID))
		die("cannot return to our PID namespace: %s", strerror(errno));
	errno = e;
out:
	e = errno;
	close(self);
	errno = e;
	return pid;
}

static int tap_config(int tap, const struct guestns_opts *o)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = -1;

	if (s < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), GUEST_IF);
	ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
	memcpy(ifr.ifr_hwaddr.sa_data, o->mac, 6);
	if (ioctl(s, SIOCSIFHWADDR, &ifr))
		goto out;
	ifr.ifr_mtu = (int)o->mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr))
		goto out;
	if (o->offload) {
		int hdr = GUEST_VNET_HDR_LEN;

		/* The guest's kernel may then hand us frames of 64 KiB,
		 * with their checksums left to finish (if_tun.h). */
		if (ioctl(tap, TUNSETVNETHDRSZ, &hdr) ||
		    (ioctl(tap, TUNSETOFFLOAD,
			   TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) &&
		     !o->offload_optional))
			goto out;
	}
	r = 0;
out:
	close(s);
	return r;
}

/* Make eth0 in the child's network namespace; keep its fd here. */
static int tap_in(pid_t pid, const struct guestns_opts *o)
{
	struct ifreq ifr = { 0 };
	char path[64];
	int self, ns, tap = -1, e = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || ns < 0 || setns(ns, CLONE_NEWNET)) {
		e = errno;
		goto out;
	}
	tap = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	/* Without --offload no IFF_VNET_HDR: the attachment carries plain
	 * frames, so the guest kernel segments and checksums itself. */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (o->offload ? IFF_VNET_HDR : 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), GUEST_IF);
	if (tap < 0 || ioctl(tap, TUNSETIFF, &ifr) || tap_config(tap, o)) {
		e = errno;
		if (tap >= 0)
			close(tap);
		tap = -1;
	}
	if (setns(self, CLONE_NEWNET))
		die("cannot return to our network namespace: %s",
		    strerror(errno));
out:
	if (self >= 0)
		close(self);
	if (ns >= 0)
		close(ns);
	if (tap < 0)
		err("guest: cannot make " GUEST_IF ": %s", strerror(e));
	return tap;
}

/* Remove the files of a run directory, then the directory; @dfd is the
 * directory holding it. No symlink is followed. */
static void guest_dir_remove_at(int dfd, const char *name)
{
	static const char *const files[] = { "resolv.conf", "dhcp-hook",
					     "lease" };
	unsigned int i;
	int fd = openat(dfd, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlinkat(fd, files[i], 0);
	close(fd);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

/* GUEST_RUN_DIR: a directory of ours that nobody else can write to, so
 * that no one can plant a symlink where we create and remove files. */
static int guest_run_dir(void)
{
	struct stat st;

	if (mkdir(GUEST_RUN_DIR, 0755) && errno != EEXIST)
		return -1;
	if (lstat(GUEST_RUN_DIR, &st))
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* Remove the directories of runs that were killed (their pid is gone). */
static void guestns_sweep(void)
{
	DIR *d = opendir(GUEST_RUN_DIR);
	struct dirent *e;
	struct stat st;
	int pid;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (sscanf(e->d_name, "guest.%d.", &pid) != 1 || pid <= 0 ||
		    !kill(pid, 0) || errno != ESRCH)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
			continue;
		debug("removing %s/%s, left by a run that was killed",
		      GUEST_RUN_DIR, e->d_name);
		guest_dir_remove_at(dirfd(d), e->d_name);
	}
	closedir(d);
}

/**
 * guestns_start() - start @cmd in new network and PID namespaces behind a TAP
 * @g:		filled: the child, our TAP fd
 * @o:		how eth0 is set up
 * @cmd:	command and arguments
 *
 * SIGCHLD, SIGINT, SIGTERM and SIGHUP should be blocked by the caller; the
 * child unblocks them before it runs @cmd.
 *
 * Return: 0, or -1 after printing why (nothing is left running).
 */
int guestns_start(struct guestns *g, const struct guestns_opts *o,
		  char *const *cmd)
{
	pid_t parent = getpid();
	int sp[2];
	char c;

	g->pid = -1;
	g->pgid = -1;
	g->tty = 0;
	g->tap = -1;
	g->sync = -1;
	if (guest_run_dir()) {
		err("guest: %s: %s", GUEST_RUN_DIR, strerror(errno));
		return -1;
	}
	guestns_sweep();
	snprintf(g->dir, sizeof(g->dir), GUEST_RUN_DIR "/guest.%d.XXXXXX",
		 (int)parent);
	if (!mkdtemp(g->dir)) {
		err("guest: temporary directory: %s", strerror(errno));
		g->dir[0] = '\0';
		return -1;
	}
	if (write_file(g->dir, "resolv.conf", "", 0644) ||
	    write_file(g->dir, "dhcp-hook", dhcp_hook, 0755)) {
		err("guest: cannot write in %s: %s", g->dir, strerror(errno));
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp)) {
		err("guest: socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	g->pid = guest_fork();
	if (g->pid < 0) {
		err("guest: fork into a new PID namespace: %s",
		    strerror(errno));
		close(sp[0]);
		close(sp[1]);
		return -1;
	}
	if (!g->pid) {
		close(sp[0]);
		guest_child(g, sp[1], o, cmd);
	}
	/* Also here, so that it holds before the child gets to run. */
	setpgid(g->pid, g->pid);
	g->pgid = g->pid;
	/* A command that reads the terminal must own it, or it stops
	 * (SIGTTIN); we take it back at the end (SIGTTOU is blocked). */
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp() &&
	    !tcsetpgrp(STDIN_FILENO, g->pgid))
		g->tty = 1;
	close(sp[1]);
	g->sync = sp[0];
	if (read(g->sync, &c, 1) != 1) {
		err("guest: the namespace did not start");
		return -1;
	}
	g->tap = tap_in(g->pid, o);
	if (g->tap < 0)
		return -1;
	if (write(g->sync, "t", 1) != 1) {
		err("guest: the namespace went away");
		return -1;
	}
	close(g->sync);
	g->sync = -1;
	debug("guest: pid %d, " GUEST_IF " ready", (int)g->pid);
	return 0;
}

/**
 * guestns_carrier() - tell the guest its link is up or down
 * @g:		guest
 * @on:		1 for carrier, 0 for none
 */
void guestns_carrier(struct guestns *g, int on)
{
	if (g->tap >= 0 && ioctl(g->tap, TUNSETCARRIER, &on))
		debug("guest: TUNSETCARRIER: %s", strerror(errno));
}

/**
 * guestns_cleanup() - end the guest if it still runs; remove what we made
 * @g:		guest
 *
 * The TAP and the namespace vanish with our fd and the last process in
 * the namespace.
 */
void guestns_cleanup(struct guestns *g)
{
	int status, i;

	if (g->sync >= 0)
		close(g->sync);
	g->sync = -1;
	/* The command gets SIGTERM (its pid 1 ignores it) and 2 s; then
	 * its pid 1 SIGKILL, which ends all in its PID namespace. */
	if (g->pid > 0) {
		kill(-g->pgid, SIGTERM);
		kill(-g->pgid, SIGCONT);
		for (i = 0; i < 40 && !waitpid(g->pid, &status, WNOHANG); i++)
			usleep(50 * 1000);
		if (i == 40) {
			kill(g->pid, SIGKILL);
			waitpid(g->pid, &status, 0);
		}
	}
	if (g->tty && tcsetpgrp(STDIN_FILENO, getpgrp()))
		debug("guest: cannot take the terminal back: %s",
		      strerror(errno));
	g->tty = 0;
	g->pid = -1;
	g->pgid = -1;
	if (g->tap >= 0)
		close(g->tap);
	g->tap = -1;
	if (g->dir[0]) {
		int dfd = open(GUEST_RUN_DIR,
			       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (dfd >= 0) {
			guest_dir_remove_at(dfd, strrchr(g->dir, '/') + 1);
			close(dfd);
		}
		g->dir[0] = '\0';
	}
}
