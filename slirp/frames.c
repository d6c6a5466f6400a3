// SPDX-License-Identifier: MIT
/* frames.c - the helper's QEMU stream framing: checked input, queued output
 *
 * The guest's side of the socket is hostile: every 4-byte big-endian length
 * is range-checked before a byte of its frame is used, partial frames stay
 * in the buffer until the rest arrives, and nothing is allocated per frame.
 * A length that is wrong but plausible (below an Ethernet header, or above
 * the MTU) still delimits its frame, so that frame is skipped and counted
 * and the stream stays in step; a length no peer sends (above
 * FRAMES_LEN_SANE) means the framing itself is lost, and a byte stream
 * cannot find it again: frames_in_commit() says so and the caller ends.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "frames.h"

/**
 * frames_in_init() - allocate the input buffer
 * @in:		input state
 * @max_frame:	largest frame accepted (the MTU plus 14)
 *
 * The buffer holds two whole frames, so a read always has room after the
 * partial frame left by the previous one.
 *
 * Return: 0, or -ENOMEM.
 */
int frames_in_init(struct frames_in *in, uint32_t max_frame)
{
	memset(in, 0, sizeof(*in));
	in->max_frame = max_frame;
	in->cap = 2 * ((size_t)max_frame + 4);
	if (in->cap < 65536)
		in->cap = 65536;
	in->buf = malloc(in->cap);
	return in->buf ? 0 : -ENOMEM;
}

/**
 * frames_in_free() - release the input buffer
 * @in:		input state
 */
void frames_in_free(struct frames_in *in)
{
	free(in->buf);
	in->buf = NULL;
}

/**
 * frames_in_space() - where the next read goes
 * @in:		input state
 * @room:	set to the bytes free there (never 0)
 *
 * Return: the first free byte of the buffer.
 */
uint8_t *frames_in_space(struct frames_in *in, size_t *room)
{
	*room = in->cap - in->len;
	return in->buf + in->len;
}

/* A 4-byte big-endian length, from bytes already known to be there. */
static uint32_t frames_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * frames_in_commit() - take @n bytes read into frames_in_space(), hand over
 * each whole frame
 * @in:		input state
 * @n:		bytes read (at most the room frames_in_space() gave)
 * @fn:		called for each frame of an acceptable length
 * @opaque:	passed to @fn
 * @st:		counters
 *
 * Return: 0, or -EBADMSG when a length above FRAMES_LEN_SANE came: the
 * stream's framing is lost for good (counted in @st->in_bad_length).
 */
int frames_in_commit(struct frames_in *in, size_t n, frames_deliver_fn fn,
		     void *opaque, struct frames_stats *st)
{
	size_t off = 0, avail, d;
	uint32_t flen;

	in->len += n;
	for (;;) {
		avail = in->len - off;
		if (in->skip) {
			d = avail < in->skip ? avail : (size_t)in->skip;
			in->skip -= d;
			off += d;
			if (in->skip)
				break;
			continue;
		}
		if (avail < 4)
			break;
		flen = frames_be32(in->buf + off);
		if (flen > FRAMES_LEN_SANE) {
			st->in_bad_length++;
			in->len = 0;
			return -EBADMSG;
		}
		if (flen < FRAMES_MIN || flen > in->max_frame) {
			if (flen < FRAMES_MIN)
				st->in_runt++;
			else
				st->in_oversized++;
			off += 4;
			in->skip = flen;
			continue;
		}
		if (avail - 4 < flen)
			break;
		fn(in->buf + off + 4, flen, opaque);
		st->in_frames++;
		st->in_bytes += flen;
		off += 4 + (size_t)flen;
	}
	memmove(in->buf, in->buf + off, in->len - off);
	in->len -= off;
	return 0;
}

/**
 * frames_out_init() - allocate the output ring
 * @out:	output state
 * @max_frame:	largest frame sent
 * @cap:	ring size in bytes, raised to hold at least 16 largest frames
 *
 * Return: 0, or -ENOMEM.
 */
int frames_out_init(struct frames_out *out, uint32_t max_frame, size_t cap)
{
	memset(out, 0, sizeof(*out));
	out->max_frame = max_frame;
	if (cap < 16 * ((size_t)max_frame + 4))
		cap = 16 * ((size_t)max_frame + 4);
	out->cap = cap;
	out->ring = malloc(cap);
	return out->ring ? 0 : -ENOMEM;
}

/**
 * frames_out_free() - release the output ring
 * @out:	output state
 */
void frames_out_free(struct frames_out *out)
{
	free(out->ring);
	out->ring = NULL;
}

/* Copy @n bytes to the ring at logical offset @at past head, wrapping. */
static void frames_out_put(struct frames_out *out, size_t at, const void *src,
			   size_t n)
{
	size_t pos = (out->head + at) % out->cap;
	size_t first = out->cap - pos < n ? out->cap - pos : n;

	memcpy(out->ring + pos, src, first);
	memcpy(out->ring, (const uint8_t *)src + first, n - first);
}

/**
 * frames_out_queue() - put one frame, with its length, at the ring's end
 * @out:	output state
 * @frame:	the frame
 * @len:	its length
 * @st:		counters
 *
 * libslirp's send_packet must not block, and the guest's socket may be
 * full: a frame that does not fit is dropped and counted, as a NIC whose
 * ring is full drops (TCP resends it). A frame is queued whole or not at
 * all, so the stream never carries half a frame.
 *
 * Return: 0, -EMSGSIZE (larger than the MTU's frame) or -ENOBUFS (full).
 */
int frames_out_queue(struct frames_out *out, const void *frame, size_t len,
		     struct frames_stats *st)
{
	uint8_t hdr[4];

	if (len > out->max_frame) {
		st->out_too_big++;
		return -EMSGSIZE;
	}
	if (out->cap - out->len < len + 4) {
		st->out_dropped++;
		return -ENOBUFS;
	}
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
	frames_out_put(out, out->len, hdr, 4);
	frames_out_put(out, out->len + 4, frame, len);
	out->len += len + 4;
	st->out_frames++;
	st->out_bytes += len;
	return 0;
}

/**
 * frames_out_flush() - write what the ring holds, as far as @fd takes it
 * @out:	output state
 * @fd:		the guest's socket (non-blocking)
 *
 * A short write leaves the rest in the ring for the next call.
 *
 * Return: 0 when the ring is empty, 1 when @fd is full, or -errno.
 */
int frames_out_flush(struct frames_out *out, int fd)
{
	struct iovec iov[2];
	size_t first;
	ssize_t r;

	while (out->len) {
		first = out->cap - out->head;
		if (first > out->len)
			first = out->len;
		iov[0].iov_base = out->ring + out->head;
		iov[0].iov_len = first;
		iov[1].iov_base = out->ring;
		iov[1].iov_len = out->len - first;
		r = writev(fd, iov, iov[1].iov_len ? 2 : 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 1;
		if (r < 0)
			return -errno;
		out->head = (out->head + (size_t)r) % out->cap;
		out->len -= (size_t)r;
	}
	out->head = 0;
	return 0;
}
