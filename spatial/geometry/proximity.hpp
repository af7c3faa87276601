#pragma once
// Point and line layers (stations, high-voltage lines, motorways): per candidate polygon the
// exact distance to the nearest feature, the number of features within a distance, and the
// length of lines inside the candidate and within that distance.
//
// The features sit in a GEOS STRtree. The features whose boxes lie within within_m of the
// candidate's box are measured exactly (spatial/geometry/line_reach.hpp: the distance, 0 when a
// feature lies inside or on the candidate, otherwise from the candidate's boundary; the lengths
// from exact intervals per segment, no buffer). When none of them is within within_m, the
// search box grows until it holds a feature at a distance no larger than its margin, so the
// nearest one is found exactly. A point in a hole of the candidate lies outside it.
#include <cstdint>
#include <memory>
#include <vector>

#include "spatial/geometry/geos.hpp"
#include "spatial/geometry/line_reach.hpp"

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
    // Thread-safe: `candidate` must be a valid polygonal geometry made in `ctx` (the calling
    // thread's context); `prepared` (its prepared form) is not needed any more.
    Metrics measure(const geos::Context& ctx, const GEOSGeometry* candidate,
                    const GEOSPreparedGeometry* prepared) const;

  private:
    struct Item {
        const GEOSGeometry* geom;
        reach::Shape shape;
    };
    ProximityKind kind_;
    double within_m_;
    std::vector<geos::Geom> features_;
    std::vector<Item> items_;
    std::unique_ptr<geos::Context> tree_ctx_;  // the context the tree was made in
    GEOSSTRtree* tree_ = nullptr;
    geos::Box extent_;  // of all features
    std::vector<const Item*> candidates_near(const geos::Context& ctx, const geos::Box& box) const;
    double nearest(const geos::Context& ctx, const area::Rings& rings, double found, double margin) const;
};

}  // namespace ruimte
