// SPDX-License-Identifier: MIT
/* test_plane_fwd.c - fixed addresses and port forwards of the network
 * plane (netplane_reserve(), netplane_forward_add()/_remove()): dnsmasq's
 * reservation, and a guest's server reached from outside, from the host's
 * own address and from 127.0.0.1, each test in a network namespace of its
 * own with a "guest" and a "wan" namespace it makes */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "dhcp.h"
#include "harness.h"
#include "plane_ns.h"
#include "squibnet.h"
#include "sys/netplane.h"

#define SUBNET "10.251.0.1/24"
#define GUEST "10.251.0.50"
#define HOST_ADDR "10.250.0.2" /* the uplink's: ns_new() */
/* wan, beyond the host's address HOST_ADDR2 (a forwarding interface:
 * the network's NAT interface) */
#define HOST_ADDR2 "10.249.0.2"
#define WAN_ADDR "10.249.0.1"

/* The guest's servers: TCP 80 says "hello <peer>", UDP 53 answers "pong
 * <peer>"; UDP is bound first, so a TCP answer means both are up. */
static const char guest_py[] =
	"import socket,threading\n"
	"u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
	"u.bind(('0.0.0.0',53))\n"
	"t=socket.socket()\n"
	"t.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
	"t.bind(('0.0.0.0',80))\n"
	"t.listen(64)\n"
	"def udp():\n"
	"  while True:\n"
	"    d,a=u.recvfrom(2048)\n"
	"    u.sendto(b'pong '+a[0].encode(),a)\n"
	"threading.Thread(target=udp,daemon=True).start()\n"
	"while True:\n"
	"  c,a=t.accept()\n"
	"  c.sendall(('hello '+a[0]+'\\n').encode())\n"
	"  c.close()\n";

static struct netplane_port port_a = { "fa", { 0 }, 10000 };
static struct netplane_port port_b = { "fb", { 0 }, 10000 };

/* A shared network NET on SUBNET, attached to through @port. */
static void attach(struct netplane *np, const struct netplane_port *port)
{
	struct sqn_config cfg;
	struct net_params p;
	char msg[256];

	config(&cfg, SQN_MODE_SHARED, SUBNET);
	CHECK_MSG(!config_check(&cfg, &p, msg, sizeof(msg)), "%s", msg);
	CHECK_MSG(!netplane_attach(np, &p.net, port, 0, msg, sizeof(msg)), "%s",
		  msg);
}

/* A child in a network namespace of its own, where links @links (blank
 * separated) are moved, running shell command @cmd; its stdout in *@out
 * when @out is not NULL. */
static pid_t ns_start(const char *links, const char *cmd, int *out)
{
	int up[2], go[2], o[2];
	char c, buf[256], *save = NULL, *l;
	pid_t pid;

	CHECK(!pipe2(up, O_CLOEXEC) && !pipe2(go, O_CLOEXEC) &&
	      !pipe2(o, O_CLOEXEC));
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		/* It goes with the test, failed or not. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET) || write(up[1], "u", 1) != 1 ||
		    read(go[0], &c, 1) != 1)
			_exit(127);
		dup2(o[1], 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(up[1]);
	close(go[0]);
	close(o[1]);
	CHECK(read(up[0], &c, 1) == 1);
	snprintf(buf, sizeof(buf), "%s", links);
	for (l = strtok_r(buf, " ", &save); l; l = strtok_r(NULL, " ", &save))
		CHECK(!sh_printf("ip link set %s netns %d", l, (int)pid));
	CHECK(write(go[1], "g", 1) == 1);
	close(up[0]);
	close(go[1]);
	if (out)
		*out = o[0];
	else
		close(o[0]);
	return pid;
}

/* ns_start() to its end: its stdout in @out. */
static void ns_run(const char *links, const char *cmd, char *out, size_t len)
{
	size_t at = 0;
	ssize_t n;
	int fd, st;
	pid_t pid = ns_start(links, cmd, &fd);

	while (at + 1 < len && (n = read(fd, out + at, len - at - 1)) > 0)
		at += (size_t)n;
	out[at] = '\0';
	close(fd);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
}

/* A TCP connection to @ip:@port: its first line in @out, "" when refused
 * or silent. */
static void tcp_get(const char *ip, int port, char *out, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct pollfd p;
	ssize_t n = 0;
	int s;

	out[0] = '\0';
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sa.sin_addr);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(s >= 0);
	if (!connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		p = (struct pollfd){ s, POLLIN, 0 };
		if (poll(&p, 1, WAIT_MS) == 1)
			n = read(s, out, len - 1);
		out[n > 0 ? n : 0] = '\0';
		out[strcspn(out, "\n")] = '\0';
	}
	close(s);
}

