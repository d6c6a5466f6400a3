/* SPDX-License-Identifier: MIT */
/* iov.h - bounded copies between iovec arrays and flat buffers */
#ifndef SQN_IOV_H
#define SQN_IOV_H

#include <stddef.h>
#include <sys/uio.h>

size_t iov_size(const struct iovec *iov, unsigned int cnt);
size_t iov_from_buf(const struct iovec *iov, unsigned int cnt, size_t off,
		    const void *buf, size_t len);
size_t iov_to_buf(const struct iovec *iov, unsigned int cnt, size_t off,
		  void *buf, size_t len);

#endif /* SQN_IOV_H */
