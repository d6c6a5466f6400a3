/* SPDX-License-Identifier: MIT */
/* log.h - the program's messages: concise by default, more with --verbose */
#ifndef SQN_CLI_LOG_H
#define SQN_CLI_LOG_H

extern int log_verbose;

void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void log_lib(void *ctx, int level, const char *msg);

#define err(...) log_msg(0, __VA_ARGS__)
#define warn(...) log_msg(1, __VA_ARGS__)
#define info(...) log_msg(2, __VA_ARGS__)
#define debug(...) log_msg(3, __VA_ARGS__)

#endif /* SQN_CLI_LOG_H */
