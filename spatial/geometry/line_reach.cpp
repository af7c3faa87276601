#include "spatial/geometry/line_reach.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace ruimte::reach {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
using area::Ring;
using area::Rings;
using Interval = std::pair<double, double>;

geos::Box box_of(const double* xy, std::size_t points) {
    geos::Box b{xy[0], xy[1], xy[0], xy[1]};
    for (std::size_t i = 1; i < points; ++i) {
        b.xmin = std::min(b.xmin, xy[2 * i]);
        b.ymin = std::min(b.ymin, xy[2 * i + 1]);
        b.xmax = std::max(b.xmax, xy[2 * i]);
        b.ymax = std::max(b.ymax, xy[2 * i + 1]);
    }
    return b;
}

void grow(geos::Box& b, const geos::Box& o) {
    b.xmin = std::min(b.xmin, o.xmin);
    b.ymin = std::min(b.ymin, o.ymin);
    b.xmax = std::max(b.xmax, o.xmax);
    b.ymax = std::max(b.ymax, o.ymax);
}

void add_part(const geos::Context& ctx, const GEOSGeometry* g, Shape& s) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx.handle(), g);
    unsigned n = 0;
    if (!seq || GEOSCoordSeq_getSize_r(ctx.handle(), seq, &n) != 1 || n == 0) return;
    Part p;
    p.xy.resize(2 * static_cast<std::size_t>(n));
    for (unsigned i = 0; i < n; ++i) GEOSCoordSeq_getXY_r(ctx.handle(), seq, i, &p.xy[2 * i], &p.xy[2 * i + 1]);
    p.box = box_of(p.xy.data(), n);
    for (std::size_t i = 2; i < p.xy.size(); i += 2) {
        const double dx = p.xy[i] - p.xy[i - 2], dy = p.xy[i + 1] - p.xy[i - 1];
        s.length += std::sqrt(dx * dx + dy * dy);
    }
    if (s.parts.empty()) {
        s.box = p.box;
    } else {
        grow(s.box, p.box);
    }
    s.parts.push_back(std::move(p));
}

void add_shape(const geos::Context& ctx, const GEOSGeometry* g, Shape& s) {
    switch (GEOSGeomTypeId_r(ctx.handle(), g)) {
        case GEOS_POINT:
        case GEOS_LINESTRING:
        case GEOS_LINEARRING:
            if (GEOSisEmpty_r(ctx.handle(), g) != 1) add_part(ctx, g, s);
            return;
        case GEOS_MULTIPOINT:
        case GEOS_MULTILINESTRING:
        case GEOS_GEOMETRYCOLLECTION: {
            const int n = GEOSGetNumGeometries_r(ctx.handle(), g);
            for (int i = 0; i < n; ++i) add_shape(ctx, GEOSGetGeometryN_r(ctx.handle(), g, i), s);
            return;
        }
        default: return;
    }
}

// Where the point is against the polygon: +1 inside, -1 outside, 0 on its boundary (exact).
int locate(const Rings& poly, double x, double y) {
    if (x < poly.box.xmin || x > poly.box.xmax || y < poly.box.ymin || y > poly.box.ymax) return -1;
    bool inside = false;
    for (const Ring& r : poly.rings) {
        if (x < r.box.xmin || x > r.box.xmax || y < r.box.ymin || y > r.box.ymax) continue;
        const int l = area::locate(x, y, r.xy);
        if (l == 0) return 0;
        if (l > 0) inside = !inside;
    }
    return inside ? 1 : -1;
}

// GEOS's Distance::pointToSegment.
double point_segment(double px, double py, double ax, double ay, double bx, double by) {
    if (ax == bx && ay == by) return std::sqrt((px - ax) * (px - ax) + (py - ay) * (py - ay));
    const double len2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay);
    const double r = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2;
    if (r <= 0.0) return std::sqrt((px - ax) * (px - ax) + (py - ay) * (py - ay));
    if (r >= 1.0) return std::sqrt((px - bx) * (px - bx) + (py - by) * (py - by));
    const double s = ((ay - py) * (bx - ax) - (ax - px) * (by - ay)) / len2;
    return std::fabs(s) * std::sqrt(len2);
}

geos::Box segment_box(const double* p) {
    return {std::min(p[0], p[2]), std::min(p[1], p[3]), std::max(p[0], p[2]), std::max(p[1], p[3])};
}

