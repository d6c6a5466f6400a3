// SPDX-License-Identifier: MIT
/* svcjson_doc.c - a document as a whole: a peer's parsed strictly (json-c
 * and what it lets through), ours made and serialised, for svcproto.c */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svcjson.h"
#include "svcproto.h"

/* Our deepest document is 5 levels (reply, "attachments", an attachment,
 * its "forwards", a forward); json-c keeps one state per level, so this
 * also bounds what a peer makes it allocate. */
#define SVC_JSON_DEPTH 6

/*
 * What json-c lets through even in strict mode: a NUL, raw or escaped
 * ("\u0000": json-c keeps keys as C strings, where one would end a key
 * early), and single-quoted names ({'v':1}). Return: why, or NULL.
 */
static const char *lexical_refusal(const char *buf, size_t len)
{
	size_t i;
	int in_str = 0;

	if (memchr(buf, '\0', len))
		return "document holds a NUL";
	for (i = 0; i < len; i++) {
		if (buf[i] == '"') {
			in_str = !in_str;
		} else if (!in_str && buf[i] == '\'') {
			return "not valid JSON: a single quote";
		} else if (in_str && buf[i] == '\\' && i + 1 < len) {
			if (buf[i + 1] == 'u' && len - i >= 6 &&
			    !memcmp(buf + i + 2, "0000", 4))
				return "document holds a NUL";
			i++;
		}
	}
	return NULL;
}

/**
 * svcjson_parse() - a peer's document, strictly: RFC 8259 JSON (json-c's
 * strict mode, UTF-8 checked, nothing after it), no NUL (raw or escaped),
 * at most SVC_MSG_MAX bytes and SVC_JSON_DEPTH levels, no member twice in
 * one object, an object whose "v" is ours
 * @buf:	the document; never read past @len, need not hold a NUL
 * @len:	its length
 * @root:	the object, for the caller to json_object_put()
 * @msg:	why it was refused
 * @msglen:	bytes of @msg
 *
 * Return: 0, -EPROTO, or -EPROTONOSUPPORT (a "v" of another version).
 */
int svcjson_parse(const char *buf, size_t len, json_object **root, char *msg,
		  size_t msglen)
{
	json_tokener *tok;
	json_object *obj, *v = NULL;
	char dup[SVC_KEY_SHOWN + 1];
	const char *why;
	int64_t ver;
	size_t end = 0;

	*root = NULL;
	if (!buf || !len)
		return svcjson_fail(msg, msglen, "empty document");
	if (len > SVC_MSG_MAX)
		return svcjson_fail(msg, msglen,
				    "document longer than %d bytes",
				    SVC_MSG_MAX);
	why = lexical_refusal(buf, len);
	if (why)
		return svcjson_fail(msg, msglen, "%s", why);
	/* else json-c reads "1" or "null" as maybe cut short */
	while (end < len && strchr(" \t\r\n", buf[end]))
		end++;
	if (end == len || buf[end] != '{')
		return svcjson_fail(msg, msglen, "not a JSON object");
	tok = json_tokener_new_ex(SVC_JSON_DEPTH);
	if (!tok)
		return svcjson_fail(msg, msglen, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (!obj) {
		enum json_tokener_error err = json_tokener_get_error(tok);

		json_tokener_free(tok);
		return svcjson_fail(msg, msglen, "not valid JSON: %s",
				    err == json_tokener_continue ?
					    "cut short" :
					    json_tokener_error_desc(err));
	}
	json_tokener_free(tok);
	while (end < len && strchr(" \t\r\n", buf[end]))
		end++;
	if (end != len) {
		json_object_put(obj);
		return svcjson_fail(msg, msglen,
				    "not valid JSON: data after it");
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return svcjson_fail(msg, msglen, "not a JSON object");
	}
	/* json-c keeps the last of a member given twice: refused, lest the
	 * two sides of a proxy read two different requests in one. */
	if (svcjson_dup_member(buf, len, obj, dup, sizeof(dup))) {
		json_object_put(obj);
		return svcjson_fail(msg, msglen, "member %s%s%s appears twice",
				    dup[0] ? "\"" : "",
				    dup[0] ? dup : "(escaped)",
				    dup[0] ? "\"" : "");
	}
	if (!json_object_object_get_ex(obj, "v", &v) ||
	    !json_object_is_type(v, json_type_int)) {
		json_object_put(obj);
		return svcjson_fail(msg, msglen, "v: %s, this side speaks %d",
				    v ? "not an integer" : "missing",
				    SVC_PROTO_VERSION);
	}
	ver = json_object_get_int64(v);
	if (ver != SVC_PROTO_VERSION) {
		json_object_put(obj);
		svcjson_fail(
			msg, msglen,
			"v: protocol version %lld not supported, this side speaks %d",
			(long long)ver, SVC_PROTO_VERSION);
		return -EPROTONOSUPPORT;
	}
	*root = obj;
	return 0;
}

/**
 * svcjson_document() - a new document: an object with our "v"
 *
 * Return: it, for the caller to json_object_put(), or NULL (no memory).
 */
json_object *svcjson_document(void)
{
	json_object *obj = json_object_new_object();

	if (obj &&
	    svcjson_add(obj, "v", json_object_new_int(SVC_PROTO_VERSION))) {
		json_object_put(obj);
		obj = NULL;
	}
	return obj;
}

/**
 * svcjson_serialise() - the document @obj into @buf, NUL-terminated
 * @obj:	the document
 * @buf:	where to
 * @size:	bytes of @buf
 *
 * Return: its length, -ENOSPC (it does not fit @size or SVC_MSG_MAX) or
 * -ENOMEM.
 */
int svcjson_serialise(json_object *obj, char *buf, size_t size)
{
	const char *s;
	size_t len;

	s = json_object_to_json_string_length(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		&len);
	if (!s)
		return -ENOMEM;
	if (len >= size || len > SVC_MSG_MAX)
		return -ENOSPC;
	memcpy(buf, s, len + 1);
	return (int)len;
}