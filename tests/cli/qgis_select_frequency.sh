#!/usr/bin/env bash
# The selection frequency layer of `select --draws` (issue 22), drawn by real QGIS (headless
# PyQGIS) with its default style from layer_styles, and by `ruimte map`: frequency classes with
# the core outlined. Per core candidate, QGIS is zoomed onto it (400 px) and the pixels on its
# boundary are measured: dark purple (the thick core outline, #2d004b) on at least 80 % of the
# boundary, its class colour inside; candidates that are not core get no black boundary. The
# `ruimte map` PNG has the outline's dark purple pixels and the classes' greens.
# With RUIMTE_DOC_IMG=DIR the QGIS image of the first core candidate is also written to DIR.
# Skipped (exit 77) when python3-qgis is not installed.
set -uo pipefail
ruimte=$(realpath "$1") src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if ! /usr/bin/python3 -c "import qgis.core, numpy" 2> /dev/null; then echo "qgis_select_frequency: SKIPPED (no python3-qgis)"; exit 77; fi
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
S=$src/data-samples
"$ruimte" score --candidates $S/kandidaten.shp --profile $S/woningbouw.toml -o "$tmp/score.gpkg" -q > /dev/null ||
  { echo "FAIL: score"; exit 1; }
"$ruimte" select --scored "$tmp/score.gpkg" --target woningen=30000 --group gemeente --max-per-group 3 --draws 30 \
  --seed 5 --gap 0.001 --time-limit 120 -o "$tmp/draws.gpkg" -q > /dev/null || { echo "FAIL: select --draws"; exit 1; }
core=$(sqlite3 "$tmp/draws.gpkg" "SELECT count(*) FROM selection_frequency WHERE robustness = 'core'")
other=$(sqlite3 "$tmp/draws.gpkg" "SELECT count(*) FROM selection_frequency WHERE robustness <> 'core'")
[ "$core" -gt 0 ] && [ "$other" -gt 0 ] && ok "$core core and $other other candidates" || bad "core $core, other $other"

QT_QPA_PLATFORM=offscreen timeout 600 /usr/bin/python3 - "$tmp/draws.gpkg" "$tmp" "${RUIMTE_DOC_IMG:-}" > "$tmp/qgis.log" 2>&1 <<'PY'
import json, os, sys
import numpy
from qgis.core import QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsRectangle, QgsVectorLayer
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor
path, out, doc = sys.argv[1], sys.argv[2], sys.argv[3]
app = QgsApplication([], False)
app.initQgis()
layer = QgsVectorLayer(f"{path}|layername=selection_frequency", "freq", "ogr")
layer.setLabelsEnabled(False)  # labels are dark text: only the symbols are measured
result = {"valid": layer.isValid(), "renderer": layer.renderer().type(), "features": []}
def near(rgb, want, tol):
    return all(abs(int(a) - int(b)) <= tol for a, b in zip(rgb, want))
