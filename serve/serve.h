/* SPDX-License-Identifier: MIT */
/* serve.h - squib-net serve: the service's state, which its parts share
 * (config, networks, connections, attachments, the event loop) */
#ifndef SQN_SERVE_H
#define SQN_SERVE_H

#include <stdint.h>
#include <sys/types.h>

#include "acl.h"
#include "netspec.h"
#include "svcproto.h"
#include "sys/netplane.h"

#define SERVE_CONFIG_DEFAULT "/etc/squib-net/serve.conf"
#define SERVE_GROUP_DEFAULT "squib-net"
#define SERVE_NETWORKS_MAX 32
/* Static VXLAN peers of one network, and BGP neighbours of the service. */
#define SERVE_PEERS_MAX 32
/* VXLAN's default UDP port (IANA), and the largest VNI (24 bits). */
#define SERVE_VXLAN_PORT 4789
#define SERVE_VNI_MAX 16777215u
/* What VXLAN's encapsulation costs an IPv4 underlay: outer IPv4 (20),
 * UDP (8), VXLAN (8) and the inner Ethernet header (14). */
#define SERVE_VXLAN_OVERHEAD 50
#define SERVE_PATH_MAX 512
/* Connections at once: each costs a descriptor and a little memory; a
 * client past this is closed at once (and logged). */
#define SERVE_CONNS_MAX 1000
/* Of those, the last ones are root's only (the administrator's status
 * gets through whatever the others do), and one uid other than root has
 * at most SERVE_CONNS_PER_UID. */
#define SERVE_CONNS_ROOT 16
#define SERVE_CONNS_PER_UID 64
/* Attachments of one uid other than root when no max-attachments line of
 * the ACL limits it. */
#define SERVE_ATT_DEFAULT_MAX 256
/* Stream connections at once (streams.c): each holds its socket and its
 * TAP twice (the attachment's and the relay's) and two frame buffers;
 * the last SERVE_STREAMS_ROOT are root's, one other uid has at most
 * SERVE_STREAMS_PER_UID. */
#define SERVE_STREAMS_MAX 1000
#define SERVE_STREAMS_ROOT 16
#define SERVE_STREAMS_PER_UID 64
/* How long an attach or a detach waits for the namespace's lock, which
 * the networks' keepers take briefly. */
#define SERVE_LOCK_MS 3000

/* What an epoll event is about: the first member of each watched thing. */
enum serve_kind {
	SERVE_LISTEN,
	SERVE_SIGNAL,
	SERVE_TIMER,
	SERVE_CONN,
	SERVE_HOLDER,
	SERVE_DNSMASQ,
	SERVE_STREAM_LISTEN, /* a network's stream socket (streams.c) */
	SERVE_RELAY, /* a relay's socket or TAP (relay.c) */
	SERVE_SPOOF, /* the lease files' inotify (spoof.c) */
	SERVE_LINKS, /* links going: adopted TAPs (state.c) */
	SERVE_ROUTES, /* route changes: NAT follows the route (route.c) */
};

/**
 * struct serve_watch - a descriptor in the event loop
 * @kind:	what it is
 * @fd:		the descriptor, -1 when none
 */
struct serve_watch {
	enum serve_kind kind;
	int fd;
};

/**
 * struct serve_netconf - one network of serve.conf, as written
 * @name:	its name, also its bridge's
 * @mode:	shared, host or bridged
 * @subnet, @nat_iface, @dns_upstream, @dns_hosts, @bridged_iface: the
 *		settings; "" when not given (the library's defaults)
 * @isolation:	1 on (the default), 0 off
 * @mtu:	0: the default
 * @allow_spoofing: 1: ports are not held to their MAC and address
 *		("allow-spoofing yes"); 0 (the default): they are
 * @vni:	"vxlan-vni": the network spans hosts over kernel VXLAN with
 *		this VNI (1 to SERVE_VNI_MAX); 0: it does not (none of the
 *		vxlan settings below may be given then)
 * @member:	"vxlan-role member": this host only has the bridge and the
 *		VXLAN port (no address, dnsmasq or NAT; its guests get their
 *		leases from the gateway host across the overlay); 0
 *		"vxlan-role gateway" (the default): the network as on one
 *		host, plus the VXLAN port
 * @vx_local:	"vxlan-local": this host's underlay IPv4 address, dotted;
 *		"" when @vx_underlay names the interface instead
 * @vx_underlay: "vxlan-underlay": the underlay interface (its first IPv4
 *		address is the local one; a WireGuard interface, say); ""
 *		none. At least one of the two is given.
 * @vx_port:	"vxlan-port": UDP port, default SERVE_VXLAN_PORT
 * @evpn:	"vxlan-control evpn": FRR's BGP EVPN fills the FDB (the
 *		service's global bgp-* settings); 0 "static" (the default):
 *		@vx_peers is the flood list
 * @vx_peers:	"vxlan-peers A,B,...": the other hosts' underlay IPv4
 *		addresses, dotted (static only; may be empty: a host alone)
 * @n_peers:	how many
 * @line:	where it starts in the file, for messages
 */
