#!/usr/bin/env bash
# Outputs people open (issue 6): the run manifest printed by `ruimte info`, and `ruimte map` on
# each output kind: PNG of the right size at 300 dpi, PDF valid (pdfinfo) on A3, SVG
# well-formed (xmllint), legend entries equal to the classes of the style in layer_styles,
# Dutch by default and English with --lang en, the attribution naming CBS/Kadaster and
# 'synthetisch'.
set -uo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$src"
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
G=data-samples/gemeenten.gpkg
"$ruimte" score --candidates data-samples/kandidaten.shp --profile data-samples/woningbouw.toml -o "$tmp/score.gpkg" \
  --timestamp 2026-03-04T05:06:07Z -q > /dev/null || { echo "FAIL: score"; exit 1; }

# The manifest: ruimte info prints it, with every input file's SHA-256 and the profile text.
"$ruimte" info "$tmp/score.gpkg" > "$tmp/info.txt" || bad "ruimte info failed"
want_sha=$(sha256sum data-samples/wbs.gpkg | cut -d' ' -f1)
grep -q "time:         2026-03-04T05:06:07Z" "$tmp/info.txt" && ok "info prints the --timestamp" || bad "info: no timestamp"
grep -q "$want_sha  $(stat -c %s data-samples/wbs.gpkg) B  data-samples/wbs.gpkg" "$tmp/info.txt" && ok "info: wbs.gpkg with size and SHA-256" || bad "info: wbs.gpkg hash"
grep -q '    | name = "woningbouw"' "$tmp/info.txt" && ok "info: the profile text" || bad "info: no profile text"
grep -q "versions:     ruimte .* gdal .* geos .* proj " "$tmp/info.txt" && ok "info: versions" || bad "info: versions"
m1=$(sqlite3 "$tmp/score.gpkg" "SELECT metadata FROM gpkg_metadata WHERE md_standard_uri = 'urn:ruimte:run-manifest:1'" | sha256sum)
"$ruimte" score --candidates data-samples/kandidaten.shp --profile data-samples/woningbouw.toml -o "$tmp/score.gpkg" \
  --timestamp 2026-03-04T05:06:07Z -q --overwrite > /dev/null 2>&1 || true
# (the command line differs by --overwrite, so compare a third run with the second)
cp "$tmp/score.gpkg" "$tmp/score2.gpkg"
"$ruimte" score --candidates data-samples/kandidaten.shp --profile data-samples/woningbouw.toml -o "$tmp/score.gpkg" \
  --timestamp 2026-03-04T05:06:07Z -q --overwrite > /dev/null
cmp -s "$tmp/score.gpkg" "$tmp/score2.gpkg" && ok "two runs with the same --timestamp: byte-identical GeoPackages" || bad "GeoPackages differ"
[ -n "$m1" ] || bad "no manifest row"

# Maps.
"$ruimte" map "$tmp/score.gpkg" -o "$tmp/score.png" --context "$G" > "$tmp/png.txt" || bad "map png failed"
/usr/bin/python3 - "$tmp/score.png" <<'PY' && ok "PNG: A4 landscape 3508 x 2480 px, 300 dpi, not blank" || fail=1
import sys
from PIL import Image, ImageStat
im = Image.open(sys.argv[1])
dpi = im.info.get("dpi", (0, 0))
var = ImageStat.Stat(im.convert("L").resize((351, 248))).var[0]
print("size", im.size, "dpi", dpi, "variance", round(var, 1))
sys.exit(0 if im.size == (3508, 2480) and abs(dpi[0] - 300) < 0.5 and var > 100 else 1)
PY
# Legend entries equal the style's classes (labels of the QML rules in layer_styles, without the
# excluded and ELSE rules), in order, with the decimal comma on a Dutch map.
qml_labels=$(sqlite3 "$tmp/score.gpkg" "SELECT styleQML FROM layer_styles WHERE f_table_name = 'candidates_scored'" |
  /usr/bin/python3 -c "import sys, xml.etree.ElementTree as E; r = E.fromstring(sys.stdin.read().split('\n', 1)[1]); print(' '.join('[' + x.get('label').replace('.', ',') + ']' for x in r.iter('rule') if x.get('filter') != 'ELSE' and x.get('label') != 'uitgesloten'))")
