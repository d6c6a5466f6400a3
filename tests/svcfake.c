// SPDX-License-Identifier: MIT
/* svcfake.c - a stand-in for squib-net serve: one attach exchange on its control socket, answered as the test says */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "svcfake.h"

static char svcfake_buf[SVC_MSG_MAX + 1];

/**
 * svcfake_listen() - a SOCK_SEQPACKET listener at @path
 * @path:	where (a stale socket there is replaced)
 *
 * Return: its descriptor, or a negative errno.
 */
int svcfake_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* A new TAP "fakeN", or the one given; its name in @name. */
static int svcfake_tap(const struct svcfake_answer *a, int vnet_hdr,
		       char name[SVC_NAME_MAX])
{
	struct ifreq ifr;
	int fd = a->tap;

	memset(&ifr, 0, sizeof(ifr));
	if (fd < 0) {
		fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "fake%%d");
		ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI |
					(vnet_hdr ? IFF_VNET_HDR : 0));
		if (ioctl(fd, TUNSETIFF, &ifr)) {
			close(fd);
			return -errno;
		}
	} else if (ioctl(fd, TUNGETIFF, &ifr)) {
		return -errno;
	}
	snprintf(name, SVC_NAME_MAX, "%.15s", ifr.ifr_name);
	return fd;
}

/* The mode of the network @req names, as the real service has them. */
static const char *svcfake_mode(const struct svcfake_answer *a,
				const struct svc_request *req)
{
	if (a->mode)
		return a->mode;
	if (!strcmp(req->network, "sqn-host") || !strcmp(req->network, "host"))
		return "host";
	if (!req->network[0] || !strcmp(req->network, "sqn-shared") ||
	    !strcmp(req->network, "shared"))
		return "shared";
	return "bridged";
}

/* The facts of the attachment: the request's, and the TAP test's subnet. */
static void svcfake_facts(const struct svcfake_answer *a,
			  const struct svcfake_seen *seen,
			  struct svc_attach *att)
{
	static const uint8_t chosen[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };
	static const uint8_t gw[4] = { 10, 77, 0, 1 };
	static uint32_t ids;
	const struct svc_request *req = &seen->req;

	memset(att, 0, sizeof(*att));
	att->id = ++ids;
	snprintf(att->network, sizeof(att->network), "%s",
		 req->network[0] ? req->network : "sqn-shared");
	snprintf(att->mode, sizeof(att->mode), "%s", svcfake_mode(a, req));
	memcpy(att->tap, seen->tap, sizeof(att->tap));
	memcpy(att->guest_mac, req->has_mac ? req->mac : chosen, 6);
	att->mtu = req->mtu ? req->mtu : 1500;
	att->vnet_hdr_len = req->vnet_hdr ? 12 : 0;
	if (strcmp(att->mode, "bridged")) {
		att->has_subnet = 1;
		memcpy(att->subnet, gw, 3);
		att->prefix_len = SVCFAKE_PREFIX_LEN;
		memcpy(att->gateway, gw, 4);
		memcpy(att->dns, gw, 4);
	}
	/* A fixed address when one is asked (or forwards are), and an IPv6
	 * prefix, fd00:77::/64, when the test says so. */
	if (req->ip[0] || req->n_fwd)
		snprintf(att->fixed_ip, sizeof(att->fixed_ip), "%s",
			 req->ip[0] ? req->ip : "10.77.0.99");
	if (a->v6) {
		att->has_subnet6 = 1;
		att->subnet6[0] = 0xfd;
		att->subnet6[3] = 0x77;
		memcpy(att->gateway6, att->subnet6, 16);
		att->gateway6[15] = 1;
	}
}

/* The answer @a says, to the request in @seen. */
static int svcfake_answer(int conn, const struct svcfake_answer *a,
			  struct svcfake_seen *seen)
{
	static const char garbage[] = "HTTP/1.0 200 OK\r\n\r\n{\"ok\":";
	struct svc_reply reply;
	int fd = -1, r;

	memset(&reply, 0, sizeof(reply));
	switch (a->how) {
	case SVCFAKE_SILENT:
		return 0;
	case SVCFAKE_HANGUP:
		shutdown(conn, SHUT_RDWR);
		return 0;
	case SVCFAKE_GARBAGE:
		return svc_send(conn, garbage, sizeof(garbage) - 1, -1);
	case SVCFAKE_REFUSE:
		reply.err = a->err;
		snprintf(reply.message, sizeof(reply.message), "%s",
			 a->message);
		break;
	case SVCFAKE_TAP:
		fd = svcfake_tap(a, seen->req.vnet_hdr, seen->tap);
		if (fd < 0)
			return fd;
		svcfake_facts(a, seen, &reply.attach);
		break;
	case SVCFAKE_NO_FD:
		/* a TAP's name, as if one had been made */
		snprintf(seen->tap, sizeof(seen->tap), "fake-nofd");
		svcfake_facts(a, seen, &reply.attach);
		break;
	}
	r = svc_reply_encode(&seen->req, &reply, svcfake_buf,
			     sizeof(svcfake_buf));
	if (r >= 0)
		r = svc_send(conn, svcfake_buf, (size_t)r, fd);
	if (fd >= 0 && fd != a->tap)
		close(fd);
	return r;
}

/* The parent of @pid, from /proc (0 when it is gone). */
static pid_t svcfake_ppid(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			break;
	fclose(f);
	return ppid;
}

/**
 * svcfake_serve() - read one request on @conn and answer it
 * @conn:	an accepted connection
 * @a:		what to answer
 * @seen:	filled: the request and who sent it
 *
 * Return: 0, or a negative errno (-EPROTO: a request that did not decode;
 * it is answered with an error all the same).
 */
int svcfake_serve(int conn, const struct svcfake_answer *a,
		  struct svcfake_seen *seen)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char msg[SVC_ERRMSG_MAX];
	ssize_t n;

	memset(seen, 0, sizeof(*seen));
	if (!getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		seen->pid = cred.pid;
		seen->uid = cred.uid;
	}
	n = svc_recv(conn, svcfake_buf, sizeof(svcfake_buf), NULL);
	if (n <= 0)
		return n ? (int)n : -ECONNRESET;
	if (svc_request_decode(svcfake_buf, (size_t)n, &seen->req, msg,
			       sizeof(msg))) {
		struct svcfake_answer refuse = { SVCFAKE_REFUSE, -1,  NULL,
						 EPROTO,	 msg, 0 };

		svcfake_answer(conn, &refuse, seen);
		return -EPROTO;
	}
	seen->decoded = 1;
	seen->ppid = svcfake_ppid(seen->pid);
	return svcfake_answer(conn, a, seen);
}

/**
 * svcfake_wait_eof() - wait for the client to hang up on @conn
 * @conn:	a connection served
 *
 * Return: 0 once it did, or a negative errno (-EPROTO when it sent more).
 */
int svcfake_wait_eof(int conn)
{
	ssize_t n;

	do
		n = recv(conn, svcfake_buf, sizeof(svcfake_buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? 0 : -errno;
	return n ? -EPROTO : 0;
}
