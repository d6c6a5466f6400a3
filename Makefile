# SPDX-License-Identifier: MIT
# Makefile - libsquibnet, the squib-net program, tests, fuzzers, benchmarks
#
# make            library and program in build/
# make check      unit, conformance and CLI tests (plain and ASan+UBSan),
#                 formatting, portable-check, a bounded fuzz run; last line
#                 "N passed, N failed"
# make portable-check  the portable files use POSIX headers only
# make fuzz       the fuzzers, each for FUZZ_TIME seconds (default 600)
# make bench      benchmarks (not part of check): a table, bench/results/*.csv
#                 and bench.png; QUICK=1 in under 2 minutes
# make install    PREFIX (/usr/local), LIBEXECDIR ($(PREFIX)/libexec: the
#                 keeper program, whose place is built into the library),
#                 SYSTEMDUNITDIR ($(PREFIX)/lib/systemd/system: the
#                 service's units) and DESTDIR honoured
# V=1 shows the commands.

VERSION := 0.2.0
SOVERSION := 0
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
# squib-net.1 and squib-net-serve.conf.5 (docs/) go to its man1 and man5.
MANDIR ?= $(PREFIX)/share/man
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
# squib-net.service and .socket (contrib/systemd), their ExecStart in BINDIR.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
CFLAGS ?= -O2 -g
FUZZ_CC ?= clang
FUZZ_TIME ?= 600
FUZZ_RUNS ?= 300000

WARN := -std=c11 -Wall -Wextra -pedantic -Werror -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wformat=2
DEFS := -D_DEFAULT_SOURCE -D_GNU_SOURCE
INCS := -Iinclude -Isrc
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
LDLIBS := -lpthread -lmnl -lnftables -ljson-c

ifneq ($(V),1)
Q := @
say = @printf '  %-7s %s\n' $(1) $(2);
endif

# Platform choice, in one place: each system's sources here, and which
# backend serves each mode in its src/platform_<os>.c. The files of
# CORE_SRC are linked everywhere; every src/*.c but the platform files
# and PORTABLE_EXCLUDE builds with POSIX headers only (make
# portable-check), also those linked on one system only because what
# they call under src/sys/ exists there alone (tap.c, plane.c, helper*.c).
OS := $(shell uname -s)
CORE_SRC := src/net.c src/config.c src/framing.c src/iov.c src/ipv4.c \
	src/pool.c src/loopback.c src/sockpeer.c src/stream.c src/dgram.c \
	src/listener.c src/forward.c
# Configs of older versions and the symbols programs built before use.
CORE_SRC += src/compat.c
# The networks' IPv6 prefixes.
CORE_SRC += src/ipv6.c
LINUX_SRC := src/platform_linux.c src/sys/sys_linux.c \
	src/sys/proc_linux.c src/sys/proc_spawn_linux.c src/sys/netlink_linux.c \
	src/sys/netlink_route_linux.c src/sys/netlink_vxlan_linux.c \
	src/sys/netplane_linux.c src/sys/netplane_links_linux.c \
	src/sys/netplane_fwd_linux.c src/sys/netplane_reserve_linux.c \
	src/sys/nft_fwd_linux.c \
	src/sys/dnsmasq_hosts_linux.c src/sys/network_linux.c \
	src/sys/keeper_linux.c src/sys/record_linux.c src/sys/dnsmasq_linux.c \
	src/sys/nft_linux.c src/sys/nft_spoof_linux.c src/sys/tap_linux.c \
	src/sys/nft_nat_linux.c src/sys/network_nat_linux.c \
	src/plane.c src/tap.c src/tcpmerge.c src/helper.c src/helper_find.c \
	src/helper_stderr.c src/helper_fwd.c
# IPv6 of the shared and host networks.
LINUX_SRC += src/sys/network6_linux.c \
	src/sys/network_fwd_linux.c src/sys/nft6_linux.c
# The control protocol of squib-net serve, both sides (json-c); the
# service is Linux's.
LINUX_SRC += src/svcproto.c src/svcjson.c src/svcjson_dup.c src/svcsock.c \
	src/svcjson_doc.c
# The client of squib-net serve (the library's, squib-net run's and the
# bridge helper's).
LINUX_SRC += src/svcclient.c
# macOS: vmnet.framework for shared, host and bridged (src/sys/vmnet.h);
# the userspace mode's helper supervision (src/sys/proc_linux.c) has no
# macOS side yet.
DARWIN_SRC := src/platform_darwin.c src/sys/sys_darwin.c \
	src/sys/vmnet_darwin.c src/sys/vmnet_iface_darwin.c \
	src/sys/vmnet_fwd_darwin.c
