/* SPDX-License-Identifier: MIT */
/* fake_vmnet.h - a scriptable stand-in for vmnet.framework, libdispatch and
 * XPC on Linux, so the vmnet backend's logic runs in tests */
#ifndef SQN_FAKE_VMNET_H
#define SQN_FAKE_VMNET_H

#include <stddef.h>
#include <stdint.h>

#include "sys/vmnet_api.h"

/**
 * struct fake_vmnet_script - how the next interfaces behave
 * @start_status:	status the start handler reports
 * @start_refuse:	vmnet_start_interface() returns NULL, no handler
 * @start_never:	the start handler is held back (fake_vmnet_release())
 * @start_delay_ms:	the handler runs this late, on the queue
 * @stop_never:		the stop handler is held back
 * @stop_status:	vmnet_stop_interface() fails with it, and no handler
 *			comes (the interface is freed at fake_vmnet_release())
 * @stop_delay_ms:	the stop handler runs this late, on the queue
 * @event_delay_ms:	a packet event, once queued, waits this long on the
 *			queue before it calls the handler it was queued for
 * @mtu:		interface_param's MTU
 * @max_packet:		interface_param's max packet size
 * @mac:		interface_param's MAC, "" for none
 * @ring:		packets an interface holds for vmnet_read()
 * @echo:		packets written come back to be read
 * @write_limit:	vmnet_write() takes at most this many per call (0: all)
 * @write_max:		more per call than this: VMNET_TOO_MANY_PACKETS (read
 *			at each call: it may change while an interface runs)
 * @write_status:	vmnet_write()'s status (0: VMNET_SUCCESS)
 * @read_status:	vmnet_read()'s status (0: VMNET_SUCCESS)
 * @fwd_status:	the handler's status of port forward add number
 *			@fwd_fail_at (counted from 1 since the reset; 0:
 *			every add), 0: VMNET_SUCCESS
 * @fwd_fail_at:	see @fwd_status
 * @fwd_call_status:	a forward add returns it at once, no handler (0:
 *			the handler is scheduled)
 * @fwd_never:		forward adds' handlers are held back
 *			(fake_vmnet_release())
 * @fwd_delay_ms:	forward adds' handlers run this late (on a queue
 *			of their own: removals are not held up)
 * @fwd_remove_status:	forward removals' handlers get it and the rule
 *			stays (0: the rule goes, VMNET_SUCCESS)
 * @fwd_remove_never:	forward removals' handlers are held back
 * @hide:		symbols dlsym() does not find, as on a system older
 *			than they are (NULL ends the list)
 */
struct fake_vmnet_script {
	vmnet_return_t start_status;
	int start_refuse;
	int start_never;
	unsigned int start_delay_ms;
	int stop_never;
	vmnet_return_t stop_status;
	unsigned int stop_delay_ms;
	unsigned int event_delay_ms;
	uint64_t mtu;
	uint64_t max_packet;
	char mac[18];
	unsigned int ring;
	int echo;
	int write_limit;
	int write_max;
	vmnet_return_t write_status;
	vmnet_return_t read_status;
	vmnet_return_t fwd_status;
	unsigned int fwd_fail_at;
	vmnet_return_t fwd_call_status;
	int fwd_never;
	unsigned int fwd_delay_ms;
	vmnet_return_t fwd_remove_status;
	int fwd_remove_never;
	const char *hide[4];
};

/**
 * struct fake_vmnet_rule - a port forwarding rule vmnet holds
 * @proto:	IPPROTO_TCP or IPPROTO_UDP, as given
 * @ext_port:	the host's port, as given (host byte order)
 * @af:		the _ip_ call's address family; 0: the call of 10.15
 * @addr:	the internal IPv4 address, network order
 * @int_port:	the internal port, as given
 */
struct fake_vmnet_rule {
	uint8_t proto;
	uint16_t ext_port;
	uint8_t af;
	uint8_t addr[4];
	uint16_t int_port;
};

/**
 * struct fake_vmnet_fwd_counts - forwarding calls since fake_vmnet_reset()
 * @adds:	add calls, either kind
 * @removes:	remove calls
 * @removed:	rules removed
 * @answered:	add handlers that reached the rule table
 * @dropped:	rules that went with their interface's stop, or whose add
 *		was answered after it: the backend did not take them back
 * @after_stop:	calls on an interface already stopped (refused)
 */
