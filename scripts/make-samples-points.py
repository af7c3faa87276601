#!/usr/bin/python3
"""Generate the SYNTHETIC point and line sample layers in data-samples/ for ruimte.

    /usr/bin/python3 scripts/make-samples-points.py data-samples

Writes `stations.gpkg` (layer `stations`, points) and `hoogspanning.gpkg` (layer
`hoogspanning`, lines) in EPSG:28992, from `gemeenten.gpkg` and `kandidaten.shp` in the same
folder. Both are SYNTHETIC: made up with a fixed random seed, not the real railway stations or
high-voltage grid, not for decisions. Deterministic (fixed GeoPackage timestamps, VACUUMed),
with the helpers of scripts/make-samples.py.
"""

import argparse
import importlib.util
import os

import fiona
import numpy as np
from shapely.geometry import LineString, MultiLineString, Point, shape

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("make_samples", os.path.join(HERE, "make-samples.py"))
ms = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ms)

SEED = 20260102
SYNTH = "SYNTHETIC sample data, made up by scripts/make-samples-points.py (not real, not for decisions): "


def read(path, layer=None):
    kw = {"layer": layer} if layer else {}
    with fiona.open(path, **kw) as src:
        return [(shape(f["geometry"]), dict(f["properties"])) for f in src]


def stations(gemeenten, kandidaten, rng):
    """About 90 stations: one near the middle of 80 municipalities, and 8 inside candidates."""
    out = []
    order = sorted(gemeenten, key=lambda g: g[1]["naam"])
    for i in rng.choice(len(order), size=80, replace=False):
        geom, props = order[int(i)]
        p = geom.representative_point()
        for _ in range(20):  # jitter, staying inside the municipality
            q = Point(p.x + rng.normal(0, 800.0), p.y + rng.normal(0, 800.0))
            if geom.contains(q):
                p = q
                break
        soort = "intercity" if rng.random() < 0.3 else "sprinter"
        out.append((Point(round(p.x, 2), round(p.y, 2)), {"naam": "Station " + props["naam"], "soort": soort}))
    for i in rng.choice(len(kandidaten), size=8, replace=False):
        geom, props = kandidaten[int(i)]
        p = geom.representative_point()
        out.append((Point(round(p.x, 2), round(p.y, 2)), {"naam": "Station " + props["naam"], "soort": "sprinter"}))
    out.sort(key=lambda r: r[1]["naam"])
    return out


def polyline(a, b, rng, steps=8, wobble=2500.0):
    pts = [a]
    for k in range(1, steps):
        t = k / steps
        x = a[0] + (b[0] - a[0]) * t + rng.normal(0, wobble)
        y = a[1] + (b[1] - a[1]) * t + rng.normal(0, wobble)
        pts.append((x, y))
    pts.append(b)
    return [(round(x, 2), round(y, 2)) for x, y in pts]


def hoogspanning(gemeenten, kandidaten, rng):
    """14 lines between municipality centres; 4 of them start inside a candidate (so some
    candidates are crossed); one MultiLineString of two parts."""
    order = sorted(gemeenten, key=lambda g: g[1]["naam"])
    centres = [g.representative_point().coords[0] for g, _ in order]
    out = []
    picks = rng.choice(len(kandidaten), size=4, replace=False)
    for n in range(14):
        while True:
            a = centres[int(rng.integers(len(centres)))]
            b = centres[int(rng.integers(len(centres)))]
            if 40000 < np.hypot(a[0] - b[0], a[1] - b[1]) < 120000:
                break
        if n < 4:  # through a candidate: the line starts at its inner point
            a = kandidaten[int(picks[n])][0].representative_point().coords[0]
        kv = int(rng.choice([380, 220, 150]))
        out.append((LineString(polyline(a, b, rng)), {"naam": "Verbinding %02d" % (n + 1), "spanning_kv": kv}))
    # Two parts of one connection: a MultiLineString.
    a, b, c = (centres[int(i)] for i in rng.choice(len(centres), size=3, replace=False))
    out.append((MultiLineString([polyline(a, b, rng, 5), polyline(b, c, rng, 5)]),
                {"naam": "Verbinding 15 (twee delen)", "spanning_kv": 150}))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="the data-samples folder")
    args = ap.parse_args()
    rng = np.random.default_rng(SEED)
    gemeenten = read(os.path.join(args.out, "gemeenten.gpkg"), "gemeenten")
    kandidaten = read(os.path.join(args.out, "kandidaten.shp"))
    kandidaten.sort(key=lambda k: k[1]["id"])

    path = os.path.join(args.out, "stations.gpkg")
    ms.remove(path)
    ms.write_layer(path, "stations", {"geometry": "Point", "properties": {"naam": "str", "soort": "str"}},
                   stations(gemeenten, kandidaten, rng))
    ms.finish_gpkg(path, {"stations": SYNTH + "railway stations (points)"})

    path = os.path.join(args.out, "hoogspanning.gpkg")
    ms.remove(path)
    ms.write_layer(path, "hoogspanning",
                   {"geometry": "MultiLineString", "properties": {"naam": "str", "spanning_kv": "int"}},
                   [(g if g.geom_type == "MultiLineString" else MultiLineString([g]), p)
                    for g, p in hoogspanning(gemeenten, kandidaten, rng)])
    ms.finish_gpkg(path, {"hoogspanning": SYNTH + "high-voltage lines (lines)"})


if __name__ == "__main__":
    main()
