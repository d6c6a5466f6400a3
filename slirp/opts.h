/* SPDX-License-Identifier: MIT */
/* opts.h - the slirp helper's command line */
#ifndef SLIRP_OPTS_H
#define SLIRP_OPTS_H

#include <netinet/in.h>
#include <stdbool.h>

#define OPTS_FWD_MAX 32
#define OPTS_SEARCH_MAX 8
#define OPTS_MTU_MAX 65520
/* libslirp's DHCP pool: NB_BOOTP_CLIENTS addresses from vdhcp_start. */
#define OPTS_DHCP_POOL 16

/**
 * struct opts_fwd - one --forward: a host port libslirp listens on
 * @udp:	UDP rather than TCP
 * @host_addr:	address to listen on (0: all)
 * @host_port:	port to listen on
 * @guest_port:	the guest's port (at its DHCP address)
 */
struct opts_fwd {
	int udp;
	struct in_addr host_addr;
	int host_port, guest_port;
};

/**
 * struct opts - what the helper was asked to do
 * @fd_in:	socket to read frames from (0, or --fd)
 * @fd_out:	socket to write frames to (1, or --fd)
 * @net:	IPv4 network (--subnet)
 * @mask:	its mask
 * @host:	the gateway, libslirp's own address (--gateway)
 * @dns:	the DNS address the guest is given (--dns)
 * @dhcp_start:	the first DHCP address: network + 15
 * @ipv6:	IPv6 on (not --no-ipv6, and --mtu 1280 at least)
 * @ipv6_off_by_mtu: IPv6 off because --mtu is below 1280 (said at start)
 * @prefix6:	IPv6 prefix (--ipv6-prefix)
 * @prefix6_len: its length
 * @host6:	prefix::2
 * @dns6:	prefix::3
 * @search:	--dns-search domains, NULL-terminated
 * @nsearch:	how many
 * @hostname:	--hostname, or NULL
 * @fwd:	--forward rules
 * @nfwd:	how many
 * @restrict_egress: --restrict
 * @mtu:	--mtu (default 1500)
 * @stats_sec:	--stats N (0: only on SIGUSR1)
 * @verbose:	--verbose
 * @debug_forbidden: --debug-forbidden-syscall
 */
struct opts {
	int fd_in, fd_out;
	struct in_addr net, mask, host, dns, dhcp_start;
	bool ipv6, ipv6_off_by_mtu;
	struct in6_addr prefix6, host6, dns6;
	unsigned int prefix6_len;
	const char *search[OPTS_SEARCH_MAX + 1];
	unsigned int nsearch;
	const char *hostname;
	struct opts_fwd fwd[OPTS_FWD_MAX];
	unsigned int nfwd;
	bool restrict_egress;
	unsigned int mtu, stats_sec;
	bool verbose, debug_forbidden;
};

int opts_parse(struct opts *o, int argc, char **argv, char *err, size_t errlen);
void opts_usage(const char *prog);

#endif /* SLIRP_OPTS_H */
