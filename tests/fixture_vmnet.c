// SPDX-License-Identifier: MIT
/* fixture_vmnet.c - the fixtures of the vmnet backend on the fake framework
 * (tests/fake_vmnet/), for the suites every backend runs */
#include <string.h>

#include "fake_vmnet/fake_vmnet.h"
#include "fixture.h"

/*
 * The fake echoes what is written, as the echo peers of the other
 * fixtures do; it holds 512 packets, then vmnet_write() takes no more
 * (back-pressure). Its MTU is a TAP's largest, so that the suites' frames
 * of up to 65535 bytes fit. Each open starts a thread (the fake's serial
 * queue): 200 cycles find a leak per cycle as 1000 would.
 */
const char *const fx_names[] = { "vmnet-shared", "vmnet-host",
				 "vmnet-bridged" };
const struct fx_kind fx_kinds[] = {
	{ 65535, 0, 200 },
	{ 65535, 0, 200 },
	{ 65535, 0, 200 },
};
const unsigned int fx_count = sizeof(fx_names) / sizeof(fx_names[0]);

/**
 * fx_open() - open fixture @which on a fresh fake
 * @f:		fixture to fill
 * @which:	index in fx_names
 * @base:	config to start from, or NULL
 *
 * Return: 0 or the error of sqn_open().
 */
int fx_open(struct fx *f, unsigned int which, const struct sqn_config *base)
{
	static const enum sqn_mode modes[] = { SQN_MODE_SHARED, SQN_MODE_HOST,
					       SQN_MODE_BRIDGED };
	struct fake_vmnet_script *sc;
	struct sqn_config cfg;

	fx_prepare(f, which, base, &cfg);
	fake_vmnet_reset();
	sc = fake_vmnet_script();
	sc->mtu = 65535 - 14;
	sc->max_packet = 65535;
	cfg.mode = modes[which];
	if (cfg.mode == SQN_MODE_BRIDGED)
		cfg.bridged_iface = "en0";
	return fx_opened(f, sqn_open(&cfg, &f->net));
}

/**
 * fx_close() - close the attachment
 * @f:		fixture
 */
void fx_close(struct fx *f)
{
	sqn_close(f->net);
	f->net = NULL;
}
