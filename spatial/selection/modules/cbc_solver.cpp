// The module libruimte_cbc.so: ruimte's one use of COIN-OR CBC, kept out of the `ruimte` binary
// so that only `select` (and what else solves a MIP) loads CBC's libraries (spatial/mip.hpp).
#include <coin/CbcEventHandler.hpp>
#include <coin/CbcModel.hpp>
#include <coin/CbcSolver.hpp>
#include <coin/ClpEventHandler.hpp>
#include <coin/ClpSolve.hpp>
#include <coin/CoinError.hpp>
#include <coin/OsiClpSolverInterface.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "spatial/selection/mip.hpp"

namespace ruimte {

namespace {

using Clock = std::chrono::steady_clock;

// Ctrl-C (control.cancel) and the wall-clock deadline, asked by CBC at every node and event of
// its search; CBC ends the search and keeps its best solution. CBC's own clock (`-sec`, checked
// in phases that call no event, such as rounds of root cuts and heuristics) starts with its
// branch and bound, after the model was built and the root LP solved: seconds after this
// deadline's start, so its limit fell that much later (at 50,000 candidates a run with
// --time-limit 60 took 76 s). At every event the deadline is given to the calling model in
// its own clock, so those phases stop at the same moment.
class StopHandler : public CbcEventHandler {
  public:
    StopHandler(const std::atomic<bool>* cancel, Clock::time_point deadline, bool* timed_out)
        : cancel_(cancel), deadline_(deadline), timed_out_(timed_out) {}
    CbcAction event(CbcEvent) override { return verdict(); }
    CbcAction event(CbcEvent, void*) override { return verdict(); }
    CbcEventHandler* clone() const override { return new StopHandler(*this); }

  private:
    CbcAction verdict() const {
        if (cancel_ && cancel_->load(std::memory_order_relaxed)) return stop;
        const auto now = Clock::now();
        if (model_) {
            const double left = std::chrono::duration<double>(deadline_ - now).count();
            model_->setMaximumSeconds(std::max(0.0, model_->getCurrentSeconds() + left));
        }
        if (now >= deadline_) {
            *timed_out_ = true;
            return stop;
        }
        return noAction;
    }
    const std::atomic<bool>* cancel_;
    Clock::time_point deadline_;
    bool* timed_out_;
};

// The same inside every LP solve (the root LP, its cut rounds and the heuristics' LPs take
// seconds on a large model without an event of CBC's): Clp stops at the next iteration. After
// Ctrl-C the result is thrown away; after the deadline the flag `timed_out` makes the caller
// trust nothing but CBC's best solution (no proof of optimality or infeasibility).
class LpStopHandler : public ClpEventHandler {
  public:
    LpStopHandler(const std::atomic<bool>* cancel, Clock::time_point deadline, bool* timed_out, bool* in_lp)
        : cancel_(cancel), deadline_(deadline), timed_out_(timed_out), in_lp_(in_lp) {}
    int event(Event) override {
        if (cancel_ && cancel_->load(std::memory_order_relaxed)) return 5;
        if ((++calls_ & 15) == 0 && Clock::now() >= deadline_) {
            *timed_out_ = *in_lp_ = true;
            return 5;
        }
        return -1;
    }
    ClpEventHandler* clone() const override { return new LpStopHandler(*this); }

  private:
    const std::atomic<bool>* cancel_;
    Clock::time_point deadline_;
    bool* timed_out_;
    bool* in_lp_;
    unsigned calls_ = 0;
};

bool cancelled(const MipControl& control) {
    return control.cancel && control.cancel->load(std::memory_order_relaxed);
}

// Fills r; 1 when CBC gave up, 3 when control.cancel was set, else 0.
int solve(const Mip& mip, const MipControl& control, MipResult& r) {
    const auto t0 = Clock::now();
    const double time_limit_s = std::max(0.01, control.time_limit_s);
    const double gap = control.gap;
    const int seed = control.seed;
    const int ncols = static_cast<int>(mip.cols());
    const int nrows = static_cast<int>(mip.rows.size());
    // The constraint matrix column by column, built in one pass over the rows and handed to Clp
    // in one call (appending rows one by one copied the matrix at every row: minutes at
    // 50,000 candidates with many overlap rows).
    std::vector<CoinBigIndex> col_start(static_cast<std::size_t>(ncols) + 1, 0);
    for (const Terms& row : mip.rows) {
        for (const auto& [i, a] : row) {
            if (a != 0) ++col_start[i + 1];
        }
    }
    for (int i = 0; i < ncols; ++i)
        col_start[static_cast<std::size_t>(i) + 1] += col_start[static_cast<std::size_t>(i)];
    std::vector<int> index(static_cast<std::size_t>(col_start.back()));
    std::vector<double> value(index.size());
    {
        std::vector<CoinBigIndex> next(col_start.begin(), col_start.end() - 1);
        for (int k = 0; k < nrows; ++k) {
            for (const auto& [i, a] : mip.rows[static_cast<std::size_t>(k)]) {
                if (a == 0) continue;
                const auto at = static_cast<std::size_t>(next[i]++);
                index[at] = k;
                value[at] = a;
            }
        }
    }
    if (cancelled(control)) return 3;
    std::vector<double> rlb(mip.row_lb), rub(mip.row_ub);
    for (auto& v : rlb) v = std::isinf(v) ? -COIN_DBL_MAX : v;
    for (auto& v : rub) v = std::isinf(v) ? COIN_DBL_MAX : v;
    OsiClpSolverInterface solver;
    solver.loadProblem(ncols, nrows, col_start.data(), index.data(), value.data(), mip.lb.data(), mip.ub.data(),
                       mip.obj.data(), rlb.data(), rub.data());
    std::vector<int> integers;
    for (int i = 0; i < ncols; ++i) {
        if (mip.integer[static_cast<std::size_t>(i)]) integers.push_back(i);
    }
    solver.setInteger(integers.data(), static_cast<int>(integers.size()));
    for (int i = 0; i < ncols; ++i) solver.setColName(i, "x" + std::to_string(i));
    solver.messageHandler()->setLogLevel(0);
    // Clp's "idiot" crash and crossover, its automatic choice for LPs of some thousand columns,
    // crashed (SIGSEGV in ClpPresolve, CBC 2.10.8) on a 5,000-candidate workload with 300 groups
    // and overlaps (scripts/bench-select-scale.sh, --max-per-group 5). Dual simplex instead ran
    // for more than ten minutes on the root LP at 100,000 candidates.
    ClpSolve lp_method;
    lp_method.setSpecialOption(1, 5);  // Clp's own choice of method, but no idiot crash
    solver.setSolveOptions(lp_method);
    bool timed_out = false, stopped_in_lp = false;
    const Clock::time_point deadline =
        t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(time_limit_s));
    const LpStopHandler lp_stop(control.cancel, deadline, &timed_out, &stopped_in_lp);
    solver.getModelPtr()->passInEventHandler(&lp_stop);
    if (cancelled(control)) return 3;

