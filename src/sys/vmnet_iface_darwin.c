// SPDX-License-Identifier: MIT
/* vmnet_iface_darwin.c - a vmnet.framework interface's life: its
 * description, its start and stop with their handlers, its events */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/sys.h"
#include "sys/vmnet_iface.h"

/**
 * vmnet_strerror() - what a vmnet_return_t means, and what to do about it
 * @st:		the status
 *
 * Return: a string.
 */
const char *vmnet_strerror(vmnet_return_t st)
{
	switch (st) {
	case VMNET_SUCCESS:
		return "success";
	case VMNET_FAILURE:
		return "VMNET_FAILURE: general failure";
	case VMNET_MEM_FAILURE:
		return "VMNET_MEM_FAILURE: out of memory";
	case VMNET_INVALID_ARGUMENT:
		return "VMNET_INVALID_ARGUMENT: the framework refused the interface's description (a bad subnet, or an option this macOS lacks)";
	case VMNET_SETUP_INCOMPLETE:
		return "VMNET_SETUP_INCOMPLETE: interface setup incomplete";
	case VMNET_INVALID_ACCESS:
		return "VMNET_INVALID_ACCESS: permission denied: run as root, or sign the program with the com.apple.vm.networking entitlement (docs/macos.md)";
	case VMNET_PACKET_TOO_BIG:
		return "VMNET_PACKET_TOO_BIG: a packet larger than the interface's largest";
	case VMNET_BUFFER_EXHAUSTED:
		return "VMNET_BUFFER_EXHAUSTED: the kernel's buffers are full";
	case VMNET_TOO_MANY_PACKETS:
		return "VMNET_TOO_MANY_PACKETS: more packets than one call takes";
	case VMNET_SHARING_SERVICE_BUSY:
		return "VMNET_SHARING_SERVICE_BUSY: another program's vmnet network holds this subnet with other settings (choose another subnet)";
	case VMNET_NOT_AUTHORIZED:
		return "VMNET_NOT_AUTHORIZED: not authorized (bridged mode needs the com.apple.vm.networking entitlement)";
	}
	return "unknown vmnet status";
}

/* The errno a status stands for. */
int vmnet_errno(vmnet_return_t st)
{
	switch (st) {
	case VMNET_SUCCESS:
		return 0;
	case VMNET_MEM_FAILURE:
		return -ENOMEM;
	case VMNET_INVALID_ARGUMENT:
		return -EINVAL;
	case VMNET_INVALID_ACCESS:
		return -EPERM;
	case VMNET_PACKET_TOO_BIG:
		return -EMSGSIZE;
	case VMNET_BUFFER_EXHAUSTED:
		return -ENOBUFS;
	case VMNET_TOO_MANY_PACKETS:
		return -E2BIG;
	case VMNET_SHARING_SERVICE_BUSY:
		return -EBUSY;
	case VMNET_NOT_AUTHORIZED:
		return -EACCES;
	default:
		return -EIO;
	}
}

void vmnet_shared_put(struct vmnet_shared *sh)
{
	int last;

	pthread_mutex_lock(&sh->lock);
	last = !--sh->refs;
	pthread_mutex_unlock(&sh->lock);
	if (!last)
		return;
	dispatch_release(sh->started);
	dispatch_release(sh->stopped);
	pthread_mutex_destroy(&sh->lock);
	free(sh);
}

static void vmnet_shared_get(struct vmnet_shared *sh)
{
	pthread_mutex_lock(&sh->lock);
	sh->refs++;
	pthread_mutex_unlock(&sh->lock);
}

/* Made at open, not per packet: the handlers must not see freed memory. */
struct vmnet_shared *vmnet_shared_new(void)
{
	struct vmnet_shared *sh = calloc(1, sizeof(*sh));

	if (!sh)
		return NULL;
	sh->refs = 1;
	sh->wake = -1;
	sh->started = dispatch_semaphore_create(0);
	sh->stopped = dispatch_semaphore_create(0);
	if (pthread_mutex_init(&sh->lock, NULL) || !sh->started ||
	    !sh->stopped) {
		if (sh->started)
			dispatch_release(sh->started);
		if (sh->stopped)
			dispatch_release(sh->stopped);
		free(sh);
		return NULL;
	}
	return sh;
}

/* The event handler, on the queue: only a wake-up (design §2). */
static void vmnet_shared_wake(struct vmnet_shared *sh)
{
	pthread_mutex_lock(&sh->lock);
	if (sh->wake >= 0)
		sys_wake_set(sh->wake);
	pthread_mutex_unlock(&sh->lock);
}

/**
 * vmnet_key() - a dictionary key of a later macOS than 10.10, by name
 * @sym:	its variable's name, "vmnet_enable_tso_key"
 *
 * Looked up at run time, not linked (vmnet_api.h says why). The
 * variable's address is what dlsym() finds: the key is what it holds.
 *
 * Return: the key, or NULL on a system without it.
 */
static const char *vmnet_key(const char *sym)
{
	const char *const *k = dlsym(RTLD_DEFAULT, sym);

	return k ? *k : NULL;
}

