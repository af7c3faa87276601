#pragma once
// Distances and lengths between a candidate polygon and point or line features, computed on the
// coordinates, without GEOS's overlay or buffer (spatial/geometry/proximity.cpp uses them).
//
// - distance: 0 when a feature meets the polygon (a point inside or on it, a line crossing,
//   touching or inside it; the meeting decided by exact orientation, area_kernel), otherwise the
//   least distance between its vertices and the polygon's edges and back, as GEOS computes it.
// - length within r: the set of points at distance <= r from the polygon is the polygon plus the
//   union of the "capsules" of its edges (every point within r of an edge). A capsule is convex,
//   so a line segment crosses it in one interval of its parameter, found exactly from the two end
//   circles and the rectangle; the parts of the segment inside the polygon are the intervals
//   between its crossings with the edges whose midpoints lie inside. The union of the intervals
//   times the segment's length is exact up to rounding: no buffer polygon with arcs drawn as
//   chords (GEOS's buffer with 64 segments per quarter lies up to 0.0075 % of r inside the
//   exact one).
#include <limits>
#include <vector>

#include "spatial/geometry/area_kernel.hpp"
#include "spatial/geometry/geos.hpp"

namespace ruimte::reach {

// One part of a feature: a point (one vertex) or a polyline.
struct Part {
    std::vector<double> xy;  // x0, y0, x1, y1, ...
    geos::Box box;
};

// A point, multipoint, line or multiline feature as parts.
struct Shape {
    std::vector<Part> parts;
    geos::Box box;
    double length = 0;  // sum of the parts' lengths
};

// The parts of a (multi)point or (multi)linestring; the parts of a collection are taken in
// order. Empty parts are left out.
Shape shape_of(const geos::Context& ctx, const GEOSGeometry* g);

// The distance from the polygon to the feature: 0 when they meet. +infinity without rings or
// parts. Stops early and returns 0 once a meeting is found.
double distance(const area::Rings& poly, const Shape& s);

struct Lengths {
    double inside = 0;  // length inside or on the boundary of the polygon
    double within = 0;  // length at a distance <= reach of the polygon (reach >= 0)
};
Lengths lengths(const area::Rings& poly, const Shape& s, double reach);

// The least distance between two boxes (0 when they meet).
double box_distance(const geos::Box& a, const geos::Box& b);

}  // namespace ruimte::reach
