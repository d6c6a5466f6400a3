// SPDX-License-Identifier: MIT
/* proc_spawn_linux.c - starting a child: clone and exec, under a supervisor that never execs */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
/* waitid() on a pidfd, Linux 5.4; an enum without a macro in glibc. */
#define PROC_P_PIDFD ((idtype_t)3)

/* The child's descriptors are first moved up to here, out of the way of
 * the numbers they finally take (0 to 3). */
#define PROC_FD_SCRATCH (PROC_SOCK_FD + 1)
/* A stack until exec (the child) or for good (the supervisor): a few
 * calls deep, no more. The supervisor's is the upper half of the map,
 * the child's the lower. */
#define PROC_STACK (64 * 1024)
/* The supervisor's name (comm), 15 bytes at most. */
#define PROC_SUPER_NAME "sqn-supervisor"

/**
 * struct proc_child_args - what the child and its supervisor need
 * @spec:	what to run
 * @parent:	the parent's pid, to see whether it died before PDEATHSIG
 * @maxfd:	descriptors to close when close_range() is missing
 * @err:	set by the child when its setup or exec failed
 * @report:	the supervisor's end of its socket to the library; -1 when
 *		there is no supervisor
 * @stack:	the top of the child's stack, for the supervisor
 */
struct proc_child_args {
	const struct proc_spec *spec;
	pid_t parent;
	long maxfd;
	int err;
	int report;
	char *stack;
};

/**
 * struct proc_hello - the supervisor's first word: the child started
 * @pid:	the child's pid, or a negative errno when it did not start
 *		(its pidfd comes with it, SCM_RIGHTS)
 */
struct proc_hello {
	int pid;
};

/* Leave without the C library's or a sanitizer's exit path: in a copy
 * of the application, or sharing its memory, nothing of it may run. */
__attribute__((noreturn)) static void proc_exit(int status)
{
	for (;;)
		syscall(SYS_exit_group, status);
}

__attribute__((no_sanitize_address)) static void
proc_close_range(unsigned int first, unsigned int last, long maxfd)
{
	long fd;

	if (first > last)
		return;
	if (syscall(SYS_close_range, first, last, 0) == 0)
		return;
	/* Before Linux 5.9. */
	for (fd = first; fd < maxfd && fd <= (long)last; fd++)
		close((int)fd);
}

/* Close every descriptor but the three of @keep (-1: none). */
__attribute__((no_sanitize_address)) static void proc_close_but(int keep[3],
								long maxfd)
{
	unsigned int from = 0;
	int i, j, t;

	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			if (keep[j] < keep[i]) {
				t = keep[i];
				keep[i] = keep[j];
				keep[j] = t;
			}
	for (i = 0; i < 3; i++) {
		if (keep[i] < 0 || (unsigned int)keep[i] < from)
			continue;
		if ((unsigned int)keep[i] > from)
			proc_close_range(from, (unsigned int)keep[i] - 1,
					 maxfd);
		from = (unsigned int)keep[i] + 1;
	}
	proc_close_range(from, ~0u, maxfd);
}

/* Default dispositions: ignored signals stay ignored across exec, and
 * SIGCHLD ignored would let the kernel reap a child before its wait. */
__attribute__((no_sanitize_address)) static void proc_signals_default(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
}

/*
 * The child, on its own stack in its parent's memory, while the parent
 * waits (CLONE_VM | CLONE_VFORK, as posix_spawn() does): no page tables
 * copied however large the parent, and a failure is simply written to
 * @arg. Its parent is the supervisor, or the application for a detached
 * child. Only async-signal-safe calls: another thread of the application
 * may hold a lock of the C library. Not instrumented by ASan, whose stack
 * poisoning would outlive this function that never returns.
 */
__attribute__((no_sanitize_address, noinline)) static int proc_child(void *arg)
{
	struct proc_child_args *a = arg;
	const struct proc_spec *spec = a->spec;
	int sock, errfd, null = -1;
	unsigned int keep = PROC_SOCK_FD;
	sigset_t none;

	/* Die with the parent; if it is gone already, it missed the start. */
	if (!spec->detach && prctl(PR_SET_PDEATHSIG, SIGKILL))
		goto fail;
	if (!spec->detach && getppid() != a->parent)
		proc_exit(127);
	/* A clean start, and a session of its own: a terminal's ^C reaches
	 * the application, which then closes the attachment, and its
	 * process group is what proc_signal() ends. */
	proc_signals_default();
	setsid();

	sock = fcntl(spec->sock, F_DUPFD, PROC_FD_SCRATCH);
	errfd = fcntl(spec->err_fd, F_DUPFD, PROC_FD_SCRATCH);
	if (sock < 0 || errfd < 0)
		goto fail;
	if (!spec->sock_stdio) {
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0)
			null = fcntl(null, F_DUPFD, PROC_FD_SCRATCH);
		if (null < 0)
			goto fail;
	}
	if (dup2(spec->sock_stdio ? sock : null, 0) < 0 ||
	    dup2(spec->sock_stdio ? sock : errfd, 1) < 0 || dup2(errfd, 2) < 0)
		goto fail;
	if (!spec->sock_stdio) {
		if (dup2(sock, PROC_SOCK_FD) < 0)
			goto fail;
		keep = PROC_SOCK_FD + 1;
	}
	proc_close_range(keep, ~0u, a->maxfd);

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(spec->path, spec->argv, environ);
fail:
	a->err = errno;
	proc_exit(127);
}

