#include "spatial/io/source.hpp"

#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <proj.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "spatial/core/error.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/geometry/area_kernel.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/io/point_line_read.hpp"
#include "spatial/io/postgis.hpp"
#include "spatial/io/read_check.hpp"

namespace fs = std::filesystem;

namespace ruimte {

Feature::Feature() = default;
Feature::Feature(Feature&&) noexcept = default;
Feature& Feature::operator=(Feature&&) noexcept = default;
Feature::~Feature() = default;

void DefnRelease::operator()(OGRFeatureDefn* d) const noexcept {
    if (d) d->Release();
}

SourceSpec parse_source(std::string_view spec_in, const std::string& base_dir) {
    std::string spec(spec_in);
    auto resolve = [&](const std::string& p) {
        fs::path path(p);
        if (path.is_relative() && !base_dir.empty()) path = fs::path(base_dir) / path;
        return path.lexically_normal().string();
    };
    if (spec.empty()) throw Error(ErrorKind::usage, "empty source", {}, "give FILE or FILE:LAYER");
    // PG:"CONNINFO"[:TABLE|:SELECT ...] or postgresql://...[:TABLE|:SELECT ...] (spatial/postgis.hpp)
    if (pg::is_postgres(spec)) {
        auto [connection, relation] = pg::split_source(spec);
        return {connection, relation};
    }
    std::error_code ec;
    if (fs::exists(resolve(spec), ec)) return {resolve(spec), ""};
    const auto colon = spec.rfind(':');
    if (colon != std::string::npos && colon > 0 && colon + 1 < spec.size()) {
        const std::string file = resolve(spec.substr(0, colon));
        if (fs::exists(file, ec)) return {file, spec.substr(colon + 1)};
    }
    throw Error(ErrorKind::input, "no such file", ErrorPlace::at(resolve(spec)),
                "check the path; to pick a layer write FILE:LAYER");
}

std::vector<std::string> list_layers(const std::string& path) {
    ensure_gdal();
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds) {
        throw Error(ErrorKind::input, "cannot open as a vector source: " + gdal_last_error(), ErrorPlace::at(path),
                    "check that it is a Shapefile, GeoPackage, GeoJSON or FlatGeobuf");
    }
    std::vector<std::string> names;
    for (int i = 0; i < ds->GetLayerCount(); ++i) names.emplace_back(ds->GetLayer(i)->GetName());
    return names;
}

ErrorPlace FeatureLayer::place(std::optional<std::int64_t> fid) const {
    ErrorPlace p;
    p.file = source.path;
    p.layer = layer_name;
    p.feature_id = fid;
    return p;
}

std::vector<const GEOSGeometry*> FeatureLayer::geometries() const {
    std::vector<const GEOSGeometry*> out;
    out.reserve(features.size());
    for (const Feature& f : features) out.push_back(f.geom.get());
    return out;
}

std::vector<std::string> FeatureLayer::hygiene_notes(const std::string& role, const std::string& more_note) const {
    auto ids = [&](const std::vector<GeometryIssue>& v) {
        std::string s;
        for (std::size_t i = 0; i < v.size() && i < 10; ++i)
            s += (i ? ", " : "") + std::to_string(v[i].fid) + " (" + v[i].what + ")";
        if (v.size() > 10) s += ", ... (" + std::to_string(v.size() - 10) + " more" + more_note + ")";
        return s;
    };
    const std::string where = role + " (" + source.display() + ")";
    std::vector<std::string> out;
    if (!hygiene.repaired.empty()) {
        out.push_back(where + ": repaired " + std::to_string(hygiene.repaired.size()) +
                      " features: " + ids(hygiene.repaired));
    }
    if (!hygiene.skipped.empty()) {
        out.push_back(where + ": skipped " + std::to_string(hygiene.skipped.size()) +
                      " features: " + ids(hygiene.skipped));
    }
    for (const auto& n : notices) out.push_back(where + ": " + n);
    if (crs.reprojected) {
        out.push_back(where + ": reprojected from " + crs.source_crs + " to EPSG:28992 with '" + crs.operation +
                      "' (accuracy " +
                      (crs.accuracy_m >= 0 ? fixed(crs.accuracy_m, 2) + " m" : std::string("unknown")) + ")");
    }
    return out;
}

std::string FeatureLayer::field_names() const {
    std::string out;
    for (int i = 0; defn && i < defn->GetFieldCount(); ++i)
        out += (i ? ", " : "") + std::string(defn->GetFieldDefn(i)->GetNameRef());
    return out.empty() ? "(none)" : out;
}

int FeatureLayer::field_index(std::string_view name) const {
    return defn ? defn->GetFieldIndex(std::string(name).c_str()) : -1;
}

bool FeatureLayer::field_is_null(const Feature& f, int field) const {
    return !f.attributes || !f.attributes->IsFieldSetAndNotNull(field);
}

std::string FeatureLayer::field_as_string(const Feature& f, int field) const {
    if (field_is_null(f, field)) return {};
    return f.attributes->GetFieldAsString(field);
}

std::optional<double> FeatureLayer::field_as_double(const Feature& f, int field) const {
    if (field_is_null(f, field)) return std::nullopt;
    const OGRFieldType t = defn->GetFieldDefn(field)->GetType();
    if (t == OFTInteger || t == OFTInteger64 || t == OFTReal) { return f.attributes->GetFieldAsDouble(field); }
    const std::string s = f.attributes->GetFieldAsString(field);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0') return std::nullopt;
    return v;
}

