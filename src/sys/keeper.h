/* SPDX-License-Identifier: MIT */
/* keeper.h - a network's keeper: the process that runs its dnsmasq and
 * undoes the network once its last attachment has gone, however it ended */
#ifndef SQN_SYS_KEEPER_H
#define SQN_SYS_KEEPER_H

#include <stddef.h>

#include "dnsmasq.h"
#include "netspec.h"

/* The keeper is a program of its own (keeper_main.c), found in this
 * directory; SQN_LIBEXECDIR in the environment names another, and
 * keeper_set_dir() another still. */
#define KEEPER_PROGRAM "squib-net-keeper"
/* The descriptor the keeper reports on: "0 ok" once its dnsmasq runs, or
 * "-errno message". */
#define KEEPER_STATUS_FD 3
/* What its command line can hold: the program and pairs of an option and
 * its value (keeper_args()). */
#define KEEPER_ARGV_MAX 24

/**
 * struct keeper_spec - the network a keeper keeps
 * @dir:	its directory in the record
 * @ns:		the namespace's record (record_ns())
 * @cookie:	the namespace's cookie (record_ns())
 * @token:	the network's table mark: a network of the same name made
 *		again later is not this keeper's
 * @dns:	what its dnsmasq serves
 * @net:	keeper_parse()'s copy of the network, which @dns points at; the
 *		library's caller points @dns.net at its own
 */
struct keeper_spec {
	const char *dir;
	const char *ns;
	unsigned long long cookie;
	const char *token;
	struct dnsmasq_spec dns;
	struct net_spec net;
};

/**
 * struct keeper_argv - a keeper's command line, and the numbers it holds
 * as text
 * @argv:	NULL-terminated; its strings are @k's or the buffers below
 * @cookie:	the namespace's cookie in decimal
 * @gateway:	the gateway, dotted
 * @prefix:	its prefix length in decimal
 * @mtu:	the network's MTU in decimal
 * @subnet6:	its IPv6 prefix, "PREFIX/64"
 */
struct keeper_argv {
	char *argv[KEEPER_ARGV_MAX];
	char cookie[24];
	char gateway[16];
	char prefix[4];
	char mtu[12];
	char subnet6[IPV6_PREFIX_STRLEN];
};

int keeper_set_dir(const char *dir);
int keeper_start(const struct keeper_spec *k, char *msg, size_t len);
int keeper_alive(const char *dir);
void keeper_args(const struct keeper_spec *k, struct keeper_argv *a);
int keeper_parse(int argc, char **argv, struct keeper_spec *k);

#endif /* SQN_SYS_KEEPER_H */
