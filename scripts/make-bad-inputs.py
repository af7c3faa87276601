#!/usr/bin/python3
"""Writes the bad-input corpus of tests/data/bad/ (issue 9): small GeoJSON, CSV, TOML and
hand-written Shapefile files that `tests/cli/bad_inputs.sh` runs through `ruimte score`
according to tests/data/bad/cases.tsv.

Deterministic: the same bytes on every run (no timestamps, no GDAL writer: the Shapefile
and dBase bytes are written here with struct), so the committed corpus can be regenerated
and compared with `git diff`. Cases that need a copy of a large file (a truncated
GeoPackage) are cut from the committed samples at test time by the driver instead.

Usage: /usr/bin/python3 scripts/make-bad-inputs.py [OUT_DIR]   (default tests/data/bad)
"""
import json
import math
import os
import struct
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "tests", "data", "bad")
RD = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
PRJ_RD = ('PROJCS["Amersfoort / RD New",GEOGCS["Amersfoort",DATUM["Amersfoort",SPHEROID["Bessel 1841",'
          '6377397.155,299.1528128]],PRIMEM["Greenwich",0],UNIT["Degree",0.0174532925199433]],'
          'PROJECTION["Oblique_Stereographic"],PARAMETER["latitude_of_origin",52.1561605555556],'
          'PARAMETER["central_meridian",5.38763888888889],PARAMETER["scale_factor",0.9999079],'
          'PARAMETER["false_easting",155000],PARAMETER["false_northing",463000],UNIT["metre",1]]')
X0, Y0 = 155000.0, 463000.0  # Amersfoort: inside RD New's area of use


def write(name, data):
    path = os.path.join(OUT, name)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": "\n"})) as f:
        f.write(data)


def square(x, y, size=100.0):
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def geojson(name, features, crs=RD):
    fc = {"type": "FeatureCollection"}
    if crs is not None:
        fc["crs"] = crs
    fc["features"] = [{"type": "Feature", "properties": p, "geometry": g} for p, g in features]
    write(name, json.dumps(fc, indent=1, allow_nan=True) + "\n")


def poly(*rings):
    return {"type": "Polygon", "coordinates": list(rings)}


# ---- the good base: three 100 m squares, a class layer covering them, a profile ----------
GOOD = [({"id": i + 1}, poly(square(X0 + 200 * i, Y0))) for i in range(3)]
geojson("candidates.geojson", GOOD)
geojson("layer.geojson", [
    ({"klasse": "a"}, poly(square(X0 - 50, Y0 - 50, 400))),
    ({"klasse": "b"}, poly(square(X0 + 350, Y0 - 50, 400))),
])
PROFILE = """[profile]
name = "bad-corpus"
id_field = "id"

[layers.z]
source = "layer.geojson"
type = "classes"
class_field = "klasse"
classes = ["a", "b"]

[[factors]]
name = "zone"
kind = "classes"
layer = "z"
weight = {weight}
values = {{ a = 1.0, b = 0.5 }}
uncovered = 0.0
"""
write("profile.toml", PROFILE.format(weight="1.0"))

# ---- geometry cases (candidates) ----------------------------------------------------------
x, y = X0, Y0
bowtie = [[x, y], [x + 100, y + 100], [x + 100, y], [x, y + 100], [x, y]]
geojson("bowtie.geojson", GOOD[:2] + [({"id": 3}, poly(bowtie))])
# A shell that touches itself at one vertex (an inverted hole): invalid in OGC terms.
self_touch = [[x, y], [x + 100, y], [x + 100, y + 100], [x + 50, y + 100], [x + 70, y + 50],
              [x + 30, y + 50], [x + 50, y + 100], [x, y + 100], [x, y]]
