#!/usr/bin/env python3
"""Deterministic parcels workload: N cadastre-like parcels on detailed layers (EPSG:28992).

Writes one GeoPackage with five layers, named so that scripts/bench/workload.toml scores it:
  candidates        N parcels (fields id, woningen): a tessellation, so neighbours share
                    edges and vertices exactly (same doubles), no gaps, no overlaps;
                    10-60 vertices (ring coordinates, closing one included), 0.05-5 ha
  wbs               WBS-like class layer (field klasse, the 5 WBS classes), a coarser
                    tessellation over the parcels with densely wiggled edges: at least
                    1,000,000 vertices whatever N is
  capaciteitskaart  capaciteitskaart-like layer from a PC6-like tessellation (fields pc6,
                    regio, klasse with the 4 netcongestie classes): many small polygons,
                    about one per 15 ha
  novex, nplv       17 and 20 star-shaped areas (field naam) inside the parcels' extent
Score it with
  ruimte score --candidates OUT:candidates --profile scripts/bench/workload.toml \\
    --layer wbs=OUT:wbs --layer netcongestie=OUT:capaciteitskaart \\
    --layer novex=OUT:novex --layer nplv=OUT:nplv --output scored.gpkg

How the parcels are made: a rectilinear grid whose column widths and row heights are drawn
log-uniformly from 32-180 m, every lattice node jittered by up to 18 % of the narrower
neighbouring column/row, every lattice edge densified with 2-13 points pushed sideways
(tapered towards the corners). An edge is computed once and walked forwards by one cell
and backwards by the other, so both sides hold the same vertices. The grid (about
sqrt(N) x sqrt(N) cells, the first N in row-major order) is centred in the RD bounding
area (13000-278000, 306000-619000); 1 million parcels cover about 85 x 85 km (a large
province), 9 million about 257 x 257 km, which still fits the RD area; more than about
9.5 million is refused.
It is not clipped to a real province outline: the repository carries none.

Why a new script and not a flag of make_workload.py: shapely here is 1.8 (Debian), which
has no vectorised array functions, and geopandas/fiona write one feature at a time; a
million parcels that way take far too long. This script builds the rings with numpy
(a whole block of grid rows at once) and writes the GeoPackage itself with sqlite3
(GeoPackage 1.2 tables, geometry blobs with envelopes, the gpkg_rtree_index R-tree and
its triggers, as GDAL writes them), so it needs only numpy and Python's sqlite3. It
leaves make_workload.py, and the benchmark caches keyed on its hash, untouched.

Deterministic: the same arguments give the same bytes (the random numbers of each grid
row come from a generator seeded with (seed, layer, row), so the blocking does not
matter; gpkg_contents.last_change is a fixed date). Tested by tests/cli/workload_parcels.sh.

Measured on the 2-core development machine (2026-12-07, load average 5-6 from other jobs;
/usr/bin/time, the whole script, default --seed and --wbs-cells):
  --parcels   100000:  3.6-4.6 s, peak 0.31 GB, 117 MB file (wbs 1,327,798 vertices)
  --parcels  1000000: 37.6-41.5 s, peak 0.45 GB, 819 MB file (35.0 M parcel vertices)
Time and file size grow linearly with N; memory little (rings are built and written 65,536
cells at a time). See docs/BENCHMARKS.md, "Parcels workload".

Usage: make_parcels.py OUT.gpkg [--parcels N] [--seed S] [--wbs-cells K]
"""
import argparse
import math
import os
import sqlite3
import sys

import numpy as np

XMIN, YMIN, XMAX, YMAX = 13000.0, 306000.0, 278000.0, 619000.0
SRS_ID = 28992
WBS_CLASSES = ["ja", "ja_mits_klein", "ja_mits_groot", "nee_tenzij", "nee"]
NET_CLASSES = ["geen_congestie", "beperkt", "wachtrij_afname", "wachtrij_afname_invoeding"]
LAST_CHANGE = "2026-01-01T00:00:00.000Z"
RD_WKT = (
    'PROJCS["Amersfoort / RD New",GEOGCS["Amersfoort",DATUM["Amersfoort",SPHEROID["Bessel 1841",'
    '6377397.155,299.1528128,AUTHORITY["EPSG","7004"]],AUTHORITY["EPSG","6289"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AUTHORITY["EPSG","4289"]],PROJECTION["Oblique_Stereographic"],PARAMETER["latitude_of_origin",'
    '52.1561605555556],PARAMETER["central_meridian",5.38763888888889],PARAMETER["scale_factor",0.9999079],'
    'PARAMETER["false_easting",155000],PARAMETER["false_northing",463000],UNIT["metre",1,AUTHORITY["EPSG",'
    '"9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","28992"]]')
