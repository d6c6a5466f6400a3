// SPDX-License-Identifier: MIT
/* fake_fwd.c - vmnet's port forwarding calls, scripted (a rule table whose
 * rules die with their interface, statuses, handlers held back or late, a
 * record of the calls), and a dlsym() that can hide a symbol */
#include <Block.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "fake_internal.h"
#include "fake_vmnet.h"

#define FAKE_RULES 64
#define FAKE_IFACES 16
#define FAKE_OPS 32

static pthread_mutex_t fwd_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fake_vmnet_rule rules[FAKE_RULES];
/* The interface each rule was added on: it goes with it. */
static interface_ref owner[FAKE_RULES];
static unsigned int nrules;
/* Interfaces started and not yet stopped (compared, never dereferenced:
 * a call may come after the interface was freed). */
static interface_ref ifaces[FAKE_IFACES];
static unsigned int nifaces;
static struct fake_vmnet_fwd_op ops[FAKE_OPS];
static unsigned int nops;
static struct fake_vmnet_fwd_counts fwd_counts;
/* The framework's own queue, where the handlers run: no queue is given
 * to these calls [H]; late answers wait on another, not to hold up the
 * rest. */
static dispatch_queue_t fwd_queue, fwd_slow;
/* Set by the first reset: the sanitizers' runtime calls dlsym() before
 * anything of the fake may run. */
static int dlsym_armed;

/* Called by fake_vmnet_reset(). */
void fake_fwd_reset(void)
{
	pthread_mutex_lock(&fwd_lock);
	nrules = 0;
	nops = 0;
	memset(&fwd_counts, 0, sizeof(fwd_counts));
	pthread_mutex_unlock(&fwd_lock);
	dlsym_armed = 1;
}

/**
 * fake_vmnet_rules() - the rules vmnet holds now, oldest first
 * @out:	where to copy them
 * @max:	room in @out
 *
 * Return: how many there are (perhaps more than @max).
 */
unsigned int fake_vmnet_rules(struct fake_vmnet_rule *out, unsigned int max)
{
	unsigned int n;

	pthread_mutex_lock(&fwd_lock);
	n = nrules;
	memcpy(out, rules, (n < max ? n : max) * sizeof(*out));
	pthread_mutex_unlock(&fwd_lock);
	return n;
}

/**
 * fake_vmnet_fwd_counts() - the forwarding calls since the last reset
 *
 * Return: a copy of the counters.
 */
struct fake_vmnet_fwd_counts fake_vmnet_fwd_counts(void)
{
	struct fake_vmnet_fwd_counts c;

	pthread_mutex_lock(&fwd_lock);
	c = fwd_counts;
	pthread_mutex_unlock(&fwd_lock);
	return c;
}

/**
 * fake_vmnet_fwd_ops() - the forwarding calls and stops since the last
 * reset, in the order they came
 * @out:	where to copy them
 * @max:	room in @out
 *
 * Return: how many there are (at most FAKE_OPS are kept).
 */
unsigned int fake_vmnet_fwd_ops(struct fake_vmnet_fwd_op *out, unsigned int max)
{
	unsigned int n;

	pthread_mutex_lock(&fwd_lock);
	n = nops;
	memcpy(out, ops, (n < max ? n : max) * sizeof(*out));
	pthread_mutex_unlock(&fwd_lock);
	return n;
}

/* Under fwd_lock. */
static void record(char op, uint8_t proto, uint16_t port, int live)
{
	if (nops < FAKE_OPS)
		ops[nops++] =
			(struct fake_vmnet_fwd_op){ op, proto, port, live };
}

/* Under fwd_lock: @i was started and is not stopped. */
static int live(interface_ref i)
{
	unsigned int k;

	for (k = 0; i && k < nifaces; k++)
		if (ifaces[k] == i)
			return 1;
	return 0;
}

/**
 * fake_fwd_iface() - an interface started (@up) or stopped: its rules
 * go with it, counted as dropped (the backend should have removed them)
 * @i:		the interface
 * @up:		1 at its start, 0 at its stop (or its free)
 */
