// SPDX-License-Identifier: MIT
/* config.c - checks of sqn_config at the API boundary, one message a field */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat.h"
#include "config.h"
#include "forward.h"
#include "ipv4.h"
#include "ipv6.h"
#include "sys/sys.h"

#define NAME_CHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"

static int fail(char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/**
 * config_check_iface_id() - check an interface id: [A-Za-z0-9_]{1,64}
 * @id:		the id
 * @msg:	reason on failure
 * @msglen:	bytes of @msg
 *
 * Return: 0 or -EINVAL.
 */
int config_check_iface_id(const char *id, char *msg, size_t msglen)
{
	size_t i;

	for (i = 0; id[i]; i++) {
		char c = id[i];

		if (i >= SQN_IFACE_ID_MAX)
			return fail(msg, msglen,
				    "iface_id: longer than %d characters",
				    SQN_IFACE_ID_MAX);
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return fail(
				msg, msglen,
				"iface_id: character %zu (0x%02x) is not one of A-Z a-z 0-9 _",
				i + 1, (unsigned char)c);
	}
	if (!i)
		return fail(msg, msglen, "iface_id: empty");
	return 0;
}

/**
 * config_check_mac() - a guest MAC must be unicast and not all zero
 * @mac:	address
 * @msg:	reason on failure
 * @msglen:	bytes of @msg
 *
 * Return: 0 or -EINVAL.
 */
int config_check_mac(const uint8_t mac[6], char *msg, size_t msglen)
{
	static const uint8_t zero[6];

	if (mac[0] & 1)
		return fail(
			msg, msglen,
			"guest_mac: %02x:%02x:%02x:%02x:%02x:%02x is a multicast address",
			mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	if (!memcmp(mac, zero, 6))
		return fail(msg, msglen, "guest_mac: all zero");
	return 0;
}

/**
 * config_check_path() - a path: non-empty, at most SQN_PATH_MAX bytes
 * @what:	field name for the message
 * @path:	the path
 * @need_exec:	also require a regular, executable file
 * @msg:	reason on failure
 * @msglen:	bytes of @msg
 *
 * Return: 0 or -EINVAL.
 */
int config_check_path(const char *what, const char *path, int need_exec,
		      char *msg, size_t msglen)
{
	struct stat st;
	size_t len = strnlen(path, SQN_PATH_MAX + 1);

	if (!len)
		return fail(msg, msglen, "%s: empty", what);
	if (len > SQN_PATH_MAX)
		return fail(msg, msglen, "%s: longer than %d bytes", what,
			    SQN_PATH_MAX);
	if (!need_exec)
		return 0;
	if (stat(path, &st))
		return fail(msg, msglen, "%s: %s: %s", what, path,
			    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(msg, msglen, "%s: %s: not a regular file", what,
			    path);
	if (access(path, X_OK))
		return fail(msg, msglen, "%s: %s: not executable", what, path);
	return 0;
}

/**
 * config_check_args() - at most SQN_ARGS_MAX args of SQN_ARG_LEN_MAX bytes
 * @args:	NULL-terminated list, or NULL
 * @msg:	reason on failure
 * @msglen:	bytes of @msg
 *
 * Return: 0 or -EINVAL.
 */
int config_check_args(const char *const *args, char *msg, size_t msglen)
{
	size_t i;

	for (i = 0; args && args[i]; i++) {
		if (i >= SQN_ARGS_MAX)
			return fail(msg, msglen,
				    "helper_args: more than %d arguments",
				    SQN_ARGS_MAX);
		if (strnlen(args[i], SQN_ARG_LEN_MAX + 1) > SQN_ARG_LEN_MAX)
			return fail(
				msg, msglen,
				"helper_args: argument %zu is longer than %d bytes",
				i + 1, SQN_ARG_LEN_MAX);
	}
	return 0;
}

/* An interface name as the kernel takes it: 1 to 15 bytes, no '/', no
 * blank, not "." or "..". */
static int check_ifname(const char *what, const char *name, char *msg,
			size_t msglen)
{
	size_t len = strnlen(name, 16);

	if (!len || len > 15 || strpbrk(name, "/ \t\n:") ||
	    !strcmp(name, ".") || !strcmp(name, ".."))
		return fail(
			msg, msglen,
			"%s: \"%.32s\" is not an interface name (1 to 15 bytes, no '/', ':' or blank)",
			what, name);
	return 0;
}

/* "A.B.C.D/N": the gateway's address and the prefix length, 8 to 29; the
 * gateway neither the network's address nor its broadcast address. */
static int check_subnet(const char *s, struct net_params *p, char *msg,
			size_t msglen)
{
	struct ipv4_prefix g;
	uint32_t a;

	if (ipv4_parse_prefix(s, &g) || g.len < 8 || g.len > 29)
		return fail(
			msg, msglen,
			"subnet: \"%.32s\" is not A.B.C.D/N (the gateway's address, N from 8 to 29)",
			s);
	a = ipv4_pack(g.addr);
	if (a == ipv4_network(&g) || a == ipv4_broadcast(&g))
		return fail(
			msg, msglen,
			"subnet: %.32s: the gateway is the network's own or broadcast address; give the gateway's, e.g. the .1",
			s);
	if (g.addr[0] == 127 || g.addr[0] >= 224 || !g.addr[0])
		return fail(msg, msglen,
			    "subnet: %.32s is not a unicast network", s);
	p->net.gateway = g;
	return 0;
}

/* NULL: the ULA /64 of the network's name; "none": no IPv6; else
 * "PREFIX/64", its host bits 0, a unicast prefix (not link-local,
 * multicast, loopback's or the unspecified address's). An MTU below
 * IPv6's minimum (RFC 8200: 1280) leaves the network without it. */
static int check_subnet6(const char *s, uint32_t mtu, struct net_params *p,
			 char *msg, size_t msglen)
{
	struct ipv6_prefix v6;
	const uint8_t *a = v6.addr;

	if (mtu && mtu < 1280 && s && strcmp(s, "none"))
		return fail(
			msg, msglen,
			"subnet6: IPv6 needs an MTU of 1280 at least, not %u",
			mtu);
	p->net.has_v6 = !s ? !mtu || mtu >= 1280 : strcmp(s, "none") != 0;
	if (!s)
		ipv6_ula(p->net.name, &p->net.subnet6);
	if (!s || !p->net.has_v6)
		return 0;
	if (ipv6_parse_prefix(s, &v6) || v6.len != IPV6_NET_LEN ||
	    !ipv6_host_bits_zero(&v6))
		return fail(
			msg, msglen,
			"subnet6: \"%.64s\" is not \"none\" or PREFIX/64 (the network's, e.g. fd12:3456:789a::/64)",
			s);
	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
	    !memcmp(a, (const uint8_t[8]){ 0 }, 8))
		return fail(msg, msglen,
			    "subnet6: %.64s is not a unicast network", s);
	p->net.subnet6 = v6;
	return 0;
}

/* "none", or up to four IPv4 addresses separated by commas. */
static int check_dns_upstream(const char *s, char *msg, size_t msglen)
{
	const char *end = s;
	uint8_t a[4];
	int i;

	if (!strcmp(s, "none"))
		return 0;
	for (i = 0; i < 4; i++) {
		if (ipv4_parse(end, &end, a))
			break;
		if (!*end)
			return 0;
		if (*end++ != ',')
			break;
	}
	return fail(
		msg, msglen,
		"dns_upstream: \"%.64s\" is not \"none\" or up to 4 IPv4 addresses separated by commas",
		s);
}

/* 1 to 15 of A-Z a-z 0-9 _ . -: an interface name nft can be given. */
static int plain_name(const char *name)
{
	size_t len = strnlen(name, 16);

	return len && len <= 15 && strspn(name, NAME_CHARS) == len;
}

static int check_network(const struct sqn_config *cfg, struct net_params *p,
			 char *msg, size_t msglen)
{
	const char *name = cfg->network, *subnet = cfg->subnet;
	struct stat st;
	int r;

	if (!name)
		name = cfg->mode == SQN_MODE_HOST ? "sqn-host" : "sqn-shared";
	if (!plain_name(name))
		return fail(
			msg, msglen,
			"network: \"%.32s\" is not 1 to 15 of A-Z a-z 0-9 _ . -",
			name);
	if (name[0] == '.' || name[0] == '-')
		return fail(msg, msglen,
			    "network: \"%.32s\" starts with '.' or '-'", name);
	snprintf(p->net.name, sizeof(p->net.name), "%s", name);
	if (!subnet)
		subnet = cfg->mode == SQN_MODE_HOST ? "192.168.106.1/24" :
						      "192.168.105.1/24";
	r = check_subnet(subnet, p, msg, msglen);
	if (!r)
		r = check_subnet6(cfg->subnet6, cfg->mtu, p, msg, msglen);
	if (r)
		return r;
	/* It goes into nft's commands: plain names only. */
	if (cfg->nat_iface && !plain_name(cfg->nat_iface))
		return fail(
			msg, msglen,
			"nat_iface: \"%.32s\" is not 1 to 15 of A-Z a-z 0-9 _ . -",
			cfg->nat_iface);
	if (cfg->dns_upstream) {
		r = check_dns_upstream(cfg->dns_upstream, msg, msglen);
		if (r)
			return r;
	}
	if (cfg->dns_hosts) {
		r = config_check_path("dns_hosts", cfg->dns_hosts, 0, msg,
				      msglen);
		if (r)
			return r;
		if (stat(cfg->dns_hosts, &st))
			return fail(msg, msglen, "dns_hosts: %s: %s",
				    cfg->dns_hosts, strerror(errno));
		if (!S_ISREG(st.st_mode))
			return fail(msg, msglen,
				    "dns_hosts: %s: not a regular file",
				    cfg->dns_hosts);
		if (strpbrk(cfg->dns_hosts, ",\n"))
			return fail(
				msg, msglen,
				"dns_hosts: %s: a ',' or newline in the path",
				cfg->dns_hosts);
	}
	p->net.dns_hosts = cfg->dns_hosts;
	if (cfg->mode == SQN_MODE_SHARED) {
		p->net.nat_iface = cfg->nat_iface;
		p->net.dns_upstream = cfg->dns_upstream;
	} else {
		/* Host-only: its DNS server knows its own names only. */
		p->net.dns_upstream = "none";
	}
	return 0;
}

static int check_mode_fields(const struct sqn_config *cfg, struct net_params *p,
			     char *msg, size_t msglen)
{
	int r;

	if (cfg->mode == SQN_MODE_BRIDGED && !cfg->bridged_iface &&
	    cfg->tap_fd < 0)
		return fail(
			msg, msglen,
			"bridged_iface: bridged mode needs the LAN interface (or tap_fd)");
	if (cfg->bridged_iface) {
		r = check_ifname("bridged_iface", cfg->bridged_iface, msg,
				 msglen);
		if (r)
			return r;
	}
	if (cfg->mode == SQN_MODE_SHARED || cfg->mode == SQN_MODE_HOST) {
		r = check_network(cfg, p, msg, msglen);
		if (r)
			return r;
	}
	if (cfg->helper_path) {
		r = config_check_path("helper_path", cfg->helper_path, 1, msg,
				      msglen);
		if (r)
			return r;
	}
	r = config_check_args(cfg->helper_args, msg, msglen);
	if (r)
		return r;
	if (cfg->peer_path) {
		r = config_check_path("peer_path", cfg->peer_path, 0, msg,
				      msglen);
		if (r)
			return r;
	}
	if (cfg->mode == SQN_MODE_STREAM && !cfg->peer_path && cfg->peer_fd < 0)
		return fail(
			msg, msglen,
			"peer_path: stream mode needs peer_path or peer_fd");
	if (cfg->peer_listen && cfg->mode == SQN_MODE_STREAM) {
		if (!cfg->peer_path)
			return fail(
				msg, msglen,
				"peer_listen: listening needs peer_path (a peer_fd is already connected)");
		if (cfg->framing == SQN_FRAMING_DGRAM)
			return fail(
				msg, msglen,
				"peer_listen: datagram framing has no connections to accept: use qemu or hyperkit framing");
	}
	if (cfg->service_path) {
		r = config_check_path("service_path", cfg->service_path, 0, msg,
				      msglen);
		if (r)
			return r;
		/* sun_path's 108 bytes, its NUL included (unix(7)). */
		if (strlen(cfg->service_path) > 107)
			return fail(
				msg, msglen,
				"service_path: longer than 107 bytes, the most a unix socket's address holds");
	}
	return 0;
}

/**
 * config_check_forwards() - check the port forwards and the fixed address
 * @cfg:	the config, at the current version
 * @p:		its network checked already (its subnet); the fields are
 *		set on success
 * @msg:	reason on failure, naming the field
 * @msglen:	bytes of @msg
 *
 * Forwards: shared and userspace; a fixed address: shared and host. Both
 * need a network sqn_open() reaches (its own or the service's), so not
 * with tap_fd. The address must be a guest's of the subnet: not its
 * gateway's, its network's or broadcast address. What collides with what
 * is the plane's to say (-EADDRINUSE).
 *
 * Return: 0 or -EINVAL.
 */
int config_check_forwards(const struct sqn_config *cfg, struct net_params *p,
			  char *msg, size_t msglen)
{
	int plane = cfg->mode == SQN_MODE_SHARED || cfg->mode == SQN_MODE_HOST;
	const char *ip = cfg->guest_ip && cfg->guest_ip[0] ? cfg->guest_ip :
							     NULL;
	const char *end;
	uint8_t a[4];
	uint32_t i;
	int r;

	if (cfg->n_forwards > SQN_FORWARDS_MAX)
		return fail(msg, msglen, "n_forwards: %u is above %d",
			    cfg->n_forwards, SQN_FORWARDS_MAX);
	if (cfg->n_forwards && !cfg->forwards)
		return fail(msg, msglen, "forwards: NULL, with n_forwards %u",
			    cfg->n_forwards);
	if (cfg->n_forwards && cfg->mode != SQN_MODE_SHARED &&
	    cfg->mode != SQN_MODE_USERSPACE)
		return fail(
			msg, msglen,
			"forwards: %s mode has none (shared and userspace have)",
			sqn_mode_name(cfg->mode));
	if (ip && !plane)
		return fail(msg, msglen,
			    "guest_ip: %s mode has none (shared and host have)",
			    sqn_mode_name(cfg->mode));
	if ((ip || cfg->n_forwards) && plane && cfg->tap_fd >= 0)
		return fail(
			msg, msglen,
			"%s: with tap_fd there is no network of sqn_open()'s to make it in",
			ip ? "guest_ip" : "forwards");
	for (i = 0; i < cfg->n_forwards; i++) {
		r = forward_check(&cfg->forwards[i], msg, msglen);
		if (r)
			return r;
	}
	if (ip && (ipv4_parse(ip, &end, a) || *end))
		return fail(msg, msglen, "guest_ip: \"%.32s\" is not A.B.C.D",
			    ip);
	/* Through the service, the subnet is the service's network's, not
	 * the config's: whose subnet it must be in is the plane's to check
	 * (netplane_reserve(), the service, vmnet's start). */
	if (ip && !cfg->service_path && cfg->subnet &&
	    ipv4_guest(&p->net.gateway, ip))
		return fail(
			msg, msglen,
			"guest_ip: %s is not a guest's address of the subnet (nor its gateway)",
			ip);
	p->forwards = cfg->n_forwards ? cfg->forwards : NULL;
	p->n_forwards = cfg->n_forwards;
	p->guest_ip = ip;
	return 0;
}

/**
 * config_check() - check every field of @caller and fill @p
 * @caller:	caller's config, of any version from 1 to SQN_CONFIG_VERSION
 * @p:		checked parameters with defaults (mtu 0: backend default);
 *		@p->log and @p->log_ctx are set even on failure, once the
 *		version is known
 * @msg:	reason on failure, naming the field
 * @msglen:	bytes of @msg
 *
 * Return: 0, or -EINVAL (or the error of reading random bytes).
 */
int config_check(const struct sqn_config *caller, struct net_params *p,
		 char *msg, size_t msglen)
{
	struct sqn_config current;
	const struct sqn_config *cfg = &current;
	int r;

	memset(p, 0, sizeof(*p));
	r = compat_config_read(caller, &current, msg, msglen);
	if (r)
		return r;
	p->client_version = caller->version;
	p->log = cfg->log;
	p->log_ctx = cfg->log_ctx;
	if ((unsigned int)cfg->mode >= SQN_MODE_COUNT_)
		return fail(msg, msglen, "mode: %d is not a known mode",
			    (int)cfg->mode);
	if (cfg->iface_id) {
		r = config_check_iface_id(cfg->iface_id, msg, msglen);
		if (r)
			return r;
	}
	if (cfg->has_guest_mac) {
		r = config_check_mac(cfg->guest_mac, msg, msglen);
		if (r)
			return r;
	}
	if (cfg->mtu &&
	    (cfg->mtu < SQN_MTU_MIN || cfg->mtu > SQN_FRAME_MAX - SQN_ETH_HLEN))
		return fail(msg, msglen, "mtu: %u is outside %d..%d", cfg->mtu,
			    SQN_MTU_MIN, SQN_FRAME_MAX - SQN_ETH_HLEN);
	if ((unsigned int)cfg->framing > SQN_FRAMING_DGRAM)
		return fail(msg, msglen, "framing: %d is not a known framing",
			    (int)cfg->framing);
	if ((unsigned int)cfg->helper > SQN_HELPER_SLIRP)
		return fail(msg, msglen, "helper: %d is not a known helper",
			    (int)cfg->helper);
	if (cfg->queue_depth > SQN_QUEUE_MAX)
		return fail(msg, msglen, "queue_depth: %u is above %d",
			    cfg->queue_depth, SQN_QUEUE_MAX);
	if (cfg->offloads & ~(uint32_t)0x1f)
		return fail(msg, msglen, "offloads: unknown bits 0x%x",
			    cfg->offloads & ~(uint32_t)0x1f);
	r = check_mode_fields(cfg, p, msg, msglen);
	if (!r)
		r = config_check_forwards(cfg, p, msg, msglen);
	if (r)
		return r;
	p->net.mode = cfg->mode;
	snprintf(p->iface_id, sizeof(p->iface_id), "%s",
		 cfg->iface_id ? cfg->iface_id : "sqn0");
	p->has_guest_mac = cfg->has_guest_mac ? 1 : 0;
	if (cfg->has_guest_mac) {
		memcpy(p->guest_mac, cfg->guest_mac, 6);
	} else {
		r = sys_random(p->guest_mac, 6);
		if (r) {
			fail(msg, msglen, "guest_mac: no random bytes: %s",
			     strerror(-r));
			return r;
		}
		/* locally administered, unicast */
		p->guest_mac[0] = (uint8_t)((p->guest_mac[0] & 0xfc) | 0x02);
	}
	p->mtu = cfg->mtu;
	p->net.mtu = cfg->mtu;
	p->net.isolation = !cfg->disable_isolation;
	p->net.bridged_iface = cfg->bridged_iface;
	p->helper_path = cfg->helper_path;
	p->helper_args = cfg->helper_args;
	p->peer_path = cfg->peer_path;
	p->peer_fd = cfg->peer_fd;
	p->peer_listen = cfg->mode == SQN_MODE_STREAM && cfg->peer_listen;
	p->framing = cfg->framing;
	p->offloads = cfg->offloads;
	p->queue_depth = cfg->queue_depth ? cfg->queue_depth : 256;
	p->connect_timeout_ms =
		cfg->connect_timeout_ms ? cfg->connect_timeout_ms : 2000;
	p->lock_timeout_ms = cfg->lock_timeout_ms ? cfg->lock_timeout_ms :
						    10000;
	/* The service may make the network before it answers. */
	p->reply_timeout_ms =
		cfg->connect_timeout_ms ? cfg->connect_timeout_ms : 10000;
	p->service_path = cfg->service_path;
	/* Only the modes a TAP serves look at it: a config filled without
	 * sqn_config_init() has 0 there. */
	p->tap_fd = cfg->tap_fd >= 0 && (cfg->mode == SQN_MODE_SHARED ||
					 cfg->mode == SQN_MODE_HOST ||
					 cfg->mode == SQN_MODE_BRIDGED) ?
			    cfg->tap_fd :
			    -1;
	return 0;
}
