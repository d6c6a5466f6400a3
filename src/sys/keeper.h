/* SPDX-License-Identifier: MIT */
/* keeper.h - a network's keeper: the process that runs its dnsmasq and
 * undoes the network once its last attachment has gone, however it ended */
#ifndef SQN_SYS_KEEPER_H
#define SQN_SYS_KEEPER_H

#include <stddef.h>

#include "dnsmasq.h"

/**
 * struct keeper_spec - the network a keeper keeps
 * @dir:	its directory in the record
 * @ns:		the namespace's record (record_ns())
 * @cookie:	the namespace's cookie (record_ns())
 * @token:	the network's table mark: a network of the same name made
 *		again later is not this keeper's
 * @dns:	what its dnsmasq serves
 */
struct keeper_spec {
	const char *dir;
	const char *ns;
	unsigned long long cookie;
	const char *token;
	struct dnsmasq_spec dns;
};

int keeper_start(const struct keeper_spec *k, char *msg, size_t len);
int keeper_alive(const char *dir);

#endif /* SQN_SYS_KEEPER_H */
