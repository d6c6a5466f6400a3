// SPDX-License-Identifier: MIT
/* conf.c - squib-net serve's configuration file: global settings and
 * [network NAME] sections of "key value" lines (docs/serve.md) */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "conf.h"
#include "config.h"
#include "net.h"

/* The longest line, with its newline and NUL. */
#define CONF_LINE_MAX 1024

/**
 * conf_init() - the built-in defaults, before any file or option
 * @c:		the configuration
 */
void conf_init(struct serve_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->socket, sizeof(c->socket), "%s", SVC_SOCKET_DEFAULT);
	snprintf(c->acl, sizeof(c->acl), "%s", ACL_PATH_DEFAULT);
}

/* A message "FILE:LINE: ..." and -EINVAL. */
static int conf_err(char *msg, size_t len, const char *file, int line,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int conf_err(char *msg, size_t len, const char *file, int line,
		    const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(msg, len, "%s:%d: ", file, line);
	if (n < 0 || (size_t)n >= len)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(msg + n, len - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* @val into @out of @size bytes; 0, or -1 when it does not fit. */
static int conf_copy(char *out, size_t size, const char *val)
{
	if (strlen(val) >= size)
		return -1;
	memcpy(out, val, strlen(val) + 1);
	return 0;
}

/**
 * conf_set_socket() - the control socket's path
 * @c:		the configuration
 * @path:	an absolute path that fits a unix socket address
 * @msg:	set on failure
 * @len:	its size
 *
 * Return: 0 or -EINVAL.
 */
int conf_set_socket(struct serve_config *c, const char *path, char *msg,
		    size_t len)
{
	if (path[0] != '/' || conf_copy(c->socket, sizeof(c->socket), path)) {
		snprintf(
			msg, len,
			"socket: %.200s: not an absolute path of at most %zu bytes",
			path, sizeof(c->socket) - 1);
		return -EINVAL;
	}
	return 0;
}

/* One "key value" line of a [network] section. */
static int conf_net_line(struct serve_netconf *n, const char *key,
			 const char *val, const char *file, int line, char *msg,
			 size_t len)
{
	char *end;
	unsigned long v;
	int bad = 0;

	if (!strcmp(key, "mode")) {
		if (!strcmp(val, "shared"))
			n->mode = SQN_MODE_SHARED;
		else if (!strcmp(val, "host"))
			n->mode = SQN_MODE_HOST;
		else if (!strcmp(val, "bridged"))
			n->mode = SQN_MODE_BRIDGED;
		else
			return conf_err(msg, len, file, line,
					"mode: shared, host or bridged, not %s",
					val);
	} else if (!strcmp(key, "subnet")) {
		bad = conf_copy(n->subnet, sizeof(n->subnet), val);
	} else if (!strcmp(key, "subnet6")) {
		bad = conf_copy(n->subnet6, sizeof(n->subnet6), val);
	} else if (!strcmp(key, "nat-iface")) {
		bad = conf_copy(n->nat_iface, sizeof(n->nat_iface), val);
	} else if (!strcmp(key, "dns-upstream")) {
		bad = conf_copy(n->dns_upstream, sizeof(n->dns_upstream), val);
	} else if (!strcmp(key, "dns-hosts")) {
		bad = conf_copy(n->dns_hosts, sizeof(n->dns_hosts), val);
	} else if (!strcmp(key, "bridged-iface")) {
		bad = conf_copy(n->bridged_iface, sizeof(n->bridged_iface),
				val);
	} else if (!strcmp(key, "isolation")) {
		if (strcmp(val, "on") && strcmp(val, "off"))
			return conf_err(msg, len, file, line,
					"isolation: on or off, not %s", val);
		n->isolation = !strcmp(val, "on");
	} else if (!strcmp(key, "allow-spoofing")) {
		if (strcmp(val, "yes") && strcmp(val, "no"))
			return conf_err(msg, len, file, line,
					"allow-spoofing: yes or no, not %s",
					val);
		n->allow_spoofing = !strcmp(val, "yes");
	} else if (!strcmp(key, "mtu")) {
		errno = 0;
		v = strtoul(val, &end, 10);
		if (errno || *end || !*val || v < SQN_MTU_MIN ||
		    v > SQN_FRAME_MAX - SQN_ETH_HLEN)
			return conf_err(msg, len, file, line,
					"mtu: %s is not a number from %d to %d",
					val, SQN_MTU_MIN,
					SQN_FRAME_MAX - SQN_ETH_HLEN);
		n->mtu = (uint32_t)v;
	} else {
		char why[256];
		int r = conf_vxlan_line(n, key, val, why, sizeof(why));

		if (r == -ENOENT)
			return conf_err(msg, len, file, line,
					"unknown network setting %s", key);
		if (r)
			return conf_err(msg, len, file, line, "%s", why);
	}
	if (bad)
		return conf_err(msg, len, file, line, "%s: too long", key);
	return 0;
}

/* One global "key value" line. */
static int conf_global_line(struct serve_config *c, const char *key,
			    const char *val, const char *file, int line,
			    char *msg, size_t len)
{
	char why[256];

	if (!strcmp(key, "socket")) {
		if (conf_set_socket(c, val, why, sizeof(why)))
			return conf_err(msg, len, file, line, "%s", why);
	} else if (!strcmp(key, "group")) {
		if (conf_copy(c->group, sizeof(c->group), val))
			return conf_err(msg, len, file, line,
					"group: too long");
	} else if (!strcmp(key, "acl")) {
		if (val[0] != '/' || conf_copy(c->acl, sizeof(c->acl), val))
			return conf_err(msg, len, file, line,
					"acl: not an absolute path that fits");
		c->acl_given = 1;
	} else {
		int r = conf_bgp_line(c, key, val, why, sizeof(why));

		if (r == -ENOENT)
			return conf_err(
				msg, len, file, line,
				"unknown setting %s (or a network's, before any [network NAME])",
				key);
		if (r)
			return conf_err(msg, len, file, line, "%s", why);
	}
	return 0;
}

/* "[network NAME]": a new network, checked later by conf_net_spec(). */
static int conf_section(struct serve_config *c, char *head, const char *file,
			int line, char *msg, size_t len)
{
	struct serve_netconf *n;
	char *name, *end = strchr(head, ']');
	unsigned int i;

	if (!end || end[1] || strncmp(head, "[network", 8) ||
	    (head[8] != ' ' && head[8] != '\t'))
		return conf_err(msg, len, file, line,
				"a section is [network NAME]");
	*end = '\0';
	name = head + 8 + strspn(head + 8, " \t");
	name[strcspn(name, " \t")] = '\0';
	if (!*name || strlen(name) >= SVC_NAME_MAX)
		return conf_err(msg, len, file, line,
				"[network NAME]: NAME is 1 to %d bytes",
				SVC_NAME_MAX - 1);
	for (i = 0; i < c->n_nets; i++)
		if (!strcmp(c->nets[i].name, name))
			return conf_err(msg, len, file, line,
					"network %s: already at line %d", name,
					c->nets[i].line);
	if (c->n_nets == SERVE_NETWORKS_MAX)
		return conf_err(msg, len, file, line, "more than %d networks",
				SERVE_NETWORKS_MAX);
	n = &c->nets[c->n_nets++];
	memset(n, 0, sizeof(*n));
	memcpy(n->name, name, strlen(name) + 1);
	n->mode = SQN_MODE_SHARED;
	n->isolation = 1;
	n->line = line;
	return 0;
}

/**
 * conf_load() - read serve.conf
 * @c:		the configuration, its defaults set (conf_init())
 * @path:	the file
 * @given:	1: named on the command line, so it must exist; 0: the
 *		default, whose absence means the built-in defaults
 * @msg:	set on failure: "FILE:LINE: why", or "FILE: why"
 * @len:	its size
 *
 * Each network is checked as the library checks an attachment's
 * (config_check()), after the whole file was read.
 *
 * Return: 0, -EINVAL on a mistake in the file, or the errno of reading it.
 */
int conf_load(struct serve_config *c, const char *path, int given, char *msg,
	      size_t len)
{
	char text[CONF_LINE_MAX], *key, *val, *end;
	struct net_spec spec;
	int line = 0, r = 0;
	unsigned int i;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		if (r == -ENOENT && !given)
			return 0;
		snprintf(msg, len, "%s: %s", path, strerror(-r));
		return r;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	while (!r && fgets(text, sizeof(text), f)) {
		line++;
		if (!strchr(text, '\n') && !feof(f)) {
			r = conf_err(msg, len, path, line,
				     "longer than %d bytes", CONF_LINE_MAX - 2);
			break;
		}
		text[strcspn(text, "#\r\n")] = '\0';
		key = text + strspn(text, " \t");
		end = key + strlen(key);
		while (end > key && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*key)
			continue;
		if (*key == '[') {
			r = conf_section(c, key, path, line, msg, len);
			continue;
		}
		val = key + strcspn(key, " \t");
		if (*val)
			*val++ = '\0';
		val += strspn(val, " \t");
		if (!*val) {
			r = conf_err(msg, len, path, line, "%s needs a value",
				     key);
			break;
		}
		if (c->n_nets)
			r = conf_net_line(&c->nets[c->n_nets - 1], key, val,
					  path, line, msg, len);
		else
			r = conf_global_line(c, key, val, path, line, msg, len);
	}
	if (!r && ferror(f))
		r = conf_err(msg, len, path, line, "read error");
	fclose(f);
	for (i = 0; !r && i < c->n_nets; i++) {
		r = conf_net_spec(&c->nets[i], &spec, text, sizeof(text));
		if (!r)
			r = conf_vxlan_check(c, i, text, sizeof(text));
		if (r)
			conf_err(msg, len, path, c->nets[i].line,
				 "network %s: %s", c->nets[i].name, text);
	}
	return r;
}

/**
 * conf_defaults() - the networks when the file names none: sqn-shared
 * and sqn-host, with the library's defaults
 * @c:		the configuration
 */
void conf_defaults(struct serve_config *c)
{
	static const char *const names[] = { "sqn-shared", "sqn-host" };
	unsigned int i;

	if (c->n_nets)
		return;
	for (i = 0; i < 2; i++) {
		memset(&c->nets[i], 0, sizeof(c->nets[i]));
		snprintf(c->nets[i].name, sizeof(c->nets[i].name), "%s",
			 names[i]);
		c->nets[i].mode = i ? SQN_MODE_HOST : SQN_MODE_SHARED;
		c->nets[i].isolation = 1;
	}
	c->n_nets = 2;
}

/* A setting given to a mode that takes none: @why in @msg, -EINVAL. */
static int conf_mismatch(char *msg, size_t len, const char *why)
{
	snprintf(msg, len, "%s", why);
	return -EINVAL;
}

/* @s, or NULL when it is empty. */
static const char *conf_opt(const char *s)
{
	return s[0] ? s : NULL;
}

/**
 * conf_net_spec() - a network of the file, checked by the library's own
 * config_check() as an attachment asking for it would be
 * @n:		the network; @spec's strings point into it
 * @spec:	set on success
 * @msg:	set on failure, naming the setting
 * @len:	its size
 *
 * Return: 0 or -EINVAL.
 */
int conf_net_spec(const struct serve_netconf *n, struct net_spec *spec,
		  char *msg, size_t len)
{
	struct sqn_config cfg;
	struct net_params p;
	int r;

	sqn_config_init(&cfg);
	cfg.mode = n->mode;
	cfg.network = n->name;
	cfg.subnet = conf_opt(n->subnet);
	cfg.subnet6 = conf_opt(n->subnet6);
	cfg.nat_iface = conf_opt(n->nat_iface);
	cfg.dns_upstream = conf_opt(n->dns_upstream);
	cfg.dns_hosts = conf_opt(n->dns_hosts);
	cfg.bridged_iface = conf_opt(n->bridged_iface);
	cfg.disable_isolation = !n->isolation;
	cfg.mtu = n->mtu;
	if (n->mode != SQN_MODE_SHARED &&
	    (n->nat_iface[0] || n->dns_upstream[0]))
		return conf_mismatch(
			msg, len,
			"nat-iface and dns-upstream are for mode shared");
	if (n->mode == SQN_MODE_BRIDGED &&
	    (n->subnet[0] || n->subnet6[0] || n->dns_hosts[0]))
		return conf_mismatch(
			msg, len,
			"subnet, subnet6 and dns-hosts are not for mode bridged");
	if (n->mode != SQN_MODE_BRIDGED && n->bridged_iface[0])
		return conf_mismatch(msg, len,
				     "bridged-iface is for mode bridged");
	r = config_check(&cfg, &p, msg, len);
	if (r)
		return r;
	*spec = p.net;
	/* Bridged: the library keeps no name; the service names it. */
	snprintf(spec->name, sizeof(spec->name), "%s", n->name);
	return 0;
}
