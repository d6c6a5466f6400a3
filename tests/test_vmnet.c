// SPDX-License-Identifier: MIT
/* test_vmnet.c - the vmnet backend on the fake framework: start, stop,
 * statuses, back-pressure, bursts, interface ids, the description */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fake_vmnet/fake_vmnet.h"
#include "fixture.h"
#include "harness.h"

static uint8_t buf[600][1514];
static struct iovec iov[600];
static struct sqn_pkt pk[600];

static sqn_net *must_open(struct sqn_config *cfg)
{
	sqn_net *net = NULL;
	int r = sqn_open(cfg, &net);

	CHECK_MSG(!r, "open: %s: %s", sqn_strerror(r), sqn_last_error(NULL));
	return net;
}

static sqn_net *open_mode(enum sqn_mode mode)
{
	struct sqn_config cfg;

	sqn_config_init(&cfg);
	cfg.mode = mode;
	if (mode == SQN_MODE_BRIDGED)
		cfg.bridged_iface = "en0";
	return must_open(&cfg);
}

/* @n frames of @len bytes, numbered from @seq, in pk[]. */
static void frames(unsigned int n, size_t len, uint32_t seq)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		frame_fill(buf[i], len, seq + i);
		iov[i] = (struct iovec){ buf[i], len };
		pk[i] = (struct sqn_pkt){ .iov = &iov[i], .iovcnt = 1 };
	}
}

static void rx_slots(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
		pk[i] = (struct sqn_pkt){ .iov = &iov[i], .iovcnt = 1 };
	}
}

