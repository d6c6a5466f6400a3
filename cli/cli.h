/* SPDX-License-Identifier: MIT */
/* cli.h - subcommands of the squib-net program */
#ifndef SQN_CLI_H
#define SQN_CLI_H

#define EXIT_USAGE 2

int cmd_demo(int argc, char **argv);
int cmd_guest(int argc, char **argv);
void usage_guest(void);
void usage_demo(void);
int cmd_probe(int argc, char **argv);
void usage_probe(void);

#endif /* SQN_CLI_H */
