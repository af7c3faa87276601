#include "spatial/geometry/geos.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "spatial/core/error.hpp"

namespace ruimte::geos {

Context::Context() : handle_(GEOS_init_r()) {
    if (!handle_) throw Error(ErrorKind::internal, "GEOS_init_r failed");
    GEOSContext_setErrorMessageHandler_r(handle_, &Context::on_error, this);
}

Context::~Context() {
    GEOS_finish_r(handle_);
}

void Context::on_error(const char* message, void* self) {
    static_cast<Context*>(self)->last_error_ = message ? message : "";
}

namespace {
GEOSContextHandle_t destroy_handle() {
    static const GEOSContextHandle_t handle = GEOS_init_r();  // lives until the process ends
    return handle;
}
}  // namespace

void GeomDeleter::operator()(GEOSGeometry* g) const noexcept {
    if (g) GEOSGeom_destroy_r(destroy_handle(), g);
}

void PreparedDeleter::operator()(const GEOSPreparedGeometry* g) const noexcept {
    if (g) GEOSPreparedGeom_destroy_r(destroy_handle(), g);
}

Geom own(const Context& ctx, GEOSGeometry* g, std::string_view what) {
    if (!g) { throw Error(ErrorKind::internal, "GEOS " + std::string(what) + " failed: " + ctx.last_error()); }
    return Geom(g);
}

Prepared prepare(const Context& ctx, const GEOSGeometry* g) {
    const GEOSPreparedGeometry* p = GEOSPrepare_r(ctx.handle(), g);
    if (!p) throw Error(ErrorKind::internal, "GEOS prepare failed: " + ctx.last_error());
    return Prepared(p);
}

Geom clone(const Context& ctx, const GEOSGeometry* g) {
    return own(ctx, GEOSGeom_clone_r(ctx.handle(), g), "clone");
}

Box envelope(const Context& ctx, const GEOSGeometry* g) {
    Box b;
    GEOSGeom_getXMin_r(ctx.handle(), g, &b.xmin);
    GEOSGeom_getYMin_r(ctx.handle(), g, &b.ymin);
    GEOSGeom_getXMax_r(ctx.handle(), g, &b.xmax);
    GEOSGeom_getYMax_r(ctx.handle(), g, &b.ymax);
    return b;
}

double area(const Context& ctx, const GEOSGeometry* g) {
    double a = 0;
    if (!GEOSArea_r(ctx.handle(), g, &a)) { throw Error(ErrorKind::internal, "GEOS area failed: " + ctx.last_error()); }
    return a;
}

Geom intersection(const Context& ctx, const GEOSGeometry* a, const GEOSGeometry* b) {
    return own(ctx, GEOSIntersection_r(ctx.handle(), a, b), "intersection");
}

double intersection_area(const Context& ctx, const GEOSGeometry* a, const GEOSGeometry* b) {
    return area(ctx, intersection(ctx, a, b).get());
}

Geom union_all(const Context& ctx, const std::vector<const GEOSGeometry*>& parts) {
    std::vector<GEOSGeometry*> clones;
    clones.reserve(parts.size());
    for (const GEOSGeometry* p : parts) clones.push_back(clone(ctx, p).release());
    Geom collection = own(ctx,
                          GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, clones.data(),
                                                      static_cast<unsigned>(clones.size())),
                          "collection");
    return own(ctx, GEOSUnaryUnion_r(ctx.handle(), collection.get()), "union");
}

namespace {
void collect_polygons(const Context& ctx, const GEOSGeometry* g, std::vector<GEOSGeometry*>& out) {
    const int type = GEOSGeomTypeId_r(ctx.handle(), g);
    if (type == GEOS_POLYGON) {
        if (!GEOSisEmpty_r(ctx.handle(), g)) out.push_back(clone(ctx, g).release());
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(ctx.handle(), g);
        for (int i = 0; i < n; ++i) collect_polygons(ctx, GEOSGetGeometryN_r(ctx.handle(), g, i), out);
    }
}
}  // namespace

Geom polygonal_part(const Context& ctx, const GEOSGeometry* g) {
    std::vector<GEOSGeometry*> polys;
    collect_polygons(ctx, g, polys);
    return own(
        ctx,
        GEOSGeom_createCollection_r(ctx.handle(), GEOS_MULTIPOLYGON, polys.data(), static_cast<unsigned>(polys.size())),
        "multipolygon");
}

const char* to_string(MakeValidMethod m) {
    return m == MakeValidMethod::linework ? "linework" : "structure";
}

