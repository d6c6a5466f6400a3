// SPDX-License-Identifier: MIT
/* test_svcproto.c - unit tests of the service's control documents
 * (svcproto.h): each kind round-trips, every kind of bad document is
 * refused with why; the transport is in test_svcsock.c */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "squibnet.h"
#include "svcproto.h"

#define MSG_LEN 256

static char buf[SVC_MSG_MAX + 1];

/* @doc in a block of exactly its length: no NUL after it (ASan sees a
 * read past it). */
static char *exact_copy(const char *doc, size_t *len)
{
	char *copy;

	*len = strlen(doc);
	copy = malloc(*len ? *len : 1);
	CHECK(copy);
	memcpy(copy, doc, *len);
	return copy;
}

static int req_decode(const char *doc, struct svc_request *r, char *msg)
{
	size_t len;
	char *copy = exact_copy(doc, &len);
	int e;

	msg[0] = '\0';
	e = svc_request_decode(copy, len, r, msg, MSG_LEN);
	free(copy);
	return e;
}

static int rep_decode(enum svc_op op, const char *doc, struct svc_reply *r,
		      char *msg)
{
	size_t len;
	char *copy = exact_copy(doc, &len);
	int e;

	msg[0] = '\0';
	e = svc_reply_decode(op, copy, len, r, msg, MSG_LEN);
	free(copy);
	return e;
}

static void request_round_trip(const struct svc_request *r)
{
	struct svc_request d;
	char msg[MSG_LEN];
	int n;

	n = svc_request_encode(r, buf, sizeof(buf));
	CHECK_MSG(n > 0, "encode: %d", n);
	CHECK_EQ(strlen(buf), n);
	CHECK_MSG(!req_decode(buf, &d, msg), "%s: %s", buf, msg);
	CHECK_MSG(!memcmp(&d, r, sizeof(d)), "%s differs decoded", buf);
}

static struct svc_request attach_request(void)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct svc_request r;

	memset(&r, 0, sizeof(r));
	r.op = SVC_OP_ATTACH;
	strcpy(r.network, "sqn-shared");
	r.has_mac = 1;
	memcpy(r.mac, mac, 6);
	r.mtu = 1500;
	r.vnet_hdr = 1;
	r.hold = SVC_HOLD_PARENT;
	strcpy(r.label, "vm \"1\" \\ {x}");
	return r;
}

TEST(proto_request_round_trip)
{
	struct svc_request r = attach_request();
	int hold;

	request_round_trip(&r);
	CHECK(strstr(buf, "\"mac\":\"52:54:00:12:34:56\""));
	CHECK(strstr(buf, "\"hold\":\"parent\""));
	CHECK(strstr(buf, "\"v\":1"));
	for (hold = SVC_HOLD_CONNECTION; hold <= SVC_HOLD_PARENT; hold++) {
		r.hold = (enum svc_hold)hold;
		request_round_trip(&r);
	}
	/* each kind an attach may ask for */
	r.kind = SVC_KIND_NAMED;
	request_round_trip(&r);
	CHECK(strstr(buf, "\"kind\":\"named\""));
	r.kind = SVC_KIND_DGRAM;
	request_round_trip(&r);
	CHECK(strstr(buf, "\"kind\":\"dgram\""));
	r.kind = SVC_KIND_FD;
	/* no MAC: no member */
	r.has_mac = 0;
	memset(r.mac, 0, 6);
	r.mtu = 0;
	memset(r.network, 0, sizeof(r.network));
	request_round_trip(&r);
	CHECK(!strstr(buf, "\"mac\""));

	memset(&r, 0, sizeof(r));
	r.op = SVC_OP_DETACH;
	r.id = UINT32_MAX;
	request_round_trip(&r);
	CHECK(!strcmp(buf, "{\"v\":1,\"op\":\"detach\",\"id\":4294967295}"));
	memset(&r, 0, sizeof(r));
	r.op = SVC_OP_STATUS;
	request_round_trip(&r);
	CHECK(!strcmp(buf, "{\"v\":1,\"op\":\"status\"}"));
}

static struct svc_forward forward(int proto, const char *addr,
				  uint16_t host_port, uint16_t guest_port)
{
	struct svc_forward f;

	memset(&f, 0, sizeof(f));
	f.proto = proto;
	strcpy(f.addr, addr);
	f.host_port = host_port;
	f.guest_port = guest_port;
	return f;
}

TEST(proto_request_forwards)
{
	struct svc_request r = attach_request(), d;
	char msg[MSG_LEN];
	unsigned int i;

	/* an attach with a fixed address and forwards */
	r.has_ip = 1;
	strcpy(r.ip, "192.168.105.50");
	r.fwd[0] = forward(SQN_PROTO_TCP, "", 8080, 80);
	r.fwd[1] = forward(SQN_PROTO_UDP, "127.0.0.1", 65535, 1);
	r.n_fwd = 2;
	request_round_trip(&r);
	CHECK(strstr(buf, "\"ip\":\"192.168.105.50\""));
	CHECK(strstr(buf, "\"forwards\":[{\"proto\":\"tcp\",\"addr\":\"\","
			  "\"host_port\":8080,\"guest_port\":80},"));
	CHECK(strstr(buf, "\"proto\":\"udp\",\"addr\":\"127.0.0.1\""));
	/* "ip":"" says the client reads the newer reply members */
	memset(r.ip, 0, sizeof(r.ip));
	request_round_trip(&r);
	CHECK(strstr(buf, "\"ip\":\"\""));
	for (i = 0; i < SVC_FORWARDS_MAX; i++)
		r.fwd[i] = forward(SQN_PROTO_TCP, "", (uint16_t)(i + 1), 22);
	r.n_fwd = SVC_FORWARDS_MAX;
	request_round_trip(&r);
	r.n_fwd = SVC_FORWARDS_MAX + 1;
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
	/* none: no members, an older service reads it */
	r = attach_request();
	request_round_trip(&r);
	CHECK(!strstr(buf, "\"ip\"") && !strstr(buf, "forwards"));

	/* forward_add, forward_remove: an attachment and one forward */
	memset(&r, 0, sizeof(r));
	r.op = SVC_OP_FORWARD_ADD;
	r.id = 7;
	r.fwd[0] = forward(SQN_PROTO_UDP, "10.0.0.1", 5353, 53);
	r.n_fwd = 1;
	request_round_trip(&r);
	CHECK(!strcmp(buf, "{\"v\":1,\"op\":\"forward_add\",\"id\":7,"
			   "\"forwards\":[{\"proto\":\"udp\",\"addr\":"
			   "\"10.0.0.1\",\"host_port\":5353,\"guest_port\":"
			   "53}]}"));
	r.op = SVC_OP_FORWARD_REMOVE;
	request_round_trip(&r);
	CHECK(strstr(buf, "\"op\":\"forward_remove\""));
	/* exactly one, of a known protocol, ports 1..65535 */
	r.n_fwd = 2;
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
	r.n_fwd = 0;
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
	r.n_fwd = 1;
	r.fwd[0].proto = 3;
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
	r.fwd[0] = forward(SQN_PROTO_TCP, "", 0, 80);
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
	r.fwd[0] = forward(SQN_PROTO_TCP, "", 80, 0);
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
	r.fwd[0] = forward(SQN_PROTO_TCP, "localhost", 80, 80);
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
	/* a detach carries no forwards */
	CHECK(req_decode("{\"v\":1,\"op\":\"detach\",\"id\":1,\"forwards\":[]}",
			 &d, msg) == -EPROTO);
	CHECK(strstr(msg, "unknown member \"forwards\""));
}