CELLS_PER_BLOCK = 65536  # cells whose rings are built at once (bounds memory, not the output)

# ---------------------------------------------------------------------------------------------
# Tessellation: a jittered rectilinear grid with densified, shared edges


class Tessellation:
    """Cells of a jittered grid; rows of edge points are drawn from per-row generators."""

    def __init__(self, seed, layer, xs, ys, jitter, kmin, kmax, amp):
        self.seed, self.layer = seed, layer
        self.xs, self.ys = xs, ys
        self.nx, self.ny = len(xs) - 1, len(ys) - 1
        self.kmin, self.kmax, self.amp = kmin, kmax, amp
        w, h = np.diff(xs), np.diff(ys)
        # the narrower neighbouring column (row) of each lattice node bounds its jitter
        self.wn = np.minimum(np.r_[w[0], w], np.r_[w, w[-1]])
        self.hn = np.minimum(np.r_[h[0], h], np.r_[h, h[-1]])
        self.w, self.h = w, h
        rng = np.random.default_rng([seed, layer, 0])
        jx = rng.uniform(-jitter, jitter, (self.ny + 1, self.nx + 1)) * self.wn[None, :]
        jy = rng.uniform(-jitter, jitter, (self.ny + 1, self.nx + 1)) * self.hn[:, None]
        self.px = xs[None, :] + jx  # [row j, column i]
        self.py = ys[:, None] + jy

    def _edge_points(self, ax, ay, bx, by, width, kind, row):
        """Points inside edges a->b (arrays of one lattice row): (x, y, valid) of shape (n, kmax)."""
        rng = np.random.default_rng([self.seed, self.layer, kind, row])
        n = ax.shape[0]
        k = rng.integers(self.kmin, self.kmax + 1, n)
        u = rng.uniform(-1.0, 1.0, (n, self.kmax))
        m = np.arange(self.kmax)[None, :]
        t = (m + 1) / (k[:, None] + 1)
        dx, dy = bx - ax, by - ay
        length = np.hypot(dx, dy)
        off = (self.amp * np.minimum(length, width))[:, None] * np.sin(np.pi * t) * u
        ex = ax[:, None] + t * dx[:, None] - off * (dy / length)[:, None]
        ey = ay[:, None] + t * dy[:, None] + off * (dx / length)[:, None]
        return ex, ey, m < k[:, None]

    def horizontal(self, j):
        """Edges along lattice row j, from node (i, j) to (i+1, j)."""
        px, py = self.px[j], self.py[j]
        across = min(self.h[max(j - 1, 0)], self.h[min(j, self.ny - 1)])
        return self._edge_points(px[:-1], py[:-1], px[1:], py[1:], np.minimum(self.w, across), 1, j)

    def vertical(self, j):
        """Edges of cell row j in lattice column i, from node (i, j) to (i, j+1)."""
        return self._edge_points(self.px[j], self.py[j], self.px[j + 1], self.py[j + 1],
                                 np.minimum(self.wn, self.h[j]), 2, j)

    def rows(self, limit):
        """Yield (coords (T, 2), counts (n,)) for blocks of cell rows, at most `limit` cells."""
        rows_per_block = max(1, CELLS_PER_BLOCK // self.nx)
        done = 0
        below = self.horizontal(0)
        for j0 in range(0, self.ny, rows_per_block):
            parts = []
            for j in range(j0, min(j0 + rows_per_block, self.ny)):
                above = self.horizontal(j + 1)
                parts.append(self._row_rings(j, below, above, self.vertical(j)))
                below = above
            x = np.concatenate([p[0] for p in parts])
            y = np.concatenate([p[1] for p in parts])
            v = np.concatenate([p[2] for p in parts])
            take = min(len(x), limit - done)
            x, y, v = x[:take], y[:take], v[:take]
            done += take
            yield np.column_stack([x[v], y[v]]), v.sum(axis=1)
            if done >= limit:
                return

    def _row_rings(self, j, below, above, vert):
        """Padded rings of the cells in row j: bottom edge forwards, right edge forwards, top
        edge backwards, left edge backwards; (x, y, valid) of shape (nx, 5 + 4 kmax)."""
        px0, py0, px1, py1 = self.px[j], self.py[j], self.px[j + 1], self.py[j + 1]
        one = np.ones((self.nx, 1), bool)
        bx, by, bv = below
        ax, ay, av = above
        vx, vy, vv = vert
        xs = [px0[:-1, None], bx, px0[1:, None], vx[1:], px1[1:, None], ax[:, ::-1], px1[:-1, None],
              vx[:-1, ::-1], px0[:-1, None]]
        ys = [py0[:-1, None], by, py0[1:, None], vy[1:], py1[1:, None], ay[:, ::-1], py1[:-1, None],
              vy[:-1, ::-1], py0[:-1, None]]
        vs = [one, bv, one, vv[1:], one, av[:, ::-1], one, vv[:-1, ::-1], one]
        return np.hstack(xs), np.hstack(ys), np.hstack(vs)

    def centres(self):
        """Cell centres of the unjittered grid, row-major."""
        cx = (self.xs[:-1] + self.xs[1:]) / 2
        cy = (self.ys[:-1] + self.ys[1:]) / 2
        return np.tile(cx, self.ny), np.repeat(cy, self.nx)


def log_uniform_breaks(rng, n, lo, hi, start):
    widths = np.exp(rng.uniform(math.log(lo), math.log(hi), n))
    return start + np.r_[0.0, np.cumsum(widths)]


def even_breaks(rng, n, start, end, spread):
    widths = rng.uniform(1 - spread, 1 + spread, n)
    return start + np.r_[0.0, np.cumsum(widths)] * (end - start) / widths.sum()


def noise_classes(seed, layer, x, y, weights, scale):
    """Class index per point from a smooth field (sum of sinusoids), split by rank."""
    rng = np.random.default_rng([seed, layer, 9])
    v = np.zeros_like(x)
    for k in range(5):
        fx, fy = rng.uniform(0.5, 2.0, 2) * (2 * math.pi / scale) * rng.choice([-1, 1], 2)
        v += np.sin(x * fx + y * fy + rng.uniform(0, 2 * math.pi)) / (k + 1)
    v += rng.normal(0, 0.15, len(x))  # a little cell-to-cell variation
    rank = np.argsort(np.argsort(v, kind="stable"), kind="stable") / max(len(v), 1)
    return np.searchsorted(np.cumsum(weights)[:-1] / np.sum(weights), rank, side="right")


# ---------------------------------------------------------------------------------------------
# GeoPackage writing (sqlite3, the tables GDAL writes)

GPKG_HEADER = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs", "<i4"),
                        ("minx", "<f8"), ("maxx", "<f8"), ("miny", "<f8"), ("maxy", "<f8"),
                        ("order", "u1"), ("type", "<u4"), ("rings", "<u4"), ("points", "<u4")])


