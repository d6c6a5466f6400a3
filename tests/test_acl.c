// SPDX-License-Identifier: MIT
/* test_acl.c - unit tests of the service's ACL (serve/acl.h): each
 * principal, deny wins, default deny, includes, syntax errors naming
 * file:line, max-attachments, the reasons a refused client sees, and the
 * peer's credentials from its socket */
#include <errno.h>
#include <ftw.h>
#include <stddef.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acl.h"
#include "harness.h"

#define MSG_LEN 8192

/* Users and groups every Debian system has (base-passwd): names the
 * tests resolve, so that they add no account to the machine. */
#define DAEMON_UID 1
#define USERS_GID 100

static char dir[64];

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove the test's directory, at its end and when a check fails. */
static void cleanup(void)
{
	if (dir[0])
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	dir[0] = '\0';
}

/* A fresh directory for this test's files (each test is its own process),
 * removed by cleanup(). */
static const char *tmpdir(void)
{
	cleanup();
	strcpy(dir, "/tmp/sqn-acl-XXXXXX");
	CHECK(mkdtemp(dir));
	harness_at_fail(cleanup);
	return dir;
}

/* Write @text to @name under the test's directory; return its path. */
static const char *put(const char *name, const char *text)
{
	static char paths[16][PATH_MAX];
	static int next;
	char *path = paths[next++ % 16];
	FILE *f;

	snprintf(path, PATH_MAX, "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK_MSG(f, "fopen %s: %s", path, strerror(errno));
	CHECK(fputs(text, f) >= 0);
	CHECK(fclose(f) == 0);
	return path;
}

/* Load @path, which must be valid. */
static struct acl *load_ok(const char *path)
{
	struct acl *acl = NULL;
	char msg[MSG_LEN] = "";
	int r = acl_load(path, &acl, msg, sizeof(msg));

	CHECK_MSG(r == 0 && acl, "acl_load %s: %d %s", path, r, msg);
	return acl;
}

/* Load @text as file @name, which must be valid. */
static struct acl *text_ok(const char *name, const char *text)
{
	return load_ok(put(name, text));
}

static struct acl_peer peer(uid_t uid, gid_t gid)
{
	struct acl_peer p = { .uid = uid, .gid = gid, .pid = 1234 };

	return p;
}

/* Is @p allowed on @network; @why gets the reason. */
static int allowed(const struct acl *acl, const struct acl_peer *p,
		   const char *network, char *why, size_t len)
{
	unsigned int max = 0;
	int r = acl_check(acl, p, network, &max, why, len);

	CHECK_MSG(r == 0 || r == -EACCES, "acl_check: %d", r);
	return r == 0;
}

static int ok(const struct acl *acl, const struct acl_peer *p,
	      const char *network)
{
	char why[MSG_LEN];

	return allowed(acl, p, network, why, sizeof(why));
}

/* @r is -EINVAL and @msg starts with "@path:@line: " and holds @what. */
static void check_syntax(int r, const char *msg, const char *path,
			 unsigned int line, const char *what)
{
	char where[PATH_MAX + 32];

	snprintf(where, sizeof(where), "%s:%u: ", path, line);
	CHECK_MSG(r == -EINVAL, "r %d, msg \"%s\"", r, msg);
	CHECK_MSG(!strncmp(msg, where, strlen(where)),
		  "\"%s\" does not start with \"%s\"", msg, where);
	CHECK_MSG(strstr(msg, what), "\"%s\" does not say \"%s\"", msg, what);
}

TEST(acl_principal_forms)
{
	const gid_t groups[] = { 7, USERS_GID };
	struct acl_peer daemon = peer(DAEMON_UID, DAEMON_UID),
			u4000 = peer(4000, 4000), member = peer(4001, 4001),
			primary = peer(4002, USERS_GID),
			g4100 = peer(4003, 4100), other = peer(4004, 4004);
	struct acl *acl;

	tmpdir();
	member.groups = groups;
	member.n_groups = 2;
	acl = text_ok("acl.conf", "allow user:daemon sqn-shared\n"
				  "allow uid:4000 sqn-host\n"
				  "allow group:users br-users\n"
				  "allow gid:4100 br0\n"
				  "allow all lab\n");
	CHECK(ok(acl, &daemon, "sqn-shared"));
	CHECK(!ok(acl, &daemon, "sqn-host"));
	CHECK(ok(acl, &u4000, "sqn-host"));
	CHECK(!ok(acl, &u4000, "sqn-shared"));
	/* a supplementary group and the primary gid both count */
	CHECK(ok(acl, &member, "br-users"));
	CHECK(ok(acl, &primary, "br-users"));
	CHECK(!ok(acl, &other, "br-users"));
	CHECK(ok(acl, &g4100, "br0"));
	CHECK(!ok(acl, &u4000, "br0"));
	/* gid:4100 is a group, not a uid */
	CHECK(!ok(acl, &(struct acl_peer){ .uid = 4100, .gid = 1 }, "br0"));
	CHECK(ok(acl, &other, "lab"));
	CHECK(ok(acl, &daemon, "lab"));
	acl_free(acl);
	cleanup();
}

TEST(acl_network_aliases)
{
	struct acl_peer p = peer(4000, 4000);
	struct acl *acl;

	tmpdir();
	acl = text_ok("acl.conf", "allow uid:4000 shared\n"
				  "allow uid:4001 sqn-host\n");
	CHECK(ok(acl, &p, "sqn-shared"));
	CHECK(ok(acl, &p, "shared"));
	CHECK(ok(acl, &p, ""));
	CHECK(ok(acl, &p, NULL));
	CHECK(!ok(acl, &p, "host"));
	p.uid = 4001;
	CHECK(ok(acl, &p, "host"));
	CHECK(ok(acl, &p, "sqn-host"));
	CHECK(!ok(acl, &p, "shared"));
	acl_free(acl);
	cleanup();
}

TEST(acl_deny_wins_in_any_order)
{
	static const char *const files[] = {
		"deny uid:4000 sqn-shared\nallow uid:4000 sqn-shared\n",
		"allow uid:4000 sqn-shared\ndeny uid:4000 sqn-shared\n",
		"allow all all\ndeny gid:4100 all\n",
		"deny group:users sqn-shared\nallow uid:4000 all\n",
		"allow uid:4000 all\n#\ndeny all sqn-shared\n",
	};
	static const unsigned int deny_line[] = { 1, 2, 2, 1, 3 };
	const gid_t groups[] = { 4100, USERS_GID };
	struct acl_peer p = peer(4000, 4000);
	char why[MSG_LEN], want[PATH_MAX + 100], name[32];
	const char *path;
	struct acl *acl;
	size_t i;

	tmpdir();
	p.groups = groups;
	p.n_groups = 2;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(name, sizeof(name), "acl%zu.conf", i);
		path = put(name, files[i]);
		acl = load_ok(path);
		CHECK_MSG(!allowed(acl, &p, "shared", why, sizeof(why)),
			  "file %zu allowed: %s", i, why);
		snprintf(want, sizeof(want),
			 "uid 4000 is denied network sqn-shared by %s:%u", path,
			 deny_line[i]);
		CHECK_MSG(!strcmp(why, want), "\"%s\", not \"%s\"", why, want);
		/* the same peer without the groups, on another network */
		CHECK_EQ(ok(acl, &(struct acl_peer){ .uid = 4000 }, "other"),
			 i == 2 || i == 3 || i == 4);
		acl_free(acl);
	}
	cleanup();
}

