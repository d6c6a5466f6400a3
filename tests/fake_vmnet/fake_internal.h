/* SPDX-License-Identifier: MIT */
/* fake_internal.h - what the fake vmnet takes from its fake libdispatch and XPC */
#ifndef SQN_FAKE_INTERNAL_H
#define SQN_FAKE_INTERNAL_H

#include <stdint.h>

#include "sys/vmnet_api.h"

void fake_queue_fn(dispatch_queue_t q, void (*fn)(void *), void *ctx);
void fake_queue_block(dispatch_queue_t q, void (^block)(void));
void fake_queue_retain(dispatch_queue_t q);
int fake_dict_bool(xpc_object_t d, const char *key);
int fake_dict_uuid(xpc_object_t d, const char *key, uint8_t out[16]);
void fake_hold(dispatch_queue_t q, void (^b)(void));
struct fake_vmnet_script;
void fake_script_copy(struct fake_vmnet_script *out);
void fake_fwd_reset(void);
void fake_fwd_iface(interface_ref i, int up);

#endif /* SQN_FAKE_INTERNAL_H */
