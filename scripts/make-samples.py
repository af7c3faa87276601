#!/usr/bin/python3
"""Generate the sample data sets in data-samples/ for ruimte.

Run with Debian's Python (python3-geopandas, python3-shapely, python3-fiona, python3-numpy):

    /usr/bin/python3 scripts/make-samples.py data-samples

Only `gemeenten` is real data (CBS/Kadaster municipality boundaries 2022, generalised,
CC-BY-4.0, attribution "CBS, Kadaster", via github.com/kiesraad/electionmaps). Every other
layer is SYNTHETIC: made up with a fixed random seed, placed inside the real municipalities
that the names belong to, and not fit for any decision.

The output is deterministic: the same inputs and library versions give byte-identical
files (GeoPackage timestamps are fixed, DBF header dates are fixed, files are VACUUMed).
All output is in EPSG:28992 (Amersfoort / RD New).
"""

import argparse
import math
import os
import sqlite3
import sys

import numpy as np
import fiona
from fiona.crs import CRS
from shapely.geometry import (
    LineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
    box,
    mapping,
    shape,
)
from shapely.ops import unary_union, voronoi_diagram
from shapely.prepared import prep
from shapely.validation import make_valid

SEED = 20260101
FIXED_TIMESTAMP = "2026-01-01T00:00:00.000Z"
DBF_DATE = (2026 - 1900, 1, 1)  # YY (since 1900), MM, DD in the DBF header
EPSG = 28992
WBS_SPACING = 5000.0  # m, Voronoi cell size of the synthetic WBS map
SYNTH = "SYNTHETIC sample data, made up by scripts/make-samples.py (not real, not for decisions): "

WBS_CLASSES = ["ja", "ja_mits_klein", "ja_mits_groot", "nee_tenzij", "nee"]
WBS_SHARES = [0.40, 0.25, 0.15, 0.12, 0.08]
RAG = ["transparant", "yellow", "amber", "red"]

# Municipalities that hold NOVEX locations and NPLV areas: candidates are denser here.
FOCUS_GEMEENTEN = [
    "Groningen", "Zwolle", "Arnhem", "Nijmegen", "Ede", "Amersfoort", "Utrecht", "Amsterdam",
    "Almere", "Haarlemmermeer", "'s-Gravenhage", "Rotterdam", "Leiden", "Dordrecht",
    "Eindhoven", "Breda", "'s-Hertogenbosch", "Tilburg", "Leeuwarden", "Heerlen", "Schiedam",
    "Zaanstad", "Lelystad", "Nieuwegein", "Vlaardingen", "Delft", "Roosendaal",
]

# The 17 grootschalige NOVEX-woningbouwlocaties (DOMAIN.md). Each part: (gemeente, hint x, hint y).
# Hints are rough RD positions of the real places; the polygons themselves are made up.
NOVEX_LOCATIES = [
    ("Groningen Eemskanaalzone/Stadshavens", 10000, [("Groningen", 236500, 582300)]),
    ("Groningen Suikerzijde/Westflank", 10000, [("Groningen", 231000, 582800)]),
    ("Zwolle Spoorzone en Binnenstad", 4000, [("Zwolle", 203000, 502000)]),
    ("Spoorzone Arnhem-Oost", None, [("Arnhem", 192500, 444300)]),
    ("Nijmegen Stationsgebied", 3500, [("Nijmegen", 186800, 428300)]),
    ("Nijmegen Kanaalzone", 5000, [("Nijmegen", 183000, 430800)]),
    ("Foodvalley (Ede-Zuidoost/Kernhem, Veenendaal-Centrum, Barneveld-Noord)", None,
     [("Ede", 174500, 448000), ("Veenendaal", 168500, 449000), ("Barneveld", 172500, 463500)]),
    ("Amersfoort Spoor- en A1-zone", 16000, [("Amersfoort", 155000, 463000)]),
    ("Utrecht Groot Merwede", 20000, [("Utrecht", 135500, 453800)]),
    ("Amsterdam Havenstad", 75000, [("Amsterdam", 116500, 489500)]),
    ("MRA-Oost (Zeeburg/IJburg, Zuidoost, Almere-Centrum, Pampus)", 100000,
     [("Amsterdam", 128500, 486500), ("Amsterdam", 127500, 479500),
      ("Almere", 143000, 486500), ("Almere", 139500, 491500)]),
    ("MRA-West (Hoofddorp stationsgebied, Lisserbroek-West)", 38000,
     [("Haarlemmermeer", 107000, 480500), ("Haarlemmermeer", 100500, 474500)]),
    ("Den Haag CID-Binckhorst", 33000, [("'s-Gravenhage", 82500, 455800)]),
    ("Rotterdam Oostflank", 30000, [("Rotterdam", 96500, 438500)]),
    ("Oude Lijn Leiden-Dordrecht", 70000,
     [("Leiden", 93500, 463500), ("'s-Gravenhage", 80500, 452500), ("Delft", 84800, 446000),
      ("Schiedam", 87000, 438500), ("Rotterdam", 91500, 437000), ("Dordrecht", 105500, 425000)]),
    ("Eindhoven Internationale Knoop XL", 9000, [("Eindhoven", 161000, 383500)]),
    ("Brabantse Stedenrij (Breda, Den Bosch, Tilburg)", 17000,
     [("Breda", 112500, 401000), ("'s-Hertogenbosch", 149500, 411500), ("Tilburg", 133000, 397800)]),
]

