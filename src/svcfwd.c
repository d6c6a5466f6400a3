// SPDX-License-Identifier: MIT
/* svcfwd.c - the service's port forwards in JSON: an array of
 * {"proto","addr","host_port","guest_port"} <-> struct svc_forward[] */
#include <errno.h>
#include <string.h>

#include "squibnet.h"
#include "svcjson.h"
#include "svcproto.h"

/* struct svc_forward with 32-bit ports, as the tables read numbers. */
struct svcfwd_wire {
	int proto;
	char addr[16];
	uint32_t host_port;
	uint32_t guest_port;
};

/* proto's values; index 0 is none (refused both ways). */
static const char *const svcfwd_protos[] = { "?", "tcp", "udp", NULL };

#define SW struct svcfwd_wire
static const struct svcjson_field svcfwd_fields[] = {
	{ "proto", SVCJSON_ENUM, 0, SVCJSON_REQ, offsetof(SW, proto), 0, 0, 0,
	  svcfwd_protos, -1 },
	{ "addr", SVCJSON_STR, SVCJSON_IP, 0, offsetof(SW, addr),
	  sizeof(((SW *)0)->addr), 0, 0, NULL, -1 },
	{ "host_port", SVCJSON_U32, 0, SVCJSON_REQ, offsetof(SW, host_port), 0,
	  1, 65535, NULL, -1 },
	{ "guest_port", SVCJSON_U32, 0, SVCJSON_REQ, offsetof(SW, guest_port),
	  0, 1, 65535, NULL, -1 },
};
#undef SW

#define SVCFWD_N (sizeof(svcfwd_fields) / sizeof(svcfwd_fields[0]))

/**
 * svcfwd_encode() - @n forwards of @fwd as array @key of @obj
 * @obj:	an object
 * @key:	the member's name
 * @fwd:	struct svc_forward[@n]
 * @n:		how many, at most SVC_FORWARDS_MAX
 *
 * Return: 0, -EINVAL (a forward that cannot be sent: no protocol, a port
 * 0, a bad address) or -ENOMEM.
 */
int svcfwd_encode(json_object *obj, const char *key, const void *fwd,
		  unsigned int n)
{
	const struct svc_forward *f = fwd;
	struct svcfwd_wire w;
	json_object *a, *o;
	unsigned int i;
	int e;

	if (n > SVC_FORWARDS_MAX)
		return -EINVAL;
	a = json_object_new_array();
	e = svcjson_add(obj, key, a);
	for (i = 0; !e && i < n; i++) {
		if (f[i].proto != SQN_PROTO_TCP && f[i].proto != SQN_PROTO_UDP)
			return -EINVAL;
		memset(&w, 0, sizeof(w));
		w.proto = f[i].proto;
		memcpy(w.addr, f[i].addr, sizeof(w.addr));
		w.addr[sizeof(w.addr) - 1] = '\0';
		w.host_port = f[i].host_port;
		w.guest_port = f[i].guest_port;
		o = json_object_new_object();
		if (!o)
			return -ENOMEM;
		e = svcjson_encode(o, svcfwd_fields, SVCFWD_N, &w);
		if (!e && json_object_array_add(a, o))
			e = -ENOMEM;
		else if (!e)
			continue;
		json_object_put(o);
	}
	return e;
}

/**
 * svcfwd_decode() - array @v (member @key) into @fwd, each forward checked
 * @v:		the member's value
 * @key:	its name, for messages
 * @fwd:	struct svc_forward[SVC_FORWARDS_MAX]
 * @n:		how many it held
 * @msg:	why it was refused
 * @msglen:	bytes of @msg
 *
 * Return: 0 or -EPROTO.
 */
int svcfwd_decode(json_object *v, const char *key, void *fwd, unsigned int *n,
		  char *msg, size_t msglen)
{
	struct svc_forward *f = fwd;
	char why[SVC_ERRMSG_MAX];
	struct svcfwd_wire w;
	json_object *o;
	size_t i, len;

	if (!json_object_is_type(v, json_type_array))
		return svcjson_fail(msg, msglen, "%s: not an array", key);
	len = json_object_array_length(v);
	if (len > SVC_FORWARDS_MAX)
		return svcjson_fail(msg, msglen, "%s: more than %d", key,
				    SVC_FORWARDS_MAX);
	for (i = 0; i < len; i++) {
		o = json_object_array_get_idx(v, i);
		if (!json_object_is_type(o, json_type_object))
			return svcjson_fail(msg, msglen,
					    "%s[%zu]: not an object", key, i);
		memset(&w, 0, sizeof(w));
		if (svcjson_decode(o, svcfwd_fields, SVCFWD_N, NULL, &w, why,
				   sizeof(why)))
			return svcjson_fail(msg, msglen, "%s[%zu]: %s", key, i,
					    why);
		if (!w.proto)
			return svcjson_fail(msg, msglen,
					    "%s[%zu]: proto: unknown value",
					    key, i);
		memset(&f[i], 0, sizeof(f[i]));
		f[i].proto = w.proto;
		memcpy(f[i].addr, w.addr, sizeof(f[i].addr));
		f[i].host_port = (uint16_t)w.host_port;
		f[i].guest_port = (uint16_t)w.guest_port;
	}
	*n = (unsigned int)len;
	return 0;
}
