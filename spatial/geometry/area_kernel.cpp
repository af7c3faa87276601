#include "spatial/geometry/area_kernel.hpp"

#include <boost/multiprecision/cpp_int.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ruimte::area {

namespace {

// Below this, products of doubles may have lost bits to underflow (2^-969 = 2^-1022 · 2^53):
// the error bounds and exact splits below assume they have not.
constexpr double kTiny = 0x1p-969;

// Orientation of c relative to the line a→b: +1 left, −1 right, 0 when the floating-point
// determinant is too close to zero to trust (Shewchuk 1997, ccwerrboundA = (3 + 16ε)ε), or
// so small that underflow may have spoilt it.
inline int orient(double ax, double ay, double bx, double by, double cx, double cy) {
    const double detleft = (bx - ax) * (cy - ay);
    const double detright = (by - ay) * (cx - ax);
    const double det = detleft - detright;
    constexpr double eps = std::numeric_limits<double>::epsilon() / 2;  // 2^-53
    constexpr double bound = (3.0 + 16.0 * eps) * eps;
    const double sum = std::fabs(detleft) + std::fabs(detright);
    if (sum < kTiny) return 0;
    const double errbound = bound * sum;
    if (det > errbound) return 1;
    if (-det > errbound) return -1;
    return 0;
}

// The exact sign in rational arithmetic: for coordinates so small (subnormal) that the split
// of a product into two doubles is no longer exact. Never met in real data; slow.
int orient_rational(double ax, double ay, double bx, double by, double cx, double cy) {
    using R = boost::multiprecision::cpp_rational;
    const R det = (R(bx) - R(ax)) * (R(cy) - R(ay)) - (R(by) - R(ay)) * (R(cx) - R(ax));
    return det.sign();
}

// x + y = s + err exactly (Knuth's TwoSum).
inline void two_sum(double x, double y, double& sum, double& err) {
    sum = x + y;
    const double yv = sum - x, xv = sum - yv;
    err = (x - xv) + (y - yv);
}

// The exact sign of the same determinant, only called when the floating-point filter above
// cannot decide (a point on or very near a line). Expanded into six products of the inputs
// (the a_x·a_y terms cancel), each split exactly into two doubles with a fused multiply-add;
// their sum is accumulated exactly as a non-overlapping expansion (Shewchuk 1997, Grow-
// Expansion), whose largest component carries the sign.
int orient_exact(double ax, double ay, double bx, double by, double cx, double cy) {
    // NaN or infinite coordinates have no orientation (0: undecided); the readers refuse such
    // features before this, and rational arithmetic would throw (found by fuzzing).
    if (!(std::isfinite(ax) && std::isfinite(ay) && std::isfinite(bx) && std::isfinite(by) && std::isfinite(cx) &&
          std::isfinite(cy))) {
        return 0;
    }
    const double f[6][2] = {{bx, cy}, {-bx, ay}, {-ax, cy}, {-by, cx}, {by, ax}, {ay, cx}};
    for (const auto& [x, y] : f) {
        // A product of non-zero values below kTiny (or rounded to 0) cannot be split exactly.
        if (x != 0 && y != 0 && std::fabs(x * y) < kTiny) return orient_rational(ax, ay, bx, by, cx, cy);
    }
    double e[12];  // the expansion, increasing magnitude, zeros removed
    int n = 0;
    auto grow = [&](double v) {
        double q = v;
        int m = 0;
        for (int i = 0; i < n; ++i) {
            double sum, err;
            two_sum(q, e[i], sum, err);
            if (err != 0) e[m++] = err;
            q = sum;
        }
        if (q != 0) e[m++] = q;
        n = m;
    };
    for (const auto& [x, y] : f) {
        const double p = x * y;
        grow(std::fma(x, y, -p));
        grow(p);
    }
    return n == 0 ? 0 : (e[n - 1] > 0 ? 1 : -1);
}

// The exact orientation: the filter, and the exact sum only where it cannot decide.
inline int exact_orient(double ax, double ay, double bx, double by, double cx, double cy) {
    const int o = orient(ax, ay, bx, by, cx, cy);
    return o != 0 ? o : orient_exact(ax, ay, bx, by, cx, cy);
}

// Orientation of a point of one polygon against the edge a→b of the other, with the point's
// polygon shifted by shift·(ε, ε²) for an infinitesimal ε > 0 (symbolic perturbation, as in
// Edelsbrunner and Mücke's simulation of simplicity). The shift moves every point off every
// line of the other polygon, so the answer is never 0: touching vertices and shared edges
// become crossings or non-crossings of the shifted polygons, whose intersection area tends to
// the exact one as ε → 0. Exact: the filter, then the exact sum, then the shift.
[[gnu::noinline]] int orient_shifted_slow(double ax, double ay, double bx, double by, double cx, double cy, int shift) {
    const int o = orient_exact(ax, ay, bx, by, cx, cy);
    if (o != 0) return o;
    // (b − a) × shift·(ε, ε²) = shift·((bx − ax)·ε² − (by − ay)·ε): the ε term decides unless
    // the edge is horizontal. The signs of by − ay and bx − ax are exact in floating point.
    if (by != ay) return by > ay ? -shift : shift;
    return bx > ax ? shift : -shift;
}

inline int orient_shifted(double ax, double ay, double bx, double by, double cx, double cy, int shift) {
    const int o = orient(ax, ay, bx, by, cx, cy);
    return o != 0 ? o : orient_shifted_slow(ax, ay, bx, by, cx, cy, shift);
}

double signed_ring_area(const std::vector<double>& xy) {
    // Shoelace around the first point, for precision with large coordinates.
    const double ox = xy[0], oy = xy[1];
    double s = 0;
    for (std::size_t i = 0; i + 3 < xy.size(); i += 2) {
        s += (xy[i] - ox) * (xy[i + 3] - oy) - (xy[i + 2] - ox) * (xy[i + 1] - oy);
    }
    return s / 2;
}

// +1 when the closed ring `xy` runs counter-clockwise, −1 clockwise: the exact orientation of
// the turn at its lowest (then leftmost) vertex, whose neighbours lie on or above it; the sign
// of `area` (the shoelace sum) where that turn is straight.
int ring_turn(const std::vector<double>& xy, double area) {
    const std::size_t m = xy.size() / 2 - 1;  // distinct vertices (the last repeats the first)
    std::size_t lo = 0;
    for (std::size_t i = 1; i < m; ++i) {
        if (xy[2 * i + 1] < xy[2 * lo + 1] || (xy[2 * i + 1] == xy[2 * lo + 1] && xy[2 * i] < xy[2 * lo])) lo = i;
    }
    const std::size_t prev = lo == 0 ? m - 1 : lo - 1, next = lo + 1 == m ? 0 : lo + 1;
    const int o =
        exact_orient(xy[2 * prev], xy[2 * prev + 1], xy[2 * lo], xy[2 * lo + 1], xy[2 * next], xy[2 * next + 1]);
    if (o != 0) return o;
    return area < 0 ? -1 : 1;
}

void add_ring(const geos::Context& ctx, const GEOSGeometry* ring, bool shell, Rings& out) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx.handle(), ring);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(ctx.handle(), seq, &n);
    if (n < 4) return;
    Ring r;
    r.xy.resize(2 * n);
    GEOSCoordSeq_copyToBuffer_r(ctx.handle(), seq, r.xy.data(), 0, 0);
    // Shells counter-clockwise, holes clockwise. The orientation comes from the exact turn at
    // the lowest (then leftmost) vertex: the sign of the shoelace sum can be wrong for a ring
    // of almost no area.
    const double a = signed_ring_area(r.xy);
    if ((ring_turn(r.xy, a) < 0) == shell) {
        for (std::size_t i = 0, j = n - 1; i < j; ++i, --j) {
            std::swap(r.xy[2 * i], r.xy[2 * j]);
            std::swap(r.xy[2 * i + 1], r.xy[2 * j + 1]);
        }
    }
    r.box = {r.xy[0], r.xy[1], r.xy[0], r.xy[1]};
    for (std::size_t i = 0; i < n; ++i) {
        r.box.xmin = std::min(r.box.xmin, r.xy[2 * i]);
        r.box.xmax = std::max(r.box.xmax, r.xy[2 * i]);
        r.box.ymin = std::min(r.box.ymin, r.xy[2 * i + 1]);
        r.box.ymax = std::max(r.box.ymax, r.xy[2 * i + 1]);
    }
    for (std::size_t first = 0; first + 1 < n; first += Ring::kChunk) {
        const std::size_t last = std::min<std::size_t>(first + Ring::kChunk, n - 1);
        geos::Box c{r.xy[2 * first], r.xy[2 * first + 1], r.xy[2 * first], r.xy[2 * first + 1]};
        for (std::size_t i = first + 1; i <= last; ++i) {
            c.xmin = std::min(c.xmin, r.xy[2 * i]);
            c.xmax = std::max(c.xmax, r.xy[2 * i]);
            c.ymin = std::min(c.ymin, r.xy[2 * i + 1]);
            c.ymax = std::max(c.ymax, r.xy[2 * i + 1]);
        }
        r.chunks.push_back(c);
    }
    out.area += shell ? std::fabs(a) : -std::fabs(a);
    out.rings.push_back(std::move(r));
}

