/* SPDX-License-Identifier: MIT */
/* svcproto.h - the control protocol of squib-net serve, both sides: small
 * JSON documents (json-c) on a SOCK_SEQPACKET unix socket, one document per
 * packet, file descriptors passed with SCM_RIGHTS (docs/protocol.md) */
#ifndef SQN_SVCPROTO_H
#define SQN_SVCPROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The version both sides speak: "v" in every document. A request of
 * another version gets an error reply (EPROTONOSUPPORT) naming ours. */
#define SVC_PROTO_VERSION 1
/* The longest document either side sends or accepts: a status reply with
 * many attachments is the longest (about 500 bytes each: 1000 stream
 * clients fit). A request is far shorter, and the service reads no more
 * than SVC_REQ_MAX of one. */
#define SVC_MSG_MAX 1048576
#define SVC_REQ_MAX 65536
/* Where clients look when neither sqn_config.service_path nor
 * SQN_SERVICE says otherwise. */
#define SVC_SOCKET_DEFAULT "/run/squib-net/control"
/* A network's name (its bridge's, an interface name) with its NUL. */
#define SVC_NAME_MAX 16
#define SVC_LABEL_MAX 64
#define SVC_ERRMSG_MAX 256

/* Port forwards one request or attachment carries, at most
 * (SQN_FORWARDS_MAX). */
#define SVC_FORWARDS_MAX 32
/* The peers of a network that spans hosts shown by status (serve.conf has
 * at most as many, SERVE_PEERS_MAX). */
#define SVC_PEERS_MAX 32

enum svc_op {
	SVC_OP_ATTACH = 1,
	SVC_OP_DETACH,
	SVC_OP_STATUS,
	SVC_OP_FORWARD_ADD,
	SVC_OP_FORWARD_REMOVE,
};

/**
 * struct svc_forward - one port forward into a guest (struct sqn_forward)
 * @proto:	SQN_PROTO_TCP or SQN_PROTO_UDP ("tcp", "udp")
 * @addr:	the host address it listens on, dotted; "" every address
 * @host_port:	1 to 65535
 * @guest_port:	1 to 65535
 *
 * JSON: {"proto":"tcp","addr":"","host_port":8080,"guest_port":80}
 */
struct svc_forward {
	int proto;
	char addr[16];
	uint16_t host_port;
	uint16_t guest_port;
};

/* How long an attachment lives: until the control connection closes
 * (the library's sqn_open), until the requesting process ends (squib-net
 * run, which execs the VMM in its own process), or until its parent
 * ends (squib-net-bridge-helper, whose parent is QEMU). The service
 * checks a parent is of the same uid and watches either with a pidfd.
 * QEMU runs a helper= with blanks as "/bin/sh -c 'HELPER ARGS'", and
 * Debian's dash forks for it rather than exec: when the parent's
 * /proc/PID/exe is /bin/sh's file, the shell ends with the helper, and
 * the process to hold on to is the shell's parent (QEMU). */
enum svc_hold {
	SVC_HOLD_CONNECTION = 0,
	SVC_HOLD_PROCESS,
	SVC_HOLD_PARENT,
};

/* What a client gets, and what status calls it: a TAP's fd (the
 * default), one end of a SOCK_DGRAM socketpair carrying one frame per
 * datagram (QEMU -netdev dgram,local.type=fd; krunkit/vfkit unixgram: a
 * first datagram "VFKT" is consumed), a persistent TAP owned by the
 * client's uid that it opens by name (Firecracker's host_dev_name), or
 * (status only: never asked for by attach) a connection to the network's
 * stream socket, <run>/<network>.sock, relayed to a TAP port. */
enum svc_kind {
	SVC_KIND_FD = 0,
	SVC_KIND_DGRAM,
	SVC_KIND_NAMED,
	SVC_KIND_STREAM,
};