void fake_fwd_iface(interface_ref i, int up)
{
	unsigned int k, n = 0;

	pthread_mutex_lock(&fwd_lock);
	if (up && nifaces < FAKE_IFACES) {
		ifaces[nifaces++] = i;
	} else if (!up && live(i)) {
		for (k = 0; ifaces[k] != i; k++)
			;
		ifaces[k] = ifaces[--nifaces];
		record('s', 0, 0, 1);
		for (k = 0; k < nrules; k++)
			if (owner[k] != i) {
				rules[n] = rules[k];
				owner[n++] = owner[k];
			}
		fwd_counts.dropped += nrules - n;
		nrules = n;
	}
	pthread_mutex_unlock(&fwd_lock);
}

static dispatch_queue_t fwd_q(int slow)
{
	dispatch_queue_t *q = slow ? &fwd_slow : &fwd_queue, r;

	pthread_mutex_lock(&fwd_lock);
	if (!*q)
		*q = dispatch_queue_create("fake.vmnet.fwd", NULL);
	r = *q;
	pthread_mutex_unlock(&fwd_lock);
	return r;
}

static int find(uint8_t proto, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < nrules; i++)
		if (rules[i].proto == proto && rules[i].ext_port == port)
			return (int)i;
	return -1;
}

/* The rule goes in when its handler runs; a port forwarded already
 * fails (the fake's choice: what vmnet says then is not documented), and
 * so does a rule whose interface stopped meanwhile (dropped). */
static vmnet_return_t table_add(interface_ref i,
				const struct fake_vmnet_rule *r)
{
	vmnet_return_t st = VMNET_SUCCESS;

	pthread_mutex_lock(&fwd_lock);
	if (!live(i)) {
		fwd_counts.dropped++;
		st = VMNET_FAILURE;
	} else if (find(r->proto, r->ext_port) >= 0 || nrules == FAKE_RULES) {
		st = VMNET_FAILURE;
	} else {
		owner[nrules] = i;
		rules[nrules++] = *r;
	}
	fwd_counts.answered++;
	pthread_mutex_unlock(&fwd_lock);
	return st;
}

static vmnet_return_t table_remove(uint8_t proto, uint16_t port)
{
	int i;

	pthread_mutex_lock(&fwd_lock);
	i = find(proto, port);
	if (i >= 0) {
		memmove(&rules[i], &rules[i + 1],
			(nrules - (unsigned int)i - 1) * sizeof(rules[0]));
		memmove(&owner[i], &owner[i + 1],
			(nrules - (unsigned int)i - 1) * sizeof(owner[0]));
		nrules--;
		fwd_counts.removed++;
	}
	pthread_mutex_unlock(&fwd_lock);
	return i >= 0 ? VMNET_SUCCESS : VMNET_FAILURE;
}

/* Counted and recorded; 0 when @i may take the call (else it is one
 * after the stop, refused). */
static int call_seen(char op, interface_ref i, uint8_t proto, uint16_t port,
		     unsigned int *n)
{
	int ok;

	pthread_mutex_lock(&fwd_lock);
	*n = op == 'a' ? ++fwd_counts.adds : ++fwd_counts.removes;
	ok = live(i);
	record(op, proto, port, ok);
	if (!ok)
		fwd_counts.after_stop++;
	pthread_mutex_unlock(&fwd_lock);
	return ok ? 0 : -1;
}

static vmnet_return_t add(interface_ref i, const struct fake_vmnet_rule *r,
			  vmnet_interface_completion_handler_t handler)
{
	struct fake_vmnet_script sc;
	struct fake_vmnet_rule rule = *r;
	vmnet_return_t st = VMNET_SUCCESS;
	unsigned int n;

	fake_script_copy(&sc);
	/* [H]: "Must be either IPPROTO_TCP or IPPROTO_UDP". */
	if (call_seen('a', i, r->proto, r->ext_port, &n) ||
	    (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP))
		return VMNET_INVALID_ARGUMENT;
	if (sc.fwd_call_status)
		return sc.fwd_call_status;
	if (sc.fwd_status && (!sc.fwd_fail_at || sc.fwd_fail_at == n))
		st = sc.fwd_status;
	void (^run)(void) = ^{
	  struct timespec t = { sc.fwd_delay_ms / 1000,
				(long)(sc.fwd_delay_ms % 1000) * 1000000 };
	  vmnet_return_t s;

	  if (sc.fwd_delay_ms)
		  nanosleep(&t, NULL);
	  s = st == VMNET_SUCCESS ? table_add(i, &rule) : st;
	  if (handler)
		  handler(s);
	};
	if (sc.fwd_never)
		fake_hold(fwd_q(0), run);
	else
		fake_queue_block(fwd_q(sc.fwd_delay_ms != 0), run);
	return VMNET_SUCCESS;
}

