#!/usr/bin/env bash
# Proof by looking (issue 20): every output layer kind of score, check, claims, select, compare
# and sensitivity on the samples, drawn by real QGIS (headless PyQGIS, tests/qgis/render_outputs.py)
# with its default style from layer_styles, and the pixels measured: every feature gets a symbol
# and shows up in the image (a non-white pixel in its box), every class that has features has
# its colour in the image, excluded candidates are visible in grey, the claim-pressure map has
# more than one class. The --qgis-project opens with EPSG:28992 as project CRS, and its A3 layout
# and the first page of its atlas show the candidates' colours inside the map frame.
# With RUIMTE_DOC_IMG=DIR the images are also written, small, to DIR (docs/img/qgis_*.png).
# Skipped (exit 77) when python3-qgis is not installed.
set -uo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if ! /usr/bin/python3 -c "import qgis.core, numpy" 2> /dev/null; then echo "qgis_render: SKIPPED (no python3-qgis)"; exit 77; fi
cd "$src"
set -e
S=data-samples
"$ruimte" score --candidates $S/kandidaten.shp --profile $S/woningbouw.toml -o "$tmp/score.gpkg" -q \
  --qgis-project "$tmp/score.qgz" --qgis-context $S/gemeenten.gpkg:gemeenten > /dev/null
"$ruimte" score --candidates $S/kandidaten.shp --profile $S/profiles/water_zwaar.toml -o "$tmp/water.gpkg" -q > /dev/null
"$ruimte" check --locations $S/novex.gpkg:novex_locaties --wbs $S/wbs.gpkg:wbs \
  --by $S/waterschappen.gpkg:waterschappen:naam -o "$tmp/check.gpkg" -q > /dev/null
CLAIMS=()
for k in wonen werken landbouw natuur water energie infrastructuur defensie; do CLAIMS+=(--claim "$k=$S/claims/claims.gpkg:$k"); done
"$ruimte" claims "${CLAIMS[@]}" --regions $S/gemeenten.gpkg:gemeenten:naam -o "$tmp/claims.gpkg" -q > /dev/null
"$ruimte" select --scored "$tmp/score.gpkg" --target woningen=20000 -o "$tmp/select.gpkg" -q > /dev/null
"$ruimte" compare "$tmp/score.gpkg" "$tmp/water.gpkg" -o "$tmp/compare.gpkg" -q > /dev/null
"$ruimte" sensitivity --candidates $S/kandidaten.shp --profile $S/woningbouw.toml -o "$tmp/sensitivity.gpkg" \
  --draws 100 --sweep-steps 10 -q > /dev/null
set +e
fail=0
QT_QPA_PLATFORM=offscreen timeout 600 /usr/bin/python3 "$src/tests/qgis/render_outputs.py" layers "$tmp/png" "$tmp/layers.json" \
  "$tmp/score.gpkg" "$tmp/check.gpkg" "$tmp/claims.gpkg" "$tmp/select.gpkg" "$tmp/compare.gpkg" "$tmp/sensitivity.gpkg" \
  > "$tmp/layers.log" 2>&1
[ -s "$tmp/layers.json" ] || { echo "FAIL: PyQGIS wrote nothing:"; tail -20 "$tmp/layers.log"; exit 1; }
QT_QPA_PLATFORM=offscreen timeout 600 /usr/bin/python3 "$src/tests/qgis/render_outputs.py" project "$tmp/score.qgz" \
  "$tmp/png/layout.png" "$tmp/project.json" > "$tmp/project.log" 2>&1
[ -s "$tmp/project.json" ] || { echo "FAIL: PyQGIS wrote nothing for the project:"; tail -20 "$tmp/project.log"; exit 1; }
/usr/bin/python3 - "$tmp/layers.json" "$tmp/project.json" <<'PY' || fail=1
import json, sys
layers = {d["layer"]: d for d in json.load(open(sys.argv[1]))["layers"]}
project = json.load(open(sys.argv[2]))
fail = []
def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        fail.append(what)
kinds = ["candidates_scored", "check_locations", "check_parts", "claim_faces", "region_balance", "candidates_selected",
         "rank_change", "rank_intervals"]
