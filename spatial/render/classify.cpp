#include "spatial/render/classify.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "spatial/core/error.hpp"
#include "spatial/core/text_format.hpp"

namespace ruimte {

namespace {

// viridis, 5 stops (as the QGIS styles), and a light grey for the zero class.
constexpr const char* kRamp[] = {"#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"};
constexpr const char* kZeroFill = "#eeeeee";

Error usage(const std::string& option, const std::string& what) {
    return Error(ErrorKind::usage, option + ": " + what, {},
                 "give quantile, jenks, equal, or ascending numbers separated by commas, for example " + option +
                     " 0,0.5,1,2 (quoted if it holds spaces)");
}

// Up to `count` inner bounds of the quantiles of sorted values (nearest rank), distinct.
std::vector<double> quantile_bounds(const std::vector<double>& v, int count) {
    std::vector<double> out;
    for (int i = 1; i < count; ++i) {
        const auto k = static_cast<std::size_t>(
            std::ceil(static_cast<double>(i) * static_cast<double>(v.size()) / static_cast<double>(count)));
        const double b = v[std::min(k == 0 ? 0 : k - 1, v.size() - 1)];
        if (b < v.back() && (out.empty() || b > out.back())) out.push_back(b);
    }
    return out;
}

std::vector<double> equal_bounds(const std::vector<double>& v, int count) {
    std::vector<double> out;
    const double lo = v.front(), hi = v.back();
    for (int i = 1; i < count && hi > lo; ++i) out.push_back(lo + (hi - lo) * i / count);
    return out;
}

// Decimals that tell the bounds apart: about three significant digits of the largest magnitude,
// more (at most 4 more) when two upper bounds would read the same.
int label_decimals(const std::vector<double>& uppers) {
    double mag = 0;
    for (double b : uppers) mag = std::max(mag, std::fabs(b));
    const int first = mag > 0 ? std::clamp(2 - static_cast<int>(std::floor(std::log10(mag))), 0, 6) : 0;
    int d = first;
    for (; d < first + 4; ++d) {
        bool distinct = true;
        for (std::size_t i = 1; i < uppers.size(); ++i) {
            if (uppers[i] != uppers[i - 1] &&
                people_number(uppers[i], d, true) == people_number(uppers[i - 1], d, true))
                distinct = false;
        }
        if (distinct) break;
    }
    return d;
}

styles::StyleClass make_class(double lower, double upper, const std::string& fill, int decimals) {
    styles::StyleClass c;
    c.lower = lower;
    c.upper = upper;
    c.fill = fill;
    if (lower == upper) {
        c.label_nl = people_number(lower, decimals, false);
        c.label_en = people_number(lower, decimals, true);
    } else {
        c.label_nl = people_number(lower, decimals, false) + " - " + people_number(upper, decimals, false);
        c.label_en = people_number(lower, decimals, true) + " - " + people_number(upper, decimals, true);
    }
    return c;
}

}  // namespace

std::string people_number(double v, int decimals, bool english) {
    std::string s = fixed(v, decimals);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    if (s == "-0") s = "0";
    const bool negative = !s.empty() && s[0] == '-';
    const std::size_t dot = s.find('.');
    std::string whole = s.substr(negative ? 1 : 0, (dot == std::string::npos ? s.size() : dot) - (negative ? 1 : 0));
    const std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
    std::string grouped;
    for (std::size_t i = 0; i < whole.size(); ++i) {
        if (i && (whole.size() - i) % 3 == 0) grouped += english ? ',' : '.';
        grouped += whole[i];
    }
    return (negative ? "-" : "") + grouped + (frac.empty() ? "" : (english ? "." : ",") + frac);
}

Classing parse_classing(const std::string& text, const std::string& option) {
    Classing c;
    if (text == "jenks") return c;
    if (text == "quantile") {
        c.method = ClassMethod::quantile;
        return c;
    }
    if (text == "equal") {
        c.method = ClassMethod::equal;
        return c;
    }
    c.method = ClassMethod::breaks;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        std::string item = text.substr(start, comma - start);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (item.empty()) throw usage(option, "'" + text + "' has an empty item");
        std::size_t used = 0;
        double v = 0;
        try {
            v = std::stod(item, &used);
        } catch (const std::exception&) { used = 0; }
        if (used != item.size() || !std::isfinite(v)) {
            throw usage(option, "'" + item + "' is neither quantile, jenks, equal nor a number");
        }
        if (!c.breaks.empty() && !(v > c.breaks.back())) {
            throw usage(option,
                        "the breaks must ascend; " + item + " follows " + people_number(c.breaks.back(), 6, true));
        }
        c.breaks.push_back(v);
        start = comma + 1;
    }
    return c;
}

