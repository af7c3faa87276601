#pragma once
// The faces of noded linework (GEOSNode's output: lines that meet only at their end points,
// no line twice), as GEOSPolygonize finds them, without its cost: GEOS checks every ring it
// builds with a full validity test, which took a third of `ruimte claims`.
//
// A planar-graph face walk: at every node the outgoing edges are ordered by angle (exact
// orientation predicates), each directed edge is followed by the next one clockwise from
// its reverse, and the cycles this gives are the faces' boundaries: counter-clockwise cycles
// bound faces, clockwise ones are the outer boundaries of connected pieces of linework and
// become holes of the smallest face around them. Every ring is then proven simple
// (area::certainly_simple); anything this cannot prove (edges leaving a node in the same
// direction, rings touching themselves, dangling lines) gives no answer and the caller uses
// GEOSPolygonize.
#include <optional>
#include <vector>

#include "spatial/geometry/geos.hpp"

namespace ruimte {

// All bounded faces of the noded linework `lines` (a LineString, MultiLineString or a
// collection of them), as Polygons with GEOS's ring orientation (shell clockwise, holes
// counter-clockwise), or nullopt when the linework is not one this can prove right. One
// difference with GEOSPolygonize, found by fuzzing: a face so thin that GEOS's predicates
// see its ring collapsed (areas like 1e-305 m2) is dropped by GEOS and kept here, where the
// predicates are exact. `ruimte claims` drops faces under 1e-6 m2 either way.
std::optional<std::vector<geos::Geom>> polygonize_noded(const geos::Context& ctx, const GEOSGeometry* lines);

// Closed rings (x0, y0, ..., x0, y0) that bound polygons: shells counter-clockwise, holes
// clockwise. Shared by the face walk and dissolve_coverage (spatial/coverage.hpp).
struct RingSet {
    std::vector<std::vector<double>> shells, holes;
};
inline constexpr std::size_t kNoShell = static_cast<std::size_t>(-1);

// For each hole the smallest shell around its first vertex, or kNoShell when none is (exact
// point-in-ring tests, shells found through an R-tree of their boxes). A shell with that
// vertex on its boundary holds nothing: with `strict` that gives nullopt, otherwise the shell
// is passed over (in the face walk a hole's vertices lie on its own piece's faces).
std::optional<std::vector<std::size_t>> assign_holes(const RingSet& rings, bool strict);

// One Polygon per shell with the holes assigned to it (holes with kNoShell are left out), in
// GEOS's orientation (shell clockwise, holes counter-clockwise); nullopt if GEOS refuses one.
std::optional<std::vector<geos::Geom>> build_polygons(const geos::Context& ctx, const RingSet& rings,
                                                      const std::vector<std::size_t>& owner);

}  // namespace ruimte
