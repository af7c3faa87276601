#include "spatial/criteria/ahp.hpp"

#include <cmath>
#include <cstdlib>

#include "spatial/core/error.hpp"

namespace ruimte {

double saaty_random_index(std::size_t n) {
    // Saaty (1980), table of random consistency indices, n = 1..15.
    static constexpr double ri[] = {0.00, 0.00, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41,
                                    1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59};
    if (n < 1 || n > std::size(ri)) {
        throw Error(ErrorKind::profile,
                    "AHP with " + std::to_string(n) + " criteria: Saaty's random index is tabulated for 1 to 15", {},
                    "group the criteria (at most 15 per matrix) or give the weights directly");
    }
    return ri[n - 1];
}

namespace {
std::optional<double> plain_number(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) return std::nullopt;
    const auto last = s.find_last_not_of(" \t");
    const std::string t = s.substr(first, last - first + 1);
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}
}  // namespace

std::optional<double> parse_judgement(const std::string& text) {
    const auto slash = text.find('/');
    if (slash == std::string::npos) return plain_number(text);
    const auto num = plain_number(text.substr(0, slash));
    const auto den = plain_number(text.substr(slash + 1));
    if (!num || !den || !(*num > 0) || !(*den > 0)) return std::nullopt;
    return *num / *den;
}

std::optional<MatrixProblem> check_pairwise(const std::vector<std::vector<double>>& a) {
    const std::size_t n = a.size();
    auto problem = [](std::size_t i, std::size_t j, std::string msg, std::string hint) {
        return MatrixProblem{i, j, std::move(msg), std::move(hint)};
    };
    if (n == 0) return problem(0, 0, "the matrix is empty", "give one row per factor");
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i].size() != n) {
            return problem(i, 0,
                           "row " + std::to_string(i + 1) + " has " + std::to_string(a[i].size()) + " entries, not " +
                               std::to_string(n),
                           "the matrix is square: one row and one column per factor, in the order of `factors`");
        }
    }
    const double tol = 0.01;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const double x = a[i][j];
            const std::string at =
                "entry [" + std::to_string(i + 1) + "][" + std::to_string(j + 1) + "] = " + std::to_string(x);
            if (!std::isfinite(x) || !(x > 0))
                return problem(i, j, at + " is not a positive number", "judgements lie on Saaty's scale 1/9 .. 9");
            if (i == j && std::fabs(x - 1.0) > 1e-9)
                return problem(i, j, at + ": a factor compared with itself is 1",
                               "put 1 on the diagonal of the matrix");
            if (x > 9.0 * (1 + tol) || x < (1.0 / 9.0) * (1 - tol)) {
                return problem(i, j, at + " is outside Saaty's scale 1/9 .. 9",
                               "use 1 (equal) .. 9 (extreme), or 1/2 .. 1/9 for the reverse");
            }
            if (std::fabs(x * a[j][i] - 1.0) > tol) {
                return problem(i, j,
                               at + " but entry [" + std::to_string(j + 1) + "][" + std::to_string(i + 1) +
                                   "] = " + std::to_string(a[j][i]) + "; they must be reciprocal",
                               "if factor A is x times as important as B, then B is 1/x times as important as A");
            }
        }
    }
    return std::nullopt;
}

AhpResult ahp_weights(const std::vector<std::vector<double>>& a) {
    if (const auto p = check_pairwise(a))
        throw Error(ErrorKind::internal, "ahp_weights on an invalid matrix: " + p->message);
    const std::size_t n = a.size();
    AhpResult r;
    std::vector<double> w(n, 1.0 / static_cast<double>(n)), next(n);
    for (int iter = 0; iter < 10000; ++iter) {
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) {
            next[i] = 0;
            for (std::size_t j = 0; j < n; ++j) next[i] += a[i][j] * w[j];
            sum += next[i];
        }
        double change = 0;
        for (std::size_t i = 0; i < n; ++i) {
            next[i] /= sum;
            change = std::max(change, std::fabs(next[i] - w[i]));
        }
        w.swap(next);
        if (change < 1e-15) break;
    }
    double lambda = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double aw = 0;
        for (std::size_t j = 0; j < n; ++j) aw += a[i][j] * w[j];
        lambda += aw / w[i];
    }
    r.weights = w;
    r.lambda_max = lambda / static_cast<double>(n);
    r.ri = saaty_random_index(n);
    r.ci = n > 1 ? (r.lambda_max - static_cast<double>(n)) / static_cast<double>(n - 1) : 0.0;
    if (r.ci < 0 && r.ci > -1e-9) r.ci = 0;  // rounding on consistent matrices
    r.cr = r.ri > 0 ? r.ci / r.ri : 0.0;
    return r;
}

}  // namespace ruimte
