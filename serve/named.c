// SPDX-License-Identifier: MIT
/* named.c - squib-net serve's named TAPs: persistent, owned by the client's
 * uid, opened by name by its VMM (Firecracker's host_dev_name) */
#include "named.h"

/**
 * named_attach() - a named attachment's TAP: persistent, a port of its
 * network's bridge, and its client's uid's to open
 * @a:		the attachment (its network and uid set); a->np filled
 * @port:	its name, MAC and lock deadline
 * @vnet_hdr:	as the request says
 * @msg:	set on failure
 * @len:	its size
 *
 * A VMM that opens its TAP by name (TUNSETIFF with IFF_TAP | IFF_NO_PI |
 * IFF_VNET_HDR) needs no capability for a TAP its uid owns. The header
 * and offloads are the opener's to choose (tun.c takes its flags from
 * each TUNSETIFF); the reply's vnet_hdr_len is the size the service set,
 * which the opener may change.
 *
 * Return: as netplane_attach_named().
 */
int named_attach(struct serve_att *a, const struct netplane_port *port,
		 int vnet_hdr, char *msg, size_t len)
{
	return netplane_attach_named(&a->np, &a->net->spec, port, a->uid,
				     vnet_hdr, msg, len);
}

/**
 * named_reply_fd() - the descriptor that goes with the attach reply
 * @a:		the attachment, made
 *
 * An fd attachment's TAP goes with its reply, and the service keeps its
 * own copy (the TAP lives as long as its last descriptor). A named one
 * goes without: the service closes its own, since a TAP that is not
 * multiqueue takes one opener at a time and the VMM is to be it; the TAP
 * persists until the attachment ends (netplane_named()).
 *
 * Return: the TAP's descriptor, or -1 for a named TAP.
 */
int named_reply_fd(struct serve_att *a)
{
	if (a->kind != SVC_KIND_NAMED)
		return a->np.fd;
	netplane_named(&a->np);
	return -1;
}