/* A UDP question to @ip:@port: the answer in @out, "" when none came
 * (asked three times, a second apart at most). */
static void udp_ask(const char *ip, int port, char *out, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct pollfd p;
	ssize_t n = 0;
	int s, i;

	out[0] = '\0';
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sa.sin_addr);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(s >= 0);
	CHECK(!connect(s, (struct sockaddr *)&sa, sizeof(sa)));
	for (i = 0; i < 3 && n <= 0; i++) {
		if (send(s, "ping", 4, 0) != 4)
			break;
		p = (struct pollfd){ s, POLLIN, 0 };
		if (poll(&p, 1, 1000) == 1)
			n = recv(s, out, len - 1, 0);
	}
	out[n > 0 ? n : 0] = '\0';
	close(s);
}

/* A guest at GUEST on the bridge (a veth port, the other end in a
 * namespace of its own) running guest_py; ready when it answers. */
static pid_t guest_start(void)
{
	char cmd[1400], got[128];
	pid_t pid;
	int i;

	CHECK(!sh("ip link add gv0 type veth peer name gv1 && "
		  "ip link set gv0 master " NET " up"));
	snprintf(cmd, sizeof(cmd),
		 "ip link set lo up && ip addr add " GUEST "/24 dev gv1 && "
		 "ip link set gv1 up && ip route add default via 10.251.0.1 && "
		 "exec python3 -c \"%s\"",
		 guest_py);
	pid = ns_start("gv1", cmd, NULL);
	for (i = 0; i < WAIT_MS / 10; i++) {
		tcp_get(GUEST, 80, got, sizeof(got));
		if (got[0])
			break;
		CHECK_MSG(!harness_proc_ended(pid, 10), "the guest ended");
	}
	CHECK_MSG(!strncmp(got, "hello ", 6), "the guest did not answer: '%s'",
		  got);
	return pid;
}

static void guest_stop(pid_t pid)
{
	CHECK(!kill(pid, SIGKILL));
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
}

/* Whether the network's hosts file has a line @line. */
static int hosts_has(const char *line)
{
	return !sh_printf("grep -qx '%s' %s/" NET "/dnsmasq.hosts", line,
			  record);
}

/* Ask dnsmasq over the plain TAP @fd, as @mac, with a message of @type
 * (1 DISCOVER, 3 REQUEST of @ip from @server) until it answers with type
 * @want (2 OFFER, 5 ACK): 1 then, and @ip and @server set. */
static int dhcp_ask(int fd, const uint8_t mac[6], int type, int want,
		    uint8_t ip[4], uint8_t server[4])
{
	static uint8_t f[DHCP_FRAME_MAX + 16];
	struct pollfd p = { fd, POLLIN, 0 };
	uint8_t a[4], sv[4];
	size_t len;
	int i, got = 0;
	ssize_t n;

	for (i = 0; i < 5 * 20 && !got; i++) {
		if (i % 20 == 0) {
			len = dhcp_msg(f, 0, mac, type, ip, server);
			CHECK(write(fd, f, len) == (ssize_t)len);
		}
		/* An answer may be broadcast: this MAC's (chaddr). */
		while (!got && poll(&p, 1, 100) == 1 &&
		       (n = read(fd, f, sizeof(f))) > 0)
			got = dhcp_answer(f, (size_t)n, 0, want, a, sv) &&
			      n >= 76 && !memcmp(f + 70, mac, 6);
	}
	if (got) {
		memcpy(ip, a, 4);
		memcpy(server, sv, 4);
	}
	return got;
}

/* The address dnsmasq offers @mac over the plain TAP @fd, or ""; with
 * @lease, it is then asked for and leased. */
