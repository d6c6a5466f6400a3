// SPDX-License-Identifier: MIT
/* fake_vmnet.c - vmnet.framework's functions and keys, scripted: statuses,
 * packets (an echo), partial writes, slow or missing handlers */
#include <Block.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_internal.h"
#include "fake_vmnet.h"

/* The framework's key variables. Their values are vmnet's own strings
 * [S in src/sys/vmnet_api.h]; the backend never relies on them. Those
 * later than macOS 10.10 it finds with dlsym(): the tests link with
 * -rdynamic so that it sees them. */
/* Not in vmnet_api.h, which links only the keys of macOS 10.10. */
extern const char *const vmnet_start_address_key,
	*const vmnet_end_address_key,
		*const vmnet_subnet_mask_key,
			*const vmnet_shared_interface_name_key,
				*const vmnet_enable_isolation_key,
					*const vmnet_allocate_mac_address_key,
						*const vmnet_enable_tso_key,
							*const vmnet_enable_checksum_offload_key,
								*const vmnet_enable_virtio_header_key;
const char *const vmnet_operation_mode_key = "vmnet_operation_mode";
const char *const vmnet_interface_id_key = "vmnet_interface_id";
const char *const vmnet_start_address_key = "vmnet_start_address";
const char *const vmnet_end_address_key = "vmnet_end_address";
const char *const vmnet_subnet_mask_key = "vmnet_subnet_mask";
const char *const vmnet_shared_interface_name_key =
	"vmnet_shared_interface_name";
const char *const vmnet_enable_isolation_key = "vmnet_enable_isolation";
const char *const vmnet_allocate_mac_address_key = "vmnet_allocate_mac_address";
const char *const vmnet_enable_tso_key = "vmnet_enable_tso";
const char *const vmnet_enable_checksum_offload_key =
	"vmnet_enable_checksum_offload";
const char *const vmnet_enable_virtio_header_key = "vmnet_enable_virtio_header";
const char *const vmnet_mtu_key = "vmnet_mtu";
const char *const vmnet_mac_address_key = "vmnet_mac_address";
const char *const vmnet_max_packet_size_key = "vmnet_max_packet_size";
static const char *const estimated_key = "vmnet_estimated_packets_available";

#define FAKE_DESCS 8
/* A virtio_net_hdr, and the largest TSO frame (squibnet.h). */
#define FAKE_VNET_HDR 12
#define FAKE_TSO_FRAME (65535 + 14)
#define FAKE_HELD 16

struct vmnet_interface_s {
	pthread_mutex_t lock;
	vmnet_interface_event_callback_t cb;
	dispatch_queue_t cb_queue;
	int event_pending;
	vmnet_interface_event_callback_t event_cb;
	xpc_object_t event;
	uint8_t *ring;
	uint32_t *lens;
	unsigned int head, count, cap;
	size_t max_packet;
	struct fake_vmnet_script sc;
};

struct held {
	dispatch_queue_t q;
	void (^b)(void);
};

static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fake_vmnet_script script;
static struct fake_vmnet_counts counts;
static struct fake_vmnet_desc descs[FAKE_DESCS];
static unsigned int ndescs;
static struct vmnet_interface_s *last;
static struct held held[FAKE_HELD];
static unsigned int nheld;

static void script_defaults(void)
{
	script = (struct fake_vmnet_script){
		.start_status = VMNET_SUCCESS,
		.mtu = 1500,
		.max_packet = 1514,
		.mac = "f2:11:22:33:44:55",
		.ring = 512,
		.echo = 1,
	};
}

/**
 * fake_vmnet_script() - the script the next interfaces follow
 *
 * Return: it, to change.
 */
struct fake_vmnet_script *fake_vmnet_script(void)
{
	static int init;

	if (!init) {
		init = 1;
		script_defaults();
	}
	return &script;
}

/**
 * fake_vmnet_reset() - the default script, counters at zero
 *
 * Default: start succeeds at once with MTU 1500 and max packet 1514, MAC
 * f2:11:22:33:44:55; 512 packets of room; packets written come back.
 */
void fake_vmnet_reset(void)
{
	unsigned int live;

	pthread_mutex_lock(&fake_lock);
	fake_vmnet_script();
	script_defaults();
	live = counts.live;
	memset(&counts, 0, sizeof(counts));
	counts.live = live;
	ndescs = 0;
	pthread_mutex_unlock(&fake_lock);
	fake_fwd_reset();
}

