#!/usr/bin/env bash
# A value raster as a theme of `ruimte check` (issue 21: "in check as themes with thresholds and
# units"): --raster-theme overstroming_m=FILE gives the flood depth theme from the raster's cells,
# weighted by their exact covered fractions, with the theme's threshold and unit. Worked by hand
# on a 4 x 2 raster of 100 m cells: a 300 x 200 m location covers half of column 0 and 3 and all
# of columns 1 and 2; one covered half cell is nodata. Then the Dutch and English reports, the
# threshold per field, bad input, and the synthetic flood raster of the samples.
set -euo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "check_raster_theme: $*" >&2; exit 1; }
py=/usr/bin/python3
cd "$src"
$py -c "from osgeo import gdal, ogr" 2>/dev/null || { echo "check_raster_theme: SKIPPED (no python3-gdal)"; exit 77; }

# 1. The raster (values in m; -9999 nodata), the WBS map (ja, mits (grote opgave) everywhere) and
#    two locations: the rectangle, and one outside the raster.
$py - "$tmp" <<'PY'
import sys
import numpy as np
from osgeo import gdal, ogr, osr
d = sys.argv[1]
srs = osr.SpatialReference(); srs.ImportFromEPSG(28992)
ds = gdal.GetDriverByName("GTiff").Create(d + "/diepte.tif", 4, 2, 1, gdal.GDT_Float32)
ds.SetGeoTransform((100000, 100, 0, 400200, 0, -100))
ds.SetProjection(srs.ExportToWkt())
b = ds.GetRasterBand(1)
b.SetNoDataValue(-9999)
b.WriteArray(np.array([[1.0, 1.0, 0.1, -9999], [3.0, 1.0, 0.1, 0.1]], dtype=np.float32))
ds = None
ds = gdal.GetDriverByName("GTiff").Create(d + "/zonder_crs.tif", 4, 2, 1, gdal.GDT_Float32)
ds.SetGeoTransform((100000, 100, 0, 400200, 0, -100))
ds = None
drv = ogr.GetDriverByName("GPKG")
for name, rows in (("wbs", [("ja_mits_groot", "POLYGON((99000 399000,102000 399000,102000 402000,99000 402000,99000 399000))")]),
                   ("loc", [(1, "POLYGON((100050 400000,100350 400000,100350 400200,100050 400200,100050 400000))"),
                            (2, "POLYGON((101000 401000,101100 401000,101100 401100,101000 401100,101000 401000))")])):
    out = drv.CreateDataSource(d + "/" + name + ".gpkg")
    lay = out.CreateLayer(name, srs, ogr.wkbPolygon)
    lay.CreateField(ogr.FieldDefn("klasse" if name == "wbs" else "id", ogr.OFTString if name == "wbs" else ogr.OFTInteger))
    for v, wkt in rows:
        f = ogr.Feature(lay.GetLayerDefn())
        f.SetField(0, v)
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lay.CreateFeature(f)
    out = None
PY
args=(--locations "$tmp/loc.gpkg:loc" --wbs "$tmp/wbs.gpkg:wbs" --timestamp 2026-01-02T09:00:00Z -q)

# 2. The statistics in check_themes: valued 55,000 m2, above 0.2 m 30,000 m2 (the 1 m and 3 m
#    cells), max 3, mean (40,000 + 25,000 x float32(0.1)) / 55,000; nothing for the location outside the raster.
"$ruimte" check "${args[@]}" --raster-theme "overstroming_m=$tmp/diepte.tif" -o "$tmp/a.gpkg" --report "$tmp/a.md" > /dev/null
$py - "$tmp/a.gpkg" <<'PY' || fail "the raster theme's statistics are not the worked ones"
import sqlite3, sys
import numpy as np
rows = sqlite3.connect(sys.argv[1]).execute(
    "select location_id, theme, field, present_m2, present_share, valued_m2, max, mean, unit, threshold from check_themes").fetchall()
assert len(rows) == 1, rows
lid, theme, field, present, share, valued, mx, mean, unit, thr = rows[0]
want = dict(lid="1", theme="waterveiligheid", field="overstroming_m", unit="m")
assert (str(lid), theme, field, unit) == (want["lid"], want["theme"], want["field"], want["unit"]), rows[0]
for got, exp in ((present, 30000), (share, 0.5), (valued, 55000), (mx, 3.0), (mean, (40000 + 25000 * float(np.float32(0.1))) / 55000), (thr, 0.2)):
    assert abs(got - exp) <= 1e-12 * max(1, abs(exp)), (got, exp, rows[0])