# Files of src/ that are not portable (a new Linux-only one goes here, or
# behind a src/sys/ call).
# svcsock.c: the service's transport (SCM_RIGHTS with MSG_CMSG_CLOEXEC),
# Linux's like the service.
PORTABLE_EXCLUDE := src/platform_linux.c src/platform_darwin.c \
	src/svcsock.c
PORTABLE_SRC := $(filter-out $(PORTABLE_EXCLUDE),$(wildcard src/*.c)) \
	$(wildcard src/*.h) include/squibnet.h
ifeq ($(OS),Linux)
PLATFORM_SRC := $(LINUX_SRC)
else ifeq ($(OS),Darwin)
PLATFORM_SRC := $(DARWIN_SRC)
# vmnet.framework (libdispatch, XPC and the blocks runtime are libSystem's);
# blocks for its backend. BRIDGED=1: bridged mode, which needs the
# restricted com.apple.vm.networking entitlement (docs/macos.md).
DEFS := -D_DARWIN_C_SOURCE
LDLIBS := -framework vmnet
CFLAGS += -fblocks
ifeq ($(BRIDGED),1)
DEFS += -DSQN_VMNET_BRIDGED
endif
else
$(error squib-net builds on Linux and macOS, not on $(OS))
endif

LIB_SRC := $(CORE_SRC) $(PLATFORM_SRC)
# The program: on macOS without the Linux-only commands, which
# cli/linux_only_darwin.c stands in for.
CLI_SRC := $(filter-out cli/%_linux.c cli/%_darwin.c,$(wildcard cli/*.c)) \
	cli/parent_linux.c
DARWIN_CLI_SRC := cli/main.c cli/demo.c cli/log.c cli/util.c cli/pcap.c \
	cli/probe.c cli/parent_darwin.c cli/linux_only_darwin.c
ifeq ($(OS),Darwin)
CLI_SRC := $(DARWIN_CLI_SRC)
endif
# squib-net serve: a program of its own folder, linked into squib-net.
SERVE_SRC := $(wildcard serve/*.c)
SERVE_LIBS := $(shell pkg-config --libs libsystemd libcap-ng \
	2>/dev/null || echo -lsystemd -lcap-ng)
ifeq ($(OS),Darwin)
# The service is Linux's (cli/linux_only_darwin.c says so).
SERVE_SRC :=
SERVE_LIBS :=
endif
# The macOS program's files are checked on every system (portable-check).
PORTABLE_SRC += $(DARWIN_CLI_SRC) cli/cli.h cli/log.h cli/util.h \
	cli/pcap.h cli/parent.h
# The vmnet tests build apart (VMNET_TESTS below).
TEST_SRC := $(filter-out tests/test_vmnet%.c,$(wildcard tests/test_*.c))
TEST_SUPPORT := tests/harness.c tests/peer.c tests/fixture.c tests/fixture_io.c \
	tests/fixture_sock.c \
	tests/taptest.c \
	tests/fixture_ns.c tests/helper_fx.c tests/plane_ns.c tests/svcfake.c
BENCH_SRC := $(wildcard bench/*.c)
# squib-net-slirp-helper: its own program on libslirp and libseccomp.
# Debian's slirp.pc requires glib-2.0's .pc, which libslirp.h does not need.
SLIRP_SRC := $(wildcard slirp/*.c)
SLIRP_CFLAGS := $(shell pkg-config --cflags slirp 2>/dev/null || \
	echo -I/usr/include/slirp)
SLIRP_LIBS := $(shell pkg-config --libs slirp libseccomp 2>/dev/null || \
	echo -lslirp -lseccomp)

B := build
LIB_OBJ := $(LIB_SRC:%.c=$(B)/pic/%.o)
STATIC_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=$(B)/asan/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
SERVE_OBJ := $(SERVE_SRC:%.c=$(B)/%.o)

STATIC_LIB := $(B)/libsquibnet.a
SHARED_LIB := $(B)/libsquibnet.so.$(VERSION)
PROG := $(B)/squib-net
# A network's keeper (shared, host): a program the library starts, so that
# no copy of the VMM lives as long as the network (src/sys/keeper_main.c).
KEEPER := $(B)/libexec/squib-net-keeper
SLIRP_HELPER := $(B)/squib-net-slirp-helper
# QEMU's helper=: the program again, under the name it answers to as
# argv[0] (cli/main.c); a copy in LIBEXECDIR once installed.
BRIDGE_HELPER := $(B)/libexec/squib-net-bridge-helper
ASAN_SLIRP_HELPER := $(B)/asan/squib-net-slirp-helper
TESTS := $(TEST_SRC:tests/%.c=$(B)/tests/%)
ASAN_TESTS := $(filter-out $(B)/asan/tests/test_alloc,$(TEST_SRC:tests/%.c=$(B)/asan/tests/%))
BENCHES := $(BENCH_SRC:bench/%.c=$(B)/bench/%)
FUZZERS := $(B)/fuzz/fuzz_framing $(B)/fuzz/fuzz_config $(B)/fuzz/fuzz_recv \
	$(B)/fuzz/fuzz_cli $(B)/fuzz/fuzz_slirp $(B)/fuzz/fuzz_proto
# The CLI's option parser, with what it calls of the program's own.
FUZZ_CLI_SRC := cli/guestopt.c cli/util.c
# A stand-in for passt and gvproxy that test_helper and the userspace-echo
# fixture start; the ASan tests use this plain one too.
FAKE_HELPER := $(B)/tests/fake_helper
# A stream peer that reads late, and the guest that sends to it
# (test_guest.sh, through squib-net guest's relay).
SLOW_PEER := $(B)/tests/slow_peer

FORMAT_SRC := $(wildcard include/*.h src/*.[ch] src/sys/*.[ch] cli/*.[ch] \
	tests/*.[ch] bench/*.[ch] fuzz/*.[ch] slirp/*.[ch] serve/*.[ch])

ifeq ($(OS),Darwin)
# macOS: the static library and the program; the keeper and the slirp
# helper serve Linux's modes, and the shared library's link is GNU ld's.
all: $(STATIC_LIB) $(PROG)
else
all: $(STATIC_LIB) $(SHARED_LIB) $(PROG) $(SLIRP_HELPER) $(KEEPER) \
	$(BRIDGE_HELPER)
endif

$(B)/%.o: %.c
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(DEFS) $(INCS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/pic/%.o: %.c
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(DEFS) $(INCS) $(WARN) $(CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(B)/asan/%.o: %.c
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(DEFS) $(INCS) $(WARN) -O1 -g $(SAN) -DSQN_ASAN -MMD -MP \
		-c -o $@ $<

$(STATIC_LIB): $(STATIC_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(SHARED_LIB): $(LIB_OBJ) src/libsquibnet.map
	$(call say,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,libsquibnet.so.$(SOVERSION) \
		-Wl,--version-script=src/libsquibnet.map -o $@ $(LIB_OBJ) \
		$(LDLIBS)
	$(Q)ln -sf libsquibnet.so.$(VERSION) $(B)/libsquibnet.so.$(SOVERSION)
	$(Q)ln -sf libsquibnet.so.$(SOVERSION) $(B)/libsquibnet.so

$(PROG): $(CLI_OBJ) $(SERVE_OBJ) $(STATIC_LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(SERVE_OBJ) $(STATIC_LIB) \
		$(LDLIBS) $(SERVE_LIBS)

# The service uses the program's log and its exe_dir(), and finds the
# installed keeper in LIBEXECDIR.
$(SERVE_OBJ): INCS += -Icli
$(B)/serve/main.o: DEFS += -DSQN_LIBEXECDIR='"$(LIBEXECDIR)"'
$(B)/serve/main.o: $(B)/libexecdir

$(BRIDGE_HELPER): $(PROG)
	$(call say,LN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)ln -sf ../squib-net $@

$(KEEPER): $(B)/src/sys/keeper_main.o $(STATIC_LIB)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Where the library looks for the keeper, given to the one file that needs
# it; $(B)/libexecdir changes, and that file is built again, when
# LIBEXECDIR does (make install PREFIX=...).
KEEPER_LOOKUP := $(B)/src/sys/keeper_linux.o \
	$(B)/pic/src/sys/keeper_linux.o $(B)/asan/src/sys/keeper_linux.o
$(KEEPER_LOOKUP): DEFS += -DSQN_LIBEXECDIR='"$(LIBEXECDIR)"'
$(KEEPER_LOOKUP): $(B)/libexecdir

$(B)/libexecdir: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)echo '$(LIBEXECDIR)' | cmp -s - $@ || echo '$(LIBEXECDIR)' >$@

# Plain test binaries also count allocations (tests/alloc_count.c).
$(B)/tests/%: $(B)/tests/%.o $(TEST_SUPPORT:%.c=$(B)/%.o) \
		$(B)/tests/alloc_count.o $(STATIC_OBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# test_plane_fwd asks the network's DHCP server for its reservation.
$(B)/tests/test_plane_fwd: $(B)/tests/dhcp.o
$(B)/asan/tests/test_plane_fwd: $(B)/asan/tests/dhcp.o

$(FAKE_HELPER): $(B)/tests/fake_helper.o
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^

$(SLOW_PEER): $(B)/tests/slow_peer.o
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^

# The stand-in for squib-net serve of tests/test_svc_cli.sh.
FAKE_SERVICE := $(B)/tests/fake_service

$(FAKE_SERVICE): $(B)/tests/fake_service.o $(B)/tests/svcfake.o $(STATIC_LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

tests: $(FAKE_SERVICE)

# The VMM stand-in of the real-guest test (tests/test_qemu.sh): QEMU's
# stream socket relayed to a network through the library. Not named
# test_*: tests/run.sh runs those.
VMM_RELAY := $(B)/tests/vmm_relay

$(VMM_RELAY): $(B)/tests/vmm_relay.o $(STATIC_LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

tests: $(VMM_RELAY)

# A raw client of squib-net serve (tests/test_serve.sh).
SVC_CLIENT := $(B)/tests/svc_client

$(SVC_CLIENT): $(B)/tests/svc_client.o $(B)/tests/dhcp.o $(STATIC_LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

tests: $(SVC_CLIENT)

# A VMM stand-in holding a service's TAP fd (tests/test_serve_restart.sh).
TAP_PAIR := $(B)/tests/tap_pair

$(TAP_PAIR): $(B)/tests/tap_pair.o
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^

tests: $(TAP_PAIR)

# A client of a network's stream socket, honest or hostile
# (tests/test_serve_stream.sh).
STREAM_PEER := $(B)/tests/stream_peer

$(STREAM_PEER): $(B)/tests/stream_peer.o $(B)/tests/dhcp.o
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^

tests: $(STREAM_PEER)

$(B)/asan/tests/%: $(B)/asan/tests/%.o $(TEST_SUPPORT:%.c=$(B)/asan/%.o) \
		$(ASAN_OBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $^ $(LDLIBS)

$(B)/slirp/%.o $(B)/asan/slirp/%.o: INCS += $(SLIRP_CFLAGS)
# squib-net slirp-helper finds the installed helper there.
$(B)/cli/main.o: DEFS += -DSQN_LIBEXECDIR='"$(LIBEXECDIR)"'
$(B)/cli/main.o: $(B)/libexecdir
$(B)/src/helper_find.o $(B)/pic/src/helper_find.o $(B)/asan/src/helper_find.o: \
	DEFS += -DSQN_LIBEXECDIR='"$(LIBEXECDIR)"'
$(B)/src/helper_find.o $(B)/pic/src/helper_find.o $(B)/asan/src/helper_find.o: \
	$(B)/libexecdir
$(B)/tests/test_slirp_frames.o $(B)/asan/tests/test_slirp_frames.o: \
	INCS += -Islirp

$(SLIRP_HELPER): $(SLIRP_SRC:%.c=$(B)/%.o)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(SLIRP_LIBS)

$(ASAN_SLIRP_HELPER): $(SLIRP_SRC:%.c=$(B)/asan/%.o)
	$(call say,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $^ $(SLIRP_LIBS)

# The unit test of the helper's framing links its frames.c.
$(B)/tests/test_slirp_frames: $(B)/slirp/frames.o
$(B)/asan/tests/test_slirp_frames: $(B)/asan/slirp/frames.o

# The ABI check: one client built against the headers of config versions
# 1 to 6 (tests/abi/squibnet-vN.h, from git history), linked against
# the shared library as a program built then would be.
ABI_TESTS := $(B)/tests/test_abi_v1 $(B)/tests/test_abi_v2 \
	$(B)/tests/test_abi_v3 $(B)/tests/test_abi_v4 $(B)/tests/test_abi_v5 \
	$(B)/tests/test_abi_v6
FORMAT_SRC += tests/abi/abi_client.c

tests: $(ABI_TESTS)

$(B)/tests/abi/abi_client_v%.o: tests/abi/abi_client.c tests/abi/squibnet-v%.h
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(DEFS) -Itests $(WARN) $(CFLAGS) \
		-DABI_HEADER='"squibnet-v$*.h"' -MMD -MP -c -o $@ $<

$(B)/tests/test_abi_v%: $(B)/tests/abi/abi_client_v%.o $(B)/tests/harness.o \
		$(SHARED_LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) -L$(B) -lsquibnet \
		-Wl,-rpath,'$$ORIGIN/..'

# Benchmarks count allocations as the plain tests do (tests/alloc_count.c).
$(B)/bench/%.o: INCS += -Itests
$(B)/bench/%: $(B)/bench/%.o $(B)/tests/alloc_count.o $(STATIC_LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/fuzz/%: fuzz/%.c $(LIB_SRC)
	$(call say,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(DEFS) $(INCS) -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(LIB_SRC) $(LDLIBS)

$(B)/fuzz/fuzz_slirp: fuzz/fuzz_slirp.c slirp/frames.c
	$(call say,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(DEFS) -Islirp -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $^

$(B)/fuzz/fuzz_cli: fuzz/fuzz_cli.c $(FUZZ_CLI_SRC) $(LIB_SRC)
	$(call say,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(DEFS) $(INCS) -Icli -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_CLI_SRC) \
		$(LIB_SRC) $(LDLIBS)

# The service's ACL (acl.conf: who may attach where). Its unit test and
# fuzzer link these; the program links them with the rest of serve/.
ACL_SRC := serve/acl.c serve/acl_file.c serve/acl_words.c
FORMAT_SRC += $(ACL_SRC) serve/acl.h serve/acl_rules.h
FUZZERS += $(B)/fuzz/fuzz_acl
$(B)/tests/test_acl.o $(B)/asan/tests/test_acl.o: INCS += -Iserve
$(B)/tests/test_acl: $(ACL_SRC:%.c=$(B)/%.o)
$(B)/asan/tests/test_acl: $(ACL_SRC:%.c=$(B)/asan/%.o)

$(B)/fuzz/fuzz_acl: fuzz/fuzz_acl.c $(ACL_SRC)
	$(call say,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(DEFS) $(INCS) -Iserve -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(ACL_SRC)

# The vmnet backend, built on Linux with clang -fblocks against the fake
# vmnet.framework, libdispatch and XPC of tests/fake_vmnet/ (threads for
# queues, an echo for the network) and the blocks runtime, with the core
# and platform_darwin.c's mode choice: the conformance suite and the
# zero-allocation test with its fixtures (tests/fixture_vmnet.c),
# test_vmnet.c and test_vmnet_fwd.c (port forwards). The real framework is
# not exercised here (docs/macos.md).
VMNET_CC ?= clang
VMNET_CFLAGS := -fblocks -DSQN_VMNET_BRIDGED -Itests
# dlsym() goes through the fake's (tests/fake_vmnet/fake_vmnet.c), which
# can hide a symbol, as a system older than it would.
VMNET_LIBS := -lBlocksRuntime -lpthread -ldl -rdynamic -Wl,--wrap=dlsym
VMNET_LIB_SRC := $(CORE_SRC) src/platform_darwin.c src/sys/vmnet_darwin.c \
	src/sys/vmnet_iface_darwin.c src/sys/vmnet_fwd_darwin.c \
	src/sys/sys_linux.c
VMNET_FAKE_SRC := $(wildcard tests/fake_vmnet/*.c)
VMNET_SUPPORT := tests/harness.c tests/fixture_io.c tests/fixture_vmnet.c
VMNET_OBJ := $(VMNET_LIB_SRC:%.c=$(B)/vmnet/%.o) \
	$(VMNET_FAKE_SRC:%.c=$(B)/vmnet/%.o) $(VMNET_SUPPORT:%.c=$(B)/vmnet/%.o)
VMNET_ASAN_OBJ := $(VMNET_OBJ:$(B)/vmnet/%=$(B)/vmnet-asan/%)
VMNET_TESTS := $(B)/tests/test_vmnet $(B)/tests/test_vmnet_conformance \
	$(B)/tests/test_vmnet_alloc $(B)/tests/test_vmnet_fwd
VMNET_ASAN_TESTS := $(B)/asan/tests/test_vmnet \
	$(B)/asan/tests/test_vmnet_conformance $(B)/asan/tests/test_vmnet_fwd
FORMAT_SRC += $(wildcard tests/fake_vmnet/*.[ch])

$(B)/vmnet/%.o: %.c
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(VMNET_CC) $(DEFS) $(INCS) $(VMNET_CFLAGS) $(WARN) $(CFLAGS) \
		-MMD -MP -c -o $@ $<

$(B)/vmnet-asan/%.o: %.c
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(VMNET_CC) $(DEFS) $(INCS) $(VMNET_CFLAGS) $(WARN) -O1 -g $(SAN) \
		-DSQN_ASAN -MMD -MP -c -o $@ $<

$(B)/tests/test_vmnet: $(B)/vmnet/tests/test_vmnet.o
$(B)/tests/test_vmnet_conformance: $(B)/vmnet/tests/test_conformance.o
$(B)/tests/test_vmnet_alloc: $(B)/vmnet/tests/test_alloc.o
$(B)/tests/test_vmnet_fwd: $(B)/vmnet/tests/test_vmnet_fwd.o
$(VMNET_TESTS): $(VMNET_OBJ) $(B)/vmnet/tests/alloc_count.o
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(VMNET_CC) $(CFLAGS) -o $@ $^ $(VMNET_LIBS)

$(B)/asan/tests/test_vmnet: $(B)/vmnet-asan/tests/test_vmnet.o
$(B)/asan/tests/test_vmnet_conformance: \
	$(B)/vmnet-asan/tests/test_conformance.o
$(B)/asan/tests/test_vmnet_fwd: $(B)/vmnet-asan/tests/test_vmnet_fwd.o
$(VMNET_ASAN_TESTS): $(VMNET_ASAN_OBJ)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(VMNET_CC) $(SAN) -o $@ $^ $(VMNET_LIBS)

# And once as a build without BRIDGED=1 would choose modes: bridged is
# refused with -ENOTSUP (tests/test_vmnet_nobridged.c).
VMNET_NOBR_OBJ := $(filter-out $(B)/vmnet/src/platform_darwin.o \
	$(B)/vmnet/tests/fixture_vmnet.o $(B)/vmnet/tests/fixture_io.o, \
	$(VMNET_OBJ)) \
	$(B)/vmnet-nobr/src/platform_darwin.o
$(B)/vmnet-nobr/%.o: %.c
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(VMNET_CC) $(DEFS) $(INCS) $(filter-out -DSQN_VMNET_BRIDGED, \
		$(VMNET_CFLAGS)) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<
$(B)/tests/test_vmnet_nobridged: $(B)/vmnet/tests/test_vmnet_nobridged.o \
		$(VMNET_NOBR_OBJ)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(VMNET_CC) $(CFLAGS) -o $@ $^ $(VMNET_LIBS)

tests: $(VMNET_TESTS) $(VMNET_ASAN_TESTS) $(B)/tests/test_vmnet_nobridged

tests: $(TESTS) $(ASAN_TESTS) $(FAKE_HELPER) $(SLOW_PEER) $(PROG) \
	$(SLIRP_HELPER) $(ASAN_SLIRP_HELPER) $(KEEPER)

# The conformance suite with macOS's fixtures (tests/fixture_posix.c):
# built and run on Linux too, so that they are known to work.
CONFORMANCE_POSIX_OBJ := $(addprefix $(B)/tests/,test_conformance.o \
	fixture_posix.o fixture_sock.o fixture_io.o peer.o harness.o)
ifeq ($(OS),Linux)
$(B)/tests/test_conformance_posix: $(CONFORMANCE_POSIX_OBJ) \
		$(B)/tests/alloc_count.o $(STATIC_OBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
tests: $(B)/tests/test_conformance_posix
endif

ifeq ($(OS),Darwin)
# macOS: the portable files, the build against vmnet.framework, the unit
# tests that need no Linux, and the program. The vmnet backend's tests on
# the fake framework run on Linux; the real framework needs root or the
# entitlement (.github/workflows/macos.yml probes it with sudo).
DARWIN_TESTS := $(B)/tests/test_framing $(B)/tests/test_ipv4
$(DARWIN_TESTS): $(B)/tests/%: $(B)/tests/%.o $(B)/tests/harness.o \
		$(STATIC_LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
# The conformance suite on loopback and the stream mode (sys_darwin.c's
# kqueue wake-up, its socket calls); no glibc allocator to count.
DARWIN_TESTS += $(B)/tests/test_conformance_posix
$(B)/tests/test_conformance.o: DEFS += -DSQN_NO_ALLOC_COUNT
$(B)/tests/test_conformance_posix: $(CONFORMANCE_POSIX_OBJ) $(STATIC_LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

check: all $(DARWIN_TESTS)
	$(Q)$(MAKE) -s portable-check
	$(Q)scripts/vmnet_keys_check.sh $(B)/src/sys/vmnet*_darwin.o
	$(Q)for t in $(DARWIN_TESTS); do $$t || exit 1; done
	$(Q)$(PROG) probe --mode loopback --timeout-ms 300 | \
		grep -q "mode:      loopback" && echo "squib-net probe: ok"
else
check: all tests $(FUZZERS)
	$(Q)FUZZ_RUNS=$(FUZZ_RUNS) tests/run.sh $(B)
endif

fuzz: $(FUZZERS)
	$(Q)mkdir -p $(B)/fuzz/corpus-framing $(B)/fuzz/corpus-config \
		$(B)/fuzz/corpus-recv \
		$(B)/fuzz/corpus-cli $(B)/fuzz/corpus-proto
	$(B)/fuzz/fuzz_framing -max_total_time=$(FUZZ_TIME) \
		$(B)/fuzz/corpus-framing fuzz/corpus/framing
	$(B)/fuzz/fuzz_config -max_total_time=$(FUZZ_TIME) \
		$(B)/fuzz/corpus-config
	$(B)/fuzz/fuzz_recv -max_total_time=$(FUZZ_TIME) \
		$(B)/fuzz/corpus-recv fuzz/corpus/recv
	$(B)/fuzz/fuzz_cli -max_total_time=$(FUZZ_TIME) \
		$(B)/fuzz/corpus-cli
	$(B)/fuzz/fuzz_slirp -max_total_time=$(FUZZ_TIME)
	$(B)/fuzz/fuzz_proto -max_total_time=$(FUZZ_TIME) \
		$(B)/fuzz/corpus-proto fuzz/corpus/proto
	$(Q)mkdir -p $(B)/fuzz/corpus-acl
	$(B)/fuzz/fuzz_acl -max_total_time=$(FUZZ_TIME) $(B)/fuzz/corpus-acl \
		fuzz/corpus/acl

# make bench QUICK=1: under 2 minutes; BENCH_BASE=<git revision>: that
# revision's squib-net beside this one (bench/run.sh).
bench: $(BENCHES) $(PROG) $(KEEPER) $(SLIRP_HELPER) $(B)/tests/vmm_relay
	$(Q)scripts/deps.sh
	$(Q)QUICK=$(QUICK) BENCH_BASE=$(BENCH_BASE) bench/run.sh $(B)

format:
	clang-format -i $(FORMAT_SRC)

check-format:
	$(Q)clang-format --dry-run --Werror $(FORMAT_SRC)

# The portable files build with POSIX headers alone and name nothing
# Linux-only (scripts/portable_check.py says what it looks for).
portable-check:
	$(Q)python3 scripts/portable_check.py $(CC) $(PORTABLE_SRC)

# squibnet.pc is written at install time, for that install's directories.
install: all
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libsquibnet.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/libsquibnet.so.$(SOVERSION)
	ln -sf libsquibnet.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libsquibnet.so
	install -m 644 include/squibnet.h $(DESTDIR)$(INCLUDEDIR)/
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 644 docs/squib-net.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 docs/squib-net-serve.conf.5 $(DESTDIR)$(MANDIR)/man5/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		squibnet.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/squibnet.pc
	install -m 755 $(PROG) $(DESTDIR)$(BINDIR)/
	install -m 755 $(SLIRP_HELPER) $(DESTDIR)$(LIBEXECDIR)/
	install -m 755 $(KEEPER) $(DESTDIR)$(LIBEXECDIR)/
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	for u in squib-net.service squib-net.socket; do \
		sed -e 's|@BINDIR@|$(BINDIR)|g' contrib/systemd/$$u \
			>$(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done
	install -m 755 $(PROG) $(DESTDIR)$(LIBEXECDIR)/squib-net-bridge-helper

clean:
	rm -rf $(B)

.PHONY: all tests check fuzz bench format check-format portable-check \
	install clean FORCE
.SECONDARY:

-include $(shell find $(B) -name '*.d' -type f 2>/dev/null)
