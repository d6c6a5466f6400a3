// SPDX-License-Identifier: MIT
/* pcap.c - write frames to a pcap file (tcpdump -r reads it) */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pcap.h"

#define PCAP_SNAPLEN 65536
#define PCAP_LINKTYPE_ETHERNET 1

static FILE *pcap_file;

/**
 * pcap_open() - start a capture file
 * @path:	file to create (truncated)
 *
 * Return: 0, or -1 after printing why.
 */
int pcap_open(const char *path)
{
	/* struct pcap_file_header, host byte order: readers check the magic */
	const uint32_t hdr[6] = { 0xa1b2c3d4,	2 | (4u << 16),	       0, 0,
				  PCAP_SNAPLEN, PCAP_LINKTYPE_ETHERNET };

	pcap_file = fopen(path, "wb");
	if (!pcap_file) {
		err("--pcap %s: %s", path, strerror(errno));
		return -1;
	}
	if (fwrite(hdr, sizeof(hdr), 1, pcap_file) != 1) {
		err("--pcap %s: %s", path, strerror(errno));
		fclose(pcap_file);
		pcap_file = NULL;
		return -1;
	}
	return 0;
}

/**
 * pcap_frame() - append one frame, if a capture is open
 * @frame:	the frame
 * @len:	its length
 * @hdr:	bytes of virtio_net_hdr before it, left out
 */
void pcap_frame(const uint8_t *frame, size_t len, size_t hdr)
{
	struct timespec ts;
	uint32_t rec[4];
	size_t cap;

	if (!pcap_file || len <= hdr)
		return;
	frame += hdr;
	len -= hdr;
	cap = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : len;
	clock_gettime(CLOCK_REALTIME, &ts);
	rec[0] = (uint32_t)ts.tv_sec;
	rec[1] = (uint32_t)(ts.tv_nsec / 1000);
	rec[2] = (uint32_t)cap;
	rec[3] = (uint32_t)len;
	if (fwrite(rec, sizeof(rec), 1, pcap_file) != 1 ||
	    fwrite(frame, cap, 1, pcap_file) != 1) {
		warn("--pcap: write failed (%s); capture stopped",
		     strerror(errno));
		fclose(pcap_file);
		pcap_file = NULL;
	}
}

/**
 * pcap_close() - flush and close the capture
 */
void pcap_close(void)
{
	if (pcap_file && fclose(pcap_file))
		warn("--pcap: %s", strerror(errno));
	pcap_file = NULL;
}
