/* SPDX-License-Identifier: MIT */
/* runstream.h - "squib-net run --stream": the network's stream socket on fd N of the VMM */
#ifndef SQN_CLI_RUNSTREAM_H
#define SQN_CLI_RUNSTREAM_H

#include <stddef.h>

int runstream_path(const char *socket, const char *network, char *out,
		   size_t len);
int runstream_exec(const char *socket, const char *network, int fd, char **vmm);

#endif /* SQN_CLI_RUNSTREAM_H */
