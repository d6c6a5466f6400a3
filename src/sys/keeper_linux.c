// SPDX-License-Identifier: MIT
/* keeper_linux.c - Linux side of keeper.h: the network's keeper program
 * started, nobody's child and no copy of the caller, and its report read */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "keeper.h"
#include "network.h"
#include "record.h"

/* Where `make install` puts the keeper: the Makefile gives LIBEXECDIR to
 * this file alone; other builds (the fuzzers) get the default prefix. */
#ifndef SQN_LIBEXECDIR
#define SQN_LIBEXECDIR "/usr/local/libexec"
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
/* waitid() on a pidfd, Linux 5.4; an enum without a macro in glibc. */
#define KEEPER_P_PIDFD ((idtype_t)3)

/* How long the keeper may take to report its dnsmasq started: dnsmasq's
 * own 5 s, and some. */
#define KEEPER_START_MS 8000
/* The stack of each of the two starting children until the keeper
 * execs: a few calls deep, no more. */
#define KEEPER_STACK (64 * 1024)

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

/* Option @opt with @val on @a's command line, unless @val is NULL. */
static void keeper_arg(struct keeper_argv *a, int *n, const char *opt,
		       const char *val)
{
	if (!val)
		return;
	a->argv[(*n)++] = (char *)opt;
	a->argv[(*n)++] = (char *)val;
}

/**
 * keeper_args() - the keeper's command line for network @k
 * @k:		the network
 * @a:		filled; a->argv points into @k and @a
 *
 * "squib-net-keeper --dir D --ns N --cookie C --token T --bridge B
 * --gateway A.B.C.D --prefix P --mtu M [--upstream U] [--hosts H]
 * [--subnet6 PREFIX/64]", read
 * back by keeper_parse(); an option whose value is NULL is left out.
 */
void keeper_args(const struct keeper_spec *k, struct keeper_argv *a)
{
	const struct net_spec *net = k->dns.net;
	int n = 0;

	snprintf(a->cookie, sizeof(a->cookie), "%llu", k->cookie);
	ipv4_format(a->gateway, ipv4_pack(net->gateway.addr));
	snprintf(a->prefix, sizeof(a->prefix), "%d", net->gateway.len);
	snprintf(a->mtu, sizeof(a->mtu), "%u", net->mtu);
	a->argv[n++] = (char *)KEEPER_PROGRAM;
	keeper_arg(a, &n, "--dir", k->dir);
	keeper_arg(a, &n, "--ns", k->ns);
	keeper_arg(a, &n, "--cookie", a->cookie);
	keeper_arg(a, &n, "--token", k->token);
	keeper_arg(a, &n, "--bridge", net->name);
	keeper_arg(a, &n, "--gateway", a->gateway);
	keeper_arg(a, &n, "--prefix", a->prefix);
	keeper_arg(a, &n, "--mtu", a->mtu);
	keeper_arg(a, &n, "--upstream", net->dns_upstream);
	keeper_arg(a, &n, "--hosts", k->dns.hosts);
	if (net->has_v6)
		keeper_arg(a, &n, "--subnet6",
			   ipv6_format_prefix(a->subnet6, &net->subnet6));
	a->argv[n] = NULL;
}

/**
 * keeper_parse() - the network of a keeper's command line
 * @argc:	its length
 * @argv:	as keeper_args() wrote it
 * @k:		filled; its strings point into @argv
 *
 * Return: 0, or -EINVAL when an option is unknown, lacks its value, or
 * one that is needed is missing.
 */
