/* SPDX-License-Identifier: MIT */
/* vmnet_iface.h - a vmnet.framework interface's life (description, start,
 * stop, the handlers' shared state), for the vmnet backend */
#ifndef SQN_SYS_VMNET_IFACE_H
#define SQN_SYS_VMNET_IFACE_H

#include <pthread.h>
#include <stdint.h>

#include "ipv4.h"
#include "net.h"
#include "sys/vmnet_api.h"

/* Packets per vmnet_read() (QEMU and socket_vmnet read at most 200), and
 * the bytes their buffers may take: fewer per call for large packets. */
#define VMNET_READ_MAX 200
#define VMNET_READ_BYTES (4u << 20)
/* Packets per vmnet_write(); halved while vmnet says too many, doubled
 * again after VMNET_WRITE_GROW full batches at the smaller size. */
#define VMNET_WRITE_MAX 200
#define VMNET_WRITE_GROW 64
/* The smallest max packet size vmnet may report: an Ethernet minimum. */
#define VMNET_MIN_PACKET 60
/* How long sqn_close() waits for the stop's handler, for a port forward's
 * add that timed out, and for each forward's removal. */
#define VMNET_STOP_MS 2000
/* virtio 1.x's virtio_net_hdr (VIRTIO_F_VERSION_1: num_buffers included),
 * what vmnet_enable_virtio_header_key puts before each packet. */
#define VMNET_VNET_HDR_LEN 12
#define VMNET_TSO_FRAME (65535 + SQN_ETH_HLEN)
#define VMNET_EVENTS VMNET_INTERFACE_PACKETS_AVAILABLE

/**
 * struct vmnet_shared - what the framework's handlers share with the
 * attachment, kept until the last of them let go of it: a handler may
 * come after sqn_close() stopped waiting for it
 * @lock:	guards @refs and @wake
 * @refs:	the attachment, the event handler (until a block queued
 *		after its unregistering), each start or stop handler due
 * @wake:	the attachment's fd, which the event handler makes readable;
 *		-1 once closed
 * @started:	signalled by the start handler
 * @stopped:	signalled by the stop handler
 * @status:	the start handler's status
 * @mtu:	what the start handler found in interface_param
 * @max_packet:	likewise
 * @mac:	likewise, "xx:xx:xx:xx:xx:xx"
 * @start:	likewise, the subnet's first address (shared, host)
 * @mask:	likewise, its mask
 */
struct vmnet_shared {
	pthread_mutex_t lock;
	int refs;
	int wake;
	dispatch_semaphore_t started;
	dispatch_semaphore_t stopped;
	vmnet_return_t status;
	uint64_t mtu;
	uint64_t max_packet;
	char mac[18];
	char start[IPV4_STRLEN];
	char mask[IPV4_STRLEN];
};

/**
 * struct vmnet - one attachment's interface
 * @sh:		what the handlers see
 * @iface:	the interface, NULL when none was started
 * @queue:	the serial queue its handlers run on
 * @rxd:	read descriptors, one per buffer
 * @rxiov:	their pieces: one buffer each
 * @rxbuf:	@rx_batch buffers of @rx_slot bytes
 * @rx_batch:	packets per vmnet_read()
 * @rx_slot:	bytes per buffer: vmnet's max_packet_size (and header)
 * @txd:	write descriptors
 * @txiov:	their pieces, for frames copied into @txbuf
 * @txbuf:	@tx_slots buffers of @tx_slot bytes: vmnet takes one piece
 *		per packet [design §7], so a frame the caller gives in
 *		several is copied into one of them
 * @tx_slots:	how many
 * @tx_slot:	bytes each: the largest frame (and header)
 * @tx_max:	packets per vmnet_write()
 * @tx_full:	full batches written at @tx_max since it last changed
 * @down:	the interface failed: read and write no more
 * @events:	the event handler is registered (and holds a reference)
 */
struct vmnet {
	struct vmnet_shared *sh;
	interface_ref iface;
	dispatch_queue_t queue;
	struct vmpktdesc *rxd;
	struct iovec *rxiov;
	uint8_t *rxbuf;
	unsigned int rx_batch;
	size_t rx_slot;
	struct vmpktdesc *txd;
	struct iovec *txiov;
	uint8_t *txbuf;
	unsigned int tx_slots;
	size_t tx_slot;
	int tx_max;
	unsigned int tx_full;
	int down;
	int events;
};

/**
 * struct vmnet_fwd - one port forward, checked
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @host_port:	the port on every address of the host
 * @guest_port:	the guest's port
 */
struct vmnet_fwd {
	uint8_t proto;
	uint16_t host_port;
	uint16_t guest_port;
};

struct vmnet_fwd_call;

/**
 * struct vmnet_fwds - an attachment's port forwards, from the config check
 * to sqn_close() (sqn_config's own array need not outlive sqn_open())
 * @f:		the forwards
 * @n:		how many
 * @added:	the first @added were asked of vmnet (the last perhaps
 *		still unanswered: @pending): sqn_close() removes them
 * @guest_ip:	where they lead, sqn_config.guest_ip (kept here: the
 *		framework is given its address)
 * @pending:	the add of forward @added - 1 whose answer timed out, or
 *		NULL: sqn_close() waits for it before the removals (a
 *		rule that lands after its removal would stay)
 */
struct vmnet_fwds {
	struct vmnet_fwd f[SQN_FORWARDS_MAX];
	unsigned int n;
	unsigned int added;
	struct in_addr guest_ip;
	struct vmnet_fwd_call *pending;
};

const char *vmnet_strerror(vmnet_return_t st);
int vmnet_errno(vmnet_return_t st);
struct vmnet_shared *vmnet_shared_new(void);
void vmnet_shared_put(struct vmnet_shared *sh);
int vmnet_uuid(const char *id, uint8_t uuid[16]);
uint32_t vmnet_offloads_avail(void);
uint32_t vmnet_offloads_want(uint32_t asked, uint32_t avail);
xpc_object_t vmnet_desc(const struct sqn_net *net, const uint8_t *uuid,
			uint32_t offloads);
int vmnet_wait(dispatch_semaphore_t sem, uint32_t ms);
int vmnet_start(struct sqn_net *net, struct vmnet *v, xpc_object_t d);
int vmnet_events_on(struct vmnet *v);
void vmnet_stop(struct sqn_net *net, struct vmnet *v);

int vmnet_fwd_check(const struct sqn_config *cfg, const struct net_params *p,
		    struct vmnet_fwds **out, char *msg, size_t len);
int vmnet_fwd_add(struct sqn_net *net, struct vmnet *v, struct vmnet_fwds *fw);
void vmnet_fwd_remove(struct sqn_net *net, struct vmnet *v,
		      struct vmnet_fwds *fw);
void vmnet_fwd_free(struct vmnet_fwds *fw);

#endif /* SQN_SYS_VMNET_IFACE_H */
