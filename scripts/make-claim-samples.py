#!/usr/bin/python3
"""Generate the SYNTHETIC land-claim sample layers in data-samples/claims/ for `ruimte claims`.

Run with Debian's Python (python3-shapely 1.8, python3-fiona, python3-numpy):

    /usr/bin/python3 scripts/make-claim-samples.py data-samples/claims

Writes claims.gpkg with one layer per claim kind (wonen, werken, landbouw, natuur, water,
defensie, energie, infrastructuur) in EPSG:28992, inside the real municipalities around
Utrecht, Amersfoort and the Gelderse Vallei (36 municipalities of data-samples/gemeenten.gpkg
whose representative point lies in x 120-175 km, y 435-475 km). Every shape and name is made
up with a fixed seed: SYNTHETIC, not for decisions. The output is byte-identical on every run
(fixed seed, fixed GeoPackage timestamps, VACUUM).

Built in on purpose: polygons of one claim that overlap each other (wonen, werken, natuur),
a natuur polygon with a hole that a water polygon fills exactly, a landbouw coverage that the
other claims overlap, thin infrastructure corridors that cut through everything.
"""

import math
import os
import sqlite3
import sys

import fiona
import numpy as np
from fiona.crs import CRS
from shapely.geometry import LineString, MultiPoint, MultiPolygon, Point, Polygon, box, mapping, shape
from shapely.ops import unary_union, voronoi_diagram
from shapely.prepared import prep
from shapely.validation import make_valid

SEED = 20260402
EPSG = 28992
FIXED_TIMESTAMP = "2026-01-01T00:00:00.000Z"
FRAME = box(120000, 435000, 175000, 475000)
SYNTH = "SYNTHETIC sample claims, made up by scripts/make-claim-samples.py (not real, not for decisions): "
KINDS = ["wonen", "werken", "landbouw", "natuur", "water", "defensie", "energie", "infrastructuur"]
DESCRIPTIONS = {
    "wonen": "housing claims (new neighbourhoods), some overlapping each other",
    "werken": "business park claims, some overlapping each other",
    "landbouw": "agricultural areas, a coverage of most of the rural land",
    "natuur": "nature claims, one with a hole that a water claim fills, two overlapping",
    "water": "floodplain strips along two rivers and water storage areas",
    "defensie": "military training areas",
    "energie": "solar fields and wind search areas",
    "infrastructuur": "road and rail corridors (80 m wide)",
}


def polygons_of(g):
    if g.is_empty:
        return []
    if g.geom_type == "Polygon":
        return [g]
    if g.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for part in g.geoms for p in polygons_of(part)]
    return []


def clean(g):
    if not g.is_valid:
        g = make_valid(g)
    return MultiPolygon([p for p in polygons_of(g) if p.area > 1.0])


def rounded(g):
    def ring(coords):
        return [(round(x, 2), round(y, 2)) for x, y in coords]
    polys = [Polygon(ring(p.exterior.coords), [ring(r.coords) for r in p.interiors]) for p in polygons_of(g)]
    return clean(MultiPolygon(polys))


def star(rng, cx, cy, area_m2, irregularity=0.35):
    n = int(rng.integers(9, 20))
    ang = np.cumsum(rng.uniform(0.5, 1.5, n))
    ang = ang / ang[-1] * 2 * math.pi + rng.uniform(0, 2 * math.pi)
    r = np.ones(n)
    for k in (1, 2, 3):
        r += rng.uniform(0, irregularity / k) * np.cos(k * ang + rng.uniform(0, 2 * math.pi))
    r = np.clip(r * rng.uniform(0.9, 1.1, n), 0.45, 1.7)
    unit = Polygon(list(zip(r * np.cos(ang), r * np.sin(ang))))
    s = math.sqrt(area_m2 / unit.area)
    return Polygon([(cx + s * x, cy + s * y) for x, y in zip(r * np.cos(ang), r * np.sin(ang))])