struct serve_netconf {
	char name[SVC_NAME_MAX];
	enum sqn_mode mode;
	char subnet[32];
	char subnet6[64];
	char nat_iface[16];
	char dns_upstream[128];
	char dns_hosts[SERVE_PATH_MAX];
	char bridged_iface[16];
	int isolation;
	uint32_t mtu;
	int allow_spoofing;
	uint32_t vni;
	int member;
	char vx_local[16];
	char vx_underlay[16];
	uint16_t vx_port;
	int evpn;
	char vx_peers[SERVE_PEERS_MAX][16];
	unsigned int n_peers;
	int line;
};

/**
 * struct serve_config - serve.conf and the command line
 * @path:	the file read, "" when none
 * @socket:	the control socket's path
 * @group:	its group (a name or a number), "" for the default
 * @acl:	the ACL file
 * @acl_given:	@acl was named (--acl or the file): it must exist
 * @bgp_asn:	"bgp-asn": the AS of FRR's "router bgp" for networks with
 *		vxlan-control evpn (iBGP: the neighbours are of the same AS);
 *		0: not given (an evpn network needs it)
 * @bgp_router_id: "bgp-router-id", dotted; "": the first evpn network's
 *		local underlay address
 * @bgp_neighbors: "bgp-neighbors A,B,...": the BGP neighbours, dotted
 * @n_bgp_neighbors: how many
 * @frr_pathspace: "frr-pathspace": FRR's daemons run with -N NAME (vtysh
 *		-N NAME reaches them); "": the default FRR
 * @nets:	the networks
 * @n_nets:	how many
 */
struct serve_config {
	char path[SERVE_PATH_MAX];
	char socket[108];
	char group[64];
	char acl[SERVE_PATH_MAX];
	int acl_given;
	uint32_t bgp_asn;
	char bgp_router_id[16];
	char bgp_neighbors[SERVE_PEERS_MAX][16];
	unsigned int n_bgp_neighbors;
	char frr_pathspace[32];
	struct serve_netconf nets[SERVE_NETWORKS_MAX];
	unsigned int n_nets;
};

/* dnsmasq's state in status: running, being started again, or none
 * (bridged, or the network is down). */
enum serve_dns { SERVE_DNS_NONE, SERVE_DNS_RUNNING, SERVE_DNS_RESTARTING };

/**
 * struct serve_net - one network the service owns
 * @w:		its dnsmasq's pidfd (SERVE_DNSMASQ), -1 while none runs
 * @conf:	its settings, as written
 * @spec:	checked (the library's config_check()); its strings point
 *		into @conf
 * @up:		1 once made (held), or found (bridged)
 * @error:	why it is down
 * @hold:	the service's hold on it (shared, host)
 * @dns:	its dnsmasq's state
 * @dns_pid:	its pid, 0 none
 * @dns_down_ms: when it was found ended
 * @n_att:	its attachments
 * @keeper_retry_ms: when its keeper, found gone, may be started again
 * @keeper_pause_ms: the pause before that, doubled at each start that
 *		did not bring dnsmasq back (0 while it runs)
 * @stream:	its stream socket, listening (SERVE_STREAM_LISTEN; fd -1
 *		while none); @stream_net points back here
 * @stream_net:	this network, for the loop's event on @stream
 * @stream_path: the stream socket's path, "" when none
 * @nat_warned:	the default route's interface that NAT could not follow
 *		(logged once), "" none (route.c)
 * @vx_local:	with a VNI: the local underlay address in use, dotted
 *		(vxlan-local, or vxlan-underlay's first), "" until found
 * @vx_under:	the underlay interface (vxlan-underlay, or the one that
 *		holds vxlan-local), "" until found (vxlan.c)
 */
struct serve_net {
	struct serve_watch w;
	struct serve_netconf conf;
	struct net_spec spec;
	int up;
	char error[SVC_ERRMSG_MAX];
	struct netplane hold;
	enum serve_dns dns;
	long dns_pid;
	long dns_down_ms;
	unsigned int n_att;
	long keeper_retry_ms;
	long keeper_pause_ms;
	struct serve_watch stream;
	struct serve_net *stream_net;
	char stream_path[108];
	char nat_warned[16];
	char vx_local[16];
	char vx_under[16];
};

struct serve_att;
struct serve_relay;
struct serve_spoof;

/**
 * struct serve_conn - one client's control connection
 * @w:		its socket (SERVE_CONN)
 * @peer:	who it is (SO_PEERCRED, SO_PEERGROUPS)
 * @pidfd:	the peer process's pidfd (SO_PEERPIDFD), -1 when the kernel
 *		has none
 * @out:	a reply the socket did not take yet, NULL when none; no
 *		request is read meanwhile
 * @out_len:	its length
 * @out_fd:	the descriptor that goes with it, -1 none
 * @broken:	a reply could not be sent: the connection is closed once
 *		its request is done
 * @prev, @next: the service's list
 */