namespace {

// Where RD New coordinates lie (EPSG:28992's area of use, the Netherlands, in metres, with a
// margin): a layer labelled with a geographic CRS whose coordinates all fall here is RD New.
constexpr double kRdMinX = -7000, kRdMaxX = 300000, kRdMinY = 289000, kRdMaxY = 629000;

// The largest absolute coordinate of `g`, as "1e+155" (for messages about overflowing areas).
std::string scientific_magnitude(const geos::Context& ctx, const GEOSGeometry* g) {
    const geos::Box b = geos::envelope(ctx, g);
    const double m = std::max({std::fabs(b.xmin), std::fabs(b.xmax), std::fabs(b.ymin), std::fabs(b.ymax)});
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0e", m);
    return buf;
}

// A feature whose area is not finite (coordinates near the double range, 1e150 and up): no
// overlay or score computed from it can be trusted.
std::string nonfinite_area_problem(const geos::Context& ctx, const GEOSGeometry* g) {
    return "its area is not a finite number (coordinates too large; the largest is about " +
           scientific_magnitude(ctx, g) + ")";
}
constexpr const char* kNonfiniteAreaFix =
    "check the coordinates and the layer's CRS (RD New coordinates lie within 0..300,000 x 289,000..629,000 m)";

// A feature with a coordinate beyond ReadOptions::max_abs_coordinate: the problem, or empty.
std::string far_coordinate_problem(const geos::Context& ctx, const GEOSGeometry* g, double limit) {
    if (limit <= 0) return {};
    const geos::Box b = geos::envelope(ctx, g);
    if (std::max({std::fabs(b.xmin), std::fabs(b.xmax), std::fabs(b.ymin), std::fabs(b.ymax)}) <= limit) return {};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0e", limit);
    return std::string("has a coordinate beyond ") + buf + " m (the largest is about " + scientific_magnitude(ctx, g) +
           "), too large to measure";
}

// Rings of the non-empty polygons of a Polygon or MultiPolygon (what area::rings_of would
// copy if none were shorter than a triangle).
int total_rings(const geos::Context& ctx, const GEOSGeometry* g) {
    GEOSContextHandle_t h = ctx.handle();
    const int type = GEOSGeomTypeId_r(h, g);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) return -1;
    const int parts = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(h, g);
    int n = 0;
    for (int i = 0; i < parts; ++i) {
        const GEOSGeometry* p = type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(h, g, i);
        if (GEOSisEmpty_r(h, p) == 0) n += 1 + GEOSGetNumInteriorRings_r(h, p);
    }
    return n;
}

// PROJ could not make EPSG:28992, which needs nothing but its database (proj.db): the
// database cannot be read, most often because the process may open too few files.
[[noreturn]] void throw_proj_database_error(const std::string& proj_message, const ErrorPlace& place) {
    std::string fix = "check PROJ's installation: its database proj.db must be readable (PROJ_DATA names its folder)";
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY && files.rlim_cur < 256) {
        fix = "the process may open only " + std::to_string(files.rlim_cur) +
              " files (ulimit -n): raise the limit, for example ulimit -n 1024, and run again";
    }
    throw Error(ErrorKind::input,
                "PROJ cannot read its database to make EPSG:28992" +
                    (proj_message.empty() ? std::string() : " (" + proj_message + ")") +
                    "; the layer's CRS was not the problem",
                place, fix);
}

struct ProjCtx {
    // The engine never prints: PROJ's own messages ("Invalid latitude") become the errors
    // ruimte reports.
    ProjCtx() { proj_log_level(ctx, PJ_LOG_NONE); }
    ~ProjCtx() { proj_context_destroy(ctx); }
    ProjCtx(const ProjCtx&) = delete;
    ProjCtx& operator=(const ProjCtx&) = delete;
    PJ_CONTEXT* ctx = proj_context_create();
};
struct PjDeleter {
    void operator()(PJ* p) const noexcept { proj_destroy(p); }
};
using Pj = std::unique_ptr<PJ, PjDeleter>;

// Transforms source-CRS coordinates to EPSG:28992 with PROJ, and remembers which operation
// PROJ used and its accuracy (with no RDNAPTRANS grid installed it is a Helmert fallback).
class Reprojector {
  public:
    Reprojector(const OGRSpatialReference& src, const ErrorPlace& place) {
        char* wkt = nullptr;
        const char* opts[] = {"FORMAT=WKT2_2019", nullptr};
        src.exportToWkt(&wkt, opts);
        // EPSG:28992 first: when PROJ cannot make it, its database is the problem, not the
        // layer (with `ulimit -n 7` proj.db cannot be opened; issue 27).
        Pj dst_crs(proj_create(proj_.ctx, "EPSG:28992"));
        if (!dst_crs) {
            CPLFree(wkt);
            const int e = proj_context_errno(proj_.ctx);
            throw_proj_database_error(e ? proj_context_errno_string(proj_.ctx, e) : "", place);
        }
        Pj src_crs(proj_create(proj_.ctx, wkt));
        CPLFree(wkt);
        if (!src_crs) {
            throw Error(ErrorKind::input, "PROJ cannot read the layer's CRS", place,
                        "give the layer a known CRS (for example EPSG:4326 or EPSG:28992)");
        }
        Pj op(proj_create_crs_to_crs_from_pj(proj_.ctx, src_crs.get(), dst_crs.get(), nullptr, nullptr));
        if (!op) {
            throw Error(ErrorKind::input, "PROJ finds no transformation to EPSG:28992", place,
                        "reproject the layer to EPSG:28992 first (ogr2ogr -t_srs EPSG:28992)");
        }
        op_.reset(proj_normalize_for_visualization(proj_.ctx, op.get()));
        if (!op_) throw Error(ErrorKind::internal, "PROJ normalisation failed", place);
    }