def random_point(rng, geom, prepared):
    minx, miny, maxx, maxy = geom.bounds
    while True:
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if prepared.contains(p):
            return p.x, p.y


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "data-samples/claims"
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rng = np.random.default_rng(SEED)

    gem = []
    with fiona.open(os.path.join(repo, "data-samples", "gemeenten.gpkg"), layer="gemeenten") as src:
        for f in src:
            g = shape(f["geometry"])
            if FRAME.contains(g.representative_point()):
                gem.append((f["properties"]["naam"], g))
    gem.sort()
    land = unary_union([g for _, g in gem]).buffer(0)
    land_prep = prep(land)
    centres = {n: g.representative_point() for n, g in gem}

    layers = {k: [] for k in KINDS}

    def add(kind, naam, geom):
        g = rounded(geom.intersection(land))
        if not g.is_empty:
            layers[kind].append((naam, g))

    # wonen: around the town centres; the 'fase 2' polygons overlap their 'fase 1' on purpose.
    for naam, _ in gem:
        c = centres[naam]
        for k in range(int(rng.integers(1, 3))):
            ang = rng.uniform(0, 2 * math.pi)
            d = rng.uniform(800, 2500)
            cx, cy = c.x + d * math.cos(ang), c.y + d * math.sin(ang)
            area = rng.uniform(20, 160) * 1e4
            add("wonen", f"Uitbreiding {naam} {k + 1}", star(rng, cx, cy, area))
            if rng.uniform() < 0.25:
                add("wonen", f"Uitbreiding {naam} {k + 1} fase 2", star(rng, cx + 300, cy + 200, area * 0.6))
    # werken: business parks near the larger towns, two of them overlapping.
    for i, naam in enumerate(["Utrecht", "Amersfoort", "Veenendaal", "Nieuwegein", "Woerden", "Barneveld",
                              "Houten", "Culemborg", "Nijkerk", "Zeist", "Leusden", "Rhenen"]):
        c = centres[naam]
        cx, cy = c.x + rng.normal(0, 1500), c.y + rng.normal(0, 1500)
        add("werken", f"Bedrijventerrein {naam}", star(rng, cx, cy, rng.uniform(15, 120) * 1e4, 0.2))
        if i < 2:
            add("werken", f"Bedrijventerrein {naam} uitbreiding", star(rng, cx + 400, cy - 300, 40e4, 0.2))
    # natuur: large blobs; the first has a hole that water fills (see below); two overlap.
    hole = None
    for i in range(10):
        cx, cy = random_point(rng, land, land_prep)
        g = star(rng, cx, cy, rng.uniform(300, 2500) * 1e4, 0.3)
        if i == 0:
            hole = star(rng, cx, cy, g.area * 0.15, 0.1)
            g = g.difference(hole)
        add("natuur", f"Natuurgebied {i + 1}", g)
        if i == 1:
            add("natuur", "Natuurgebied 2 (verbinding)", star(rng, cx + 1500, cy + 800, 250e4, 0.2))
    # water: floodplain strips along synthetic courses of Lek/Nederrijn and Eem, storage areas,
    # and the hole of Natuurgebied 1.
    lek = LineString([(120000, 441500), (135000, 443500), (145000, 441800), (155000, 443000), (165000, 441500),
                      (175000, 442500)])
    eem = LineString([(155000, 462000), (152500, 467000), (150500, 471000), (149000, 475000)])
    add("water", "Uiterwaarden Lek en Nederrijn", lek.buffer(450, cap_style=2))
    add("water", "Eemvallei", eem.buffer(250, cap_style=2))
    for i in range(8):
        cx, cy = random_point(rng, land, land_prep)
        add("water", f"Waterberging {i + 1}", star(rng, cx, cy, rng.uniform(40, 350) * 1e4, 0.25))
    add("water", "Waterberging in Natuurgebied 1", hole)
    # landbouw: Voronoi cells over the land, about two thirds of them.
    pts = MultiPoint([random_point(rng, land, land_prep) for _ in range(60)])
    env = box(115000, 430000, 180000, 480000)  # held in a variable: shapely 1.8 crashes on a temporary
    cells = sorted(voronoi_diagram(pts, envelope=env).geoms, key=lambda c: (round(c.centroid.x), round(c.centroid.y)))
    for i, c in enumerate(cells):
        if rng.uniform() < 0.65:
            add("landbouw", f"Landbouwgebied {i + 1}", c)
    # defensie
    for i in range(3):
        cx, cy = random_point(rng, land, land_prep)
        add("defensie", f"Oefenterrein {i + 1}", star(rng, cx, cy, rng.uniform(200, 1200) * 1e4, 0.2))
    # energie: rotated rectangles (solar) and wind search areas (buffered short lines)
    for i in range(12):
        cx, cy = random_point(rng, land, land_prep)
        w, h = rng.uniform(200, 900), rng.uniform(200, 700)
        a = rng.uniform(0, math.pi)
        corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
        add("energie", f"Zonneveld {i + 1}",
            Polygon([(cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a)) for x, y in corners]))
    for i in range(4):
        cx, cy = random_point(rng, land, land_prep)
        a = rng.uniform(0, math.pi)
        L = rng.uniform(2000, 5000)
        line = LineString([(cx - L / 2 * math.cos(a), cy - L / 2 * math.sin(a)), (cx + L / 2 * math.cos(a), cy + L / 2 * math.sin(a))])
        add("energie", f"Zoekgebied wind {i + 1}", line.buffer(300))
    # infrastructuur: corridors 80 m wide along rough synthetic courses of A12, A28, A27 and a railway.
    roads = {
        "A12": [(120000, 452000), (130000, 452500), (137000, 453000), (145000, 450500), (160000, 449000), (175000, 447500)],
        "A28": [(135000, 455500), (145000, 459000), (155000, 462500), (165000, 468500), (175000, 472000)],
        "A27": [(137000, 475000), (139000, 462000), (138500, 452000), (137500, 440000), (136000, 435000)],
        "Spoorlijn Utrecht-Amersfoort": [(136000, 455800), (145000, 458500), (154000, 462500)],
    }
    for naam, coords in roads.items():
        add("infrastructuur", naam, LineString(coords).buffer(40, cap_style=2, join_style=2))

    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "claims.gpkg")
    if os.path.exists(path):
        os.remove(path)
    schema = {"geometry": "MultiPolygon", "properties": {"naam": "str"}}
    for kind in KINDS:
        with fiona.open(path, "w", driver="GPKG", layer=kind, schema=schema, crs=CRS.from_epsg(EPSG)) as dst:
            for naam, g in layers[kind]:
                dst.write({"geometry": mapping(g), "properties": {"naam": naam}})
    con = sqlite3.connect(path)
    con.execute("UPDATE gpkg_contents SET last_change = ?", (FIXED_TIMESTAMP,))
    for kind in KINDS:
        con.execute("UPDATE gpkg_contents SET description = ? WHERE table_name = ?", (SYNTH + DESCRIPTIONS[kind], kind))
    con.commit()
    con.execute("VACUUM")
    con.close()
    for kind in KINDS:
        n_v = sum(len(p.exterior.coords) + sum(len(r.coords) for r in p.interiors)
                  for _, g in layers[kind] for p in polygons_of(g))
        print(f"{kind:15s} {len(layers[kind]):3d} features {n_v:6d} vertices")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
