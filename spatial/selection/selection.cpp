#include "spatial/selection/selection.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <optional>

#include "spatial/core/error.hpp"
#include "spatial/selection/mip.hpp"
#include "spatial/selection/parts.hpp"

namespace ruimte {

const char* to_string(ConstraintKind kind) {
    switch (kind) {
        case ConstraintKind::target: return "target";
        case ConstraintKind::budget: return "budget";
        case ConstraintKind::group_min: return "group_min";
        case ConstraintKind::group_max: return "group_max";
        case ConstraintKind::share: return "share";
        case ConstraintKind::overlap: return "overlap";
        case ConstraintKind::lock_in: return "lock_in";
        case ConstraintKind::difference: return "difference";
        case ConstraintKind::objective_floor: return "objective_floor";
    }
    return "?";
}

const char* to_string(SelectionStatus status) {
    switch (status) {
        case SelectionStatus::optimal: return "optimal";
        case SelectionStatus::feasible: return "feasible";
        case SelectionStatus::infeasible: return "infeasible";
        case SelectionStatus::time_out: return "time_out";
    }
    return "?";
}

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

double lhs(const Terms& terms, const std::vector<char>& chosen) {
    double s = 0;
    for (const auto& [i, a] : terms) s += chosen[i] ? a : 0.0;
    return s;
}

// A relative tolerance for "the rule holds": the solver works to about 1e-7 absolute.
double tolerance(const SelectionConstraint& c) {
    return 1e-9 * std::max(1.0, std::fabs(c.bound)) + 1e-7;
}

bool holds(const SelectionConstraint& c, double value) {
    return c.sense == Sense::at_least ? value >= c.bound - tolerance(c) : value <= c.bound + tolerance(c);
}

std::string number(double v) {
    char buf[64];
    if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

using Clock = std::chrono::steady_clock;

void check_cancel(const SolveOptions& o) {
    if (o.cancel && o.cancel->load(std::memory_order_relaxed)) throw Error(ErrorKind::cancelled, "interrupted");
}

// Seconds left until `deadline` (may be negative).
double left_until(Clock::time_point deadline) {
    return std::chrono::duration<double>(deadline - Clock::now()).count();
}

std::string magnitude_limit() {
    return "the largest magnitude the solver handles is " + number(kMaxSolverMagnitude);
}

void validate(const SelectionProblem& p) {
    const std::size_t n = p.size();
    if (p.ids.size() != n || p.available.size() != n || p.locked_in.size() != n) {
        throw Error(ErrorKind::internal, "selection problem: per-candidate vectors differ in length");
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (p.locked_in[i] && !p.available[i]) {
            throw Error(ErrorKind::usage, "candidate " + p.ids[i] + " is locked in but is excluded or locked out", {},
                        "remove it from --lock-in, or from --lock-out; an excluded candidate cannot be chosen");
        }
        if (!std::isfinite(p.objective[i])) {
            throw Error(ErrorKind::input, "candidate " + p.ids[i] + " has no finite objective value", {},
                        "give the candidate a score and a value in the weight field");
        }
        if (std::fabs(p.objective[i]) > kMaxSolverMagnitude) {
            throw Error(
                ErrorKind::input,
                "candidate " + p.ids[i] + " has objective value " + number(p.objective[i]) + "; " + magnitude_limit(),
                {}, "express the field in larger units (e.g. thousands)");
        }
    }
    for (const auto& c : p.constraints) {
        for (const auto& [i, a] : c.terms) {
            if (i >= n)
                throw Error(ErrorKind::internal, "selection problem: constraint '" + c.name + "' names no candidate");
            if (!std::isfinite(a)) {
                throw Error(ErrorKind::input, "rule '" + c.name + "': candidate " + p.ids[i] + " has no finite value",
                            {}, "fill in the field for every candidate that can be chosen");
            }
            if (std::fabs(a) > kMaxSolverMagnitude) {
                throw Error(ErrorKind::input,
                            "rule '" + c.name + "': candidate " + p.ids[i] + " has value " + number(a) + "; " +
                                magnitude_limit(),
                            {}, "express the field in larger units (e.g. thousands)");
            }
        }
        if (!std::isfinite(c.bound) || std::fabs(c.bound) > kMaxSolverMagnitude) {
            throw Error(ErrorKind::usage,
                        "rule '" + c.name + "' asks for " + number(c.bound) + "; " + magnitude_limit(), {},
                        "give a bound between -" + number(kMaxSolverMagnitude) + " and " + number(kMaxSolverMagnitude));
        }
    }
    for (const auto& [i, j] : p.overlaps) {
        if (i >= n || j >= n || i == j) throw Error(ErrorKind::internal, "selection problem: bad overlap pair");
    }
}

// ---- the MIP and CBC ------------------------------------------------------------------

// Which rules the MIP leaves out or relaxes, and what it optimises.
struct Variant {
    std::size_t skip = static_cast<std::size_t>(-1);  // constraint left out
    bool relax_overlaps = false;                      // overlaps become counted violations (minimised)
    bool relax_lock_in = false;                       // locked-in candidates become wishes (maximised)
};

// Builds the model; the objective is set by the caller. Columns 0..n-1 are the candidates;
// with relax_overlaps, one more column per overlapping pair follows.
Mip build(const SelectionProblem& p, const Variant& v) {
    Mip mip;
    const std::size_t n = p.size();
    for (std::size_t i = 0; i < n; ++i) {
        const double lb = (p.locked_in[i] && !v.relax_lock_in) ? 1.0 : 0.0;
        mip.add_col(lb, p.available[i] ? 1.0 : 0.0, 0.0, true);
    }
    for (std::size_t k = 0; k < p.constraints.size(); ++k) {
        if (k == v.skip) continue;
        const auto& c = p.constraints[k];
        if (c.sense == Sense::at_least) mip.add_row(c.terms, c.bound, inf);
        else mip.add_row(c.terms, -inf, c.bound);
    }
    for (const auto& [i, j] : p.overlaps) {
        if (!p.available[i] || !p.available[j]) continue;
        if (v.relax_overlaps) {
            const std::size_t y = mip.add_col(0, 1, 0, false);
            mip.add_row({{i, 1.0}, {j, 1.0}, {static_cast<std::uint32_t>(y), -1.0}}, -inf, 1);
        } else {
            mip.add_row({{i, 1.0}, {j, 1.0}}, -inf, 1);
        }
    }
    return mip;
}

}  // namespace

Mip selection_model(const SelectionProblem& p) {
    validate(p);
    Mip mip = build(p, Variant{});
    for (std::size_t i = 0; i < p.size(); ++i) mip.obj[i] = (p.maximise ? -1.0 : 1.0) * p.objective[i];
    return mip;
}

namespace {

std::vector<char> rounded(const std::vector<double>& x, std::size_t n) {
    std::vector<char> out(n, 0);
    for (std::size_t i = 0; i < n; ++i) out[i] = x[i] > 0.5 ? 1 : 0;
    return out;
}

// The best value of a rule's measure with no other rule: each free candidate taken only when
// it helps.
double best_alone(const SelectionProblem& p, const SelectionConstraint& c) {
    double s = 0;
    for (const auto& [i, a] : c.terms) {
        if (p.locked_in[i]) s += a;
        else if (p.available[i]) s += c.sense == Sense::at_least ? std::max(0.0, a) : std::min(0.0, a);
    }
    return s;
}

std::string share_text(const SelectionConstraint& c, double best) {
    return "rule '" + c.name + "' cannot be met while the other rules hold: at best the numerator total minus " +
           number(c.ratio) + " x the denominator total reaches " + number(best) + " (" + number(-best) + " short of 0)";
}

// Stops (returning what it found so far) when `deadline` has passed.
std::vector<Shortfall> diagnose(const SelectionProblem& p, const SolveOptions& o, Clock::time_point deadline) {
    std::vector<Shortfall> out;
    const std::size_t n = p.size();
    std::size_t rules = p.constraints.size() + (p.overlaps.empty() ? 0 : 1);
    const std::size_t locked = static_cast<std::size_t>(std::count(p.locked_in.begin(), p.locked_in.end(), 1));
    if (locked) ++rules;
    const double per_rule = std::max(1.0, o.time_limit_s / static_cast<double>(std::max<std::size_t>(rules, 1)));
    auto control = [&] { return MipControl{std::min(per_rule, left_until(deadline)), 0, o.seed, o.cancel}; };
    auto out_of_time = [&] { return left_until(deadline) <= 0; };

    for (std::size_t k = 0; k < p.constraints.size(); ++k) {
        if (out_of_time()) return out;
        const auto& c = p.constraints[k];
        Variant v;
        v.skip = k;
        Mip mip = build(p, v);
        const double sign = c.sense == Sense::at_least ? -1.0 : 1.0;  // minimise sign * lhs
        for (const auto& [i, a] : c.terms) mip.obj[i] += sign * a;
        const MipResult r = solve_mip(mip, control());
        Shortfall s;
        s.kind = c.kind;
        s.constraint = k;
        s.rule = c.name;
        s.bound = c.bound;
        s.alone = best_alone(p, c);
        if (!r.has_solution) {
            if (holds(c, s.alone)) continue;  // the others conflict; this one alone is fine
            s.others_feasible = false;
            s.best = s.alone;
            s.text = "rule '" + c.name + "' cannot be met even on its own: at best " + number(s.alone) + " against " +
                     number(c.bound);
            out.push_back(std::move(s));
            continue;
        }
        s.others_feasible = true;
        // Not proven within the time: the solver's bound is the most that can be reached.
        s.best = r.proven_optimal ? lhs(c.terms, rounded(r.x, n)) : sign * r.bound;
        if (holds(c, s.best)) continue;
        if (c.kind == ConstraintKind::share) {
            s.text = share_text(c, s.best);
        } else {
            const double by = std::fabs(c.bound - s.best);
            s.text = "rule '" + c.name + "' cannot be met while the other rules hold: at best " + number(s.best) +
                     " against " + number(c.bound) + " (" + number(by) +
                     (c.sense == Sense::at_least ? " short)" : " over)");
        }
        if (!r.proven_optimal) s.text += " (bound from the solver; the search was not finished in time)";
        out.push_back(std::move(s));
    }

    if (!p.overlaps.empty() && !out_of_time()) {
        Variant v;
        v.relax_overlaps = true;
        Mip mip = build(p, v);
        for (std::size_t y = n; y < mip.cols(); ++y) mip.obj[y] = 1.0;
        const MipResult r = solve_mip(mip, control());
        if (r.has_solution) {
            const std::vector<char> chosen = rounded(r.x, n);
            std::size_t pairs = 0;
            std::string first;
            for (const auto& [i, j] : p.overlaps) {
                if (chosen[i] && chosen[j]) {
                    if (!pairs) first = p.ids[i] + " and " + p.ids[j];
                    ++pairs;
                }
            }
            if (pairs > 0) {
                Shortfall s;
                s.kind = ConstraintKind::overlap;
                s.rule = "no two overlapping candidates";
                s.bound = 0;
                s.best = static_cast<double>(pairs);
                s.others_feasible = true;
                s.text = "the overlap rule cannot be met while the other rules hold: at least " +
                         std::to_string(pairs) + " overlapping pair(s) would have to be chosen (for example " + first +
                         ")";
                out.push_back(std::move(s));
            }
        }
    }

    if (locked && !out_of_time()) {
        Variant v;
        v.relax_lock_in = true;
        Mip mip = build(p, v);
        for (std::size_t i = 0; i < n; ++i) mip.obj[i] = p.locked_in[i] ? -1.0 : 0.0;
        const MipResult r = solve_mip(mip, control());
        if (r.has_solution) {
            const std::vector<char> chosen = rounded(r.x, n);
            std::size_t kept = 0;
            std::string dropped;
            for (std::size_t i = 0; i < n; ++i) {
                if (!p.locked_in[i]) continue;
                if (chosen[i]) ++kept;
                else dropped += (dropped.empty() ? "" : ", ") + p.ids[i];
            }
            if (kept < locked) {
                Shortfall s;
                s.kind = ConstraintKind::lock_in;
                s.rule = "locked-in candidates";
                s.bound = static_cast<double>(locked);
                s.best = static_cast<double>(kept);
                s.alone = static_cast<double>(locked);
                s.others_feasible = true;
                s.text = "the lock-in cannot be met while the other rules hold: at most " + std::to_string(kept) +
                         " of the " + std::to_string(locked) +
                         " locked-in candidates fit (left out for example: " + dropped + ")";
                out.push_back(std::move(s));
            }
        }
    }
    return out;
}

// ---- decomposition --------------------------------------------------------------------
//
// Targets, budgets and share rules run over every candidate and tie the whole problem
// together; group limits and overlaps tie only a few candidates. Leaving the linking rules out
// gives a relaxation that falls apart into independent parts (connected by group limits and
// overlaps), each a small model. When the parts' optima together also meet the linking rules,
// they are an optimum of the whole problem: no selection can do better than the relaxation.
// Otherwise the whole model is solved, and the relaxation's bound still holds for it.

bool links_everything(ConstraintKind kind) {
    return kind == ConstraintKind::target || kind == ConstraintKind::budget || kind == ConstraintKind::share ||
           kind == ConstraintKind::difference || kind == ConstraintKind::objective_floor;
}

// True when no choice of the free candidates can break the rule (exact: no tolerance).
bool always_holds(const SelectionProblem& p, const SelectionConstraint& c) {
    double lo = 0, hi = 0;
    for (const auto& [i, a] : c.terms) {
        if (p.locked_in[i]) {
            lo += a;
            hi += a;
        } else if (p.available[i]) {
            lo += std::min(0.0, a);
            hi += std::max(0.0, a);
        }
    }
    return c.sense == Sense::at_most ? hi <= c.bound : lo >= c.bound;
}

// A bound on the objective that no rule can break, in the problem's own sense (the most a
// maximisation can reach, the least a minimisation can): for a solver result stopped in
// mid-LP, whose own bound cannot be trusted.
double trivial_bound(const SelectionProblem& p, const std::vector<std::uint32_t>& members) {
    double s = 0;
    for (std::uint32_t i : members) {
        const double v = p.objective[i];
        if (p.locked_in[i]) s += v;
        else if (p.available[i]) s += p.maximise ? std::max(0.0, v) : std::min(0.0, v);
    }
    return s;
}

}  // namespace

struct SolveCache {
    std::vector<selection_detail::Part> parts;
    // Set by the first solve; after it the cache is only read (the threads of solve_each share
    // it), even when the problem has no parts at all.
    bool filled = false;
};

std::shared_ptr<SolveCache> make_solve_cache() {
    return std::make_shared<SolveCache>();
}

namespace {

using selection_detail::knapsack_part;
using selection_detail::Part;

std::vector<Part> independent_parts(const SelectionProblem& p) {
    const std::size_t n = p.size();
    std::vector<std::uint32_t> parent(n);
    std::iota(parent.begin(), parent.end(), 0u);
    auto find = [&](std::uint32_t i) {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    };
    auto unite = [&](std::uint32_t a, std::uint32_t b) {
        a = find(a);
        b = find(b);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
    };
    std::vector<std::size_t> local;
    for (std::size_t k = 0; k < p.constraints.size(); ++k) {
        const auto& c = p.constraints[k];
        if (links_everything(c.kind) || always_holds(p, c)) continue;
        local.push_back(k);
        std::uint32_t first = static_cast<std::uint32_t>(-1);
        for (const auto& [i, a] : c.terms) {
            if (!p.available[i] || a == 0) continue;
            if (first == static_cast<std::uint32_t>(-1)) first = i;
            else unite(first, i);
        }
    }
    for (const auto& [i, j] : p.overlaps) {
        if (p.available[i] && p.available[j]) unite(i, j);
    }
    std::vector<std::size_t> part_of(n, static_cast<std::size_t>(-1));
    std::vector<Part> parts;
    for (std::uint32_t i = 0; i < n; ++i) {
        if (!p.available[i]) continue;
        const std::uint32_t r = find(i);
        if (part_of[r] == static_cast<std::size_t>(-1)) {
            part_of[r] = parts.size();
            parts.emplace_back();
        }
        part_of[i] = part_of[r];
        parts[part_of[i]].members.push_back(i);
    }
    for (std::size_t k : local) {
        // A rule with no available candidate in it still has to hold (it may be unmeetable).
        std::size_t where = static_cast<std::size_t>(-1);
        for (const auto& [i, a] : p.constraints[k].terms) {
            if (p.available[i] && a != 0) {
                where = part_of[i];
                break;
            }
        }
        if (where == static_cast<std::size_t>(-1)) {
            parts.emplace_back();
            where = parts.size() - 1;
        }
        parts[where].constraints.push_back(k);
    }
    for (std::size_t e = 0; e < p.overlaps.size(); ++e) {
        const auto& [i, j] = p.overlaps[e];
        if (p.available[i] && p.available[j]) parts[part_of[i]].overlaps.push_back(e);
    }
    return parts;
}

struct Decomposed {
    bool solved = false;       // every part has a solution (or a part is proven infeasible)
    bool infeasible = false;   // a part is proven infeasible: so is the whole problem
    bool all_optimal = false;  // every part proven optimal (within the gap)
    std::vector<char> selected;
    double bound = 0;  // on the relaxation's optimum, in the problem's own sense
    std::size_t parts = 0;
    std::int64_t nodes = 0;
    double cbc_seconds = 0;  // in CBC's search (the rest is building the models)
};

// ---- parts decided without CBC (SolveOptions::fast_parts) ----------------------------

// The part's own rules (local constraints, overlaps, locks) hold for `x` (whole-problem
// indexing; only the part's members are looked at).
bool part_feasible(const SelectionProblem& p, const Part& part, const std::vector<char>& x) {
    for (std::uint32_t i : part.members) {
        if (p.locked_in[i] && !x[i]) return false;
    }
    for (std::size_t k : part.constraints) {
        if (!holds(p.constraints[k], lhs(p.constraints[k].terms, x))) return false;
    }
    for (std::size_t e : part.overlaps) {
        if (x[p.overlaps[e].first] && x[p.overlaps[e].second]) return false;
    }
    return true;
}

double part_value(const SelectionProblem& p, const Part& part, const std::vector<char>& x) {
    double s = 0;
    for (std::uint32_t i : part.members) s += x[i] ? p.objective[i] : 0.0;
    return s;
}

constexpr std::size_t kEnumerateMembers = 14;

// The exact optimum of a small part by enumeration (the first best subset in mask order):
// writes it into x and returns true, or false when no subset meets the part's rules.
bool enumerate_part(const SelectionProblem& p, const Part& part, std::vector<char>& x) {
    const std::size_t m = part.members.size();
    bool found = false;
    double best = 0;
    std::uint32_t best_mask = 0;
    for (std::uint32_t mask = 0; mask < (1u << m); ++mask) {
        for (std::size_t c = 0; c < m; ++c) x[part.members[c]] = (mask >> c & 1u) ? 1 : 0;
        if (!part_feasible(p, part, x)) continue;
        const double v = part_value(p, part, x);
        if (!found || (p.maximise ? v > best + 1e-12 * std::fabs(best) : v < best - 1e-12 * std::fabs(best))) {
            found = true;
            best = v;
            best_mask = mask;
        }
    }
    for (std::size_t c = 0; c < m; ++c) x[part.members[c]] = (best_mask >> c & 1u) ? 1 : 0;
    return found;
}

// An upper bound on a maximised part: the fractional knapsack over each of its upper limits
// with nonnegative coefficients (overlaps, minima and the other limits relaxed), the least of
// them; no such limit: every positive value.
double fractional_bound(const SelectionProblem& p, const Part& part) {
    double fixed = 0, free_sum = 0;
    for (std::uint32_t i : part.members) {
        if (p.locked_in[i]) fixed += p.objective[i];
        else free_sum += std::max(0.0, p.objective[i]);
    }
    double best = fixed + free_sum;
    for (std::size_t k : part.constraints) {
        const auto& c = p.constraints[k];
        if (c.sense != Sense::at_most) continue;
        bool usable = true;
        std::vector<std::pair<double, double>> items;  // (value, weight) of free candidates
        double room = c.bound, bound = fixed;
        std::vector<double> weight(p.size(), 0.0);
        for (const auto& [i, a] : c.terms) {
            if (a < 0) usable = false;
            weight[i] += a;
        }
        if (!usable) continue;
        for (std::uint32_t i : part.members) {
            if (p.locked_in[i]) {
                room -= weight[i];
            } else if (p.objective[i] > 0) {
                if (weight[i] <= 0) bound += p.objective[i];
                else items.emplace_back(p.objective[i], weight[i]);
            }
        }
        if (room < 0) continue;  // the locked-in candidates break it: leave it to the solver
        std::sort(items.begin(), items.end(),
                  [](const auto& a, const auto& b) { return a.first * b.second > b.first * a.second; });
        for (const auto& [v, w] : items) {
            if (room <= 0) break;
            const double take = std::min(1.0, room / w);
            bound += take * v;
            room -= take * w;
        }
        best = std::min(best, bound);
    }
    return best;
}

// Solves the relaxation part by part until `deadline`; parts with one candidate and no rule
// are decided directly. With o.fast_parts, parts of at most kEnumerateMembers candidates are
// enumerated (exact), and, maximising with a relative gap above 0, a part whose start set
// comes close to its fractional bound keeps that set without CBC: as long as those parts
// together stay within half the gap (of the whole objective) of their bounds; the parts CBC
// solves get the other half.
Decomposed solve_parts(const SelectionProblem& p, const std::vector<Part>& parts, const std::vector<char>& start,
                       Clock::time_point deadline, const SolveOptions& o) {
    const double sign = p.maximise ? -1.0 : 1.0;  // CBC minimises
    Decomposed d;
    d.selected.assign(p.size(), 0);
    d.parts = parts.size();
    d.all_optimal = true;
    const bool defer = o.fast_parts && p.maximise && o.relative_gap > 0 && !start.empty();
    const double cbc_gap = defer ? o.relative_gap / 2 : o.relative_gap;
    std::vector<std::uint32_t> column(p.size(), 0);  // candidate -> column of its part's model
    // Returns false when the problem is decided (infeasible) or the time ran out.
    auto by_cbc = [&](const Part& part) {
        Mip mip;
        for (std::uint32_t i : part.members) {
            column[i] =
                static_cast<std::uint32_t>(mip.add_col(p.locked_in[i] ? 1.0 : 0.0, 1.0, sign * p.objective[i], true));
        }
        for (std::size_t k : part.constraints) {
            const auto& c = p.constraints[k];
            Terms t;
            for (const auto& [i, a] : c.terms) {
                if (p.available[i] && a != 0) t.emplace_back(column[i], a);
            }
            if (c.sense == Sense::at_least) mip.add_row(std::move(t), c.bound, inf);
            else mip.add_row(std::move(t), -inf, c.bound);
        }
        for (std::size_t e : part.overlaps) {
            mip.add_row({{column[p.overlaps[e].first], 1.0}, {column[p.overlaps[e].second], 1.0}}, -inf, 1);
        }
        if (!start.empty()) {
            for (std::uint32_t i : part.members) mip.start.push_back(start[i] ? 1.0 : 0.0);
        }
        const MipResult r = solve_mip(mip, MipControl{std::max(0.01, left_until(deadline)), cbc_gap, o.seed, o.cancel});
        d.nodes += r.nodes;
        d.cbc_seconds += r.seconds - r.build_seconds;
        if (r.proven_infeasible) {
            d.solved = d.infeasible = true;
            return false;
        }
        if (!r.has_solution) return false;  // out of time
        for (std::size_t c = 0; c < part.members.size(); ++c) d.selected[part.members[c]] = r.x[c] > 0.5 ? 1 : 0;
        d.bound += r.stopped_in_lp ? trivial_bound(p, part.members) : sign * r.bound;
        if (!r.proven_optimal) d.all_optimal = false;
        return true;
    };
    struct Deferred {
        const Part* part;
        double value, bound;
    };
    std::vector<Deferred> deferred;
    double total = 0;  // the objective of the parts decided so far and of the deferred starts
    for (const Part& part : parts) {
        check_cancel(o);
        if (part.members.empty()) {  // a rule over no free candidate that does not hold
            d.solved = d.infeasible = true;
            return d;
        }
        if (part.members.size() == 1 && part.constraints.empty()) {
            const std::uint32_t i = part.members[0];
            const bool take = p.locked_in[i] || sign * p.objective[i] < 0;
            d.selected[i] = take ? 1 : 0;
            d.bound += take ? p.objective[i] : 0.0;
            total += take ? p.objective[i] : 0.0;
            continue;
        }
        if (o.fast_parts && part.members.size() <= kEnumerateMembers) {
            if (!enumerate_part(p, part, d.selected)) {
                d.solved = d.infeasible = true;
                return d;
            }
            const double v = part_value(p, part, d.selected);
            d.bound += v;
            total += v;
            continue;
        }
        if (o.fast_parts) {
            const int k = knapsack_part(p, part, d.selected);
            if (k < 0) {
                d.solved = d.infeasible = true;
                return d;
            }
            if (k > 0) {
                const double v = part_value(p, part, d.selected);
                d.bound += v;
                total += v;
                continue;
            }
        }
        if (defer && part_feasible(p, part, start)) {
            const double v = part_value(p, part, start);
            deferred.push_back({&part, v, std::max(v, fractional_bound(p, part))});
            total += v;
            continue;
        }
        if (!by_cbc(part)) return d;
        total += part_value(p, part, d.selected);
    }
    // The deferred parts closest to their bounds keep their start sets within half the gap.
    std::stable_sort(deferred.begin(), deferred.end(),
                     [](const Deferred& a, const Deferred& b) { return a.bound - a.value < b.bound - b.value; });
    double allowed = 0.5 * o.relative_gap * std::fabs(total);
    for (const Deferred& part : deferred) {
        check_cancel(o);
        const double slack = part.bound - part.value;
        if (slack <= allowed) {
            allowed -= slack;
            for (std::uint32_t i : part.part->members) d.selected[i] = start[i];
            d.bound += part.bound;
            if (slack > 0) d.all_optimal = false;
            continue;
        }
        if (!by_cbc(*part.part)) return d;
    }
    d.solved = true;
    return d;
}

}  // namespace

std::vector<ConstraintValue> evaluate(const SelectionProblem& p, const std::vector<char>& chosen) {
    std::vector<ConstraintValue> out;
    out.reserve(p.constraints.size());
    for (const auto& c : p.constraints) {
        ConstraintValue v;
        if (c.kind == ConstraintKind::share) {
            const double num = lhs(c.numerator, chosen), den = lhs(c.denominator, chosen);
            v.value = den > 0 ? num / den : 0.0;
            v.bound = c.ratio;
            v.slack = den > 0 ? v.value - v.bound : 0.0;  // nothing chosen: the rule holds trivially
        } else {
            v.value = lhs(c.terms, chosen);
            v.bound = c.bound;
            v.slack = c.sense == Sense::at_least ? v.value - v.bound : v.bound - v.value;
        }
        out.push_back(v);
    }
    return out;
}

double objective_of(const SelectionProblem& p, const std::vector<char>& chosen) {
    double s = 0;
    for (std::size_t i = 0; i < p.size(); ++i) s += chosen[i] ? p.objective[i] : 0.0;
    return s;
}

bool is_feasible(const SelectionProblem& p, const std::vector<char>& chosen) {
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (chosen[i] && !p.available[i]) return false;
        if (!chosen[i] && p.locked_in[i]) return false;
    }
    for (const auto& c : p.constraints) {
        if (!holds(c, lhs(c.terms, chosen))) return false;
    }
    for (const auto& [i, j] : p.overlaps) {
        if (chosen[i] && chosen[j]) return false;
    }
    return true;
}

