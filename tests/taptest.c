// SPDX-License-Identifier: MIT
/* taptest.c - a TAP in a network namespace of its own, the attachment on it, and hand-made frames */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness.h"
#include "taptest.h"

/* The made-up guest: 02:00:00:00:77:02, 10.77.0.2; the TAP is 10.77.0.1. */
const uint8_t tt_our_mac[6] = { 0x02, 0, 0, 0, 0x77, 0x02 };
const uint8_t tt_our_ip[4] = { 10, 77, 0, 2 };
const uint8_t tt_tap_ip[4] = { 10, 77, 0, 1 };
const uint8_t tt_zero_hdr[HDR];

uint8_t tt_rxbuf[HDR + GSO_MAX + 64];
uint8_t tt_frame[HDR + GSO_MAX + 64];

static uint8_t tt_arpbuf[64];

/**
 * tt_put16() - a big-endian u16
 * @p:		where it goes
 * @v:		its value
 */
void tt_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * tt_get16() - a big-endian u16
 * @p:		where it is
 *
 * Return: its value.
 */
uint16_t tt_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * tt_put32() - a big-endian u32
 * @p:		where it goes
 * @v:		its value
 */
void tt_put32(uint8_t *p, uint32_t v)
{
	tt_put16(p, (uint16_t)(v >> 16));
	tt_put16(p + 2, (uint16_t)v);
}

/**
 * tt_get32() - a big-endian u32
 * @p:		where it is
 *
 * Return: its value.
 */
uint32_t tt_get32(const uint8_t *p)
{
	return (uint32_t)tt_get16(p) << 16 | tt_get16(p + 2);
}

/**
 * tt_sum16() - RFC 1071's sum of @len bytes at @p, big-endian words,
 * added to @s
 * @p:		the bytes
 * @len:	how many
 * @s:		the sum so far
 *
 * Return: the sum, not folded.
 */
uint32_t tt_sum16(const uint8_t *p, size_t len, uint32_t s)
{
	for (; len > 1; p += 2, len -= 2)
		s += tt_get16(p);
	if (len)
		s += (uint32_t)p[0] << 8;
	return s;
}

/**
 * tt_fold() - a sum folded to 16 bits
 * @s:		the sum
 *
 * Return: the folded sum.
 */
uint16_t tt_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/**
 * tt_ns_new() - a network namespace for this test process alone, without
 * IPv6 chatter
 */
void tt_ns_new(void)
{
	int fd;

	CHECK_MSG(!unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET): %s (root?)",
		  strerror(errno));
	/* net sysctls resolve to the opener's namespace: this new one. */
	fd = open("/proc/sys/net/ipv6/conf/default/disable_ipv6", O_WRONLY);
	if (fd < 0 && errno == ENOENT)
		return; /* a kernel without IPv6: no chatter either */
	CHECK_MSG(fd >= 0, "disable_ipv6: %s", strerror(errno));
	CHECK(write(fd, "1", 1) == 1);
	close(fd);
}

/**
 * tt_tun_make() - make the TAP (or TUN) TAP_NAME in this namespace
 * @flags:	TUNSETIFF flags
 *
 * Return: its descriptor.
 */
int tt_tun_make(int flags)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	CHECK_MSG(fd >= 0, "/dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", TAP_NAME);
	ifr.ifr_flags = (short)flags;
	CHECK_MSG(!ioctl(fd, TUNSETIFF, &ifr), "TUNSETIFF: %s",
		  strerror(errno));
	return fd;
}

static void tt_tap_up(void)
{
	CHECK(!system("ip addr add 10.77.0.1/24 dev " TAP_NAME
		      " && ip link set " TAP_NAME " up"));
}

/**
 * tt_try() - make the TAP with 10.77.0.1/24, up, and attach to it
 * @t:		filled: the TAP's descriptor, and on success the attachment
 * @tap_flags:	TUNSETIFF flags beyond IFF_TAP | IFF_NO_PI
 * @mode:	shared, host or bridged
 * @offloads:	sqn_config.offloads
 * @mtu:	sqn_config.mtu
 *
 * Return: what sqn_open() returned.
 */
int tt_try(struct tt *t, int tap_flags, enum sqn_mode mode, uint32_t offloads,
	   uint32_t mtu)
{
	struct sqn_config cfg;
	int r;

	memset(t, 0, sizeof(*t));
	sqn_config_init(&cfg);
	cfg.mode = mode;
	cfg.tap_fd = t->tap = tt_tun_make(IFF_TAP | IFF_NO_PI | tap_flags);
	cfg.offloads = offloads;
	cfg.mtu = mtu;
	tt_tap_up();
	r = sqn_open(&cfg, &t->net);
	if (!r) {
		sqn_info(t->net, &t->info);
		t->hdr = t->info.vnet_hdr_len;
	}
	return r;
}

