#pragma once
// Weights from a pairwise comparison matrix (Saaty's Analytic Hierarchy Process): the
// principal eigenvector, lambda_max, the consistency index CI = (lambda_max - n) / (n - 1) and
// the consistency ratio CR = CI / RI(n) with Saaty's random index. See docs/weights.md.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ruimte {

struct AhpResult {
    std::vector<double> weights;  // principal eigenvector, sums to 1
    double lambda_max = 0;
    double ci = 0;  // consistency index
    double ri = 0;  // Saaty's random index for n
    double cr = 0;  // consistency ratio; 0 for n <= 2 (always consistent)
};

// The threshold above which Saaty calls the judgements inconsistent.
inline constexpr double ahp_cr_limit = 0.1;

// Saaty's random index RI(n) for n = 1..15 (Saaty 1980, The Analytic Hierarchy Process,
// McGraw-Hill: mean CI of random reciprocal matrices on the 1/9..9 scale). Throws
// Error(profile) for n outside 1..15.
double saaty_random_index(std::size_t n);

// A judgement as written in a profile: "3", "1/3", "0.5". nullopt when it is not a number
// or a fraction of two positive numbers.
std::optional<double> parse_judgement(const std::string& text);

// The first thing wrong with a matrix, or nullopt. Checked: square, positive finite entries,
// the diagonal 1, every entry on Saaty's scale (1..9 or 1/9..1/1, a tolerance of 1 % allows
// decimals such as 0.333), and reciprocity a[j][i] = 1 / a[i][j] (within 1 %).
struct MatrixProblem {
    std::size_t row = 0, col = 0;  // 0-based
    std::string message;
    std::string hint;
};
std::optional<MatrixProblem> check_pairwise(const std::vector<std::vector<double>>& a);

// The weights of a valid matrix (check_pairwise first). Power iteration on the positive
// matrix converges to the Perron eigenvector.
AhpResult ahp_weights(const std::vector<std::vector<double>>& a);

}  // namespace ruimte