std::vector<char> greedy_selection(const SelectionProblem& p) {
    const std::size_t n = p.size();
    std::vector<char> chosen(n, 0);
    for (std::size_t i = 0; i < n; ++i) chosen[i] = p.locked_in[i] && p.available[i];

    // Per candidate: its share of every upper limit, and its share of every lower target.
    std::vector<double> use(n, 0.0), benefit(n, 0.0);
    for (const auto& c : p.constraints) {
        if (c.kind == ConstraintKind::share || std::fabs(c.bound) < 1e-12) continue;
        for (const auto& [i, a] : c.terms) {
            if (c.sense == Sense::at_most) use[i] += std::max(0.0, a) / std::fabs(c.bound);
            else if (c.kind == ConstraintKind::target) benefit[i] += std::max(0.0, a) / std::fabs(c.bound);
        }
    }
    std::vector<double> key(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        if (p.maximise) key[i] = p.objective[i] / std::max(use[i], 1e-9);
        else key[i] = benefit[i] / std::max(p.objective[i], 1e-9);
    }
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < n; ++i) {
        if (p.available[i] && !chosen[i]) order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key[a] > key[b]; });

    std::vector<std::vector<std::uint32_t>> partners(n);
    for (const auto& [i, j] : p.overlaps) {
        partners[i].push_back(j);
        partners[j].push_back(i);
    }
    std::vector<double> value(p.constraints.size());
    for (std::size_t k = 0; k < p.constraints.size(); ++k) value[k] = lhs(p.constraints[k].terms, chosen);
    std::vector<std::vector<std::pair<std::size_t, double>>> column(n);  // (constraint, coefficient)
    for (std::size_t k = 0; k < p.constraints.size(); ++k) {
        for (const auto& [i, a] : p.constraints[k].terms) column[i].emplace_back(k, a);
    }
    auto unmet_lower = [&] {
        for (std::size_t k = 0; k < p.constraints.size(); ++k) {
            const auto& c = p.constraints[k];
            if (c.sense == Sense::at_least && c.kind != ConstraintKind::share && !holds(c, value[k])) return true;
        }
        return false;
    };
    // Takes i when no upper limit, share rule or overlap breaks; `need`: only when it helps an
    // unmet target or group minimum.
    auto try_take = [&](std::size_t i, bool need) {
        for (std::uint32_t j : partners[i]) {
            if (chosen[j]) return;
        }
        bool helps = false;
        for (const auto& [k, a] : column[i]) {
            const auto& c = p.constraints[k];
            const double after = value[k] + a;
            if (c.sense == Sense::at_most && !holds(c, after) && a > 0) return;
            if (c.kind == ConstraintKind::share && !holds(c, after) && a < 0) return;
            if (c.sense == Sense::at_least && c.kind != ConstraintKind::share && !holds(c, value[k]) && a > 0)
                helps = true;
        }
        if (need && !helps) return;
        chosen[i] = 1;
        for (const auto& [k, a] : column[i]) value[k] += a;
    };
    if (p.maximise) {
        for (std::size_t i : order) {
            if (p.objective[i] > 0) try_take(i, false);
        }
        for (std::size_t i : order) {
            if (!unmet_lower()) break;
            if (!chosen[i]) try_take(i, true);
        }
    } else {
        for (std::size_t i : order) {
            if (!unmet_lower()) break;
            try_take(i, true);
        }
    }
    return chosen;
}

