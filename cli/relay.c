// SPDX-License-Identifier: MIT
/* relay.c - frames between the guest's TAP and the attachment, as a VMM's */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "pcap.h"
#include "relay.h"
#include "util.h"

#define LINK_GRACE_MS 2000

/*
 * Move frames from the TAP to the attachment: a few batches at a time, so
 * that the other direction gets its turn; the TAP's fd stays readable.
 * *@paused is set while the attachment takes no more: frames wait in the
 * TAP's queue until sqn_fd() is writable.
 */
static int relay_out(struct relay *r, int *paused)
{
	int rounds, n;

	for (rounds = 0;; rounds++) {
		while (r->out_first < r->out_count) {
			n = sqn_send(r->net, r->out_pkt + r->out_first,
				     r->out_count - r->out_first);
			if (n == -EAGAIN) {
				*paused = 1;
				return 0;
			}
			if (n < 0)
				return n;
			r->out_first += (unsigned int)n;
		}
		r->out_first = r->out_count = 0;
		/* sqn_send() may have kept the tail of the batch's last frame:
		 * only sqn_flush() sends it, and the guest's next frame, which
		 * would, may be long in coming (squibnet.h). */
		n = sqn_flush(r->net);
		if (n == -EAGAIN) {
			*paused = 1;
			return 0;
		}
		if (n < 0)
			return n;
		*paused = 0;
		if (rounds == 8)
			return 0;
		while (r->out_count < RELAY_BATCH) {
			ssize_t m = read(r->g.tap, r->out[r->out_count],
					 RELAY_FRAME);

			if (m < 0 && errno == EINTR)
				continue;
			/* EBADFD: the interface was deleted under us. */
			if (m < 0 && errno != EAGAIN)
				return errno == EBADFD ? -ENODEV : -EIO;
			if (m <= 0)
				break;
			pcap_frame(r->out[r->out_count], (size_t)m, r->hdr);
			r->out_iov[r->out_count++].iov_len = (size_t)m;
		}
		if (!r->out_count)
			return 0;
	}
}

/* Move frames from the attachment into the TAP. */
static int relay_in(struct relay *r)
{
	int n, i;

	for (;;) {
		n = sqn_recv(r->net, r->in_pkt, RELAY_BATCH);
		if (n == -EAGAIN)
			return 0;
		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			size_t len = r->in_pkt[i].len;

			if (r->in_pkt[i].flags)
				continue;
			pcap_frame(r->in[i], len, r->hdr);
			/* A full TAP queue drops, as a NIC's would. */
			if (write(r->g.tap, r->in[i], len) < 0)
				debug("guest: TAP write: %s", strerror(errno));
		}
	}
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

static void epoll_set(int ep, int op, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	epoll_ctl(ep, op, fd, &ev);
}

/* The signals: the guest's end, ours to pass on. 1 when the guest ended. */
static int relay_signal(struct relay *r, int sfd)
{
	struct signalfd_siginfo si;
	int status;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGCHLD) {
			/* To the command's group, as a terminal would. */
			debug("passing signal %u to the guest", si.ssi_signo);
			kill(-r->g.pgid, (int)si.ssi_signo);
			/* A stopped guest could not act on it. */
			kill(-r->g.pgid, SIGCONT);
		}
	}
	/* Only our guest: the helper is the library's to reap. */
	if (waitpid(r->g.pid, &status, WNOHANG) == r->g.pid) {
		r->status = exit_status(status);
		r->g.pid = -1;
		return 1;
	}
	return 0;
}

/* The link is gone: no carrier for the guest, which gets LINK_GRACE_MS
 * to end by itself, then SIGTERM, then after as long again SIGKILL. */
static void relay_link_down(struct relay *r, int ep, const char *why)
{
	err("link down: %s", why);
	r->link_down = 1;
	r->deadline = now_ms() + LINK_GRACE_MS;
	guestns_carrier(&r->g, 0);
	epoll_ctl(ep, EPOLL_CTL_DEL, r->g.tap, NULL);
	epoll_ctl(ep, EPOLL_CTL_DEL, sqn_fd(r->net), NULL);
}

static void relay_grace(struct relay *r)
{
	if (now_ms() < r->deadline)
		return;
	kill(-r->g.pgid, r->killed ? SIGKILL : SIGTERM);
	kill(-r->g.pgid, SIGCONT);
	r->killed = 1;
	r->deadline = now_ms() + LINK_GRACE_MS;
}

/**
 * relay_run() - relay frames until the guest ends
 * @r:		relay, set up, with its guest started
 * @sfd:	signalfd of SIGCHLD and the signals passed on to the guest
 *
 * After a link failure the guest is asked to end (r->link_down set).
 *
 * Return: 0, or -errno if no epoll instance could be made.
 */
int relay_run(struct relay *r, int sfd)
{
	struct epoll_event ev[4];
	int ep = epoll_create1(EPOLL_CLOEXEC), paused = 0, n, i, rc;
	uint32_t tap_events;

	if (ep < 0)
		return -errno;
	epoll_set(ep, EPOLL_CTL_ADD, sfd, EPOLLIN);
	epoll_set(ep, EPOLL_CTL_ADD, r->g.tap, EPOLLIN);
	epoll_set(ep, EPOLL_CTL_ADD, sqn_fd(r->net), EPOLLIN);
	for (;;) {
		long wait = -1;

		if (r->link_down) {
			wait = r->deadline - now_ms();
			wait = wait < 0 ? 0 : wait;
		}
		n = epoll_wait(ep, ev, 4, (int)wait);
		if (n < 0 && errno == EINTR)
			continue;
		tap_events = 0;
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd == sfd && relay_signal(r, sfd))
				goto out;
			if (ev[i].data.fd == r->g.tap)
				tap_events = ev[i].events;
		}
		if (r->link_down) {
			relay_grace(r);
			continue;
		}
		rc = 0;
		/* The guest deleted or detached its eth0. */
		if (tap_events & (EPOLLERR | EPOLLHUP))
			rc = -ENODEV;
		if (!rc)
			rc = relay_in(r);
		if (!rc)
			rc = relay_out(r, &paused);
		if (!rc) {
			epoll_set(ep, EPOLL_CTL_MOD, r->g.tap,
				  paused ? 0 : EPOLLIN);
			epoll_set(ep, EPOLL_CTL_MOD, sqn_fd(r->net),
				  EPOLLIN | (paused ? EPOLLOUT : 0));
			continue;
		}
		relay_link_down(r, ep,
				rc == -ENOTCONN ? sqn_last_error(r->net) :
				rc == -ENODEV	? "the guest's eth0 went away" :
				rc == -EIO	? "the guest's eth0 failed" :
						  sqn_strerror(rc));
	}
out:
	close(ep);
	return 0;
}

/**
 * relay_setup() - point the relay's packet descriptors at its buffers
 * @r:		relay
 */
void relay_setup(struct relay *r)
{
	unsigned int i;

	for (i = 0; i < RELAY_BATCH; i++) {
		r->out_iov[i] = (struct iovec){ r->out[i], 0 };
		r->out_pkt[i] =
			(struct sqn_pkt){ .iov = &r->out_iov[i], .iovcnt = 1 };
		r->in_iov[i] = (struct iovec){ r->in[i], RELAY_FRAME };
		r->in_pkt[i] =
			(struct sqn_pkt){ .iov = &r->in_iov[i], .iovcnt = 1 };
	}
}