TEST(acl_default_deny)
{
	struct acl_peer p = peer(4000, 4000);
	char why[MSG_LEN], want[PATH_MAX + 100];
	const char *path;
	struct acl *acl;

	tmpdir();
	path = put("acl.conf", "# nothing allowed\n\n");
	acl = load_ok(path);
	CHECK(!allowed(acl, &p, "", why, sizeof(why)));
	snprintf(want, sizeof(want),
		 "uid 4000 has no allow line for network sqn-shared in %s",
		 path);
	CHECK_MSG(!strcmp(why, want), "\"%s\"", why);
	acl_free(acl);

	/* allowed elsewhere, or someone else allowed: still no */
	acl = text_ok("b.conf", "allow uid:4000 sqn-host\nallow uid:4001 all\n"
				"max-attachments uid:4000 3\n");
	CHECK(!allowed(acl, &p, "shared", why, sizeof(why)));
	CHECK(strstr(why, "no allow line"));
	acl_free(acl);
	cleanup();
}

TEST(acl_all_all)
{
	struct acl_peer a = peer(4000, 4000), b = peer(65534, 65534);
	char why[MSG_LEN];
	const char *path;
	struct acl *acl;

	tmpdir();
	path = put("acl.conf", "allow all all\n");
	acl = load_ok(path);
	CHECK(ok(acl, &a, "sqn-shared"));
	CHECK(ok(acl, &b, "anything"));
	CHECK(allowed(acl, &a, "br0", why, sizeof(why)));
	CHECK_MSG(strstr(why, "allowed by ") && strstr(why, path) &&
			  strstr(why, ":1"),
		  "%s", why);
	acl_free(acl);

	acl = text_ok("deny.conf", "allow uid:4000 all\ndeny all all\n");
	CHECK(!ok(acl, &a, "sqn-shared"));
	CHECK(!ok(acl, &b, "sqn-shared"));
	acl_free(acl);
	cleanup();
}

