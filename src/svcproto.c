// SPDX-License-Identifier: MIT
/* svcproto.c - the service's control documents: requests and replies as
 * JSON (docs/protocol.md), each member described once in a table */
#include <errno.h>
#include <string.h>

#include "squibnet.h"
#include "svcjson.h"
#include "svcproto.h"

/* The errno of an error reply: a positive errno a kernel could return. */
#define SVC_ERRNO_MAX 4095

/* A member's table entry; FLD, STR, HAS: named as their struct's field. */
#define FIELD(name, kind, cls, flags, off, size, lo, hi, names, has)           \
	{                                                                      \
		name, kind, cls, flags, off, size, lo, hi, names, has, NULL, 0 \
	}
#define FLD(st, nm, k, fl, lo, hi) \
	FIELD(#nm, k, 0, fl, offsetof(st, nm), 0, lo, hi, NULL, -1)
#define STR(st, nm, c, fl, vals)                         \
	FIELD(#nm, SVCJSON_STR, c, fl, offsetof(st, nm), \
	      sizeof(((st *)0)->nm), 0, 0, vals, -1)
#define HAS(st, nm, k, fl, lo, hi, has)                         \
	FIELD(#nm, k, 0, fl, offsetof(st, nm), 0, lo, hi, NULL, \
	      (long)offsetof(st, has))
/* "forwards": st's fwd[], n_fwd of them. */
#define FWDS(st, fl)                                                           \
	{                                                                      \
		"forwards", SVCJSON_LIST, 0, fl, offsetof(st, fwd),            \
			sizeof(struct svc_forward), 0, SVC_FORWARDS_MAX, NULL, \
			(long)offsetof(st, n_fwd), forward_fields,             \
			sizeof(forward_fields) / sizeof(forward_fields[0])     \
	}

static const char *const op_names[] = { NULL,	       "attach",
					"detach",      "status",
					"forward_add", "forward_remove",
					NULL };
static const char *const hold_names[] = { "connection", "process", "parent",
					  NULL };
static const char *const kind_names[] = { "fd", "dgram", "named", "stream",
					  NULL };
/* An attach asks for one of these; "stream" is a connection, not asked. */
static const char *const req_kind_names[] = { "fd", "dgram", "named", NULL };
static const char *const mode_names[] = { "shared", "host", "bridged", NULL };
static const char *const state_names[] = { "up", "down", NULL };
static const char *const dnsmasq_names[] = { "running", "restarting", "none",
					     NULL };
static const char *const role_names[] = { "gateway", "member", NULL };
static const char *const control_names[] = { "static", "evpn", NULL };
/* enum sqn_proto's: from 1 */
static const char *const proto_names[] = { NULL, "tcp", "udp", NULL };

#define SF struct svc_forward
static const struct svcjson_field forward_fields[] = {
	FIELD("proto", SVCJSON_ENUM, 0, SVCJSON_REQ, offsetof(SF, proto), 0, 0,
	      0, proto_names, -1),
	STR(SF, addr, SVCJSON_IP, 0, NULL),
	FLD(SF, host_port, SVCJSON_U16, SVCJSON_REQ, 1, 65535),
	FLD(SF, guest_port, SVCJSON_U16, SVCJSON_REQ, 1, 65535),
};
#undef SF

#define SR struct svc_request
static const struct svcjson_field attach_req_fields[] = {
	STR(SR, network, SVCJSON_NAME, 0, NULL),
	HAS(SR, mac, SVCJSON_MAC, 0, 0, 0, has_mac),
	FLD(SR, mtu, SVCJSON_U32, SVCJSON_ZERO, SQN_MTU_MIN, 65535),
	FLD(SR, vnet_hdr, SVCJSON_BOOL, 0, 0, 0),
	FIELD("hold", SVCJSON_ENUM, 0, 0, offsetof(SR, hold), 0, 0, 0,
	      hold_names, -1),
	STR(SR, label, SVCJSON_LABEL, 0, NULL),
	FIELD("kind", SVCJSON_ENUM, 0, 0, offsetof(SR, kind), 0, 0, 0,
	      req_kind_names, -1),
	FIELD("ip", SVCJSON_STR, SVCJSON_IP, 0, offsetof(SR, ip),
	      sizeof(((SR *)0)->ip), 0, 0, NULL, (long)offsetof(SR, has_ip)),
	FWDS(SR, 0),
};
static const struct svcjson_field detach_req_fields[] = {
	FLD(SR, id, SVCJSON_U32, SVCJSON_REQ, 0, UINT32_MAX),
	/* forward_add, forward_remove */
	FWDS(SR, SVCJSON_REQ),
};
#undef SR

/* The members of an attachment; the status-only ones last. */
#define SA struct svc_attach
static const struct svcjson_field attach_fields[] = {
	FLD(SA, id, SVCJSON_U32, SVCJSON_REQ, 0, UINT32_MAX),
	STR(SA, network, SVCJSON_NAME, SVCJSON_REQ | SVCJSON_NONEMPTY, NULL),
	STR(SA, mode, SVCJSON_ONEOF, SVCJSON_REQ, mode_names),
	STR(SA, tap, SVCJSON_NAME, SVCJSON_REQ | SVCJSON_NONEMPTY, NULL),
	FLD(SA, guest_mac, SVCJSON_MAC, SVCJSON_REQ, 0, 0),
	FLD(SA, host_mac, SVCJSON_MAC, SVCJSON_REQ, 0, 0),
	FLD(SA, mtu, SVCJSON_U32, SVCJSON_REQ, SQN_MTU_MIN, 65535),
	FLD(SA, vnet_hdr_len, SVCJSON_U32, SVCJSON_REQ | SVCJSON_ZERO, 10, 64),
	FLD(SA, offloads, SVCJSON_U32, SVCJSON_REQ | SVCJSON_MASK, 0,
	    SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM | SQN_OFFLOAD_TSO4 |
		    SQN_OFFLOAD_TSO6 | SQN_OFFLOAD_USO),
	HAS(SA, subnet, SVCJSON_IP4, SVCJSON_SUBNET, 0, 0, has_subnet),
	HAS(SA, prefix_len, SVCJSON_U32, SVCJSON_SUBNET, 0, 32, has_subnet),
	HAS(SA, gateway, SVCJSON_IP4, SVCJSON_SUBNET, 0, 0, has_subnet),
	HAS(SA, dns, SVCJSON_IP4, SVCJSON_SUBNET, 0, 0, has_subnet),
	/* newer, absent when none: only to a request that has "ip" */
	STR(SA, fixed_ip, SVCJSON_IP, SVCJSON_OPT, NULL),
	HAS(SA, subnet6, SVCJSON_IP6, SVCJSON_SUBNET6, 0, 0, has_subnet6),
	HAS(SA, gateway6, SVCJSON_IP6, SVCJSON_SUBNET6, 0, 0, has_subnet6),
	/* status only */
	FLD(SA, uid, SVCJSON_U32, SVCJSON_REQ, 0, UINT32_MAX),
	FLD(SA, pid, SVCJSON_U32, SVCJSON_REQ, 0, UINT32_MAX),
	STR(SA, label, SVCJSON_LABEL, SVCJSON_REQ, NULL),
	STR(SA, ip, SVCJSON_IP, SVCJSON_REQ, NULL),
	FLD(SA, rx_bytes, SVCJSON_U64, SVCJSON_REQ, 0, 0),
	FLD(SA, rx_packets, SVCJSON_U64, SVCJSON_REQ, 0, 0),
	FLD(SA, tx_bytes, SVCJSON_U64, SVCJSON_REQ, 0, 0),
	FLD(SA, tx_packets, SVCJSON_U64, SVCJSON_REQ, 0, 0),
	FIELD("kind", SVCJSON_ENUM, 0, SVCJSON_REQ, offsetof(SA, kind), 0, 0, 0,
	      kind_names, -1),
	FLD(SA, from_guest_frames, SVCJSON_U64, SVCJSON_REQ, 0, 0),
	FLD(SA, from_guest_bytes, SVCJSON_U64, SVCJSON_REQ, 0, 0),
	FLD(SA, from_guest_drops, SVCJSON_U64, SVCJSON_REQ, 0, 0),
	FLD(SA, to_guest_frames, SVCJSON_U64, SVCJSON_REQ, 0, 0),
	FLD(SA, to_guest_bytes, SVCJSON_U64, SVCJSON_REQ, 0, 0),
	FLD(SA, to_guest_drops, SVCJSON_U64, SVCJSON_REQ, 0, 0),
	FLD(SA, spoof_drops, SVCJSON_U64, SVCJSON_REQ, 0, 0),
	STR(SA, hostname, SVCJSON_LABEL, SVCJSON_OPT, NULL),
	FWDS(SA, 0),
};
#undef SA
/* The last ones above: status only (an fd client's attach reply is what
 * it was before they came, so an older library still reads it). */
#define N_ATTACH_STATUS 18
/* Before those, the newer members of an attach reply: an attach request
 * without "ip" (an older library's) gets none of them. */
#define N_ATTACH_NEWER 3

#define SN struct svc_network
static const struct svcjson_field network_fields[] = {
	STR(SN, name, SVCJSON_NAME, SVCJSON_REQ | SVCJSON_NONEMPTY, NULL),
	STR(SN, mode, SVCJSON_ONEOF, SVCJSON_REQ, mode_names),
	HAS(SN, subnet, SVCJSON_IP4, SVCJSON_SUBNET, 0, 0, has_subnet),
	HAS(SN, prefix_len, SVCJSON_U32, SVCJSON_SUBNET, 0, 32, has_subnet),
	HAS(SN, gateway, SVCJSON_IP4, SVCJSON_SUBNET, 0, 0, has_subnet),
	STR(SN, state, SVCJSON_ONEOF, SVCJSON_REQ, state_names),
	STR(SN, error, SVCJSON_TEXT, SVCJSON_REQ, NULL),
	FLD(SN, dnsmasq_pid, SVCJSON_U32, SVCJSON_REQ, 0, UINT32_MAX),
	STR(SN, dnsmasq_state, SVCJSON_ONEOF, SVCJSON_REQ, dnsmasq_names),
	FLD(SN, attachments, SVCJSON_U32, SVCJSON_REQ, 0, UINT32_MAX),
	FLD(SN, allow_spoofing, SVCJSON_BOOL, SVCJSON_REQ, 0, 0),
	STR(SN, stream_socket, SVCJSON_TEXT, SVCJSON_REQ, NULL),
	HAS(SN, subnet6, SVCJSON_IP6, SVCJSON_SUBNET6, 0, 0, has_subnet6),
	HAS(SN, gateway6, SVCJSON_IP6, SVCJSON_SUBNET6, 0, 0, has_subnet6),
	STR(SN, nat_iface, SVCJSON_NAME, SVCJSON_OPT, NULL),
	/* a network that spans hosts (VXLAN) only */
	STR(SN, role, SVCJSON_ONEOF, SVCJSON_OPT, role_names),
	HAS(SN, vni, SVCJSON_U32, 0, 1, 16777215, has_vxlan),
	STR(SN, vxlan_local, SVCJSON_IP, SVCJSON_OPT, NULL),
	HAS(SN, vxlan_port, SVCJSON_U32, 0, 1, 65535, has_vxlan),
	STR(SN, control, SVCJSON_ONEOF, SVCJSON_OPT, control_names),
	{ "peers", SVCJSON_IPLIST, 0, 0, offsetof(SN, peers), 16, 0,
	  SVC_PEERS_MAX, NULL, (long)offsetof(SN, n_peers), NULL, 0 },
	HAS(SN, vxlan_rx_packets, SVCJSON_U64, 0, 0, 0, has_vxlan),
	HAS(SN, vxlan_tx_packets, SVCJSON_U64, 0, 0, 0, has_vxlan),
	HAS(SN, vxlan_rx_bytes, SVCJSON_U64, 0, 0, 0, has_vxlan),
	HAS(SN, vxlan_tx_bytes, SVCJSON_U64, 0, 0, 0, has_vxlan),
	HAS(SN, vxlan_drops, SVCJSON_U64, 0, 0, 0, has_vxlan),
};
#undef SN

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/**
 * svc_request_encode() - @r as a JSON document into @buf
 * @r:		the request
 * @buf:	where to
 * @size:	bytes of @buf
 *
 * Return: the document's length (< @size), -ENOSPC, or -EINVAL for a
 * member that cannot be sent (a string too long or of bad characters, a
 * number out of range, an unknown op).
 */
int svc_request_encode(const struct svc_request *r, char *buf, size_t size)
{
	json_object *obj = svcjson_document();
	int e;

	if (!obj)
		return -ENOMEM;
	e = -EINVAL;
	if (r->op < SVC_OP_ATTACH || r->op > SVC_OP_FORWARD_REMOVE)
		goto out;
	if (svc_op_forward(r->op) && r->n_fwd != 1)
		goto out;
	e = svcjson_add(obj, "op", json_object_new_string(op_names[r->op]));
	if (!e && r->op == SVC_OP_ATTACH)
		e = svcjson_encode(obj, attach_req_fields,
				   COUNT(attach_req_fields), r);
	else if (!e && r->op != SVC_OP_STATUS)
		e = svcjson_encode(
			obj, detach_req_fields,
			COUNT(detach_req_fields) - (r->op == SVC_OP_DETACH), r);
	if (!e)
		e = svcjson_serialise(obj, buf, size);
out:
	json_object_put(obj);
	return e;
}

/**
 * svc_request_decode() - a request from a peer's document
 * @buf:	the document, @len bytes (need not hold a NUL)
 * @len:	its length
 * @r:		the request decoded, absent members at their defaults
 * @msg:	why it was refused
 * @msglen:	bytes of @msg
 *
 * Return: 0, -EPROTONOSUPPORT (a "v" that is not ours) or -EPROTO.
 */
int svc_request_decode(const char *buf, size_t len, struct svc_request *r,
		       char *msg, size_t msglen)
{
	static const char *const top[] = { "v", "op", NULL };
	json_object *obj, *v;
	int e, op;

	memset(r, 0, sizeof(*r));
	e = svcjson_parse(buf, len, &obj, msg, msglen);
	if (e)
		return e;
	if (!json_object_object_get_ex(obj, "op", &v)) {
		e = svcjson_fail(msg, msglen, "op: missing");
		goto out;
	}
	op = json_object_is_type(v, json_type_string) ?
		     svcjson_name_of(json_object_get_string(v), op_names) :
		     -1;
	if (op < SVC_OP_ATTACH) {
		e = svcjson_fail(
			msg, msglen,
			"op: not attach, detach, status, forward_add or forward_remove");
		goto out;
	}
	r->op = (enum svc_op)op;
	if (op == SVC_OP_ATTACH)
		e = svcjson_decode(obj, attach_req_fields,
				   COUNT(attach_req_fields), top, r, msg,
				   msglen);
	else if (op != SVC_OP_STATUS)
		e = svcjson_decode(obj, detach_req_fields,
				   COUNT(detach_req_fields) -
					   (op == SVC_OP_DETACH),
				   top, r, msg, msglen);
	else
		e = svcjson_decode(obj, NULL, 0, top, r, msg, msglen);
	if (!e && svc_op_forward(r->op) && r->n_fwd != 1)
		e = svcjson_fail(msg, msglen, "forwards: not exactly one");
out:
	json_object_put(obj);
	return e;
}

#define SP struct svc_reply
static const struct svcjson_field error_fields[] = {
	FIELD("errno", SVCJSON_U32, 0, SVCJSON_REQ, offsetof(SP, err), 0, 1,
	      SVC_ERRNO_MAX, NULL, -1),
	STR(SP, message, SVCJSON_TEXT, SVCJSON_REQ, NULL),
};
#undef SP

/* @f[0..n) of struct @s as a new object, added to @parent: an object's
 * member @key, or (@key NULL) an array's element. */
static int object_encode(json_object *parent, const char *key,
			 const struct svcjson_field *f, size_t n, const void *s)
{
	json_object *obj = json_object_new_object();
	int e;

	if (!obj)
		return -ENOMEM;
	e = svcjson_encode(obj, f, n, s);
	if (e) {
		json_object_put(obj);
		return e;
	}
	if (key)
		return svcjson_add(parent, key, obj);
	if (json_object_array_add(parent, obj)) {
		json_object_put(obj);
		return -ENOMEM;
	}
	return 0;
}

static int array_encode(json_object *parent, const char *key,
			const struct svcjson_field *f, size_t n,
			const void *arr, size_t elem_size, unsigned int count)
{
	json_object *a = json_object_new_array();
	unsigned int i;
	int e;

	e = svcjson_add(parent, key, a);
	for (i = 0; !e && i < count; i++)
		e = object_encode(a, NULL, f, n,
				  (const char *)arr + i * elem_size);
	return e;
}

/* An error reply's members; a message that is not clean text is sent with
 * '?' for its bytes out of printable ASCII, rather than not at all. */
static int error_encode(json_object *obj, const struct svc_reply *r)
{
	struct svc_reply c;
	size_t i, len;
	int e;

	if (r->err < 1 || r->err > SVC_ERRNO_MAX)
		return -EINVAL;
	c.err = r->err;
	len = strnlen(r->message, sizeof(r->message) - 1);
	memcpy(c.message, r->message, len);
	c.message[len] = '\0';
	if (!svcjson_text_ok((const unsigned char *)c.message, len))
		for (i = 0; i < len; i++)
			if (c.message[i] < 0x20 || c.message[i] >= 0x7f)
				c.message[i] = '?';
	/* in the order people read them: errno, its name, why */
	e = svcjson_add(obj, "ok", json_object_new_boolean(0));
	if (!e)
		e = svcjson_encode(obj, error_fields, 1, &c);
	if (!e)
		e = svcjson_add(obj, "error",
				json_object_new_string(svc_errno_name(r->err)));
	if (!e)
		e = svcjson_encode(obj, error_fields + 1, 1, &c);
	return e;
}

/**
 * svc_reply_encode() - @r, the reply to @req, as a JSON document into @buf
 * @req:	the request answered (its op says the reply's shape); may be
 *		NULL for an error reply (a request that did not decode)
 * @r:		the reply: an error one when @r->err is set
 * @buf:	where to
 * @size:	bytes of @buf
 *
 * Return: the document's length (< @size), -ENOSPC, or -EINVAL for a
 * member that cannot be sent.
 */
int svc_reply_encode(const struct svc_request *req, const struct svc_reply *r,
		     char *buf, size_t size)
{
	json_object *obj = svcjson_document();
	int e;

	if (!obj)
		return -ENOMEM;
	if (r->err) {
		e = error_encode(obj, r);
		goto done;
	}
	e = -EINVAL;
	if (!req || req->op < SVC_OP_ATTACH || req->op > SVC_OP_FORWARD_REMOVE)
		goto out;
	e = svcjson_add(obj, "ok", json_object_new_boolean(1));
	if (e)
		goto out;
	if (req->op == SVC_OP_ATTACH)
		e = object_encode(obj, "attachment", attach_fields,
				  COUNT(attach_fields) - N_ATTACH_STATUS -
					  (req->has_ip ? 0 : N_ATTACH_NEWER),
				  &r->attach);
	if (req->op == SVC_OP_STATUS) {
		e = -EINVAL;
		if ((r->n_networks && !r->networks) ||
		    (r->n_attachments && !r->attachments))
			goto out;
		e = array_encode(obj, "networks", network_fields,
				 COUNT(network_fields), r->networks,
				 sizeof(*r->networks), r->n_networks);
		if (!e)
			e = array_encode(obj, "attachments", attach_fields,
					 COUNT(attach_fields), r->attachments,
					 sizeof(*r->attachments),
					 r->n_attachments);
	}
done:
	if (!e)
		e = svcjson_serialise(obj, buf, size);
out:
	json_object_put(obj);
	return e;
}

/* Member @key of @obj, an object, into @s by @f[0..n). */
static int object_decode(json_object *obj, const char *key,
			 const struct svcjson_field *f, size_t n, void *s,
			 char *msg, size_t msglen)
{
	char why[SVC_ERRMSG_MAX];
	json_object *v;
	int e;

	if (!json_object_object_get_ex(obj, key, &v))
		return svcjson_fail(msg, msglen, "%s: missing", key);
	if (!json_object_is_type(v, json_type_object))
		return svcjson_fail(msg, msglen, "%s: not an object", key);
	e = svcjson_decode(v, f, n, NULL, s, why, sizeof(why));
	if (e)
		return svcjson_fail(msg, msglen, "%s: %s", key, why);
	return 0;
}

/*
 * Array @key of @obj: each element checked, the first @cap kept in @arr
 * (@elem_size bytes each), their number in *@found.
 */
static int array_decode(json_object *obj, const char *key,
			const struct svcjson_field *f, size_t n, void *arr,
			size_t elem_size, unsigned int cap, unsigned int *found,
			char *msg, size_t msglen)
{
	union {
		struct svc_attach a;
		struct svc_network n;
	} tmp;
	char why[SVC_ERRMSG_MAX];
	json_object *a, *elem;
	size_t i, len;
	int e;

	if (!json_object_object_get_ex(obj, key, &a))
		return svcjson_fail(msg, msglen, "%s: missing", key);
	if (!json_object_is_type(a, json_type_array))
		return svcjson_fail(msg, msglen, "%s: not an array", key);
	len = json_object_array_length(a);
	for (i = 0; i < len; i++) {
		elem = json_object_array_get_idx(a, i);
		if (!json_object_is_type(elem, json_type_object))
			return svcjson_fail(msg, msglen,
					    "%s[%zu]: not an object", key, i);
		memset(&tmp, 0, sizeof(tmp));
		e = svcjson_decode(elem, f, n, NULL, &tmp, why, sizeof(why));
		if (e)
			return svcjson_fail(msg, msglen, "%s[%zu]: %s", key, i,
					    why);
		if (arr && i < cap)
			memcpy((char *)arr + i * elem_size, &tmp, elem_size);
	}
	*found = (unsigned int)len;
	return 0;
}

static int error_decode(json_object *obj, struct svc_reply *r, char *msg,
			size_t msglen)
{
	static const char *const top[] = { "v", "ok", "error", NULL };
	json_object *v;
	const char *s;
	size_t len;
	int e;

	e = svcjson_decode(obj, error_fields, COUNT(error_fields), top, r, msg,
			   msglen);
	if (e)
		return e;
	if (!json_object_object_get_ex(obj, "error", &v))
		return svcjson_fail(msg, msglen, "error: missing");
	if (!json_object_is_type(v, json_type_string))
		return svcjson_fail(msg, msglen, "error: not a string");
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (!len || len > 31 ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789?") != len)
		return svcjson_fail(msg, msglen, "error: not an errno's name");
	return 0;
}

/**
 * svc_reply_decode() - the reply to a request of @op, from a peer's document
 * @op:		the request's op: the reply's shape
 * @buf:	the document, @len bytes (need not hold a NUL)
 * @len:	its length
 * @r:		the reply: @r->networks/@r->attachments are the caller's
 *		arrays of @r->n_networks/@r->n_attachments; on success the
 *		counts say how many the reply has (more than fit: the first
 *		ones were kept)
 * @msg:	why it was refused
 * @msglen:	bytes of @msg
 *
 * Return: 0 (@r->err says whether the request was refused),
 * -EPROTONOSUPPORT (a "v" that is not ours), -EPROTO, or -EINVAL for an
 * unknown @op.
 */
int svc_reply_decode(enum svc_op op, const char *buf, size_t len,
		     struct svc_reply *r, char *msg, size_t msglen)
{
	static const char *const attach_top[] = { "v", "ok", "attachment",
						  NULL };
	static const char *const status_top[] = { "v", "ok", "networks",
						  "attachments", NULL };
	static const char *const plain_top[] = { "v", "ok", NULL };
	struct svc_network *nets = r->networks;
	struct svc_attach *atts = r->attachments;
	unsigned int n_nets = r->n_networks, n_atts = r->n_attachments;
	json_object *obj, *ok;
	int e;

	memset(r, 0, sizeof(*r));
	r->networks = nets;
	r->attachments = atts;
	if (op < SVC_OP_ATTACH || op > SVC_OP_FORWARD_REMOVE)
		return -EINVAL;
	e = svcjson_parse(buf, len, &obj, msg, msglen);
	if (e)
		return e;
	if (!json_object_object_get_ex(obj, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		e = svcjson_fail(msg, msglen, "ok: %s",
				 ok ? "not true or false" : "missing");
		goto out;
	}
	if (!json_object_get_boolean(ok)) {
		e = error_decode(obj, r, msg, msglen);
		goto out;
	}
	if (op == SVC_OP_ATTACH) {
		e = svcjson_decode(obj, NULL, 0, attach_top, r, msg, msglen);
		if (!e)
			e = object_decode(obj, "attachment", attach_fields,
					  COUNT(attach_fields) -
						  N_ATTACH_STATUS,
					  &r->attach, msg, msglen);
	} else if (op == SVC_OP_STATUS) {
		e = svcjson_decode(obj, NULL, 0, status_top, r, msg, msglen);
		if (!e)
			e = array_decode(obj, "networks", network_fields,
					 COUNT(network_fields), nets,
					 sizeof(*nets), n_nets, &r->n_networks,
					 msg, msglen);
		if (!e)
			e = array_decode(obj, "attachments", attach_fields,
					 COUNT(attach_fields), atts,
					 sizeof(*atts), n_atts,
					 &r->n_attachments, msg, msglen);
	} else {
		e = svcjson_decode(obj, NULL, 0, plain_top, r, msg, msglen);
	}
out:
	if (e) {
		memset(&r->attach, 0, sizeof(r->attach));
		r->err = 0;
		r->n_networks = r->n_attachments = 0;
	}
	json_object_put(obj);
	return e;
}