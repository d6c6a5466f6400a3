// SPDX-License-Identifier: MIT
/* state.c - squib-net serve's record of its attachments (<socket>.state):
 * written at each attach and removal, read by the next service, which
 * adopts each fd or named attachment whose TAP and holder still live */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "attach.h"
#include "log.h"
#include "nets.h"
#include "state.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define STATE_MAGIC "squib-net-serve-state 1"
#define STATE_LINE_MAX 1024
/* The widths state_parse()'s format spells out. */
_Static_assert(SVC_NAME_MAX == 16 && SVC_LABEL_MAX == 64 &&
		       SYS_TAP_NAME_MAX == 16,
	       "state_parse()'s field widths");

static const char *const state_kinds[] = { "fd", "dgram", "named", "stream" };

/* The record's path: the control socket's, and STATE_SUFFIX. */
static void state_path(const struct serve *s, char *out, size_t len,
		       const char *more)
{
	snprintf(out, len, "%s" STATE_SUFFIX "%s", s->cfg.socket, more);
}

/* When process @pid started (/proc/PID/stat's 22nd field, in clock ticks
 * since boot): with its pid, it names one process, as a pid alone does
 * not once the pid may have been reused. 0 when unknown. */
static unsigned long long state_started(pid_t pid)
{
	char path[64], line[1024], *p;
	unsigned long long t = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	/* The name, in parentheses, may hold blanks and parentheses. */
	p = strrchr(line, ')');
	if (!p || sscanf(p + 1,
			 " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
			 "%*d %*d %*d %*d %*d %*d %llu",
			 &t) != 1)
		return 0;
	return t;
}

/* The pid an attachment lives as long as after a restart: its holder, or
 * for hold "connection" (whose connection went with the old service) the
 * client's process. */
static pid_t state_holder(const struct serve_att *a)
{
	return a->holder ? a->holder : a->pid;
}

/* @len bytes of @in as hex in @out ("-" when empty), and back. */
static void state_hex(char *out, const char *in)
{
	size_t i;

	for (i = 0; in[i]; i++)
		sprintf(out + 2 * i, "%02x", (unsigned char)in[i]);
	if (!i)
		strcpy(out, "-");
}

static void state_unhex(char *out, size_t len, const char *in)
{
	size_t i;
	unsigned int c;

	for (i = 0; i + 1 < len && in[2 * i] && in[2 * i + 1] &&
		    sscanf(in + 2 * i, "%2x", &c) == 1;
	     i++)
		out[i] = (char)c;
	out[i] = '\0';
}

/* One attachment's line. */
static int state_line(FILE *f, const struct serve_att *a)
{
	const struct svc_attach *x = &a->facts;
	const uint8_t *g = x->guest_mac, *h = x->host_mac;
	char label[2 * SVC_LABEL_MAX + 2];

	state_hex(label, a->label);
	return fprintf(f,
		       "att %u %s %s %s %u %s "
		       "%02x:%02x:%02x:%02x:%02x:%02x %d %u %d %d %d %llu "
		       "%u %u %u %02x:%02x:%02x:%02x:%02x:%02x %s\n",
		       a->id, a->net->conf.name, state_kinds[a->kind],
		       a->np.link, if_nametoindex(a->np.link), a->np.entry,
		       g[0], g[1], g[2], g[3], g[4], g[5], a->mac_asked,
		       (unsigned int)a->uid, (int)a->pid, (int)a->hold,
		       (int)a->holder, state_started(state_holder(a)),
		       x->vnet_hdr_len, x->offloads, x->mtu, h[0], h[1], h[2],
		       h[3], h[4], h[5], label) < 0;
}

/* An attachment's fixed address and forwards, a line each after its own:
 * the plane keeps them in force across a restart, status lists them. */
static int state_fwd_lines(FILE *f, const struct serve_att *a)
{
	const struct svc_attach *x = &a->facts;
	unsigned int i;
	int bad = 0;

	if (x->fixed_ip[0])
		bad |= fprintf(f, "fixed %u %s\n", a->id, x->fixed_ip) < 0;
	for (i = 0; i < x->n_fwd; i++)
		bad |= fprintf(f, "fwd %u %d %s %u %u\n", a->id,
			       x->fwd[i].proto,
			       x->fwd[i].addr[0] ? x->fwd[i].addr : "-",
			       x->fwd[i].host_port, x->fwd[i].guest_port) < 0;
	return bad;
}

