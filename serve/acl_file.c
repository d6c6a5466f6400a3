// SPDX-License-Identifier: MIT
/* acl_file.c - reading acl.conf and the files it includes into rules
 * (format in docs/acl.md) */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl.h"
#include "acl_rules.h"

/* The files being read from disk, from the top one down to the current
 * include: a file found here again is an include cycle. */
struct acl_open_file {
	dev_t dev;
	ino_t ino;
};

struct acl_loader {
	struct acl *acl;
	char *msg;
	size_t len;
	struct acl_open_file stack[ACL_INCLUDE_DEPTH + 1];
	unsigned int depth;
	unsigned int nest;
	size_t files_read;
};

static int load_file(struct acl_loader *ld, const char *path, const char *from,
		     unsigned int from_line);

/**
 * say() - write a message into the loader's buffer
 * @ld:		the loader
 * @err:	what to return
 * @fmt:	printf format
 *
 * Return: @err.
 */
__attribute__((format(printf, 3, 4))) static int
say(struct acl_loader *ld, int err, const char *fmt, ...)
{
	va_list ap;

	if (ld->len) {
		va_start(ap, fmt);
		vsnprintf(ld->msg, ld->len, fmt, ap);
		va_end(ap);
	}
	return err;
}

/**
 * add_file() - remember a file's name for messages
 * @ld:		the loader
 * @path:	the name
 *
 * Return: its index in acl->files, or -ENOMEM.
 */
static long add_file(struct acl_loader *ld, const char *path)
{
	struct acl *acl = ld->acl;
	char **files, *copy;

	files = realloc(acl->files, (acl->n_files + 1) * sizeof(*files));
	if (!files)
		return -ENOMEM;
	acl->files = files;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	files[acl->n_files] = copy;
	return (long)acl->n_files++;
}

/**
 * add_rule() - append a rule, within ACL_RULES_MAX
 * @ld:		the loader
 * @rule:	the rule
 *
 * Return: 0, -EINVAL with a message, -ENOMEM.
 */
static int add_rule(struct acl_loader *ld, const struct acl_rule *rule)
{
	struct acl *acl = ld->acl;
	struct acl_rule *rules;
	size_t cap;

	if (acl->n_rules == ACL_RULES_MAX)
		return say(ld, -EINVAL, "%s:%u: more than %d rules in all",
			   acl->files[rule->file], rule->line, ACL_RULES_MAX);
	if (acl->n_rules == acl->cap_rules) {
		cap = acl->cap_rules ? acl->cap_rules * 2 : 16;
		rules = realloc(acl->rules, cap * sizeof(*rules));
		if (!rules)
			return -ENOMEM;
		acl->rules = rules;
		acl->cap_rules = cap;
	}
	acl->rules[acl->n_rules++] = *rule;
	return 0;
}

/**
 * include() - read an included file, relative to the including file's
 * directory unless absolute
 * @ld:		the loader
 * @from:	the including file's name
 * @line:	the include's line
 * @name:	the included file, as written
 *
 * Return: 0 or -errno with a message.
 */