# The 16 NOVEX-gebieden (DOMAIN.md), each a coarse shape around a set of real municipalities.
NOVEX_GEBIEDEN = [
    ("Amsterdam Noordzeekanaalgebied", ["Amsterdam", "Zaanstad", "Velsen", "Beverwijk", "Heemskerk"], None),
    ("Regio Schiphol", ["Haarlemmermeer", "Aalsmeer", "Amstelveen"], None),
    ("Verstedelijkingsgebied MRA", ["Amsterdam", "Almere", "Haarlem", "Zaanstad", "Amstelveen",
                                    "Haarlemmermeer", "Purmerend", "Diemen", "Ouder-Amstel",
                                    "Gooise Meren", "Hilversum", "Lelystad"], None),
    ("Verstedelijkingsgebied Zuidelijke Randstad", ["'s-Gravenhage", "Rotterdam", "Leiden", "Delft",
                                                    "Dordrecht", "Zoetermeer", "Rijswijk", "Schiedam",
                                                    "Vlaardingen", "Leidschendam-Voorburg",
                                                    "Capelle aan den IJssel", "Barendrecht",
                                                    "Zwijndrecht", "Pijnacker-Nootdorp",
                                                    "Lansingerland", "Gouda"], None),
    # the port: the western part of Rotterdam and its neighbours on the Nieuwe Waterweg
    ("Rotterdamse haven", ["Rotterdam", "Vlaardingen", "Schiedam", "Maassluis"], (40000, 425000, 88500, 445000)),
    ("Het Groene Hart", ["Alphen aan den Rijn", "Bodegraven-Reeuwijk", "Woerden", "Krimpenerwaard",
                         "Nieuwkoop", "Kaag en Braassem", "De Ronde Venen", "Oudewater", "Montfoort",
                         "Zuidplas"], None),
    ("Verstedelijkingsgebied Utrecht-Amersfoort", ["Utrecht", "Amersfoort", "Nieuwegein", "Houten", "Zeist",
                                                   "De Bilt", "IJsselstein", "Leusden", "Soest", "Bunnik"], None),
    ("Arnhem-Nijmegen-Foodvalley", ["Arnhem", "Nijmegen", "Ede", "Veenendaal", "Barneveld", "Wageningen",
                                    "Renkum", "Rheden", "Overbetuwe", "Lingewaard", "Berg en Dal",
                                    "Duiven", "Westervoort", "Rhenen", "Renswoude", "Scherpenzeel"], None),
    ("North Sea Port District", ["Terneuzen", "Vlissingen", "Borsele"], None),
    ("Stedelijk Brabant", ["Breda", "Tilburg", "'s-Hertogenbosch", "Eindhoven", "Helmond", "Veldhoven",
                           "Best", "Son en Breugel", "Vught", "Oosterhout"], None),
    ("De Peel", ["Deurne", "Gemert-Bakel", "Asten", "Someren", "Laarbeek", "Venray", "Horst aan de Maas",
                 "Peel en Maas", "Boekel"], None),
    ("Zuid-Limburg", ["Maastricht", "Heerlen", "Sittard-Geleen", "Kerkrade", "Landgraaf", "Brunssum",
                      "Valkenburg aan de Geul", "Eijsden-Margraten", "Gulpen-Wittem", "Vaals", "Simpelveld",
                      "Voerendaal", "Beekdaelen", "Stein", "Beek", "Meerssen"], None),
    ("Regio Zwolle", ["Zwolle", "Kampen", "Dalfsen", "Hattem", "Zwartewaterland", "Staphorst", "Raalte"], None),
    ("NOVEX-gebied Groningen", ["Eemsdelta", "Het Hogeland", "Midden-Groningen", "Oldambt"], None),
    ("Verstedelijkingsgebied Groningen-Assen", ["Groningen", "Assen", "Tynaarlo", "Noordenveld"], None),
    ("Lelylijn", ["Lelystad", "Dronten", "Noordoostpolder", "Heerenveen", "Opsterland", "Smallingerland",
                  "Achtkarspelen", "Westerkwartier", "Groningen"], None),
]

# The 20 NPLV focus areas (DOMAIN.md): (naam, gemeente, hint x, hint y).
NPLV = [
    ("Leeuwarden-Oost", "Leeuwarden", 184500, 579500),
    ("Groningen Noord", "Groningen", 233500, 585000),
    ("Arnhem Oost", "Arnhem", 193500, 444800),
    ("Heerlen Noord", "Heerlen", 197500, 324500),
    ("Breda Noord", "Breda", 112500, 403500),
    ("Eindhoven Woensel-Zuid", "Eindhoven", 161000, 386000),
    ("Tilburg Noordwest", "Tilburg", 131000, 399500),
    ("Schiedam Nieuwland-Oost", "Schiedam", 87200, 436300),
    ("Rotterdam-Zuid", "Rotterdam", 93500, 433500),
    ("Den Haag Zuidwest", "'s-Gravenhage", 77500, 452500),
    ("Amsterdam Zuidoost", "Amsterdam", 126500, 477500),
    ("Amsterdam Nieuw-West", "Amsterdam", 115500, 486000),
    ("Zaandam Oost", "Zaanstad", 118000, 495500),
    ("Lelystad Oost", "Lelystad", 162500, 501500),
    ("Utrecht Overvecht", "Utrecht", 137000, 459000),
    ("Nieuwegein Centrale-As", "Nieuwegein", 134000, 448500),
    ("Vlaardingen West", "Vlaardingen", 82800, 435800),
    ("Delft West", "Delft", 83000, 446800),
    ("Dordrecht West", "Dordrecht", 102500, 424500),
    ("Roosendaal-stad", "Roosendaal", 94000, 392000),
]

# Synthetic water boards: real names, each gets the municipalities whose representative point is
# nearest to its anchor (rough RD position of the real board). Boundaries are NOT the real ones.
WATERSCHAPPEN = [
    ("Wetterskip Fryslân", 180000, 565000),
    ("Waterschap Noorderzijlvest", 245000, 578000),
    ("Waterschap Drents Overijsselse Delta", 228000, 505000),
    ("Waterschap Vallei en Veluwe", 180000, 468000),
    ("Waterschap Zuiderzeeland", 168000, 505000),
    ("Hoogheemraadschap Hollands Noorderkwartier", 122000, 527000),
    ("Hoogheemraadschap van Rijnland", 103000, 478000),
    ("Hoogheemraadschap De Stichtse Rijnlanden", 135000, 452000),
    ("Waterschap Rivierenland", 158000, 428000),
    ("Waterschap Hollandse Delta", 85000, 433000),
    ("Waterschap Scheldestromen", 45000, 385000),
    ("Waterschap Brabantse Delta", 108000, 390000),
    ("Waterschap Aa en Maas", 165000, 392000),
    ("Waterschap Limburg", 190000, 335000),
]

# Synthetic river lines (rough courses of Waal, Lek, IJssel and Maas) for the 'nee' class.
RIVERS = [
    ("Waal", 1300, [(206000, 430000), (197000, 431500), (187000, 430800), (175000, 433500),
                    (160000, 432000), (147000, 425800), (135000, 426500), (126000, 425000),
                    (115000, 423500), (106000, 425000), (99000, 432000), (92000, 436000),
                    (80000, 438000), (67000, 445500)]),
    ("Lek", 900, [(201000, 433500), (195000, 440000), (190000, 443000), (181000, 442500),
                  (173000, 441000), (163000, 440000), (150000, 444000), (141000, 443000),
                  (135000, 444000), (125000, 441500), (117000, 441000), (108000, 436500),
                  (100000, 433000)]),
    ("IJssel", 1000, [(193000, 443500), (199000, 447000), (205000, 450500), (209000, 458000),
                      (208000, 464500), (210000, 470000), (208000, 475000), (205000, 484000),
                      (203000, 493000), (201000, 501000), (195000, 505500), (189000, 508500),
                      (181000, 511000)]),
    ("Maas", 1100, [(177000, 308000), (176500, 318000), (181000, 328000), (188000, 340000),
                    (197000, 355000), (202000, 364000), (209000, 375000), (205000, 390000),
                    (196000, 402000), (190000, 412000), (182000, 419000), (170000, 424000),
                    (160000, 423500), (150000, 420500), (138000, 423000), (128000, 419500),
                    (118000, 418500), (108000, 413000), (95000, 411000), (83000, 417000),
                    (70000, 425000)]),
]

NETBEHEERDER_BY_PROVINCE = {
    "Groningen": "Enexis", "Drenthe": "Enexis", "Overijssel": "Enexis", "Noord-Brabant": "Enexis",
    "Limburg": "Enexis", "Fryslân": "Liander", "Noord-Holland": "Liander", "Flevoland": "Liander",
    "Gelderland": "Liander", "Utrecht": "Stedin", "Zuid-Holland": "Stedin", "Zeeland": "Stedin",
}
# supply areas forced around these municipalities get the smaller grid operators
NETBEHEERDER_OVERRIDE = {"Westland": "Westland Infra", "Almelo": "Coteq", "Meppel": "Rendo"}

