#pragma once
// Raster layers of a profile (issue 21): parsing [layers.NAME] of type raster_values or
// raster_classes, the metrics they give, and computing them for the candidates with exact
// coverage fractions (spatial/io/raster_source.hpp). Formats: docs/layers.md.
#include <toml++/toml.h>

#include <string>
#include <vector>

#include "spatial/criteria/profile.hpp"
#include "spatial/io/raster_source.hpp"

namespace ruimte {

bool is_raster_type(const std::string& type);

// [layers.NAME] of a raster type; `override_path` (from --layer NAME=FILE) replaces source.
// Throws Error(profile) naming the file, line and key.
RasterLayerSpec parse_raster_layer(const toml::table& t, const std::string& name, int line,
                                   const std::string& profile_path, const std::string* override_path);

// The statistic a metric LAYER.REST names on raster layer `spec` ("mean", "share_above_0.5",
// "share.ja", ...), in the spelling the results use; throws Error(profile) listing the metrics
// the layer has.
std::string parse_raster_metric(const RasterLayerSpec& spec, const std::string& rest, const std::string& metric,
                                const std::string& profile_path, int line, const std::string& key);

// Every statistic a raster layer gives, in output order (classes: after the data are read).
std::vector<std::string> raster_stat_names(const RasterLayerSpec& spec, const std::vector<std::string>& classes);

struct RasterLayerResult {
    std::string name;
    raster::RasterInfo info;
    std::vector<std::string> stats;           // raster_stat_names
    std::vector<std::vector<double>> values;  // [stat][candidate]; NaN: no cell with data
    std::vector<std::string> classes;         // raster_classes: the classes in order
    std::size_t overlapping = 0;              // candidates that touch the raster
    std::size_t cells_read = 0;

    // The values of one statistic; throws Error(internal) for a name not computed.
    const std::vector<double>& stat(const std::string& name) const;
};

// Statistics of every candidate (valid polygons in EPSG:28992) on one raster layer; shares are
// of the candidate's area, areas (m2) are shares times `candidate_area_m2` (the exact area in
// EPSG:28992), so they do not depend on the raster's CRS. Class values the profile (or its
// catalogue) does not name are an Error(input) naming the file, band and value.
RasterLayerResult compute_raster_layer(const RasterLayerSpec& spec, const std::vector<const GEOSGeometry*>& candidates,
                                       const std::vector<double>& candidate_area_m2, const std::string& assume_crs,
                                       const RunControl& control);

// "0.5" for 0.5, "1" for 1.0: how a threshold is written in metric names.
std::string threshold_text(double t);

}  // namespace ruimte