static void copy_string(char *dst, size_t len, xpc_object_t d, const char *key)
{
	const char *s = key ? xpc_dictionary_get_string(d, key) : NULL;

	snprintf(dst, len, "%s", s ? s : "");
}

/* The start handler, on the queue. interface_param lives only while it
 * runs [A: vmnet_start_interface]: what is needed is copied now. */
static void vmnet_started(struct vmnet_shared *sh, vmnet_return_t st,
			  xpc_object_t param)
{
	sh->status = st;
	if (st == VMNET_SUCCESS && param) {
		sh->mtu = xpc_dictionary_get_uint64(param, vmnet_mtu_key);
		sh->max_packet = xpc_dictionary_get_uint64(
			param, vmnet_max_packet_size_key);
		copy_string(sh->mac, sizeof(sh->mac), param,
			    vmnet_mac_address_key);
		copy_string(sh->start, sizeof(sh->start), param,
			    vmnet_key("vmnet_start_address_key"));
		copy_string(sh->mask, sizeof(sh->mask), param,
			    vmnet_key("vmnet_subnet_mask_key"));
	}
	dispatch_semaphore_signal(sh->started);
	vmnet_shared_put(sh);
}

/* Wait up to @ms for @sem; 0 when it came, -ETIMEDOUT otherwise. */
int vmnet_wait(dispatch_semaphore_t sem, uint32_t ms)
{
	dispatch_time_t t = dispatch_time(DISPATCH_TIME_NOW,
					  (int64_t)ms * (int64_t)NSEC_PER_MSEC);

	return dispatch_semaphore_wait(sem, t) ? -ETIMEDOUT : 0;
}

/**
 * vmnet_uuid() - the interface id vmnet gets
 * @id:		sqn_config.iface_id
 * @uuid:	set to it
 *
 * vmnet maps an interface id to a MAC address [A: vmnet_interface_id_key],
 * so one id for two guests gives both the same MAC (upstream derived it
 * from the iface id, design §9). A random one each time, unless the
 * caller's iface id is itself a UUID, 32 hex digits: then the guest gets
 * its MAC (and so its DHCP address) back on the next start.
 *
 * Return: 0 or a negative errno.
 */
int vmnet_uuid(const char *id, uint8_t uuid[16])
{
	unsigned int i, b;

	if (strlen(id) == 32 && strspn(id, "0123456789abcdefABCDEF") == 32) {
		for (i = 0; i < 16; i++) {
			if (sscanf(id + 2 * i, "%2x", &b) != 1)
				return -EINVAL;
			uuid[i] = (uint8_t)b;
		}
		return 0;
	}
	if (sys_random(uuid, 16))
		return -EIO;
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40); /* version 4 */
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	return 0;
}

/* Offloads this system's vmnet offers. With the virtio header, vmnet
 * takes the checksum offload from each header (never from
 * vmnet_enable_checksum_offload_key, which Apple's reference forbids with
 * it); TSO needs, as for a TAP, the header and its key. */
uint32_t vmnet_offloads_avail(void)
{
	uint32_t o = 0;

	if (vmnet_key("vmnet_enable_virtio_header_key"))
		o |= SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM;
	if ((o & SQN_OFFLOAD_CSUM) && vmnet_key("vmnet_enable_tso_key"))
		o |= SQN_OFFLOAD_TSO4 | SQN_OFFLOAD_TSO6;
	return o;
}

uint32_t vmnet_offloads_want(uint32_t asked, uint32_t avail)
{
	uint32_t o = asked & avail;

	if (!(o & SQN_OFFLOAD_VNET_HDR))
		return 0;
	if (!(o & SQN_OFFLOAD_CSUM))
		return SQN_OFFLOAD_VNET_HDR;
	return o;
}

static void set_addr(xpc_object_t d, const char *key, uint32_t a)
{
	char s[IPV4_STRLEN];

	if (key)
		xpc_dictionary_set_string(d, key, ipv4_format(s, a));
}

static void set_bool(xpc_object_t d, const char *key, bool b)
{
	if (key)
		xpc_dictionary_set_bool(d, key, b);
}

/* interface_desc: the mode, its options, and what the caller asked for.
 * Isolation is left out in bridged mode (as QEMU does): it is a vmnet
 * network's option, and a bridged interface joins none. */
