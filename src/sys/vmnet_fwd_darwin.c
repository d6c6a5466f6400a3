// SPDX-License-Identifier: MIT
/* vmnet_fwd_darwin.c - port forwards into a shared vmnet network: checked
 * with the config, added after the start, removed before the stop */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/vmnet_iface.h"

/* "udp 65535 -> 255.255.255.255:65535" and its NUL. */
#define VMNET_FWD_STRLEN 40

/**
 * struct vmnet_fwd_api - the forwarding calls this system has: the _ip_
 * pair (macOS 11+), else the deprecated pair (macOS 10.15 to 12), else
 * none [H, in vmnet_api.h]. Exactly one pair is set, or none.
 */
struct vmnet_fwd_api {
	vmnet_add_ip_fwd_fn add_ip;
	vmnet_remove_ip_fwd_fn remove_ip;
	vmnet_add_fwd_fn add;
	vmnet_remove_fwd_fn remove;
};

/**
 * struct vmnet_fwd_call - one call's answer, shared with its handler
 * @refs:	the caller's and the handler's: a handler that comes after
 *		the caller stopped waiting still finds it
 * @done:	signalled by the handler
 * @status:	the handler's status
 */
struct vmnet_fwd_call {
	atomic_int refs;
	dispatch_semaphore_t done;
	vmnet_return_t status;
};

