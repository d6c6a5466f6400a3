// SPDX-License-Identifier: MIT
/* platform_linux.c - which backend serves each mode on Linux */
#include "net.h"

/**
 * platform_backend() - the backend of @mode in this build
 * @mode:	a valid enum sqn_mode
 * @why:	set, when there is none, to where the mode is available
 *
 * Return: the ops table, or NULL.
 */
const struct backend_ops *platform_backend(enum sqn_mode mode, const char **why)
{
	switch (mode) {
	case SQN_MODE_LOOPBACK:
		return &loopback_ops;
	case SQN_MODE_STREAM:
		return &stream_ops;
	case SQN_MODE_USERSPACE:
		return &helper_ops;
	default:
		*why = "not built into this libsquibnet yet (planned: a TAP on a bridge with nftables and dnsmasq on Linux, vmnet.framework on macOS)";
		return NULL;
	}
}

/**
 * platform_helper_default() - the helper SQN_HELPER_DEFAULT stands for
 *
 * Return: passt, which Linux distributions package (Debian: "passt").
 */
enum sqn_helper platform_helper_default(void)
{
	return SQN_HELPER_PASST;
}
