#pragma once
// The raster layers of `score` (issue 21): their statistics per candidate (raster_layers.hpp)
// as metrics for exclusions and factors, and what the GeoPackage gets of them: a column per
// raster metric the profile uses, the table raster_stats (every statistic of every candidate)
// and, for raster_classes layers, rows in overlay_areas.
#include <functional>
#include <string>
#include <vector>

#include "spatial/criteria/raster_layers.hpp"
#include "spatial/criteria/scoring.hpp"
#include "spatial/io/source.hpp"
#include "spatial/output/gpkg_rows.hpp"

class GDALDataset;

namespace ruimte {

// Computes every raster layer of the profile for the candidates and puts each statistic in
// table.raster_metrics as "LAYER.STAT". `notice` (may be empty) hears of transformations and
// of rasters that overlap no candidate.
std::vector<RasterLayerResult> score_rasters(const Profile& profile, const FeatureLayer& candidates,
                                             const std::vector<double>& candidate_area_m2, CandidateTable& table,
                                             const std::string& assume_crs, const RunControl& control,
                                             const std::function<void(const std::string&)>& notice);

// The raster metrics ("LAYER.STAT") the profile's exclusions and linear factors name, once
// each, in the profile's order: each gets a column of candidates_scored.
std::vector<std::string> used_raster_metrics(const Profile& profile);
// Its column name: "overstroming.share_above_0.5" -> "overstroming_share_above_0_5".
std::string raster_column(const std::string& metric);

// The table raster_stats (candidate_id, layer, statistic, value), rows in `order`.
void write_raster_stats(GDALDataset& ds, const std::string& output, const std::vector<RasterLayerResult>& rasters,
                        const std::vector<CandidateId>& ids, const std::vector<std::size_t>& order);
// overlay_areas rows (candidate_id, layer, class, area_m2, share) of the raster_classes layers.
void append_raster_class_rows(GpkgRowWriter& rows, const std::vector<RasterLayerResult>& rasters,
                              const std::vector<CandidateId>& ids, const std::vector<std::size_t>& order);

// For the manifest and the metadata: the raster's CRS and the transformation used.
CrsReport raster_crs_report(const raster::RasterInfo& info);
std::string raster_input_line(const RasterLayerResult& r);

}  // namespace ruimte
