/* SPDX-License-Identifier: MIT */
/* net.h - the attachment handle shared by the core and its backends */
#ifndef SQN_NET_H
#define SQN_NET_H

#include <stddef.h>
#include <stdint.h>

#include "netspec.h"
#include "pool.h"
#include "squibnet.h"

#define NET_ERRMSG_LEN 512

struct sqn_net;
struct net_params;

/**
 * struct backend_ops - one attachment kind
 * @name:	for messages
 * @pool_size:	bytes of buffers the backend needs, all taken at open
 * @open:	acquire resources; set net->fd
 * @recv:	fill up to @n packets; return the count (0: none ready) or a
 *		negative errno (-ENOTCONN once the link is down)
 * @send:	take a prefix of @n valid frames; return its length (0: full)
 *		or a negative errno
 * @flush:	finish a partially written frame; 0, -EAGAIN or an error
 * @set_offloads: optional: sqn_set_offloads() with checked bits; 0 or a
 *		negative errno. Without it the backend carries no offloads
 * @close:	release what @open acquired; safe after a failed @open
 * @info:	optional: correct the copy sqn_info() returns with what the
 *		backend can see without changing state (a helper that died)
 * @check:	optional: the backend's own part of the config check, after
 *		config_check(): check @cfg (the caller's config at the
 *		current version) and fill the backend's fields of @p; 0 or
 *		-EINVAL with a message naming the field in @msg
 *
 * Frames reaching @send are already checked against the size limits.
 */
struct backend_ops {
	const char *name;
	size_t (*pool_size)(const struct sqn_net *net);
	int (*open)(struct sqn_net *net);
	int (*recv)(struct sqn_net *net, struct sqn_pkt *pkts, unsigned int n);
	int (*send)(struct sqn_net *net, const struct sqn_pkt *pkts,
		    unsigned int n);
	int (*flush)(struct sqn_net *net);
	int (*set_offloads)(struct sqn_net *net, uint32_t offloads);
	void (*close)(struct sqn_net *net);
	void (*info)(const struct sqn_net *net, struct sqn_info *info);
	int (*check)(const struct sqn_config *cfg, struct net_params *p,
		     char *msg, size_t msglen);
};

/**
 * struct net_params - a validated config with defaults filled in
 *
 * @net is the network (its mode, and for the plane's modes all it asks
 * of the network); @mtu is this attachment's, settled by its backend.
 */
struct net_params {
	struct net_spec net;
	char iface_id[SQN_IFACE_ID_MAX + 1];
	uint8_t guest_mac[6];
	/* guest_mac is the caller's (else random): the service is asked for
	 * it, and holds the port to it (serve/spoof.c) */
	uint8_t has_guest_mac;
	uint32_t mtu; /* 0 until the backend's default is known */
	const char *helper_path;
	const char *const *helper_args;
	enum sqn_helper helper; /* never SQN_HELPER_DEFAULT once checked */
	uint32_t helper_start_ms;
	const char *peer_path;
	int peer_fd;
	int peer_listen; /* listen at peer_path, one peer at a time */
	enum sqn_framing framing;
	uint32_t offloads;
	uint32_t queue_depth;
	int tap_fd;
	uint32_t connect_timeout_ms;
	uint32_t lock_timeout_ms;
	uint32_t reply_timeout_ms; /* the service's reply */
	const char *service_path; /* NULL: SQN_SERVICE, else the default */
	uint32_t client_version; /* sqn_config.version as the caller gave it */
	/* Port forwards (shared, userspace) and a fixed address (shared,
	 * host): the caller's, checked (config_check_forwards()) */
	const struct sqn_forward *forwards;
	uint32_t n_forwards;
	const char *guest_ip;
	sqn_log_fn log;
	void *log_ctx;
};

struct sqn_net {
	const struct backend_ops *ops;
	struct net_params p;
	struct sqn_info info;
	struct sqn_stats stats;
	struct pool pool;
	void *priv;
	void *outer; /* a backend's own state when @priv is the stream's */
	int fd;
	sqn_log_fn log;
	void *log_ctx;
	char errmsg[NET_ERRMSG_LEN];
};

int net_error(struct sqn_net *net, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void net_log(const struct sqn_net *net, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int net_link_down(struct sqn_net *net, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void net_pkt_fill(struct sqn_pkt *pkt, const void *a, size_t alen,
		  const void *b, size_t blen);
int net_set_mtu(struct sqn_net *net, size_t frame_cap);
void net_set_subnet(struct sqn_net *net, const struct ipv4_prefix *gw);
void net_set_subnet6(struct sqn_net *net, const struct ipv6_prefix *p);
void net_tx_refused(struct sqn_net *net, const struct sqn_pkt *pkt);

/* Chosen per platform in platform_<os>.c. */
const struct backend_ops *platform_backend(const struct net_params *p,
					   const char **why);
enum sqn_helper platform_helper_default(void);

extern const struct backend_ops loopback_ops;
extern const struct backend_ops stream_ops;
extern const struct backend_ops listener_ops;
extern const struct backend_ops helper_ops;
extern const struct backend_ops tap_ops;
extern const struct backend_ops plane_ops;
extern const struct backend_ops svcclient_ops;

#endif /* SQN_NET_H */
