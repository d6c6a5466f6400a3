// SPDX-License-Identifier: MIT
/* fake_helper.c - a stand-in for passt, gvproxy and the slirp helper, started by the helper tests */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/*
 * fake_helper [-f --fd N | --fd N | -listen-stdio] MODE [ARG]
 *
 * With "-f --fd N" (how passt is started) or "--fd N" (the slirp helper)
 * it talks on descriptor N, else on stdin and stdout. Modes:
 *   echo		echo every byte back until the end of the stream
 *   passt		echo, after checking it was started as passt is: -f
 *			--fd N with N a socket, stdin /dev/null (exit 3 if not)
 *   slirp MTU		echo, after checking it was started as the slirp
 *			helper is: argv[0] squib-net-slirp-helper, --fd N
 *			with N a socket, stdin /dev/null, and "--mtu MTU" as
 *			its last arguments (exit 3 if not)
 *   gvproxy		echo, after checking -listen-stdio, and check that the
 *			frames have 2-byte little-endian lengths of at least
 *			14 (exit 3 at the first that does not)
 *   exit N		say so on stderr and exit with status N
 *   garbage KIND	once some bytes came in (so that it outlives the
 *			library's start watch): one good frame (4-byte
 *			big-endian length), then len0, len3 or len1000000 (a
 *			header with that length, then wait for the end of the
 *			stream) or eof-mid-frame (a header of 100 and 10
 *			bytes, then exit)
 *   stderr		three lines on stderr, then echo
 *   family [leave]	fork a child that pauses forever, say its pid on
 *			stderr, then echo (or with "leave", exit with status 5
 *			at the first bytes in, the child left running and
 *			holding the socket)
 *   complain		what passt 2023.03 writes on a bad option where no
 *			syslog listens, after 16 KiB of other lines: the
 *			complaint (with a syslog priority "<3>"), then a usage
 *			text, each line followed by "Failed to send N bytes to
 *			syslog"; then exit 1
 *   sleep		never read; default signal dispositions
 *   stubborn		never read, and ignore SIGTERM
 *   (both say "fake_helper: ready" on stderr once set up)
 * In every mode, a descriptor open beyond 0, 1, 2 and N is an error
 * (exit 4): the library must close everything else in the child.
 */

#define BUF_SIZE (256 * 1024)

static unsigned char buf[BUF_SIZE];
static int in_fd, out_fd = 1, sock_fd = -1, listen_stdio;

static void die(int status, const char *what)
{
	fprintf(stderr, "fake_helper: %s\n", what);
	exit(status);
}

static void write_all(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n) {
		ssize_t m = write(out_fd, c, n);

		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			exit(0); /* the library closed its end */
		c += m;
		n -= (size_t)m;
	}
}

/* Every open descriptor must be one of 0, 1, 2 and the socket. */
static void check_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char msg[64];

	if (!d)
		return;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd <= 2 || fd == sock_fd ||
		    fd == dirfd(d))
			continue;
		snprintf(msg, sizeof(msg), "descriptor %d was left open", fd);
		die(4, msg);
	}
	closedir(d);
}

/* Frames of 2-byte little-endian lengths, checked as they pass. */
static void hyperkit_check(const unsigned char *p, size_t n)
{
	static size_t left, have;
	static unsigned char hdr[2];
	size_t take;

	while (n) {
		if (left) {
			take = n < left ? n : left;
			left -= take;
			p += take;
			n -= take;
			continue;
		}
		hdr[have++] = *p++;
		n--;
		if (have < 2)
			continue;
		have = 0;
		left = (size_t)hdr[0] | (size_t)hdr[1] << 8;
		if (left < 14)
			die(3, "gvproxy: a frame length below 14");
	}
}

static void echo(int check_hyperkit)
{
	for (;;) {
		ssize_t m = read(in_fd, buf, sizeof(buf));

		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			exit(0);
		if (check_hyperkit)
			hyperkit_check(buf, (size_t)m);
		write_all(buf, (size_t)m);
	}
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void garbage(const char *kind)
{
	unsigned char msg[4 + 60 + 4 + 10] = { 0 };
	size_t n = 4 + 60 + 4;

	put_be32(msg, 60);
	memset(msg + 4, 0x5a, 60);
	if (!strcmp(kind, "len0"))
		put_be32(msg + 64, 0);
	else if (!strcmp(kind, "len3"))
		put_be32(msg + 64, 3);
	else if (!strcmp(kind, "len1000000"))
		put_be32(msg + 64, 1000000);
	else if (!strcmp(kind, "eof-mid-frame"))
		put_be32(msg + 64, 100);
	else
		die(2, "garbage: unknown kind");
	if (!strcmp(kind, "eof-mid-frame"))
		n += 10;
	if (read(in_fd, buf, sizeof(buf)) <= 0)
		exit(0);
	write_all(msg, n);
	if (n > 4 + 60 + 4)
		exit(0);
	while (read(in_fd, buf, sizeof(buf)) > 0)
		;
	exit(0);
}

/* Started as passt is: -f --fd N, N a socket, stdin /dev/null. */
static void check_passt(void)
{
	struct stat st;
	int type = 0;
	socklen_t len = sizeof(type);

	if (sock_fd < 0)
		die(3, "passt: not started with -f --fd N");
	if (getsockopt(sock_fd, SOL_SOCKET, SO_TYPE, &type, &len) ||
	    type != SOCK_STREAM)
		die(3, "passt: --fd is not a stream socket");
	if (fstat(0, &st) || !S_ISCHR(st.st_mode) ||
	    st.st_rdev != makedev(1, 3))
		die(3, "passt: stdin is not /dev/null");
}

/* Started as the slirp helper is: NAME --fd N slirp MTU --mtu MTU. */
static void check_slirp(int argc, char **argv, int i)
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	if (sock_fd < 0 || strcmp(argv[1], "--fd"))
		die(3, "slirp: not started with --fd N");
	check_passt();
	if (strcmp(base, "squib-net-slirp-helper"))
		die(3, "slirp: argv[0] is not squib-net-slirp-helper");
	if (argc != i + 4 || strcmp(argv[i + 2], "--mtu") ||
	    strcmp(argv[i + 3], argv[i + 1]))
		die(3, "slirp: not ended with the --mtu expected");
	fprintf(stderr, "fake_helper: slirp --mtu %s\n", argv[i + 3]);
}