TEST(acl_root_always_allowed)
{
	struct acl_peer root = peer(0, 0);
	unsigned int max = 0;
	char why[MSG_LEN];
	struct acl *acl;

	tmpdir();
	acl = text_ok("acl.conf", "deny all all\ndeny uid:0 all\n"
				  "max-attachments all 1\n");
	CHECK_EQ(acl_check(acl, &root, "sqn-shared", &max, why, sizeof(why)),
		 0);
	CHECK_EQ(max, ACL_UNLIMITED);
	CHECK(strstr(why, "uid 0"));
	acl_free(acl);
	cleanup();
}

TEST(acl_forward_right)
{
	struct acl_peer a = peer(4000, 4000), b = peer(4001, 4001),
			root = peer(0, 0);
	char why[MSG_LEN];
	struct acl *acl;

	tmpdir();
	acl = text_ok("acl.conf", "allow uid:4000 shared forward\n"
				  "allow uid:4001 all\n"
				  "allow uid:4000 host\n"
				  "deny uid:4000 br0\n"
				  "allow all br0 forward # with a comment\n");
	/* attach: every allow line */
	CHECK(ok(acl, &a, "sqn-shared") && ok(acl, &a, "sqn-host"));
	CHECK(ok(acl, &b, "sqn-shared"));
	/* forward: only an allow line with "forward" */
	CHECK_EQ(acl_check_forward(acl, &a, "shared", why, sizeof(why)), 0);
	CHECK_MSG(strstr(why, "allowed by") && strstr(why, ":1"), "%s", why);
	CHECK_EQ(acl_check_forward(acl, &a, "sqn-host", why, sizeof(why)),
		 -EACCES);
	CHECK_MSG(strstr(why, "uid 4000 has no allow line for network "
			      "sqn-host with \"forward\""),
		  "%s", why);
	CHECK_EQ(acl_check_forward(acl, &b, "sqn-shared", why, sizeof(why)),
		 -EACCES);
	CHECK_EQ(acl_check_forward(acl, &b, "br0", why, sizeof(why)), 0);
	/* deny wins */
	CHECK_EQ(acl_check_forward(acl, &a, "br0", why, sizeof(why)), -EACCES);
	CHECK(strstr(why, "denied"));
	/* root always */
	CHECK_EQ(acl_check_forward(acl, &root, "sqn-host", NULL, 0), 0);
	acl_free(acl);
	cleanup();
}