void add_polygon(const geos::Context& ctx, const GEOSGeometry* poly, Rings& out) {
    if (GEOSisEmpty_r(ctx.handle(), poly)) return;
    add_ring(ctx, GEOSGetExteriorRing_r(ctx.handle(), poly), true, out);
    const int holes = GEOSGetNumInteriorRings_r(ctx.handle(), poly);
    for (int i = 0; i < holes; ++i) add_ring(ctx, GEOSGetInteriorRingN_r(ctx.handle(), poly, i), false, out);
}

// Point-in-polygon by crossing parity over all rings, for a point whose polygon is shifted by
// shift·(ε, ε²) against b (see orient_shifted): +1 inside, −1 outside, never on the boundary.
int point_in(double px, double py, const Rings& b, int shift) {
    bool inside = false;
    for (const Ring& r : b.rings) {
        // Outside the ring's box the ray towards +x crosses the ring an even number of times
        // (or never); on the box's edge the loop below decides.
        if (py < r.box.ymin || py > r.box.ymax || px > r.box.xmax) continue;
        const double* xy = r.xy.data();
        const std::size_t n = r.points();
        for (std::size_t i = 0; i + 1 < n; ++i) {
            const double ux = xy[2 * i], uy = xy[2 * i + 1], vx = xy[2 * i + 2], vy = xy[2 * i + 3];
            // Above the ray's line y = py + shift·ε²: a vertex at the point's height is above
            // when the point is shifted down.
            const bool u_above = uy > py || (uy == py && shift < 0);
            const bool v_above = vy > py || (vy == py && shift < 0);
            if (u_above == v_above) continue;
            const int o = orient_shifted(ux, uy, vx, vy, px, py, shift);
            // Upward edge with the point on its left, or downward edge with the point on its
            // right: the edge crosses the ray to the right of the point.
            if (v_above == (o > 0)) inside = !inside;
        }
    }
    return inside ? 1 : -1;
}