/**
 * struct svc_request - one request
 * @op:		what is asked
 * @network:	attach: the network's name (its bridge's): "" is the
 *		default network, sqn-shared; "shared" and "host" stand for
 *		sqn-shared and sqn-host
 * @has_mac:	attach: @mac is set (else the guest's MAC is not the
 *		service's business: it replies a random locally administered
 *		one the VMM may use)
 * @mac:	attach: the guest's MAC
 * @mtu:	attach: 0 the network's, else must equal it
 * @vnet_hdr:	attach: 1 the TAP carries a virtio_net_hdr (offloads
 *		possible: vhost-net, QEMU, cloud-hypervisor want this), 0 not
 * @hold:	attach: enum svc_hold
 * @label:	attach: free text shown by status (a VM's name), printable
 *		ASCII only
 * @kind:	attach: enum svc_kind, SVC_KIND_FD (the default),
 *		SVC_KIND_DGRAM or SVC_KIND_NAMED ("fd", "dgram", "named");
 *		the reply's fd is the TAP's, the socketpair end, or none
 *		(named: the reply's "tap" is the name to open)
 * @id:		detach, forward_add, forward_remove: the attachment, as the
 *		attach reply named it; only the uid that made it (or root) may
 *		detach it or change its forwards, and the ACL must let that uid
 *		forward on its network
 * @has_ip:	attach: "ip" is present (even ""): the client reads the
 *		attach reply's newer members (fixed_ip, subnet6, gateway6),
 *		which a request without it does not get (an older library
 *		refuses members it does not know)
 * @ip:		attach: a fixed address for the guest ("" any): a dnsmasq
 *		reservation for its MAC (the request must carry @mac)
 * @fwd:	attach: the attachment's first port forwards; forward_add,
 *		forward_remove: the one to add or remove (@n_fwd 1)
 * @n_fwd:	how many @fwd
 *
 * JSON: {"v":1,"op":"attach","network":"sqn-shared","mac":"52:54:00:12:34:56",
 * "mtu":0,"vnet_hdr":true,"hold":"connection","label":"vm1"},
 * {"v":1,"op":"detach","id":7}, {"v":1,"op":"status"},
 * {"v":1,"op":"forward_add","id":7,"forwards":[{"proto":"tcp",...}]}
 * (attach takes "ip" and "forwards" too). Absent members
 * take the defaults above; unknown members are refused.
 */
struct svc_request {
	enum svc_op op;
	char network[SVC_NAME_MAX];
	int has_mac;
	uint8_t mac[6];
	uint32_t mtu;
	int vnet_hdr;
	enum svc_hold hold;
	char label[SVC_LABEL_MAX];
	enum svc_kind kind;
	uint32_t id;
	int has_ip;
	char ip[16];
	struct svc_forward fwd[SVC_FORWARDS_MAX];
	unsigned int n_fwd;
};

/* Whether @op is forward_add or forward_remove. */
static inline int svc_op_forward(enum svc_op op)
{
	return op == SVC_OP_FORWARD_ADD || op == SVC_OP_FORWARD_REMOVE;
}

/**
 * struct svc_attach - the facts of an attachment: the attach reply (sent
 * with the TAP's fd) and each attachment of a status reply
 * @id:		the service's number for it
 * @network:	its network
 * @mode:	"shared", "host" or "bridged"
 * @tap:	the TAP's name (a port of the network's bridge)
 * @guest_mac:	the guest's MAC (asked for, or the one the service chose)
 * @host_mac:	the TAP's own MAC
 * @mtu:	the network's MTU, also the TAP's
 * @vnet_hdr_len: 0, or the virtio_net_hdr's length on the TAP (12)
 * @offloads:	SQN_OFFLOAD_* the TAP can be given (TUNSETOFFLOAD)
 * @has_subnet:	shared, host: the next four are set
 * @subnet:	the network's address
 * @prefix_len:	its prefix length
 * @gateway:	the bridge's address, the guests' router
 * @dns:	the guests' DNS server (dnsmasq, on the gateway)
 * @uid:	status only: the client's uid
 * @pid:	status only: the client's pid (for holds "process" and
 *		"parent", the holder's)
 * @label:	status only: the label it gave
 * @ip:		status only: the guest's address leased by dnsmasq, "" none
 * @rx_bytes, @rx_packets, @tx_bytes, @tx_packets: status only: the
 *		TAP's counters, seen from the host (rx: from the guest)
 * @kind:	status only: enum svc_kind ("fd", "dgram", "named",
 *		"stream")
 * @from_guest_frames, @from_guest_bytes, @from_guest_drops,
 * @to_guest_frames, @to_guest_bytes, @to_guest_drops: status only: the
 *		service's relay between the client's socket and the TAP
 *		(dgram, stream), frames the relay dropped included (a client
 *		that does not read, a malformed frame); 0 for fd and named
 * @spoof_drops: status only: frames from the guest the anti-spoofing
 *		rules dropped (another MAC, another address, ARP for an
 *		address not its own)
 * @fixed_ip:	the guest's fixed address (asked for, or reserved for its
 *		forwards), "" none
 * @has_subnet6: the network has IPv6: @subnet6 (a /64) and @gateway6 set
 * @subnet6:	its IPv6 prefix
 * @gateway6:	the gateway's IPv6 address
 * @hostname:	status only: the name the guest gave DHCP ("" none),
 *		resolvable as @hostname.@network by the network's DNS
 * @fwd, @n_fwd: status only: its port forwards
 */
