/* SPDX-License-Identifier: MIT */
/* alloc_count.h - count heap allocations of the whole process (plain builds) */
#ifndef SQN_ALLOC_COUNT_H
#define SQN_ALLOC_COUNT_H

#if defined(SQN_ASAN) || defined(SQN_NO_ALLOC_COUNT)
/* Under ASan the sanitizer owns malloc; LeakSanitizer checks for leaks.
 * SQN_NO_ALLOC_COUNT: no glibc to wrap (alloc_count.c), as on macOS. */
static inline long alloc_count_calls(void)
{
	return 0;
}
static inline long alloc_count_live(void)
{
	return 0;
}
#else
long alloc_count_calls(void);
long alloc_count_live(void);
#endif

#endif /* SQN_ALLOC_COUNT_H */