struct Event {
    std::size_t edge;  // first_edge[ring] + edge of the ring
    double t;          // parameter along the edge
    double x, y;
};

struct EdgeRef {
    std::uint32_t ring, edge;
    double xmin, ymin, xmax, ymax;
};

// At most this many edges of b in a's box: intersection_area looks each up among a's runs of
// edges instead of listing a's edges in b's box.
constexpr std::size_t kFewEdges = 16;

void collect_edges(const Rings& r, const geos::Box& clip, std::vector<EdgeRef>& out) {
    for (std::uint32_t ri = 0; ri < r.rings.size(); ++ri) {
        const Ring& ring = r.rings[ri];
        if (!ring.box.intersects(clip)) continue;
        const double* xy = ring.xy.data();
        const std::size_t n = ring.points();
        for (std::size_t c = 0; c < ring.chunks.size(); ++c) {
            if (!ring.chunks[c].intersects(clip)) continue;  // none of its edges can be inside
            const std::size_t last = std::min(c * Ring::kChunk + Ring::kChunk, n - 1);
            for (auto i = static_cast<std::uint32_t>(c * Ring::kChunk); i < last; ++i) {
                EdgeRef e{ri,
                          i,
                          std::min(xy[2 * i], xy[2 * i + 2]),
                          std::min(xy[2 * i + 1], xy[2 * i + 3]),
                          std::max(xy[2 * i], xy[2 * i + 2]),
                          std::max(xy[2 * i + 1], xy[2 * i + 3])};
                if (e.xmax < clip.xmin || e.xmin > clip.xmax || e.ymax < clip.ymin || e.ymin > clip.ymax) continue;
                out.push_back(e);
            }
        }
    }
}

// Walks every ring of `a`, adding the cross products of the parts inside `b`. `events` holds
// the crossings per edge, indexed by the edge's position in `first_edge[ring] + edge`; `shift`
// is a's shift against b (see orient_shifted).
void walk(const Rings& a, const Rings& b, const std::vector<std::size_t>& first_edge, const std::vector<Event>& events,
          double ox, double oy, int shift, double& sum) {
    std::size_t next = 0;  // events are in order of edge, then t
    for (std::size_t ri = 0; ri < a.rings.size(); ++ri) {
        const Ring& ring = a.rings[ri];
        const double* xy = ring.xy.data();
        const std::size_t edges = ring.points() - 1;
        // A ring whose box misses b's box is wholly outside b.
        if (!ring.box.intersects(b.box)) continue;
        bool in = point_in(xy[0], xy[1], b, shift) > 0;
        for (std::size_t k = 0; k < edges; ++k) {
            double cx = xy[2 * k] - ox, cy = xy[2 * k + 1] - oy;
            const std::size_t edge = first_edge[ri] + k;
            for (; next < events.size() && events[next].edge == edge; ++next) {
                const Event& e = events[next];
                const double ex = e.x - ox, ey = e.y - oy;
                if (in) sum += cx * ey - ex * cy;
                in = !in;
                cx = ex;
                cy = ey;
            }
            const double nx = xy[2 * k + 2] - ox, ny = xy[2 * k + 3] - oy;
            if (in) sum += cx * ny - nx * cy;
        }
    }
}

// The squared distance from (px, py) to the edge from (ax, ay) along (dx, dy), len2 = dx² + dy²:
// the projection clamped to the edge; divides only when it falls inside.
inline double point_edge_d2(double px, double py, double ax, double ay, double dx, double dy, double len2) {
    const double dot = (px - ax) * dx + (py - ay) * dy;
    const double t = dot <= 0 ? 0.0 : dot >= len2 ? 1.0 : dot / len2;
    const double ex = ax + t * dx - px, ey = ay + t * dy - py;
    return ex * ex + ey * ey;
}

