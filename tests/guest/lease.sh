#!/bin/sh
# SPDX-License-Identifier: MIT
# lease.sh - udhcpc's script in the test guest: configure eth0 and say the
# lease on the console, in one line the host waits for
case $1 in
deconfig)
	ip -4 addr flush dev "$interface"
	;;
bound | renew)
	ip -4 addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -z "$router" ] || ip route add default via "${router%% *}" dev "$interface"
	: >/etc/resolv.conf
	for d in $dns; do
		echo "nameserver $d" >>/etc/resolv.conf
	done
	echo "sqn-guest: lease $ip/${mask:-24} router ${router%% *} dns ${dns%% *} $(cut -d' ' -f1 /proc/uptime)s"
	;;
esac
exit 0
