#!/usr/bin/env bash
# `ruimte select` at workload scale (issue 5): the shared workload's candidates scored with
# scripts/bench/workload.toml, then a target of 100,000 homes (`woningen`) with at most 10 %
# of the target per netcongestie region (the region holding each candidate's point on
# surface), solved by CBC with a relative gap of 1 % and a 60 s time limit.
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
cmd=("$ruimte" select --scored "$work/scored.gpkg" --target woningen=100000 --group-by "$wl:netcongestie:regio"
     --group-sum woningen --max-per-group 10000 --gap 0.01 --time-limit 60 -o "$work/selected.gpkg" --timings)
/usr/bin/time -f "%e %M" -o "$work/time" "${cmd[@]}" > "$work/stdout.txt" 2> "$work/stderr.txt" || { cat "$work/stderr.txt" >&2; exit 1; }
read -r secs rss < "$work/time"
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
  cat "$work/stdout.txt"
  echo '```'
  echo "<!-- bench-select:$key end -->"
} > "$section"
bench_write_section "$section"
cat "$section"
