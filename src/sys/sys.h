/* SPDX-License-Identifier: MIT */
/* sys.h - the OS services the portable code needs, one file per OS behind it */
#ifndef SQN_SYS_H
#define SQN_SYS_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/**
 * struct sys_mmsg - one datagram of a batch: a message and the bytes it
 *		carried (set by sys_recvmmsg())
 * @msg_hdr:	the message
 * @msg_len:	bytes received; with MSG_TRUNC, the datagram's real length
 *
 * The layout of Linux's struct mmsghdr, which is not POSIX: sys_linux.c
 * hands an array of these to recvmmsg()/sendmmsg() as it is (it checks the
 * layouts match), other systems loop over recvmsg()/sendmsg().
 */
struct sys_mmsg {
	struct msghdr msg_hdr;
	unsigned int msg_len;
};

int sys_random(void *buf, size_t len);
int sys_wake_open(void);
void sys_wake_set(int fd);
void sys_wake_clear(int fd);
void sys_wake_close(int fd);
/* What sys_watch_set() watches a descriptor for. */
#define SYS_WATCH_IN 1
#define SYS_WATCH_OUT 2

int sys_watch_open(void);
int sys_watch_set(int watch, int fd, int events);
int sys_dup_cloexec(int fd);
int sys_unix_connect(const char *path, int type);
ssize_t sys_sendmsg(int fd, const struct msghdr *msg);
ssize_t sys_recv(int fd, void *buf, size_t len, int flags);
int sys_recvmmsg(int fd, struct sys_mmsg *msgs, unsigned int n, int flags);
int sys_read_line(const char *path, char *buf, size_t len);
int sys_sendmmsg(int fd, struct sys_mmsg *msgs, unsigned int n);
const char *sys_getenv_secure(const char *name);
int sys_ipv6_off(const char *iface);
int sys_net_admin(void);
int sys_bind_try(int type, const struct sockaddr *sa, socklen_t len);

#endif /* SQN_SYS_H */
