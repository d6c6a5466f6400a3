// SPDX-License-Identifier: MIT
/* compat.c - configs of every version, and copies sized to the caller's struct */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "net.h"

/* From version 4 on, each version's struct is a prefix of the next one's;
 * a version reads up to where its last field ends. */
#define END_OF(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define CONFIG_END_V4 END_OF(struct sqn_config, lock_timeout_ms)
#define CONFIG_END_V5 END_OF(struct sqn_config, service_path)
#define CONFIG_END_V6 END_OF(struct sqn_config, peer_listen)
#define CONFIG_END_V7 END_OF(struct sqn_config, subnet6)
#define CONFIG_END_CURRENT CONFIG_END_V7

static const size_t config_end[SQN_CONFIG_VERSION + 1] = {
	[1] = sizeof(struct config_v1),
	[2] = sizeof(struct config_v2),
	[3] = sizeof(struct config_v3),
	[4] = CONFIG_END_V4,
	[5] = CONFIG_END_V5,
	[6] = CONFIG_END_V6,
	[7] = CONFIG_END_V7,
};

_Static_assert(SQN_CONFIG_VERSION == 7,
	       "a new config version needs its end in config_end[]");
_Static_assert(sizeof(struct sqn_config) - CONFIG_END_CURRENT <
		       _Alignof(struct sqn_config),
	       "a field added to sqn_config needs a new SQN_CONFIG_VERSION");

/* What sqn_info() and sqn_stats() wrote before they took a size: struct
 * sqn_info has not changed since version 1; sqn_stats gained rx_large and
 * tx_large with version 3. */
#define INFO_END_V3 END_OF(struct sqn_info, gateway)
#define STATS_END_V2 END_OF(struct sqn_stats, tx_errors)
#define STATS_END_V3 END_OF(struct sqn_stats, tx_large)

/* The defaults of the current version: 0 but for the descriptors. */
static void config_defaults(struct sqn_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->version = SQN_CONFIG_VERSION;
	cfg->mode = SQN_MODE_SHARED;
	cfg->peer_fd = -1;
	cfg->tap_fd = -1;
}

/**
 * compat_config_read() - the caller's config, of any known version, as a
 * config of the current one
 * @cfg:	caller's config; only the bytes of its version are read
 * @out:	the current version's struct: the fields @cfg has, and the
 *		defaults of the others (tap_fd -1 before version 2)
 * @msg:	reason on failure
 * @msglen:	bytes of @msg
 *
 * Return: 0, or -EINVAL for NULL or a version this library does not know.
 */
int compat_config_read(const struct sqn_config *cfg, struct sqn_config *out,
		       char *msg, size_t msglen)
{
	union {
		struct config_v1 v1;
		struct config_v2 v2;
		struct config_v3 v3;
	} old;

	if (!cfg) {
		snprintf(msg, msglen, "config: NULL");
		return -EINVAL;
	}
	if (!cfg->version) {
		snprintf(
			msg, msglen,
			"version: 0 is not a config version (this library takes 1 to %u): fill the config with sqn_config_init()",
			SQN_CONFIG_VERSION);
		return -EINVAL;
	}
	if (cfg->version > SQN_CONFIG_VERSION) {
		snprintf(
			msg, msglen,
			"version: %u is newer than this library's %u: the caller was built against a newer squibnet.h than the libsquibnet it runs with",
			cfg->version, SQN_CONFIG_VERSION);
		return -EINVAL;
	}
	config_defaults(out);
	switch (cfg->version) {
	case 1:
		memcpy(&old.v1, cfg, sizeof(old.v1));
		COPY_COMMON(out, &old.v1);
		break;
	case 2:
		memcpy(&old.v2, cfg, sizeof(old.v2));
		COPY_COMMON(out, &old.v2);
		out->tap_fd = old.v2.tap_fd;
		break;
	case 3:
		memcpy(&old.v3, cfg, sizeof(old.v3));
		COPY_COMMON(out, &old.v3);
		out->tap_fd = old.v3.tap_fd;
		out->network = old.v3.network;
		out->subnet = old.v3.subnet;
		out->nat_iface = old.v3.nat_iface;
		out->dns_upstream = old.v3.dns_upstream;
		out->dns_hosts = old.v3.dns_hosts;
		break;
	default:
		memcpy(out, cfg, config_end[cfg->version]);
		out->version = SQN_CONFIG_VERSION;
		break;
	}
	return 0;
}