/* A "fixed" or "fwd" line of the record: to its adopted attachment.
 * Return: 1 when it was one of those (taken or not), 0 otherwise. */
static int state_fwd_parse(struct serve *s, const char *line)
{
	struct svc_forward fw = { 0 };
	char ip[16], addr[16];
	struct serve_att *a;
	unsigned int id, hp, gp;
	int proto;

	if (sscanf(line, "fixed %u %15s", &id, ip) == 2) {
		for (a = s->atts; a && a->id != id; a = a->next)
			;
		if (a)
			snprintf(a->facts.fixed_ip, sizeof(a->facts.fixed_ip),
				 "%s", ip);
		return 1;
	}
	if (sscanf(line, "fwd %u %d %15s %u %u", &id, &proto, addr, &hp, &gp) !=
	    5)
		return 0;
	for (a = s->atts; a && a->id != id; a = a->next)
		;
	if (!a || a->facts.n_fwd >= SVC_FORWARDS_MAX ||
	    (proto != SQN_PROTO_TCP && proto != SQN_PROTO_UDP) || !hp ||
	    hp > 65535 || !gp || gp > 65535)
		return 1;
	fw.proto = proto;
	if (strcmp(addr, "-"))
		snprintf(fw.addr, sizeof(fw.addr), "%s", addr);
	fw.host_port = (uint16_t)hp;
	fw.guest_port = (uint16_t)gp;
	a->facts.fwd[a->facts.n_fwd++] = fw;
	return 1;
}

/**
 * state_save() - write the record of the attachments, whole, in place of
 * the last (a new file renamed over it: a crash leaves one or the other)
 * @s:		the service; nothing is written before state_adopt() ran
 */
void state_save(struct serve *s)
{
	char path[SERVE_PATH_MAX + 16], tmp[SERVE_PATH_MAX + 16];
	const struct serve_att *a;
	int fd, bad = 0;
	FILE *f;

	if (!s->state_ready)
		return;
	state_path(s, path, sizeof(path), "");
	state_path(s, tmp, sizeof(tmp), ".new");
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	f = fd < 0 ? NULL : fdopen(fd, "we");
	if (!f) {
		warn("%s: %s: a restart would lose the attachments", tmp,
		     strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	bad |= fprintf(f, STATE_MAGIC "\nnext_id %u\n", s->next_id) < 0;
	for (a = s->atts; a; a = a->next)
		bad |= state_line(f, a) || state_fwd_lines(f, a);
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path)) {
		warn("%s: %s: a restart would lose the attachments", path,
		     strerror(errno ? errno : EIO));
		unlink(tmp);
	}
}

/**
 * struct state_att - one attachment as the record has it
 * @a:		what becomes the attachment
 * @ifindex:	its TAP's ifindex
 * @started:	when its holder started (state_started())
 * @entry:	its entry in the network's record
 * @net:	its network's name
 * @kind:	its kind's name
 */
struct state_att {
	struct serve_att a;
	unsigned int ifindex;
	unsigned long long started;
	char entry[48];
	char net[SVC_NAME_MAX];
	char kind[16];
};

