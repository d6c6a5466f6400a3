// SPDX-License-Identifier: MIT
/* log.c - the program's messages on stderr; the library's through log_lib() */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int log_verbose;

static void vlog(int level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void vlog(int level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = { "error: ", "warning: ", "",
					      "debug: " };
	char line[1024];
	int n;

	if (level > 2 && !log_verbose)
		return;
	n = snprintf(line, sizeof(line), "squib-net: %s", prefix[level & 3]);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	/* One write, so that lines of the guest and ours do not mix. */
	n = (int)strlen(line);
	line[n++] = '\n';
	fwrite(line, 1, (size_t)n, stderr);
}

/**
 * log_msg() - one line on stderr
 * @level:	0 error, 1 warning, 2 info, 3 debug (only with --verbose)
 * @fmt:	printf format
 */
void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

/**
 * die() - print an error and exit with status 1
 * @fmt:	printf format
 */
void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(0, fmt, ap);
	va_end(ap);
	exit(1);
}

/**
 * log_lib() - sqn_log_fn that sends the library's messages to the log
 * @ctx:	unused
 * @level:	enum sqn_log_level
 * @msg:	the line
 *
 * Library errors are also returned to the caller, which reports them;
 * so here they only show with --verbose.
 */
void log_lib(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (log_verbose)
		log_msg(3, "lib[%d]: %s", level, msg);
}
