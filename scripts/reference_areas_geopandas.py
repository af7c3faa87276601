#!/usr/bin/python3
"""Reference areas with geopandas/shapely, independent of the ruimte engine.

Usage: reference_areas_geopandas.py WORKLOAD.gpkg OUT.csv

For every candidate (layer `candidates`, id field `id`) and each of the layers wbs and
netcongestie (class field `klasse`) and novex and nplv (class field `naam`): the area in m2
of the candidate in each class value, i.e. SUM(area(intersection(candidate, feature)))
grouped by candidate id and class, rows with area > 0 only.

Writes `candidate_id,layer,class,area_m2` sorted by candidate_id, layer (wbs, netcongestie,
novex, nplv), class (byte order), area with 6 decimals: the same format as
scripts/reference-areas.sh writes for SpatiaLite and PostGIS.

The method is geopandas' sjoin + intersection done by hand: Debian 12's geopandas 0.12 has
neither rtree nor pygeos here, so `sjoin`/`overlay` cannot build their spatial index; the
same candidate pairs come from shapely's STRtree, filtered with `intersects` on a prepared
candidate (what sjoin's predicate does), then GeoSeries.intersection(...).area per pair and
a pandas groupby. Needs Debian's python3-geopandas; run with /usr/bin/python3.
"""
import csv
import sys
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.prepared import prep
from shapely.strtree import STRtree

SHAPELY2 = int(shapely.__version__.split(".")[0]) >= 2

LAYERS = [("wbs", "klasse"), ("netcongestie", "klasse"), ("novex", "naam"), ("nplv", "naam")]


def candidate_pairs(cand_geoms, layer_geoms):
    """Index pairs (candidate, feature) whose geometries intersect (sjoin 'intersects')."""
    with warnings.catch_warnings():
        # Shapely 1.8 warns that STRtree changes in 2.0; both APIs are handled below.
        warnings.simplefilter("ignore")
        tree = STRtree(layer_geoms)
    # Indices into layer_geoms: query() in Shapely 2, query_items() in 1.8 (no items given).
    query = tree.query if SHAPELY2 else tree.query_items
    left, right = [], []
    for i, g in enumerate(cand_geoms):
        if g is None or g.is_empty:
            continue
        hits = query(g)
        if len(hits) == 0:
            continue
        pg = prep(g)
        for j in hits:
            if pg.intersects(layer_geoms[j]):
                left.append(i)
                right.append(j)
    return np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: reference_areas_geopandas.py WORKLOAD.gpkg OUT.csv")
    src, out = argv[1], argv[2]
    cand = gpd.read_file(src, layer="candidates")
    cand_geoms = list(cand.geometry)
    cand_ids = cand["id"].to_numpy()

    parts = []
    for order, (layer, field) in enumerate(LAYERS):
        df = gpd.read_file(src, layer=layer)
        keep = df.geometry.notna() & ~df.geometry.is_empty
        df = df[keep].reset_index(drop=True)
        layer_geoms = list(df.geometry)
        left, right = candidate_pairs(cand_geoms, layer_geoms)
        if len(left) == 0:
            continue
        a = gpd.GeoSeries([cand_geoms[i] for i in left], crs=cand.crs)
        b = gpd.GeoSeries([layer_geoms[j] for j in right], crs=cand.crs)
        area = a.intersection(b, align=False).area.to_numpy()
        parts.append(pd.DataFrame({
            "candidate_id": cand_ids[left],
            "order": order,
            "layer": layer,
            "class": df[field].to_numpy()[right].astype(str),
            "area_m2": area,
        }))

    cols = ["candidate_id", "order", "layer", "class"]
    if parts:
        res = pd.concat(parts, ignore_index=True).groupby(cols, as_index=False, sort=False)["area_m2"].sum()
        res = res[res["area_m2"] > 0]
        # Python's str ordering is code-point order, the same as SQLite's BINARY and COLLATE "C".
        res = res.sort_values(cols, kind="mergesort")
        rows = res[["candidate_id", "layer", "class", "area_m2"]].itertuples(index=False)
    else:
        rows = []

    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["candidate_id", "layer", "class", "area_m2"])
        for cid, layer, klass, area in rows:
            w.writerow([int(cid), layer, klass, f"{area:.6f}"])


if __name__ == "__main__":
    main(sys.argv)
