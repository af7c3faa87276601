#include "spatial/geometry/raster_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ruimte::raster {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

void ValueStats::add(double value, double weight) {
    if (!(weight > 0)) return;
    if (std::isnan(value)) {
        nodata_ += weight;
        return;
    }
    if (cells_.empty()) {
        min_ = max_ = value;
    } else {
        min_ = std::min(min_, value);
        max_ = std::max(max_, value);
    }
    cells_.emplace_back(value, weight);
    sum_w_ += weight;
    sum_wx_ += weight * value;
}

double ValueStats::mean() const {
    return sum_w_ > 0 ? sum_wx_ / sum_w_ : kNaN;
}

double ValueStats::stddev() const {
    if (!(sum_w_ > 0)) return kNaN;
    // Two passes: the one-pass Σw·x² − mean² form loses every digit for values like
    // elevations in cm with a small spread.
    const double m = mean();
    double s = 0;
    for (const auto& [x, w] : cells_) s += w * (x - m) * (x - m);
    return std::sqrt(s / sum_w_);
}

double ValueStats::min() const {
    return cells_.empty() ? kNaN : min_;
}

double ValueStats::max() const {
    return cells_.empty() ? kNaN : max_;
}

double ValueStats::quantile(double q) {
    if (cells_.empty()) return kNaN;
    // The smallest value at which the weight of the cells in ascending order reaches q of the
    // total (a relative tolerance: Σ w in another order must not step past the value that
    // holds exactly q of the weight). Weighted selection instead of a sort: nth_element halves
    // the range that holds the answer, so the work is linear in the cells, not n log n.
    const double target = std::clamp(q, 0.0, 1.0) * sum_w_ * (1 - 1e-12);
    auto by_value = [](const std::pair<double, double>& a, const std::pair<double, double>& b) {
        return a.first < b.first;
    };
    auto lo = cells_.begin(), hi = cells_.end();
    double before = 0;  // the weight of the cells before lo (all of them no larger than lo's)
    while (hi - lo > 1) {
        const auto mid = lo + (hi - lo) / 2;
        std::nth_element(lo, mid, hi, by_value);
        double w = 0;  // the weight of the cells before mid
        for (auto it = lo; it < mid; ++it) w += it->second;
        if (before + w >= target) {
            hi = mid;  // the answer is before mid
        } else if (before + w + mid->second >= target) {
            return mid->first;
        } else {
            before += w + mid->second;
            lo = mid + 1;
        }
    }
    if (lo == cells_.end()) return max_;
    return lo->first;
}

double ValueStats::weight_above(double t) const {
    double s = 0;
    for (const auto& [x, w] : cells_) {
        if (x > t) s += w;
    }
    return s;
}

double ValueStats::weight_below(double t) const {
    double s = 0;
    for (const auto& [x, w] : cells_) {
        if (x < t) s += w;
    }
    return s;
}

}  // namespace ruimte::raster