struct fake_vmnet_fwd_counts {
	unsigned int adds;
	unsigned int removes;
	unsigned int removed;
	unsigned int answered;
	unsigned int dropped;
	unsigned int after_stop;
};

/**
 * struct fake_vmnet_fwd_op - a forwarding call, or an interface's stop
 * @op:		'a' add, 'r' remove, 's' stop
 * @proto:	the call's protocol (0 for a stop)
 * @port:	the call's host port (0 for a stop)
 * @live:	its interface was started and not stopped
 */
struct fake_vmnet_fwd_op {
	char op;
	uint8_t proto;
	uint16_t port;
	int live;
};

/**
 * struct fake_vmnet_desc - what an interface_desc asked for
 * @mode:	vmnet_operation_mode_key
 * @uuid:	vmnet_interface_id_key
 * @has_uuid:	it was there
 * @isolation:	vmnet_enable_isolation_key: -1 absent, else 0 or 1
 * @allocate_mac: vmnet_allocate_mac_address_key: -1 absent, else 0 or 1
 * @mtu:	vmnet_mtu_key, 0 absent
 * @start:	vmnet_start_address_key, "" absent
 * @end:	vmnet_end_address_key
 * @mask:	vmnet_subnet_mask_key
 * @bridge:	vmnet_shared_interface_name_key
 * @virtio_hdr:	vmnet_enable_virtio_header_key: -1 absent
 * @csum:	vmnet_enable_checksum_offload_key: -1 absent
 * @tso:	vmnet_enable_tso_key: -1 absent
 */
struct fake_vmnet_desc {
	uint64_t mode;
	uint8_t uuid[16];
	int has_uuid;
	int isolation;
	int allocate_mac;
	uint64_t mtu;
	char start[64];
	char end[64];
	char mask[64];
	char bridge[64];
	int virtio_hdr;
	int csum;
	int tso;
};

/**
 * struct fake_vmnet_counts - what the fake saw, since fake_vmnet_reset()
 * @started:	interfaces started
 * @stopped:	stop calls
 * @live:	interfaces not yet freed
 * @reads:	vmnet_read() calls
 * @read_max:	most descriptors one vmnet_read() was given
 * @writes:	vmnet_write() calls
 * @written:	packets taken by vmnet_write()
 * @events:	event handler calls
 * @bad_read_buf: reads with a buffer smaller than max_packet
 * @bad_write_iov: packets written in more than one piece (refused)
 */
struct fake_vmnet_counts {
	unsigned int started;
	unsigned int stopped;
	unsigned int live;
	unsigned long reads;
	unsigned int read_max;
	unsigned long writes;
	unsigned long written;
	unsigned long events;
	unsigned long bad_read_buf;
	unsigned long bad_write_iov;
};

struct fake_vmnet_script *fake_vmnet_script(void);
void fake_vmnet_reset(void);
struct fake_vmnet_desc fake_vmnet_desc(unsigned int back);
struct fake_vmnet_counts fake_vmnet_counts(void);
int fake_vmnet_inject(const void *frame, size_t len);
void fake_vmnet_release(void);
unsigned int fake_vmnet_rules(struct fake_vmnet_rule *out, unsigned int max);
struct fake_vmnet_fwd_counts fake_vmnet_fwd_counts(void);
unsigned int fake_vmnet_fwd_ops(struct fake_vmnet_fwd_op *out,
				unsigned int max);

/* The framework's forwarding calls [H in src/sys/vmnet_api.h]: the
 * backend never declares them (it looks them up), the fake defines them. */
vmnet_return_t vmnet_interface_add_ip_port_forwarding_rule(
	interface_ref interface, uint8_t protocol, uint16_t external_port,
	uint8_t address_family, const void *internal_address,
	uint16_t internal_port, vmnet_interface_completion_handler_t handler);
vmnet_return_t vmnet_interface_remove_ip_port_forwarding_rule(
	interface_ref interface, uint8_t protocol, uint16_t external_port,
	uint8_t address_family, vmnet_interface_completion_handler_t handler);
vmnet_return_t vmnet_interface_add_port_forwarding_rule(
	interface_ref interface, uint8_t protocol, uint16_t external_port,
	struct in_addr internal_address, uint16_t internal_port,
	vmnet_interface_completion_handler_t handler);
vmnet_return_t vmnet_interface_remove_port_forwarding_rule(
	interface_ref interface, uint8_t protocol, uint16_t external_port,
	vmnet_interface_completion_handler_t handler);

#endif /* SQN_FAKE_VMNET_H */