int keeper_parse(int argc, char **argv, struct keeper_spec *k)
{
	const char *gateway = NULL, *cookie = NULL, *prefix = NULL;
	const char *bridge = NULL, *mtu = NULL, *v, *rest;
	unsigned long m;
	char *end;
	int i;

	memset(k, 0, sizeof(*k));
	k->dns.net = &k->net;
	for (i = 1; i + 1 < argc; i += 2) {
		v = argv[i + 1];
		if (!strcmp(argv[i], "--dir"))
			k->dir = k->dns.dir = v;
		else if (!strcmp(argv[i], "--ns"))
			k->ns = v;
		else if (!strcmp(argv[i], "--cookie"))
			cookie = v;
		else if (!strcmp(argv[i], "--token"))
			k->token = v;
		else if (!strcmp(argv[i], "--bridge"))
			bridge = v;
		else if (!strcmp(argv[i], "--gateway"))
			gateway = v;
		else if (!strcmp(argv[i], "--prefix"))
			prefix = v;
		else if (!strcmp(argv[i], "--mtu"))
			mtu = v;
		else if (!strcmp(argv[i], "--upstream"))
			k->net.dns_upstream = v;
		else if (!strcmp(argv[i], "--hosts"))
			k->dns.hosts = v;
		else if (!strcmp(argv[i], "--subnet6"))
			k->net.has_v6 =
				!ipv6_parse_prefix(v, &k->net.subnet6) ? 1 : -1;
		else
			return -EINVAL;
	}
	if (i != argc || !k->dir || !k->ns || !cookie || !k->token || !bridge ||
	    strlen(bridge) >= sizeof(k->net.name) || !gateway || !prefix ||
	    !mtu || ipv4_parse(gateway, &rest, k->net.gateway.addr) || *rest ||
	    k->net.has_v6 < 0)
		return -EINVAL;
	memcpy(k->net.name, bridge, strlen(bridge) + 1);
	errno = 0;
	k->cookie = strtoull(cookie, &end, 10);
	if (errno || *end || !*cookie)
		return -EINVAL;
	k->net.gateway.len = (int)strtol(prefix, &end, 10);
	if (*end || !*prefix || k->net.gateway.len < 0 ||
	    k->net.gateway.len > 32)
		return -EINVAL;
	m = strtoul(mtu, &end, 10);
	if (*end || !*mtu || m < SQN_MTU_MIN || m > SQN_FRAME_MAX)
		return -EINVAL;
	k->net.mtu = (uint32_t)m;
	return 0;
}

/* The directory keeper_set_dir() gave, "" when none. */
static char keeper_dir[RECORD_PATH_MAX - sizeof(KEEPER_PROGRAM) - 1];

/**
 * keeper_set_dir() - where this process finds the keeper program, instead
 * of SQN_LIBEXECDIR or the directory it was built for
 * @dir:	an absolute path, or NULL to go back to those
 *
 * For a program that reads no environment for paths (squib-net serve):
 * it says where its keeper is itself.
 *
 * Return: 0, or -ENAMETOOLONG.
 */
int keeper_set_dir(const char *dir)
{
	if (dir && strlen(dir) >= sizeof(keeper_dir))
		return -ENAMETOOLONG;
	snprintf(keeper_dir, sizeof(keeper_dir), "%s", dir ? dir : "");
	return 0;
}

/* The keeper program's path: keeper_set_dir()'s, else in SQN_LIBEXECDIR
 * when the environment has it (not for a set-user-ID caller:
 * secure_getenv), else where make install put it; 0 when it is an
 * executable file. */
static int keeper_path(char *path, size_t size, char *msg, size_t len)
{
	const char *dir = keeper_dir[0] ? NULL :
					  secure_getenv("SQN_LIBEXECDIR");
	int env = dir && *dir, r;
	struct stat st;

	if (keeper_dir[0])
		dir = keeper_dir;
	else if (!env)
		dir = SQN_LIBEXECDIR;
	if (dir[0] != '/')
		return record_err(msg, len, -EINVAL,
				  "SQN_LIBEXECDIR %s: not an absolute path",
				  dir);
	if ((size_t)snprintf(path, size, "%s/%s", dir, KEEPER_PROGRAM) >= size)
		return record_err(msg, len, -ENAMETOOLONG,
				  "SQN_LIBEXECDIR %s: too long", dir);
	if (stat(path, &st))
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EACCES;
	else if (access(path, X_OK))
		r = -errno;
	else
		return 0;
	return record_err(msg, len, r,
			  "the network's keeper %s%s: %s (make install puts it "
			  "in LIBEXECDIR; SQN_LIBEXECDIR names another "
			  "directory, e.g. build/libexec of the build tree)",
			  path, env ? " (from SQN_LIBEXECDIR)" : "",
			  strerror(-r));
}

