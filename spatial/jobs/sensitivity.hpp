#pragma once
// How robust is a ranking to its weights? Monte Carlo over the weights (Dirichlet around the
// profile's weights, or each weight times a uniform factor, renormalised) gives per candidate
// the median rank, the 5-95 % rank interval and the probability of being in the top K;
// one-at-a-time sweeps give, per factor, the weight at which the top K changes.
//
// Only the scoring is repeated: the factors' standardised values and the exclusions do not
// depend on the weights, so one full scoring (score_candidates) gives all the geometry-derived
// numbers, and each draw is a weighted sum and a sort (Rescorer).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "spatial/criteria/profile.hpp"
#include "spatial/criteria/scoring.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/jobs/score.hpp"
#include "spatial/render/chart.hpp"

namespace ruimte {

enum class WeightDraw {
    dirichlet,  // weights ~ Dirichlet(concentration x profile weights): mean = profile weights
    uniform,    // each weight x U(1 - spread, 1 + spread), then renormalised to sum 1
};

struct SensitivityOptions {
    std::size_t draws = 1000;
    std::uint64_t seed = 1;  // draw i uses std::mt19937_64(seed + i): thread-count independent
    WeightDraw method = WeightDraw::dirichlet;
    double concentration = 100;  // dirichlet: larger = closer to the profile's weights
    double spread = 0.1;         // uniform: 0.1 = +-10 %; 0 reproduces the profile's weights
    std::size_t top_k = 10;
    std::size_t sweep_steps = 100;  // one-at-a-time: weight 0, 1/steps, ..., 1 (then refined)
    RunControl control;             // threads, cancellation; progress per draw
};

// Limits, refused as usage errors (exit 2) before memory is spent; docs/reliability.md.
struct SensitivityLimits {
    static constexpr std::size_t max_sweep_steps = 100000;
    // draws x (ranked candidates + factors), and factors x (sweep steps + 1) x top K: at most
    // this many values (4-8 bytes each, so a few GB at the limit).
    static constexpr std::size_t max_draw_cells = 500000000;
};
void check_sensitivity_limits(const SensitivityOptions& options);
void check_sensitivity_size(const SensitivityOptions& options, std::size_t ranked_candidates, std::size_t factors);

// Re-ranks candidates for other weights, from the weight-independent part of one scoring.
class Rescorer {
  public:
    Rescorer(const Profile& profile, const Scores& base, const std::vector<CandidateId>& ids);

    std::size_t candidates() const { return n_; }
    std::size_t factors() const { return nf_; }
    const std::vector<double>& base_weights() const { return base_weights_; }

    // score[c] for weights (profile factor order, summing to 1), as score_candidates computes it.
    void scores(const std::vector<double>& weights, std::vector<double>& score) const;
    // The ranking: candidates not excluded, best first (score descending, ties by id).
    void order(const std::vector<double>& weights, std::vector<double>& score, std::vector<std::uint32_t>& order) const;
    // The first k of that ranking (k larger than the ranked count gives them all).
    void top(const std::vector<double>& weights, std::size_t k, std::vector<double>& score,
             std::vector<std::uint32_t>& top) const;

  private:
    std::size_t n_ = 0, nf_ = 0;
    Aggregation aggregation_;
    std::vector<double> value_;          // [c * nf + f]
    std::vector<std::uint32_t> ranked_;  // candidates not excluded
    std::vector<std::uint32_t> id_pos_;  // position of each candidate in id order
    std::vector<double> base_weights_;
};

// One factor swept from weight 0 to 1, the others scaled to keep their proportions.
struct WeightSweep {
    std::string factor;
    double base_weight = 0;
    // The top K (as a set) is the profile's for weights in [stable_from, stable_to]; outside it
    // changes: change_below / change_above is the weight (to 1e-4) where it first differs,
    // nullopt when it never does on that side.
    double stable_from = 0, stable_to = 1;
    std::optional<double> change_below, change_above;
    std::vector<std::uint32_t> enter_below, leave_below, enter_above, leave_above;  // candidates
    // The grid: (weight, top K in rank order).
    std::vector<std::pair<double, std::vector<std::uint32_t>>> steps;
};

struct SensitivityResult {
    std::size_t draws = 0;
    std::size_t top_k = 0;
    std::vector<double> base_score;
    std::vector<std::int64_t> base_rank;  // 0 = excluded
    // per candidate; NaN for excluded candidates. Percentiles are nearest-rank: the p-th
    // percentile of N sorted ranks is the ceil(p x N)-th.
    std::vector<double> median_rank, rank_p05, rank_p95, p_top;
    // per factor: the profile's weight and the 5 %, 50 %, 95 % of the drawn weights
    std::vector<double> weight, weight_p05, weight_median, weight_p95;
    std::vector<WeightSweep> sweeps;
};

// Draws the weights of draw i (exposed for tests): normalised, profile factor order.
std::vector<double> draw_weights(const std::vector<double>& base, const SensitivityOptions& options, std::size_t i);

SensitivityResult analyse_sensitivity(const Profile& profile, const Scores& base, const std::vector<CandidateId>& ids,
                                      const SensitivityOptions& options);

// The `sensitivity` job: prepare_score once, score once, analyse, write the GeoPackage
// (layers rank_intervals, oat_sweep, oat_steps, weight_draws) and the optional chart.
struct SensitivityRequest {
    ScoreRequest score;  // candidates, profile, layer overrides, output, threads, notices
    SensitivityOptions options;
    std::string chart;        // optional .svg or .png
    std::string lang = "nl";  // chart texts
};
struct SensitivitySummary {
    std::size_t candidates = 0, excluded = 0;
    SensitivityResult result;
    std::vector<std::string> ids;    // candidate ids as text
    std::vector<std::string> names;  // the candidates' names (field naam or name), or "" each
    std::vector<std::pair<std::string, double>> seconds;
    std::vector<std::string> factor_names;
};
SensitivitySummary run_sensitivity(const SensitivityRequest& request);

}  // namespace ruimte