def hexrgb(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))
BLACK = hexrgb("#2d004b")
for f in layer.getFeatures():
    g = f.geometry()
    box = g.boundingBox()
    e = QgsRectangle(box)
    e.scale(1.6)
    s = QgsMapSettings()
    s.setLayers([layer])
    s.setDestinationCrs(layer.crs())
    s.setBackgroundColor(QColor(255, 255, 255))
    s.setOutputSize(QSize(400, max(1, int(round(400 * e.height() / e.width())))))
    s.setExtent(e)
    job = QgsMapRendererParallelJob(s)
    job.start()
    job.waitForFinished()
    img = job.renderedImage().convertToFormat(4)  # Format_RGB32
    w, h = img.width(), img.height()
    a = numpy.frombuffer(img.constBits().asstring(img.sizeInBytes()), dtype=numpy.uint8).reshape(h, img.bytesPerLine() // 4, 4)[:, :w, :3][:, :, ::-1]
    m2p = s.mapToPixel()
    # Points every 2 px along the exterior rings; at each, is a dark purple pixel within 1 px?
    on, total = 0, 0
    ring = g.convertToType(1)  # the boundary as lines
    length_px = ring.length() / s.mapUnitsPerPixel()
    steps = max(20, int(length_px / 2))
    for i in range(steps):
        p = ring.interpolate(ring.length() * i / steps).asPoint()
        q = m2p.transform(p.x(), p.y())
        x, y = int(round(q.x())), int(round(q.y()))
        if not (1 <= x < w - 1 and 1 <= y < h - 1):
            continue
        total += 1
        if any(near(a[y + dy, x + dx], BLACK, 40) for dy in (-1, 0, 1) for dx in (-1, 0, 1)):
            on += 1
    inside = g.pointOnSurface().asPoint()
    qi = m2p.transform(inside.x(), inside.y())
    centre = [int(v) for v in a[int(qi.y()), int(qi.x())]]
    name = f"{out}/freq_{f['candidate_id']}.png"
    img.save(name)
    if doc and f["robustness"] == "core" and not any(d["robustness"] == "core" for d in result["features"]):
        img.save(os.path.join(doc, "qgis_selection_frequency_core.png"))
    result["features"].append({"id": f["candidate_id"], "robustness": f["robustness"], "frequency": f["frequency"],
                               "boundary_black": on / total if total else None, "centre": centre, "png": name})
json.dump(result, open(f"{out}/qgis.json", "w"), indent=1)
os._exit(0)
PY
[ -s "$tmp/qgis.json" ] || { echo "FAIL: PyQGIS wrote nothing:"; tail -20 "$tmp/qgis.log"; exit 1; }
/usr/bin/python3 - "$tmp/qgis.json" <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
fail = []
def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        fail.append(what)
check(r["valid"] and r["renderer"] == "RuleRenderer", f"the layer's default style ({r['renderer']})")
core = [f for f in r["features"] if f["robustness"] == "core" and f["boundary_black"] is not None]
other = [f for f in r["features"] if f["robustness"] != "core" and f["boundary_black"] is not None]
bad_core = [(f["id"], round(f["boundary_black"], 2)) for f in core if f["boundary_black"] < 0.8]
check(core and not bad_core, f"every core candidate ({len(core)}) outlined dark purple on >= 80 % of its boundary (not: {bad_core[:5]})")
# Inside a core candidate: its class colour (75 - 100 %: #238443), not the outline.
bad_fill = [(f["id"], f["centre"]) for f in core if any(abs(c - w) > 12 for c, w in zip(f["centre"], (0x23, 0x84, 0x43)))]
check(not bad_fill, f"inside every core candidate its class green #238443 (not: {bad_fill[:5]})")
# Not core: no black boundary (below 20 %: a core neighbour's outline may touch it).
black_other = [(f["id"], round(f["boundary_black"], 2)) for f in other if f["boundary_black"] >= 0.2]
check(other and not black_other, f"no candidate that is not core ({len(other)}) outlined dark purple (but: {black_other[:5]})")
print("core boundaries:", sorted(round(f["boundary_black"], 2) for f in core)[:10])
sys.exit(1 if fail else 0)
PY

# `ruimte map` draws the same style: the core's outline in dark purple over the class colours
# (the map keeps the style's classes unless most candidates fall in one: then natural breaks).
"$ruimte" map "$tmp/draws.gpkg:selection_frequency" -o "$tmp/map.png" --dpi 100 -q > /dev/null 2>&1 || bad "ruimte map"
/usr/bin/python3 - "$tmp/map.png" "$core" <<'PY' && ok "ruimte map: core outlined dark purple over the class colours" || fail=1
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
w, h = im.size
px = im.load()
def count(rgb, tol):
    return sum(1 for x in range(0, int(w * 0.7)) for y in range(int(h * 0.12), h - 40) if all(abs(a - b) <= tol for a, b in zip(px[x, y], rgb)))
black = count((0x2d, 0x00, 0x4b), 20)
coloured = sum(1 for x in range(0, int(w * 0.7)) for y in range(int(h * 0.12), h - 40)
               if max(px[x, y]) - min(px[x, y]) > 60 and not all(abs(a - b) <= 20 for a, b in zip(px[x, y], (0x2d, 0x00, 0x4b))))
print(f"  map pixels: outline dark purple {black} ({int(sys.argv[2])} core), class colours {coloured}")
if black < 20 * int(sys.argv[2]) or coloured < 100:
    print("FAIL: the map does not show the core outlined"); sys.exit(1)
PY
exit $fail
