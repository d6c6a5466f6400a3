// SPDX-License-Identifier: MIT
/* proc_linux.c - Linux side of proc.h: watch, signal and reap a child, by pidfd and epoll */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

/* Numbers of the newer calls, for C libraries that predate them. */
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
/* waitid() on a pidfd, Linux 5.4; an enum without a macro in glibc. */
#define PROC_P_PIDFD ((idtype_t)3)
/* pidfd_send_signal() to the pidfd's process group (Linux 6.9): the
 * group of the struct pid the pidfd holds, so never a process that took
 * the number after the child was reaped, by whoever reaped it. */
#ifndef PIDFD_SIGNAL_PROCESS_GROUP
#define PIDFD_SIGNAL_PROCESS_GROUP (1u << 2)
#endif
/* PIDFD_GET_INFO (Linux 6.13) and its exit status (6.15), declared here
 * as in <linux/pidfd.h> for headers that predate them: the first 64
 * bytes of struct pidfd_info, its size 0. */
struct proc_pidfd_info {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t ids[11]; /* pid, tgid, ppid, ruid ... fsgid */
	int32_t exit_code; /* a wait status, as waitpid() gives */
};
#define PROC_PIDFD_GET_INFO _IOWR(0xFF, 11, struct proc_pidfd_info)
#define PROC_PIDFD_INFO_EXIT (1u << 3)
#define PROC_EXIT_INFO_TRIES 100 /* 1 ms apart */

#define PROC_SOCKBUF (4 << 20)
#define PROC_ERRPIPE (1 << 20)

/**
 * proc_socketpair() - a connected pair of stream sockets, close-on-exec,
 * with large buffers
 * @sv:		the two ends
 *
 * Return: 0 or a negative errno.
 */
int proc_socketpair(int sv[2])
{
	/* Room for many 64 KiB frames each way: with the default 208 KiB,
	 * passt 2023.03 drops frames when its write would block, and a
	 * TCP download into the guest crawls at tens of Mbit/s (measured
	 * by bench/guest.sh: 27 Mbit/s before, 5 Gbit/s after). Capped by
	 * net.core.wmem_max/rmem_max; best effort. */
	int big = PROC_SOCKBUF, i;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	for (i = 0; i < 2; i++) {
		setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
		setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	}
	return 0;
}

/**
 * proc_pipe() - a pipe for a child's stderr
 * @fds:	read end, write end; both non-blocking and close-on-exec
 *
 * The library reads the pipe only when it is called, so a helper that
 * writes much while the caller waits on the socket alone must not block
 * in write(2) and stall its frames: the pipe holds up to PROC_ERRPIPE
 * bytes, and past that the helper's stderr writes fail with EAGAIN (the
 * lines are lost, the helper goes on). O_NONBLOCK belongs to the pipe's
 * open file, so the child gets it with the fd.
 *
 * Return: 0 or a negative errno.
 */
int proc_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	/* Best effort: capped by /proc/sys/fs/pipe-max-size. */
	fcntl(fds[1], F_SETPIPE_SZ, PROC_ERRPIPE);
	return 0;
}

