#include "spatial/selection/robust.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

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

namespace {

// The draws after the first are solved in blocks of this many, each block by one thread; a
// block's first draw starts from the first draw's set and every other draw from the one before
// it, so the sets do not depend on the number of threads.
constexpr std::size_t kBlock = 16;

// What the threads of solve_each share.
struct EachRun {
    EachRun(const SelectionProblem& p, const std::vector<std::vector<double>>& obj, const EachOptions& opt,
            Clock::time_point end, std::vector<SelectionResult>& results)
        : problem(p), objectives(obj), options(opt), solve(opt.solve), deadline(end), out(results) {}
    const SelectionProblem& problem;
    const std::vector<std::vector<double>>& objectives;
    const EachOptions& options;
    SolveOptions solve;  // with the cache filled
    Clock::time_point deadline;
    std::vector<SelectionResult>& out;
    std::atomic<std::size_t> next_block{0}, started{0}, done{0};
    std::atomic<bool> stop{false};  // infeasible, or a thread failed
    std::mutex failure_mutex;
    std::exception_ptr failure;
};

// Solves draw d from `start`; false when the problem is infeasible (then every draw is).
bool solve_one(EachRun& run, SelectionProblem& p, SolveOptions& o, std::size_t d, const std::vector<char>& start) {
    const std::size_t total = run.objectives.size();
    const double left = std::chrono::duration<double>(run.deadline - Clock::now()).count();
    const std::size_t remaining = total - std::min(total, run.started.fetch_add(1));
    if (left <= 0) {
        run.out[d] = SelectionResult{};  // status time_out, no set
        run.out[d].stopped_by = StopReason::time_limit;
        return true;
    }
    p.objective = run.objectives[d];
    o.started = Clock::now();
    // Each solve may take up to a quarter of what is left (at least its equal share): a share
    // cut to the equal part stopped CBC in mid-LP on a busy machine, with no bound.
    o.time_limit_s = std::max(left / static_cast<double>(std::max<std::size_t>(remaining, 1)), 0.25 * left);
    o.start = run.options.warm_start ? start : std::vector<char>{};
    run.out[d] = solve_selection(p, o);
    return run.out[d].status != SelectionStatus::infeasible;
}

// One thread: takes blocks until none is left; thread 0 reports the progress.
void each_worker(EachRun& run, unsigned thread) {
    try {
        SelectionProblem p = run.problem;
        SolveOptions o = run.solve;
        o.diagnose = false;  // the rules, hence feasibility, are those of the first draw
        const std::size_t total = run.objectives.size();
        for (;;) {
            const std::size_t first = 1 + kBlock * run.next_block.fetch_add(1);
            if (first >= total || run.stop.load()) return;
            std::vector<char> previous = run.out[0].selected;
            for (std::size_t d = first; d < std::min(total, first + kBlock) && !run.stop.load(); ++d) {
                check_cancel(o);
                if (thread == 0 && run.options.progress) run.options.progress(run.done.load(), total);
                if (!solve_one(run, p, o, d, previous)) run.stop = true;
                if (!run.out[d].selected.empty()) previous = run.out[d].selected;
                run.done.fetch_add(1);
            }
        }
    } catch (...) {
        const std::lock_guard<std::mutex> lock(run.failure_mutex);
        if (!run.failure) run.failure = std::current_exception();
        run.stop = true;
    }
}

}  // namespace

std::vector<SelectionResult> solve_each(const SelectionProblem& problem,
                                        const std::vector<std::vector<double>>& objectives,
                                        const EachOptions& options) {
    std::vector<SelectionResult> out(objectives.size());
    if (objectives.empty()) return out;
    EachRun run(problem, objectives, options, deadline_of(options.solve, Clock::now()), out);
    if (!run.solve.cache) run.solve.cache = make_solve_cache();
    run.solve.fast_parts = true;
    check_cancel(run.solve);
    if (options.progress) options.progress(0, objectives.size());
    // The first draw alone: it fills the cache of parts that the threads then share, and its
    // set is the start of every block.
    SelectionProblem p = problem;
    SolveOptions o = run.solve;
    const bool feasible = solve_one(run, p, o, 0, {});
    run.done = 1;
    if (feasible) {
        const unsigned threads = std::max(
            1u,
            std::min<unsigned>(options.threads, static_cast<unsigned>((objectives.size() - 1 + kBlock - 1) / kBlock)));
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < threads; ++t) pool.emplace_back(each_worker, std::ref(run), t);
        each_worker(run, 0);
        for (auto& t : pool) t.join();
        if (run.failure) std::rethrow_exception(run.failure);
    }
    const bool infeasible = std::any_of(
        out.begin(), out.end(), [](const SelectionResult& r) { return r.status == SelectionStatus::infeasible; });
    if (infeasible) {
        // The same rules for every objective: every draw is infeasible (the first one diagnosed).
        for (std::size_t d = 0; d < out.size(); ++d) {
            if (out[d].status == SelectionStatus::infeasible) continue;
            out[d] = SelectionResult{};
            out[d].status = SelectionStatus::infeasible;
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