/**
 * struct keeper_child - what the starting children need, in memory they
 * share with the caller
 * @path:	the keeper program
 * @argv:	its command line
 * @status:	the report pipe's write end, KEEPER_STATUS_FD in the keeper
 * @null:	/dev/null, the keeper's stdio
 * @maxfd:	descriptors to close when close_range() is missing
 * @stack:	the top of the second child's stack
 * @err:	set by a child whose step failed
 * @envp:	its environment (keeper_env())
 */
struct keeper_child {
	const char *path;
	char *const *argv;
	int status;
	int null;
	long maxfd;
	char *stack;
	int err;
	char **envp;
};

/* Variables of the caller's environment the keeper still gets: the
 * sanitizers' options (a test build's), which name no program or path it
 * runs. */
static const char *const keeper_env_kept[] = { "ASAN_OPTIONS=", "LSAN_OPTIONS=",
					       "UBSAN_OPTIONS=" };
#define KEEPER_ENV_MAX (2 + sizeof(keeper_env_kept) / sizeof(char *))

/* The keeper's environment, in @env: a fixed PATH, not the caller's
 * environment (which a service's may hold anything in); it runs dnsmasq
 * by its full path. */
static void keeper_env(char *env[KEEPER_ENV_MAX])
{
	static char path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	size_t i, k, n = 0;
	char **e;

	env[n++] = path;
	for (e = environ; e && *e; e++)
		for (k = 0; k < sizeof(keeper_env_kept) / sizeof(char *); k++)
			if (!strncmp(*e, keeper_env_kept[k],
				     strlen(keeper_env_kept[k])) &&
			    n + 1 < KEEPER_ENV_MAX)
				env[n++] = *e;
	for (i = n; i < KEEPER_ENV_MAX; i++)
		env[i] = NULL;
}

/*
 * The second child, which becomes the keeper: a session of its own,
 * /dev/null as stdio, the report's pipe as KEEPER_STATUS_FD and no other
 * descriptor, then the program. It runs in the caller's memory on a stack
 * of its own while the first waits (CLONE_VFORK): only async-signal-safe
 * calls, and no ASan, whose stack poisoning would outlive this function.
 * Signals stay blocked (the caller blocked them all) until the program
 * sets their defaults.
 */
__attribute__((no_sanitize_address, noinline)) static int keeper_exec(void *arg)
{
	struct keeper_child *c = arg;
	int status, null;
	long fd;

	setsid();
	status = fcntl(c->status, F_DUPFD, KEEPER_STATUS_FD + 1);
	null = fcntl(c->null, F_DUPFD, KEEPER_STATUS_FD + 1);
	if (status < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(null, 2) < 0 || dup2(status, KEEPER_STATUS_FD) < 0)
		goto fail;
	if (syscall(SYS_close_range, KEEPER_STATUS_FD + 1, ~0u, 0))
		for (fd = KEEPER_STATUS_FD + 1; fd < c->maxfd; fd++)
			close((int)fd);
	execve(c->path, c->argv, c->envp);
fail:
	c->err = errno;
	_exit(127);
}

/*
 * The first child: starts the second and ends, so that the keeper is
 * nobody's child (its parent gone, init or the caller's subreaper takes
 * it). It never execs: its exit signal stays 0, and a caller that reaps
 * with waitpid(-1) never sees it. The second is started as a vfork, so
 * this one ends once the keeper runs its own program.
 */
__attribute__((no_sanitize_address, noinline)) static int
keeper_middle(void *arg)
{
	struct keeper_child *c = arg;
	pid_t pid;

	pid = clone(keeper_exec, c->stack, CLONE_VM | CLONE_VFORK | SIGCHLD, c);
	if (pid < 0)
		c->err = errno;
	else if (c->err)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	_exit(0);
}