TEST(proto_request_defaults)
{
	struct svc_request r;
	char msg[MSG_LEN];

	memset(&r, 0xa5, sizeof(r));
	CHECK_EQ(req_decode(" {\"op\":\"attach\",\"v\":1}\n", &r, msg), 0);
	CHECK_EQ(r.op, SVC_OP_ATTACH);
	CHECK(!r.network[0] && !r.has_mac && !r.mtu && !r.vnet_hdr);
	CHECK(r.hold == SVC_HOLD_CONNECTION && !r.label[0]);
	CHECK(r.kind == SVC_KIND_FD);
	/* MAC in either case */
	CHECK_EQ(req_decode("{\"v\":1,\"op\":\"attach\",\"mac\":"
			    "\"AA:bb:0C:dd:Ee:FF\",\"vnet_hdr\":false}",
			    &r, msg),
		 0);
	CHECK(r.has_mac && r.mac[0] == 0xaa && r.mac[2] == 0x0c &&
	      r.mac[5] == 0xff);
	CHECK_EQ(req_decode("{\"v\":1,\"op\":\"attach\",\"network\":"
			    "\"abcdefghijklmn.\",\"label\":\"" /* 63 */
			    "123456789012345678901234567890123456789012345678"
			    "901234567890123\"}",
			    &r, msg),
		 0);
	CHECK_EQ(strlen(r.network), SVC_NAME_MAX - 1);
	CHECK_EQ(strlen(r.label), SVC_LABEL_MAX - 1);
}

struct bad {
	const char *doc;
	int err;
	const char *why;
};