static int proc_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int)((t.tv_sec - t0->tv_sec) * 1000 +
		     (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* What polls readable once the child has ended: its supervisor's pidfd
 * (the supervisor ends right after it, its status told), or its own. */
static int proc_wait_fd(const struct proc *p)
{
	return p->super ? p->super_fd : p->pidfd;
}

/**
 * proc_poll() - whether the child has ended, waiting up to @timeout_ms
 * @p:		child
 * @fd:		another descriptor to look at, or -1; a wait ends when it
 *		is readable too
 * @timeout_ms:	0 to only look
 * @fd_ready:	set to whether @fd is readable (or at its end); may be NULL
 *
 * Return: 1 when the child has ended, 0 when not, or a negative errno.
 */
int proc_poll(const struct proc *p, int fd, int timeout_ms, int *fd_ready)
{
	int wfd = proc_wait_fd(p);
	struct pollfd pfd[2] = { { wfd, POLLIN, 0 }, { fd, POLLIN, 0 } };
	struct timespec t0;
	int left = timeout_ms, r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((r = poll(pfd, 2, left)) < 0) {
		if (errno != EINTR)
			return -errno;
		left = timeout_ms - proc_ms_since(&t0);
		if (left < 0)
			left = 0;
	}
	if (fd_ready)
		*fd_ready = fd >= 0 && pfd[1].revents;
	return wfd >= 0 && (pfd[0].revents & (POLLIN | POLLHUP)) ? 1 : 0;
}

/**
 * proc_signal() - send @sig to the child and its process group, never to
 * a process that took its pid after it was reaped
 * @p:		child, not reaped by proc_reap() (it may be a zombie, or
 *		reaped by its supervisor, which then is a zombie)
 * @sig:	signal
 *
 * The group gets @sig also when the child has ended: what it started in
 * its session (it called setsid()) ends with it. The supervisor is not in
 * that group and gets nothing: it ends when the child ends. Linux 6.9
 * signals the group through the child's pidfd, which names that group
 * even after the child was reaped; before, by number, which is safe
 * while the child is not reaped or its group still has a member (the
 * number then stays taken), and otherwise reaches nothing unless a new
 * process took the number and made itself a group leader in between.
 *
 * Return: 0, or a negative errno (-ESRCH when nothing was reached).
 */
int proc_signal(const struct proc *p, int sig)
{
	int r = 0;

	if (p->pidfd < 0)
		return -ESRCH;
	if (!syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL,
		     PIDFD_SIGNAL_PROCESS_GROUP))
		return 0;
	if (errno != EINVAL)
		return -errno; /* the group is gone */
	/* Before Linux 6.9: the child, then its group by number. */
	if (syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0))
		r = -errno;
	if (p->pid && !kill(-p->pid, sig))
		r = 0;
	return r;
}

/* A wait status, as waitpid() and the supervisor tell it. */
static void proc_end_of_status(int st, struct proc_end *end)
{
	end->known = 1;
	end->status = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
	end->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	end->core = WIFSIGNALED(st) && WCOREDUMP(st);
}

/* A child's end, as waitid() tells it. */
static void proc_end_of(const siginfo_t *si, struct proc_end *end)
{
	end->known = 1;
	if (si->si_code == CLD_EXITED)
		end->status = si->si_status;
	else
		end->signal = si->si_status;
	end->core = si->si_code == CLD_DUMPED;
}

/* The status of a child someone else reaped (a wait with __WALL of the
 * application; SIGCHLD ignored), kept by its pidfd since Linux 6.15. */
static void proc_end_from_pidfd(int pidfd, struct proc_end *end)
{
	struct proc_pidfd_info info;
	int i;

	/* The other waiter takes the zombie off the list of children
	 * before the kernel records its exit for the pidfd (release_task()):
	 * a moment later, the status is there. */
	for (i = 0; i < PROC_EXIT_INFO_TRIES; i++) {
		info = (struct proc_pidfd_info){ .mask = PROC_PIDFD_INFO_EXIT };
		if (ioctl(pidfd, PROC_PIDFD_GET_INFO, &info))
			return; /* before Linux 6.13 */
		if (info.mask & PROC_PIDFD_INFO_EXIT)
			break;
		usleep(1000);
	}
	if (info.mask & PROC_PIDFD_INFO_EXIT)
		proc_end_of_status(info.exit_code, end);
}

/* The child's exact wait status, sent by its supervisor before it ended:
 * read, or only looked at (MSG_PEEK). Return: 1 when it was there. */
static int proc_end_reported(const struct proc *p, int flags,
			     struct proc_end *end)
{
	int st;
	ssize_t n;

	do {
		n = recv(p->report, &st, sizeof(st), MSG_DONTWAIT | flags);
	} while (n < 0 && errno == EINTR);
	if (n != sizeof(st))
		return 0;
	proc_end_of_status(st, end);
	return 1;
}

/* waitid() on what ends with the child (its supervisor, or itself),
 * through its pidfd, or its pid before Linux 5.4. __WALL: the
 * supervisor's exit signal is 0. */
static int proc_waitid(const struct proc *p, siginfo_t *si, int flags)
{
	pid_t pid = p->super ? p->super : p->pid;
	int r;

	do {
		r = waitid(PROC_P_PIDFD, (id_t)proc_wait_fd(p), si,
			   flags | __WALL);
	} while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EINVAL) {
		/* Linux 5.3: no P_PIDFD, but the pid is still ours. */
		do {
			r = waitid(P_PID, (id_t)pid, si, flags | __WALL);
		} while (r < 0 && errno == EINTR);
	}
	return r < 0 ? -errno : 0;
}

