/* SPDX-License-Identifier: MIT */
/* helper_fx.h - what the helper tests share: the fake helper's config, a log, waits */
#ifndef SQN_HELPER_FX_H
#define SQN_HELPER_FX_H

#include <stdint.h>
#include <sys/types.h>

#include "squibnet.h"

#define LOG_MAX 64

/* The log callback's lines, kept for the test to look at. */
struct helper_logs {
	int n;
	int level[LOG_MAX];
	char line[LOG_MAX][512];
};

extern uint8_t txb[70000], rxb[70000];
extern struct helper_logs logs;

void log_cb(void *ctx, int level, const char *msg);
const char *logged(int level, const char *s);
long now_ms(void);
void fake_config(struct sqn_config *cfg, const char *const *args);
sqn_net *must_open(const struct sqn_config *cfg);
void open_fails(const struct sqn_config *cfg, int err, const char *want);
pid_t parent_of(pid_t pid);
pid_t child_pid(void);
sqn_net *open_helper(const struct sqn_config *cfg, pid_t *pid);
int no_children(void);
void round_trip(sqn_net *net, size_t len, uint32_t seq);
int recv_one(sqn_net *net);
int recv_until_error(sqn_net *net, unsigned int *frames);
void temp_file(char *path, const char *content, mode_t mode);
const char *wait_logged(sqn_net *net, const char *text);
int family_kid(sqn_net **net, const char *leave);

#endif /* SQN_HELPER_FX_H */
