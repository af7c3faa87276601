#!/usr/bin/env bash
# `ruimte web` on the benchmark workload (issue 23): the page of N candidates (default 10,000)
# in headless Chromium (Debian's chromium through tests/web/drive.cjs): its size, the time until
# it is interactive (performance.now() in the page when the first full render completed, and
# the wall-clock time from the start of loading), and the median of 50 weight changes, each
# rescoring, re-ranking and redrawing all candidates (performance.now() in the page around
# update(), with map.renderSync()). Writes a section of docs/BENCHMARKS.md.
#
#   scripts/bench-web.sh [--candidates N --seeds N --seed S] [--runs R] [--out FILE]
set -euo pipefail
orig_args=("$@")
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
runs=3
bench_args "$@"
bench_workload
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$ruimte" score --candidates "$wl:candidates" --profile "$top/scripts/bench/workload.toml" --layer "wbs=$wl:wbs" \
  --layer "netcongestie=$wl:netcongestie" --layer "novex=$wl:novex" --layer "nplv=$wl:nplv" \
  -o "$work/score.gpkg" -q > /dev/null
/usr/bin/time -f "%e" -o "$work/web_time" "$ruimte" web "$work/score.gpkg" -o "$work/page.html" > "$work/web.txt"
bytes=$(stat -c %s "$work/page.html")
for r in $(seq "$runs"); do
  node "$top/tests/web/drive.cjs" "$work/page.html" "$work/run-$r.json" --bench 50
done
read -r ready wall median maxms errors score_ms map_ms <<<"$(/usr/bin/python3 - "$work" "$runs" <<'PY'
import json, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
rs = [json.load(open(f"{work}/run-{r}.json")) for r in range(1, runs + 1)]
med = lambda xs: statistics.median(xs)
print(f"{med([r['ready_ms'] for r in rs]):.0f} {med([r['wall_ready_ms'] for r in rs]):.0f} "
      f"{med([r['bench']['median_ms'] for r in rs]):.1f} {max(r['bench']['max_ms'] for r in rs):.1f} "
      f"{sum(len(r['console_errors']) + len(r['page_errors']) + len(r['requests']) for r in rs)} "
      f"{med([r['bench_parts']['score_rank_ms'] for r in rs]):.1f} {med([r['bench_parts']['map_ms'] for r in rs]):.1f}")
PY
)"
section=$work/section.md
{
  echo "<!-- bench-web:$key begin -->"
  echo "## \`ruimte web\`: the workshop page of $candidates candidates (--seeds $seeds --seed $seed)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$top" rev-parse --short HEAD)"
  echo "- machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(/usr/bin/chromium --version 2>/dev/null | head -1), headless"
  echo "- command: \`scripts/bench-web.sh${orig_args[*]:+ ${orig_args[*]}}\` ($runs page loads; medians over them)"
  echo
  echo "| what | figure | target |"
  echo "|---|---:|---:|"
  echo "| page size | $(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }') | < 10 MB |"
  echo "| \`ruimte web\` run time | $(cat "$work/web_time") s | |"
  echo "| interactive after (performance.now() in the page: map drawn, handlers attached, frame painted) | $ready ms | < 2000 ms |"
  echo "| interactive after (wall clock from the start of loading, via DevTools) | $wall ms | |"
  echo "| weight change: rescore, re-rank, recolour, redraw (median of 50) | $median ms | < 100 ms |"
  echo "| of which rescoring, re-ranking and reclassifying (median) | $score_ms ms | |"
  echo "| of which drawing the map (median) | $map_ms ms | |"
  echo "| weight change, slowest of all | $maxms ms | |"
  echo "| console errors and network requests | $errors | 0 |"
  echo
  echo "\`ruimte web\` said: $(sed -n 's/^Geometry: //p' "$work/web.txt"). The machine is shared: with a load"
  echo "average far above its 2 cores every figure above is stretched by the same factor."
  echo "<!-- bench-web:$key end -->"
} > "$section"
bench_write_section "$section"
cat "$section"
