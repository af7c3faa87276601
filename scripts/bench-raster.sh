#!/usr/bin/env bash
# Benchmark raster layers: `ruimte score` with one raster_values layer on a national 25 m raster
# (133 million cells) against the tools an analyst would use instead, in the same run.
#
#   scripts/bench-raster.sh [--candidates N] [--engines ruimte,floor,rasterio,qgis,postgis]
#
# 1. the workload of scripts/bench/make_workload.py (10,000 candidates, cached in build/bench/)
#    and its national rasters (--rasters: Float32 values and Byte classes, 25 m, tiled, DEFLATE);
# 2. times, once each: `ruimte score` end to end (profile: one raster_values layer, one linear
#    factor on its mean; peak RSS by /usr/bin/time); the floor (reading only the windows the
#    candidates touch: build/tests/ruimte_tests_io "[.bench]"); rasterio + numpy (a window and
#    geometry_mask per candidate, cell centres); QGIS native:zonalstatisticsfb (qgis_process);
#    PostGIS raster (raster2pgsql -t 256x256 loaded beforehand, not timed; the query ST_Clip +
#    ST_SummaryStatsAgg per candidate is timed);
# 3. compares every peer's mean with ruimte's exact coverage-weighted mean: mean and worst
#    relative error per candidate size class (only candidates whose exact mean is >= 0.05).
# Results: build/bench/raster/ (log, CSVs, summary.md); the table is printed for docs/BENCHMARKS.md.
set -euo pipefail
die() { echo "bench-raster: $*" >&2; exit 1; }
note() { echo "bench-raster: $*" >&2; }
candidates=10000 engines=ruimte,floor,rasterio,qgis,postgis
while [ $# -gt 0 ]; do
  case $1 in
    --candidates) candidates=${2:?}; shift 2 ;;
    --engines) engines=${2:?}; shift 2 ;;
    *) sed -n '2,5p' "$0" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(git -C "$here" rev-parse --show-toplevel)
PY=/usr/bin/python3
cache=$top/build/bench
mkdir -p "$cache"
out=$cache/raster
mkdir -p "$out"  # an engine's files are replaced when it runs; the summary uses every CSV there
wl=$(ls "$cache"/wl-c${candidates}-s40000-seed20261122-*.gpkg 2>/dev/null | head -1 || true)
if [ -z "$wl" ]; then
  wl=$cache/wl-c${candidates}-s40000-seed20261122-raster.gpkg
  note "making the workload $wl"
  $PY "$here/bench/make_workload.py" "$wl" --candidates "$candidates" >&2
fi
rast=$cache/national25
if [ ! -f "$rast-values.tif" ] || [ ! -f "$rast-classes.tif" ]; then
  note "making the national rasters $rast-*.tif"
  $PY "$here/bench/make_workload.py" "$wl" --rasters "$rast" --rasters-only >&2