legend=$(sed -n 's/^Legend: //p' "$tmp/png.txt")
case "$legend" in "$qml_labels "*) ok "legend starts with the style's 5 classes: $qml_labels";; *) bad "legend '$legend' vs style '$qml_labels'";; esac
case "$legend" in *"[uitgesloten]"*"[gemeentegrens]"*) ok "Dutch legend: uitgesloten, gemeentegrens";; *) bad "Dutch legend: $legend";; esac
grep -q "^Attribution: Grenzen: CBS, Kadaster (CC-BY 4.0)  |  Gegevens: synthetisch" "$tmp/png.txt" && ok "attribution: CBS/Kadaster and synthetisch" || bad "attribution"
grep -q "^Labels: [1-9][0-9]* placed" "$tmp/png.txt" && ok "$(grep ^Labels "$tmp/png.txt")" || bad "no labels placed"

"$ruimte" check --locations data-samples/novex.gpkg:novex_locaties --wbs data-samples/wbs.gpkg:wbs -o "$tmp/check.gpkg" -q > /dev/null
"$ruimte" map "$tmp/check.gpkg" -o "$tmp/check.pdf" --paper a3 --context "$G" --lang en > "$tmp/pdf.txt" || bad "map pdf failed"
pdfinfo "$tmp/check.pdf" > "$tmp/pdfinfo.txt" 2>&1 && grep -q "Page size: *1190.55 x 841.89 pts (A3)" "$tmp/pdfinfo.txt" &&
  ok "PDF valid, A3 landscape" || { bad "PDF"; cat "$tmp/pdfinfo.txt"; }
case "$(sed -n 's/^Legend: //p' "$tmp/pdf.txt")" in *"[municipal boundary]"*) ok "English legend";; *) bad "English legend";; esac
grep -q "^Attribution: Boundaries: CBS, Kadaster (CC-BY 4.0)  |  Data: synthetic" "$tmp/pdf.txt" && ok "English attribution" || bad "English attribution"

S=data-samples/claims/claims.gpkg
CLAIMS=()
for k in wonen werken landbouw natuur water energie infrastructuur defensie; do CLAIMS+=(--claim "$k=$S:$k"); done
"$ruimte" claims "${CLAIMS[@]}" -o "$tmp/claims.gpkg" -q > /dev/null
"$ruimte" map "$tmp/claims.gpkg:claim_faces" -o "$tmp/claims.svg" --orientation portrait > "$tmp/svg.txt" || bad "map svg failed"
xmllint --noout "$tmp/claims.svg" && ok "SVG well-formed" || bad "SVG not well-formed"
case "$(sed -n 's/^Legend: //p' "$tmp/svg.txt")" in "[1 claim] [2 claims]"*"[conflict tussen claims]"*) ok "claims legend: counts and conflicts";; *) bad "claims legend: $(cat "$tmp/svg.txt")";; esac

"$ruimte" select --scored "$tmp/score.gpkg" --target woningen=20000 -o "$tmp/select.gpkg" -q > /dev/null
"$ruimte" map "$tmp/select.gpkg" -o "$tmp/select.png" --dpi 150 > "$tmp/sel.txt" || bad "map select failed"
grep -q "1754 x 1240 px at 150 dpi" "$tmp/sel.txt" && ok "select map at 150 dpi" || bad "select map size: $(cat "$tmp/sel.txt")"
case "$(sed -n 's/^Legend: //p' "$tmp/sel.txt")" in "[niet gekozen] [gekozen]"*) ok "select legend";; *) bad "select legend";; esac

# --extent zooms in: a part of the country gives a larger scale than the whole layer, and a
# corner given the wrong way round is a usage error (2).
"$ruimte" map "$tmp/score.gpkg" -o "$tmp/zoom.png" --extent 120000,470000,170000,500000 > "$tmp/zoom.txt" || bad "map --extent failed"
full=$(sed -n 's/.*scale 1:\([0-9]*\).*/\1/p' "$tmp/png.txt"); zoom=$(sed -n 's/.*scale 1:\([0-9]*\).*/\1/p' "$tmp/zoom.txt")
[ -n "$full" ] && [ -n "$zoom" ] && [ "$zoom" -lt $((full / 4)) ] && ok "--extent: scale 1:$zoom against 1:$full for the whole layer" ||
  bad "--extent scale: $(cat "$tmp/zoom.txt")"
