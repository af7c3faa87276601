#!/usr/bin/env bash
# The water board report as people see it (issue 20, item 7 and 9): on the bundled samples the
# Dutch report has decimal commas, units and the catalogue's labels (no raw codes), the English
# one decimal points; --threshold changes what drives the 'mits' and refuses what is no theme;
# a 49 m2 location inside ja_mits_klein is called too small, not 'niet gedekt'; the HTML report,
# rendered by headless Chromium, shows an overview map with the locations in their verdict's
# colour (checked on the screenshot's pixels). Needs chromium, python3-pil and numpy (else 77).
set -euo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "check_report: $*" >&2; exit 1; }
py=/usr/bin/python3
cd "$src"
args=(--locations data-samples/novex.gpkg:novex_locaties --wbs data-samples/wbs.gpkg:wbs
      --by data-samples/waterschappen.gpkg:waterschappen:naam --timestamp 2026-01-02T09:00:00Z -q)

# 1. Dutch: commas, units, labels, the date of the run and of the WBS map.
"$ruimte" check "${args[@]}" -o "$tmp/nl.gpkg" --report "$tmp/nl.md" > /dev/null
$py - "$tmp/nl.md" <<'PY' || fail "the Dutch report is not Dutch enough"
import re, sys
md = open(sys.argv[1], encoding="utf-8").read()
bad = []
for code in ("ja_mits", "ja\\_mits", "nee_tenzij", "nee\\_tenzij"):
    if code in md: bad.append("raw class code %r" % code)
# A decimal point (1 or 2 decimals, or more than 3) is English; 20.000 is Dutch thousands.
# "Afspraak 10.2" is the agreement's number, not a decimal.
for m in re.finditer(r"\d\.(\d+)", md.replace("Afspraak 10.2", "")):
    if len(m.group(1)) != 3: bad.append("decimal point: %r" % md[m.start() - 10:m.end() + 5])
for m in re.finditer(r"\d(e[-+]\d+)", md): bad.append("scientific notation: %r" % m.group(0))
for needle in ("- datum van de toets: 2026-01-02 09:00 UTC", "datum: 2026-01-01 (laatste wijziging volgens de GeoPackage)",
               "tot 0,45 m, gemiddeld 0,45 m; > 0,2 m op 100,0 % van de locatie. Ondiep water",
               "bodemdaling: tot 34,50 cm", "klasse 2 (matig) 100,0 %", "| > 0,2 m |",
               "![Overzichtskaart: Waterschap Rivierenland](nl_kaart_8.png)"):
    if needle not in md: bad.append("lacks %r" % needle)
# Deep water gets its own sentence: some location of the samples is deeper than 2 m.
if not re.search(r"tot [2-9],\d\d m, gemiddeld [0-9],\d\d m; > 0,2 m op [0-9,]+ % van de locatie\. Diep water", md):
    bad.append("no deep-water sentence")
if bad: print("\n".join(bad[:20]), file=sys.stderr); sys.exit(1)
PY

# 2. English: points, never decimal commas.
"$ruimte" check "${args[@]}" -o "$tmp/en.gpkg" --report "$tmp/en.md" --lang en > /dev/null
grep -q "up to 0.45 m, mean 0.45 m; > 0.2 m on 100.0 % of the location. Shallow water" "$tmp/en.md" \
  || fail "the English sentence for 0.45 m"
! grep -E '[0-9],[0-9]{1,2}([^0-9]|$)' "$tmp/en.md" || fail "a decimal comma in the English report"

