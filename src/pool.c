// SPDX-License-Identifier: MIT
/* pool.c - the only allocation of buffers; done once, at open */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

/**
 * pool_round() - @n rounded up to POOL_ALIGN, as pool_take() spends it
 * @n:		bytes
 *
 * Return: the rounded size; sum these to size a pool.
 */
size_t pool_round(size_t n)
{
	return (n + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
}

/**
 * pool_init() - allocate the block
 * @p:		pool
 * @size:	bytes, the sum of pool_round() of every later pool_take()
 *
 * Return: 0 or -ENOMEM.
 */
int pool_init(struct pool *p, size_t size)
{
	void *base = NULL;

	p->used = 0;
	p->size = 0;
	p->base = NULL;
	if (size && posix_memalign(&base, POOL_ALIGN, size))
		return -ENOMEM;
	p->base = base;
	p->size = size;
	return 0;
}

/**
 * pool_take() - the next @n bytes of the block, zeroed
 * @p:		pool
 * @n:		bytes
 *
 * Return: aligned memory, or NULL when the pool was sized too small (a
 * bug in a backend's pool_size).
 */
void *pool_take(struct pool *p, size_t n)
{
	void *at;

	n = pool_round(n);
	if (n > p->size - p->used)
		return NULL;
	at = p->base + p->used;
	p->used += n;
	memset(at, 0, n);
	return at;
}

/**
 * pool_free() - release the block
 * @p:		pool
 */
void pool_free(struct pool *p)
{
	free(p->base);
	p->base = NULL;
	p->size = 0;
	p->used = 0;
}
