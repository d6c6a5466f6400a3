/* SPDX-License-Identifier: MIT */
/* nft_spoof.h - the service's anti-spoofing table (nftables, bridge
 * family): each bridge port held to its MAC and leased IPv4 address */
#ifndef SQN_SYS_NFT_SPOOF_H
#define SQN_SYS_NFT_SPOOF_H

#include <stddef.h>
#include <stdint.h>

/* The table: "bridge squib-net-spoof". */
#define NFT_SPOOF_TABLE "squib-net-spoof"

/**
 * struct nft_spoof_port - what one bridge port may send
 * @name:	the port (a TAP's name: A-Z a-z 0-9 _ . -)
 * @mac:	its MAC, or NULL: the first it sends from (learned by the
 *		kernel, in the port's set of one element)
 * @ip:		its leased address, or NULL while it has none
 * @any_ip:	no lease to hold it to (a bridged network: the LAN's DHCP
 *		server is not ours): IPv4 is not checked, only the MACs
 */
struct nft_spoof_port {
	const char *name;
	const uint8_t *mac;
	const uint8_t *ip;
	int any_ip;
};

int nft_spoof_table(char *msg, size_t len);
int nft_spoof_table_del(char *msg, size_t len);
int nft_spoof_port_add(const struct nft_spoof_port *p, char *msg, size_t len);
int nft_spoof_ports_addr(const struct nft_spoof_port *p, size_t n, char *msg,
			 size_t len);
int nft_spoof_port_del(const char *name);
int nft_spoof_list(const char *what, char **text);
int nft_spoof_text_drops(const char *text, const char *name, uint64_t *packets);
int nft_spoof_text_mac(const char *text, const char *name, uint8_t mac[6]);
int nft_spoof_sweep(int (*keep)(const char *name, void *arg), void *arg);
void nft_spoof_gc(void);

#endif /* SQN_SYS_NFT_SPOOF_H */