struct serve_conn {
	struct serve_watch w;
	struct acl_peer peer;
	int pidfd;
	char *out;
	size_t out_len;
	int out_fd;
	int broken;
	struct serve_conn *prev, *next;
};

/**
 * struct serve_att - one attachment: a TAP handed to a client
 * @w:		the holder's pidfd (SERVE_HOLDER) for holds "process" and
 *		"parent", -1 for "connection"
 * @id:		its number, as the client knows it
 * @net:	its network
 * @conn:	hold "connection": the connection it lives as long as
 * @hold:	enum svc_hold
 * @uid:	the client's uid
 * @pid:	the client's pid
 * @holder:	the pid it lives as long as (hold process or parent), 0 none
 * @label:	the client's label
 * @facts:	what the attach reply said
 * @kind:	enum svc_kind: fd, dgram, named or stream
 * @mac_asked:	the client named the guest's MAC (else the one in @facts
 *		is only the service's proposal: a VMM may use its own)
 * @relay:	dgram, stream: the relay between the client's socket and
 *		the TAP (relay.c), NULL for fd and named
 * @spoof:	its anti-spoofing state (spoof.c), NULL when the network
 *		allows spoofing
 * @np:		its TAP and entry on record
 * @prev, @next: the service's list
 */
struct serve_att {
	struct serve_watch w;
	uint32_t id;
	struct serve_net *net;
	struct serve_conn *conn;
	enum svc_hold hold;
	uid_t uid;
	pid_t pid;
	pid_t holder;
	char label[SVC_LABEL_MAX];
	struct svc_attach facts;
	enum svc_kind kind;
	int mac_asked;
	struct serve_relay *relay;
	struct serve_spoof *spoof;
	struct netplane np;
	struct serve_att *prev, *next;
};

/**
 * struct serve - the service
 * @cfg:	its configuration
 * @acl:	the ACL in force
 * @ep:		the epoll instance
 * @listen:	the control socket
 * @sig:	the signalfd
 * @timer:	the timerfd of supervision (armed while a dnsmasq is being
 *		started again)
 * @activated:	the control socket came from systemd (not ours to unlink)
 * @socket_made: the control socket's file is ours to unlink at the end
 * @nets:	the networks
 * @n_nets:	how many
 * @conns:	the connections
 * @n_conns:	how many
 * @atts:	the attachments
 * @n_atts:	how many
 * @next_id:	the next attachment's number
 * @spoof:	the inotify of the networks' lease files (SERVE_SPOOF),
 *		-1 while no network holds its ports to their addresses
 *		(spoof.c)
 * @spoof_sets:	the MAC sets of the anti-spoofing table a service that was
 *		killed left, until its attachments are adopted (spoof.c)
 * @stop:	SIGTERM came
 * @spare:	a descriptor kept in reserve (/dev/null), closed to accept and
 *		close a connection when the service is out of descriptors, so
 *		the listening socket does not stay readable; -1 while none
 * @warned_ms:	when conn.c last warned of a refused connection
 * @warned_why:	why (another reason is warned of at once)
 * @unwarned:	refusals not logged since
 * @buf:	one request or reply, SVC_MSG_MAX bytes and a NUL
 * @links:	rtnetlink, told of links going, while attachments adopted
 *		after a restart have no TAP descriptor of the service's
 *		(SERVE_LINKS, state.c); fd -1 otherwise
 * @state_ready: the record of attachments (state.c) was read: from now on
 *		it is written at each change
 * @routes:	rtnetlink, told of route changes, for shared networks that
 *		follow the default route (SERVE_ROUTES, route.c); fd -1 when
 *		not watched
 * @vx_missing:	why this kernel cannot make VXLAN devices (vxlan_probe()),
 *		"" when it can or no network asks for one
 * @frr_error:	why FRR did not take the service's part (frr_apply()): the
 *		networks with vxlan-control evpn stay down; "" when it did
 */
struct serve {
	struct serve_config cfg;
	struct acl *acl;
	int ep;
	struct serve_watch listen;
	struct serve_watch sig;
	struct serve_watch timer;
	int activated;
	int socket_made;
	struct serve_net nets[SERVE_NETWORKS_MAX];
	unsigned int n_nets;
	struct serve_conn *conns;
	unsigned int n_conns;
	struct serve_att *atts;
	unsigned int n_atts;
	uint32_t next_id;
	struct serve_watch spoof;
	char *spoof_sets;
	int stop;
	int spare;
	long warned_ms;
	char warned_why[64];
	unsigned long unwarned;
	char *buf;
	struct serve_watch links;
	int state_ready;
	struct serve_watch routes;
	char vx_missing[SVC_ERRMSG_MAX];
	char frr_error[SVC_ERRMSG_MAX];
};

long serve_now_ms(void);
int serve_watch_add(struct serve *s, struct serve_watch *w, uint32_t events);
int serve_watch_mod(struct serve *s, struct serve_watch *w, uint32_t events);
void serve_watch_del(struct serve *s, struct serve_watch *w);

#endif /* SQN_SERVE_H */
