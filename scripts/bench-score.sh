#!/usr/bin/env bash
# Benchmark `ruimte score` against independent engines on the shared synthetic workload.
#
#   scripts/bench-score.sh [--candidates N] [--seeds N] [--seed S] [--runs R]
#                          [--out docs/BENCHMARKS.md] [--engines postgis,spatialite,...]
#
# The task, the same for every engine: for every candidate and each of the layers wbs,
# netcongestie, novex and nplv, the area (m2) of the candidate in each class value.
# 1. makes the workload with scripts/bench/make_workload.py into
#    build/bench/, or reuses it when present (data generation is not timed, but reported);
# 2. starts a throw-away PostgreSQL + PostGIS (scripts/pg-temp.sh) and loads the workload
#    with GiST indexes (not timed, but reported);
# 3. times, R rounds, each round every engine once: PostGIS (query only), SpatiaLite
#    (ogr2ogr -dialect sqlite), geopandas, QGIS native:intersection (PyQGIS headless,
#    skipped with a note if it cannot start) and `build/cli/ruimte score --profile
#    scripts/bench/workload.toml --layer NAME=WL.gpkg:NAME ...` (skipped with a note if the
#    binary or the profile is missing): wall-clock seconds (median of R) and peak RSS
#    (largest of R);
# 4. checks every engine's CSV against PostGIS's with scripts/compare-areas.py --rel 1e-6;
# 5. writes or replaces this workload's section in the Markdown file (default
#    docs/BENCHMARKS.md): machine, date, command, table, agreement check.
#
# Defaults: the generator's default workload (10,000 candidates, 40,000 seeds, seed
# 20261122), 1 round. Outputs of the last run: build/bench/<workload>/.
# Exit status: 0 done and ruimte agrees with PostGIS (or was skipped); 1 a required engine
# failed or ruimte disagrees; 2 usage.
set -euo pipefail

usage() { sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "bench-score: $*" >&2; exit 1; }
note() { echo "bench-score: $*" >&2; }

candidates=10000 seeds=40000 seed=20261122 runs=1 out_md=docs/BENCHMARKS.md
engine_list=postgis,spatialite,geopandas,qgis,ruimte
orig_args=("$@")
while [ $# -gt 0 ]; do
  case $1 in
    --candidates) candidates=${2:?}; shift 2 ;;
    --seeds) seeds=${2:?}; shift 2 ;;
    --seed) seed=${2:?}; shift 2 ;;
    --runs) runs=${2:?}; shift 2 ;;
    --out) out_md=${2:?}; shift 2 ;;
    --engines) engine_list=${2:?}; shift 2 ;;  # e.g. postgis,spatialite,ruimte for the national workload
    -h | --help) usage ;;
    *) echo "bench-score: unknown option $1" >&2; usage ;;
  esac
done
for v in "$candidates" "$seeds" "$seed" "$runs"; do
  [[ $v =~ ^[0-9]+$ ]] || die "not a whole number: $v"