// One side of a pair of edge runs whose boxes are apart: every vertex of run `v` (edges
// v0..v1-1, so vertices v0..v1) against every edge of run `e` (edges e0..e1-1, box `ebox`),
// the least squared distance into `best2`. A vertex at least best2 from the box is no nearer
// to any of its edges and is skipped.
//
// The edges are laid out as columns, padded to a whole run by repeating the last edge, so the
// compiler can work on several edges at once. The projection parameter is clamped before the
// division (the same values as point_edge_d2: 0/len2 is 0 and len2/len2 is 1); an edge of
// length 0 divides by 1 instead, its projection staying at its start.
void vertices_to_edges(const double* v, std::size_t v0, std::size_t v1, const double* e, std::size_t e0, std::size_t e1,
                       const geos::Box& ebox, double& best2) {
    constexpr std::size_t K = Ring::kChunk;
    alignas(32) double ax[K], ay[K], dx[K], dy[K], len2[K];
    for (std::size_t j = 0; j < K; ++j) {
        const std::size_t s = std::min(e0 + j, e1 - 1);
        ax[j] = e[2 * s];
        ay[j] = e[2 * s + 1];
        dx[j] = e[2 * s + 2] - ax[j];
        dy[j] = e[2 * s + 3] - ay[j];
        const double l2 = dx[j] * dx[j] + dy[j] * dy[j];
        len2[j] = l2 > 0 ? l2 : 1.0;
    }
    for (std::size_t k = v0; k <= v1; ++k) {
        const double px = v[2 * k], py = v[2 * k + 1];
        const double bx = std::max({0.0, ebox.xmin - px, px - ebox.xmax});
        const double by = std::max({0.0, ebox.ymin - py, py - ebox.ymax});
        if (bx * bx + by * by >= best2) continue;
        alignas(32) double d2[K];
        for (std::size_t j = 0; j < K; ++j) {
            const double dot = (px - ax[j]) * dx[j] + (py - ay[j]) * dy[j];
            const double t = std::min(std::max(dot, 0.0), len2[j]) / len2[j];
            const double ex = ax[j] + t * dx[j] - px, ey = ay[j] + t * dy[j] - py;
            d2[j] = ex * ex + ey * ey;
        }
        for (std::size_t j = 0; j < K; ++j) best2 = std::min(best2, d2[j]);
    }
}

// The same for runs whose boxes meet, also recording the side of each edge each vertex lies
// on (the sign of the cross product, as in an orientation test without the exact filter), for
// the crossing test.
void vertices_to_edges_with_sides(const double* v, std::size_t v0, std::size_t v1, const double* e, std::size_t e0,
                                  std::size_t e1, signed char side[][Ring::kChunk], double& best2) {
    for (std::size_t s = e0; s < e1; ++s) {
        const double ax = e[2 * s], ay = e[2 * s + 1];
        const double dx = e[2 * s + 2] - ax, dy = e[2 * s + 3] - ay;
        const double len2 = dx * dx + dy * dy;
        for (std::size_t k = v0; k <= v1; ++k) {
            const double px = v[2 * k], py = v[2 * k + 1];
            const double cross = dx * (py - ay) - dy * (px - ax);
            side[k - v0][s - e0] = static_cast<signed char>((cross > 0) - (cross < 0));
            best2 = std::min(best2, point_edge_d2(px, py, ax, ay, dx, dy, len2));
        }
    }
}

double box_d2(const geos::Box& a, double xmin, double ymin, double xmax, double ymax) {
    const double dx = std::max({0.0, a.xmin - xmax, xmin - a.xmax});
    const double dy = std::max({0.0, a.ymin - ymax, ymin - a.ymax});
    return dx * dx + dy * dy;
}

// A pair of edge runs (chunks), one of each polygon, and the squared distance of their boxes.
struct ChunkPair {
    double d2;
    const Ring* ra;
    std::size_t ca;
    const Ring* rb;
    std::size_t cb;
};

// Calls f(ring of a, chunk, ring of b, chunk, squared box distance) for every pair of chunks
// whose boxes are nearer than best2 (read again for every chunk of b, so f may lower it).
template <class F>
void for_near_chunk_pairs(const Rings& a, const Rings& b, const double& best2, F&& f) {
    for (const Ring& rb : b.rings) {
        if (box_d2(a.box, rb.box.xmin, rb.box.ymin, rb.box.xmax, rb.box.ymax) >= best2) continue;
        for (std::size_t cb = 0; cb < rb.chunks.size(); ++cb) {
            const geos::Box& bb = rb.chunks[cb];
            if (box_d2(a.box, bb.xmin, bb.ymin, bb.xmax, bb.ymax) >= best2) continue;
            for (const Ring& ra : a.rings) {
                for (std::size_t ca = 0; ca < ra.chunks.size(); ++ca) {
                    const double d2 = box_d2(ra.chunks[ca], bb.xmin, bb.ymin, bb.xmax, bb.ymax);
                    if (d2 < best2) f(ra, ca, rb, cb, d2);
                }
            }
        }
    }
}

// The exact least squared distance between the edges of one pair of chunks, into best2.
// Returns true when two of their edges cross (each edge's end points strictly on both sides
// of the other), which makes the distance 0.
bool chunk_pair_distance(const ChunkPair& cp, double& best2) {
    // The distance between two edges is the least vertex-edge distance of the four, unless
    // they cross.
    const double* pa = cp.ra->xy.data();
    const double* pb = cp.rb->xy.data();
    const std::size_t a0 = cp.ca * Ring::kChunk, a1 = std::min(a0 + Ring::kChunk, cp.ra->points() - 1);
    const std::size_t b0 = cp.cb * Ring::kChunk, b1 = std::min(b0 + Ring::kChunk, cp.rb->points() - 1);
    if (cp.d2 > 0) {  // boxes apart: no two edges can cross
        vertices_to_edges(pa, a0, a1, pb, b0, b1, cp.rb->chunks[cp.cb], best2);
        vertices_to_edges(pb, b0, b1, pa, a0, a1, cp.ra->chunks[cp.ca], best2);
        return false;
    }
    signed char a_side[Ring::kChunk + 1][Ring::kChunk];  // vertex of a against edge of b
    signed char b_side[Ring::kChunk + 1][Ring::kChunk];
    vertices_to_edges_with_sides(pa, a0, a1, pb, b0, b1, a_side, best2);
    vertices_to_edges_with_sides(pb, b0, b1, pa, a0, a1, b_side, best2);
    for (std::size_t i = 0; i < a1 - a0 && best2 > 0; ++i) {
        for (std::size_t j = 0; j < b1 - b0; ++j) {
            if (a_side[i][j] * a_side[i + 1][j] < 0 && b_side[j][i] * b_side[j + 1][i] < 0) return true;
        }
    }
    return false;
}

}  // namespace

