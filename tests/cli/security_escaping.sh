#!/usr/bin/env bash
# Names from the data reach each output escaped for it (issue 25, Security; spatial/escape.hpp):
# - check's Markdown report: <script>, "><img onerror=...>, a link and line breaks in location
#   and group names arrive as text (no HTML tag, no link, every table row one line); the HTML
#   report escapes them as entities;
# - score's CSV: ids starting with = + - @ get a leading ', a bare CR is quoted (Python's csv
#   reads back every row with 5 fields and the ids as written);
# - score's stdout: an escape sequence in a candidate id is printed as \x1b, never raw;
# - the QGIS project: a --qgis-context layer named 'wonen & werken "<x>' and one named
#   'ctx|subset="fid" < 0' give a project that parses as XML, with the names read back as
#   written and the second layer's data source as |layerid=N (no |subset= filter); opened by
#   headless PyQGIS (when installed) both layers are valid, unfiltered, with every feature.
set -euo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "security_escaping: $*" >&2; exit 1; }
s=$src/data-samples
py=/usr/bin/python3

# 1. check: hostile location and group names.
cp "$s/novex.gpkg" "$tmp/novex.gpkg"; cp "$s/waterschappen.gpkg" "$tmp/ws.gpkg"
$py - "$tmp/novex.gpkg" "$tmp/ws.gpkg" <<'PY'
import sys
from osgeo import ogr
def rename(path, layer, names):
    ds = ogr.Open(path, 1)
    l = ds.GetLayerByName(layer)
    feats = sorted(l, key=lambda f: f.GetFID())
    for f, n in zip(feats, names):
        f.SetField("naam", n)
        l.SetFeature(f)
    ds = None
rename(sys.argv[1], "novex_locaties", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "[klik](https://example.com/x)",
                                        "twee\nregels | nep | kolom", "cr\rregel", "\x1b[31mrood"])
ds = ogr.Open(sys.argv[2], 1)  # a water board that holds locations
l = ds.GetLayerByName("waterschappen")
for f in l:
    if f.GetField("naam") == "Hoogheemraadschap van Rijnland":
        f.SetField("naam", "<b>Groep</b>\n## kop")
        l.SetFeature(f)
ds = None
PY
args=(--locations "$tmp/novex.gpkg:novex_locaties" --wbs "$s/wbs.gpkg:wbs" --by "$tmp/ws.gpkg:waterschappen:naam" -q)
"$ruimte" check "${args[@]}" -o "$tmp/c1.gpkg" --report "$tmp/r.md" >/dev/null
"$ruimte" check "${args[@]}" -o "$tmp/c2.gpkg" --report "$tmp/r.html" >/dev/null
$py - "$tmp/r.md" "$tmp/r.html" <<'PY' || fail "the reports carry names unescaped"
import re, sys
md = open(sys.argv[1], encoding="utf-8").read()
bad = []
for tag in ("<script", "<img", "<b>", "](https://example.com"):
    if tag in md: bad.append("Markdown holds " + repr(tag))
if "\r" in md or "\x1b" in md: bad.append("Markdown holds a CR or ESC")
for needle in ("&lt;script>alert(1)&lt;/script>", "&lt;img src=x onerror=alert(1)>", "[klik]\\(https://example.com/x)",
               "twee regels \\| nep \\| kolom", "&lt;b>Groep&lt;/b> ## kop"):
    if needle not in md: bad.append("Markdown lacks " + repr(needle))
lines = md.split("\n")
for i, l in enumerate(lines):
    if l.startswith("|") and not l.endswith("|"): bad.append("table row %d is cut: %r" % (i + 1, l))
    if l.startswith("## ") and "kop" in l and "Groep" not in l: bad.append("a name made a heading: %r" % l)
# Every table row has as many unescaped '|' as its header.
cells = lambda l: len(re.findall(r"(?<!\\)\|", l))
header = None
for l in lines:
    if not l.startswith("|"): header = None; continue
    if header is None: header = cells(l)
    elif cells(l) != header: bad.append("row with %d cells under a header with %d: %r" % (cells(l), header, l))
html = open(sys.argv[2], encoding="utf-8").read()
# The report's own overview maps are the only images: inline PNG, an alt text without markup.
maps = re.findall(r'<img class="map" alt="[^"<>]*" src="data:image/png;base64,[A-Za-z0-9+/=]+">', html)
if len(maps) < 2: bad.append("HTML has %d overview maps, expected one per group" % len(maps))
for m in maps: html = html.replace(m, "")
if "&lt;b&gt;Groep&lt;/b&gt;" not in "".join(maps): bad.append("no map's alt text names the hostile group, escaped")
for tag in ("<script", "<img", "<b>"):
    if tag in html: bad.append("HTML holds " + repr(tag))
