// SPDX-License-Identifier: MIT
/* fake_service.c - a stand-in for squib-net serve for the shell tests: attach requests answered with a new TAP (or refused), each logged as one line */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "svcfake.h"

static const char *const holds[] = { "connection", "process", "parent" };

static int usage(void)
{
	fprintf(stderr,
		"usage: fake_service --socket PATH --log FILE --ready FILE\n"
		"                    [--refuse ERRNO MESSAGE]\n"
		"Serves attach requests one connection after the other until\n"
		"killed: a new TAP (fakeN) each, or the refusal. After each\n"
		"answer, a line of the request's fields goes to FILE; FILE of\n"
		"--ready is made once it listens.\n");
	return 2;
}

/* One line: what was asked, by whom. */
static void log_request(FILE *log, const struct svcfake_seen *s, int r)
{
	const struct svc_request *q = &s->req;
	const uint8_t *m = q->mac;

	fprintf(log,
		"served=%d network=%s has_mac=%d mac=%02x:%02x:%02x:%02x:%02x:%02x mtu=%u vnet_hdr=%d hold=%s label=%s pid=%d ppid=%d uid=%d tap=%s\n",
		r, q->network, q->has_mac, m[0], m[1], m[2], m[3], m[4], m[5],
		q->mtu, q->vnet_hdr,
		(unsigned int)q->hold < 3 ? holds[q->hold] : "?", q->label,
		(int)s->pid, (int)s->ppid, (int)s->uid, s->tap);
	fflush(log);
}

int main(int argc, char **argv)
{
	struct svcfake_answer a = { .how = SVCFAKE_TAP, .tap = -1 };
	const char *path = NULL, *logpath = NULL, *ready = NULL;
	struct svcfake_seen seen;
	FILE *log, *f;
	int i, lsock, conn, r;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			path = argv[++i];
		} else if (!strcmp(argv[i], "--log") && i + 1 < argc) {
			logpath = argv[++i];
		} else if (!strcmp(argv[i], "--ready") && i + 1 < argc) {
			ready = argv[++i];
		} else if (!strcmp(argv[i], "--refuse") && i + 2 < argc) {
			a.how = SVCFAKE_REFUSE;
			a.err = atoi(argv[++i]);
			a.message = argv[++i];
		} else {
			return usage();
		}
	}
	if (!path || !logpath || !ready)
		return usage();
	log = fopen(logpath, "a");
	if (!log) {
		perror(logpath);
		return 1;
	}
	lsock = svcfake_listen(path);
	if (lsock < 0) {
		fprintf(stderr, "fake_service: %s: %s\n", path,
			strerror(-lsock));
		return 1;
	}
	f = fopen(ready, "w");
	if (!f || fclose(f)) {
		perror(ready);
		return 1;
	}
	for (;;) {
		conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0) {
			if (errno == EINTR)
				continue;
			perror("accept");
			return 1;
		}
		r = svcfake_serve(conn, &a, &seen);
		log_request(log, &seen, r);
		svcfake_wait_eof(conn);
		close(conn);
	}
}
