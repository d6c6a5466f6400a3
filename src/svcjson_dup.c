// SPDX-License-Identifier: MIT
/* svcjson_dup.c - a member that appears twice in one object of a peer's
 * document: json-c keeps the last silently, the protocol refuses it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svcjson.h"

/* Objects nest no deeper than the parser allows (SVC_JSON_DEPTH); a
 * little more does no harm. */
#define SVCDUP_DEPTH 8
/* Raw names compared while looking for the one to name: past this, the
 * refusal names none (a peer's document must not cost much). */
#define SVCDUP_BUDGET (1L << 20)

/* Members of the objects json-c made, at every level. */
static size_t svcdup_tree(json_object *o)
{
	size_t n = 0, i;

	if (json_object_is_type(o, json_type_object)) {
		n = (size_t)json_object_object_length(o);
		json_object_object_foreach(o, k, v)
		{
			(void)k;
			n += svcdup_tree(v);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++)
			n += svcdup_tree(json_object_array_get_idx(o, i));
	}
	return n;
}

struct svcdup_span {
	size_t off, len;
};

/* Walk the text: count its members (one ':' outside a string each), and
 * with @keys, look for a raw name seen twice in one object, its span in
 * @dup. Return: the count. */
static size_t svcdup_scan(const char *buf, size_t len, struct svcdup_span *keys,
			  struct svcdup_span *dup)
{
	size_t frame[SVCDUP_DEPTH], i, j, n = 0, nkeys = 0, depth = 0;
	struct svcdup_span str = { 0, 0 };
	long budget = SVCDUP_BUDGET;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		if (in_str) {
			if (buf[i] == '\\')
				i++;
			else if (buf[i] == '"') {
				in_str = 0;
				str.len = i - str.off;
			}
			continue;
		}
		if (buf[i] == '"') {
			in_str = 1;
			str.off = i + 1;
		} else if (buf[i] == '{' && depth < SVCDUP_DEPTH) {
			frame[depth++] = nkeys;
		} else if (buf[i] == '}' && depth) {
			nkeys = frame[--depth];
		} else if (buf[i] == ':') {
			n++;
			if (!keys || !depth || dup->len)
				continue;
			for (j = frame[depth - 1]; j < nkeys && budget > 0;
			     j++, budget--)
				if (keys[j].len == str.len &&
				    !memcmp(buf + keys[j].off, buf + str.off,
					    str.len)) {
					*dup = str;
					break;
				}
			keys[nkeys++] = str;
		}
	}
	return n;
}

/**
 * svcjson_dup_member() - whether an object of a document holds a member
 * twice (at any level)
 * @buf:	the document, valid JSON (svcjson_parse() checked it)
 * @len:	its length
 * @obj:	what json-c made of it
 * @name:	set to the member's name, printable ASCII, cut short; "" when
 *		it cannot be told (written with escapes)
 * @size:	bytes of @name, at least 1
 *
 * Return: 1 when a member appears twice, else 0.
 */
int svcjson_dup_member(const char *buf, size_t len, json_object *obj,
		       char *name, size_t size)
{
	struct svcdup_span dup = { 0, 0 }, *keys;
	size_t n = svcdup_scan(buf, len, NULL, &dup), i, k = 0;

	name[0] = '\0';
	if (n == svcdup_tree(obj))
		return 0;
	keys = calloc(n + 1, sizeof(*keys));
	if (keys)
		svcdup_scan(buf, len, keys, &dup);
	free(keys);
	for (i = 0; i < dup.len && k + 1 < size; i++)
		name[k++] = buf[dup.off + i] >= ' ' && buf[dup.off + i] < 127 ?
				    buf[dup.off + i] :
				    '?';
	name[k] = '\0';
	return 1;
}
