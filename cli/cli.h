/* SPDX-License-Identifier: MIT */
/* cli.h - subcommands of the squib-net program */
#ifndef SQN_CLI_H
#define SQN_CLI_H

#include <stddef.h>

#define EXIT_USAGE 2

int cmd_demo(int argc, char **argv);
int cmd_guest(int argc, char **argv);
void usage_guest(void);
void usage_demo(void);
int cmd_serve(int argc, char **argv);
void usage_serve(void);
int cmd_status(int argc, char **argv);
void usage_status(void);
int exe_dir(char *dir, size_t size);

#endif /* SQN_CLI_H */
