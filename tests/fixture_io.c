// SPDX-License-Identifier: MIT
/* fixture_io.c - self-checking frames; sending and receiving as a VMM does */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "fixture.h"

/**
 * fx_prepare() - an empty fixture @which, and the config it starts from
 * @f:		fixture to fill
 * @which:	index in fx_names
 * @base:	config to start from, or NULL for the defaults
 * @cfg:	set to it
 */
void fx_prepare(struct fx *f, unsigned int which, const struct sqn_config *base,
		struct sqn_config *cfg)
{
	memset(f, 0, sizeof(*f));
	f->name = fx_names[which];
	f->kind = &fx_kinds[which];
	if (base)
		*cfg = *base;
	else
		sqn_config_init(cfg);
}

/**
 * fx_opened() - finish fx_open(): its info, or, when @r failed, nothing
 * left open
 * @f:		fixture
 * @r:		what opening it returned
 *
 * Return: @r.
 */
int fx_opened(struct fx *f, int r)
{
	if (r)
		fx_close(f);
	else
		sqn_info(f->net, &f->info);
	return r;
}

/**
 * frame_fill() - a frame of @len bytes whose content derives from @seq
 * @buf:	at least @len bytes
 * @len:	at least 14
 * @seq:	sequence number, stored in the first four bytes
 */
void frame_fill(uint8_t *buf, size_t len, uint32_t seq)
{
	size_t i;

	memcpy(buf, &seq, 4);
	for (i = 4; i < len; i++)
		buf[i] = (uint8_t)(seq * 7 + i * 13 + len);
}

/**
 * frame_check() - whether @buf is what frame_fill(@buf, @len, @seq) made
 * @buf:	frame
 * @len:	its length
 * @seq:	expected sequence number
 *
 * Return: 1 when it matches.
 */
int frame_check(const uint8_t *buf, size_t len, uint32_t seq)
{
	size_t i;

	if (len < 4 || frame_seq(buf) != seq)
		return 0;
	for (i = 4; i < len; i++)
		if (buf[i] != (uint8_t)(seq * 7 + i * 13 + len))
			return 0;
	return 1;
}

uint32_t frame_seq(const uint8_t *buf)
{
	uint32_t seq;

	memcpy(&seq, buf, 4);
	return seq;
}

/**
 * fx_send_all() - send all @n frames, waiting for room as a VMM would
 * @f:		fixture
 * @pkts:	frames
 * @n:		how many
 *
 * Return: 0, or the first error other than -EAGAIN.
 */
int fx_send_all(struct fx *f, const struct sqn_pkt *pkts, unsigned int n)
{
	unsigned int done = 0;
	int idle = 0;

	while (done < n) {
		struct pollfd p = { sqn_fd(f->net), POLLIN | POLLOUT, 0 };
		int r = sqn_send(f->net, pkts + done, n - done);

		if (r > 0) {
			done += (unsigned int)r;
			idle = 0;
			continue;
		}
		if (r != -EAGAIN)
			return r;
		if (++idle > 50)
			return -ETIMEDOUT;
		poll(&p, 1, 100);
	}
	while (sqn_flush(f->net) == -EAGAIN) {
		struct pollfd p = { sqn_fd(f->net), POLLIN | POLLOUT, 0 };

		if (++idle > 50)
			return -ETIMEDOUT;
		poll(&p, 1, 100);
	}
	return 0;
}

/**
 * fx_recv_wait() - receive exactly @n frames, waiting up to @timeout_ms
 * for each stretch of silence
 * @f:		fixture
 * @pkts:	descriptors with buffers
 * @n:		frames expected
 * @timeout_ms: longest wait with nothing arriving
 *
 * Return: frames received (@n unless the wait ran out), or an error.
 */
int fx_recv_wait(struct fx *f, struct sqn_pkt *pkts, unsigned int n,
		 int timeout_ms)
{
	unsigned int got = 0;

	while (got < n) {
		struct pollfd p = { sqn_fd(f->net), POLLIN, 0 };
		int r = sqn_recv(f->net, pkts + got, n - got);

		if (r > 0) {
			got += (unsigned int)r;
			continue;
		}
		if (r != -EAGAIN)
			return got ? (int)got : r;
		if (sqn_flush(f->net) == -EAGAIN)
			p.events |= POLLOUT;
		if (poll(&p, 1, timeout_ms) == 0)
			break;
	}
	return (int)got;
}

/**
 * fx_exchange() - send @n frames and receive @n back, both at once, as a
 * VMM does (a peer that echoes can't take more than it can give back)
 * @f:		fixture
 * @tx:		frames to send
 * @rx:		descriptors for what comes back
 * @n:		frames each way
 *
 * Return: frames received (@n unless the peer went quiet), or an error.
 */
int fx_exchange(struct fx *f, const struct sqn_pkt *tx, struct sqn_pkt *rx,
		unsigned int n)
{
	unsigned int sent = 0, got = 0;
	int idle = 0;

	while (got < n && idle < 50) {
		struct pollfd p = { sqn_fd(f->net), POLLIN, 0 };
		int r, progress = 0;

		if (sent < n) {
			r = sqn_send(f->net, tx + sent, n - sent);
			if (r > 0) {
				sent += (unsigned int)r;
				progress = 1;
			} else if (r != -EAGAIN) {
				return r;
			}
		}
		r = sqn_recv(f->net, rx + got, n - got);
		if (r > 0) {
			got += (unsigned int)r;
			progress = 1;
		} else if (r != -EAGAIN) {
			return got ? (int)got : r;
		}
		if (progress) {
			idle = 0;
			continue;
		}
		if (sent < n || sqn_flush(f->net) == -EAGAIN)
			p.events |= POLLOUT;
		if (poll(&p, 1, 100) == 0)
			idle++;
	}
	return (int)got;
}