/* A copy of the script, for the other parts of the fake. */
void fake_script_copy(struct fake_vmnet_script *out)
{
	pthread_mutex_lock(&fake_lock);
	*out = *fake_vmnet_script();
	pthread_mutex_unlock(&fake_lock);
}

/**
 * fake_vmnet_desc() - what an interface_desc asked for
 * @back:	0: the last start's, 1: the one before...
 *
 * Return: it (all zero when there was none).
 */
struct fake_vmnet_desc fake_vmnet_desc(unsigned int back)
{
	struct fake_vmnet_desc d = { 0 };

	pthread_mutex_lock(&fake_lock);
	if (back < ndescs && back < FAKE_DESCS)
		d = descs[(ndescs - 1 - back) % FAKE_DESCS];
	pthread_mutex_unlock(&fake_lock);
	return d;
}

/**
 * fake_vmnet_counts() - what the fake saw since the last reset
 *
 * Return: a copy of the counters.
 */
struct fake_vmnet_counts fake_vmnet_counts(void)
{
	struct fake_vmnet_counts c;

	pthread_mutex_lock(&fake_lock);
	c = counts;
	pthread_mutex_unlock(&fake_lock);
	return c;
}

static void copy_str(char *dst, xpc_object_t d, const char *key)
{
	const char *s = xpc_dictionary_get_string(d, key);

	snprintf(dst, 64, "%s", s ? s : "");
}

static void record(xpc_object_t d)
{
	struct fake_vmnet_desc *r = &descs[ndescs++ % FAKE_DESCS];

	memset(r, 0, sizeof(*r));
	r->mode = xpc_dictionary_get_uint64(d, vmnet_operation_mode_key);
	r->has_uuid = fake_dict_uuid(d, vmnet_interface_id_key, r->uuid);
	r->isolation = fake_dict_bool(d, vmnet_enable_isolation_key);
	r->allocate_mac = fake_dict_bool(d, vmnet_allocate_mac_address_key);
	r->mtu = xpc_dictionary_get_uint64(d, vmnet_mtu_key);
	copy_str(r->start, d, vmnet_start_address_key);
	copy_str(r->end, d, vmnet_end_address_key);
	copy_str(r->mask, d, vmnet_subnet_mask_key);
	copy_str(r->bridge, d, vmnet_shared_interface_name_key);
	r->virtio_hdr = fake_dict_bool(d, vmnet_enable_virtio_header_key);
	r->csum = fake_dict_bool(d, vmnet_enable_checksum_offload_key);
	r->tso = fake_dict_bool(d, vmnet_enable_tso_key);
}

static void count_add(unsigned long *c, unsigned long n)
{
	pthread_mutex_lock(&fake_lock);
	*c += n;
	pthread_mutex_unlock(&fake_lock);
}

/* Keep @b to run on @q at fake_vmnet_release(): a handler "never" called. */
static void hold(dispatch_queue_t q, void (^b)(void))
{
	pthread_mutex_lock(&fake_lock);
	if (nheld < FAKE_HELD) {
		fake_queue_retain(q);
		held[nheld].q = q;
		held[nheld++].b = Block_copy(b);
	}
	pthread_mutex_unlock(&fake_lock);
}

void fake_hold(dispatch_queue_t q, void (^b)(void))
{
	hold(q, b);
}

/**
 * fake_vmnet_release() - run the handlers held back, late, in order: the
 * framework finally answering
 */
void fake_vmnet_release(void)
{
	struct held now[FAKE_HELD];
	unsigned int i, n;

	/* Taken under the lock, queued outside it: a full queue waits. */
	pthread_mutex_lock(&fake_lock);
	n = nheld;
	memcpy(now, held, n * sizeof(now[0]));
	nheld = 0;
	pthread_mutex_unlock(&fake_lock);
	for (i = 0; i < n; i++) {
		fake_queue_block(now[i].q, now[i].b);
		Block_release(now[i].b);
		dispatch_release(now[i].q);
	}
}