done
[ "$runs" -ge 1 ] || die "--runs must be at least 1"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(git -C "$here" rev-parse --show-toplevel) || die "not inside the ruimte git repository"
generator=$top/scripts/bench/make_workload.py
[ -f "$generator" ] || die "no workload generator at $generator"
case $out_md in /*) ;; *) out_md=$top/$out_md ;; esac
PY=/usr/bin/python3

# --- 1. workload (cached; the generator's hash is part of the name, so a changed
#        generator never reuses stale data) ---------------------------------------------
cache=$top/build/bench
mkdir -p "$cache"
gen_hash=$(sha256sum "$generator" | cut -c1-8)
key=c${candidates}-s${seeds}-seed${seed}
wl=$cache/wl-$key-$gen_hash.gpkg
if [ -f "$wl" ]; then
  gen_note="reused from the cache ($(cat "$wl.gen-seconds" 2>/dev/null || echo '?') s to make when it was made)"
  note "reusing $wl"
else
  note "making the workload $wl"
  t0=$(date +%s.%N)
  rm -f "$wl.tmp.gpkg"
  $PY "$generator" "$wl.tmp.gpkg" --candidates "$candidates" --seeds "$seeds" --seed "$seed" >&2 \
    || die "make_workload.py failed"
  mv "$wl.tmp.gpkg" "$wl"
  gen_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  echo "$gen_s" >"$wl.gen-seconds"
  gen_note="made in this run in $gen_s s"
fi
outdir=$cache/$key
rm -rf "$outdir"
mkdir -p "$outdir"
log=$outdir/log.txt
: >"$log"

# --- 2. PostGIS cluster, loaded before any timing ------------------------------------------
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/ruimte-bench-pg.XXXXXX")
chmod 755 "$pgdir" # pg-temp.sh chowns it to postgres when we are root
cleanup() { "$here/pg-temp.sh" stop "$pgdir" || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM
conn=$("$here/pg-temp.sh" start "$pgdir") || die "could not start PostgreSQL (scripts/pg-temp.sh)"
note "PostgreSQL: $conn"
t0=$(date +%s.%N)
REFERENCE_PG_PHASE=load "$here/reference-areas.sh" postgis "$wl" "$outdir/postgis.csv" "$conn" >>"$log" 2>&1 \
  || { tail -n 20 "$log" >&2; die "loading the workload into PostGIS failed"; }
load_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

# --- QGIS: native:intersection per layer, summed per candidate and class --------------------
cat >"$outdir/qgis_areas.py" <<'PYEOF'
"""QGIS native:intersection reference: same CSV as scripts/reference-areas.sh."""
import csv
import os
import sys
import time

t0 = time.time()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import Qgis, QgsApplication, QgsVectorLayer  # noqa: E402

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
sys.path.append("/usr/share/qgis/python/plugins")
import processing  # noqa: E402
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
startup = time.time() - t0
LAYERS = [("wbs", "klasse"), ("netcongestie", "klasse"), ("novex", "naam"), ("nplv", "naam")]
src, out = sys.argv[1], sys.argv[2]


def layer(name):
    lyr = QgsVectorLayer(f"{src}|layername={name}", name, "ogr")
    if not lyr.isValid():
        sys.exit(f"qgis: cannot open layer {name} in {src}")
    return lyr


cand = layer("candidates")
acc = {}
for order, (name, field) in enumerate(LAYERS):
    res = processing.run("native:intersection", {
        "INPUT": cand, "OVERLAY": layer(name), "INPUT_FIELDS": ["id"],
        "OVERLAY_FIELDS": [field], "OVERLAY_FIELDS_PREFIX": "", "OUTPUT": "memory:"})
    for f in res["OUTPUT"].getFeatures():
        cid, klass = f.attributes()[:2]  # output fields: id, then the class field
        k = (int(cid), order, name, str(klass))
        acc[k] = acc.get(k, 0.0) + f.geometry().area()  # planar area in the layer CRS
with open(out, "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["candidate_id", "layer", "class", "area_m2"])
    for k in sorted(acc):
        if acc[k] > 0:
            w.writerow([k[0], k[2], k[3], f"{acc[k]:.6f}"])
print(f"qgis: version {Qgis.version()}, start-up {startup:.2f} s", file=sys.stderr)
sys.stderr.flush()
# QgsApplication.exitQgis() (and the implicit teardown at interpreter exit) segfaults in
# headless QGIS 3.22; the CSV is complete and closed, so leave without teardown.
os._exit(0)
PYEOF

# --- 3. timed runs ---------------------------------------------------------------------------
IFS=, read -r -a engines <<<"$engine_list"
for e in "${engines[@]}"; do
  case $e in postgis | spatialite | geopandas | qgis | ruimte) ;; *) die "unknown engine $e" ;; esac
done
[[ ",$engine_list," == *,postgis,* ]] || die "--engines must include postgis (the reference)" 
declare -A skip=() failed=() secs=() rss=() why=()
ruimte_bin=${RUIMTE_BIN:-$top/build/cli/ruimte}  # RUIMTE_BIN: another build, for before/after runs
profile=$top/scripts/bench/workload.toml
if [ ! -x "$ruimte_bin" ]; then
  skip[ruimte]="build/cli/ruimte not built"
elif [ ! -f "$profile" ]; then
  skip[ruimte]="scripts/bench/workload.toml missing"
fi
[ -z "${skip[ruimte]:-}" ] || note "skipping ruimte: ${skip[ruimte]}"
qgis_runtime=$(mktemp -d "${TMPDIR:-/tmp}/ruimte-bench-qgis.XXXXXX")
trap 'cleanup; rm -rf "$qgis_runtime"' EXIT

# set_cmd ENGINE: cmd=(the command line of one run), run from the top of the repository.
set_cmd() {
  case $1 in
    postgis) cmd=(env REFERENCE_PG_PHASE=query scripts/reference-areas.sh postgis "$wl" "$outdir/postgis.csv" "$conn") ;;
    spatialite) cmd=(scripts/reference-areas.sh spatialite "$wl" "$outdir/spatialite.csv") ;;
    geopandas) cmd=(scripts/reference-areas.sh geopandas "$wl" "$outdir/geopandas.csv") ;;
    qgis) cmd=(env QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$qgis_runtime" "$PY" "$outdir/qgis_areas.py" "$wl" "$outdir/qgis.csv") ;;
    # The profile's layer sources are placeholders (see its header): --layer points them at
    # the workload.
    ruimte) cmd=("$ruimte_bin" score --candidates "$wl:candidates" --profile scripts/bench/workload.toml
      --layer "wbs=$wl:wbs" --layer "netcongestie=$wl:netcongestie" --layer "novex=$wl:novex"
      --layer "nplv=$wl:nplv" -o "$outdir/ruimte.gpkg" --csv "$outdir/ruimte.csv" --overwrite --quiet) ;;
  esac
}

for ((round = 1; round <= runs; round++)); do
  for e in "${engines[@]}"; do
    [ -z "${skip[$e]:-}" ] && [ -z "${failed[$e]:-}" ] || continue
    note "round $round/$runs: $e"
    set_cmd "$e"
    elog=$outdir/$e.log
    {
      echo "== round $round: $e"
      printf '%q ' "${cmd[@]}"
      echo
    } >>"$log"
    rc=0
    (cd "$top" && /usr/bin/time -f "%e %M" -o "$outdir/$e.time" "${cmd[@]}") >"$elog" 2>&1 || rc=$?
    cat "$elog" >>"$log"
    if [ "$rc" -ne 0 ]; then
      msg="exit $rc: $(grep -v '^Command exited' "$elog" | tail -n 3 | tr '\n' ' ' | cut -c1-300)"
      if [ "$e" = qgis ]; then skip[$e]="could not run ($msg)"; else failed[$e]=$msg; fi
      note "$e failed: $msg"
      continue
    fi
    read -r s kb < <(tail -n 1 "$outdir/$e.time")
    if [ "$e" = postgis ]; then
      # The work happens in the server: time the query session, RSS of its backend.
      s=$(sed -n 's/^postgis: query \([0-9.]*\) s$/\1/p' "$elog" | tail -n 1)
      kb=$(sed -n 's/^postgis: backend peak RSS \([0-9?]*\) kB$/\1/p' "$elog" | tail -n 1)
    fi
    [ "$e" != qgis ] || why[qgis]=$(sed -n 's/^qgis: //p' "$elog" | tail -n 1)
    secs[$e]="${secs[$e]:-} $s"
    if [[ $kb =~ ^[0-9]+$ ]] && { [ -z "${rss[$e]:-}" ] || [ "$kb" -gt "${rss[$e]}" ]; }; then rss[$e]=$kb; fi
  done
done

# median: the median of the numbers on stdin (space or newline separated), 2 decimals;
# prints nothing for no numbers.
median() {
  tr ' ' '\n' | awk NF | sort -g |
    awk '{ v[NR] = $1 } END { if (NR) printf "%.2f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# --- 4. agreement with PostGIS ------------------------------------------------------------------
declare -A agree=() rows=()
status=0
for e in "${engines[@]}"; do
  [ -f "$outdir/$e.csv" ] && [ -n "${secs[$e]:-}" ] || continue
  rows[$e]=$(($(wc -l <"$outdir/$e.csv") - 1))
  [ "$e" != postgis ] || continue
  if [ -z "${secs[postgis]:-}" ]; then agree[$e]="not checked (no PostGIS result)"; continue; fi
  crc=0
  $PY "$here/compare-areas.py" "$outdir/$e.csv" "$outdir/postgis.csv" --rel 1e-6 >"$outdir/compare-$e.txt" 2>&1 || crc=$?
  n=$(sed -n 's/^disagreements: //p' "$outdir/compare-$e.txt")
  nrows=$(sed -n 's/^rows compared: \([0-9]*\).*/\1/p' "$outdir/compare-$e.txt")
  worst=$(sed -n 's/^worst relative difference: \([^ ]*\).*/\1/p' "$outdir/compare-$e.txt")
  case $crc in
    0) agree[$e]="yes: $nrows rows, worst rel. diff. $worst" ;;
    1) agree[$e]="**no**: $n of $nrows rows differ, worst rel. diff. $worst" ;;
    *) agree[$e]="**check failed**: $(tail -n 1 "$outdir/compare-$e.txt")" ;;
  esac
  if [ "$e" = ruimte ] && [ "$crc" -ne 0 ]; then status=1; fi