std::vector<double> jenks_breaks(const std::vector<double>& sorted, int k) {
    const std::size_t n = sorted.size();
    if (k < 2 || n < 2) return {};
    const auto K = static_cast<std::size_t>(std::min<std::size_t>(static_cast<std::size_t>(k), n));
    // Fisher (1958) as in Jenks: lower[i][j] = first index (1-based) of the last class of the
    // best split of the first i values into j classes; var[i][j] its summed squared deviation.
    std::vector<std::vector<std::size_t>> lower(n + 1, std::vector<std::size_t>(K + 1, 0));
    std::vector<std::vector<double>> var(n + 1, std::vector<double>(K + 1, std::numeric_limits<double>::infinity()));
    for (std::size_t j = 1; j <= K; ++j) {
        lower[1][j] = 1;
        var[1][j] = 0;
    }
    for (std::size_t l = 2; l <= n; ++l) {
        double s1 = 0, s2 = 0, w = 0, v = 0;
        for (std::size_t m = 1; m <= l; ++m) {
            const std::size_t i3 = l - m + 1;  // the class runs from i3 to l
            const double val = sorted[i3 - 1];
            s2 += val * val;
            s1 += val;
            w += 1;
            v = s2 - (s1 * s1) / w;
            if (i3 > 1) {
                for (std::size_t j = 2; j <= K; ++j) {
                    if (var[l][j] >= v + var[i3 - 1][j - 1]) {
                        lower[l][j] = i3;
                        var[l][j] = v + var[i3 - 1][j - 1];
                    }
                }
            }
        }
        lower[l][1] = 1;
        var[l][1] = v;
    }
    // Walk back from the last class. With tied values (many equal values give equal variances)
    // a split may leave fewer values than classes below it: stop there.
    std::vector<double> bounds;
    std::size_t end = n;
    for (std::size_t j = K; j >= 2 && end >= 2; --j) {
        const std::size_t first = lower[end][j];  // 1-based first index of class j
        if (first < 2 || first > end) break;
        bounds.push_back(sorted[first - 2]);  // the largest value of the class below
        end = first - 1;
    }
    std::reverse(bounds.begin(), bounds.end());
    std::vector<double> out;
    for (double b : bounds) {
        if (b < sorted.back() && (out.empty() || b > out.back())) out.push_back(b);
    }
    return out;
}

std::vector<styles::StyleClass> classify(std::vector<double> values, const Classing& how) {
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
                 values.end());
    std::sort(values.begin(), values.end());
    std::vector<styles::StyleClass> out;
    if (values.empty()) return out;
    if (how.method == ClassMethod::breaks) {
        // The breaks are the classes' upper bounds: [min, b1], (b1, b2], ..., (bn, max].
        std::vector<double> bounds{std::min(values.front(), how.breaks.front())};
        for (double b : how.breaks) bounds.push_back(b);
        if (values.back() > bounds.back()) bounds.push_back(values.back());
        const int d = label_decimals(std::vector<double>(bounds.begin() + 1, bounds.end()));
        const std::size_t n = bounds.size() - 1;
        for (std::size_t i = 0; i < n; ++i) {
            out.push_back(make_class(bounds[i], bounds[i + 1], kRamp[n == 1 ? 4 : i * 4 / (n - 1)], d));
        }
        return out;
    }
    const bool zero_class = values.front() >= 0 && values.front() == 0 && values.back() > 0;
    std::vector<double> rest(values.begin(), values.end());
    if (zero_class) rest.erase(rest.begin(), std::upper_bound(rest.begin(), rest.end(), 0.0));
    // Natural breaks on a spread sample of at most 2000 values (O(k n^2)).
    std::vector<double> sample;
    if (how.method == ClassMethod::jenks && rest.size() > 2000) {
        for (std::size_t i = 0; i < 2000; ++i) sample.push_back(rest[i * (rest.size() - 1) / 1999]);
    }
    const std::vector<double> inner = how.method == ClassMethod::quantile ? quantile_bounds(rest, how.count)
                                      : how.method == ClassMethod::equal
                                          ? equal_bounds(rest, how.count)
                                          : jenks_breaks(sample.empty() ? rest : sample, how.count);
    std::vector<double> bounds{rest.front()};
    for (double b : inner) bounds.push_back(b);
    bounds.push_back(rest.back());
    std::vector<double> uppers(bounds.begin() + 1, bounds.end());
    if (zero_class) uppers.insert(uppers.begin(), 0.0);
    const int d = label_decimals(uppers);
    if (zero_class) out.push_back(make_class(0, 0, kZeroFill, d));
    const std::size_t n = bounds.size() - 1;
    for (std::size_t i = 0; i < n; ++i) {
        // Each class from just above the one below: label it from its lowest value.
        double lo = bounds[i];
        if (i > 0) {
            const auto it = std::upper_bound(rest.begin(), rest.end(), bounds[i]);
            lo = it == rest.end() ? bounds[i] : *it;
        }
        out.push_back(make_class(lo, bounds[i + 1], kRamp[n == 1 ? 4 : i * 4 / (n - 1)], d));
    }
    return out;
}

int graduated_class(const std::vector<styles::StyleClass>& classes, double v) {
    if (std::isnan(v) || classes.empty() || v < classes.front().lower) return -1;
    for (std::size_t i = 0; i < classes.size(); ++i) {
        if (v <= classes[i].upper) return static_cast<int>(i);
    }
    return -1;
}

}  // namespace ruimte
