// SPDX-License-Identifier: MIT
/* status.c - "squib-net status": the service's networks and attachments,
 * asked over its control socket, as a table or as the reply's JSON */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "forward.h"
#include "log.h"
#include "svcproto.h"

/* What a reply of SVC_MSG_MAX bytes can hold, and more. */
#define STATUS_NETS_MAX 256
#define STATUS_ATTS_MAX 1024

/**
 * usage_status() - "squib-net help status" on stdout
 */
void usage_status(void)
{
	printf("usage: squib-net status [--json] [--socket PATH]\n"
	       "\n"
	       "The networks of squib-net serve (name, mode, subnet, state,\n"
	       "dnsmasq) and its attachments (kind: fd, dgram, named or\n"
	       "stream; client uid, pid and label, TAP port, MACs, the guest's\n"
	       "leased address, the TAP's counters, the frames anti-spoofing\n"
	       "dropped, and for dgram and stream clients the service's relay\n"
	       "counters: frames, bytes and drops each way), asked\n"
	       "over its control socket: PATH, else $SQN_SERVICE, else\n"
	       "%s. --json prints the service's reply as it is\n"
	       "(docs/protocol.md).\n",
	       SVC_SOCKET_DEFAULT);
}

/**
 * status_ask() - connect to the service, send @req and read the reply
 * @path:	the service's socket
 * @req:	the request (its name starts the messages)
 * @buf:	the reply, NUL-terminated
 * @size:	bytes of @buf, SVC_MSG_MAX + 1
 *
 * Return: the reply's length, or a negative errno after a line on stderr.
 */
