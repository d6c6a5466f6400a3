// SPDX-License-Identifier: MIT
/* linux_only_darwin.c - the commands that are Linux's, saying so on macOS */
#include "cli.h"
#include "log.h"

/* Each of them says so, and what to use instead. */
static int linux_only(const char *cmd, const char *why)
{
	err("%s: Linux only (%s)", cmd, why);
	return 1;
}

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

/**
 * cmd_run() - squib-net run needs squib-net serve, which is Linux's
 * @argc:	unused
 * @argv:	unused
 *
 * Return: 1.
 */
int cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return linux_only("run", "squib-net serve hands out Linux TAPs");
}

/**
 * cmd_bridge_helper() - QEMU's bridge helper is a TAP's, Linux's
 * @argc:	unused
 * @argv:	unused
 *
 * Return: 1.
 */
int cmd_bridge_helper(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return linux_only("bridge-helper", "QEMU's helper= hands over a TAP");
}

/**
 * usage_run() - squib-net help run on macOS
 */
void usage_run(void)
{
	linux_only("run", "squib-net serve hands out Linux TAPs");
}

/**
 * usage_bridge_helper() - squib-net help bridge-helper on macOS
 */
void usage_bridge_helper(void)
{
	linux_only("bridge-helper", "QEMU's helper= hands over a TAP");
}

/**
 * cmd_serve() - squib-net serve is Linux's
 * @argc:	unused
 * @argv:	unused
 *
 * Return: 1.
 */
int cmd_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return linux_only(
		"serve",
		"bridges, TAPs, nftables and dnsmasq; vmnet.framework is macOS's own service");
}

/**
 * usage_serve() - squib-net help serve on macOS
 */
void usage_serve(void)
{
	linux_only(
		"serve",
		"bridges, TAPs, nftables and dnsmasq; vmnet.framework is macOS's own service");
}

/**
 * cmd_status() - squib-net status is Linux's
 * @argc:	unused
 * @argv:	unused
 *
 * Return: 1.
 */
int cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return linux_only("status", "it asks squib-net serve");
}

/**
 * usage_status() - squib-net help status on macOS
 */
void usage_status(void)
{
	linux_only("status", "it asks squib-net serve");
}
