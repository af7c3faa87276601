#!/usr/bin/env bash
# `ruimte select` at workload scale (issue 5): the shared workload's candidates scored with
# scripts/bench/workload.toml, then a target of 100,000 homes (`woningen`) with at most 10 %
# of the target per netcongestie region (the region holding each candidate's point on
# surface), solved with a relative gap of 1 % and a 60 s time limit; then again with gap 0.
#
#   scripts/bench-select.sh [--candidates N --seeds N --seed S] [--out FILE]
set -euo pipefail
orig_args=("$@")
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
runs=1
bench_args "$@"
bench_workload
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$ruimte" score --candidates "$wl:candidates" --profile "$top/scripts/bench/workload.toml" --layer "wbs=$wl:wbs" \
  --layer "netcongestie=$wl:netcongestie" --layer "novex=$wl:novex" --layer "nplv=$wl:nplv" -o "$work/scored.gpkg" -q > /dev/null
select_with_gap() {  # $1: relative gap; $2: name for the output, timings and stdout
  /usr/bin/time -f "%e %M" -o "$work/$2.time" "$ruimte" select --scored "$work/scored.gpkg" --target woningen=100000 \
    --group-by "$wl:netcongestie:regio" --group-sum woningen --max-per-group 10000 --gap "$1" --time-limit 60 \
    -o "$work/$2.gpkg" --timings > "$work/$2.txt" 2> "$work/$2.err" || { cat "$work/$2.err" >&2; exit 1; }
}
select_with_gap 0.01 gap1
select_with_gap 0 gap0  # the same model proven optimal: how far 1 % is from the optimum
read -r secs rss < "$work/gap1.time"
read -r secs0 rss0 < "$work/gap0.time"
section=$work/section.md
{
  echo "<!-- bench-select:$key begin -->"
  echo "## Selection: 100,000 homes from $candidates scored candidates, at most 10 % per netcongestie region"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$top" rev-parse --short HEAD); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- command: \`scripts/bench-select.sh\` (score, then \`ruimte select --target woningen=100000 --group-by WL:netcongestie:regio --group-sum woningen --max-per-group 10000 --gap 0.01 --time-limit 60\`)"
  echo "- wall-clock $secs s for select (reading, overlap pairs, greedy start, CBC), peak RSS $((rss / 1024)) MB"
  echo
  echo '```'
  cat "$work/gap1.txt"
  echo '```'
  echo
  echo "The same with \`--gap 0\` (prove the optimum): wall-clock $secs0 s, peak RSS $((rss0 / 1024)) MB"
  echo
  echo '```'
  grep -E '^(Status|Solved as|Selected|Greedy start)|^  (solve|solver)' "$work/gap0.txt"
  echo '```'
  echo "<!-- bench-select:$key end -->"
} > "$section"
bench_write_section "$section"
cat "$section"
