#!/usr/bin/env bash
# Thread scaling of `ruimte score` on the shared workload: the same run with --threads 1 and
# --threads 2 (R rounds each, alternating), median wall-clock seconds, per-stage seconds of
# the median run, peak RSS; writes its section of docs/BENCHMARKS.md.
#
#   scripts/bench-threads.sh [--candidates N --seeds N --seed S] [--runs R] [--out FILE]
set -euo pipefail
orig_args=("$@")
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
runs=5
bench_args "$@"
bench_workload
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
run() {  # run THREADS ROUND -> appends "seconds rss_kb" and keeps the timings
  /usr/bin/time -f "%e %M" -o "$work/time" "$ruimte" score --candidates "$wl:candidates" \
    --profile "$top/scripts/bench/workload.toml" --layer "wbs=$wl:wbs" --layer "netcongestie=$wl:netcongestie" \
    --layer "novex=$wl:novex" --layer "nplv=$wl:nplv" -o "$work/out-$1.gpkg" --overwrite -q --timings \
    --threads "$1" > "$work/timings-$1-$2.txt"
  echo "$(cat "$work/time") $2" >> "$work/runs-$1.txt"
}
for r in $(seq "$runs"); do run 1 "$r"; run 2 "$r"; done
median_row() { sort -g "$work/runs-$1.txt" | awk -v n="$runs" 'NR == int((n + 1) / 2)'; }
read -r s1 rss1 r1 <<<"$(median_row 1)"
read -r s2 rss2 r2 <<<"$(median_row 2)"
speedup=$(awk -v a="$s1" -v b="$s2" 'BEGIN { printf "%.2f", a / b }')
stages() { awk '/^  [a-z]+ +[0-9.]+ s$/ { printf "%s %s s, ", $1, $2 }' "$work/timings-$1-$2.txt" | sed 's/, $//'; }
section=$work/section.md
{
  echo "<!-- bench-threads:$key begin -->"
  echo "## Thread scaling: \`ruimte score\`, $candidates candidates (--seeds $seeds --seed $seed)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$top" rev-parse --short HEAD)"
  echo "- machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- command: \`scripts/bench-threads.sh${orig_args[*]:+ ${orig_args[*]}}\` ($runs rounds, alternating; median)"
  echo
  echo "| threads | seconds (median) | peak RSS MB | stages of the median run |"
  echo "|---:|---:|---:|---|"
  echo "| 1 | $s1 | $((rss1 / 1024)) | $(stages 1 "$r1") |"
  echo "| 2 | $s2 | $((rss2 / 1024)) | $(stages 2 "$r2") |"
  echo
  echo "Speed-up of 2 threads over 1: **$speedup x** (end to end, reading and writing included)."
  echo "<!-- bench-threads:$key end -->"
} > "$section"
bench_write_section "$section"
cat "$section"
