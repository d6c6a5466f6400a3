/* SPDX-License-Identifier: MIT */
/* squibnet.h - public API of libsquibnet, the host side of a virtio-net device */
#ifndef SQUIBNET_H
#define SQUIBNET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SQN_VERSION_MAJOR 0
#define SQN_VERSION_MINOR 1
#define SQN_VERSION_PATCH 0
#define SQN_VERSION_STRING "0.1.0"

/* Value of sqn_config.version for the layout declared below (2: tap_fd was
 * added; 3: network, subnet, nat_iface, dns_upstream, dns_hosts). sqn_open()
 * refuses any other value rather than misread a struct. */
#define SQN_CONFIG_VERSION 3

/**
 * enum sqn_mode - what the guest's network attachment is
 * @SQN_MODE_SHARED:	private subnet with DHCP, DNS and NAT out (the default)
 * @SQN_MODE_HOST:	host-only subnet with DHCP (Linux: bridge sqn-host,
 *			192.168.106.1/24, dnsmasq; needs CAP_NET_ADMIN, else
 *			-EPERM, unless tap_fd is given)
 * @SQN_MODE_BRIDGED:	a port on a real LAN (sqn_config.bridged_iface)
 * @SQN_MODE_USERSPACE:	a supervised user-space TCP/IP helper (passt, gvproxy)
 * @SQN_MODE_LOOPBACK:	every frame sent comes back; the "no network" case
 * @SQN_MODE_STREAM:	a peer socket speaking the QEMU stream framing
 *
 * A mode that this build or platform lacks makes sqn_open() fail with
 * -ENOTSUP and a message naming where it is available.
 */
enum sqn_mode {
	SQN_MODE_SHARED = 0,
	SQN_MODE_HOST,
	SQN_MODE_BRIDGED,
	SQN_MODE_USERSPACE,
	SQN_MODE_LOOPBACK,
	SQN_MODE_STREAM,
	SQN_MODE_COUNT_
};

/**
 * enum sqn_framing - how frames are delimited on a byte stream
 * @SQN_FRAMING_DEFAULT:	what the mode uses (QEMU for stream)
 * @SQN_FRAMING_QEMU:		4-byte big-endian length, then the frame
 * @SQN_FRAMING_HYPERKIT:	2-byte little-endian length, then the frame
 * @SQN_FRAMING_DGRAM:		one frame per datagram, no header
 */
enum sqn_framing {
	SQN_FRAMING_DEFAULT = 0,
	SQN_FRAMING_QEMU,
	SQN_FRAMING_HYPERKIT,
	SQN_FRAMING_DGRAM,
};

/**
 * enum sqn_helper - which user-space network helper SQN_MODE_USERSPACE runs
 * @SQN_HELPER_DEFAULT:	passt on Linux
 * @SQN_HELPER_PASST:	passt -f --fd N [helper_args]; QEMU framing
 * @SQN_HELPER_GVPROXY:	gvproxy -listen-stdio [helper_args], the socket as
 *			its stdin and stdout; 2-byte little-endian framing
 * @SQN_HELPER_CUSTOM:	helper_path [helper_args], the socket as its stdin
 *			and stdout; sqn_config.framing (default QEMU)
 *
 * The binary is sqn_config.helper_path, else the environment variable
 * SQN_PASST or SQN_GVPROXY, else "passt" or "gvproxy" found in PATH.
 */
enum sqn_helper {
	SQN_HELPER_DEFAULT = 0,
	SQN_HELPER_PASST,
	SQN_HELPER_GVPROXY,
	SQN_HELPER_CUSTOM,
};

/* Offloads, requested in sqn_config.offloads, reported in sqn_info. */
#define SQN_OFFLOAD_VNET_HDR (1u << 0) /* frames carry a virtio_net_hdr */
#define SQN_OFFLOAD_CSUM (1u << 1)
#define SQN_OFFLOAD_TSO4 (1u << 2)
#define SQN_OFFLOAD_TSO6 (1u << 3)
#define SQN_OFFLOAD_USO (1u << 4)

/* Levels passed to the log callback. */
enum sqn_log_level {
	SQN_LOG_ERR = 0,
	SQN_LOG_WARN,
	SQN_LOG_INFO,
	SQN_LOG_DEBUG,
};

/**
 * typedef sqn_log_fn - optional sink for the library's diagnostics
 * @ctx:	sqn_config.log_ctx
 * @level:	an enum sqn_log_level
 * @msg:	one line, no trailing newline
 *
 * Called from the thread that called into the library. The library never
 * prints by itself.
 */
typedef void (*sqn_log_fn)(void *ctx, int level, const char *msg);