static vmnet_return_t remove_rule(interface_ref i, uint8_t proto, uint16_t port,
				  vmnet_interface_completion_handler_t handler)
{
	struct fake_vmnet_script sc;
	unsigned int n;

	fake_script_copy(&sc);
	if (call_seen('r', i, proto, port, &n) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return VMNET_INVALID_ARGUMENT;
	void (^run)(void) = ^{
	  vmnet_return_t s = sc.fwd_remove_status ? sc.fwd_remove_status :
						    table_remove(proto, port);

	  if (handler)
		  handler(s);
	};
	if (sc.fwd_remove_never)
		fake_hold(fwd_q(0), run);
	else
		fake_queue_block(fwd_q(0), run);
	return VMNET_SUCCESS;
}

vmnet_return_t vmnet_interface_add_ip_port_forwarding_rule(
	interface_ref interface, uint8_t protocol, uint16_t external_port,
	uint8_t address_family, const void *internal_address,
	uint16_t internal_port, vmnet_interface_completion_handler_t handler)
{
	struct fake_vmnet_rule r = {
		protocol, external_port, address_family, { 0 }, internal_port
	};

	/* IPv4 only here: the backend forwards to an IPv4 address. */
	if (address_family != AF_INET || !internal_address)
		return VMNET_INVALID_ARGUMENT;
	memcpy(r.addr, internal_address, 4);
	return add(interface, &r, handler);
}

vmnet_return_t vmnet_interface_remove_ip_port_forwarding_rule(
	interface_ref interface, uint8_t protocol, uint16_t external_port,
	uint8_t address_family, vmnet_interface_completion_handler_t handler)
{
	if (address_family != AF_INET)
		return VMNET_INVALID_ARGUMENT;
	return remove_rule(interface, protocol, external_port, handler);
}

vmnet_return_t vmnet_interface_add_port_forwarding_rule(
	interface_ref interface, uint8_t protocol, uint16_t external_port,
	struct in_addr internal_address, uint16_t internal_port,
	vmnet_interface_completion_handler_t handler)
{
	struct fake_vmnet_rule r = {
		protocol, external_port, 0, { 0 }, internal_port
	};

	memcpy(r.addr, &internal_address.s_addr, 4);
	return add(interface, &r, handler);
}

vmnet_return_t vmnet_interface_remove_port_forwarding_rule(
	interface_ref interface, uint8_t protocol, uint16_t external_port,
	vmnet_interface_completion_handler_t handler)
{
	return remove_rule(interface, protocol, external_port, handler);
}

/*
 * The tests link with -Wl,--wrap=dlsym (the Makefile's VMNET_LIBS): the
 * backend's dlsym() is this one, which finds nothing the script hides.
 * So is that of the sanitizers' runtime, linked in statically, which
 * calls it before its shadow memory is there: uninstrumented, and it
 * looks at nothing until the fake was first reset. The script is read
 * without its lock: a test sets it before it opens.
 */
void *__real_dlsym(void *handle, const char *name);
void *__wrap_dlsym(void *handle, const char *name);

__attribute__((no_sanitize("address", "undefined"))) void *
__wrap_dlsym(void *handle, const char *name)
{
	const struct fake_vmnet_script *sc;
	unsigned int i;

	if (!dlsym_armed)
		return __real_dlsym(handle, name);
	sc = fake_vmnet_script();
	for (i = 0; i < sizeof(sc->hide) / sizeof(sc->hide[0]); i++)
		if (sc->hide[i] && name && !strcmp(sc->hide[i], name))
			return NULL;
	return __real_dlsym(handle, name);
}