CANDIDATE_PREFIXES = [
    "Zuidrand", "Noordrand", "Oostrand", "Westrand", "Stationsgebied", "Kanaalzone", "Havenkwartier",
    "Bedrijventerrein", "Polder", "Buitengebied", "Knooppunt", "Dorpsuitbreiding", "Kazerneterrein",
    "Ziekenhuislocatie", "Veilingterrein", "Sportpark", "Spoorzone", "Coöperatieterrein", "Ruïneveld",
    "Tuinderij", "Suikerfabriek",
]


# ----------------------------------------------------------------------------- geometry helpers

def polygons_of(geom):
    """The polygons in any geometry (points and lines are dropped)."""
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        out = []
        for g in geom.geoms:
            out.extend(polygons_of(g))
        return out
    return []


def points_of(geom):
    """The points in a point geometry (empty, Point or MultiPoint)."""
    if geom.is_empty:
        return []
    return [geom] if geom.geom_type == "Point" else list(geom.geoms)


def to_multi(geom):
    polys = polygons_of(geom)
    return MultiPolygon(polys)


def n_vertices(geom):
    return sum(len(p.exterior.coords) + sum(len(r.coords) for r in p.interiors) for p in polygons_of(geom))


def fix(geom):
    if not geom.is_valid:
        geom = make_valid(geom)
    return to_multi(geom)


def random_point_in(rng, geom, prepared):
    minx, miny, maxx, maxy = geom.bounds
    for _ in range(100000):
        x = rng.uniform(minx, maxx)
        y = rng.uniform(miny, maxy)
        if prepared.contains(Point(x, y)):
            return x, y
    raise RuntimeError("no random point found")


def star_polygon(rng, cx, cy, area_m2, irregularity=0.35):
    """An irregular star-shaped polygon around (cx, cy) with the given area.

    Vertices at strictly increasing angles around the centre, gaps below pi: always simple."""
    n = int(rng.integers(9, 22))
    gaps = rng.uniform(0.5, 1.5, n)
    ang = np.cumsum(gaps)
    ang = ang / ang[-1] * 2.0 * math.pi + rng.uniform(0.0, 2.0 * math.pi)
    r = np.ones(n)
    for k in (1, 2, 3):
        r += rng.uniform(0.0, irregularity / k) * np.cos(k * ang + rng.uniform(0.0, 2.0 * math.pi))
    r *= rng.uniform(0.9, 1.1, n)
    r = np.clip(r, 0.45, 1.7)
    unit = Polygon(list(zip(r * np.cos(ang), r * np.sin(ang))))
    s = math.sqrt(area_m2 / unit.area)
    pts = [(round(cx + s * x, 2), round(cy + s * y, 2)) for x, y in zip(r * np.cos(ang), r * np.sin(ang))]
    return Polygon(pts)


def place_polygon(rng, muni, muni_inner_prep, area_m2, hint=None, hint_lines=None, avoid=(),
                  irregularity=0.35, min_area_m2=None, tries=600):
    """Place a star polygon of about area_m2 fully inside muni (its inner buffer), not touching avoid."""
    muni_prep = prep(muni)
    area = area_m2
    min_area = min_area_m2 if min_area_m2 is not None else area_m2 * 0.25
    for i in range(tries):
        if i and i % 40 == 0:
            area = max(min_area, area * 0.8)
        if hint is not None and i < 200:
            spread = 50.0 + 15.0 * i
            cx, cy = hint[0] + rng.normal(0, spread), hint[1] + rng.normal(0, spread)
        elif hint_lines is not None and not hint_lines.is_empty and i < 300:
            p = hint_lines.interpolate(rng.uniform(0.0, hint_lines.length))
            cx, cy = p.x + rng.normal(0, 80), p.y + rng.normal(0, 80)
        else:
            cx, cy = random_point_in(rng, muni, muni_prep)
        poly = star_polygon(rng, cx, cy, area, irregularity)
        if not poly.is_valid or not muni_inner_prep.contains(poly):
            continue
        if any(poly.intersects(a) for a in avoid if a.bounds[0] <= poly.bounds[2] and a.bounds[2] >= poly.bounds[0]
                                                   and a.bounds[1] <= poly.bounds[3] and a.bounds[3] >= poly.bounds[1]):
            continue
        return poly
    raise RuntimeError("could not place polygon of %.0f ha" % (area_m2 / 1e4))


class Noise:
    """Smooth 2-D noise: a sum of random plane waves, roughly N(0, 1)."""

    def __init__(self, rng, k=14, lmin=14000.0, lmax=70000.0):
        self.L = rng.uniform(lmin, lmax, k)
        th = rng.uniform(0.0, math.pi, k)
        self.c, self.s = np.cos(th), np.sin(th)
        self.ph = rng.uniform(0.0, 2.0 * math.pi, k)
        self.a = np.sqrt(self.L / lmax)
        self.norm = math.sqrt(float(np.sum(self.a ** 2)) / 2.0)

    def __call__(self, x, y):
        x = np.asarray(x, dtype=float)[..., None]
        y = np.asarray(y, dtype=float)[..., None]
        v = np.sum(self.a * np.cos(2.0 * math.pi * (x * self.c + y * self.s) / self.L + self.ph), axis=-1)
        return v / self.norm


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def peat_weight(x, y):
    """About 1 west of x=160000 and north of y=430000 (the western/northern peat areas)."""
    return sigmoid((160000.0 - x) / 8000.0) * sigmoid((y - 430000.0) / 8000.0)


def river_lines(rng):
    out = []
    for name, half_width, pts in RIVERS:
        line = LineString(pts)
        dens = []
        steps = max(2, int(line.length / 2500.0))
        phase = rng.uniform(0, 2 * math.pi)
        for i in range(steps + 1):
            d = line.length * i / steps
            p = line.interpolate(d)
            q = line.interpolate(min(line.length, d + 10.0)) if d + 10.0 <= line.length else line.interpolate(d - 10.0)
            dx, dy = q.x - p.x, q.y - p.y
            if d + 10.0 > line.length:
                dx, dy = -dx, -dy
            norm = math.hypot(dx, dy) or 1.0
            nx, ny = -dy / norm, dx / norm
            off = 900.0 * math.sin(d / 7000.0 + phase) + rng.normal(0, 250.0) if 0 < i < steps else 0.0
            dens.append((p.x + nx * off, p.y + ny * off))
        out.append((name, half_width, LineString(dens)))
    return out


# ----------------------------------------------------------------------------- writing

def remove(path):
    if os.path.exists(path):
        os.remove(path)


def write_layer(path, layer, schema, records, driver="GPKG"):
    kw = {}
    if driver == "ESRI Shapefile":
        kw["encoding"] = "UTF-8"
    else:
        kw["layer"] = layer
    with fiona.open(path, "w", driver=driver, schema=schema, crs=CRS.from_epsg(EPSG), **kw) as dst:
        for geom, props in records:
            dst.write({"geometry": mapping(geom), "properties": props})


def finish_gpkg(path, descriptions):
    con = sqlite3.connect(path)
    con.execute("UPDATE gpkg_contents SET last_change = ?", (FIXED_TIMESTAMP,))
    for table, desc in descriptions.items():
        con.execute("UPDATE gpkg_contents SET description = ? WHERE table_name = ?", (desc, table))
    con.commit()
    con.execute("VACUUM")
    con.close()


