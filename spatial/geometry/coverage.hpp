#pragma once
// The union of polygons that form a coverage: interiors apart, and where two of them share a
// stretch of boundary they have the same vertices along it (as the pieces of a face cut by
// the same tile edges do in `ruimte claims`). Each shared edge appears once in each
// direction, so the union's boundary is what is left after dropping those pairs: no noding,
// no overlay. GEOS's own coverage union (GEOSCoverageUnion) does the same cancelling but then
// polygonizes with a full validity check of every ring, which made it as slow as a union.
#include "spatial/geometry/geos.hpp"

namespace ruimte {

// The union as a Polygon (a MultiPolygon when the parts make several), or null when the
// input is not such a coverage or a ring of the result is not certainly simple (vertices
// that differ across a shared stretch, overlaps, rings that touch, parts that only meet at a
// point): the caller then takes GEOS's union. What is returned has the parts' total area
// (checked) and GEOS's ring orientation (shells clockwise, holes counter-clockwise).
geos::Geom dissolve_coverage(const geos::Context& ctx, const std::vector<const GEOSGeometry*>& parts);

}  // namespace ruimte
