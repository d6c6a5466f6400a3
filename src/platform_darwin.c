// SPDX-License-Identifier: MIT
/* platform_darwin.c - which backend serves each mode on macOS */
#include "dgram.h"
#include "net.h"
#include "sys/vmnet.h"

/**
 * platform_backend() - the backend of a mode in this build
 * @p:		checked parameters: the mode, and a TAP to attach to
 * @why:	set, when there is none, to why not
 *
 * Shared, host and bridged are vmnet.framework's; bridged only in a
 * build with BRIDGED=1, as it needs Apple's restricted entitlement.
 *
 * Return: the ops table, or NULL.
 */
const struct backend_ops *platform_backend(const struct net_params *p,
					   const char **why)
{
	switch (p->net.mode) {
	case SQN_MODE_LOOPBACK:
		return &loopback_ops;
	case SQN_MODE_STREAM:
		if (p->peer_listen)
			return &listener_ops;
		return p->framing == SQN_FRAMING_DGRAM ? &dgram_ops :
							 &stream_ops;
	case SQN_MODE_USERSPACE:
		*why = "the userspace mode's helper supervision is Linux's so far; on macOS, run gvproxy yourself and attach to it in stream mode";
		return NULL;
	default:
		break;
	}
	if (p->tap_fd >= 0) {
		*why = "tap_fd: TAP devices are Linux's; macOS uses vmnet.framework";
		return NULL;
	}
#ifndef SQN_VMNET_BRIDGED
	if (p->net.mode == SQN_MODE_BRIDGED) {
		*why = "vmnet's bridged mode needs the restricted com.apple.vm.networking entitlement: build with make BRIDGED=1 and sign the program with it (docs/macos.md)";
		return NULL;
	}
#endif
	return &vmnet_ops;
}

/**
 * platform_helper_default() - the helper SQN_HELPER_DEFAULT stands for
 *
 * Return: gvproxy, the user-space network of macOS VMMs (podman, lima).
 */
enum sqn_helper platform_helper_default(void)
{
	return SQN_HELPER_GVPROXY;
}