def finish_shp(base):
    with open(base + ".dbf", "r+b") as f:
        f.seek(1)
        f.write(bytes(DBF_DATE))
    with open(base + ".cpg", "wb") as f:
        f.write(b"UTF-8")


# ----------------------------------------------------------------------------- layers

def load_inputs(data_nl):
    path = os.path.join(data_nl, "kiesraad-electionmaps", "cbs2022_april.min.geo.json")
    gem = []
    with fiona.open(path) as src:
        for f in src:
            gem.append((f["properties"]["name"], f["properties"]["regiocode"], shape(f["geometry"])))
    if len(gem) != 344:
        sys.exit("expected 344 municipalities in %s, got %d" % (path, len(gem)))
    # provinces (WGS84) are only used to decide attributes (grid operator, congestion odds)
    import geopandas as gpd
    prov = gpd.read_file(os.path.join(data_nl, "topoquiz", "provincie_2023.geojson")).to_crs(epsg=EPSG)
    provinces = [(n, fix(g.buffer(0))) for n, g in zip(prov["name"], prov.geometry)]
    return gem, provinces


def province_of(geom, provinces):
    best, best_a = None, -1.0
    for name, pg in provinces:
        a = pg.intersection(geom).area
        if a > best_a:
            best, best_a = name, a
    return best


def build_wbs(rng, land, land_prep, rivers):
    minx, miny, maxx, maxy = land.bounds
    spacing = WBS_SPACING
    pts = []
    for y in np.arange(miny - spacing, maxy + 2 * spacing, spacing):
        for x in np.arange(minx - spacing, maxx + 2 * spacing, spacing):
            pts.append((x + rng.uniform(-0.4, 0.4) * spacing, y + rng.uniform(-0.4, 0.4) * spacing))
    env = box(minx - 20000, miny - 20000, maxx + 20000, maxy + 20000)
    cells = [c for c in voronoi_diagram(MultiPoint(pts), envelope=env).geoms]
    cells = [c.intersection(env) for c in cells]
    cells.sort(key=lambda c: (round(c.centroid.y, 3), round(c.centroid.x, 3)))
    cx = np.array([c.centroid.x for c in cells])
    cy = np.array([c.centroid.y for c in cells])
    river_all = unary_union([ln for _, _, ln in rivers])
    drv = np.array([river_all.distance(Point(x, y)) for x, y in zip(cx, cy)])
    sev = Noise(rng)(cx, cy) + 1.6 * np.exp(-drv / 5000.0) + 0.8 * peat_weight(cx, cy)
    dn = Noise(rng, k=10, lmin=25000.0, lmax=90000.0)(cx, cy) + 1.2 * sigmoid((cx - 140000.0) / 20000.0) \
        * sigmoid((500000.0 - cy) / 20000.0)
    w = np.array([c.area if land_prep.contains(Point(x, y)) else 0.0 for c, x, y in zip(cells, cx, cy)])

    r_share = unary_union([ln.buffer(hw, resolution=3).simplify(60) for _, hw, ln in rivers]).intersection(land).area \
        / land.area
    # 'nee' only along the rivers (uiterwaarden): the river buffers plus the most severe cells
    # within 8 km of a river; the other four classes by area-weighted quantiles of the severity.
    cls = np.full(len(cells), -1, dtype=int)
    need = max(0.0, WBS_SHARES[4] - r_share) * w.sum()
    river_buf = unary_union([ln.buffer(hw, resolution=3).simplify(60) for _, hw, ln in rivers])
    near = [i for i in np.argsort(-sev, kind="stable") if drv[i] < 8000.0]
    got = 0.0
    for i in near:
        if got >= need:
            break
        cls[i] = 4
        got += w[i] * cells[i].difference(river_buf).area / cells[i].area
    rest = np.where(cls < 0)[0]
    shares = np.array(WBS_SHARES[:4]) / sum(WBS_SHARES[:4])
    order = rest[np.argsort(sev[rest], kind="stable")]
    cum = np.cumsum(w[order]) / w[order].sum()
    cls[order] = np.searchsorted(np.cumsum(shares)[:-1], cum, side="right")
    # drinking water: about 30 % of the land (weighted), more in the east and south
    dorder = np.argsort(dn, kind="stable")
    dcum = np.cumsum(w[dorder]) / w.sum()
    dw = np.empty(len(cells), dtype=int)
    dw[dorder] = (dcum > 0.70).astype(int)

    # Build a partition of the whole envelope first (classes, drinking water, peat line), and
    # clip each piece to the municipalities only once: no slivers from repeated clipping.
    peat_box = box(minx - 30000, 430000, 160000, maxy + 30000)
    parts = []  # (klasse index, drinkwater, peat, polygon)
    class_geoms = {}
    for k in range(5):
        per_class = []
        for d in (0, 1):
            g = unary_union([c for c, kc, dc in zip(cells, cls, dw) if kc == k and dc == d])
            if k == 4:
                dw_region = unary_union([c for c, dc in zip(cells, dw) if dc == d])
                g = unary_union([g, river_buf.intersection(dw_region)])
            else:
                g = g.difference(river_buf)
            for peat, pg in ((1, g.intersection(peat_box)), (0, g.difference(peat_box))):
                pg = fix(pg.intersection(land))
                per_class.append(pg)
                for p in polygons_of(pg):
                    parts.append((k, d, peat, p))
        class_geoms[WBS_CLASSES[k]] = fix(unary_union(per_class))
    parts.sort(key=lambda t: (t[0], -round(t[3].centroid.y, 2), round(t[3].centroid.x, 2)))
    recs = []
    for k, d, peat, p in parts:
        lo, hi = [(0.0, 0.2), (0.2, 0.8), (0.5, 1.5), (1.5, 2.5), (2.5, 5.0)][k]
        overstroming = round(float(rng.uniform(lo, hi)), 2)
        if peat:
            bodemdaling = round(float(rng.uniform(15.0, 35.0) + 6.0 * k), 1)
        else:
            bodemdaling = round(float(rng.uniform(0.0, 8.0) + 1.0 * k), 1)
        wo = [[0, 1], [1, 2], [1, 2, 3], [2, 3], [3]][k]
        wateroverlast = int(wo[int(rng.integers(0, len(wo)))])
        recs.append((MultiPolygon([p]), {
            "klasse": WBS_CLASSES[k], "overstroming_m": overstroming, "bodemdaling_cm": bodemdaling,
            "wateroverlast": wateroverlast, "drinkwater": int(d)}))
    return recs, class_geoms


