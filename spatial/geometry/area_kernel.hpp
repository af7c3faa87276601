#pragma once
// Area of the intersection of two polygonal geometries without building the intersection.
//
// Green's theorem: the area of A ∩ B is half the sum of x·dy − y·dx over its boundary, and
// that boundary is made of the parts of A's edges inside B and the parts of B's edges inside
// A. So: find the proper crossings between A's and B's edges, split the edges there, and
// know for each piece whether it is inside the other polygon: one point-in-polygon test per
// ring, then the status flips at every crossing. Rings are oriented (shells counter-clockwise,
// holes clockwise), so holes subtract by themselves.
//
// Robustness: every orientation sign is exact: a floating-point filter with a proven error
// bound (Shewchuk's ccwerrboundA), else the exact sum of the determinant's products (split
// with fused multiply-adds; rational arithmetic for subnormal coordinates). A point
// exactly on a line of the other polygon (touching vertices, shared edges, as between the
// cells of a coverage) is decided by symbolic perturbation: B is taken as shifted by
// (ε, ε²) for an infinitesimal ε, so no point lies on a line and the answer is the limit of
// the shifted polygons' intersection area, which is the exact area. Only the crossing points
// and the sum are floating point (GEOS's overlay agrees to 1e-9 relative in the tests).
// Coordinates closer to 0 than geos::kTinyCoordinate (1e-100) are outside its domain: with
// them a fuzzed polygon got 0 m2 instead of 5004.68. The readers set them to 0 first.
#include <vector>

#include "spatial/geometry/geos.hpp"

namespace ruimte::area {

struct Ring {
    std::vector<double> xy;  // x0, y0, x1, y1, ..., closed (last point == first point)
    geos::Box box;
    std::vector<geos::Box> chunks;  // boxes of runs of kChunk edges, for pruning
    std::size_t points() const { return xy.size() / 2; }
    static constexpr std::size_t kChunk = 8;
};

// A polygon or multipolygon as oriented rings.
struct Rings {
    std::vector<Ring> rings;
    geos::Box box;
    double area = 0;
};

// Rings of a valid Polygon or MultiPolygon (other types give no rings).
Rings rings_of(const geos::Context& ctx, const GEOSGeometry* g);

// Area of a ∩ b for valid polygons. Exact predicates (a floating-point filter, then rational
// arithmetic) with symbolic perturbation for touching vertices and shared edges; crossing
// points and the area sum in floating point.
double intersection_area(const Rings& a, const Rings& b);

// Smallest distance between the boundaries of a and b, for geometries whose interiors do not
// overlap (then it is the distance between them; 0 when they touch). Stops early and returns
// a value >= `stop_above` once no pair of edges can come closer than that.
double boundary_distance(const Rings& a, const Rings& b, double stop_above);

// The exact sign of the orientation of c relative to the line a→b: +1 left, −1 right, 0 on it.
int orientation(double ax, double ay, double bx, double by, double cx, double cy);

// A vertex as a hash key: exact coordinates (for joining the ends of edges).
struct XY {
    double x, y;
    bool operator==(const XY& o) const { return x == o.x && y == o.y; }
};
struct XYHash {
    std::size_t operator()(const XY& p) const noexcept;
};

// The signed area of a closed coordinate list (x0, y0, ..., x0, y0), shoelace in floating
// point: + counter-clockwise. Its sign is not to be trusted for a ring of almost no area.
double ring_area(const std::vector<double>& closed_xy);
// +1 when a simple closed ring runs counter-clockwise, -1 clockwise: the exact turn at its
// lowest (then leftmost) vertex.
int ring_orientation(const std::vector<double>& closed_xy);

// Where (px, py) is against a closed ring: +1 inside, -1 outside, 0 on its boundary.
// Crossing number with the exact orientation.
int locate(double px, double py, const std::vector<double>& closed_xy);

// Whether the segments p0-p1 and q0-q1 (p, q: x0, y0, x1, y1) have a point in common,
// crossing or touching, by exact orientation.
bool segments_meet(const double* p, const double* q);

// True when the ring is certainly simple: no two edges meet except adjacent edges at their
// shared vertex (decided with the exact orientation below). False means
// "not proven", not "invalid": ask GEOS. A polygon made of one such ring is valid.
bool certainly_simple(const Ring& ring);

}  // namespace ruimte::area
