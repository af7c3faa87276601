#include "spatial/geometry/overlay.hpp"

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <limits>

#include "spatial/core/error.hpp"
#include "spatial/geometry/area_kernel.hpp"
#include "spatial/geometry/proximity.hpp"

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace ruimte {

namespace {
using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BBox = bg::model::box<BPoint>;
using Entry = std::pair<BBox, std::uint32_t>;
using RTree = bgi::rtree<Entry, bgi::rstar<16>>;

BBox to_bbox(const geos::Box& b) {
    return BBox(BPoint(b.xmin, b.ymin), BPoint(b.xmax, b.ymax));
}

struct Piece {
    geos::Geom geom;
    area::Rings rings;  // the same polygon as oriented rings, for the area kernel
    geos::Box box;
    std::uint32_t feature = 0;
    std::uint32_t cls = 0;
    double area_m2 = 0;
};

// The polygonal parts of `clipped` into `parts` and their areas into `area`; false as soon as
// one is not a single certainly simple ring with area (then ask GEOS).
bool simple_parts(const geos::Context& ctx, const GEOSGeometry* clipped, std::vector<geos::Geom>& parts, double& area) {
    geos::Geom polys = geos::polygonal_part(ctx, clipped);
    const int n = GEOSGetNumGeometries_r(ctx.handle(), polys.get());
    for (int i = 0; i < n; ++i) {
        const GEOSGeometry* part = GEOSGetGeometryN_r(ctx.handle(), polys.get(), i);
        if (GEOSGetNumInteriorRings_r(ctx.handle(), part) != 0) return false;
        const area::Rings rings = area::rings_of(ctx, part);
        if (rings.rings.size() != 1 || !(rings.area > 0) || !area::certainly_simple(rings.rings[0])) return false;
        area += rings.area;
        parts.push_back(geos::clone(ctx, part));
    }
    return true;
}

// Cuts a polygon into pieces of at most max_vertices vertices by halving its box along the
// longer side, so the pieces tile the polygon. Each cut is GEOS's fast rectangle clip when
// its result is certainly right: every part one simple ring (exact test), no holes, and the
// two halves' areas adding up to the polygon's (1e-9 relative); otherwise an exact GEOS
// intersection (the rectangle clip does not promise a valid result).
void subdivide(const geos::Context& ctx, geos::Geom poly, std::size_t max_vertices, int depth,
               std::vector<geos::Geom>& out) {
    if (geos::num_points(ctx, poly.get()) <= max_vertices || depth >= 24) {
        out.push_back(std::move(poly));
        return;
    }
    const geos::Box b = geos::envelope(ctx, poly.get());
    const bool split_x = (b.xmax - b.xmin) >= (b.ymax - b.ymin);
    const double mid = split_x ? 0.5 * (b.xmin + b.xmax) : 0.5 * (b.ymin + b.ymax);
    const geos::Box halves[2] = {
        split_x ? geos::Box{b.xmin, b.ymin, mid, b.ymax} : geos::Box{b.xmin, b.ymin, b.xmax, mid},
        split_x ? geos::Box{mid, b.ymin, b.xmax, b.ymax} : geos::Box{b.xmin, mid, b.xmax, b.ymax}};
    std::vector<geos::Geom> parts[2];
    bool fast = GEOSGetNumInteriorRings_r(ctx.handle(), poly.get()) == 0;
    double clipped_area = 0;
    for (int h = 0; h < 2 && fast; ++h) {
        GEOSGeometry* clipped =
            GEOSClipByRect_r(ctx.handle(), poly.get(), halves[h].xmin, halves[h].ymin, halves[h].xmax, halves[h].ymax);
        if (!clipped) {
            fast = false;
            break;
        }
        fast = simple_parts(ctx, geos::own(ctx, clipped, "clip").get(), parts[h], clipped_area);
    }
    const double whole = geos::area(ctx, poly.get());
    if (!fast || !(std::fabs(clipped_area - whole) <= 1e-9 * whole)) {
        for (int h = 0; h < 2; ++h) {
            parts[h].clear();
            geos::Geom rect = geos::own(ctx,
                                        GEOSGeom_createRectangle_r(ctx.handle(), halves[h].xmin, halves[h].ymin,
                                                                   halves[h].xmax, halves[h].ymax),
                                        "rectangle");
            geos::Geom polys = geos::polygonal_part(ctx, geos::intersection(ctx, poly.get(), rect.get()).get());
            const int n = GEOSGetNumGeometries_r(ctx.handle(), polys.get());
            for (int i = 0; i < n; ++i)
                parts[h].push_back(geos::clone(ctx, GEOSGetGeometryN_r(ctx.handle(), polys.get(), i)));
        }
    }
    for (auto& half : parts) {
        for (auto& part : half) subdivide(ctx, std::move(part), max_vertices, depth + 1, out);
    }
}
}  // namespace

struct LayerIndex::Impl {
    std::vector<Piece> pieces;
    RTree tree;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> overlaps;
    std::vector<char> feature_in_overlap;  // per feature: 1 if it overlaps another feature
};

LayerIndex::LayerIndex(std::string name, LayerKind kind, const std::vector<const GEOSGeometry*>& geometries,
                       std::vector<std::uint32_t> feature_class, std::vector<std::string> classes,
                       const IndexOptions& options, const RunControl& control)
    : name_(std::move(name)), kind_(kind), classes_(std::move(classes)), impl_(std::make_unique<Impl>()) {
    const std::size_t nf = geometries.size();
    if (feature_class.size() != nf) { throw Error(ErrorKind::internal, "LayerIndex: one class per feature expected"); }
    // 1. Pieces, per feature in parallel, then concatenated in feature order (deterministic).
    std::vector<std::vector<geos::Geom>> per_feature(nf);
    RunControl quiet = control;
    quiet.progress = nullptr;
    parallel_for(
        nf, quiet,
        [&](const geos::Context& ctx, std::size_t i) {
            const GEOSGeometry* g = geometries[i];
            const int parts = GEOSGetNumGeometries_r(ctx.handle(), g);
            for (int p = 0; p < parts; ++p) {
                subdivide(ctx, geos::clone(ctx, GEOSGetGeometryN_r(ctx.handle(), g, p)), options.max_piece_vertices, 0,
                          per_feature[i]);
            }
        },
        1);
    geos::Context ctx;
    std::vector<Entry> entries;
    for (std::size_t i = 0; i < nf; ++i) {
        for (auto& g : per_feature[i]) {
            Piece piece;
            piece.box = geos::envelope(ctx, g.get());
            piece.area_m2 = geos::area(ctx, g.get());
            piece.rings = area::rings_of(ctx, g.get());
            geos::warm_envelopes(ctx, g.get());
            piece.geom = std::move(g);
            piece.feature = static_cast<std::uint32_t>(i);
            piece.cls = feature_class[i];
            if (piece.area_m2 <= 0) continue;
            entries.emplace_back(to_bbox(piece.box), static_cast<std::uint32_t>(impl_->pieces.size()));
            impl_->pieces.push_back(std::move(piece));
        }
    }
    impl_->tree = RTree(entries.begin(), entries.end());

    // 2. Features whose interiors overlap (by more than the tolerance): checked once on pairs
    //    of pieces of different features whose boxes meet.
    const auto& pieces = impl_->pieces;
    std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> found(pieces.size());
    parallel_for(
        pieces.size(), quiet,
        [&](const geos::Context&, std::size_t i) {
            const Piece& a = pieces[i];
            std::vector<Entry> near;
            impl_->tree.query(bgi::intersects(to_bbox(a.box)), std::back_inserter(near));
            for (const Entry& e : near) {
                const Piece& b = pieces[e.second];
                if (e.second <= i || b.feature == a.feature) continue;
                // Boxes that only touch cannot hold overlapping interiors.
                if (std::min(a.box.xmax, b.box.xmax) <= std::max(a.box.xmin, b.box.xmin) ||
                    std::min(a.box.ymax, b.box.ymax) <= std::max(a.box.ymin, b.box.ymin)) {
                    continue;
                }
                // The exact area kernel (pieces of a coverage share edges: area 0).
                if (area::intersection_area(a.rings, b.rings) > options.overlap_tolerance_m2) {
                    found[i].emplace_back(std::min(a.feature, b.feature), std::max(a.feature, b.feature));
                }
            }
        },
        16);
    for (auto& f : found) impl_->overlaps.insert(impl_->overlaps.end(), f.begin(), f.end());
    std::sort(impl_->overlaps.begin(), impl_->overlaps.end());
    impl_->overlaps.erase(std::unique(impl_->overlaps.begin(), impl_->overlaps.end()), impl_->overlaps.end());
    impl_->feature_in_overlap.assign(nf, 0);
    for (const auto& [a, b] : impl_->overlaps) impl_->feature_in_overlap[a] = impl_->feature_in_overlap[b] = 1;
}

LayerIndex::LayerIndex(std::string name, LayerKind kind, std::shared_ptr<const ProximityIndex> proximity)
    : name_(std::move(name)), kind_(kind), impl_(std::make_unique<Impl>()), proximity_(std::move(proximity)) {}

LayerIndex::~LayerIndex() = default;

std::size_t LayerIndex::piece_count() const noexcept {
    return impl_->pieces.size();
}

const std::vector<std::pair<std::uint32_t, std::uint32_t>>& LayerIndex::overlapping_features() const noexcept {
    return impl_->overlaps;
}

namespace {

// Per worker: prepared layer pieces, built on first use. GEOS builds a prepared geometry's
// indexes lazily, so each worker keeps its own.
struct PreparedCache {
    std::vector<std::vector<geos::Prepared>> pieces;  // [layer][piece]
    const GEOSPreparedGeometry* get(const geos::Context& ctx, std::size_t layer, std::size_t piece,
                                    const GEOSGeometry* g) {
        geos::Prepared& p = pieces[layer][piece];
        if (!p) p = geos::prepare(ctx, g);
        return p.get();
    }
};

struct Part {
    std::uint32_t feature;
    std::uint32_t cls;
    const GEOSGeometry* geom;  // borrowed: a piece, the candidate, or an owned intersection
};

// The candidate as seen by every layer: its geometry, rings, box, area and prepared form.
struct CandidateView {
    const GEOSGeometry* geom;
    const area::Rings& rings;
    geos::Box box;
    double area_m2;
    const GEOSPreparedGeometry* prepared;
};

// Features under this candidate do not overlap each other, so areas add up: the area kernel
// gives each piece's share without building geometry. Returns whether any piece overlaps the
// candidate.
bool additive_areas(const CandidateView& cand, const LayerIndex::Impl& impl, const std::vector<Entry>& hits,
                    double* area, double& covered) {
    bool any = false;
    covered = 0;
    for (const Entry& e : hits) {
        const Piece& p = impl.pieces[e.second];
        const double a = area::intersection_area(cand.rings, p.rings);
        area[p.cls] += a;
        covered += a;
        any = any || a > 0;
    }
    return any;
}

// Some features under this candidate overlap each other: intersect with GEOS and union the
// parts per class (and all parts for the covered area), so no area counts twice.
bool unioned_areas(const geos::Context& ctx, const CandidateView& cand, const LayerIndex::Impl& impl,
                   const std::vector<Entry>& hits, std::size_t classes, PreparedCache& cache, std::size_t layer,
                   double* area, double& covered) {
    std::vector<geos::Geom> owned;
    std::vector<Part> parts;
    for (const Entry& e : hits) {
        const Piece& p = impl.pieces[e.second];
        const GEOSGeometry* part = nullptr;
        if (cand.box.contains(p.box) && GEOSPreparedContains_r(ctx.handle(), cand.prepared, p.geom.get()) == 1) {
            part = p.geom.get();
        } else if (p.box.contains(cand.box) &&
                   GEOSPreparedCovers_r(ctx.handle(), cache.get(ctx, layer, e.second, p.geom.get()), cand.geom) == 1) {
            part = cand.geom;
        } else {
            geos::Geom inter = geos::intersection(ctx, cand.geom, p.geom.get());
            if (geos::area(ctx, inter.get()) <= 0) continue;
            part = inter.get();
            owned.push_back(std::move(inter));
        }
        parts.push_back({p.feature, p.cls, part});
    }
    for (std::size_t cls = 0; cls < classes; ++cls) {
        std::vector<const GEOSGeometry*> of_class;
        for (const Part& p : parts) {
            if (p.cls == cls) of_class.push_back(p.geom);
        }
        if (!of_class.empty()) area[cls] = geos::area(ctx, geos::union_all(ctx, of_class).get());
    }
    std::vector<const GEOSGeometry*> all;
    for (const Part& p : parts) all.push_back(p.geom);
    covered = all.empty() ? 0.0 : geos::area(ctx, geos::union_all(ctx, all).get());
    return !parts.empty();
}

// Distance to the nearest piece of a layer the candidate does not overlap (so the distance
// between boundaries is the distance between the areas). The piece whose box is nearest gives
// a first distance; only pieces whose boxes are nearer than that can come closer, and they
// are tried in order of box distance (a lower bound of the exact distance) until a box is
// further away than the best so far.
double nearest_distance(const CandidateView& cand, const LayerIndex::Impl& impl) {
    if (impl.pieces.empty()) return std::numeric_limits<double>::quiet_NaN();
    const BBox qb = to_bbox(cand.box);
    thread_local std::vector<Entry> near;  // reused: this runs once per candidate and layer
    near.clear();
    impl.tree.query(bgi::nearest(qb, 1), std::back_inserter(near));
    const std::uint32_t first = near.front().second;
    double best =
        area::boundary_distance(cand.rings, impl.pieces[first].rings, std::numeric_limits<double>::infinity());
    if (!(best > 0) || !std::isfinite(best)) return best;
    near.clear();
    const BBox reach(BPoint(cand.box.xmin - best, cand.box.ymin - best),
                     BPoint(cand.box.xmax + best, cand.box.ymax + best));
    impl.tree.query(bgi::intersects(reach), std::back_inserter(near));
    thread_local std::vector<std::pair<double, std::uint32_t>> order;  // (squared box distance, piece)
    order.clear();
    for (const Entry& e : near) {
        const double d2 = bg::comparable_distance(qb, e.first);
        if (e.second != first && d2 < best * best) order.emplace_back(d2, e.second);
    }
    std::sort(order.begin(), order.end());
    for (const auto& [d2, piece] : order) {
        if (std::sqrt(d2) >= best) break;
        best = std::min(best, area::boundary_distance(cand.rings, impl.pieces[piece].rings, best));
    }
    return best;
}

// Overlay of one candidate with one layer.
void overlay_one(const geos::Context& ctx, const CandidateView& cand, const LayerIndex& index, LayerOverlay& out,
                 std::size_t c, PreparedCache& cache, std::size_t layer) {
    const auto& impl = index.impl();
    thread_local std::vector<Entry> hits;  // reused: this runs once per candidate and layer
    hits.clear();
    impl.tree.query(bgi::intersects(to_bbox(cand.box)), std::back_inserter(hits));
    std::sort(hits.begin(), hits.end(), [](const Entry& a, const Entry& b) { return a.second < b.second; });
    bool overlapping = false;
    for (const Entry& e : hits) overlapping = overlapping || impl.feature_in_overlap[impl.pieces[e.second].feature];

    double* area = out.area_m2.data() + c * out.class_count;
    double covered = 0;
    const bool touches = overlapping
                             ? unioned_areas(ctx, cand, impl, hits, out.class_count, cache, layer, area, covered)
                             : additive_areas(cand, impl, hits, area, covered);
    out.covered_m2[c] = std::min(covered, cand.area_m2);
    if (index.kind() == LayerKind::presence) { out.distance_m[c] = touches ? 0.0 : nearest_distance(cand, impl); }
}

}  // namespace

OverlayResult overlay(const std::vector<const GEOSGeometry*>& candidates, const std::vector<const LayerIndex*>& layers,
                      const RunControl& control) {
    const std::size_t n = candidates.size();
    OverlayResult result;
    result.candidate_area_m2.assign(n, 0.0);
    result.layers.resize(layers.size());
    for (std::size_t l = 0; l < layers.size(); ++l) {
        LayerOverlay& lo = result.layers[l];
        lo.class_count = layers[l]->classes().size();
        lo.area_m2.assign(n * lo.class_count, 0.0);
        lo.covered_m2.assign(n, 0.0);
        if (layers[l]->kind() == LayerKind::presence) { lo.distance_m.assign(n, 0.0); }
        if (layers[l]->proximity()) {
            lo.distance_m.assign(n, 0.0);
            lo.count_within.assign(n, 0.0);
            lo.length_m.assign(n, 0.0);
            lo.length_within_m.assign(n, 0.0);
        }
    }
    {
        geos::Context ctx;
        for (const GEOSGeometry* g : candidates) geos::warm_envelopes(ctx, g);
    }
    std::vector<PreparedCache> caches(worker_count(n, control));
    for (auto& cache : caches) {
        cache.pieces.resize(layers.size());
        for (std::size_t l = 0; l < layers.size(); ++l) cache.pieces[l].resize(layers[l]->piece_count());
    }
    parallel_for_workers(n, control, [&](const geos::Context& ctx, std::size_t worker, std::size_t c) {
        const GEOSGeometry* cand = candidates[c];
        const geos::Box cbox = geos::envelope(ctx, cand);
        const double cand_area = geos::area(ctx, cand);
        result.candidate_area_m2[c] = cand_area;
        const geos::Prepared prepared = geos::prepare(ctx, cand);
        const area::Rings rings = area::rings_of(ctx, cand);
        const CandidateView view{cand, rings, cbox, cand_area, prepared.get()};
        for (std::size_t l = 0; l < layers.size(); ++l) {
            if (const ProximityIndex* prox = layers[l]->proximity()) {
                const ProximityIndex::Metrics m = prox->measure(ctx, cand, prepared.get());
                LayerOverlay& lo = result.layers[l];
                lo.distance_m[c] = m.distance_m;
                lo.count_within[c] = m.count_within;
                lo.length_m[c] = m.length_m;
                lo.length_within_m[c] = m.length_within_m;
                continue;
            }
            overlay_one(ctx, view, *layers[l], result.layers[l], c, caches[worker], l);
        }
    });
    return result;
}

}  // namespace ruimte
