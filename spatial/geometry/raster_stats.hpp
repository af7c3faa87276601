#pragma once
// Statistics of raster cells weighted by the exact fraction of each cell that a polygon covers
// (raster_coverage.hpp), as exactextract defines them (issue 21, item 1). Pure arithmetic: the
// caller reads the cells (spatial/io/raster_source.hpp) and adds (value, weight) pairs.
//
// Definitions (w = covered fraction × cell area, summed over cells with data):
//   mean     Σ w·x / Σ w
//   stddev   population standard deviation, sqrt(Σ w·(x − mean)² / Σ w)
//   min/max  of the cells with w > 0
//   quantile q: the smallest value x such that the weight of the cells with value ≤ x is at
//            least q · Σ w (the lower weighted quantile; no interpolation, so the median of
//            an even number of equal-weight cells is the lower middle value)
//   above t  the weight of the cells with x > t; below t: x < t (equality counts in neither)
//   no data  the covered weight of cells that hold the nodata value (or NaN), plus the part
//            of the polygon outside the raster (the caller adds that)
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace ruimte::raster {

class ValueStats {
  public:
    void add(double value, double weight);
    void add_nodata(double weight) { nodata_ += weight; }

    double data_weight() const noexcept { return sum_w_; }
    double nodata_weight() const noexcept { return nodata_; }
    // NaN when no cell with data was covered.
    double mean() const;
    double stddev() const;
    double min() const;
    double max() const;
    double quantile(double q);  // weighted selection (reorders the cells), linear time
    double weight_above(double t) const;
    double weight_below(double t) const;
    std::size_t cells() const noexcept { return cells_.size(); }

  private:
    std::vector<std::pair<double, double>> cells_;  // (value, weight), weight > 0
    double sum_w_ = 0, sum_wx_ = 0, nodata_ = 0;
    double min_ = 0, max_ = 0;
};

// Covered weight per cell value of a class raster.
class ClassStats {
  public:
    void add(std::int64_t value, double weight) {
        if (weight > 0) weight_[value] += weight;
    }
    void add_nodata(double weight) { nodata_ += weight; }
    const std::map<std::int64_t, double>& weights() const noexcept { return weight_; }
    double nodata_weight() const noexcept { return nodata_; }

  private:
    std::map<std::int64_t, double> weight_;
    double nodata_ = 0;
};

}  // namespace ruimte::raster
