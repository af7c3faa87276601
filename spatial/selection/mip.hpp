#pragma once
// A 0/1 (mixed-integer) linear programme and its solution, solved by COIN-OR CBC.
//
// CBC's seven libraries (Cbc, CbcSolver, Cgl, Clp, CoinUtils, Osi, OsiClp) are not linked into
// the `ruimte` binary: only the module libruimte_cbc.so (spatial/modules/cbc_solver.cpp) uses
// them, and it is loaded the first time solve_mip runs, so that every other command starts
// without them (about 5 ms of dynamic loading, measured on `ruimte --version`). The module is
// looked for in the folder RUIMTE_MODULE_DIR names when it is set, and otherwise in <folder of
// the running program>/../lib/ruimte: build/lib/ruimte for build/cli/ruimte and
// build/tests/ruimte_tests, PREFIX/lib/ruimte after `cmake --install`.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "spatial/selection/selection.hpp"

namespace ruimte {

// minimise obj.x subject to row_lb <= A x <= row_ub, lb <= x <= ub
struct Mip {
    std::vector<double> lb, ub, obj;
    std::vector<char> integer;
    std::vector<Terms> rows;
    std::vector<double> row_lb, row_ub;
    std::vector<double> start;  // a feasible start solution, or empty
    std::size_t cols() const { return obj.size(); }
    std::size_t add_col(double l, double u, double c, bool is_int) {
        lb.push_back(l);
        ub.push_back(u);
        obj.push_back(c);
        integer.push_back(is_int ? 1 : 0);
        return obj.size() - 1;
    }
    void add_row(Terms t, double l, double u) {
        rows.push_back(std::move(t));
        row_lb.push_back(l);
        row_ub.push_back(u);
    }
};

struct MipResult {
    bool has_solution = false;
    bool proven_optimal = false;
    bool proven_infeasible = false;
    std::vector<double> x;
    double objective = 0;  // minimised
    double bound = 0;      // lower bound on the minimum
    std::int64_t nodes = 0;
    double seconds = 0;
    double build_seconds = 0;  // of `seconds`: loading the model into CBC, before its search
    // The deadline stopped an LP in mid-solve: `bound` is not to be trusted, and CBC's solution
    // (feasible in CBC's eyes) is checked against the rules before it is used.
    bool stopped_in_lp = false;
};

struct MipControl {
    double time_limit_s = 60;  // wall-clock seconds from the call, building the model included
    double gap = 0;            // relative gap at which the search stops
    int seed = 0;
    const std::atomic<bool>* cancel = nullptr;  // Ctrl-C: asked at every node and LP iteration
};

// The whole selection model of `problem` (every rule, overlaps, locks); columns 0..n-1 are the
// candidates, and the objective is CBC's: sign x problem.objective (CBC minimises).
Mip selection_model(const SelectionProblem& problem);

// Solves `mip` with CBC's serial (deterministic) search within control.time_limit_s (wall
// clock), stopping at the relative gap. Throws ruimte::Error when the module cannot be loaded
// or CBC gives up, and Error(cancelled) when control.cancel is set (within a fraction of a
// second, in any phase of CBC's work).
MipResult solve_mip(const Mip& mip, const MipControl& control);

// The module's one entry point (C linkage so that dlsym finds it by name; the types are this
// header's, built by the same compiler). Returns 0 with *out filled, 1 when CBC gave up
// (numerical difficulties), 2 with *error set when anything threw, 3 when control->cancel was
// set.
extern "C" int ruimte_cbc_solve_v2(const Mip* mip, const MipControl* control, MipResult* out, std::string* error);

}  // namespace ruimte