struct svc_attach {
	uint32_t id;
	char network[SVC_NAME_MAX];
	char mode[16];
	char tap[SVC_NAME_MAX];
	uint8_t guest_mac[6];
	uint8_t host_mac[6];
	uint32_t mtu;
	uint32_t vnet_hdr_len;
	uint32_t offloads;
	int has_subnet;
	uint8_t subnet[4];
	uint32_t prefix_len;
	uint8_t gateway[4];
	uint8_t dns[4];
	uint32_t uid;
	uint32_t pid;
	char label[SVC_LABEL_MAX];
	char ip[16];
	uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets;
	enum svc_kind kind;
	uint64_t from_guest_frames, from_guest_bytes, from_guest_drops;
	uint64_t to_guest_frames, to_guest_bytes, to_guest_drops;
	uint64_t spoof_drops;
	char fixed_ip[16];
	int has_subnet6;
	uint8_t subnet6[16];
	uint8_t gateway6[16];
	char hostname[64];
	struct svc_forward fwd[SVC_FORWARDS_MAX];
	unsigned int n_fwd;
};

/**
 * struct svc_network - one network of a status reply
 * @name:	its name, also its bridge's (bridged: the bridge or NIC)
 * @mode:	"shared", "host" or "bridged"
 * @has_subnet:	shared, host: the next three are set
 * @subnet, @prefix_len, @gateway: as in struct svc_attach
 * @state:	"up", "down" (not made yet, or failed: @error says why)
 * @error:	why it is down, "" otherwise
 * @dnsmasq_pid: its dnsmasq's pid, 0 none
 * @dnsmasq_state: "running", "restarting" or "none"
 * @attachments: how many it has
 * @allow_spoofing: 1 when its ports are not held to their MAC and
 *		address (serve.conf "allow-spoofing yes")
 * @stream_socket: its stream socket's path, "" when it has none
 * @has_subnet6, @subnet6, @gateway6: as in struct svc_attach
 * @nat_iface:	shared: the interface NAT leads out of now (it follows the
 *		default route unless serve.conf names one), "" none
 * @role:	a network that spans hosts (VXLAN): "gateway" or "member";
 *		"" (absent) for one that does not; the members below are
 *		absent then too
 * @has_vxlan:	@vni and the counters are set
 * @vni:	its VXLAN network identifier
 * @vxlan_local: this host's underlay address, "" while not known
 * @vxlan_port:	the UDP port
 * @control:	"static" or "evpn"
 * @peers:	static: the other hosts of serve.conf's vxlan-peers; evpn:
 *		the remote VTEPs FRR put in the VXLAN device's FDB
 * @n_peers:	how many
 * @vxlan_rx_packets, @vxlan_tx_packets, @vxlan_rx_bytes, @vxlan_tx_bytes:
 *		the VXLAN device's counters (0 while it is not there)
 * @vxlan_drops: its drops and errors, both ways
 */
