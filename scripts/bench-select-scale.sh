#!/usr/bin/env bash
# `ruimte select` from 5,000 to 100,000 candidates (issue 27 section 3): how long building the
# model and solving take, with groups, a budget and a share rule. Per size: the shared workload
# (../shared/bench/make_workload.py, 40,000 wbs seeds, seed 20261122), scored with
# scripts/bench/workload.toml; then fields the workload lacks are derived from the candidate id
# (deterministic): kosten_meu (0.08-0.18 M euro per home), betaalbaar (10-90 % of the homes),
# gemeente (300 groups). Then
#   ruimte select --target woningen=T --budget kosten_meu<=0.125T --share betaalbaar/woningen>=0.5
#                 --group gemeente --max-per-group 6N/1000 --gap 0.001 --time-limit 60 --timings
# with T a tenth of the available candidates' homes.
#
#   scripts/bench-select-scale.sh [--sizes "5000 10000 50000 100000"] [--ruimte PROGRAM]
#                                 [--label NAME] [--timeout S] [--time-limit S] [--gap G] [--out FILE]
# --ruimte: the program to time (default build/cli/ruimte; its solver module is found at
# ../lib/ruimte beside it); --label names the run in the section (e.g. before, after);
# --timeout: seconds after which a select run is stopped and reported as not finished.
set -euo pipefail
sizes="5000 10000 50000 100000" label=after timeout_s=900 program="" out=docs/BENCHMARKS.md limit=60 gap=0.001
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) sizes=$2; shift 2 ;;
    --ruimte) program=$2; shift 2 ;;
    --label) label=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --time-limit) limit=$2; shift 2 ;;
    --gap) gap=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "$(basename "$0"): unknown option $1" >&2; exit 2 ;;
  esac
done
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
rows=$work/rows.md
: > "$rows"
for n in $sizes; do
  bench_args --candidates "$n" --seeds 40000 --seed 20261122 --out "$out"
  [ -n "$program" ] && ruimte=$program
  bench_workload
  scored=$top/build/bench/scored-$key.gpkg
  if [ ! -f "$scored" ]; then
    "$top/build/cli/ruimte" score --candidates "$wl:candidates" --profile "$top/scripts/bench/workload.toml" \
      --layer "wbs=$wl:wbs" --layer "netcongestie=$wl:netcongestie" --layer "novex=$wl:novex" --layer "nplv=$wl:nplv" \
      -o "$scored.tmp.gpkg" -q > /dev/null
    for sql in "ALTER TABLE candidates_scored ADD COLUMN kosten_meu REAL" \
      "ALTER TABLE candidates_scored ADD COLUMN betaalbaar INTEGER" \
      "ALTER TABLE candidates_scored ADD COLUMN gemeente TEXT" \
      "UPDATE candidates_scored SET kosten_meu = round(woningen * (0.08 + ((id * 7919) % 101) / 1000.0), 3), betaalbaar = (woningen * (10 + (id * 104729) % 81)) / 100, gemeente = printf('G%03d', id % 300)"; do
      ogrinfo -q "$scored.tmp.gpkg" -sql "$sql" > /dev/null
    done
    mv "$scored.tmp.gpkg" "$scored"
  fi
  total=$(ogrinfo -q "$scored" -sql "SELECT CAST(SUM(woningen) AS INTEGER) AS t FROM candidates_scored WHERE excluded = 0" |
    sed -n 's/.*t (Integer[0-9]*) = //p')
  target=$((total / 10)) budget=$((total / 80)) per_group=$((6 * n / 1000))
  args=(select --scored "$scored" --target "woningen=$target" --budget "kosten_meu<=$budget" --share 'betaalbaar/woningen>=0.5'
    --group gemeente --max-per-group "$per_group" --gap "$gap" --time-limit "$limit" --timings -o "$work/sel-$n.gpkg" --overwrite)
  set +e
  /usr/bin/time -f "%e %M" -o "$work/time-$n" timeout -s INT "$timeout_s" "$ruimte" "${args[@]}" > "$work/out-$n.txt" 2> "$work/err-$n.txt"
  rc=$?
  set -e
  read -r secs rss < <(tail -n 1 "$work/time-$n")
  if [ $rc -ne 0 ]; then
    echo "| $n | $target / $budget / $per_group | not finished: stopped after $timeout_s s (exit $rc) | | | | |" >> "$rows"
    continue
  fi
  stage() { sed -n "s/^  $1 *\([0-9.]*\) s$/\1/p" "$work/out-$n.txt"; }
  # After the change the solver line splits the solve stage into model building and CBC.
  model=$(sed -n 's/.*model building \([0-9.]*\) s.*/\1/p' "$work/out-$n.txt")
  cbc=$(sed -n 's/.*CBC \([0-9.]*\) s).*/\1/p' "$work/out-$n.txt")
  status=$(sed -n 's/^Status: \(.*\)\.$/\1/p' "$work/out-$n.txt")
  echo "| $n | $target / $budget / $per_group | $secs s, $((rss / 1024)) MB | $(stage read) + $(stage overlaps) | $(stage solve)${model:+ (model $model, CBC $cbc)} | $(stage write) | $status |" >> "$rows"
done
section=$work/section.md
{
  echo "<!-- bench-select-scale:$label begin -->"
  echo "## Selection at $(echo $sizes | tr ' ' '/') candidates: model building and solving ($label, --time-limit $limit --gap $gap)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$top" rev-parse --short HEAD); program: ${program:-build/cli/ruimte}; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- command: \`scripts/bench-select-scale.sh --sizes \"$sizes\" --label $label${program:+ --ruimte $program} --timeout $timeout_s --time-limit $limit --gap $gap\`"
  echo "  (per size: \`ruimte select --target woningen=T --budget 'kosten_meu<=B' --share 'betaalbaar/woningen>=0.5' --group gemeente --max-per-group G --gap $gap --time-limit $limit --timings\`)"
  echo
  echo "| candidates | T / B / G | wall-clock, peak RSS | read + overlaps (s) | solve stage (s) | write (s) | status |"
  echo "|---|---|---|---|---|---|---|"
  cat "$rows"
  echo "<!-- bench-select-scale:$label end -->"
} > "$section"
bench_write_section "$section"
cat "$section"
