#include "spatial/jobs/score_pushdown.hpp"

#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "spatial/core/error.hpp"
#include "spatial/geometry/geos.hpp"
#include "spatial/io/postgis.hpp"

namespace ruimte {

namespace {

// Cleans one geometry the way read_polygon_layer does, step by step; created in the work
// schema (rolled back with it). OUT: the clean geometry in EPSG:28992, or why it is skipped
// (not an error) or unusable (an error unless --skip-invalid), and the repairs made.
const char* kCleanFunction = R"SQL(
CREATE FUNCTION %W%.clean(g0 geometry, assume_srid integer,
    OUT geom geometry, OUT skip text, OUT problem text, OUT repairs text)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
    g geometry;
    n integer;
    reason text;
BEGIN
    IF g0 IS NULL THEN skip := 'null geometry'; RETURN; END IF;
    IF ST_IsEmpty(g0) THEN skip := 'empty geometry'; RETURN; END IF;
    g := ST_Force2D(g0);
    IF ST_HasArc(g) THEN g := ST_CurveToLine(g); END IF;
    IF GeometryType(g) = 'GEOMETRYCOLLECTION' AND (SELECT bool_and(GeometryType(ST_GeometryN(g, i)) IN ('POLYGON', 'MULTIPOLYGON'))
                                                  FROM generate_series(1, ST_NumGeometries(g)) i) THEN
        g := ST_Multi(ST_CollectionExtract(g, 3));
    END IF;
    IF GeometryType(g) NOT IN ('POLYGON', 'MULTIPOLYGON') THEN
        problem := 'not a polygon but a ' || GeometryType(g) || '; this layer must hold polygons';
        RETURN;
    END IF;
    IF ST_SRID(g) = 0 THEN g := ST_SetSRID(g, assume_srid); END IF;
    IF ST_SRID(g) <> 28992 THEN g := ST_Transform(g, 28992); END IF;
    n := ST_NPoints(g);
    g := ST_RemoveRepeatedPoints(g);
    IF ST_NPoints(g) <> n THEN repairs := 'repeated points removed'; END IF;
    IF NOT ST_IsValid(g) THEN
        reason := regexp_replace(ST_IsValidReason(g), '\[.*$', '');
        g := ST_CollectionExtract(ST_MakeValid(g, 'method=structure keepcollapsed=false'), 3);
        repairs := concat_ws('; ', repairs, 'invalid (' || reason || '), repaired with MakeValid');
    END IF;
    IF ST_IsEmpty(g) OR ST_Area(g) <= 0 THEN
        skip := CASE WHEN repairs IS NULL THEN 'zero area' ELSE 'collapsed to zero area after repair' END;
        RETURN;
    END IF;
    geom := g;
END
$fn$)SQL";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
        s.replace(pos, from.size(), to);
    return s;
}

std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

// Where one profile layer comes from, in SQL.
struct LayerSql {
    std::string from;    // a quoted table or a parenthesised query, aliased s
    std::string fid;     // SQL expression for the feature id
    std::string geom;    // quoted geometry column
    std::string value;   // quoted class or name column
    std::string fields;  // for messages
};

void check_cancel(const PushdownOptions& o) {
    if (o.control.cancel && o.control.cancel->load()) throw Error(ErrorKind::cancelled, "interrupted");
}

