/* SPDX-License-Identifier: MIT */
/* acl_rules.h - the ACL as read (acl_file.c, acl_words.c) and as decided
 * on (acl.c): private to those */
#ifndef SQN_ACL_RULES_H
#define SQN_ACL_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "svcproto.h"

enum acl_verb {
	ACL_ALLOW,
	ACL_DENY,
	ACL_MAX_ATT,
};

enum acl_who {
	ACL_WHO_ALL,
	ACL_WHO_UID,
	ACL_WHO_GID,
};

/**
 * struct acl_rule - one allow, deny or max-attachments line
 * @verb:	what it says
 * @who:	whom it names: everyone, a uid or a gid (names resolved)
 * @id:		the uid or gid
 * @network:	allow, deny: the network, "" for all
 * @max:	max-attachments: N
 * @forward:	allow: the line ends with "forward": PRINCIPAL may also
 *		forward host ports to its attachments on NETWORK
 * @file:	the file it is in, an index of acl->files
 * @line:	its line there
 */
struct acl_rule {
	enum acl_verb verb;
	enum acl_who who;
	uint32_t id;
	char network[SVC_NAME_MAX];
	unsigned int max;
	int forward;
	size_t file;
	unsigned int line;
};

/* Rules in the order they were read (includes in place), and the names of
 * the files read, which messages give; files[0] is the top file. */
struct acl {
	struct acl_rule *rules;
	size_t n_rules, cap_rules;
	char **files;
	size_t n_files;
};

/**
 * acl_network_name() - a network as the ACL compares it
 * @name:	as written or requested: "", "shared" and "host" stand for
 *		sqn-shared and sqn-host (ISSUE10.md, svcproto.h)
 *
 * Return: the bridge's name.
 */
const char *acl_network_name(const char *name);

/**
 * acl_parse_principal() - user:NAME, uid:N, group:NAME, gid:N or all
 * @tok:	the word
 * @rule:	its who and id are set
 * @why:	on failure, why ("unknown user \"bob\"")
 * @len:	size of @why
 *
 * Names are resolved now (getpwnam_r, getgrnam_r): an unknown one is an
 * error, so that a misspelt deny line does not silently deny no one.
 *
 * Return: 0, -EINVAL, or a lookup's -errno.
 */
int acl_parse_principal(const char *tok, struct acl_rule *rule, char *why,
			size_t len);

/**
 * acl_parse_network() - NETWORK or all
 * @tok:	the word
 * @out:	the bridge's name (aliases resolved), "" for all
 *
 * Return: 0 or -EINVAL.
 */
int acl_parse_network(const char *tok, char out[SVC_NAME_MAX]);

/**
 * acl_parse_number() - a decimal number, digits only
 * @s:		the word
 * @max:	the largest allowed
 * @out:	the number
 *
 * Return: 0, or -EINVAL when @s is empty, has anything but digits or is
 * over @max.
 */
int acl_parse_number(const char *s, uint32_t max, uint32_t *out);

#endif /* SQN_ACL_RULES_H */
