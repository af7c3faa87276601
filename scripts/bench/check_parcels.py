#!/usr/bin/env python3
"""Check a workload written by make_parcels.py; exit 1 with the reasons if it is not as promised.

  candidates        every ring 10-60 coordinates, 0.05-5 ha, valid; a tessellation: the area of
                    the union equals the sum of the areas (relative 1e-9: no overlaps), every
                    parcel shares an edge (a line, not a point) with at least one neighbour, and
                    the vertices are shared exactly (same doubles) between neighbours
  wbs               at least 1,000,000 vertices, klasse only the 5 WBS classes (all present)
  capaciteitskaart  klasse only the 4 netcongestie classes; a tessellation like the parcels

Usage: check_parcels.py WORKLOAD.gpkg [--parcels N]
Needs python3-shapely (1.8 is enough) and python3-numpy.
"""
import argparse
import sqlite3
import sys
import warnings

import numpy as np
from shapely import wkb
from shapely.ops import unary_union
from shapely.strtree import STRtree

warnings.filterwarnings("ignore", "STRtree will be changed")

WBS_CLASSES = {"ja", "ja_mits_klein", "ja_mits_groot", "nee_tenzij", "nee"}
NET_CLASSES = {"geen_congestie", "beperkt", "wachtrij_afname", "wachtrij_afname_invoeding"}
ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def read(path, layer, columns=""):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = con.execute(f'SELECT geom{columns} FROM "{layer}" ORDER BY fid').fetchall()
    con.close()
    geoms = [wkb.loads(bytes(g[8 + ENVELOPE_BYTES[(g[3] >> 1) & 7]:])) for g, *_ in rows]
    return geoms, [r[1:] for r in rows]


def tessellation(name, geoms, errors):
    areas = np.array([g.area for g in geoms])
    union = unary_union(geoms).area
    rel = abs(union - areas.sum()) / areas.sum()
    if rel > 1e-9:
        errors.append(f"{name}: union area {union:.3f} differs from the sum {areas.sum():.3f} (rel {rel:.2e})")
    tree = STRtree(geoms)
    index = {id(g): i for i, g in enumerate(geoms)}
    lonely, shared_edges = 0, 0
    for i, g in enumerate(geoms):
        edges = 0
        for o in tree.query(g):
            if index[id(o)] != i and g.boundary.intersection(o.boundary).length > 0:
                edges += 1
        shared_edges += edges
        lonely += edges == 0
    if lonely:
        errors.append(f"{name}: {lonely} polygons share no edge with a neighbour")
    coords = np.vstack([np.asarray(g.exterior.coords)[:-1] for g in geoms])
    _, seen = np.unique(coords, axis=0, return_counts=True)
    shared = (seen >= 2).sum() / len(seen)
    print(f"{name}: {len(geoms)} polygons, union/sum area {union / areas.sum():.12f}, "
          f"{shared_edges / len(geoms):.2f} edge-sharing neighbours each, {100 * shared:.1f} % of the "
          f"distinct vertices held by two or more polygons")
    if shared < 0.5:
        errors.append(f"{name}: only {100 * shared:.1f} % of the vertices are shared between neighbours")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload")
    ap.add_argument("--parcels", type=int)
    a = ap.parse_args()
    errors = []

    geoms, rows = read(a.workload, "candidates", ", id")
    if a.parcels is not None and len(geoms) != a.parcels:
        errors.append(f"candidates: {len(geoms)} parcels, expected {a.parcels}")
    if [r[0] for r in rows] != list(range(1, len(rows) + 1)):
        errors.append("candidates: id is not 1..N")
    nv = np.array([len(g.exterior.coords) for g in geoms])
    ha = np.array([g.area for g in geoms]) / 1e4
    print(f"candidates: {nv.min()}-{nv.max()} coordinates per ring (mean {nv.mean():.1f}), "
          f"{ha.min():.3f}-{ha.max():.3f} ha")
    if nv.min() < 10 or nv.max() > 60:
        errors.append(f"candidates: rings of {nv.min()}-{nv.max()} coordinates, not 10-60")
    if ha.min() < 0.05 or ha.max() > 5:
        errors.append(f"candidates: {ha.min():.4f}-{ha.max():.4f} ha, not 0.05-5")
    invalid = sum(not g.is_valid for g in geoms)
    if invalid or any(len(g.interiors) for g in geoms):
        errors.append(f"candidates: {invalid} invalid polygons or polygons with holes")
    tessellation("candidates", geoms, errors)

    geoms, rows = read(a.workload, "wbs", ", klasse")
    nv = sum(len(g.exterior.coords) + sum(len(r.coords) for r in g.interiors) for g in geoms)
    classes = {r[0] for r in rows}
    print(f"wbs: {len(geoms)} polygons, {nv} vertices, classes {sorted(classes)}")
    if nv < 1_000_000:
        errors.append(f"wbs: {nv} vertices, fewer than 1,000,000")
    if classes != WBS_CLASSES:
        errors.append(f"wbs: classes {sorted(classes)}")
    invalid = sum(not g.is_valid for g in geoms)
    if invalid:
        errors.append(f"wbs: {invalid} invalid polygons")

    geoms, rows = read(a.workload, "capaciteitskaart", ", klasse")
    classes = {r[0] for r in rows}
    if not classes <= NET_CLASSES or len(classes) < 2:
        errors.append(f"capaciteitskaart: classes {sorted(classes)}")
    if any(not g.is_valid for g in geoms):
        errors.append("capaciteitskaart: invalid polygons")
    tessellation("capaciteitskaart", geoms, errors)

    for e in errors:
        print(f"check_parcels.py: {e}", file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
