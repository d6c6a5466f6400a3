// SPDX-License-Identifier: MIT
/* svcjson.c - JSON objects <-> C structs by tables of members (json-c):
 * the strict parsing and the checks of each value, for svcproto.c */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "svcjson.h"
#include "svcproto.h"

/**
 * svcjson_fail() - say why a document was refused
 * @msg:	where (may be NULL with @msglen 0)
 * @msglen:	bytes of @msg: a longer reason is cut
 * @fmt:	printf format of the reason
 *
 * Return: -EPROTO.
 */
int svcjson_fail(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

/* A peer's member name, safe to quote in a message that goes back to it. */
static const char *shown(const char *key, char out[SVC_KEY_SHOWN + 1])
{
	size_t i;

	for (i = 0; key[i] && i < SVC_KEY_SHOWN; i++)
		out[i] = key[i] >= 0x20 && key[i] < 0x7f ? key[i] : '?';
	out[i] = '\0';
	return out;
}

/**
 * svcjson_name_of() - the index of @s in @names
 * @s:		a string
 * @names:	NULL-terminated (a NULL first is skipped: enums from 1)
 *
 * Return: the index, or -1 when @s is none of them.
 */
int svcjson_name_of(const char *s, const char *const *names)
{
	int i;

	for (i = 0; names[i] || !i; i++)
		if (names[i] && !strcmp(s, names[i]))
			return i;
	return -1;
}

static int names_count(const char *const *names)
{
	int n = 0;

	while (names[n] || !n)
		n++;
	return n;
}

/**
 * svcjson_text_ok() - whether @s is clean text: RFC 3629 UTF-8 with no
 * control character (C0, DEL, C1), so a message can be shown as it is
 * @s:		the bytes
 * @len:	how many
 *
 * Return: 1 or 0.
 */
int svcjson_text_ok(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t c;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, c &= 0x07;
		else
			return 0;
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (s[i + k] & 0x3f);
		}
		/* overlong, surrogates, past U+10FFFF, C1 controls */
		if ((n == 2 && c < 0x800) || (n == 3 && c < 0x10000) ||
		    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff ||
		    (c >= 0x80 && c < 0xa0))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Whether @s (@len bytes, no NUL among them) may be member @f's value. */
static int str_ok(const struct svcjson_field *f, const char *s, size_t len)
{
	uint8_t a[4];
	size_t i;

	if (len >= f->size || ((f->flags & SVCJSON_NONEMPTY) && !len))
		return 0;
	switch (f->cls) {
	case SVCJSON_NAME:
		for (i = 0; i < len; i++)
			if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789_.-",
				    s[i]))
				return 0;
		return 1;
	case SVCJSON_LABEL:
		for (i = 0; i < len; i++)
			if (s[i] < 0x20 || s[i] >= 0x7f)
				return 0;
		return 1;
	case SVCJSON_TEXT:
		return svcjson_text_ok((const unsigned char *)s, len);
	case SVCJSON_IP:
		return !len || inet_pton(AF_INET, s, a) == 1;
	default:
		return svcjson_name_of(s, f->names) >= 0;
	}
}

static int u32_ok(const struct svcjson_field *f, uint64_t v)
{
	if (f->flags & SVCJSON_MASK)
		return !(v & ~(uint64_t)f->max);
	if (!v && (f->flags & SVCJSON_ZERO))
		return 1;
	return v >= f->min && v <= f->max;
}

