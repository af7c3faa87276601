#pragma once
// A raster layer of a profile: [layers.NAME] with type = "raster_values" or "raster_classes"
// (docs/layers.md). Parsed by raster_layers.cpp; kept apart from LayerSpec because a raster
// has no features, no index and no polygon overlay.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ruimte {

enum class RasterKind {
    values,   // a measured quantity per cell (flood depth, subsidence): mean, quantiles, thresholds
    classes,  // a class code per cell (a WBS map as a raster): area and share per class
};

struct RasterLayerSpec {
    std::string name;  // the key in [layers.NAME]
    std::string path;  // resolved against the profile's folder (or --layer NAME=FILE)
    int band = 1;
    RasterKind kind = RasterKind::values;
    std::string unit;                           // raster_values: for people, e.g. "m"
    std::vector<double> thresholds;             // raster_values: share/area above and below each
    std::vector<std::string> classes;           // raster_classes: class order
    std::map<std::int64_t, std::string> names;  // raster_classes: cell value -> class
    std::string catalogue;                      // raster_classes: "wbs", ... (values through its codes)
    int line = 0;
};

}  // namespace ruimte
