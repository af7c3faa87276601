#!/usr/bin/env bash
# Replays the fuzz seed corpus and every committed crash reproducer (tests/fuzz/corpus/,
# tests/fuzz/crashes/) through the normal `ruimte` binary: profiles as --profile, WKB
# geometries as a candidate layer and as a claim, class values as a WBS layer for `ruimte check`. Each must
# end in a documented refusal or success (exit 0, 3 or 4 with a message), never a crash
# (exit 1 or a signal). With a sanitized build (scripts/test-sanitize.sh) this also catches
# memory errors on these inputs.
set -uo pipefail
ruimte=$1 src=$2
B="$src/tests/data/bad" F="$src/tests/fuzz"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
run() {  # run WHAT ALLOWED-EXITS -- command...
    local what=$1 allowed=$2; shift 3
    n=$((n + 1))
    rm -f "$tmp/o.gpkg"
    "$@" > "$tmp/out" 2> "$tmp/err"; local got=$?
    if [[ " $allowed " != *" $got "* ]]; then
        echo "FAIL: $what: exit $got (allowed: $allowed)"; tail -5 "$tmp/err"; fail=1
    fi
}
shopt -s nullglob
for f in "$F"/corpus/profile/* "$F"/crashes/profile/*; do
    run "profile $(basename "$f")" "0 3 4" -- "$ruimte" score --candidates "$B/candidates.geojson" --profile "$f" -o "$tmp/o.gpkg" -q
done
# WKB -> GeoJSON with the same coordinates (RD New), shifted onto the corpus layer.
for f in "$F"/corpus/geometry/* "$F"/crashes/geometry/*; do
    /usr/bin/python3 - "$f" "$tmp/g.geojson" <<'PY' || { echo "skip: $(basename "$f") is not WKB that OGR reads"; continue; }
import json, sys
from osgeo import ogr
g = ogr.CreateGeometryFromWkb(open(sys.argv[1], "rb").read())
if g is None: sys.exit(1)
fc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
      "features": [{"type": "Feature", "properties": {"id": 1}, "geometry": json.loads(g.ExportToJson())}]}
open(sys.argv[2], "w").write(json.dumps(fc))
PY
    run "geometry $(basename "$f")" "0 4" -- "$ruimte" score --candidates "$tmp/g.geojson" --profile "$B/profile.toml" --layer "z=$B/layer.geojson" -o "$tmp/o.gpkg" -q
    # and as a claim next to another layer: noding, the face walk, merging across tiles
    run "geometry $(basename "$f") as a claim" "0 4" -- "$ruimte" claims --claim "wonen=$tmp/g.geojson" --claim "natuur=$B/layer.geojson" -o "$tmp/o.gpkg" -q
done
for f in "$F"/corpus/classes/* "$F"/crashes/classes/*; do
    /usr/bin/python3 - "$f" "$tmp/wbs.geojson" <<'PY'
import json, sys
values = open(sys.argv[1], "rb").read()[1:].split(b"\n")
feats = [{"type": "Feature", "properties": {"klasse": v.decode("utf-8", "replace")},
          "geometry": {"type": "Polygon", "coordinates": [[[155000 + 10 * i, 463000], [155010 + 10 * i, 463000],
                       [155010 + 10 * i, 463010], [155000 + 10 * i, 463010], [155000 + 10 * i, 463000]]]}}
         for i, v in enumerate(values)]
open(sys.argv[2], "w").write(json.dumps({"type": "FeatureCollection",
     "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}, "features": feats}))
PY
    run "classes $(basename "$f")" "0 4" -- "$ruimte" check --locations "$B/candidates.geojson" --wbs "$tmp/wbs.geojson" -o "$tmp/o.gpkg" -q
done
[ "$n" -ge 30 ] || { echo "FAIL: only $n inputs replayed"; fail=1; }
[ "$fail" = 0 ] && echo "fuzz_replay: $n fuzz inputs replayed through ruimte without a crash"
exit $fail
