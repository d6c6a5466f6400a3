#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# vxlan_probe.py - what busybox cannot send, for tests/test_vxlan.sh (run
# in a guest's network namespace):
#
# vxlan_probe.py dfping ADDR SIZE
#     an ICMP echo request of SIZE bytes of payload to ADDR with DF set
#     (IP_PMTUDISC_DO: the kernel neither fragments it nor lets a larger
#     one out), 3 tries, 2 s each. Prints "reply SIZE" (exit 0), "refused:
#     REASON" when the kernel refuses to send it (exit 2: larger than the
#     route's MTU), "frag needed mtu N" when a router says so (exit 3),
#     "lost" when nothing came back (exit 1).
# vxlan_probe.py bcast IFACE N
#     N broadcast Ethernet frames (EtherType 0x88b5, local experimental)
#     out of IFACE at once. Prints "sent N".
import os
import select
import socket
import struct
import sys
import time

IP_MTU_DISCOVER, IP_PMTUDISC_DO = 10, 2


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def dfping(addr, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
    ident = os.getpid() & 0xFFFF
    for seq in range(1, 4):
        hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        data = bytes((i & 0xFF for i in range(size)))
        pkt = struct.pack("!BBHHH", 8, 0, checksum(hdr + data), ident, seq) + data
        try:
            s.sendto(pkt, (addr, 0))
        except OSError as e:
            print("refused: %s" % e.strerror)
            return 2
        until = time.monotonic() + 2
        while True:
            left = until - time.monotonic()
            if left <= 0 or not select.select([s], [], [], left)[0]:
                break
            buf, src = s.recvfrom(65535)
            ihl = (buf[0] & 0xF) * 4
            typ, code = buf[ihl], buf[ihl + 1]
            if typ == 0 and src[0] == addr:
                rid, rseq = struct.unpack("!HH", buf[ihl + 4:ihl + 8])
                if rid == ident and rseq == seq:
                    print("reply %d" % (len(buf) - ihl - 8))
                    return 0
            if typ == 3 and code == 4:
                print("frag needed mtu %d" % struct.unpack("!H", buf[ihl + 6:ihl + 8]))
                return 3
    print("lost")
    return 1


def bcast(iface, n):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    mac = s.getsockname()[4]
    frame = b"\xff" * 6 + mac + struct.pack("!H", 0x88B5) + b"squib-net vxlan test".ljust(46, b"\0")
    for _ in range(n):
        s.send(frame)
    print("sent %d" % n)
    return 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "dfping":
        return dfping(sys.argv[2], int(sys.argv[3]))
    if len(sys.argv) == 4 and sys.argv[1] == "bcast":
        return bcast(sys.argv[2], int(sys.argv[3]))
    print("usage: vxlan_probe.py dfping ADDR SIZE | bcast IFACE N", file=sys.stderr)
    return 64


sys.exit(main())
