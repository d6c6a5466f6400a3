/* SPDX-License-Identifier: MIT */
/* vmnet_api.h - the parts of vmnet.framework, libdispatch and XPC the vmnet
 * backend calls, declared by hand (tests/fake_vmnet/ implements them) */
#ifndef SQN_SYS_VMNET_API_H
#define SQN_SYS_VMNET_API_H

/*
 * Declared here rather than taken from <vmnet/vmnet.h>, <dispatch/dispatch.h>
 * and <xpc/xpc.h> so that the backend builds the same against the real
 * frameworks on macOS and against the fake of tests/fake_vmnet/ on Linux
 * (where those headers do not exist). Every value was checked against:
 *  [A] Apple's vmnet reference (developer.apple.com/documentation/vmnet),
 *      as kept in github.com/theAppLaunchers/apple-docs-for-rag, vmnet/md/
 *  [N] the SDK's vmnet.h as transcribed by NativeScript's typings
 *      (enum values: vmnet_return_t 1000-1008, operating_modes_t
 *      1000-1002, interface_event_t 1)
 *  [S] the squib crate's notes after its first run on macOS 15 (the key
 *      variables point at "vmnet_operation_mode" etc., with no "_key"
 *      suffix; modes were swapped there, host is 1000)
 *  [D] libdispatch's dispatch/time.h and dispatch/queue.h, xpc/base.h
 *  [H] the SDK's vmnet.h itself, MacOSX13.3.sdk/System/Library/Frameworks/
 *      vmnet.framework/Versions/A/Headers/vmnet.h as kept in
 *      github.com/alexey-lysiuk/macos-sdk (and the 11.3 SDK's, in
 *      github.com/phracker/MacOSX-SDKs, which has only the 10.15 pair)
 * Only the C ABI matters: the names link against the frameworks' symbols.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifndef __BLOCKS__
#error "the vmnet backend needs blocks: build it with clang -fblocks"
#endif

/* XPC [D: xpc/base.h, "typedef void * xpc_object_t" without Objective-C] */
typedef void *xpc_object_t;

xpc_object_t xpc_dictionary_create(const char *const *keys,
				   const xpc_object_t *values, size_t count);
void xpc_dictionary_set_uint64(xpc_object_t dict, const char *key,
			       uint64_t value);
void xpc_dictionary_set_bool(xpc_object_t dict, const char *key, bool value);
void xpc_dictionary_set_string(xpc_object_t dict, const char *key,
			       const char *value);
void xpc_dictionary_set_uuid(xpc_object_t dict, const char *key,
			     const unsigned char *uuid);
uint64_t xpc_dictionary_get_uint64(xpc_object_t dict, const char *key);
const char *xpc_dictionary_get_string(xpc_object_t dict, const char *key);
void xpc_release(xpc_object_t object);

/* libdispatch [D]. dispatch_time() takes nanoseconds; DISPATCH_TIME_NOW is
 * 0 and DISPATCH_TIME_FOREVER ~0ull; DISPATCH_QUEUE_SERIAL is NULL; a
 * semaphore wait returns non-zero when it timed out. In C the objects are
 * plain pointers (a transparent union for dispatch_object_t, passed as
 * one pointer). */
typedef struct dispatch_queue_s *dispatch_queue_t;
typedef struct dispatch_queue_attr_s *dispatch_queue_attr_t;
typedef struct dispatch_semaphore_s *dispatch_semaphore_t;
typedef uint64_t dispatch_time_t;

#define DISPATCH_TIME_NOW (0ull)
#define DISPATCH_TIME_FOREVER (~0ull)
#define DISPATCH_QUEUE_SERIAL ((dispatch_queue_attr_t)0)
#define NSEC_PER_MSEC 1000000ull

dispatch_queue_t dispatch_queue_create(const char *label,
				       dispatch_queue_attr_t attr);
dispatch_semaphore_t dispatch_semaphore_create(intptr_t value);
intptr_t dispatch_semaphore_wait(dispatch_semaphore_t sem,
				 dispatch_time_t timeout);
intptr_t dispatch_semaphore_signal(dispatch_semaphore_t sem);
dispatch_time_t dispatch_time(dispatch_time_t when, int64_t delta);
void dispatch_release(void *object);
/* Runs a copy of @block on @queue, after what is queued there. */
typedef void (^dispatch_block_t)(void);
void dispatch_async(dispatch_queue_t queue, dispatch_block_t block);

