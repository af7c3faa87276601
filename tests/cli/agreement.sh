#!/usr/bin/env bash
# Agreement with an independent engine: on the shared workload's small variant (500
# candidates, 4000 seeds), every candidate, layer and class area of `ruimte score` equals
# SpatiaLite's SUM(ST_Area(ST_Intersection(...))) within 1e-6 relative.
set -euo pipefail
ruimte=$1 src=$2 build=$3
work="$build/test-data"; mkdir -p "$work"
wl="$work/workload-small.gpkg"
if [ ! -s "$wl" ]; then
  /usr/bin/python3 "$src/scripts/bench/make_workload.py" "$wl.part" --candidates 500 --seeds 4000 >/dev/null
  mv "$wl.part" "$wl"
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$ruimte" score --candidates "$wl:candidates" --profile "$src/scripts/bench/workload.toml" \
  --layer "wbs=$wl:wbs" --layer "netcongestie=$wl:netcongestie" --layer "novex=$wl:novex" --layer "nplv=$wl:nplv" \
  -o "$tmp/score.gpkg" --csv "$tmp/ruimte.csv" -q
bash "$src/scripts/reference-areas.sh" spatialite "$wl" "$tmp/spatialite.csv"
/usr/bin/python3 "$src/scripts/compare-areas.py" "$tmp/ruimte.csv" "$tmp/spatialite.csv" --rel 1e-6
