/* SPDX-License-Identifier: MIT */
/* acl.h - who may attach to which network of squib-net serve: the ACL file
 * (/etc/squib-net/acl.conf, format in docs/acl.md) and the decision */
#ifndef SQN_ACL_H
#define SQN_ACL_H

#include <stddef.h>
#include <sys/types.h>

/* Where the service reads its ACL unless told otherwise. */
#define ACL_PATH_DEFAULT "/etc/squib-net/acl.conf"
/* The longest line, with its newline; a longer one is a syntax error. */
#define ACL_LINE_MAX 1024
/* How deep includes nest (the top file is depth 0), how many files one
 * load reads in all (an include read twice counts twice), how big each may
 * be and how many rules they hold: bounds, so that a load always ends. */
#define ACL_INCLUDE_DEPTH 8
#define ACL_FILES_MAX 128
#define ACL_FILE_SIZE_MAX (1024 * 1024)
#define ACL_RULES_MAX 100000
/* The largest max-attachments N; *max_att when no line limits a peer. */
#define ACL_MAX_ATT_LIMIT 100000
#define ACL_UNLIMITED ((unsigned int)-1)

struct acl;

/**
 * struct acl_peer - a client, as its control connection identifies it
 * @uid:	its uid (SO_PEERCRED)
 * @gid:	its primary gid (SO_PEERCRED)
 * @pid:	its pid (SO_PEERCRED), only for messages and logs
 * @groups:	its supplementary groups, NULL when @n_groups is 0
 * @n_groups:	how many
 */
struct acl_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	const gid_t *groups;
	size_t n_groups;
};

/**
 * acl_load() - read an ACL file and the files it includes
 * @path:	the file
 * @out:	the ACL, on success; untouched otherwise
 * @msg:	on failure, "FILE:LINE: why" (or "FILE: why" when the file
 *		itself cannot be read), truncated to @len
 * @len:	size of @msg
 *
 * Side-effect free but for reading: a service that fails to reload keeps
 * the ACL it has. User and group names are resolved here, once.
 *
 * Return: 0, -EINVAL on a syntax error (an unknown user or group name is
 * one), -errno when a file cannot be read (-ENOENT: @path is missing, for
 * the caller to decide what that means), -ENOMEM.
 */
int acl_load(const char *path, struct acl **out, char *msg, size_t len);

/**
 * acl_load_text() - acl_load() of text already read, as if file @name held
 * it (the fuzzer's entry point); includes are read from files relative to
 * @name's directory as usual
 * @name:	the name messages give it
 * @text:	the text, not NUL-terminated
 * @size:	its length
 * @out, @msg, @len: as for acl_load()
 *
 * Return: as acl_load().
 */
int acl_load_text(const char *name, const char *text, size_t size,
		  struct acl **out, char *msg, size_t len);

/**
 * acl_free() - free an ACL
 * @acl:	the ACL, or NULL
 */
void acl_free(struct acl *acl);

/**
 * acl_check() - may a peer attach to a network
 * @acl:	the ACL
 * @peer:	the peer
 * @network:	the network's name; "", "shared" and "host" stand for
 *		sqn-shared and sqn-host as in requests
 * @max_att:	on success, the most attachments the peer's uid may hold at
 *		once (the smallest max-attachments matching the peer), or
 *		ACL_UNLIMITED; NULL when not wanted
 * @why:	the reason, for the client to see when refused, for the log
 *		when allowed ("allowed by FILE:LINE", then "; max-attachments
 *		N by FILE:LINE" when a limit applies)
 * @len:	size of @why
 *
 * Default deny; a matching deny line wins over any allow line. uid 0 is
 * always allowed without a limit: it could make the TAP itself.
 * No I/O, no lookup: safe to call for every request.
 *
 * Return: 0 allowed, -EACCES refused.
 */
int acl_check(const struct acl *acl, const struct acl_peer *peer,
	      const char *network, unsigned int *max_att, char *why,
	      size_t len);

/**
 * acl_check_forward() - may a peer forward host ports to its attachments
 * on a network: as acl_check(), but only an allow line that ends with
 * "forward" allows it (deny still wins, uid 0 always may)
 * @acl, @peer, @network, @why, @len: as for acl_check()
 *
 * Return: 0 allowed, -EACCES refused.
 */
int acl_check_forward(const struct acl *acl, const struct acl_peer *peer,
		      const char *network, char *why, size_t len);

/**
 * acl_path() - the file an ACL was read from
 * @acl:	the ACL
 *
 * Return: its path, as acl_load() was given it.
 */
const char *acl_path(const struct acl *acl);

/**
 * acl_peer_from_socket() - identify the peer of a connected unix socket
 * @fd:		the socket
 * @peer:	filled: uid, gid and pid from SO_PEERCRED, the supplementary
 *		groups from SO_PEERGROUPS (allocated; acl_peer_release())
 *
 * Both are the credentials the kernel took when the peer connected (or
 * made the socketpair), so no race with the peer's pid being reused; a
 * peer in another user namespace shows unmapped ids as the overflow id.
 *
 * Return: 0 or -errno.
 */
int acl_peer_from_socket(int fd, struct acl_peer *peer);

/**
 * acl_peer_release() - free what acl_peer_from_socket() allocated
 * @peer:	the peer; its groups are cleared
 */
void acl_peer_release(struct acl_peer *peer);

#endif /* SQN_ACL_H */