static void mac_text(const uint8_t *m, char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "aa:bb:cc:dd:ee:ff", either case, nothing else. */
static int mac_parse(const char *s, size_t len, uint8_t *m)
{
	int i, hi, lo;

	if (len != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		hi = hexval(s[i * 3]);
		lo = hexval(s[i * 3 + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return -1;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/**
 * svcjson_add() - add member @key to @obj, taking @val (freed on failure)
 * @obj:	an object
 * @key:	the member's name
 * @val:	its value, or NULL (json-c could not allocate it)
 *
 * Return: 0 or -ENOMEM.
 */
int svcjson_add(json_object *obj, const char *key, json_object *val)
{
	if (!val)
		return -ENOMEM;
	if (json_object_object_add(obj, key, val)) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

static int add_str(json_object *obj, const char *key, const char *s, size_t len)
{
	return svcjson_add(obj, key, json_object_new_string_len(s, (int)len));
}

/* List @f's @n elements at @arr as array @f->name of @obj: objects, or
 * (SVCJSON_IPLIST) dotted IPv4 addresses. */
static int list_encode(json_object *obj, const struct svcjson_field *f,
		       const char *arr, unsigned int n)
{
	json_object *a, *o;
	struct in_addr ip;
	unsigned int i;
	int e;

	if (n > f->max)
		return -EINVAL;
	a = json_object_new_array();
	e = svcjson_add(obj, f->name, a);
	for (i = 0; !e && i < n; i++) {
		if (f->kind == SVCJSON_IPLIST &&
		    inet_pton(AF_INET, arr + i * f->size, &ip) != 1)
			return -EINVAL;
		o = f->kind == SVCJSON_IPLIST ?
			    json_object_new_string(arr + i * f->size) :
			    json_object_new_object();
		if (!o)
			return -ENOMEM;
		if (f->kind == SVCJSON_LIST)
			e = svcjson_encode(o, f->sub, f->n_sub,
					   arr + i * f->size);
		if (!e && json_object_array_add(a, o))
			e = -ENOMEM;
		if (e)
			json_object_put(o);
	}
	return e;
}

/**
 * svcjson_encode() - members @f[0..n) of struct @s into @obj, each checked
 * as svcjson_decode() would check it
 * @obj:	an object
 * @f:		the members (absent: a has_off that is 0)
 * @n:		how many
 * @s:		the struct
 *
 * Return: 0, -EINVAL (a value that cannot be sent) or -ENOMEM.
 */
int svcjson_encode(json_object *obj, const struct svcjson_field *f, size_t n,
		   const void *s)
{
	const char *base = s;
	char text[INET6_ADDRSTRLEN];
	size_t i, len;
	uint32_t u;
	int e;

	for (i = 0; i < n; i++, f++) {
		const void *p = base + f->off;

		if (f->has_off >= 0 && !*(const int *)(base + f->has_off))
			continue;
		switch (f->kind) {
		case SVCJSON_U16:
		case SVCJSON_U32:
			u = f->kind == SVCJSON_U16 ? *(const uint16_t *)p :
						     *(const uint32_t *)p;
			if (!u32_ok(f, u))
				return -EINVAL;
			e = svcjson_add(obj, f->name, json_object_new_int64(u));
			break;
		case SVCJSON_U64:
			e = svcjson_add(
				obj, f->name,
				json_object_new_uint64(*(const uint64_t *)p));
			break;
		case SVCJSON_BOOL:
			e = svcjson_add(
				obj, f->name,
				json_object_new_boolean(!!*(const int *)p));
			break;
		case SVCJSON_ENUM:
			memcpy(&e, p, sizeof(e));
			if (e < 0 || e >= names_count(f->names) || !f->names[e])
				return -EINVAL;
			e = svcjson_add(obj, f->name,
					json_object_new_string(f->names[e]));
			break;
		case SVCJSON_STR:
			len = strnlen(p, f->size);
			if (!len && (f->flags & SVCJSON_OPT))
				continue;
			if (!str_ok(f, p, len))
				return -EINVAL;
			e = add_str(obj, f->name, p, len);
			break;
		case SVCJSON_LIST:
		case SVCJSON_IPLIST:
			memcpy(&u, base + f->has_off, sizeof(u));
			e = list_encode(obj, f, p, u);
			break;
		case SVCJSON_MAC:
			mac_text(p, text);
			e = add_str(obj, f->name, text, 17);
			break;
		default: /* SVCJSON_IP4, SVCJSON_IP6 */
			if (!inet_ntop(f->kind == SVCJSON_IP6 ? AF_INET6 :
								AF_INET,
				       p, text, sizeof(text)))
				return -EINVAL;
			e = add_str(obj, f->name, text, strlen(text));
			break;
		}
		if (e)
			return e;
	}
	return 0;
}

/* One element @o of an SVCJSON_IPLIST: a dotted IPv4 address into @out
 * (@f->size bytes). Return: 0, or -1 when it is not one. */
static int ip_element(const struct svcjson_field *f, json_object *o, char *out)
{
	struct in_addr ip;
	const char *str;
	size_t len;

	if (!json_object_is_type(o, json_type_string))
		return -1;
	str = json_object_get_string(o);
	len = (size_t)json_object_get_string_len(o);
	if (len >= f->size || strlen(str) != len ||
	    inet_pton(AF_INET, str, &ip) != 1)
		return -1;
	memcpy(out, str, len + 1);
	return 0;
}

/* List @f's array @v into @arr, each element checked by @f->sub (an
 * SVCJSON_IPLIST's: a dotted IPv4 address); their number in *@n.
 * Return: 0 or -EPROTO. */
static int list_decode(const struct svcjson_field *f, json_object *v, char *arr,
		       unsigned int *n, char *msg, size_t msglen)
{
	char why[SVC_ERRMSG_MAX];
	json_object *o;
	size_t i, len;

	if (!json_object_is_type(v, json_type_array))
		return svcjson_fail(msg, msglen, "%s: not an array", f->name);
	len = json_object_array_length(v);
	if (len > f->max)
		return svcjson_fail(msg, msglen, "%s: more than %u", f->name,
				    f->max);
	for (i = 0; i < len; i++) {
		o = json_object_array_get_idx(v, i);
		memset(arr + i * f->size, 0, f->size);
		if (f->kind == SVCJSON_IPLIST) {
			if (ip_element(f, o, arr + i * f->size))
				return svcjson_fail(
					msg, msglen,
					"%s[%zu]: not an IPv4 address (a.b.c.d)",
					f->name, i);
			continue;
		}
		if (!json_object_is_type(o, json_type_object))
			return svcjson_fail(msg, msglen,
					    "%s[%zu]: not an object", f->name,
					    i);
		if (svcjson_decode(o, f->sub, f->n_sub, NULL, arr + i * f->size,
				   why, sizeof(why)))
			return svcjson_fail(msg, msglen, "%s[%zu]: %s", f->name,
					    i, why);
	}
	*n = (unsigned int)len;
	return 0;
}

/* One member's value @v into struct @s. Return: 0 or -EPROTO. */
static int field_decode(const struct svcjson_field *f, json_object *v, char *s,
			char *msg, size_t msglen)
{
	void *p = s + f->off;
	const char *str = NULL;
	size_t len = 0;
	int64_t i64;
	uint32_t u;
	int e;

	if (f->kind == SVCJSON_LIST || f->kind == SVCJSON_IPLIST)
		return list_decode(f, v, p, (unsigned int *)(s + f->has_off),
				   msg, msglen);
	if (f->kind == SVCJSON_STR || f->kind == SVCJSON_MAC ||
	    f->kind == SVCJSON_IP4 || f->kind == SVCJSON_IP6 ||
	    f->kind == SVCJSON_ENUM) {
		if (!json_object_is_type(v, json_type_string))
			return svcjson_fail(msg, msglen, "%s: not a string",
					    f->name);
		str = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		if (strlen(str) != len)
			return svcjson_fail(msg, msglen, "%s: holds a NUL",
					    f->name);
	} else if (f->kind == SVCJSON_BOOL) {
		if (!json_object_is_type(v, json_type_boolean))
			return svcjson_fail(msg, msglen,
					    "%s: not true or false", f->name);
	} else if (!json_object_is_type(v, json_type_int)) {
		return svcjson_fail(msg, msglen, "%s: not an integer", f->name);
	}
	if (f->has_off >= 0)
		*(int *)(s + f->has_off) = 1;
	switch (f->kind) {
	case SVCJSON_U16:
	case SVCJSON_U32:
		i64 = json_object_get_int64(v);
		if (i64 < 0 || i64 > UINT32_MAX || !u32_ok(f, (uint64_t)i64)) {
			if (f->flags & SVCJSON_MASK)
				return svcjson_fail(
					msg, msglen,
					"%s: not a mask within 0x%x", f->name,
					f->max);
			return svcjson_fail(
				msg, msglen, "%s: out of range %s%u..%u",
				f->name, f->flags & SVCJSON_ZERO ? "0 or " : "",
				f->min, f->max);
		}
		u = (uint32_t)i64;
		if (f->kind == SVCJSON_U16)
			*(uint16_t *)p = (uint16_t)u;
		else
			memcpy(p, &u, sizeof(u));
		return 0;
	case SVCJSON_U64:
		/* json-c keeps what does not fit int64 as a uint64, and
		 * int64 values as such: a negative one is refused here */
		if (json_object_get_int64(v) < 0)
			return svcjson_fail(msg, msglen, "%s: negative",
					    f->name);
		*(uint64_t *)p = json_object_get_uint64(v);
		return 0;
	case SVCJSON_BOOL:
		*(int *)p = json_object_get_boolean(v);
		return 0;
	case SVCJSON_ENUM:
		e = svcjson_name_of(str, f->names);
		if (e < 0)
			return svcjson_fail(msg, msglen, "%s: unknown value",
					    f->name);
		memcpy(p, &e, sizeof(e));
		return 0;
	case SVCJSON_STR:
		if (!str_ok(f, str, len))
			return svcjson_fail(msg, msglen, "%s: %s", f->name,
					    len >= f->size ? "too long" :
					    !len	   ? "empty" :
							     "not a valid value");
		memcpy(p, str, len + 1);
		return 0;
	case SVCJSON_MAC:
		if (mac_parse(str, len, p))
			return svcjson_fail(msg, msglen,
					    "%s: not a MAC (aa:bb:cc:dd:ee:ff)",
					    f->name);
		return 0;
	case SVCJSON_IP6:
		if (len >= INET6_ADDRSTRLEN || inet_pton(AF_INET6, str, p) != 1)
			return svcjson_fail(msg, msglen,
					    "%s: not an IPv6 address", f->name);
		return 0;
	default: /* SVCJSON_IP4 */
		if (len > 15 || inet_pton(AF_INET, str, p) != 1)
			return svcjson_fail(msg, msglen,
					    "%s: not an IPv4 address (a.b.c.d)",
					    f->name);
		return 0;
	}
}

static int is_one_of(const char *key, const char *const *names)
{
	for (; names && *names; names++)
		if (!strcmp(key, *names))
			return 1;
	return 0;
}

/**
 * svcjson_decode() - members of @obj into struct @s by @f[0..n)
 * @obj:	an object
 * @f:		the members: every one of @obj must be here or in @skip,
 *		every SVCJSON_REQ one present, the subnet group whole or absent
 * @n:		how many
 * @skip:	names the caller handles, NULL-terminated, or NULL
 * @s:		the struct, zeroed by the caller (absent: left so)
 * @msg:	why it was refused, naming the member
 * @msglen:	bytes of @msg
 *
 * Return: 0 or -EPROTO.
 */
int svcjson_decode(json_object *obj, const struct svcjson_field *f, size_t n,
		   const char *const *skip, void *s, char *msg, size_t msglen)
{
	size_t i, group = 0, group_found = 0, group6 = 0, group6_found = 0;
	char key_shown[SVC_KEY_SHOWN + 1];
	json_object *v;
	int e;

	json_object_object_foreach(obj, key, val)
	{
		(void)val;
		for (i = 0; i < n && strcmp(key, f[i].name); i++)
			;
		if (i == n && !is_one_of(key, skip))
			return svcjson_fail(msg, msglen,
					    "unknown member \"%s\"",
					    shown(key, key_shown));
	}
	for (i = 0; i < n; i++) {
		group += !!(f[i].flags & SVCJSON_SUBNET);
		group6 += !!(f[i].flags & SVCJSON_SUBNET6);
		if (!json_object_object_get_ex(obj, f[i].name, &v)) {
			if (f[i].flags & SVCJSON_REQ)
				return svcjson_fail(msg, msglen, "%s: missing",
						    f[i].name);
			continue;
		}
		group_found += !!(f[i].flags & SVCJSON_SUBNET);
		group6_found += !!(f[i].flags & SVCJSON_SUBNET6);
		e = field_decode(&f[i], v, s, msg, msglen);
		if (e)
			return e;
	}
	if (group_found && group_found != group)
		return svcjson_fail(
			msg, msglen,
			"subnet: the subnet's members come all or none");
	if (group6_found && group6_found != group6)
		return svcjson_fail(
			msg, msglen,
			"subnet6: the IPv6 prefix's members come all or none");
	return 0;
}