ssize_t status_ask(const char *path, const struct svc_request *req, char *buf,
		   size_t size)
{
	static const char *const ops[] = { "?",	     "attach",	"detach",
					   "status", "forward", "forward" };
	const char *op = ops[req->op <= SVC_OP_FORWARD_REMOVE ? req->op : 0];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	ssize_t n;
	int fd, r, tap = -1;

	if (strlen(path) >= sizeof(a.sun_path)) {
		err("%s: %s: too long for a socket path", op, path);
		return -ENAMETOOLONG;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		r = -errno;
		err("%s: %s: %s (is squib-net serve running, and may you use its socket?)",
		    op, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	n = svc_request_encode(req, buf, size);
	r = n < 0 ? (int)n : svc_send(fd, buf, (size_t)n, -1);
	n = r ? r : svc_recv(fd, buf, size, &tap);
	if (tap >= 0)
		close(tap);
	close(fd);
	if (!n || n == -ECONNRESET || n == -EPIPE)
		err("%s: %s: the service refused the connection (closed it without an answer: too many connections, or it is out of descriptors; its log says why)",
		    op, path);
	else if (n < 0)
		err("%s: %s: %s", op, path, strerror((int)-n));
	return n ? n : -ECONNRESET;
}

/**
 * status_fetch() - the service's status, decoded
 * @path:	its socket
 * @rep:	the reply; its arrays allocated (status_free())
 * @buf:	set to the reply's text (SVC_MSG_MAX + 1 bytes, allocated)
 *
 * Return: 0, or 1 after a line on stderr.
 */
int status_fetch(const char *path, struct svc_reply *rep, char **buf)
{
	struct svc_request req = { .op = SVC_OP_STATUS };
	char msg[SVC_ERRMSG_MAX];
	ssize_t n;

	memset(rep, 0, sizeof(*rep));
	*buf = malloc(SVC_MSG_MAX + 1);
	rep->networks = calloc(STATUS_NETS_MAX, sizeof(*rep->networks));
	rep->attachments = calloc(STATUS_ATTS_MAX, sizeof(*rep->attachments));
	if (!*buf || !rep->networks || !rep->attachments) {
		err("status: out of memory");
		return 1;
	}
	n = status_ask(path, &req, *buf, SVC_MSG_MAX + 1);
	if (n < 0)
		return 1;
	rep->n_networks = STATUS_NETS_MAX;
	rep->n_attachments = STATUS_ATTS_MAX;
	if (svc_reply_decode(SVC_OP_STATUS, *buf, (size_t)n, rep, msg,
			     sizeof(msg))) {
		err("status: the service's reply: %s", msg);
		return 1;
	}
	if (rep->err) {
		err("status: %s", rep->message);
		return 1;
	}
	if (rep->n_networks > STATUS_NETS_MAX)
		rep->n_networks = STATUS_NETS_MAX;
	if (rep->n_attachments > STATUS_ATTS_MAX)
		rep->n_attachments = STATUS_ATTS_MAX;
	return 0;
}

/**
 * status_free() - what status_fetch() allocated
 * @rep:	the reply
 * @buf:	its text
 */
void status_free(struct svc_reply *rep, char *buf)
{
	free(buf);
	free(rep->networks);
	free(rep->attachments);
}

/**
 * status_forwards() - an attachment's forwards, "tcp:8080:80 ...", "-"
 * when none
 * @a:		the attachment
 * @out:	the text
 * @len:	its size
 */
void status_forwards(const struct svc_attach *a, char *out, size_t len)
{
	char one[FORWARD_STRLEN];
	size_t n = 0;
	unsigned int i;

	snprintf(out, len, "-");
	for (i = 0; i < a->n_fwd && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, "%s%s", i ? " " : "",
				      status_forward(&a->fwd[i], one));
}

/**
 * status_forward() - one forward as a rule's text, "tcp:8080:80"
 * @f:		the forward
 * @out:	the text, FORWARD_STRLEN bytes
 *
 * Return: @out.
 */
char *status_forward(const struct svc_forward *f, char *out)
{
	struct sqn_forward sf = { (enum sqn_proto)f->proto,
				  f->addr[0] ? f->addr : NULL, f->host_port,
				  f->guest_port };

	return forward_format(out, &sf);
}

/* enum svc_kind's names, as the table shows them. */
static const char *const status_kinds[] = { "fd", "dgram", "named", "stream" };

static void status_mac(char *out, const uint8_t m[6])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

/* An attachment's DHCP name, fixed address and forwards, when it has any. */
static void status_att_more(const struct svc_attach *a)
{
	char fwd[SVC_FORWARDS_MAX * FORWARD_STRLEN];

	if (!a->hostname[0] && !a->fixed_ip[0] && !a->n_fwd)
		return;
	status_forwards(a, fwd, sizeof(fwd));
	printf("     name %s.%s, fixed address %s, forwards %s\n",
	       a->hostname[0] ? a->hostname : "-", a->network,
	       a->fixed_ip[0] ? a->fixed_ip : "-", fwd);
}

/* A network's IPv6 prefix and NAT interface, when it has them. */
static void status_net_more(const struct svc_network *n)
{
	char p6[INET6_ADDRSTRLEN] = "-";

	if (!n->has_subnet6 && !n->nat_iface[0])
		return;
	if (n->has_subnet6)
		inet_ntop(AF_INET6, n->subnet6, p6, sizeof(p6));
	printf("  IPv6 %s%s, NAT out of %s\n", p6, n->has_subnet6 ? "/64" : "",
	       n->nat_iface[0]		  ? n->nat_iface :
	       !strcmp(n->role, "member") ? "the gateway host's" :
					    "-");
}

/* A network across hosts: its role, VNI, underlay, control plane, peers
 * and its VXLAN device's counters. */
static void status_net_vxlan(const struct svc_network *n)
{
	unsigned int i;

	if (!n->role[0])
		return;
	printf("  VXLAN %s of VNI %u, local %s port %u, %s, peers", n->role,
	       n->vni, n->vxlan_local[0] ? n->vxlan_local : "-", n->vxlan_port,
	       n->control);
	for (i = 0; i < n->n_peers; i++)
		printf("%s%s", i ? "," : " ", n->peers[i]);
	printf("%s\n", n->n_peers ? "" : " none");
	printf("  VXLAN rx %llu packets %llu bytes, tx %llu packets %llu bytes, drops %llu\n",
	       (unsigned long long)n->vxlan_rx_packets,
	       (unsigned long long)n->vxlan_rx_bytes,
	       (unsigned long long)n->vxlan_tx_packets,
	       (unsigned long long)n->vxlan_tx_bytes,
	       (unsigned long long)n->vxlan_drops);
}

/* The table: networks, then attachments. */
static void status_print(const struct svc_reply *rep)
{
	char subnet[24], dns[40], gm[18], hm[18];
	const struct svc_network *n;
	const struct svc_attach *a;
	unsigned int i;

	printf("%-15s %-8s %-18s %-6s %-22s %s\n", "NETWORK", "MODE", "SUBNET",
	       "STATE", "DNSMASQ", "ATTACHMENTS");
	for (i = 0; i < rep->n_networks; i++) {
		n = &rep->networks[i];
		snprintf(subnet, sizeof(subnet), "-");
		if (n->has_subnet)
			snprintf(subnet, sizeof(subnet), "%u.%u.%u.%u/%u",
				 n->subnet[0], n->subnet[1], n->subnet[2],
				 n->subnet[3], n->prefix_len);
		snprintf(dns, sizeof(dns), "%s", n->dnsmasq_state);
		if (n->dnsmasq_pid)
			snprintf(dns, sizeof(dns), "%s (pid %u)",
				 n->dnsmasq_state, n->dnsmasq_pid);
		printf("%-15s %-8s %-18s %-6s %-22s %u\n", n->name, n->mode,
		       subnet, n->state, dns, n->attachments);
		if (n->error[0])
			printf("  down: %s\n", n->error);
		status_net_more(n);
		status_net_vxlan(n);
		if (n->stream_socket[0] || n->allow_spoofing)
			printf("  %s%s%s\n",
			       n->stream_socket[0] ? "stream socket " : "",
			       n->stream_socket,
			       !n->allow_spoofing  ? "" :
			       n->stream_socket[0] ? ", spoofing allowed" :
						     "spoofing allowed");
	}
	if (!rep->n_attachments) {
		printf("\nno attachments\n");
		return;
	}
	printf("\n%-4s %-15s %-6s %-15s %-6s %-7s %-17s %-17s %-15s %10s %10s %6s %s\n",
	       "ID", "NETWORK", "KIND", "TAP", "UID", "PID", "GUEST MAC",
	       "TAP MAC", "IP", "RX BYTES", "TX BYTES", "SPOOF", "LABEL");
	for (i = 0; i < rep->n_attachments; i++) {
		a = &rep->attachments[i];
		status_mac(gm, a->guest_mac);
		status_mac(hm, a->host_mac);
		printf("%-4u %-15s %-6s %-15s %-6u %-7u %-17s %-17s %-15s %10llu %10llu %6llu %s\n",
		       a->id, a->network,
		       a->kind <= SVC_KIND_STREAM ? status_kinds[a->kind] : "?",
		       a->tap, a->uid, a->pid, gm, hm, a->ip[0] ? a->ip : "-",
		       (unsigned long long)a->rx_bytes,
		       (unsigned long long)a->tx_bytes,
		       (unsigned long long)a->spoof_drops, a->label);
		status_att_more(a);
		/* The service's relay between the client's socket and its
		 * TAP port. */
		if (a->kind == SVC_KIND_STREAM || a->kind == SVC_KIND_DGRAM)
			printf("     relay: from guest %llu frames %llu bytes %llu drops, to guest %llu frames %llu bytes %llu drops\n",
			       (unsigned long long)a->from_guest_frames,
			       (unsigned long long)a->from_guest_bytes,
			       (unsigned long long)a->from_guest_drops,
			       (unsigned long long)a->to_guest_frames,
			       (unsigned long long)a->to_guest_bytes,
			       (unsigned long long)a->to_guest_drops);
	}
}

/**
 * cmd_status() - squib-net status [--json] [--socket PATH]
 * @argc:	argument count, from "status" on
 * @argv:	arguments
 *
 * Return: 0, 1 when the service could not be asked or refused,
 * EXIT_USAGE for a usage error.
 */
int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct svc_reply rep = { 0 };
	const char *path = NULL;
	char *buf = NULL;
	int o, json = 0, r;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (o == 'j') {
			json = 1;
		} else if (o == 's') {
			path = optarg;
		} else if (o == 'h') {
			usage_status();
			return 0;
		} else if (o == ':') {
			err("status: %s needs a value (see squib-net help status)",
			    argv[optind - 1]);
			return EXIT_USAGE;
		} else {
			err("status: unknown option: %s (see squib-net help status)",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		err("status: takes no arguments: %s", argv[optind]);
		return EXIT_USAGE;
	}
	r = status_fetch(svc_socket_path(path), &rep, &buf);
	if (!r && json)
		printf("%s\n", buf);
	else if (!r)
		status_print(&rep);
	status_free(&rep, buf);
	return r;
}
