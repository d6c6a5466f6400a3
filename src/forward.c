// SPDX-License-Identifier: MIT
/* forward.c - port forward rules as text, "tcp:[ADDR:]HPORT[:GPORT]": one
 * parser for the CLI, the service and the plane */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "forward.h"
#include "ipv4.h"

/**
 * forward_proto_name() - "tcp" or "udp"
 * @proto:	enum sqn_proto
 *
 * Return: the name, or "?" for another value.
 */
const char *forward_proto_name(enum sqn_proto proto)
{
	return proto == SQN_PROTO_TCP ? "tcp" :
	       proto == SQN_PROTO_UDP ? "udp" :
					"?";
}

/* A port, 1 to 65535, decimal without a leading zero, up to @end. */
static int forward_port(const char *s, const char **end, uint16_t *port)
{
	unsigned long v = 0;
	int digits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (digits && !v)
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -EINVAL;
	}
	if (!digits || !v)
		return -EINVAL;
	*end = s;
	*port = (uint16_t)v;
	return 0;
}

/**
 * forward_parse() - read a rule "PROTO:[ADDR:]HPORT[:GPORT]"
 * @text:	e.g. "tcp:8080:80", "udp:5353:53", "tcp:127.0.0.1:2222:22",
 *		"tcp:8080" (the guest's port is the host's)
 * @f:		set on success; its host_addr points to @addr, or is NULL
 *		for every address of the host
 * @addr:	storage of the dotted address, "" when none
 *
 * Return: 0 or -EINVAL.
 */
int forward_parse(const char *text, struct sqn_forward *f, char addr[16])
{
	const char *s = text, *end;
	uint8_t a[4];

	memset(f, 0, sizeof(*f));
	addr[0] = '\0';
	if (!strncmp(s, "tcp:", 4))
		f->proto = SQN_PROTO_TCP;
	else if (!strncmp(s, "udp:", 4))
		f->proto = SQN_PROTO_UDP;
	else
		return -EINVAL;
	s += 4;
	/* An address has dots, a port none. */
	if (strchr(s, '.')) {
		if (ipv4_parse(s, &end, a) || *end != ':')
			return -EINVAL;
		snprintf(addr, 16, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		f->host_addr = addr;
		s = end + 1;
	}
	if (forward_port(s, &end, &f->host_port))
		return -EINVAL;
	if (*end == ':' && forward_port(end + 1, &end, &f->guest_port))
		return -EINVAL;
	return *end ? -EINVAL : 0;
}

/**
 * forward_check() - whether a rule given as a struct is one to take
 * @f:		the rule
 * @msg:	set to the reason when it is not
 * @len:	its size
 *
 * Return: 0 or -EINVAL.
 */
int forward_check(const struct sqn_forward *f, char *msg, size_t len)
{
	const char *end;
	uint8_t a[4];

	if (f->proto != SQN_PROTO_TCP && f->proto != SQN_PROTO_UDP) {
		snprintf(msg, len, "forward: proto %d is not tcp or udp",
			 (int)f->proto);
		return -EINVAL;
	}
	if (!f->host_port) {
		snprintf(msg, len, "forward: host_port 0");
		return -EINVAL;
	}
	if (f->host_addr && f->host_addr[0] &&
	    (ipv4_parse(f->host_addr, &end, a) || *end)) {
		snprintf(
			msg, len,
			"forward: host_addr %.40s is not a dotted IPv4 address",
			f->host_addr);
		return -EINVAL;
	}
	return 0;
}

/**
 * forward_guest_port() - the guest's port of a rule
 * @f:		the rule
 *
 * Return: its guest_port, or its host_port when that is 0.
 */
uint16_t forward_guest_port(const struct sqn_forward *f)
{
	return f->guest_port ? f->guest_port : f->host_port;
}

/**
 * forward_format() - a rule as forward_parse() reads it, the guest's port
 * always given
 * @out:	set to the text
 * @f:		the rule
 *
 * Return: @out.
 */
char *forward_format(char out[FORWARD_STRLEN], const struct sqn_forward *f)
{
	const char *a = f->host_addr && f->host_addr[0] ? f->host_addr : NULL;

	snprintf(out, FORWARD_STRLEN, "%s:%.15s%s%u:%u",
		 forward_proto_name(f->proto), a ? a : "", a ? ":" : "",
		 f->host_port, forward_guest_port(f));
	return out;
}

/**
 * forward_collide() - whether two rules take the same port of the host:
 * one protocol, one port, and addresses that meet (equal, or one of them
 * every address)
 * @a:		a rule
 * @b:		another
 *
 * Return: 1 or 0.
 */
int forward_collide(const struct sqn_forward *a, const struct sqn_forward *b)
{
	const char *x = a->host_addr ? a->host_addr : "";
	const char *y = b->host_addr ? b->host_addr : "";

	return a->proto == b->proto && a->host_port == b->host_port &&
	       (!x[0] || !y[0] || !strcmp(x, y));
}
