// Sensitivity of rankings to the weights: re-scoring, Monte Carlo draws, one-at-a-time sweeps.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "spatial/core/error.hpp"
#include "spatial/jobs/score.hpp"
#include "spatial/jobs/sensitivity.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {
// A profile and scores by hand: candidates 1..n, factor values given, none excluded unless said.
struct Toy {
    Profile profile;
    Scores scores;
    std::vector<CandidateId> ids;
};

Toy toy(const std::vector<std::vector<double>>& values, const std::vector<double>& weights,
        const std::vector<char>& excluded = {}) {
    Toy t;
    for (std::size_t f = 0; f < weights.size(); ++f) {
        Factor fac;
        fac.name = "f" + std::to_string(f + 1);
        fac.weight = weights[f];
        t.profile.factors.push_back(fac);
    }
    const std::size_t n = values.size(), nf = weights.size();
    t.scores.factor_count = nf;
    t.scores.excluded = excluded.empty() ? std::vector<char>(n, 0) : excluded;
    t.scores.reasons.assign(n, {});
    for (std::size_t c = 0; c < n; ++c) {
        t.ids.emplace_back(static_cast<std::int64_t>(c + 1));
        double s = 0;
        for (std::size_t f = 0; f < nf; ++f) {
            t.scores.value.push_back(values[c][f]);
            t.scores.contribution.push_back(weights[f] * values[c][f]);
            s += weights[f] * values[c][f];
        }
        t.scores.score.push_back(s);
    }
    // base ranks through the rescorer's ordering (checked against score_candidates below)
    Rescorer rs(t.profile, t.scores, t.ids);
    std::vector<double> sc;
    std::vector<std::uint32_t> order;
    rs.order(weights, sc, order);
    t.scores.rank.assign(n, 0);
    for (std::size_t r = 0; r < order.size(); ++r) t.scores.rank[order[r]] = static_cast<std::int64_t>(r + 1);
    return t;
}

ScoreInputs samples() {
    ScoreRequest req;
    req.candidates = test::source_dir() + "/data-samples/kandidaten.shp";
    req.profile_path = test::source_dir() + "/data-samples/woningbouw.toml";
    return prepare_score(req);
}
}  // namespace

TEST_CASE("the rescorer reproduces score_candidates' scores and ranks bit for bit", "[sensitivity]") {
    const ScoreInputs in = samples();
    const Scores s = score_candidates(in.profile, in.index_ptrs, in.overlay, in.table);
    const Rescorer rs(in.profile, s, in.table.ids);
    std::vector<double> score;
    std::vector<std::uint32_t> order;
    rs.order(rs.base_weights(), score, order);
    REQUIRE(score == s.score);
    std::size_t ranked = 0;
    for (std::size_t c = 0; c < s.rank.size(); ++c) ranked += s.rank[c] > 0 ? 1 : 0;
    REQUIRE(order.size() == ranked);
    for (std::size_t r = 0; r < order.size(); ++r) CHECK(s.rank[order[r]] == static_cast<std::int64_t>(r + 1));
}

TEST_CASE("all weight on one criterion: the ranking is that criterion's order, in every draw", "[sensitivity]") {
    // f1 values: candidate 4 > 2 > 5 > 1 > 3; f2 and f3 would order them otherwise.
    Toy t =
        toy({{0.3, 0.9, 0.9}, {0.8, 0.1, 0.2}, {0.1, 1.0, 1.0}, {0.95, 0.0, 0.0}, {0.5, 0.7, 0.3}}, {1.0, 0.0, 0.0});
    CHECK(t.scores.rank == std::vector<std::int64_t>{4, 2, 5, 1, 3});
    SensitivityOptions o;
    o.draws = 200;
    o.top_k = 2;
    o.concentration = 5;  // wide, but a weight of 0 stays 0 under Dirichlet
    const SensitivityResult r = analyse_sensitivity(t.profile, t.scores, t.ids, o);
    for (std::size_t c = 0; c < 5; ++c) {
        CHECK(r.rank_p05[c] == static_cast<double>(t.scores.rank[c]));
        CHECK(r.rank_p95[c] == static_cast<double>(t.scores.rank[c]));
        CHECK(r.median_rank[c] == static_cast<double>(t.scores.rank[c]));
        CHECK(r.p_top[c] == (t.scores.rank[c] <= 2 ? 1.0 : 0.0));
    }
    CHECK(r.weight_p05[0] == 1.0);
    CHECK(r.weight_p95[1] == 0.0);
}

