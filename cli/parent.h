/* SPDX-License-Identifier: MIT */
/* parent.h - a child that should not outlive the program (per OS) */
#ifndef SQN_CLI_PARENT_H
#define SQN_CLI_PARENT_H

void parent_death_kills(void);

#endif /* SQN_CLI_PARENT_H */
