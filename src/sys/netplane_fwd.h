/* SPDX-License-Identifier: MIT */
/* netplane_fwd.h - what the network plane's sweeps do with the fixed
 * addresses and port forwards of attachments that have ended (the calls
 * that make them are in netplane.h) */
#ifndef SQN_SYS_NETPLANE_FWD_H
#define SQN_SYS_NETPLANE_FWD_H

void netplane_fwd_gc(const char *dir);
void netplane_fwd_drop(const char *dir);

#endif /* SQN_SYS_NETPLANE_FWD_H */
