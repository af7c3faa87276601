#pragma once
// The names of what ruimte writes: tables and their columns, in one place. The writers use
// them, and so do the readers of ruimte's own outputs (explain, compare, select, sensitivity,
// map, the QGIS styles), which look fields up by name. A new column of candidates_scored is
// added here first (docs/DEVELOPING.md, 'Where things go'), then written in
// spatial/jobs/score.cpp (add_scored_fields) and listed in docs/outputs.md.
#include <string>

namespace ruimte::schema {

// The tables of a `score` output.
inline constexpr const char* kCandidatesScored = "candidates_scored";
inline constexpr const char* kOverlayAreas = "overlay_areas";
inline constexpr const char* kGeometryIssues = "geometry_issues";

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
// Per factor: its value (0..1 after its transform) and its contribution to the score.
inline std::string factor_value(const std::string& factor) {
    return "f_" + factor + "_value";
}
inline std::string factor_contrib(const std::string& factor) {
    return "f_" + factor + "_contrib";
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

}  // namespace ruimte::schema