/* vmnet.framework. vmnet_return_t [A: vmnet_return_t; N: values]; 1009 and
 * 1010 are the later additions [A: VMNET_SHARING_SERVICE_BUSY,
 * VMNET_NOT_AUTHORIZED, "macOS 10.10+" in the reference; their values as
 * vmnet reports them, in QEMU's and others' vmnet strerror tables]. */
typedef enum {
	VMNET_SUCCESS = 1000,
	VMNET_FAILURE = 1001,
	VMNET_MEM_FAILURE = 1002,
	VMNET_INVALID_ARGUMENT = 1003,
	VMNET_SETUP_INCOMPLETE = 1004,
	VMNET_INVALID_ACCESS = 1005,
	VMNET_PACKET_TOO_BIG = 1006,
	VMNET_BUFFER_EXHAUSTED = 1007,
	VMNET_TOO_MANY_PACKETS = 1008,
	VMNET_SHARING_SERVICE_BUSY = 1009,
	VMNET_NOT_AUTHORIZED = 1010,
} vmnet_return_t;

/* operating_modes_t [A; N; S]: host 1000, shared 1001, bridged 1002
 * (bridged since macOS 10.15). */
typedef enum {
	VMNET_HOST_MODE = 1000,
	VMNET_SHARED_MODE = 1001,
	VMNET_BRIDGED_MODE = 1002,
} operating_modes_t;

/* interface_event_t [A; N]: a bit mask. */
typedef uint32_t interface_event_t;
#define VMNET_INTERFACE_PACKETS_AVAILABLE (1u << 0)

/* struct vmpktdesc [A: vmpktdesc]: vm_pkt_size is, for vmnet_read(), the
 * buffer's size in and the packet's out; one packet per descriptor, in
 * vm_pkt_iovcnt pieces. */
struct vmpktdesc {
	size_t vm_pkt_size;
	struct iovec *vm_pkt_iov;
	uint32_t vm_pkt_iovcnt;
	uint32_t vm_flags;
};

typedef struct vmnet_interface_s *interface_ref;

typedef void (^vmnet_start_interface_completion_handler_t)(
	vmnet_return_t status, xpc_object_t interface_param);
typedef void (^vmnet_interface_completion_handler_t)(vmnet_return_t status);
typedef void (^vmnet_interface_event_callback_t)(interface_event_t event_mask,
						 xpc_object_t event);

/* [A: vmnet_start_interface]: the handler runs on @queue with the
 * interface's parameters, valid only while it runs. NULL: refused at once,
 * and the handler is not called (QEMU's vmnet-common.m relies on this). */
interface_ref
vmnet_start_interface(xpc_object_t interface_desc, dispatch_queue_t queue,
		      vmnet_start_interface_completion_handler_t handler);
/* [A: vmnet_stop_interface]: the handler runs on @queue once stopped. */
vmnet_return_t
vmnet_stop_interface(interface_ref interface, dispatch_queue_t queue,
		     vmnet_interface_completion_handler_t handler);
/* [A: vmnet_interface_set_event_callback]: a NULL queue and callback
 * unregister it (QEMU's vmnet-common.m does so before the stop). */
vmnet_return_t vmnet_interface_set_event_callback(
	interface_ref interface, interface_event_t event_mask,
	dispatch_queue_t queue, vmnet_interface_event_callback_t callback);
/* [A: vmnet_read]: *pktcnt in: descriptors; out: packets read (0: none).
 * Each buffer at least vmnet_max_packet_size_key's value. */
vmnet_return_t vmnet_read(interface_ref interface, struct vmpktdesc *packets,
			  int *pktcnt);
/* [A: vmnet_write]: *pktcnt in: packets; out: packets written, which may
 * be fewer. */
vmnet_return_t vmnet_write(interface_ref interface, struct vmpktdesc *packets,
			   int *pktcnt);

