#pragma once
// Point and line layers (stations, high-voltage lines, motorways): per candidate polygon the
// exact distance to the nearest feature, the number of features within a distance, and the
// length of lines inside the candidate and within that distance.
//
// The features sit in a GEOS STRtree; the nearest one is found by GEOS's branch-and-bound
// search (GEOSSTRtree_nearest_generic) with the exact distance from the prepared candidate
// (GEOSPreparedDistance): 0 when a feature lies inside or on the candidate, otherwise the
// distance from the candidate's boundary. A point in a hole of the candidate lies outside it.
#include <cstdint>
#include <memory>
#include <vector>

#include "spatial/geometry/geos.hpp"

namespace ruimte {

enum class ProximityKind { points, lines };

class ProximityIndex {
  public:
    // `features` are valid puntal (points) or lineal (lines) geometries in the candidates' CRS;
    // they are copied. `within_m` (> 0) is the distance of count_within and length_within_m.
    ProximityIndex(ProximityKind kind, const std::vector<const GEOSGeometry*>& features, double within_m);
    ~ProximityIndex();
    ProximityIndex(const ProximityIndex&) = delete;
    ProximityIndex& operator=(const ProximityIndex&) = delete;

    ProximityKind kind() const noexcept { return kind_; }
    double within_m() const noexcept { return within_m_; }
    std::size_t size() const noexcept { return features_.size(); }

    struct Metrics {
        double distance_m = 0;       // to the nearest feature; NaN when the layer is empty
        double count_within = 0;     // features at a distance <= within_m (inside counts)
        double length_m = 0;         // lines: length inside (or on the boundary of) the candidate
        double length_within_m = 0;  // lines: length at a distance <= within_m of the candidate
    };
    // Thread-safe: `candidate` must be a valid polygonal geometry, `prepared` its prepared form
    // made in `ctx` (the calling thread's context).
    Metrics measure(const geos::Context& ctx, const GEOSGeometry* candidate,
                    const GEOSPreparedGeometry* prepared) const;

  private:
    struct Item {
        const GEOSGeometry* geom;
        double length;
    };
    ProximityKind kind_;
    double within_m_;
    std::vector<geos::Geom> features_;
    std::vector<Item> items_;
    std::unique_ptr<geos::Context> tree_ctx_;  // the context the tree was made in
    GEOSSTRtree* tree_ = nullptr;
    std::vector<const Item*> candidates_near(const geos::Context& ctx, const geos::Box& box) const;
};

// Buffer arcs (length_within_m) are drawn with this many segments per quarter circle: the
// buffer lies within within_m * (1 - cos(pi / 256)), 0.0075 % of within_m, of the exact one.
inline constexpr int kProximityBufferQuadSegs = 64;

}  // namespace ruimte
