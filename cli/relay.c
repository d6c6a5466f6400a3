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

/* One read of the TAP into @buf. Return: 1 (*@len set), 0 when it has
 * nothing, -ENODEV when the interface was deleted under us (EBADFD), or
 * -EIO. */
static int relay_read(struct relay *r, uint8_t *buf, size_t *len)
{
	ssize_t m;

	do {
		m = read(r->g.tap, buf, RELAY_FRAME);
	} while (m < 0 && errno == EINTR);
	if (m < 0 && errno != EAGAIN)
		return errno == EBADFD ? -ENODEV : -EIO;
	if (m <= 0)
		return 0;
	*len = (size_t)m;
	return 1;
}

/* Soft offloads: the next frame for the attachment into slot @i: the
 * next segment of the TSO frame being cut, else the TAP's next frame,
 * its checksum finished. A TSO frame's buffer becomes @r->spare while it
 * is cut, and the spare one the slot's. Return: as relay_read(). */
static int relay_take_soft(struct relay *r, unsigned int i)
{
	const uint8_t *payload;
	size_t len, plen;
	uint8_t *buf;
	int rc;

	for (;;) {
		buf = r->slot[i];
		if (tapgso_left(&r->gso)) {
			len = tapgso_next(&r->gso, buf, &payload, &plen);
			memcpy(buf + len, payload, plen);
			r->out_iov[i] = (struct iovec){ buf, len + plen };
			return 1;
		}
		rc = relay_read(r, buf, &len);
		if (rc <= 0)
			return rc;
		len = len > GUEST_VNET_HDR_LEN ? len - GUEST_VNET_HDR_LEN : 0;
		rc = len ? tapgso_start(&r->gso, buf, buf + GUEST_VNET_HDR_LEN,
					len) :
			   -EINVAL;
		if (!rc) {
			r->out_iov[i] =
				(struct iovec){ buf + GUEST_VNET_HDR_LEN, len };
			return 1;
		}
		if (rc > 0) {
			r->slot[i] = r->spare;
			r->spare = buf;
		} else {
			/* Nothing our TAP was offered: not for a peer. */
			debug("guest: a frame with a header we cannot honour "
			      "dropped");
		}
	}
}

/* The next frame for the attachment into slot @i. Return: as
 * relay_read(). */
static int relay_take(struct relay *r, unsigned int i)
{
	size_t len;
	int rc;

	if (r->soft)
		return relay_take_soft(r, i);
	rc = relay_read(r, r->slot[i], &len);
	if (rc > 0)
		r->out_iov[i] = (struct iovec){ r->slot[i], len };
	return rc;
}

/*
 * Move frames from the TAP to the attachment: a few batches at a time, so
 * that the other direction gets its turn; the TAP's fd stays readable
 * (and relay_run() comes back for segments of a TSO frame still to cut).
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
			struct iovec *v = &r->out_iov[r->out_count];

			n = relay_take(r, r->out_count);
			if (n < 0)
				return n;
			if (!n)
				break;
			pcap_frame(v->iov_base, v->iov_len,
				   r->soft ? 0 : r->hdr);
			r->out_count++;
		}
		if (!r->out_count)
			return 0;
	}
}

/* Soft offloads: how many frames from @i of the batch received leave as
 * one TSO frame (@r->merge ready), at least 2; or 1: @i goes alone. */
static unsigned int relay_merge(struct relay *r, unsigned int i, unsigned int n)
{
	unsigned int k = i + 1;

	/* Not worth summing @i for (tcpmerge_start() checks its checksum):
	 * no frame after it, or none that could join it: the joined length
	 * would pass the IP length field's even where it counts least
	 * (IPv6's: not the Ethernet and IPv6 headers), and the second
	 * frame's headers had the most options. */
	if (r->no_merge || k >= n || r->in_pkt[k].flags ||
	    r->in_pkt[i].len + r->in_pkt[k].len >
		    TCPMERGE_IP_MAX + 14 + 40 + TCPMERGE_HDRS_MAX ||
	    !tcpmerge_start(&r->merge, r->in[i], r->in_pkt[i].len))
		return 1;
	while (k < n && !r->in_pkt[k].flags &&
	       tcpmerge_add(&r->merge, r->in[k], r->in_pkt[k].len))
		k++;
	if (k - i > 1)
		tcpmerge_finish(&r->merge);
	return k - i;
}

