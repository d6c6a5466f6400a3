/* SPDX-License-Identifier: MIT */
/* loop.h - the slirp helper's event loop: the socket, libslirp, timers */
#ifndef SLIRP_LOOP_H
#define SLIRP_LOOP_H

#include <libslirp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "frames.h"
#include "opts.h"

/* libslirp 4.7 makes one timer per instance (IPv6 router advertisements);
 * a few more leave room for later versions. */
#define LOOP_TIMERS 8
/* Sockets polled at once; beyond that a connection waits a turn. */
#define LOOP_POLLFDS 4096
/* Exit statuses (see --help). */
#define LOOP_EXIT_ERROR 1
#define LOOP_EXIT_FRAMING 3

/**
 * struct loop_timer - one of libslirp's timers, in a fixed table
 * @used:	handed out by timer_new_opaque
 * @armed:	timer_mod set it and it has not fired
 * @expire_ms:	when it fires, on the clock of clock_get_ns
 * @id:		passed back to slirp_handle_timer
 * @cb_opaque:	the same
 */
struct loop_timer {
	bool used, armed;
	int64_t expire_ms;
	SlirpTimerId id;
	void *cb_opaque;
};

/**
 * struct loop - the helper's whole state
 * @o:		options
 * @slirp:	the libslirp instance
 * @in:		frames from the guest
 * @out:	frames to the guest
 * @st:		frame counters
 * @guest_errors: libslirp's guest_error calls
 * @poll_full:	sockets left out of a poll() because the table was full
 * @timers:	libslirp's timers
 * @pfd:	poll() table, allocated once
 * @npfd:	entries in use
 * @sigfd:	signalfd for SIGUSR1, SIGTERM, SIGINT
 * @out_err:	a write to the guest failed: -errno
 * @next_stats_ms: when --stats prints next
 */
struct loop {
	const struct opts *o;
	Slirp *slirp;
	struct frames_in in;
	struct frames_out out;
	struct frames_stats st;
	uint64_t guest_errors, poll_full;
	struct loop_timer timers[LOOP_TIMERS];
	struct pollfd *pfd;
	unsigned int npfd;
	int sigfd, out_err;
	int64_t next_stats_ms;
};

int loop_init(struct loop *l, const struct opts *o, char *err, size_t errlen);
int loop_run(struct loop *l);
void loop_stats(struct loop *l);
void loop_free(struct loop *l);

#endif /* SLIRP_LOOP_H */
