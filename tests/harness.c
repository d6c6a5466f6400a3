// SPDX-License-Identifier: MIT
/* harness.c - runs each registered test in a child; prints "N passed, N failed" */
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* The child ends by _exit(), past LeakSanitizer's own check at exit:
 * under ASan it asks for one itself. */
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#define leaks_found() __lsan_do_recoverable_leak_check()
#else
#define leaks_found() 0
#endif

#define HARNESS_MAX 256
#define HARNESS_TIMEOUT 300

static struct {
	const char *name;
	harness_fn fn;
} tests[HARNESS_MAX];
static int ntests;
static void (*at_fail)(void);

void harness_register(const char *name, harness_fn fn)
{
	if (ntests < HARNESS_MAX) {
		tests[ntests].name = name;
		tests[ntests].fn = fn;
		ntests++;
	}
}

void harness_at_fail(void (*fn)(void))
{
	at_fail = fn;
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
	void (*fn)(void) = at_fail;
	va_list ap;

	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	/* Once: a check failing in the cleanup itself ends here. */
	at_fail = NULL;
	if (fn)
		fn();
	_exit(1);
}

/* Linux's /proc/self/fd, else /dev/fd (macOS: the process's own). */
int harness_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		d = opendir("/dev/fd");
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

int harness_proc_ended(int pid, int ms)
{
	char path[64], state;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (;; ms -= 10) {
		f = fopen(path, "r");
		if (!f)
			return 1;
		if (fscanf(f, "%*d %*s %c", &state) != 1)
			state = 0;
		fclose(f);
		if (state == 'Z')
			return 1;
		if (ms <= 0)
			return 0;
		usleep(10000);
	}
}

static int run_one(int i)
{
	pid_t pid;
	int status;

	fflush(NULL);
	if (getenv("SQN_TEST_NOFORK")) {
		tests[i].fn();
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 0;
	}
	if (!pid) {
		alarm(HARNESS_TIMEOUT);
		tests[i].fn();
		fflush(NULL);
		_exit(leaks_found() ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		;
	if (WIFSIGNALED(status))
		fprintf(stderr, "    killed by signal %d (%s)\n",
			WTERMSIG(status), strsignal(WTERMSIG(status)));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The network's keeper is build/libexec/squib-net-keeper: tests run from
 * build/tests or build/asan/tests find it there when tests/run.sh did not
 * say where (SQN_LIBEXECDIR), as when one is run by hand. */
static void harness_libexecdir(void)
{
	static const char *const up[] = { "/../libexec", "/../../libexec" };
	char exe[4096], dir[4200], *slash, *real;
	ssize_t n;
	size_t i;

	if (getenv("SQN_LIBEXECDIR"))
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = '\0';
	for (i = 0; i < sizeof(up) / sizeof(up[0]); i++) {
		snprintf(dir, sizeof(dir), "%s%s/squib-net-keeper", exe, up[i]);
		real = realpath(dir, NULL);
		if (!real)
			continue;
		*strrchr(real, '/') = '\0';
		setenv("SQN_LIBEXECDIR", real, 0);
		free(real);
		return;
	}
}

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/');
	int i, passed = 0, failed = 0;

	prog = prog ? prog + 1 : argv[0];
	signal(SIGPIPE, SIG_IGN);
	harness_libexecdir();
	for (i = 0; i < ntests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		if (run_one(i)) {
			passed++;
			printf("ok   %s %s\n", prog, tests[i].name);
		} else {
			failed++;
			printf("FAIL %s %s\n", prog, tests[i].name);
		}
		fflush(stdout);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