/* Line @line into @t; 0 when it is one. */
static int state_parse(const char *line, struct state_att *t)
{
	struct serve_att *a = &t->a;
	uint8_t *g = a->facts.guest_mac, *h = a->facts.host_mac;
	char label[2 * SVC_LABEL_MAX + 2];
	unsigned int uid;
	int pid, hold, holder, i;

	memset(t, 0, sizeof(*t));
	if (sscanf(line,
		   "att %u %15s %15s %15s %u %47s "
		   "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx %d %u %d %d %d %llu "
		   "%u %u %u %hhx:%hhx:%hhx:%hhx:%hhx:%hhx %129s",
		   &a->id, t->net, t->kind, a->np.link, &t->ifindex, t->entry,
		   &g[0], &g[1], &g[2], &g[3], &g[4], &g[5], &a->mac_asked,
		   &uid, &pid, &hold, &holder, &t->started,
		   &a->facts.vnet_hdr_len, &a->facts.offloads, &a->facts.mtu,
		   &h[0], &h[1], &h[2], &h[3], &h[4], &h[5], label) != 28 ||
	    hold < SVC_HOLD_CONNECTION || hold > SVC_HOLD_PARENT || pid <= 0 ||
	    holder < 0)
		return -EINVAL;
	a->uid = uid;
	a->pid = pid;
	a->hold = (enum svc_hold)hold;
	a->holder = holder;
	if (strcmp(label, "-"))
		state_unhex(a->label, sizeof(a->label), label);
	for (i = 0; i < 4; i++)
		if (!strcmp(t->kind, state_kinds[i]))
			a->kind = (enum svc_kind)i;
	return 0;
}

/* The pidfd of the attachment's holder when it is the process that was
 * recorded, else -ESRCH. */
static int state_holder_pidfd(const struct state_att *t)
{
	pid_t pid = state_holder(&t->a);
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	unsigned long long started;

	if (fd < 0)
		return -ESRCH;
	started = state_started(pid);
	/* Read while the pidfd's process still ran: the same process. */
	if (syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) || !started ||
	    started != t->started) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

/* Adopt the attachment of record @t: 0 when it lives on in the service. */
static int state_adopt_one(struct serve *s, struct state_att *t)
{
	struct serve_att *a;
	struct serve_net *n = nets_find(s, t->net);
	char msg[SVC_ERRMSG_MAX], link[SYS_TAP_NAME_MAX];
	int r, pidfd;

	if (!n || !n->up) {
		warn("attachment %u (%s on %s): not adopted: no such network up",
		     t->a.id, t->a.np.link, t->net);
		return -ENETDOWN;
	}
	/* A relayed client's TAP went with the old service's descriptor
	 * (its client connects again and gets a new one); only a TAP a
	 * VMM holds itself (fd), or opened by name (named: the sweep
	 * deleted it if nobody had it open), can have outlived it. */
	if (t->a.kind != SVC_KIND_FD && t->a.kind != SVC_KIND_NAMED) {
		info("attachment %u (%s on %s): not adopted: kind %s, whose port went with the service",
		     t->a.id, t->a.np.link, t->net, t->kind);
		return -EOPNOTSUPP;
	}
	a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	*a = t->a;
	a->net = n;
	a->prev = a->next = NULL;
	a->conn = NULL;
	snprintf(link, sizeof(link), "%s", t->a.np.link);
	r = netplane_adopt(&a->np, &n->spec, t->entry, link, t->ifindex,
			   SERVE_LOCK_MS, msg, sizeof(msg));
	if (r) {
		info("attachment %u (%s on %s): not adopted: %s", a->id, link,
		     n->conf.name, msg);
		free(a);
		return r;
	}
	attach_net_facts(a);
	a->facts.kind = a->kind;
	/* Hold "connection": its connection went with the old service; the
	 * client's process is what it lives as long as now. */
	a->holder = state_holder(a);
	pidfd = state_holder_pidfd(t);
	a->w.kind = SERVE_HOLDER;
	a->w.fd = pidfd;
	r = pidfd < 0 ? pidfd : attach_adopt(s, a);
	if (r) {
		info("attachment %u (%s on %s): not adopted, removed: %s",
		     a->id, link, n->conf.name,
		     r == -ESRCH ? "its holder has ended" : strerror(-r));
		netplane_close(&a->np);
		if (pidfd >= 0)
			close(pidfd);
		free(a);
		return r;
	}
	/* attach_adopt() put the port's spoofing rules in the table again
	 * (spoof_init() made it anew). */
	info("attachment %u (uid %u, %s on %s, pid %d): adopted", a->id,
	     (unsigned int)a->uid, link, n->conf.name, (int)state_holder(a));
	return 0;
}

