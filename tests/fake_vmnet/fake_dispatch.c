// SPDX-License-Identifier: MIT
/* fake_dispatch.c - libdispatch's serial queues and semaphores on POSIX
 * threads, and XPC dictionaries, as much as the vmnet backend uses */
#include <Block.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_internal.h"

/* Work items a queue holds; a full queue makes the sender wait. */
#define FAKE_QUEUE_ITEMS 64
#define FAKE_XPC_KEYS 32

enum fake_kind { FAKE_QUEUE = 0x51, FAKE_SEMAPHORE, FAKE_DICT };

/* A queue runs functions (no allocation: packet events) or blocks. */
struct fake_item {
	void (*fn)(void *ctx);
	void *ctx;
	void (^block)(void);
};

struct dispatch_queue_s {
	enum fake_kind kind;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	struct fake_item items[FAKE_QUEUE_ITEMS];
	unsigned int head, count;
	int refs;
	int closing;
};

struct dispatch_semaphore_s {
	enum fake_kind kind;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	intptr_t value;
};

struct fake_entry {
	char key[64];
	int type;
	uint64_t u;
	char s[64];
	uint8_t uuid[16];
};

struct fake_dict {
	enum fake_kind kind;
	unsigned int n;
	struct fake_entry e[FAKE_XPC_KEYS];
};

static void *queue_main(void *arg)
{
	struct dispatch_queue_s *q = arg;
	struct fake_item it;

	for (;;) {
		pthread_mutex_lock(&q->lock);
		while (!q->count && !q->closing)
			pthread_cond_wait(&q->cond, &q->lock);
		if (!q->count) {
			pthread_mutex_unlock(&q->lock);
			return NULL;
		}
		it = q->items[q->head];
		q->head = (q->head + 1) % FAKE_QUEUE_ITEMS;
		q->count--;
		pthread_cond_broadcast(&q->cond);
		pthread_mutex_unlock(&q->lock);
		if (it.block) {
			it.block();
			Block_release(it.block);
		} else {
			it.fn(it.ctx);
		}
	}
}

dispatch_queue_t dispatch_queue_create(const char *label,
				       dispatch_queue_attr_t attr)
{
	struct dispatch_queue_s *q = calloc(1, sizeof(*q));

	(void)label;
	(void)attr;
	if (!q)
		return NULL;
	q->kind = FAKE_QUEUE;
	q->refs = 1;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	if (pthread_create(&q->thread, NULL, queue_main, q)) {
		free(q);
		return NULL;
	}
	return q;
}

