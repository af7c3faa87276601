#include "io/support_io.hpp"

namespace ruimte::test {

FeatureLayer layer_from_wkt(const geos::Context& ctx, const std::vector<std::string>& wkts) {
    FeatureLayer l;
    l.source = {"memory", "test"};
    l.layer_name = "test";
    std::int64_t fid = 1;
    for (const auto& w : wkts) {
        Feature f;
        f.fid = fid++;
        f.geom = geos::from_wkt(ctx, w);
        l.features.push_back(std::move(f));
    }
    return l;
}

}  // namespace ruimte::test
