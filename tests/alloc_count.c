// SPDX-License-Identifier: MIT
/* alloc_count.c - wraps glibc's allocator to count calls and live blocks */
#include <errno.h>
#include <stddef.h>

#include "alloc_count.h"

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void *__libc_memalign(size_t align, size_t n);
void __libc_free(void *p);

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);
int posix_memalign(void **out, size_t align, size_t n);
void *aligned_alloc(size_t align, size_t n);

static long calls;
static long live;

static void *counted(void *p)
{
	__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	if (p)
		__atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
	return p;
}

void *malloc(size_t n)
{
	return counted(__libc_malloc(n));
}

void *calloc(size_t n, size_t size)
{
	return counted(__libc_calloc(n, size));
}

void *realloc(void *p, size_t n)
{
	void *q;

	if (!p)
		return malloc(n);
	q = __libc_realloc(p, n);
	__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	if (!n && !q)
		__atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
	return q;
}

void free(void *p)
{
	if (p)
		__atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
	__libc_free(p);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p = counted(__libc_memalign(align, n));

	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
	return counted(__libc_memalign(align, n));
}

long alloc_count_calls(void)
{
	return __atomic_load_n(&calls, __ATOMIC_RELAXED);
}

long alloc_count_live(void)
{
	return __atomic_load_n(&live, __ATOMIC_RELAXED);
}
