/* SPDX-License-Identifier: MIT */
/* sandbox.h - the helper drops what it has before it touches guest data */
#ifndef SLIRP_SANDBOX_H
#define SLIRP_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

/**
 * struct sandbox_report - what sandbox_enter() managed, for --verbose
 * @userns:	in a user and mount namespace of its own with an empty root
 * @why:	if not, the reason
 */
struct sandbox_report {
	bool userns;
	char why[128];
};

int sandbox_enter(const char *resolv, size_t resolv_len,
		  struct sandbox_report *rep, char *err, size_t errlen);
void sandbox_forbidden_call(void);

#endif /* SLIRP_SANDBOX_H */
