/* SPDX-License-Identifier: MIT */
/* fixture_ns.h - the TAP and plane fixtures, in a network namespace of their own */
#ifndef SQN_TEST_FIXTURE_NS_H
#define SQN_TEST_FIXTURE_NS_H

#include "squibnet.h"

struct fx;

int fx_ns_open(struct fx *f, int plane, struct sqn_config *cfg);
void fx_ns_close(struct fx *f);

#endif /* SQN_TEST_FIXTURE_NS_H */