static void iface_free(struct vmnet_interface_s *i)
{
	fake_fwd_iface(i, 0);
	pthread_mutex_lock(&fake_lock);
	counts.live--;
	if (last == i)
		last = NULL;
	pthread_mutex_unlock(&fake_lock);
	if (i->cb)
		Block_release(i->cb);
	xpc_release(i->event);
	free(i->ring);
	free(i->lens);
	pthread_mutex_destroy(&i->lock);
	free(i);
}

static xpc_object_t make_param(const struct fake_vmnet_script *sc,
			       const struct fake_vmnet_desc *d)
{
	xpc_object_t p = xpc_dictionary_create(NULL, NULL, 0);

	xpc_dictionary_set_uint64(p, vmnet_mtu_key, sc->mtu);
	xpc_dictionary_set_uint64(p, vmnet_max_packet_size_key, sc->max_packet);
	if (sc->mac[0])
		xpc_dictionary_set_string(p, vmnet_mac_address_key, sc->mac);
	if (d->mode != VMNET_BRIDGED_MODE) {
		xpc_dictionary_set_string(p, vmnet_start_address_key,
					  d->start[0] ? d->start :
							"192.168.64.1");
		xpc_dictionary_set_string(p, vmnet_subnet_mask_key,
					  d->mask[0] ? d->mask :
						       "255.255.255.0");
	}
	return p;
}

/* The largest packet written or read: with the virtio header, a header
 * more; with TSO, a TSO frame whatever the MTU. */
static struct vmnet_interface_s *iface_new(const struct fake_vmnet_script *sc,
					   const struct fake_vmnet_desc *d)
{
	struct vmnet_interface_s *i = calloc(1, sizeof(*i));

	if (!i)
		return NULL;
	i->sc = *sc;
	i->cap = sc->ring;
	i->max_packet = d->tso == 1 ? FAKE_TSO_FRAME : sc->max_packet;
	if (d->virtio_hdr == 1)
		i->max_packet += FAKE_VNET_HDR;
	i->ring = calloc(i->cap, i->max_packet);
	i->lens = calloc(i->cap, sizeof(*i->lens));
	i->event = xpc_dictionary_create(NULL, NULL, 0);
	xpc_dictionary_set_uint64(i->event, estimated_key, 0);
	pthread_mutex_init(&i->lock, NULL);
	pthread_mutex_lock(&fake_lock);
	counts.live++;
	counts.started++;
	last = i;
	pthread_mutex_unlock(&fake_lock);
	fake_fwd_iface(i, 1);
	return i;
}

interface_ref
vmnet_start_interface(xpc_object_t desc, dispatch_queue_t queue,
		      vmnet_start_interface_completion_handler_t handler)
{
	struct fake_vmnet_script sc;
	struct fake_vmnet_desc d;
	struct vmnet_interface_s *i;

	pthread_mutex_lock(&fake_lock);
	fake_vmnet_script();
	sc = script;
	record(desc);
	d = descs[(ndescs - 1) % FAKE_DESCS];
	pthread_mutex_unlock(&fake_lock);
	if (sc.start_refuse || !queue || !handler)
		return NULL;
	/* [A: vmnet_enable_virtio_header_key]: not with the checksum key. */
	if (d.virtio_hdr == 1 && d.csum == 1)
		sc.start_status = VMNET_INVALID_ARGUMENT;
	i = iface_new(&sc, &d);
	if (!i)
		return NULL;
	void (^run)(void) = ^{
	  struct timespec t = { sc.start_delay_ms / 1000,
				(long)(sc.start_delay_ms % 1000) * 1000000 };
	  xpc_object_t p = make_param(&sc, &d);

	  if (sc.start_delay_ms)
		  nanosleep(&t, NULL);
	  handler(sc.start_status, sc.start_status == VMNET_SUCCESS ? p : NULL);
	  xpc_release(p);
	  /* A failed start leaves no interface behind. */
	  if (sc.start_status != VMNET_SUCCESS)
		  iface_free(i);
	};
	if (sc.start_never)
		hold(queue, run);
	else
		fake_queue_block(queue, run);
	return i;
}

/* An event queued calls the handler it was queued for, even when that
 * one was unregistered since, as vmnet's queued events do. */
