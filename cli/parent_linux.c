// SPDX-License-Identifier: MIT
/* parent_linux.c - a child killed when the program ends: PR_SET_PDEATHSIG */
#include <signal.h>
#include <sys/prctl.h>

#include "parent.h"

/**
 * parent_death_kills() - SIGKILL to the calling child when its parent ends
 */
void parent_death_kills(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}