/**
 * proc_status() - how a child that has ended ended, without reaping it
 * @p:		child; proc_poll() said it has ended
 * @end:	how it ended; @end->known 0 when its status went elsewhere
 *		and the kernel (before 6.15) did not keep it for the pidfd
 *
 * The child's exact status is the one its supervisor sent; when the
 * supervisor could not (it was killed first), the supervisor's own. What
 * ends with the child stays a zombie (waitid() with WNOWAIT): its pid,
 * and so the group's id when it is the child, names no other process
 * until proc_reap(), and proc_signal() can still end what the child left
 * behind.
 *
 * Return: 0, or a negative errno (then @end->known is 0).
 */
int proc_status(const struct proc *p, struct proc_end *end)
{
	siginfo_t si = { 0 };
	int r;

	*end = (struct proc_end){ 0 };
	if (!p->pid)
		return -ECHILD;
	if (p->super && proc_end_reported(p, MSG_PEEK, end))
		return 0;
	r = proc_waitid(p, &si, WEXITED | WNOWAIT | WNOHANG);
	if (r == -ECHILD)
		proc_end_from_pidfd(proc_wait_fd(p), end);
	if (r)
		return end->known ? 0 : r;
	if (!si.si_pid)
		return -EAGAIN; /* still running */
	proc_end_of(&si, end);
	return 0;
}

/**
 * proc_reap() - collect the status of a child that has ended or was sent
 * SIGKILL, and forget it
 * @p:		child; pid 0 and pidfd -1 on return
 * @end:	how it ended
 *
 * Waits on this child's supervisor (or on the child itself when it is
 * detached) only, through its pidfd, never on any other process.
 */
void proc_reap(struct proc *p, struct proc_end *end)
{
	siginfo_t si = { 0 };
	struct proc_end told = { 0 };
	int r;

	*end = (struct proc_end){ 0 };
	if (!p->pid)
		return;
	r = proc_waitid(p, &si, WEXITED);
	if (p->super && proc_end_reported(p, 0, &told))
		*end = told;
	else if (!r && si.si_pid)
		proc_end_of(&si, end);
	else
		proc_end_from_pidfd(proc_wait_fd(p), end);
	close(p->pidfd);
	if (p->super) {
		close(p->super_fd);
		close(p->report);
	}
	*p = PROC_NONE;
}

static int proc_watch_ctl(int watch, int op, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(watch, op, fd, &ev) ? -errno : 0;
}

/**
 * proc_watch_open() - one descriptor that polls readable when the child
 * ends, when its stderr has something to read, or when its socket does
 * @p:		child
 * @sock:	the socket it talks on (or a descriptor that stands for it)
 * @err_fd:	the read end of its stderr pipe, or -1
 *
 * An epoll descriptor: an application polls it as it polls any socket,
 * and a descendant of the child that keeps the socket open cannot hide the
 * child's death (a pidfd polls readable once the child has ended).
 * Level-triggered: it stays readable while one of them is.
 *
 * Return: the descriptor (close-on-exec), or a negative errno.
 */
int proc_watch_open(const struct proc *p, int sock, int err_fd)
{
	int watch = epoll_create1(EPOLL_CLOEXEC), r;

	if (watch < 0)
		return -errno;
	r = proc_watch_ctl(watch, EPOLL_CTL_ADD, sock, EPOLLIN);
	if (!r)
		r = proc_watch_ctl(watch, EPOLL_CTL_ADD, proc_wait_fd(p),
				   EPOLLIN);
	if (!r && err_fd >= 0)
		r = proc_watch_ctl(watch, EPOLL_CTL_ADD, err_fd, EPOLLIN);
	if (r) {
		close(watch);
		return r;
	}
	return watch;
}

/**
 * proc_watch_out() - whether the watch also polls readable when @sock
 * can be written to
 * @watch:	from proc_watch_open()
 * @sock:	the socket given there
 * @on:		1 to add writability, 0 to take it off
 *
 * An epoll descriptor never polls writable itself: writability of the
 * socket shows as readability of the watch, asked for only while a
 * writer waits for it (else the watch would stay readable).
 *
 * Return: 0 or a negative errno.
 */
int proc_watch_out(int watch, int sock, int on)
{
	return proc_watch_ctl(watch, EPOLL_CTL_MOD, sock,
			      EPOLLIN | (on ? EPOLLOUT : 0));
}

/**
 * proc_watch_drop() - stop watching @fd, before it is closed
 * @watch:	from proc_watch_open()
 * @fd:		a descriptor given there
 */
void proc_watch_drop(int watch, int fd)
{
	epoll_ctl(watch, EPOLL_CTL_DEL, fd, NULL);
}