static void event_run(void *ctx)
{
	struct vmnet_interface_s *i = ctx;
	struct timespec t = { i->sc.event_delay_ms / 1000,
			      (long)(i->sc.event_delay_ms % 1000) * 1000000 };
	vmnet_interface_event_callback_t cb;

	if (i->sc.event_delay_ms)
		nanosleep(&t, NULL);
	pthread_mutex_lock(&i->lock);
	i->event_pending = 0;
	cb = i->event_cb;
	i->event_cb = NULL;
	xpc_dictionary_set_uint64(i->event, estimated_key, i->count);
	pthread_mutex_unlock(&i->lock);
	count_add(&counts.events, 1);
	cb(VMNET_INTERFACE_PACKETS_AVAILABLE, i->event);
	Block_release(cb);
}

/* Packets wait: one event on the handler's queue, none while one is due.
 * Block_copy() of a copied block allocates nothing: a reference. */
static void fire(struct vmnet_interface_s *i)
{
	dispatch_queue_t q = NULL;

	pthread_mutex_lock(&i->lock);
	if (i->cb && i->count && !i->event_pending) {
		i->event_pending = 1;
		i->event_cb = Block_copy(i->cb);
		q = i->cb_queue;
	}
	pthread_mutex_unlock(&i->lock);
	if (q)
		fake_queue_fn(q, event_run, i);
}

static void release_block(void *b)
{
	Block_release(b);
}

vmnet_return_t
vmnet_interface_set_event_callback(interface_ref i, interface_event_t mask,
				   dispatch_queue_t queue,
				   vmnet_interface_event_callback_t cb)
{
	vmnet_interface_event_callback_t old;
	dispatch_queue_t oldq;

	if (!i || (cb && (!queue || mask != VMNET_INTERFACE_PACKETS_AVAILABLE)))
		return VMNET_INVALID_ARGUMENT;
	pthread_mutex_lock(&i->lock);
	old = i->cb;
	oldq = i->cb_queue;
	i->cb = cb ? Block_copy(cb) : NULL;
	i->cb_queue = cb ? queue : NULL;
	pthread_mutex_unlock(&i->lock);
	/* Released on its queue, after any event already due there. */
	if (old)
		fake_queue_fn(oldq, release_block, (void *)old);
	fire(i);
	return VMNET_SUCCESS;
}

vmnet_return_t
vmnet_stop_interface(interface_ref i, dispatch_queue_t queue,
		     vmnet_interface_completion_handler_t handler)
{
	struct fake_vmnet_script sc;

	if (!i || !queue || !handler)
		return VMNET_INVALID_ARGUMENT;
	/* Its port forwarding rules go with it. */
	fake_fwd_iface(i, 0);
	pthread_mutex_lock(&fake_lock);
	counts.stopped++;
	sc = script;
	pthread_mutex_unlock(&fake_lock);
	if (sc.stop_status) {
		/* No handler; the framework's own memory goes late. */
		hold(queue, ^{
		  iface_free(i);
		});
		return sc.stop_status;
	}
	vmnet_interface_set_event_callback(i, 0, NULL, NULL);
	void (^run)(void) = ^{
	  struct timespec t = { sc.stop_delay_ms / 1000,
				(long)(sc.stop_delay_ms % 1000) * 1000000 };

	  if (sc.stop_delay_ms)
		  nanosleep(&t, NULL);
	  handler(VMNET_SUCCESS);
	  iface_free(i);
	};
	if (sc.stop_never)
		hold(queue, run);
	else
		fake_queue_block(queue, run);
	return VMNET_SUCCESS;
}

vmnet_return_t vmnet_read(interface_ref i, struct vmpktdesc *pk, int *cnt)
{
	int n = 0;
	unsigned int k;

	pthread_mutex_lock(&fake_lock);
	counts.reads++;
	if (*cnt > (int)counts.read_max)
		counts.read_max = (unsigned int)*cnt;
	pthread_mutex_unlock(&fake_lock);
	if (i->sc.read_status)
		return i->sc.read_status;
	pthread_mutex_lock(&i->lock);
	while (n < *cnt && i->count) {
		const uint8_t *src = i->ring + (size_t)i->head * i->max_packet;
		size_t len = i->lens[i->head], done = 0;

		if (pk[n].vm_pkt_size < i->max_packet) {
			pthread_mutex_unlock(&i->lock);
			count_add(&counts.bad_read_buf, 1);
			return VMNET_INVALID_ARGUMENT;
		}
		for (k = 0; k < pk[n].vm_pkt_iovcnt && done < len; k++) {
			size_t c = pk[n].vm_pkt_iov[k].iov_len;

			c = c < len - done ? c : len - done;
			memcpy(pk[n].vm_pkt_iov[k].iov_base, src + done, c);
			done += c;
		}
		pk[n++].vm_pkt_size = len;
		i->head = (i->head + 1) % i->cap;
		i->count--;
	}
	pthread_mutex_unlock(&i->lock);
	*cnt = n;
	return VMNET_SUCCESS;
}

