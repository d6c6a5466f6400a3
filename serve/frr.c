// SPDX-License-Identifier: MIT
/* frr.c - the BGP EVPN control plane of networks across hosts: the
 * service's part of FRR's configuration (router bgp, the neighbours,
 * address-family l2vpn evpn with advertise-all-vni), written to a file
 * and applied to the running FRR with vtysh; taken out again at the end
 * (docs/serve.md, "With BGP EVPN (FRR)") */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "frr.h"
#include "log.h"

extern char **environ;

/* vtysh's output kept for a message (the rest is read and dropped). */
#define FRR_OUT_MAX 2048

/**
 * struct frr_part - the service's part of FRR's configuration
 * @asn:	its "router bgp", 0: none
 * @router_id:	"bgp router-id", "" none (FRR chooses)
 * @nb:		the neighbours (iBGP: remote-as @asn)
 * @n:		how many
 * @made:	"router bgp @asn" was the service's to make (FRR had none):
 *		it goes as a whole at the end, else only what was added
 */
struct frr_part {
	uint32_t asn;
	char router_id[16];
	char nb[SERVE_PEERS_MAX][16];
	unsigned int n;
	int made;
};

static int frr_err(char *msg, size_t len, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "why" in @msg; returns @r. */
static int frr_err(char *msg, size_t len, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return r;
}

/* "vtysh" or "vtysh -N NAME": how the messages name the FRR asked. */
static const char *frr_name(const struct serve *s, char *buf, size_t len)
{
	if (!s->cfg.frr_pathspace[0])
		return "vtysh";
	snprintf(buf, len, "vtysh -N %s", s->cfg.frr_pathspace);
	return buf;
}

/* The file of what was given to FRR last, and (@ext "apply") the one
 * given to vtysh -f. */
static void frr_path(const struct serve *s, const char *ext, char *path,
		     size_t len)
{
	snprintf(path, len, "%s/frr-%s.%s", FRR_STATE_DIR,
		 s->cfg.frr_pathspace[0] ? s->cfg.frr_pathspace : "default",
		 ext);
}

static long frr_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* vtysh's output without its noise (a missing or unreadable vtysh.conf,
 * the end-of-configuration marker a daemon does not know), lines joined
 * with "; ", in @out. */
static void frr_tidy(const char *raw, char *out, size_t len)
{
	const char *p = raw, *e;
	size_t k, n = 0;

	out[0] = '\0';
	for (; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		k = (size_t)(e - p);
		if (!k || memmem(p, k, "Can't open configuration file", 29) ||
		    memmem(p, k, "XFRR_end_configuration", 22))
			continue;
		if (n + k + 3 >= len)
			break;
		if (n) {
			memcpy(out + n, "; ", 2);
			n += 2;
		}
		memcpy(out + n, p, k);
		n += k;
		out[n] = '\0';
	}
}

/**
 * frr_vtysh() - run vtysh (-N the pathspace) with @args, at most
 * FRR_VTYSH_MS
 * @s:		the service
 * @args:	vtysh's arguments after -N, NULL-terminated (at most 8)
 * @out:	its output (stdout and stderr), tidied (frr_tidy())
 * @len:	the size of @out
 *
 * Return: its exit status, -ENOENT when there is no vtysh, -ETIMEDOUT,
 * or another -errno.
 */
