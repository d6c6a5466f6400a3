// SPDX-License-Identifier: MIT
/* fixture_ns.c - the TAP and plane fixtures: a network namespace of the
 * test's own, the kernel's side of the TAP as the echo peer */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"
#include "fixture_ns.h"
#include "harness.h"

/* The largest MTU a TAP takes (tun.c: MAX_MTU less the Ethernet header):
 * frames of up to 65535 bytes, which a packet socket may send on it. */
#define KPEER_MTU (65535 - SQN_ETH_HLEN)
#define KPEER_BUF (SQN_FRAME_MAX + 64)
/* Room for every frame a test sends unread (256 of 64 KiB, with the
 * kernel's overhead) while the echo thread is not scheduled. */
#define KPEER_RCVBUF (64 * 1024 * 1024)

/**
 * struct kpeer - an AF_PACKET socket on a TAP's interface that sends back
 * every frame the kernel receives there: what the attachment writes comes
 * back to it, through the kernel both ways
 * @pkt:	the packet socket, bound to the interface
 * @stop:	eventfd that ends the thread
 * @thread:	the echo thread
 * @buf:	one frame
 */
struct kpeer {
	int pkt;
	int stop;
	pthread_t thread;
	uint8_t buf[KPEER_BUF];
};

/* The fixture open in this process, closed by harness_fail() too: a
 * failed test leaves no dnsmasq holding its namespace. */
static struct fx *ns_open_fx;

static void ns_cleanup(void)
{
	if (ns_open_fx)
		fx_close(ns_open_fx);
}

/* Write @val to sysctl file @path, in this thread's network namespace. */
static int sysctl_set(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* a kernel without it */
	r = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -EIO;
	close(fd);
	return r;
}

/*
 * This process's own network namespace, made on first use: everything
 * the fixtures make dies with it. Later threads inherit it.
 *
 * The host's IGMP reports for link-local groups (a bridge joins 224.0.0.106
 * for multicast router discovery) are turned off in it: they are what a
 * host says on any network, and a guest ignores them, but they would come
 * to the attachment in the middle of a test's exact counts.
 */
static int ns_enter(void)
{
	static int done;
	int r;

	if (done)
		return 0;
	if (unshare(CLONE_NEWNET))
		return -errno;
	r = sysctl_set("/proc/sys/net/ipv4/igmp_link_local_mcast_reports", "0");
	if (r)
		return r;
	harness_at_fail(ns_cleanup);
	done = 1;
	return 0;
}

/* An ioctl on interface @name with @ifr's other fields. */
static int if_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	if (ioctl(s, req, ifr))
		r = -errno;
	close(s);
	return r;
}

/* No IPv6 on interface @name: the kernel sends nothing of its own (router
 * solicitations, MLD reports) out of it. */
static int link_ipv6_off(const char *name)
{
	char path[80];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 name);
	return sysctl_set(path, "1");
}

/* The largest MTU, and up. */
static int link_big_up(const char *name)
{
	struct ifreq ifr;
	int r;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_mtu = KPEER_MTU;
	r = if_ioctl(name, SIOCSIFMTU, &ifr);
	if (!r)
		r = if_ioctl(name, SIOCGIFFLAGS, &ifr);
	if (r)
		return r;
	ifr.ifr_flags |= IFF_UP;
	return if_ioctl(name, SIOCSIFFLAGS, &ifr);
}

/* The echo thread: each frame received goes back out, until stopped or
 * the interface is gone. */
static void *kpeer_main(void *arg)
{
	struct kpeer *k = arg;
	struct pollfd p[2] = { { k->pkt, POLLIN, 0 }, { k->stop, POLLIN, 0 } };

	for (;;) {
		ssize_t m = recv(k->pkt, k->buf, sizeof(k->buf), MSG_DONTWAIT);

		if (m > 0) {
			/* Blocking: the TAP frees the send buffer as it
			 * queues the frame for the attachment (tun orphans it). */
			while (send(k->pkt, k->buf, (size_t)m, 0) < 0 &&
			       errno == EINTR)
				;
			continue;
		}
		if (m < 0 && errno != EAGAIN && errno != EINTR)
			return NULL; /* the interface is gone */
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return NULL;
		if (p[1].revents)
			return NULL;
	}
}

/* Stop and free @k, or nothing when NULL. */
static void kpeer_stop(struct kpeer *k)
{
	uint64_t one = 1;

	if (!k)
		return;
	if (write(k->stop, &one, sizeof(one)) == sizeof(one))
		pthread_join(k->thread, NULL);
	close(k->stop);
	close(k->pkt);
	free(k);
}