/* Watch links going while adopted TAPs have no descriptor of ours. */
static void state_links_watch(struct serve *s)
{
	int fd;

	if (s->links.fd >= 0)
		return;
	fd = netplane_links_open();
	if (fd < 0) {
		warn("rtnetlink: %s: an adopted TAP that goes is seen only when its holder ends",
		     strerror(-fd));
		return;
	}
	s->links.kind = SERVE_LINKS;
	s->links.fd = fd;
	if (serve_watch_add(s, &s->links, EPOLLIN)) {
		close(fd);
		s->links.fd = -1;
	}
}

/* Whether record file @f, open, is to be trusted: ours and not writable
 * by others (its directory may be one where anyone can write). */
static int state_trusted(FILE *f)
{
	struct stat st;

	return !fstat(fileno(f), &st) && S_ISREG(st.st_mode) &&
	       st.st_uid == geteuid() && !(st.st_mode & 022);
}

/**
 * state_adopt() - read the record a service that was killed left, and
 * adopt its attachments whose TAP and holder live; from now on the record
 * is written at each change
 * @s:		the service, its networks up (held or joined: a network
 *		with a live TAP outlives its service)
 *
 * An adopted attachment keeps its id (the next ones follow), its entry
 * in the network's record, its hold and what status shows; the service
 * holds no descriptor of its TAP (the VMM has the only one), so the
 * attachment ends when its holder does, when its TAP goes (rtnetlink) or
 * on detach. One whose holder or TAP has gone is removed.
 */
void state_adopt(struct serve *s)
{
	char path[SERVE_PATH_MAX + 16], line[STATE_LINE_MAX];
	unsigned int adopted = 0, dropped = 0, next = 0;
	struct state_att t;
	FILE *f;

	state_path(s, path, sizeof(path), "");
	f = fopen(path, "re");
	if (f && !state_trusted(f)) {
		warn("%s: not adopted: not root's, or writable by others",
		     path);
		fclose(f);
		f = NULL;
	}
	if (f && (!fgets(line, sizeof(line), f) ||
		  strncmp(line, STATE_MAGIC "\n", sizeof(STATE_MAGIC)))) {
		warn("%s: not adopted: not a record of squib-net serve", path);
		fclose(f);
		f = NULL;
	}
	if (f)
		state_links_watch(s);
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "next_id %u", &next) == 1) {
			if (next > s->next_id)
				s->next_id = next;
			continue;
		}
		if (state_fwd_parse(s, line) || state_parse(line, &t))
			continue;
		if (t.a.id >= s->next_id)
			s->next_id = t.a.id + 1;
		if (state_adopt_one(s, &t))
			dropped++;
		else
			adopted++;
	}
	if (f) {
		fclose(f);
		info("restart: %u attachments adopted, %u not (gone)", adopted,
		     dropped);
	}
	if (!adopted && s->links.fd >= 0) {
		serve_watch_del(s, &s->links);
		close(s->links.fd);
		s->links.fd = -1;
	}
	s->state_ready = 1;
	state_save(s);
}

/* netplane_links_gone()'s callback: an adopted attachment's TAP went (a
 * named TAP that its VMM closed stays: its holder may open it again). */
static int state_link_gone(const char *name, int gone, void *ctx)
{
	struct serve *s = ctx;
	struct serve_att *a;

	for (a = s->atts; gone && a; a = a->next)
		if (a->np.fd < 0 &&
		    (a->kind == SVC_KIND_FD || a->kind == SVC_KIND_NAMED) &&
		    !strcmp(a->np.link, name)) {
			attach_remove(s, a, "its TAP went (its VMM closed it)");
			return 1;
		}
	return 0;
}

/**
 * state_links_event() - links went: adopted attachments whose TAP did go
 * @s:		the service
 */
void state_links_event(struct serve *s)
{
	netplane_links_gone(s->links.fd, state_link_gone, s);
}

/**
 * state_fini() - the service ends
 * @s:		the service
 * @clean:	its attachments are all removed: the record goes too (a
 *		service that ended in error keeps it, for the next)
 */
void state_fini(struct serve *s, int clean)
{
	char path[SERVE_PATH_MAX + 16];

	if (s->links.fd >= 0) {
		serve_watch_del(s, &s->links);
		close(s->links.fd);
		s->links.fd = -1;
	}
	if (!clean || !s->state_ready)
		return;
	state_path(s, path, sizeof(path), "");
	unlink(path);
}
