// SPDX-License-Identifier: MIT
/* acl_words.c - the words of an ACL line: principals (user and group names
 * resolved here), networks, numbers */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl_rules.h"

/**
 * said() - write a message into @why
 * @why:	the buffer
 * @len:	its size
 * @err:	what to return
 * @fmt:	printf format
 *
 * Return: @err.
 */
__attribute__((format(printf, 4, 5))) static int
said(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err;
}

/**
 * acl_network_name() - a network's bridge name, aliases resolved
 * (acl_rules.h)
 * @name:	as written or requested
 *
 * Return: @name, or the name it stands for.
 */
const char *acl_network_name(const char *name)
{
	if (!*name || !strcmp(name, "shared"))
		return "sqn-shared";
	if (!strcmp(name, "host"))
		return "sqn-host";
	return name;
}

/**
 * acl_parse_number() - a decimal number, digits only
 * @s:		the text
 * @max:	the largest allowed
 * @out:	the number
 *
 * Return: 0, or -EINVAL when @s is empty, has anything but digits or is
 * over @max.
 */
int acl_parse_number(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

/**
 * not_found() - does a getpwnam_r/getgrnam_r error mean "no such name":
 * 0 with no result, and these (getpwnam_r(3), NOTES)
 * @err:	its return value
 *
 * Return: 1 or 0.
 */
static int not_found(int err)
{
	return err == 0 || err == ENOENT || err == ESRCH || err == EBADF ||
	       err == EPERM;
}

/**
 * lookup_name() - resolve a user or group name, once, when the file is read
 * @group:	0 a user, 1 a group
 * @name:	the name
 * @id:		its uid or gid
 *
 * Return: 0, -ENOENT when there is no such name, or the lookup's -errno.
 */
static int lookup_name(int group, const char *name, uint32_t *id)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	size_t size = 1024;
	char *buf = NULL, *bigger;
	int err;

	for (;;) {
		bigger = realloc(buf, size);
		if (!bigger) {
			err = ENOMEM;
			goto out;
		}
		buf = bigger;
		if (group)
			err = getgrnam_r(name, &gr, buf, size, &grp);
		else
			err = getpwnam_r(name, &pw, buf, size, &pwp);
		if (err != ERANGE || size >= 1024 * 1024)
			break;
		size *= 2;
	}
	if (grp || pwp) {
		*id = grp ? grp->gr_gid : pwp->pw_uid;
		err = 0;
	} else if (not_found(err)) {
		err = ENOENT;
	}
out:
	free(buf);
	return -err;
}

/**
 * acl_parse_principal() - user:NAME, uid:N, group:NAME, gid:N or all
 * @tok:	the text
 * @rule:	who and id are set
 * @why:	on failure, why
 * @len:	size of @why
 *
 * Return: 0, -EINVAL, or a lookup's -errno.
 */
int acl_parse_principal(const char *tok, struct acl_rule *rule, char *why,
			size_t len)
{
	static const struct {
		const char *prefix;
		enum acl_who who;
		int by_name;
	} kinds[] = {
		{ "user:", ACL_WHO_UID, 1 },
		{ "uid:", ACL_WHO_UID, 0 },
		{ "group:", ACL_WHO_GID, 1 },
		{ "gid:", ACL_WHO_GID, 0 },
	};
	const char *what, *value;
	size_t i, n;
	int r;

	if (!strcmp(tok, "all")) {
		rule->who = ACL_WHO_ALL;
		rule->id = 0;
		return 0;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		n = strlen(kinds[i].prefix);
		if (!strncmp(tok, kinds[i].prefix, n))
			break;
	}
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return said(why, len, -EINVAL,
			    "bad principal \"%s\" (user:NAME, uid:N, "
			    "group:NAME, gid:N or all)",
			    tok);
	rule->who = kinds[i].who;
	value = tok + n;
	what = kinds[i].who == ACL_WHO_UID ? "user" : "group";
	if (!kinds[i].by_name) {
		/* (uid_t)-1 is no one's: chown(2) and setreuid(2) take it as
		 * "unchanged" */
		if (acl_parse_number(value, UINT32_MAX - 1, &rule->id))
			return said(why, len, -EINVAL, "bad %s \"%s\"",
				    kinds[i].prefix[0] == 'u' ? "uid" : "gid",
				    value);
		return 0;
	}
	if (!*value)
		return said(why, len, -EINVAL, "no %s name after \"%s\"", what,
			    kinds[i].prefix);
	r = lookup_name(kinds[i].who == ACL_WHO_GID, value, &rule->id);
	/* user:1000 where uid:1000 was meant */
	if (r == -ENOENT && !value[strspn(value, "0123456789")])
		return said(why, len, -EINVAL,
			    "unknown %s \"%s\" (for a number, write %s:%s)",
			    what, value,
			    kinds[i].who == ACL_WHO_UID ? "uid" : "gid", value);
	if (r == -ENOENT)
		return said(why, len, -EINVAL, "unknown %s \"%s\"", what,
			    value);
	if (r)
		return said(why, len, r, "cannot look up %s \"%s\": %s", what,
			    value, strerror(-r));
	return 0;
}

/**
 * acl_parse_network() - NETWORK or all
 * @tok:	the text
 * @out:	the bridge's name, "" for all
 *
 * A network is a bridge's (or bridged NIC's) name: at most 15 bytes of
 * letters, digits, '_', '.' and '-', not "." or "..".
 *
 * Return: 0 or -EINVAL.
 */
int acl_parse_network(const char *tok, char out[SVC_NAME_MAX])
{
	const char *name;
	size_t n;

	if (!strcmp(tok, "all")) {
		out[0] = '\0';
		return 0;
	}
	name = acl_network_name(tok);
	n = strlen(name);
	if (!n || n >= SVC_NAME_MAX || !strcmp(name, ".") ||
	    !strcmp(name, "..") ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
		return -EINVAL;
	memcpy(out, name, n + 1);
	return 0;
}