/**
 * tt_open() - a fresh namespace and tt_try() in shared mode, which must work
 * @t:		filled
 * @tap_flags:	TUNSETIFF flags beyond IFF_TAP | IFF_NO_PI
 * @offloads:	sqn_config.offloads
 */
void tt_open(struct tt *t, int tap_flags, uint32_t offloads)
{
	int r;

	tt_ns_new();
	r = tt_try(t, tap_flags, SQN_MODE_SHARED, offloads, 0);
	CHECK_MSG(!r, "sqn_open: %s: %s", sqn_strerror(r),
		  sqn_last_error(NULL));
}

/**
 * tt_close() - close the attachment and the TAP
 * @t:		from tt_open() or a successful tt_try()
 */
void tt_close(struct tt *t)
{
	sqn_close(t->net);
	close(t->tap);
}

/**
 * tt_wait() - wait for sqn_fd() to be ready, or fail the test
 * @t:		attachment
 * @events:	POLLIN or POLLOUT
 * @ms:		how long
 */
void tt_wait(struct tt *t, short events, int ms)
{
	struct pollfd p = { sqn_fd(t->net), events, 0 };

	CHECK_MSG(poll(&p, 1, ms) == 1, "nothing in %d ms", ms);
}

/**
 * tt_send_hdr() - send one frame, behind a virtio_net_hdr if the
 * attachment carries one
 * @t:		attachment
 * @vhdr:	the header, HDR bytes; NULL: a zero one
 * @f:		the frame
 * @len:	its length
 */
void tt_send_hdr(struct tt *t, const void *vhdr, const void *f, size_t len)
{
	struct iovec iov[2] = { { (void *)(vhdr ? vhdr : tt_zero_hdr), t->hdr },
				{ (void *)f, len } };
	struct sqn_pkt p = { .iov = t->hdr ? iov : iov + 1,
			     .iovcnt = t->hdr ? 2 : 1 };
	int r, tries = 0;

	while ((r = sqn_send(t->net, &p, 1)) == -EAGAIN && tries++ < 100)
		tt_wait(t, POLLOUT, WAIT_MS);
	CHECK_MSG(r == 1, "sqn_send: %s: %s", sqn_strerror(r),
		  sqn_last_error(t->net));
}

/**
 * tt_send() - send one frame, behind a zero header if the attachment
 * carries one
 * @t:		attachment
 * @f:		the frame
 * @len:	its length
 */
void tt_send(struct tt *t, const void *f, size_t len)
{
	tt_send_hdr(t, NULL, f, len);
}

/**
 * tt_eth() - an Ethernet header from us
 * @f:		the frame
 * @dst:	destination MAC
 * @type:	EtherType
 */
void tt_eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, tt_our_mac, 6);
	tt_put16(f + 12, type);
}

/**
 * tt_arp_frame() - an ARP request or reply from us
 * @f:		the frame
 * @op:		1 (request, broadcast) or 2 (reply to @dst_mac)
 * @dst_mac:	the reply's destination
 * @tip:	the target's IPv4 address
 *
 * Return: its length, 42.
 */
size_t tt_arp_frame(uint8_t *f, uint16_t op, const uint8_t *dst_mac,
		    const uint8_t *tip)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t *a = f + 14;

	tt_eth(f, op == 1 ? bcast : dst_mac, 0x0806);
	tt_put16(a, 1);
	tt_put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	tt_put16(a + 6, op);
	memcpy(a + 8, tt_our_mac, 6);
	memcpy(a + 14, tt_our_ip, 4);
	memset(a + 18, 0, 6);
	if (op == 2)
		memcpy(a + 18, dst_mac, 6);
	memcpy(a + 24, tip, 4);
	return 42;
}

/* An IPv4 header for @paylen bytes from us to the TAP. */
static void tt_ip4(uint8_t *f, const uint8_t *dst_mac, uint8_t proto,
		   size_t paylen)
{
	uint8_t *ip = f + 14;

	tt_eth(f, dst_mac, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	tt_put16(ip + 2, (uint16_t)(20 + paylen));
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, tt_our_ip, 4);
	memcpy(ip + 16, tt_tap_ip, 4);
	tt_put16(ip + 10, (uint16_t)~tt_fold(tt_sum16(ip, 20, 0)));
}

