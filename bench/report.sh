#!/bin/bash
# SPDX-License-Identifier: MIT
# report.sh - the tables, CSV files and chart of one benchmark run
#
# bench/report.sh RAW_CSV OUT_DIR: reads what bench_framing --csv,
# e2e.sh, scale.sh and serve_stream.sh printed (and "machine,KEY,VALUE"
# lines), prints the tables, and writes OUT_DIR/micro.csv, e2e.csv,
# scale.csv, serve_stream.csv (medians over
# the runs, ratios to the kernel-only path and to the peers) and
# OUT_DIR/bench.png (gnuplot).
set -euo pipefail
raw=$1
out=$2
mkdir -p "$out"
machine=$(awk -F, '$1 == "machine" { printf "%s%s", sep, $3; sep = ", " }' "$raw")

awk -F, -v out="$out" -v machine="$machine" '
# median(S): the median of the numbers in S, separated by spaces.
function median(s,    v, n, i, j, t) {
	n = split(s, v, " ")
	if (!n)
		return ""
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function ratio(a, b) {
	return a != "" && b != "" && b + 0 ? sprintf("%.2f", a / b) : ""
}
function fmt(v, f) {
	return v == "" ? "-" : sprintf(f, v)
}
$1 == "micro" { micro[++nmicro] = $0 }
$1 == "micro_ratio" { mratio[$3] = $4 }
$1 == "row" { order[++nrows] = $2; label[$2] = $3; ref[$2] = $4 }
$1 == "e2e" && $5 != "fail" {
	vals[$2, $4] = vals[$2, $4] " " $5
	if ($6 != "")
		retr[$2, $4] = retr[$2, $4] " " $6
	runs[$2, $4]++
}
$1 == "e2e" && $5 == "fail" { failed[$2, $4]++ }
# serve_stream.sh: clients of the service by kind (stream, fd), N at once
$1 == "sstream" && $6 != "fail" {
	sagg[$2, $3, $4] += $6
	if (!(($2, $3, $4) in slo) || $6 < slo[$2, $3, $4])
		slo[$2, $3, $4] = $6
	if (!(($2, $3) in sseen)) { sseen[$2, $3] = 1; sk[++nss] = $2 SUBSEP $3 }
	if (!(($2, $3, $4) in srun)) { srun[$2, $3, $4] = 1; sruns2[$2, $3] = sruns2[$2, $3] " " $4 }
}
$1 == "sstream" && $6 == "fail" { sfail[$2, $3]++ }
$1 == "sstream_fps" && $4 != "fail" { fpsv[$2] = fpsv[$2] " " $4; fsent[$2] = fsent[$2] " " $5 }
$1 == "scale" && $5 != "fail" {
	agg[$2, $3] += $5
	if (!(($2, $3) in lo) || $5 < lo[$2, $3])
		lo[$2, $3] = $5
	if (!($2 in seen)) { seen[$2] = 1; ns[++nscale] = $2 }
	sruns[$2] = sruns[$2] " " $3
}
END {
	hdr = "# " machine
	split("g2w_1 g2w_4 w2g_1 w2g_4 rtt_med rtt_p99 rr rr_med", ms, " ")
	for (r = 1; r <= nrows; r++)
		for (m in ms) {
			id = order[r]
			med[id, ms[m]] = median(vals[id, ms[m]])
			rmed[id, ms[m]] = median(retr[id, ms[m]])
		}

	if (nmicro) {
		f = out "/micro.csv"
		print hdr > f
		print "case,size,frames_per_s,gbit_s,allocs_per_frame,stream_over_naive" > f
		printf "\nMicro: the receive side of a stream relay (median of the runs)\n"
		printf "%-8s %6s %12s %8s %7s %10s\n", "case", "size", "frames/s", "Gbit/s", "allocs", "vs naive"
		for (i = 1; i <= nmicro; i++) {
			split(micro[i], v, ",")
			x = v[2] == "stream" ? mratio[v[3]] : ""
			print v[2] "," v[3] "," v[4] "," v[5] "," v[6] "," x > f
			printf "%-8s %6s %12s %8.2f %7.3f %10s\n", v[2], v[3], v[4], v[5], v[6], x == "" ? "" : x "x"
		}
	}

	if (nrows) {
		f = out "/e2e.csv"
		print hdr > f
		print "path,label,measure,median,retransmits_median,runs,failed_runs,vs_kernel,vs_pasta,vs_slirp4netns" > f
		for (r = 1; r <= nrows; r++) {
			id = order[r]
			for (m = 1; m <= 8; m++) {
				k = ms[m]
				if (!runs[id, k] && !failed[id, k])
					continue
				print id ",\"" label[id] "\"," k "," med[id, k] "," rmed[id, k] "," \
					runs[id, k] + 0 "," failed[id, k] + 0 "," \
					ratio(med[id, k], med[ref[id], k]) "," \
					ratio(med[id, k], med["pasta", k]) "," \
					ratio(med[id, k], med["slirp4netns", k]) > f
			}
		}
		printf "\nEnd to end: median of the runs. Gbit/s [sender retransmits]; g->w guest to\n"
		printf "wan (or host, or the other guest: 1 stream), w->g back, 1 and 4 streams; ping RTT\n"
		printf "median, p99 and its excess over the kernel path in us; TCP transactions/s\n"
		printf "and the excess of their median round trip over the kernel path in us\n"
		printf "%-36s %12s %12s %12s %12s %6s %6s %5s %6s %5s\n", "path", "g->w 1", "g->w 4",
			"w->g 1", "w->g 4", "rtt", "p99", "+rtt", "rr/s", "+rr"
		for (r = 1; r <= nrows; r++) {
			id = order[r]
			printf "%-36s", substr(label[id], 1, 36)
			for (m = 1; m <= 4; m++)
				printf " %12s", med[id, ms[m]] == "" ? "-" : \
					sprintf("%.2f [%s]", med[id, ms[m]], rmed[id, ms[m]] == "" ? "?" : int(rmed[id, ms[m]]))
			add = med[id, "rtt_med"] != "" && med[ref[id], "rtt_med"] != "" ? \
				med[id, "rtt_med"] - med[ref[id], "rtt_med"] : ""
			addrr = med[id, "rr_med"] != "" && med[ref[id], "rr_med"] != "" ? \
				med[id, "rr_med"] - med[ref[id], "rr_med"] : ""
			printf " %6s %6s %5s %6s %5s\n", fmt(med[id, "rtt_med"], "%.0f"),
				fmt(med[id, "rtt_p99"], "%.0f"), fmt(add, "%+.0f"), fmt(med[id, "rr"], "%.0f"),
				fmt(addrr, "%+.0f")
		}
		printf "\nRatios (throughput and rr/s: above 1 is faster; rtt: above 1 is slower)\n"
		printf "%-36s %-11s %6s %6s %6s %6s %6s %6s\n", "path", "to", "g->w 1", "g->w 4",
			"w->g 1", "w->g 4", "rtt", "rr/s"
		split("g2w_1 g2w_4 w2g_1 w2g_4 rtt_med rr", rk, " ")
		for (r = 1; r <= nrows; r++) {
			id = order[r]
			if (id == ref[id])
				continue
			nto = split(ref[id] (ref[id] == "kernel" ? " pasta slirp4netns" : ""), to, " ")
			for (t = 1; t <= nto; t++) {
				if (to[t] == id || !((to[t], "g2w_1") in med))
					continue
				printf "%-36s %-11s", t == 1 ? substr(label[id], 1, 36) : "", to[t] == "kernel_host" || to[t] == "kernel_gg" ? "kernel" : to[t]
				for (m = 1; m <= 6; m++)
					printf " %6s", fmt(ratio(med[id, rk[m]], med[to[t], rk[m]]), "%.2f")
				printf "\n"
			}
		}
		f = out "/chart.dat"
		for (r = 1; r <= nrows; r++) {
			id = order[r]
			printf "\"%s\"", label[id] > f
			for (m = 1; m <= 5; m++)
				printf " %s", med[id, ms[m]] == "" ? "NaN" : med[id, ms[m]] > f
			printf "\n" > f
		}
	}

	if (nscale) {
		f = out "/scale.csv"
		print hdr > f
		print "guests,aggregate_gbit_s,per_guest_gbit_s,slowest_guest_gbit_s,runs" > f
		printf "\nScale: N guests of one shared network, each one stream to wan at once\n"
		printf "%6s %14s %14s %14s\n", "guests", "aggregate", "per guest", "slowest"
		for (i = 1; i <= nscale; i++) {
			n = ns[i]
			a = l = ""
			split(sruns[n], rl, " ")
			delete done
			for (j in rl) {
				if (rl[j] in done)
					continue
				done[rl[j]] = 1
				a = a " " agg[n, rl[j]]
				l = l " " lo[n, rl[j]]
			}
			a = median(a)
			l = median(l)
			print n "," a "," a / n "," l "," length(done) > f
			printf "%6s %9.2f Gb/s %9.2f Gb/s %9.2f Gb/s\n", n, a, a / n, l
		}
	}

	if (nss) {
		f = out "/serve_stream.csv"
		print hdr > f
		print "kind,clients,aggregate_gbit_s,per_client_gbit_s,slowest_client_gbit_s,runs,failed_clients" > f
		printf "\nsquib-net serve: N clients of one network, each one stream to wan at once\n"
		printf "(stream: the service relays its stream socket to a TAP; fd: the client holds\n"
		printf "its TAP, a libsquibnet VMM relaying the same guest; median of the runs)\n"
		printf "%-7s %7s %14s %14s %14s %7s\n", "kind", "clients", "aggregate", "per client", "slowest", "failed"
		for (i = 1; i <= nss; i++) {
			split(sk[i], kn, SUBSEP)
			a = l = ""
			nr = split(sruns2[kn[1], kn[2]], rl, " ")
			for (j = 1; j <= nr; j++) {
				a = a " " sagg[kn[1], kn[2], rl[j]]
				l = l " " slo[kn[1], kn[2], rl[j]]
			}
			a = median(a)
			l = median(l)
			print kn[1] "," kn[2] "," a "," a / kn[2] "," l "," nr "," sfail[kn[1], kn[2]] + 0 > f
			printf "%-7s %7s %9.2f Gb/s %9.2f Gb/s %9.2f Gb/s %7d\n", kn[1], kn[2], a, a / kn[2], l, sfail[kn[1], kn[2]]
		}
		printf "\nRelay frames/s, 1514-byte frames, guest to network (out of the TAP; sent: what\n"
		printf "the socket took), median of the runs\n"
		for (k in fpsv) {
			print "fps," k "," median(fpsv[k]) "," median(fsent[k]) > f
			printf "%-7s %12.0f frames/s   (sent %.0f/s)\n", k, median(fpsv[k]), median(fsent[k])
		}
	}
}' "$raw"

[ -s "$out/chart.dat" ] || exit 0
# The throughput columns that have figures (QUICK has no 4-stream ones).
plots=
for c in 2:g-\>w:1 3:g-\>w:4 4:w-\>g:1 5:w-\>g:4; do
	IFS=: read -r col dir n <<<"$c"
	awk -v c="$col" '{ sub(/^"[^"]*"/, "x") } $c != "NaN" { found = 1 } END { exit !found }' \
		"$out/chart.dat" || continue
	plots+="${plots:+, }\"$out/chart.dat\" using $col:xtic(1) title \"$dir $n stream$([ "$n" = 1 ] || echo s)\""
done
gnuplot <<EOF
set terminal pngcairo size 1200,900 font ",10"
set output "$out/bench.png"
set multiplot layout 2,1 title "squib-net make bench: $machine (medians of the runs)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -30 left
set grid ytics
set key top center horizontal
set rmargin 12
set bmargin 8
set ylabel "Gbit/s (median)"
set title "TCP throughput, iperf3, guest to wan (or host / other guest) and back"
plot $plots
set ylabel "microseconds (median)"
set yrange [0:*]
set title "ping round trip"
set key off
plot "$out/chart.dat" using 6:xtic(1) title "RTT" lc rgb "#4070a0"
unset multiplot
EOF
rm -f "$out/chart.dat"