def blobs(coords, counts):
    """GeoPackage geometry blobs (little endian, XY envelope, WKB polygon of one ring)."""
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    hdr = np.zeros(len(counts), GPKG_HEADER)
    hdr["magic"], hdr["flags"], hdr["srs"] = b"GP", 0x03, SRS_ID
    hdr["minx"] = np.minimum.reduceat(coords[:, 0], starts)
    hdr["maxx"] = np.maximum.reduceat(coords[:, 0], starts)
    hdr["miny"] = np.minimum.reduceat(coords[:, 1], starts)
    hdr["maxy"] = np.maximum.reduceat(coords[:, 1], starts)
    hdr["order"], hdr["type"], hdr["rings"], hdr["points"] = 1, 3, 1, counts
    hb, cb, size = hdr.tobytes(), coords.astype("<f8").tobytes(), GPKG_HEADER.itemsize
    out = [hb[i * size:(i + 1) * size] + cb[16 * s:16 * (s + n)]
           for i, (s, n) in enumerate(zip(starts.tolist(), counts.tolist()))]
    return out, hdr


def ring_areas(coords, counts):
    """Shoelace area of each closed ring."""
    x, y = coords[:, 0], coords[:, 1]
    cross = np.r_[x[:-1] * y[1:] - x[1:] * y[:-1], 0.0]
    ends = np.cumsum(counts) - 1
    cross[ends] = 0.0
    return np.add.reduceat(cross, np.r_[0, ends[:-1] + 1]) / 2


