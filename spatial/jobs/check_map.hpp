#pragma once
// The water board check's overview maps: per group (water board) its area, the locations'
// parts in it coloured by verdict (markers where too small to see) and labelled with their
// ids; one map of all locations without --by. Drawn by render/overview_map.
#include <string>
#include <utility>
#include <vector>

#include "spatial/geometry/geos.hpp"
#include "spatial/jobs/check.hpp"

namespace ruimte {

// PNG bytes per entry of result.groups (one map without groups). `unit_geoms` are the
// geometries of result.parts (with groups) or result.whole (without); `group_areas` the
// dissolved group geometries by name (a group without one, as the outside group, has no area).
std::vector<std::string> check_overview_maps(const geos::Context& ctx, const CheckResult& result,
                                             const std::vector<const GEOSGeometry*>& unit_geoms,
                                             const std::vector<std::pair<std::string, geos::Geom>>& group_areas,
                                             const std::string& lang);

}  // namespace ruimte