/* Limits checked by sqn_open(). */
#define SQN_IFACE_ID_MAX 64
#define SQN_PATH_MAX 1024
#define SQN_ARGS_MAX 32
#define SQN_ARG_LEN_MAX 512
#define SQN_MTU_MIN 68
#define SQN_FRAME_MAX 65536 /* largest frame on any framing, headers excluded */
#define SQN_ETH_HLEN 14
#define SQN_QUEUE_MAX 4096

/**
 * struct sqn_config - what to attach to
 * @version:	SQN_CONFIG_VERSION
 * @mode:	enum sqn_mode
 * @iface_id:	name of this attachment, [A-Za-z0-9_]{1,64}; NULL: "sqn0"
 * @guest_mac:	the guest's MAC address, used when @has_guest_mac is set;
 *		otherwise a random locally administered unicast one is made
 * @has_guest_mac: use @guest_mac
 * @mtu:	largest L3 payload; 0: the backend's default. Frames may be at
 *		most @mtu + SQN_ETH_HLEN bytes, and never more than SQN_FRAME_MAX
 * @bridged_iface: the LAN interface for SQN_MODE_BRIDGED: a bridge (the
 *		guest's TAP becomes a port of it) or a NIC (a macvtap is made on
 *		it, with the guest's MAC; private mode when isolated, bridge mode
 *		with @disable_isolation)
 * @network:	SQN_MODE_SHARED and _HOST: the network's name, which is also
 *		its bridge's, 1 to 15 bytes of [A-Za-z0-9_.-]; NULL:
 *		"sqn-shared" or "sqn-host". Attachments naming the same network
 *		share it; its first one makes it with this config's @subnet,
 *		@nat_iface and DNS settings, and a later one whose settings
 *		differ is refused (-EEXIST)
 * @subnet:	SQN_MODE_SHARED and _HOST: the gateway's address and the
 *		prefix length, "A.B.C.D/N" with N from 8 to 29; NULL:
 *		"192.168.105.1/24" (shared) or "192.168.106.1/24" (host). A
 *		subnet that overlaps an address or route of the host is refused
 * @nat_iface:	SQN_MODE_SHARED: the interface NAT leads out of; NULL: the
 *		one of the default route
 * @dns_upstream: SQN_MODE_SHARED: where the network's DNS server (dnsmasq)
 *		sends the names it does not know: NULL: the servers of the
 *		host's /etc/resolv.conf; "none": nowhere; else IPv4 addresses
 *		separated by commas
 * @dns_hosts:	SQN_MODE_SHARED and _HOST: a hosts(5) file of names the
 *		network's DNS server answers by itself, or NULL
 * @disable_isolation: let guests of one network reach each other
 * @helper_path: helper binary for SQN_MODE_USERSPACE
 * @helper_args: NULL-terminated extra arguments for the helper, or NULL
 * @helper:	enum sqn_helper, for SQN_MODE_USERSPACE. The helper gets
 *		SIGKILL when the thread that called sqn_open() ends
 *		(PR_SET_PDEATHSIG): open from a thread that lives as long as
 *		the attachment
 * @helper_start_ms: how long sqn_open() watches a new helper for an early
 *		exit before it returns; 0: 50 ms
 * @peer_path:	unix socket to connect to for SQN_MODE_STREAM
 * @peer_fd:	for SQN_MODE_STREAM without @peer_path: an already connected
 *		stream socket (a socketpair end, say). It is duplicated; the
 *		caller keeps and closes its own. Note that O_NONBLOCK is not set
 *		on it: the library uses MSG_DONTWAIT. -1: unused
 * @framing:	enum sqn_framing for stream peers; 0: the mode's default
 * @offloads:	SQN_OFFLOAD_* the caller can handle
 * @queue_depth: frames buffered per direction; 0: 256
 * @tap_fd:	for SQN_MODE_SHARED, _HOST and _BRIDGED: an open TAP descriptor
 *		(from /dev/net/tun, made elsewhere, e.g. by a privileged
 *		service that passes it over SCM_RIGHTS) to attach to instead
 *		of building the network. It must be a TAP made with IFF_NO_PI
 *		(IFF_VNET_HDR is used when present). It is duplicated; the
 *		caller keeps and closes its own. The TAP's state is shared with
 *		the caller's descriptor and is changed: O_NONBLOCK is set (it
 *		belongs to the open file description, which dup() shares) and
 *		stays set, and with IFF_VNET_HDR the header size becomes 12 and
 *		the offloads those of @offloads. -1: unused
 * @log:	optional log callback, NULL for none
 * @log_ctx:	passed to @log
 *
 * Fill it with sqn_config_init() and then set what differs.
 */
