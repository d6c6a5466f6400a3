/* SPDX-License-Identifier: MIT */
/* record.h - the network plane's record of what it made: a directory per
 * network namespace, a lock, and an entry per attachment */
#ifndef SQN_SYS_RECORD_H
#define SQN_SYS_RECORD_H

#include <stddef.h>
#include <sys/types.h>

#define RECORD_RUN "/run/squib-net"
#define RECORD_PATH_MAX 400
/* Files of the namespace's directory start with '+', which no network's
 * name can. */
#define RECORD_FWD "+fwd."
#define RECORD_FWD6 "+fwd6."

int record_err(char *msg, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int record_ns(char *ns, size_t len, unsigned long long *cookie);
void record_path(char *out, const char *dir, const char *name);
int record_opendir(int at, const char *name, const char *path, mode_t mode,
		   char *msg, size_t len);
int record_lock(const char *ns, unsigned long long cookie, int timeout_ms,
		int make, char *msg, size_t len);
void record_unlock(const char *ns, int fd);
int record_each(const char *ns, int (*fn)(const char *dir, void *ctx),
		void *ctx);
int record_sweep(const char *dir, int (*gone)(const char *link));
int record_enter(const char *dir, const char *link, char *entry, size_t len,
		 int *fd);
int record_adopt(const char *dir, const char *entry, int *fd);
void record_leave(const char *dir, const char *entry, int fd);
int record_write(const char *path, const char *text, int append);
int record_get(const char *dir, const char *key, char *val, size_t len);

#endif /* SQN_SYS_RECORD_H */
