/* SPDX-License-Identifier: MIT */
/* sys.h - the OS services the portable code needs, one file per OS behind it */
#ifndef SQN_SYS_H
#define SQN_SYS_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

int sys_random(void *buf, size_t len);
int sys_wake_open(void);
void sys_wake_set(int fd);
void sys_wake_clear(int fd);
void sys_wake_close(int fd);
int sys_dup_cloexec(int fd);
int sys_unix_connect(const char *path, int type);
ssize_t sys_sendmsg(int fd, const struct msghdr *msg);
ssize_t sys_recv(int fd, void *buf, size_t len, int flags);
int sys_recvmmsg(int fd, struct mmsghdr *msgs, unsigned int n, int flags);
int sys_read_line(const char *path, char *buf, size_t len);
int sys_sendmmsg(int fd, struct mmsghdr *msgs, unsigned int n);
int sys_ipv6_off(const char *iface);
int sys_net_admin(void);

#endif /* SQN_SYS_H */
