// SPDX-License-Identifier: MIT
/* fuzz_config.c - libFuzzer target: config_check() on any sqn_config, of any version */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "config.h"

#define ARGS_FUZZ_MAX 40
#define ARG_FUZZ_LEN (SQN_ARG_LEN_MAX + 88)
#define ID_FUZZ_LEN (SQN_IFACE_ID_MAX + 36)
#define PATH_FUZZ_LEN (SQN_PATH_MAX + 100)
#define IFNAME_FUZZ_LEN 40
#define MSG_LEN 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strings are NUL-terminated copies here, never pointers into the input. */
static char iface_id[ID_FUZZ_LEN + 1];
static char peer_path[PATH_FUZZ_LEN + 1];
static char service_path[PATH_FUZZ_LEN + 1];
static char bridged[IFNAME_FUZZ_LEN + 1];
static char network[IFNAME_FUZZ_LEN + 1];
static char subnet[IFNAME_FUZZ_LEN + 1];
static char upstream[IFNAME_FUZZ_LEN * 2 + 1];
static char argstore[ARGS_FUZZ_MAX][ARG_FUZZ_LEN + 1];
static const char *args[ARGS_FUZZ_MAX + 1];
static char msg[MSG_LEN];

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint8_t u8(struct reader *rd)
{
	if (!rd->left)
		return 0;
	rd->left--;
	return *rd->p++;
}

static uint16_t u16(struct reader *rd)
{
	uint16_t hi = u8(rd);

	return (uint16_t)(hi << 8 | u8(rd));
}

static uint32_t u32(struct reader *rd)
{
	uint32_t hi = u16(rd);

	return hi << 16 | u16(rd);
}

/*
 * Copies a string of at most @max bytes into @dst: its length comes from
 * the input, its bytes too while they last, then 'a's. NUL bytes from the
 * input stay and end the string early.
 */
static const char *str(struct reader *rd, char *dst, size_t max)
{
	size_t len = u16(rd) % (max + 1), n = len < rd->left ? len : rd->left;

	if (n)
		memcpy(dst, rd->p, n);
	rd->p += n;
	rd->left -= n;
	memset(dst + n, 'a', len - n);
	dst[len] = '\0';
	return dst;
}

static int valid_id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* What a failure message may start with: the name of a field. */
static int names_a_field(const char *m)
{
	static const char *const fields[] = {
		"config:",	  "version:",	   "mode:",
		"iface_id:",	  "guest_mac:",	   "mtu:",
		"framing:",	  "queue_depth:",  "offloads:",
		"bridged_iface:", "helper_path:",  "helper_args:",
		"peer_path:",	  "network:",	   "subnet:",
		"nat_iface:",	  "dns_upstream:", "dns_hosts:",
		"service_path:",
	};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strncmp(m, fields[i], strlen(fields[i])))
			return 1;
	return 0;
}

