#!/usr/bin/env bash
# Usage: scripts/bench-parcels.sh --parcels N [--no-postgis] [--out docs/BENCHMARKS.md]
# `ruimte score` on N parcels (scripts/bench/make_parcels.py, made once and kept in build/bench)
# against PostGIS in the same run (issue 24): peak memory, time, agreement within 1e-6, and a
# valid output. Writes the section "bench-parcels:N" of docs/BENCHMARKS.md and the table of
# every size measured so far ("bench-parcels:scaling").
#
# 1. makes (or reuses) the workload build/bench/parcels-N-<generator hash>.gpkg;
# 2. unless --no-postgis: starts a throw-away PostgreSQL + PostGIS (scripts/pg-temp.sh), loads
#    the workload with scripts/reference-areas.sh (GiST indexes, VACUUM ANALYZE; not timed;
#    the layer capaciteitskaart is loaded as netcongestie through an OGR VRT);
# 3. runs `ruimte score` (/usr/bin/time: wall clock and peak RSS) and then the PostGIS query
#    (timed; its backend's peak RSS as reference-areas.sh reports it);
# 4. checks the areas agree (scripts/compare-areas.py --rel 1e-6), PRAGMA integrity_check of
#    the output, and that its R-tree holds one box per row of candidates_scored.
set -euo pipefail

usage() { sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "bench-parcels: $*" >&2; exit 1; }
note() { echo "bench-parcels: $*" >&2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench-lib.sh
source "$here/bench-lib.sh"  # bench_write_section; sets defaults of its own first
parcels="" postgis=1 out_md=docs/BENCHMARKS.md
while [ $# -gt 0 ]; do
  case $1 in
    --parcels) parcels=${2:?}; shift 2 ;;
    --no-postgis) postgis=0; shift ;;
    --out) out_md=${2:?}; shift 2 ;;
    -h | --help) usage ;;
    *) echo "bench-parcels: unknown option $1" >&2; usage ;;
  esac
done
[[ $parcels =~ ^[0-9]+$ ]] || usage