/* The supervisor's first word, with the child's pidfd when it started. */
__attribute__((no_sanitize_address)) static void
proc_hello_send(int sock, int pid, int pidfd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct proc_hello hello = { pid };
	struct iovec iov = { &hello, sizeof(hello) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (pid > 0) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pidfd, sizeof(int));
	}
	while (sendmsg(sock, &m, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* End as the child ended: its exit status, or its signal (without a
 * core dump of the supervisor's own: the child made one if it could). */
__attribute__((no_sanitize_address, noreturn)) static void
proc_end_as(int status)
{
	struct rlimit none = { 0, 0 };
	sigset_t one;
	int sig;

	if (!WIFSIGNALED(status))
		proc_exit(WEXITSTATUS(status));
	sig = WTERMSIG(status);
	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0);
	/* Its disposition is the default already; it is blocked, so it
	 * is delivered when unblocked, not before. */
	kill(getpid(), sig);
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	proc_exit(128 + sig); /* a signal that does not kill */
}

/*
 * The supervisor: a copy of the application (clone() without CLONE_VM)
 * with exit signal 0, so that only a wait with __WALL or __WCLONE sees
 * it, and an application's waitpid(-1, ..., 0) never takes it. It never
 * execs, which would make its exit signal SIGCHLD again. It starts the
 * child as its own, tells the library the child's pid and pidfd, reaps
 * it, tells the library its exact wait status and ends the same way.
 * Every signal stays blocked (the application blocked them all around
 * clone()): the library signals the child's group through the child's
 * pidfd, never the supervisor, which ends when the child ends, or with
 * PR_SET_PDEATHSIG when the thread that started it ends (the child then
 * gets its own PDEATHSIG). Only async-signal-safe calls, no allocation:
 * another thread of the application may have held a lock at the copy.
 */
__attribute__((no_sanitize_address, noinline)) static int proc_super(void *arg)
{
	struct proc_child_args *a = arg;
	int keep[3] = { a->report, a->spec->sock, a->spec->err_fd };
	int pidfd = -1, status = 0;
	pid_t pid;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != a->parent)
		proc_exit(127);
	/* In ps, not the application's name: a copy of it that is not it. */
	prctl(PR_SET_NAME, PROC_SUPER_NAME);
	proc_signals_default();
	proc_close_but(keep, a->maxfd);
	a->parent = getpid();
	pid = clone(proc_child, a->stack,
		    CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, a, &pidfd);
	if (pid < 0 || a->err) {
		status = pid < 0 ? errno : a->err;
		while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		proc_hello_send(a->report, -status, -1);
		proc_exit(127);
	}
	proc_hello_send(a->report, pid, pidfd);
	close(pidfd);
	close(a->spec->sock);
	close(a->spec->err_fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	while (send(a->report, &status, sizeof(status), MSG_NOSIGNAL) < 0 &&
	       errno == EINTR)
		;
	proc_end_as(status);
}

/* The supervisor's first word: the child's pid and pidfd, or why it did
 * not start. Waits for it, or for the supervisor's end. */
static int proc_hello_recv(int sock, int super_fd, struct proc *p)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct proc_hello hello = { -EIO };
	struct iovec iov = { &hello, sizeof(hello) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct pollfd pfd[2] = { { sock, POLLIN, 0 }, { super_fd, POLLIN, 0 } };
	struct cmsghdr *c;
	ssize_t n;

	for (;;) {
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		n = recvmsg(sock, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			break;
		/* Once it has ended, what it sent is there: one more look. */
		if (pfd[1].revents)
			return -EIO;
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return -errno;
	}
	if (n != sizeof(hello))
		return -EIO;
	c = CMSG_FIRSTHDR(&m);
	if (hello.pid > 0 && c && c->cmsg_level == SOL_SOCKET &&
	    c->cmsg_type == SCM_RIGHTS) {
		memcpy(&p->pidfd, CMSG_DATA(c), sizeof(int));
		p->pid = hello.pid;
		return 0;
	}
	return hello.pid < 0 ? hello.pid : -EIO;
}

/* Start the supervisor, which starts the child; @stack is two stacks. */
static int proc_spawn_super(struct proc_child_args *a, char *stack,
			    struct proc *p, const char **step)
{
	int sv[2] = { -1, -1 }, super_fd = -1, r, err;
	sigset_t all, old;
	siginfo_t si;
	pid_t pid;

	*step = "socketpair";
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	a->report = sv[1];
	a->stack = stack + PROC_STACK;
	/* No handler of the application may run in the supervisor, or in
	 * the child before exec; the supervisor keeps them all blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	/* Exit signal 0: hidden from waitpid(-1) without __WALL. */
	pid = clone(proc_super, stack + 2 * PROC_STACK, CLONE_PIDFD, a,
		    &super_fd);
	err = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		*step = "clone (Linux 5.2 or later)";
		return -err;
	}
	r = proc_hello_recv(sv[0], super_fd, p);
	if (r) {
		*step = a->spec->path;
		/* Its word was lost (no descriptor left for the pidfd, say)
		 * while the child may run: it goes, the child by PDEATHSIG. */
		syscall(SYS_pidfd_send_signal, super_fd, SIGKILL, NULL, 0);
		while (waitid(PROC_P_PIDFD, (id_t)super_fd, &si,
			      WEXITED | __WALL) < 0 &&
		       errno == EINTR)
			;
		close(super_fd);
		close(sv[0]);
		p->pid = 0;
		return r;
	}
	p->super = pid;
	p->super_fd = super_fd;
	p->report = sv[0];
	return 0;
}

/* Start a detached child as the application's own. */
static int proc_spawn_direct(struct proc_child_args *a, char *stack,
			     struct proc *p, const char **step)
{
	int pidfd = -1, err;
	sigset_t all, old;
	pid_t pid;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = clone(proc_child, stack + PROC_STACK,
		    CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, a, &pidfd);
	err = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		*step = "clone (Linux 5.2 or later)";
		return -err;
	}
	if (a->err) {
		*step = a->spec->path;
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		close(pidfd);
		return -a->err;
	}
	p->pid = pid;
	p->pidfd = pidfd;
	return 0;
}

/**
 * proc_spawn() - start @spec->path with the socket and stderr of @spec
 * @spec:	what to run and how
 * @p:		filled on success
 * @step:	on failure, what failed: "mmap", "socketpair", "clone", or
 *		@spec->path when exec (or the child's setup) failed
 *
 * Unless @spec->detach, the child is not the application's: a supervisor
 * (proc_super()) is, with exit signal 0, so an application that reaps
 * with waitpid(-1) takes neither (exec would make the child's exit
 * signal SIGCHLD whatever clone() set), and it tells the library the
 * child's exact wait status. The supervisor is a copy of the
 * application, so it costs the page tables of a fork (memory the
 * application writes later is copied once, the supervisor keeping the
 * old page, unless it is MADV_DONTFORK or shared). The child gets
 * SIGKILL when its supervisor ends, which gets SIGKILL when the thread
 * that called this ends (Linux PR_SET_PDEATHSIG); a detached child gets
 * neither and is the application's own. The child keeps no descriptor
 * but stdin, stdout, stderr and the socket, starts with default signal
 * dispositions and an empty signal mask, and leads a session of its own.
 * The caller's signal mask is blocked around the start and restored; its
 * dispositions are not touched. The pidfds come with their processes
 * (CLONE_PIDFD, Linux 5.2), so they always name them. Nothing is left
 * behind on failure: a process that started is reaped.
 *
 * Return: 0 or a negative errno.
 */
int proc_spawn(const struct proc_spec *spec, struct proc *p, const char **step)
{
	struct proc_child_args a = { spec, getpid(), sysconf(_SC_OPEN_MAX),
				     0,	   -1,	     NULL };
	size_t len = (spec->detach ? 1 : 2) * PROC_STACK;
	void *stack;
	int r;

	*p = PROC_NONE;
	if (a.maxfd < 0)
		a.maxfd = 65536;
	*step = "mmap";
	stack = mmap(NULL, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -errno;
	/* Stacks grow down on every Linux architecture but PA-RISC. */
	if (spec->detach)
		r = proc_spawn_direct(&a, stack, p, step);
	else
		r = proc_spawn_super(&a, stack, p, step);
	munmap(stack, len);
	return r;
}