struct sqn_config {
	uint32_t version;
	enum sqn_mode mode;
	const char *iface_id;
	uint8_t guest_mac[6];
	uint8_t has_guest_mac;
	uint8_t disable_isolation;
	uint32_t mtu;
	const char *bridged_iface;
	const char *network;
	const char *subnet;
	const char *nat_iface;
	const char *dns_upstream;
	const char *dns_hosts;
	const char *helper_path;
	const char *const *helper_args;
	enum sqn_helper helper;
	uint32_t helper_start_ms;
	const char *peer_path;
	int peer_fd;
	enum sqn_framing framing;
	uint32_t offloads;
	uint32_t queue_depth;
	int tap_fd;
	sqn_log_fn log;
	void *log_ctx;
};

/**
 * struct sqn_pkt - one frame, in caller-owned memory
 * @iov:	where the frame is (send) or may be stored (receive)
 * @iovcnt:	number of entries in @iov
 * @len:	receive: the frame's length, set by sqn_recv(); send: ignored,
 *		the frame is the sum of @iov. When sqn_info's vnet_hdr_len is
 *		not 0, every frame, both ways, starts with a virtio_net_hdr of
 *		that many bytes, and @len counts it
 * @flags:	receive: SQN_PKT_TRUNCATED when the frame did not fit @iov
 */
struct sqn_pkt {
	struct iovec *iov;
	unsigned int iovcnt;
	size_t len;
	uint32_t flags;
};

#define SQN_PKT_TRUNCATED (1u << 0)

/**
 * struct sqn_info - what an attachment offers
 * @mode:	enum sqn_mode
 * @mtu:	largest L3 payload
 * @max_packet_size: largest frame, Ethernet header included (a virtio_net_hdr
 *		excluded). With TSO or USO in @offloads, frames may be
 *		segmentation-offload frames of up to 65535 + SQN_ETH_HLEN bytes,
 *		whatever @mtu is
 * @host_mac:	the host side's MAC, zero when the backend has none
 * @guest_mac:	the guest's MAC
 * @offloads:	SQN_OFFLOAD_* in effect
 * @vnet_hdr_len: bytes of virtio_net_hdr before each frame (0 or 12)
 * @link_up:	1 while the peer or helper is there
 * @has_subnet:	@subnet, @netmask and @gateway are known
 * @subnet:	IPv4 network address, network byte order
 * @netmask:	IPv4 netmask
 * @gateway:	IPv4 gateway address
 */
struct sqn_info {
	enum sqn_mode mode;
	uint32_t mtu;
	uint32_t max_packet_size;
	uint8_t host_mac[6];
	uint8_t guest_mac[6];
	uint32_t offloads;
	uint32_t vnet_hdr_len;
	int link_up;
	int has_subnet;
	uint8_t subnet[4];
	uint8_t netmask[4];
	uint8_t gateway[4];
};

/**
 * struct sqn_stats - counters since sqn_open()
 * @rx_frames:	frames returned by sqn_recv()
 * @rx_bytes:	their bytes (without a virtio_net_hdr, here and in @tx_bytes)
 * @rx_dropped:	frames received but not delivered whole: truncated into
 *		the caller's buffers, or longer than max_packet_size
 * @rx_errors:	framing violations by the peer: a length prefix out of
 *		range (resets a stream link), a stream closed mid-frame, a bad
 *		datagram (skipped)
 * @tx_frames:	frames handed to the backend by sqn_send()
 * @tx_bytes:	their bytes
 * @tx_dropped:	frames sqn_send() refused to carry (shorter than an
 *		Ethernet header or longer than max_packet_size)
 * @tx_errors:	write errors on the backend
 * @rx_large:	of @rx_frames, those longer than mtu + SQN_ETH_HLEN: the
 *		segmentation-offload frames of SQN_OFFLOAD_TSO4/_TSO6/_USO
 * @tx_large:	the same of @tx_frames
 */
struct sqn_stats {
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t rx_dropped;
	uint64_t rx_errors;
	uint64_t tx_frames;
	uint64_t tx_bytes;
	uint64_t tx_dropped;
	uint64_t tx_errors;
	uint64_t rx_large;
	uint64_t tx_large;
};

typedef struct sqn_net sqn_net;

/**
 * sqn_config_init() - fill @cfg with the defaults of this version
 * @cfg:	config to fill
 */
void sqn_config_init(struct sqn_config *cfg);

/**
 * sqn_open() - validate @cfg and attach
 * @cfg:	configuration; not referenced after return
 * @out:	the new attachment on success, NULL on failure
 *
 * Return: 0, or a negative errno (errno is set too). The reason is in
 * sqn_last_error(NULL) on the calling thread and goes to the log callback.
 */
