/* SPDX-License-Identifier: MIT */
/* pool.h - one allocation per attachment, carved into its buffers */
#ifndef SQN_POOL_H
#define SQN_POOL_H

#include <stddef.h>

/**
 * struct pool - a bump allocator over one block taken at open
 * @base:	the block
 * @size:	its bytes
 * @used:	bytes handed out
 */
struct pool {
	unsigned char *base;
	size_t size;
	size_t used;
};

#define POOL_ALIGN 64

size_t pool_round(size_t n);
int pool_init(struct pool *p, size_t size);
void *pool_take(struct pool *p, size_t n);
void pool_free(struct pool *p);

#endif /* SQN_POOL_H */
