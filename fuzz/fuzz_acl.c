// SPDX-License-Identifier: MIT
/* fuzz_acl.c - libFuzzer target: the service's ACL parser (serve/acl.h) on
 * any text, with two files it may include, then decisions on what it read */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl.h"

#define MSG_LEN 512
#define PARTS 3

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/sqn-fuzz-acl-XXXXXX";
static char main_name[sizeof(dir) + 16];
static char inc_name[PARTS][sizeof(dir) + 16];

static void remove_dir(void)
{
	size_t i;

	for (i = 1; i < PARTS; i++)
		unlink(inc_name[i]);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	/* main.conf is never written: its text comes from memory */
	snprintf(main_name, sizeof(main_name), "%s/main.conf", dir);
	snprintf(inc_name[1], sizeof(inc_name[1]), "%s/a", dir);
	snprintf(inc_name[2], sizeof(inc_name[2]), "%s/b", dir);
	atexit(remove_dir);
	return 0;
}

/* Write @len bytes to @path, or remove it when @text is NULL. */
static void put(const char *path, const char *text, size_t len)
{
	FILE *f;

	if (!text) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	if (!f || (len && fwrite(text, 1, len, f) != len) || fclose(f))
		abort();
}

/* Decisions on what was read: never a crash, only 0 or -EACCES, a reason
 * that is a string, root always allowed, a limit in range. */
static void decide(const struct acl *acl)
{
	static const char *const networks[] = { "",    "shared", "host",
						"br0", "a",	 "all" };
	static const gid_t groups[] = { 100, 4100 };
	struct acl_peer peers[] = {
		{ .uid = 0, .gid = 0, .pid = 1 },
		{ .uid = 1, .gid = 1, .pid = 2 },
		{ .uid = 4000,
		  .gid = 4000,
		  .pid = 3,
		  .groups = groups,
		  .n_groups = 2 },
		{ .uid = 65534, .gid = 65534, .pid = 4 },
	};
	char why[MSG_LEN];
	unsigned int max;
	size_t i, j;
	int r;

	for (i = 0; i < sizeof(peers) / sizeof(peers[0]); i++)
		for (j = 0; j < sizeof(networks) / sizeof(networks[0]); j++) {
			max = 0;
			memset(why, 0x5a, sizeof(why));
			r = acl_check(acl, &peers[i], networks[j], &max, why,
				      sizeof(why));
			if (r != 0 && r != -EACCES)
				abort();
			if (!memchr(why, '\0', sizeof(why)) || !why[0])
				abort();
			if (!peers[i].uid && (r || max != ACL_UNLIMITED))
				abort();
			if (!r && max != ACL_UNLIMITED &&
			    (max < 1 || max > ACL_MAX_ATT_LIMIT))
				abort();
		}
}

/*
 * The input is up to three texts split at 0xff bytes: main.conf's (read
 * from memory), then files "a" and "b" beside it. A '/' becomes '_', so
 * that an include reaches only those, never a file of the machine.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *part[PARTS] = { NULL };
	size_t len[PARTS] = { 0 }, i, n = 0, start = 0;
	struct acl *acl = (struct acl *)&dir;
	char msg[MSG_LEN], *text;
	int r;

	text = malloc(size + 1);
	if (!text)
		abort();
	for (i = 0; i <= size && n < PARTS; i++) {
		if (i < size && data[i] != 0xff) {
			text[i] = data[i] == '/' ? '_' : (char)data[i];
			continue;
		}
		part[n] = text + start;
		len[n++] = i - start;
		start = i + 1;
	}
	for (i = 1; i < PARTS; i++)
		put(inc_name[i], part[i], len[i]);

	memset(msg, 0x5a, sizeof(msg));
	r = acl_load_text(main_name, part[0], len[0], &acl, msg, sizeof(msg));
	free(text);
	if (r) {
		/* refused: the ACL untouched, a message naming a file of ours */
		if (r > 0 || acl != (struct acl *)&dir ||
		    !memchr(msg, '\0', sizeof(msg)) ||
		    strncmp(msg, dir, strlen(dir)))
			abort();
		return 0;
	}
	if (strcmp(acl_path(acl), main_name))
		abort();
	decide(acl);
	acl_free(acl);
	return 0;
}
