// SPDX-License-Identifier: MIT
/* linux_only_darwin.c - the commands that are Linux's, saying so on macOS */
#include "cli.h"
#include "log.h"

/**
 * cmd_guest() - squib-net guest needs Linux's network namespaces and TAPs
 * @argc:	unused
 * @argv:	unused
 *
 * Return: 1.
 */
int cmd_guest(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	err("guest: Linux only (network namespaces and TAP devices); on macOS, try squib-net probe or demo");
	return 1;
}

/**
 * usage_guest() - squib-net help guest on macOS
 */
void usage_guest(void)
{
	err("guest: Linux only (network namespaces and TAP devices)");
}
