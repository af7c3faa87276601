#pragma once
// Area selection as a 0/1 programme: choose a subset of candidates that meets targets, a
// budget, per-group limits, share rules, overlap exclusion and locks, and maximises (or
// minimises) a linear objective. Solved exactly with COIN-OR CBC; a greedy heuristic gives a
// start solution; an infeasible problem is diagnosed rule by rule.
//
// Pure data in, pure data out: no files, no printing. Candidates are numbered 0..n-1; the
// caller keeps the mapping to ids (`ids` is used only in texts).
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ruimte {

enum class ConstraintKind {
    target,           // sum(field * x) >= bound
    budget,           // sum(field * x) <= bound
    group_min,        // count (or field sum) selected in a group >= bound
    group_max,        // count (or field sum) selected in a group <= bound
    share,            // sum(a * x) >= ratio * sum(b * x)
    overlap,          // two candidates that overlap are never both chosen (diagnosis only)
    lock_in,          // locked-in candidates are chosen (diagnosis only)
    difference,       // a portfolio's no-good cut: differs from an earlier set in >= bound candidates
    objective_floor,  // a portfolio's gap: the objective stays within the gap of the optimum
};
const char* to_string(ConstraintKind kind);

enum class Sense {
    at_least,  // lhs >= bound
    at_most,   // lhs <= bound
};

using Terms = std::vector<std::pair<std::uint32_t, double>>;  // (candidate, coefficient)

struct SelectionConstraint {
    ConstraintKind kind = ConstraintKind::target;
    std::string name;  // for people: "woningen >= 100000", "gemeente Utrecht: at most 3"
    Sense sense = Sense::at_least;
    Terms terms;       // the linear form in the model; share: a - ratio * b
    double bound = 0;  // share: 0 in the model
    // Share rules only, for reporting the ratio sum(a x) / sum(b x) against `ratio`.
    Terms numerator, denominator;
    double ratio = 0;
};

struct SelectionProblem {
    std::vector<std::string> ids;   // per candidate, for messages
    std::vector<double> objective;  // per candidate: score * weight, or the cost to minimise
    bool maximise = true;
    std::vector<char> available;  // 0: excluded or locked out (never chosen)
    std::vector<char> locked_in;  // 1: always chosen
    std::vector<SelectionConstraint> constraints;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> overlaps;  // (i, j), i < j, sorted
    std::size_t size() const noexcept { return objective.size(); }
};

// The independent parts of a problem (solve_selection), which depend on its rules and not on
// its objective: kept here between solves of the same problem with other objectives (weight
// draws, stakeholder sets). Opaque; filled by the first solve that is given it.
struct SolveCache;
std::shared_ptr<SolveCache> make_solve_cache();

struct SolveOptions {
    // Wall-clock seconds for everything solve_selection does (greedy start, building the models,
    // CBC, the diagnosis of an infeasible problem), counted from `started` when it is set.
    double time_limit_s = 60;
    double relative_gap = 0;                                       // stop when (bound - objective) / objective <= this
    int seed = 20260101;                                           // CBC's and Clp's random seeds
    bool diagnose = true;                                          // on infeasibility, find which rule cannot be met
    std::optional<std::chrono::steady_clock::time_point> started;  // unset: the call of solve_selection
    const std::atomic<bool>* cancel = nullptr;  // set: Error(cancelled) from any phase, CBC's search included
    // A start solution besides the greedy one (e.g. the previous weight draw's set): used as
    // CBC's start when it meets every rule and beats the greedy set. Empty: none.
    std::vector<char> start;
    std::shared_ptr<SolveCache> cache;  // set: the parts are computed once and reused
    // Parts of at most 14 candidates enumerated instead of given to CBC, and (maximising, with
    // relative_gap > 0 and a start) parts whose start set is close to a fractional knapsack
    // bound kept without CBC, within half the gap (solve_each sets it; see selection.cpp).
    bool fast_parts = false;
};

// The largest magnitude of a bound, coefficient or objective value the solver is given (CBC
// treats 1e30 as infinite and loses every unit of precision long before): larger values are
// refused with an error that states this limit.
inline constexpr double kMaxSolverMagnitude = 1e15;

enum class SelectionStatus {
    optimal,     // proven optimal (within relative_gap)
    feasible,    // a solution, but the time limit stopped the search: see gap
    infeasible,  // proven: no subset satisfies every rule
    time_out,    // the time limit stopped the search before any solution was found
};
// What stopped the search (for the status line): the proof, --gap, or --time-limit.
enum class StopReason {
    proven,      // optimal, proven (gap 0) or infeasible, proven
    gap,         // the relative gap reached --gap
    time_limit,  // --time-limit (the solution, if any, is not proven within --gap)
};
const char* to_string(SelectionStatus status);

struct ConstraintValue {
    double value = 0;  // lhs at the solution (share: the ratio reached; 0 when nothing chosen)
    double bound = 0;  // share: the ratio asked
    double slack = 0;  // >= 0 when met: value - bound (at least) or bound - value (at most)
};

// Why a problem is infeasible: one entry per rule that cannot be met while all the others are.
struct Shortfall {
    ConstraintKind kind = ConstraintKind::target;
    std::size_t constraint = 0;    // index into problem.constraints (target..share kinds)
    std::string rule;              // the rule's name
    double bound = 0;              // what the rule asks (overlap: 0 pairs; lock_in: all locked)
    double best = 0;               // the best value reachable while every other rule holds
    double alone = 0;              // the best value reachable with no other rule at all
    bool others_feasible = false;  // false: the other rules conflict among themselves too
    std::string text;              // plain language
};

struct SelectionResult {
    SelectionStatus status = SelectionStatus::time_out;
    std::vector<char> selected;  // per candidate (empty when no solution)
    double objective = 0;
    double best_bound = 0;                // the solver's bound on the optimum
    double gap = 0;                       // |bound - objective| / max(|objective|, 1e-9)
    std::vector<ConstraintValue> values;  // per problem.constraints (when a solution exists)
    bool greedy_feasible = false;         // the greedy set, or SolveOptions::start when that was better
    bool start_used = false;              // greedy_* holds SolveOptions::start
    std::vector<char> greedy_selected;
    double greedy_objective = 0;
    std::vector<Shortfall> diagnosis;  // when infeasible
    double seconds = 0;                // main solve, wall clock
    double build_seconds = 0;          // of `seconds`: everything but CBC's own search (greedy
                                       // start, parts, building and loading the models)
    std::int64_t nodes = 0;            // branch-and-bound nodes, over all parts
    // > 0: solved as this many independent parts (group limits and overlaps connect a part;
    // targets, budgets and shares were met by the parts' optima together). 0: one model.
    std::size_t parts = 0;
    StopReason stopped_by = StopReason::proven;
};

// The value, bound and slack of every constraint for a given choice.
std::vector<ConstraintValue> evaluate(const SelectionProblem& problem, const std::vector<char>& chosen);
double objective_of(const SelectionProblem& problem, const std::vector<char>& chosen);
// True when `chosen` respects every rule (with a relative tolerance of 1e-9).
bool is_feasible(const SelectionProblem& problem, const std::vector<char>& chosen);

// Greedy: locked-in first, then candidates by objective per unit (per unit of budget used
// when maximising; per unit of target reached per cost when minimising), each taken when it
// breaks no upper limit, overlap or share rule. Feasible or not, the result is returned.
std::vector<char> greedy_selection(const SelectionProblem& problem);

// First tries the problem without its targets, budgets and share rules: that relaxation falls
// apart into independent parts, each solved on its own; when the parts' optima together meet
// those rules too, they are optimal for the whole problem. Otherwise the whole model is solved.
// Throws ruimte::Error(usage) on a malformed problem (sizes, lock-in of an unavailable
// candidate) and Error(internal) on a solver failure.
SelectionResult solve_selection(const SelectionProblem& problem, const SolveOptions& options);

}  // namespace ruimte
