#pragma once
// The geometry checks of read_polygon_layer for points and lines layers (ReadGeometry::points,
// ReadGeometry::lines): which OGR geometries such a layer may hold, and the checks after
// reprojection.
#include <string>

#include "spatial/geometry/geos.hpp"
#include "spatial/io/source.hpp"

class OGRGeometry;

namespace ruimte {

// Empty when `g` (2D, linear, after the reader's OGR-level fixes) is what the layer must hold
// (Point or MultiPoint; LineString or MultiLineString; a collection of only those);
// otherwise what is wrong, and in `fix` what to do.
std::string point_line_problem(const OGRGeometry& g, ReadGeometry expect, std::string& fix);

// After conversion and reprojection: `problem` (unusable) or `skipped` (zero-length line) set,
// or the geometry kept as it is.
void check_point_line(const geos::Context& ctx, const GEOSGeometry* g, ReadGeometry expect, std::string& problem,
                      std::string& fix, std::string& skipped);

}  // namespace ruimte