LayerSql describe_layer(pg::Connection& c, const LayerSpec& spec, const pg::Target& target, ErrorPlace place) {
    LayerSql out;
    const bool query = pg::is_query(spec.source.layer);
    if (spec.source.layer.empty()) {
        throw Error(ErrorKind::usage, "--engine postgis needs the table or query of each layer", place,
                    "write the source as PG:\"...\":TABLE or postgresql://.../DB:TABLE");
    }
    // A query is checked read-only first; here it runs inside the work transaction, which is
    // never committed, as part of one statement (Connection takes no second one).
    if (query) pg::check_source_query(target, spec.source.layer, place);
    if (!query) {
        try {
            pg::table_name_parts(spec.source.layer);
        } catch (const Error& e) { throw Error(ErrorKind::input, e.message(), place, e.hint()); }
    }
    out.from =
        query ? "(" + spec.source.layer + ") AS s" : pg::quoted_table(c, spec.source.layer, target.schema) + " AS s";
    const pg::Result cols = c.query("SELECT * FROM " + out.from + " LIMIT 0");
    const pg::Result geom_oid = c.query("SELECT 'geometry'::regtype::oid");
    const unsigned geometry_type = static_cast<unsigned>(geom_oid.integer(0, 0));
    std::string fid_col;
    if (!query) {
        // GDAL takes a one-column integer primary key as the FID; so do we.
        const pg::Result pk = c.query(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_index i JOIN pg_attribute a ON a.attrelid "
            "= i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = " +
            c.literal(pg::quoted_table(c, spec.source.layer, target.schema)) + "::regclass AND i.indisprimary");
        if (pk.rows() == 1 && (pk.text(0, 1) == "integer" || pk.text(0, 1) == "bigint" || pk.text(0, 1) == "smallint"))
            fid_col = pk.text(0, 0);
    }
    for (int i = 0; i < cols.columns(); ++i) {
        const std::string name = cols.column_name(i);
        if (cols.column_type(i) == geometry_type) {
            if (out.geom.empty()) out.geom = c.ident(name);
            continue;
        }
        if (fid_col.empty() && name == "ogc_fid") fid_col = name;
        if (name == fid_col) continue;
        out.fields += (out.fields.empty() ? "" : ", ") + name;
        if (lower(name) == lower(spec.field) && out.value.empty()) out.value = c.ident(name);
    }
    if (out.geom.empty()) {
        throw Error(ErrorKind::input, "no geometry column", place,
                    "select the geometry column (a PostGIS geometry) too");
    }
    if (out.value.empty()) {
        throw Error(ErrorKind::input,
                    "the layer has no field '" + spec.field +
                        "'; its fields are: " + (out.fields.empty() ? "(none)" : out.fields),
                    place,
                    "set " + std::string(spec.kind == LayerKind::classes ? "class_field" : "name_field") +
                        " of [layers." + spec.name + "] in the profile to one of these fields");
    }
    out.fid = fid_col.empty() ? std::string("(row_number() OVER () - 1)") : "s." + c.ident(fid_col);
    return out;
}

int assume_srid(const std::string& assume_crs) {
    if (assume_crs.empty()) return 0;
    const std::string up = lower(assume_crs);
    if (up.rfind("epsg:", 0) == 0) {
        try {
            return std::stoi(assume_crs.substr(5));
        } catch (...) {}
    }
    throw Error(ErrorKind::usage, "--assume-crs '" + assume_crs + "' is not EPSG:NNNN", {},
                "with --engine postgis write the CRS as EPSG:NNNN (a code in spatial_ref_sys)");
}

}  // namespace

