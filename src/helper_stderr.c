// SPDX-License-Identifier: MIT
/* helper_stderr.c - a helper's stderr: lines to the log, its complaint kept */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "helper.h"

/* Whether @len bytes at @s begin with @p, ignoring case. */
static int helper_starts(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && !strncasecmp(s, p, n);
}

/* Whether @len bytes at @s end with @p. */
static int helper_ends(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && !memcmp(s + len - n, p, n);
}

/* Whether @len bytes at @s hold @p (memmem() is not POSIX). */
static int helper_has(const char *s, size_t len, const char *p)
{
	size_t i, n = strlen(p);

	for (i = 0; i + n <= len; i++)
		if (!memcmp(s + i, p, n))
			return 1;
	return 0;
}

/*
 * Lines that are not the helper's complaint: passt 2023.03 follows every
 * line with "Failed to send N bytes to syslog" when no syslog daemon
 * listens (a container, a test namespace), and after a bad option it
 * prints its complaint, then a usage text of a hundred lines; gvproxy
 * (Go's flag package) does the same with "Usage of gvproxy:". GNU-style
 * programs add "Try 'PROG --help' for more information.".
 */
static int helper_noise(const char *s, size_t len)
{
	return helper_starts(s, len, "Failed to send ") &&
	       helper_ends(s, len, " to syslog");
}

static int helper_usage(struct helper *h, const char *s, size_t len)
{
	if (helper_starts(s, len, "usage:") ||
	    helper_starts(s, len, "usage of ")) {
		h->in_usage = 1;
		return 1;
	}
	if (helper_starts(s, len, "Try '") && helper_has(s, len, "--help"))
		return 1;
	/* A usage text goes on with indented lines and option lines. */
	if (h->in_usage && (isspace((unsigned char)s[0]) || s[0] == '-'))
		return 1;
	h->in_usage = 0;
	return 0;
}

/* Pass one line of the helper's stderr on, and keep it as the last
 * unless it is noise, blank, or part of a usage text. */
static void helper_line(struct sqn_net *net, struct helper *h, const char *s,
			size_t len)
{
	size_t i;

	if (len && s[len - 1] == '\r')
		len--;
	/* A syslog priority, "<3>", as sd-daemon(3) loggers write. */
	if (len > 2 && s[0] == '<' && isdigit((unsigned char)s[1])) {
		for (i = 1; i < len && i < 5 && isdigit((unsigned char)s[i]);)
			i++;
		if (i < len && s[i] == '>') {
			s += i + 1;
			len -= i + 1;
		}
	}
	for (i = 0; i < len && isspace((unsigned char)s[i]); i++)
		;
	if (i == len)
		return;
	if (helper_noise(s, len)) {
		net_log(net, SQN_LOG_DEBUG, "helper %s: %.*s", h->name,
			(int)len, s);
		return;
	}
	net_log(net, SQN_LOG_INFO, "helper %s: %.*s", h->name, (int)len, s);
	if (helper_usage(h, s, len))
		return;
	memcpy(h->last, s, len);
	h->last[len] = '\0';
}

/* Cut complete lines off the front of the stderr buffer. */
static void helper_cut(struct sqn_net *net, struct helper *h, int at_end)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(h->err_buf + start, '\n', h->err_len - start))) {
		size_t len = (size_t)(nl - (h->err_buf + start));

		helper_line(net, h, h->err_buf + start, len);
		start += len + 1;
	}
	/* A line longer than the buffer, or the unfinished last one. */
	if (start < h->err_len &&
	    (at_end || (!start && h->err_len == sizeof(h->err_buf)))) {
		helper_line(net, h, h->err_buf + start, h->err_len - start);
		start = h->err_len;
	}
	memmove(h->err_buf, h->err_buf + start, h->err_len - start);
	h->err_len -= start;
}

/**
 * helper_drain() - read what the helper wrote to stderr, without waiting
 * @net:	attachment
 * @h:		its helper
 * @reads:	at most this many reads: HELPER_DRAIN_LOOK while it runs,
 *		HELPER_DRAIN_END once it has ended (its complaint may follow
 *		pages of output)
 *
 * Lines go to the log callback at SQN_LOG_INFO, "helper NAME: line"
 * (passt's syslog noise at SQN_LOG_DEBUG). At the pipe's end its read
 * end is closed and leaves the watch.
 */
void helper_drain(struct sqn_net *net, struct helper *h, int reads)
{
	int i;

	for (i = 0; h->err_fd >= 0 && i < reads; i++) {
		ssize_t m = read(h->err_fd, h->err_buf + h->err_len,
				 sizeof(h->err_buf) - h->err_len);

		if (m < 0 && errno == EINTR)
			continue;
		if (m < 0)
			return;
		if (!m) {
			helper_cut(net, h, 1);
			if (h->watch >= 0)
				proc_watch_drop(h->watch, h->err_fd);
			close(h->err_fd);
			h->err_fd = -1;
			return;
		}
		h->err_len += (size_t)m;
		helper_cut(net, h, 0);
	}
}

/**
 * helper_status() - how the helper ended, in words: "exited with status
 * 1", "killed by signal 9 (Killed)", ...
 * @h:		helper that ended
 * @buf:	the words
 * @len:	bytes of @buf
 */
void helper_status(const struct helper *h, char *buf, size_t len)
{
	if (!h->end.known)
		snprintf(
			buf, len,
			"ended, its status taken by another wait (is SIGCHLD ignored?)");
	else if (h->end.signal)
		snprintf(buf, len, "killed by signal %d (%s)%s", h->end.signal,
			 strsignal(h->end.signal),
			 h->end.core ? ", core dumped" : "");
	else
		snprintf(buf, len, "exited with status %d", h->end.status);
}

/**
 * helper_last_intro() - what goes before helper->last in a message
 * @h:		helper
 *
 * Return: "; its last stderr line: ", or "" when it said nothing.
 */
const char *helper_last_intro(const struct helper *h)
{
	return h->last[0] ? "; its last stderr line: " : "";
}
