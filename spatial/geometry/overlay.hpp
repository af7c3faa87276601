#pragma once
// Area of every candidate in each class of a layer (class layers such as WBS and
// netcongestie) or under each named feature (presence layers such as NOVEX and NPLV).
//
// A layer is indexed once (LayerIndex): its polygons are cut into pieces of at most
// `max_piece_vertices` vertices, so that one candidate never pays for the whole of a large
// layer polygon, and put in an R-tree. Per candidate, pieces whose box lies inside the
// candidate and that the prepared candidate contains count whole (their area is known);
// a candidate inside one piece counts whole; only the rest is intersected with GEOS.
// Where two features of a layer overlap each other, the parts are unioned so that no area
// is counted twice.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "spatial/geometry/geos.hpp"
#include "spatial/geometry/parallel.hpp"

namespace ruimte {

enum class LayerKind {
    classes,   // every feature has one class; the area per class matters
    presence,  // features are named places; overlap and distance matter
    points,    // point features (stations): distance and counts, spatial/geometry/proximity.hpp
    lines,     // line features (high-voltage lines): distance, counts and lengths
};
inline bool is_point_line(LayerKind k) {
    return k == LayerKind::points || k == LayerKind::lines;
}
class ProximityIndex;

struct IndexOptions {
    std::size_t max_piece_vertices = 128;  // cut layer polygons larger than this
    // Two features overlap only where their intersection is larger than this. Coverages
    // noded in floating point (shapely, polygonised rasters) touch with slivers of 1e-10 m2;
    // counting those once or twice changes no result.
    double overlap_tolerance_m2 = 1e-3;
};

class LayerIndex {
  public:
    // feature_class[i] is the class index (0..classes.size()-1) of geometries[i], the
    // layer's features in order (FeatureLayer::geometries()).
    LayerIndex(std::string name, LayerKind kind, const std::vector<const GEOSGeometry*>& geometries,
               std::vector<std::uint32_t> feature_class, std::vector<std::string> classes, const IndexOptions& options,
               const RunControl& control);
    // A points or lines layer: no pieces, its features in `proximity`.
    LayerIndex(std::string name, LayerKind kind, std::shared_ptr<const ProximityIndex> proximity);
    ~LayerIndex();
    LayerIndex(const LayerIndex&) = delete;
    LayerIndex& operator=(const LayerIndex&) = delete;

    const std::string& name() const noexcept { return name_; }
    LayerKind kind() const noexcept { return kind_; }
    const std::vector<std::string>& classes() const noexcept { return classes_; }
    std::size_t piece_count() const noexcept;
    // Pairs of features whose interiors overlap (by feature index), sorted.
    const std::vector<std::pair<std::uint32_t, std::uint32_t>>& overlapping_features() const noexcept;

    const ProximityIndex* proximity() const noexcept { return proximity_.get(); }

    struct Impl;
    const Impl& impl() const noexcept { return *impl_; }

  private:
    std::string name_;
    LayerKind kind_;
    std::vector<std::string> classes_;
    std::unique_ptr<Impl> impl_;
    std::shared_ptr<const ProximityIndex> proximity_;
};

// Results for one layer, for all candidates. Index [c * classes + k].
struct LayerOverlay {
    std::size_t class_count = 0;
    std::vector<double> area_m2;     // area of candidate c in class k
    std::vector<double> covered_m2;  // area of candidate c covered by any feature
    std::vector<double> distance_m;  // presence layers: distance to the nearest feature
                                     // (0 when touching or overlapping); empty otherwise
    // points and lines layers (empty otherwise): features within the layer's within_m, and
    // (lines) the length of line inside the candidate and within within_m of it.
    std::vector<double> count_within, length_m, length_within_m;
    double area(std::size_t c, std::size_t k) const { return area_m2[c * class_count + k]; }
};

struct OverlayResult {
    std::vector<double> candidate_area_m2;
    std::vector<LayerOverlay> layers;  // in the order the indexes were given
};

// Candidates must be valid polygonal geometries in the layers' CRS; they are read by several
// threads, so run geos::warm_envelopes on each first (read_polygon_layer's output is not
// warmed: overlay() does it).
OverlayResult overlay(const std::vector<const GEOSGeometry*>& candidates, const std::vector<const LayerIndex*>& layers,
                      const RunControl& control);

}  // namespace ruimte