# 3. --threshold: a higher flood threshold drops 0.45 m (location 9); a bad one is a usage error.
"$ruimte" check "${args[@]}" -o "$tmp/t.gpkg" --report "$tmp/t.md" --threshold waterveiligheid=0,5 > /dev/null
grep -q "waterveiligheid (overstroming) \[overstroming\\\\_m\] > 0,5 m" "$tmp/t.md" || fail "the threshold is not shown"
! grep -q "tot 0,45 m" "$tmp/t.md" || fail "0.45 m still drives a 'mits' above a 0.5 m threshold"
set +e
"$ruimte" check "${args[@]}" -o "$tmp/x.gpkg" --threshold overstroming=1 2> "$tmp/err.txt"; code=$?
[ $code -eq 2 ] || fail "expected exit 2 for a threshold of no theme, got $code"
grep -q "use one of: waterveiligheid" "$tmp/err.txt" || fail "the error does not list the themes"
"$ruimte" check "${args[@]}" -o "$tmp/y.gpkg" --threshold waterveiligheid 2> /dev/null; code=$?
[ $code -eq 2 ] || fail "expected exit 2 for a threshold without a value, got $code"
set -e
[ ! -e "$tmp/x.gpkg" ] && [ ! -e "$tmp/y.gpkg" ]

# 4. A 49 m2 location in the middle of location 9 (wholly ja_mits_klein): too small, not uncovered.
ogr2ogr -f GPKG "$tmp/klein.gpkg" data-samples/novex.gpkg -dialect sqlite -nln klein -sql \
  "SELECT 1 AS id, 'klein' AS naam, BuildMbr(X(c) - 3.5, Y(c) - 3.5, X(c) + 3.5, Y(c) + 3.5, 28992) AS geom
   FROM (SELECT ST_PointOnSurface(geom) AS c FROM novex_locaties WHERE fid = 9)"
"$ruimte" check --locations "$tmp/klein.gpkg:klein" --wbs data-samples/wbs.gpkg:wbs -q -o "$tmp/k.gpkg" \
  --report "$tmp/k.md" > /dev/null
grep -q "### 1 klein: onbekend (kleiner dan de snippergrens voor een oordeel)" "$tmp/k.md" || fail "49 m2: wrong reason"
grep -q "De WBS-kaart geeft hier ja, mits (kleine opgave) op 100,0 %" "$tmp/k.md" || fail "49 m2: the class is not named"
! grep -q "niet gedekt" "$tmp/k.md" || fail "49 m2: called 'niet gedekt door de WBS-kaart'"
label=$(ogrinfo -ro -q "$tmp/k.gpkg" -sql "SELECT verdict_label FROM check_locations" | sed -n 's/.*verdict_label (String) = //p')
[ "$label" = "onbekend (kleiner dan de snippergrens voor een oordeel)" ] || fail "49 m2: GeoPackage label '$label'"

# 5. The HTML report as a browser shows it: the first water board's map with location 9 on it.
"$ruimte" check "${args[@]}" -o "$tmp/h.gpkg" --report "$tmp/h.html" > /dev/null
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ] || ! $py -c "import PIL, numpy" 2>/dev/null; then
  echo "check_report: SKIPPED the screenshot (no chromium or python3-pil/numpy)"; exit 77
fi
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,2000 \
  --screenshot="$tmp/h.png" "file://$tmp/h.html" > /dev/null 2>&1 || fail "chromium could not render the report"
$py - "$tmp/h.png" <<'PY' || fail "the screenshot does not show the overview map with its location"
import sys
import numpy as np
from PIL import Image
img = np.asarray(Image.open(sys.argv[1]).convert("RGB")).astype(int)
def mask(rgb, tol=3):
    return (np.abs(img - np.array(rgb)).max(axis=2) <= tol)
area = mask((237, 237, 232))  # the water board's area on the map
ys, xs = np.nonzero(area)
if len(ys) < 20000: sys.exit("only %d pixels of the water board's area" % len(ys))
box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
loc = mask((0xa6, 0xd9, 0x6a))[box]  # location 9, ja_mits_klein, inside the area's box
if loc.sum() < 30: sys.exit("location 9 has %d pixels on the map" % loc.sum())
print("check_report: area %d px, location %d px in the area's box" % (len(ys), loc.sum()))
PY
echo "check_report: Dutch report with commas, units and labels; English with points; --threshold; the 49 m2 reason; the map in Chromium"
