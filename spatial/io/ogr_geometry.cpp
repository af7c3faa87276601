#include "spatial/io/ogr_geometry.hpp"

#include <algorithm>
#include <vector>

#include "spatial/core/error.hpp"

namespace ruimte {

namespace {

std::unique_ptr<OGRLinearRing> ring_of(GEOSContextHandle_t h, const GEOSGeometry* ring) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int size = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &size)) return nullptr;
    std::vector<OGRRawPoint> points(size);
    for (unsigned int i = 0; i < size; ++i) {
        if (!GEOSCoordSeq_getXY_r(h, seq, i, &points[i].x, &points[i].y)) return nullptr;
    }
    auto out = std::make_unique<OGRLinearRing>();
    out->setPoints(static_cast<int>(size), points.data());
    return out;
}

std::unique_ptr<OGRPolygon> polygon_of(GEOSContextHandle_t h, const GEOSGeometry* poly) {
    auto out = std::make_unique<OGRPolygon>();
    auto shell = ring_of(h, GEOSGetExteriorRing_r(h, poly));
    if (!shell) return nullptr;
    out->addRingDirectly(shell.release());
    const int holes = GEOSGetNumInteriorRings_r(h, poly);
    for (int i = 0; i < holes; ++i) {
        auto hole = ring_of(h, GEOSGetInteriorRingN_r(h, poly, i));
        if (!hole) return nullptr;
        out->addRingDirectly(hole.release());
    }
    return out;
}

std::unique_ptr<OGRGeometry> through_wkb(const geos::Context& ctx, const GEOSGeometry* g) {
    const std::vector<unsigned char> wkb = geos::to_wkb(ctx, g);
    OGRGeometry* out = nullptr;
    if (OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &out, wkb.size()) != OGRERR_NONE || !out) return nullptr;
    return std::unique_ptr<OGRGeometry>(OGRGeometryFactory::forceToMultiPolygon(out));
}

}  // namespace

std::unique_ptr<OGRGeometry> to_ogr_multipolygon(const geos::Context& ctx, const GEOSGeometry* g,
                                                 const ErrorPlace& where) {
    GEOSContextHandle_t h = ctx.handle();
    std::unique_ptr<OGRGeometry> out;
    const int type = GEOSGeomTypeId_r(h, g);
    if (GEOSisEmpty_r(h, g) != 0 || (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)) {
        out = through_wkb(ctx, g);
    } else {
        auto multi = std::make_unique<OGRMultiPolygon>();
        const int parts = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < parts && multi; ++i) {
            auto poly = polygon_of(h, type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(h, g, i));
            if (poly) multi->addGeometryDirectly(poly.release());
            else multi.reset();
        }
        out = std::move(multi);
    }
    if (!out) throw Error(ErrorKind::internal, "cannot convert a geometry for output: " + ctx.last_error(), where);
    return out;
}

}  // namespace ruimte
