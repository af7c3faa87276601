#!/usr/bin/env bash
# Points and lines layers (docs/layers.md) through the real binary on the bundled samples and
# the sample profile profiles/bereikbaar.toml (stations.gpkg and hoogspanning.gpkg are SYNTHETIC):
# every candidate's distance_m, count_within, length_m and length_within_m against shapely (GEOS
# through another binding, the within-distance lengths from a buffer with 1024 segments per
# quarter circle, whose chords lie within 0.0006 m of the exact arcs) on all 200
# candidates; the 50 m exclusion and explain; the layers in EPSG:4326 give the same answers
# within the transformation's accuracy; bad input (a polygon layer declared points, mixed
# geometry types, an empty layer) fails with exit 4 naming file, layer, feature and fix; and
# `ruimte map --context` draws the points and lines (dark marks inside the map frame).
set -euo pipefail
ruimte=$1 src=$2
py=/usr/bin/python3
"$py" -c "import shapely, fiona, PIL" 2> /dev/null || { echo "needs python3-shapely, -fiona and -pil" >&2; exit 77; }
command -v ogr2ogr > /dev/null || { echo "needs ogr2ogr (gdal-bin)" >&2; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cands="$src/data-samples/kandidaten.shp"
profile="$src/data-samples/profiles/bereikbaar.toml"
"$ruimte" score --candidates "$cands" --profile "$profile" -o "$tmp/a.gpkg" -q > /dev/null

# 1. Every metric of every candidate against shapely.
"$py" - "$tmp/a.gpkg" "$src/data-samples" <<'PY'
import sys, fiona
from shapely.geometry import shape
out, samples = sys.argv[1], sys.argv[2]
def read(path, layer=None):
    kw = {"layer": layer} if layer else {}
    with fiona.open(path, **kw) as s:
        return [(shape(f["geometry"]), dict(f["properties"])) for f in s]
cands = {p["id"]: g for g, p in read(samples + "/kandidaten.shp")}
stations = [g for g, _ in read(samples + "/stations.gpkg", "stations")]
lines = [g for g, _ in read(samples + "/hoogspanning.gpkg", "hoogspanning")]
rows = read(out, "candidates_scored")
assert len(rows) == 200, len(rows)
worst = 0.0
crossed = inside = 0
for _, r in rows:
    c = cands[r["candidate_id"]]
    d = min(c.distance(s) for s in stations)
    n = sum(1 for s in stations if c.distance(s) <= 1500)
    assert abs(r["stations_distance_m"] - d) <= 1e-6, (r["candidate_id"], r["stations_distance_m"], d)
    assert r["stations_count_within"] == n, (r["candidate_id"], r["stations_count_within"], n)
    inside += d == 0
    d = min(c.distance(l) for l in lines)
    n = sum(1 for l in lines if c.distance(l) <= 500)
    length = sum(c.intersection(l).length for l in lines)
    near = c.buffer(500, 1024)
    length_within = sum(near.intersection(l).length for l in lines if c.distance(l) <= 500)
    assert abs(r["hoogspanning_distance_m"] - d) <= 1e-6, (r["candidate_id"], r["hoogspanning_distance_m"], d)
    assert r["hoogspanning_count_within"] == n, (r["candidate_id"], r["hoogspanning_count_within"], n)
    assert abs(r["hoogspanning_length_m"] - length) <= 1e-6, (r["candidate_id"], r["hoogspanning_length_m"], length)
    # ruimte's lengths are exact; the buffer's chords cut a little off (up to 2 sqrt(2 r s) =
    # 1.5 m for a line crossing an arc at a grazing angle; far less in practice).
    assert -1e-6 <= r["hoogspanning_length_within_m"] - length_within <= 0.05, (r["candidate_id"], length_within)
    crossed += length > 0
    # the exclusion: within 50 m of a line
    assert (d < 50) <= bool(r["excluded"]), r["candidate_id"]
    assert (d < 50) == ("hoogspanning.distance_m" in (r["reasons"] or "")), r["candidate_id"]
assert inside == 8 and crossed == 8, (inside, crossed)
PY
# Hand-checked rows: 94 is crossed by a line (excluded), 151 holds a station.
sqlite3 "$tmp/a.gpkg" "select candidate_id, round(stations_distance_m, 1), stations_count_within,
  round(hoogspanning_length_m, 1), round(hoogspanning_length_within_m, 1), excluded from candidates_scored
  where candidate_id in (94, 151) order by 1" > "$tmp/rows.txt"
printf '94|651.9|1|558.8|1064.5|1\n151|0.0|1|0.0|826.1|0\n' | diff - "$tmp/rows.txt"
"$ruimte" explain "$tmp/a.gpkg" --id 94 --lang en > "$tmp/explain.txt"
grep -q "stations.distance_m = 652 (0.00..5000.00, falling) *0.870" "$tmp/explain.txt"
grep -q "hoogspanning.length_within_m = 1064" "$tmp/explain.txt"
grep -q "ligt binnen 50 m van een hoogspanningslijn (hoogspanning.distance_m = 0 < 50)" "$tmp/explain.txt"

# 2. The same layers in EPSG:4326 (GeoJSON): the same answers within the transformation's
#    accuracy (PROJ states 1 m for its RD New operation without grid; a round trip through it
#    moves points by far less), and the operation recorded.
ogr2ogr -t_srs EPSG:4326 -lco COORDINATE_PRECISION=9 "$tmp/stations.geojson" "$src/data-samples/stations.gpkg" stations
ogr2ogr -t_srs EPSG:4326 -lco COORDINATE_PRECISION=9 "$tmp/hoogspanning.geojson" \
  "$src/data-samples/hoogspanning.gpkg" hoogspanning
"$ruimte" score --candidates "$cands" --profile "$profile" -o "$tmp/w.gpkg" -q \
  --layer stations="$tmp/stations.geojson" --layer hoogspanning="$tmp/hoogspanning.geojson" > "$tmp/w.txt"
sqlite3 "$tmp/a.gpkg" "attach '$tmp/w.gpkg' as w; select count(*),
  max(abs(a.stations_distance_m - b.stations_distance_m)), max(abs(a.hoogspanning_distance_m - b.hoogspanning_distance_m)),
  max(abs(a.hoogspanning_length_within_m - b.hoogspanning_length_within_m)),
  sum(a.stations_count_within != b.stations_count_within), sum(a.excluded != b.excluded)
  from candidates_scored a join w.candidates_scored b using (candidate_id)" > "$tmp/diff.txt"
echo "4326 against RD: $(cat "$tmp/diff.txt") (n, max distance diffs stations/lines, max length diff, count and exclusion mismatches)"
IFS='|' read -r n dd dl dlw dc dx < "$tmp/diff.txt"
[ "$n" = 200 ] && [ "$dc" = 0 ] && [ "$dx" = 0 ] || { echo "4326 run differs: $(cat "$tmp/diff.txt")" >&2; exit 1; }
awk -v a="$dd" -v b="$dl" -v c="$dlw" 'BEGIN { exit !(a < 0.5 && b < 0.5 && c < 1.0) }' ||
  { echo "4326 run: distances differ by $dd / $dl m, lengths by $dlw m" >&2; exit 1; }
sqlite3 "$tmp/w.gpkg" "select metadata from gpkg_metadata" > "$tmp/meta.txt"
grep -q 'RUIMTE_INPUT_stations">[^<]*stations.geojson | CRS WGS 84 (EPSG:4326) | operation [^<]*RD New | accuracy_m' "$tmp/meta.txt" ||
  { echo "4326 run: the reprojection of stations is not recorded" >&2; exit 1; }

# 3. Bad input: exit 4, the file, layer, feature and a fix.
expect_input_error() {  # name, then patterns the message must hold
  local name=$1; shift
  set +e
  "$ruimte" score --candidates "$cands" --profile "$profile" -o "$tmp/bad.gpkg" -q "${LAYER_ARGS[@]}" \
    > /dev/null 2> "$tmp/err.txt"
  local rc=$?
  set -e
  [ "$rc" -eq 4 ] || { echo "$name: exit $rc, expected 4: $(cat "$tmp/err.txt")" >&2; exit 1; }
  for p in "$@"; do
    grep -qF -- "$p" "$tmp/err.txt" || { echo "$name: message lacks '$p': $(cat "$tmp/err.txt")" >&2; exit 1; }
  done
  [ ! -e "$tmp/bad.gpkg" ] || { echo "$name: an output was written" >&2; exit 1; }
}
LAYER_ARGS=(--layer "stations=$src/data-samples/nplv.gpkg:nplv")
expect_input_error "polygons declared points" "nplv.gpkg', layer 'nplv', feature 1" \
  "not a point but a MULTIPOLYGON" 'declare it with type = "classes" or "presence"'
crs='"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}}'
cat > "$tmp/mixed.geojson" <<JSON
{"type":"FeatureCollection",$crs,"features":[
{"type":"Feature","id":1,"properties":{"naam":"a"},"geometry":{"type":"Point","coordinates":[155000,463000]}},
{"type":"Feature","id":2,"properties":{"naam":"b"},"geometry":{"type":"LineString","coordinates":[[155000,463000],[156000,464000]]}}]}
JSON
LAYER_ARGS=(--layer "stations=$tmp/mixed.geojson")
expect_input_error "mixed geometry types" "mixed.geojson', layer 'mixed', feature 2" "not a point but a LINESTRING" \
  "give every feature a point geometry" "--skip-invalid"
printf '{"type":"FeatureCollection",%s,"features":[]}\n' "$crs" > "$tmp/empty.geojson"
LAYER_ARGS=(--layer "hoogspanning=$tmp/empty.geojson")
expect_input_error "empty layer" "empty.geojson', layer 'empty'" "has no usable line" "remove the layer"

# 4. ruimte map with the points and lines as context: stations as dots and lines as strokes, in
#    dark grey (the values map_render.cpp draws them with), seen as many more dark grey pixels
#    in the map frame than without them (before, points and lines were silently not drawn).
"$ruimte" map "$tmp/a.gpkg" -o "$tmp/plain.png" -q
"$ruimte" map "$tmp/a.gpkg" -o "$tmp/context.png" -q --context "$src/data-samples/hoogspanning.gpkg" \
  --context "$src/data-samples/stations.gpkg"
"$py" - "$tmp/plain.png" "$tmp/context.png" <<'PY'
import sys
from PIL import Image
def dark_grey(path):
    im = Image.open(path).convert("RGB")
    w, h = im.size
    frame = im.crop((int(0.04 * w), int(0.13 * h), int(0.70 * w), int(0.90 * h)))  # the map, not the legend
    return sum(1 for r, g, b in frame.getdata() if abs(r - g) <= 3 and abs(g - b) <= 3 and 50 <= r <= 110)
plain, context = dark_grey(sys.argv[1]), dark_grey(sys.argv[2])
print(f"map: dark grey pixels in the frame {plain} without, {context} with the points and lines")
assert context > plain + 20000, (plain, context)
PY
echo "points and lines: all checks passed"
