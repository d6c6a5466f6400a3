/* SPDX-License-Identifier: MIT */
/* plane_ns.h - what the network plane's tests share (plane_ns.c) */
#ifndef SQN_PLANE_NS_H
#define SQN_PLANE_NS_H

#include "squibnet.h"

#define NET "sqn-tp"
#define UPLINK "up0"
/* How long a network may outlive its last attachment (issue 9: "a few
 * seconds"; generous for a loaded machine). */
#define GONE_MS 15000

/* /run/squib-net/net-<inode> of the test's namespace, set by ns_new(). */
extern char record[128];

void ns_new(void);
int sh(const char *cmd);
int sh_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int conf_flag(const char *family, const char *iface, const char *key);
int forwarding(const char *iface);
void config(struct sqn_config *cfg, enum sqn_mode mode, const char *subnet);
sqn_net *open_ok(const struct sqn_config *cfg);
int ns_proc(const char *comm);
void nothing_left_within(int ms);
void nothing_left(void);
int record_pid(const char *name);
int dnsmasq_pid(void);

#endif /* SQN_PLANE_NS_H */