/* Queue one packet for vmnet_read(); 0, or -1 when there is no room. */
static int enqueue(struct vmnet_interface_s *i, const struct iovec *iov,
		   unsigned int iovcnt, size_t len)
{
	uint8_t *dst;
	unsigned int k;

	if (i->count == i->cap)
		return -1;
	dst = i->ring + (size_t)((i->head + i->count) % i->cap) * i->max_packet;
	for (k = 0; k < iovcnt; k++) {
		memcpy(dst, iov[k].iov_base, iov[k].iov_len);
		dst += iov[k].iov_len;
	}
	i->lens[(i->head + i->count) % i->cap] = (uint32_t)len;
	i->count++;
	return 0;
}

vmnet_return_t vmnet_write(interface_ref i, struct vmpktdesc *pk, int *cnt)
{
	vmnet_return_t st = VMNET_SUCCESS;
	int n, lim = *cnt, wmax;
	unsigned int k;

	pthread_mutex_lock(&fake_lock);
	wmax = script.write_max;
	pthread_mutex_unlock(&fake_lock);
	if (i->sc.write_status) {
		*cnt = 0;
		return i->sc.write_status;
	}
	if (wmax && *cnt > wmax) {
		*cnt = 0;
		return VMNET_TOO_MANY_PACKETS;
	}
	/* One packet per descriptor, in one piece (QEMU's vmnet-common.m
	 * and socket_vmnet write so; more is refused). */
	for (n = 0; n < lim; n++)
		if (pk[n].vm_pkt_iovcnt != 1) {
			count_add(&counts.bad_write_iov, 1);
			*cnt = 0;
			return VMNET_INVALID_ARGUMENT;
		}
	if (i->sc.write_limit && lim > i->sc.write_limit)
		lim = i->sc.write_limit;
	pthread_mutex_lock(&i->lock);
	for (n = 0; n < lim; n++) {
		size_t len = 0;

		for (k = 0; k < pk[n].vm_pkt_iovcnt; k++)
			len += pk[n].vm_pkt_iov[k].iov_len;
		if (len != pk[n].vm_pkt_size || len > i->max_packet) {
			st = VMNET_PACKET_TOO_BIG;
			break;
		}
		if (i->sc.echo &&
		    enqueue(i, pk[n].vm_pkt_iov, pk[n].vm_pkt_iovcnt, len)) {
			if (!n)
				st = VMNET_BUFFER_EXHAUSTED;
			break;
		}
	}
	pthread_mutex_unlock(&i->lock);
	*cnt = n;
	pthread_mutex_lock(&fake_lock);
	counts.writes++;
	counts.written += (unsigned long)n;
	pthread_mutex_unlock(&fake_lock);
	if (n)
		fire(i);
	return st;
}

/**
 * fake_vmnet_inject() - a packet from the network, for the last interface
 * started
 * @frame:	its bytes
 * @len:	at most the script's max_packet
 *
 * Return: 0, or -1 when there is no interface or no room.
 */
int fake_vmnet_inject(const void *frame, size_t len)
{
	struct iovec iov = { (void *)frame, len };
	struct vmnet_interface_s *i;
	int r = -1;

	/* Held throughout: iface_free() waits for it before it frees. */
	pthread_mutex_lock(&fake_lock);
	i = last;
	if (i && len <= i->max_packet) {
		pthread_mutex_lock(&i->lock);
		r = enqueue(i, &iov, 1, len);
		pthread_mutex_unlock(&i->lock);
		if (!r)
			fire(i);
	}
	pthread_mutex_unlock(&fake_lock);
	return r;
}