/**
 * compat_copy_out() - copy a struct into the caller's, of another size
 * @dst:	caller's struct
 * @size:	its bytes: nothing beyond is written
 * @src:	ours
 * @ours:	its bytes
 *
 * A caller's struct larger than ours (a newer header) gets 0 in the
 * fields this library does not know.
 */
void compat_copy_out(void *dst, size_t size, const void *src, size_t ours)
{
	memcpy(dst, src, size < ours ? size : ours);
	if (size > ours)
		memset((char *)dst + ours, 0, size - ours);
}

int sqn_config_init2(struct sqn_config *cfg, size_t size, uint32_t version)
{
	struct sqn_config def;
	size_t need;

	if (version < 4) {
		errno = EINVAL;
		return -EINVAL;
	}
	/* The current version's struct is all of ours, tail padding
	 * included: a caller built against this header passes its sizeof. */
	need = version >= SQN_CONFIG_VERSION ? sizeof(def) :
					       config_end[version];
	if (!cfg || size < need) {
		errno = EINVAL;
		return -EINVAL;
	}
	config_defaults(&def);
	def.version = version;
	compat_copy_out(cfg, size, &def, sizeof(def));
	if (version > SQN_CONFIG_VERSION) {
		errno = ENOTSUP;
		return -ENOTSUP;
	}
	return 0;
}

/*
 * The symbols clients built against headers of versions 1 to 3 call
 * (version SQUIBNET_0 of the library, see libsquibnet.map). Their names are
 * inline functions of today's header, so they are defined under others and
 * given the old names here. They write what the library exporting them
 * last wrote, the structs of version 3; sqn_stats() writes the shorter
 * struct of versions 1 and 2 to an attachment opened with such a config.
 */
void compat_config_init_v3(struct config_v3 *cfg);
int compat_info_v3(const sqn_net *net, struct sqn_info *info);
int compat_stats_v3(const sqn_net *net, struct sqn_stats *st);

__asm__(".symver compat_config_init_v3, sqn_config_init@@SQUIBNET_0");
__asm__(".symver compat_info_v3, sqn_info@@SQUIBNET_0");
__asm__(".symver compat_stats_v3, sqn_stats@@SQUIBNET_0");

/**
 * compat_config_init_v3() - sqn_config_init() of version 3: exactly a
 * version 3 struct with version 3
 * @cfg:	caller's config
 */
void compat_config_init_v3(struct config_v3 *cfg)
{
	struct config_v3 def;

	memset(&def, 0, sizeof(def));
	def.version = 3;
	def.mode = SQN_MODE_SHARED;
	def.peer_fd = -1;
	def.tap_fd = -1;
	memcpy(cfg, &def, sizeof(def));
}

/**
 * compat_info_v3() - sqn_info() of versions 1 to 3
 * @net:	attachment
 * @info:	filled on return
 *
 * Return: 0, or -EINVAL when an argument is NULL.
 */
int compat_info_v3(const sqn_net *net, struct sqn_info *info)
{
	return sqn_info2(net, info, INFO_END_V3);
}

/**
 * compat_stats_v3() - sqn_stats() of versions 1 to 3
 * @net:	attachment
 * @st:		filled on return: 10 counters, or 8 when @net was opened
 *		with a config of version 1 or 2
 *
 * Return: 0, or -EINVAL when an argument is NULL.
 */
int compat_stats_v3(const sqn_net *net, struct sqn_stats *st)
{
	if (!net)
		return sqn_stats2(net, st, 0);
	return sqn_stats2(net, st,
			  net->p.client_version <= 2 ? STATS_END_V2 :
						       STATS_END_V3);
}