double boundary_distance(const Rings& a, const Rings& b, double stop_above) {
    if (a.rings.empty() || b.rings.empty()) return std::numeric_limits<double>::infinity();
    double best2 = stop_above * stop_above;
    // First the pair of edge runs whose boxes are nearest, exactly: its distance is seldom far
    // from the answer, so the boxes of nearly every other pair are already too far apart.
    // Finding that pair needs only pairs nearer than the nearest so far (nearest_box2, just
    // above it): a run of b whose box is no nearer to a's box than that is passed over whole.
    // The bound starts from the run of b nearest to a's box, so it is low from the start.
    ChunkPair first{std::numeric_limits<double>::infinity(), nullptr, 0, nullptr, 0};
    double nearest_box2 = best2;
    {
        const Ring* seed_ring = nullptr;
        std::size_t seed_chunk = 0;
        double seed_d2 = best2;
        for (const Ring& rb : b.rings) {
            for (std::size_t cb = 0; cb < rb.chunks.size(); ++cb) {
                const geos::Box& bb = rb.chunks[cb];
                const double d2 = box_d2(a.box, bb.xmin, bb.ymin, bb.xmax, bb.ymax);
                if (d2 < seed_d2) {
                    seed_d2 = d2;
                    seed_ring = &rb;
                    seed_chunk = cb;
                }
            }
        }
        if (seed_ring) {
            const geos::Box& bb = seed_ring->chunks[seed_chunk];
            for (const Ring& ra : a.rings) {
                for (std::size_t ca = 0; ca < ra.chunks.size(); ++ca) {
                    const double d2 = box_d2(ra.chunks[ca], bb.xmin, bb.ymin, bb.xmax, bb.ymax);
                    if (d2 < nearest_box2) nearest_box2 = d2;
                }
            }
            nearest_box2 = std::nextafter(nearest_box2, std::numeric_limits<double>::infinity());
        }
    }
    for_near_chunk_pairs(a, b, nearest_box2,
                         [&](const Ring& ra, std::size_t ca, const Ring& rb, std::size_t cb, double d2) {
                             first = {d2, &ra, ca, &rb, cb};
                             nearest_box2 = d2;
                         });
    if (first.ra == nullptr) return std::sqrt(best2);  // nothing nearer than stop_above
    if (chunk_pair_distance(first, best2) || best2 == 0) return 0.0;
    // Then the other pairs still in reach, nearest boxes first, until the boxes are further
    // apart than the best distance found.
    thread_local std::vector<ChunkPair> pairs;  // reused: this runs once per candidate and piece
    pairs.clear();
    for_near_chunk_pairs(a, b, best2, [&](const Ring& ra, std::size_t ca, const Ring& rb, std::size_t cb, double d2) {
        if (&ra != first.ra || ca != first.ca || &rb != first.rb || cb != first.cb)
            pairs.push_back({d2, &ra, ca, &rb, cb});
    });
    std::sort(pairs.begin(), pairs.end(), [](const ChunkPair& p, const ChunkPair& q) { return p.d2 < q.d2; });
    for (const ChunkPair& cp : pairs) {
        if (cp.d2 >= best2) break;
        if (chunk_pair_distance(cp, best2) || best2 == 0) return 0.0;
    }
    return std::sqrt(best2);
}