Geom make_valid_polygonal(const Context& ctx, const GEOSGeometry* g, MakeValidMethod method) {
    GEOSContextHandle_t h = ctx.handle();
    GEOSMakeValidParams* params = GEOSMakeValidParams_create_r(h);
    GEOSMakeValidParams_setMethod_r(
        h, params, method == MakeValidMethod::linework ? GEOS_MAKE_VALID_LINEWORK : GEOS_MAKE_VALID_STRUCTURE);
    GEOSMakeValidParams_setKeepCollapsed_r(h, params, 0);
    GEOSGeometry* fixed = GEOSMakeValidWithParams_r(h, g, params);
    GEOSMakeValidParams_destroy_r(h, params);
    if (!fixed) return {};
    const Geom made = own(ctx, fixed, "make valid");
    Geom poly = polygonal_part(ctx, made.get());
    if (GEOSisValid_r(h, poly.get()) == 1) return poly;
    GEOSGeometry* buffered = GEOSBuffer_r(h, poly.get(), 0.0, 8);
    if (!buffered) return {};
    const Geom b = own(ctx, buffered, "zero buffer");
    Geom again = polygonal_part(ctx, b.get());
    if (GEOSisValid_r(h, again.get()) == 1) return again;
    return {};
}

std::size_t num_points(const Context& ctx, const GEOSGeometry* g) {
    const int n = GEOSGetNumCoordinates_r(ctx.handle(), g);
    return n < 0 ? 0 : static_cast<std::size_t>(n);
}

bool is_empty(const Context& ctx, const GEOSGeometry* g) {
    return GEOSisEmpty_r(ctx.handle(), g) == 1;
}

std::string type_name(const Context& ctx, const GEOSGeometry* g) {
    char* t = GEOSGeomType_r(ctx.handle(), g);
    std::string out = t ? t : "?";
    GEOSFree_r(ctx.handle(), t);
    return out;
}

void warm_envelopes(const Context& ctx, const GEOSGeometry* g) {
    double ignored = 0;
    GEOSGeom_getXMin_r(ctx.handle(), g, &ignored);
    const int type = GEOSGeomTypeId_r(ctx.handle(), g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(ctx.handle(), g)) return;
        GEOSGeom_getXMin_r(ctx.handle(), GEOSGetExteriorRing_r(ctx.handle(), g), &ignored);
        const int holes = GEOSGetNumInteriorRings_r(ctx.handle(), g);
        for (int i = 0; i < holes; ++i) {
            GEOSGeom_getXMin_r(ctx.handle(), GEOSGetInteriorRingN_r(ctx.handle(), g, i), &ignored);
        }
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(ctx.handle(), g);
        for (int i = 0; i < n; ++i) warm_envelopes(ctx, GEOSGetGeometryN_r(ctx.handle(), g, i));
    }
}

namespace {

GEOSGeometry* polygonal_from_ndr_wkb(GEOSContextHandle_t h, const unsigned char* p, std::size_t size) {
    const unsigned char* const end = p + size;
    auto u32 = [&](std::uint32_t& v) {
        if (end - p < 4) return false;
        v = static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
            static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
        p += 4;
        return true;
    };
    auto header = [&](std::uint32_t& type) {  // byte order (little endian only) and type
        if (end - p < 1 || *p != 1) return false;
        ++p;
        return u32(type);
    };
    std::vector<GEOSGeometry*> made;  // polygons made so far, freed if a later part fails
    // (a failed GEOSGeom_createPolygon_r or createCollection_r frees what it was given)
    auto fail = [&]() -> GEOSGeometry* {
        for (GEOSGeometry* g : made) GEOSGeom_destroy_r(h, g);
        return nullptr;
    };
    thread_local std::vector<double> xy;
    std::vector<GEOSGeometry*> rings;
    auto polygon = [&]() -> GEOSGeometry* {
        std::uint32_t n_rings = 0;
        if (!u32(n_rings) || n_rings == 0 || n_rings > static_cast<std::size_t>(end - p) / 4) return nullptr;
        rings.clear();
        for (std::uint32_t r = 0; r < n_rings; ++r) {
            std::uint32_t n = 0;
            if (!u32(n) || n < 4 || n > static_cast<std::size_t>(end - p) / 16) break;
            xy.resize(2 * static_cast<std::size_t>(n));
            std::memcpy(xy.data(), p, 16 * static_cast<std::size_t>(n));
            p += 16 * static_cast<std::size_t>(n);
            if (!(xy[0] == xy[2 * n - 2] && xy[1] == xy[2 * n - 1])) break;  // not closed (or NaN)
            GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(h, xy.data(), n, 0, 0);
            GEOSGeometry* ring = seq ? GEOSGeom_createLinearRing_r(h, seq) : nullptr;
            if (!ring) break;
            rings.push_back(ring);
        }
        if (rings.size() != n_rings) {
            for (GEOSGeometry* g : rings) GEOSGeom_destroy_r(h, g);
            return nullptr;
        }
        return GEOSGeom_createPolygon_r(h, rings[0], rings.data() + 1, n_rings - 1);
    };
    std::uint32_t type = 0;
    if (!header(type)) return nullptr;
    if (type == 3) {
        GEOSGeometry* g = polygon();
        if (g && p != end) {
            GEOSGeom_destroy_r(h, g);
            return nullptr;
        }
        return g;
    }
    std::uint32_t parts = 0;
    if (type != 6 || !u32(parts) || parts == 0 || parts > static_cast<std::size_t>(end - p) / 9) return nullptr;
    made.reserve(parts);
    for (std::uint32_t k = 0; k < parts; ++k) {
        std::uint32_t part_type = 0;
        GEOSGeometry* g = header(part_type) && part_type == 3 ? polygon() : nullptr;
        if (!g) return fail();
        made.push_back(g);
    }
    if (p != end) return fail();
    // GEOS owns the parts from here on, also when it fails (they are then freed with it).
    return GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, made.data(), parts);
}

}  // namespace