fi
values=$rast-values.tif
has() { [[ ",$engines," == *",$1,"* ]]; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
declare -A T

cat >"$out/profile.toml" <<EOF
[layers.diepte]
source = "$values"
type = "raster_values"
thresholds = [0.5]
[[factors]]
name = "diepte"
kind = "linear"
metric = "diepte.mean"
lower = 0
upper = 2
direction = "falling"
weight = 1
EOF

if has ruimte; then
  ruimte=$top/build/cli/ruimte
  [ -x "$ruimte" ] || die "build ruimte first ($ruimte)"
  t0=$(date +%s.%N)
  /usr/bin/time -v "$ruimte" score --candidates "$wl:candidates" --profile "$out/profile.toml" -o "$out/ruimte.gpkg" --overwrite \
    --timings >"$out/ruimte.txt" 2>"$out/ruimte.time"
  T[ruimte]=$(secs "$t0" "$(date +%s.%N)")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out/ruimte.time")
  sqlite3 -csv "$out/ruimte.gpkg" "SELECT candidate_id, value FROM raster_stats WHERE statistic = 'mean'" >"$out/ruimte.csv"
  note "ruimte: ${T[ruimte]} s, peak RSS $((rss / 1024)) MB"
fi
if has floor; then
  RUIMTE_BENCH_RASTER=$values RUIMTE_BENCH_CANDIDATES=$wl:candidates \
    "$top/build/tests/ruimte_tests_io" "[.bench]" >"$out/floor.txt" 2>&1 || die "floor failed: $(tail -5 "$out/floor.txt")"
  T[floor]=$(sed -n 's/.*floor_seconds=\([0-9.]*\).*/\1/p' "$out/floor.txt")
  note "floor: ${T[floor]} s ($(grep -o 'cells=[0-9]*' "$out/floor.txt"))"
fi
if has rasterio; then
  cat >"$out/rasterio_stats.py" <<'PY'
import csv, sys
import fiona, numpy as np, rasterio
from rasterio.features import geometry_mask
from rasterio.windows import from_bounds
from shapely.geometry import shape
wl, tif, out = sys.argv[1:4]
with rasterio.open(tif) as src, fiona.open(wl, layer="candidates") as cands, open(out, "w", newline="") as f:
    w = csv.writer(f)
    nd = src.nodata
    for feat in cands:
        g = shape(feat["geometry"])
        win = from_bounds(*g.bounds, transform=src.transform).round_offsets().round_lengths()
        win = win.intersection(rasterio.windows.Window(0, 0, src.width, src.height))
        a = src.read(1, window=win)
        mask = geometry_mask([feat["geometry"]], out_shape=a.shape, transform=src.window_transform(win), invert=True)
        v = a[mask & (a != nd)]
        w.writerow([feat["properties"]["id"], float(v.mean()) if v.size else ""])
PY
  t0=$(date +%s.%N)
  $PY "$out/rasterio_stats.py" "$wl" "$values" "$out/rasterio.csv"
  T[rasterio]=$(secs "$t0" "$(date +%s.%N)")
  note "rasterio: ${T[rasterio]} s"
fi
if has qgis; then
  t0=$(date +%s.%N)
  # Debian's qgis_process wrapper passes --noversioncheck, which qgis_process 3.22 refuses.
  qp=$(command -v qgis_process.bin || command -v qgis_process)
  rm -f "$out/qgis.gpkg"
  QT_QPA_PLATFORM=offscreen "$qp" run native:zonalstatisticsfb --INPUT="$wl|layername=candidates" \
    --INPUT_RASTER="$values" --RASTER_BAND=1 --COLUMN_PREFIX=q_ --STATISTICS=2 --OUTPUT="$out/qgis.gpkg" >"$out/qgis.txt" 2>&1 \
    || die "qgis_process failed: $(tail -5 "$out/qgis.txt")"
  T[qgis]=$(secs "$t0" "$(date +%s.%N)")
  sqlite3 -csv "$out/qgis.gpkg" "SELECT id, q_mean FROM qgis" >"$out/qgis.csv" 2>/dev/null ||
    ogr2ogr -f CSV /vsistdout/ "$out/qgis.gpkg" -sql "SELECT id, q_mean FROM qgis" | tail -n +2 >"$out/qgis.csv"
  note "qgis: ${T[qgis]} s"
fi
if has postgis; then
  command -v raster2pgsql >/dev/null || die "raster2pgsql missing (Debian package postgis)"
  pgdir=$(mktemp -d "${TMPDIR:-/tmp}/ruimte-bench-pg.XXXXXX")
  chmod 755 "$pgdir"
  trap '"$here/pg-temp.sh" stop "$pgdir" || true' EXIT
  conn=$("$here/pg-temp.sh" start "$pgdir")
  export PGOPTIONS="-c client_min_messages=warning"  # ST_Clip notes every all-nodata tile
  t0=$(date +%s.%N)
  psql -q "$conn" -c "CREATE EXTENSION IF NOT EXISTS postgis_raster" >/dev/null
  ogr2ogr -f PostgreSQL "PG:$conn" "$wl" candidates -nln candidates -lco GEOMETRY_NAME=geom >/dev/null
  raster2pgsql -q -s 28992 -t 256x256 -I -C -N -9999 "$values" rv 2>/dev/null | psql -q "$conn" >/dev/null
  load=$(secs "$t0" "$(date +%s.%N)")
  note "postgis: loaded in $load s (not timed)"
  t0=$(date +%s.%N)
  psql -q -At -F, "$conn" -c "SELECT c.id, (ST_SummaryStatsAgg(ST_Clip(r.rast, c.geom), 1, true)).mean
    FROM candidates c JOIN rv r ON ST_Intersects(r.rast, c.geom) GROUP BY c.id" >"$out/postgis.csv"
  T[postgis]=$(secs "$t0" "$(date +%s.%N)")
  note "postgis: ${T[postgis]} s"
fi

# Errors of the cell-centre answers against the exact means, and the table.
$PY - "$out" "$wl" <<'PY' | tee "$out/summary.md"
import csv, os, sys
import fiona
from shapely.geometry import shape
out, wl = sys.argv[1:3]
def load(name):
    p = os.path.join(out, name + ".csv")
    if not os.path.exists(p): return None
    d = {}
    for row in csv.reader(open(p)):
        try: d[int(float(row[0]))] = float(row[1]) if row[1] not in ("", None) else None
        except (ValueError, IndexError): pass
    return d
area = {}
with fiona.open(wl, layer="candidates") as c:
    for f in c: area[f["properties"]["id"]] = shape(f["geometry"]).area / 1e4
exact = load("ruimte")
classes = [("< 5 ha", 0, 5), ("5-50 ha", 5, 50), (">= 50 ha", 50, 1e9)]
print("| peer | size class | candidates | mean rel. error | worst rel. error | no answer |")
print("|---|---|---|---|---|---|")
for peer in ("rasterio", "qgis", "postgis"):
    d = load(peer)
    if d is None or exact is None: continue
    for label, lo, hi in classes:
        errs, missing = [], 0
        for cid, m in exact.items():
            if not (lo <= area[cid] < hi) or m is None or m < 0.05: continue
            p = d.get(cid)
            if p is None: missing += 1; continue
            errs.append(abs(p - m) / m)
        if errs:
            print(f"| {peer} | {label} | {len(errs)} | {100*sum(errs)/len(errs):.2f} % | {100*max(errs):.1f} % | {missing} |")
PY
{
  echo
  echo "| engine | seconds | ratio to ruimte |"
  echo "|---|---|---|"
  for e in ruimte floor rasterio qgis postgis; do
    [ -n "${T[$e]:-}" ] || continue
    r=$(awk -v a="${T[$e]}" -v b="${T[ruimte]:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    echo "| $e | ${T[$e]} | $r |"
  done
  [ -n "${rss:-}" ] && echo && echo "ruimte peak RSS: $((rss / 1024)) MB"
} | tee -a "$out/summary.md"