def build_netcongestie(rng, land, land_prep, gem_by_name, provinces):
    minx, miny, maxx, maxy = land.bounds
    seeds = []
    forced = {}
    for name in NETBEHEERDER_OVERRIDE:
        p = gem_by_name[name].representative_point()
        seeds.append((p.x, p.y))
        forced[len(seeds) - 1] = name
    target, mind = 90, 13000.0
    attempts = 0
    while len(seeds) < target and attempts < 200000:
        attempts += 1
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not land_prep.contains(Point(x, y)):
            continue
        if all((x - a) ** 2 + (y - b) ** 2 >= mind ** 2 for a, b in seeds):
            seeds.append((x, y))
    env = box(minx - 20000, miny - 20000, maxx + 20000, maxy + 20000)
    cells = list(voronoi_diagram(MultiPoint(seeds), envelope=env).geoms)
    rows = []
    for i, (x, y) in enumerate(seeds):
        pt = Point(x, y)
        cell = [c for c in cells if c.contains(pt)]
        assert len(cell) == 1
        g = fix(cell[0].intersection(land))
        if g.is_empty:
            continue
        rows.append((i, g))
    # number north to south, west to east
    rows.sort(key=lambda r: (-round(r[1].representative_point().y, -3), round(r[1].representative_point().x, -3)))
    recs = []
    for n, (i, g) in enumerate(rows, start=1):
        prov = province_of(g, provinces)
        beheerder = NETBEHEERDER_OVERRIDE.get(forced.get(i), NETBEHEERDER_BY_PROVINCE[prov])
        if prov in ("Flevoland", "Gelderland", "Utrecht"):
            p_af = [0.03, 0.07, 0.20, 0.70]
        elif prov in ("Noord-Holland", "Noord-Brabant", "Limburg"):
            p_af = [0.10, 0.20, 0.30, 0.40]
        else:
            p_af = [0.20, 0.30, 0.30, 0.20]
        if prov in ("Groningen", "Drenthe", "Fryslân", "Overijssel", "Gelderland"):
            p_in = [0.05, 0.10, 0.25, 0.60]
        else:
            p_in = [0.15, 0.25, 0.30, 0.30]
        afname = RAG[int(rng.choice(4, p=p_af))]
        invoeding = RAG[int(rng.choice(4, p=p_in))]
        if afname == "red":
            queue = round(float(rng.uniform(20.0, 450.0)), 1)
        elif afname == "amber":
            queue = round(float(rng.uniform(2.0, 60.0)), 1)
        else:
            queue = 0.0
        recs.append((g, {"short_code": "VG-%03d" % n, "netbeheerder": beheerder, "afname": afname,
                         "invoeding": invoeding, "afname_wachtrij_mw": queue}))
    return recs


def build_waterschappen(gem):
    groups = {name: [] for name, _, _ in WATERSCHAPPEN}
    for name, code, g in gem:
        p = g.representative_point()
        best = min(WATERSCHAPPEN, key=lambda w: (p.x - w[1]) ** 2 + (p.y - w[2]) ** 2)
        groups[best[0]].append(g)
    recs = []
    taken = None
    for name, _, _ in WATERSCHAPPEN:
        if not groups[name]:
            raise RuntimeError("water board without municipalities: " + name)
        g = unary_union(groups[name])
        if taken is not None:
            g = g.difference(taken)  # the generalised municipalities overlap by a few m² here and there
        g = fix(g)
        taken = g if taken is None else unary_union([taken, g])
        recs.append((g, {"naam": name}))
    return recs


def build_novex(rng, gem_by_name, inner):
    loc_recs = []
    placed = []
    for naam, homes, parts in NOVEX_LOCATIES:
        total_ha = min(1500.0, max(100.0, homes / 80.0)) if homes else (450.0 if len(parts) > 1 else 150.0)
        polys = []
        for gname, hx, hy in parts:
            area = total_ha * 1e4 / len(parts)
            p = place_polygon(rng, gem_by_name[gname], inner(gname, 30.0), area, hint=(hx, hy),
                              avoid=placed, irregularity=0.25, min_area_m2=max(100e4 / len(parts), area * 0.5))
            polys.append(p)
            placed.append(p.buffer(100.0))
        loc_recs.append((MultiPolygon(polys), {"naam": naam, "woningen": homes}))
    geb_recs = []
    for naam, gnames, clip in NOVEX_GEBIEDEN:
        g = unary_union([gem_by_name[n] for n in gnames])
        if clip is not None:
            g = g.intersection(box(*clip))
        g = g.buffer(400.0, resolution=2).buffer(-400.0, resolution=2).simplify(250.0, preserve_topology=True)
        geb_recs.append((fix(g), {"naam": naam}))
    return loc_recs, geb_recs


def build_nplv(rng, gem_by_name, inner):
    recs = []
    placed = []
    for naam, gname, hx, hy in NPLV:
        area = float(rng.uniform(60.0, 320.0)) * 1e4
        p = place_polygon(rng, gem_by_name[gname], inner(gname, 30.0), area, hint=(hx, hy), avoid=placed,
                          irregularity=0.3, min_area_m2=50e4)
        placed.append(p.buffer(100.0))
        recs.append((MultiPolygon([p]), {"naam": naam, "gemeente": gname}))
    return recs


def triple_points(class_geoms):
    """Points where three or more WBS classes meet (shared vertices of the class polygons)."""
    seen = {}
    for k, g in class_geoms.items():
        coords = set()
        for p in polygons_of(g):
            for ring in [p.exterior] + list(p.interiors):
                coords.update((round(x, 3), round(y, 3)) for x, y in ring.coords)
        for c in coords:
            seen[c] = seen.get(c, 0) + 1
    return MultiPoint(sorted(c for c, n in seen.items() if n >= 3))


