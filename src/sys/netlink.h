/* SPDX-License-Identifier: MIT */
/* netlink.h - links and addresses through rtnetlink (libmnl), for the network plane */
#ifndef SQN_SYS_NETLINK_H
#define SQN_SYS_NETLINK_H

#include <stdint.h>

int nl_bridge_add(const char *name);
int nl_addr_add(const char *name, const uint8_t addr[4], int prefix);
int nl_link_set(const char *name, const char *master, int up);
int nl_port_isolate(const char *name, int on);
int nl_link_del(const char *name);

#endif /* SQN_SYS_NETLINK_H */
