// SPDX-License-Identifier: MIT
/* guestinit.c - pid 1 of the guest's PID namespace: starts CMD, reaps all */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestinit.h"
#include "log.h"

/* The command, once started; before that a signal ends the set-up. */
static volatile sig_atomic_t guestinit_cmd;

static void guestinit_signal(int sig)
{
	/* After the start the signal went to CMD's group as well (squib-net
	 * passes it to the group): CMD decides, and our end follows its. */
	if (!guestinit_cmd)
		_exit(128 + sig);
}

/**
 * guestinit_prepare() - the first steps of the guest's pid 1
 *
 * pid 1 of a PID namespace ignores the signals it has no handler for
 * (pid_namespaces(7)): until CMD runs, SIGINT, SIGTERM and SIGHUP end the
 * set-up (udhcpc, say) through a handler; after, they are CMD's to act on.
 */
void guestinit_prepare(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = guestinit_signal };
	unsigned int i;

	prctl(PR_SET_NAME, GUESTINIT_NAME);
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/**
 * guestinit_proc() - a /proc of the guest's own PID namespace
 *
 * Called in the guest's private mount namespace: the host's /proc would
 * show the host's processes, and no pid the guest knows.
 */
void guestinit_proc(void)
{
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL))
		warn("guest: no /proc of its own: %s", strerror(errno));
}

/**
 * guestinit_exec() - run @cmd as pid 2; exit with its status
 * @cmd:	command and arguments
 *
 * Reaps whatever is left to it meanwhile. When CMD ends, so does this
 * process, and the kernel ends all else in the namespace: nothing CMD
 * started outlives it. Exits 128+N if a signal N ended CMD.
 */
void guestinit_exec(char *const *cmd)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		err("guest: fork: %s", strerror(errno));
		_exit(1);
	}
	if (!pid) {
		execvp(cmd[0], cmd);
		err("guest: %s: %s", cmd[0], strerror(errno));
		_exit(127);
	}
	guestinit_cmd = pid;
	for (;;) {
		pid_t p = wait(&status);

		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			_exit(1);
		if (p != pid)
			continue;
		if (WIFSIGNALED(status))
			_exit(128 + WTERMSIG(status));
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
	}
}