static int include(struct acl_loader *ld, const char *from, unsigned int line,
		   const char *name)
{
	char path[4096];
	const char *slash = strrchr(from, '/');
	int dirlen = slash ? (int)(slash - from) : 1, n;

	/* @from is at level ld->nest - 1, the top file at 0 */
	if (ld->nest > ACL_INCLUDE_DEPTH)
		return say(ld, -EINVAL,
			   "%s:%u: includes nested more than %d deep", from,
			   line, ACL_INCLUDE_DEPTH);
	if (name[0] == '/')
		n = snprintf(path, sizeof(path), "%s", name);
	else if (slash == from)
		n = snprintf(path, sizeof(path), "/%s", name);
	else
		n = snprintf(path, sizeof(path), "%.*s/%s", dirlen,
			     slash ? from : ".", name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return say(ld, -EINVAL, "%s:%u: include path too long", from,
			   line);
	return load_file(ld, path, from, line);
}

/**
 * tokens() - split a line at blanks; a word starting with '#' starts a
 * comment
 * @line:	the line, NUL-terminated, split in place
 * @tok:	the words: room for @max + 1
 * @max:	how many words are wanted
 *
 * Return: how many words, up to @max + 1 (the one after @max, stored too,
 * is what a message calls unexpected).
 */
static size_t tokens(char *line, char **tok, size_t max)
{
	static const char blank[] = " \t\r\v\f";
	size_t n = 0;
	char *p = line;

	while (n <= max) {
		p += strspn(p, blank);
		if (!*p || *p == '#')
			break;
		tok[n++] = p;
		p += strcspn(p, blank);
		if (*p)
			*p++ = '\0';
	}
	return n;
}

/**
 * parse_line() - one line of a file
 * @ld:		the loader
 * @file:	the file's index in acl->files
 * @lineno:	the line's number
 * @line:	its text, NUL-terminated, without its newline
 *
 * Return: 0 or -errno with a message.
 */
static int parse_line(struct acl_loader *ld, size_t file, unsigned int lineno,
		      char *line)
{
	const char *name = ld->acl->files[file];
	struct acl_rule rule = { .file = file, .line = lineno };
	char *tok[5], where[4200], why[ACL_LINE_MAX + 128];
	size_t n = tokens(line, tok, 4), want;
	uint32_t max;
	int r;

	if (!n)
		return 0;
	snprintf(where, sizeof(where), "%s:%u", name, lineno);
	if (!strcmp(tok[0], "allow") || !strcmp(tok[0], "deny")) {
		rule.verb = tok[0][0] == 'a' ? ACL_ALLOW : ACL_DENY;
		want = 3;
	} else if (!strcmp(tok[0], "max-attachments")) {
		rule.verb = ACL_MAX_ATT;
		want = 3;
	} else if (!strcmp(tok[0], "include")) {
		want = 2;
	} else {
		return say(ld, -EINVAL,
			   "%s: unknown verb \"%s\" (allow, deny, include, "
			   "max-attachments)",
			   where, tok[0]);
	}
	if (n < want)
		return say(ld, -EINVAL, "%s: %s needs %s", where, tok[0],
			   want == 2		    ? "a FILE" :
			   rule.verb == ACL_MAX_ATT ? "PRINCIPAL N" :
						      "PRINCIPAL NETWORK");
	/* "allow PRINCIPAL NETWORK forward": it may forward ports too */
	if (n == 4 && rule.verb == ACL_ALLOW && !strcmp(tok[3], "forward"))
		rule.forward = 1;
	else if (n > want)
		return say(ld, -EINVAL, "%s: unexpected \"%s\" after %s", where,
			   tok[want], tok[want - 1]);
	if (want == 2)
		return include(ld, name, lineno, tok[1]);

	r = acl_parse_principal(tok[1], &rule, why, sizeof(why));
	if (r)
		return say(ld, r, "%s: %s", where, why);
	if (rule.verb == ACL_MAX_ATT) {
		if (acl_parse_number(tok[2], ACL_MAX_ATT_LIMIT, &max) || !max)
			return say(ld, -EINVAL,
				   "%s: bad max-attachments \"%s\" (1 to %d; "
				   "deny refuses all)",
				   where, tok[2], ACL_MAX_ATT_LIMIT);
		rule.max = max;
	} else if (acl_parse_network(tok[2], rule.network)) {
		return say(ld, -EINVAL,
			   "%s: bad network \"%s\" (a bridge's name of at most "
			   "%d letters, digits, '_', '.', '-', or all)",
			   where, tok[2], SVC_NAME_MAX - 1);
	}
	r = add_rule(ld, &rule);
	if (r == -ENOMEM)
		return say(ld, r, "%s: out of memory", where);
	return r;
}

/* Bytes no line may hold (NUL included); blanks are fine. */
static int control_char(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\r' && c != '\v' && c != '\f') ||
	       c == 0x7f;
}

/**
 * load_text() - parse a file's text
 * @ld:		the loader
 * @path:	its name
 * @text:	its text, not NUL-terminated (NUL bytes are refused)
 * @size:	its length
 *
 * Return: 0 or -errno with a message.
 */
static int load_text(struct acl_loader *ld, const char *path, const char *text,
		     size_t size)
{
	const char *p = text, *end = text + size, *nl;
	char line[ACL_LINE_MAX];
	unsigned int lineno = 0;
	size_t n, i;
	long file;
	int r;

	if (++ld->files_read > ACL_FILES_MAX)
		return say(ld, -EINVAL, "%s: more than %d files read in all",
			   path, ACL_FILES_MAX);
	file = add_file(ld, path);
	if (file < 0)
		return say(ld, (int)file, "%s: out of memory", path);
	path = ld->acl->files[file];
	ld->nest++;
	r = 0;
	while (p < end && !r) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		if (n >= sizeof(line)) {
			r = say(ld, -EINVAL, "%s:%u: line longer than %d bytes",
				path, lineno, ACL_LINE_MAX - 1);
			break;
		}
		for (i = 0; i < n && !r; i++)
			if (control_char((unsigned char)p[i]))
				r = say(ld, -EINVAL,
					"%s:%u: control character 0x%02x", path,
					lineno, (unsigned char)p[i]);
		if (r)
			break;
		memcpy(line, p, n);
		line[n] = '\0';
		r = parse_line(ld, (size_t)file, lineno, line);
		p += n + 1;
	}
	ld->nest--;
	return r;
}

/**
 * read_file() - read a regular file whole, opening nothing else
 * @path:	the file
 * @st:		its stat
 * @out:	its text (allocated)
 * @size:	its length
 * @why:	on failure, what was wrong ("" for the errno's own text)
 *
 * A device is never opened (opening some has effects): the path is
 * stat()ed first and the opened file must be the same regular file. The
 * file must belong to root or to the reader and not be writable by
 * others: whoever can write the ACL decides who gets the network.
 *
 * Return: 0 or -errno.
 */
