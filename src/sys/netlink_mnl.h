/* SPDX-License-Identifier: MIT */
/* netlink_mnl.h - what the two halves of netlink.h's Linux side share:
 * one request and its answer, and attribute parsing (libmnl) */
#ifndef SQN_SYS_NETLINK_MNL_H
#define SQN_SYS_NETLINK_MNL_H

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stddef.h>
#include <stdint.h>

/* Attribute tables by type: IFLA_ has the most types of those parsed. */
#define NL_TB_LEN (IFLA_MAX + 1)
_Static_assert(IFA_MAX < NL_TB_LEN && RTA_MAX < NL_TB_LEN &&
		       IFLA_INFO_MAX < NL_TB_LEN && IFLA_TUN_MAX < NL_TB_LEN,
	       "an attribute table holds every type parsed");

int nl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
int nl_dump(unsigned char family, uint16_t type, size_t hdrlen, mnl_cb_t cb,
	    void *data);
int nl_addr_put(const char *name, unsigned char family, const void *addr,
		size_t alen, int prefixlen, unsigned char flags);
int nl_attr_cb(const struct nlattr *a, void *data);
const void *nl_parse(const struct nlmsghdr *nlh, size_t hdrlen,
		     const struct nlattr **tb);
const void *nl_bytes(const struct nlattr *a, size_t len);
uint32_t nl_u32(const struct nlattr *a, uint32_t dflt);
struct nlmsghdr *nl_link_msg(char *buf, int type, int flags,
			     unsigned char family, const char *name);

#endif /* SQN_SYS_NETLINK_MNL_H */