xpc_object_t vmnet_desc(const struct sqn_net *net, const uint8_t *uuid,
			uint32_t offloads)
{
	const struct net_params *p = &net->p;
	xpc_object_t d = xpc_dictionary_create(NULL, NULL, 0);
	const char *k;
	uint32_t first, last;
	uint64_t mode = p->net.mode == SQN_MODE_HOST	? VMNET_HOST_MODE :
			p->net.mode == SQN_MODE_BRIDGED ? VMNET_BRIDGED_MODE :
							  VMNET_SHARED_MODE;
	static const uint8_t zero[6];

	if (!d)
		return NULL;
	xpc_dictionary_set_uint64(d, vmnet_operation_mode_key, mode);
	xpc_dictionary_set_uuid(d, vmnet_interface_id_key, uuid);
	k = vmnet_key("vmnet_shared_interface_name_key");
	if (mode == VMNET_BRIDGED_MODE && k)
		xpc_dictionary_set_string(d, k, p->net.bridged_iface);
	if (mode != VMNET_BRIDGED_MODE &&
	    !ipv4_host_range(&p->net.gateway, &first, &last)) {
		/* The gateway (the host) first, as socket_vmnet does. */
		set_addr(d, vmnet_key("vmnet_start_address_key"),
			 ipv4_pack(p->net.gateway.addr));
		set_addr(d, vmnet_key("vmnet_end_address_key"), last);
		set_addr(d, vmnet_key("vmnet_subnet_mask_key"),
			 ipv4_mask(p->net.gateway.len));
	}
	if (mode != VMNET_BRIDGED_MODE)
		set_bool(d, vmnet_key("vmnet_enable_isolation_key"),
			 p->net.isolation != 0);
	if (memcmp(p->guest_mac, zero, 6))
		set_bool(d, vmnet_key("vmnet_allocate_mac_address_key"), false);
	if (p->mtu)
		xpc_dictionary_set_uint64(d, vmnet_mtu_key, p->mtu);
	if (offloads & SQN_OFFLOAD_VNET_HDR)
		set_bool(d, vmnet_key("vmnet_enable_virtio_header_key"), true);
	if (offloads & (SQN_OFFLOAD_TSO4 | SQN_OFFLOAD_TSO6))
		set_bool(d, vmnet_key("vmnet_enable_tso_key"), true);
	return d;
}

/* Start the interface and wait for its handler; 0 or a negative errno. */
int vmnet_start(struct sqn_net *net, struct vmnet *v, xpc_object_t d)
{
	struct vmnet_shared *sh = v->sh;
	vmnet_return_t st;
	int r;

	vmnet_shared_get(sh); /* the handler's */
	v->iface = vmnet_start_interface(
		d, v->queue, ^(vmnet_return_t s, xpc_object_t param) {
		  vmnet_started(sh, s, param);
		});
	if (!v->iface) {
		vmnet_shared_put(sh); /* refused at once: no handler */
		return net_error(
			net, -EINVAL,
			"vmnet: vmnet_start_interface refused the interface's description");
	}
	r = vmnet_wait(sh->started, net->p.connect_timeout_ms);
	if (r)
		/* @iface stays: sqn_close() stops it. */
		return net_error(
			net, r,
			"vmnet: the interface did not start within %u ms",
			net->p.connect_timeout_ms);
	st = sh->status;
	if (st != VMNET_SUCCESS) {
		v->iface = NULL; /* it never started: nothing to stop */
		return net_error(net, vmnet_errno(st), "vmnet: start: %s",
				 vmnet_strerror(st));
	}
	return 0;
}

/* Packets available: wake the fd. The handler sees only @sh, and holds a
 * reference of its own: an event already queued when sqn_close() ends may
 * still run (vmnet_stop() lets go of it behind them). */
int vmnet_events_on(struct vmnet *v)
{
	struct vmnet_shared *sh = v->sh;
	int r;

	vmnet_shared_get(sh);
	r = vmnet_errno(vmnet_interface_set_event_callback(
		v->iface, VMNET_EVENTS, v->queue,
		^(interface_event_t mask, xpc_object_t event) {
		  (void)mask;
		  (void)event;
		  vmnet_shared_wake(sh);
		}));
	if (r)
		vmnet_shared_put(sh);
	v->events = !r;
	return r;
}

/* Stop the interface and wait (a while) for its handler. */
void vmnet_stop(struct sqn_net *net, struct vmnet *v)
{
	struct vmnet_shared *sh = v->sh;
	vmnet_return_t st;

	/* No more events: none can come after the stop's handler then. */
	vmnet_interface_set_event_callback(v->iface, VMNET_EVENTS, NULL, NULL);
	if (v->events)
		/* The event handler's reference, let go of on the serial
		 * queue: after every event queued so far, even when the stop
		 * fails and no stop handler comes. */
		dispatch_async(v->queue, ^{
		  vmnet_shared_put(sh);
		});
	v->events = 0;
	vmnet_shared_get(sh);
	st = vmnet_stop_interface(v->iface, v->queue, ^(vmnet_return_t s) {
	  (void)s;
	  dispatch_semaphore_signal(sh->stopped);
	  vmnet_shared_put(sh);
	});
	if (st != VMNET_SUCCESS) {
		vmnet_shared_put(sh); /* no handler comes */
		net_log(net, SQN_LOG_WARN, "vmnet: stop: %s",
			vmnet_strerror(st));
	} else if (vmnet_wait(sh->stopped, VMNET_STOP_MS)) {
		/* Its handler keeps @sh until it comes, if ever. */
		net_log(net, SQN_LOG_WARN,
			"vmnet: the interface did not report its stop within %d ms",
			VMNET_STOP_MS);
	}
	v->iface = NULL;
}