static int read_file(const char *path, struct stat *st, char **out,
		     size_t *size, const char **why)
{
	struct stat fst;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd = -1, r;

	*why = "";
	if (stat(path, st))
		return -errno;
	if (!S_ISREG(st->st_mode)) {
		*why = "not a regular file";
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &fst)) {
		r = -errno;
		goto out;
	}
	r = -EINVAL;
	if (fst.st_dev != st->st_dev || fst.st_ino != st->st_ino ||
	    !S_ISREG(fst.st_mode)) {
		*why = "changed while being opened";
		goto out;
	}
	if (fst.st_uid != 0 && fst.st_uid != geteuid()) {
		*why = "owned by another user (it must be root's)";
		goto out;
	}
	if (fst.st_mode & S_IWOTH) {
		*why = "writable by others";
		goto out;
	}
	if (fst.st_size > ACL_FILE_SIZE_MAX) {
		*why = "larger than 1 MiB";
		goto out;
	}
	r = -ENOMEM;
	buf = malloc((size_t)fst.st_size + 1);
	if (!buf)
		goto out;
	/* it may have grown since: one byte more says so */
	while (got <= (size_t)fst.st_size) {
		n = read(fd, buf + got, (size_t)fst.st_size + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	if (got > (size_t)fst.st_size) {
		r = -EINVAL;
		*why = "changed while being read";
		goto out;
	}
	*out = buf;
	*size = got;
	buf = NULL;
	r = 0;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}

/**
 * load_file() - read a file, the top one or an included one
 * @ld:		the loader
 * @path:	the file
 * @from:	the including file, NULL for the top one
 * @from_line:	the include's line
 *
 * Return: 0 or -errno with a message. An included file that cannot be
 * read is the including line's error (-EINVAL for a missing one, so that
 * -ENOENT means the top file is missing).
 */
static int load_file(struct acl_loader *ld, const char *path, const char *from,
		     unsigned int from_line)
{
	char where[4200], *text = NULL;
	const char *why;
	struct stat st;
	unsigned int i;
	size_t size = 0;
	int r;

	if (from)
		snprintf(where, sizeof(where), "%s:%u: include %s", from,
			 from_line, path);
	else
		snprintf(where, sizeof(where), "%s", path);
	r = read_file(path, &st, &text, &size, &why);
	if (r) {
		if (r == -ENOENT && from)
			return say(ld, -EINVAL, "%s: %s", where, strerror(-r));
		return say(ld, r, "%s: %s", where, *why ? why : strerror(-r));
	}
	for (i = 0; i < ld->depth; i++)
		if (ld->stack[i].dev == st.st_dev &&
		    ld->stack[i].ino == st.st_ino) {
			r = say(ld, -EINVAL,
				"%s: a cycle (that file is being read already)",
				where);
			goto out;
		}
	ld->stack[ld->depth].dev = st.st_dev;
	ld->stack[ld->depth].ino = st.st_ino;
	ld->depth++;
	r = load_text(ld, path, text, size);
	ld->depth--;
out:
	free(text);
	return r;
}

/**
 * acl_free() - free an ACL and the names of its files
 * @acl:	the ACL, or NULL
 */
void acl_free(struct acl *acl)
{
	size_t i;

	if (!acl)
		return;
	for (i = 0; i < acl->n_files; i++)
		free(acl->files[i]);
	free(acl->files);
	free(acl->rules);
	free(acl);
}

/**
 * load() - acl_load() and acl_load_text(): the top file from @path, or
 * @text when not NULL
 * @path:	the top file's name
 * @text:	its text, or NULL to read @path
 * @size:	the length of @text
 * @out, @msg, @len: as in acl.h
 *
 * Return: 0 or -errno; *@out is set only on success.
 */
static int load(const char *path, const char *text, size_t size,
		struct acl **out, char *msg, size_t len)
{
	struct acl_loader ld = { .msg = msg, .len = len };
	int r;

	if (len)
		msg[0] = '\0';
	ld.acl = calloc(1, sizeof(*ld.acl));
	if (!ld.acl)
		return say(&ld, -ENOMEM, "%s: out of memory", path);
	r = text ? load_text(&ld, path, text, size) :
		   load_file(&ld, path, NULL, 0);
	if (r) {
		acl_free(ld.acl);
		return r;
	}
	*out = ld.acl;
	return 0;
}

/**
 * acl_load() - read an ACL file and its includes (acl.h)
 * @path, @out, @msg, @len: as in acl.h
 *
 * Return: 0 or -errno.
 */
int acl_load(const char *path, struct acl **out, char *msg, size_t len)
{
	return load(path, NULL, 0, out, msg, len);
}

/**
 * acl_load_text() - acl_load() of text in memory (acl.h)
 * @name, @text, @size, @out, @msg, @len: as in acl.h
 *
 * Return: 0 or -errno.
 */
int acl_load_text(const char *name, const char *text, size_t size,
		  struct acl **out, char *msg, size_t len)
{
	return load(name, text ? text : "", size, out, msg, len);
}