def build_candidates(rng, gem, gem_by_name, inner, class_bounds, net_bounds, triples):
    names = [n for n, _, _ in gem]
    others = [n for n in names if n not in FOCUS_GEMEENTEN]
    plan = []
    # dense around the NOVEX/NPLV municipalities: 2 each plus 36 spread by size
    for n in FOCUS_GEMEENTEN:
        plan += [n, n]
    sizes = np.array([gem_by_name[n].area for n in FOCUS_GEMEENTEN])
    plan += [FOCUS_GEMEENTEN[i] for i in rng.choice(len(FOCUS_GEMEENTEN), 36, p=sizes / sizes.sum())]
    # Frisian municipalities with diacritics in their names
    plan += ["Súdwest-Fryslân"] * 4 + ["Noardeast-Fryslân"] * 2 + ["De Fryske Marren"]
    rest = [n for n in others if n not in ("Súdwest-Fryslân", "Noardeast-Fryslân", "De Fryske Marren")]
    chosen = list(rng.choice(len(rest), 96, replace=False))
    plan += [rest[i] for i in chosen]
    plan += [rest[i] for i in rng.choice(chosen, 197 - len(plan) , replace=False)]
    assert len(plan) == 197, len(plan)

    line_cache = {}

    def lines_in(gname, which):
        if (gname, which) not in line_cache:
            bounds = class_bounds if which == "wbs" else net_bounds
            line_cache[(gname, which)] = bounds.intersection(gem_by_name[gname].buffer(-300.0))
        return line_cache[(gname, which)]

    cands = []  # [gemeente, polygon]
    avoid = []
    for gname in plan:
        area = math.exp(rng.uniform(math.log(2.0), math.log(150.0))) * 1e4
        # about 12 % start where three WBS classes meet, 33 % on a WBS class boundary,
        # 6 % on a supply area boundary, the rest anywhere in the municipality
        u = rng.uniform()
        hint = None
        if u < 0.12:
            pts = [(q.x, q.y) for q in points_of(triples.intersection(gem_by_name[gname].buffer(-400.0)))]
            if pts:
                hint = pts[int(rng.integers(0, len(pts)))]
        lines = lines_in(gname, "wbs") if u < 0.45 else lines_in(gname, "net") if u < 0.51 else None
        p = place_polygon(rng, gem_by_name[gname], inner(gname, 15.0), area, hint=hint, hint_lines=lines,
                          avoid=avoid, min_area_m2=2e4)
        cands.append([gname, p])
        avoid.append(p.buffer(30.0))
    # partly overlapping candidates: pairs A-B and C-D, and E overlapping D (5 candidates in all)
    big = [i for i, (g, p) in enumerate(cands) if g in FOCUS_GEMEENTEN and p.area > 20e4]
    a_idx, c_idx = [big[int(i)] for i in rng.choice(len(big), 2, replace=False)]
    for base_idx in (a_idx, c_idx, None):
        if base_idx is None:
            base_idx = len(cands) - 1  # D, the partner of C
        gname, base = cands[base_idx]
        others_avoid = [a for j, a in enumerate(avoid) if j != base_idx and not (base_idx == len(cands) - 1 and j == c_idx)]
        for _ in range(2000):
            r = math.sqrt(base.area / math.pi)
            ang = rng.uniform(0, 2 * math.pi)
            c0 = base.centroid
            p = star_polygon(rng, c0.x + 1.3 * r * math.cos(ang), c0.y + 1.3 * r * math.sin(ang),
                             base.area * rng.uniform(0.6, 1.2))
            inter = p.intersection(base).area
            if not (0.05 * min(p.area, base.area) < inter < 0.5 * min(p.area, base.area)):
                continue
            if not inner(gname, 15.0).contains(p) or any(p.intersects(a) for a in others_avoid):
                continue
            break
        else:
            raise RuntimeError("no overlapping partner found")
        cands.append([gname, p])
        avoid.append(p.buffer(30.0))

    cands.sort(key=lambda c: (c[0], round(c[1].centroid.x, 2), round(c[1].centroid.y, 2)))
    counter = {}
    recs = []
    for i, (gname, p) in enumerate(cands, start=1):
        counter[gname] = counter.get(gname, 0) + 1
        prefix = CANDIDATE_PREFIXES[int(rng.integers(0, len(CANDIDATE_PREFIXES)))]
        ha = p.area / 1e4
        woningen = int(round(ha * rng.uniform(15.0, 60.0)))
        betaalbaar = int(round(woningen * rng.uniform(0.30, 0.80)))
        kosten = round(float(woningen * rng.uniform(0.010, 0.045) + ha * rng.uniform(0.05, 0.30)), 2)
        fase = ["idee", "plan", "besluit"][int(rng.choice(3, p=[0.45, 0.40, 0.15]))]
        recs.append((p, {"id": i, "naam": "%s %s %d" % (prefix, gname, counter[gname]), "gemeente": gname,
                         "woningen": woningen, "betaalbaar": betaalbaar, "kosten_meu": kosten, "fase": fase}))
    return recs


# ----------------------------------------------------------------------------- README

README = """# data-samples

Sample layers for `ruimte`, all in **EPSG:28992** (Amersfoort / RD New, metres).
Generated by `scripts/make-samples.py`; regenerate (byte-identical) with

    /usr/bin/python3 scripts/make-samples.py data-samples

(Debian 12 python3 with python3-geopandas, python3-shapely, python3-fiona, python3-numpy;
fixed seed {seed}; the script reads `--data-nl`, default `<repo>/../shared/data-nl`).

## Real data

| file | layer | features | fields |
|---|---|---|---|
| `gemeenten.gpkg` | `gemeenten` | 344 | `naam`, `code` (CBS code as `G0518`) |

Municipality boundaries 2022 (state after 24-03-2022), **generalised** ("gemeente_gegeneraliseerd"),
CBS/Kadaster "CBS gebiedsindelingen", licence **CC-BY-4.0, attribution "CBS, Kadaster"**, taken
unchanged (geometry) from `cbs2022_april.min.geo.json` in github.com/kiesraad/electionmaps
(commit 02614a14ea2d659f0e4aecebd57ffcf43fa21138). Context layer; fine for tests, not for
parcel-level work. Neighbouring municipalities overlap by about 1,000 m² in total (generalisation).

## SYNTHETIC data: made up, not for decisions

Every other layer is **SYNTHETIC**. The shapes and all attribute values are invented with a
fixed random seed. They are placed inside the real municipalities that their names belong to,
so that they look plausible on a map, but they are **not** the real WBS map, capaciteitskaart,
NOVEX or NPLV boundaries or water board areas, and must not be used for any decision. Each
synthetic GeoPackage layer says so in `gpkg_contents.description`.

| file | layer | features | geometry | fields |
|---|---|---|---|---|
| `kandidaten.shp` (+ `.shx .dbf .prj .cpg`) | `kandidaten` | {n_cand} | Polygon | `id`, `naam`, `gemeente`, `woningen`, `betaalbaar`, `kosten_meu`, `fase` |
| `wbs.gpkg` | `wbs` | {n_wbs} | MultiPolygon (one part each) | `klasse`, `overstroming_m`, `bodemdaling_cm`, `wateroverlast`, `drinkwater` |
| `netcongestie.gpkg` | `netcongestie` | {n_net} | MultiPolygon | `short_code`, `netbeheerder`, `afname`, `invoeding`, `afname_wachtrij_mw` |
| `novex.gpkg` | `novex_locaties` | {n_loc} | MultiPolygon | `naam`, `woningen` |
| `novex.gpkg` | `novex_gebieden` | {n_geb} | MultiPolygon | `naam` |
| `nplv.gpkg` | `nplv` | {n_nplv} | MultiPolygon | `naam`, `gemeente` |
| `waterschappen.gpkg` | `waterschappen` | {n_ws} | MultiPolygon | `naam` |

### kandidaten.shp: candidate areas
Irregular star-shaped polygons of 2-150 ha, each entirely inside one real municipality, spread
over the country with extra density in the 27 municipalities that hold NOVEX locations or NPLV
areas. DBF encoding UTF-8 (`.cpg`), names with diacritics (e.g. Súdwest-Fryslân).
- `id` int 1..N; `naam` e.g. "Zuidrand Amersfoort 3"; `gemeente` municipality name (as in `gemeenten.naam`)
- `woningen` int, planned homes (about 15-60 per ha); `betaalbaar` int, affordable homes (30-80 % of `woningen`)
- `kosten_meu` float, cost in million euro. **Note:** the field is meant as `kosten_meur`, but a
  DBF field name has at most 10 characters, so the shapefile holds `kosten_meu`.
- `fase` one of `idee`, `plan`, `besluit`
- Five candidates overlap each other partly (two pairs and one more partner of one of them);
  all others are at least 30 m apart. Many straddle WBS class boundaries on purpose.

### wbs.gpkg: water en bodem sturend
A coverage of the union of the municipalities (no overlaps, no gaps): jittered-grid Voronoi cells
(about 5 km) classed by smooth noise, plus 'nee' floodplain buffers along four synthetic river
lines (rough courses of Waal, Lek, IJssel, Maas), dissolved per class and drinking-water flag,
split at the peat-area line (x < 160000 and y > 430000) and exploded to single polygons.
- `klasse`: `ja`, `ja_mits_klein`, `ja_mits_groot`, `nee_tenzij`, `nee` (about {shares} % of area)
- `overstroming_m` float, flood depth in m (higher in the severe classes)
- `bodemdaling_cm` float, subsidence in cm per 30 years (15-60 in the west/north peat area, 0-12 elsewhere)
- `wateroverlast` int 0-3; `drinkwater` int 0-1 (1: drinking water availability is a concern)

### netcongestie.gpkg: voedingsgebieden (capaciteitskaart-like)
Voronoi regions of random seeds, clipped to the union of the municipalities (a coverage).
- `short_code` "VG-001".., numbered north to south
- `netbeheerder` by province (Liander, Stedin, Enexis; Westland Infra, Coteq, Rendo around Westland, Almelo, Meppel)
- `afname`, `invoeding`: RAGKind `transparant`, `yellow`, `amber`, `red`; `red` afname is more
  frequent in Flevoland, Gelderland and Utrecht (Woontop Afspraak 10.1)
- `afname_wachtrij_mw` float, demand queue in MW (0 for transparant/yellow)
Province membership for these odds comes from `topoquiz/provincie_2023.geojson` in data-nl;
no province geometry is written.

### novex.gpkg
- `novex_locaties`: the 17 grootschalige NOVEX-woningbouwlocaties (names and home counts from
  DOMAIN.md; `woningen` NULL where the list has none), each an invented polygon (multi-part for
  Foodvalley, MRA-Oost, MRA-West, Oude Lijn, Brabantse Stedenrij) of 100-1500 ha in total,
  inside the real municipality or municipalities of the name.
- `novex_gebieden`: the 16 NOVEX-gebieden as coarse shapes: the dissolved real municipalities
  around the name, closed and simplified (250 m). Not the PDOK boundaries.

### nplv.gpkg
The 20 NPLV focus areas, each an invented polygon of 50-400 ha inside the named municipality.
Fields `naam`, `gemeente`.

### waterschappen.gpkg
{n_ws} water boards with real names, each a group of whole municipalities (nearest to a rough
anchor point of the real board); a coverage of the union of the municipalities. The boundaries
are **not** the real water board boundaries (those cut through municipalities).

## Checks run by the generator
All geometries valid; every candidate, NOVEX part and NPLV area inside its municipality; the
coverages (wbs, netcongestie, waterschappen) do not overlap and cover the union of the
municipalities (areas agree to 1e-6 relative).
"""