bool certainly_simple(const Ring& ring) {
    const std::size_t n = ring.points();
    if (n < 4) return false;
    {
        // First, in O(n): a ring that is star-shaped around a point c is simple. If every edge
        // turns the same way around c (exact orientation, never 0) and the ring goes round c
        // once (one crossing of the ray from c to +x, counted with the half-open rule), the
        // angle around c grows strictly along the ring through one full turn, so edges that
        // are not neighbours lie in disjoint wedges and cannot meet. The proof holds for any
        // c; c is looked for in floating point: the centroid of the area, moved across each
        // edge whose line has it on the wrong side (a few passes of projections onto the
        // half-planes whose intersection is the kernel, each going half as far again past the
        // line, which converges in fewer passes). Rings with spikes, such as the benchmark's
        // random blobs, are star-shaped around their centre but seldom around the mean of
        // their vertices: on the 10k workload's 11,889 rings the mean and plain projections
        // proved 8,389 in 3.1 passes on average, the centroid and these steps 10,581 in 2.3.
        const double* xy = ring.xy.data();
        const double x0 = xy[0], y0 = xy[1];
        double cx = 0, cy = 0, a2 = 0;
        for (std::size_t i = 0; i + 1 < n; ++i) {
            const double ax = xy[2 * i] - x0, ay = xy[2 * i + 1] - y0, bx = xy[2 * i + 2] - x0, by = xy[2 * i + 3] - y0;
            const double cross = ax * by - bx * ay;
            cx += (ax + bx) * cross;
            cy += (ay + by) * cross;
            a2 += cross;
        }
        if (a2 != 0) {  // the centroid of the area
            cx /= 3 * a2;
            cy /= 3 * a2;
        }
        const double side = a2 > 0 ? 1.0 : -1.0;  // inside is left of each edge for a counter-clockwise ring
        for (int pass = 0; pass < 4 && a2 != 0; ++pass) {
            bool moved = false;
            for (std::size_t i = 0; i + 1 < n; ++i) {
                const double ax = xy[2 * i] - x0, ay = xy[2 * i + 1] - y0;
                const double dx = xy[2 * i + 2] - x0 - ax, dy = xy[2 * i + 3] - y0 - ay;
                const double len2 = dx * dx + dy * dy;
                if (!(len2 > 0)) continue;
                // c at least 1e-6 edge lengths inside the edge's line: its signed distance
                // inside / len >= 1e-6 len, that is inside >= 1e-6 len² (no square root).
                const double inside = side * (dx * (cy - ay) - dy * (cx - ax));
                const double margin = 1e-6 * len2;
                if (inside >= margin) continue;
                const double step = 1.5 * (margin - inside) * side / len2;  // along the left normal (-dy, dx)
                cx -= step * dy;
                cy += step * dx;
                moved = true;
            }
            if (!moved) break;
        }
        cx += x0;
        cy += y0;
        const int turn = std::isfinite(cx) && std::isfinite(cy) ? exact_orient(cx, cy, xy[0], xy[1], xy[2], xy[3]) : 0;
        bool star = turn != 0;
        std::size_t crossings = 0;
        for (std::size_t i = 0; star && i + 1 < n; ++i) {
            const double ax = xy[2 * i], ay = xy[2 * i + 1], bx = xy[2 * i + 2], by = xy[2 * i + 3];
            star = exact_orient(cx, cy, ax, ay, bx, by) == turn;
            // Counter-clockwise edges cross the ray to +x going up, clockwise ones going down.
            crossings += turn > 0 ? (ay <= cy && cy < by) : (by <= cy && cy < ay);
        }
        if (star && crossings == 1) return true;
    }
    const std::size_t edges = n - 1;
    const double* xy = ring.xy.data();
    // Adjacent edges meet only at their shared vertex unless they fold back on one line (on
    // one line and the second going back: the signs of the products are exact for parallel
    // edges). Going straight on is fine.
    for (std::size_t i = 0; i < edges; ++i) {
        const std::size_t j = i + 1 < edges ? i + 1 : 0;
        const double ax = xy[2 * i], ay = xy[2 * i + 1], bx = xy[2 * j], by = xy[2 * j + 1], cx = xy[2 * j + 2],
                     cy = xy[2 * j + 3];
        if (exact_orient(ax, ay, bx, by, cx, cy) == 0 && (bx - ax) * (cx - bx) + (by - ay) * (cy - by) <= 0)
            return false;
    }
    struct E {
        double xmin, xmax, ymin, ymax;
        std::size_t i;
    };
    thread_local std::vector<E> es;  // reused: this runs once per input ring
    es.resize(edges);
    for (std::size_t i = 0; i < edges; ++i) {
        es[i] = {std::min(xy[2 * i], xy[2 * i + 2]), std::max(xy[2 * i], xy[2 * i + 2]),
                 std::min(xy[2 * i + 1], xy[2 * i + 3]), std::max(xy[2 * i + 1], xy[2 * i + 3]), i};
    }
    std::sort(es.begin(), es.end(), [](const E& p, const E& q) { return p.xmin < q.xmin; });
    for (std::size_t u = 0; u < es.size(); ++u) {
        const E& e = es[u];
        for (std::size_t v = u + 1; v < es.size() && es[v].xmin <= e.xmax; ++v) {
            const E& f = es[v];
            if (f.ymax < e.ymin || f.ymin > e.ymax) continue;
            const std::size_t d = e.i > f.i ? e.i - f.i : f.i - e.i;
            if (d == 1 || d == edges - 1) continue;                       // adjacent: checked above
            if (segments_meet(xy + 2 * e.i, xy + 2 * f.i)) return false;  // they cross or touch
        }
    }
    return true;
}

Rings rings_of(const geos::Context& ctx, const GEOSGeometry* g) {
    Rings out;
    const int type = GEOSGeomTypeId_r(ctx.handle(), g);
    if (type == GEOS_POLYGON) {
        add_polygon(ctx, g, out);
    } else if (type == GEOS_MULTIPOLYGON) {
        const int n = GEOSGetNumGeometries_r(ctx.handle(), g);
        for (int i = 0; i < n; ++i) add_polygon(ctx, GEOSGetGeometryN_r(ctx.handle(), g, i), out);
    }
    if (!out.rings.empty()) {
        out.box = out.rings[0].box;
        for (const Ring& r : out.rings) {
            out.box.xmin = std::min(out.box.xmin, r.box.xmin);
            out.box.ymin = std::min(out.box.ymin, r.box.ymin);
            out.box.xmax = std::max(out.box.xmax, r.box.xmax);
            out.box.ymax = std::max(out.box.ymax, r.box.ymax);
        }
    }
    return out;
}

