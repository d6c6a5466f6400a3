// SPDX-License-Identifier: MIT
/* test_plane_mtu.c - a network's MTU (sqn_config.mtu): its bridge, each
 * TAP and DHCP's option 26 have it; a frame of that size crosses; an
 * attachment asking for another is refused */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "plane_ns.h"
#include "squibnet.h"

#define MTU 9000
#define FRAME (MTU + SQN_ETH_HLEN)
/* A local experimental EtherType: nothing else in the namespace uses it. */
#define ETH_TEST 0x88b5
#define DHCP_XID 0x5e4e7431u

static uint8_t buf[SQN_FRAME_MAX + 64], frame[SQN_FRAME_MAX];

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The MTU of link @name (SIOCGIFMTU: /sys/class/net shows the namespace
 * sysfs was mounted in), or -1. */
static int link_mtu(const char *name)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), mtu = -1;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (s >= 0 && !ioctl(s, SIOCGIFMTU, &ifr))
		mtu = ifr.ifr_mtu;
	if (s >= 0)
		close(s);
	return mtu;
}

/* The name of the one TAP of bridge NET, into @name. */
static void the_tap(char name[IF_NAMESIZE])
{
	FILE *p = popen("ip -o link show master " NET
			" | sed -n 's/^[0-9]*: \\([^:@]*\\).*/\\1/p'",
			"r");

	CHECK(p);
	name[0] = '\0';
	CHECK(fgets(name, IF_NAMESIZE, p));
	name[strcspn(name, "\n")] = '\0';
	pclose(p);
	CHECK_MSG(!strncmp(name, "sqn", 3), "TAP \"%s\"", name);
}

/* The next frame of the attachment whose bytes 12-13 are @type, within
 * WAIT_MS, into buf. Return: its length. */
static size_t recv_type(sqn_net *net, uint16_t type)
{
	struct iovec iov = { buf, sizeof(buf) };
	struct sqn_pkt pkt = { &iov, 1, 0, 0 };
	long long until = now_ms() + WAIT_MS;
	struct pollfd p = { sqn_fd(net), POLLIN, 0 };
	int r;

	while (now_ms() < until) {
		r = sqn_recv(net, &pkt, 1);
		if (r == 1 && pkt.len >= 14 && buf[12] == type >> 8 &&
		    buf[13] == (type & 0xff))
			return pkt.len;
		if (r < 0 && r != -EAGAIN)
			CHECK_MSG(0, "sqn_recv: %s", sqn_strerror(r));
		if (r < 0)
			poll(&p, 1, 100);
	}
	CHECK_MSG(0, "no frame of type 0x%04x", type);
	return 0;
}

/* A packet socket on bridge NET for ETH_TEST frames. */
static int bridge_socket(struct sockaddr_ll *sll, uint8_t mac[6])
{
	struct ifreq ifr;
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_TEST));

	CHECK(s >= 0);
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_protocol = htons(ETH_TEST);
	sll->sll_ifindex = (int)if_nametoindex(NET);
	CHECK(!bind(s, (struct sockaddr *)sll, sizeof(*sll)));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), NET);
	CHECK(!ioctl(s, SIOCGIFHWADDR, &ifr));
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return s;
}

static void eth_header(uint8_t *f, const uint8_t *dst, const uint8_t *src,
		       uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
}

/* A frame of FRAME bytes each way between the attachment and the bridge. */
static void full_frames_cross(sqn_net *net, const struct sqn_info *info)
{
	struct iovec iov = { frame, FRAME };
	struct sqn_pkt pkt = { &iov, 1, 0, 0 };
	struct pollfd p;
	struct sockaddr_ll sll;
	uint8_t br_mac[6];
	size_t i;
	ssize_t n;
	int s = bridge_socket(&sll, br_mac);

	for (i = 14; i < FRAME; i++)
		frame[i] = (uint8_t)(i * 7);
	/* Bridge to guest: the bridge and the TAP both take it. */
	eth_header(frame, info->guest_mac, br_mac, ETH_TEST);
	n = send(s, frame, FRAME, 0);
	CHECK_MSG(n == FRAME, "send of %d bytes on " NET ": %zd (%s)", FRAME, n,
		  strerror(errno));
	CHECK_EQ(recv_type(net, ETH_TEST), (size_t)FRAME);
	CHECK(!memcmp(buf + 14, frame + 14, FRAME - 14));
	/* Guest to bridge. */
	eth_header(frame, br_mac, info->guest_mac, ETH_TEST);
	CHECK_EQ(sqn_send(net, &pkt, 1), 1);
	p = (struct pollfd){ s, POLLIN, 0 };
	CHECK_MSG(poll(&p, 1, WAIT_MS) == 1, "nothing reached " NET);
	n = recv(s, buf, sizeof(buf), 0);
	CHECK_EQ(n, (ssize_t)FRAME);
	CHECK(!memcmp(buf + 14, frame + 14, FRAME - 14));
	close(s);
}