static void queue_push(dispatch_queue_t q, struct fake_item it)
{
	pthread_mutex_lock(&q->lock);
	while (q->count == FAKE_QUEUE_ITEMS)
		pthread_cond_wait(&q->cond, &q->lock);
	q->items[(q->head + q->count) % FAKE_QUEUE_ITEMS] = it;
	q->count++;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

/**
 * fake_queue_fn() - run @fn(@ctx) on @q, allocating nothing
 * @q:		queue
 * @fn:		function
 * @ctx:	its argument
 */
void fake_queue_fn(dispatch_queue_t q, void (*fn)(void *), void *ctx)
{
	queue_push(q, (struct fake_item){ fn, ctx, NULL });
}

/**
 * fake_queue_block() - run a copy of @block on @q
 * @q:		queue
 * @block:	block
 */
void fake_queue_block(dispatch_queue_t q, void (^block)(void))
{
	queue_push(q, (struct fake_item){ NULL, NULL, Block_copy(block) });
}

void dispatch_async(dispatch_queue_t queue, dispatch_block_t block)
{
	fake_queue_block(queue, block);
}

/**
 * fake_queue_retain() - one more reference to @q
 * @q:		queue
 */
void fake_queue_retain(dispatch_queue_t q)
{
	pthread_mutex_lock(&q->lock);
	q->refs++;
	pthread_mutex_unlock(&q->lock);
}

static void queue_release(struct dispatch_queue_s *q)
{
	int last;

	pthread_mutex_lock(&q->lock);
	last = !--q->refs;
	if (last) {
		q->closing = 1;
		pthread_cond_broadcast(&q->cond);
	}
	pthread_mutex_unlock(&q->lock);
	if (!last)
		return;
	/* What is queued still runs, then the thread ends. */
	if (pthread_equal(pthread_self(), q->thread)) {
		pthread_detach(q->thread);
		return; /* leaked: a queue released from its own thread */
	}
	pthread_join(q->thread, NULL);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

dispatch_semaphore_t dispatch_semaphore_create(intptr_t value)
{
	struct dispatch_semaphore_s *s = calloc(1, sizeof(*s));
	pthread_condattr_t a;

	if (!s)
		return NULL;
	s->kind = FAKE_SEMAPHORE;
	s->value = value;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &a);
	pthread_condattr_destroy(&a);
	return s;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* The fake's times are CLOCK_MONOTONIC nanoseconds. */
dispatch_time_t dispatch_time(dispatch_time_t when, int64_t delta)
{
	if (when == DISPATCH_TIME_FOREVER)
		return when;
	return (when == DISPATCH_TIME_NOW ? now_ns() : when) + (uint64_t)delta;
}

intptr_t dispatch_semaphore_wait(dispatch_semaphore_t s, dispatch_time_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000ull),
			       (long)(t % 1000000000ull) };
	int r = 0;

	pthread_mutex_lock(&s->lock);
	while (s->value <= 0 && r != ETIMEDOUT) {
		if (t == DISPATCH_TIME_FOREVER)
			pthread_cond_wait(&s->cond, &s->lock);
		else
			r = pthread_cond_timedwait(&s->cond, &s->lock, &ts);
	}
	if (s->value > 0) {
		s->value--;
		r = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return r ? 1 : 0;
}

intptr_t dispatch_semaphore_signal(dispatch_semaphore_t s)
{
	pthread_mutex_lock(&s->lock);
	s->value++;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void dispatch_release(void *object)
{
	enum fake_kind *kind = object;

	if (*kind == FAKE_QUEUE) {
		queue_release(object);
	} else if (*kind == FAKE_SEMAPHORE) {
		struct dispatch_semaphore_s *s = object;

		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		free(s);
	}
}

/* XPC: dictionaries of uint64, bool, string and uuid values. */
enum { XT_U64 = 1, XT_BOOL, XT_STR, XT_UUID };

xpc_object_t xpc_dictionary_create(const char *const *keys,
				   const xpc_object_t *values, size_t count)
{
	struct fake_dict *d = calloc(1, sizeof(*d));

	(void)keys;
	(void)values;
	(void)count;
	if (d)
		d->kind = FAKE_DICT;
	return d;
}

static struct fake_entry *entry(struct fake_dict *d, const char *key, int add)
{
	unsigned int i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->e[i].key, key))
			return &d->e[i];
	if (!add || d->n == FAKE_XPC_KEYS || strlen(key) >= 64)
		return NULL;
	strcpy(d->e[d->n].key, key);
	return &d->e[d->n++];
}

static void set(xpc_object_t d, const char *key, int type, uint64_t u,
		const char *s, const uint8_t *uuid)
{
	struct fake_entry *e = entry(d, key, 1);

	if (!e)
		return;
	e->type = type;
	e->u = u;
	if (s)
		snprintf(e->s, sizeof(e->s), "%s", s);
	if (uuid)
		memcpy(e->uuid, uuid, 16);
}

void xpc_dictionary_set_uint64(xpc_object_t d, const char *key, uint64_t v)
{
	set(d, key, XT_U64, v, NULL, NULL);
}

void xpc_dictionary_set_bool(xpc_object_t d, const char *key, bool v)
{
	set(d, key, XT_BOOL, v, NULL, NULL);
}

void xpc_dictionary_set_string(xpc_object_t d, const char *key, const char *v)
{
	set(d, key, XT_STR, 0, v, NULL);
}

void xpc_dictionary_set_uuid(xpc_object_t d, const char *key,
			     const unsigned char *uuid)
{
	set(d, key, XT_UUID, 0, NULL, uuid);
}

uint64_t xpc_dictionary_get_uint64(xpc_object_t d, const char *key)
{
	struct fake_entry *e = entry(d, key, 0);

	return e && e->type == XT_U64 ? e->u : 0;
}

const char *xpc_dictionary_get_string(xpc_object_t d, const char *key)
{
	struct fake_entry *e = entry(d, key, 0);

	return e && e->type == XT_STR ? e->s : NULL;
}

/**
 * fake_dict_bool() - a bool of @d: -1 when absent
 * @d:		dictionary
 * @key:	key
 *
 * Return: -1, 0 or 1.
 */
int fake_dict_bool(xpc_object_t d, const char *key)
{
	struct fake_entry *e = entry(d, key, 0);

	return e && e->type == XT_BOOL ? (int)e->u : -1;
}

/**
 * fake_dict_uuid() - a uuid of @d
 * @d:		dictionary
 * @key:	key
 * @out:	set to it
 *
 * Return: 1 when present.
 */
int fake_dict_uuid(xpc_object_t d, const char *key, uint8_t out[16])
{
	struct fake_entry *e = entry(d, key, 0);

	if (!e || e->type != XT_UUID)
		return 0;
	memcpy(out, e->uuid, 16);
	return 1;
}

void xpc_release(xpc_object_t object)
{
	free(object);
}
