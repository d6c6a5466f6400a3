/* SPDX-License-Identifier: MIT */
/* guestinit.h - pid 1 of the guest's PID namespace: starts CMD, reaps all */
#ifndef SQN_CLI_GUESTINIT_H
#define SQN_CLI_GUESTINIT_H

#define GUESTINIT_NAME "squib-net-init"

void guestinit_prepare(void);
void guestinit_proc(void);
void __attribute__((noreturn)) guestinit_exec(char *const *cmd);

#endif /* SQN_CLI_GUESTINIT_H */
