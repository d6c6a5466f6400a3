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
#define SQN_VERSION_MINOR 2
#define SQN_VERSION_PATCH 0
#define SQN_VERSION_STRING "0.2.0"

/* sqn_config_init(), sqn_info() and sqn_stats() are inline: they pass the
 * sizes of this header's structs to the library (see docs/api.md, ABI). */
#if defined(__cplusplus) || \
	(defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
#define SQN_INLINE static inline
#else
#define SQN_INLINE static __inline__
#endif

/* Value of sqn_config.version for the layout declared below (2: tap_fd was
 * added; 3: network, subnet, nat_iface, dns_upstream, dns_hosts; 4:
 * connect_timeout_ms, lock_timeout_ms; 5: service_path; 6: peer_listen).
 * sqn_open() takes a config of any
 * version from 1 to this one and reads only the fields that version has;
 * the others take their defaults. From version 4 on, fields are only ever
 * added at the end of the struct, with 0 meaning their default, and each
 * addition raises this number. */
#define SQN_CONFIG_VERSION 7

/**
 * enum sqn_mode - what the guest's network attachment is
 * @SQN_MODE_SHARED:	private subnet with DHCP, DNS and NAT out (the default)
 * @SQN_MODE_HOST:	host-only subnet with DHCP (Linux: bridge sqn-host,
 *			192.168.106.1/24, dnsmasq)
 * @SQN_MODE_BRIDGED:	a port on a real LAN (sqn_config.bridged_iface)
 * @SQN_MODE_USERSPACE:	a supervised user-space TCP/IP helper (passt, gvproxy)
 * @SQN_MODE_LOOPBACK:	every frame sent comes back; the "no network" case
 * @SQN_MODE_STREAM:	a peer socket speaking the QEMU stream framing
 *
 * A mode that this build or platform lacks makes sqn_open() fail with
 * -ENOTSUP and a message naming where it is available.
 *
 * SQN_MODE_SHARED, _HOST and _BRIDGED without tap_fd make their network
 * in the process when it has CAP_NET_ADMIN, and attach through the service
 * (squib-net serve, see sqn_config.service_path) when it has not or when
 * service_path is set.
 *
 * SQN_MODE_SHARED and _HOST made in the process run each network's keeper, the
 * program squib-net-keeper (dnsmasq, and the network's removal once its
 * last attachment has ended): a new program, not a fork of the caller, so
 * guest memory is never copied or kept by it. It is nobody's child and
 * its start sends the caller no SIGCHLD. It is found in the directory
 * named by the environment's SQN_LIBEXECDIR, else in the LIBEXECDIR the
 * library was built for (make install puts it there); without it
 * sqn_open() fails (-ENOENT, say) with a message naming the path.
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
 * @SQN_HELPER_DEFAULT:	on Linux, SQN_HELPER_SLIRP when its binary is found
 *			(SQN_SLIRP_HELPER, the libexec directory, PATH; not
 *			helper_path), else SQN_HELPER_PASST. With helper_path
 *			set it is passt, helper_path passt's binary. passt's
 *			version is not asked; Debian 12's (0.0~git20230309)
 *			loses FINs and RSTs with real guests, hence ours first
 * @SQN_HELPER_PASST:	passt -f --fd N [-t|-u FWD]... [helper_args]; QEMU
 *			framing
 * @SQN_HELPER_GVPROXY:	gvproxy -listen-stdio [helper_args], the socket as
 *			its stdin and stdout; 2-byte little-endian framing
 * @SQN_HELPER_CUSTOM:	helper_path [helper_args], the socket as its stdin
 *			and stdout; sqn_config.framing (default QEMU)
 * @SQN_HELPER_SLIRP:	squib-net-slirp-helper --fd N [helper_args] --mtu M,
 *			the library's own helper on libslirp (QEMU's user
 *			networking: guest 10.0.2.15, gateway 10.0.2.2, DNS
 *			10.0.2.3); QEMU framing; M is sqn_config.mtu, default
 *			1500, at most 65520 (576 at least); each of
 *			sqn_config.forwards becomes a --forward (passt: -t
 *			or -u; gvproxy: -ENOTSUP)
 *
 * The binary is sqn_config.helper_path, else the environment variable
 * SQN_PASST, SQN_GVPROXY or SQN_SLIRP_HELPER, else (slirp only)
 * squib-net-slirp-helper in the library's libexec directory (make
 * install's LIBEXECDIR, /usr/local/libexec by default), else "passt",
 * "gvproxy" or "squib-net-slirp-helper" found in PATH. The variables and
 * PATH are read with secure_getenv().
 */
enum sqn_helper {
	SQN_HELPER_DEFAULT = 0,
	SQN_HELPER_PASST,
	SQN_HELPER_GVPROXY,
	SQN_HELPER_CUSTOM,
	SQN_HELPER_SLIRP, /* 4: after the others, whose values stay */
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

/* Port forwards: at most this many per attachment. */
#define SQN_FORWARDS_MAX 32

enum sqn_proto {
	SQN_PROTO_TCP = 1,
	SQN_PROTO_UDP = 2,
};

/**
 * struct sqn_forward - one port forward into the guest: what reaches the
 * host at @host_addr:@host_port goes to the guest's address, @guest_port
 * @proto:	enum sqn_proto
 * @host_addr:	the host's IPv4 address it listens on, dotted; NULL or "":
 *		every IPv4 address of the host, 127.0.0.1 included (as
 *		QEMU's hostfwd and passt's -t are reachable from the host
 *		itself); not its IPv6 addresses
 * @host_port:	1 to 65535
 * @guest_port:	1 to 65535; 0: @host_port
 */
struct sqn_forward {
	enum sqn_proto proto;
	const char *host_addr;
	uint16_t host_port;
	uint16_t guest_port;
};

/**
 * struct sqn_config - what to attach to
 * @version:	SQN_CONFIG_VERSION (a config of an older version, laid out
 *		as that version's header did, is read as such)
 * @mode:	enum sqn_mode
 * @iface_id:	name of this attachment, [A-Za-z0-9_]{1,64}; NULL: "sqn0".
 *		Shared, host and bridged without @tap_fd: the name of the TAP
 *		(or macvtap) made for it, "sqn-<iface_id>" (<iface_id> alone
 *		when it starts with "sqn"), cut to 15 characters, with "-2",
 *		"-3", ... when that name is taken. Other modes: a label only.
 *		macOS (vmnet): each attachment gets a random interface UUID
 *		(and so its own MAC), unless @iface_id is 32 hex digits: then
 *		it is the UUID, and vmnet gives the same MAC again
 * @guest_mac:	the guest's MAC address, used when @has_guest_mac is set;
 *		otherwise a random locally administered unicast one is made
 *		(macOS, vmnet: the one vmnet assigns, which its DHCP knows)
 * @has_guest_mac: use @guest_mac
 * @mtu:	largest L3 payload; 0: the backend's default. Frames may be at
 *		most @mtu + SQN_ETH_HLEN bytes, and never more than SQN_FRAME_MAX.
 *		SQN_MODE_SHARED and _HOST: the network's (its bridge's, each
 *		TAP's, DHCP's); 0 takes an existing network's (1500 for a new
 *		one), another than an existing network's is refused (-EEXIST)
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
 * @peer_path:	unix socket to connect to for SQN_MODE_STREAM (to listen at,
 *		with @peer_listen)
 * @peer_fd:	for SQN_MODE_STREAM without @peer_path: an already connected
 *		stream socket (a socketpair end, say). It is duplicated; the
 *		caller keeps and closes its own. Note that O_NONBLOCK is not set
 *		on it: the library uses MSG_DONTWAIT. -1: unused
 * @framing:	enum sqn_framing for stream peers; 0: the mode's default
 * @offloads:	SQN_OFFLOAD_* the caller can handle
 * @queue_depth: frames the loopback backend holds between sqn_send() and
 *		sqn_recv() (sqn_send() takes no more); 0: 256. The other
 *		backends keep no queue of frames and ignore it: frames wait
 *		in the kernel's socket or TAP queue, sized by the kernel, and
 *		the library holds only bytes read ahead of sqn_recv() (stream
 *		and userspace: up to 256 KiB) and the tail of one half-written
 *		frame (see sqn_flush())
 * @tap_fd:	for SQN_MODE_SHARED, _HOST and _BRIDGED: an open TAP descriptor
 *		(from /dev/net/tun, made elsewhere, e.g. by a privileged
 *		service that passes it over SCM_RIGHTS) to attach to instead
 *		of building the network. It must be a TAP made with IFF_NO_PI
 *		(checked through rtnetlink, -EINVAL otherwise, when its
 *		interface is visible in the caller's network namespace);
 *		IFF_VNET_HDR is used when present. It is duplicated; the
 *		caller keeps and closes its own. The TAP's state is shared with
 *		the caller's descriptor and is changed: O_NONBLOCK is set (it
 *		belongs to the open file description, which dup() shares) and
 *		stays set, and with IFF_VNET_HDR the header size becomes 12 and
 *		the kernel's offloads those of @offloads (without
 *		SQN_OFFLOAD_VNET_HDR: CSUM, TSO4 and TSO6, whose frames the
 *		library makes complete, until sqn_close() turns them off).
 *		-1: unused
 * @log:	optional log callback, NULL for none
 * @log_ctx:	passed to @log
 * @connect_timeout_ms: SQN_MODE_STREAM with @peer_path: how long sqn_open()
 *		waits for the listener to take the connection (a full
 *		backlog) before it fails with -ETIMEDOUT; 0: 2000. Through
 *		the service: the same for its control socket, and then as
 *		long again for its reply (0: 10000 for the reply, which may
 *		wait for the service to make the network). On macOS,
 *		shared, host and bridged: how long it waits for
 *		vmnet.framework to start the interface; 0: 5000
 * @lock_timeout_ms: SQN_MODE_SHARED and _HOST: how long sqn_open() and
 *		sqn_close() wait for the network plane's lock of the namespace
 *		while another process holds it; 0: 10000. Then sqn_open() fails
 *		with -EBUSY naming the holder's pid, and sqn_close() removes its
 *		own link and leaves the rest to the network's keeper (or the
 *		next open)
 * @service_path: SQN_MODE_SHARED, _HOST and _BRIDGED without @tap_fd: the
 *		control socket of squib-net serve, the service that makes
 *		the network and hands over a TAP of it. Set, the attachment
 *		always goes through the service; NULL, only when the process
 *		lacks CAP_NET_ADMIN, through the socket named by the
 *		environment's SQN_SERVICE (secure_getenv), else
 *		/run/squib-net/control. The network asked for is @network
 *		(shared, host) or @bridged_iface (bridged); the service's
 *		network decides the subnet, NAT and DNS: @subnet,
 *		@subnet6, @nat_iface, @dns_upstream, @dns_hosts and
 *		@disable_isolation set are refused (-EINVAL). No service:
 *		-ENOENT or -ECONNREFUSED, a service that refuses: its errno
 *		and its message (see docs/api.md). At most 107 bytes (a unix
 *		socket's address)
 * @peer_listen: SQN_MODE_STREAM with @peer_path: not 0 to listen at
 *		@peer_path instead of connecting to it, and take one peer at
 *		a time (the VMM's side of a QEMU "-netdev stream,server=on").
 *		sqn_open() makes the socket and does not wait: the link is
 *		down (sqn_info's link_up 0, sqn_recv() and sqn_send()
 *		-ENOTCONN) until a peer connects, which makes sqn_fd()
 *		readable and which the next sqn_recv() accepts. A peer that
 *		connects while one is connected is closed at once (a
 *		warning through @log). When the peer leaves, what it sent
 *		is delivered, the link goes down, and the next peer is
 *		accepted the same way. A socket left at @peer_path by a
 *		process that ended is replaced; a live one (-EADDRINUSE) or
 *		anything else there (-EEXIST) is not. sqn_close() removes
 *		the socket it made. Not with @peer_fd or datagram framing
 *		(-EINVAL)
 * @forwards:	SQN_MODE_SHARED (the library's own network or through the
 *		service) and SQN_MODE_USERSPACE (passt's -t/-u, the slirp
 *		helper's --forward): ports of the host forwarded to the guest,
 *		@n_forwards of them (at most SQN_FORWARDS_MAX), bound to the
 *		guest's address: @guest_ip, else an address the network's
 *		dnsmasq reserves for the guest's MAC. They go with the
 *		attachment. A forward that collides with one already there or
 *		with a port in use on the host is refused (-EADDRINUSE, the
 *		reason in sqn_last_error()); other modes: -EINVAL.
 *		macOS (vmnet): shared mode only, and @guest_ip is required
 *		(-EINVAL without it); each forward's add waits up to
 *		@connect_timeout_ms (-ETIMEDOUT), so sqn_open() may wait
 *		SQN_FORWARDS_MAX times that; a port in use on the host is
 *		vmnet's VMNET_FAILURE, -EIO (the message says what may be
 *		why), not -EADDRINUSE, which only two forwards of one config
 *		give
 * @n_forwards:	how many @forwards
 * @guest_ip:	SQN_MODE_SHARED and _HOST: a fixed IPv4 address, dotted,
 *		that the network's DHCP gives the guest's MAC (a reservation
 *		in dnsmasq's hosts file, which it reads again on SIGHUP); in
 *		the network's subnet, not its gateway, not reserved for
 *		another MAC (-EADDRINUSE). NULL: any (from the pool).
 *		macOS (vmnet): its DHCP takes no reservation: @guest_ip only
 *		says where @forwards lead (the guest must have that address),
 *		so it is refused without them (-ENOTSUP, also in host mode),
 *		and sqn_info's @has_guest_ip stays 0
 * @subnet6:	SQN_MODE_SHARED and _HOST: the network's IPv6 prefix,
 *		"PREFIX/64" (the gateway is PREFIX::1); NULL: a ULA /64
 *		derived from the network's name (fdXX:XXXX:XXXX:0::/64,
 *		RFC 4193 with the name's hash as its global ID); "none": no
 *		IPv6. Guests get addresses by SLAAC and DHCPv6 (router
 *		advertisements from the network's dnsmasq); shared mode NATs
 *		IPv6 out (masquerade) when the NAT interface has IPv6
 *
 * Fill it with sqn_config_init() and then set what differs. New fields
 * are only ever added at the end (see SQN_CONFIG_VERSION).
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
	uint32_t connect_timeout_ms;
	uint32_t lock_timeout_ms;
	const char *service_path;
	uint32_t peer_listen;
	const struct sqn_forward *forwards;
	uint32_t n_forwards;
	const char *guest_ip;
	const char *subnet6;
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
 * @offloads_avail: SQN_OFFLOAD_* that sqn_set_offloads() can turn on (the
 *		kernel may still refuse some: @offloads says what took); 0 when
 *		the attachment carries no virtio_net_hdr and so no offloads:
 *		loopback, stream, userspace, and a TAP made without
 *		IFF_VNET_HDR
 * @has_guest_ip: @guest_ip is set
 * @guest_ip:	the guest's fixed address (sqn_config.guest_ip, or the one
 *		reserved for its forwards): its DHCP lease will be this one
 * @has_subnet6: the network has IPv6: @subnet6, @prefix6_len and
 *		@gateway6 are set
 * @subnet6:	its IPv6 prefix
 * @prefix6_len: its length (64)
 * @gateway6:	the gateway's IPv6 address (the router guests learn from
 *		its router advertisements)
 *
 * New fields are only ever added at the end; sqn_info() passes the size of
 * the struct the caller was built with.
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
	uint32_t offloads_avail;
	int has_guest_ip;
	uint8_t guest_ip[4];
	int has_subnet6;
	uint8_t subnet6[16];
	uint32_t prefix6_len;
	uint8_t gateway6[16];
};

/**
 * struct sqn_stats - counters since sqn_open()
 * @rx_frames:	frames returned by sqn_recv()
 * @rx_bytes:	their bytes (without a virtio_net_hdr, here and in @tx_bytes)
 * @rx_dropped:	frames received but not delivered whole: truncated into
 *		the caller's buffers, or longer than max_packet_size
 * @rx_errors:	framing violations by the peer: a length prefix out of
 *		range (resets a stream link), a stream closed or reset
 *		mid-frame, a bad datagram (skipped)
 * @tx_frames:	frames handed to the backend by sqn_send()
 * @tx_bytes:	their bytes
 * @tx_dropped:	frames sqn_send() refused to carry (shorter than an
 *		Ethernet header or longer than max_packet_size)
 * @tx_errors:	write errors on the backend
 * @rx_large:	of @rx_frames, those longer than mtu + SQN_ETH_HLEN: the
 *		segmentation-offload frames of SQN_OFFLOAD_TSO4/_TSO6/_USO
 * @tx_large:	the same of @tx_frames
 *
 * New counters are only ever added at the end; sqn_stats() passes the size
 * of the struct the caller was built with.
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
 * sqn_config_init2() - fill a config with the defaults of a version
 * @cfg:	config to fill
 * @size:	bytes of @cfg: sizeof(struct sqn_config) of the caller's header
 * @version:	SQN_CONFIG_VERSION of the caller's header, 4 or above
 *
 * Writes the first @size bytes of @cfg and nothing beyond, so a caller
 * built against an older header, whose struct is smaller, is safe. Call it
 * through sqn_config_init(), which passes both from the header.
 *
 * Return: 0; -EINVAL (nothing written) when @cfg is NULL, @version is below
 * 4 or @size is smaller than that version's struct; -ENOTSUP when @version
 * is newer than this library: the config is filled all the same, and
 * sqn_open() refuses it with a message saying so.
 */
int sqn_config_init2(struct sqn_config *cfg, size_t size, uint32_t version);

/**
 * sqn_info2() - what the attachment offers, into a struct of @size bytes
 * @net:	attachment
 * @info:	filled on return: the first @size bytes, nothing beyond
 * @size:	sizeof(struct sqn_info) of the caller's header
 *
 * Fields this library does not know (a caller built against a newer
 * header) read 0. Call it through sqn_info().
 *
 * Return: 0, or -EINVAL when @net or @info is NULL.
 */
int sqn_info2(const sqn_net *net, struct sqn_info *info, size_t size);

/**
 * sqn_stats2() - copy the counters into a struct of @size bytes
 * @net:	attachment
 * @st:		filled on return: the first @size bytes, nothing beyond
 * @size:	sizeof(struct sqn_stats) of the caller's header
 *
 * Counters this library does not know read 0. Call it through sqn_stats().
 *
 * Return: 0, or -EINVAL when @net or @st is NULL.
 */
int sqn_stats2(const sqn_net *net, struct sqn_stats *st, size_t size);

/**
 * sqn_config_init() - fill @cfg with the defaults of this header's version
 * @cfg:	config to fill
 *
 * Return: as sqn_config_init2().
 */
SQN_INLINE int sqn_config_init(struct sqn_config *cfg)
{
	return sqn_config_init2(cfg, sizeof(*cfg), SQN_CONFIG_VERSION);
}

/**
 * sqn_open() - validate @cfg and attach
 * @cfg:	configuration of any version from 1 to SQN_CONFIG_VERSION;
 *		only that version's fields are read; not referenced after
 *		return
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
 * waiting on this fd again. While sqn_flush() returns -EAGAIN, wait for
 * POLLOUT as well as POLLIN: bytes of a frame sqn_send() accepted are
 * still in the library, and leave only when you call in again. Poll it
 * level-triggered: after a run of bad datagrams (or of TAP frames above
 * max_packet_size) sqn_recv() may return -EAGAIN with more waiting, which
 * leave the fd readable.
 *
 * In the stream mode with sqn_config.peer_listen it is a watch (epoll,
 * kqueue) over the listening socket and the peer, the same from one peer
 * to the next: readable also when a peer connects (sqn_recv() accepts
 * it); like the userspace mode's, it never polls writable (below).
 *
 * In the userspace mode it is an epoll descriptor the library owns, which
 * watches the helper's socket, the helper process and its stderr: it is
 * readable also when the helper has ended (even if a descendant of the
 * helper keeps the socket open; sqn_recv() then returns -ENOTCONN, and it
 * stays readable) and when the helper wrote to stderr (sqn_recv() passes
 * that to the log callback, and may return -EAGAIN). An epoll descriptor
 * never polls writable: there, room to send shows as readable, asked for
 * while sqn_send() or sqn_flush() left the caller waiting (a short count,
 * -EAGAIN) until the next sqn_send() or sqn_flush(), and while accepted
 * bytes are still buffered (any next call pushes them). A caller that
 * works with every mode waits for room with POLLIN | POLLOUT (EPOLLIN |
 * EPOLLOUT) and, woken, calls sqn_send() or sqn_flush() again.
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
 * flagged SQN_PKT_TRUNCATED and counted in rx_dropped. A frame longer than
 * max_packet_size (a TAP whose interface has a larger MTU than the
 * attachment) is dropped and counted in rx_dropped; after 64 of those one
 * call returns what it has (-EAGAIN when nothing), the rest left queued.
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
 * A frame counted as consumed may not have left yet: on a stream socket
 * the tail of the last one can stay in the library, and no timer or
 * thread sends it. The rule: after every batch, call sqn_flush() until it
 * returns 0, waiting for sqn_fd() to be writable (POLLOUT) while it
 * returns -EAGAIN. The next sqn_send() or sqn_recv() also pushes those
 * bytes, but only when it is called.
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
 * Call it after every batch given to sqn_send(), and again each time
 * sqn_fd() is writable while it returns -EAGAIN: until it returns 0, the
 * last frame sqn_send() accepted may sit cut in the library, and the peer
 * sees it only when the library is called again. Cheap when nothing is
 * pending. sqn_send() and sqn_recv() push pending bytes too, first.
 *
 * Return: 0 when nothing is pending, -EAGAIN when bytes remain (wait for
 * sqn_fd() to be writable, then call again), -ENOTCONN once the link is
 * down.
 */
int sqn_flush(sqn_net *net);

/**
 * sqn_set_offloads() - change the virtio_net_hdr and offloads after open
 * @net:	attachment
 * @offloads:	SQN_OFFLOAD_* the caller now handles, as sqn_config.offloads
 *		at open: the guest's negotiated virtio-net features, say
 *
 * What QEMU's set_offload and set_vnet_hdr_len do for a TAP:
 * SQN_OFFLOAD_VNET_HDR turns the 12-byte virtio_net_hdr before each frame
 * on or off, and CSUM, TSO4, TSO6 and USO are asked of the kernel; they
 * need the header and CSUM (without the header the kernel's CSUM, TSO4
 * and TSO6 stay on and the library hands complete frames). sqn_info()
 * follows: @offloads, @vnet_hdr_len, @max_packet_size. Frames the kernel
 * queued before the call keep the form they had (a segmentation-offload
 * frame queued before TSO went off is dropped as above max_packet_size).
 * Call it between batches: the next sqn_recv() and sqn_send() use the
 * new header length.
 *
 * Return: 0; -ENOTSUP when @offloads is not 0 and the attachment carries
 * no offloads (sqn_info's @offloads_avail is 0), or asks for the header of
 * a TAP made without IFF_VNET_HDR; -EINVAL for unknown bits; -ENOTCONN
 * once the link is down; or the kernel's negative errno.
 */
int sqn_set_offloads(sqn_net *net, uint32_t offloads);

/**
 * sqn_info() - what the attachment offers
 * @net:	attachment
 * @info:	filled on return
 *
 * Return: 0, or -EINVAL when an argument is NULL.
 */
SQN_INLINE int sqn_info(const sqn_net *net, struct sqn_info *info)
{
	return sqn_info2(net, info, sizeof(*info));
}

/**
 * sqn_stats() - copy the counters
 * @net:	attachment
 * @st:		filled on return
 *
 * Return: 0, or -EINVAL when an argument is NULL.
 */
SQN_INLINE int sqn_stats(const sqn_net *net, struct sqn_stats *st)
{
	return sqn_stats2(net, st, sizeof(*st));
}

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
