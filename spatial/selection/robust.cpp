#include "spatial/selection/robust.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "spatial/core/error.hpp"
#include "spatial/selection/mip.hpp"

namespace ruimte {

namespace {

using Clock = std::chrono::steady_clock;

void check_cancel(const SolveOptions& o) {
    if (o.cancel && o.cancel->load(std::memory_order_relaxed)) throw Error(ErrorKind::cancelled, "interrupted");
}

Clock::time_point deadline_of(const SolveOptions& o, Clock::time_point now) {
    return o.started.value_or(now) +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.time_limit_s));
}

double dot(const std::vector<double>& v, const std::vector<char>& x) {
    double s = 0;
    for (std::size_t i = 0; i < v.size() && i < x.size(); ++i) s += x[i] ? v[i] : 0.0;
    return s;
}

}  // namespace

const char* to_string(Robustness r) {
    switch (r) {
        case Robustness::core: return "core";
        case Robustness::contested: return "contested";
        case Robustness::never: return "never";
    }
    return "?";
}

const char* to_string(PortfolioStop s) {
    switch (s) {
        case PortfolioStop::complete: return "complete";
        case PortfolioStop::exhausted: return "exhausted";
        case PortfolioStop::time_limit: return "time_limit";
        case PortfolioStop::infeasible: return "infeasible";
    }
    return "?";
}

std::vector<SelectionResult> solve_each(const SelectionProblem& problem,
                                        const std::vector<std::vector<double>>& objectives,
                                        const EachOptions& options) {
    const Clock::time_point deadline = deadline_of(options.solve, Clock::now());
    SelectionProblem p = problem;
    SolveOptions o = options.solve;
    if (!o.cache) o.cache = make_solve_cache();
    o.fast_parts = true;
    std::vector<SelectionResult> out;
    out.reserve(objectives.size());
    std::vector<char> previous;
    for (std::size_t d = 0; d < objectives.size(); ++d) {
        check_cancel(o);
        if (options.progress) options.progress(d, objectives.size());
        const double left = std::chrono::duration<double>(deadline - Clock::now()).count();
        if (left <= 0) {
            out.emplace_back();  // status time_out, no set
            out.back().stopped_by = StopReason::time_limit;
            continue;
        }
        p.objective = objectives[d];
        o.started = Clock::now();
        // Each solve may take up to a quarter of what is left (at least its equal share): a
        // share cut to the equal part stopped CBC in mid-LP on a busy machine, with no bound.
        o.time_limit_s = std::max(left / static_cast<double>(objectives.size() - d), 0.25 * left);
        o.start = options.warm_start ? previous : std::vector<char>{};
        o.diagnose = options.solve.diagnose && d == 0;  // the rules, hence feasibility, are the same for all
        out.push_back(solve_selection(p, o));
        if (!out.back().selected.empty()) previous = out.back().selected;
        if (out.back().status == SelectionStatus::infeasible) {
            // The same rules for every objective: every other draw is infeasible too.
            for (std::size_t e = d + 1; e < objectives.size(); ++e) {
                out.emplace_back();
                out.back().status = SelectionStatus::infeasible;
            }
            break;
        }
    }
    if (options.progress) options.progress(objectives.size(), objectives.size());
    return out;
}

std::vector<CandidateFrequency> selection_frequency(const std::vector<SelectionResult>& draws, std::size_t n,
                                                    double core_share) {
    std::vector<CandidateFrequency> out(n);
    std::size_t solved = 0;
    for (const auto& d : draws) {
        if (d.selected.size() != n) continue;
        ++solved;
        for (std::size_t i = 0; i < n; ++i) out[i].chosen += d.selected[i] ? 1 : 0;
    }
    for (auto& c : out) {
        c.frequency = solved ? static_cast<double>(c.chosen) / static_cast<double>(solved) : 0.0;
        c.robustness = c.chosen == 0 ? Robustness::never
                       : static_cast<double>(c.chosen) >= core_share * static_cast<double>(solved) - 1e-9
                           ? Robustness::core
                           : Robustness::contested;
    }
    return out;
}

std::vector<std::vector<double>> objective_kept(const std::vector<std::vector<double>>& objectives,
                                                const std::vector<SelectionResult>& own_sets) {
    const std::size_t g = objectives.size();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<std::vector<double>> kept(g, std::vector<double>(g, nan));
    for (std::size_t a = 0; a < g; ++a) {
        if (own_sets[a].selected.empty()) continue;
        for (std::size_t b = 0; b < g; ++b) {
            if (own_sets[b].selected.empty()) continue;
            const double own = dot(objectives[b], own_sets[b].selected);
            if (own > 0) kept[a][b] = dot(objectives[b], own_sets[a].selected) / own;
        }
    }
    return kept;
}

