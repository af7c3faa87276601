#pragma once
// Points and lines layers of a profile ([layers.NAME] type = "points" / "lines"): how they are
// read and indexed. Their metrics (distance_m, count_within, length_m, length_within_m) are
// computed by overlay() through spatial/geometry/proximity.hpp; docs/layers.md.
#include <memory>

#include "spatial/criteria/profile.hpp"
#include "spatial/geometry/overlay.hpp"
#include "spatial/io/source.hpp"

namespace ruimte {

// What read_polygon_layer must find in this layer's source.
ReadGeometry read_geometry(const LayerSpec& spec);

// The index of a points or lines layer as read (read_geometry(spec)). Throws Error(input) when
// the layer has no usable feature: every distance would be undefined.
std::unique_ptr<LayerIndex> index_point_line_layer(const LayerSpec& spec, const FeatureLayer& layer);

}  // namespace ruimte