/*
 * Port forwarding [H: vmnet_interface_add_port_forwarding_rule and the
 * three after it; A: the same names]. Two generations, both looked up by
 * name at run time (vmnet_fwd_darwin.c), never linked, as the later keys:
 *  vmnet_interface_add_ip_port_forwarding_rule,
 *  vmnet_interface_remove_ip_port_forwarding_rule
 *	API_AVAILABLE(macos(11.0)); @address_family AF_INET or AF_INET6, and
 *	@internal_address points to a struct in_addr or in6_addr
 *  vmnet_interface_add_port_forwarding_rule,
 *  vmnet_interface_remove_port_forwarding_rule
 *	API_DEPRECATED("replaced by vmnet_interface_add_ip_port_forwarding_rule",
 *	macos(10.15, 12.0)); @internal_address a struct in_addr, by value
 * In all four: @protocol "must be either IPPROTO_TCP or IPPROTO_UDP (see
 * <netinet/in.h>)", as a uint8_t; both ports "must be in host byte order";
 * the return is VMNET_SUCCESS when the handler "was scheduled", and then
 * the handler gets the rule's own status. No queue is given: the handler
 * runs on one of the framework's. No host address is given either: a rule
 * takes the port on every address of the host.
 */
typedef vmnet_return_t (*vmnet_add_ip_fwd_fn)(
	interface_ref interface, uint8_t protocol, uint16_t external_port,
	uint8_t address_family, const void *internal_address,
	uint16_t internal_port, vmnet_interface_completion_handler_t handler);
typedef vmnet_return_t (*vmnet_remove_ip_fwd_fn)(
	interface_ref interface, uint8_t protocol, uint16_t external_port,
	uint8_t address_family, vmnet_interface_completion_handler_t handler);
typedef vmnet_return_t (*vmnet_add_fwd_fn)(
	interface_ref interface, uint8_t protocol, uint16_t external_port,
	struct in_addr internal_address, uint16_t internal_port,
	vmnet_interface_completion_handler_t handler);
typedef vmnet_return_t (*vmnet_remove_fwd_fn)(
	interface_ref interface, uint8_t protocol, uint16_t external_port,
	vmnet_interface_completion_handler_t handler);

/*
 * Dictionary keys [A: "interface_desc/interface_param XPC Dictionary
 * Keys"]: global variables of the framework (extern const char *), whose
 * values are the strings vmnet looks for ("vmnet_operation_mode", ... [S]).
 * Used as variables, never as string literals: the framework's own
 * strings are used, whatever they are. Those of macOS 10.10 are linked;
 * every later one is looked up at run time, by its symbol's name
 * (vmnet_iface_darwin.c's vmnet_key()), never linked: an SDK older than
 * the key does not have it, and even a weak reference to it fails to link
 * there (macos-14's SDK lacks vmnet_enable_virtio_header_key). Absent: the
 * backend leaves the option out. Looked up by name:
 *  vmnet_start_address_key, vmnet_end_address_key, vmnet_subnet_mask_key
 *	interface_desc, shared and host mode [A: macOS 10.15+]
 *  vmnet_shared_interface_name_key  bridged mode's NIC [A: macOS 10.15+]
 *  vmnet_enable_isolation_key  [A: macOS 11.0+]
 *  vmnet_allocate_mac_address_key  false lets the guest use a MAC address
 *	of its own [A: macOS 10.15+]
 *  vmnet_enable_tso_key  [A: macOS 11.0+]
 *  vmnet_enable_virtio_header_key  [A: macOS 15.4+]: a virtio_net_hdr
 *	before each packet, which carries the checksum offload; Apple's
 *	reference says it must not be given with
 *	vmnet_enable_checksum_offload_key [A: macOS 12.0+], which is
 *	therefore never used
 */
/* interface_desc, macOS 10.10 */
extern const char *const vmnet_operation_mode_key;
/* [A: vmnet_interface_id_key]: an xpc uuid; vmnet maps it to a MAC
 * address, so two interfaces given the same one ask for the same MAC */
extern const char *const vmnet_interface_id_key;
/* interface_desc (asks for an MTU) and interface_param [A: vmnet_mtu_key,
 * macOS 10.10+, "the MTU to be configured on the virtual interface in the
 * guest", uint64] */
extern const char *const vmnet_mtu_key;
/* interface_param, macOS 10.10: the guest's MAC "xx:xx:xx:xx:xx:xx", the
 * largest packet (uint64) */
extern const char *const vmnet_mac_address_key;
extern const char *const vmnet_max_packet_size_key;

#endif /* SQN_SYS_VMNET_API_H */