check(sorted(layers) == sorted(kinds), f"every output layer kind rendered: {sorted(layers)}")
for name in kinds:
    d = layers.get(name)
    if not d:
        continue
    check(d["valid"] and d["renderer"] == "RuleRenderer", f"{name}: valid, its default style ({d['renderer']})")
    check(d["features"] > 0 and not d["without_symbol"],
          f"{name}: every one of {d['features']} features gets a symbol ({len(d['without_symbol'])} without)")
    check(not d["unseen"], f"{name}: every feature shows up in the image ({len(d['unseen'])} without a pixel: {d['unseen'][:5]})")
    with_features = [r for r in d["rules"] if r["features"]]
    # A class whose features are all covered by others' may hide (claim faces of one claim
    # under their neighbours at 1:300,000); a class of 3 or more features never does.
    for r in with_features:
        if r["features"] >= 3 or name != "claim_faces":
            check(r["pixels"] >= 10, f"{name}: class '{r['label']}' ({r['features']} features) drawn in {r['colour']}: {r['pixels']} px")
    check(sum(r["features"] for r in d["rules"]) == d["features"], f"{name}: each feature in exactly one class")
for name in ("candidates_scored", "candidates_selected", "rank_intervals"):
    x = layers[name]["rules"][0]
    check(x["label"] == "uitgesloten" and x["colour"] == "#a3a3a3" and x["features"] == 55 and x["pixels"] >= 55 * 10,
          f"{name}: the 55 excluded candidates visible in grey ({x['pixels']} px)")
rb = [r for r in layers["region_balance"]["rules"] if r["pixels"] >= 100]
check(len(rb) >= 3, f"region_balance: {len(rb)} classes in the image: {[r['label'] for r in rb]}")
check(layers["region_balance"]["rules"][0]["label"] == "0" and layers["region_balance"]["rules"][0]["features"] > 250,
      f"region_balance: the {layers['region_balance']['rules'][0]['features']} regions without claims in a class of their own")
sel = {r["label"]: r for r in layers["candidates_selected"]["rules"]}
check(sel["gekozen"]["features"] == 144 and sel["gekozen"]["pixels"] >= 144 * 10,
      f"candidates_selected: the 144 chosen drawn in blue ({sel['gekozen']['pixels']} px)")
for name in ("check_locations", "check_parts"):
    nee = [r for r in layers[name]["rules"] if r["label"] == "nee"]
    check(nee and nee[0]["features"] == 6 and nee[0]["pixels"] >= 60, f"{name}: the 6 'nee' locations visible in purple")
# The project: EPSG:28992 with a WKT and 'on the fly' on, relative paths, both layers valid.
crs = project["crs"]
check(project["read"] and crs["authid"] == "EPSG:28992" and crs["valid"] and "Amersfoort" in crs["wkt"] and
      crs["projections_enabled"] == "1", f"project CRS {crs['authid']}, ProjectionsEnabled {crs['projections_enabled']}")
check(project["absolute_paths"] == "false" and all(l["valid"] for l in project["layers"]), "relative paths, layers valid")
# The national A3 layout: every class of candidates, and the excluded in grey, inside the map frame.
for r in project["rules"]:
    if r["label"] != "geen waarde":
        check(r["pixels"] >= 200, f"A3 layout (1:{project['map_scale']:,.0f}): '{r['label']}' {r['colour']} {r['pixels']} px in the map")
atlas = [l for l in project["layouts"] if l["atlas"]]
check(len(atlas) == 1 and 0 < atlas[0]["atlas_count"] < 344,
      f"atlas layout: a page per region with candidates ({atlas[0]['atlas_count'] if atlas else 0} of 344)")
check(project.get("atlas_export") and project["atlas_map_scale"] < 200000 and
      sum(r["pixels"] for r in project["atlas_rules"]) >= 1000,
      f"atlas page '{project.get('atlas_page')}' at 1:{project.get('atlas_map_scale', 0):,.0f} shows candidates")
sys.exit(1 if fail else 0)
PY
if [ -n "${RUIMTE_DOC_IMG:-}" ]; then
  /usr/bin/python3 - "$tmp/png" "$RUIMTE_DOC_IMG" <<'PY'
import os, sys
from PIL import Image
src, dst = sys.argv[1], sys.argv[2]
for name, width in [("score_candidates_scored", 560), ("select_candidates_selected", 560), ("check_check_locations", 560),
                    ("claims_region_balance", 560), ("claims_claim_faces", 560), ("compare_rank_change", 560),
                    ("sensitivity_rank_intervals", 560), ("layout", 1000), ("layout_atlas", 1000)]:
    im = Image.open(os.path.join(src, name + ".png")).convert("RGB")
    im = im.resize((width, round(im.height * width / im.width)), Image.LANCZOS)
    im.quantize(256, method=Image.FASTOCTREE).save(os.path.join(dst, "qgis_" + name + ".png"), optimize=True)
PY
fi
[ "$fail" = 0 ] && echo "qgis_render: every output layer kind drawn by QGIS, every feature visible"
exit $fail