TEST(acl_max_attachments_smallest_wins)
{
	const gid_t groups[] = { USERS_GID };
	struct acl_peer member = peer(4000, 4000), plain = peer(4000, 4000),
			other = peer(4001, 4001), free_ = peer(4002, 4002);
	unsigned int max = 0;
	char why[MSG_LEN], want[PATH_MAX + 100];
	const char *path;
	struct acl *acl;

	tmpdir();
	member.groups = groups;
	member.n_groups = 1;
	path = put("acl.conf", "allow all all\n"
			       "max-attachments uid:4000 5\n"
			       "max-attachments group:users 3\n"
			       "max-attachments uid:4001 7\n"
			       "max-attachments uid:4001 9\n");
	acl = load_ok(path);
	CHECK_EQ(acl_check(acl, &member, "", &max, why, sizeof(why)), 0);
	CHECK_EQ(max, 3);
	snprintf(want, sizeof(want),
		 "allowed by %s:1; max-attachments 3 by %s:3", path, path);
	CHECK_MSG(!strcmp(why, want), "\"%s\"", why);
	CHECK_EQ(acl_check(acl, &plain, "", &max, why, sizeof(why)), 0);
	CHECK_EQ(max, 5);
	CHECK_EQ(acl_check(acl, &other, "", &max, why, sizeof(why)), 0);
	CHECK_EQ(max, 7);
	CHECK_EQ(acl_check(acl, &free_, "", &max, why, sizeof(why)), 0);
	CHECK_EQ(max, ACL_UNLIMITED);
	CHECK_MSG(!strchr(why, ';'), "%s", why);
	acl_free(acl);

	/* a limit for all applies to everyone below a smaller one */
	acl = text_ok("b.conf", "allow all all\nmax-attachments all 2\n"
				"max-attachments uid:4000 1\n");
	CHECK_EQ(acl_check(acl, &plain, "", &max, NULL, 0), 0);
	CHECK_EQ(max, 1);
	CHECK_EQ(acl_check(acl, &other, "", &max, NULL, 0), 0);
	CHECK_EQ(max, 2);
	acl_free(acl);
	cleanup();
}

TEST(acl_include_relative_nested)
{
	struct acl_peer p = peer(4000, 4000), q = peer(4001, 4001),
			r = peer(4002, 4002);
	char why[MSG_LEN], sub[PATH_MAX], abs_inc[PATH_MAX + 32];
	const char *leaf;
	struct acl *acl;

	tmpdir();
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	CHECK(mkdir(sub, 0755) == 0);
	/* sub/a.conf's "b.conf" is sub/b.conf: relative to the includer */
	put("sub/a.conf", "allow uid:4001 all\ninclude b.conf\n");
	leaf = put("sub/b.conf", "\n\nallow uid:4000 sqn-shared\n");
	put("b.conf", "allow all all\n");
	put("abs.conf", "allow uid:4002 sqn-host\n");
	snprintf(abs_inc, sizeof(abs_inc), "include %s/abs.conf\n", dir);
	put("top.conf", "include sub/a.conf\n");
	acl = text_ok("acl.conf", "include top.conf\n");
	CHECK(allowed(acl, &p, "sqn-shared", why, sizeof(why)));
	CHECK_MSG(strstr(why, leaf) && strstr(why, ":3"), "%s", why);
	CHECK(!ok(acl, &p, "sqn-host"));
	CHECK(ok(acl, &q, "sqn-host"));
	CHECK(!ok(acl, &r, "sqn-host"));
	acl_free(acl);

	acl = text_ok("abs-top.conf", abs_inc);
	CHECK(ok(acl, &r, "sqn-host"));
	acl_free(acl);
	cleanup();
}

TEST(acl_include_cycle_refused)
{
	struct acl *acl = (struct acl *)&dir;
	char msg[MSG_LEN];
	const char *a, *b, *self;

	tmpdir();
	a = put("a.conf", "allow all all\ninclude b.conf\n");
	b = put("b.conf", "# b\n\ninclude a.conf\n");
	CHECK_EQ(acl_load(a, &acl, msg, sizeof(msg)), -EINVAL);
	check_syntax(-EINVAL, msg, b, 3, "cycle");
	CHECK(acl == (struct acl *)&dir);

	self = put("self.conf", "include ./self.conf\n");
	CHECK_EQ(acl_load(self, &acl, msg, sizeof(msg)), -EINVAL);
	check_syntax(-EINVAL, msg, self, 1, "cycle");
	CHECK(acl == (struct acl *)&dir);
	cleanup();
}