double intersection_area(const Rings& a, const Rings& b) {
    if (a.rings.empty() || b.rings.empty() || !a.box.intersects(b.box)) return 0.0;
    // Only edges inside the other's box can cross it. Buffers are reused: this runs for every
    // candidate and layer piece that meet.
    thread_local std::vector<EdgeRef> ea, eb;
    thread_local std::vector<std::size_t> first_a, first_b;
    thread_local std::vector<Event> events_a, events_b;
    ea.clear();
    eb.clear();
    events_a.clear();
    events_b.clear();
    first_a.assign(a.rings.size() + 1, 0);
    first_b.assign(b.rings.size() + 1, 0);
    for (std::size_t i = 0; i < a.rings.size(); ++i) first_a[i + 1] = first_a[i] + a.rings[i].points() - 1;
    for (std::size_t i = 0; i < b.rings.size(); ++i) first_b[i + 1] = first_b[i] + b.rings[i].points() - 1;
    const double ox = a.box.xmin, oy = a.box.ymin;
    double sum = 0;
    // Without an edge of one inside the other's box nothing crosses, and the walks below add
    // exactly what the full computation would: when no edge of b reaches a's box, a lies wholly
    // inside b or wholly outside, and every vertex of b is outside a's box, so b's walk adds
    // nothing (and the other way round). The common case of a candidate inside one large
    // layer piece then costs one walk of the candidate's ring.
    collect_edges(b, a.box, eb);
    if (eb.empty()) {
        walk(a, b, first_a, events_a, ox, oy, -1, sum);
        return sum / 2 > 0 ? sum / 2 : 0.0;
    }
    // Where a's edge (p1, p2) and b's edge (q1, q2) cross (of the shifted edges; where they
    // touch, the crossing point is the touching vertex), one event for each edge at the same
    // point, so both walks use the same vertex.
    auto cross = [&](const EdgeRef& ra, const double* pa, const EdgeRef& rb, const double* pb) {
        const double p1x = pa[0], p1y = pa[1], p2x = pa[2], p2y = pa[3];
        const double q1x = pb[0], q1y = pb[1], q2x = pb[2], q2y = pb[3];
        // b shifted by (ε, ε²) against a: no point lies on a line of the other polygon.
        const int o1 = orient_shifted(p1x, p1y, p2x, p2y, q1x, q1y, +1);
        const int o2 = orient_shifted(p1x, p1y, p2x, p2y, q2x, q2y, +1);
        if (o1 == o2) return;  // b's edge wholly on one side of a's line
        const int o3 = orient_shifted(q1x, q1y, q2x, q2y, p1x, p1y, -1);
        const int o4 = orient_shifted(q1x, q1y, q2x, q2y, p2x, p2y, -1);
        if (o3 == o4) return;  // a's edge wholly on one side of b's line
        const double d3 = (q2x - q1x) * (p1y - q1y) - (q2y - q1y) * (p1x - q1x);
        const double d4 = (q2x - q1x) * (p2y - q1y) - (q2y - q1y) * (p2x - q1x);
        const double t = d3 == d4 ? 0.5 : std::clamp(d3 / (d3 - d4), 0.0, 1.0);
        const double x = p1x + t * (p2x - p1x), y = p1y + t * (p2y - p1y);
        const double d1 = (p2x - p1x) * (q1y - p1y) - (p2y - p1y) * (q1x - p1x);
        const double d2 = (p2x - p1x) * (q2y - p1y) - (p2y - p1y) * (q2x - p1x);
        const double sb = d1 == d2 ? 0.5 : std::clamp(d1 / (d1 - d2), 0.0, 1.0);
        events_a.push_back({first_a[ra.ring] + ra.edge, t, x, y});
        events_b.push_back({first_b[rb.ring] + rb.edge, sb, x, y});
    };
    if (eb.size() <= kFewEdges) {
        // Few edges of b in a's box (a candidate across the edge of a large piece): each is
        // looked for among a's runs of edges by their boxes, without listing a's edges. The
        // same pairs meet as below, so the same events come out (in another order, sorted
        // below). Without any of a's runs in b's box, a lies outside b's box and only b's walk
        // can add anything, as below.
        bool a_near = false;
        for (const EdgeRef& rb : eb) {
            const double* pb = b.rings[rb.ring].xy.data() + 2 * rb.edge;
            const geos::Box qbox{rb.xmin, rb.ymin, rb.xmax, rb.ymax};
            for (std::uint32_t ri = 0; ri < a.rings.size(); ++ri) {
                const Ring& ring = a.rings[ri];
                if (!ring.box.intersects(b.box)) continue;
                const double* xy = ring.xy.data();
                const std::size_t n = ring.points();
                for (std::size_t c = 0; c < ring.chunks.size(); ++c) {
                    if (!ring.chunks[c].intersects(b.box)) continue;
                    a_near = true;
                    if (!ring.chunks[c].intersects(qbox)) continue;
                    const std::size_t last = std::min(c * Ring::kChunk + Ring::kChunk, n - 1);
                    for (auto i = static_cast<std::uint32_t>(c * Ring::kChunk); i < last; ++i) {
                        const EdgeRef ra{ri,
                                         i,
                                         std::min(xy[2 * i], xy[2 * i + 2]),
                                         std::min(xy[2 * i + 1], xy[2 * i + 3]),
                                         std::max(xy[2 * i], xy[2 * i + 2]),
                                         std::max(xy[2 * i + 1], xy[2 * i + 3])};
                        if (rb.xmax < ra.xmin || rb.xmin > ra.xmax || rb.ymax < ra.ymin || rb.ymin > ra.ymax) continue;
                        cross(ra, xy + 2 * i, rb, pb);
                    }
                }
            }
        }
        if (!a_near) {
            walk(b, a, first_b, events_b, ox, oy, +1, sum);
            return sum / 2 > 0 ? sum / 2 : 0.0;
        }
    } else {
        collect_edges(a, b.box, ea);
        if (ea.empty()) {
            walk(b, a, first_b, events_b, ox, oy, +1, sum);
            return sum / 2 > 0 ? sum / 2 : 0.0;
        }
        // Sort b's edges by xmin so each a-edge scans only those that can overlap it in x.
        std::sort(eb.begin(), eb.end(), [](const EdgeRef& p, const EdgeRef& q) { return p.xmin < q.xmin; });
        double max_width_b = 0;
        for (const EdgeRef& e : eb) max_width_b = std::max(max_width_b, e.xmax - e.xmin);
        for (const EdgeRef& ra : ea) {
            const double* pa = a.rings[ra.ring].xy.data() + 2 * ra.edge;
            auto it = std::lower_bound(eb.begin(), eb.end(), ra.xmin - max_width_b,
                                       [](const EdgeRef& e, double x) { return e.xmin < x; });
            for (; it != eb.end() && it->xmin <= ra.xmax; ++it) {
                const EdgeRef& rb = *it;
                if (rb.xmax < ra.xmin || rb.ymax < ra.ymin || rb.ymin > ra.ymax) continue;
                cross(ra, pa, rb, b.rings[rb.ring].xy.data() + 2 * rb.edge);
            }
        }
    }
    // Per edge in order along it (events at the same t are the same point: any order).
    auto along = [](const Event& p, const Event& q) { return p.edge != q.edge ? p.edge < q.edge : p.t < q.t; };
    std::sort(events_a.begin(), events_a.end(), along);
    std::sort(events_b.begin(), events_b.end(), along);

    walk(a, b, first_a, events_a, ox, oy, -1, sum);
    walk(b, a, first_b, events_b, ox, oy, +1, sum);
    const double area = sum / 2;
    return area > 0 ? area : 0.0;
}