/**
 * tt_echo() - an ICMP echo request from us to the TAP
 * @f:		the frame
 * @dst_mac:	the TAP's MAC
 * @seq:	its sequence number
 * @paylen:	bytes of payload (a pattern from @seq)
 *
 * Return: its length.
 */
size_t tt_echo(uint8_t *f, const uint8_t *dst_mac, uint16_t seq, size_t paylen)
{
	uint8_t *ic = f + 34;
	size_t i;

	tt_ip4(f, dst_mac, 1, 8 + paylen);
	ic[0] = 8;
	ic[1] = 0;
	tt_put16(ic + 2, 0);
	tt_put16(ic + 4, ICMP_ID);
	tt_put16(ic + 6, seq);
	for (i = 0; i < paylen; i++)
		ic[8 + i] = (uint8_t)(seq + i);
	tt_put16(ic + 2, (uint16_t)~tt_fold(tt_sum16(ic, 8 + paylen, 0)));
	return 34 + 8 + paylen;
}

/**
 * tt_is_ip4() - whether @f is an IPv4 packet from the TAP to us
 * @f:		the frame
 * @len:	its length
 * @proto:	the IP protocol it must carry
 *
 * Return: 1 or 0.
 */
int tt_is_ip4(const uint8_t *f, size_t len, uint8_t proto)
{
	return len >= 34 && tt_get16(f + 12) == 0x0800 && f[23] == proto &&
	       !memcmp(f + 26, tt_tap_ip, 4) && !memcmp(f + 30, tt_our_ip, 4);
}

static int tt_is_echo_reply(const uint8_t *f, size_t len, uint16_t seq)
{
	return tt_is_ip4(f, len, 1) && len >= 42 && f[34] == 0 &&
	       tt_get16(f + 38) == ICMP_ID && tt_get16(f + 40) == seq;
}

static int tt_is_arp(const uint8_t *f, size_t len, uint16_t op)
{
	return len >= 42 && tt_get16(f + 12) == 0x0806 &&
	       tt_get16(f + 20) == op && !memcmp(f + 28, tt_tap_ip, 4) &&
	       !memcmp(f + 38, tt_our_ip, 4);
}

/**
 * tt_arp_answer() - answer the kernel's ARP request for us
 * @t:		attachment
 * @f:		a received frame
 * @len:	its length
 *
 * Return: 1 when @f was one (answered and counted in @t->answered), else 0.
 */
int tt_arp_answer(struct tt *t, const uint8_t *f, size_t len)
{
	if (!tt_is_arp(f, len, 1))
		return 0;
	tt_send(t, tt_arpbuf, tt_arp_frame(tt_arpbuf, 2, f + 22, tt_tap_ip));
	t->answered++;
	return 1;
}

/**
 * tt_recv() - the next frame that is not an ARP request for us, into
 * tt_rxbuf (behind @t->hdr bytes of header)
 * @t:		attachment
 *
 * Return: its length, the header not counted.
 */