    // GEOS callback: one coordinate at a time.
    static int transform_xy(double* x, double* y, void* self) {
        auto* r = static_cast<Reprojector*>(self);
        PJ_COORD c = proj_coord(*x, *y, 0, 0);
        c = proj_trans(r->op_.get(), PJ_FWD, c);
        if (!std::isfinite(c.xy.x) || !std::isfinite(c.xy.y)) return 0;
        *x = c.xy.x;
        *y = c.xy.y;
        return 1;
    }

    void record_last_operation(CrsReport& report) {
        Pj last(proj_trans_get_last_used_operation(op_.get()));
        const PJ* used = last ? last.get() : op_.get();
        const PJ_PROJ_INFO info = proj_pj_info(const_cast<PJ*>(used));
        const std::string desc = info.description ? info.description : "";
        if (report.operation.empty()) {
            report.operation = desc;
            report.accuracy_m = proj_coordoperation_get_accuracy(proj_.ctx, used);
        } else if (report.operation.find(desc) == std::string::npos) {
            report.operation += " | " + desc;  // several operations over the layer's extent
            report.accuracy_m = std::max(report.accuracy_m, proj_coordoperation_get_accuracy(proj_.ctx, used));
        }
    }

  private:
    ProjCtx proj_;
    Pj op_;
};

bool is_rd_new(const OGRSpatialReference& srs, const ErrorPlace& place) {
    OGRSpatialReference rd;
    CPLErrorReset();
    if (rd.importFromEPSG(28992) != OGRERR_NONE) throw_proj_database_error(gdal_last_error(""), place);
    const char* opts[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS",
                          nullptr};
    return srs.IsSame(&rd, opts);
}

// Vertices of a polygonal OGR geometry, whether all of its coordinates are finite, and
// whether some are closer to 0 than geos::kTinyCoordinate (`tiny` is only ever set).
std::size_t polygon_vertices(const OGRGeometry* g, bool& finite, bool& tiny) {
    std::size_t n = 0;
    auto is_tiny = [](double v) { return v != 0 && std::fabs(v) < geos::kTinyCoordinate; };
    auto count = [&](const OGRPolygon* p) {
        for (const OGRLinearRing* ring : *p) {
            const int points = ring->getNumPoints();
            n += static_cast<std::size_t>(points);
            for (int i = 0; i < points && finite; ++i) {
                const double x = ring->getX(i), y = ring->getY(i);
                finite = std::isfinite(x) && std::isfinite(y);
                tiny = tiny || is_tiny(x) || is_tiny(y);
            }
        }
    };
    const auto t = wkbFlatten(g->getGeometryType());
    if (t == wkbPolygon) count(g->toPolygon());
    if (t == wkbMultiPolygon) {
        for (const OGRPolygon* p : *g->toMultiPolygon()) count(p);
    }
    return n;
}

// A feature or layer larger than this many vertices is refused before it exhausts memory
// (on the order of 100 bytes per vertex at the peak: WKB, GEOS, repaired and reprojected
// copies). The environment variables RUIMTE_MAX_FEATURE_VERTICES and RUIMTE_MAX_LAYER_VERTICES
// override them; see docs/reliability.md.
constexpr std::size_t kMaxFeatureVertices = 10'000'000;
constexpr std::size_t kMaxLayerVertices = 100'000'000;

// A limit from the environment, or the default.
std::size_t vertex_limit(const char* variable, std::size_t fallback) {
    const char* v = std::getenv(variable);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    if (end == v || *end != '\0' || n == 0) {
        throw Error(ErrorKind::usage, std::string(variable) + "='" + v + "' is not a positive whole number", {},
                    std::string("set it to a vertex count, for example ") + variable + "=500000000");
    }
    return static_cast<std::size_t>(n);
}

bool is_polygonal_type(OGRwkbGeometryType t) {
    t = wkbFlatten(t);
    return t == wkbPolygon || t == wkbMultiPolygon;
}

// Closes any unclosed ring; returns true when it had to.
bool close_rings(OGRGeometry* g) {
    bool changed = false;
    auto fix_polygon = [&](OGRPolygon* p) {
        for (OGRLinearRing* ring : *p) {
            if (ring->getNumPoints() > 0 && !ring->get_IsClosed()) {
                ring->closeRings();
                changed = true;
            }
        }
    };
    const auto t = wkbFlatten(g->getGeometryType());
    if (t == wkbPolygon) fix_polygon(g->toPolygon());
    if (t == wkbMultiPolygon) {
        for (OGRPolygon* p : *g->toMultiPolygon()) fix_polygon(p);
    }
    return changed;
}

}  // namespace