namespace {

// Step 1: every layer in PostgreSQL, one database.
pg::Target pushdown_target(const Profile& profile) {
    std::optional<pg::Target> target;
    for (const auto& spec : profile.layers) {
        ErrorPlace place = ErrorPlace::at(spec.source.path, spec.source.layer);
        place.key = "layers." + spec.name + ".source";
        place.line = spec.line;
        if (is_point_line(spec.kind)) {
            throw Error(ErrorKind::usage,
                        "--engine postgis does not compute points and lines layers; layer '" + spec.name + "' is one",
                        place, "use --engine embedded (the default); it reads PostGIS tables as well");
        }
        if (!pg::is_postgres(spec.source.path)) {
            throw Error(ErrorKind::usage,
                        "--engine postgis runs the overlay inside PostGIS, but layer '" + spec.name + "' is a file",
                        place,
                        "load it into the database (ogr2ogr -f PostgreSQL PG:\"...\" FILE) and give it as --layer " +
                            spec.name + "=PG:\"...\":TABLE, or use --engine embedded");
        }
        const pg::Target t = pg::parse_target(spec.source.path, ErrorKind::input);
        if (target && target->conninfo != t.conninfo) {
            throw Error(ErrorKind::usage,
                        "--engine postgis needs every layer in one database; layer '" + spec.name + "' is in " +
                            t.display() + ", the first in " + target->display(),
                        place, "put the layers in one database, or use --engine embedded");
        }
        if (!target) target = t;
    }
    if (!target) throw Error(ErrorKind::usage, "the profile has no layers", {}, "add [layers.NAME] to the profile");
    return *target;
}

// One transaction that is never committed: the work schema, the candidates and the pieces
// vanish at the end, or when the run is killed. Returns the work schema's quoted name.
std::string open_work_schema(pg::Connection& c, const PushdownOptions& options) {
    c.exec("BEGIN");
    const std::string w = c.ident("ruimte_pushdown_" + c.query("SELECT pg_backend_pid()").text(0, 0));
    c.exec("CREATE SCHEMA " + w);
    // Parallel query: the GEOS calls are costly, so let the planner use workers early.
    c.exec("SET LOCAL parallel_setup_cost = 100");
    c.exec("SET LOCAL parallel_tuple_cost = 0.001");
    c.exec("SET LOCAL min_parallel_table_scan_size = 0");
    if (options.control.threads > 0) {
        c.exec("SET LOCAL max_parallel_workers_per_gather = " + std::to_string(options.control.threads - 1));
    }
    c.exec(replace_all(replace_all(kCleanFunction, "%W%", w), "method=structure",
                       std::string("method=") + geos::to_string(options.make_valid)));
    return w;
}

// Step 2: the candidates, as read_polygon_layer repaired them, with their area.
void upload_candidates(pg::Connection& c, const std::string& w, const FeatureLayer& candidates, OverlayResult& ov) {
    const std::size_t n = candidates.features.size();
    c.exec("CREATE TABLE " + w +
           ".cand (c integer PRIMARY KEY, area double precision, geom geometry(Geometry, 28992))");
    geos::Context ctx;
    std::string data;  // sent every 1 MB
    c.copy_begin("COPY " + w + ".cand (c, area, geom) FROM STDIN");
    for (std::size_t i = 0; i < n; ++i) {
        const GEOSGeometry* g = candidates.features[i].geom.get();
        ov.candidate_area_m2[i] = geos::area(ctx, g);
        const std::vector<unsigned char> wkb = geos::to_wkb(ctx, g);
        char area[40];
        std::snprintf(area, sizeof area, "%.17g", ov.candidate_area_m2[i]);
        data += std::to_string(i) + '\t' + area + '\t' + pg::ewkb_hex(wkb.data(), wkb.size(), 28992) + '\n';
        c.copy_put(data);
    }
    c.copy_end(data);
    c.exec("CREATE INDEX ON " + w + ".cand USING gist (geom)");
    c.exec("ANALYZE " + w + ".cand");
}

// One layer on its way through the database: its tables are w.lL (cleaned features), w.pL
// (pieces), w.oL (features overlapping another), w.hL (candidate-piece areas).
struct PushdownLayer {
    const LayerSpec& spec;
    std::string w, L;
    ErrorPlace place;
    LayerSql src;
    FeatureLayer meta;  // what the embedded reader would report: CRS and hygiene
    std::vector<std::string> classes;
    std::map<std::string, std::size_t> position;  // class -> index
    std::string value_expr = "value";             // a presence feature without a name: 'fid N'
    std::string table(const char* kind) const { return w + "." + kind + L; }
};

// CRS: the SRIDs the layer's geometries carry.
void layer_crs(pg::Connection& c, PushdownLayer& pl, int srid_assumed) {
    const pg::Result srids = c.query("SELECT DISTINCT ST_SRID(s." + pl.src.geom + ") FROM " + pl.src.from +
                                     " WHERE s." + pl.src.geom + " IS NOT NULL ORDER BY 1");
    std::string crs;
    auto& info = pl.meta.crs;
    for (int i = 0; i < srids.rows(); ++i) {
        const long long srid = srids.integer(i, 0);
        if (srid == 0 && srid_assumed == 0) {
            throw Error(ErrorKind::input, "the layer's geometries have no coordinate reference system (SRID 0)",
                        pl.place,
                        "set the SRID (UPDATE ... SET geom = ST_SetSRID(geom, 28992)), or pass --assume-crs "
                        "EPSG:28992 if the "
                        "coordinates are RD New");
        }
        const long long effective = srid == 0 ? srid_assumed : srid;
        crs += (crs.empty() ? "" : ", ") + std::string("EPSG:") + std::to_string(effective);
        info.assumed = info.assumed || srid == 0;
        info.reprojected = info.reprojected || effective != 28992;
    }
    info.source_crs = crs.empty() ? "none (no geometries)" : "SRID " + crs;
    info.operation = info.reprojected ? "PostGIS ST_Transform to EPSG:28992 (PROJ)" : "none (source is EPSG:28992)";
    info.accuracy_m = info.reprojected ? -1 : 0;
}

// The features cleaned in SQL; hygiene as read_polygon_layer reports it, the first unusable
// feature the error (without --skip-invalid).
void clean_layer(pg::Connection& c, PushdownLayer& pl, int srid_assumed, bool skip_invalid) {
    c.exec("CREATE TABLE " + pl.table("l") +
           " AS SELECT f.fid, f.value, (x).geom, (x).skip, (x).problem, (x).repairs FROM (SELECT " + pl.src.fid +
           "::bigint AS fid, s." + pl.src.value + "::text AS value, " + pl.w + ".clean(s." + pl.src.geom + ", " +
           std::to_string(srid_assumed) + ") AS x FROM " + pl.src.from + ") f");
    const pg::Result issues =
        c.query("SELECT fid, skip, problem, repairs FROM " + pl.table("l") +
                " WHERE skip IS NOT NULL OR problem IS NOT NULL OR repairs IS NOT NULL ORDER BY fid");
    for (int i = 0; i < issues.rows(); ++i) {
        const std::int64_t fid = issues.integer(i, 0);
        if (!issues.is_null(i, 2)) {
            if (!skip_invalid) {
                ErrorPlace p = pl.place;
                p.feature_id = fid;
                throw Error(ErrorKind::input, issues.text(i, 2), p,
                            "remove or convert the feature, or pass --skip-invalid to skip such features");
            }
            pl.meta.hygiene.skipped.push_back({fid, issues.text(i, 2)});
        } else if (!issues.is_null(i, 1)) {
            pl.meta.hygiene.skipped.push_back({fid, issues.text(i, 1)});
        } else {
            pl.meta.hygiene.repaired.push_back({fid, issues.text(i, 3)});
        }
    }
}

// Classes: the profile's, or the values found (sorted); every value must be one of them.
void layer_classes(pg::Connection& c, PushdownLayer& pl) {
    const LayerSpec& spec = pl.spec;
    const pg::Result values =
        c.query("SELECT value, min(fid), count(*) FROM " + pl.table("l") +
                " WHERE geom IS NOT NULL GROUP BY value ORDER BY value COLLATE \"C\" NULLS FIRST");
    pl.classes = spec.classes;
    std::vector<std::string> found;
    bool has_null = false;
    for (int i = 0; i < values.rows(); ++i) {
        if (values.is_null(i, 0)) {
            has_null = true;
            if (spec.kind == LayerKind::classes) {
                ErrorPlace p = pl.place;
                p.feature_id = values.integer(i, 1);
                throw Error(ErrorKind::input, "the feature has no value in class field '" + spec.field + "'", p,
                            "give every feature a class, or remove it");
            }
            continue;
        }
        found.push_back(values.text(i, 0));
    }
    // A presence feature without a name is named after its fid, as the embedded engine does.
    if (has_null) {
        pl.value_expr = "coalesce(value, 'fid ' || fid)";
        const pg::Result unnamed = c.query("SELECT DISTINCT 'fid ' || fid FROM " + pl.table("l") +
                                           " WHERE geom IS NOT NULL AND value IS NULL");
        for (int i = 0; i < unnamed.rows(); ++i) found.push_back(unnamed.text(i, 0));
    }
    if (pl.classes.empty()) {
        std::set<std::string> seen(found.begin(), found.end());
        pl.classes.assign(seen.begin(), seen.end());
    }
    for (std::size_t k = 0; k < pl.classes.size(); ++k) pl.position[pl.classes[k]] = k;
    for (const auto& v : found) {
        if (pl.position.count(v)) continue;
        const pg::Result where =
            c.query("SELECT min(fid) FROM " + pl.table("l") + " WHERE " + pl.value_expr + " = " + c.literal(v));
        std::string allowed, found_list;
        for (const auto& cl : pl.classes) allowed += (allowed.empty() ? "'" : ", '") + cl + "'";
        for (const auto& f : std::set<std::string>(found.begin(), found.end()))
            found_list += (found_list.empty() ? "'" : ", '") + f + "'";
        ErrorPlace p = pl.place;
        p.feature_id = where.integer(0, 0);
        throw Error(ErrorKind::input,
                    "class value '" + v + "' in field '" + spec.field +
                        "' is not one of the classes the profile allows (" + allowed +
                        "); values found in the layer: " + found_list,
                    p, "add the value to classes of [layers." + spec.name + "] or fix the data");
    }
}

// Pieces of at most max_piece_vertices vertices, with a GiST index; then the features that
// overlap another feature of the layer (interiors, more than 1e-3 m2): under such features
// areas are unioned, not added, so nothing counts twice. Returns the number of pieces.
std::size_t subdivide_layer(pg::Connection& c, const PushdownLayer& pl, const PushdownOptions& options) {
    const std::string P = pl.table("p"), O = pl.table("o");
    c.exec("CREATE TABLE " + P + " AS SELECT row_number() OVER () AS piece, fid, " + pl.value_expr +
           " AS value, geom, ST_Area(geom) AS area FROM (SELECT fid, value, ST_Subdivide(geom, " +
           std::to_string(options.max_piece_vertices) + ") AS geom FROM " + pl.table("l") +
           " WHERE geom IS NOT NULL) d");
    c.exec("DELETE FROM " + P + " WHERE area <= 0");
    c.exec("CREATE INDEX ON " + P + " USING gist (geom)");
    c.exec("ANALYZE " + P);
    const auto pieces = static_cast<std::size_t>(c.query("SELECT count(*) FROM " + P).integer(0, 0));
    c.exec("CREATE TABLE " + O + " AS SELECT DISTINCT unnest(ARRAY[a.fid, b.fid]) AS fid FROM " + P + " a JOIN " + P +
           " b ON a.geom && b.geom AND a.piece < b.piece AND a.fid <> b.fid "
           "WHERE ST_Relate(a.geom, b.geom, '2********') AND ST_Area(ST_Intersection(a.geom, b.geom)) > 1e-3");
    const long long overlapping = c.query("SELECT count(*) FROM " + O).integer(0, 0);
    if (overlapping > 0 && options.notice) {
        options.notice("layer " + pl.spec.name + ": " + std::to_string(overlapping) +
                       " features overlap other features of the layer; overlapping area is counted once per class");
    }
    return pieces;
}

// The overlay: area of every candidate in every piece it meets, per class and covered; for a
// presence layer also the distance to the nearest piece (0 when overlapping or touching).
LayerOverlay overlay_layer(pg::Connection& c, const PushdownLayer& pl, const OverlayResult& ov) {
    const std::string& w = pl.w;
    const std::string P = pl.table("p"), O = pl.table("o"), H = pl.table("h");
    const std::size_t n = ov.candidate_area_m2.size();
    c.exec("CREATE TABLE " + H +
           " AS SELECT c.c, p.fid, p.value, p.piece, "
           "CASE WHEN ST_Covers(c.geom, p.geom) THEN p.area "
           "WHEN ST_Covers(p.geom, c.geom) THEN c.area "
           "ELSE ST_Area(ST_Intersection(c.geom, p.geom)) END AS area "
           "FROM " +
           w + ".cand c JOIN " + P + " p ON c.geom && p.geom WHERE ST_Intersects(c.geom, p.geom)");
    LayerOverlay lo;
    lo.class_count = pl.classes.size();
    lo.area_m2.assign(n * lo.class_count, 0.0);
    lo.covered_m2.assign(n, 0.0);
    // Candidates under no overlapping feature: areas add up.
    const pg::Result sums = c.query("SELECT c, value, sum(area) FROM " + H + " h WHERE NOT EXISTS (SELECT 1 FROM " + H +
                                    " x JOIN " + O + " o USING (fid) WHERE x.c = h.c) GROUP BY c, value");
    for (int i = 0; i < sums.rows(); ++i) {
        const auto cand = static_cast<std::size_t>(sums.integer(i, 0));
        const double a = sums.number(i, 2);
        lo.area_m2[cand * lo.class_count + pl.position.at(sums.text(i, 1))] += a;
        lo.covered_m2[cand] += a;
    }
    // Candidates under overlapping features: union of the parts per class and in all.
    const pg::Result unions =
        c.query("WITH parts AS (SELECT h.c, h.value, ST_Intersection(c.geom, p.geom) AS g FROM " + H + " h JOIN " + w +
                ".cand c USING (c) JOIN " + P + " p USING (piece) WHERE h.area > 0 AND h.c IN (SELECT x.c FROM " + H +
                " x JOIN " + O +
                " o USING (fid))) "
                "SELECT c, value, GROUPING(value), ST_Area(ST_Union(g)) FROM parts GROUP BY GROUPING SETS ((c, "
                "value), (c))");
    for (int i = 0; i < unions.rows(); ++i) {
        const auto cand = static_cast<std::size_t>(unions.integer(i, 0));
        const double a = unions.number(i, 3);
        if (unions.text(i, 2) == "1") lo.covered_m2[cand] = a;
        else lo.area_m2[cand * lo.class_count + pl.position.at(unions.text(i, 1))] = a;
    }
    for (std::size_t i = 0; i < n; ++i) lo.covered_m2[i] = std::min(lo.covered_m2[i], ov.candidate_area_m2[i]);
    if (pl.spec.kind == LayerKind::presence) {
        lo.distance_m.assign(n, 0.0);
        // <-> on geometries is the exact 2D distance (ST_Distance), and its KNN index scan
        // rechecks the boxes, so the first piece it yields is the nearest.
        const pg::Result dist =
            c.query("SELECT c.c, n.d FROM " + w + ".cand c LEFT JOIN LATERAL (SELECT p.geom <-> c.geom AS d FROM " + P +
                    " p ORDER BY p.geom <-> c.geom LIMIT 1) n ON true WHERE NOT EXISTS (SELECT 1 FROM " + H +
                    " h WHERE h.c = c.c AND h.area > 0)");
        for (int i = 0; i < dist.rows(); ++i)
            lo.distance_m[static_cast<std::size_t>(dist.integer(i, 0))] = dist.number(i, 1);
    }
    return lo;
}

}  // namespace