def create_gpkg(path):
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path)
    con.executescript(f"""
PRAGMA application_id = 1196444487; PRAGMA user_version = 10200;
PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL,srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,organization_coordsys_id INTEGER NOT NULL,definition TEXT NOT NULL,
  description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,description TEXT DEFAULT '',last_change DATETIME NOT NULL DEFAULT
  (strftime('%Y-%m-%dT%H:%M:%fZ','now')),min_x DOUBLE, min_y DOUBLE,max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER,CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL,column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,srs_id INTEGER NOT NULL,z TINYINT NOT NULL,m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),CONSTRAINT uk_gc_table_name UNIQUE
  (table_name),CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE (table_name, column_name,
  extension_name));
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined Cartesian SRS',-1,'NONE',-1,'undefined','undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS',0,'NONE',0,'undefined','undefined geographic coordinate reference system'),
  ('Amersfoort / RD New',{SRS_ID},'EPSG',{SRS_ID},'{RD_WKT}',NULL);
""")
    return con


def write_layer(con, name, fields, chunks):
    """chunks yields (coords, counts, columns): columns is a list of per-feature value lists in
    the order of `fields` [(name, sql type)]. Returns (features, vertices, min/max vertices,
    min/max area)."""
    cols = ", ".join(f'"{f}" {t}' for f, t in fields)
    con.execute(f'CREATE TABLE "{name}" ("fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
                f'"geom" POLYGON, {cols})')
    rtree = f"rtree_{name}_geom"
    con.execute(f'CREATE VIRTUAL TABLE "{rtree}" USING rtree(id, minx, maxx, miny, maxy)')
    insert = (f'INSERT INTO "{name}" ("geom", {", ".join(chr(34) + f + chr(34) for f, _ in fields)}) '
              f'VALUES (?{", ?" * len(fields)})')
    fid, nv, vmin, vmax, amin, amax = 0, 0, 1 << 30, 0, math.inf, 0.0
    ext = [math.inf, math.inf, -math.inf, -math.inf]
    for coords, counts, columns in chunks:
        geoms, hdr = blobs(coords, counts)
        con.executemany(insert, zip(geoms, *columns))
        ids = range(fid + 1, fid + 1 + len(counts))
        con.executemany(f'INSERT INTO "{rtree}" VALUES (?, ?, ?, ?, ?)',
                        zip(ids, hdr["minx"].tolist(), hdr["maxx"].tolist(), hdr["miny"].tolist(),
                            hdr["maxy"].tolist()))
        fid += len(counts)
        area = ring_areas(coords, counts)
        nv += int(counts.sum())
        vmin, vmax = min(vmin, int(counts.min())), max(vmax, int(counts.max()))
        amin, amax = min(amin, float(area.min())), max(amax, float(area.max()))
        ext = [min(ext[0], float(hdr["minx"].min())), min(ext[1], float(hdr["miny"].min())),
               max(ext[2], float(hdr["maxx"].max())), max(ext[3], float(hdr["maxy"].max()))]
    con.execute("INSERT INTO gpkg_contents VALUES (?, 'features', ?, '', ?, ?, ?, ?, ?, ?)",
                (name, name, LAST_CHANGE, *ext, SRS_ID))
    con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POLYGON', ?, 0, 0)", (name, SRS_ID))
    con.execute("INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', "
                "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')", (name,))
    add_rtree_triggers(con, name, rtree)
    return fid, nv, vmin, vmax, amin, amax