    CbcModel model(solver);
    model.setLogLevel(0);
    model.messageHandler()->setLogLevel(0);
    CbcSolverUsefulData data;
    data.noPrinting_ = true;         // the engine never prints
    data.useSignalHandler_ = false;  // Ctrl-C belongs to the CLI
    CbcMain0(model, data);
    if (!mip.start.empty()) {
        std::vector<std::pair<std::string, double>> start;
        for (int i = 0; i < ncols; ++i)
            start.emplace_back("x" + std::to_string(i), mip.start[static_cast<std::size_t>(i)]);
        model.setMIPStart(start);
    }
    const StopHandler stop(control.cancel, deadline, &timed_out);
    model.passInEventHandler(&stop);
    if (cancelled(control)) return 3;
    char sec[32], rgap[32], rseed[32];
    // What is left of the deadline now (CBC's clock starts later still, see StopHandler).
    std::snprintf(sec, sizeof sec, "%.3f",
                  std::max(0.01, std::chrono::duration<double>(deadline - Clock::now()).count()));
    std::snprintf(rgap, sizeof rgap, "%.9g", gap);
    std::snprintf(rseed, sizeof rseed, "%d", seed);
    // threads 0: CBC's serial search (one thread), which is deterministic.
    // -preprocess off: CBC 2.10.8's integer preprocessing returned a wrong "proven optimum"
    // on a 7-candidate instance with a share rule (tests/spatial/test_selection.cpp, seed 84:
    // 77 against a feasible 49 when minimising); without it all brute-force checks agree.
    // -timeMode elapsed: the limit is wall-clock time, as --time-limit promises (CPU time
    // runs slower than the clock on a busy machine).
    const char* argv[] = {"ruimte",  "-log",           "0",    "-slog",     "0",  "-timeMode",
                          "elapsed", "-sec",           sec,    "-ratioGap", rgap, "-randomSeed",
                          rseed,     "-randomCbcSeed", rseed,  "-threads",  "0",  "-preprocess",
                          "off",     "-solve",         "-quit"};
    const int argc = static_cast<int>(sizeof argv / sizeof argv[0]);
    r.build_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const int rc = CbcMain1(
        argc, argv, model, [](CbcModel*, int) { return 0; }, data);
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (cancelled(control)) return 3;
    if ((rc != 0 || model.isAbandoned()) && !timed_out) return 1;
    r.stopped_in_lp = stopped_in_lp;
    r.nodes = model.getNodeCount();
    r.proven_infeasible = model.isProvenInfeasible() && !timed_out;
    const double* best = model.bestSolution();
    if (best && !r.proven_infeasible) {
        r.has_solution = true;
        r.x.assign(best, best + ncols);
        r.objective = model.getObjValue();
        r.bound = model.getBestPossibleObjValue();
        r.proven_optimal = model.isProvenOptimal() && !model.isSecondsLimitReached() && !timed_out;
        // With an integral objective CBC raises its cutoff increment and stops with a bound up
        // to one unit below a proven optimum; a proven optimum at gap 0 is its own bound.
        if (r.proven_optimal && gap <= 0) r.bound = r.objective;
        r.bound = std::min(r.bound, r.objective);
    } else {
        r.bound = model.getBestPossibleObjValue();
    }
    return 0;
}

}  // namespace

extern "C" int ruimte_cbc_solve_v2(const Mip* mip, const MipControl* control, MipResult* out, std::string* error) {
    try {
        *out = MipResult{};
        return solve(*mip, *control, *out);
    } catch (const CoinError& e) {
        *error = "CBC: " + e.message() + " (" + e.className() + "::" + e.methodName() + ")";
    } catch (const std::exception& e) { *error = e.what(); } catch (...) {
        *error = "an unknown exception";
    }
    return 2;
}

}  // namespace ruimte