namespace {

// Fills in a result from a solution: the greedy start replaces it when better (a search cut
// short by the time limit), then the gap against `bound`, the status and the rules' values.
void settle(SelectionResult& res, const SelectionProblem& p, std::vector<char> selected, double bound, bool proven,
            const SolveOptions& o) {
    res.selected = std::move(selected);
    res.objective = objective_of(p, res.selected);
    if (res.greedy_feasible &&
        (p.maximise ? res.greedy_objective > res.objective : res.greedy_objective < res.objective)) {
        res.selected = res.greedy_selected;
        res.objective = res.greedy_objective;
    }
    res.best_bound = bound;
    res.gap = std::fabs(res.best_bound - res.objective) / std::max(std::fabs(res.objective), 1e-9);
    if (proven && res.gap < 1e-9) res.gap = 0;
    res.status = proven || res.gap <= o.relative_gap ? SelectionStatus::optimal : SelectionStatus::feasible;
    res.stopped_by = res.status == SelectionStatus::feasible ? StopReason::time_limit
                     : res.gap > 0                           ? StopReason::gap
                                                             : StopReason::proven;
    res.values = evaluate(p, res.selected);
}

}  // namespace

SelectionResult solve_selection(const SelectionProblem& p, const SolveOptions& o) {
    // The time limit covers everything from here (or from o.started): the greedy start, the
    // parts, building the models and CBC's search.
    const Clock::time_point t0 = Clock::now();
    const Clock::time_point deadline = o.started.value_or(t0) + std::chrono::duration_cast<Clock::duration>(
                                                                    std::chrono::duration<double>(o.time_limit_s));
    validate(p);
    check_cancel(o);
    const std::size_t n = p.size();
    SelectionResult res;
    double cbc_seconds = 0;  // in CBC's own search
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
    auto finish = [&] {
        res.seconds = elapsed();
        res.build_seconds = std::max(0.0, res.seconds - cbc_seconds);
    };

    res.greedy_selected = greedy_selection(p);
    res.greedy_feasible = is_feasible(p, res.greedy_selected);
    res.greedy_objective = objective_of(p, res.greedy_selected);
    if (o.start.size() == n && is_feasible(p, o.start)) {
        const double v = objective_of(p, o.start);
        if (!res.greedy_feasible || (p.maximise ? v > res.greedy_objective : v < res.greedy_objective)) {
            res.greedy_selected = o.start;
            res.greedy_objective = v;
            res.greedy_feasible = res.start_used = true;
        }
    }
    check_cancel(o);

    const double sign = p.maximise ? -1.0 : 1.0;  // CBC minimises
    std::vector<Part> own_parts;
    if (!o.cache || !o.cache->filled) own_parts = independent_parts(p);
    if (o.cache && !o.cache->filled) {
        o.cache->parts = std::move(own_parts);
        o.cache->filled = true;
    }
    const std::vector<Part>& parts = o.cache ? o.cache->parts : own_parts;
    std::optional<double> relaxed_bound;  // from the parts, when they were all solved
    if (parts.size() > 1) {
        const Decomposed d =
            solve_parts(p, parts, res.greedy_feasible ? res.greedy_selected : std::vector<char>{}, deadline, o);
        res.nodes = d.nodes;
        cbc_seconds += d.cbc_seconds;
        if (d.infeasible) {
            finish();
            res.parts = d.parts;
            res.status = SelectionStatus::infeasible;
            if (o.diagnose) res.diagnosis = diagnose(p, o, deadline);
            return res;
        }
        if (d.solved && is_feasible(p, d.selected)) {
            finish();
            res.parts = d.parts;
            settle(res, p, d.selected, d.bound, d.all_optimal, o);
            return res;
        }
        if (d.solved) relaxed_bound = d.bound;
    }

    check_cancel(o);
    Mip mip = build(p, Variant{});
    for (std::size_t i = 0; i < n; ++i) mip.obj[i] = sign * p.objective[i];
    if (res.greedy_feasible) { mip.start.assign(res.greedy_selected.begin(), res.greedy_selected.end()); }
    const MipResult r =
        solve_mip(mip, MipControl{std::max(0.01, left_until(deadline)), o.relative_gap, o.seed, o.cancel});
    cbc_seconds += r.seconds - r.build_seconds;
    finish();
    res.nodes += r.nodes;
    // The relaxation's bound holds for the whole problem too; keep the tighter one.
    std::vector<std::uint32_t> everyone(n);
    std::iota(everyone.begin(), everyone.end(), 0u);
    double bound = r.stopped_in_lp ? trivial_bound(p, everyone) : sign * r.bound;
    if (relaxed_bound) bound = p.maximise ? std::min(bound, *relaxed_bound) : std::max(bound, *relaxed_bound);

    std::vector<char> chosen = r.has_solution ? rounded(r.x, n) : std::vector<char>{};
    // After an LP stopped at the deadline CBC may hand back a solution that breaks a rule: it
    // is dropped (the greedy start or time_out below). Otherwise that is a solver failure.
    const bool usable = r.has_solution && is_feasible(p, chosen);
    if (r.has_solution && !usable && !r.stopped_in_lp) {
        throw Error(ErrorKind::internal, "the CBC solution breaks a rule after rounding", {},
                    "report the command line; scaling the fields (e.g. homes in thousands) may work around it");
    }
    if (usable) {
        settle(res, p, std::move(chosen), bound, r.proven_optimal, o);
    } else if (r.proven_infeasible) {
        res.status = SelectionStatus::infeasible;
        if (o.diagnose) res.diagnosis = diagnose(p, o, deadline);
    } else if (res.greedy_feasible) {
        // CBC found nothing in time, but the greedy start is a solution.
        settle(res, p, res.greedy_selected, bound, false, o);
        res.status = SelectionStatus::feasible;
        res.stopped_by = StopReason::time_limit;
    } else {
        res.status = SelectionStatus::time_out;
        res.stopped_by = StopReason::time_limit;
    }
    return res;
}

}  // namespace ruimte
