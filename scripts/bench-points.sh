#!/usr/bin/env bash
# Points and lines layers on the 10,000-candidate workload: `ruimte score` with and without a
# points layer (3,000 stations) and a lines layer (2,000 lines), against the same four metrics
# (distance to the nearest point and line, points within 1,500 m, line length within the
# candidate and within 500 m) in PostGIS (KNN <-> ordering, exact since PostGIS 2.2, + ST_Distance, ST_DWithin, ST_Intersection,
# ST_Buffer 64 segments per quarter; the tables loaded and indexed beforehand, the query timed)
# in the same run. geopandas is not a peer here: Debian 12's geopandas 0.12 with shapely 1.8 has
# no sjoin_nearest ("only PyGEOS >= 0.10.0 or Shapely >= 2.0 supports nearest_all").
#
#   scripts/bench-points.sh [--runs R] [--before BIN]
#
# --before BIN also times another ruimte binary (an earlier build) with the two layers in the
# same rounds, for a before/after ratio on the same load.
#
# Prints a Markdown table of median seconds and ratios to stdout (for docs/BENCHMARKS.md) and
# checks that PostGIS's answers agree with ruimte's. Needs build/cli/ruimte, Debian's
# python3-geopandas (to make the points and lines), PostgreSQL 15 + PostGIS (scripts/pg-temp.sh) and gdal-bin.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=3
before=
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:?}; shift 2 ;;
    --before) before=${2:?}; shift 2 ;;
    *) echo "bench-points: unknown option $1" >&2; exit 2 ;;
  esac
done
PY=/usr/bin/python3
note() { echo "bench-points: $*" >&2; }

# 1. The workload (the cache of scripts/bench-score.sh; made when missing) and the points and
#    lines, made here with a fixed seed.
gen=scripts/bench/make_workload.py
wl=build/bench/wl-c10000-s40000-seed20261122-$(sha256sum "$gen" | cut -c1-8).gpkg
mkdir -p build/bench
if [ ! -f "$wl" ]; then
  note "making $wl"
  $PY "$gen" "$wl.tmp.gpkg" --candidates 10000 --seeds 40000 --seed 20261122 >&2
  mv "$wl.tmp.gpkg" "$wl"
fi
tmp=$(mktemp -d /tmp/bench-points.XXXXXX)
chmod 755 "$tmp"
trap 'scripts/pg-temp.sh stop "$tmp/pg" > /dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
pl=$tmp/pl.gpkg
$PY - "$pl" <<'PY'
import sys
import geopandas as gpd
import numpy as np
from shapely.geometry import LineString, Point
rng = np.random.default_rng(2121)
X0, Y0, X1, Y1 = 13000.0, 306000.0, 278000.0, 619000.0
pts = [Point(x, y) for x, y in zip(rng.uniform(X0, X1, 3000), rng.uniform(Y0, Y1, 3000))]
gpd.GeoDataFrame({"naam": [f"p{i}" for i in range(len(pts))]}, geometry=pts, crs="EPSG:28992").to_file(
    sys.argv[1], layer="points", driver="GPKG")
lines = []
for i in range(2000):
    x, y = rng.uniform(X0, X1), rng.uniform(Y0, Y1)
    a = rng.uniform(0, 2 * np.pi)
    coords = [(x, y)]
    for k in range(5):
        a += rng.normal(0, 0.3)
        step = rng.uniform(500, 4000)
        x, y = x + step * np.cos(a), y + step * np.sin(a)
        coords.append((x, y))
    lines.append(LineString(coords))
gpd.GeoDataFrame({"naam": [f"l{i}" for i in range(len(lines))]}, geometry=lines, crs="EPSG:28992").to_file(
    sys.argv[1], layer="lines", driver="GPKG")
PY

