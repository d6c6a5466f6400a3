/* SPDX-License-Identifier: MIT */
/* harness.h - a tiny test runner: each TEST runs in its own child process */
#ifndef SQN_HARNESS_H
#define SQN_HARNESS_H

#include <stdio.h>
#include <stdlib.h>

typedef void (*harness_fn)(void);

void harness_register(const char *name, harness_fn fn);
void harness_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* Call @fn when a check fails, before the test's process ends: it closes
 * what must not outlive the test (a network's dnsmasq, say). */
void harness_at_fail(void (*fn)(void));

/* TEST(name) { ... } defines and registers a test. */
#define TEST(name)                                                     \
	static void name(void);                                        \
	__attribute__((constructor)) static void name##_register(void) \
	{                                                              \
		harness_register(#name, name);                         \
	}                                                              \
	static void name(void)

#define CHECK(cond)                                                    \
	do {                                                           \
		if (!(cond))                                           \
			harness_fail(__FILE__, __LINE__, "%s", #cond); \
	} while (0)

#define CHECK_MSG(cond, ...)                                           \
	do {                                                           \
		if (!(cond))                                           \
			harness_fail(__FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

#define CHECK_EQ(a, b)                                                     \
	do {                                                               \
		long long a_ = (long long)(a), b_ = (long long)(b);        \
		if (a_ != b_)                                              \
			harness_fail(__FILE__, __LINE__,                   \
				     "%s == %s: %lld != %lld", #a, #b, a_, \
				     b_);                                  \
	} while (0)

/* How long a test waits for what should happen at once (a process to end,
 * a line to be logged): a loaded CI machine can take seconds. Waits end as
 * soon as it happened, so passing runs do not get slower. */
#define WAIT_MS 10000

/* Open file descriptors of this process. */
int harness_fd_count(void);

/* Wait up to @ms for process @pid to end: gone, or a zombie (not running,
 * whoever reaps it). Return: 1 once it ended, 0 if it still runs. */
int harness_proc_ended(int pid, int ms);

#endif /* SQN_HARNESS_H */