Geom polygonal_from_ndr_wkb(const Context& ctx, const unsigned char* wkb, std::size_t size) {
    return Geom(polygonal_from_ndr_wkb(ctx.handle(), wkb, size));
}

Geom from_wkb(const Context& ctx, const unsigned char* wkb, std::size_t size) {
    if (Geom g = polygonal_from_ndr_wkb(ctx, wkb, size)) return g;
    GEOSWKBReader* reader = GEOSWKBReader_create_r(ctx.handle());
    GEOSGeometry* g = GEOSWKBReader_read_r(ctx.handle(), reader, wkb, size);
    GEOSWKBReader_destroy_r(ctx.handle(), reader);
    return own(ctx, g, "WKB reading");
}

std::vector<unsigned char> to_wkb(const Context& ctx, const GEOSGeometry* g) {
    GEOSWKBWriter* writer = GEOSWKBWriter_create_r(ctx.handle());
    std::size_t size = 0;
    unsigned char* buf = GEOSWKBWriter_write_r(ctx.handle(), writer, g, &size);
    GEOSWKBWriter_destroy_r(ctx.handle(), writer);
    if (!buf) throw Error(ErrorKind::internal, "GEOS WKB writing failed: " + ctx.last_error());
    std::vector<unsigned char> out(buf, buf + size);
    GEOSFree_r(ctx.handle(), buf);
    return out;
}

Geom zero_tiny_coordinates(const Context& ctx, const GEOSGeometry* g) {
    auto zero = [](double* x, double* y, void*) {
        if (std::fabs(*x) < kTinyCoordinate) *x = 0;
        if (std::fabs(*y) < kTinyCoordinate) *y = 0;
        return 1;
    };
    return own(ctx, GEOSGeom_transformXY_r(ctx.handle(), g, zero, nullptr), "tiny coordinates set to 0");
}

Geom linear_ring(const Context& ctx, const std::vector<double>& closed_xy, bool reversed) {
    const auto n = static_cast<unsigned>(closed_xy.size() / 2);
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(ctx.handle(), n, 2);
    if (!seq) return nullptr;
    for (unsigned i = 0; i < n; ++i) {
        const unsigned k = reversed ? n - 1 - i : i;
        GEOSCoordSeq_setXY_r(ctx.handle(), seq, i, closed_xy[2 * k], closed_xy[2 * k + 1]);
    }
    return Geom(GEOSGeom_createLinearRing_r(ctx.handle(), seq));
}

Geom from_wkt(const Context& ctx, std::string_view wkt) {
    GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.handle());
    GEOSGeometry* g = GEOSWKTReader_read_r(ctx.handle(), reader, std::string(wkt).c_str());
    GEOSWKTReader_destroy_r(ctx.handle(), reader);
    return own(ctx, g, "WKT reading");
}

std::string to_wkt(const Context& ctx, const GEOSGeometry* g, int decimals) {
    GEOSWKTWriter* writer = GEOSWKTWriter_create_r(ctx.handle());
    GEOSWKTWriter_setRoundingPrecision_r(ctx.handle(), writer, decimals);
    GEOSWKTWriter_setTrim_r(ctx.handle(), writer, 1);
    char* s = GEOSWKTWriter_write_r(ctx.handle(), writer, g);
    GEOSWKTWriter_destroy_r(ctx.handle(), writer);
    std::string out = s ? s : "";
    GEOSFree_r(ctx.handle(), s);
    return out;
}

}  // namespace ruimte::geos
