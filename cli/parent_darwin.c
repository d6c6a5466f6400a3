// SPDX-License-Identifier: MIT
/* parent_darwin.c - macOS has no parent-death signal */
#include "parent.h"

/**
 * parent_death_kills() - nothing on macOS: the child ends on its own when
 * its socket's other end closes
 */
void parent_death_kills(void)
{
}