struct svc_network {
	char name[SVC_NAME_MAX];
	char mode[16];
	int has_subnet;
	uint8_t subnet[4];
	uint32_t prefix_len;
	uint8_t gateway[4];
	char state[16];
	char error[SVC_ERRMSG_MAX];
	uint32_t dnsmasq_pid;
	char dnsmasq_state[16];
	uint32_t attachments;
	int allow_spoofing;
	char stream_socket[108];
	int has_subnet6;
	uint8_t subnet6[16];
	uint8_t gateway6[16];
	char nat_iface[16];
	char role[16];
	int has_vxlan;
	uint32_t vni;
	char vxlan_local[16];
	uint32_t vxlan_port;
	char control[16];
	char peers[SVC_PEERS_MAX][16];
	unsigned int n_peers;
	uint64_t vxlan_rx_packets, vxlan_tx_packets;
	uint64_t vxlan_rx_bytes, vxlan_tx_bytes;
	uint64_t vxlan_drops;
};

/**
 * struct svc_reply - one reply
 * @err:	0, or a positive errno: the request was refused
 * @message:	with @err: why, for a human ("not allowed: uid 1000 has no
 *		allow line for network shared in /etc/squib-net/acl.conf")
 * @attach:	attach's reply (its TAP's fd comes with it)
 * @networks, @n_networks, @attachments, @n_attachments: status's reply;
 *		encode reads them, decode fills at most the counts the caller
 *		set (the arrays are the caller's) and sets the counts found
 *
 * JSON: {"v":1,"ok":true,"attachment":{...}},
 * {"v":1,"ok":false,"errno":13,"error":"EACCES","message":"..."},
 * {"v":1,"ok":true,"networks":[...],"attachments":[...]}.
 */
struct svc_reply {
	int err;
	char message[SVC_ERRMSG_MAX];
	struct svc_attach attach;
	struct svc_network *networks;
	unsigned int n_networks;
	struct svc_attach *attachments;
	unsigned int n_attachments;
};

/* Encode: the document's length (< size, NUL-terminated) or -ENOSPC,
 * -EINVAL for a field that cannot be sent; svc_reply_encode() takes a NULL
 * @req for an error reply (to a request that did not decode). Decode: 0,
 * -EPROTONOSUPPORT (an object whose "v" is not ours: the service's reply
 * says EPROTONOSUPPORT), or -EPROTO (a document that is not valid JSON,
 * not an object, with a member of a wrong type or out of range, or an
 * unknown one) with why in @msg. Decode never trusts @len bytes to hold a
 * NUL. */
int svc_request_encode(const struct svc_request *r, char *buf, size_t size);
int svc_request_decode(const char *buf, size_t len, struct svc_request *r,
		       char *msg, size_t msglen);
int svc_reply_encode(const struct svc_request *req, const struct svc_reply *r,
		     char *buf, size_t size);
int svc_reply_decode(enum svc_op op, const char *buf, size_t len,
		     struct svc_reply *r, char *msg, size_t msglen);

/**
 * svc_send() - send one document, and @fd with it when @fd >= 0
 * Return: 0 or a negative errno (-EMSGSIZE past SVC_MSG_MAX).
 */
int svc_send(int sock, const char *buf, size_t len, int fd);

/**
 * svc_recv() - receive one document (into @buf, NUL-terminated) and at
 * most one fd (into *@fd, close-on-exec, -1 when none came)
 *
 * A document that was cut short (MSG_TRUNC), more than one fd, or
 * control data cut short (MSG_CTRUNC): every fd that came is closed and
 * -EMSGSIZE/-EPROTO returned. Return: the document's length, 0 when the
 * peer closed, or a negative errno.
 */
ssize_t svc_recv(int sock, char *buf, size_t size, int *fd);

/* The path a client uses: @path if set, else $SQN_SERVICE (secure_getenv)
 * if set, else SVC_SOCKET_DEFAULT. */
const char *svc_socket_path(const char *path);

/* "EACCES" for EACCES, ...; "E?" for one it does not know. */
const char *svc_errno_name(int err);

#endif /* SQN_SVCPROTO_H */
