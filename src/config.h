/* SPDX-License-Identifier: MIT */
/* config.h - checks of sqn_config at the API boundary */
#ifndef SQN_CONFIG_H
#define SQN_CONFIG_H

#include <stddef.h>

#include "net.h"

int config_check(const struct sqn_config *cfg, struct net_params *p, char *msg,
		 size_t msglen);
int config_check_forwards(const struct sqn_config *cfg, struct net_params *p,
			  char *msg, size_t msglen);
int config_check_iface_id(const char *id, char *msg, size_t msglen);
int config_check_mac(const uint8_t mac[6], char *msg, size_t msglen);
int config_check_path(const char *what, const char *path, int need_exec,
		      char *msg, size_t msglen);
int config_check_args(const char *const *args, char *msg, size_t msglen);

#endif /* SQN_CONFIG_H */