# 2. The profiles: the workload's, and the same with the two layers and a factor on each metric.
base=scripts/bench/workload.toml
cp "$base" "$tmp/without.toml"
{ cat "$base"; cat <<'TOML'

[layers.stations]
source = "workload.toml"
type = "points"
within_m = 1500

[layers.lines]
source = "workload.toml"
type = "lines"
within_m = 500

[[factors]]
name = "station"
kind = "distance_decay"
layer = "stations"
distance_m = 3000
weight = 0.1

[[factors]]
name = "stations_n"
kind = "linear"
metric = "stations.count_within"
lower = 0
upper = 3
weight = 0.05

[[factors]]
name = "lijn"
kind = "linear"
metric = "lines.length_within_m"
lower = 0
upper = 5000
direction = "falling"
weight = 0.05
TOML
} > "$tmp/with.toml"
# workload.toml's sources are placeholders that must exist next to the profile
cp "$base" "$tmp/workload.toml"
layers=(--layer "wbs=$wl:wbs" --layer "netcongestie=$wl:netcongestie" --layer "novex=$wl:novex" --layer "nplv=$wl:nplv")

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
timed() { # command... -> seconds on stdout
  local t0 t1
  t0=$(date +%s.%N); "$@" > /dev/null 2> "$tmp/last.err" || { note "failed: $* $(tail -3 "$tmp/last.err")"; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# 3. PostGIS: load and index beforehand; time the query only.
conn=$(scripts/pg-temp.sh start "$tmp/pg")
for l in candidates; do ogr2ogr -f PostgreSQL PG:"$conn" "$wl" "$l" -nln "$l" -lco GEOMETRY_NAME=geom -lco FID=fid; done
for l in points lines; do ogr2ogr -f PostgreSQL PG:"$conn" "$pl" "$l" -nln "$l" -lco GEOMETRY_NAME=geom -lco FID=fid; done
psql -q "$conn" -c "analyze"
cat > "$tmp/q.sql" <<'SQL'
\copy (select c.id, (select ST_Distance(c.geom, p.geom) from points p order by c.geom <-> p.geom limit 1) as pd, (select count(*) from points p where ST_DWithin(c.geom, p.geom, 1500)) as pn, (select ST_Distance(c.geom, l.geom) from lines l order by c.geom <-> l.geom limit 1) as ld, (select count(*) from lines l where ST_DWithin(c.geom, l.geom, 500)) as ln, (select coalesce(sum(ST_Length(ST_Intersection(c.geom, l.geom))), 0) from lines l where ST_Intersects(c.geom, l.geom)) as ll, (select coalesce(sum(ST_Length(ST_Intersection(ST_Buffer(c.geom, 500, 64), l.geom))), 0) from lines l where ST_DWithin(c.geom, l.geom, 500)) as lw from candidates c order by c.id) to 'OUT' with csv header
SQL

declare -A t
note "load at the start: $(uptime)"
for ((r = 1; r <= runs; r++)); do
  note "round $r of $runs"
  t[without]+="$(timed build/cli/ruimte score --candidates "$wl:candidates" --profile "$tmp/without.toml" "${layers[@]}" -o "$tmp/without.gpkg" --overwrite -q) "
  t[with]+="$(timed build/cli/ruimte score --candidates "$wl:candidates" --profile "$tmp/with.toml" "${layers[@]}" --layer "stations=$pl:points" --layer "lines=$pl:lines" -o "$tmp/with.gpkg" --overwrite -q) "
  if [ -n "$before" ]; then
    t[before]+="$(timed "$before" score --candidates "$wl:candidates" --profile "$tmp/with.toml" "${layers[@]}" --layer "stations=$pl:points" --layer "lines=$pl:lines" -o "$tmp/before.gpkg" --overwrite -q) "
  fi
  sed "s|OUT|$tmp/pg.csv|" "$tmp/q.sql" > "$tmp/q1.sql"
  t[postgis]+="$(timed psql -q "$conn" -f "$tmp/q1.sql") "
done

note "load at the end: $(uptime)"

# 5. Agreement: the peers' answers against ruimte's.
sqlite3 -csv -header "$tmp/with.gpkg" "select candidate_id as id, stations_distance_m as pd, stations_count_within as pn,
  lines_distance_m as ld, lines_count_within as ln, lines_length_m as ll, lines_length_within_m as lw
  from candidates_scored order by candidate_id" > "$tmp/ruimte.csv"
if [ -n "$before" ]; then
  sqlite3 -csv -header "$tmp/before.gpkg" "select candidate_id as id, stations_distance_m as pd, stations_count_within as pn,
    lines_distance_m as ld, lines_count_within as ln, lines_length_m as ll, lines_length_within_m as lw
    from candidates_scored order by candidate_id" > "$tmp/before.csv"
fi
$PY - "$tmp/ruimte.csv" "$tmp/pg.csv" ${before:+"$tmp/before.csv"} <<'PY' >&2
import sys
import pandas as pd
r = pd.read_csv(sys.argv[1]).set_index("id").sort_index()
for name, path in [("postgis", sys.argv[2])] + ([("before", sys.argv[3])] if len(sys.argv) > 3 else []):
    o = pd.read_csv(path).set_index("id").sort_index()
    d = (r - o[r.columns]).abs().max()
    print(f"{name} vs ruimte, max |difference| per column: " + ", ".join(f"{k} {v:.3g}" for k, v in d.items()))
PY

m_without=$(echo "${t[without]}" | tr ' ' '\n' | grep . | median)
m_with=$(echo "${t[with]}" | tr ' ' '\n' | grep . | median)
m_pg=$(echo "${t[postgis]}" | tr ' ' '\n' | grep . | median)
extra=$(awk -v a="$m_with" -v b="$m_without" 'BEGIN { printf "%.3f", a - b }')
echo "| what | median s ($runs runs) | ratio |"
echo "|---|---|---|"
echo "| ruimte score, workload profile (4 polygon layers) | $m_without | 1 |"
echo "| ruimte score, + points and lines layers | $m_with | $(awk -v a="$m_with" -v b="$m_without" 'BEGIN { printf "%.2f", a / b }') |"
echo "| the points and lines layers' share (difference) | $extra | |"
if [ -n "$before" ]; then
  m_before=$(echo "${t[before]}" | tr ' ' '\n' | grep . | median)
  echo "| before ($before), + points and lines layers | $m_before | $(awk -v a="$m_before" -v b="$m_without" 'BEGIN { printf "%.2f", a / b }') |"
  echo "| before: the two layers' share | $(awk -v a="$m_before" -v b="$m_without" 'BEGIN { printf "%.3f", a - b }') | |"
fi
echo "| PostGIS, the 6 metrics (query only, tables loaded and indexed) | $m_pg | $(awk -v a="$m_pg" -v b="$extra" 'BEGIN { printf "%.1f x the difference", a / b }') |"