Compromise solve_compromise(const SelectionProblem& problem, const std::vector<std::vector<double>>& objectives,
                            const std::vector<double>& optima, const SolveOptions& o) {
    const Clock::time_point t0 = Clock::now();
    const Clock::time_point deadline = deadline_of(o, t0);
    const std::size_t n = problem.size();
    Compromise c;
    for (double v : optima) {
        if (!(v > 0)) {
            throw Error(ErrorKind::usage, "a compromise needs every group's optimum above 0", {},
                        "give every group weights under which some candidate scores above 0");
        }
    }
    check_cancel(o);
    Mip mip = selection_model(problem);
    std::fill(mip.obj.begin(), mip.obj.end(), 0.0);
    const auto t = static_cast<std::uint32_t>(mip.add_col(0.0, 2.0, -1.0, false));  // maximise t
    for (std::size_t g = 0; g < objectives.size(); ++g) {
        Terms row;
        for (std::size_t i = 0; i < n; ++i) {
            if (objectives[g][i] != 0 && problem.available[i])
                row.emplace_back(static_cast<std::uint32_t>(i), objectives[g][i]);
        }
        row.emplace_back(t, -optima[g]);
        mip.add_row(std::move(row), 0.0, std::numeric_limits<double>::infinity());
    }
    // A start: the group set (given as o.start) with its worst share as t.
    if (o.start.size() == n && is_feasible(problem, o.start)) {
        double worst = 2.0;
        for (std::size_t g = 0; g < objectives.size(); ++g)
            worst = std::min(worst, dot(objectives[g], o.start) / optima[g]);
        mip.start.assign(o.start.begin(), o.start.end());
        mip.start.push_back(std::max(0.0, worst));
    }
    const double left = std::chrono::duration<double>(deadline - Clock::now()).count();
    const MipResult r = solve_mip(mip, MipControl{std::max(0.01, left), o.relative_gap, o.seed, o.cancel});
    SelectionResult& res = c.result;
    res.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    res.nodes = r.nodes;
    if (r.proven_infeasible) {
        res.status = SelectionStatus::infeasible;
        return c;
    }
    std::vector<char> chosen(n, 0);
    if (r.has_solution) {
        for (std::size_t i = 0; i < n; ++i) chosen[i] = r.x[i] > 0.5 ? 1 : 0;
    }
    if (!r.has_solution || !is_feasible(problem, chosen)) {
        res.status = SelectionStatus::time_out;
        res.stopped_by = StopReason::time_limit;
        return c;
    }
    res.selected = chosen;
    c.worst_share = 2.0;
    for (std::size_t g = 0; g < objectives.size(); ++g) {
        c.share.push_back(dot(objectives[g], chosen) / optima[g]);
        c.worst_share = std::min(c.worst_share, c.share.back());
    }
    res.objective = c.worst_share;
    res.best_bound = r.stopped_in_lp ? 1.0 : std::min(1.0, -r.bound);
    res.gap = std::max(0.0, res.best_bound - res.objective) / std::max(res.objective, 1e-9);
    res.status = r.proven_optimal ? SelectionStatus::optimal : SelectionStatus::feasible;
    res.stopped_by = !r.proven_optimal ? StopReason::time_limit : res.gap > 1e-9 ? StopReason::gap : StopReason::proven;
    res.values = evaluate(problem, chosen);
    return c;
}

std::size_t set_difference(const std::vector<char>& a, const std::vector<char>& b) {
    std::size_t d = 0;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) d += (a[i] != 0) != (b[i] != 0) ? 1 : 0;
    return d;
}

Portfolio solve_portfolio(const SelectionProblem& problem, std::size_t k, std::size_t min_difference,
                          double portfolio_gap, const SolveOptions& options) {
    Portfolio out;
    SolveOptions o = options;
    if (!o.started) o.started = Clock::now();  // one deadline for every set
    const Clock::time_point deadline = deadline_of(o, Clock::now());
    SelectionResult first = solve_selection(problem, o);
    if (first.status == SelectionStatus::infeasible) {
        out.stop = PortfolioStop::infeasible;
        out.sets.push_back(std::move(first));
        return out;
    }
    if (first.selected.empty()) {
        out.stop = PortfolioStop::time_limit;
        return out;
    }
    const double best = first.objective;
    out.floor = problem.maximise ? best - portfolio_gap * std::fabs(best) : best + portfolio_gap * std::fabs(best);
    out.sets.push_back(std::move(first));
    SelectionProblem q = problem;
    SelectionConstraint floor;
    floor.kind = ConstraintKind::objective_floor;
    floor.name = std::string("objective ") + (problem.maximise ? ">= " : "<= ") + std::to_string(out.floor);
    floor.sense = problem.maximise ? Sense::at_least : Sense::at_most;
    for (std::size_t i = 0; i < problem.size(); ++i) {
        if (problem.objective[i] != 0) floor.terms.emplace_back(static_cast<std::uint32_t>(i), problem.objective[i]);
    }
    floor.bound = out.floor;
    q.constraints.push_back(std::move(floor));
    o.diagnose = false;
    o.cache.reset();  // the cuts join every candidate: one model
    while (out.sets.size() < k) {
        check_cancel(o);
        if (Clock::now() >= deadline) {
            out.stop = PortfolioStop::time_limit;
            return out;
        }
        const std::vector<char>& last = out.sets.back().selected;
        SelectionConstraint cut;
        cut.kind = ConstraintKind::difference;
        cut.name = "differs from set " + std::to_string(out.sets.size()) + " in at least " +
                   std::to_string(min_difference) + " candidate(s)";
        cut.sense = Sense::at_least;
        double in_set = 0;
        for (std::size_t i = 0; i < problem.size(); ++i) {
            cut.terms.emplace_back(static_cast<std::uint32_t>(i), last[i] ? -1.0 : 1.0);
            in_set += last[i] ? 1.0 : 0.0;
        }
        cut.bound = static_cast<double>(min_difference) - in_set;
        q.constraints.push_back(std::move(cut));
        SelectionResult next = solve_selection(q, o);
        if (next.status == SelectionStatus::infeasible) {
            out.stop = PortfolioStop::exhausted;
            return out;
        }
        if (next.selected.empty()) {
            out.stop = PortfolioStop::time_limit;
            return out;
        }
        next.values.resize(problem.constraints.size());  // the cuts are not the user's rules
        out.sets.push_back(std::move(next));
    }
    out.stop = PortfolioStop::complete;
    return out;
}

}  // namespace ruimte
