#!/usr/bin/env bash
# Outputs open styled in QGIS (issue 6): every layer of the outputs of score, check, claims and
# select on the samples, opened with headless PyQGIS (Debian python3-qgis): valid, the
# expected feature count, and the default style from layer_styles with the expected renderer,
# field and colours. Every table of every output is registered in gpkg_contents. Skipped
# (exit 77, a skip for ctest, with a note) when python3-qgis is not installed.
set -uo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if ! /usr/bin/python3 -c "import qgis.core" 2> /dev/null; then echo "qgis_outputs: SKIPPED (no python3-qgis)"; exit 77; fi
cd "$src"
set -e
"$ruimte" score --candidates data-samples/kandidaten.shp --profile data-samples/woningbouw.toml -o "$tmp/score.gpkg" \
  --csv "$tmp/areas.csv" -q > /dev/null
"$ruimte" check --locations data-samples/novex.gpkg:novex_locaties --wbs data-samples/wbs.gpkg:wbs \
  --by data-samples/waterschappen.gpkg:waterschappen:naam -o "$tmp/check.gpkg" -q > /dev/null
S=data-samples/claims/claims.gpkg
CLAIMS=()
for k in wonen werken landbouw natuur water energie infrastructuur defensie; do CLAIMS+=(--claim "$k=$S:$k"); done
"$ruimte" claims "${CLAIMS[@]}" --regions data-samples/gemeenten.gpkg:gemeenten:naam -o "$tmp/claims.gpkg" -q > /dev/null
"$ruimte" select --scored "$tmp/score.gpkg" --target woningen=20000 -o "$tmp/select.gpkg" -q > /dev/null
set +e
fail=0
for f in score check claims select; do
  # Every user table (not SQLite's, GeoPackage's own or R-tree tables) is in gpkg_contents.
  missing=$(sqlite3 "$tmp/$f.gpkg" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'gpkg_%'
            AND name NOT LIKE 'rtree_%' AND name NOT LIKE 'sqlite_%' AND name NOT IN (SELECT table_name FROM gpkg_contents)")
  [ -z "$missing" ] || { echo "FAIL: $f.gpkg: tables not in gpkg_contents: $missing"; fail=1; }
  t=$(sqlite3 "$tmp/$f.gpkg" "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'")
  [ "$t" = attributes ] || { echo "FAIL: $f.gpkg: layer_styles registered as '$t', not attributes"; fail=1; }
  # GDAL's GeoPackage validator accepts the file, and SQLite's own check accepts every R*Tree
  # (ruimte bulk-loads them, spatial/gpkg_rtree.hpp) with one entry per non-empty geometry (the
  # empty flag is bit 4 of the GeoPackage geometry header's flags byte).
  v=$(/usr/bin/python3 /usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py "$tmp/$f.gpkg" 2>&1) ||
    { echo "FAIL: $f.gpkg: validate_gpkg.py: $v"; fail=1; }
  for g in $(sqlite3 "$tmp/$f.gpkg" "SELECT table_name || '|' || column_name FROM gpkg_geometry_columns"); do
    t=${g%%|*} c=${g##*|}
    r=$(sqlite3 "$tmp/$f.gpkg" "SELECT rtreecheck('rtree_${t}_$c') || ' ' || (SELECT count(*) FROM \"rtree_${t}_$c\") || ' ' ||
         (SELECT count(*) FROM \"$t\" WHERE \"$c\" IS NOT NULL AND substr(hex(substr(\"$c\", 4, 1)), 1, 1) NOT IN ('1', '3', '5', '7', '9', 'B', 'D', 'F'))" 2>&1)
    set -- $r
    [ "${1:-}" = ok ] && [ "${2:-}" = "${3:-}" ] || { echo "FAIL: $f.gpkg: R*Tree of $t: $r"; fail=1; }
  done
  # Feature counts as SQLite sees them, for PyQGIS to match.
  for l in $(sqlite3 "$tmp/$f.gpkg" "SELECT table_name FROM gpkg_contents ORDER BY table_name"); do
    echo "$f.gpkg $l $(sqlite3 "$tmp/$f.gpkg" "SELECT COUNT(*) FROM \"$l\"")" >> "$tmp/counts.txt"
  done
done
QT_QPA_PLATFORM=offscreen timeout 300 /usr/bin/python3 "$src/tests/qgis/open_outputs.py" "$tmp/qgis.json" \
  "$tmp/score.gpkg" "$tmp/check.gpkg" "$tmp/claims.gpkg" "$tmp/select.gpkg" > "$tmp/qgis.log" 2>&1
[ -s "$tmp/qgis.json" ] || { echo "FAIL: PyQGIS wrote nothing:"; tail -20 "$tmp/qgis.log"; exit 1; }
/usr/bin/python3 - "$tmp/qgis.json" "$tmp/counts.txt" "$tmp/areas.csv" <<'PY' || { fail=1; echo "PyQGIS printed:"; tail -20 "$tmp/qgis.log"; }
import json, sys
qgis = json.load(open(sys.argv[1]))
layers = {(d["file"], d["layer"]): d for d in qgis["layers"]}
for a in qgis["failed_listings"]:  # QGIS listed no layer of the file: what GDAL says of it, the open files
    print(f"note: QGIS listed no layer of {a['file']}: {a}")
counts = {}
for line in open(sys.argv[2]):
    f, l, n = line.split()
    if l != "layer_styles":  # QGIS hides its own style table from the layer list
        counts[(f, l)] = int(n)
fail = []
def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond: fail.append(what)
# Every table is a valid layer in QGIS with the feature count SQLite gives.
check(set(counts) == set(layers), f"QGIS lists the tables of gpkg_contents ({len(counts)})")
for key, n in sorted(counts.items()):
    d = layers.get(key)
    check(d is not None and d["valid"] and d["features"] == n, f"{key[0]}:{key[1]} valid with {n} features")
if fail:
    sys.exit(1)  # the style checks below need every layer
rows = sum(1 for _ in open(sys.argv[3])) - 1
check(layers[("score.gpkg", "overlay_areas")]["features"] == rows, f"overlay_areas has the CSV's {rows} rows")
# The default styles are rule-based (issue 20): filters that match the stored field types,
# excluded features first in grey, an ELSE rule so every feature gets a symbol. Whether the
# features are drawn is measured on pixels in qgis_render.sh.
s = layers[("score.gpkg", "candidates_scored")]
check(s["features"] == 200, "candidates_scored has 200 candidates")
viridis = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
check(s["renderer"] == "RuleRenderer" and [r["colour"] for r in s["rules"]][:6] == ["#a3a3a3"] + viridis and
      s["rules"][0]["label"] == "uitgesloten" and s["rules"][-1]["filter"] == "ELSE",
      "candidates_scored: excluded (grey), five quantile classes on viridis, ELSE")
check(all('"score"' in r["filter"] for r in s["rules"][1:6]), "candidates_scored: classes on score")
check(s["labels"] and s["label_field"] == "naam", "candidates_scored: labelled by naam")
wbs = {"ja": "#1a9850", "ja_mits_klein": "#a6d96a", "ja_mits_groot": "#fee08b", "nee_tenzij": "#f46d43", "nee": "#762a83", "onbekend": "#bdbdbd"}
for l in ("check_locations", "check_parts"):
    c = layers[("check.gpkg", l)]
    rules = [r for r in c["rules"] if r["filter"] != "ELSE"]
    check(c["renderer"] == "RuleRenderer" and all('"verdict" = ' in r["filter"] for r in rules), f"{l}: rules on verdict")
    check(len(rules) >= 2 and all(wbs[r["filter"].split("'")[1]] == r["colour"] for r in rules), f"{l}: WBS catalogue colours ({len(rules)} classes)")
f = layers[("claims.gpkg", "claim_faces")]
counts = [int(r["filter"].split("=")[1].strip(" )")) for r in f["rules"] if r["filter"] != "ELSE"]
check(f["renderer"] == "RuleRenderer" and counts == sorted(counts) and counts[0] == 1,
      f"claim_faces: one rule per number of claims, from 1 ({counts})")
r = layers[("claims.gpkg", "region_balance")]
check(r["renderer"] == "RuleRenderer" and r["labels"] and r["rules"][0]["label"] == "0" and len(r["rules"]) > 3,
      f"region_balance: 0 as its own class, then {len(r['rules']) - 2} classes, labelled")
sel = layers[("select.gpkg", "candidates_selected")]
check(sel["renderer"] == "RuleRenderer" and [(k["label"], k["colour"]) for k in sel["rules"][:3]] ==
      [("uitgesloten", "#a3a3a3"), ("niet gekozen", "#deebf7"), ("gekozen", "#2c7fb8")] and
      'if("selected", 1, 0) = 1' in sel["rules"][2]["filter"], "candidates_selected: excluded, not chosen, chosen (on the boolean)")
for key, d in sorted(layers.items()):
    if d["spatial"]:
        w = d["window"]
        check(d["spatial_index"] and w["agrees"] and (w["meets"] > 0 or d["features"] == 0),
              f"{key[0]}:{key[1]}: QGIS finds the spatial index; a window query returns {w['got']} features, "
              f"{w['meets']} of which meet the window")
for key, d in layers.items():
    if d["spatial"]:
        check(d["renderer"] is not None and d["renderer"] != "singleSymbol" or key[1] == "region_balance", f"{key[0]}:{key[1]} has its default style")
sys.exit(1 if fail else 0)
PY
# The QGIS project: both layers valid, the A3 layout renders to a PNG that is not blank.
"$ruimte" score --candidates data-samples/kandidaten.shp --profile data-samples/woningbouw.toml -o "$tmp/p.gpkg" -q \
  --qgis-project "$tmp/p.qgz" --qgis-context data-samples/gemeenten.gpkg:gemeenten > /dev/null || { echo "FAIL: score --qgis-project"; fail=1; }
QT_QPA_PLATFORM=offscreen timeout 300 /usr/bin/python3 "$src/tests/qgis/open_outputs.py" --layout "$tmp/p.qgz" "$tmp/layout.png" \
  "$tmp/layout.json" > "$tmp/layout.log" 2>&1
/usr/bin/python3 - "$tmp/layout.json" <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
ok = (r["read"] and r["layers"] == ["candidates_scored", "gemeenten"] and r["valid_layers"] == 2 and sorted(r["layouts"]) == ["ruimte A3", "ruimte A3 per regio"]
      and r["export"] and abs(r["size"][0] - 1654) <= 1 and r["size"][1] == 1169 and r["variance"] > 200)
print(("ok: " if ok else "FAIL: ") + f"QGIS project: layers {r['layers']}, layout {r.get('layouts')}, PNG {r.get('size')}, variance {r.get('variance', 0):.0f}")
sys.exit(0 if ok else 1)
PY
# The project's sources are relative to its folder: a folder moved elsewhere still opens with
# both layers valid. Its attribution says what the data are (the samples: synthetic; the
# municipal boundaries: CBS/Kadaster), in English with --lang en.
mkdir -p "$tmp/proj"
cp data-samples/gemeenten.gpkg "$tmp/proj/"
"$ruimte" score --candidates data-samples/kandidaten.shp --profile data-samples/woningbouw.toml -o "$tmp/proj/p.gpkg" -q \
  --qgis-project "$tmp/proj/p.qgz" --qgis-context "$tmp/proj/gemeenten.gpkg:gemeenten" --lang en > /dev/null ||
  { echo "FAIL: score --qgis-project --lang en"; fail=1; }
mkdir -p "$tmp/elsewhere" && mv "$tmp/proj" "$tmp/elsewhere/moved"
QT_QPA_PLATFORM=offscreen timeout 300 /usr/bin/python3 "$src/tests/qgis/open_outputs.py" --layout "$tmp/elsewhere/moved/p.qgz" \
  "$tmp/moved.png" "$tmp/moved.json" > "$tmp/moved.log" 2>&1
/usr/bin/python3 - "$tmp/moved.json" "$tmp/elsewhere/moved/p.qgz" "$tmp/p.qgz" <<'PY' || fail=1
import json, re, sys, zipfile
r = json.load(open(sys.argv[1]))
def qgs(path):
    z = zipfile.ZipFile(path)
    return z.read(z.namelist()[0]).decode()
moved, dutch = qgs(sys.argv[2]), qgs(sys.argv[3])
sources = re.findall(r"<datasource>([^<|]*)", moved)
checks = [
    (r["read"] and r["valid_layers"] == 2, f"moved project: {r.get('valid_layers')} of 2 layers valid"),
    (sources == ["./p.gpkg", "./gemeenten.gpkg"], f"sources relative to the project: {sources}"),
    ("Data: synthetic sample data" in moved and "Boundaries: CBS, Kadaster" in moved and 'title="Legend"' in moved,
     "--lang en: English legend title and attribution naming synthetic data and CBS/Kadaster"),
    ("Gegevens: synthetisch" in dutch and 'title="Legenda"' in dutch, "default: Dutch legend title and attribution"),
]
bad = 0
for ok, what in checks:
    print(("ok: " if ok else "FAIL: ") + what)
    bad += not ok
sys.exit(1 if bad else 0)
PY
[ "$fail" = 0 ] && echo "qgis_outputs: every layer of score, check, claims and select opens valid and styled in QGIS"
exit $fail