geojson("self_touching_ring.geojson", GOOD[:2] + [({"id": 3}, poly(self_touch))])
hole = [[x + 50, y + 50], [x + 50, y + 50 + 1e-9], [x + 50 + 1e-9, y + 50 + 1e-9], [x + 50 + 1e-9, y + 50], [x + 50, y + 50]]
geojson("nanometre_hole.geojson", GOOD[:2] + [({"id": 3}, poly(square(x, y), hole))])
geojson("unclosed_ring.geojson", GOOD[:2] + [({"id": 3}, poly(square(x, y)[:-1]))])
rep = square(x, y)
rep = [rep[0], rep[1], rep[1], rep[1], rep[2], rep[3], rep[3], rep[4]]
geojson("repeated_points.geojson", GOOD[:2] + [({"id": 3}, poly(rep))])
geojson("zero_area.geojson", GOOD[:2] + [({"id": 3}, poly([[x, y], [x + 50, y], [x + 100, y], [x, y]]))])
geojson("collection_of_polygons.geojson", GOOD[:2] + [({"id": 3}, {"type": "GeometryCollection", "geometries": [
    poly(square(x, y, 40)), poly(square(x + 50, y + 50, 40))]})])
geojson("collection_with_point.geojson", GOOD[:2] + [({"id": 3}, {"type": "GeometryCollection", "geometries": [
    poly(square(x, y, 40)), {"type": "Point", "coordinates": [x, y]}]})])
geojson("mixed_types.geojson", GOOD[:2] + [({"id": 3}, {"type": "LineString", "coordinates": [[x, y], [x + 100, y + 100]]})])
geojson("points_only.geojson", [({"id": i}, {"type": "Point", "coordinates": [x + i, y]}) for i in (1, 2)])
geojson("three_d.geojson", [({"id": p["id"]}, poly([c + [5.0] for c in g["coordinates"][0]])) for p, g in GOOD])
geojson("huge_coordinates.geojson", GOOD[:2] + [({"id": 3}, poly(square(1e15, 1e15, 1e3)))])
geojson("empty_layer.geojson", [])
geojson("null_geometries.geojson", [({"id": 1}, None), ({"id": 2}, None)])
geojson("empty_geometry.geojson", GOOD[:2] + [({"id": 3}, poly())])
geojson("duplicate_ids.geojson", GOOD[:2] + [({"id": 2}, poly(square(x + 400, y)))])
geojson("null_id.geojson", GOOD[:2] + [({"id": None}, poly(square(x + 400, y)))])
geojson("string_ids.geojson", [({"id": "k" + str(i)}, g) for i, (p, g) in enumerate(GOOD)])
# RD coordinates labelled as WGS 84 (a classic CRS mix-up): latitudes of 463000 degrees.
geojson("rd_labelled_wgs84.geojson", GOOD, crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})
# A real WGS 84 layer next to RD candidates: reprojected, with a note.
geojson("layer_wgs84.geojson", [({"klasse": "a"}, poly([[5.38, 52.15], [5.40, 52.15], [5.40, 52.17], [5.38, 52.17], [5.38, 52.15]]))],
        crs=None)
geojson("layer_unknown_class.geojson", [({"klasse": "a"}, poly(square(X0, Y0, 400))), ({"klasse": "c"}, poly(square(X0 + 400, Y0, 400)))])
geojson("layer_null_class.geojson", [({"klasse": "a"}, poly(square(X0, Y0, 400))), ({"klasse": None}, poly(square(X0 + 400, Y0, 400)))])
geojson("layer_no_class_field.geojson", [({"soort": "a"}, poly(square(X0, Y0, 400)))])
write("truncated.geojson", open(os.path.join(OUT, "candidates.geojson"), encoding="utf-8").read()[:300])
write("not_a_geopackage.gpkg", "This is a text file with a .gpkg name, not a GeoPackage.\n")
write("empty_file.gpkg", b"")
write("binary_garbage.geojson", bytes((i * 37 + 11) % 256 for i in range(512)))
# Measured geometry and NaN in WKT through the CSV driver (no CRS: needs --assume-crs).
write("measured.csv", 'id,WKT\n1,"POLYGON M ((155000 463000 1,155100 463000 2,155100 463100 3,155000 463100 4,155000 463000 1))"\n')
write("no_wkt.csv", "id,naam\n1,a\n")


