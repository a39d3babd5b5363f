# bench/targets.awk reads the output of bench/run and prints the performance
# targets (docs/benchmarks.md) with the figures of this run: each row's figure,
# its target and whether it was met. A row whose part did not run says so.
#
#   awk -f bench/targets.awk OUTPUT
#
# searchbench prints times in ms ("4.3 ms"); ratios end in x ("9.41x").

function row(n, what, figure, target, status) {
	rows[++count] = sprintf("%-3s %-62s %-22s %-18s %s", n, what, figure, target, status)
}
function met(ok) { return ok ? "met" : "NOT met" }
function x(v) { sub(/x,?$/, "", v); return v + 0 }

/^A scan (sqlite|mariadb), (cold|warm cache)/ {
	kind = $3; sub(/,/, "", kind)
	for (i = 1; i <= NF; i++) if ($i == "best") best = $(i + 1)
	scan[kind] = x(best); nscan++
}
/^A   peak RSS of the full (sqlite|mariadb) scans:/ { scanrss[$7] = $9 }
/^A headers read, / {
	for (i = 1; i <= NF; i++) if ($i == "best") v = $(i + 1)
	headers = x(v)
}
/^A rescan (sqlite|mariadb)/ {
	for (i = 1; i <= NF; i++) if ($i == "median") v = $(i + 1)
	rescan[$3] = x(v)
}
/^B q[0-9]+ / {
	q = substr($2, 2)
	for (i = 1; i <= NF; i++) if ($i == "p95") { p95[q] = $(i + 1) + 0; break }
}
/^C concurrent search:/ { dialect = $7; sub(/,$/, "", dialect) }
/^C +[0-9]+ clients:/ && $2 > 1 {
	errors[dialect] = $(NF - 1)
	for (i = 1; i <= NF; i++) if ($i == "p95") cp95[dialect] = $(i + 1) + 0
}
/^C [0-9]+ clients vs 1:/ { nthr++; thr[dialect] = x($7); clients = $2 }
/^ratio totalrec\/nginx:/ { nginx = $3 + 0 }
/^(gsm|wav49) +ratio cold\/sox/ { seek[$1] = $4 + 0; nseek++ }
/^retention run:/ { for (i = 1; i <= NF; i++) if ($i == "RSS") retrss = $(i + 1) }
/^ratio retention\/find:/ { retention = $3 + 0 }
/^H totalrec-hook / { hook50 = $5 + 0; hook99 = $11 + 0 }
/^H totalrec hook / { full50 = $6 + 0 }
/^H empty Go program / && !empty50 { empty50 = $7 + 0 }
/^Z opus ratio to pcm wav:/ { opus_size = $6 + 0; opus_speed = $9; sub(/x$/, "", opus_speed); opus_speed += 0 }

END {
	for (k in scan) row(1, "first scan, cold, " k " (ratio to find; peak RSS " scanrss[k] " MB)", sprintf("%.2f×", scan[k]), "≤ 3×, ≤ 100 MB", met(scan[k] <= 3 && scanrss[k] <= 100))
	if (headers) row(1, "  the floor: find + every file's header read, 8 at a time", sprintf("%.2f×", headers), "(baseline)", "")
	for (k in rescan) row(1, "rescan, nothing changed, " k " (ratio to find, warm)", sprintf("%.3f×", rescan[k]), "≤ 0.01×", met(rescan[k] <= 0.01))
	if (!nscan) row(1, "first scan (part A did not run)", "—", "≤ 3×", "not run")
	split("4:an extension over 30 days|7:a DID over 30 days|8:a 4-digit number suffix over a year|9:the busiest number over a year", qs, "|")
	for (i = 1; i <= 4; i++) {
		split(qs[i], qd, ":")
		if (qd[1] in p95) row(i == 1 ? 2 : 3, "search p95, q" qd[1] ": " qd[2], sprintf("%.1f ms", p95[qd[1]]), "≤ 50 ms", met(p95[qd[1]] <= 50))
		else row(i == 1 ? 2 : 3, "search q" qd[1] " (part B did not run)", "—", "≤ 50 ms", "not run")
	}
	for (k in thr) row(4, clients " clients on " k ": p95, throughput vs 1 client, errors", sprintf("%.0f ms, %.2f×, %d", cp95[k], thr[k], errors[k]), "≤ 150 ms, ≥ 1×, 0", met(cp95[k] <= 150 && thr[k] >= 1 && errors[k] == 0))
	if (!nthr) row(4, "concurrent search (part C did not run)", "—", "≤ 150 ms", "not run")
	if (nginx) row(5, "PCM WAV, random Ranges, 200 clients (req/s ratio to nginx)", sprintf("%.3f×", nginx), "≥ 0.8×", met(nginx >= 0.8))
	else row(5, "Range serving (part P did not run)", "—", "≥ 0.8×", "not run")
	for (k in seek) row(6, "first byte mid-file, cold, " k " (ratio to sox)", sprintf("%.3f×", seek[k]), "≤ 0.10×", met(seek[k] <= 0.10))
	if (!nseek) row(6, "cold seek (part P did not run)", "—", "≤ 0.10×", "not run")
	if (retention) row(7, "retention deleting 90 % (ratio to find -delete; RSS " retrss " MB)", sprintf("%.2f×", retention), "≤ 0.5×, ≤ 100 MB", met(retention <= 0.5 && retrss <= 100))
	else row(7, "retention (part R did not run)", "—", "≤ 0.5×", "not run")
	if (hook50) row(8, sprintf("totalrec-hook under load, p50 / p99 (empty Go program: p50 %.1f ms; totalrec hook: p50 %.1f ms)", empty50, full50), sprintf("%.1f / %.1f ms", hook50, hook99), "≤ 7 / ≤ 20 ms", met(hook50 <= 7 && hook99 <= 20))
	else row(8, "the hook (part H did not run)", "—", "≤ 7 ms median", "not run")
	if (opus_size) row(9, "Opus after the call: size vs PCM WAV, speed vs real time (one core)", sprintf("%.3f, %.0f×", opus_size, opus_speed), "≤ 0.167, ≥ 200×", met(opus_size <= 1 / 6 && opus_speed >= 200))
	else row(9, "compression (part Z did not run)", "—", "≤ 1/6, ≥ 200×", "not run")
	printf "\nTargets (docs/benchmarks.md), this run:\n"
	printf "%-3s %-62s %-22s %-18s %s\n", "#", "what", "figure", "target", ""
	for (i = 1; i <= count; i++) print rows[i]
}