# ----------------------------------------------------------------------------- verification

def verify(out, gem):
    ok = True

    def check(cond, msg):
        nonlocal ok
        print(("  ok   " if cond else "  FAIL ") + msg)
        ok = ok and cond

    def read(path, layer=None):
        kw = {"layer": layer} if layer else {}
        with fiona.open(path, **kw) as src:
            crs = src.crs
            return [(shape(f["geometry"]), dict(f["properties"])) for f in src], crs

    land = unary_union([g for _, _, g in gem])
    gem_geom = {n: g for n, _, g in gem}
    layers = [("gemeenten.gpkg", "gemeenten"), ("kandidaten.shp", None), ("wbs.gpkg", "wbs"),
              ("netcongestie.gpkg", "netcongestie"), ("novex.gpkg", "novex_locaties"),
              ("novex.gpkg", "novex_gebieden"), ("nplv.gpkg", "nplv"), ("waterschappen.gpkg", "waterschappen")]
    data = {}
    print("verification:")
    for fn, layer in layers:
        feats, crs = read(os.path.join(out, fn), layer)
        data[layer or "kandidaten"] = feats
        nbad = sum(not g.is_valid for g, _ in feats)
        check(nbad == 0 and crs.to_epsg() == EPSG,
              "%-19s %-15s %4d features, %6d vertices, invalid: %d, EPSG:%s"
              % (fn, layer or "", len(feats), sum(n_vertices(g) for g, _ in feats), nbad, crs.to_epsg()))
    for name in ("wbs", "netcongestie", "waterschappen"):
        geoms = [g for g, _ in data[name]]
        u = unary_union(geoms)
        s = sum(g.area for g in geoms)
        rel_overlap = abs(s - u.area) / u.area
        rel_cover = u.symmetric_difference(land).area / land.area
        check(rel_overlap < 1e-6 and rel_cover < 1e-6,
              "%-13s coverage: (sum of areas - area of union)/union = %.2e, symdiff with municipalities' union = %.2e"
              % (name, rel_overlap, rel_cover))
    cands = data["kandidaten"]
    inside = sum(gem_geom[p["gemeente"]].contains(g) for g, p in cands)
    check(inside == len(cands), "candidates inside their municipality: %d of %d" % (inside, len(cands)))
    ha = [g.area / 1e4 for g, _ in cands]
    check(2.0 <= min(ha) and max(ha) <= 150.0, "candidate areas %.1f .. %.1f ha" % (min(ha), max(ha)))
    bet = all(0.3 * p["woningen"] - 1 <= p["betaalbaar"] <= 0.8 * p["woningen"] + 1 for _, p in cands)
    check(bet, "betaalbaar between 30 % and 80 % of woningen")
    overl = set()
    for i in range(len(cands)):
        for j in range(i + 1, len(cands)):
            if cands[i][0].intersection(cands[j][0]).area > 0:
                overl.update([cands[i][1]["id"], cands[j][1]["id"]])
    check(len(overl) == 5, "candidates that overlap another candidate: %d (ids %s)" % (len(overl), sorted(overl)))
    non_ascii = sum(any(ord(ch) > 127 for ch in p["naam"]) for _, p in cands)
    check(non_ascii > 0, "candidate names with non-ASCII characters: %d" % non_ascii)
    for layer, parts_of in (("novex_locaties", {n: [g for g, _, _ in parts] for n, _, parts in NOVEX_LOCATIES}),
                            ("nplv", {n: [g] for n, g, _, _ in NPLV})):
        good = 0
        for geom, props in data[layer]:
            allowed = unary_union([gem_geom[n] for n in parts_of[props["naam"]]])
            good += all(any(gem_geom[n].contains(p) for n in parts_of[props["naam"]]) for p in geom.geoms) \
                and allowed.contains(geom)
        has = [g.area / 1e4 for g, _ in data[layer]]
        check(good == len(data[layer]), "%s inside their municipalities: %d of %d, %.0f .. %.0f ha"
              % (layer, good, len(data[layer]), min(has), max(has)))
    wbs = data["wbs"]
    by_class = {}
    for g, p in wbs:
        by_class[p["klasse"]] = by_class.get(p["klasse"], 0.0) + g.area
    tot = sum(by_class.values())
    print("  wbs class shares: " + ", ".join("%s %.1f %%" % (k, 100 * by_class[k] / tot) for k in WBS_CLASSES))
    nclasses = {}
    for g, _ in cands:
        touched = {p["klasse"] for wg, p in wbs if wg.intersects(g) and wg.intersection(g).area > 1.0}
        nclasses.setdefault(len(touched), 0)
        nclasses[len(touched)] += 1
    print("  candidates by number of wbs classes they touch: "
          + ", ".join("%d class(es): %d" % (k, v) for k, v in sorted(nclasses.items())))
    n2 = sum(v for k, v in nclasses.items() if k >= 2)
    check(n2 >= 0.25 * len(cands), "candidates straddling 2+ wbs classes: %d of %d" % (n2, len(cands)))
    net = data["netcongestie"]
    ncnet = sum(sum(1 for ng, _ in net if ng.intersection(g).area > 1.0) >= 2 for g, _ in cands)
    print("  candidates straddling 2+ netcongestie areas: %d" % ncnet)
    for fld in ("afname", "invoeding"):
        cnt = {}
        for _, p in net:
            cnt[p[fld]] = cnt.get(p[fld], 0) + 1
        print("  netcongestie %s: %s" % (fld, ", ".join("%s %d" % (k, cnt.get(k, 0)) for k in RAG)))
    cnt = {}
    for _, p in net:
        cnt[p["netbeheerder"]] = cnt.get(p["netbeheerder"], 0) + 1
    print("  netbeheerder: " + ", ".join("%s %d" % kv for kv in sorted(cnt.items())))
    total = 0
    for fn in sorted(os.listdir(out)):
        total += os.path.getsize(os.path.join(out, fn))
    check(total < 3 * 1024 * 1024, "total size of %s: %d bytes" % (out, total))
    return ok