std::size_t XYHash::operator()(const XY& p) const noexcept {
    const std::uint64_t a = std::bit_cast<std::uint64_t>(p.x + 0.0), b = std::bit_cast<std::uint64_t>(p.y + 0.0);
    return std::hash<std::uint64_t>{}(a ^ (b * 0x9e3779b97f4a7c15ULL));
}

double ring_area(const std::vector<double>& closed_xy) {
    return signed_ring_area(closed_xy);
}

int ring_orientation(const std::vector<double>& closed_xy) {
    return ring_turn(closed_xy, signed_ring_area(closed_xy));
}

int locate(double px, double py, const std::vector<double>& closed_xy) {
    bool inside = false;
    for (std::size_t i = 0; i + 3 < closed_xy.size(); i += 2) {
        const double ax = closed_xy[i], ay = closed_xy[i + 1], bx = closed_xy[i + 2], by = closed_xy[i + 3];
        if (ax == px && ay == py) return 0;
        if (ay == py && by == py) {
            if (std::min(ax, bx) <= px && px <= std::max(ax, bx)) return 0;
            continue;
        }
        if ((ay > py) != (by > py)) {
            const int o = orientation(ax, ay, bx, by, px, py);
            if (o == 0) return 0;
            // The ray to +x crosses an upward edge with the point on its left, or a downward
            // edge with the point on its right.
            if ((by > ay) == (o > 0)) inside = !inside;
        }
    }
    return inside ? 1 : -1;
}

bool segments_meet(const double* p, const double* q) {
    const int o1 = exact_orient(p[0], p[1], p[2], p[3], q[0], q[1]);
    const int o2 = exact_orient(p[0], p[1], p[2], p[3], q[2], q[3]);
    if (o1 != 0 && o1 == o2) return false;
    const int o3 = exact_orient(q[0], q[1], q[2], q[3], p[0], p[1]);
    const int o4 = exact_orient(q[0], q[1], q[2], q[3], p[2], p[3]);
    if (o3 != 0 && o3 == o4) return false;
    // Each straddles the other's line, or one end lies on it: they meet, unless all four
    // points are on one line and the segments lie apart on it.
    if (o1 == 0 && o2 == 0 && o3 == 0 && o4 == 0) {
        return std::max(std::min(p[0], p[2]), std::min(q[0], q[2])) <=
                   std::min(std::max(p[0], p[2]), std::max(q[0], q[2])) &&
               std::max(std::min(p[1], p[3]), std::min(q[1], q[3])) <=
                   std::min(std::max(p[1], p[3]), std::max(q[1], q[3]));
    }
    return true;
}

int orientation(double ax, double ay, double bx, double by, double cx, double cy) {
    return exact_orient(ax, ay, bx, by, cx, cy);
}

}  // namespace ruimte::area