static int frr_vtysh(const struct serve *s, const char *const *args, char *out,
		     size_t len)
{
	char raw[FRR_OUT_MAX], drop[512];
	const char *argv[12];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none;
	struct pollfd pfd;
	size_t got = 0;
	long end = frr_ms() + FRR_VTYSH_MS;
	int fds[2], st, r, n = 0;
	ssize_t k;
	pid_t pid;

	out[0] = raw[0] = '\0';
	argv[n++] = "vtysh";
	if (s->cfg.frr_pathspace[0]) {
		argv[n++] = "-N";
		argv[n++] = s->cfg.frr_pathspace;
	}
	while (*args && n < 11)
		argv[n++] = *args++;
	argv[n] = NULL;
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	/* The service blocks the signals of its signalfd: vtysh gets none
	 * blocked. */
	sigemptyset(&none);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	r = posix_spawnp(&pid, "vtysh", &fa, &at, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(fds[1]);
	if (r) {
		close(fds[0]);
		return -r;
	}
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	for (;;) {
		long left = end - frr_ms();

		if (left <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (!r)
			continue;
		if (got < sizeof(raw) - 1)
			k = read(fds[0], raw + got, sizeof(raw) - 1 - got);
		else
			k = read(fds[0], drop, sizeof(drop));
		if (k <= 0 && !(k < 0 && errno == EINTR))
			break;
		if (k > 0 && got < sizeof(raw) - 1)
			got += (size_t)k;
	}
	raw[got] = '\0';
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	frr_tidy(raw, out, len);
	if (WIFSIGNALED(st))
		return WTERMSIG(st) == SIGKILL ? -ETIMEDOUT : -EINTR;
	/* posix_spawnp() of glibc reports a missing program as exit 127. */
	return WEXITSTATUS(st) == 127 ? -ENOENT : WEXITSTATUS(st);
}

/* The service joins FRR's vty group, as vtysh's users do: FRR's vty
 * sockets are the frr user's and group frrvty's (0770), and the service,
 * root without CAP_DAC_OVERRIDE once its capabilities are cut down, and
 * the vtysh it runs reach them only through the group. Done while it may
 * still change its groups (at start). Return: 0 when it is in the group
 * (or there is none), -EPERM when it could not join. */
static int frr_group(void)
{
	gid_t list[257];
	struct group *g = getgrnam("frrvty");
	int n, i;

	if (!g)
		return 0;
	n = getgroups(256, list);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++)
		if (list[i] == g->gr_gid)
			return 0;
	list[n++] = g->gr_gid;
	if (setgroups((size_t)n, list))
		return -errno;
	return 0;
}

/* FRR runs and has zebra and bgpd ("show daemons"), or why not, with
 * what to do. */
static int frr_check(const struct serve *s, char *msg, size_t len)
{
	static const char *const args[] = { "-c", "show daemons", NULL };
	char out[FRR_OUT_MAX], name[64];
	int group = frr_group();
	int r = frr_vtysh(s, args, out, sizeof(out));

	frr_name(s, name, sizeof(name));
	if (r == -ENOENT)
		return frr_err(
			msg, len, -ENOENT,
			"FRR is missing (no vtysh): install FRR (Debian: apt install frr), set bgpd=yes in /etc/frr/daemons and start it; then SIGHUP the service");
	if (r < 0)
		return frr_err(msg, len, r, "%s: %s", name, strerror(-r));
	if (r)
		return frr_err(
			msg, len, -ECONNREFUSED,
			"FRR is not running (%s: %s): start FRR with bgpd=yes in /etc/frr/daemons; then SIGHUP the service%s",
			name, out[0] ? out : "no answer",
			group ? " (the service is not in group frrvty, which "
				"FRR's sockets need: SupplementaryGroups=frrvty)" :
				"");
	if (!strstr(out, "zebra") || !strstr(out, "bgpd"))
		return frr_err(
			msg, len, -ESRCH,
			"FRR runs without %s (%s: show daemons:%s): set bgpd=yes in /etc/frr/daemons and restart FRR; then SIGHUP the service",
			strstr(out, "zebra") ? "bgpd" : "zebra", name,
			out[0] ? out : " none");
	return 0;
}

/* What serve.conf asks of FRR: 0 in @w->asn when no network is evpn. */
static void frr_want(const struct serve *s, struct frr_part *w)
{
	const struct serve_config *c = &s->cfg;
	const char *id = c->bgp_router_id;
	unsigned int i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < c->n_nets && !w->asn; i++)
		if (c->nets[i].vni && c->nets[i].evpn) {
			w->asn = c->bgp_asn;
			if (!id[0])
				id = c->nets[i].vx_local;
		}
	if (!w->asn)
		return;
	snprintf(w->router_id, sizeof(w->router_id), "%s", id);
	for (i = 0; i < c->n_bgp_neighbors; i++)
		snprintf(w->nb[i], sizeof(w->nb[i]), "%s", c->bgp_neighbors[i]);
	w->n = c->n_bgp_neighbors;
}

/* The file of frr_write(), read back; @p->asn 0 when there is none. */
static void frr_read(const char *path, struct frr_part *p)
{
	char line[256], a[16], b[16];
	unsigned long v;
	FILE *f;

	memset(p, 0, sizeof(*p));
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "router bgp %lu", &v) == 1)
			p->asn = (uint32_t)v;
		else if (!strncmp(line, "! made: router bgp", 18))
			p->made = 1;
		else if (sscanf(line, " bgp router-id %15s", a) == 1)
			snprintf(p->router_id, sizeof(p->router_id), "%s", a);
		else if (sscanf(line, " neighbor %15s %15s", a, b) == 2 &&
			 !strcmp(b, "remote-as") && p->n < SERVE_PEERS_MAX)
			snprintf(p->nb[p->n++], sizeof(p->nb[0]), "%s", a);
	}
	fclose(f);
}

