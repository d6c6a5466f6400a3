/* SPDX-License-Identifier: MIT */
/* compat.h - configs of every version, and copies sized to the caller's struct */
#ifndef SQN_COMPAT_H
#define SQN_COMPAT_H

#include <stddef.h>
#include <stdint.h>

#include "squibnet.h"

/*
 * Versions 1 to 3 of struct sqn_config added fields in the middle, so a
 * client built against their headers lays its config out as below (copied
 * from include/squibnet.h in git history; tests/abi/ keeps those headers).
 * Version 1 is the layout of commit 4bff160, the last before tap_fd: two
 * short-lived headers also said 1 (332f5b2 without helper and
 * helper_start_ms, 06d8a03 with tap_fd) and cannot be told from it.
 */
struct config_v1 {
	uint32_t version;
	enum sqn_mode mode;
	const char *iface_id;
	uint8_t guest_mac[6];
	uint8_t has_guest_mac;
	uint8_t disable_isolation;
	uint32_t mtu;
	const char *bridged_iface;
	const char *helper_path;
	const char *const *helper_args;
	enum sqn_helper helper;
	uint32_t helper_start_ms;
	const char *peer_path;
	int peer_fd;
	enum sqn_framing framing;
	uint32_t offloads;
	uint32_t queue_depth;
	sqn_log_fn log;
	void *log_ctx;
};

/* Version 2: tap_fd after queue_depth. */
struct config_v2 {
	uint32_t version;
	enum sqn_mode mode;
	const char *iface_id;
	uint8_t guest_mac[6];
	uint8_t has_guest_mac;
	uint8_t disable_isolation;
	uint32_t mtu;
	const char *bridged_iface;
	const char *helper_path;
	const char *const *helper_args;
	enum sqn_helper helper;
	uint32_t helper_start_ms;
	const char *peer_path;
	int peer_fd;
	enum sqn_framing framing;
	uint32_t offloads;
	uint32_t queue_depth;
	int tap_fd;
	sqn_log_fn log;
	void *log_ctx;
};

/* Version 3: the network fields after bridged_iface. */
struct config_v3 {
	uint32_t version;
	enum sqn_mode mode;
	const char *iface_id;
	uint8_t guest_mac[6];
	uint8_t has_guest_mac;
	uint8_t disable_isolation;
	uint32_t mtu;
	const char *bridged_iface;
	const char *network;
	const char *subnet;
	const char *nat_iface;
	const char *dns_upstream;
	const char *dns_hosts;
	const char *helper_path;
	const char *const *helper_args;
	enum sqn_helper helper;
	uint32_t helper_start_ms;
	const char *peer_path;
	int peer_fd;
	enum sqn_framing framing;
	uint32_t offloads;
	uint32_t queue_depth;
	int tap_fd;
	sqn_log_fn log;
	void *log_ctx;
};

/* The fields all versions have, by name: their offsets differ. */
#define COPY_COMMON(out, in)                                        \
	do {                                                        \
		(out)->mode = (in)->mode;                           \
		(out)->iface_id = (in)->iface_id;                   \
		memcpy((out)->guest_mac, (in)->guest_mac, 6);       \
		(out)->has_guest_mac = (in)->has_guest_mac;         \
		(out)->disable_isolation = (in)->disable_isolation; \
		(out)->mtu = (in)->mtu;                             \
		(out)->bridged_iface = (in)->bridged_iface;         \
		(out)->helper_path = (in)->helper_path;             \
		(out)->helper_args = (in)->helper_args;             \
		(out)->helper = (in)->helper;                       \
		(out)->helper_start_ms = (in)->helper_start_ms;     \
		(out)->peer_path = (in)->peer_path;                 \
		(out)->peer_fd = (in)->peer_fd;                     \
		(out)->framing = (in)->framing;                     \
		(out)->offloads = (in)->offloads;                   \
		(out)->queue_depth = (in)->queue_depth;             \
		(out)->log = (in)->log;                             \
		(out)->log_ctx = (in)->log_ctx;                     \
	} while (0)

int compat_config_read(const struct sqn_config *cfg, struct sqn_config *out,
		       char *msg, size_t msglen);
void compat_copy_out(void *dst, size_t size, const void *src, size_t ours);

#endif /* SQN_COMPAT_H */