TEST_CASE("zero perturbation: every rank interval has width 0 (samples)", "[sensitivity]") {
    const ScoreInputs in = samples();
    const Scores s = score_candidates(in.profile, in.index_ptrs, in.overlay, in.table);
    SensitivityOptions o;
    o.method = WeightDraw::uniform;
    o.spread = 0;
    o.draws = 50;
    o.sweep_steps = 0;
    const SensitivityResult r = analyse_sensitivity(in.profile, s, in.table.ids, o);
    std::size_t checked = 0;
    for (std::size_t c = 0; c < s.rank.size(); ++c) {
        if (s.rank[c] == 0) {
            CHECK(std::isnan(r.median_rank[c]));
            continue;
        }
        CHECK(r.rank_p05[c] == static_cast<double>(s.rank[c]));
        CHECK(r.rank_p95[c] == static_cast<double>(s.rank[c]));
        ++checked;
    }
    CHECK(checked == 145);
}

TEST_CASE("same seed, same results with 1 and 2 threads, another seed differs", "[sensitivity]") {
    const ScoreInputs in = samples();
    const Scores s = score_candidates(in.profile, in.index_ptrs, in.overlay, in.table);
    SensitivityOptions o;
    o.draws = 300;
    o.seed = 42;
    o.concentration = 20;
    o.control.threads = 1;
    const SensitivityResult one = analyse_sensitivity(in.profile, s, in.table.ids, o);
    o.control.threads = 2;
    const SensitivityResult two = analyse_sensitivity(in.profile, s, in.table.ids, o);
    auto same = [](const std::vector<double>& a, const std::vector<double>& b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
        }
        return true;
    };
    CHECK(same(one.median_rank, two.median_rank));
    CHECK(same(one.rank_p05, two.rank_p05));
    CHECK(same(one.rank_p95, two.rank_p95));
    CHECK(same(one.p_top, two.p_top));
    CHECK(same(one.weight_median, two.weight_median));
    // With concentration 20 the ranks do move: some interval is wider than 0.
    double widest = 0;
    for (std::size_t c = 0; c < s.rank.size(); ++c)
        if (s.rank[c] > 0) widest = std::max(widest, one.rank_p95[c] - one.rank_p05[c]);
    CHECK(widest > 0);
    o.seed = 43;
    const SensitivityResult other = analyse_sensitivity(in.profile, s, in.table.ids, o);
    CHECK_FALSE(same(one.p_top, other.p_top));
}

TEST_CASE("weight draws: Dirichlet centred on the profile, uniform within +-spread", "[sensitivity]") {
    const std::vector<double> base = {0.5, 0.3, 0.2};
    SensitivityOptions o;
    o.concentration = 100;
    std::vector<double> mean(3, 0.0);
    const std::size_t n = 4000;
    for (std::size_t i = 0; i < n; ++i) {
        const auto w = draw_weights(base, o, i);
        CHECK(w[0] + w[1] + w[2] == Approx(1.0).margin(1e-12));
        for (std::size_t f = 0; f < 3; ++f) mean[f] += w[f] / n;
    }
    // Dirichlet(100 x base) has mean base; sd of w1 = sqrt(.5 x .5 / 101) = 0.05, so the mean of
    // 4000 draws lies within 0.005 of 0.5 (6 sd).
    for (std::size_t f = 0; f < 3; ++f) CHECK(mean[f] == Approx(base[f]).margin(0.005));
    CHECK(draw_weights(base, o, 7) == draw_weights(base, o, 7));

    o.method = WeightDraw::uniform;
    o.spread = 0.1;
    for (std::size_t i = 0; i < 200; ++i) {
        const auto w = draw_weights(base, o, i);
        // Before renormalising each weight lies in base x [0.9, 1.1], their sum in [0.9, 1.1].
        for (std::size_t f = 0; f < 3; ++f) {
            CHECK(w[f] >= base[f] * 0.9 / 1.1 - 1e-12);
            CHECK(w[f] <= base[f] * 1.1 / 0.9 + 1e-12);
        }
    }
}