int sqn_open(const struct sqn_config *cfg, sqn_net **out);

/**
 * sqn_close() - release everything the attachment holds
 * @net:	attachment, or NULL (then nothing happens)
 */
void sqn_close(sqn_net *net);

/**
 * sqn_fd() - the descriptor to poll
 * @net:	attachment
 *
 * Readable when new frames may be received; writable when sqn_send() or
 * sqn_flush() can make progress. Frames already buffered in the library do
 * not make it readable: call sqn_recv() until it returns -EAGAIN before
 * waiting on this fd again. Poll it level-triggered: after a run of bad
 * datagrams sqn_recv() may return -EAGAIN with more datagrams waiting,
 * which leave the fd readable.
 *
 * Return: a file descriptor owned by @net.
 */
int sqn_fd(const sqn_net *net);

/**
 * sqn_recv() - receive up to @n frames into caller buffers
 * @net:	attachment
 * @pkts:	@n packet descriptors; @len and @flags are written
 * @n:		number of descriptors
 *
 * Never blocks, with one exception: when a userspace helper has just
 * died, the call that reports it may wait for its exit status: as long as
 * the helper still runs after closing its end, 1 s at most.
 * A frame longer than its descriptor's buffers is truncated,
 * flagged SQN_PKT_TRUNCATED and counted in rx_dropped.
 *
 * Return: frames received (1..@n), -EAGAIN when none is ready, -ENOTCONN
 * once the link is down (see sqn_last_error()), or another negative errno.
 */
int sqn_recv(sqn_net *net, struct sqn_pkt *pkts, unsigned int n);

/**
 * sqn_send() - hand up to @n frames to the backend
 * @net:	attachment
 * @pkts:	@n frames; only @iov and @iovcnt are read
 * @n:		number of frames
 *
 * Never blocks and never drops a frame for lack of room: when the backend
 * is full it takes a prefix of the batch and the rest must be sent again
 * later (wait for sqn_fd() to be writable). Like sqn_recv(), the one call
 * that finds a userspace helper dead may wait up to 1 s for its exit
 * status. A frame shorter than an
 * Ethernet header or longer than max_packet_size (vnet_hdr_len not
 * counted) is consumed but not carried, and counted in tx_dropped.
 *
 * Return: frames consumed from the front of @pkts (1..@n; 0 for @n == 0),
 * -EAGAIN when none could be, -ENOTCONN once the link is down, or another
 * negative errno.
 */
int sqn_send(sqn_net *net, const struct sqn_pkt *pkts, unsigned int n);

/**
 * sqn_flush() - push out bytes of an accepted frame still buffered
 * @net:	attachment
 *
 * sqn_send() finishes partially written frames itself; call this when
 * there is nothing more to send but sqn_send() was cut short.
 *
 * Return: 0 when nothing is pending, -EAGAIN when bytes remain (wait for
 * sqn_fd() to be writable), -ENOTCONN once the link is down.
 */
int sqn_flush(sqn_net *net);

/**
 * sqn_info() - what the attachment offers
 * @net:	attachment
 * @info:	filled on return
 *
 * Return: 0, or -EINVAL when an argument is NULL.
 */
int sqn_info(const sqn_net *net, struct sqn_info *info);

/**
 * sqn_stats() - copy the counters
 * @net:	attachment
 * @st:		filled on return
 *
 * Return: 0, or -EINVAL when an argument is NULL.
 */
int sqn_stats(const sqn_net *net, struct sqn_stats *st);

/**
 * sqn_last_error() - text of the last error
 * @net:	attachment, or NULL for the calling thread's last failed
 *		sqn_open()
 *
 * Return: a message (empty when there was no error), valid until the next
 * call on @net (or, for NULL, the next sqn_open() on this thread).
 */
const char *sqn_last_error(const sqn_net *net);

/**
 * sqn_strerror() - text for a return value of this API
 * @err:	a negative errno returned by an sqn_ call
 *
 * Return: a static string.
 */
const char *sqn_strerror(int err);

/**
 * sqn_mode_name() - "shared", "host", ... for a mode
 * @mode:	enum sqn_mode
 *
 * Return: a static string, "unknown" for an unknown mode.
 */
const char *sqn_mode_name(enum sqn_mode mode);

/**
 * sqn_mode_parse() - the mode named @name
 * @name:	a name as sqn_mode_name() gives
 * @mode:	set on success
 *
 * Return: 0, or -EINVAL for an unknown name.
 */
int sqn_mode_parse(const char *name, enum sqn_mode *mode);

#ifdef __cplusplus
}
#endif

#endif /* SQUIBNET_H */