done
for e in postgis spatialite geopandas ruimte; do [ -z "${failed[$e]:-}" ] || status=1; done

# --- 5. Markdown section ---------------------------------------------------------------------------
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
mem_gb=$(awk '/^MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-?}")
loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo "no commit")
# Uncommitted changes other than the file the benchmarks write their sections into.
git -C "$top" diff --quiet HEAD -- . ":(exclude)${out_md#"$top"/}" 2>/dev/null || commit="$commit (working tree differs)"
gdal_v=$(ogrinfo --version | sed 's/,.*//')
pg_v=$(psql -X -At "$conn" -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ', PostGIS ' || postgis_lib_version() || ', GEOS ' || postgis_geos_version()" 2>/dev/null || echo '?')
sl_v=$(ogrinfo -q "$wl" -dialect sqlite -sql "SELECT spatialite_version() AS v" 2>/dev/null | sed -n 's/.*v (String) = //p' | head -n 1)
py_v=$($PY -c 'import geopandas, shapely; print(f"geopandas {geopandas.__version__}, shapely {shapely.__version__}")' 2>/dev/null || echo '?')
ruimte_v=
[ -n "${skip[ruimte]:-}" ] || ruimte_v=$("$ruimte_bin" --version 2>/dev/null | head -n 1 || true)
nfeat=$(ogrinfo -ro -so -al "$wl" 2>/dev/null | awk '/^Layer name:/ { n = $3 } /^Feature Count:/ { printf "%s%s %s", sep, n, $3; sep = ", " }')
size_mb=$(du -mL "$wl" | cut -f1)
cmdline="scripts/bench-score.sh"
[ ${#orig_args[@]} -eq 0 ] || cmdline+=" $(printf '%q ' "${orig_args[@]}" | sed 's/ $//')"

declare -A label=(
  [postgis]="PostGIS (query only, GiST)"
  [spatialite]="SpatiaLite (ogr2ogr -dialect sqlite)"
  [geopandas]="geopandas + shapely"
  [qgis]="QGIS native:intersection (PyQGIS)"
  [ruimte]="ruimte score"
)
ruimte_s=$(echo "${secs[ruimte]:-}" | median)
section=$outdir/section.md
{
  echo "<!-- bench-score:$key begin -->"
  echo "## Area per candidate and class: $candidates candidates (--seeds $seeds --seed $seed)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $commit"
  echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}, $mem_gb GB RAM, $os; load average at the end: $loadavg"
  echo "- command: \`$cmdline\` ($runs round(s); seconds are the median, peak RSS the largest)"
  echo "- workload: \`$(basename "$wl")\`, $size_mb MB ($nfeat); $gen_note, not timed"
  echo "- PostGIS load (ogr2ogr -f PostgreSQL, GiST indexes, VACUUM ANALYZE): $load_s s, not timed"
  echo "- versions: $gdal_v; $pg_v; SpatiaLite ${sl_v:-?}; $py_v${why[qgis]:+; QGIS ${why[qgis]%%,*}}${ruimte_v:+; $ruimte_v}" | sed 's/QGIS version /QGIS /'
  echo
  echo "| engine | seconds | peak RSS MB | ratio to ruimte | rows | agrees with PostGIS (rel 1e-6) |"
  echo "|---|---:|---:|---:|---:|---|"
  for e in "${engines[@]}"; do
    if [ -n "${skip[$e]:-}" ]; then
      echo "| ${label[$e]} | skipped | | | | ${skip[$e]} |"
      continue
    fi
    if [ -n "${failed[$e]:-}" ] && [ -z "${secs[$e]:-}" ]; then
      echo "| ${label[$e]} | failed | | | | ${failed[$e]//|/\\|} |"
      continue
    fi
    s=$(echo "${secs[$e]}" | median)
    mb=$([ -n "${rss[$e]:-}" ] && awk -v k="${rss[$e]}" 'BEGIN { printf "%.0f", k / 1024 }' || echo "?")
    ratio=$([ -n "$ruimte_s" ] && awk -v a="$s" -v b="$ruimte_s" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }' || echo "n/a")
    a=${agree[$e]:-}
    [ "$e" != postgis ] || a="(reference)"
    echo "| ${label[$e]} | $s | $mb | $ratio | ${rows[$e]:-?} | $a |"
  done
  echo
  echo "Seconds are wall-clock and include reading the GeoPackage and writing the CSV, except for"
  echo "PostGIS: the data are loaded and indexed beforehand, its time is the psql session that runs"
  echo "the query and writes the CSV, and its RSS is the query backend's (shared buffers it touched"
  echo "included, parallel workers not). QGIS includes its start-up${why[qgis]:+ (here ${why[qgis]#*, start-up })}."
  echo "Ratio: engine seconds / ruimte seconds."
  echo
  if [ -n "${skip[ruimte]:-}" ]; then
    echo "Agreement check (ruimte vs PostGIS): not run, ruimte skipped (${skip[ruimte]})."
  elif [ -f "$outdir/compare-ruimte.txt" ]; then
    echo "Agreement check (\`scripts/compare-areas.py ruimte.csv postgis.csv --rel 1e-6\`):"
    echo
    echo '```'
    grep -v '^[AB]: ' "$outdir/compare-ruimte.txt"
    echo '```'
  else
    echo "Agreement check (ruimte vs PostGIS): not run (${failed[ruimte]:-${failed[postgis]:-no CSV}})."
  fi
  echo "<!-- bench-score:$key end -->"
} >"$section"

mkdir -p "$(dirname "$out_md")"
$PY - "$out_md" "$section" "$key" <<'PYEOF'
import os, sys
path, section, key = sys.argv[1:4]
new = open(section).read().rstrip("\n") + "\n"
begin, end = f"<!-- bench-score:{key} begin -->", f"<!-- bench-score:{key} end -->"
if os.path.exists(path):
    text = open(path).read()
else:
    text = ("# Benchmarks\n\nWritten by `scripts/bench-score.sh`; one section per workload, replaced "
            "when the script runs again on that workload.\n")
i, j = text.find(begin), text.find(end)
if i >= 0 and j > i:
    text = text[:i] + new.rstrip("\n") + text[j + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + new
open(path + ".tmp", "w").write(text)
os.replace(path + ".tmp", path)
PYEOF
cat "$section"
note "wrote $out_md (section $key); outputs and logs in $outdir"
exit "$status"
