// SPDX-License-Identifier: MIT
/* helper_find.c - which helper runs, and its binary: the profiles, helper_path, variables, libexec, PATH */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "helper.h"
#include "sys/sys.h"

/* PATH when the environment has none, as execvp() does. */
#define HELPER_PATH_DEFAULT "/usr/local/bin:/usr/bin:/bin"
/* Where make install puts squib-net-slirp-helper (the Makefile's). */
#ifndef SQN_LIBEXECDIR
#define SQN_LIBEXECDIR "/usr/local/libexec"
#endif

const struct helper_profile helper_profiles[] = {
	[SQN_HELPER_PASST] = { "passt", "SQN_PASST", SQN_FRAMING_QEMU, "qemu",
			       65520 },
	/* gvproxy -listen-stdio: 2-byte little-endian lengths, -mtu 1500. */
	[SQN_HELPER_GVPROXY] = { "gvproxy", "SQN_GVPROXY", SQN_FRAMING_HYPERKIT,
				 "hyperkit", 1500 },
	[SQN_HELPER_CUSTOM] = { NULL, NULL, SQN_FRAMING_DEFAULT, NULL, 0 },
	/* docs/slirp-helper.md: --fd N, --mtu 576..65520 (IPv4 only below
	 * 1280, where it turns IPv6 off itself), default 1500. */
	[SQN_HELPER_SLIRP] = { "squib-net-slirp-helper", "SQN_SLIRP_HELPER",
			       SQN_FRAMING_QEMU, "qemu", 1500, 576, 65520, 1 },
};

/**
 * helper_search() - @name in the directories of PATH, an executable
 * regular file
 * @name:	program name
 * @out:	its path when found
 * @outlen:	bytes of @out
 *
 * PATH is read with secure_getenv(): a set-user-ID or file-capability
 * program that embeds the library does not let its caller's environment
 * choose what it runs (the default list then, as when PATH is unset).
 * Only absolute entries count: an empty entry (the current directory for
 * execvp()) or a relative one would run whatever the directory the
 * application happens to be in holds.
 *
 * Return: 0, or -ENOENT.
 */
static int helper_search(const char *name, char *out, size_t outlen)
{
	const char *dirs = sys_getenv_secure("PATH"), *d, *end;
	char why[128];
	int n;

	if (!dirs)
		dirs = HELPER_PATH_DEFAULT;
	for (d = dirs;; d = end + 1) {
		end = strchr(d, ':');
		if (!end)
			end = d + strlen(d);
		n = snprintf(out, outlen, "%.*s/%s", (int)(end - d), d, name);
		if (*d == '/' && n > 0 && (size_t)n < outlen &&
		    !config_check_path("PATH", out, 1, why, sizeof(why)))
			return 0;
		if (!*end)
			return -ENOENT;
	}
}

/**
 * helper_locate() - a profile's binary: its variable (SQN_PASST,
 * SQN_GVPROXY, SQN_SLIRP_HELPER), else SQN_LIBEXECDIR for ours, else
 * its name in PATH
 * @pr:		the profile, not the custom one
 * @out:	the path found
 * @outlen:	bytes of @out
 * @from:	set to where it came from, for the log
 * @why:	the reason on failure, naming what was tried
 * @whylen:	bytes of @why
 *
 * The variables are read with secure_getenv(), as PATH is (see
 * helper_search()).
 *
 * Return: 0, -EINVAL (the variable names no executable) or -ENOENT.
 */
static int helper_locate(const struct helper_profile *pr, char *out,
			 size_t outlen, const char **from, char *why,
			 size_t whylen)
{
	const char *env = sys_getenv_secure(pr->env);
	char err[NET_ERRMSG_LEN];
	int r;

	if (env && *env) {
		r = config_check_path(pr->env, env, 1, err, sizeof(err));
		if (r) {
			snprintf(why, whylen, "%s", err);
			return r;
		}
		snprintf(out, outlen, "%s", env);
		*from = pr->env;
		return 0;
	}
	if (pr->libexec) {
		snprintf(out, outlen, "%s/%s", SQN_LIBEXECDIR, pr->name);
		*from = SQN_LIBEXECDIR;
		if (!config_check_path("libexec", out, 1, err, sizeof(err)))
			return 0;
	}
	*from = "PATH";
	if (!helper_search(pr->name, out, outlen))
		return 0;
	snprintf(why, whylen,
		 "not found in %sPATH; install %s, or set %s or helper_path",
		 pr->libexec ? SQN_LIBEXECDIR " or " : "", pr->name, pr->env);
	return -ENOENT;
}

/**
 * helper_find() - the binary: helper_path, else as helper_locate() finds
 * @net:	attachment
 * @h:		its helper; @h->path and @h->name are set
 *
 * The path chosen, and where it came from, is logged at SQN_LOG_INFO.
 *
 * Return: 0, or a negative errno with a message naming what was tried.
 */
int helper_find(struct sqn_net *net, struct helper *h)
{
	const struct helper_profile *pr = &helper_profiles[h->kind];
	const char *base, *from = "helper_path";
	char why[NET_ERRMSG_LEN];
	int r;

	if (net->p.helper_path) {
		snprintf(h->path, sizeof(h->path), "%s", net->p.helper_path);
	} else {
		r = helper_locate(pr, h->path, sizeof(h->path), &from, why,
				  sizeof(why));
		if (r)
			return net_error(net, r, "helper %s: %s", pr->name,
					 why);
	}
	base = strrchr(h->path, '/');
	if (pr->name)
		base = pr->name;
	else
		base = base ? base + 1 : h->path;
	snprintf(h->name, sizeof(h->name), "%.*s", (int)sizeof(h->name) - 1,
		 base);
	net_log(net, SQN_LOG_INFO, "helper %s: %s (from %s)", h->name, h->path,
		from);
	return 0;
}

/**
 * helper_default() - the helper SQN_HELPER_DEFAULT stands for
 * @cfg:	caller's config
 *
 * Our slirp helper when its binary is found (SQN_SLIRP_HELPER,
 * SQN_LIBEXECDIR, PATH), else the platform's (passt on Linux). passt's
 * version is not asked (that would mean running it at every open): the
 * slirp helper ships with the library, so an install has it, and Debian
 * 12's passt (0.0~git20230309) loses FINs and RSTs with real guests
 * (issue 15). With helper_path set, the default stays passt, whose binary
 * helper_path then is, as it was before the slirp helper existed.
 *
 * Return: the helper.
 */
enum sqn_helper helper_default(const struct sqn_config *cfg)
{
	char path[SQN_PATH_MAX + 1], why[NET_ERRMSG_LEN];
	const char *from;

	if (!cfg->helper_path &&
	    !helper_locate(&helper_profiles[SQN_HELPER_SLIRP], path,
			   sizeof(path), &from, why, sizeof(why)))
		return SQN_HELPER_SLIRP;
	return platform_helper_default();
}
