// SPDX-License-Identifier: MIT
/* serve_attach.c - attach latency through squib-net serve, as a libsquibnet
 * caller without CAP_NET_ADMIN sees it (bench/serve.sh runs it)
 *
 *   serve_attach SOCKET [COUNT [NETWORK]]
 *
 * COUNT times (default 100): sqn_open() of shared mode with service_path
 * SOCKET (connect, attach request, the reply with the TAP's descriptor,
 * the TAP backend on it), then sqn_close() (which ends the connection, so
 * the service removes the TAP). Prints the median, p90, p99 and the extremes
 * of each, in milliseconds. Exit 1 when an attach fails (its message on
 * stderr), 2 for a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "squibnet.h"

#define COUNT_MAX 100000

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/**
 * report() - one line of quantiles
 * @what:	the operation timed
 * @ms:		@n times, sorted here
 * @n:		how many
 *
 * The p-th quantile is the value at rank ceil(p * n) (nearest rank).
 */
static void report(const char *what, double *ms, unsigned int n)
{
	unsigned int p50 = (n + 1) / 2, p90 = (9 * n + 9) / 10,
		     p99 = (99 * n + 99) / 100;

	qsort(ms, n, sizeof(*ms), by_value);
	printf("%-8s n=%u median %.2f ms  p90 %.2f ms  p99 %.2f ms  min %.2f ms  max %.2f ms\n",
	       what, n, ms[p50 - 1], ms[p90 - 1], ms[p99 - 1], ms[0],
	       ms[n - 1]);
}

int main(int argc, char **argv)
{
	unsigned long count = 100;
	double *open_ms = NULL, *close_ms = NULL, t0;
	struct sqn_config cfg;
	sqn_net *net;
	unsigned int i;
	int status = 1;
	char *end;

	if (argc < 2 || argc > 4) {
		fprintf(stderr,
			"usage: serve_attach SOCKET [COUNT [NETWORK]]\n");
		return 2;
	}
	if (argc > 2) {
		count = strtoul(argv[2], &end, 10);
		if (*end || !count || count > COUNT_MAX) {
			fprintf(stderr, "serve_attach: COUNT is 1 to %d\n",
				COUNT_MAX);
			return 2;
		}
	}
	open_ms = calloc(count, sizeof(*open_ms));
	close_ms = calloc(count, sizeof(*close_ms));
	if (!open_ms || !close_ms)
		goto out;
	for (i = 0; i < count; i++) {
		sqn_config_init(&cfg);
		cfg.mode = SQN_MODE_SHARED;
		cfg.service_path = argv[1];
		if (argc > 3)
			cfg.network = argv[3];
		t0 = now_ms();
		if (sqn_open(&cfg, &net) < 0) {
			fprintf(stderr, "serve_attach: attach %u: %s\n", i + 1,
				sqn_last_error(NULL));
			goto out;
		}
		open_ms[i] = now_ms() - t0;
		t0 = now_ms();
		sqn_close(net);
		close_ms[i] = now_ms() - t0;
	}
	report("attach", open_ms, (unsigned int)count);
	report("detach", close_ms, (unsigned int)count);
	status = 0;
out:
	free(open_ms);
	free(close_ms);
	return status;
}