#define A "{\"v\":1,\"op\":\"attach\","
static const struct bad bad_requests[] = {
	{ "", -EPROTO, "empty" },
	{ "   ", -EPROTO, "not a JSON object" },
	{ "[1]", -EPROTO, "not a JSON object" },
	{ "\"attach\"", -EPROTO, "not a JSON object" },
	{ "null", -EPROTO, "not a JSON object" },
	{ "42", -EPROTO, "not a JSON object" },
	{ "{\"v\":1,\"op\":\"status\"", -EPROTO, "cut short" },
	{ "{\"v\":1,\"op\":\"stat", -EPROTO, "cut short" },
	{ "{\"v\":1,\"op\":\"status\"}}", -EPROTO, "JSON" },
	{ "{\"v\":1,\"op\":\"status\"} x", -EPROTO, "JSON" },
	{ "{\"v\":1,\"op\":\"status\",}", -EPROTO, "JSON" },
	{ "{'v':1,\"op\":\"status\"}", -EPROTO, "single quote" },
	{ "{v:1,\"op\":\"status\"}", -EPROTO, "JSON" },
	{ "{\"v\":1,\"op\":\"status\"/**/}", -EPROTO, "JSON" },
	{ "{\"v\":01,\"op\":\"status\"}", -EPROTO, "JSON" },
	{ "{\"v\":1,\"op\":\"status\",\"a\":[[[[[1]]]]]}", -EPROTO, "deep" },
	{ "{\"op\":\"status\"}", -EPROTO, "v: missing" },
	{ "{\"v\":\"1\",\"op\":\"status\"}", -EPROTO, "v: not an integer" },
	{ "{\"v\":1.0,\"op\":\"status\"}", -EPROTO, "v: not an integer" },
	{ "{\"v\":2,\"op\":\"status\"}", -EPROTONOSUPPORT, "speaks 1" },
	{ "{\"v\":0,\"op\":\"status\"}", -EPROTONOSUPPORT, "version 0" },
	{ "{\"v\":2,\"op\":\"status\",\"new\":1}", -EPROTONOSUPPORT, "v:" },
	{ "{\"v\":1}", -EPROTO, "op: missing" },
	{ "{\"v\":1,\"op\":\"status\",\"op\":\"status\"}", -EPROTO,
	  "member \"op\" appears twice" },
	{ "{\"v\":1,\"v\":1,\"op\":\"status\"}", -EPROTO,
	  "member \"v\" appears twice" },
	{ A "\"network\":\"a\",\"net\\u0077ork\":\"b\"}", -EPROTO,
	  "appears twice" },
	{ A "\"mac\":{\"a\":1,\"a\":2}}", -EPROTO,
	  "member \"a\" appears twice" },
	{ "{\"v\":1,\"op\":\"reboot\"}", -EPROTO, "op:" },
	{ "{\"v\":1,\"op\":1}", -EPROTO, "op:" },
	{ "{\"v\":1,\"op\":\"status\",\"x\":1}", -EPROTO,
	  "unknown member \"x\"" },
	{ "{\"v\":1,\"op\":\"status\",\"\\n\\u0001\":1}", -EPROTO,
	  "unknown member \"??\"" },
	{ A "\"id\":3}", -EPROTO, "unknown member \"id\"" },
	{ "{\"v\":1,\"op\":\"detach\"}", -EPROTO, "id: missing" },
	{ "{\"v\":1,\"op\":\"detach\",\"id\":-1}", -EPROTO,
	  "id: out of range" },
	{ "{\"v\":1,\"op\":\"detach\",\"id\":4294967296}", -EPROTO, "id:" },
	{ "{\"v\":1,\"op\":\"detach\",\"id\":1e3}", -EPROTO, "id: not an int" },
	{ "{\"v\":1,\"op\":\"detach\",\"id\":\"7\"}", -EPROTO,
	  "id: not an int" },
	{ "{\"v\":1,\"op\":\"detach\",\"id\":true}", -EPROTO,
	  "id: not an int" },
	{ "{\"v\":1,\"op\":\"detach\",\"id\":null}", -EPROTO,
	  "id: not an int" },
	{ A "\"network\":1}", -EPROTO, "network: not a string" },
	{ A "\"network\":[\"a\"]}", -EPROTO, "network: not a string" },
	{ A "\"network\":\"abcdefghijklmnop\"}", -EPROTO, "network: too long" },
	{ A "\"network\":\"a/b\"}", -EPROTO, "network: not a valid" },
	{ A "\"network\":\"a b\"}", -EPROTO, "network: not a valid" },
	{ A "\"network\":\"a\\u0000b\"}", -EPROTO, "NUL" },
	{ "{\"v\\u0000x\":1,\"op\":\"status\"}", -EPROTO, "NUL" },
	{ A "\"label\":\"\\u00e9\"}", -EPROTO, "label: not a valid" },
	{ A "\"label\":\"a\\tb\"}", -EPROTO, "label: not a valid" },
	{ A "\"label\":\"\xc3\"}", -EPROTO, "utf-8" },
	{ A "\"label\":\"1234567890123456789012345678901234567890123456789012"
	    "345678901234\"}",
	  -EPROTO, "label: too long" },
	{ A "\"mac\":\"52:54:00:12:34\"}", -EPROTO, "mac: not a MAC" },
	{ A "\"mac\":\"52:54:00:12:34:567\"}", -EPROTO, "mac: not a MAC" },
	{ A "\"mac\":\"52-54-00-12-34-56\"}", -EPROTO, "mac: not a MAC" },
	{ A "\"mac\":\"52:54:00:12:34:5g\"}", -EPROTO, "mac: not a MAC" },
	{ A "\"mac\":\" 2:54:00:12:34:56\"}", -EPROTO, "mac: not a MAC" },
	{ A "\"mac\":\"525400123456\"}", -EPROTO, "mac: not a MAC" },
	{ A "\"mac\":null}", -EPROTO, "mac: not a string" },
	{ A "\"mtu\":67}", -EPROTO, "mtu: out of range 0 or 68..65535" },
	{ A "\"mtu\":65536}", -EPROTO, "mtu: out of range" },
	{ A "\"mtu\":-1500}", -EPROTO, "mtu: out of range" },
	{ A "\"mtu\":99999999999999999999999}", -EPROTO, "mtu: out of range" },
	{ A "\"mtu\":1500.5}", -EPROTO, "mtu: not an integer" },
	{ A "\"vnet_hdr\":1}", -EPROTO, "vnet_hdr: not true or false" },
	{ A "\"vnet_hdr\":\"true\"}", -EPROTO, "vnet_hdr: not true or false" },
	{ A "\"hold\":\"forever\"}", -EPROTO, "hold: unknown value" },
	{ A "\"hold\":1}", -EPROTO, "hold: not a string" },
	{ A "\"kind\":\"stream\"}", -EPROTO, "kind: unknown value" },
	{ A "\"kind\":\"tap\"}", -EPROTO, "kind: unknown value" },
	{ A "\"ip\":\"192.168.105\"}", -EPROTO, "ip: not a valid" },
	{ A "\"ip\":7}", -EPROTO, "ip: not a string" },
	{ A "\"forwards\":{}}", -EPROTO, "forwards: not an array" },
	{ A "\"forwards\":[1]}", -EPROTO, "forwards[0]: not an object" },
	{ A "\"forwards\":[{\"proto\":\"tcp\",\"host_port\":1}]}", -EPROTO,
	  "forwards[0]: guest_port: missing" },
	{ A "\"forwards\":[{\"proto\":\"sctp\",\"host_port\":1,"
	    "\"guest_port\":1}]}",
	  -EPROTO, "forwards[0]: proto: unknown value" },
	{ A "\"forwards\":[{\"proto\":\"?\",\"host_port\":1,"
	    "\"guest_port\":1}]}",
	  -EPROTO, "forwards[0]: proto: unknown value" },
	{ A "\"forwards\":[{\"proto\":\"tcp\",\"host_port\":0,"
	    "\"guest_port\":1}]}",
	  -EPROTO, "forwards[0]: host_port: out of range 1..65535" },
	{ A "\"forwards\":[{\"proto\":\"tcp\",\"host_port\":1,"
	    "\"guest_port\":65536}]}",
	  -EPROTO, "forwards[0]: guest_port: out of range" },
	{ A "\"forwards\":[{\"proto\":\"tcp\",\"host_port\":1,"
	    "\"guest_port\":1,\"addr\":\"::1\"}]}",
	  -EPROTO, "forwards[0]: addr: not a valid" },
	{ A "\"forwards\":[{\"proto\":\"tcp\",\"host_port\":1,"
	    "\"guest_port\":1,\"x\":1}]}",
	  -EPROTO, "forwards[0]: unknown member \"x\"" },
	{ A "\"forwards\":[{\"proto\":\"tcp\",\"host_port\":1,"
	    "\"guest_port\":1,\"proto\":\"udp\"}]}",
	  -EPROTO, "appears twice" },
	{ "{\"v\":1,\"op\":\"forward_add\",\"id\":1}", -EPROTO,
	  "forwards: missing" },
	{ "{\"v\":1,\"op\":\"forward_add\",\"forwards\":[]}", -EPROTO,
	  "id: missing" },
	{ "{\"v\":1,\"op\":\"forward_remove\",\"id\":1,\"forwards\":[]}",
	  -EPROTO, "forwards: not exactly one" },
	{ "{\"v\":1,\"op\":\"forward_add\",\"id\":1,\"forwards\":["
	  "{\"proto\":\"tcp\",\"host_port\":1,\"guest_port\":1},"
	  "{\"proto\":\"tcp\",\"host_port\":2,\"guest_port\":1}]}",
	  -EPROTO, "forwards: not exactly one" },
	{ "{\"v\":1,\"op\":\"forward_add\",\"id\":1,\"ip\":\"\","
	  "\"forwards\":[{\"proto\":\"tcp\",\"host_port\":1,"
	  "\"guest_port\":1}]}",
	  -EPROTO, "unknown member \"ip\"" },
};
#undef A