/* Reap the first child, through its pidfd: it has exit signal 0, so only
 * a wait with __WALL sees it. A caller that reaps every child that way
 * may have it already (ECHILD). */
static void keeper_reap(pid_t pid, int pidfd)
{
	siginfo_t si;
	int r;

	do {
		r = waitid(KEEPER_P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL);
	} while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EINVAL) /* Linux 5.3: no P_PIDFD */
		while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
			;
}

/* Start the keeper program at @path with @argv, its report on @status.
 * The caller's memory is neither copied nor its page tables (CLONE_VM),
 * whatever its size. */
static int keeper_spawn(const char *path, char *const *argv, int status,
			char *msg, size_t len)
{
	struct keeper_child c = { path, argv, status, -1, 0, NULL, 0, NULL };
	char *env[KEEPER_ENV_MAX];
	int pidfd = -1, err = 0;
	sigset_t all, old;
	char *stack;
	pid_t pid;

	keeper_env(env);
	c.envp = env;
	c.maxfd = sysconf(_SC_OPEN_MAX);
	if (c.maxfd < 0)
		c.maxfd = 65536;
	c.null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (c.null < 0)
		return record_err(msg, len, -errno, "/dev/null: %s",
				  strerror(errno));
	stack = mmap(NULL, 2 * KEEPER_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		err = errno;
		close(c.null);
		return record_err(msg, len, -err, "mmap: %s", strerror(err));
	}
	/* Stacks grow down on every Linux architecture but PA-RISC: the
	 * first child's is the lower half, the second's the upper. */
	c.stack = stack + 2 * KEEPER_STACK;
	/* No handler of the caller may run in the children. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = clone(keeper_middle, stack + KEEPER_STACK,
		    CLONE_VM | CLONE_VFORK | CLONE_PIDFD, &c, &pidfd);
	if (pid < 0)
		err = errno;
	else
		keeper_reap(pid, pidfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pidfd >= 0)
		close(pidfd);
	munmap(stack, 2 * KEEPER_STACK);
	close(c.null);
	if (pid < 0)
		return record_err(msg, len, -err, "clone: %s", strerror(err));
	if (c.err)
		return record_err(msg, len, -c.err,
				  "the network's keeper %s: %s", path,
				  strerror(c.err));
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
 * The keeper is the program squib-net-keeper (keeper_main.c), not a copy
 * of this process: a VMM's memory is not kept alive, nor copied on write,
 * for as long as the network lives. It is found in SQN_LIBEXECDIR (the
 * environment's, else the one it was built for); when it is not there
 * the open fails, naming the path. It runs in the calling thread's
 * namespaces, in a session of its own, with no descriptor of this
 * process's, and is nobody's child: a first child, which this process
 * reaps at once and whose exit a waitpid(-1) never sees, starts it and
 * ends. It lives until the network goes: it waits for the attachments'
 * entries to be closed (inotify) and then, under the namespace's lock,
 * removes the network when none is left, whoever ended them (a VMM killed
 * with SIGKILL too). It keeps dnsmasq as its child and starts it again
 * when it dies. Called under the namespace's lock: its first check waits
 * for the caller's entry.
 *
 * Return: 0 once dnsmasq runs, or a negative errno.
 */
int keeper_start(const struct keeper_spec *k, char *msg, size_t len)
{
	char path[RECORD_PATH_MAX];
	struct keeper_argv a;
	int fds[2], r;

	r = keeper_path(path, sizeof(path), msg, len);
	if (r)
		return r;
	keeper_args(k, &a);
	if (pipe2(fds, O_CLOEXEC))
		return record_err(msg, len, -errno, "pipe: %s",
				  strerror(errno));
	r = keeper_spawn(path, a.argv, fds[1], msg, len);
	close(fds[1]);
	if (!r)
		r = keeper_report(fds[0], msg, len);
	close(fds[0]);
	return r;
}