namespace {

// Step 1: the source opened and its layer chosen (FILE, FILE:LAYER, or a PostgreSQL table or
// query through GDAL).
struct OpenedSource {
    pg::OpenedLayer pg_layer;
    std::unique_ptr<GDALDataset> ds;
    OGRLayer* layer = nullptr;
};

std::string layer_names(GDALDataset& ds) {
    std::string names;
    for (int i = 0; i < ds.GetLayerCount(); ++i) names += (i ? ", " : "") + std::string(ds.GetLayer(i)->GetName());
    return names;
}

void open_source(const SourceSpec& spec, const ErrorPlace& place, OpenedSource& src) {
    if (pg::is_postgres(spec.path)) src.pg_layer = pg::open_layer(spec);
    src.layer = src.pg_layer.layer();
    if (src.layer) return;  // chosen by pg::open_layer
    src.ds.reset(GDALDataset::Open(spec.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR));
    if (!src.ds) {
        throw Error(ErrorKind::input, "cannot open as a vector source: " + gdal_last_error(), place,
                    "check that the file is complete and is a Shapefile (with .shx and .dbf), "
                    "GeoPackage, GeoJSON or FlatGeobuf");
    }
    if (spec.layer.empty()) {
        if (src.ds->GetLayerCount() != 1) {
            throw Error(
                ErrorKind::input,
                "the source has " + std::to_string(src.ds->GetLayerCount()) + " layers (" + layer_names(*src.ds) + ")",
                place, "pick one with FILE:LAYER");
        }
        src.layer = src.ds->GetLayer(0);
        return;
    }
    src.layer = src.ds->GetLayerByName(spec.layer.c_str());
    if (!src.layer) {
        throw Error(ErrorKind::input, "no such layer; the source has: " + layer_names(*src.ds), place,
                    "use one of the layer names listed");
    }
}

// Pass 1 keeps a feature as WKB after the OGR-level fixes, with its attributes; pass 2 makes
// it a checked GEOS geometry in EPSG:28992.
struct Raw {
    std::int64_t fid = 0;
    std::size_t wkb_at = 0, wkb_size = 0;  // in the batch's wkb; no size: a problem found in pass 1
    std::vector<std::string> repairs;
    bool tiny = false;         // has coordinates closer to 0 than geos::kTinyCoordinate
    std::string problem, fix;  // pass 1 found the feature unusable
    std::unique_ptr<OGRFeature> attributes;
};
struct Cooked {
    geos::Geom geom;
    std::string problem, fix;  // unusable: what and how to fix it
    std::string skipped;       // not used, but not an error (zero area)
};
// The features' WKB sits in one buffer per batch: one allocation, freed by the thread that
// converts the batch (one buffer per feature, allocated here and freed there, made the two
// threads wait on each other's malloc arena: 0.1 s of 0.8 s for 100,000 candidates).
struct Batch {
    std::vector<Raw> raws;
    std::vector<unsigned char> wkb;
    std::vector<Cooked> cooked;
};

// Reads one layer in three passes. Pass 1, sequential (GDAL, on this thread): geometry as WKB
// after the OGR-level fixes, attributes kept, in batches of features. Pass 2, parallel (GEOS,
// PROJ): each batch is converted, reprojected and checked by the other threads as soon as it
// is read, so that GDAL's reading and the geometry work overlap (parallel_produce_batches).
// Pass 3, sequential: the features assembled in source order.
class LayerReader {
  public:
    LayerReader(const SourceSpec& spec, const ReadOptions& options) : spec_(spec), options_(options) {}
    // The whole layer; or, with `on_chunk`, chunks of at most `chunk` features handed to it in
    // source order (the layer returned then holds no features, but the whole hygiene report).
    FeatureLayer read(std::size_t chunk = 0, const ChunkFn* on_chunk = nullptr);

  private:
    void choose_crs();
    Batch* read_batch();
    void read_feature(OGRFeatureUniquePtr feature, Batch& batch);
    void check_utf8(const OGRFeature& feature, const ErrorPlace& at) const;
    bool fix_geometry(std::unique_ptr<OGRGeometry>& g, Raw& raw);
    void keep_polygon_wkb(OGRGeometry& g, Raw& raw, Batch& batch, const ErrorPlace& at);
    void cook(const geos::Context& tctx, std::size_t worker, Raw& raw, const unsigned char* wkb, Cooked& c);
    bool reproject(const geos::Context& tctx, std::size_t worker, geos::Geom& geom, Cooked& c);
    void validate(const geos::Context& tctx, Raw& raw, geos::Geom geom, Cooked& c) const;
    void merge_crs_reports();
    void assemble();
    void open_layer();

