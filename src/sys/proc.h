/* SPDX-License-Identifier: MIT */
/* proc.h - child processes: start one on a socket, watch it, reap it */
#ifndef SQN_PROC_H
#define SQN_PROC_H

#include <sys/types.h>

/* The descriptor number of the socket in a child that keeps its stdio. */
#define PROC_SOCK_FD 3

/**
 * struct proc_spec - how to start a child
 * @path:	the executable
 * @argv:	NULL-terminated arguments, argv[0] included
 * @sock:	the socket the child talks on
 * @sock_stdio:	1: the socket is the child's stdin and stdout; 0: it is
 *		descriptor PROC_SOCK_FD, stdin is /dev/null and stdout goes
 *		where stderr goes
 * @err_fd:	the child's stderr (the write end of a pipe)
 * @detach:	1: no PDEATHSIG, the child outlives its starter (a server
 *		that other processes share, stopped by the last of them)
 */
struct proc_spec {
	const char *path;
	char *const *argv;
	int sock;
	int sock_stdio;
	int err_fd;
	int detach;
};

/**
 * struct proc - a child under supervision
 * @pid:	its process id; 0 when there is none (never started, reaped)
 * @pidfd:	a descriptor of it, which signals reach it and its group by
 * @super:	the pid of its supervisor, whose child it is; 0 for a
 *		detached child, which is the starter's own
 * @super_fd:	the supervisor's pidfd: polls readable once the child has
 *		ended and the supervisor with it
 * @report:	the supervisor's socket: the child's wait status comes there
 *
 * PROC_NONE is a child that is not there.
 */
struct proc {
	pid_t pid;
	int pidfd;
	pid_t super;
	int super_fd;
	int report;
};

#define PROC_NONE                       \
	((struct proc){ .pid = 0,       \
			.pidfd = -1,    \
			.super = 0,     \
			.super_fd = -1, \
			.report = -1 })

/**
 * struct proc_end - how a child ended
 * @known:	0 when its status went elsewhere (SIGCHLD ignored, or the
 *		application reaped it with wait(-1)) and the kernel, before
 *		6.15, kept none for the pidfd
 * @signal:	the signal that killed it; 0 when it exited
 * @status:	its exit status
 * @core:	it dumped core
 */
struct proc_end {
	int known;
	int signal;
	int status;
	int core;
};

int proc_socketpair(int sv[2]);
int proc_pipe(int fds[2]);
int proc_spawn(const struct proc_spec *spec, struct proc *p, const char **step);
int proc_poll(const struct proc *p, int fd, int timeout_ms, int *fd_ready);
int proc_signal(const struct proc *p, int sig);
int proc_status(const struct proc *p, struct proc_end *end);
void proc_reap(struct proc *p, struct proc_end *end);

int proc_watch_open(const struct proc *p, int sock, int err_fd);
int proc_watch_out(int watch, int sock, int on);
void proc_watch_drop(int watch, int fd);

#endif /* SQN_PROC_H */
