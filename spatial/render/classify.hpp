#pragma once
// Classes of a numeric field for `ruimte map` that survive skewed data: zero as a class of its
// own, then natural breaks (Fisher-Jenks), quantiles or equal intervals of the non-zero values,
// or breaks the user gives. See docs/outputs.md ("Classes").
#include <string>
#include <vector>

#include "spatial/output/styles.hpp"

namespace ruimte {

enum class ClassMethod { jenks, quantile, equal, breaks };

struct Classing {
    ClassMethod method = ClassMethod::jenks;
    std::vector<double> breaks;  // ClassMethod::breaks: the inner bounds, strictly ascending
    int count = 5;               // classes of the non-zero values (jenks, quantile, equal)
};

// "quantile", "jenks", "equal" or comma-separated numbers ("0,1.5,3"). Throws Error(usage)
// naming `option` and what is wrong (an empty item, a non-number, breaks not ascending).
Classing parse_classing(const std::string& text, const std::string& option = "--classes");

// Classes of `values` (NaN ignored): with jenks/quantile/equal, exact zeros form the first class
// when there are both zero and non-zero values; the rest is split into at most `count` classes
// (fewer when there are fewer distinct values). With breaks, the classes are
// [min, b1], (b1, b2], ..., (bn, max]. Fills on the viridis ramp (zero: light grey); labels with
// the decimal separator of the language ("0,25 - 1,5" in Dutch, "0.25 - 1.5" in English).
// Empty when there are no values.
std::vector<styles::StyleClass> classify(std::vector<double> values, const Classing& how);

// The index of the class holding v: the first class whose upper bound is >= v, from the lower
// bound of the first class on; -1 when outside every class or NaN.
int graduated_class(const std::vector<styles::StyleClass>& classes, double v);

// A number for people: up to `decimals` decimals (trailing zeros dropped), with a decimal comma
// in Dutch and a point in English; thousands grouped with '.' (Dutch) or ',' (English).
std::string people_number(double v, int decimals, bool english);

// The inner bounds of Fisher-Jenks natural breaks of sorted `values` into `k` classes
// (k - 1 bounds, each the largest value of its class). Used by classify(); exposed for tests.
std::vector<double> jenks_breaks(const std::vector<double>& sorted, int k);

}  // namespace ruimte