"$ruimte" map "$tmp/score.gpkg" -o "$tmp/bad.png" --extent 170000,470000,120000,500000 > /dev/null 2>&1; [ $? = 2 ] &&
  ok "exit 2 for an extent with xmin > xmax" || bad "exit for a reversed extent"
# An extent in degrees, or one beside the data, is an error naming the CRS (it drew a blank
# frame with 'Schaal 1 : 0' before).
"$ruimte" map "$tmp/score.gpkg" -o "$tmp/bad.png" --extent 4.5,52,5.5,53 2> "$tmp/err.txt" > /dev/null; c=$?
[ $c = 2 ] && grep -q "EPSG:28992.*degrees" "$tmp/err.txt" && grep -q "cs2cs EPSG:4326 EPSG:28992" "$tmp/err.txt" && [ ! -e "$tmp/bad.png" ] &&
  ok "exit 2 for an extent in degrees, naming EPSG:28992 and the fix" || bad "degrees extent: exit $c $(cat "$tmp/err.txt")"
"$ruimte" map "$tmp/score.gpkg" -o "$tmp/bad.png" --extent 0,0,1000,1000 2> "$tmp/err.txt" > /dev/null; c=$?
[ $c = 2 ] && grep -q "does not overlap the layer (EPSG:28992 extent" "$tmp/err.txt" && ok "exit 2 for an extent beside the data" ||
  bad "extent beside the data: exit $c"

# --field and --classes: validated; breaks change the legend; text fields get a colour per value.
for bad_classes in "3,2" "kwantiel" "1,,2"; do
  "$ruimte" map "$tmp/score.gpkg" -o "$tmp/bad.png" --classes "$bad_classes" 2> "$tmp/err.txt" > /dev/null; c=$?
  [ $c = 2 ] && grep -q "^ruimte map: error: --classes: .*Fix: " "$tmp/err.txt" && ok "exit 2 for --classes $bad_classes" ||
    bad "--classes $bad_classes: exit $c $(cat "$tmp/err.txt")"
done
"$ruimte" map "$tmp/score.gpkg" -o "$tmp/bad.png" --field nope 2> "$tmp/err.txt" > /dev/null; c=$?
[ $c = 2 ] && grep -q "'nope' is not a field.*Fix: name one of its fields: .*woningen" "$tmp/err.txt" &&
  ok "exit 2 for an unknown --field, listing the fields" || bad "--field nope: exit $c"
"$ruimte" map "$tmp/check.gpkg" -o "$tmp/bad.png" --classes jenks 2> "$tmp/err.txt" > /dev/null; c=$?
[ $c = 2 ] && grep -q "needs a numeric field.*share_nee" "$tmp/err.txt" && ok "exit 2 for --classes on a categorized layer" ||
  bad "--classes on check: exit $c"
"$ruimte" map "$tmp/score.gpkg" -o "$tmp/w.png" --dpi 50 --field woningen --classes 500,1000,2000 --lang en > "$tmp/w.txt" || bad "--field woningen"
case "$(sed -n 's/^Legend: //p' "$tmp/w.txt")" in
  "[42 - 500] [500 - 1,000] [1,000 - 2,000] [2,000 - 8,158] [excluded]"*) ok "--classes breaks: legend in English numbers";;
  *) bad "--classes breaks legend: $(cat "$tmp/w.txt")";;
esac
"$ruimte" map "$tmp/score.gpkg" -o "$tmp/f.png" --dpi 50 --field fase > "$tmp/f.txt" || bad "--field fase"
case "$(sed -n 's/^Legend: //p' "$tmp/f.txt")" in "[besluit] [idee] [plan] [uitgesloten]"*) ok "--field on text: a colour per value";;
  *) bad "--field fase: $(cat "$tmp/f.txt")";; esac
"$ruimte" map "$tmp/check.gpkg" -o "$tmp/v.png" --dpi 50 --field verdict > "$tmp/v.txt" || bad "--field verdict"
case "$(sed -n 's/^Legend: //p' "$tmp/v.txt")" in *"[ja, mits (kleine opgave)]"*) ok "--field verdict: catalogue labels, not codes";;
  *) bad "--field verdict: $(cat "$tmp/v.txt")";; esac

