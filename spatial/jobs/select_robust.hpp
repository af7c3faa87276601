#pragma once
// The part of `select` that solves under weight uncertainty (issue 22): scores recomputed
// from the scored file's factor values for every weight draw (`ruimte sensitivity`'s draws)
// and for every named stakeholder weight set, one selection per draw and per set, the
// selection frequency and rank interval per candidate, the regret between the sets and the
// compromise; and the portfolio of different near-optimal sets. The rows it writes go into
// select's GeoPackage (layer selection_frequency, tables selection_groups,
// selection_regret, selection_portfolio).
#include <chrono>
#include <string>
#include <vector>

#include "spatial/core/error.hpp"
#include "spatial/jobs/select.hpp"

class GDALDataset;

namespace ruimte {

struct FeatureLayer;

// The weight-independent part of the scores, in problem order.
struct RobustInput {
    std::vector<std::string> factors;          // the profile's factor names (f_<name>_value)
    std::vector<std::vector<double>> value;    // [factor][candidate]
    std::vector<std::vector<double>> contrib;  // [factor][candidate]: weight x value as scored
    std::vector<double> score;                 // the scored file's score
    std::vector<double> weight;                // the weight field (objective = score x weight)
};

// True when the request asks for draws, weight sets or a portfolio.
bool robust_requested(const SelectRequest& request);
// Refuses what cannot be combined (before any file is read): usage errors.
void check_robust_options(const SelectRequest& request);

// The factor names from the f_<name>_value columns of a scored layer's field names.
std::vector<std::string> factor_columns(const std::vector<std::string>& field_names);

// The profile's weights recovered from the factor contributions (contrib / value), checked
// against the score (a weighted sum); a factor that is 0 everywhere gets what the others leave
// of 1.
std::vector<double> scored_weights(const RobustInput& in, const SelectionProblem& p, const ErrorPlace& place);

// Runs the draws, the weight sets, the compromise and the portfolio within the deadline.
RobustSummary analyse_robust(const SelectRequest& request, const SelectionProblem& p, const RobustInput& in,
                             std::chrono::steady_clock::time_point deadline);

// The layer selection_frequency (one row per candidate, with geometry) and the tables.
void write_robust(GDALDataset& ds, const SelectRequest& request, const SelectionProblem& p, const RobustSummary& r,
                  const FeatureLayer& candidates, const std::vector<std::size_t>& order);

// Plain-language lines for stdout (English), one per line.
std::vector<std::string> robust_summary_lines(const SelectionProblem& p, const RobustSummary& r,
                                              const SelectRequest& request);

}  // namespace ruimte
