#pragma once
// Raster themes of the water board's check (`ruimte check --raster-theme FIELD=FILE[:BAND]`):
// a value raster (flood depth, subsidence) is one theme, named like a theme field
// (`overstroming_m` -> waterveiligheid in metres), with its threshold and unit from
// check_themes. Per location (and part), with exact coverage fractions (raster_coverage): the
// area above the threshold, the area with data, the largest covered cell value and the
// coverage-weighted mean. Documented in docs/check.md.
#include <functional>
#include <string>
#include <vector>

#include "spatial/geometry/geos.hpp"
#include "spatial/jobs/check.hpp"

namespace ruimte {

struct RasterThemeSpec {
    std::string field;  // the theme's name, e.g. overstroming_m
    std::string path;   // the raster
    int band = 1;
    std::string display() const;  // "overstroming_m = FILE (band 1)"
};

// Parses FIELD=FILE[:BAND]; throws Error(usage).
RasterThemeSpec parse_raster_theme(const std::string& text);

// Appends one ThemeStat per raster theme to every unit's statistics (units: valid polygons in
// EPSG:28992 with their exact areas). Returns, per raster theme, its description for the
// report's sources (the file, band, CRS and whether the locations were transformed).
std::vector<std::string> add_raster_theme_stats(const CheckRequest& req,
                                                const std::vector<const GEOSGeometry*>& unit_geoms,
                                                const std::vector<double>& unit_area_m2,
                                                std::vector<std::vector<ThemeStat>>& stats);

}  // namespace ruimte
