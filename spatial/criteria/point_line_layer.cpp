#include "spatial/criteria/point_line_layer.hpp"

#include "spatial/core/error.hpp"
#include "spatial/geometry/proximity.hpp"

namespace ruimte {

ReadGeometry read_geometry(const LayerSpec& spec) {
    switch (spec.kind) {
        case LayerKind::points: return ReadGeometry::points;
        case LayerKind::lines: return ReadGeometry::lines;
        default: return ReadGeometry::polygons;
    }
}

std::unique_ptr<LayerIndex> index_point_line_layer(const LayerSpec& spec, const FeatureLayer& layer) {
    const bool lines = spec.kind == LayerKind::lines;
    if (layer.features.empty()) {
        const std::string skipped = layer.hygiene.skipped.empty()
                                        ? std::string("it has no features")
                                        : std::to_string(layer.hygiene.skipped.size()) +
                                              " features were skipped (first: feature " +
                                              std::to_string(layer.hygiene.skipped.front().fid) + ", " +
                                              layer.hygiene.skipped.front().what + ")";
        throw Error(ErrorKind::input,
                    std::string("the ") + (lines ? "lines" : "points") + " layer '" + spec.name + "' has no usable " +
                        (lines ? "line" : "point") + ": " + skipped + "; every distance to it would be undefined",
                    layer.place(),
                    "give [layers." + spec.name + "] a source with at least one " + (lines ? "line" : "point") +
                        " (check the FILE:LAYER name and any filter), or remove the layer from the profile");
    }
    auto prox = std::make_shared<const ProximityIndex>(lines ? ProximityKind::lines : ProximityKind::points,
                                                       layer.geometries(), spec.within_m);
    return std::make_unique<LayerIndex>(spec.name, spec.kind, std::move(prox));
}

}  // namespace ruimte
