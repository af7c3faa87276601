#pragma once
// The `select` job: read the scored candidates (`ruimte score` output), find overlapping
// pairs from the geometry, assign groups, build the selection problem, solve it with CBC and
// write the GeoPackage (candidates with `selected`, `group`, running totals and `reason`, and
// the `selection_summary` table).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "spatial/selection/robust.hpp"
#include "spatial/selection/selection.hpp"

namespace ruimte {

struct SelectRequest {
    std::string scored;  // FILE[:LAYER]; the layer defaults to candidates_scored
    std::string output;  // OUT.gpkg
    bool overwrite = false;
    std::string id_field = "candidate_id";
    std::vector<std::string> targets;  // "FIELD=N" or "FIELD>=N"
    std::vector<std::string> budgets;  // "FIELD<=N"
    std::string group_field;           // --group FIELD
    std::string group_by;              // --group-by FILE[:LAYER]:FIELD
    std::optional<double> max_per_group, min_per_group;
    std::string group_limits;               // CSV: group,min,max
    std::string group_sum;                  // limits count this field's total instead of candidates
    std::vector<std::string> shares;        // "A/B>=R"
    double max_overlap = 0.05;              // share of the smaller candidate's area
    std::string lock_in, lock_out;          // comma-separated candidate ids
    std::string weight_field = "woningen";  // maximise sum(score * weight)
    std::string minimise;                   // minimise sum(FIELD) instead
    // "fill" (default): maximise sum(score x weight field); "reach": reach the targets with the
    // least of the first target's field (fewest homes over the target), ties to the higher score.
    std::string objective_mode = "fill";
    std::optional<double> min_average_score;  // sum(score x W) >= S x sum(W), W the weight field
    // Selection under weight uncertainty (issue 22; docs/select.md): the scores are recomputed
    // from the scored file's f_<factor>_value columns for every weight draw (the draws of
    // `ruimte sensitivity`: draws, seed, method, concentration, spread) and for every named
    // weight set of weight_sets (CSV: group,<factor>,<factor>,...).
    std::size_t draws = 0;
    unsigned threads = 0;  // for the draws and weight sets; 0: all cores
    std::uint64_t seed = 1;
    std::string draw_method = "dirichlet";
    double concentration = 100, spread = 0.1;
    std::string weight_sets;
    double core_share = 0.9;
    // Portfolios: up to K sets within portfolio_gap of the optimum, each differing from every
    // other in at least min_difference candidates.
    std::size_t portfolio = 0, min_difference = 1;
    double portfolio_gap = 0.05;
    SolveOptions solve;  // solve.time_limit_s: seconds for the whole run (from `started`)
    std::optional<std::chrono::steady_clock::time_point> started;  // the process start; unset: the call
    std::string assume_crs;                                        // for a --group-by source without a CRS
    std::string command_line;                                      // recorded in the output's metadata
    std::string timestamp;  // run time in the manifest, "YYYY-MM-DDTHH:MM:SSZ"; empty: now
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(const std::string& stage, std::size_t done, std::size_t total)> progress;
    std::function<void(const std::string&)> notice;
};

struct OverlapPair {
    std::string a, b;  // candidate ids
    double share = 0;  // intersection / the smaller area
};

// What the weight draws, the weight sets and the portfolio found (problem order).
struct RobustSummary {
    std::vector<std::string> factors;
    std::vector<double> base_weights;
    std::size_t draws = 0;
    std::vector<SelectionResult> draw_results;
    std::vector<CandidateFrequency> frequency;       // over the draws (empty without draws)
    std::vector<double> rank_p05, rank_p95;          // score rank over the draws; NaN: not ranked
    std::vector<std::string> groups;                 // weight set names
    std::vector<std::vector<double>> group_weights;  // per group, per factor (normalised)
    std::vector<SelectionResult> group_results;
    std::vector<std::vector<double>> kept;  // [g][h]: share of h's optimum that g's set keeps
    std::optional<Compromise> compromise;
    std::optional<Portfolio> portfolio;
    double seconds = 0;
};

struct SelectSummary {
    std::string output;
    std::string objective_text;  // "maximise score x woningen" / "minimise kosten_meu"
    std::size_t candidates = 0, available = 0, excluded = 0, locked_out = 0, locked_in = 0;
    std::vector<OverlapPair> overlaps;  // pairs above the threshold, by id
    SelectionProblem problem;
    SelectionResult result;
    std::vector<std::string> selected_ids;                // in selection order
    std::vector<std::string> selected_names;              // their field naam, when the candidates have it ("" else)
    std::vector<std::pair<std::string, double>> seconds;  // per stage
    RobustSummary robust;
};

SelectSummary run_select(const SelectRequest& request);

}  // namespace ruimte