static int readable(sqn_net *net, int ms)
{
	struct pollfd p = { sqn_fd(net), POLLIN, 0 };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* Receive @n frames numbered from @seq, in order, waiting for the fd. */
static void expect(sqn_net *net, unsigned int n, size_t len, uint32_t seq)
{
	unsigned int got = 0, i;
	int r;

	while (got < n) {
		rx_slots(n - got);
		r = sqn_recv(net, pk, n - got);
		if (r == -EAGAIN) {
			CHECK_MSG(readable(net, WAIT_MS), "stalled at %u of %u",
				  got, n);
			continue;
		}
		CHECK_MSG(r > 0, "recv: %s", sqn_strerror(r));
		for (i = 0; i < (unsigned int)r; i++)
			CHECK_MSG(pk[i].len == len &&
					  frame_check(buf[i], len,
						      seq + got + i),
				  "frame %u of %u wrong", got + i, n);
		got += (unsigned int)r;
	}
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

TEST(start_timeout_fails_open_and_stops_the_interface)
{
	struct sqn_config cfg;
	struct timespec t0;
	sqn_net *net = NULL;
	int fds = harness_fd_count(), r;

	fake_vmnet_reset();
	fake_vmnet_script()->start_never = 1;
	sqn_config_init(&cfg);
	cfg.connect_timeout_ms = 300;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = sqn_open(&cfg, &net);
	CHECK_EQ(r, -ETIMEDOUT);
	CHECK(!net);
	CHECK_MSG(strstr(sqn_last_error(NULL), "did not start within 300 ms"),
		  "%s", sqn_last_error(NULL));
	CHECK(ms_since(&t0) >= 250 && ms_since(&t0) < WAIT_MS);
	/* The interface it may still get is stopped. */
	CHECK_EQ(fake_vmnet_counts().stopped, 1);
	CHECK_EQ(harness_fd_count(), fds);
	/* The framework answers late: nothing is touched that was freed. */
	fake_vmnet_release();
	CHECK_EQ(fake_vmnet_counts().live, 0);
}

TEST(start_timeout_default_is_5_s)
{
	struct sqn_config cfg;
	struct timespec t0;
	sqn_net *net = NULL;

	fake_vmnet_reset();
	fake_vmnet_script()->start_never = 1;
	sqn_config_init(&cfg);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(sqn_open(&cfg, &net), -ETIMEDOUT);
	CHECK_MSG(strstr(sqn_last_error(NULL), "within 5000 ms"), "%s",
		  sqn_last_error(NULL));
	CHECK(ms_since(&t0) >= 4900);
	fake_vmnet_release();
}

TEST(a_slow_start_within_the_timeout_succeeds)
{
	sqn_net *net;

	fake_vmnet_reset();
	fake_vmnet_script()->start_delay_ms = 100;
	net = open_mode(SQN_MODE_SHARED);
	sqn_close(net);
	CHECK_EQ(fake_vmnet_counts().live, 0);
}

TEST(each_start_failure_has_its_errno_and_message)
{
	static const struct {
		vmnet_return_t st;
		int err;
		const char *name;
	} codes[] = {
		{ VMNET_FAILURE, -EIO, "VMNET_FAILURE" },
		{ VMNET_MEM_FAILURE, -ENOMEM, "VMNET_MEM_FAILURE" },
		{ VMNET_INVALID_ARGUMENT, -EINVAL, "VMNET_INVALID_ARGUMENT" },
		{ VMNET_SETUP_INCOMPLETE, -EIO, "VMNET_SETUP_INCOMPLETE" },
		{ VMNET_INVALID_ACCESS, -EPERM, "com.apple.vm.networking" },
		{ VMNET_PACKET_TOO_BIG, -EMSGSIZE, "VMNET_PACKET_TOO_BIG" },
		{ VMNET_BUFFER_EXHAUSTED, -ENOBUFS, "VMNET_BUFFER_EXHAUSTED" },
		{ VMNET_TOO_MANY_PACKETS, -E2BIG, "VMNET_TOO_MANY_PACKETS" },
		{ VMNET_SHARING_SERVICE_BUSY, -EBUSY, "another program" },
		{ VMNET_NOT_AUTHORIZED, -EACCES, "VMNET_NOT_AUTHORIZED" },
		{ (vmnet_return_t)1234, -EIO, "unknown vmnet status" },
	};
	struct sqn_config cfg;
	unsigned int i;
	int fds = harness_fd_count();

	sqn_config_init(&cfg);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		sqn_net *net = NULL;

		fake_vmnet_reset();
		fake_vmnet_script()->start_status = codes[i].st;
		CHECK_MSG(sqn_open(&cfg, &net) == codes[i].err, "status %d: %s",
			  codes[i].st, sqn_last_error(NULL));
		CHECK_MSG(strstr(sqn_last_error(NULL), codes[i].name),
			  "status %d: %s", codes[i].st, sqn_last_error(NULL));
		/* A failed start is not stopped: there is nothing to stop. */
		CHECK_EQ(fake_vmnet_counts().stopped, 0);
	}
	fake_vmnet_reset();
	fake_vmnet_script()->start_refuse = 1;
	CHECK_EQ(sqn_open(&cfg, &(sqn_net *){ NULL }), -EINVAL);
	CHECK(strstr(sqn_last_error(NULL), "refused"));
	CHECK_EQ(harness_fd_count(), fds);
	CHECK_EQ(fake_vmnet_counts().live, 0);
}

TEST(partial_writes_are_back_pressure_never_drops)
{
	struct sqn_stats st;
	sqn_net *net;
	unsigned int sent = 0;
	int r;

	fake_vmnet_reset();
	fake_vmnet_script()->write_limit = 3;
	net = open_mode(SQN_MODE_SHARED);
	frames(10, 100, 0);
	CHECK_EQ(sqn_send(net, pk, 10), 3);
	sqn_stats(net, &st);
	CHECK_EQ(st.tx_frames, 3);
	for (sent = 3; sent < 10; sent += (unsigned int)r) {
		r = sqn_send(net, pk + sent, 10 - sent);
		CHECK_MSG(r > 0 && r <= 3, "send: %d", r);
	}
	expect(net, 10, 100, 0);
	sqn_stats(net, &st);
	CHECK_EQ(st.tx_frames, 10);
	CHECK_EQ(st.rx_frames, 10);
	CHECK_EQ(st.tx_dropped + st.tx_errors, 0);
	sqn_close(net);

	/* Full: nothing taken, -EAGAIN, nothing counted. */
	fake_vmnet_reset();
	fake_vmnet_script()->ring = 4;
	net = open_mode(SQN_MODE_HOST);
	frames(10, 100, 0);
	CHECK_EQ(sqn_send(net, pk, 10), 4);
	CHECK_EQ(sqn_send(net, pk + 4, 6), -EAGAIN);
	sqn_stats(net, &st);
	CHECK_EQ(st.tx_frames, 4);
	expect(net, 4, 100, 0);
	CHECK_EQ(sqn_send(net, pk + 4, 6), 4);
	sqn_close(net);
}

TEST(too_many_packets_halves_the_batch)
{
	sqn_net *net;
	unsigned int sent = 0;
	int r;

	fake_vmnet_reset();
	fake_vmnet_script()->write_max = 30;
	net = open_mode(SQN_MODE_SHARED);
	frames(100, 60, 0);
	while (sent < 100) {
		r = sqn_send(net, pk + sent, 100 - sent);
		CHECK_MSG(r > 0 && r <= 30, "send: %d", r);
		sent += (unsigned int)r;
	}
	expect(net, 100, 60, 0);
	sqn_close(net);
}

TEST(write_and_read_failures_take_the_link_down)
{
	struct sqn_info info;
	struct sqn_stats st;
	sqn_net *net;

	fake_vmnet_reset();
	fake_vmnet_script()->write_status = VMNET_FAILURE;
	net = open_mode(SQN_MODE_SHARED);
	frames(1, 60, 0);
	CHECK_EQ(sqn_send(net, pk, 1), -ENOTCONN);
	sqn_info(net, &info);
	CHECK_EQ(info.link_up, 0);
	sqn_stats(net, &st);
	CHECK_EQ(st.tx_errors, 1);
	CHECK_EQ(st.tx_frames, 0);
	CHECK(strstr(sqn_last_error(net), "VMNET_FAILURE"));
	sqn_close(net);

	fake_vmnet_reset();
	fake_vmnet_script()->read_status = VMNET_SETUP_INCOMPLETE;
	net = open_mode(SQN_MODE_SHARED);
	rx_slots(1);
	CHECK_EQ(sqn_recv(net, pk, 1), -ENOTCONN);
	CHECK(strstr(sqn_last_error(net), "VMNET_SETUP_INCOMPLETE"));
	sqn_close(net);
}

TEST(burst_of_500_read_200_at_a_time_in_order)
{
	struct fake_vmnet_counts c;
	sqn_net *net;
	unsigned int i;

	fake_vmnet_reset();
	net = open_mode(SQN_MODE_SHARED);
	CHECK(!readable(net, 0));
	for (i = 0; i < 500; i++) {
		frame_fill(buf[0], 60 + i, i);
		CHECK_EQ(fake_vmnet_inject(buf[0], 60 + i), 0);
	}
	/* Packets that nobody sent for make the fd readable (upstream's
	 * frames waited for the guest to send something). */
	CHECK(readable(net, WAIT_MS));
	rx_slots(600);
	CHECK_EQ(sqn_recv(net, pk, 600), 200);
	CHECK(readable(net, 0));
	for (i = 0; i < 200; i++)
		CHECK(pk[i].len == 60 + i && frame_check(buf[i], 60 + i, i));
	rx_slots(600);
	CHECK_EQ(sqn_recv(net, pk, 600), 200);
	for (i = 0; i < 200; i++)
		CHECK(frame_check(buf[i], 260 + i, 200 + i));
	rx_slots(600);
	CHECK_EQ(sqn_recv(net, pk, 600), 100);
	for (i = 0; i < 100; i++)
		CHECK(frame_check(buf[i], 460 + i, 400 + i));
	CHECK_EQ(sqn_recv(net, pk, 600), -EAGAIN);
	CHECK(!readable(net, 0));
	c = fake_vmnet_counts();
	CHECK_EQ(c.read_max, 200);
	CHECK_EQ(c.bad_read_buf, 0);
	sqn_close(net);
}

static volatile int injecting;

static void *injector(void *arg)
{
	uint8_t f[100];
	unsigned long n = 0;

	(void)arg;
	frame_fill(f, sizeof(f), 1);
	while (__atomic_load_n(&injecting, __ATOMIC_RELAXED))
		n += !fake_vmnet_inject(f, sizeof(f));
	return (void *)n;
}

TEST(close_during_traffic_leaves_nothing)
{
	int fds = harness_fd_count(), round, r;

	for (round = 0; round < 20; round++) {
		pthread_t t;
		sqn_net *net;
		void *n;

		fake_vmnet_reset();
		net = open_mode(SQN_MODE_SHARED);
		__atomic_store_n(&injecting, 1, __ATOMIC_RELAXED);
		CHECK(!pthread_create(&t, NULL, injector, NULL));
		CHECK(readable(net, WAIT_MS));
		rx_slots(100);
		CHECK(sqn_recv(net, pk, 100) > 0);
		frames(50, 200, 0);
		r = sqn_send(net, pk, 50);
		CHECK_MSG(r > 0 || r == -EAGAIN, "send: %d", r);
		/* Events keep coming while the interface stops. */
		sqn_close(net);
		__atomic_store_n(&injecting, 0, __ATOMIC_RELAXED);
		pthread_join(t, &n);
		CHECK(n);
		CHECK_EQ(fake_vmnet_counts().live, 0);
		CHECK(fake_vmnet_counts().events > 0);
	}
	CHECK_EQ(harness_fd_count(), fds);
}

TEST(a_stop_that_never_answers_does_not_hang_close)
{
	struct timespec t0;
	sqn_net *net;
	int fds = harness_fd_count();

	fake_vmnet_reset();
	fake_vmnet_script()->stop_never = 1;
	net = open_mode(SQN_MODE_SHARED);
	frames(5, 60, 0);
	CHECK_EQ(sqn_send(net, pk, 5), 5);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sqn_close(net);
	/* It waited, up to its bound of 2 s. */
	CHECK_MSG(ms_since(&t0) >= 1900 && ms_since(&t0) < WAIT_MS,
		  "close took %ld ms", ms_since(&t0));
	CHECK_EQ(harness_fd_count(), fds);
	CHECK_EQ(fake_vmnet_counts().live, 1);
	/* Its late answer finds what it needs. */
	fake_vmnet_release();
	CHECK_EQ(fake_vmnet_counts().live, 0);
}

TEST(same_iface_id_gets_different_uuids)
{
	struct fake_vmnet_desc a, b;
	struct sqn_config cfg;
	sqn_net *n1, *n2;

	fake_vmnet_reset();
	sqn_config_init(&cfg);
	cfg.iface_id = "vm1";
	n1 = must_open(&cfg);
	n2 = must_open(&cfg);
	a = fake_vmnet_desc(1);
	b = fake_vmnet_desc(0);
	CHECK(a.has_uuid && b.has_uuid);
	CHECK_MSG(memcmp(a.uuid, b.uuid, 16), "two attachments, one UUID");
	/* Random (version 4, RFC 4122 variant). */
	CHECK_EQ(a.uuid[6] >> 4, 4);
	CHECK_EQ(a.uuid[8] >> 6, 2);
	sqn_close(n1);
	sqn_close(n2);

	/* An iface id that is a UUID is the interface id, each time. */
	cfg.iface_id = "00112233445566778899aabbccddeeff";
	sqn_close(must_open(&cfg));
	a = fake_vmnet_desc(0);
	CHECK_EQ(a.uuid[0], 0x00);
	CHECK_EQ(a.uuid[5], 0x55);
	CHECK_EQ(a.uuid[15], 0xff);
}

TEST(description_follows_mode_and_config)
{
	static const uint8_t mac[6] = { 0x02, 1, 2, 3, 4, 5 };
	struct fake_vmnet_desc d;
	struct sqn_config cfg;
	struct sqn_info info;
	sqn_net *net;

	fake_vmnet_reset();
	net = open_mode(SQN_MODE_SHARED);
	d = fake_vmnet_desc(0);
	CHECK_EQ(d.mode, 1001);
	CHECK(!strcmp(d.start, "192.168.105.1"));
	CHECK(!strcmp(d.end, "192.168.105.254"));
	CHECK(!strcmp(d.mask, "255.255.255.0"));
	CHECK_EQ(d.isolation, 1);
	CHECK_EQ(d.allocate_mac, -1);
	CHECK_EQ(d.virtio_hdr, -1);
	sqn_info(net, &info);
	/* vmnet's MAC is the guest's; the subnet is what vmnet says. */
	CHECK(!memcmp(info.guest_mac, "\xf2\x11\x22\x33\x44\x55", 6));
	CHECK(info.has_subnet);
	CHECK(!memcmp(info.gateway, "\xc0\xa8\x69\x01", 4));
	CHECK(!memcmp(info.subnet, "\xc0\xa8\x69\x00", 4));
	CHECK_EQ(info.mtu, 1500);
	CHECK_EQ(info.max_packet_size, 1514);
	sqn_close(net);

	net = open_mode(SQN_MODE_HOST);
	d = fake_vmnet_desc(0);
	CHECK_EQ(d.mode, 1000);
	CHECK(!strcmp(d.start, "192.168.106.1"));
	sqn_close(net);

	net = open_mode(SQN_MODE_BRIDGED);
	d = fake_vmnet_desc(0);
	CHECK_EQ(d.mode, 1002);
	CHECK(!strcmp(d.bridge, "en0"));
	CHECK(!d.start[0]);
	/* Isolation is a vmnet network's: not asked for (QEMU neither). */
	CHECK_EQ(d.isolation, -1);
	sqn_info(net, &info);
	CHECK(!info.has_subnet);
	sqn_close(net);

	sqn_config_init(&cfg);
	memcpy(cfg.guest_mac, mac, 6);
	cfg.has_guest_mac = 1;
	cfg.disable_isolation = 1;
	cfg.mtu = 1400;
	cfg.subnet = "10.7.0.1/16";
	cfg.offloads = SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM |
		       SQN_OFFLOAD_TSO4;
	net = must_open(&cfg);
	d = fake_vmnet_desc(0);
	CHECK_EQ(d.allocate_mac, 0);
	CHECK_EQ(d.isolation, 0);
	CHECK_EQ(d.mtu, 1400);
	CHECK(!strcmp(d.end, "10.7.255.254"));
	CHECK(!strcmp(d.mask, "255.255.0.0"));
	/* The header carries the checksum offload: never the checksum key
	 * with it (Apple's reference; the fake refuses the pair). */
	CHECK(d.virtio_hdr == 1 && d.csum == -1 && d.tso == 1);
	sqn_info(net, &info);
	CHECK(!memcmp(info.guest_mac, mac, 6));
	CHECK_EQ(info.mtu, 1400);
	CHECK_EQ(info.vnet_hdr_len, 12);
	CHECK_EQ(info.offloads, cfg.offloads);
	CHECK_EQ(sqn_set_offloads(net, cfg.offloads), 0);
	CHECK_EQ(sqn_set_offloads(net, 0), -ENOTSUP);
	sqn_close(net);
}

TEST(frames_in_pieces_go_to_vmnet_in_one_piece)
{
	static struct iovec parts[300][3];
	struct sqn_stats st;
	sqn_net *net;
	unsigned int i, sent = 0;
	int r;

	fake_vmnet_reset();
	net = open_mode(SQN_MODE_SHARED);
	for (i = 0; i < 300; i++) {
		size_t len = 60 + i * 4;

		frame_fill(buf[i], len, i);
		parts[i][0] = (struct iovec){ buf[i], 14 };
		parts[i][1] = (struct iovec){ buf[i] + 14, 6 };
		parts[i][2] = (struct iovec){ buf[i] + 20, len - 20 };
		pk[i] = (struct sqn_pkt){ .iov = parts[i], .iovcnt = 3 };
	}
	while (sent < 300) {
		r = sqn_send(net, pk + sent, 300 - sent);
		CHECK_MSG(r > 0, "send: %d: %s", r, sqn_last_error(net));
		if (r <= 0)
			break;
		sent += (unsigned int)r;
	}
	CHECK_EQ(fake_vmnet_counts().bad_write_iov, 0);
	for (i = 0; i < 300; i += 100) {
		unsigned int k, got = 0;

		while (got < 100) {
			rx_slots(100 - got);
			r = sqn_recv(net, pk, 100 - got);
			if (r == -EAGAIN && readable(net, WAIT_MS))
				continue;
			CHECK_MSG(r > 0, "recv: %d", r);
			if (r <= 0)
				break;
			for (k = 0; k < (unsigned int)r; k++)
				CHECK(pk[k].len == 60 + (i + got + k) * 4 &&
				      frame_check(buf[k], pk[k].len,
						  i + got + k));
			got += (unsigned int)r;
		}
	}
	sqn_stats(net, &st);
	CHECK_EQ(st.tx_frames, 300);
	CHECK_EQ(st.tx_errors + st.tx_dropped, 0);
	sqn_close(net);
}

TEST(with_tso_a_9000_byte_frame_is_sent)
{
	static uint8_t big[12 + 9000], back[12 + 9000];
	struct iovec bi = { big, sizeof(big) }, ri = { back, sizeof(back) };
	struct sqn_pkt b = { .iov = &bi, .iovcnt = 1 };
	struct sqn_pkt rb = { .iov = &ri, .iovcnt = 1 };
	struct sqn_config cfg;
	struct sqn_stats st;
	struct sqn_info info;
	sqn_net *net;
	int r;

	fake_vmnet_reset();
	sqn_config_init(&cfg);
	cfg.offloads = SQN_OFFLOAD_VNET_HDR | SQN_OFFLOAD_CSUM |
		       SQN_OFFLOAD_TSO4;
	net = must_open(&cfg);
	sqn_info(net, &info);
	CHECK_EQ(info.mtu, 1500);
	CHECK_EQ(info.max_packet_size, 65535 + 14);
	memset(big, 0, 12);
	frame_fill(big + 12, 9000, 7);
	CHECK_EQ(sqn_send(net, &b, 1), 1);
	sqn_stats(net, &st);
	CHECK_EQ(st.tx_frames, 1);
	CHECK_EQ(st.tx_dropped, 0);
	CHECK(readable(net, WAIT_MS));
	r = sqn_recv(net, &rb, 1);
	CHECK_EQ(r, 1);
	CHECK(rb.len == sizeof(back) && !(rb.flags & SQN_PKT_TRUNCATED) &&
	      frame_check(back + 12, 9000, 7));
	sqn_close(net);
}

TEST(no_usable_max_packet_size_fails_open)
{
	static const uint64_t bad[] = { 0, 59 };
	struct sqn_config cfg;
	unsigned int i;
	int fds = harness_fd_count();

	sqn_config_init(&cfg);
	for (i = 0; i < 2; i++) {
		sqn_net *net = NULL;

		fake_vmnet_reset();
		fake_vmnet_script()->max_packet = bad[i];
		CHECK_EQ(sqn_open(&cfg, &net), -EIO);
		CHECK(!net);
		CHECK_MSG(strstr(sqn_last_error(NULL), "max packet size"), "%s",
			  sqn_last_error(NULL));
		/* It started: it is stopped. */
		CHECK_EQ(fake_vmnet_counts().stopped, 1);
		CHECK_EQ(fake_vmnet_counts().live, 0);
	}
	CHECK_EQ(harness_fd_count(), fds);
}

TEST(the_write_batch_grows_back_after_too_many)
{
	sqn_net *net;
	int r = 0, calls;

	fake_vmnet_reset();
	fake_vmnet_script()->echo = 0;
	fake_vmnet_script()->write_max = 30;
	net = open_mode(SQN_MODE_SHARED);
	frames(200, 60, 0);
	CHECK_EQ(sqn_send(net, pk, 200), 25);
	fake_vmnet_script()->write_max = 0;
	for (calls = 0; calls < 1000 && r != 200; calls++)
		r = sqn_send(net, pk, 200);
	CHECK_MSG(r == 200, "still %d per call after %d calls", r, calls);
	sqn_close(net);
}

TEST(a_failed_stop_with_an_event_queued_frees_nothing_in_use)
{
	struct timespec t0;
	sqn_net *net;
	uint8_t f[100];
	int fds = harness_fd_count();

	fake_vmnet_reset();
	fake_vmnet_script()->stop_status = VMNET_FAILURE;
	fake_vmnet_script()->event_delay_ms = 300;
	net = open_mode(SQN_MODE_SHARED);
	frame_fill(f, sizeof(f), 1);
	/* Its event is queued now, and calls the handler after close. */
	CHECK_EQ(fake_vmnet_inject(f, sizeof(f)), 0);
	sqn_close(net);
	CHECK_EQ(harness_fd_count(), fds);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!fake_vmnet_counts().events && ms_since(&t0) < WAIT_MS)
		poll(NULL, 0, 10);
	CHECK_EQ(fake_vmnet_counts().events, 1);
	/* The queue runs out (the event's handler too), then the fake's
	 * interface goes: ASan sees any use of what close freed. */
	fake_vmnet_release();
	CHECK_EQ(fake_vmnet_counts().live, 0);
}

TEST(close_waits_for_a_slow_stop)
{
	struct timespec t0;
	sqn_net *net;

	fake_vmnet_reset();
	fake_vmnet_script()->stop_delay_ms = 400;
	net = open_mode(SQN_MODE_SHARED);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sqn_close(net);
	CHECK_MSG(ms_since(&t0) >= 350, "close took %ld ms", ms_since(&t0));
	/* The stop's handler ran: the interface is gone. */
	CHECK_EQ(fake_vmnet_counts().live, 0);
}