# ---- hand-written Shapefiles ---------------------------------------------------------------
def shp_polygons(rings_per_feature):
    """Bytes of .shp and .shx for polygons (shape type 5), one ring list per feature."""
    records, index = [], []
    offset = 50  # 16-bit words: the 100-byte header
    for n, rings in enumerate(rings_per_feature, 1):
        pts = [p for r in rings for p in r]
        finite = [p for p in pts if all(math.isfinite(c) for c in p)] or [[0.0, 0.0]]
        box = (min(p[0] for p in finite), min(p[1] for p in finite), max(p[0] for p in finite), max(p[1] for p in finite))
        parts, start = [], 0
        for r in rings:
            parts.append(start)
            start += len(r)
        content = struct.pack("<i4d2i", 5, *box, len(rings), len(pts))
        content += struct.pack("<%di" % len(parts), *parts)
        content += b"".join(struct.pack("<2d", *p) for p in pts)
        records.append(struct.pack(">2i", n, len(content) // 2) + content)
        index.append(struct.pack(">2i", offset, len(content) // 2))
        offset += 4 + len(content) // 2
    allpts = [p for rings in rings_per_feature for r in rings for p in r if all(math.isfinite(c) for c in p)] or [[0.0, 0.0]]
    bbox = (min(p[0] for p in allpts), min(p[1] for p in allpts), max(p[0] for p in allpts), max(p[1] for p in allpts))

    def header(length_words):
        return struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_words) + struct.pack("<2i8d", 1000, 5, *bbox, 0, 0, 0, 0)
    shp = header(offset) + b"".join(records)
    shx = header(50 + 4 * len(index)) + b"".join(index)
    return shp, shx


def dbf(fields, rows, ldid=0):
    """dBase III bytes; fields as (name, 'C'|'N', width); the date in the header is fixed."""
    rec_len = 1 + sum(w for _, _, w in fields)
    hdr_len = 32 + 32 * len(fields) + 1
    out = struct.pack("<4BIHH20x", 3, 126, 1, 1, len(rows), hdr_len, rec_len)
    out = out[:29] + bytes([ldid]) + out[30:]
    for name, kind, width in fields:
        out += struct.pack("<11sc4xBB14x", name.encode("ascii"), kind.encode("ascii"), width, 0)
    out += b"\r"
    for row in rows:
        out += b" "
        for (name, kind, width), value in zip(fields, row):
            raw = value if isinstance(value, bytes) else str(value).encode("ascii")
            out += raw.rjust(width) if kind == "N" else raw.ljust(width)
    return out + b"\x1a"


def shapefile(stem, rings_per_feature, rows, fields=(("id", "N", 10),), prj=PRJ_RD, parts=("shp", "shx", "dbf", "prj"), cpg=None):
    shp, shx = shp_polygons(rings_per_feature)
    files = {"shp": shp, "shx": shx, "dbf": dbf(list(fields), rows), "prj": prj}
    for ext in parts:
        if files.get(ext) is not None:
            write(stem + "." + ext, files[ext])
    if cpg is not None:
        write(stem + ".cpg", cpg)


three = [[square(X0 + 200 * i, Y0)] for i in range(3)]
shapefile("good_shp", three, [[1], [2], [3]])
shapefile("no_shx", three, [[1], [2], [3]], parts=("shp", "dbf", "prj"))
shapefile("no_dbf", three, [[1], [2], [3]], parts=("shp", "shx", "prj"))
shapefile("no_prj", three, [[1], [2], [3]], parts=("shp", "shx", "dbf"))
nan_sq = square(X0, Y0)
nan_sq[2] = [float("nan"), Y0 + 100]
shapefile("nan_coordinate", three[:2] + [[nan_sq]], [[1], [2], [3]])
inf_sq = square(X0, Y0)
inf_sq[2] = [float("inf"), Y0 + 100]
shapefile("inf_coordinate", three[:2] + [[inf_sq]], [[1], [2], [3]])
# Truncated: the .shp cut in the middle of the last record, the .shx still promising it.
shp, shx = shp_polygons(three)
write("truncated_shp.shp", shp[:-40])
write("truncated_shp.shx", shx)
write("truncated_shp.dbf", dbf([("id", "N", 10)], [[1], [2], [3]]))
write("truncated_shp.prj", PRJ_RD)
# Latin-1 names: with no .cpg and no code page byte GDAL reads dBase as ISO-8859-1, so the
# names come out right; with a .cpg that lies (UTF-8) the bytes are not valid UTF-8.
latin = [[b"Caf\xe9"], [b"Gen\xe8ve"], [b"Z\xfcrich"]]
shapefile("latin1_no_cpg", three, latin, fields=(("id", "C", 12),))
shapefile("latin1_cpg_1252", three, latin, fields=(("id", "C", 12),), cpg="1252")
shapefile("latin1_cpg_utf8", three, latin, fields=(("id", "C", 12),), cpg="UTF-8")

# ---- profiles ---------------------------------------------------------------------------------
write("profile_unknown_key.toml", PROFILE.format(weight="1.0").replace('id_field = "id"', 'id_feild = "id"'))
write("profile_weight_string.toml", PROFILE.format(weight='"hoog"'))
write("profile_weight_nan.toml", PROFILE.format(weight="nan"))
write("profile_weight_inf.toml", PROFILE.format(weight="inf"))
write("profile_weight_negative.toml", PROFILE.format(weight="-1.0"))
write("profile_weight_zero.toml", PROFILE.format(weight="0.0"))
write("profile_missing_layer.toml", PROFILE.format(weight="1.0").replace('layer = "z"', 'layer = "wbs"'))
write("profile_unknown_class.toml", PROFILE.format(weight="1.0").replace("b = 0.5", "c = 0.5"))
write("profile_value_out_of_range.toml", PROFILE.format(weight="1.0").replace("b = 0.5", "b = 1.5"))
write("profile_syntax.toml", PROFILE.format(weight="1.0").replace('name = "bad-corpus"', 'name = "bad-corpus'))
write("profile_duplicate_table.toml", PROFILE.format(weight="1.0") + '\n[layers.z]\nsource = "layer.geojson"\n')
write("profile_self_source.toml", PROFILE.format(weight="1.0").replace('source = "layer.geojson"', 'source = "profile_self_source.toml"'))
write("profile_missing_source.toml", PROFILE.format(weight="1.0").replace('source = "layer.geojson"', 'source = "geen.gpkg"'))
write("profile_bad_exclusion.toml", PROFILE.format(weight="1.0") +
      '\n[[exclusions]]\nmetric = "z.share.onbekend"\nop = ">"\nvalue = 0.0\n')
write("profile_bad_op.toml", PROFILE.format(weight="1.0") + '\n[[exclusions]]\nmetric = "z.share.a"\nop = "=>"\nvalue = 0.0\n')
write("profile_empty.toml", "")
write("profile_binary.toml", bytes((i * 91 + 7) % 256 for i in range(256)))
write("profile_ahp_not_reciprocal.toml", PROFILE.format(weight="1.0").replace("weight = 1.0\n", "") +
      '\n[[factors]]\nname = "opp"\nkind = "linear"\nmetric = "area_ha"\nlower = 0\nupper = 10\n'
      '\n[weights]\nmethod = "ahp"\nfactors = ["zone", "opp"]\nmatrix = [[1, 3], [3, 1]]\n')
print("wrote the bad-input corpus to", OUT)