def add_rtree_triggers(con, t, r):
    """The triggers of the GeoPackage R-tree extension (created after the bulk insert: their
    ST_ functions exist only inside GDAL)."""
    box = f'(NEW."fid",ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"),ST_MinY(NEW."geom"), ST_MaxY(NEW."geom"))'
    con.executescript(f"""
CREATE TRIGGER "{r}_insert" AFTER INSERT ON "{t}" WHEN (new."geom" NOT NULL AND NOT ST_IsEmpty(NEW."geom"))
  BEGIN INSERT OR REPLACE INTO "{r}" VALUES {box}; END;
CREATE TRIGGER "{r}_update1" AFTER UPDATE OF "geom" ON "{t}" WHEN OLD."fid" = NEW."fid" AND
  (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) BEGIN INSERT OR REPLACE INTO "{r}" VALUES {box}; END;
CREATE TRIGGER "{r}_update2" AFTER UPDATE OF "geom" ON "{t}" WHEN OLD."fid" = NEW."fid" AND
  (NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM "{r}" WHERE id = OLD."fid"; END;
CREATE TRIGGER "{r}_update3" AFTER UPDATE ON "{t}" WHEN OLD."fid" != NEW."fid" AND
  (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM "{r}" WHERE id = OLD."fid";
  INSERT OR REPLACE INTO "{r}" VALUES {box}; END;
CREATE TRIGGER "{r}_update4" AFTER UPDATE ON "{t}" WHEN OLD."fid" != NEW."fid" AND
  (NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM "{r}" WHERE id IN (OLD."fid", NEW."fid"); END;
CREATE TRIGGER "{r}_delete" AFTER DELETE ON "{t}" WHEN old."geom" NOT NULL
  BEGIN DELETE FROM "{r}" WHERE id = OLD."fid"; END;
""")


# ---------------------------------------------------------------------------------------------
# The layers


def parcels(seed, n):
    rng = np.random.default_rng([seed, 1, 1])
    nx = max(1, math.ceil(math.sqrt(n)))
    ny = math.ceil(n / nx)
    xs = log_uniform_breaks(rng, nx, 32.0, 180.0, 0.0)
    ys = log_uniform_breaks(rng, ny, 32.0, 180.0, 0.0)
    cx, cy = (XMIN + XMAX) / 2, (YMIN + YMAX) / 2
    xs, ys = xs + cx - xs[-1] / 2, ys + cy - ys[-1] / 2
    if xs[0] < XMIN or xs[-1] > XMAX or ys[0] < YMIN or ys[-1] > YMAX:
        sys.exit(f"make_parcels.py: {n} parcels do not fit the RD bounding area; at most about 9.5 million")
    return Tessellation(seed, 1, xs, ys, jitter=0.18, kmin=2, kmax=13, amp=0.06)


def candidate_chunks(tess, n, seed):
    rng = np.random.default_rng([seed, 1, 2])
    fid = 0
    for coords, counts in tess.rows(n):
        area_ha = ring_areas(coords, counts) / 1e4
        woningen = np.floor(area_ha * rng.uniform(20, 60, len(counts))).astype(np.int64)
        ids = np.arange(fid + 1, fid + 1 + len(counts))
        fid += len(counts)
        yield coords, counts, [ids.tolist(), woningen.tolist()]


def cover(seed, layer, bounds, nx, ny, spread, kmin, kmax, amp):
    """A tessellation of nx x ny cells over bounds (x0, y0, x1, y1)."""
    rng = np.random.default_rng([seed, layer, 1])
    xs = even_breaks(rng, nx, bounds[0], bounds[2], spread)
    ys = even_breaks(rng, ny, bounds[1], bounds[3], spread)
    return Tessellation(seed, layer, xs, ys, jitter=0.2, kmin=kmin, kmax=kmax, amp=amp)


def class_chunks(tess, classes, klasse, extra=()):
    """Rings of every cell with the columns `extra` (lists per cell) and the class names."""
    done = 0
    for coords, counts in tess.rows(tess.nx * tess.ny):
        part = slice(done, done + len(counts))
        done += len(counts)
        yield coords, counts, [col[part] for col in extra] + [[classes[k] for k in klasse[part].tolist()]]


