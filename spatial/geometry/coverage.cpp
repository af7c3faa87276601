#include "spatial/geometry/coverage.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_map>

#include "spatial/geometry/area_kernel.hpp"
#include "spatial/geometry/polygonize.hpp"

namespace ruimte {

namespace {

struct Edge {
    area::XY from, to;
    bool gone = false;  // cancelled by its reverse, or walked into a ring
};

}  // namespace

geos::Geom dissolve_coverage(const geos::Context& ctx, const std::vector<const GEOSGeometry*>& parts) {
    // Every directed edge of the parts (shells counter-clockwise, holes clockwise), and the
    // parts' total area.
    std::vector<Edge> edges;
    double parts_area = 0;
    for (const GEOSGeometry* p : parts) {
        const area::Rings rings = area::rings_of(ctx, p);
        if (rings.rings.empty()) return nullptr;
        for (const area::Ring& r : rings.rings) {
            parts_area += area::ring_area(r.xy);
            for (std::size_t i = 0; i + 1 < r.points(); ++i) {
                edges.push_back({{r.xy[2 * i], r.xy[2 * i + 1]}, {r.xy[2 * i + 2], r.xy[2 * i + 3]}});
            }
        }
    }
    // Cancel each edge against its reverse. Edges of overlapping parts (the same edge twice
    // in one direction, or no reverse) are left over and fail the walk below (two ways on
    // from one vertex) or the area check.
    std::unordered_map<area::XY, std::vector<std::size_t>, area::XYHash> out_of;  // start point -> edges
    out_of.reserve(edges.size());
    for (std::size_t i = 0; i < edges.size(); ++i) out_of[edges[i].from].push_back(i);
    for (std::size_t i = 0; i < edges.size(); ++i) {
        Edge& e = edges[i];
        if (e.gone) continue;
        const auto it = out_of.find(e.to);
        if (it == out_of.end()) return nullptr;  // an open ring: cannot happen for polygons
        for (std::size_t j : it->second) {
            Edge& r = edges[j];
            if (!r.gone && r.to == e.from) {
                e.gone = r.gone = true;
                break;
            }
        }
    }
    // Walk what is left into rings. A vertex with two edges leaving it (rings touching at a
    // point) is left to GEOS.
    std::vector<std::vector<double>> shells, holes;
    for (std::size_t start = 0; start < edges.size(); ++start) {
        if (edges[start].gone) continue;
        std::vector<double> xy{edges[start].from.x, edges[start].from.y};
        std::size_t cur = start;
        while (true) {
            Edge& e = edges[cur];
            e.gone = true;
            xy.push_back(e.to.x);
            xy.push_back(e.to.y);
            if (e.to == edges[start].from) break;
            std::size_t next = edges.size();
            for (std::size_t j : out_of.at(e.to)) {
                if (edges[j].gone) continue;
                if (next != edges.size()) return nullptr;  // two ways on
                next = j;
            }
            if (next == edges.size()) return nullptr;  // a dead end: not a coverage
            cur = next;
        }
        // The start vertex may also have a second edge leaving it.
        for (std::size_t j : out_of.at(edges[start].from)) {
            if (!edges[j].gone) return nullptr;
        }
        if (xy.size() < 8) return nullptr;
        area::Ring ring;
        ring.xy = xy;
        if (!area::certainly_simple(ring)) return nullptr;
        (area::ring_orientation(xy) > 0 ? shells : holes).push_back(std::move(xy));
    }
    if (shells.empty()) return nullptr;
    double area = 0;
    for (const auto& r : shells) area += area::ring_area(r);
    for (const auto& h : holes) area += area::ring_area(h);
    if (!(std::abs(area - parts_area) <= 1e-9 * std::abs(parts_area))) return nullptr;

    // Each hole to the smallest shell around it (faces that only came together by their
    // extents can give several shells); a hole outside every shell is no coverage union.
    const RingSet rings{std::move(shells), std::move(holes)};
    const auto owner = assign_holes(rings, true);
    if (!owner || std::count(owner->begin(), owner->end(), kNoShell) > 0) return nullptr;
    auto built = build_polygons(ctx, rings, *owner);
    if (!built) return nullptr;
    if (built->size() == 1) return std::move(built->front());
    std::vector<GEOSGeometry*> polygons;
    for (auto& p : *built) polygons.push_back(p.release());
    geos::Geom multi(GEOSGeom_createCollection_r(ctx.handle(), GEOS_MULTIPOLYGON, polygons.data(),
                                                 static_cast<unsigned>(polygons.size())));
    if (!multi) {
        for (GEOSGeometry* g : polygons) GEOSGeom_destroy_r(ctx.handle(), g);
        return nullptr;
    }
    // Several polygons must not overlap (parts that were not a coverage could): no area in
    // common, by the exact area kernel, for any two whose boxes meet.
    std::vector<area::Rings> as_rings;
    for (int k = 0; k < GEOSGetNumGeometries_r(ctx.handle(), multi.get()); ++k) {
        as_rings.push_back(area::rings_of(ctx, GEOSGetGeometryN_r(ctx.handle(), multi.get(), k)));
    }
    for (std::size_t i = 0; i < as_rings.size(); ++i) {
        for (std::size_t j = i + 1; j < as_rings.size(); ++j) {
            if (!as_rings[i].box.intersects(as_rings[j].box)) continue;
            if (area::intersection_area(as_rings[i], as_rings[j]) > 1e-9 * std::min(as_rings[i].area, as_rings[j].area))
                return nullptr;
        }
    }
    return multi;
}

}  // namespace ruimte