TEST(acl_include_missing_or_deep)
{
	struct acl *acl = NULL;
	char msg[MSG_LEN], name[32], text[64];
	const char *top;
	int i;

	tmpdir();
	top = put("acl.conf", "allow all all\ninclude nope.conf\n");
	CHECK_EQ(acl_load(top, &acl, msg, sizeof(msg)), -EINVAL);
	check_syntax(-EINVAL, msg, top, 2, "nope.conf");
	CHECK(strstr(msg, strerror(ENOENT)));
	CHECK(!acl);

	/* a chain d0 -> d1 -> ...: ACL_INCLUDE_DEPTH levels are fine */
	for (i = 0; i <= ACL_INCLUDE_DEPTH + 1; i++) {
		snprintf(name, sizeof(name), "d%d.conf", i);
		snprintf(text, sizeof(text), "include d%d.conf\n", i + 1);
		put(name, text);
	}
	snprintf(name, sizeof(name), "d%d.conf", ACL_INCLUDE_DEPTH);
	put(name, "allow all all\n");
	acl = text_ok("d0.conf", "include d1.conf\n");
	acl_free(acl);
	snprintf(name, sizeof(name), "d%d.conf", ACL_INCLUDE_DEPTH);
	top = put(name, "include deeper.conf\n");
	put("deeper.conf", "allow all all\n");
	acl = NULL;
	CHECK_EQ(acl_load(put("d0.conf", "include d1.conf\n"), &acl, msg,
			  sizeof(msg)),
		 -EINVAL);
	check_syntax(-EINVAL, msg, top, 1, "nested");
	CHECK(!acl);
	cleanup();
}

TEST(acl_syntax_errors_name_file_and_line)
{
	static const struct {
		const char *text;
		unsigned int line;
		const char *what;
	} bad[] = {
		{ "allow all all\npermit uid:1 all\n", 2, "unknown verb" },
		{ "\n\nallow user:daemon\n", 3, "PRINCIPAL NETWORK" },
		{ "deny\n", 1, "PRINCIPAL NETWORK" },
		{ "include\n", 1, "FILE" },
		{ "max-attachments all\n", 1, "PRINCIPAL N" },
		{ "allow uid:12x all\n", 1, "bad uid \"12x\"" },
		{ "allow uid:-1 all\n", 1, "bad uid" },
		{ "allow uid: all\n", 1, "bad uid" },
		{ "allow uid:4294967295 all\n", 1, "bad uid" },
		{ "allow uid:99999999999 all\n", 1, "bad uid" },
		{ "allow gid:x all\n", 1, "bad gid" },
		{ "# c\nallow user:no-such-user-sqn all\n", 2,
		  "unknown user \"no-such-user-sqn\"" },
		{ "deny group:no-such-group-sqn all\n", 1,
		  "unknown group \"no-such-group-sqn\"" },
		{ "allow user: all\n", 1, "no user name" },
		{ "allow user:4000 all\n", 1,
		  "unknown user \"4000\" (for a number, write uid:4000)" },
		{ "allow group:4000 all\n", 1,
		  "(for a number, write gid:4000)" },
		{ "allow daemon all\n", 1, "bad principal \"daemon\"" },
		{ "allow all all junk\n", 1, "unexpected \"junk\"" },
		{ "include a.conf b.conf\n", 1, "unexpected \"b.conf\"" },
		{ "max-attachments all 3 4\n", 1, "unexpected \"4\"" },
		{ "allow all all forwards\n", 1, "unexpected \"forwards\"" },
		{ "deny all all forward\n", 1, "unexpected \"forward\"" },
		{ "allow all all forward x\n", 1, "unexpected \"forward\"" },
		{ "max-attachments all 0\n", 1, "bad max-attachments" },
		{ "max-attachments all x\n", 1, "bad max-attachments" },
		{ "max-attachments all 100001\n", 1, "bad max-attachments" },
		{ "allow all averyveryverylongname\n", 1, "bad network" },
		{ "allow all br/0\n", 1, "bad network" },
		{ "allow all ..\n", 1, "bad network" },
		{ "allow all all\nallow all x\001y\n", 2, "control character" },
	};
	char msg[MSG_LEN], name[32], line[ACL_LINE_MAX + 16];
	struct acl *acl;
	const char *path;
	size_t i;

	tmpdir();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "bad%zu.conf", i);
		path = put(name, bad[i].text);
		acl = NULL;
		msg[0] = '\0';
		check_syntax(acl_load(path, &acl, msg, sizeof(msg)), msg, path,
			     bad[i].line, bad[i].what);
		CHECK(!acl);
	}

	/* the longest line is fine, one byte more is not */
	memset(line, ' ', sizeof(line));
	memcpy(line, "allow all all", 13);
	line[ACL_LINE_MAX - 1] = '\n';
	line[ACL_LINE_MAX] = '\0';
	acl_free(text_ok("long.conf", line));
	line[ACL_LINE_MAX - 1] = ' ';
	line[ACL_LINE_MAX] = '\n';
	line[ACL_LINE_MAX + 1] = '\0';
	path = put("toolong.conf", line);
	acl = NULL;
	check_syntax(acl_load(path, &acl, msg, sizeof(msg)), msg, path, 1,
		     "longer than");
	CHECK(!acl);

	/* a NUL byte, which text files do not hold */
	CHECK_EQ(acl_load_text("nul.conf", "allow all all\n\0\n", 16, &acl, msg,
			       sizeof(msg)),
		 -EINVAL);
	check_syntax(-EINVAL, msg, "nul.conf", 2, "control character 0x00");
	cleanup();
}

