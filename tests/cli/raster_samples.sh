#!/usr/bin/env bash
# Raster layers in `score` (issue 21) on the bundled SYNTHETIC sample rasters: the statistics
# agree with a brute-force reference (shapely intersection of every cell box), exclusions and
# factors use them, explain shows them, a raster in EPSG:4326 is read with the transformation
# recorded, and bad rasters are errors naming the file, band or value (exit 3 profile, 4 input).
set -euo pipefail
ruimte=$1 src=$2
py=/usr/bin/python3
"$py" -c "import shapely, numpy; from osgeo import gdal, ogr" 2> /dev/null || { echo "needs python3-shapely, python3-gdal" >&2; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$src"
cands=data-samples/kandidaten.shp
prof=data-samples/profiles/water_raster.toml
"$ruimte" score --candidates "$cands" --profile "$prof" -o "$tmp/r.gpkg" > "$tmp/out.txt"
grep -q "Scored 200 candidate areas (67 excluded)." "$tmp/out.txt"
grep -q "raster_stats" "$tmp/out.txt"

# Every statistic of overstroming against a brute-force reference; the exclusions and the factor
# columns hold the same numbers.
"$py" - "$tmp/r.gpkg" <<'PY'
import sqlite3, sys
import numpy as np
import shapely.wkb
from shapely.geometry import box
from osgeo import gdal, ogr
gdal.UseExceptions()
ds = gdal.Open("data-samples/rasters/overstroming.tif")
gt = ds.GetGeoTransform(); a = ds.GetRasterBand(1).ReadAsArray().astype(np.float64)
nd = ds.GetRasterBand(1).GetNoDataValue()
db = sqlite3.connect(sys.argv[1])
got = {(c, s): v for c, s, v in db.execute(
    "SELECT candidate_id, statistic, value FROM raster_stats WHERE layer = 'overstroming'")}
cols = {r[0]: r[1:] for r in db.execute(
    "SELECT candidate_id, overstroming_share_above_1_5, overstroming_mean, excluded, reasons FROM candidates_scored")}
src = ogr.Open("data-samples/kandidaten.shp"); lyr = src.GetLayer()
worst = 0.0; checked = 0
for f in lyr:
    cid = f.GetField("id"); g = shapely.wkb.loads(bytes(f.GetGeometryRef().ExportToWkb()))
    x0, y0, x1, y1 = g.bounds
    c0, c1 = int((x0 - gt[0]) // gt[1]), int((x1 - gt[0]) // gt[1])
    r0, r1 = int((gt[3] - y1) // -gt[5]), int((gt[3] - y0) // -gt[5])
    vals, ws, nodata = [], [], 0.0
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            w = g.intersection(box(gt[0] + c * gt[1], gt[3] + (r + 1) * gt[5], gt[0] + (c + 1) * gt[1], gt[3] + r * gt[5])).area
            if w <= 0: continue
            v = a[r, c]
            if v == nd: nodata += w
            else: vals.append(v); ws.append(w)
    vals, ws = np.array(vals), np.array(ws)
    ref = {"nodata_share": nodata / g.area}
    if len(ws):
        ref["mean"] = float((vals * ws).sum() / ws.sum()); ref["min"] = vals.min(); ref["max"] = vals.max()
        order = np.argsort(vals, kind="stable"); cum = np.cumsum(ws[order])
        ref["median"] = vals[order][np.searchsorted(cum, 0.5 * ws.sum() * (1 - 1e-12))]
        for t in (0.2, 0.5, 1.5):
            ref["share_above_%g" % t] = ws[vals > t].sum() / g.area
            ref["share_below_%g" % t] = ws[vals < t].sum() / g.area
    for k, v in ref.items():
        d = abs(got[(cid, k)] - v); worst = max(worst, d); checked += 1
        assert d < 1e-6, (cid, k, got[(cid, k)], v)
    excl_flood = ref.get("share_above_1.5", 0) > 0.1
    assert abs(cols[cid][0] - ref.get("share_above_1.5", 0)) < 1e-6, cid
    assert not excl_flood or (cols[cid][2] == 1 and "1,5 m" in cols[cid][3]), (cid, cols[cid])
print("raster_samples: %d statistics of 200 candidates agree with the reference (worst %.2e)" % (checked, worst))
n_flood = sum(1 for c in cols.values() if "1,5 m" in (c[3] or ""))
assert n_flood > 0, "no candidate excluded by overstroming.share_above_1.5"
PY

# overlay_areas holds the WBS raster's classes; shares of a candidate add up with nodata to 1.
"$py" - "$tmp/r.gpkg" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT candidate_id, SUM(share) FROM overlay_areas WHERE layer = 'wbs_raster' GROUP BY candidate_id").fetchall()
nd = dict(db.execute("SELECT candidate_id, value FROM raster_stats WHERE layer = 'wbs_raster' AND statistic = 'nodata_share'"))
assert len(rows) >= 190, len(rows)
for c, s in rows:
    assert abs(s + nd[c] - 1) < 1e-9, (c, s, nd[c])
PY

# explain names the raster metrics with their values.
id=$(sqlite3 "$tmp/r.gpkg" "SELECT candidate_id FROM candidates_scored WHERE rank = 1")
"$ruimte" explain "$tmp/r.gpkg" --id "$id" --lang en > "$tmp/explain.txt"
grep -Eq "overstroming\.mean = [0-9]+\.[0-9]{3}" "$tmp/explain.txt"
grep -Eq "bodemdaling\.p90 = [0-9]+\.[0-9]{3}" "$tmp/explain.txt"

# The same flood raster in EPSG:4326: the transformation is reported and recorded.
gdalwarp -q -t_srs EPSG:4326 -r near -tr 0.002 0.002 data-samples/rasters/overstroming.tif "$tmp/wgs.tif"
"$ruimte" score --candidates "$cands" --profile "$prof" --layer overstroming="$tmp/wgs.tif" -o "$tmp/w.gpkg" \
  > "$tmp/w.txt" 2>&1
grep -q "layer overstroming: candidates transformed from EPSG:28992 to the raster's CRS WGS 84 (EPSG:4326)" "$tmp/w.txt"
gdalinfo "$tmp/w.gpkg" -mdd all 2> /dev/null | grep -q "RUIMTE_INPUT_overstroming=.*operation candidates EPSG:28992 -> raster CRS: Inverse of RD New" ||
  ogrinfo -so "$tmp/w.gpkg" -mdd all 2> /dev/null | grep -q "RUIMTE_INPUT_overstroming=.*operation candidates EPSG:28992 -> raster CRS: Inverse of RD New"

# Bad rasters.
expect() {  # expect EXIT PATTERN -- ARGS...
  local want=$1 pattern=$2; shift 3
  set +e; "$ruimte" score --candidates "$cands" -o "$tmp/bad.gpkg" --overwrite -q "$@" > /dev/null 2> "$tmp/err.txt"; local rc=$?; set -e
  [ "$rc" -eq "$want" ] || { echo "raster_samples: exit $rc, expected $want for $*" >&2; cat "$tmp/err.txt" >&2; exit 1; }
  grep -q -- "$pattern" "$tmp/err.txt" || { echo "raster_samples: no '$pattern' in:" >&2; cat "$tmp/err.txt" >&2; exit 1; }
}
head -c 300000 data-samples/rasters/overstroming.tif > "$tmp/cut.tif"
expect 4 "file '$tmp/cut.tif': GDAL cannot open the raster" -- --profile "$prof" --layer overstroming="$tmp/cut.tif"
"$py" -c "
from osgeo import gdal; gdal.UseExceptions()
d = gdal.Translate('$tmp/nocrs.tif', 'data-samples/rasters/overstroming.tif'); d.SetProjection(''); d = None"
expect 4 "file '$tmp/nocrs.tif', layer 'band 1': the raster has no CRS" -- --profile "$prof" --layer overstroming="$tmp/nocrs.tif"
# ... unless --assume-crs names one.
"$ruimte" score --candidates "$cands" --profile "$prof" --layer overstroming="$tmp/nocrs.tif" --assume-crs EPSG:28992 \
  -o "$tmp/a.gpkg" -q > /dev/null
cat > "$tmp/classes.toml" <<TOML
[layers.wbs_r]
source = "$src/data-samples/rasters/wbs_klassen.tif"
type = "raster_classes"
class_names = { 1 = "ja", 2 = "ja_mits" }
[[factors]]
name = "ja"
kind = "linear"
metric = "wbs_r.share.ja"
lower = 0
upper = 1
weight = 1
TOML
expect 4 "layer 'band 1': cell value 3 is not a class the profile names for layer 'wbs_r'" -- --profile "$tmp/classes.toml"
sed -i 's/metric = "wbs_r.share.ja"/metric = "wbs_r.share.nee"/' "$tmp/classes.toml"
expect 3 "metric 'wbs_r.share.nee': a raster_classes layer has no metric 'share.nee'" -- --profile "$tmp/classes.toml"
sed -i 's/metric = "wbs_r.share.nee"/metric = "wbs_r.p95"/; s/raster_classes/raster_values/; /class_names/d' "$tmp/classes.toml"
expect 3 "a raster_values layer has no metric 'p95'" -- --profile "$tmp/classes.toml"
echo "raster_samples: ok"