/* Soft offloads: frames @i to @i + @k - 1 received into the TAP in one
 * write, joined by relay_merge() when @k > 1. Return: 0 or errno. */
static int relay_put(struct relay *r, unsigned int i, unsigned int k)
{
	size_t off = r->merge.l4end;
	unsigned int j;

	if (k == 1) {
		r->tap_iov[0] =
			(struct iovec){ r->zero_hdr, GUEST_VNET_HDR_LEN };
		r->tap_iov[1] = (struct iovec){ r->in[i], r->in_pkt[i].len };
	} else {
		r->tap_iov[0] =
			(struct iovec){ r->merge.hdr, r->merge.hdr_len };
		for (j = 0; j < k; j++)
			r->tap_iov[j + 1] =
				(struct iovec){ r->in[i + j] + off,
						r->in_pkt[i + j].len - off };
	}
	return writev(r->g.tap, r->tap_iov, (int)k + 1) < 0 ? errno : 0;
}

/* Move frames from the attachment into the TAP. A full TAP queue drops,
 * as a NIC's would. */
static int relay_in(struct relay *r)
{
	unsigned int i, j, k, n;
	int rc;

	for (;;) {
		rc = sqn_recv(r->net, r->in_pkt, RELAY_BATCH);
		if (rc == -EAGAIN)
			return 0;
		if (rc < 0)
			return rc;
		n = (unsigned int)rc;
		for (i = 0; i < n; i++)
			if (!r->in_pkt[i].flags)
				pcap_frame(r->in[i], r->in_pkt[i].len, r->hdr);
		for (i = 0; i < n; i += k) {
			k = 1;
			if (r->in_pkt[i].flags)
				continue;
			if (!r->soft) {
				rc = write(r->g.tap, r->in[i],
					   r->in_pkt[i].len) < 0 ?
					     errno :
					     0;
			} else {
				k = relay_merge(r, i, n);
				rc = relay_put(r, i, k);
				/* A kernel that takes no TSO frame from us. */
				if (rc == EINVAL && k > 1) {
					r->no_merge = 1;
					for (j = 0; j < k; j++)
						rc = relay_put(r, i + j, 1);
				}
			}
			if (rc)
				debug("guest: TAP write: %s", strerror(rc));
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
	int ep = epoll_create1(EPOLL_CLOEXEC), paused = 0, armed = 0, n, i, rc;
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
		} else if ((!paused && tapgso_left(&r->gso)) ||
			   (r->busy_us && now_us() - r->last_us < r->busy_us)) {
			wait = 0;
		}
		n = epoll_wait(ep, ev, 4, (int)wait);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0 && r->busy_us)
			r->last_us = now_us();
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
		/* A poll of --busy-poll that found nothing: poll again (while
		 * paused, segments still to cut wait for sqn_fd() too). */
		if (!n && (paused || !tapgso_left(&r->gso)))
			continue;
		rc = 0;
		/* The guest deleted or detached its eth0. */
		if (tap_events & (EPOLLERR | EPOLLHUP))
			rc = -ENODEV;
		if (!rc)
			rc = relay_in(r);
		if (!rc)
			rc = relay_out(r, &paused);
		/* What epoll waits for follows @paused (@armed: what it
		 * waits for now), two syscalls only when that changes. */
		if (!rc && paused != armed) {
			epoll_set(ep, EPOLL_CTL_MOD, r->g.tap,
				  paused ? 0 : EPOLLIN);
			epoll_set(ep, EPOLL_CTL_MOD, sqn_fd(r->net),
				  EPOLLIN | (paused ? EPOLLOUT : 0));
			armed = paused;
		}
		if (!rc)
			continue;
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

	r->spare = r->spare_buf;
	for (i = 0; i < RELAY_BATCH; i++) {
		r->slot[i] = r->out[i];
		r->out_iov[i] = (struct iovec){ r->out[i], 0 };
		r->out_pkt[i] =
			(struct sqn_pkt){ .iov = &r->out_iov[i], .iovcnt = 1 };
		r->in_iov[i] = (struct iovec){ r->in[i], RELAY_FRAME };
		r->in_pkt[i] =
			(struct sqn_pkt){ .iov = &r->in_iov[i], .iovcnt = 1 };
	}
}
