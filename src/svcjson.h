/* SPDX-License-Identifier: MIT */
/* svcjson.h - JSON objects <-> C structs by tables of members (json-c),
 * one table driving both directions so that both check a value alike; the
 * machinery under svcproto.c */
#ifndef SQN_SVCJSON_H
#define SQN_SVCJSON_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* A member's name quoted in a message: sanitised, at most this long. */
#define SVC_KEY_SHOWN 32

/* A member's type in JSON, and in C. */
enum svcjson_kind {
	SVCJSON_U32, /* integer; uint32_t */
	SVCJSON_U64, /* integer; uint64_t */
	SVCJSON_BOOL, /* true, false; int */
	SVCJSON_STR, /* string; char[size], NUL-terminated */
	SVCJSON_MAC, /* "aa:bb:cc:dd:ee:ff"; uint8_t[6] */
	SVCJSON_IP4, /* "a.b.c.d"; uint8_t[4] */
	SVCJSON_ENUM, /* one of names[]; an int enum, its index */
	SVCJSON_IP6, /* "fd00::1"; uint8_t[16] */
	SVCJSON_U16, /* integer; uint16_t */
	SVCJSON_LIST, /* [{...}, ...]; an array of structs of size bytes,
		       * at most max, each by the table sub; their count the
		       * unsigned int at has_off (absent or []: 0) */
	SVCJSON_IPLIST, /* ["a.b.c.d", ...]; char[max][16], their count the
			 * unsigned int at has_off (absent or []: 0) */
};

/* What a SVCJSON_STR may hold. */
enum svcjson_class {
	SVCJSON_NAME, /* an interface's name: [A-Za-z0-9_.-] */
	SVCJSON_LABEL, /* printable ASCII */
	SVCJSON_TEXT, /* UTF-8 without control characters */
	SVCJSON_IP, /* "" or a dotted IPv4 address */
	SVCJSON_ONEOF, /* one of names[] */
};

#define SVCJSON_REQ 0x01 /* must be present */
#define SVCJSON_ZERO 0x02 /* U32: 0 is allowed besides min..max */
#define SVCJSON_MASK 0x04 /* U32: a bit mask within max */
#define SVCJSON_SUBNET 0x08 /* of the subnet group: all present or none */
#define SVCJSON_NONEMPTY 0x10 /* STR: at least one character */
#define SVCJSON_SUBNET6 0x20 /* of the IPv6 group: all present or none */
#define SVCJSON_OPT 0x40 /* STR: sent only when not empty */

/**
 * struct svcjson_field - one member of an object, and where it lives
 * @name:	its name in JSON
 * @kind:	enum svcjson_kind
 * @cls:	STR: enum svcjson_class
 * @flags:	SVCJSON_REQ, ...
 * @off:	its offset in the struct
 * @size:	STR: the array's size (its longest value is one less)
 * @min, @max:	U32: its range (SVCJSON_MASK: @max is the mask)
 * @names:	ENUM, ONEOF: the values, NULL-terminated
 * @has_off:	the offset of the int that says it is present, or -1
 * @sub, @n_sub: LIST: the table of an element's members
 */
struct svcjson_field {
	const char *name;
	unsigned char kind, cls, flags;
	size_t off, size;
	uint32_t min, max;
	const char *const *names;
	long has_off;
	const struct svcjson_field *sub;
	size_t n_sub;
};

int svcjson_fail(char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int svcjson_name_of(const char *s, const char *const *names);
int svcjson_text_ok(const unsigned char *s, size_t len);
int svcjson_add(json_object *obj, const char *key, json_object *val);
int svcjson_encode(json_object *obj, const struct svcjson_field *f, size_t n,
		   const void *s);
int svcjson_decode(json_object *obj, const struct svcjson_field *f, size_t n,
		   const char *const *skip, void *s, char *msg, size_t msglen);
int svcjson_parse(const char *buf, size_t len, json_object **root, char *msg,
		  size_t msglen);
json_object *svcjson_document(void);
int svcjson_serialise(json_object *obj, char *buf, size_t size);

int svcjson_dup_member(const char *buf, size_t len, json_object *obj,
		       char *name, size_t size);

#endif /* SQN_SVCJSON_H */
