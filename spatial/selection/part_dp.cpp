#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "spatial/selection/parts.hpp"

namespace ruimte::selection_detail {

namespace {

// 'Nothing fits' in the tables: finite, so that none + v and the tolerance below stay numbers
// (with -infinity they give NaN); every value at or below kNoneBelow is none.
constexpr double none = -1e300;
constexpr double kNoneBelow = -1e299;
bool is_none(double v) {
    return v <= kNoneBelow;
}
// A later option replaces an earlier one only when it is clearly better: ties (equal values up
// to rounding: score x homes against homes gives many) keep the earlier option, so the set
// does not depend on the last bits of a sum. Branch-free, so that the table loop vectorises.
inline double better_of(double was, double here) {
    const double size = std::fabs(was);
    const double threshold = was + 1e-9 * (size > 1.0 ? size : 1.0);
    return here > threshold ? here : was;
}
constexpr std::size_t kMaxComponent = 14;   // candidates in one overlap component
constexpr std::size_t kMaxLimits = 64;      // upper limits in one part
constexpr double kMaxWork = 5e7;            // sum over the limits of (capacity + 1) x options
constexpr double kMaxCombinations = 65536;  // of the subsets of the components that join limits
constexpr long kMaxWhole = 2000000;         // the largest capacity or coefficient

// The part's upper limits: capacity per limit and, per member (local index), its weight in
// each of them.
struct Limits {
    std::size_t k = 0;
    std::vector<long> capacity;
    std::vector<long> weight;  // [member * k + limit]
};

// An overlap component and its independent subsets that meet the locks and the capacities.
struct Component {
    std::vector<std::size_t> members;  // local indices
    int limit = -1;                    // the one limit its candidates count in; -1: none; -2: two or more
    std::vector<std::uint32_t> masks;  // per option: bit t is members[t]
    std::vector<double> values;
    std::vector<long> weights;  // per option: the weight in `limit`, or k weights (limit -2)
};

std::size_t local_of(const Part& part, std::uint32_t i) {
    const auto it = std::lower_bound(part.members.begin(), part.members.end(), i);
    return it != part.members.end() && *it == i ? static_cast<std::size_t>(it - part.members.begin())
                                                : static_cast<std::size_t>(-1);
}

bool whole(double a) {
    return a >= 0 && a == std::floor(a) && a <= static_cast<double>(kMaxWhole);
}

// False when a rule is not an upper limit with whole, nonnegative coefficients.
bool read_limits(const SelectionProblem& p, const Part& part, Limits& lim) {
    lim.k = part.constraints.size();
    if (lim.k > kMaxLimits) return false;
    lim.capacity.assign(lim.k, 0);
    lim.weight.assign(part.members.size() * lim.k, 0);
    for (std::size_t r = 0; r < lim.k; ++r) {
        const auto& c = p.constraints[part.constraints[r]];
        if (c.sense != Sense::at_most || c.bound < 0 || c.bound > static_cast<double>(kMaxWhole)) return false;
        lim.capacity[r] = static_cast<long>(std::floor(c.bound + 1e-7));
        for (const auto& [i, a] : c.terms) {
            const std::size_t l = local_of(part, i);
            if (l == static_cast<std::size_t>(-1) || a == 0) continue;
            if (!whole(a)) return false;
            lim.weight[l * lim.k + r] += static_cast<long>(a);
        }
    }
    return true;
}

// The overlap components of the part, each with the limit it counts in.
std::vector<Component> components(const SelectionProblem& p, const Part& part, const Limits& lim) {
    const std::size_t m = part.members.size();
    std::vector<std::size_t> parent(m);
    std::iota(parent.begin(), parent.end(), std::size_t{0});
    auto find = [&](std::size_t i) {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    };
    for (std::size_t e : part.overlaps) {
        parent[find(local_of(part, p.overlaps[e].first))] = find(local_of(part, p.overlaps[e].second));
    }
    std::vector<Component> comps;
    std::vector<std::size_t> comp_of(m, static_cast<std::size_t>(-1));
    for (std::size_t l = 0; l < m; ++l) {
        const std::size_t root = find(l);
        if (comp_of[root] == static_cast<std::size_t>(-1)) {
            comp_of[root] = comps.size();
            comps.emplace_back();
        }
        Component& c = comps[comp_of[root]];
        c.members.push_back(l);
        for (std::size_t r = 0; r < lim.k; ++r) {
            if (lim.weight[l * lim.k + r] == 0) continue;
            c.limit = c.limit == -1 || c.limit == static_cast<int>(r) ? static_cast<int>(r) : -2;
        }
    }
    return comps;
}

// Fills comp's options; false when the component is too large. An empty list: no subset fits.
bool enumerate_options(const SelectionProblem& p, const Part& part, const Limits& lim, Component& comp) {
    const std::size_t s = comp.members.size();
    if (s > kMaxComponent) return false;
    std::vector<std::uint32_t> conflict(s, 0);
    std::uint32_t locked = 0;
    for (std::size_t e : part.overlaps) {
        const std::size_t a = local_of(part, p.overlaps[e].first), b = local_of(part, p.overlaps[e].second);
        const auto ia = std::find(comp.members.begin(), comp.members.end(), a);
        if (ia == comp.members.end()) continue;
        const auto ib = std::find(comp.members.begin(), comp.members.end(), b);
        conflict[static_cast<std::size_t>(ia - comp.members.begin())] |= 1u << (ib - comp.members.begin());
        conflict[static_cast<std::size_t>(ib - comp.members.begin())] |= 1u << (ia - comp.members.begin());
    }
    for (std::size_t t = 0; t < s; ++t) {
        if (p.locked_in[part.members[comp.members[t]]]) locked |= 1u << t;
    }
    const std::size_t width = comp.limit == -2 ? lim.k : 1;
    std::vector<long> w(width);
    for (std::uint32_t mask = 0; mask < (1u << s); ++mask) {
        if ((mask & locked) != locked) continue;
        bool fine = true;
        double v = 0;
        std::fill(w.begin(), w.end(), 0);
        for (std::size_t t = 0; t < s && fine; ++t) {
            if (!(mask >> t & 1u)) continue;
            if (conflict[t] & mask) fine = false;
            const std::size_t l = comp.members[t];
            v += p.objective[part.members[l]];
            if (comp.limit >= 0) w[0] += lim.weight[l * lim.k + static_cast<std::size_t>(comp.limit)];
            else if (comp.limit == -2)
                for (std::size_t r = 0; r < lim.k; ++r) w[r] += lim.weight[l * lim.k + r];
        }
        for (std::size_t r = 0; r < width && fine && comp.limit != -1; ++r) {
            const std::size_t limit = comp.limit >= 0 ? static_cast<std::size_t>(comp.limit) : r;
            fine = w[r] <= lim.capacity[limit];
        }
        if (!fine) continue;
        comp.masks.push_back(mask);
        comp.values.push_back(v);
        comp.weights.insert(comp.weights.end(), w.begin(), w.end());
    }
    return true;
}

// One limit's multiple-choice knapsack over its own components: layer g + 1 holds, per
// capacity c, the best value of components 0..g with a weight of at most c (none: the locks do
// not fit), the options taken in order, each only when better_of says so. The trace back
// repeats that decision at one capacity to find the option taken. The layers live in one
// buffer per thread, reused from part to part (a table of a region's 10,000 homes and 30
// components is 2.4 MB: allocated anew each time, its pages were cleared by the kernel in
// every draw).
struct Table {
    std::vector<std::size_t> comps;
    std::size_t width = 0;  // capacity + 1
    std::vector<double> layers;
    const double* layer(std::size_t g) const { return layers.data() + g * width; }
    double best(long c) const { return layer(comps.size())[static_cast<std::size_t>(c)]; }
};

void fill_table(const std::vector<Component>& comps, long capacity, Table& t) {
    t.width = static_cast<std::size_t>(capacity) + 1;
    t.layers.resize((t.comps.size() + 1) * t.width);
    std::fill(t.layers.begin(), t.layers.begin() + static_cast<std::ptrdiff_t>(t.width), 0.0);
    for (std::size_t g = 0; g < t.comps.size(); ++g) {
        const Component& comp = comps[t.comps[g]];
        const double* __restrict best = t.layer(g);
        double* __restrict next = t.layers.data() + (g + 1) * t.width;
        std::fill(next, next + t.width, none);
        for (std::size_t o = 0; o < comp.masks.size(); ++o) {
            const auto w = static_cast<std::size_t>(comp.weights[o]);
            const double v = comp.values[o];
            for (std::size_t c = w; c < t.width; ++c) next[c] = better_of(next[c], best[c - w] + v);
        }
    }
}

void take(const Part& part, const Component& comp, std::size_t option, std::vector<char>& x) {
    for (std::size_t t = 0; t < comp.members.size(); ++t)
        x[part.members[comp.members[t]]] = (comp.masks[option] >> t & 1u) ? 1 : 0;
}

void trace_back(const Part& part, const std::vector<Component>& comps, const Table& t, long cap, std::vector<char>& x) {
    auto c = static_cast<std::size_t>(cap);
    for (std::size_t g = t.comps.size(); g-- > 0;) {
        const Component& comp = comps[t.comps[g]];
        double value = none;
        std::size_t taken = 0;
        for (std::size_t o = 0; o < comp.masks.size(); ++o) {
            const auto w = static_cast<std::size_t>(comp.weights[o]);
            if (w > c) continue;
            const double v = better_of(value, t.layer(g)[c - w] + comp.values[o]);
            if (v != value) taken = o;
            value = v;
        }
        take(part, comp, taken, x);
        c -= static_cast<std::size_t>(comp.weights[taken]);
    }
}

// The best combination of the joining components' options against the limits' tables
// (combination index in mixed radix); -1: none fits.
long best_combination(const std::vector<Component>& comps, const std::vector<std::size_t>& joining,
                      const std::vector<Table>& tables, const Limits& lim, double combinations) {
    std::vector<long> used(lim.k);
    double best = none;
    long best_index = -1;
    for (long index = 0; index < static_cast<long>(combinations); ++index) {
        std::fill(used.begin(), used.end(), 0);
        double v = 0;
        long rest = index;
        for (std::size_t j : joining) {
            const Component& comp = comps[j];
            const auto o = static_cast<std::size_t>(rest % static_cast<long>(comp.masks.size()));
            rest /= static_cast<long>(comp.masks.size());
            v += comp.values[o];
            for (std::size_t r = 0; r < lim.k; ++r) used[r] += comp.weights[o * lim.k + r];
        }
        for (std::size_t r = 0; r < lim.k && !is_none(v); ++r) {
            if (used[r] > lim.capacity[r]) v = none;
            else v += tables[r].best(lim.capacity[r] - used[r]);
        }
        if (!is_none(v) && (is_none(best) || v > best + 1e-9 * std::max(1.0, std::fabs(best)))) {
            best = v;
            best_index = index;
        }
    }
    return best_index;
}

}  // namespace

int knapsack_part(const SelectionProblem& p, const Part& part, std::vector<char>& x) {
    if (!p.maximise) return 0;
    Limits lim;
    if (!read_limits(p, part, lim)) return 0;
    std::vector<Component> comps = components(p, part, lim);
    thread_local std::vector<Table> tables;  // their buffers are kept for the next part
    if (tables.size() < lim.k) tables.resize(lim.k);
    for (std::size_t r = 0; r < lim.k; ++r) tables[r].comps.clear();
    std::vector<std::size_t> joining, free;
    double work = 0, combinations = 1;
    for (std::size_t g = 0; g < comps.size(); ++g) {
        if (!enumerate_options(p, part, lim, comps[g])) return 0;
        if (comps[g].masks.empty()) return -1;
        const int r = comps[g].limit;
        if (r >= 0) {
            tables[static_cast<std::size_t>(r)].comps.push_back(g);
            work += static_cast<double>(lim.capacity[static_cast<std::size_t>(r)] + 1) *
                    static_cast<double>(comps[g].masks.size());
        } else if (r == -1) {
            free.push_back(g);
        } else {
            joining.push_back(g);
            combinations *= static_cast<double>(comps[g].masks.size());
        }
    }
    if (work > kMaxWork || combinations > kMaxCombinations) return 0;
    for (std::size_t r = 0; r < lim.k; ++r) fill_table(comps, lim.capacity[r], tables[r]);
    const long index = best_combination(comps, joining, tables, lim, combinations);
    if (index < 0) return -1;
    std::vector<long> used(lim.k, 0);
    long rest = index;
    for (std::size_t j : joining) {
        const Component& comp = comps[j];
        const auto o = static_cast<std::size_t>(rest % static_cast<long>(comp.masks.size()));
        rest /= static_cast<long>(comp.masks.size());
        take(part, comp, o, x);
        for (std::size_t r = 0; r < lim.k; ++r) used[r] += comp.weights[o * lim.k + r];
    }
    for (std::size_t r = 0; r < lim.k; ++r) trace_back(part, comps, tables[r], lim.capacity[r] - used[r], x);
    for (std::size_t g : free) {
        const Component& comp = comps[g];
        std::size_t best = 0;
        for (std::size_t o = 1; o < comp.masks.size(); ++o) {
            if (comp.values[o] > comp.values[best] + 1e-9 * std::max(1.0, std::fabs(comp.values[best]))) best = o;
        }
        take(part, comp, best, x);
    }
    return 1;
}

}  // namespace ruimte::selection_detail
