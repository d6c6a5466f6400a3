// SPDX-License-Identifier: MIT
/* platform_linux.c - which backend serves each mode on Linux */
#include "dgram.h"
#include "net.h"
#include "sys/sys.h"

/**
 * platform_backend() - the backend of a mode in this build
 * @p:		checked parameters: the mode, and a TAP to attach to
 *
 * @why:	set, when there is none, to where the mode is available
 *
 * Shared, host and bridged without tap_fd make their network (netplane.h)
 * when the thread has CAP_NET_ADMIN, and get their TAP from the service
 * (svcclient.h) when it has not or when service_path is set; stream mode
 * with datagram framing is the datagram backend's.
 *
 * Return: the ops table, or NULL.
 */
const struct backend_ops *platform_backend(const struct net_params *p,
					   const char **why)
{
	(void)why; /* every mode is built on Linux */
	switch (p->net.mode) {
	case SQN_MODE_LOOPBACK:
		return &loopback_ops;
	case SQN_MODE_STREAM:
		if (p->peer_listen)
			return &listener_ops;
		return p->framing == SQN_FRAMING_DGRAM ? &dgram_ops :
							 &stream_ops;
	case SQN_MODE_USERSPACE:
		return &helper_ops;
	default:
		if (p->tap_fd >= 0)
			return &tap_ops;
		if (p->service_path || !sys_net_admin())
			return &svcclient_ops;
		return &plane_ops;
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
