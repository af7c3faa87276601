#include "spatial/geometry/proximity.hpp"

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
        geos::warm_envelopes(ctx, features_.back().get());
        double length = 0;
        if (kind == ProximityKind::lines && GEOSLength_r(ctx.handle(), g, &length) != 1) {
            throw Error(ErrorKind::internal, "GEOS length failed: " + ctx.last_error());
        }
        items_.push_back({features_.back().get(), length});
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

struct NearestQuery {
    GEOSContextHandle_t handle;
    const GEOSPreparedGeometry* prepared;
};

// The exact distance between the candidate (the query item) and a feature (a tree item).
int exact_distance(const void* a, const void* b, double* distance, void* userdata) {
    const auto* q = static_cast<const NearestQuery*>(userdata);
    const void* item = a == q ? b : a;
    const GEOSGeometry* g = *static_cast<const GEOSGeometry* const*>(item);  // Item starts with its geometry
    return GEOSPreparedDistance_r(q->handle, q->prepared, g, distance);
}

double line_length(const geos::Context& ctx, const GEOSGeometry* g) {
    double length = 0;
    if (GEOSLength_r(ctx.handle(), g, &length) != 1) {
        throw Error(ErrorKind::internal, "GEOS length failed: " + ctx.last_error());
    }
    return length;
}

}  // namespace

ProximityIndex::Metrics ProximityIndex::measure(const geos::Context& ctx, const GEOSGeometry* candidate,
                                                const GEOSPreparedGeometry* prepared) const {
    Metrics m;
    if (items_.empty()) {
        m.distance_m = std::numeric_limits<double>::quiet_NaN();
        return m;
    }
    // 1. The nearest feature, exactly.
    NearestQuery q{ctx.handle(), prepared};
    const void* nearest = GEOSSTRtree_nearest_generic_r(ctx.handle(), tree_, &q, candidate, &exact_distance, &q);
    if (!nearest) throw Error(ErrorKind::internal, "GEOS nearest search failed: " + ctx.last_error());
    if (GEOSPreparedDistance_r(ctx.handle(), prepared, static_cast<const Item*>(nearest)->geom, &m.distance_m) != 1) {
        throw Error(ErrorKind::internal, "GEOS distance failed: " + ctx.last_error());
    }

    // 2. Features within within_m: those whose boxes meet the candidate's box grown by it, then
    //    the exact test.
    const geos::Box box = geos::envelope(ctx, candidate);
    const geos::Box grown{box.xmin - within_m_, box.ymin - within_m_, box.xmax + within_m_, box.ymax + within_m_};
    const std::vector<const Item*> near = candidates_near(ctx, grown);
    std::vector<const Item*> within;
    for (const Item* it : near) {
        const char w = GEOSPreparedDistanceWithin_r(ctx.handle(), prepared, it->geom, within_m_);
        if (w == 2) throw Error(ErrorKind::internal, "GEOS distance test failed: " + ctx.last_error());
        if (w == 1) within.push_back(it);
    }
    m.count_within = static_cast<double>(within.size());
    if (kind_ != ProximityKind::lines) return m;

    // 3. Lengths: whole where the (buffered) candidate contains the line, else the
    //    intersection's length.
    auto length_in = [&](const GEOSGeometry* area, const GEOSPreparedGeometry* prep, const Item* it) {
        if (GEOSPreparedContains_r(ctx.handle(), prep, it->geom) == 1) return it->length;
        if (GEOSPreparedIntersects_r(ctx.handle(), prep, it->geom) != 1) return 0.0;
        const geos::Geom inter = geos::intersection(ctx, area, it->geom);
        return line_length(ctx, inter.get());
    };
    for (const Item* it : within) {
        // A line inside the candidate is at distance 0, so within any within_m.
        m.length_m += length_in(candidate, prepared, it);
    }
    if (within.empty()) return m;
    const geos::Geom buffered =
        geos::own(ctx, GEOSBuffer_r(ctx.handle(), candidate, within_m_, kProximityBufferQuadSegs), "buffer");
    const geos::Prepared buffered_prep = geos::prepare(ctx, buffered.get());
    for (const Item* it : within) m.length_within_m += length_in(buffered.get(), buffered_prep.get(), it);
    return m;
}

}  // namespace ruimte
