#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# portable_check.py - the portable files use nothing Linux-only
#
# Usage: scripts/portable_check.py CC FILE...
#
# Two layers. Each .c file is compiled with -D_POSIX_C_SOURCE=200809L and
# no _GNU_SOURCE/_DEFAULT_SOURCE, so what glibc declares only for GNU
# (recvmmsg, secure_getenv, memmem, pipe2, accept4, ...) is an implicit
# declaration, an error. Then each file, its comments and strings taken
# out, is searched for what glibc shows even in POSIX mode but macOS lacks
# (SOCK_CLOEXEC, MSG_NOSIGNAL, O_PATH...), and for Linux-only headers.
# Exits 1, naming file, line and token, when one is found.
import os, re, subprocess, sys

HEADERS = re.compile(
    r'#\s*include\s*[<"]('
    r'linux/[^>"]*|sys/epoll\.h|sys/eventfd\.h|sys/signalfd\.h|'
    r'sys/timerfd\.h|sys/inotify\.h|sys/prctl\.h|sys/random\.h|'
    r'sys/sysmacros\.h|sys/capability\.h|sys/pidfd\.h|sys/syscall\.h|'
    r'sys/sendfile\.h|sys/mount\.h|sys/vfs\.h|sys/statfs\.h|mntent\.h|'
    r'libmnl/[^>"]*|nftables/[^>"]*|systemd/[^>"]*|features\.h|'
    r'dispatch/[^>"]*|xpc/[^>"]*|vmnet/[^>"]*|Block\.h'
    r')[>"]')
TOKENS = re.compile(
    r'\b(SOCK_CLOEXEC|SOCK_NONBLOCK|MSG_NOSIGNAL|MSG_CMSG_CLOEXEC|'
    r'MSG_WAITFORONE|O_PATH|O_TMPFILE|SO_PEERCRED|SO_BINDTODEVICE|'
    r'SO_PASSCRED|SCM_CREDENTIALS|PR_SET_PDEATHSIG|IFF_TAP|IFF_NO_PI|'
    r'IFF_VNET_HDR|TUNSETIFF|AF_PACKET|AF_NETLINK|EFD_\w+|EPOLL\w*|'
    r'epoll_\w+|eventfd|signalfd|timerfd_\w+|mmsghdr|sendmmsg|recvmmsg|'
    r'pipe2|accept4|dup3|getrandom|secure_getenv|clone|clone3|unshare|'
    r'setns|pidfd_\w+|memfd_create|splice|prctl|__linux__|__APPLE__|'
    r'__MACH__)\b')


def strip(text):
    """Comments and string/char literals blanked, newlines kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            out.append(c + ' ' * (min(j, n) - i - 1) + (c if j < n else ''))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def scan(path):
    bad = []
    raw = open(path).read()
    code = strip(raw)
    for ln, (rline, cline) in enumerate(
            zip(raw.splitlines(), code.splitlines()), 1):
        m = HEADERS.search(rline) if cline.lstrip().startswith('#') else None
        if m:
            bad.append(f'{path}:{ln}: Linux- or Apple-only header <{m.group(1)}>')
        for t in TOKENS.findall(cline):
            bad.append(f'{path}:{ln}: {t} is not portable (use src/sys/)')
    return bad


def main():
    cc, files = sys.argv[1], sys.argv[2:]
    flags = ['-std=c11', '-D_POSIX_C_SOURCE=200809L', '-U_GNU_SOURCE',
             '-U_DEFAULT_SOURCE', '-Wall', '-Wextra', '-pedantic',
             '-Werror', '-Werror=implicit-function-declaration',
             '-Iinclude', '-Isrc', '-fsyntax-only']
    bad = []
    for f in files:
        bad += scan(f)
        if f.endswith('.c'):
            r = subprocess.run([cc] + flags + [f], capture_output=True,
                               text=True)
            if r.returncode:
                bad.append(f'{f}: does not build with POSIX headers only:\n'
                           + r.stderr.strip())
    for b in bad:
        print(b)
    print(f'portable-check: {len(files)} files, '
          f'{"ok" if not bad else str(len(bad)) + " problems"}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
