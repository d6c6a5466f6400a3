// SPDX-License-Identifier: MIT
/* fuzz_cli.c - libFuzzer target: "squib-net guest"'s option parser */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "guestopt.h"

#define ARGS_FUZZ_MAX 80
#define TEXT_FUZZ_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a token of the input can stand for, so that the fuzzer reaches the
 * checks behind the option names without guessing them byte by byte. */
static const char *const words[] = {
	"--mode",
	"--helper",
	"--helper-path",
	"--helper-arg",
	"--peer",
	"--mtu",
	"--mac",
	"--no-dhcp",
	"--ip",
	"--gateway",
	"--dns",
	"--dhcp-timeout",
	"--pcap",
	"--disable-isolation",
	"--network",
	"--subnet",
	"--nat-iface",
	"--dns-upstream",
	"--dns-hosts",
	"--bridged-iface",
	"--offload",
	"--stats",
	"--verbose",
	"--help",
	"--",
	"-m",
	"-v",
	"-h",
	"shared",
	"host",
	"bridged",
	"userspace",
	"stream",
	"loopback",
	"passt",
	"gvproxy",
	"custom",
	"10.0.0.2/24",
	"10.0.0.1",
	"65522",
	"02:00:00:00:00:01",
	"--mtu=70000",
	"-vh",
	"--mod",
};

static struct guest_args args;
static char text[TEXT_FUZZ_MAX + 1];
static char *argv[ARGS_FUZZ_MAX + 2];
static char out[GUESTOPT_ERR_LEN];

static void check_parsed(int argc)
{
	const struct sqn_config *c = &args.cfg;
	unsigned int i;

	if (args.cmd < argv + 1 || args.cmd >= argv + argc || !args.cmd[0])
		abort();
	if (c->mtu &&
	    (c->mtu < SQN_MTU_MIN || c->mtu > SQN_FRAME_MAX - SQN_ETH_HLEN))
		abort();
	if ((unsigned int)c->mode >= SQN_MODE_COUNT_)
		abort();
	if (c->peer_path && strlen(c->peer_path) > 107)
		abort();
	if (c->mode == SQN_MODE_STREAM && !c->peer_path)
		abort();
	if (c->mode == SQN_MODE_BRIDGED && !c->bridged_iface)
		abort();
	if (c->mode == SQN_MODE_LOOPBACK && !args.no_dhcp)
		abort();
	if ((args.o.addr || args.o.gateway || args.o.dns) && !args.no_dhcp)
		abort();
	if (args.o.dhcp_timeout < 1 || args.o.dhcp_timeout > 3600)
		abort();
	if (args.nargs > SQN_ARGS_MAX || args.helper_args[args.nargs])
		abort();
	for (i = 0; i < args.nargs; i++)
		if (c->helper_args != args.helper_args || !args.helper_args[i])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size < TEXT_FUZZ_MAX ? size : TEXT_FUZZ_MAX, i, len;
	int argc = 1, r;
	char *p;

	/* Tokens end at NUL bytes; one that starts with byte 0x01 is the
	 * word its next byte picks. */
	memcpy(text, data, n);
	text[n] = '\0';
	argv[0] = "guest";
	for (p = text; p < text + n && argc <= ARGS_FUZZ_MAX;
	     p += strlen(p) + 1) {
		if (p[0] == 1)
			argv[argc++] = (char *)
				words[(uint8_t)p[1] %
				      (sizeof(words) / sizeof(words[0]))];
		else
			argv[argc++] = p;
	}
	argv[argc] = NULL;

	r = guestopt_parse(&args, argc, argv);
	if (r == 0)
		check_parsed(argc);
	else if (r == EXIT_USAGE) {
		if (!args.err[0] ||
		    strnlen(args.err, sizeof(args.err)) >= sizeof(args.err))
			abort();
	} else if (r != GUESTOPT_HELP) {
		abort();
	}

	/* The same bytes as a library message, into any room. */
	len = size ? 1 + data[0] % sizeof(out) : sizeof(out);
	memset(out, 0x5a, sizeof(out));
	guestopt_explain(text, out, len);
	if (strnlen(out, len) >= len)
		abort();
	for (i = len; i < sizeof(out); i++)
		if (out[i] != 0x5a)
			abort();
	return 0;
}