static int frr_has(const struct frr_part *p, const char *a)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->nb[i], a))
			return 1;
	return 0;
}

/* The service's part as FRR configuration, into @f: what @old had and
 * @w has not taken out first. */
static void frr_text(FILE *f, const struct frr_part *w,
		     const struct frr_part *old)
{
	unsigned int i;

	fprintf(f,
		"! squib-net serve: the BGP EVPN of its networks across hosts\n");
	if (w->made)
		fprintf(f, "! made: router bgp %u was not there before\n",
			w->asn);
	fprintf(f, "router bgp %u\n", w->asn);
	if (w->router_id[0])
		fprintf(f, " bgp router-id %s\n", w->router_id);
	else if (old->router_id[0])
		fprintf(f, " no bgp router-id\n");
	fprintf(f, " no bgp default ipv4-unicast\n");
	for (i = 0; i < old->n; i++)
		if (!frr_has(w, old->nb[i]))
			fprintf(f, " no neighbor %s\n", old->nb[i]);
	/* A peer that comes back is tried again within 10 s, not FRR's
	 * 120. */
	for (i = 0; i < w->n; i++)
		fprintf(f,
			" neighbor %s remote-as %u\n"
			" neighbor %s description squib-net\n"
			" neighbor %s timers connect 10\n",
			w->nb[i], w->asn, w->nb[i], w->nb[i]);
	fprintf(f, " address-family l2vpn evpn\n");
	for (i = 0; i < w->n; i++)
		fprintf(f, "  neighbor %s activate\n", w->nb[i]);
	fprintf(f, "  advertise-all-vni\n exit-address-family\nexit\n");
}

/* @path (0600, replaced) holds the text of @w (and of taking @old's out).
 */
static int frr_write(const char *path, const struct frr_part *w,
		     const struct frr_part *old, char *msg, size_t len)
{
	FILE *f;
	int fd, r = 0;

	if (mkdir(FRR_STATE_DIR, 0755) && errno != EEXIST)
		return frr_err(msg, len, -errno, "%s: %s", FRR_STATE_DIR,
			       strerror(errno));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return frr_err(msg, len, -errno, "%s: %s", path,
			       strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return frr_err(msg, len, -ENOMEM, "%s: out of memory", path);
	}
	frr_text(f, w, old);
	if (ferror(f))
		r = -EIO;
	if (fclose(f) && !r)
		r = -errno;
	if (r)
		return frr_err(msg, len, r, "%s: %s", path, strerror(-r));
	return 0;
}

/* FRR has a "router bgp" of the default VRF: 1 with @asn, 0 none, or
 * -EEXIST (@msg says so) with another AS. */
static int frr_router(const struct serve *s, uint32_t asn, char *msg,
		      size_t len)
{
	static const char *const args[] = { "-c", "show running-config bgpd",
					    NULL };
	char out[FRR_OUT_MAX], *p;
	unsigned long v;

	if (frr_vtysh(s, args, out, sizeof(out)))
		return 0;
	for (p = strstr(out, "router bgp "); p;
	     p = strstr(p + 1, "router bgp ")) {
		v = strtoul(p + 11, &p, 10);
		if (*p == ' ' && !strncmp(p, " vrf", 4))
			continue;
		if (v == asn)
			return 1;
		return frr_err(
			msg, len, -EEXIST,
			"FRR has router bgp %lu already, and bgp-asn is %u: one of them must change",
			v, asn);
	}
	return 0;
}

/* Take @old out of FRR: the whole router when the service made it, else
 * its neighbours and advertise-all-vni. */
static int frr_undo(struct serve *s, const struct frr_part *old, char *out,
		    size_t len)
{
	char cmd[SERVE_PEERS_MAX * 32 + 256];
	const char *args[] = { "-c", cmd, NULL };
	unsigned int i;
	size_t n;

	/* vtysh takes the lines of one -c in turn. */
	if (old->made)
		n = (size_t)snprintf(cmd, sizeof(cmd),
				     "configure\nno router bgp %u", old->asn);
	else
		n = (size_t)snprintf(cmd, sizeof(cmd),
				     "configure\nrouter bgp %u", old->asn);
	for (i = 0; !old->made && i < old->n; i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n,
				      "\nno neighbor %s", old->nb[i]);
	if (!old->made)
		snprintf(cmd + n, sizeof(cmd) - n,
			 "\naddress-family l2vpn evpn\nno advertise-all-vni");
	return frr_vtysh(s, args, out, len);
}