static void dhcp_offer(int fd, const uint8_t mac[6], char *out, int lease)
{
	uint8_t ip[4] = { 0 }, server[4] = { 0 };

	out[0] = '\0';
	if (!dhcp_ask(fd, mac, 1, 2, ip, server) ||
	    (lease && !dhcp_ask(fd, mac, 3, 5, ip, server)))
		return;
	sprintf(out, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
}

/* Whether the network's dnsmasq has a lease of @ip. */
static int leased(const char *ip)
{
	return !sh_printf("grep -q ' %s ' %s/" NET "/dnsmasq.leases", ip,
			  record);
}

/* A reservation is dnsmasq's at once (its hosts file and SIGHUP, the
 * same dnsmasq): the address it offers the MAC. Another MAC cannot have
 * it; the same MAC gets it again; addresses outside the guests' are
 * refused; it goes when the attachment closes. */
TEST(a_reservation_is_what_dhcp_offers)
{
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01 };
	const uint8_t mac2[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x02 };
	const uint8_t mac3[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x04 };
	struct netplane a, b;
	char ip[16], msg[256], offer[16];
	int dns, i;

	ns_new();
	attach(&a, &port_a);
	attach(&b, &port_b);
	dns = dnsmasq_pid();
	CHECK_MSG(!netplane_reserve(&a, mac, "10.251.0.77", ip, msg,
				    sizeof(msg)),
		  "%s", msg);
	CHECK_MSG(!strcmp(ip, "10.251.0.77"), "%s", ip);
	CHECK(hosts_has("52:54:00:aa:bb:01,10.251.0.77"));
	dhcp_offer(a.fd, mac, offer, 1);
	CHECK_MSG(!strcmp(offer, "10.251.0.77"), "offered '%s'", offer);
	CHECK_EQ(dnsmasq_pid(), dns); /* SIGHUP, not a restart */

	CHECK_EQ(netplane_reserve(&b, mac2, "10.251.0.77", ip, msg,
				  sizeof(msg)),
		 -EADDRINUSE);
	CHECK_MSG(strstr(msg, "reserved for another guest"), "%s", msg);
	CHECK_EQ(netplane_reserve(&b, mac2, "10.251.0.1", ip, msg, sizeof(msg)),
		 -EINVAL);
	CHECK_EQ(netplane_reserve(&b, mac2, "10.252.0.9", ip, msg, sizeof(msg)),
		 -EINVAL);
	CHECK_EQ(netplane_reserve(&b, mac2, "10.251.0.255", ip, msg,
				  sizeof(msg)),
		 -EINVAL);
	/* Again for the same MAC: its address. */
	CHECK_MSG(!netplane_reserve(&a, mac, NULL, ip, msg, sizeof(msg)), "%s",
		  msg);
	CHECK_MSG(!strcmp(ip, "10.251.0.77"), "%s", ip);
	/* None asked: one of the pool, not another's. */
	CHECK_MSG(!netplane_reserve(&b, mac2, "", ip, msg, sizeof(msg)), "%s",
		  msg);
	CHECK_MSG(strcmp(ip, "10.251.0.77") && !strncmp(ip, "10.251.0.", 9),
		  "%s", ip);
	dhcp_offer(b.fd, mac2, offer, 0);
	CHECK_MSG(!strcmp(offer, ip), "offered '%s', reserved %s", offer, ip);

	/* The guest goes with its attachment, without a DHCPRELEASE of
	 * its own (udhcpc -q): its lease goes too, and the address is free
	 * at once for another MAC. */
	CHECK(leased("10.251.0.77"));
	netplane_close(&a);
	CHECK(!hosts_has("52:54:00:aa:bb:01,10.251.0.77"));
	snprintf(msg, sizeof(msg), "52:54:00:aa:bb:02,%s", ip);
	CHECK(hosts_has(msg));
	for (i = 0; i < WAIT_MS / 10 && leased("10.251.0.77"); i++)
		usleep(10000);
	CHECK_MSG(!leased("10.251.0.77"), "the lease is left");
	attach(&a, &port_a);
	CHECK_MSG(!netplane_reserve(&a, mac3, "10.251.0.77", ip, msg,
				    sizeof(msg)),
		  "%s", msg);
	dhcp_offer(a.fd, mac3, offer, 1);
	CHECK_MSG(!strcmp(offer, "10.251.0.77"), "offered '%s'", offer);
	netplane_close(&a);
	netplane_close(&b);
	nothing_left();
}

/* From wan to the host's address, from the host to its own address and
 * to 127.0.0.1: the guest's TCP and UDP servers, through DNAT. Removed,
 * the rule takes nothing any more. */
