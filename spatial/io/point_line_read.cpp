#include "spatial/io/point_line_read.hpp"

#include <ogr_geometry.h>

#include <cmath>

namespace ruimte {

namespace {
bool fits(OGRwkbGeometryType t, ReadGeometry expect) {
    t = wkbFlatten(t);
    if (expect == ReadGeometry::points) return t == wkbPoint || t == wkbMultiPoint;
    return t == wkbLineString || t == wkbMultiLineString;
}
}  // namespace

std::string point_line_problem(const OGRGeometry& g, ReadGeometry expect, std::string& fix) {
    const char* want = expect == ReadGeometry::points ? "point" : "line";
    const char* type = expect == ReadGeometry::points ? "points" : "lines";
    bool ok = fits(g.getGeometryType(), expect);
    if (!ok && wkbFlatten(g.getGeometryType()) == wkbGeometryCollection) {
        ok = true;
        for (const OGRGeometry* part : *g.toGeometryCollection()) ok = ok && fits(part->getGeometryType(), expect);
    }
    if (ok) return {};
    const OGRwkbGeometryType t = wkbFlatten(g.getGeometryType());
    const bool polygon = t == wkbPolygon || t == wkbMultiPolygon;
    fix = polygon ? std::string(
                        "the layer holds polygons: declare it with type = \"classes\" or \"presence\" in the "
                        "profile, or give a ") +
                        want + " layer"
                  : std::string("give every feature a ") + want +
                        " geometry (a layer of one geometry type; split "
                        "a mixed layer with ogr2ogr -where or -nlt)";
    return std::string("not a ") + want + " but a " + g.getGeometryName() + "; this layer is declared type = \"" +
           type + "\" and must hold " + type;
}

void check_point_line(const geos::Context& ctx, const GEOSGeometry* g, ReadGeometry expect, std::string& problem,
                      std::string& fix, std::string& skipped) {
    const geos::Box b = geos::envelope(ctx, g);
    if (!std::isfinite(b.xmin) || !std::isfinite(b.ymin) || !std::isfinite(b.xmax) || !std::isfinite(b.ymax)) {
        problem = "has a NaN or infinite coordinate";
        fix = "fix the coordinates";
        return;
    }
    if (expect != ReadGeometry::lines) return;
    double length = 0;
    if (GEOSLength_r(ctx.handle(), g, &length) != 1 || !std::isfinite(length)) {
        problem = "its length is not a finite number (coordinates too large)";
        fix = "check the coordinates and the layer's CRS";
        return;
    }
    if (length <= 0) skipped = "zero length";
}

}  // namespace ruimte