TEST_CASE("one-at-a-time: the weights where the top 1 changes, by hand", "[sensitivity]") {
    // Two factors. Scores at weight w of f1: A = w, B = 1 - w, C = 0.6 (0.6 w + 0.6 (1 - w)).
    // Profile weight 0.5: A = B = 0.5, C = 0.6 leads. A overtakes at w = 0.6, B below w = 0.4.
    Toy t = toy({{1.0, 0.0}, {0.0, 1.0}, {0.6, 0.6}}, {0.5, 0.5});
    SensitivityOptions o;
    o.draws = 10;
    o.top_k = 1;
    o.sweep_steps = 20;
    const SensitivityResult r = analyse_sensitivity(t.profile, t.scores, t.ids, o);
    REQUIRE(r.sweeps.size() == 2);
    const WeightSweep& s = r.sweeps[0];
    CHECK(s.base_weight == 0.5);
    REQUIRE(s.change_below);
    REQUIRE(s.change_above);
    CHECK(*s.change_below == Approx(0.4).margin(2e-5));
    CHECK(*s.change_above == Approx(0.6).margin(2e-5));
    CHECK(s.stable_from == Approx(0.4).margin(2e-5));
    CHECK(s.stable_to == Approx(0.6).margin(2e-5));
    CHECK(s.enter_above == std::vector<std::uint32_t>{0});  // A
    CHECK(s.leave_above == std::vector<std::uint32_t>{2});  // C
    CHECK(s.enter_below == std::vector<std::uint32_t>{1});  // B
    // The second factor mirrors the first.
    CHECK(*r.sweeps[1].change_below == Approx(0.4).margin(2e-5));
    CHECK(r.sweeps[1].enter_below == std::vector<std::uint32_t>{0});
    // The grid: at w = 0.65 of f1 the top 1 is A.
    CHECK(s.steps.at(13).first == Approx(0.65));
    CHECK(s.steps.at(13).second == std::vector<std::uint32_t>{0});
}

TEST_CASE("excluded candidates get no rank statistics and never enter the top K", "[sensitivity]") {
    Toy t = toy({{1.0, 1.0}, {0.5, 0.5}, {0.2, 0.9}}, {0.5, 0.5}, {1, 0, 0});
    SensitivityOptions o;
    o.draws = 20;
    o.top_k = 1;
    const SensitivityResult r = analyse_sensitivity(t.profile, t.scores, t.ids, o);
    CHECK(std::isnan(r.median_rank[0]));
    CHECK(r.p_top[1] + r.p_top[2] == Approx(1.0));
}

TEST_CASE("the chart is written as SVG and PNG", "[sensitivity]") {
    test::TempDir dir("chart");
    RankChart chart;
    chart.title = "Rangintervallen";
    chart.rows = {{"12", 1, 1, 1, 3, 1.0}, {"7", 2, 3, 1, 6, 0.6}};
    write_rank_chart(chart, dir.file("c.svg"), true);
    write_rank_chart(chart, dir.file("c.png"), false);
    const std::string svg = test::read_text(dir.file("c.svg"));
    CHECK(svg.rfind("<?xml", 0) == 0);
    CHECK_THAT(svg, Catch::Contains("<svg"));
    const std::string png = test::read_text(dir.file("c.png"));
    CHECK(png.substr(1, 3) == "PNG");
}