static int fwd_refuse(char *msg, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fwd_refuse(char *msg, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return err;
}

/* NULL, "" and 0.0.0.0: every address of the host. */
static int fwd_every_address(const char *a)
{
	return !a || !*a || !strcmp(a, "0.0.0.0");
}

/* A host address other than all of them, or text that is not one. */
static int fwd_check_host_addr(const char *a, unsigned int i, char *msg,
			       size_t len)
{
	const char *end;
	uint8_t ip[4];

	if (fwd_every_address(a))
		return 0;
	if (ipv4_parse(a, &end, ip) || *end)
		return fwd_refuse(
			msg, len, -EINVAL,
			"forwards[%u].host_addr: \"%s\" is not an IPv4 address",
			i, a);
	return fwd_refuse(
		msg, len, -ENOTSUP,
		"forwards[%u].host_addr %s: vmnet forwards a port on every address of the host and cannot bind one; leave host_addr NULL",
		i, a);
}

/**
 * vmnet_fwd_check() - the config's port forwards and guest_ip, for vmnet
 * @cfg:	the caller's config
 * @p:		its checked parameters (the mode)
 * @out:	set to a copy of the forwards (the caller frees it), or NULL
 *		when there are none
 * @msg:	why not, naming the field
 * @len:	its size
 *
 * vmnet's DHCP server takes no reservation, so the forwards lead to the
 * address the caller names in guest_ip; without forwards guest_ip would
 * promise a lease nobody makes, and is refused.
 *
 * Return: 0, -EINVAL, -ENOTSUP, -EADDRINUSE or -ENOMEM.
 */
int vmnet_fwd_check(const struct sqn_config *cfg, const struct net_params *p,
		    struct vmnet_fwds **out, char *msg, size_t len)
{
	struct vmnet_fwds *fw;
	const char *end;
	uint8_t ip[4];
	unsigned int i, j;
	int r;

	*out = NULL;
	if (!cfg->n_forwards) {
		if (!cfg->guest_ip || !*cfg->guest_ip)
			return 0;
		return fwd_refuse(
			msg, len, -ENOTSUP,
			"guest_ip: vmnet's DHCP server cannot reserve an address for the guest; on macOS guest_ip only says where forwards lead (give it with forwards, and configure the guest with that address)");
	}
	if (p->net.mode != SQN_MODE_SHARED)
		return fwd_refuse(
			msg, len, -EINVAL,
			"forwards: shared mode only (a vmnet %s interface has no NAT to forward through)",
			sqn_mode_name(p->net.mode));
	if (!cfg->forwards || cfg->n_forwards > SQN_FORWARDS_MAX)
		return fwd_refuse(
			msg, len, -EINVAL,
			"forwards: %u of them at %s (1 to %d, in an array)",
			cfg->n_forwards, cfg->forwards ? "an array" : "NULL",
			SQN_FORWARDS_MAX);
	if (!cfg->guest_ip || !*cfg->guest_ip)
		return fwd_refuse(
			msg, len, -EINVAL,
			"forwards need guest_ip on macOS: vmnet's DHCP server cannot reserve an address for the guest, so the guest's address is the caller's to give (configured in the guest, or the lease vmnet's DHCP gave its MAC)");
	if (ipv4_parse(cfg->guest_ip, &end, ip) || *end)
		return fwd_refuse(msg, len, -EINVAL,
				  "guest_ip: \"%s\" is not an IPv4 address",
				  cfg->guest_ip);
	for (i = 0; i < cfg->n_forwards; i++) {
		const struct sqn_forward *f = &cfg->forwards[i];

		if (f->proto != SQN_PROTO_TCP && f->proto != SQN_PROTO_UDP)
			return fwd_refuse(
				msg, len, -EINVAL,
				"forwards[%u].proto: %d is neither SQN_PROTO_TCP nor SQN_PROTO_UDP",
				i, (int)f->proto);
		if (!f->host_port)
			return fwd_refuse(
				msg, len, -EINVAL,
				"forwards[%u].host_port: 0 (1 to 65535)", i);
		r = fwd_check_host_addr(f->host_addr, i, msg, len);
		if (r)
			return r;
		for (j = 0; j < i; j++)
			if (cfg->forwards[j].proto == f->proto &&
			    cfg->forwards[j].host_port == f->host_port)
				return fwd_refuse(
					msg, len, -EADDRINUSE,
					"forwards[%u]: %s port %u is forwarded already (forwards[%u])",
					i,
					f->proto == SQN_PROTO_TCP ? "tcp" :
								    "udp",
					f->host_port, j);
	}
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return fwd_refuse(msg, len, -ENOMEM, "out of memory");
	for (i = 0; i < cfg->n_forwards; i++) {
		const struct sqn_forward *f = &cfg->forwards[i];

		fw->f[i].proto = f->proto == SQN_PROTO_TCP ? IPPROTO_TCP :
							     IPPROTO_UDP;
		fw->f[i].host_port = f->host_port;
		fw->f[i].guest_port = f->guest_port ? f->guest_port :
						      f->host_port;
	}
	fw->n = cfg->n_forwards;
	memcpy(&fw->guest_ip.s_addr, ip, 4);
	*out = fw;
	return 0;
}

/* dlsym() finds a function as a data pointer; POSIX says the two have one
 * representation, which a copy keeps (a cast would not be ISO C). */
static void fwd_sym(void *fn, size_t size, const char *name)
{
	void *p = dlsym(RTLD_DEFAULT, name);

	_Static_assert(sizeof(p) == sizeof(vmnet_add_fwd_fn),
		       "function and data pointers differ");
	memcpy(fn, &p, size);
}

/* Return: 1 when this system has a pair of forwarding calls. */
static int fwd_api(struct vmnet_fwd_api *a)
{
	memset(a, 0, sizeof(*a));
	fwd_sym(&a->add_ip, sizeof(a->add_ip),
		"vmnet_interface_add_ip_port_forwarding_rule");
	fwd_sym(&a->remove_ip, sizeof(a->remove_ip),
		"vmnet_interface_remove_ip_port_forwarding_rule");
	if (a->add_ip && a->remove_ip)
		return 1;
	a->add_ip = NULL;
	a->remove_ip = NULL;
	fwd_sym(&a->add, sizeof(a->add),
		"vmnet_interface_add_port_forwarding_rule");
	fwd_sym(&a->remove, sizeof(a->remove),
		"vmnet_interface_remove_port_forwarding_rule");
	if (a->add && a->remove)
		return 1;
	memset(a, 0, sizeof(*a));
	return 0;
}

static void fwd_call_put(struct vmnet_fwd_call *c)
{
	if (atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	dispatch_release(c->done);
	free(c);
}

/**
 * fwd_call() - one forwarding call, its handler's status waited for
 * @issue:	makes the call with the handler it is given
 * @ms:		how long to wait for the handler
 * @st:		set to the call's status when it failed, else the handler's
 * @late:	when not NULL and the wait ends first: set to the call,
 *		the caller's reference kept (fwd_call_put() it), so that its
 *		answer can still be waited for
 *
 * The handler runs on a queue of the framework's [H: no queue is given],
 * perhaps after the wait ended: it holds a reference of its own.
 *
 * Return: 0 (the status in @st), -ETIMEDOUT or -ENOMEM.
 */
static int
fwd_call(vmnet_return_t (^issue)(vmnet_interface_completion_handler_t),
	 uint32_t ms, vmnet_return_t *st, struct vmnet_fwd_call **late)
{
	struct vmnet_fwd_call *c = calloc(1, sizeof(*c));
	int r = 0;

	if (!c)
		return -ENOMEM;
	c->done = dispatch_semaphore_create(0);
	if (!c->done) {
		free(c);
		return -ENOMEM;
	}
	atomic_init(&c->refs, 2);
	*st = issue(^(vmnet_return_t s) {
	  c->status = s;
	  dispatch_semaphore_signal(c->done);
	  fwd_call_put(c);
	});
	if (*st != VMNET_SUCCESS) {
		fwd_call_put(c); /* not scheduled: no handler comes */
	} else if (vmnet_wait(c->done, ms)) {
		r = -ETIMEDOUT;
		if (late) {
			*late = c;
			return r;
		}
	} else {
		*st = c->status;
	}
	fwd_call_put(c);
	return r;
}

static char *fwd_format(char out[VMNET_FWD_STRLEN], const struct vmnet_fwd *f,
			const struct vmnet_fwds *fw)
{
	char ip[IPV4_STRLEN];
	uint8_t a[4];

	memcpy(a, &fw->guest_ip.s_addr, 4);
	snprintf(out, VMNET_FWD_STRLEN, "%s %u -> %s:%u",
		 f->proto == IPPROTO_TCP ? "tcp" : "udp", f->host_port,
		 ipv4_format(ip, ipv4_pack(a)), f->guest_port);
	return out;
}

/* guest_ip must be a guest's address of the network vmnet started. */
static int fwd_check_target(struct sqn_net *net, const struct vmnet_fwds *fw)
{
	const struct sqn_info *in = &net->info;
	char a[IPV4_STRLEN], s[IPV4_STRLEN], m[IPV4_STRLEN], g[IPV4_STRLEN];
	uint32_t ip, sub, mask;
	uint8_t b[4];

	if (!in->has_subnet)
		return 0;
	memcpy(b, &fw->guest_ip.s_addr, 4);
	ip = ipv4_pack(b);
	sub = ipv4_pack(in->subnet);
	mask = ipv4_pack(in->netmask);
	if ((ip & mask) == sub && ip != sub && ip != (sub | ~mask) &&
	    ip != ipv4_pack(in->gateway))
		return 0;
	return net_error(
		net, -EINVAL,
		"vmnet: guest_ip %s is not a guest's address of the vmnet network %s mask %s (its gateway, the host, is %s)",
		ipv4_format(a, ip), ipv4_format(s, sub), ipv4_format(m, mask),
		ipv4_format(g, ipv4_pack(in->gateway)));
}

/* The add's message: the status, and for a refusal what may be why. */
static int fwd_add_failed(struct sqn_net *net, const struct vmnet_fwd *f,
			  const struct vmnet_fwds *fw, int r, vmnet_return_t st)
{
	char rule[VMNET_FWD_STRLEN];

	fwd_format(rule, f, fw);
	if (r == -ETIMEDOUT)
		return net_error(
			net, r,
			"vmnet: forward %s: the framework did not answer within %u ms",
			rule, net->p.connect_timeout_ms);
	if (r)
		return net_error(net, r, "vmnet: forward %s: out of memory",
				 rule);
	return net_error(
		net, vmnet_errno(st), "vmnet: forward %s: %s%s", rule,
		vmnet_strerror(st),
		st == VMNET_FAILURE ?
			" (is the host's port taken, by a program or another vmnet forward?)" :
			"");
}

static int fwd_add_one(const struct vmnet_fwd_api *api, interface_ref ifc,
		       const struct vmnet_fwd *f, struct vmnet_fwds *fw,
		       uint32_t ms, vmnet_return_t *st)
{
	const struct in_addr *to = &fw->guest_ip;

	return fwd_call(
		^(vmnet_interface_completion_handler_t h) {
		  if (api->add_ip)
			  return api->add_ip(ifc, f->proto, f->host_port,
					     (uint8_t)AF_INET, to,
					     f->guest_port, h);
		  return api->add(ifc, f->proto, f->host_port, *to,
				  f->guest_port, h);
		},
		ms, st, &fw->pending);
}

/**
 * vmnet_fwd_add() - ask vmnet for each forward, in order
 * @net:	attachment, its interface started, its subnet known
 * @v:		its interface
 * @fw:		its forwards, or NULL
 *
 * Each waits for its handler (connect_timeout_ms). The first that fails
 * fails the open; sqn_close() removes those before it, and one that did
 * not answer in time once its answer came (it waits for it).
 *
 * Return: 0 or a negative errno, with a message.
 */
int vmnet_fwd_add(struct sqn_net *net, struct vmnet *v, struct vmnet_fwds *fw)
{
	struct vmnet_fwd_api api;
	vmnet_return_t st;
	unsigned int i;
	int r;

	if (!fw)
		return 0;
	r = fwd_check_target(net, fw);
	if (r)
		return r;
	if (!fwd_api(&api))
		return net_error(
			net, -ENOTSUP,
			"vmnet: port forwards need macOS 10.15 or later (vmnet_interface_add_ip_port_forwarding_rule of macOS 11+, or vmnet_interface_add_port_forwarding_rule of 10.15 to 12): this system has neither");
	for (i = 0; i < fw->n; i++) {
		st = VMNET_SUCCESS;
		r = fwd_add_one(&api, v->iface, &fw->f[i], fw,
				net->p.connect_timeout_ms, &st);
		if (!r || r == -ETIMEDOUT)
			fw->added = i + 1;
		if (r || st != VMNET_SUCCESS) {
			if (!r)
				fw->added = i;
			return fwd_add_failed(net, &fw->f[i], fw, r, st);
		}
	}
	net_log(net, SQN_LOG_DEBUG, "vmnet: %u port forwards, with %s", fw->n,
		api.add_ip ? "the _ip_ calls" : "the calls of macOS 10.15");
	return 0;
}

/*
 * The add that timed out, if any: its answer is waited for (VMNET_STOP_MS)
 * before anything is removed, for a rule that lands after its removal
 * would stay. Return: 0 when its answer says it made no rule.
 */
static int fwd_pending(struct sqn_net *net, struct vmnet_fwds *fw)
{
	struct vmnet_fwd_call *c = fw->pending;
	char rule[VMNET_FWD_STRLEN];
	int made = 1;

	if (!c)
		return 1;
	fw->pending = NULL;
	if (vmnet_wait(c->done, VMNET_STOP_MS))
		net_log(net, SQN_LOG_WARN,
			"vmnet: forward %s: its add did not answer within %d ms more either; its removal is asked for all the same",
			fwd_format(rule, &fw->f[fw->added - 1], fw),
			VMNET_STOP_MS);
	else if (c->status != VMNET_SUCCESS)
		made = 0;
	fwd_call_put(c);
	return made;
}

/**
 * vmnet_fwd_remove() - take back the forwards vmnet was asked for, last
 * first, before the interface stops
 * @net:	attachment
 * @v:		its interface, still started
 * @fw:		its forwards, or NULL
 *
 * An add that timed out is waited for first (fwd_pending()). Each removal
 * waits VMNET_STOP_MS for its handler; after one that did not answer, the
 * rest are still asked for but not waited for. Failures are logged.
 */
void vmnet_fwd_remove(struct sqn_net *net, struct vmnet *v,
		      struct vmnet_fwds *fw)
{
	struct vmnet_fwd_api api;
	char rule[VMNET_FWD_STRLEN];
	uint32_t ms = VMNET_STOP_MS;
	vmnet_return_t st;
	interface_ref ifc = v->iface;
	int r;

	if (!fw || !fw->added || !fwd_api(&api))
		return;
	if (!fwd_pending(net, fw))
		fw->added--;
	while (fw->added) {
		const struct vmnet_fwd *f = &fw->f[--fw->added];

		r = fwd_call(
			^(vmnet_interface_completion_handler_t h) {
			  if (api.remove_ip)
				  return api.remove_ip(ifc, f->proto,
						       f->host_port,
						       (uint8_t)AF_INET, h);
			  return api.remove(ifc, f->proto, f->host_port, h);
			},
			ms, &st, NULL);
		if (r || st != VMNET_SUCCESS)
			net_log(net, SQN_LOG_WARN,
				"vmnet: removing forward %s: %s",
				fwd_format(rule, f, fw),
				r == -ETIMEDOUT && !ms ?
					"asked for, not waited for (an earlier removal did not answer)" :
				r == -ETIMEDOUT ? "no answer" :
				r		? "out of memory" :
						  vmnet_strerror(st));
		if (r == -ETIMEDOUT)
			ms = 0;
	}
}

/**
 * vmnet_fwd_free() - the check's copy of the forwards, and the add that
 * timed out if sqn_close() did not wait for it (no interface)
 * @fw:		the copy, or NULL
 */
void vmnet_fwd_free(struct vmnet_fwds *fw)
{
	if (fw && fw->pending)
		fwd_call_put(fw->pending);
	free(fw);
}