    static constexpr std::size_t kBatchFeatures = 128;
    const SourceSpec& spec_;
    const ReadOptions& options_;
    ErrorPlace place_;
    OpenedSource src_;
    FeatureLayer out_;
    const OGRSpatialReference* layer_srs_ = nullptr;
    OGRSpatialReference assumed_;
    GIntBig total_ = 0;
    std::vector<std::unique_ptr<Batch>> batches_;
    std::size_t done_ = 0;
    std::size_t chunk_limit_ = 0, chunk_read_ = 0;  // features per chunk (0: one chunk), read in this one
    std::size_t max_feature_vertices_ = 0, max_layer_vertices_ = 0, layer_vertices_ = 0;
    std::vector<int> string_fields_;  // attributes that must be valid UTF-8
    std::unique_ptr<LayerReadCheck> read_check_;
    bool reading_ = true;
    std::vector<std::unique_ptr<Reprojector>> reprojectors_;  // per worker
    std::vector<CrsReport> crs_seen_;                         // per worker
};

// Step 2, the CRS: the layer's own, else --assume-crs, else an error.
void LayerReader::choose_crs() {
    layer_srs_ = src_.layer->GetSpatialRef();
    if (!layer_srs_) {
        if (options_.assume_crs.empty()) {
            throw Error(ErrorKind::input,
                        "the layer has no coordinate reference system (a shapefile without "
                        "its .prj file?)",
                        place_,
                        "add the .prj file, or pass --assume-crs EPSG:28992 if the "
                        "coordinates are RD New");
        }
        if (assumed_.SetFromUserInput(options_.assume_crs.c_str()) != OGRERR_NONE) {
            throw Error(ErrorKind::usage, "--assume-crs '" + options_.assume_crs + "' is not a CRS", place_,
                        "write it as EPSG:28992 or another authority:code");
        }
        layer_srs_ = &assumed_;
        out_.crs.assumed = true;
    }
    out_.crs.source_crs = describe_crs(*layer_srs_);
    if (!is_rd_new(*layer_srs_, place_)) {
        Reprojector check(*layer_srs_, place_);  // fails early when PROJ has no way to RD New
        out_.crs.reprojected = true;
    } else {
        out_.crs.operation = "none (source is EPSG:28992)";
        out_.crs.accuracy_m = 0;
    }
}

// Pass 1: the next batch, or nullptr after the last feature.
Batch* LayerReader::read_batch() {
    throw_if_cancelled(&options_.control);  // Ctrl-C between batches, also on the reading thread
    if (chunk_limit_ > 0 && chunk_read_ >= chunk_limit_) return nullptr;  // this chunk is full
    auto batch = std::make_unique<Batch>();
    batch->raws.reserve(kBatchFeatures);
    // A batch ends at the chunk's end too: chunks hold exactly their number of features.
    const std::size_t room = chunk_limit_ > 0 ? std::min(kBatchFeatures, chunk_limit_ - chunk_read_) : kBatchFeatures;
    while (reading_ && batch->raws.size() < room) {
        OGRFeatureUniquePtr ogr_feature(src_.layer->GetNextFeature());
        if (!ogr_feature) {
            reading_ = false;
            read_check_->end();
            // PostgreSQL: a query that fails while its rows are fetched (a write refused in
            // the read-only session, a division by zero) ends the layer early, with an
            // error: not a shorter layer.
            if (src_.pg_layer.layer() && CPLGetLastErrorType() == CE_Failure) {
                throw Error(ErrorKind::input, "reading stopped with an error: " + gdal_last_error(), place_,
                            "fix the query or the table (a source query only reads); test it in psql");
            }
            break;
        }
        if (options_.progress && ++done_ % 4096 == 0) {
            options_.progress(done_, total_ > 0 ? static_cast<std::size_t>(total_) : 0);
        }
        read_feature(std::move(ogr_feature), *batch);
    }
    if (batch->raws.empty()) return nullptr;
    chunk_read_ += batch->raws.size();
    batch->cooked.resize(batch->raws.size());
    batches_.push_back(std::move(batch));
    return batches_.back().get();
}

void LayerReader::check_utf8(const OGRFeature& feature, const ErrorPlace& at) const {
    for (const int field : string_fields_) {
        if (feature.IsFieldSetAndNotNull(field) && !CPLIsUTF8(feature.GetFieldAsString(field), -1)) {
            throw Error(ErrorKind::input,
                        std::string("attribute '") + out_.defn->GetFieldDefn(field)->GetNameRef() +
                            "' is not valid UTF-8 (text in another encoding, such as Latin-1)",
                        at,
                        "name the encoding: for a shapefile put it in a .cpg file next to the .shp "
                        "(for example 'ISO-8859-1' or '1252'), or convert the source to UTF-8");
        }
    }
}

// The OGR-level fixes of pass 1: null and empty geometries skipped (false), Z/M dropped,
// curves linearised, a collection of polygons made a multipolygon.
bool LayerReader::fix_geometry(std::unique_ptr<OGRGeometry>& g, Raw& raw) {
    if (!g) {
        out_.hygiene.skipped.push_back({raw.fid, "null geometry"});
        return false;
    }
    if (g->IsEmpty()) {
        out_.hygiene.skipped.push_back({raw.fid, "empty geometry"});
        return false;
    }
    if (g->Is3D() || g->IsMeasured()) {
        g->flattenTo2D();
        g->setMeasured(FALSE);
        ++out_.hygiene.zm_dropped;
    }
    if (g->hasCurveGeometry()) {
        g.reset(g->getLinearGeometry());
        ++out_.hygiene.curves_linearised;
    }
    if (wkbFlatten(g->getGeometryType()) == wkbGeometryCollection) {
        bool all_polygons = true;
        for (const OGRGeometry* part : *g->toGeometryCollection()) {
            all_polygons = all_polygons && is_polygonal_type(part->getGeometryType());
        }
        if (all_polygons) g.reset(OGRGeometryFactory::forceToMultiPolygon(g.release()));
    }
    return true;
}

// A polygon within the vertex limits and with finite coordinates, rings closed, as WKB in the
// batch's buffer.
void LayerReader::keep_polygon_wkb(OGRGeometry& g, Raw& raw, Batch& batch, const ErrorPlace& at) {
    bool finite = true;
    const std::size_t vertices = polygon_vertices(&g, finite, raw.tiny);
    if (vertices > max_feature_vertices_) {
        throw Error(ErrorKind::input,
                    "the feature has " + std::to_string(vertices) + " vertices, more than the limit of " +
                        std::to_string(max_feature_vertices_) + " per feature",
                    at,
                    "simplify or split it (ogr2ogr -simplify), or raise the limit with the environment "
                    "variable RUIMTE_MAX_FEATURE_VERTICES if the machine has the memory");
    }
    layer_vertices_ += vertices;
    if (layer_vertices_ > max_layer_vertices_) {
        throw Error(ErrorKind::input,
                    "the layer has more than " + std::to_string(max_layer_vertices_) +
                        " vertices (the limit per layer; reached at this feature)",
                    at,
                    "clip the layer to the study area or simplify it, or raise the limit with the "
                    "environment variable RUIMTE_MAX_LAYER_VERTICES if the machine has the memory");
    }
    if (!finite) {
        raw.problem = "has a NaN or infinite coordinate";
        raw.fix = "fix the coordinates";
        return;
    }
    if (close_rings(&g)) raw.repairs.emplace_back("unclosed ring closed");
    raw.wkb_at = batch.wkb.size();
    raw.wkb_size = g.WkbSize();
    batch.wkb.resize(raw.wkb_at + raw.wkb_size);
    g.exportToWkb(wkbNDR, batch.wkb.data() + raw.wkb_at, wkbVariantIso);
}

void LayerReader::read_feature(OGRFeatureUniquePtr ogr_feature, Batch& batch) {
    Raw raw;
    raw.fid = ogr_feature->GetFID();
    ErrorPlace at = place_;
    at.feature_id = raw.fid;
    if (CPLGetLastErrorType() == CE_Failure && !ogr_feature->GetGeometryRef()) {
        // The driver failed to read this feature's geometry (a truncated .shp, ...): not a
        // null geometry to skip quietly.
        throw Error(ErrorKind::input, "cannot read the feature's geometry: " + gdal_last_error(), at,
                    "the file is damaged or truncated; export it again from its source");
    }
    read_check_->feature(raw.fid);
    CPLErrorReset();
    if (options_.keep_attributes) check_utf8(*ogr_feature, at);
    std::unique_ptr<OGRGeometry> g(ogr_feature->StealGeometry());
    if (options_.keep_attributes) raw.attributes.reset(ogr_feature.release());
    if (!fix_geometry(g, raw)) return;
    if (options_.geometry != ReadGeometry::polygons) {  // points and lines layers
        raw.problem = point_line_problem(*g, options_.geometry, raw.fix);
        if (raw.problem.empty()) {
            raw.wkb_at = batch.wkb.size();
            raw.wkb_size = g->WkbSize();
            batch.wkb.resize(raw.wkb_at + raw.wkb_size);
            g->exportToWkb(wkbNDR, batch.wkb.data() + raw.wkb_at, wkbVariantIso);
        }
    } else if (!is_polygonal_type(g->getGeometryType())) {
        raw.problem = std::string("not a polygon but a ") + g->getGeometryName() + "; this layer must hold polygons";
    } else {
        keep_polygon_wkb(*g, raw, batch, at);
    }
    batch.raws.push_back(std::move(raw));
}

// To EPSG:28992 when the layer is in another CRS; false (and the problem in c) when PROJ
// cannot transform the coordinates.
bool LayerReader::reproject(const geos::Context& tctx, std::size_t worker, geos::Geom& geom, Cooked& c) {
    if (!out_.crs.reprojected) return true;
    if (!reprojectors_[worker]) reprojectors_[worker] = std::make_unique<Reprojector>(*layer_srs_, place_);
    GEOSGeometry* moved =
        GEOSGeom_transformXY_r(tctx.handle(), geom.get(), &Reprojector::transform_xy, reprojectors_[worker].get());
    if (!moved) {
        c.problem = "coordinates cannot be transformed to EPSG:28992";
        c.fix = "check the coordinates and the layer's CRS";
        // Metres in RD New's range under a geographic label: the label is wrong.
        const geos::Box b = geos::envelope(tctx, geom.get());
        if (layer_srs_->IsGeographic() && b.xmin >= kRdMinX && b.xmax <= kRdMaxX && b.ymin >= kRdMinY &&
            b.ymax <= kRdMaxY) {
            c.problem += " (x " + fixed(b.xmin, 0) + ", y " + fixed(b.ymin, 0) +
                         " are metres in RD New's range, but the layer says it holds degrees)";
            c.fix =
                "the layer's CRS label is wrong: assign EPSG:28992 without reprojecting "
                "(ogr2ogr -a_srs EPSG:28992 fixed.gpkg " +
                spec_.path + "), or correct its .prj";
        }
        return false;
    }
    geom = geos::own(tctx, moved, "transform");
    reprojectors_[worker]->record_last_operation(crs_seen_[worker]);
    return true;
}

// Repeated points removed, validity checked and repaired (MakeValid), the area checked: the
// geometry kept in c, or the problem or the reason to skip it.
void LayerReader::validate(const geos::Context& tctx, Raw& raw, geos::Geom geom, Cooked& c) const {
    // The envelopes GEOS caches on first use are made here, on the parallel pass: later
    // stages that share the geometry between threads need them made first (geos.hpp).
    auto keep = [&](geos::Geom g) {
        geos::warm_envelopes(tctx, g.get());
        c.geom = std::move(g);
    };
    // Repeated points: looked for in a copy of the coordinates (GEOS is asked to remove them
    // only where there are some, which is rare).
    area::Rings rings = area::rings_of(tctx, geom.get());
    const bool repeats = std::any_of(rings.rings.begin(), rings.rings.end(), [](const area::Ring& r) {
        for (std::size_t k = 0; k + 1 < r.points(); ++k) {
            if (r.xy[2 * k] == r.xy[2 * k + 2] && r.xy[2 * k + 1] == r.xy[2 * k + 3]) return true;
        }
        return false;
    });
    if (repeats || static_cast<int>(rings.rings.size()) != total_rings(tctx, geom.get())) {
        geos::Geom deduped =
            geos::own(tctx, GEOSRemoveRepeatedPoints_r(tctx.handle(), geom.get(), 0.0), "remove repeated points");
        if (geos::num_points(tctx, deduped.get()) != geos::num_points(tctx, geom.get())) {
            raw.repairs.emplace_back("repeated points removed");
            geom = std::move(deduped);
            rings = area::rings_of(tctx, geom.get());
        }
    }
    if (!std::isfinite(rings.area)) {
        c.problem = nonfinite_area_problem(tctx, geom.get());
        c.fix = kNonfiniteAreaFix;
        return;
    }
    c.problem = far_coordinate_problem(tctx, geom.get(), options_.max_abs_coordinate);
    if (!c.problem.empty()) {
        c.fix = kNonfiniteAreaFix;
        return;
    }
    // A single-ring polygon whose ring is certainly simple is valid; only the rest pays
    // for GEOS's full validity check.
    if (GEOSGeomTypeId_r(tctx.handle(), geom.get()) == GEOS_POLYGON &&
        GEOSGetNumInteriorRings_r(tctx.handle(), geom.get()) == 0 && rings.rings.size() == 1 &&
        area::certainly_simple(rings.rings[0]) && rings.area > 0) {
        keep(std::move(geom));
        return;
    }
    char* reason = nullptr;
    GEOSGeometry* location = nullptr;
    const char valid = GEOSisValidDetail_r(tctx.handle(), geom.get(), 0, &reason, &location);
    const std::string why = reason ? reason : "";
    GEOSFree_r(tctx.handle(), reason);
    if (location) geos::own(tctx, location, "location");
    if (valid == 2) throw Error(ErrorKind::internal, "GEOS validity check failed: " + tctx.last_error());
    if (!valid) {
        if (why.rfind("Invalid Coordinate", 0) == 0) {
            c.problem = "has a NaN or infinite coordinate";
            c.fix = "fix the coordinates";
            return;
        }
        geos::Geom fixed = geos::make_valid_polygonal(tctx, geom.get(), options_.make_valid);
        if (!fixed) {
            c.problem = "invalid geometry (" + why + ") that GEOS cannot repair";
            c.fix = "repair the feature in QGIS (Fix geometries)";
            return;
        }
        geom = std::move(fixed);
        raw.repairs.push_back("invalid (" + why + "), repaired with MakeValid");
    }
    const double area_m2 = geos::is_empty(tctx, geom.get()) ? 0.0 : geos::area(tctx, geom.get());
    if (area_m2 <= 0.0) {
        c.skipped = raw.repairs.empty() ? "zero area" : "collapsed to zero area after repair";
        return;
    }
    if (!std::isfinite(area_m2)) {
        c.problem = nonfinite_area_problem(tctx, geom.get());
        c.fix = kNonfiniteAreaFix;
        return;
    }
    keep(std::move(geom));
}

// Pass 2 for one feature: convert, reproject, then validate.
void LayerReader::cook(const geos::Context& tctx, std::size_t worker, Raw& raw, const unsigned char* wkb, Cooked& c) {
    if (!raw.problem.empty()) {
        c.problem = raw.problem;
        c.fix = raw.fix.empty() ? "remove or convert the feature" : raw.fix;
        return;
    }
    geos::Geom geom = geos::from_wkb(tctx, wkb + raw.wkb_at, raw.wkb_size);
    if (raw.tiny) {
        geom = geos::zero_tiny_coordinates(tctx, geom.get());
        raw.repairs.emplace_back("coordinates within 1e-100 of 0 set to 0");
    }
    if (!reproject(tctx, worker, geom, c)) return;
    if (options_.geometry != ReadGeometry::polygons) {  // points and lines layers
        c.problem = far_coordinate_problem(tctx, geom.get(), options_.max_abs_coordinate);
        if (!c.problem.empty()) {
            c.fix = kNonfiniteAreaFix;
            return;
        }
        check_point_line(tctx, geom.get(), options_.geometry, c.problem, c.fix, c.skipped);
        if (!c.problem.empty() || !c.skipped.empty()) return;
        geos::warm_envelopes(tctx, geom.get());
        c.geom = std::move(geom);
        return;
    }
    validate(tctx, raw, std::move(geom), c);
}

// The operations the workers used to reach EPSG:28992, once each.
void LayerReader::merge_crs_reports() {
    for (const CrsReport& seen : crs_seen_) {
        if (seen.operation.empty()) continue;
        if (out_.crs.operation.empty()) {
            out_.crs.operation = seen.operation;
            out_.crs.accuracy_m = seen.accuracy_m;
        } else if (out_.crs.operation.find(seen.operation) == std::string::npos) {
            out_.crs.operation += " | " + seen.operation;
            out_.crs.accuracy_m = std::max(out_.crs.accuracy_m, seen.accuracy_m);
        }
    }
}

// Pass 3: the features in source order; the first unusable feature is the error (or skipped
// with --skip-invalid).
void LayerReader::assemble() {
    std::size_t read_features = 0;
    for (const auto& batch : batches_) read_features += batch->raws.size();
    out_.features.reserve(read_features);
    for (auto& batch : batches_) {
        for (std::size_t i = 0; i < batch->raws.size(); ++i) {
            Raw& raw = batch->raws[i];
            Cooked& c = batch->cooked[i];
            if (!c.problem.empty()) {
                if (!options_.skip_invalid) {
                    ErrorPlace p = place_;
                    p.feature_id = raw.fid;
                    throw Error(ErrorKind::input, c.problem, p,
                                c.fix + ", or pass --skip-invalid to skip such features");
                }
                out_.hygiene.skipped.push_back({raw.fid, c.problem});
                continue;
            }
            if (!c.skipped.empty()) {
                out_.hygiene.skipped.push_back({raw.fid, c.skipped});
                continue;
            }
            if (!raw.repairs.empty()) {
                std::string what;
                for (const auto& r : raw.repairs) what += (what.empty() ? "" : "; ") + r;
                out_.hygiene.repaired.push_back({raw.fid, what});
            }
            Feature f;
            f.fid = raw.fid;
            f.geom = std::move(c.geom);
            f.attributes = std::move(raw.attributes);
            out_.features.push_back(std::move(f));
        }
    }
}

void LayerReader::open_layer() {
    ensure_gdal();
    place_ = ErrorPlace::at(spec_.path, spec_.layer);
    CPLErrorReset();
    open_source(spec_, place_, src_);
    OGRLayer& layer = *src_.layer;
    out_.source = spec_;
    out_.layer_name = layer.GetName();
    place_.layer = out_.layer_name;
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    defn->Reference();
    out_.defn = std::shared_ptr<OGRFeatureDefn>(defn, DefnRelease{});
    choose_crs();

    total_ = layer.GetFeatureCount(FALSE);
    layer.ResetReading();
    max_feature_vertices_ = vertex_limit("RUIMTE_MAX_FEATURE_VERTICES", kMaxFeatureVertices);
    max_layer_vertices_ = vertex_limit("RUIMTE_MAX_LAYER_VERTICES", kMaxLayerVertices);
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        if (defn->GetFieldDefn(i)->GetType() == OFTString) string_fields_.push_back(i);
    }
    // GDAL ends a layer on its first error as if it had no more features: every feature is
    // checked for a GDAL failure, and the end for an error and for the count the source declares.
    read_check_ = std::make_unique<LayerReadCheck>(layer, src_.ds.get(), total_, place_);
    reprojectors_.resize(produce_workers(options_.control));
    crs_seen_.resize(reprojectors_.size());
}