TEST(proto_request_refused)
{
	struct svc_request r;
	char msg[MSG_LEN];
	size_t i;
	int e;

	for (i = 0; i < sizeof(bad_requests) / sizeof(bad_requests[0]); i++) {
		const struct bad *b = &bad_requests[i];

		e = req_decode(b->doc, &r, msg);
		CHECK_MSG(e == b->err, "%s: %d, not %d (%s)", b->doc, e, b->err,
			  msg);
		CHECK_MSG(strstr(msg, b->why), "%s: \"%s\" does not say %s",
			  b->doc, msg, b->why);
	}
}

TEST(proto_request_nul_and_cut)
{
	static const char doc[] =
		"{\"v\":1,\"op\":\"attach\",\"label\":\"vm\"}";
	size_t len = strlen(doc), i;
	struct svc_request r;
	char msg[MSG_LEN], *copy;

	/* a raw NUL anywhere: the length is what counts, not the NUL */
	copy = malloc(len);
	CHECK(copy);
	for (i = 0; i < len; i++) {
		memcpy(copy, doc, len);
		copy[i] = '\0';
		CHECK_EQ(svc_request_decode(copy, len, &r, msg, sizeof(msg)),
			 -EPROTO);
	}
	/* every proper prefix is refused, read from a block of its size */
	for (i = 0; i < len; i++) {
		memcpy(copy, doc, i);
		CHECK_MSG(svc_request_decode(copy, i, &r, msg, sizeof(msg)) ==
				  -EPROTO,
			  "prefix of %zu bytes", i);
	}
	memcpy(copy, doc, len);
	CHECK_EQ(svc_request_decode(copy, len, &r, msg, sizeof(msg)), 0);
	free(copy);
	/* NULL document, past SVC_MSG_MAX */
	CHECK_EQ(svc_request_decode(NULL, 0, &r, msg, sizeof(msg)), -EPROTO);
	CHECK_EQ(svc_request_decode(buf, SVC_MSG_MAX + 1, &r, msg, sizeof(msg)),
		 -EPROTO);
	CHECK(strstr(msg, "longer than"));
	/* a short message buffer is cut, not overrun; none at all is fine */
	memset(msg, 'x', sizeof(msg));
	CHECK_EQ(svc_request_decode("[]", 2, &r, msg, 5), -EPROTO);
	CHECK_EQ(strlen(msg), 4);
	CHECK_EQ(svc_request_decode("[]", 2, &r, NULL, 0), -EPROTO);
}

TEST(proto_request_encode_refused)
{
	struct svc_request r = attach_request();
	int n;

	n = svc_request_encode(&r, buf, sizeof(buf));
	CHECK(n > 0);
	/* exactly the room for it and its NUL, then one less */
	CHECK_EQ(svc_request_encode(&r, buf, (size_t)n + 1), n);
	CHECK_EQ(svc_request_encode(&r, buf, (size_t)n), -ENOSPC);
	CHECK_EQ(svc_request_encode(&r, buf, 0), -ENOSPC);

	r = attach_request();
	memset(r.network, 'a', sizeof(r.network)); /* no NUL */
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
	r = attach_request();
	strcpy(r.network, "a/b");
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
	r = attach_request();
	strcpy(r.label, "a\nb");
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
	r = attach_request();
	r.mtu = 67;
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
	r = attach_request();
	r.hold = (enum svc_hold)3;
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
	r = attach_request();
	r.op = (enum svc_op)0;
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
	r.op = (enum svc_op)6;
	CHECK_EQ(svc_request_encode(&r, buf, sizeof(buf)), -EINVAL);
}

static struct svc_attach attachment(uint32_t id, int status)
{
	static const uint8_t guest[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
	static const uint8_t host[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };
	static const uint8_t subnet[4] = { 192, 168, 105, 0 };
	static const uint8_t gw[4] = { 192, 168, 105, 1 };
	struct svc_attach a;

	memset(&a, 0, sizeof(a));
	a.id = id;
	strcpy(a.network, "sqn-shared");
	strcpy(a.mode, "shared");
	snprintf(a.tap, sizeof(a.tap), "sqntap%u", id);
	memcpy(a.guest_mac, guest, 6);
	memcpy(a.host_mac, host, 6);
	a.mtu = 65535;
	a.vnet_hdr_len = 12;
	a.offloads = SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM |
		     SQN_OFFLOAD_TSO4 | SQN_OFFLOAD_TSO6 | SQN_OFFLOAD_USO;
	a.has_subnet = 1;
	memcpy(a.subnet, subnet, 4);
	a.prefix_len = 24;
	memcpy(a.gateway, gw, 4);
	memcpy(a.dns, gw, 4);
	if (status) {
		a.uid = 4000000000u;
		a.pid = id + 100;
		snprintf(a.label, sizeof(a.label), "vm-%u", id);
		snprintf(a.ip, sizeof(a.ip), "192.168.105.%u", id % 250 + 2);
		a.rx_bytes = UINT64_MAX;
		a.rx_packets = (uint64_t)1 << 63;
		a.tx_bytes = 12345678901234ull;
		a.tx_packets = id;
		if (id % 2) {
			snprintf(a.hostname, sizeof(a.hostname), "web-%u", id);
			a.fwd[0] = forward(SQN_PROTO_TCP, "", 8080, 80);
			a.fwd[1] = forward(SQN_PROTO_UDP, "192.168.1.2",
					   (uint16_t)id, 53);
			a.n_fwd = 2;
		}
	}
	if (id % 3 == 1) {
		snprintf(a.fixed_ip, sizeof(a.fixed_ip), "192.168.105.%u",
			 id % 200 + 20);
		a.has_subnet6 = 1;
		a.subnet6[0] = 0xfd;
		a.subnet6[7] = (uint8_t)id;
		memcpy(a.gateway6, a.subnet6, 16);
		a.gateway6[15] = 1;
	}
	return a;
}

static struct svc_network network(const char *name, int down)
{
	static const uint8_t subnet[4] = { 192, 168, 106, 0 };
	static const uint8_t gw[4] = { 192, 168, 106, 1 };
	struct svc_network n;

