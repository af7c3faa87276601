#pragma once
// Selection that survives disagreement (issue 22): the same selection problem (targets,
// budgets, groups, shares, overlaps, locks) solved for many objectives (one per weight draw or
// stakeholder weight set), the selection frequency and rank interval per candidate, the regret
// between stakeholder groups and an exact compromise set; and portfolios of near-optimal sets
// that differ from each other by at least D candidates (no-good cuts).
//
// Pure data in, pure data out, like selection.hpp.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "spatial/selection/selection.hpp"

namespace ruimte {

// One solve per objective vector (same rules). The independent parts are found once and
// reused; each solve starts from an earlier one's set (a warm start: see kBlock in robust.cpp)
// when that is better than the greedy set. options.time_limit_s is for all solves together, counted from
// options.started (or the call): each solve may take a quarter of what is left (at least an
// equal share). Solves not reached before the deadline have status time_out and no set.
struct EachOptions {
    SolveOptions solve;
    bool warm_start = true;
    // Threads solving the draws after the first (CBC itself runs one model at a time: its
    // command-line front end keeps global state). The sets do not depend on it.
    unsigned threads = 1;
    std::function<void(std::size_t done, std::size_t total)> progress;
};
std::vector<SelectionResult> solve_each(const SelectionProblem& problem,
                                        const std::vector<std::vector<double>>& objectives, const EachOptions& options);

enum class Robustness {
    core,       // chosen in at least core_share (90 %) of the draws
    contested,  // chosen in some draws, fewer than core_share
    never,      // chosen in none
};
const char* to_string(Robustness r);

struct CandidateFrequency {
    double frequency = 0;  // share of the solved draws whose set holds the candidate
    std::size_t chosen = 0;
    Robustness robustness = Robustness::never;
};
// Per candidate, over the draws with a set (time_out draws are left out of the share).
std::vector<CandidateFrequency> selection_frequency(const std::vector<SelectionResult>& draws, std::size_t n,
                                                    double core_share = 0.9);

// kept[g][h]: the share of group h's own optimum that group g's set keeps,
// objective_h(set_g) / objective_h(set_h). 1 on the diagonal; NaN where a set is missing.
std::vector<std::vector<double>> objective_kept(const std::vector<std::vector<double>>& objectives,
                                                const std::vector<SelectionResult>& own_sets);

// The compromise: the set that maximises the worst group's share of its own optimum,
// min_g objective_g(x) / optimum_g (optimum_g > 0, maximised objectives), solved exactly as a
// MIP with one more column t and one row per group. `worst_share` is t at the solution.
struct Compromise {
    SelectionResult result;  // objective: t; selected: the set
    double worst_share = 0;
    std::vector<double> share;  // per group: objective_g(set) / optimum_g
};
Compromise solve_compromise(const SelectionProblem& problem, const std::vector<std::vector<double>>& objectives,
                            const std::vector<double>& optima, const SolveOptions& options);

// Portfolios: up to k sets, the first an optimum (within options.relative_gap), each next one
// the best set whose objective is within `portfolio_gap` of the first one's objective and that
// differs from every set found before in at least `min_difference` candidates (no-good cuts,
// sum over i in S of (1 - x_i) + sum over i not in S of x_i >= D).
enum class PortfolioStop {
    complete,    // k sets found
    exhausted,   // proven: no further set within the gap differs enough from those found
    time_limit,  // the time limit stopped the search
    infeasible,  // the problem itself has no solution
};
const char* to_string(PortfolioStop s);

struct Portfolio {
    std::vector<SelectionResult> sets;
    PortfolioStop stop = PortfolioStop::complete;
    double floor = 0;  // the objective every set reaches (within the gap of the first)
};
Portfolio solve_portfolio(const SelectionProblem& problem, std::size_t k, std::size_t min_difference,
                          double portfolio_gap, const SolveOptions& options);

// The number of candidates in which two sets differ.
std::size_t set_difference(const std::vector<char>& a, const std::vector<char>& b);

}  // namespace ruimte
