#pragma once
// GEOS polygons to OGR multipolygons for writing with GDAL, by copying coordinates (no WKB
// round trip). Safe to call from several threads on different geometries.
#include <memory>

#include <ogr_geometry.h>

#include "spatial/core/error.hpp"
#include "spatial/geometry/geos.hpp"

namespace ruimte {

// A Polygon or MultiPolygon becomes an OGRMultiPolygon with the same rings and XY coordinates
// (Z and M are dropped, as the engine works in 2D); any other type goes through WKB and OGR's
// forceToMultiPolygon. Throws Error(internal) naming `where` when the conversion fails.
std::unique_ptr<OGRGeometry> to_ogr_multipolygon(const geos::Context& ctx, const GEOSGeometry* g,
                                                 const ErrorPlace& where = {});

}  // namespace ruimte