/**
 * frr_clear() - take the service's part out of FRR again (the service
 * ends, or no network is evpn any more); the file of it goes
 *
 * @s:		the service
 */
void frr_clear(struct serve *s)
{
	char path[SERVE_PATH_MAX], out[FRR_OUT_MAX], name[64];
	struct frr_part old;
	int r;

	frr_path(s, "conf", path, sizeof(path));
	frr_read(path, &old);
	if (!old.asn)
		return;
	r = frr_undo(s, &old, out, sizeof(out));
	frr_name(s, name, sizeof(name));
	if (r)
		warn("frr: router bgp %u not taken out (%s: %s)", old.asn, name,
		     out[0] ? out : strerror(r < 0 ? -r : EIO));
	else
		info("frr: %s %u taken out (%s)",
		     old.made ? "router bgp" : "the neighbours of router bgp",
		     old.asn, name);
	unlink(path);
}

/**
 * frr_sync() - give FRR what serve.conf's evpn networks need: router bgp
 * bgp-asn (bgp-router-id, or the first evpn network's vxlan-local), no
 * IPv4 unicast by default, the bgp-neighbors as iBGP peers, address-family
 * l2vpn evpn with them activated and advertise-all-vni; neighbours the
 * last sync gave and serve.conf no longer names are taken out. With no
 * evpn network, frr_clear().
 * @s:		the service (s->cfg read)
 * @msg:	set on failure: why, and what to do (FRR missing, not
 *		running, without bgpd, refusing)
 * @len:	its size
 *
 * What is given is written to FRR_STATE_DIR/frr-<pathspace>.conf first
 * and applied with vtysh -f (vtysh -N the pathspace when frr-pathspace is
 * set); that file is also what the next sync and frr_clear() take out.
 *
 * Return: 0, or -errno with @msg set.
 */
int frr_sync(struct serve *s, char *msg, size_t len)
{
	char path[SERVE_PATH_MAX], apply[SERVE_PATH_MAX], out[FRR_OUT_MAX];
	char name[64];
	const char *args[] = { "-f", apply, NULL };
	struct frr_part want, old;
	int r;

	frr_want(s, &want);
	if (!want.asn) {
		frr_clear(s);
		return 0;
	}
	frr_name(s, name, sizeof(name));
	r = frr_check(s, msg, len);
	if (r)
		return r;
	frr_path(s, "conf", path, sizeof(path));
	frr_path(s, "apply", apply, sizeof(apply));
	frr_read(path, &old);
	if (old.asn && old.asn != want.asn) {
		frr_clear(s);
		memset(&old, 0, sizeof(old));
	}
	if (old.asn) {
		want.made = old.made;
	} else {
		r = frr_router(s, want.asn, msg, len);
		if (r < 0)
			return r;
		want.made = !r;
	}
	r = frr_write(apply, &want, &old, msg, len);
	if (!r)
		r = frr_write(path, &want, &want, msg, len);
	if (r)
		return r;
	r = frr_vtysh(s, args, out, sizeof(out));
	unlink(apply);
	if (r)
		return frr_err(
			msg, len, r < 0 ? r : -EINVAL,
			"FRR refused the configuration (%s -f, as in %s): %s",
			name, path,
			out[0] ? out : strerror(r < 0 ? -r : EINVAL));
	info("frr: router bgp %u, %u neighbours, advertise-all-vni given to FRR (%s; %s)",
	     want.asn, want.n, name, path);
	return 0;
}

/**
 * frr_apply() - frr_sync(), its outcome kept: while s->frr_error is set,
 * the networks with vxlan-control evpn stay down with it as their reason
 * (vxlan_plan())
 * @s:		the service
 *
 * Return: 0, or -errno (logged).
 */
int frr_apply(struct serve *s)
{
	int r = frr_sync(s, s->frr_error, sizeof(s->frr_error));

	if (r)
		err("frr: %s", s->frr_error);
	else
		s->frr_error[0] = '\0';
	return r;
}
