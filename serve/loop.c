// SPDX-License-Identifier: MIT
/* loop.c - squib-net serve's event loop: epoll over non-blocking sockets
 * and pidfds, signals through a signalfd (SIGTERM, SIGINT stop; SIGHUP
 * reads the ACL again), a timer while a dnsmasq is being started again */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "conn.h"
#include "frr.h"
#include "log.h"
#include "loop.h"
#include "nets.h"
#include "relay.h"
#include "route.h"
#include "state.h"
#include "streams.h"
#include "spoof.h"
#include "vxlan.h"

/* How often a network whose dnsmasq ended is looked at until its keeper
 * has started it again. */
#define LOOP_SUPERVISE_MS 100

/**
 * serve_now_ms() - a monotonic clock, in ms
 *
 * Return: the time.
 */
long serve_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/**
 * serve_watch_add() - watch a descriptor
 * @s:		the service
 * @w:		what it belongs to (the event's data points at it)
 * @events:	EPOLL* bits
 *
 * Return: 0 or a negative errno.
 */
int serve_watch_add(struct serve *s, struct serve_watch *w, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = w };

	return epoll_ctl(s->ep, EPOLL_CTL_ADD, w->fd, &e) ? -errno : 0;
}

/**
 * serve_watch_mod() - watch a descriptor for other events
 * @s:		the service
 * @w:		what it belongs to
 * @events:	EPOLL* bits
 *
 * Return: 0 or a negative errno.
 */
int serve_watch_mod(struct serve *s, struct serve_watch *w, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = w };

	return epoll_ctl(s->ep, EPOLL_CTL_MOD, w->fd, &e) ? -errno : 0;
}

/**
 * serve_watch_del() - stop watching a descriptor (before it is closed)
 * @s:		the service
 * @w:		what it belongs to
 */
void serve_watch_del(struct serve *s, struct serve_watch *w)
{
	if (w->fd >= 0)
		epoll_ctl(s->ep, EPOLL_CTL_DEL, w->fd, NULL);
}

/* Arm the supervision timer (or disarm it, @ms 0). */
static void loop_timer(struct serve *s, long ms)
{
	struct itimerspec t = { { 0, 0 },
				{ ms / 1000, (ms % 1000) * 1000000 } };

	timerfd_settime(s->timer.fd, 0, &t, NULL);
}

/**
 * loop_init() - the epoll instance, signals, the timer and the control
 * socket (already open) in it
 * @s:		the service
 * @msg:	set on failure
 * @len:	its size
 *
 * Return: 0 or a negative errno.
 */
int loop_init(struct serve *s, char *msg, size_t len)
{
	sigset_t set;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* A client gone while its reply is sent is an error, not a death. */
	signal(SIGPIPE, SIG_IGN);
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	s->sig.kind = SERVE_SIGNAL;
	s->sig.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	s->timer.kind = SERVE_TIMER;
	s->timer.fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->ep < 0 || s->sig.fd < 0 || s->timer.fd < 0) {
		r = -errno;
		snprintf(msg, len, "event loop: %s", strerror(errno));
		return r;
	}
	r = serve_watch_add(s, &s->sig, EPOLLIN);
	if (!r)
		r = serve_watch_add(s, &s->timer, EPOLLIN);
	if (!r)
		r = serve_watch_add(s, &s->listen, EPOLLIN);
	if (r)
		snprintf(msg, len, "event loop: %s", strerror(-r));
	return r;
}

/* SIGHUP: the ACL read again; on a mistake the old one stays. */
static void loop_reload(struct serve *s)
{
	char msg[512];
	struct acl *acl;
	int r;

	r = acl_load(s->cfg.acl, &acl, msg, sizeof(msg));
	if (r == -ENOENT && !s->cfg.acl_given)
		r = acl_load_text(s->cfg.acl, "", 0, &acl, msg, sizeof(msg));
	if (r) {
		err("SIGHUP: ACL not read again, the old one stays: %s", msg);
		return;
	}
	acl_free(s->acl);
	s->acl = acl;
	info("SIGHUP: ACL %s read again", s->cfg.acl);
}

/* SIGHUP: FRR is given its part again (bgp-* changed, or FRR runs now);
 * the evpn networks that waited for it come up. */
static void loop_frr(struct serve *s)
{
	unsigned int i;

	if (frr_apply(s))
		return;
	for (i = 0; i < s->n_nets; i++)
		if (s->nets[i].conf.evpn)
			nets_up(s, &s->nets[i]);
}

static void loop_signals(struct serve *s)
{
	struct signalfd_siginfo si;

	while (read(s->sig.fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			loop_reload(s);
			vxlan_reload(s);
			loop_frr(s);
			continue;
		}
		info("signal %u from pid %u: stopping", si.ssi_signo,
		     si.ssi_pid);
		s->stop = 1;
	}
}

/* One event; @w is what it is about. */
static void loop_event(struct serve *s, struct serve_watch *w, uint32_t ev)
{
	uint64_t ticks;

	switch (w->kind) {
	case SERVE_LISTEN:
		conn_accept(s);
		break;
	case SERVE_SIGNAL:
		loop_signals(s);
		break;
	case SERVE_TIMER:
		/* Only to wake the loop: nets_supervise() follows. */
		if (read(w->fd, &ticks, sizeof(ticks)) < 0)
			ticks = 0;
		break;
	case SERVE_CONN:
		conn_event(s, (struct serve_conn *)w, ev);
		break;
	case SERVE_HOLDER:
		attach_holder_ended(s, (struct serve_att *)w);
		break;
	case SERVE_DNSMASQ:
		nets_dnsmasq_ended(s, (struct serve_net *)w);
		break;
	case SERVE_SPOOF:
		spoof_event(s);
		break;
	case SERVE_LINKS:
		state_links_event(s);
		break;
	case SERVE_STREAM_LISTEN:
		streams_accept(s, w);
		break;
	case SERVE_RELAY:
		relay_event(s, w, ev);
		break;
	case SERVE_ROUTES:
		route_event(s);
		break;
	}
}

/**
 * loop_run() - serve until SIGTERM (or SIGINT)
 * @s:		the service, set up
 *
 * Return: 0, or a negative errno when epoll fails.
 */
int loop_run(struct serve *s)
{
	struct epoll_event ev;
	int n, waiting;

	while (!s->stop) {
		/* One event at a time: an event may free what another of a
		 * batch is about (a connection and its attachments). */
		n = epoll_wait(s->ep, &ev, 1, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n)
			loop_event(s, ev.data.ptr, ev.events);
		waiting = nets_supervise(s);
		loop_timer(s, waiting ? LOOP_SUPERVISE_MS : 0);
	}
	return 0;
}

/**
 * loop_fini() - close what loop_init() opened
 * @s:		the service
 */
void loop_fini(struct serve *s)
{
	if (s->sig.fd >= 0)
		close(s->sig.fd);
	if (s->timer.fd >= 0)
		close(s->timer.fd);
	if (s->ep >= 0)
		close(s->ep);
	s->sig.fd = s->timer.fd = s->ep = -1;
}