top=$(git -C "$here" rev-parse --show-toplevel) || die "not inside the ruimte git repository"
case $out_md in /*) ;; *) out_md=$top/$out_md ;; esac
PY=/usr/bin/python3
ruimte=${RUIMTE_BIN:-$top/build/cli/ruimte}
[ -x "$ruimte" ] || die "build ruimte first ($ruimte)"
generator=$top/scripts/bench/make_parcels.py

# --- 1. the workload ---------------------------------------------------------------------------
cache=$top/build/bench
mkdir -p "$cache"
wl=$cache/parcels-$parcels-$(sha256sum "$generator" | cut -c1-8).gpkg
if [ -f "$wl" ]; then
  gen_note="reused ($(cat "$wl.gen-seconds" 2>/dev/null || echo '?') s to make)"
else
  note "making $wl"
  t0=$(date +%s.%N)
  $PY "$generator" "$wl.tmp.gpkg" --parcels "$parcels" >&2 || die "make_parcels.py failed"
  mv "$wl.tmp.gpkg" "$wl"
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }' >"$wl.gen-seconds"
  gen_note="made in this run in $(cat "$wl.gen-seconds") s"
fi
outdir=$cache/parcels-run-$parcels
rm -rf "$outdir"
mkdir -p "$outdir"

# --- 2. PostGIS, loaded before any timing --------------------------------------------------------
load_s="" conn=""
if [ "$postgis" = 1 ]; then
  pgdir=$(mktemp -d "${TMPDIR:-/tmp}/ruimte-bench-pg.XXXXXX")
  chmod 755 "$pgdir"
  trap '"$here/pg-temp.sh" stop "$pgdir" || true' EXIT
  trap 'exit 130' INT TERM
  conn=$("$here/pg-temp.sh" start "$pgdir") || die "could not start PostgreSQL (scripts/pg-temp.sh)"
  vrt=$outdir/parcels.vrt
  {
    echo "<OGRVRTDataSource>"
    for pair in candidates:candidates wbs:wbs netcongestie:capaciteitskaart novex:novex nplv:nplv; do
      echo "  <OGRVRTLayer name=\"${pair%%:*}\"><SrcDataSource>$wl</SrcDataSource><SrcLayer>${pair#*:}</SrcLayer></OGRVRTLayer>"
    done
    echo "</OGRVRTDataSource>"
  } >"$vrt"
  t0=$(date +%s.%N)
  REFERENCE_PG_PHASE=load "$here/reference-areas.sh" postgis "$vrt" "$outdir/postgis.csv" "$conn" \
    >"$outdir/postgis-load.log" 2>&1 || { tail -n 20 "$outdir/postgis-load.log" >&2; die "loading into PostGIS failed"; }
  load_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
fi

# --- 3. timed runs -------------------------------------------------------------------------------
cmd=("$ruimte" score --candidates "$wl:candidates" --profile "$top/scripts/bench/workload.toml"
  --layer "wbs=$wl:wbs" --layer "netcongestie=$wl:capaciteitskaart" --layer "novex=$wl:novex"
  --layer "nplv=$wl:nplv" -o "$outdir/ruimte.gpkg" --csv "$outdir/ruimte.csv" --overwrite --quiet)
note "ruimte score on $parcels parcels"
/usr/bin/time -f "%e %M" -o "$outdir/ruimte.time" "${cmd[@]}" >"$outdir/ruimte.log" 2>&1 ||
  { cat "$outdir/ruimte.log" >&2; die "ruimte score failed"; }
read -r r_s r_kb <"$outdir/ruimte.time"
pg_s="" pg_rss="" agree="not run (--no-postgis)"
if [ "$postgis" = 1 ]; then
  note "PostGIS query on $parcels parcels"
  REFERENCE_PG_PHASE=query "$here/reference-areas.sh" postgis "$vrt" "$outdir/postgis.csv" "$conn" \
    >"$outdir/postgis.log" 2>&1 || { tail -n 20 "$outdir/postgis.log" >&2; die "the PostGIS query failed"; }
  pg_s=$(sed -n 's/^postgis: query \([0-9.]*\) s$/\1/p' "$outdir/postgis.log")
  pg_rss=$(sed -n 's/^postgis: backend peak RSS \(.*\) kB$/\1/p' "$outdir/postgis.log")
  crc=0
  $PY "$here/compare-areas.py" "$outdir/ruimte.csv" "$outdir/postgis.csv" --rel 1e-6 >"$outdir/compare.txt" 2>&1 || crc=$?
  agree="$( [ $crc = 0 ] && echo "agree" || echo "DISAGREE (exit $crc)"): $(head -n 3 "$outdir/compare.txt" | tr '\n' ' ')"
fi

# --- 4. the output -------------------------------------------------------------------------------
integrity=$(sqlite3 "$outdir/ruimte.gpkg" 'PRAGMA integrity_check')
rows=$(sqlite3 "$outdir/ruimte.gpkg" 'SELECT COUNT(*) FROM candidates_scored')
boxes=$(sqlite3 "$outdir/ruimte.gpkg" 'SELECT COUNT(*) FROM rtree_candidates_scored_geom' 2>&1)
ranked=$(sqlite3 "$outdir/ruimte.gpkg" 'SELECT COUNT(*) FROM candidates_scored WHERE rank IS NOT NULL')
long_rows=$(sqlite3 "$outdir/ruimte.gpkg" 'SELECT COUNT(*) FROM overlay_areas')
rtree_ok=$([ "$boxes" = "$rows" ] && echo "one box per row ($boxes)" || echo "MISMATCH: $boxes boxes, $rows rows")
load=$(cut -d' ' -f1-3 /proc/loadavg)
printf '%s %s %s %s %s\n' "$parcels" "$r_s" "$r_kb" "${pg_s:--}" "$load" >"$cache/parcels-result-$parcels"

section=$outdir/section.md
{
  echo "<!-- bench-parcels:$parcels begin -->"
  echo "## Parcels at scale: $parcels parcels, streaming \`score\` against PostGIS (issue 24)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$top" rev-parse --short HEAD); load average at the end: $load on $(nproc) cores"
  echo "- command: \`scripts/bench-parcels.sh --parcels $parcels$([ "$postgis" = 1 ] || echo ' --no-postgis')\`; workload $(basename "$wl"), $gen_note"
  echo "- ruimte: \`$(printf '%q ' "${cmd[@]}" | sed "s|$top/||g; s|$cache/||g")\`"
  echo "- ruimte: $r_s s, peak RSS $((r_kb / 1024)) MB; $rows rows in candidates_scored ($ranked ranked), $long_rows in overlay_areas"
  if [ "$postgis" = 1 ]; then
    echo "- PostGIS (loaded and indexed beforehand in $load_s s, not timed; query timed): $pg_s s, backend peak RSS ${pg_rss:-?} kB"
    echo "- PostGIS / ruimte: $(awk -v p="$pg_s" -v r="$r_s" 'BEGIN { printf "%.1f", p / r }')x"
  fi
  echo "- areas (\`scripts/compare-areas.py ruimte.csv postgis.csv --rel 1e-6\`): $agree"
  echo "- output: PRAGMA integrity_check: $integrity; R-tree: $rtree_ok"
  echo "<!-- bench-parcels:$parcels end -->"
} >"$section"
bench_write_section "$section"
cat "$section"

# Every size measured so far (from build/bench/parcels-result-*), with time and memory per
# parcel against the smallest.
scaling=$outdir/scaling.md
{
  echo "<!-- bench-parcels:scaling begin -->"
  echo "## Parcels at scale: time and memory against the number of parcels"
  echo
  echo "From the latest \`scripts/bench-parcels.sh --parcels N\` run of each size (each run on a shared machine: the load average is part of the figure)."
  echo
  echo "| parcels | ruimte s | peak RSS MB | s per 100,000 parcels | time ratio to the smallest size / parcel ratio | PostGIS s | load average |"
  echo "|---|---|---|---|---|---|---|"
  sort -n "$cache"/parcels-result-* | awk 'NR == 1 { n0 = $1; s0 = $2 }
    { printf "| %d | %.1f | %d | %.2f | %.2f | %s | %s %s %s |\n", $1, $2, $3 / 1024, $2 / $1 * 1e5, ($2 / s0) / ($1 / n0), $4, $5, $6, $7 }'
  echo "<!-- bench-parcels:scaling end -->"
} >"$scaling"
bench_write_section "$scaling"
cat "$scaling"
