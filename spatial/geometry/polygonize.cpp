#include "spatial/geometry/polygonize.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_map>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "spatial/geometry/area_kernel.hpp"

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace ruimte {

namespace {

// Half-edge h = 2 * line + (0: along the line, 1: against it).
struct Line {
    std::vector<area::XY> pts;
    std::uint32_t node[2];  // start, end
};

// Which half of the plane a direction points into: [0, 180) degrees is 0, the rest 1.
int half(const area::XY& from, const area::XY& to) {
    const double dx = to.x - from.x, dy = to.y - from.y;  // signs are exact
    return (dy > 0 || (dy == 0 && dx > 0)) ? 0 : 1;
}

void collect_lines(const geos::Context& ctx, const GEOSGeometry* g, std::vector<const GEOSGeometry*>& out) {
    const int type = GEOSGeomTypeId_r(ctx.handle(), g);
    if (type == GEOS_LINESTRING || type == GEOS_LINEARRING) {
        out.push_back(g);
    } else if (type == GEOS_MULTILINESTRING || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(ctx.handle(), g);
        for (int i = 0; i < n; ++i) collect_lines(ctx, GEOSGetGeometryN_r(ctx.handle(), g, i), out);
    }
}

}  // namespace

std::optional<std::vector<geos::Geom>> polygonize_noded(const geos::Context& ctx, const GEOSGeometry* lines_geom) {
    GEOSContextHandle_t h = ctx.handle();
    std::vector<const GEOSGeometry*> parts;
    collect_lines(ctx, lines_geom, parts);

    // Lines (repeated points dropped) and their end nodes.
    std::vector<Line> lines;
    lines.reserve(parts.size());
    std::unordered_map<area::XY, std::uint32_t, area::XYHash> node_of;
    std::vector<area::XY> nodes;
    for (const GEOSGeometry* g : parts) {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, g);
        unsigned int size = 0;
        if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &size)) return std::nullopt;
        Line line;
        line.pts.reserve(size);
        for (unsigned int i = 0; i < size; ++i) {
            area::XY p{};
            if (!GEOSCoordSeq_getXY_r(h, seq, i, &p.x, &p.y)) return std::nullopt;
            if (!std::isfinite(p.x) || !std::isfinite(p.y)) return std::nullopt;
            if (line.pts.empty() || !(line.pts.back() == p)) line.pts.push_back(p);
        }
        if (line.pts.size() < 2) continue;
        for (int end = 0; end < 2; ++end) {
            const area::XY& p = end == 0 ? line.pts.front() : line.pts.back();
            const auto [it, fresh] = node_of.try_emplace(p, static_cast<std::uint32_t>(nodes.size()));
            if (fresh) nodes.push_back(p);
            line.node[end] = it->second;
        }
        lines.push_back(std::move(line));
    }
    if (lines.empty()) return std::vector<geos::Geom>{};

    // Outgoing half-edges per node, counter-clockwise from the +x direction.
    const std::size_t half_edges = 2 * lines.size();
    auto origin = [&](std::size_t e) { return lines[e / 2].node[e % 2]; };
    auto first_step = [&](std::size_t e) -> const area::XY& {  // the point after the origin
        const auto& pts = lines[e / 2].pts;
        return e % 2 == 0 ? pts[1] : pts[pts.size() - 2];
    };
    std::vector<std::vector<std::uint32_t>> out_of(nodes.size());
    for (std::size_t e = 0; e < half_edges; ++e) out_of[origin(e)].push_back(static_cast<std::uint32_t>(e));
    std::vector<std::uint32_t> position(half_edges);
    bool ambiguous = false;
    for (std::size_t n = 0; n < nodes.size(); ++n) {
        auto& list = out_of[n];
        const area::XY& o = nodes[n];
        std::sort(list.begin(), list.end(), [&](std::uint32_t a, std::uint32_t b) {
            const area::XY &pa = first_step(a), &pb = first_step(b);
            const int ha = half(o, pa), hb = half(o, pb);
            if (ha != hb) return ha < hb;
            const int turn = area::orientation(o.x, o.y, pa.x, pa.y, pb.x, pb.y);
            if (turn == 0 && a != b) ambiguous = true;  // two edges leave in one direction
            return turn > 0;
        });
        if (list.size() < 2) return std::nullopt;  // a dangling line
        for (std::size_t i = 0; i < list.size(); ++i) position[list[i]] = static_cast<std::uint32_t>(i);
    }
    if (ambiguous) return std::nullopt;

    // Walk the cycles: after e (arriving at node v), the edge leaving v next clockwise from
    // e's reverse.
    std::vector<char> used(half_edges, 0);
    std::vector<std::vector<double>> shells, holes;
    for (std::size_t start = 0; start < half_edges; ++start) {
        if (used[start]) continue;
        std::vector<double> xy;
        std::size_t e = start;
        do {
            if (used[e]) return std::nullopt;  // cannot happen in a planar graph walk
            used[e] = 1;
            const auto& pts = lines[e / 2].pts;
            if (e % 2 == 0) {
                for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
                    xy.push_back(pts[i].x);
                    xy.push_back(pts[i].y);
                }
            } else {
                for (std::size_t i = pts.size() - 1; i > 0; --i) {
                    xy.push_back(pts[i].x);
                    xy.push_back(pts[i].y);
                }
            }
            const std::size_t reverse = e ^ 1U;
            const auto& around = out_of[origin(reverse)];
            e = around[(position[reverse] + around.size() - 1) % around.size()];
        } while (e != start);
        xy.push_back(xy[0]);
        xy.push_back(xy[1]);
        if (xy.size() < 8) return std::nullopt;
        area::Ring ring;
        ring.xy = xy;
        if (!area::certainly_simple(ring)) return std::nullopt;
        // The orientation from the exact turn at the lowest vertex (the shoelace sign is noise
        // for slivers). A ring whose area is zero or below the normal range of doubles
        // (subnormal coordinates, found by fuzzing) is left to GEOS, which drops such rings.
        if (!(std::fabs(area::ring_area(xy)) >= std::numeric_limits<double>::min())) return std::nullopt;
        (area::ring_orientation(xy) > 0 ? shells : holes).push_back(std::move(xy));
    }

    // Each hole to the smallest shell around it; holes around which there is none bound the
    // outside and are left out.
    const RingSet rings{std::move(shells), std::move(holes)};
    // A vertex of a hole lies on its own piece of linework only, so it is inside or outside
    // every other ring; the faces of its own piece are passed over.
    const auto owner = assign_holes(rings, false);
    if (!owner) return std::nullopt;
    return build_polygons(ctx, rings, *owner);
}