print("check_raster_theme: present %.3f m2, valued %.3f m2, max %g, mean %.12f" % (present, valued, mx, mean))
PY
for needle in "thema's: overstroming\\_m = $tmp/diepte.tif (band 1), Float32, Amersfoort / RD New (EPSG:28992)" \
              "| waterveiligheid (overstroming) [overstroming\\_m, raster] | > 0,2 m | 3,00 | 50,0 % | 3,00 m | 0,77 m |" \
              "waterveiligheid (overstroming) (raster): tot 3,00 m, gemiddeld 0,77 m; > 0,2 m op 50,0 % van de locatie. Diep water"; do
  grep -qF -- "$needle" "$tmp/a.md" || fail "the Dutch report lacks: $needle"
done

# 3. English; a threshold per field in its unit (only the 3 m cell is above 2 m: 5,000 m2,
#    "considerable" no more: the sentence follows the largest value, 3 m, still deep).
"$ruimte" check "${args[@]}" --raster-theme "overstroming_m=$tmp/diepte.tif:1" --threshold overstroming_m=2 --lang en \
  -o "$tmp/b.gpkg" --report "$tmp/b.md" > /dev/null
grep -qF "| flood safety [overstroming\\_m, raster] | > 2 m | 0.50 | 8.3 % | 3.00 m | 0.77 m |" "$tmp/b.md" \
  || { grep -n "raster" "$tmp/b.md" >&2; fail "the English row with threshold 2 m"; }
present=$(sqlite3 "$tmp/b.gpkg" "select present_m2 from check_themes")
$py -c "import sys; sys.exit(abs($present - 5000) > 1e-6)" || fail "above 2 m: $present m2, not 5000"

# 4. Bad input: not FIELD=FILE (2), a raster without CRS (4, naming the file), no such band (4).
set +e
"$ruimte" check "${args[@]}" --raster-theme "$tmp/diepte.tif" -o "$tmp/x.gpkg" 2> "$tmp/e1"; c1=$?
"$ruimte" check "${args[@]}" --raster-theme "overstroming_m=$tmp/zonder_crs.tif" -o "$tmp/x.gpkg" 2> "$tmp/e2"; c2=$?
"$ruimte" check "${args[@]}" --raster-theme "overstroming_m=$tmp/diepte.tif:3" -o "$tmp/x.gpkg" 2> "$tmp/e3"; c3=$?
set -e
[ $c1 -eq 2 ] && grep -q "FIELD=FILE" "$tmp/e1" || fail "no '=': exit $c1 $(cat "$tmp/e1")"
[ $c2 -eq 4 ] && grep -q "zonder_crs.tif" "$tmp/e2" || fail "no CRS: exit $c2 $(cat "$tmp/e2")"
[ $c3 -eq 4 ] && grep -q "band 3" "$tmp/e3" || fail "band 3: exit $c3 $(cat "$tmp/e3")"
[ ! -e "$tmp/x.gpkg" ] || fail "an output was written after an error"

# 5. The samples: the synthetic flood raster beside the WBS map's own flood field.
"$ruimte" check --locations data-samples/novex.gpkg:novex_locaties --wbs data-samples/wbs.gpkg:wbs \
  --raster-theme overstroming_m=data-samples/rasters/overstroming.tif --threshold waterveiligheid=0.5 \
  --timestamp 2026-01-02T09:00:00Z -q -o "$tmp/s.gpkg" --report "$tmp/s.md" > /dev/null
n=$(sqlite3 "$tmp/s.gpkg" "select count(*) from check_themes where field = 'overstroming_m' and source like '%overstroming.tif'")
[ "$n" -ge 10 ] || fail "the samples give $n raster theme rows"
grep -q "\[overstroming\\\\_m, raster\] > 0,5 m" "$tmp/s.md" || fail "the samples' report lacks the raster threshold"
echo "check_raster_theme: worked statistics, Dutch and English rows, threshold per field, bad input, the samples ($n rows)"