	memset(&n, 0, sizeof(n));
	strcpy(n.name, name);
	strcpy(n.mode, down ? "bridged" : "host");
	if (!down) {
		n.has_subnet = 1;
		memcpy(n.subnet, subnet, 4);
		n.prefix_len = 24;
		memcpy(n.gateway, gw, 4);
		n.dnsmasq_pid = 4242;
		n.attachments = 3;
		n.has_subnet6 = 1;
		n.subnet6[0] = 0xfd;
		n.subnet6[1] = 0x12;
		memcpy(n.gateway6, n.subnet6, 16);
		n.gateway6[15] = 1;
		strcpy(n.nat_iface, "wlan0");
	}
	strcpy(n.state, down ? "down" : "up");
	strcpy(n.error, down ? "eth9: no such device \xe2\x80\x94 "
			       "gone" :
			       "");
	strcpy(n.dnsmasq_state, down ? "none" : "restarting");
	if (!strcmp(name, "vx0")) {
		/* A VXLAN member: its own members, the counters at their
		 * extremes. */
		strcpy(n.role, "member");
		n.has_vxlan = 1;
		n.vni = 16777215;
		strcpy(n.vxlan_local, "10.99.0.2");
		n.vxlan_port = 4789;
		strcpy(n.control, "static");
		strcpy(n.peers[0], "10.99.0.1");
		strcpy(n.peers[1], "10.99.0.3");
		n.n_peers = 2;
		n.vxlan_rx_packets = UINT64_MAX;
		n.vxlan_tx_bytes = 7;
	}
	return n;
}

TEST(proto_reply_attach_round_trip)
{
	struct svc_request req = { .op = SVC_OP_ATTACH };
	struct svc_reply r, d;
	char msg[MSG_LEN];
	int n, sub;

	for (sub = 0; sub < 2; sub++) {
		memset(&r, 0, sizeof(r));
		r.attach = attachment(7, 0);
		if (!sub) {
			r.attach.has_subnet = 0;
			memset(r.attach.subnet, 0, 4);
			r.attach.prefix_len = 0;
			memset(r.attach.gateway, 0, 4);
			memset(r.attach.dns, 0, 4);
			strcpy(r.attach.mode, "bridged");
			r.attach.vnet_hdr_len = 0;
			r.attach.offloads = 0;
		}
		n = svc_reply_encode(&req, &r, buf, sizeof(buf));
		CHECK_MSG(n > 0, "%d", n);
		CHECK_EQ(!!strstr(buf, "\"gateway\":\"192.168.105.1\""), sub);
		CHECK(strstr(buf, "\"host_mac\":\"02:00:5e:10:20:30\""));
		CHECK(!strstr(buf, "\"uid\"") && !strstr(buf, "rx_bytes"));
		memset(&d, 0xa5, sizeof(d));
		d.n_networks = d.n_attachments = 0;
		CHECK_MSG(!rep_decode(SVC_OP_ATTACH, buf, &d, msg), "%s: %s",
			  buf, msg);
		CHECK_EQ(d.err, 0);
		/* no "ip" in the request: none of the newer members */
		CHECK(!strstr(buf, "fixed_ip") && !strstr(buf, "subnet6"));
		memset(r.attach.fixed_ip, 0, sizeof(r.attach.fixed_ip));
		CHECK(!memcmp(&d.attach.guest_mac, &r.attach.guest_mac, 6));
		CHECK(!d.attach.fixed_ip[0] && !d.attach.has_subnet6);
	}
	/* "ip" in the request: the fixed address and the IPv6 prefix */
	req.has_ip = 1;
	memset(&r, 0, sizeof(r));
	r.attach = attachment(7, 0);
	n = svc_reply_encode(&req, &r, buf, sizeof(buf));
	CHECK_MSG(n > 0, "%d", n);
	CHECK(strstr(buf, "\"fixed_ip\":\"192.168.105.27\",\"subnet6\":"
			  "\"fd00:0:0:7::\",\"gateway6\":\"fd00:0:0:7::1\""));
	memset(&d, 0xa5, sizeof(d));
	d.n_networks = d.n_attachments = 0;
	CHECK_MSG(!rep_decode(SVC_OP_ATTACH, buf, &d, msg), "%s: %s", buf, msg);
	CHECK(!memcmp(&d.attach, &r.attach, sizeof(d.attach)));
	/* none to say: absent */
	r.attach = attachment(8, 0);
	CHECK(svc_reply_encode(&req, &r, buf, sizeof(buf)) > 0);
	CHECK(!strstr(buf, "fixed_ip") && !strstr(buf, "subnet6"));
	CHECK_MSG(!rep_decode(SVC_OP_ATTACH, buf, &d, msg), "%s", msg);
	CHECK(!memcmp(&d.attach, &r.attach, sizeof(d.attach)));
	/* forward_add's and forward_remove's replies: nothing more */
	req.op = SVC_OP_FORWARD_ADD;
	CHECK_EQ(svc_reply_encode(&req, &r, buf, sizeof(buf)), 17);
	CHECK_EQ(rep_decode(SVC_OP_FORWARD_REMOVE, buf, &d, msg), 0);
	/* a detach's reply */
	req.op = SVC_OP_DETACH;
	CHECK_EQ(svc_reply_encode(&req, &r, buf, sizeof(buf)), 17);
	CHECK(!strcmp(buf, "{\"v\":1,\"ok\":true}"));
	CHECK_EQ(rep_decode(SVC_OP_DETACH, buf, &d, msg), 0);
	CHECK_EQ(d.err, 0);
	/* no request to answer, or an unknown one */
	CHECK_EQ(svc_reply_encode(NULL, &r, buf, sizeof(buf)), -EINVAL);
	req.op = (enum svc_op)9;
	CHECK_EQ(svc_reply_encode(&req, &r, buf, sizeof(buf)), -EINVAL);
	req.op = (enum svc_op)6;
	CHECK_EQ(svc_reply_encode(&req, &r, buf, sizeof(buf)), -EINVAL);
	CHECK_EQ(rep_decode((enum svc_op)9, "{\"v\":1,\"ok\":true}", &d, msg),
		 -EINVAL);
}

TEST(proto_reply_error_round_trip)
{
	struct svc_reply r, d;
	char msg[MSG_LEN];
	int n;

	memset(&r, 0, sizeof(r));
	r.err = EACCES;
	strcpy(r.message, "not allowed: uid 1000 has no allow line for "
			  "network sqn-shared in /etc/squib-net/acl.conf");
	n = svc_reply_encode(NULL, &r, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK(strstr(buf, "\"ok\":false,\"errno\":13,\"error\":\"EACCES\""));
	CHECK_EQ(rep_decode(SVC_OP_STATUS, buf, &d, msg), 0);
	CHECK_EQ(d.err, EACCES);
	CHECK(!strcmp(d.message, r.message));
	/* UTF-8 goes as it is; a control character makes it '?'s */
	strcpy(r.message, "caf\xc3\xa9");
	CHECK(svc_reply_encode(NULL, &r, buf, sizeof(buf)) > 0);
	CHECK_EQ(rep_decode(SVC_OP_ATTACH, buf, &d, msg), 0);
	CHECK(!strcmp(d.message, "caf\xc3\xa9"));
	strcpy(r.message, "a\nb\xff");
	CHECK(svc_reply_encode(NULL, &r, buf, sizeof(buf)) > 0);
	CHECK_EQ(rep_decode(SVC_OP_ATTACH, buf, &d, msg), 0);
	CHECK(!strcmp(d.message, "a?b?"));
	/* a message without its NUL is cut to the array */
	memset(r.message, 'm', sizeof(r.message));
	CHECK(svc_reply_encode(NULL, &r, buf, sizeof(buf)) > 0);
	CHECK_EQ(rep_decode(SVC_OP_ATTACH, buf, &d, msg), 0);
	CHECK_EQ(strlen(d.message), SVC_ERRMSG_MAX - 1);
	/* an errno the table lacks; out of range ones */
	r.err = 4095;
	CHECK(svc_reply_encode(NULL, &r, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "\"error\":\"E?\""));
	r.err = 4096;
	CHECK_EQ(svc_reply_encode(NULL, &r, buf, sizeof(buf)), -EINVAL);
	r.err = -EACCES;
	CHECK_EQ(svc_reply_encode(NULL, &r, buf, sizeof(buf)), -EINVAL);
}

static void status_round_trip(unsigned int n_nets, unsigned int n_atts,
			      unsigned int cap_nets, unsigned int cap_atts)
{
	struct svc_request req = { .op = SVC_OP_STATUS };
	static struct svc_attach atts[200], got_atts[201];
	struct svc_network nets[4], got_nets[5];
	struct svc_reply r, d;
	char msg[MSG_LEN];
	unsigned int i;
	int n;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < n_nets; i++)
		nets[i] = network(i == 3 ? "vx0" :
				  i	 ? "br0" :
					   "sqn-host",
				  i % 2);
	for (i = 0; i < n_atts; i++)
		atts[i] = attachment(i + 1, 1);
	r.networks = n_nets ? nets : NULL;
	r.n_networks = n_nets;
	r.attachments = n_atts ? atts : NULL;
	r.n_attachments = n_atts;
	n = svc_reply_encode(&req, &r, buf, sizeof(buf));
	CHECK_MSG(n > 0, "%u networks, %u attachments: %d", n_nets, n_atts, n);

	memset(got_nets, 0xa5, sizeof(got_nets));
	memset(got_atts, 0xa5, sizeof(got_atts));
	memset(&d, 0, sizeof(d));
	d.networks = cap_nets ? got_nets : NULL;
	d.n_networks = cap_nets;
	d.attachments = cap_atts ? got_atts : NULL;
	d.n_attachments = cap_atts;
	CHECK_MSG(!rep_decode(SVC_OP_STATUS, buf, &d, msg), "%s", msg);
	CHECK_EQ(d.n_networks, n_nets);
	CHECK_EQ(d.n_attachments, n_atts);
	CHECK(d.networks == (cap_nets ? got_nets : NULL));
	for (i = 0; i < n_nets && i < cap_nets; i++)
		CHECK_MSG(!memcmp(&got_nets[i], &nets[i], sizeof(nets[i])),
			  "network %u", i);
	for (i = 0; i < n_atts && i < cap_atts; i++)
		CHECK_MSG(!memcmp(&got_atts[i], &atts[i], sizeof(atts[i])),
			  "attachment %u", i);
	/* past what the caller gave: untouched */
	for (i = 0; i < sizeof(got_nets[0]); i++)
		CHECK(((uint8_t *)&got_nets[cap_nets])[i] == 0xa5);
	for (i = 0; i < sizeof(got_atts[0]); i++)
		CHECK(((uint8_t *)&got_atts[cap_atts])[i] == 0xa5);
}

TEST(proto_reply_status)
{
	status_round_trip(0, 0, 0, 0);
	CHECK(!strcmp(buf, "{\"v\":1,\"ok\":true,\"networks\":[],"
			   "\"attachments\":[]}"));
	status_round_trip(0, 0, 4, 4);
	status_round_trip(1, 1, 4, 4);
	status_round_trip(2, 1, 4, 4);
	CHECK(strstr(buf, "\"error\":\"eth9: no such device \xe2\x80\x94 "
			  "gone\""));
	CHECK(strstr(buf, "\"rx_bytes\":18446744073709551615"));
	status_round_trip(4, 100, 4, 200);
	/* a network across hosts has its VXLAN members, the others none */
	CHECK(strstr(buf, "\"role\":\"member\",\"vni\":16777215,"
			  "\"vxlan_local\":\"10.99.0.2\",\"vxlan_port\":4789,"
			  "\"control\":\"static\","
			  "\"peers\":[\"10.99.0.1\",\"10.99.0.3\"],"
			  "\"vxlan_rx_packets\":18446744073709551615,"
			  "\"vxlan_tx_packets\":0,"));
	CHECK(!strstr(strstr(buf, "\"role\"") + 1, "\"role\""));
	CHECK(!strstr(buf, "\"vni\":0"));
	/* caller arrays smaller than the count: the first kept */
	status_round_trip(4, 100, 1, 3);
	status_round_trip(3, 7, 0, 0);
}

TEST(proto_reply_status_vxlan_refused)
{
	struct svc_network got[4];
	struct svc_reply d;
	char msg[MSG_LEN], *p;

	status_round_trip(4, 0, 4, 0);
	/* a peer that is not an IPv4 address */
	p = strstr(buf, "10.99.0.3\"]");
	CHECK(p);
	p[8] = 'x';
	memset(&d, 0, sizeof(d));
	d.networks = got;
	d.n_networks = 4;
	CHECK_EQ(rep_decode(SVC_OP_STATUS, buf, &d, msg), -EPROTO);
	CHECK_MSG(strstr(msg, "peers[1]"), "%s", msg);
	/* a role that is not one */
	status_round_trip(4, 0, 4, 0);
	p = strstr(buf, "\"member\"");
	CHECK(p);
	memcpy(p + 1, "memxer", 6);
	memset(&d, 0, sizeof(d));
	d.networks = got;
	d.n_networks = 4;
	CHECK_EQ(rep_decode(SVC_OP_STATUS, buf, &d, msg), -EPROTO);
	CHECK_MSG(strstr(msg, "role"), "%s", msg);
}

TEST(proto_reply_status_too_long)
{
	struct svc_request req = { .op = SVC_OP_STATUS };
	static struct svc_attach atts[4000];
	static char big[4 * SVC_MSG_MAX];
	struct svc_reply r;
	unsigned int i;

	for (i = 0; i < 4000; i++)
		atts[i] = attachment(i + 1, 1);
	memset(&r, 0, sizeof(r));
	r.attachments = atts;
	/* 1000 attachments (the service's most stream clients) fit */
	r.n_attachments = 1000;
	CHECK(svc_reply_encode(&req, &r, big, sizeof(big)) > 0);
	r.n_attachments = 4000;
	/* however big the buffer: no document past SVC_MSG_MAX */
	CHECK_EQ(svc_reply_encode(&req, &r, big, sizeof(big)), -ENOSPC);
	r.n_attachments = 1;
	r.networks = NULL;
	r.n_networks = 1;
	CHECK_EQ(svc_reply_encode(&req, &r, big, sizeof(big)), -EINVAL);
	r.n_networks = 0;
	atts[0].ip[0] = 'x';
	CHECK_EQ(svc_reply_encode(&req, &r, big, sizeof(big)), -EINVAL);
	atts[0] = attachment(1, 1);
	strcpy(atts[0].mode, "vmnet");
	CHECK_EQ(svc_reply_encode(&req, &r, big, sizeof(big)), -EINVAL);
	atts[0] = attachment(1, 1);
	atts[0].offloads = 0x20;
	CHECK_EQ(svc_reply_encode(&req, &r, big, sizeof(big)), -EINVAL);
	atts[0] = attachment(1, 1);
	CHECK(svc_reply_encode(&req, &r, big, sizeof(big)) > 0);
}

#define ATT_REST                                                   \
	"\"network\":\"sqn-shared\",\"mode\":\"shared\",\"tap\":"  \
	"\"t7\",\"guest_mac\":\"52:54:00:12:34:56\",\"host_mac\":" \
	"\"02:00:00:00:00:01\",\"mtu\":1500,\"vnet_hdr_len\":12,"  \
	"\"offloads\":31"
#define ATT "\"id\":7," ATT_REST
/* A network whose name, state, error and dnsmasq_pid are given (each
 * member once: a second is refused as such). */
#define NETX(name, state, error, pid)                          \
	"\"name\":" name ",\"mode\":\"host\",\"state\":" state \
	",\"error\":" error ",\"dnsmasq_pid\":" pid            \
	",\"dnsmasq_state\":\"none\",\"attachments\":0"        \
	",\"allow_spoofing\":false,\"stream_socket\":\"\""
#define NET NETX("\"sqn-host\"", "\"up\"", "\"\"", "1")
#define OK "{\"v\":1,\"ok\":true,"
#define ST OK "\"attachments\":[],\"networks\":"
#define SUBNET(plen, gw)                                   \
	OK "\"attachment\":{" ATT                          \
	   ",\"subnet\":\"10.0.0.0\",\"prefix_len\":" plen \
	   ",\"gateway\":\"" gw "\",\"dns\":\"10.0.0.1\"}}"
#define ST_ATT(ip, rx)                                                      \
	OK "\"networks\":[],\"attachments\":[{" ATT ",\"uid\":0,\"pid\":0," \
	   "\"label\":\"\",\"ip\":\"" ip "\",\"rx_bytes\":" rx              \
	   ",\"rx_packets\":0,\"tx_bytes\":0,\"tx_packets\":0"              \
	   ",\"kind\":\"stream\",\"from_guest_frames\":0"                   \
	   ",\"from_guest_bytes\":0,\"from_guest_drops\":0"                 \
	   ",\"to_guest_frames\":0,\"to_guest_bytes\":0"                    \
	   ",\"to_guest_drops\":0,\"spoof_drops\":0}]}"

static const struct {
	enum svc_op op;
	const char *doc, *why;
	int err;
} bad_replies[] = {
	{ SVC_OP_ATTACH, "{\"v\":2,\"ok\":true}", "v:", -EPROTONOSUPPORT },
	{ SVC_OP_ATTACH, "{\"v\":1}", "ok: missing", -EPROTO },
	{ SVC_OP_ATTACH, "{\"v\":1,\"ok\":1}", "ok: not true", -EPROTO },
	{ SVC_OP_ATTACH, OK "\"attachment\":[]}", "not an object", -EPROTO },
	{ SVC_OP_ATTACH, "{\"v\":1,\"ok\":true}", "attachment: missing",
	  -EPROTO },
	{ SVC_OP_ATTACH, OK "\"attachment\":{" ATT ",\"uid\":1}}",
	  "attachment: unknown member \"uid\"", -EPROTO },
	{ SVC_OP_ATTACH, OK "\"attachment\":{" ATT ",\"prefix_len\":24}}",
	  "all or none", -EPROTO },
	{ SVC_OP_ATTACH, SUBNET("8", "10.0.0.256"), "gateway: not an IPv4",
	  -EPROTO },
	{ SVC_OP_ATTACH, SUBNET("33", "10.0.0.1"), "prefix_len: out of range",
	  -EPROTO },
	{ SVC_OP_ATTACH, OK "\"attachment\":{\"id\":-7," ATT_REST "}}",
	  "id:", -EPROTO },
	{ SVC_OP_ATTACH,
	  OK "\"attachment\":{\"id\":7,\"network\":\"sqn-shared\"}}",
	  "attachment: mode: missing", -EPROTO },
	{ SVC_OP_ATTACH, OK "\"attachment\":{" ATT "},\"x\":0}",
	  "unknown member \"x\"", -EPROTO },
	{ SVC_OP_DETACH, OK "\"attachment\":{" ATT "}}",
	  "unknown member \"attachment\"", -EPROTO },
	{ SVC_OP_STATUS, OK "\"networks\":[]}", "attachments: missing",
	  -EPROTO },
	{ SVC_OP_STATUS, ST "{}}", "networks: not an array", -EPROTO },
	{ SVC_OP_STATUS, ST "[1]}", "networks[0]: not an object", -EPROTO },
	{ SVC_OP_STATUS, ST "[{" NET ",\"state\":\"up\"}]}",
	  "member \"state\" appears twice", -EPROTO },
	{ SVC_OP_STATUS, ST "[{" NET "},{" NET ",\"z\":1}]}",
	  "networks[1]: unknown member \"z\"", -EPROTO },
	{ SVC_OP_STATUS,
	  ST "[{" NETX("\"sqn-host\"", "\"sideways\"", "\"\"", "1") "}]}",
	  "state: not a valid", -EPROTO },
	{ SVC_OP_STATUS,
	  ST "[{" NETX("\"sqn-host\"", "\"up\"", "\"\"", "-1") "}]}",
	  "dnsmasq_pid:", -EPROTO },
	{ SVC_OP_STATUS, ST "[{" NETX("\"\"", "\"up\"", "\"\"", "1") "}]}",
	  "name: empty", -EPROTO },
	{ SVC_OP_STATUS,
	  ST "[{" NETX("\"sqn-host\"", "\"up\"", "\"a\\nb\"", "1") "}]}",
	  "error: not a valid", -EPROTO },
	{ SVC_OP_STATUS, OK "\"networks\":[],\"attachments\":[{" ATT "}]}",
	  "attachments[0]: uid: missing", -EPROTO },
	{ SVC_OP_STATUS, ST_ATT("1.2.3", "0"), "ip: not a valid", -EPROTO },
	{ SVC_OP_STATUS, ST_ATT("", "-1"), "rx_bytes: negative", -EPROTO },
	{ SVC_OP_ATTACH, OK "\"attachment\":{" ATT ",\"subnet6\":\"fd00::\"}}",
	  "subnet6: the IPv6 prefix's members come all or none", -EPROTO },
	{ SVC_OP_ATTACH,
	  OK "\"attachment\":{" ATT ",\"subnet6\":\"fd00::\",\"gateway6\":"
	     "\"10.0.0.1\"}}",
	  "gateway6: not an IPv6 address", -EPROTO },
	{ SVC_OP_ATTACH, OK "\"attachment\":{" ATT ",\"fixed_ip\":\"x\"}}",
	  "fixed_ip: not a valid", -EPROTO },
	{ SVC_OP_ATTACH, OK "\"attachment\":{" ATT ",\"hostname\":\"web\"}}",
	  "unknown member \"hostname\"", -EPROTO },
	{ SVC_OP_ATTACH, OK "\"attachment\":{" ATT ",\"forwards\":[]}}",
	  "unknown member \"forwards\"", -EPROTO },
	{ SVC_OP_STATUS, ST "[{" NET ",\"nat_iface\":\"a b\"}]}",
	  "nat_iface: not a valid", -EPROTO },
	{ SVC_OP_FORWARD_ADD, OK "\"attachment\":{" ATT "}}",
	  "unknown member \"attachment\"", -EPROTO },
	{ SVC_OP_STATUS,
	  "{\"v\":1,\"ok\":false,\"errno\":0,\"error\":\"E?\","
	  "\"message\":\"\"}",
	  "errno: out of range 1..4095", -EPROTO },
	{ SVC_OP_STATUS,
	  "{\"v\":1,\"ok\":false,\"errno\":5000,\"error\":"
	  "\"E?\",\"message\":\"\"}",
	  "errno: out of range", -EPROTO },
	{ SVC_OP_STATUS,
	  "{\"v\":1,\"ok\":false,\"errno\":13,\"error\":"
	  "\"EACCES\"}",
	  "message: missing", -EPROTO },
	{ SVC_OP_STATUS, "{\"v\":1,\"ok\":false,\"errno\":13,\"message\":\"\"}",
	  "error: missing", -EPROTO },
	{ SVC_OP_STATUS,
	  "{\"v\":1,\"ok\":false,\"errno\":13,\"error\":"
	  "\"eacces\",\"message\":\"\"}",
	  "error: not an errno", -EPROTO },
	{ SVC_OP_STATUS,
	  "{\"v\":1,\"ok\":false,\"errno\":13,\"error\":"
	  "\"EACCES\",\"message\":\"\",\"networks\":[]}",
	  "unknown member \"networks\"", -EPROTO },
};

TEST(proto_reply_refused)
{
	struct svc_attach atts[2];
	struct svc_network nets[2];
	struct svc_reply d;
	char msg[MSG_LEN];
	size_t i;
	int e;

	for (i = 0; i < sizeof(bad_replies) / sizeof(bad_replies[0]); i++) {
		memset(&d, 0, sizeof(d));
		d.networks = nets;
		d.n_networks = 2;
		d.attachments = atts;
		d.n_attachments = 2;
		e = rep_decode(bad_replies[i].op, bad_replies[i].doc, &d, msg);
		CHECK_MSG(e == bad_replies[i].err, "%s: %d (%s)",
			  bad_replies[i].doc, e, msg);
		CHECK_MSG(strstr(msg, bad_replies[i].why),
			  "%s: \"%s\" does not say %s", bad_replies[i].doc, msg,
			  bad_replies[i].why);
		/* a refused reply leaves no counts, and the caller's arrays */
		CHECK(!d.n_networks && !d.n_attachments && !d.err);
		CHECK(d.networks == nets && d.attachments == atts);
	}
	/* the good ones these were made from */
	CHECK_EQ(rep_decode(SVC_OP_ATTACH, OK "\"attachment\":{" ATT "}}", &d,
			    msg),
		 0);
	CHECK_EQ(d.attach.id, 7);
	CHECK_EQ(rep_decode(SVC_OP_STATUS, ST "[{" NET "}]}", &d, msg), 0);
	CHECK_EQ(d.n_networks, 1);
}