TEST(acl_comments_blanks_crlf)
{
	struct acl_peer p = peer(4000, 4000);
	struct acl *acl;

	tmpdir();
	acl = text_ok("acl.conf", "# who may attach\n"
				  "\n"
				  "   \t\n"
				  "  allow\tuid:4000   sqn-shared  # me\r\n"
				  "deny uid:4000 host #deny uid:4000 shared\n"
				  "allow uid:4000 br0");
	CHECK(ok(acl, &p, "sqn-shared"));
	CHECK(ok(acl, &p, "br0"));
	CHECK(!ok(acl, &p, "sqn-host"));
	acl_free(acl);
	cleanup();
}

TEST(acl_file_refused)
{
	char msg[MSG_LEN], path[PATH_MAX];
	struct acl *acl = NULL;
	const char *p;

	tmpdir();
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	CHECK_EQ(acl_load(path, &acl, msg, sizeof(msg)), -ENOENT);
	CHECK_MSG(strstr(msg, path), "%s", msg);
	CHECK_EQ(acl_load(dir, &acl, msg, sizeof(msg)), -EINVAL);
	CHECK_MSG(strstr(msg, "not a regular file"), "%s", msg);
	CHECK_EQ(acl_load("/dev/null", &acl, msg, sizeof(msg)), -EINVAL);

	/* who can write the ACL decides who gets the network */
	p = put("open.conf", "allow all all\n");
	CHECK(chmod(p, 0666) == 0);
	CHECK_EQ(acl_load(p, &acl, msg, sizeof(msg)), -EINVAL);
	CHECK_MSG(strstr(msg, p) && strstr(msg, "writable"), "%s", msg);
	CHECK(chmod(p, 0644) == 0);
	CHECK_MSG(chown(p, 4000, 0) == 0, "chown: %s (run as root)",
		  strerror(errno));
	CHECK_EQ(acl_load(p, &acl, msg, sizeof(msg)), -EINVAL);
	CHECK_MSG(strstr(msg, "owned by"), "%s", msg);
	CHECK(!acl);
	cleanup();
}

