#pragma once
// The names of what ruimte writes: tables and their columns, in one place. The writers use
// them, and so do the readers of ruimte's own outputs (explain, compare, select, sensitivity,
// map, the QGIS styles), which look fields up by name. A new column of candidates_scored is
// added here first (docs/DEVELOPING.md, 'Where things go'), then written in
// spatial/jobs/score.cpp (add_scored_fields) and listed in docs/outputs.md.
#include <string>

namespace ruimte::schema {

// The metadata of a `score` output that readers need: the profile as it was, and its path.
inline constexpr const char* kMetaProfile = "RUIMTE_PROFILE";
inline constexpr const char* kMetaProfilePath = "RUIMTE_PROFILE_PATH";

// The tables of a `score` output.
inline constexpr const char* kCandidatesScored = "candidates_scored";
inline constexpr const char* kOverlayAreas = "overlay_areas";
inline constexpr const char* kGeometryIssues = "geometry_issues";
inline constexpr const char* kRasterStats = "raster_stats";  // only when the profile has raster layers

// The tables of the other commands' outputs (their columns are spelled where they are written:
// spatial/jobs/check.cpp, spatial/claims/claims.cpp, spatial/jobs/select*.cpp).
inline constexpr const char* kCandidatesSelected = "candidates_selected";  // select
inline constexpr const char* kSelectionSummary = "selection_summary";
inline constexpr const char* kSelectionFrequency = "selection_frequency";  // select --draws/--weight-sets
inline constexpr const char* kCheckLocations = "check_locations";          // check
inline constexpr const char* kCheckParts = "check_parts";                  // check --by
inline constexpr const char* kCheckThemes = "check_themes";
inline constexpr const char* kCheckGroups = "check_groups";
inline constexpr const char* kClaimFaces = "claim_faces";  // claims
inline constexpr const char* kClaimTotals = "claim_totals";
inline constexpr const char* kClaimCombinations = "claim_combinations";
inline constexpr const char* kClaimPairs = "claim_pairs";
inline constexpr const char* kRegionBalance = "region_balance";  // claims with regions

// candidates_scored: the input's fields, then these (in this order).
namespace scored {
inline constexpr const char* kCandidateId = "candidate_id";
inline constexpr const char* kAreaHa = "area_ha";
inline constexpr const char* kExcluded = "excluded";
inline constexpr const char* kReasons = "reasons";
inline constexpr const char* kScore = "score";
inline constexpr const char* kRank = "rank";

// Per class layer: a share per class, then the share no feature covers. `layer` and `klass`
// are already column-safe (column_part).
inline std::string class_share(const std::string& layer, const std::string& klass) {
    return layer + "_" + klass + "_share";
}
inline std::string uncovered_share(const std::string& layer) {
    return layer + "_uncovered_share";
}
// Per presence layer: the share covered, the names of the features overlapped, the distance.
inline std::string overlap_share(const std::string& layer) {
    return layer + "_overlap_share";
}
inline std::string feature_names(const std::string& layer) {
    return layer + "_names";
}
inline std::string distance_m(const std::string& layer) {
    return layer + "_distance_m";
}
// Per points layer: the distance (above) and the features within within_m; per lines layer
// also the length of line inside the candidate and within within_m of it.
inline std::string count_within(const std::string& layer) {
    return layer + "_count_within";
}
inline std::string length_m(const std::string& layer) {
    return layer + "_length_m";
}
inline std::string length_within_m(const std::string& layer) {
    return layer + "_length_within_m";
}
// Per factor: its value (0..1 after its transform) and its contribution to the score.
inline std::string factor_value(const std::string& factor) {
    return "f_" + factor + "_value";
}
inline std::string factor_contrib(const std::string& factor) {
    return "f_" + factor + "_contrib";
}
// The factor whose value column `column` is (the inverse of factor_value), or "" if none.
inline std::string factor_of_value_column(const std::string& column) {
    const std::string head = "f_", tail = "_value";
    if (column.size() <= head.size() + tail.size() || column.compare(0, head.size(), head) != 0 ||
        column.compare(column.size() - tail.size(), tail.size(), tail) != 0)
        return "";
    return column.substr(head.size(), column.size() - head.size() - tail.size());
}
// Per raster metric the profile uses ("LAYER.STAT", spatial/criteria/raster_layers.hpp):
// its value. `metric_column` is the column-safe form (column_part of the metric).
inline std::string raster_metric(const std::string& metric_column) {
    return metric_column;
}
}  // namespace scored

// overlay_areas: one row per candidate, layer and class with area.
namespace overlay_areas {
inline constexpr const char* kCandidateId = "candidate_id";
inline constexpr const char* kLayer = "layer";
inline constexpr const char* kClass = "class";
inline constexpr const char* kAreaM2 = "area_m2";
inline constexpr const char* kShare = "share";
}  // namespace overlay_areas

// raster_stats: one row per candidate, raster layer and statistic.
namespace raster_stats {
inline constexpr const char* kCandidateId = "candidate_id";
inline constexpr const char* kLayer = "layer";
inline constexpr const char* kStatistic = "statistic";
inline constexpr const char* kValue = "value";
}  // namespace raster_stats

// candidates_selected (select): the scored fields, then whether it was chosen and, for a
// robust selection, how often.
namespace selected {
inline constexpr const char* kSelected = "selected";
inline constexpr const char* kSelectionFrequency = "selection_frequency";
}  // namespace selected

// selection_frequency (select --draws / --weight-sets): one row per candidate.
namespace selection_frequency {
inline constexpr const char* kCandidateId = "candidate_id";
inline constexpr const char* kFrequency = "frequency";
}  // namespace selection_frequency

}  // namespace ruimte::schema