static uint16_t ip_csum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < len; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A DHCPDISCOVER from the guest asking for the MTU (option 26). */
static size_t dhcp_discover(uint8_t *f, const uint8_t mac[6])
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t opts[] = { 99, 130, 83, 99, 53, 1,	 1,
					55, 3,	 1,  3,	 26, 255 };
	uint8_t *ip = f + 14, *udp = ip + 20, *bootp = udp + 8;
	size_t blen = 236 + sizeof(opts), ulen = 8 + blen;
	uint16_t c;

	memset(f, 0, 14 + 20 + ulen);
	eth_header(f, bcast, mac, 0x0800);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + ulen) >> 8);
	ip[3] = (uint8_t)(20 + ulen);
	ip[8] = 64;
	ip[9] = 17;
	memset(ip + 16, 0xff, 4);
	c = ip_csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	udp[1] = 68;
	udp[3] = 67;
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	bootp[0] = 1;
	bootp[1] = 1;
	bootp[2] = 6;
	bootp[4] = DHCP_XID >> 24;
	bootp[5] = (DHCP_XID >> 16) & 0xff;
	bootp[6] = (DHCP_XID >> 8) & 0xff;
	bootp[7] = DHCP_XID & 0xff;
	bootp[10] = 0x80; /* answer by broadcast */
	memcpy(bootp + 28, mac, 6);
	memcpy(bootp + 236, opts, sizeof(opts));
	return 14 + 20 + ulen;
}

/* Option 26 of the DHCP offer that answers dhcp_discover(), or -1. */
static int dhcp_offer_mtu(sqn_net *net, const struct sqn_info *info)
{
	struct iovec iov = { frame, 0 };
	struct sqn_pkt pkt = { &iov, 1, 0, 0 };
	long long until = now_ms() + WAIT_MS;
	const uint8_t *o, *end;
	size_t len;

	iov.iov_len = dhcp_discover(frame, info->guest_mac);
	CHECK_EQ(sqn_send(net, &pkt, 1), 1);
	while (now_ms() < until) {
		len = recv_type(net, 0x0800);
		/* UDP from port 67, our transaction */
		if (len < 14 + 20 + 8 + 240 || buf[14 + 9] != 17 ||
		    buf[14 + 20 + 1] != 67 ||
		    memcmp(buf + 14 + 28 + 4, "\x5e\x4e\x74\x31", 4))
			continue;
		end = buf + len;
		for (o = buf + 14 + 28 + 240; o + 2 <= end && *o != 255;
		     o += o[0] ? 2 + o[1] : 1) {
			if (o[0] == 26 && o[1] == 2 && o + 4 <= end)
				return o[2] << 8 | o[3];
		}
		return -1;
	}
	return -1;
}

/* Host mode with mtu 9000: the bridge, the TAP, sqn_info and DHCP all say
 * 9000, and frames of 9014 bytes cross both ways. */
TEST(the_network_has_the_mtu_asked_for)
{
	struct sqn_config cfg;
	struct sqn_info info;
	char tap[IF_NAMESIZE];
	sqn_net *net;

	ns_new();
	config(&cfg, SQN_MODE_HOST, "10.252.0.1/24");
	cfg.mtu = MTU;
	net = open_ok(&cfg);
	CHECK(!sqn_info(net, &info));
	CHECK_EQ(info.mtu, MTU);
	the_tap(tap);
	CHECK_EQ(link_mtu(NET), MTU);
	CHECK_EQ(link_mtu(tap), MTU);
	full_frames_cross(net, &info);
	CHECK_EQ(dhcp_offer_mtu(net, &info), MTU);
	sqn_close(net);
	nothing_left();
}

/* A network made without an MTU has Ethernet's, and tells DHCP clients. */
TEST(a_network_without_an_mtu_has_1500)
{
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *net;

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	net = open_ok(&cfg);
	CHECK(!sqn_info(net, &info));
	CHECK_EQ(info.mtu, 1500);
	CHECK_EQ(link_mtu(NET), 1500);
	CHECK_EQ(dhcp_offer_mtu(net, &info), 1500);
	sqn_close(net);
	nothing_left();
}

/* A later attachment with mtu 0 gets the network's; one asking for
 * another MTU is refused, as other differing settings are. */
TEST(a_later_attachment_gets_the_networks_mtu_or_is_refused)
{
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *a, *b, *c = NULL;

	ns_new();
	config(&cfg, SQN_MODE_SHARED, "10.251.0.1/24");
	cfg.mtu = MTU;
	a = open_ok(&cfg);
	cfg.mtu = 0;
	b = open_ok(&cfg);
	CHECK(!sqn_info(b, &info));
	CHECK_EQ(info.mtu, MTU);
	CHECK(!sh("test $(ip -o link show master " NET
		  " | grep -c 'mtu 9000') = 2"));
	cfg.mtu = 1500;
	CHECK_EQ(sqn_open(&cfg, &c), -EEXIST);
	CHECK(!c);
	CHECK_MSG(strstr(sqn_last_error(NULL), "mtu=9000") &&
			  strstr(sqn_last_error(NULL), "mtu=1500"),
		  "%s", sqn_last_error(NULL));
	CHECK_EQ(link_mtu(NET), MTU);
	sqn_close(b);
	sqn_close(a);
	nothing_left();
}