PushdownResult pushdown_overlay(const Profile& profile, const FeatureLayer& candidates,
                                const PushdownOptions& options) {
    auto stage = [&](const std::string& name, std::size_t done, std::size_t total) {
        if (options.progress) options.progress(name, done, total);
    };
    // 1. Every layer in PostgreSQL, one database.
    const pg::Target target = pushdown_target(profile);
    const int srid_assumed = assume_srid(options.assume_crs);
    PushdownResult result;
    const std::size_t n = candidates.features.size();
    OverlayResult& ov = result.overlay;
    ov.candidate_area_m2.assign(n, 0.0);
    pg::Connection c(target, ErrorKind::input);
    const std::string w = open_work_schema(c, options);

    // 2. The candidates.
    stage("upload candidates", 0, n);
    upload_candidates(c, w, candidates, ov);

    // 3. Per layer: clean, check classes, subdivide, index, overlay.
    const std::size_t layers = profile.layers.size();
    for (std::size_t l = 0; l < layers; ++l) {
        check_cancel(options);
        const LayerSpec& spec = profile.layers[l];
        const pg::Target layer_target = pg::parse_target(spec.source.path, ErrorKind::input);
        stage("clean " + spec.name + " (postgis)", l, layers);
        PushdownLayer pl{spec, w, std::to_string(l), ErrorPlace::at(layer_target.display(), spec.source.layer), {}, {},
                         {},   {}};
        pl.src = describe_layer(c, spec, layer_target, pl.place);
        pl.meta.source = spec.source;
        pl.meta.layer_name = pg::is_query(spec.source.layer) ? std::string("query") : spec.source.layer;
        layer_crs(c, pl, srid_assumed);
        clean_layer(c, pl, srid_assumed, options.skip_invalid);
        layer_classes(c, pl);
        check_cancel(options);
        stage("subdivide " + spec.name + " (postgis)", l, layers);
        result.pieces.push_back(subdivide_layer(c, pl, options));
        check_cancel(options);
        stage("overlay " + spec.name + " (postgis)", l, layers);
        ov.layers.push_back(overlay_layer(c, pl, ov));
        // The class list for scoring and writing: an index with no pieces.
        result.indexes.push_back(std::make_unique<LayerIndex>(spec.name, spec.kind, std::vector<const GEOSGeometry*>{},
                                                              std::vector<std::uint32_t>{}, pl.classes, IndexOptions{},
                                                              options.control));
        result.layers.push_back(std::move(pl.meta));
    }
    stage("overlay (postgis)", layers, layers);
    c.exec("ROLLBACK");
    return result;
}

}  // namespace ruimte