TEST(acl_messages_fit)
{
	struct acl_peer p = peer(4000, 4000);
	char msg[8], why[6];
	struct acl *acl = NULL;
	const char *path;

	tmpdir();
	path = put("acl.conf", "allow all all\nbogus\n");
	memset(msg, 'x', sizeof(msg));
	CHECK_EQ(acl_load(path, &acl, msg, sizeof(msg)), -EINVAL);
	CHECK_EQ(strlen(msg), sizeof(msg) - 1);
	CHECK_EQ(acl_load(path, &acl, NULL, 0), -EINVAL);
	acl = text_ok("ok.conf", "deny all all\n");
	memset(why, 'x', sizeof(why));
	CHECK_EQ(acl_check(acl, &p, "", NULL, why, sizeof(why)), -EACCES);
	CHECK_EQ(strlen(why), sizeof(why) - 1);
	CHECK_EQ(acl_check(acl, &p, "", NULL, NULL, 0), -EACCES);
	acl_free(acl);
	acl_free(NULL);
	cleanup();
}

/* The child of acl_peer_groups: connects as uid 4000, gid 4100, groups
 * @groups, then waits for the parent to close. */
static void connect_as(const struct sockaddr_un *addr, socklen_t alen,
		       const gid_t *groups, size_t n)
{
	char c;
	int fd;

	if (setgroups(n, groups) || setgid(4100) || setuid(4000))
		_exit(2);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)addr, alen))
		_exit(3);
	if (read(fd, &c, 1) < 0)
		_exit(4);
	_exit(0);
}

/* Accept one client that connects with @groups; check what the ACL sees. */
static void check_peer(const gid_t *groups, size_t n)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct acl_peer p;
	struct acl *acl;
	socklen_t alen;
	int lfd, fd, st;
	size_t i;
	pid_t pid;

	/* an abstract address: the child, no longer root, may connect */
	snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1,
		 "sqn-test-acl-%d", (int)getpid());
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   strlen(addr.sun_path + 1));
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	CHECK(lfd >= 0);
	CHECK(bind(lfd, (struct sockaddr *)&addr, alen) == 0);
	CHECK(listen(lfd, 1) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid)
		connect_as(&addr, alen, groups, n);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_EQ(acl_peer_from_socket(fd, &p), 0);
	CHECK_EQ(p.uid, 4000);
	CHECK_EQ(p.gid, 4100);
	CHECK_EQ(p.pid, pid);
	CHECK_EQ(p.n_groups, n);
	CHECK(n ? p.groups != NULL : p.groups == NULL);
	for (i = 0; i < n; i++)
		CHECK_EQ(p.groups[i], groups[i]);

	tmpdir();
	acl = text_ok("acl.conf", "allow gid:4343 sqn-shared\n"
				  "allow gid:4100 sqn-host\n");
	CHECK_EQ(ok(acl, &p, "sqn-shared"), n == 2);
	CHECK(ok(acl, &p, "sqn-host"));
	acl_free(acl);
	acl_peer_release(&p);
	CHECK(!p.groups && !p.n_groups);
	close(fd);
	close(lfd);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
}

TEST(acl_peer_groups)
{
	const gid_t groups[] = { 4242, 4343 };

	check_peer(groups, 2);
	check_peer(NULL, 0);
	cleanup();
}

TEST(acl_load_text_entry)
{
	struct acl_peer p = peer(4000, 4000);
	struct acl *acl = NULL;
	char msg[MSG_LEN], name[PATH_MAX];

	tmpdir();
	put("inc.conf", "allow uid:4000 sqn-host\n");
	snprintf(name, sizeof(name), "%s/virtual.conf", dir);
	CHECK_EQ(acl_load_text(name, "include inc.conf\n", 17, &acl, msg,
			       sizeof(msg)),
		 0);
	CHECK(ok(acl, &p, "host"));
	CHECK(!strcmp(acl_path(acl), name));
	acl_free(acl);
	acl = NULL;
	CHECK_EQ(acl_load_text(name, NULL, 0, &acl, msg, sizeof(msg)), 0);
	CHECK(!ok(acl, &p, "host"));
	acl_free(acl);
	cleanup();
}
