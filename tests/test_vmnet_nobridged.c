// SPDX-License-Identifier: MIT
/* test_vmnet_nobridged.c - the vmnet backend as a build without BRIDGED=1
 * has it: bridged mode refused, saying why; shared and host still there */
#include <errno.h>
#include <string.h>

#include "fake_vmnet/fake_vmnet.h"
#include "harness.h"
#include "squibnet.h"

TEST(bridged_is_refused_without_bridged_1)
{
	struct sqn_config cfg;
	sqn_net *net = NULL;
	int fds = harness_fd_count();

	fake_vmnet_reset();
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_BRIDGED;
	cfg.bridged_iface = "en0";
	CHECK_EQ(sqn_open(&cfg, &net), -ENOTSUP);
	CHECK(!net);
	CHECK_MSG(strstr(sqn_last_error(NULL), "BRIDGED=1") &&
			  strstr(sqn_last_error(NULL),
				 "com.apple.vm.networking"),
		  "%s", sqn_last_error(NULL));
	/* Refused before any interface is started. */
	CHECK_EQ(fake_vmnet_counts().started, 0);
	CHECK_EQ(harness_fd_count(), fds);
}

TEST(shared_and_host_still_open)
{
	static const enum sqn_mode modes[] = { SQN_MODE_SHARED, SQN_MODE_HOST };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct sqn_config cfg;
		sqn_net *net = NULL;
		int r;

		fake_vmnet_reset();
		sqn_config_init(&cfg);
		cfg.mode = modes[i];
		r = sqn_open(&cfg, &net);
		CHECK_MSG(!r, "%s", sqn_last_error(NULL));
		sqn_close(net);
	}
	CHECK_EQ(fake_vmnet_counts().live, 0);
}