for needle in ("&lt;script&gt;alert(1)&lt;/script&gt;", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;", "&lt;b&gt;Groep&lt;/b&gt;"):
    if needle not in html: bad.append("HTML lacks " + repr(needle))
if bad:
    print("\n".join(bad), file=sys.stderr); sys.exit(1)
PY

# 2. score: hostile ids into the CSV and onto stdout.
ogr2ogr -f GPKG "$tmp/k.gpkg" "$s/kandidaten.shp" -nln kandidaten
$py - "$tmp/k.gpkg" <<'PY'
import sys
from osgeo import ogr
special = ['=HYPERLINK("http://example.com/x","klik")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-2+3", "a\rb", "\t=1", "-7"]
ds = ogr.Open(sys.argv[1], 1)
l = ds.GetLayerByName("kandidaten")
for i, f in enumerate(sorted(l, key=lambda f: f.GetFID())):
    f.SetField("naam", special[i] if i < len(special) else "\x1b]0;pwned\x07\x1b[2J%d" % f.GetFID())
    l.SetFeature(f)
ds = None
PY
"$ruimte" score -q --candidates "$tmp/k.gpkg:kandidaten" --id-field naam --profile "$s/woningbouw.toml" \
  -o "$tmp/s.gpkg" --csv "$tmp/s.csv" >"$tmp/score.txt"
! grep -q $'\x1b' "$tmp/score.txt" || fail "an escape sequence reached stdout: $(od -c "$tmp/score.txt" | head -5)"
grep -qF '\x1b]0;pwned\x07\x1b[2J' "$tmp/score.txt" || fail "the ids are not shown neutralised: $(cat "$tmp/score.txt")"
$py - "$tmp/s.csv" "$tmp/k.gpkg" <<'PY' || fail "the CSV carries formulas or split rows"
import csv, sys
from osgeo import ogr
ds = ogr.Open(sys.argv[2])  # held: a layer outlives no dataset
ids = {f.GetField("naam") for f in ds.GetLayerByName("kandidaten")}
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
bad = [r for r in rows if len(r) != 5]
if bad: print("rows without 5 fields:", bad[:3], file=sys.stderr); sys.exit(1)
seen = set()
for r in rows[1:]:
    v = r[0]
    if v[:1] in ("=", "+", "@", "\t", "\r") or (v[:1] == "-" and v != "-7"):
        print("formula written as such:", repr(v), file=sys.stderr); sys.exit(1)
    seen.add(v[1:] if v[:1] == "'" else v)
missing = {"a\rb", '=HYPERLINK("http://example.com/x","klik")', "-7", "\t=1"} - seen
if missing: print("ids not read back:", missing, file=sys.stderr); sys.exit(1)
if not seen <= ids: print("ids changed:", list(seen - ids)[:3], file=sys.stderr); sys.exit(1)
raw = open(sys.argv[1], "rb").read()
if b"\n'=HYPERLINK" not in raw and b"\n\"'=HYPERLINK" not in raw: print("no leading ' before =HYPERLINK", file=sys.stderr); sys.exit(1)
PY

# 3. The QGIS project with hostile context layer names.
ogr2ogr -f GPKG "$tmp/ctx.gpkg" "$s/waterschappen.gpkg" waterschappen -nln 'wonen & werken "<x>'
ogr2ogr -f GPKG -update "$tmp/ctx.gpkg" "$s/waterschappen.gpkg" waterschappen -nln 'ctx|subset="fid" < 0'
"$ruimte" score -q --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$tmp/q.gpkg" \
  --qgis-project "$tmp/q.qgz" --qgis-context "$tmp/ctx.gpkg:wonen & werken \"<x>" --qgis-context "$tmp/ctx.gpkg:ctx|subset=\"fid\" < 0" >/dev/null
$py - "$tmp/q.qgz" <<'PY' || fail "the QGIS project is not safe"
import sys, zipfile, xml.etree.ElementTree as ET
z = zipfile.ZipFile(sys.argv[1])
root = ET.fromstring(z.read(z.namelist()[0]))
names = {l.findtext("layername"): l.findtext("datasource") for l in root.iter("maplayer")}
a, b = 'wonen & werken "<x>', 'ctx|subset="fid" < 0'
if a not in names or b not in names: print("layer names not read back:", list(names), file=sys.stderr); sys.exit(1)
if names[a] != "./ctx.gpkg|layername=" + a: print("datasource of a:", names[a], file=sys.stderr); sys.exit(1)
if "subset" in names[b] or not names[b].startswith("./ctx.gpkg|layerid="):
    print("datasource of b:", names[b], file=sys.stderr); sys.exit(1)
ids = [l.findtext("id") for l in root.iter("maplayer")]
if len(set(ids)) != len(ids): print("layer ids not unique", file=sys.stderr); sys.exit(1)
PY
# The same project opened by QGIS itself (headless PyQGIS), when installed: both context layers
# valid, with every feature and no filter.
if /usr/bin/python3 -c "import qgis.core" 2>/dev/null; then
  n=$(ogrinfo -ro -so "$tmp/ctx.gpkg" 'ctx|subset="fid" < 0' | sed -n 's/^Feature Count: //p')
  QT_QPA_PLATFORM=offscreen timeout 300 $py - "$tmp/q.qgz" "$n" >"$tmp/qgis.log" 2>&1 <<'PY' || fail "QGIS reads the project wrongly: $(tail -5 "$tmp/qgis.log")"
import sys
from qgis.core import QgsApplication, QgsProject
app = QgsApplication([], False)
app.initQgis()
p = QgsProject.instance()
if not p.read(sys.argv[1]): print("QGIS cannot read the project"); sys.exit(1)
by_name = {l.name(): l for l in p.mapLayers().values()}
for name in ('wonen & werken "<x>', 'ctx|subset="fid" < 0'):
    l = by_name.get(name)
    if l is None or not l.isValid(): print("layer not loaded:", name, list(by_name)); sys.exit(1)
    if l.subsetString(): print("a filter came from the name:", name, l.subsetString()); sys.exit(1)
    if l.featureCount() != int(sys.argv[2]): print("features:", name, l.featureCount()); sys.exit(1)
app.exitQgis()
PY
else
  echo "security_escaping: the PyQGIS check is SKIPPED (no python3-qgis)"
fi
echo "security_escaping: ok"
