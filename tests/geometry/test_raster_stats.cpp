// Weighted quantiles of ValueStats (spatial/geometry/raster_stats.hpp) against the definition:
// sort by value, the first value at which the running weight reaches q of the total.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "spatial/geometry/raster_stats.hpp"

using namespace ruimte::raster;

namespace {

double sorted_quantile(std::vector<std::pair<double, double>> cells, double q) {
    std::stable_sort(cells.begin(), cells.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    double total = 0;
    for (const auto& c : cells) total += c.second;
    const double target = q * total * (1 - 1e-12);
    double cum = 0;
    for (const auto& [x, w] : cells) {
        cum += w;
        if (cum >= target) return x;
    }
    return cells.back().first;
}

}  // namespace

TEST_CASE("weighted quantiles by selection equal the sorted definition (ties, tiny weights)", "[raster_stats]") {
    std::mt19937_64 rng(21);
    for (int round = 0; round < 300; ++round) {
        std::uniform_int_distribution<int> n_of(1, round < 50 ? 8 : 3000);
        const int n = n_of(rng);
        std::uniform_real_distribution<double> u(0, 1);
        const bool ties = round % 2 == 0;
        std::vector<std::pair<double, double>> cells;
        ValueStats s;
        for (int i = 0; i < n; ++i) {
            const double v = ties ? std::round(u(rng) * 6) / 2 : u(rng) * 100 - 50;
            const double w = round % 3 == 0 ? (u(rng) < 0.5 ? 1e-9 : 625.0) : u(rng) * 625;
            if (!(w > 0)) continue;
            cells.emplace_back(v, w);
            s.add(v, w);
        }
        if (cells.empty()) continue;
        for (double q : {0.0, 0.1, 0.5, 0.9, 1.0}) {
            INFO("round " << round << " n " << n << " q " << q);
            CHECK(s.quantile(q) == sorted_quantile(cells, q));
        }
    }
}