def stars(seed, layer, count, bounds, rmin, rmax, vmin, vmax, prefix):
    """Star-shaped areas (sorted angles, positive radii: always simple) inside bounds."""
    rng = np.random.default_rng([seed, layer, 1])
    coords, counts = [], []
    for _ in range(count):
        r = rng.uniform(rmin, rmax)
        cx = rng.uniform(bounds[0] + r, bounds[2] - r)
        cy = rng.uniform(bounds[1] + r, bounds[3] - r)
        nv = int(rng.integers(vmin, vmax))
        ang = np.unique(rng.uniform(0, 2 * math.pi, nv))
        rad = r * (0.55 + 0.45 * rng.random(len(ang)))
        ring = np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)])
        coords.append(np.vstack([ring, ring[:1]]))
        counts.append(len(ring) + 1)
    yield np.vstack(coords), np.array(counts), [[f"{prefix}{i:02d}" for i in range(count)]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--parcels", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--wbs-cells", type=int, default=100, help="wbs cells per side (default 100: ~1.3M vertices)")
    a = ap.parse_args()
    if a.parcels < 1 or a.wbs_cells < 1:
        sys.exit("make_parcels.py: --parcels and --wbs-cells must be at least 1")
    tess = parcels(a.seed, a.parcels)
    tmp = a.out + ".tmp"
    con = create_gpkg(tmp)
    report = []

    stats = write_layer(con, "candidates", [("id", "INTEGER"), ("woningen", "INTEGER")],
                        candidate_chunks(tess, a.parcels, a.seed))
    report.append(("candidates", stats))
    x0, y0 = tess.xs[0] - 500, tess.ys[0] - 500
    x1, y1 = tess.xs[-1] + 500, tess.ys[-1] + 500
    bounds = (x0, y0, x1, y1)
    side = max(x1 - x0, y1 - y0)

    wbs = cover(a.seed, 2, bounds, a.wbs_cells, a.wbs_cells, 0.3, kmin=24, kmax=40, amp=0.12)
    cx, cy = wbs.centres()
    klasse = noise_classes(a.seed, 2, cx, cy, [40, 25, 15, 12, 8], scale=side / 3)
    report.append(("wbs", write_layer(con, "wbs", [("klasse", "TEXT")],
                                      class_chunks(wbs, WBS_CLASSES, klasse))))

    # PC6-like: about one polygon per 15 ha (390 m cells), at least 10 x 10
    npc = max(10, round(side / 390.0))
    pc6 = cover(a.seed, 3, bounds, npc, npc, 0.6, kmin=2, kmax=8, amp=0.1)
    cx, cy = pc6.centres()
    klasse = noise_classes(a.seed, 3, cx, cy, [35, 30, 20, 15], scale=max(side / 2, 20000.0))
    idx = np.arange(len(cx))
    codes = [f"{1000 + i // 676 % 9000:04d}{chr(65 + i // 26 % 26)}{chr(65 + i % 26)}" for i in idx.tolist()]
    regio = [f"R{int(a_):03d}" for a_ in ((cx - x0) // 20000 * 100 + (cy - y0) // 20000).tolist()]
    report.append(("capaciteitskaart", write_layer(
        con, "capaciteitskaart", [("pc6", "TEXT"), ("regio", "TEXT"), ("klasse", "TEXT")],
        class_chunks(pc6, NET_CLASSES, klasse, (codes, regio)))))

    report.append(("novex", write_layer(con, "novex", [("naam", "TEXT")],
                                        stars(a.seed, 4, 17, bounds, side * 0.02, side * 0.05, 60, 300, "NOVEX"))))
    report.append(("nplv", write_layer(con, "nplv", [("naam", "TEXT")],
                                       stars(a.seed, 5, 20, bounds, side * 0.007, side * 0.015, 40, 150, "NPLV"))))
    con.commit()
    con.close()
    os.replace(tmp, a.out)
    for name, (nf, nv, vmin, vmax, amin, amax) in report:
        print(f"{name}: {nf} polygons, {nv} vertices ({vmin}-{vmax} per ring), "
              f"area {amin / 1e4:.3f}-{amax / 1e4:.3f} ha")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
