#pragma once
// Scoring: per candidate, the metrics the profile names, every exclusion that applies, each
// factor's standardised value (0..1) and weighted contribution, the score and the rank.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "spatial/criteria/profile.hpp"
#include "spatial/geometry/overlay.hpp"

namespace ruimte {

// A candidate's identity: the id attribute (integer or text) or its FID.
using CandidateId = std::variant<std::int64_t, std::string>;
std::string to_string(const CandidateId& id);
bool id_less(const CandidateId& a, const CandidateId& b);

// What scoring needs to know of the candidates besides the overlay.
struct CandidateTable {
    std::vector<CandidateId> ids;
    // attribute metrics named by the profile (attr.FIELD), one column per name; NaN = null
    std::vector<std::string> attribute_names;
    std::vector<std::vector<double>> attribute_values;  // [attribute][candidate]
    // raster layer metrics ("LAYER.STAT", raster_layers.hpp), per candidate; NaN = no data
    std::map<std::string, std::vector<double>> raster_metrics;
};

struct Scores {
    std::size_t factor_count = 0;
    std::vector<double> value;                      // [c * factors + f] standardised value in 0..1
    std::vector<double> contribution;               // [c * factors + f] weighted contribution
    std::vector<double> score;                      // per candidate
    std::vector<char> excluded;                     // per candidate
    std::vector<std::vector<std::string>> reasons;  // per candidate: every exclusion that holds
    std::vector<std::int64_t> rank;                 // 1 = best; 0 for excluded candidates
};

// Evaluates a metric for candidate c. `layer_index` maps profile layer order to overlay order
// (they are the same in run_score).
double metric_value(const MetricName& m, std::size_t c, const Profile& profile,
                    const std::vector<const LayerIndex*>& layers, const OverlayResult& overlay,
                    const CandidateTable& table);

// Column-name part as `ruimte score` writes it (layer, class and factor names in column
// names): lower-case ASCII letters, digits and '_' only, safe in every tool.
std::string column_part(const std::string& s);

// The value candidates are ranked by: the score rounded to 12 decimals, so that scores equal
// but for floating-point noise (another engine, another summation order) tie, and ties go by id.
double rank_key(double score);

// Ranks (1 = best) of the candidates not excluded: highest rank_key(score) first, ties by id
// (`id_before(a, b)`: candidate a's id sorts before b's); 0 for the excluded.
template <class IdBefore>
std::vector<std::int64_t> rank_by_score(const std::vector<double>& score, const std::vector<char>& excluded,
                                        IdBefore&& id_before) {
    std::vector<std::pair<double, std::size_t>> order;  // (rank key, candidate)
    for (std::size_t c = 0; c < score.size(); ++c) {
        if (!excluded[c]) order.emplace_back(rank_key(score[c]), c);
    }
    std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first > b.first;
        return id_before(a.second, b.second);
    });
    std::vector<std::int64_t> rank(score.size(), 0);
    for (std::size_t r = 0; r < order.size(); ++r) rank[order[r].second] = static_cast<std::int64_t>(r + 1);
    return rank;
}

Scores score_candidates(const Profile& profile, const std::vector<const LayerIndex*>& layers,
                        const OverlayResult& overlay, const CandidateTable& table);

}  // namespace ruimte