size_t tt_recv(struct tt *t)
{
	struct iovec iov = { tt_rxbuf, sizeof(tt_rxbuf) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	int r;

	for (;;) {
		r = sqn_recv(t->net, &p, 1);
		if (r == -EAGAIN) {
			tt_wait(t, POLLIN, WAIT_MS);
			continue;
		}
		CHECK_MSG(r == 1, "sqn_recv: %s: %s", sqn_strerror(r),
			  sqn_last_error(t->net));
		CHECK(!p.flags);
		CHECK_MSG(p.len >= t->hdr + 14, "a %zu-byte frame", p.len);
		if (!tt_arp_answer(t, tt_rxbuf + t->hdr, p.len - t->hdr))
			return p.len - t->hdr;
	}
}

/**
 * tt_arp() - resolve the TAP's MAC into @t->tap_mac: the kernel answers
 * our ARP request
 * @t:		attachment
 */
void tt_arp(struct tt *t)
{
	size_t len, n = 0;

	tt_send(t, tt_frame, tt_arp_frame(tt_frame, 1, NULL, tt_tap_ip));
	do {
		CHECK(n++ < 50);
		len = tt_recv(t);
	} while (!tt_is_arp(tt_rxbuf + t->hdr, len, 2));
	CHECK(!memcmp(tt_rxbuf + t->hdr, tt_our_mac, 6));
	memcpy(t->tap_mac, tt_rxbuf + t->hdr + 22, 6);
	CHECK(!memcmp(t->tap_mac, t->info.host_mac, 6));
}

/**
 * tt_ping() - ping the TAP and check the reply
 * @t:		attachment, after tt_arp()
 * @seq:	the echo's sequence number
 * @paylen:	bytes of payload
 */
void tt_ping(struct tt *t, uint16_t seq, size_t paylen)
{
	size_t len, n = 0, flen = tt_echo(tt_frame, t->tap_mac, seq, paylen);
	const uint8_t *f = tt_rxbuf + t->hdr;

	tt_send(t, tt_frame, flen);
	do {
		CHECK(n++ < 50);
		len = tt_recv(t);
	} while (!tt_is_echo_reply(f, len, seq));
	CHECK_EQ(len, flen);
	CHECK(!memcmp(f + 42, tt_frame + 42, paylen));
	CHECK_EQ(tt_fold(tt_sum16(f + 34, len - 34, 0)), 0xffff);
	if (t->hdr)
		CHECK_EQ(tt_rxbuf[1], 0); /* gso_type: none */
}

/**
 * tt_tcp_hdr() - the TCP header and data of a segment from us (port
 * TCP_PORT), its checksum field 0
 * @th:		where the header goes
 * @dport:	destination port
 * @seq:	sequence number
 * @ack:	acknowledgement number
 * @flags:	TCP flags
 * @opt:	options, or NULL
 * @optlen:	their bytes, a multiple of 4
 * @datalen:	bytes of data, the pattern i * 7 + 3
 */
void tt_tcp_hdr(uint8_t *th, uint16_t dport, uint32_t seq, uint32_t ack,
		uint8_t flags, const uint8_t *opt, size_t optlen,
		size_t datalen)
{
	size_t i;

	memset(th, 0, 20);
	tt_put16(th, TCP_PORT);
	tt_put16(th + 2, dport);
	tt_put32(th + 4, seq);
	tt_put32(th + 8, ack);
	th[12] = (uint8_t)((20 + optlen) / 4 << 4);
	th[13] = flags;
	tt_put16(th + 14, 65535);
	if (optlen)
		memcpy(th + 20, opt, optlen);
	for (i = 0; i < datalen; i++)
		th[20 + optlen + i] = (uint8_t)(i * 7 + 3);
}

/**
 * tt_tcp() - a TCP segment from us (port TCP_PORT) to the TAP
 * @f:		the frame
 * @dst_mac:	the TAP's MAC
 * @dport:	destination port
 * @seq:	sequence number
 * @ack:	acknowledgement number
 * @flags:	TCP flags
 * @opt:	options, or NULL
 * @optlen:	their bytes, a multiple of 4
 * @datalen:	bytes of data, the pattern i * 7 + 3
 * @partial:	the checksum field holds the pseudo-header sum only, for the
 *		kernel to finish (NEEDS_CSUM)
 *
 * Return: the frame's length.
 */
size_t tt_tcp(uint8_t *f, const uint8_t *dst_mac, uint16_t dport, uint32_t seq,
	      uint32_t ack, uint8_t flags, const uint8_t *opt, size_t optlen,
	      size_t datalen, int partial)
{
	uint8_t *th = f + 34;
	size_t tlen = 20 + optlen + datalen;
	uint32_t pseudo;

	tt_ip4(f, dst_mac, 6, tlen);
	tt_tcp_hdr(th, dport, seq, ack, flags, opt, optlen, datalen);
	pseudo = tt_sum16(tt_our_ip, 4, 0) + tt_sum16(tt_tap_ip, 4, 0) + 6 +
		 (uint32_t)tlen;
	tt_put16(th + 16,
		 partial ? tt_fold(pseudo) :
			   (uint16_t)~tt_fold(tt_sum16(th, tlen, pseudo)));
	return 34 + tlen;
}

/**
 * tt_is_tcp_to_us() - whether @f is a TCP segment from the TAP to our port
 * @f:		the frame
 * @len:	its length
 * @flag:	a TCP flag it must have
 * @with_data:	it must carry data
 *
 * Return: 1 or 0.
 */
int tt_is_tcp_to_us(const uint8_t *f, size_t len, uint8_t flag, int with_data)
{
	size_t doff;

	if (!tt_is_ip4(f, len, 6) || len < 54 || tt_get16(f + 36) != TCP_PORT ||
	    !(f[47] & flag))
		return 0;
	doff = (size_t)(f[46] >> 4) * 4;
	return !with_data || len > 34 + doff;
}
