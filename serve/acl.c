// SPDX-License-Identifier: MIT
/* acl.c - the ACL of squib-net serve: who may attach where, and who the
 * peer of a control connection is (the file is read by acl_file.c) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "acl.h"
#include "acl_rules.h"

/**
 * acl_path() - the top file's name (acl.h)
 * @acl:	the ACL
 *
 * Return: the path acl_load() was given.
 */
const char *acl_path(const struct acl *acl)
{
	return acl->files[0];
}

/**
 * matches() - does @rule name @peer: its uid, its primary gid or one of
 * its supplementary groups
 * @rule:	the rule
 * @peer:	the peer
 *
 * Return: 1 or 0.
 */
static int matches(const struct acl_rule *rule, const struct acl_peer *peer)
{
	size_t i;

	switch (rule->who) {
	case ACL_WHO_ALL:
		return 1;
	case ACL_WHO_UID:
		return rule->id == peer->uid;
	case ACL_WHO_GID:
		if (rule->id == peer->gid)
			return 1;
		for (i = 0; i < peer->n_groups; i++)
			if (peer->groups[i] == rule->id)
				return 1;
	}
	return 0;
}

/**
 * acl_decide() - may @peer attach to @network, or (@forward) forward
 * ports there; one pass over the rules, keeping the first matching deny
 * and allow (for the message) and the smallest matching limit
 * @acl, @peer, @network, @max_att, @why, @len: as in acl.h
 * @forward:	only an allow line with "forward" allows
 *
 * Return: 0 allowed, -EACCES refused.
 */
static int acl_decide(const struct acl *acl, const struct acl_peer *peer,
		      const char *network, int forward, unsigned int *max_att,
		      char *why, size_t len)
{
	const struct acl_rule *r, *allow = NULL, *deny = NULL, *limit = NULL;
	const char *net = acl_network_name(network ? network : "");
	size_t i;
	int n;

	if (peer->uid == 0) {
		if (max_att)
			*max_att = ACL_UNLIMITED;
		if (len)
			snprintf(why, len, "uid 0 is always allowed");
		return 0;
	}
	for (i = 0; i < acl->n_rules; i++) {
		r = &acl->rules[i];
		if (!matches(r, peer))
			continue;
		if (r->verb == ACL_MAX_ATT) {
			if (!limit || r->max < limit->max)
				limit = r;
		} else if (!r->network[0] || !strcmp(r->network, net)) {
			if (r->verb == ACL_DENY && !deny)
				deny = r;
			else if (r->verb == ACL_ALLOW && !allow &&
				 (r->forward || !forward))
				allow = r;
		}
	}
	if (deny || !allow) {
		if (!len)
			return -EACCES;
		if (deny)
			snprintf(why, len,
				 "uid %u is denied network %s by %s:%u",
				 (unsigned int)peer->uid, net,
				 acl->files[deny->file], deny->line);
		else
			snprintf(
				why, len,
				"uid %u has no allow line for network %s%s in %s",
				(unsigned int)peer->uid, net,
				forward ? " with \"forward\"" : "",
				acl->files[0]);
		return -EACCES;
	}
	if (max_att)
		*max_att = limit ? limit->max : ACL_UNLIMITED;
	if (!len)
		return 0;
	n = snprintf(why, len, "allowed by %s:%u", acl->files[allow->file],
		     allow->line);
	if (limit && n >= 0 && (size_t)n < len)
		snprintf(why + n, len - (size_t)n,
			 "; max-attachments %u by %s:%u", limit->max,
			 acl->files[limit->file], limit->line);
	return 0;
}

/**
 * acl_check() - may @peer attach to @network (acl.h)
 * @acl, @peer, @network, @max_att, @why, @len: as in acl.h
 *
 * Return: 0 allowed, -EACCES refused.
 */
int acl_check(const struct acl *acl, const struct acl_peer *peer,
	      const char *network, unsigned int *max_att, char *why, size_t len)
{
	return acl_decide(acl, peer, network, 0, max_att, why, len);
}

/**
 * acl_check_forward() - may @peer forward ports on @network (acl.h)
 * @acl, @peer, @network, @why, @len: as in acl.h
 *
 * Return: 0 allowed, -EACCES refused.
 */
int acl_check_forward(const struct acl *acl, const struct acl_peer *peer,
		      const char *network, char *why, size_t len)
{
	return acl_decide(acl, peer, network, 1, NULL, why, len);
}

/**
 * acl_peer_from_socket() - the peer's uid, gid, pid and groups (acl.h)
 * @fd:		a connected unix socket
 * @peer:	filled; its groups allocated
 *
 * Return: 0 or -errno.
 */
int acl_peer_from_socket(int fd, struct acl_peer *peer)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred), glen = 0;
	gid_t *groups = NULL;
	int r;

	memset(peer, 0, sizeof(*peer));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen))
		return -errno;
	/* SO_PEERGROUPS (socket(7), Linux 4.13): with too small a buffer it
	 * fails with ERANGE and says the size wanted */
	for (;;) {
		if (!getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen))
			break;
		if (errno != ERANGE) {
			r = -errno;
			goto fail;
		}
		free(groups);
		groups = malloc(glen ? glen : 1);
		if (!groups) {
			r = -ENOMEM;
			goto fail;
		}
	}
	peer->uid = cred.uid;
	peer->gid = cred.gid;
	peer->pid = cred.pid;
	peer->n_groups = glen / sizeof(gid_t);
	peer->groups = peer->n_groups ? groups : NULL;
	if (!peer->n_groups)
		free(groups);
	return 0;
fail:
	free(groups);
	return r;
}

/**
 * acl_peer_release() - free the groups acl_peer_from_socket() allocated
 * @peer:	the peer
 */
void acl_peer_release(struct acl_peer *peer)
{
	free((void *)peer->groups);
	peer->groups = NULL;
	peer->n_groups = 0;
}
