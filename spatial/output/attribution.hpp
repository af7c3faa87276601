#pragma once
// The attribution line of maps and print layouts, from what the data say about themselves:
// a layer described (GeoPackage description) as SYNTHETIC, or a GeoPackage whose run manifest
// names such an input, makes it say "synthetic sample data, not for decisions"; CBS/Kadaster
// boundaries are credited with their licence.
#include <string>
#include <vector>

namespace ruimte {

// `main_gpkg`: a ruimte output (its manifest's GeoPackage inputs are looked at too), or empty.
// `descriptions`: of every layer drawn. Dutch unless `english`.
std::string attribution_line(const std::string& main_gpkg, const std::vector<std::string>& descriptions, bool english);

}  // namespace ruimte