std::optional<std::vector<std::size_t>> assign_holes(const RingSet& rings, bool strict) {
    using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
    using BBox = bg::model::box<BPoint>;
    using Entry = std::pair<BBox, std::size_t>;
    const auto& shells = rings.shells;
    std::vector<Entry> entries;
    std::vector<double> shell_area(shells.size());
    for (std::size_t s = 0; s < shells.size(); ++s) {
        BBox box(BPoint(shells[s][0], shells[s][1]), BPoint(shells[s][0], shells[s][1]));
        for (std::size_t i = 0; i + 1 < shells[s].size(); i += 2)
            bg::expand(box, BPoint(shells[s][i], shells[s][i + 1]));
        entries.emplace_back(box, s);
        shell_area[s] = std::fabs(area::ring_area(shells[s]));
    }
    const bgi::rtree<Entry, bgi::rstar<16>> tree(entries.begin(), entries.end());
    std::vector<std::size_t> owner(rings.holes.size(), kNoShell);
    std::vector<Entry> hits;
    for (std::size_t k = 0; k < rings.holes.size(); ++k) {
        const double px = rings.holes[k][0], py = rings.holes[k][1];
        hits.clear();
        tree.query(bgi::intersects(BPoint(px, py)), std::back_inserter(hits));
        for (const Entry& hit : hits) {
            const int where = area::locate(px, py, shells[hit.second]);
            if (where == 0 && strict) return std::nullopt;
            if (where > 0 && (owner[k] == kNoShell || shell_area[hit.second] < shell_area[owner[k]]))
                owner[k] = hit.second;
        }
    }
    return owner;
}

std::optional<std::vector<geos::Geom>> build_polygons(const geos::Context& ctx, const RingSet& rings,
                                                      const std::vector<std::size_t>& owner) {
    std::vector<std::vector<std::size_t>> holes_of(rings.shells.size());
    for (std::size_t k = 0; k < owner.size(); ++k) {
        if (owner[k] != kNoShell) holes_of[owner[k]].push_back(k);
    }
    std::vector<geos::Geom> polygons;
    polygons.reserve(rings.shells.size());
    for (std::size_t s = 0; s < rings.shells.size(); ++s) {
        geos::Geom shell = geos::linear_ring(ctx, rings.shells[s], true);
        if (!shell) return std::nullopt;
        std::vector<geos::Geom> owned;
        for (std::size_t k : holes_of[s]) {
            owned.push_back(geos::linear_ring(ctx, rings.holes[k], true));
            if (!owned.back()) return std::nullopt;
        }
        std::vector<GEOSGeometry*> raw;
        for (auto& r : owned) raw.push_back(r.release());
        GEOSGeometry* poly =
            GEOSGeom_createPolygon_r(ctx.handle(), shell.release(), raw.data(), static_cast<unsigned>(raw.size()));
        if (!poly) return std::nullopt;
        polygons.emplace_back(poly);
    }
    return polygons;
}

}  // namespace ruimte
