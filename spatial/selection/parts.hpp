#pragma once
// The independent parts of a selection problem and the exact dynamic programme for parts held
// together by upper limits (group limits) and overlaps: internal to ruimte_selection
// (selection.cpp, part_dp.cpp); not a public interface.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "spatial/selection/selection.hpp"

namespace ruimte::selection_detail {

struct Part {
    std::vector<std::uint32_t> members;  // available candidates, ascending
    std::vector<std::size_t> constraints;
    std::vector<std::size_t> overlaps;  // indices into p.overlaps
};

// The exact optimum of a maximised part whose rules are upper limits with whole, nonnegative
// coefficients (group limits counted in candidates or homes) and overlaps, by dynamic
// programming. The part's overlapping candidates form small components. A component whose
// candidates all count in the same limit (or in none) belongs to that limit: per limit, a
// multiple-choice knapsack over its components (each contributes one of its independent
// subsets) gives the best value for every capacity at once. Components that count in two or
// more limits (overlaps across a region border, or a candidate in two groups) join the
// limits: every combination of their independent subsets is tried against the limits' tables.
// Writes the optimum into x and returns 1; 0 when the part does not have this form or is too
// large for it (left to CBC); -1 when no subset meets the part's rules.
int knapsack_part(const SelectionProblem& p, const Part& part, std::vector<char>& x);

}  // namespace ruimte::selection_detail