// Calls f(edge) (x0, y0, x1, y1) for every edge of the polygon in a chunk whose box lies at
// most `reach` from `box` (read again for every chunk, so f may lower it); f returns false to
// stop. Returns false when stopped.
template <class F>
bool for_edges_near(const Rings& poly, const geos::Box& box, const double& reach, F&& f) {
    for (const Ring& r : poly.rings) {
        if (box_distance(r.box, box) > reach) continue;
        const std::size_t n = r.points();
        for (std::size_t c = 0; c < r.chunks.size(); ++c) {
            if (box_distance(r.chunks[c], box) > reach) continue;
            const std::size_t last = std::min(c * Ring::kChunk + Ring::kChunk, n - 1);
            for (std::size_t i = c * Ring::kChunk; i < last; ++i) {
                if (!f(&r.xy[2 * i])) return false;
            }
        }
    }
    return true;
}

// The distance of one part (a point or a polyline) from the polygon, or a value >= best when
// it is not nearer than best.
double part_distance(const Rings& poly, const Part& part, double best) {
    if (locate(poly, part.xy[0], part.xy[1]) >= 0) return 0.0;
    const std::size_t points = part.xy.size() / 2;
    if (points == 1) {
        for_edges_near(poly, part.box, best, [&](const double* e) {
            best = std::min(best, point_segment(part.xy[0], part.xy[1], e[0], e[1], e[2], e[3]));
            return true;
        });
        return best;
    }
    for (std::size_t i = 0; i + 1 < points && best > 0; ++i) {
        const double* s = &part.xy[2 * i];
        const geos::Box sb = segment_box(s);
        if (box_distance(sb, poly.box) >= best) continue;
        for_edges_near(poly, sb, best, [&](const double* e) {
            if (area::segments_meet(s, e)) {
                best = 0;
                return false;
            }
            const double d = std::min(std::min(point_segment(s[0], s[1], e[0], e[1], e[2], e[3]),
                                               point_segment(s[2], s[3], e[0], e[1], e[2], e[3])),
                                      std::min(point_segment(e[0], e[1], s[0], s[1], s[2], s[3]),
                                               point_segment(e[2], e[3], s[0], s[1], s[2], s[3])));
            best = std::min(best, d);
            return true;
        });
    }
    return best;
}

// Narrows [t0, t1] to the t where k0 + t * k1 lies in [lo, hi].
void clip(double k0, double k1, double lo, double hi, double& t0, double& t1) {
    if (k1 == 0) {
        if (k0 < lo || k0 > hi) t0 = kInf, t1 = -kInf;
        return;
    }
    double a = (lo - k0) / k1, b = (hi - k0) / k1;
    if (a > b) std::swap(a, b);
    t0 = std::max(t0, a);
    t1 = std::min(t1, b);
}

// The interval of t in [0, 1] where s0 + t (s1 - s0) lies within r of the edge e (its capsule:
// the two end circles and the rectangle between them). Empty: lo > hi.
Interval capsule(const double* s, const double* e, double r) {
    const double vx = s[2] - s[0], vy = s[3] - s[1];
    const double a = vx * vx + vy * vy;
    double lo = kInf, hi = -kInf;
    for (int k = 0; k < 2; ++k) {
        const double wx = s[0] - e[2 * k], wy = s[1] - e[2 * k + 1];
        const double b = vx * wx + vy * wy, c = wx * wx + wy * wy - r * r;
        const double disc = b * b - a * c;
        if (disc < 0) continue;
        const double q = std::sqrt(disc);
        lo = std::min(lo, (-b - q) / a);
        hi = std::max(hi, (-b + q) / a);
    }
    const double ux = e[2] - e[0], uy = e[3] - e[1], u2 = ux * ux + uy * uy;
    if (u2 > 0) {
        double t0 = -kInf, t1 = kInf;
        const double wx = s[0] - e[0], wy = s[1] - e[1];
        clip(wx * ux + wy * uy, vx * ux + vy * uy, 0, u2, t0, t1);
        const double ru = r * std::sqrt(u2);
        clip(ux * wy - uy * wx, ux * vy - uy * vx, -ru, ru, t0, t1);
        if (t0 <= t1) lo = std::min(lo, t0), hi = std::max(hi, t1);
    }
    return {std::max(lo, 0.0), std::min(hi, 1.0)};
}