# Portrait: the scale text ends inside the page (it ran off the right edge); the right margin
# (the last 8 mm) holds no ink.
"$ruimte" map "$tmp/select.gpkg" -o "$tmp/portrait.png" --orientation portrait --dpi 100 > /dev/null || bad "portrait map"
/usr/bin/python3 - "$tmp/portrait.png" <<'PY' && ok "portrait: nothing drawn in the right margin" || bad "portrait: ink in the right margin"
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("L")
w, h = im.size
strip = im.crop((w - int(8 / 25.4 * 100), 0, w, h))
print("darkest pixel in the right margin:", strip.getextrema()[0])
sys.exit(0 if strip.getextrema()[0] > 200 else 1)
PY

# Errors: an unknown extension is a usage error (2); an existing map needs --overwrite (5).
"$ruimte" map "$tmp/score.gpkg" -o "$tmp/x.jpg" > /dev/null 2>&1; [ $? = 2 ] && ok "exit 2 for .jpg" || bad "exit for .jpg"
"$ruimte" map "$tmp/score.gpkg" -o "$tmp/score.png" > /dev/null 2>&1; [ $? = 5 ] && ok "exit 5 for an existing map" || bad "exit for existing"
"$ruimte" map "$tmp/score.gpkg:nope" -o "$tmp/y.png" 2> "$tmp/err.txt" > /dev/null; c=$?
[ $c = 4 ] && grep -q "candidates_scored" "$tmp/err.txt" && ok "exit 4 naming the spatial layers for a missing layer" || { bad "missing layer exit $c"; cat "$tmp/err.txt"; }
# The attribution finds the manifest's relative input paths from another working folder too
# (from the GeoPackage's folder and above), through a selection made from a score output.
mkdir -p "$tmp/proj/out" && cp -r data-samples "$tmp/proj/"
(cd "$tmp/proj" && "$ruimte" score --candidates data-samples/kandidaten.shp --profile data-samples/woningbouw.toml -o out/s.gpkg -q > /dev/null &&
  "$ruimte" select --scored out/s.gpkg --target woningen=20000 -o out/sel.gpkg -q > /dev/null) || bad "score/select in proj"
(cd / && "$ruimte" map "$tmp/proj/out/sel.gpkg" -o "$tmp/proj/out/sel.png" --dpi 50) > "$tmp/attr.txt" || bad "map from /"
grep -q "^Attribution: Gegevens: synthetisch" "$tmp/attr.txt" && ok "attribution: synthetic through select <- score, from another folder" ||
  bad "attribution from another folder: $(grep Attribution "$tmp/attr.txt")"

# The sensitivity chart at print quality: PNG at 300 dpi (it was 900 px wide), PDF as vectors.
"$ruimte" sensitivity --candidates data-samples/kandidaten.shp --profile data-samples/woningbouw.toml -o "$tmp/s1.gpkg" \
  --draws 50 --seed 7 --top 10 --chart "$tmp/chart.png" -q > /dev/null || bad "sensitivity --chart png"
/usr/bin/python3 - "$tmp/chart.png" <<'PY' && ok "chart PNG: 2813 px wide at 300 dpi" || bad "chart PNG size or dpi"
import sys
from PIL import Image
im = Image.open(sys.argv[1])
print("chart", im.size, im.info.get("dpi"))
sys.exit(0 if im.size[0] == 2813 and abs(im.info["dpi"][0] - 300) < 0.5 else 1)
PY
"$ruimte" sensitivity --candidates data-samples/kandidaten.shp --profile data-samples/woningbouw.toml -o "$tmp/s2.gpkg" \
  --draws 50 --seed 7 --top 10 --chart "$tmp/chart.pdf" -q > /dev/null || bad "sensitivity --chart pdf"
pdfinfo "$tmp/chart.pdf" | grep -q "Page size: *675 x" && [ "$(pdfimages -list "$tmp/chart.pdf" | tail -n +3 | wc -l)" = 0 ] &&
  ok "chart PDF: 675 pt wide, no raster images" || bad "chart PDF"

[ "$fail" = 0 ] && echo "map_outputs: manifest, PNG, PDF, SVG and legends as specified"
exit $fail
