// SPDX-License-Identifier: MIT
/* iov.c - bounded copies between iovec arrays and flat buffers */
#include <string.h>

#include "iov.h"

/**
 * iov_size() - total bytes described by @iov
 * @iov:	array
 * @cnt:	entries
 *
 * Return: the sum of the lengths.
 */
size_t iov_size(const struct iovec *iov, unsigned int cnt)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < cnt; i++)
		n += iov[i].iov_len;
	return n;
}

/**
 * iov_from_buf() - scatter @buf into @iov, starting @off bytes into it
 * @iov:	destination
 * @cnt:	entries
 * @off:	bytes of @iov to skip
 * @buf:	source
 * @len:	bytes of @buf
 *
 * Return: bytes copied; fewer than @len when @iov is too small.
 */
size_t iov_from_buf(const struct iovec *iov, unsigned int cnt, size_t off,
		    const void *buf, size_t len)
{
	const unsigned char *src = buf;
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < cnt && done < len; i++) {
		size_t room = iov[i].iov_len, n;

		if (off >= room) {
			off -= room;
			continue;
		}
		n = room - off;
		if (n > len - done)
			n = len - done;
		memcpy((unsigned char *)iov[i].iov_base + off, src + done, n);
		done += n;
		off = 0;
	}
	return done;
}

/**
 * iov_to_buf() - gather @len bytes of @iov, from @off on, into @buf
 * @iov:	source
 * @cnt:	entries
 * @off:	bytes of @iov to skip
 * @buf:	destination
 * @len:	bytes wanted
 *
 * Return: bytes copied; fewer than @len when @iov ends first.
 */
size_t iov_to_buf(const struct iovec *iov, unsigned int cnt, size_t off,
		  void *buf, size_t len)
{
	unsigned char *dst = buf;
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < cnt && done < len; i++) {
		size_t have = iov[i].iov_len, n;

		if (off >= have) {
			off -= have;
			continue;
		}
		n = have - off;
		if (n > len - done)
			n = len - done;
		memcpy(dst + done, (const unsigned char *)iov[i].iov_base + off,
		       n);
		done += n;
		off = 0;
	}
	return done;
}
