/* SPDX-License-Identifier: MIT */
/* helper.h - the userspace mode's helper process, shared by its three files */
#ifndef SQN_HELPER_H
#define SQN_HELPER_H

#include <stddef.h>

#include "forward.h"
#include "net.h"
#include "sys/proc.h"

#define HELPER_LINE_MAX 512 /* longer stderr lines are cut */
#define HELPER_DRAIN_LOOK 16 /* reads of stderr per look while it runs */
#define HELPER_DRAIN_END 4096 /* at its end: 2 MiB, more than the pipe */

/**
 * struct helper_profile - how one kind of helper is started
 * @name:	its program name: looked up in PATH, used in messages and
 *		as its argv[0] (passt's argv[0] chooses passt or pasta)
 * @env:	environment variable that may hold its path
 * @framing:	what it speaks on the socket
 * @framing_name: that framing, for messages
 * @mtu:	its own default MTU; 0: the largest the framing carries
 * @mtu_min:	the smallest MTU it takes; 0: any the library takes
 * @mtu_max:	the largest; 0: any the library takes
 * @libexec:	also looked up in SQN_LIBEXECDIR, before PATH (ours)
 */
struct helper_profile {
	const char *name;
	const char *env;
	enum sqn_framing framing;
	const char *framing_name;
	uint32_t mtu;
	uint32_t mtu_min;
	uint32_t mtu_max;
	int libexec;
};

/* Indexed by enum sqn_helper; the custom one has no name. */
extern const struct helper_profile helper_profiles[];

/**
 * struct helper - a helper process and what the attachment keeps of it
 * @kind:	passt, gvproxy or custom
 * @name:	for messages: the profile's name, or the custom binary's
 * @path:	the binary
 * @proc:	the process until it is reaped at close (it stays a zombie
 *		once it has ended, so that its group can still be signalled)
 * @pid:	its pid, kept for messages after it was reaped
 * @end:	how it ended, once @ended
 * @ended:	it has ended and @end was read
 * @sock:	the child's end of the socketpair, until the child has it
 * @link:	what the stream code polls for the library's end (its socket)
 * @watch:	what sqn_fd() returns: readable on @link, the end of the
 *		process and its stderr (proc_watch_open()), or -1
 * @out_on:	@watch also wakes on @link's writability
 * @blocked:	the caller was told to wait for room (a short count or
 *		-EAGAIN from sqn_send() or sqn_flush())
 * @err_fd:	read end of the pipe on its stderr, -1 after the pipe's end
 * @mtu_asked:	the MTU the caller configured (0: none), passed to the helper
 * @in_usage:	its stderr is in the middle of a usage text
 * @err_len:	bytes in @err_buf, a line not finished yet
 * @err_buf:	stderr being cut into lines
 * @last:	the last meaningful line it wrote to stderr (its complaint)
 */
struct helper {
	enum sqn_helper kind;
	char name[64];
	char path[SQN_PATH_MAX + 1];
	struct proc proc;
	pid_t pid;
	struct proc_end end;
	int ended;
	int sock;
	int link;
	int watch;
	int out_on;
	int blocked;
	int err_fd;
	uint32_t mtu_asked;
	int in_usage;
	size_t err_len;
	char err_buf[HELPER_LINE_MAX];
	char last[HELPER_LINE_MAX + 1];
};

/* One forward as a helper's argument (forward.h's FORWARD_STRLEN). */
#define HELPER_FWD_ARG_MAX FORWARD_STRLEN

int helper_find(struct sqn_net *net, struct helper *h);
enum sqn_helper helper_default(const struct sqn_config *cfg);
void helper_drain(struct sqn_net *net, struct helper *h, int reads);
void helper_status(const struct helper *h, char *buf, size_t len);
const char *helper_last_intro(const struct helper *h);
int helper_fwd_config(const struct sqn_config *cfg, enum sqn_helper kind,
		      char *msg, size_t msglen);
int helper_fwd_try(struct sqn_net *net);
unsigned int helper_fwd_args(const struct sqn_net *net, enum sqn_helper kind,
			     char **argv, char (*buf)[HELPER_FWD_ARG_MAX]);

#endif /* SQN_HELPER_H */
