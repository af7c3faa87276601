#pragma once
// Test helpers that need the io layer (FeatureLayer), for the tests of io and above.
#include <string>
#include <vector>

#include "spatial/geometry/geos.hpp"
#include "spatial/io/source.hpp"
#include "support.hpp"

namespace ruimte::test {

// A layer of the given polygons, fids 1, 2, ... in order.
FeatureLayer layer_from_wkt(const geos::Context& ctx, const std::vector<std::string>& wkts);

}  // namespace ruimte::test
