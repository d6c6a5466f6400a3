/* SPDX-License-Identifier: MIT */
/* cli.h - subcommands of the squib-net program */
#ifndef SQN_CLI_H
#define SQN_CLI_H

#include <stddef.h>
#include <sys/types.h>

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
int cmd_probe(int argc, char **argv);
void usage_probe(void);
int cmd_serve(int argc, char **argv);
void usage_serve(void);
int cmd_status(int argc, char **argv);
struct svc_request;
struct svc_reply;
struct svc_attach;
struct svc_forward;
ssize_t status_ask(const char *path, const struct svc_request *req, char *buf,
		   size_t size);
int status_fetch(const char *path, struct svc_reply *rep, char **buf);
void status_free(struct svc_reply *rep, char *buf);
void status_forwards(const struct svc_attach *a, char *out, size_t len);
char *status_forward(const struct svc_forward *f, char *out);
int cmd_forward(int argc, char **argv);
void usage_forward(void);
void usage_status(void);
int exe_dir(char *dir, size_t size);
void usage_run(void);
void usage_bridge_helper(void);

#endif /* SQN_CLI_H */
