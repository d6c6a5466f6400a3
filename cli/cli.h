/* SPDX-License-Identifier: MIT */
/* cli.h - subcommands of the squib-net program */
#ifndef SQN_CLI_H
#define SQN_CLI_H

#include <stddef.h>

#define EXIT_USAGE 2

/* The bridge helper's name when installed on its own (LIBEXECDIR), which
 * main() answers to as argv[0]. */
#define BRIDGE_HELPER_NAME "squib-net-bridge-helper"

int cmd_demo(int argc, char **argv);
int cmd_guest(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bridge_helper(int argc, char **argv);
void usage_guest(void);
void usage_demo(void);
int cmd_serve(int argc, char **argv);
void usage_serve(void);
int cmd_status(int argc, char **argv);
void usage_status(void);
int exe_dir(char *dir, size_t size);
void usage_run(void);
void usage_bridge_helper(void);

#endif /* SQN_CLI_H */