TEST(forwards_reach_the_guest_from_outside_and_from_the_host)
{
	struct sqn_forward tcp = { SQN_PROTO_TCP, NULL, 8080, 80 };
	struct sqn_forward udp = { SQN_PROTO_UDP, NULL, 5353, 53 };
	struct netplane np;
	char msg[256], got[128];
	pid_t guest;

	ns_new();
	/* The default route, and so NAT, through wan0 to "wan" (a
	 * namespace of its own, made below), whose end of the link goes
	 * with it. */
	CHECK(!sh("ip link add wan0 type veth peer name wan1 && "
		  "ip addr add " HOST_ADDR2 "/24 dev wan0 && "
		  "ip link set wan0 up && ip route del default && "
		  "ip route add default via " WAN_ADDR));
	attach(&np, &port_a);
	guest = guest_start();
	CHECK_MSG(!netplane_forward_add(&np, &tcp, GUEST, msg, sizeof(msg)),
		  "%s", msg);
	CHECK_MSG(!netplane_forward_add(&np, &udp, GUEST, msg, sizeof(msg)),
		  "%s", msg);
	tcp_get("127.0.0.1", 8080, got, sizeof(got));
	CHECK_MSG(!strcmp(got, "hello 10.251.0.1"), "127.0.0.1: '%s'", got);
	tcp_get(HOST_ADDR, 8080, got, sizeof(got));
	CHECK_MSG(!strcmp(got, "hello " HOST_ADDR), "own address: '%s'", got);
	udp_ask("127.0.0.1", 5353, got, sizeof(got));
	CHECK_MSG(!strcmp(got, "pong 10.251.0.1"), "udp 127.0.0.1: '%s'", got);
	udp_ask(HOST_ADDR, 5353, got, sizeof(got));
	CHECK_MSG(!strcmp(got, "pong " HOST_ADDR), "udp own: '%s'", got);
	/* wan, beyond the NAT interface; it sees its own address. */
	ns_run("wan1",
	       "ip link set lo up && ip addr add " WAN_ADDR "/24 dev wan1 && "
	       "ip link set wan1 up && python3 -c \""
	       "import socket\n"
	       "c=socket.create_connection(('" HOST_ADDR2 "',8080),5)\n"
	       "print(c.recv(100).decode().strip())\n"
	       "u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
	       "u.settimeout(1)\n"
	       "for i in range(5):\n"
	       "  u.sendto(b'ping',('" HOST_ADDR2 "',5353))\n"
	       "  try:\n"
	       "    print(u.recv(100).decode()); break\n"
	       "  except socket.timeout: pass\n\"",
	       got, sizeof(got));
	CHECK_MSG(!strcmp(got, "hello " WAN_ADDR "\npong " WAN_ADDR "\n"),
		  "wan: '%s'", got);

	CHECK_MSG(!netplane_forward_remove(&np, &tcp, msg, sizeof(msg)), "%s",
		  msg);
	tcp_get("127.0.0.1", 8080, got, sizeof(got));
	CHECK_MSG(!got[0], "still forwarded: '%s'", got);
	CHECK_EQ(netplane_forward_remove(&np, &tcp, msg, sizeof(msg)), -ENOENT);
	udp_ask("127.0.0.1", 5353, got, sizeof(got));
	CHECK_MSG(!strcmp(got, "pong 10.251.0.1"), "udp: '%s'", got);
	guest_stop(guest);
	netplane_close(&np);
	nothing_left();
}

/* A forward another has (any attachment, any network of the namespace),
 * one that overlaps it by address, a port a socket of the host's holds:
 * refused, with the reason. */