int main(int argc, char **argv)
{
	const char *mode;
	int i = 1;

	if (argc > 3 && !strcmp(argv[1], "-f") && !strcmp(argv[2], "--fd")) {
		sock_fd = atoi(argv[3]);
		in_fd = out_fd = sock_fd;
		i = 4;
	} else if (argc > 2 && !strcmp(argv[1], "--fd")) {
		sock_fd = atoi(argv[2]);
		in_fd = out_fd = sock_fd;
		i = 3;
	} else if (argc > 1 && !strcmp(argv[1], "-listen-stdio")) {
		listen_stdio = 1;
		i = 2;
	}
	if (i >= argc)
		die(2, "no mode");
	mode = argv[i];
	check_fds();
	if (!strcmp(mode, "echo")) {
		echo(0);
	} else if (!strcmp(mode, "passt")) {
		check_passt();
		echo(0);
	} else if (!strcmp(mode, "slirp") && i + 1 < argc) {
		check_slirp(argc, argv, i);
		echo(0);
	} else if (!strcmp(mode, "gvproxy")) {
		if (!listen_stdio)
			die(3, "gvproxy: not started with -listen-stdio");
		echo(1);
	} else if (!strcmp(mode, "exit") && i + 1 < argc) {
		fprintf(stderr, "fake_helper: exiting with status %s\n",
			argv[i + 1]);
		return atoi(argv[i + 1]);
	} else if (!strcmp(mode, "garbage") && i + 1 < argc) {
		garbage(argv[i + 1]);
	} else if (!strcmp(mode, "stderr")) {
		for (i = 1; i <= 3; i++)
			fprintf(stderr, "fake_helper: line %d\n", i);
		echo(0);
	} else if (!strcmp(mode, "family")) {
		/* A child of its own that would outlive it, then echo. */
		pid_t kid = fork();

		if (!kid)
			for (;;)
				pause();
		fprintf(stderr, "fake_helper: child %d\n", (int)kid);
		if (i + 1 < argc && !strcmp(argv[i + 1], "leave")) {
			/* Leave at the first bytes, the child left behind. */
			while (read(in_fd, buf, sizeof(buf)) < 0 &&
			       errno == EINTR)
				;
			exit(5);
		}
		echo(0);
	} else if (!strcmp(mode, "complain")) {
		static const char *const lines[] = {
			"<3>fake_helper: unrecognized option '--bogus'",
			"Usage: fake_helper [OPTION]...",
			"",
			"  -d, --debug\t\tBe verbose",
			"    default: none",
			"Try 'fake_helper --help' for more information.",
		};

		for (i = 0; i < 256; i++)
			fprintf(stderr,
				"fake_helper: step %03d\nFailed to send 22 bytes to syslog\n",
				i);
		for (i = 0; i < 6; i++)
			fprintf(stderr,
				"%s\nFailed to send %zu bytes to syslog\n",
				lines[i], strlen(lines[i]) + 20);
		return 1;
	} else if (!strcmp(mode, "flood")) {
		/* 2 MiB of stderr, more than the pipe holds, nobody reading:
		 * writes that would block fail instead, and frames go on. */
		static char line[1024];

		memset(line, 'x', sizeof(line) - 1);
		line[sizeof(line) - 1] = '\n';
		for (i = 0; i < 2048; i++)
			if (write(2, line, sizeof(line)) < 0)
				continue;
		echo(0);
	} else if (!strcmp(mode, "sleep") || !strcmp(mode, "stubborn")) {
		if (!strcmp(mode, "stubborn"))
			signal(SIGTERM, SIG_IGN);
		fprintf(stderr, "fake_helper: ready\n");
		for (;;)
			pause();
	}
	die(2, "unknown mode");
	return 2;
}
