// The module libruimte_cbc.so: ruimte's one use of COIN-OR CBC, kept out of the `ruimte` binary
// so that only `select` (and what else solves a MIP) loads CBC's libraries (spatial/mip.hpp).
#include <coin/CbcModel.hpp>
#include <coin/CbcSolver.hpp>
#include <coin/CoinError.hpp>
#include <coin/CoinPackedMatrix.hpp>
#include <coin/OsiClpSolverInterface.hpp>

#include <algorithm>
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

// Fills r; false when CBC gave up.
bool solve(const Mip& mip, double time_limit_s, double gap, int seed, MipResult& r) {
    const auto t0 = std::chrono::steady_clock::now();
    const int ncols = static_cast<int>(mip.cols());
    OsiClpSolverInterface solver;
    CoinPackedMatrix matrix(false, 0, 0);
    matrix.setDimensions(0, ncols);
    for (const Terms& row : mip.rows) {
        std::vector<int> idx;
        std::vector<double> val;
        for (const auto& [i, a] : row) {
            if (a == 0) continue;
            idx.push_back(static_cast<int>(i));
            val.push_back(a);
        }
        matrix.appendRow(static_cast<int>(idx.size()), idx.data(), val.data());
    }
    std::vector<double> rlb(mip.row_lb), rub(mip.row_ub);
    for (auto& v : rlb) v = std::isinf(v) ? -COIN_DBL_MAX : v;
    for (auto& v : rub) v = std::isinf(v) ? COIN_DBL_MAX : v;
    solver.loadProblem(matrix, mip.lb.data(), mip.ub.data(), mip.obj.data(), rlb.data(), rub.data());
    for (int i = 0; i < ncols; ++i) {
        if (mip.integer[static_cast<std::size_t>(i)]) solver.setInteger(i);
        solver.setColName(i, "x" + std::to_string(i));
    }
    solver.messageHandler()->setLogLevel(0);

    CbcModel model(solver);
    model.setLogLevel(0);
    model.messageHandler()->setLogLevel(0);
    CbcSolverUsefulData data;
    data.noPrinting_ = true;        // the engine never prints
    data.useSignalHandler_ = false;  // Ctrl-C belongs to the CLI
    CbcMain0(model, data);
    if (!mip.start.empty()) {
        std::vector<std::pair<std::string, double>> start;
        for (int i = 0; i < ncols; ++i) start.emplace_back("x" + std::to_string(i), mip.start[static_cast<std::size_t>(i)]);
        model.setMIPStart(start);
    }
    char sec[32], rgap[32], rseed[32];
    std::snprintf(sec, sizeof sec, "%.3f", std::max(0.01, time_limit_s));
    std::snprintf(rgap, sizeof rgap, "%.9g", gap);
    std::snprintf(rseed, sizeof rseed, "%d", seed);
    // threads 0: CBC's serial search (one thread), which is deterministic.
    // -preprocess off: CBC 2.10.8's integer preprocessing returned a wrong "proven optimum"
    // on a 7-candidate instance with a share rule (tests/spatial/test_selection.cpp, seed 84:
    // 77 against a feasible 49 when minimising); without it all brute-force checks agree.
    const char* argv[] = {"ruimte", "-log", "0", "-slog", "0", "-sec", sec, "-ratioGap", rgap, "-randomSeed", rseed,
                          "-randomCbcSeed", rseed, "-threads", "0", "-preprocess", "off", "-solve", "-quit"};
    const int argc = static_cast<int>(sizeof argv / sizeof argv[0]);
    const int rc = CbcMain1(argc, argv, model, [](CbcModel*, int) { return 0; }, data);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (rc != 0 || model.isAbandoned()) return false;
    r.nodes = model.getNodeCount();
    r.proven_infeasible = model.isProvenInfeasible();
    const double* best = model.bestSolution();
    if (best && !r.proven_infeasible) {
        r.has_solution = true;
        r.x.assign(best, best + ncols);
        r.objective = model.getObjValue();
        r.bound = model.getBestPossibleObjValue();
        r.proven_optimal = model.isProvenOptimal() && !model.isSecondsLimitReached();
        // With an integral objective CBC raises its cutoff increment and stops with a bound up
        // to one unit below a proven optimum; a proven optimum at gap 0 is its own bound.
        if (r.proven_optimal && gap <= 0) r.bound = r.objective;
        r.bound = std::min(r.bound, r.objective);
    } else {
        r.bound = model.getBestPossibleObjValue();
    }
    return true;
}

}  // namespace

extern "C" int ruimte_cbc_solve_v1(const Mip* mip, double time_limit_s, double gap, int seed, MipResult* out,
                                   std::string* error) {
    try {
        *out = MipResult{};
        return solve(*mip, time_limit_s, gap, seed, *out) ? 0 : 1;
    } catch (const CoinError& e) {
        *error = "CBC: " + e.message() + " (" + e.className() + "::" + e.methodName() + ")";
    } catch (const std::exception& e) {
        *error = e.what();
    } catch (...) {
        *error = "an unknown exception";
    }
    return 2;
}

}  // namespace ruimte
