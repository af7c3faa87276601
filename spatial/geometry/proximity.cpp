#include "spatial/geometry/proximity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "spatial/core/error.hpp"

namespace ruimte {

ProximityIndex::ProximityIndex(ProximityKind kind, const std::vector<const GEOSGeometry*>& features, double within_m)
    : kind_(kind), within_m_(within_m), tree_ctx_(std::make_unique<geos::Context>()) {
    const geos::Context& ctx = *tree_ctx_;
    features_.reserve(features.size());
    items_.reserve(features.size());
    for (const GEOSGeometry* g : features) {
        features_.push_back(geos::clone(ctx, g));
        reach::Shape shape = reach::shape_of(ctx, g);
        if (shape.parts.empty()) continue;  // an empty feature is at no distance
        if (items_.empty()) {
            extent_ = shape.box;
        } else {
            extent_ = {std::min(extent_.xmin, shape.box.xmin), std::min(extent_.ymin, shape.box.ymin),
                       std::max(extent_.xmax, shape.box.xmax), std::max(extent_.ymax, shape.box.ymax)};
        }
        items_.push_back({features_.back().get(), std::move(shape)});
    }
    tree_ = GEOSSTRtree_create_r(ctx.handle(), 10);
    if (!tree_) throw Error(ErrorKind::internal, "GEOS STRtree creation failed: " + ctx.last_error());
    for (const Item& it : items_) { GEOSSTRtree_insert_r(ctx.handle(), tree_, it.geom, const_cast<Item*>(&it)); }
    // GEOS builds the tree on its first query: done here, on one thread, so that the queries
    // of the workers only read it.
    candidates_near(ctx, geos::Box{0, 0, 0, 0});
}

ProximityIndex::~ProximityIndex() {
    if (tree_) GEOSSTRtree_destroy_r(tree_ctx_->handle(), tree_);
}

std::vector<const ProximityIndex::Item*> ProximityIndex::candidates_near(const geos::Context& ctx,
                                                                         const geos::Box& box) const {
    std::vector<const Item*> found;
    const geos::Geom rect =
        geos::own(ctx, GEOSGeom_createRectangle_r(ctx.handle(), box.xmin, box.ymin, box.xmax, box.ymax), "rectangle");
    GEOSSTRtree_query_r(
        ctx.handle(), tree_, rect.get(),
        [](void* item, void* out) { static_cast<std::vector<const Item*>*>(out)->push_back(static_cast<Item*>(item)); },
        &found);
    return found;
}

namespace {

geos::Box grown(const geos::Box& b, double d) {
    return {b.xmin - d, b.ymin - d, b.xmax + d, b.ymax + d};
}

}  // namespace

// The exact distance to the nearest feature, given the least distance `found` among the
// features whose boxes lie within `margin` of the candidate's box (all features nearer than
// margin are among them). When found > margin a nearer feature may lie outside that box: the
// box grows (to `found` when something was found, else four times) and is searched again.
double ProximityIndex::nearest(const geos::Context& ctx, const area::Rings& rings, double found, double margin) const {
    while (found > margin) {
        const geos::Box box = grown(rings.box, margin);
        if (box.contains(extent_)) break;  // every feature was measured
        margin = std::isfinite(found) ? found : 4 * std::max(margin, 1.0);
        for (const Item* it : candidates_near(ctx, grown(rings.box, margin))) {
            found = std::min(found, reach::distance(rings, it->shape));
        }
    }
    return found;
}

ProximityIndex::Metrics ProximityIndex::measure(const geos::Context& ctx, const GEOSGeometry* candidate,
                                                const GEOSPreparedGeometry*) const {
    Metrics m;
    if (items_.empty()) {
        m.distance_m = std::numeric_limits<double>::quiet_NaN();
        return m;
    }
    const area::Rings rings = area::rings_of(ctx, candidate);
    if (rings.rings.empty()) {
        m.distance_m = std::numeric_limits<double>::quiet_NaN();
        return m;
    }
    // 1. The features within within_m: those whose boxes meet the candidate's box grown by it,
    //    then the exact distance; 2. the nearest, from them or a wider search.
    double found = std::numeric_limits<double>::infinity();
    std::vector<const Item*> within;
    for (const Item* it : candidates_near(ctx, grown(rings.box, within_m_))) {
        const double d = reach::distance(rings, it->shape);
        found = std::min(found, d);
        if (d <= within_m_) within.push_back(it);
    }
    m.distance_m = nearest(ctx, rings, found, within_m_);
    m.count_within = static_cast<double>(within.size());
    if (kind_ != ProximityKind::lines) return m;

    // 3. Lengths inside the candidate and within within_m of it, from exact intervals.
    for (const Item* it : within) {
        const reach::Lengths l = reach::lengths(rings, it->shape, within_m_);
        m.length_m += l.inside;
        m.length_within_m += l.within;
    }
    return m;
}

}  // namespace ruimte
