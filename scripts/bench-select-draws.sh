#!/usr/bin/env bash
# `ruimte select --draws` at workload scale (issue 22): the shared workload's candidates scored
# with scripts/bench/workload.toml, then the rules of scripts/bench-select.sh (100,000 homes,
# at most 10,000 homes per netcongestie region) solved for N weight draws (default 500), each to
# a gap of 1 %, with --time-limit 300. Against the plain way, in the same run: a rescored input
# per draw (score = the draw's weighted sum of the f_<factor>_value columns, by ogr2ogr) and
# one `ruimte select` per draw; a sample of S draws (default 5) is timed and extrapolated to N.
#
#   scripts/bench-select-draws.sh [--draws N] [--sample S] [--candidates N --seeds N --seed S] [--out FILE]
set -euo pipefail
draws=500 sample=5
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --draws) draws=$2; shift 2 ;;
    --sample) sample=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_args "${args[@]+"${args[@]}"}"
bench_workload
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$ruimte" score --candidates "$wl:candidates" --profile "$top/scripts/bench/workload.toml" --layer "wbs=$wl:wbs" \
  --layer "netcongestie=$wl:netcongestie" --layer "novex=$wl:novex" --layer "nplv=$wl:nplv" -o "$work/scored.gpkg" -q > /dev/null
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
rules=(--target woningen=100000 --group-by "$wl:netcongestie:regio" --group-sum woningen --max-per-group 10000 --gap 0.01)
/usr/bin/time -f "%e %U %M" -o "$work/draws.time" "$ruimte" select --scored "$work/scored.gpkg" "${rules[@]}" \
  --draws "$draws" --time-limit 300 -o "$work/draws.gpkg" --timings -q > "$work/draws.txt" 2> "$work/draws.err" ||
  { cat "$work/draws.err" >&2; exit 1; }
read -r secs user rss < "$work/draws.time"
q() { sqlite3 "$work/draws.gpkg" "$1"; }
solved=$(q "SELECT count(*) FROM selection_draws WHERE selected IS NOT NULL")
proven=$(q "SELECT count(*) FROM selection_draws WHERE status = 'optimal'")
per_draw=$(q "SELECT printf('%.3f', avg(seconds)) FROM selection_draws WHERE selected IS NOT NULL")
max_gap=$(q "SELECT printf('%.4f', 100 * max(gap)) FROM selection_draws WHERE selected IS NOT NULL")
# The plain way: S draws, each a rescored copy and a separate select run.
plain_total=0
for d in $(seq 0 $((sample - 1))); do
  expr=$(q "SELECT weights FROM selection_draws WHERE draw = $d" | tr ',' '\n' |
    awk -F= '{ gsub(/ /, "", $1); printf "%s%s * f_%s_value", (NR > 1 ? " + " : ""), $2, $1 }')
  t0=$(date +%s.%N)
  ogr2ogr -f GPKG "$work/plain$d.gpkg" "$work/scored.gpkg" -nln candidates_scored -sql \
    "SELECT geom, candidate_id, excluded, woningen, $expr AS score FROM candidates_scored"
  "$ruimte" select --scored "$work/plain$d.gpkg" "${rules[@]}" --time-limit 300 -o "$work/plain$d-sel.gpkg" -q \
    > "$work/plain$d.txt"
  t1=$(date +%s.%N)
  plain_total=$(awk -v a="$plain_total" -v b="$t0" -v c="$t1" 'BEGIN { printf "%.3f", a + c - b }')
  rm -f "$work/plain$d.gpkg" "$work/plain$d-sel.gpkg"
done
plain_per=$(awk -v t="$plain_total" -v s="$sample" 'BEGIN { printf "%.2f", t / s }')
plain_all=$(awk -v p="$plain_per" -v n="$draws" 'BEGIN { printf "%.0f", p * n }')
# Per solved draw: the --draws run's wall clock over the draws it solved (all of it, reading and
# the base solve included) against a plain run per draw.
ratio=$(awk -v p="$plain_per" -v t="$secs" -v n="$solved" 'BEGIN { printf "%.1f", (n > 0 ? p / (t / n) : 0) }')
section=$work/section.md
{
  echo "<!-- bench-select-draws:$key begin -->"
  echo "## Selection under weight uncertainty: $draws weight draws, $candidates candidates, 100,000 homes, at most 10 % per region"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$top" rev-parse --short HEAD); load average at the start: $load_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; the draws on $(nproc) threads (--threads default: all cores)"
  echo "- command: \`scripts/bench-select-draws.sh --draws $draws --sample $sample\` (\`ruimte select ... --gap 0.01 --draws $draws --time-limit 300\`)"
  echo "- wall-clock $secs s for the whole select run (reading, overlaps, the base solve, $draws draws, writing), CPU $user s, peak RSS $((rss / 1024)) MB"
  echo "- draws solved: $solved of $draws; proven within the 1 % gap: $proven; largest gap $max_gap %; $per_draw s per draw (wall clock, from selection_draws)"
  echo "- the plain way (a rescored copy by ogr2ogr and a separate \`ruimte select\` per draw): $plain_per s per draw, measured on $sample draws and extrapolated to $draws: about $plain_all s; per solved draw, plain / --draws (whole run / draws solved): ${ratio}x"
  echo
  echo '```'
  grep -v -E '^  overlap:|^  \.\.\. [0-9]+ more overlapping|^Chosen|^  (core|contested|never)' "$work/draws.txt"
  echo '```'
  echo "<!-- bench-select-draws:$key end -->"
} > "$section"
bench_write_section "$section"
cat "$section"
