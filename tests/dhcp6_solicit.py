#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# dhcp6_solicit.py - a DHCPv6 client's first step, for the IPv6 tests
# (busybox here has no udhcpc6): a Solicit on IFACE with an IA_NA (RFC
# 8415), and the address of the server's Advertise, printed as
# "dhcpv6=ADDR". Exit status 1 when no Advertise with an address comes
# within TIMEOUT seconds.
#
# dhcp6_solicit.py IFACE [TIMEOUT]
import fcntl
import os
import socket
import struct
import sys
import time

SOLICIT, ADVERTISE = 1, 2
OPT_CLIENTID, OPT_IA_NA, OPT_IAADDR, OPT_ELAPSED = 1, 3, 5, 8


def opt(code, data):
    return struct.pack("!HH", code, len(data)) + data


def options(data):
    """(code, payload) of each option in data, until it runs out."""
    while len(data) >= 4:
        code, n = struct.unpack("!HH", data[:4])
        yield code, data[4:4 + n]
        data = data[4 + n:]


def main():
    iface = sys.argv[1]
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 5
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    # SIOCGIFHWADDR: /sys may be another namespace's.
    ifr = fcntl.ioctl(s, 0x8927, struct.pack("256s", iface.encode()[:15]))
    mac = ifr[18:24]
    duid = struct.pack("!HH", 3, 1) + mac  # DUID-LL, Ethernet
    xid = os.urandom(3)
    msg = (bytes([SOLICIT]) + xid + opt(OPT_CLIENTID, duid) +
           opt(OPT_ELAPSED, b"\0\0") +
           opt(OPT_IA_NA, struct.pack("!III", 1, 0, 0)))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.bind(("::", 546))
    idx = socket.if_nametoindex(iface)
    end = time.monotonic() + timeout
    sent = 0
    while time.monotonic() < end:
        if time.monotonic() >= sent + 1:  # again each second: UDP
            s.sendto(msg, ("ff02::1:2", 547, 0, idx))
            sent = time.monotonic()
        s.settimeout(max(0.05, min(1, end - time.monotonic())))
        try:
            data = s.recv(2048)
        except socket.timeout:
            continue
        if len(data) < 4 or data[0] != ADVERTISE or data[1:4] != xid:
            continue
        for code, ia in options(data[4:]):
            if code != OPT_IA_NA or len(ia) < 12:
                continue
            for sub, val in options(ia[12:]):
                if sub == OPT_IAADDR and len(val) >= 24:
                    print("dhcpv6=" + socket.inet_ntop(socket.AF_INET6,
                                                      val[:16]))
                    return 0
    print("dhcpv6: no Advertise with an address", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