# ----------------------------------------------------------------------------- main

def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="output directory, e.g. data-samples")
    ap.add_argument("--data-nl", default=os.path.join(repo, "..", "shared", "data-nl"),
                    help="folder with the real boundaries (default: <repo>/../shared/data-nl)")
    ap.add_argument("--no-verify", action="store_true", help="skip the checks after writing")
    args = ap.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)

    rng = np.random.default_rng(SEED)
    gem, provinces = load_inputs(args.data_nl)
    gem_by_name = {n: g for n, _, g in gem}
    for n in FOCUS_GEMEENTEN + [g for _, _, parts in NOVEX_LOCATIES for g, _, _ in parts] \
            + [g for _, gs, _ in NOVEX_GEBIEDEN for g in gs] + [g for _, g, _, _ in NPLV] \
            + list(NETBEHEERDER_OVERRIDE):
        if n not in gem_by_name:
            sys.exit("unknown municipality in the script's lists: " + n)
    land = unary_union([g for _, _, g in gem])
    land_prep = prep(land)
    inner_cache = {}

    def inner(gname, margin):
        key = (gname, margin)
        if key not in inner_cache:
            inner_cache[key] = prep(gem_by_name[gname].buffer(-margin))
        return inner_cache[key]

    rivers = river_lines(rng)
    print("building wbs ...", flush=True)
    wbs_recs, class_geoms = build_wbs(rng, land, land_prep, rivers)
    class_bounds = unary_union([g.boundary for g in class_geoms.values()])
    print("building netcongestie ...", flush=True)
    net_recs = build_netcongestie(rng, land, land_prep, gem_by_name, provinces)
    print("building waterschappen, novex, nplv ...", flush=True)
    ws_recs = build_waterschappen(gem)
    loc_recs, geb_recs = build_novex(rng, gem_by_name, inner)
    nplv_recs = build_nplv(rng, gem_by_name, inner)
    print("building kandidaten ...", flush=True)
    net_bounds = unary_union([g.boundary for g, _ in net_recs])
    cand_recs = build_candidates(rng, gem, gem_by_name, inner, class_bounds, net_bounds,
                                 triple_points(class_geoms))

    for fn in ("gemeenten.gpkg", "wbs.gpkg", "netcongestie.gpkg", "novex.gpkg", "nplv.gpkg",
               "waterschappen.gpkg", "kandidaten.shp", "kandidaten.shx", "kandidaten.dbf", "kandidaten.prj",
               "kandidaten.cpg", "README.md"):
        remove(os.path.join(out, fn))

    p = lambda fn: os.path.join(out, fn)  # noqa: E731
    write_layer(p("gemeenten.gpkg"), "gemeenten",
                {"geometry": "MultiPolygon", "properties": {"naam": "str", "code": "str"}},
                [(to_multi(g), {"naam": n, "code": c}) for n, c, g in gem])
    finish_gpkg(p("gemeenten.gpkg"), {"gemeenten": "Real data: CBS/Kadaster gemeentegrenzen 2022 (generalised), "
                                                   "CC-BY-4.0, attribution CBS, Kadaster; via github.com/kiesraad/electionmaps"})

    write_layer(p("wbs.gpkg"), "wbs",
                {"geometry": "MultiPolygon", "properties": {
                    "klasse": "str", "overstroming_m": "float", "bodemdaling_cm": "float",
                    "wateroverlast": "int", "drinkwater": "int"}}, wbs_recs)
    finish_gpkg(p("wbs.gpkg"), {"wbs": SYNTH + "water en bodem sturend classes and themes, not the national "
                                              "sturingskaart; placed over the real municipalities."})

    write_layer(p("netcongestie.gpkg"), "netcongestie",
                {"geometry": "MultiPolygon", "properties": {
                    "short_code": "str", "netbeheerder": "str", "afname": "str", "invoeding": "str",
                    "afname_wachtrij_mw": "float"}}, net_recs)
    finish_gpkg(p("netcongestie.gpkg"), {"netcongestie": SYNTH + "voedingsgebieden with RAGKind constraints, "
                                                                 "not the Netbeheer Nederland capaciteitskaart."})

    write_layer(p("novex.gpkg"), "novex_locaties",
                {"geometry": "MultiPolygon", "properties": {"naam": "str", "woningen": "int"}}, loc_recs)
    write_layer(p("novex.gpkg"), "novex_gebieden",
                {"geometry": "MultiPolygon", "properties": {"naam": "str"}}, geb_recs)
    finish_gpkg(p("novex.gpkg"), {
        "novex_locaties": SYNTH + "the 17 NOVEX-woningbouwlocaties as invented polygons inside the real "
                                  "municipalities of their names; home counts from DOMAIN.md.",
        "novex_gebieden": SYNTH + "the 16 NOVEX-gebieden as coarse shapes around real municipalities, "
                                  "not the PDOK boundaries."})

    write_layer(p("nplv.gpkg"), "nplv",
                {"geometry": "MultiPolygon", "properties": {"naam": "str", "gemeente": "str"}}, nplv_recs)
    finish_gpkg(p("nplv.gpkg"), {"nplv": SYNTH + "the 20 NPLV focus areas as invented polygons inside the "
                                                 "named real municipalities."})

    write_layer(p("waterschappen.gpkg"), "waterschappen",
                {"geometry": "MultiPolygon", "properties": {"naam": "str"}}, ws_recs)
    finish_gpkg(p("waterschappen.gpkg"), {"waterschappen": SYNTH + "real water board names on groups of whole "
                                                                   "municipalities, not the real boundaries."})

    write_layer(p("kandidaten.shp"), "kandidaten",
                {"geometry": "Polygon", "properties": {
                    "id": "int:6", "naam": "str:80", "gemeente": "str:40", "woningen": "int:8",
                    "betaalbaar": "int:8", "kosten_meu": "float:12.2", "fase": "str:8"}},
                cand_recs, driver="ESRI Shapefile")
    finish_shp(p("kandidaten"))

    shares = "/".join("%d" % round(100 * sum(g.area for g, pr in wbs_recs if pr["klasse"] == k)
                                   / sum(g.area for g, _ in wbs_recs)) for k in WBS_CLASSES)
    with open(p("README.md"), "w", encoding="utf-8") as f:
        f.write(README.format(seed=SEED, n_cand=len(cand_recs), n_wbs=len(wbs_recs), n_net=len(net_recs),
                              n_loc=len(loc_recs), n_geb=len(geb_recs), n_nplv=len(nplv_recs),
                              n_ws=len(ws_recs), shares=shares))

    if not args.no_verify:
        if not verify(out, gem):
            sys.exit("verification failed")


if __name__ == "__main__":
    main()