FeatureLayer LayerReader::read(std::size_t chunk, const ChunkFn* on_chunk) {
    open_layer();
    chunk_limit_ = on_chunk ? std::max<std::size_t>(chunk, 1) : 0;
    do {
        chunk_read_ = 0;
        parallel_produce_batches<Batch>(
            options_.control, [this] { return read_batch(); },
            [this](const geos::Context& tctx, std::size_t worker, Batch& batch) {
                for (std::size_t i = 0; i < batch.raws.size(); ++i)
                    cook(tctx, worker, batch.raws[i], batch.wkb.data(), batch.cooked[i]);
                std::vector<unsigned char>().swap(batch.wkb);
            });
        assemble();
        batches_.clear();
        if (!on_chunk) break;
        // The vertex limit per layer guards memory: read in chunks, it holds per chunk.
        layer_vertices_ = 0;
        if (!out_.features.empty()) (*on_chunk)(out_);
        std::vector<Feature>().swap(out_.features);
    } while (reading_);
    merge_crs_reports();
    if (options_.progress) options_.progress(done_, done_);
    if (out_.hygiene.zm_dropped) {
        out_.notices.push_back(std::to_string(out_.hygiene.zm_dropped) +
                               " geometries had Z or M values; they were dropped (2D overlay)");
    }
    if (out_.hygiene.curves_linearised) {
        out_.notices.push_back(std::to_string(out_.hygiene.curves_linearised) + " curved geometries were linearised");
    }
    return std::move(out_);
}

}  // namespace

std::string describe_crs(const OGRSpatialReference& srs) {
    std::string name = srs.GetName() ? srs.GetName() : "unnamed CRS";
    const char* auth = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (auth && code) name += std::string(" (") + auth + ":" + code + ")";
    return name;
}

FeatureLayer read_polygon_layer(const SourceSpec& spec, const ReadOptions& options) {
    return LayerReader(spec, options).read();
}

FeatureLayer read_polygon_layer_chunks(const SourceSpec& spec, const ReadOptions& options, std::size_t chunk_features,
                                       const ChunkFn& on_chunk) {
    return LayerReader(spec, options).read(chunk_features, &on_chunk);
}

}  // namespace ruimte
