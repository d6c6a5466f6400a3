/* SPDX-License-Identifier: MIT */
/* conf.h - squib-net serve's configuration: serve.conf (docs/serve.md) */
#ifndef SQN_SERVE_CONF_H
#define SQN_SERVE_CONF_H

#include <stddef.h>

#include "serve.h"

void conf_init(struct serve_config *c);
int conf_load(struct serve_config *c, const char *path, int given, char *msg,
	      size_t len);
int conf_set_socket(struct serve_config *c, const char *path, char *msg,
		    size_t len);
void conf_defaults(struct serve_config *c);
int conf_net_spec(const struct serve_netconf *n, struct net_spec *spec,
		  char *msg, size_t len);
/* conf_vxlan.c: the settings of networks that span hosts */
int conf_vxlan_line(struct serve_netconf *n, const char *key, const char *val,
		    char *msg, size_t len);
int conf_bgp_line(struct serve_config *c, const char *key, const char *val,
		  char *msg, size_t len);
int conf_vxlan_check(const struct serve_config *c, unsigned int i, char *msg,
		     size_t len);

#endif /* SQN_SERVE_CONF_H */