static void check_ok(const struct sqn_config *cfg, const struct net_params *p)
{
	char m[MSG_LEN];
	size_t i, n;

	if (config_check_iface_id(p->iface_id, m, sizeof(m)))
		abort();
	for (i = 0; p->iface_id[i]; i++)
		if (i >= SQN_IFACE_ID_MAX || !valid_id_char(p->iface_id[i]))
			abort();
	if (strcmp(p->iface_id, cfg->iface_id ? cfg->iface_id : "sqn0"))
		abort();
	if (config_check_mac(p->guest_mac, m, sizeof(m)) ||
	    (p->guest_mac[0] & 1))
		abort();
	if (cfg->has_guest_mac ? memcmp(p->guest_mac, cfg->guest_mac, 6) :
				 (p->guest_mac[0] & 3) != 2)
		abort();
	if (p->queue_depth < 1 || p->queue_depth > SQN_QUEUE_MAX)
		abort();
	if (p->mtu != cfg->mtu ||
	    (p->mtu &&
	     (p->mtu < SQN_MTU_MIN || p->mtu > SQN_FRAME_MAX - SQN_ETH_HLEN)))
		abort();
	if ((unsigned int)p->net.mode >= SQN_MODE_COUNT_ ||
	    p->net.mode != cfg->mode)
		abort();
	if ((unsigned int)p->framing > SQN_FRAMING_DGRAM)
		abort();
	if (p->offloads & ~(uint32_t)0x1f)
		abort();
	if (p->net.isolation != !cfg->disable_isolation)
		abort();
	if (p->net.mode == SQN_MODE_STREAM && !p->peer_path && p->peer_fd < 0)
		abort();
	if (p->net.mode == SQN_MODE_BRIDGED && !p->net.bridged_iface &&
	    p->tap_fd < 0)
		abort();
	if (p->tap_fd !=
	    (cfg->tap_fd >= 0 && (p->net.mode == SQN_MODE_SHARED ||
				  p->net.mode == SQN_MODE_HOST ||
				  p->net.mode == SQN_MODE_BRIDGED) ?
		     cfg->tap_fd :
		     -1))
		abort();
	if (p->peer_fd != cfg->peer_fd || p->log != cfg->log ||
	    p->log_ctx != cfg->log_ctx)
		abort();
	if (p->connect_timeout_ms != (cfg->connect_timeout_ms ?
					      cfg->connect_timeout_ms :
					      2000) ||
	    p->lock_timeout_ms !=
		    (cfg->lock_timeout_ms ? cfg->lock_timeout_ms : 10000))
		abort();
	if (p->net.bridged_iface &&
	    (!*p->net.bridged_iface || strlen(p->net.bridged_iface) > 15 ||
	     strchr(p->net.bridged_iface, '/')))
		abort();
	if ((p->net.mode == SQN_MODE_SHARED || p->net.mode == SQN_MODE_HOST) &&
	    (p->net.gateway.len < 8 || p->net.gateway.len > 29 ||
	     !p->net.name[0] ||
	     strspn(p->net.name,
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
		     strlen(p->net.name)))
		abort();
	if (p->peer_path &&
	    (!*p->peer_path || strlen(p->peer_path) > SQN_PATH_MAX))
		abort();
	if (p->service_path != cfg->service_path ||
	    (p->service_path &&
	     (!*p->service_path || strlen(p->service_path) > 107)))
		abort();
	for (n = 0; p->helper_args && p->helper_args[n]; n++)
		if (n >= SQN_ARGS_MAX ||
		    strlen(p->helper_args[n]) > SQN_ARG_LEN_MAX)
			abort();
}

/*
 * @cfg as a client built against the header of version 4 has it: the
 * current struct up to lock_timeout_ms, in a block of exactly that size;
 * service_path gets its default in @cfg. Return: the block, to free.
 */
static void *v4_layout(struct sqn_config *cfg)
{
	size_t size = offsetof(struct sqn_config, lock_timeout_ms) +
		      sizeof(cfg->lock_timeout_ms);
	void *block = malloc(size);

	if (!block)
		abort();
	memcpy(block, cfg, size);
	cfg->service_path = NULL;
	return block;
}

/* Never called: config_check() only passes it on. */
static void fuzz_log(void *ctx, int level, const char *m)
{
	(void)ctx;
	(void)level;
	(void)m;
	abort();
}

/*
 * @cfg as a client built against the header of its version (1 to 3) lays
 * it out, in a block of exactly that size (so that ASan sees a read past
 * it); the fields that version lacks get their defaults in @cfg, which is
 * what the result is compared with. Return: the block, to free.
 */
static void *old_layout(struct sqn_config *cfg)
{
	union {
		struct config_v1 v1;
		struct config_v2 v2;
		struct config_v3 v3;
	} old;
	size_t size;
	void *block;

	memset(&old, 0, sizeof(old));
	switch (cfg->version) {
	case 1:
		COPY_COMMON(&old.v1, cfg);
		size = sizeof(old.v1);
		break;
	case 2:
		COPY_COMMON(&old.v2, cfg);
		old.v2.tap_fd = cfg->tap_fd;
		size = sizeof(old.v2);
		break;
	default:
		COPY_COMMON(&old.v3, cfg);
		old.v3.tap_fd = cfg->tap_fd;
		old.v3.network = cfg->network;
		old.v3.subnet = cfg->subnet;
		old.v3.nat_iface = cfg->nat_iface;
		old.v3.dns_upstream = cfg->dns_upstream;
		old.v3.dns_hosts = cfg->dns_hosts;
		size = sizeof(old.v3);
		break;
	}
	old.v1.version = cfg->version;
	if (cfg->version < 2)
		cfg->tap_fd = -1;
	if (cfg->version < 3)
		cfg->network = cfg->subnet = cfg->nat_iface =
			cfg->dns_upstream = cfg->dns_hosts = NULL;
	cfg->connect_timeout_ms = cfg->lock_timeout_ms = 0;
	cfg->service_path = NULL;
	block = malloc(size);
	if (!block)
		abort();
	memcpy(block, &old, size);
	return block;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *old = NULL;
	struct reader rd = { data, size };
	struct sqn_config cfg;
	struct net_params p;
	uint8_t flags = u8(&rd), flags2 = u8(&rd);
	size_t msglen, i, nargs;
	int r;

	sqn_config_init(&cfg);
	/* mostly valid values, so that the later checks are reached */
	cfg.version = flags & 0x01 ? u32(&rd) :
				     1 + u8(&rd) % SQN_CONFIG_VERSION;
	cfg.mode = (enum sqn_mode)(flags & 0x02 ? u32(&rd) : u8(&rd) % 8);
	cfg.mtu = flags & 0x04 ? u32(&rd) : u16(&rd);
	cfg.queue_depth = flags & 0x08 ? u32(&rd) : u16(&rd) % 4200;
	cfg.framing = (enum sqn_framing)(flags & 0x10 ? u32(&rd) : u8(&rd) % 5);
	cfg.offloads = flags & 0x20 ? u32(&rd) : u8(&rd) & 0x3f;
	cfg.has_guest_mac = u8(&rd) & 1;
	for (i = 0; i < 6; i++)
		cfg.guest_mac[i] = u8(&rd);
	cfg.disable_isolation = u8(&rd);
	cfg.peer_fd = (int8_t)u8(&rd);
	cfg.tap_fd = (int8_t)u8(&rd);
	cfg.connect_timeout_ms = u8(&rd) & 1 ? u32(&rd) : 0;
	cfg.lock_timeout_ms = u8(&rd) & 1 ? u32(&rd) : 0;
	cfg.log = fuzz_log;
	cfg.log_ctx = &rd;
	msglen = u8(&rd) & 0x80 ? u8(&rd) % 16 : MSG_LEN;

	if (flags2 & 0x01)
		cfg.iface_id = str(&rd, iface_id, ID_FUZZ_LEN);
	if (flags2 & 0x02)
		cfg.peer_path = str(&rd, peer_path, PATH_FUZZ_LEN);
	if (flags2 & 0x04)
		cfg.bridged_iface = str(&rd, bridged, IFNAME_FUZZ_LEN);
	if (flags2 & 0x20) {
		cfg.network = str(&rd, network, IFNAME_FUZZ_LEN);
		cfg.subnet = str(&rd, subnet, IFNAME_FUZZ_LEN);
	}
	if (flags2 & 0x40)
		cfg.dns_upstream = str(&rd, upstream, IFNAME_FUZZ_LEN * 2);
	/* never a random helper_path: that would stat random files */
	if (flags2 & 0x08)
		cfg.helper_path = "/bin/sh";
	if (flags2 & 0x10) {
		nargs = u8(&rd) % (ARGS_FUZZ_MAX + 1);
		for (i = 0; i < nargs; i++)
			args[i] = str(&rd, argstore[i], ARG_FUZZ_LEN);
		args[nargs] = NULL;
		cfg.helper_args = args;
	}

	if (u8(&rd) & 1)
		cfg.service_path = str(&rd, service_path, PATH_FUZZ_LEN);
	if (cfg.version >= 1 && cfg.version <= 3)
		old = old_layout(&cfg);
	else if (cfg.version == 4)
		old = v4_layout(&cfg);
	memset(msg, 0x5a, sizeof(msg));
	r = config_check(flags2 & 0x80 ? NULL :
			 old	       ? old :
					 &cfg,
			 &p, msg, msglen);
	free(old);
	if (r == 0) {
		if (p.client_version != cfg.version)
			abort();
		check_ok(&cfg, &p);
		return 0;
	}
	/* the message is a string that fits, and names the field */
	if (msglen && strnlen(msg, msglen) >= msglen)
		abort();
	if (msglen == MSG_LEN && !names_a_field(msg))
		abort();
	/* only the random MAC can fail otherwise, and it says so */
	if (r != -EINVAL &&
	    (r >= 0 || (msglen == MSG_LEN && strncmp(msg, "guest_mac:", 10))))
		abort();
	return 0;
}
