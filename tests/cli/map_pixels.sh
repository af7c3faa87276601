#!/usr/bin/env bash
# Proof by looking (issue 20): `ruimte map` of every output kind on the bundled samples, read
# back as pixels. The PNG's ruimte:georef chunk projects EPSG:28992 to pixels and ruimte:labels
# gives the placed label boxes, so each check is on what a reader sees:
# - check_locations / check_parts: every location's marker shows its verdict's colour (from the
#   QGIS style in layer_styles) at its place, 'nee' included; no label box covers a marker;
# - region_balance (308 of 344 regions without claims): regions without claims share the zero
#   class's grey, claimed regions show at least three other colours; only claimed regions are
#   labelled;
# - a selection with candidate 145 (rank 1) locked out: every label names a chosen candidate and
#   sits next to it, the chosen markers show the 'gekozen' colour, the totals are the layer's,
#   the synthetic-data attribution survives;
# - excluded candidates on the score map are grey at their place.
# Needs Debian python3 with PIL, geopandas and shapely (else skip, 77).
set -uo pipefail
ruimte=$1 src=$2
/usr/bin/python3 -c "import PIL, geopandas, shapely" 2> /dev/null || { echo "SKIP: python3-pil, python3-geopandas needed"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$src"
G=data-samples/gemeenten.gpkg
set -e
"$ruimte" score --candidates data-samples/kandidaten.shp --profile data-samples/woningbouw.toml -o "$tmp/score.gpkg" -q > /dev/null
"$ruimte" check --locations data-samples/novex.gpkg:novex_locaties --wbs data-samples/wbs.gpkg:wbs \
  --by data-samples/waterschappen.gpkg:waterschappen:naam -o "$tmp/check.gpkg" -q > /dev/null
S=data-samples/claims/claims.gpkg
CLAIMS=()
for k in wonen werken landbouw natuur water energie infrastructuur defensie; do CLAIMS+=(--claim "$k=$S:$k"); done
"$ruimte" claims "${CLAIMS[@]}" --regions "$G:gemeenten:naam" -o "$tmp/claims.gpkg" -q > /dev/null
"$ruimte" select --scored "$tmp/score.gpkg" --target woningen=20000 --budget 'kosten_meu<=800' --lock-out 145 \
  -o "$tmp/select.gpkg" -q > /dev/null
for kind in check:check_locations check:check_parts claims:region_balance select:candidates_selected score:candidates_scored; do
  f=${kind%%:*} l=${kind#*:}
  "$ruimte" map "$tmp/$f.gpkg:$l" -o "$tmp/$l.png" --context "$G" --dpi 150 > "$tmp/$l.txt"
done
set +e
/usr/bin/python3 - "$tmp" <<'PY'
import re, sqlite3, sys
from collections import Counter
import geopandas as gpd
from PIL import Image
from shapely.geometry import Point

tmp = sys.argv[1]
fail = []

def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        fail.append(what)

def load(name):
    im = Image.open(f"{tmp}/{name}.png").convert("RGB")
    a, b, c = map(float, im.info["ruimte:georef"].split())
    labels = []
    for line in im.info.get("ruimte:labels", "").splitlines():
        box, text = line.split("\t", 1)
        labels.append((tuple(map(float, box.split())), text))
    to_px = lambda x, y: (a + b * x, c - b * y)
    return im, to_px, labels

def colour_at(im, x, y, r=1):
    """The most common colour in a (2r+1)^2 window."""
    px = [im.getpixel((int(round(x)) + dx, int(round(y)) + dy)) for dx in range(-r, r + 1) for dy in range(-r, r + 1)]
    return Counter(px).most_common(1)[0][0]

def near(c1, c2, tol=24):
    return all(abs(p - q) <= tol for p, q in zip(c1, c2))

def style_colours(gpkg, table):
    """value -> (r, g, b) of the default QGIS style in layer_styles: its rule-based classes
    (filters such as ("verdict" = 'ja'), ("claim_count" = 2) or (if("selected", 1, 0) = 1)),
    or the categories of an older categorized style."""
    qml = sqlite3.connect(gpkg).execute("SELECT styleQML FROM layer_styles WHERE f_table_name = ?", (table,)).fetchone()[0]
    cats = {v: s for s, v in re.findall(r'<category[^>]*symbol="(\d+)"[^>]*value="([^"]*)"', qml)}
    for flt, label, sym_id in re.findall(r'<rule [^>]*filter="([^"]*)"[^>]*label="([^"]*)"[^>]*symbol="(\d+)"', qml):
        if label == "uitgesloten":  # the excluded rule comes first; its colour is not a class's
            continue
        flt = flt.replace("&quot;", '"').replace("&apos;", "'")
        m = re.search(r"= '([^']*)'\)?$", flt) or re.search(r"= (-?[\d.]+)\)?$", flt)
        if m:
            cats.setdefault(m.group(1), sym_id)
    sym = {}
    for m in re.finditer(r'<symbol [^>]*name="(\d+)"', qml):
        col = re.search(r'name="color" type="QString" value="(\d+),(\d+),(\d+)', qml[m.end():])
        sym[m.group(1)] = tuple(int(x) for x in col.groups())
    return {v: sym[s] for v, s in cats.items()}

def inside(box, x, y):
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]

# 1. Water board check: each verdict's marker visible at its place, labels never on a marker.
for layer in ("check_locations", "check_parts"):
    im, to_px, labels = load(layer)
    colours = style_colours(f"{tmp}/check.gpkg", layer)
    df = gpd.read_file(f"{tmp}/check.gpkg", layer=layer)
    seen, covered, wrong = Counter(), [], []
    for geom, verdict in zip(df.geometry, df.verdict):
        p = geom.representative_point()
        x, y = to_px(p.x, p.y)
        got = colour_at(im, x, y)
        if near(got, colours[verdict]):
            seen[verdict] += 1
        else:
            wrong.append((verdict, got, colours[verdict]))
        covered += [t for box, t in labels if inside(box, x, y)]
    want = Counter(df.verdict)
    check(seen == want, f"{layer}: every marker shows its verdict's colour at its place ({dict(seen)}); wrong: {wrong[:3]}")
    check(seen["nee"] > 0 and seen["nee"] == want["nee"], f"{layer}: all {want['nee']} 'nee' markers visible")
    check(not covered, f"{layer}: no label over a marker (covering: {covered[:3]})")
    check(len(labels) >= 0.8 * len(df), f"{layer}: {len(labels)} of {len(df)} labelled")

# 2. Claim pressure: zero apart, more than one class, only claimed regions labelled.
im, to_px, labels = load("region_balance")
df = gpd.read_file(f"{tmp}/claims.gpkg", layer="region_balance")
zero_colours, claimed_colours = Counter(), Counter()
for geom, pressure in zip(df.geometry, df.claim_pressure):
    minx, miny, maxx, maxy = geom.bounds
    votes = Counter()
    for i in range(1, 8):
        for j in range(1, 8):
            x, y = minx + (maxx - minx) * i / 8, miny + (maxy - miny) * j / 8
            if geom.contains(Point(x, y)):
                votes[im.getpixel(tuple(int(round(v)) for v in to_px(x, y)))] += 1
    if not votes:
        continue
    colour = votes.most_common(1)[0][0]
    (zero_colours if pressure == 0 else claimed_colours)[colour] += 1
zero_main = zero_colours.most_common(1)[0]
check(zero_main[1] >= 0.9 * sum(zero_colours.values()), f"region_balance: unclaimed regions share one colour {zero_main}")
others = [c for c, n in claimed_colours.items() if n >= 1 and not near(c, zero_main[0], 8)]
check(len(others) >= 3, f"region_balance: claimed regions in {len(others)} other colours: {claimed_colours.most_common(6)}")
claimed = set(df.loc[df.claim_pressure > 0, "region"])
check(labels and all(t in claimed for _, t in labels), f"region_balance: {len(labels)} labels, all on claimed regions")
legend = open(f"{tmp}/region_balance.txt").read()
check(re.search(r"Legend: \[0\] \[0 - 0,\d+\]", legend) is not None, "region_balance: legend starts with the zero class, decimal comma")

# 3. Selection: labels on the chosen set, beside their marker, and the totals box.
im, to_px, labels = load("candidates_selected")
colours = style_colours(f"{tmp}/select.gpkg", "candidates_selected")
df = gpd.read_file(f"{tmp}/select.gpkg", layer="candidates_selected")
chosen = df[df.selected == 1]
names = dict(zip(chosen.naam, chosen.geometry))
check(145 not in set(chosen.candidate_id), "select: the locked-out candidate 145 is not chosen")
locked = df.loc[df.candidate_id == 145, "naam"].iloc[0]
check(labels and all(t in names for _, t in labels) and locked not in [t for _, t in labels],
      f"select: {len(labels)} labels, all names of chosen candidates, none on {locked}")
far = []
for box, t in labels:
    p = names[t].representative_point()
    x, y = to_px(p.x, p.y)
    dx, dy = max(box[0] - x, 0, x - box[2]), max(box[1] - y, 0, y - box[3])
    if (dx * dx + dy * dy) ** 0.5 > 15 / 25.4 * 150:  # 15 mm
        far.append(t)
check(not far, f"select: every label within 15 mm of its candidate (far: {far[:3]})")
ok = sum(near(colour_at(im, *to_px(g.representative_point().x, g.representative_point().y)), colours["1"]) for g in chosen.geometry)
check(ok == len(chosen), f"select: {ok} of {len(chosen)} chosen markers show the 'gekozen' colour")
out = open(f"{tmp}/candidates_selected.txt").read()
homes = int(round(chosen.woningen.sum()))
want = f"Totals: [locaties: {len(chosen)}] [woningen: {homes:,}]".replace(",", ".")
check(want in out, f"select: {want}")
check("Gegevens: synthetisch" in out, "select: the synthetic-data attribution survives a score output as input")

# 4. Excluded candidates grey (with a light hatch) at their place on the score map.
im, to_px, labels = load("candidates_scored")
df = gpd.read_file(f"{tmp}/score.gpkg", layer="candidates_scored")
# Excluded candidates lie under the others: count those whose marker no other marker covers
# (anchors more than two marker radii, 2 x 1.15 mm, from every candidate that is not excluded).
a_px_per_m = to_px(1, 0)[0] - to_px(0, 0)[0]
clear_m = 2 * 1.15 / 25.4 * 150 / a_px_per_m
anchors = [(g.representative_point(), e) for g, e in zip(df.geometry, df.excluded)]
free = [p for p, e in anchors if e == 1 and all(p.distance(q) > clear_m for q, f in anchors if f == 0)]
greys = 0
for p in free:
    x, y = to_px(p.x, p.y)
    r, gg, b = [sum(im.getpixel((int(x) + dx, int(y) + dy))[k] for dx in (-2, -1, 0, 1, 2) for dy in (-2, -1, 0, 1, 2)) / 25 for k in range(3)]
    greys += abs(r - gg) < 6 and abs(gg - b) < 6 and 140 < r < 235
check(len(free) >= 40 and greys == len(free),
      f"score: {greys} of {len(free)} excluded candidates clear of other markers grey at their place ({len(df[df.excluded == 1])} excluded)")
sys.exit(1 if fail else 0)
PY
rc=$?
[ $rc = 0 ] && echo "map_pixels: markers, labels, classes, selection and exclusions as seen in the PNGs"
exit $rc