TEST(colliding_forwards_are_refused_with_the_reason)
{
	struct sqn_forward f = { SQN_PROTO_TCP, NULL, 8080, 80 };
	struct sqn_forward lo = { SQN_PROTO_TCP, "127.0.0.1", 8080, 81 };
	struct sqn_forward u = { SQN_PROTO_UDP, NULL, 8080, 80 };
	struct sqn_forward busy = { SQN_PROTO_TCP, NULL, 9090, 0 };
	struct sqn_forward bad = { SQN_PROTO_TCP, "10.9.9.9", 9191, 0 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct netplane a, b;
	char msg[256];
	int s;

	ns_new();
	attach(&a, &port_a);
	attach(&b, &port_b);
	CHECK_MSG(!netplane_forward_add(&a, &f, GUEST, msg, sizeof(msg)), "%s",
		  msg);
	CHECK_EQ(netplane_forward_add(&b, &f, "10.251.0.51", msg, sizeof(msg)),
		 -EADDRINUSE);
	CHECK_MSG(strstr(msg, "tcp:8080:80 is forwarded already, to " GUEST
			      ":80 on network " NET),
		  "%s", msg);
	CHECK_EQ(netplane_forward_add(&a, &f, GUEST, msg, sizeof(msg)),
		 -EADDRINUSE);
	CHECK_EQ(netplane_forward_add(&b, &lo, "10.251.0.51", msg, sizeof(msg)),
		 -EADDRINUSE);
	/* Another protocol is another port. */
	CHECK_MSG(!netplane_forward_add(&b, &u, "10.251.0.51", msg,
					sizeof(msg)),
		  "%s", msg);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_port = htons(9090);
	CHECK(s >= 0 && !bind(s, (struct sockaddr *)&sa, sizeof(sa)) &&
	      !listen(s, 1));
	CHECK_EQ(netplane_forward_add(&a, &busy, GUEST, msg, sizeof(msg)),
		 -EADDRINUSE);
	CHECK_MSG(strstr(msg, "tcp port 9090 is in use on the host"), "%s",
		  msg);
	close(s);
	CHECK_MSG(!netplane_forward_add(&a, &busy, GUEST, msg, sizeof(msg)),
		  "%s", msg);
	CHECK_EQ(netplane_forward_add(&a, &bad, GUEST, msg, sizeof(msg)),
		 -EADDRNOTAVAIL);
	CHECK_EQ(netplane_forward_add(&a,
				      &(struct sqn_forward){ SQN_PROTO_TCP,
							     NULL, 7000, 0 },
				      "10.252.0.3", msg, sizeof(msg)),
		 -EINVAL);
	/* Gone with its attachment: free for another. */
	netplane_close(&a);
	CHECK_MSG(!netplane_forward_add(&b, &f, "10.251.0.51", msg,
					sizeof(msg)),
		  "%s", msg);
	netplane_close(&b);
	nothing_left();
}

/* The count of DNAT rules in the network's table. */
static int dnat_rules(void)
{
	char cmd[160], line[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "nft list table ip squib-net-" NET " | grep -c 'dnat to'");
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	pclose(p);
	return atoi(line);
}

/* An attachment's forwards and reservation in a child that is killed:
 * the network lives on (another attachment), and they go with the
 * killed one's entry (the keeper's sweep), not forever. */
TEST(a_killed_attachments_forwards_and_reservation_go)
{
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x03 };
	struct sqn_forward f = { SQN_PROTO_TCP, NULL, 8080, 80 };
	struct netplane a, b;
	char msg[256], ip[16];
	int go[2], i;
	pid_t pid;

	ns_new();
	attach(&b, &port_b);
	CHECK(!pipe2(go, O_CLOEXEC));
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		close(go[0]);
		attach(&a, &port_a);
		if (netplane_reserve(&a, mac, "10.251.0.60", ip, msg,
				     sizeof(msg)) ||
		    netplane_forward_add(&a, &f, ip, msg, sizeof(msg)) ||
		    write(go[1], "k", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(go[1]);
	CHECK_MSG(read(go[0], msg, 1) == 1, "the child made no forward");
	close(go[0]);
	CHECK_EQ(dnat_rules(), 2);
	CHECK(hosts_has("52:54:00:aa:bb:03,10.251.0.60"));
	CHECK(!kill(pid, SIGKILL));
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
	for (i = 0; i < GONE_MS / 10 && dnat_rules(); i++)
		usleep(10000);
	CHECK_MSG(!dnat_rules(), "the killed one's forward is left");
	CHECK(!hosts_has("52:54:00:aa:bb:03,10.251.0.60"));
	/* Its port is free again. */
	CHECK_MSG(!netplane_forward_add(&b, &f, GUEST, msg, sizeof(msg)), "%s",
		  msg);
	netplane_close(&b);
	nothing_left();
}

/* The address DHCP offers the attachment's guest (its MAC), asked over
 * the attachment itself, as a guest would; "" when none came. */
static void sqn_dhcp_offer(sqn_net *net, const uint8_t mac[6], char *out)
{
	static uint8_t f[DHCP_FRAME_MAX + 16];
	uint8_t ip[4] = { 0 }, server[4] = { 0 };
	struct sqn_info info;
	struct sqn_pkt pkt;
	struct iovec iov;
	struct pollfd p;
	size_t hl, len;
	int i, got = 0;

	CHECK(!sqn_info(net, &info));
	hl = info.vnet_hdr_len;
	out[0] = '\0';
	for (i = 0; i < 5 * 20 && !got; i++) {
		if (i % 20 == 0) {
			memset(f, 0, hl);
			len = dhcp_msg(f, hl, mac, 1, ip, server);
			iov = (struct iovec){ f, len };
			pkt = (struct sqn_pkt){ &iov, 1, 0, 0 };
			CHECK_EQ(sqn_send(net, &pkt, 1), 1);
		}
		p = (struct pollfd){ sqn_fd(net), POLLIN, 0 };
		if (poll(&p, 1, 100) != 1)
			continue;
		iov = (struct iovec){ f, sizeof(f) };
		pkt = (struct sqn_pkt){ &iov, 1, 0, 0 };
		while (!got && sqn_recv(net, &pkt, 1) == 1) {
			got = dhcp_answer(f, pkt.len, hl, 2, ip, server) &&
			      pkt.len >= hl + 76 &&
			      !memcmp(f + hl + 70, mac, 6);
			pkt.len = 0;
		}
	}
	if (got)
		sprintf(out, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
}

/* How many reservations the network's hosts file has. */
static int hosts_lines(void)
{
	char path[256], line[128];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" NET "/dnsmasq.hosts", record);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		fclose(f);
	return n;
}

/* sqn_open() with guest_ip and forwards: sqn_info tells the address,
 * DHCP offers it, the table DNATs to it; a colliding forward fails the
 * open and leaves nothing of it; forwards without guest_ip get an address
 * of the pool reserved. sqn_close() takes it all. */
TEST(sqn_open_reserves_and_forwards_and_sqn_close_undoes_it)
{
	const struct sqn_forward f[2] = { { SQN_PROTO_TCP, NULL, 8080, 80 },
					  { SQN_PROTO_UDP, NULL, 5353, 53 } };
	const struct sqn_forward g = { SQN_PROTO_TCP, NULL, 9000, 0 };
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *a, *b = NULL, *c;
	char got[64], cmd[256];

	ns_new();
	config(&cfg, SQN_MODE_SHARED, SUBNET);
	cfg.iface_id = "la";
	cfg.has_guest_mac = 1;
	memcpy(cfg.guest_mac, "\x52\x54\x00\xaa\xbb\x10", 6);
	cfg.guest_ip = "10.251.0.40";
	cfg.forwards = f;
	cfg.n_forwards = 2;
	a = open_ok(&cfg);
	CHECK(!sqn_info(a, &info));
	CHECK_EQ(info.has_guest_ip, 1);
	CHECK(!memcmp(info.guest_ip, "\x0a\xfb\x00\x28", 4));
	CHECK(!sh("nft list table ip squib-net-" NET
		  " | grep -q 'tcp dport 8080 dnat to 10.251.0.40:80'"));
	CHECK(!sh("nft list table ip squib-net-" NET
		  " | grep -q 'udp dport 5353 dnat to 10.251.0.40:53'"));
	sqn_dhcp_offer(a, cfg.guest_mac, got);
	CHECK_MSG(!strcmp(got, "10.251.0.40"), "offered '%s'", got);

	cfg.iface_id = "lb";
	cfg.has_guest_mac = 0;
	cfg.guest_ip = NULL;
	cfg.n_forwards = 1;
	CHECK_EQ(sqn_open(&cfg, &b), -EADDRINUSE);
	CHECK_MSG(
		strstr(sqn_last_error(NULL),
		       "forward tcp:8080:80: tcp:8080:80 is forwarded already"),
		"%s", sqn_last_error(NULL));
	CHECK(!b);
	CHECK_EQ(hosts_lines(), 1);
	CHECK_EQ(dnat_rules(), 4);
	CHECK(sh("ip -o link show | grep -q ': sqn-lb'"));

	cfg.forwards = &g;
	c = open_ok(&cfg);
	CHECK(!sqn_info(c, &info));
	CHECK_EQ(info.has_guest_ip, 1);
	snprintf(cmd, sizeof(cmd),
		 "nft list table ip squib-net-" NET
		 " | grep -q 'tcp dport 9000 dnat to %u.%u.%u.%u:9000'",
		 info.guest_ip[0], info.guest_ip[1], info.guest_ip[2],
		 info.guest_ip[3]);
	CHECK_MSG(!sh(cmd), "%s", cmd);
	CHECK(memcmp(info.guest_ip, "\x0a\xfb\x00\x28", 4));
	CHECK_EQ(hosts_lines(), 2);
	sqn_close(c);
	CHECK_EQ(hosts_lines(), 1);
	CHECK_EQ(dnat_rules(), 4);
	sqn_close(a);
	nothing_left();
}