/* An echo peer on interface @name. */
static int kpeer_start(const char *name, struct kpeer **out)
{
	struct sockaddr_ll sa = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL) };
	struct kpeer *k = calloc(1, sizeof(*k));
	int one = 1, buf = KPEER_RCVBUF, r = 0;

	if (!k)
		return -ENOMEM;
	k->stop = eventfd(0, EFD_CLOEXEC);
	/* Protocol 0 until bound: nothing of another interface comes in. */
	k->pkt = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	sa.sll_ifindex = (int)if_nametoindex(name);
	if (k->stop < 0 || k->pkt < 0)
		r = -errno;
	else if (!sa.sll_ifindex)
		r = -ENODEV;
	/* Not what it sends itself, or it would echo its echoes. */
	else if (setsockopt(k->pkt, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
			    sizeof(one)) ||
		 setsockopt(k->pkt, SOL_SOCKET, SO_RCVBUFFORCE, &buf,
			    sizeof(buf)) ||
		 bind(k->pkt, (struct sockaddr *)&sa, sizeof(sa)))
		r = -errno;
	else
		r = -pthread_create(&k->thread, NULL, kpeer_main, k);
	if (r) {
		if (k->stop >= 0)
			close(k->stop);
		if (k->pkt >= 0)
			close(k->pkt);
		free(k);
		return r;
	}
	*out = k;
	return 0;
}

/* The interface whose MAC is @mac: the attachment's TAP. */
static int if_by_mac(const uint8_t mac[6], char name[IF_NAMESIZE])
{
	struct if_nameindex *all = if_nameindex(), *i;
	struct ifreq ifr;
	int r = -ENODEV;

	if (!all)
		return -errno;
	for (i = all; i->if_index && r; i++) {
		memset(&ifr, 0, sizeof(ifr));
		if (!if_ioctl(i->if_name, SIOCGIFHWADDR, &ifr) &&
		    !memcmp(ifr.ifr_hwaddr.sa_data, mac, 6)) {
			snprintf(name, IF_NAMESIZE, "%s", i->if_name);
			r = 0;
		}
	}
	if_freenameindex(all);
	return r;
}

/* A TAP the caller made, as tap_fd: shared mode needs no network then. */
static int tap_open(struct fx *f, struct sqn_config *cfg)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "fxtap%%d");
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	r = ioctl(fd, TUNSETIFF, &ifr) ? -errno : 0;
	/* The caller's TAP: IPv6 is the caller's to turn off. */
	if (!r)
		r = link_ipv6_off(ifr.ifr_name);
	if (!r)
		r = link_big_up(ifr.ifr_name);
	if (!r)
		r = kpeer_start(ifr.ifr_name, &f->kpeer);
	if (!r) {
		cfg->mode = SQN_MODE_SHARED;
		cfg->tap_fd = fd;
		r = sqn_open(cfg, &f->net);
	}
	/* The attachment has its own descriptor: the TAP lives as long. */
	close(fd);
	return r;
}

/* A host-only network that sqn_open() makes: bridge, table, dnsmasq, and
 * the attachment's TAP as its port. */
static int plane_open(struct fx *f, struct sqn_config *cfg)
{
	char name[IF_NAMESIZE];
	int r;

	cfg->mode = SQN_MODE_HOST;
	cfg->network = "fxplane";
	cfg->subnet = "10.253.0.1/24";
	/* The largest MTU: the plane gives it to the bridge and the TAP, so
	 * that the peer can send such frames back. No IPv6 on the network:
	 * what the kernel and dnsmasq send of their own to the guest (router
	 * advertisements, multicast reports) breaks the tests' exact counts. */
	cfg->mtu = KPEER_MTU;
	cfg->subnet6 = "none";
	r = sqn_open(cfg, &f->net);
	if (r)
		return r;
	sqn_info(f->net, &f->info);
	r = if_by_mac(f->info.host_mac, name);
	if (!r)
		r = kpeer_start(name, &f->kpeer);
	return r;
}

/**
 * fx_ns_open() - open the TAP or the plane fixture in this process's own
 * network namespace (made on first use)
 * @f:		fixture, zeroed, its name set
 * @plane:	the plane fixture, else the TAP one
 * @cfg:	config to finish and open
 *
 * Return: 0, or an error; the caller closes what was opened either way.
 */
int fx_ns_open(struct fx *f, int plane, struct sqn_config *cfg)
{
	int r = ns_enter();

	if (r)
		return r;
	ns_open_fx = f;
	return plane ? plane_open(f, cfg) : tap_open(f, cfg);
}

/**
 * fx_ns_close() - stop the kernel peer of a TAP or plane fixture
 * @f:		fixture; its attachment is closed already
 */
void fx_ns_close(struct fx *f)
{
	kpeer_stop(f->kpeer);
	f->kpeer = NULL;
	if (ns_open_fx == f)
		ns_open_fx = NULL;
}
