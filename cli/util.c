// SPDX-License-Identifier: MIT
/* util.c - what the program's commands share: numbers, MACs, stats, time */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util.h"

/**
 * parse_uint() - parse a decimal number in 0..@max
 * @s:		text
 * @max:	largest value allowed
 * @out:	set on success
 *
 * Return: 0, -ERANGE for a number above @max (@out is not set), or -EINVAL
 * for what is not a number.
 */
int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || (errno && errno != ERANGE))
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/**
 * parse_mac() - parse a MAC address written xx:xx:xx:xx:xx:xx
 * @s:		text
 * @mac:	set on success
 *
 * Return: 0 or -EINVAL.
 */
int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

/**
 * print_stats() - the counters of @net, one line of key=value pairs
 * @f:		where to: stdout, or stderr beside the guest's own output
 * @net:	attachment
 */
void print_stats(FILE *f, const sqn_net *net)
{
	struct sqn_stats st;

	if (sqn_stats(net, &st))
		return;
	fprintf(f,
		"%sstats: rx_frames=%llu rx_bytes=%llu rx_large=%llu rx_dropped=%llu rx_errors=%llu"
		" tx_frames=%llu tx_bytes=%llu tx_large=%llu tx_dropped=%llu tx_errors=%llu\n",
		f == stderr ? "squib-net: " : "",
		(unsigned long long)st.rx_frames,
		(unsigned long long)st.rx_bytes,
		(unsigned long long)st.rx_large,
		(unsigned long long)st.rx_dropped,
		(unsigned long long)st.rx_errors,
		(unsigned long long)st.tx_frames,
		(unsigned long long)st.tx_bytes,
		(unsigned long long)st.tx_large,
		(unsigned long long)st.tx_dropped,
		(unsigned long long)st.tx_errors);
}

/**
 * now_ms() - a monotonic clock in milliseconds
 *
 * Return: milliseconds since an arbitrary point.
 */
long now_ms(void)
{
	return (long)(now_us() / 1000);
}

/**
 * now_us() - a monotonic clock in microseconds
 */
long long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}
