/* SPDX-License-Identifier: MIT */
/* guestopt.h - "squib-net guest"'s options: parsed without side effects */
#ifndef SQN_CLI_GUESTOPT_H
#define SQN_CLI_GUESTOPT_H

#include <stddef.h>

#include "guestns.h"
#include "squibnet.h"

#define GUESTOPT_HELP (-1)
#define GUESTOPT_ERR_LEN 512

/**
 * struct guest_args - what the command line asks for
 * @cfg:	the attachment's config (log callback left to the caller)
 * @only_for:	by O_* of guestopt.c: the first mode-specific option given
 * @o:		how the guest's eth0 is set up (start time left to the caller)
 * @pcap:	--pcap FILE, or NULL
 * @helper_args: --helper-arg values, NULL-terminated
 * @nargs:	how many
 * @fwd:	--forward rules
 * @fwd_addr:	their host addresses
 * @ip:		the address of --ip, without its prefix
 * @no_dhcp:	--no-dhcp
 * @stats:	--stats
 * @plain_eth0: --no-guest-offload
 * @busy_poll:	--busy-poll USEC
 * @verbose:	--verbose
 * @cmd:	the command and its arguments (within argv)
 * @err:	why the command line was refused, without "guest: "
 */
struct guest_args {
	struct sqn_config cfg;
	const char *only_for[8];
	struct guestns_opts o;
	const char *pcap;
	const char *helper_args[SQN_ARGS_MAX + 2];
	unsigned int nargs;
	struct sqn_forward fwd[SQN_FORWARDS_MAX];
	char fwd_addr[SQN_FORWARDS_MAX][16];
	char ip[16];
	int no_dhcp;
	int stats;
	int plain_eth0;
	unsigned int busy_poll;
	int verbose;
	char **cmd;
	char err[GUESTOPT_ERR_LEN];
};

int guestopt_parse(struct guest_args *a, int argc, char **argv);
void guestopt_explain(const char *msg, char *out, size_t len);

#endif /* SQN_CLI_GUESTOPT_H */
