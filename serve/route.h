/* SPDX-License-Identifier: MIT */
/* route.h - squib-net serve's shared networks follow the default route:
 * route changes watched over rtnetlink */
#ifndef SQN_SERVE_ROUTE_H
#define SQN_SERVE_ROUTE_H

#include "serve.h"

void route_init(struct serve *s);
void route_event(struct serve *s);
void route_follow(struct serve *s);
void route_fini(struct serve *s);

#endif /* SQN_SERVE_ROUTE_H */