// The total length (in t) of the union of intervals; sorts them.
double union_length(std::vector<Interval>& iv) {
    std::sort(iv.begin(), iv.end());
    double total = 0, lo = 0, hi = -kInf;
    for (const Interval& i : iv) {
        if (i.first > i.second) continue;
        if (i.first > hi) {
            if (hi > lo) total += hi - lo;
            lo = i.first;
            hi = i.second;
        } else {
            hi = std::max(hi, i.second);
        }
    }
    if (hi > lo) total += hi - lo;
    return total;
}

// The parts of the segment inside or on the polygon, as intervals of t, into `inside`.
void inside_intervals(const Rings& poly, const double* s, const geos::Box& sb, std::vector<Interval>& inside) {
    thread_local std::vector<double> breaks;
    breaks.assign({0.0, 1.0});
    const double vx = s[2] - s[0], vy = s[3] - s[1], v2 = vx * vx + vy * vy;
    for_edges_near(poly, sb, 0.0, [&](const double* e) {
        if (!area::segments_meet(s, e)) return true;
        const double ex = e[2] - e[0], ey = e[3] - e[1];
        if (area::orientation(s[0], s[1], s[2], s[3], e[0], e[1]) == 0 &&
            area::orientation(s[0], s[1], s[2], s[3], e[2], e[3]) == 0) {
            // Along the edge: on the boundary, so inside.
            double a = ((e[0] - s[0]) * vx + (e[1] - s[1]) * vy) / v2;
            double b = ((e[2] - s[0]) * vx + (e[3] - s[1]) * vy) / v2;
            if (a > b) std::swap(a, b);
            a = std::clamp(a, 0.0, 1.0), b = std::clamp(b, 0.0, 1.0);
            inside.emplace_back(a, b);
            breaks.push_back(a);
            breaks.push_back(b);
            return true;
        }
        const double den = vx * ey - vy * ex;
        if (den != 0) breaks.push_back(std::clamp(((e[0] - s[0]) * ey - (e[1] - s[1]) * ex) / den, 0.0, 1.0));
        return true;
    });
    std::sort(breaks.begin(), breaks.end());
    const bool may_be_inside = poly.box.intersects(sb);
    for (std::size_t i = 0; may_be_inside && i + 1 < breaks.size(); ++i) {
        const double t0 = breaks[i], t1 = breaks[i + 1];
        if (!(t1 > t0)) continue;
        const double t = 0.5 * (t0 + t1);
        if (locate(poly, s[0] + t * vx, s[1] + t * vy) >= 0) inside.emplace_back(t0, t1);
    }
}

}  // namespace

Shape shape_of(const geos::Context& ctx, const GEOSGeometry* g) {
    Shape s;
    add_shape(ctx, g, s);
    return s;
}

double box_distance(const geos::Box& a, const geos::Box& b) {
    const double dx = std::max(0.0, std::max(a.xmin - b.xmax, b.xmin - a.xmax));
    const double dy = std::max(0.0, std::max(a.ymin - b.ymax, b.ymin - a.ymax));
    return std::sqrt(dx * dx + dy * dy);
}

double distance(const Rings& poly, const Shape& s) {
    double best = kInf;
    if (poly.rings.empty()) return best;
    for (const Part& p : s.parts) {
        if (box_distance(p.box, poly.box) >= best) continue;
        best = std::min(best, part_distance(poly, p, best));
        if (best == 0) break;
    }
    return best;
}

Lengths lengths(const Rings& poly, const Shape& s, double reach) {
    Lengths out;
    if (poly.rings.empty()) return out;
    thread_local std::vector<Interval> inside, near;
    for (const Part& p : s.parts) {
        if (box_distance(p.box, poly.box) > reach) continue;
        for (std::size_t i = 0; i + 3 < p.xy.size(); i += 2) {
            const double* seg = &p.xy[i];
            const geos::Box sb = segment_box(seg);
            if (box_distance(sb, poly.box) > reach) continue;
            const double len = std::sqrt((seg[2] - seg[0]) * (seg[2] - seg[0]) + (seg[3] - seg[1]) * (seg[3] - seg[1]));
            if (len == 0) continue;
            inside.clear();
            near.clear();
            inside_intervals(poly, seg, sb, inside);
            for_edges_near(poly, sb, reach, [&](const double* e) {
                near.push_back(capsule(seg, e, reach));
                return true;
            });
            near.insert(near.end(), inside.begin(), inside.end());
            out.inside += union_length(inside) * len;
            out.within += union_length(near) * len;
        }
    }
    return out;
}

}  // namespace ruimte::reach
