// AHP: weights, lambda_max, CI and CR on textbook matrices; validation of the matrix and of the
// [weights] table in profiles.
#include <catch2/catch.hpp>

#include "spatial/core/error.hpp"
#include "spatial/criteria/ahp.hpp"
#include "spatial/criteria/profile.hpp"
#include "spatial/jobs/score.hpp"
#include "support.hpp"

using namespace ruimte;

TEST_CASE("a consistent matrix: weights 4/7, 2/7, 1/7, lambda_max = n, CR = 0 (by hand)", "[ahp]") {
    // a_ij = w_i / w_j for w = (4, 2, 1): every column is proportional to w.
    const AhpResult r = ahp_weights({{1, 2, 4}, {0.5, 1, 2}, {0.25, 0.5, 1}});
    CHECK(r.weights[0] == Approx(4.0 / 7).margin(1e-12));
    CHECK(r.weights[1] == Approx(2.0 / 7).margin(1e-12));
    CHECK(r.weights[2] == Approx(1.0 / 7).margin(1e-12));
    CHECK(r.lambda_max == Approx(3.0).margin(1e-12));
    CHECK(r.ci == Approx(0.0).margin(1e-12));
    CHECK(r.ri == 0.58);
    CHECK(r.cr == Approx(0.0).margin(1e-12));
}

TEST_CASE("Saaty's house example: published weights, lambda_max, CI and CR", "[ahp]") {
    // T. L. Saaty, 'How to make a decision: The Analytic Hierarchy Process', European Journal of
    // Operational Research 48 (1990) 9-26, the house-buying example: criteria size,
    // transportation, neighbourhood, age, yard, modern facilities, general condition, financing.
    // Published: priorities .173 .054 .188 .018 .031 .036 .167 .333, lambda_max = 9.669,
    // C.I. = 0.238, C.R. = 0.169 (Saaty keeps it as an illustration of an inconsistent matrix).
    const double t = 1.0 / 3, q = 1.0 / 4, f = 1.0 / 5, s = 1.0 / 6, h = 1.0 / 7, e = 1.0 / 8;
    const std::vector<std::vector<double>> a = {
        {1, 5, 3, 7, 6, 6, t, q},   {f, 1, t, 5, 3, 3, f, h}, {t, 3, 1, 6, 3, 4, 6, f},   {h, f, s, 1, t, q, h, e},
        {s, t, t, 3, 1, 0.5, f, s}, {s, t, q, 4, 2, 1, f, s}, {3, 5, s, 7, 5, 5, 1, 0.5}, {4, 7, 5, 8, 6, 6, 2, 1},
    };
    REQUIRE_FALSE(check_pairwise(a));
    const AhpResult r = ahp_weights(a);
    const double published[] = {.173, .054, .188, .018, .031, .036, .167, .333};
    for (std::size_t i = 0; i < 8; ++i) CHECK(r.weights[i] == Approx(published[i]).margin(0.0006));
    CHECK(r.lambda_max == Approx(9.669).margin(0.0006));
    CHECK(r.ci == Approx(0.238).margin(0.0006));
    CHECK(r.cr == Approx(0.169).margin(0.0006));
}

TEST_CASE("Saaty's light-intensity example: four chairs at increasing distance from a lamp", "[ahp]") {
    // T. L. Saaty, 'A scaling method for priorities in hierarchical structures', Journal of
    // Mathematical Psychology 15 (1977) 234-281: judgements of relative brightness; the
    // eigenvector (to two decimals 0.61/0.62, 0.24, 0.10, 0.05) and lambda_max = 4.39.
    const std::vector<std::vector<double>> a = {
        {1, 5, 6, 7}, {1.0 / 5, 1, 4, 6}, {1.0 / 6, 1.0 / 4, 1, 4}, {1.0 / 7, 1.0 / 6, 1.0 / 4, 1}};
    const AhpResult r = ahp_weights(a);
    CHECK(r.weights[0] == Approx(0.615).margin(0.01));
    CHECK(r.weights[1] == Approx(0.24).margin(0.005));
    CHECK(r.weights[2] == Approx(0.10).margin(0.005));
    CHECK(r.weights[3] == Approx(0.05).margin(0.005));
    CHECK(r.lambda_max == Approx(4.39).margin(0.005));
    CHECK(r.cr == Approx((r.lambda_max - 4) / 3 / 0.90).margin(1e-12));
    CHECK(r.cr > 0.1);  // 0.145: Saaty's own judgements here would draw a warning
}

TEST_CASE("judgements: numbers and fractions, matrix checks name the entry", "[ahp]") {
    CHECK(*parse_judgement("3") == 3.0);
    CHECK(*parse_judgement(" 1/3 ") == Approx(1.0 / 3));
    CHECK(*parse_judgement("0.5") == 0.5);
    CHECK_FALSE(parse_judgement("1/0"));
    CHECK_FALSE(parse_judgement("drie"));
    CHECK_FALSE(parse_judgement(""));

    auto problem = [](const std::vector<std::vector<double>>& a) { return check_pairwise(a); };
    CHECK_FALSE(problem({{1, 0.333}, {3, 1}}));  // 0.333 x 3 is within 1 % of 1
    auto p = problem({{1, 3}, {3, 1}});
    REQUIRE(p);
    CHECK(p->row == 0);
    CHECK(p->col == 1);
    CHECK_THAT(p->message, Catch::Contains("reciprocal"));
    p = problem({{1, 10}, {0.1, 1}});
    REQUIRE(p);
    CHECK_THAT(p->message, Catch::Contains("outside Saaty's scale"));
    p = problem({{1, 0}, {0, 1}});
    REQUIRE(p);
    CHECK_THAT(p->message, Catch::Contains("not a positive number"));
    p = problem({{2, 1}, {1, 1}});
    REQUIRE(p);
    CHECK_THAT(p->message, Catch::Contains("compared with itself is 1"));
    CHECK_THAT(p->hint, Catch::Contains("diagonal"));
    p = problem({{1, 2, 3}, {0.5, 1}});
    REQUIRE(p);
    CHECK(p->row == 0);
    CHECK_THAT(p->message, Catch::Contains("entries, not 2"));
}

namespace {
std::string ahp_profile(const std::string& weights_table, const std::string& extra_weight = "") {
    return "[profile]\nname = \"t\"\n\n"
           "[layers.wbs]\nsource = \"p.toml\"\ntype = \"classes\"\nclass_field = \"klasse\"\nclasses = [\"ja\", "
           "\"nee\"]\n\n"
           "[layers.novex]\nsource = \"p.toml\"\ntype = \"presence\"\n\n" +
           weights_table +
           "\n[[factors]]\nname = \"water\"\nkind = \"classes\"\nlayer = \"wbs\"\nvalues = { ja = 1.0, nee = 0.0 }\n" +
           extra_weight +
           "\n[[factors]]\nname = \"novex\"\nkind = \"distance_decay\"\nlayer = \"novex\"\ndistance_m = 500\n"
           "\n[[factors]]\nname = \"area\"\nkind = \"linear\"\nmetric = \"area_ha\"\nlower = 0\nupper = 10\n";
}

Profile load(const test::TempDir& dir, const std::string& text) {
    test::write_text(dir.file("p.toml"), text);
    return load_profile(dir.file("p.toml"));
}

Error error_of(const std::string& text) {
    test::TempDir dir("ahp");
    try {
        load(dir, text);
    } catch (const Error& e) { return e; }
    FAIL("the profile loaded, but an error was expected");
    throw;
}
}  // namespace

TEST_CASE("a profile with [weights] method = \"ahp\" takes the eigenvector as weights", "[ahp][profile]") {
    test::TempDir dir("ahp");
    // Matrix order differs from factor order: novex, water, area with w = (2, 4, 1) / 7.
    const Profile p = load(dir, ahp_profile("[weights]\nmethod = \"ahp\"\nfactors = [\"novex\", \"water\", \"area\"]\n"
                                            "matrix = [[1, \"1/2\", 2], [2, 1, 4], [0.5, \"1/4\", 1]]\n"));
    REQUIRE(p.ahp);
    CHECK(p.factors[0].name == "water");
    CHECK(p.factors[0].weight == Approx(4.0 / 7).margin(1e-12));
    CHECK(p.factors[1].weight == Approx(2.0 / 7).margin(1e-12));
    CHECK(p.factors[2].weight == Approx(1.0 / 7).margin(1e-12));
    CHECK(p.ahp->cr == Approx(0.0).margin(1e-12));
    CHECK(p.warnings.empty());
}

TEST_CASE("AHP with CR > 0.1 is a warning, and an error with --strict", "[ahp][profile]") {
    test::TempDir dir("ahp");
    // A cycle: water > novex > area > water, each 'very strong'.
    const std::string text = ahp_profile(
        "[weights]\nmethod = \"ahp\"\nfactors = [\"water\", \"novex\", \"area\"]\n"
        "matrix = [[1, 7, \"1/7\"], [\"1/7\", 1, 7], [7, \"1/7\", 1]]\n");
    const Profile p = load(dir, text);
    REQUIRE(p.ahp);
    // Circulant matrix: lambda_max = 1 + 7 + 1/7 = 57/7, CI = (57/7 - 3) / 2, CR = CI / 0.58.
    CHECK(p.ahp->lambda_max == Approx(57.0 / 7).margin(1e-9));
    CHECK(p.ahp->cr == Approx((57.0 / 7 - 3) / 2 / 0.58).margin(1e-9));
    REQUIRE(p.warnings.size() == 1);
    CHECK_THAT(p.warnings[0], Catch::Contains("CR = 4.433") && Catch::Contains("line 14"));

    ScoreRequest req;
    req.profile_path = dir.file("p.toml");
    req.candidates = test::source_dir() + "/data-samples/kandidaten.shp";
    std::vector<std::string> notices;
    req.notice = [&](const std::string& m) { notices.push_back(m); };
    req.strict = true;
    try {
        prepare_score(req);
        FAIL("--strict should refuse the profile");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::profile);
        CHECK_THAT(e.what(), Catch::Contains("consistency ratio"));
    }
    CHECK_THAT(notices.at(0), Catch::Contains("weights from AHP") && Catch::Contains("CR 4.433"));
}

TEST_CASE("[weights] errors name the key and the line", "[ahp][profile]") {
    Error e =
        error_of(ahp_profile("[weights]\nmethod = \"ahp\"\nfactors = [\"water\", \"novex\", \"area\"]\n"
                             "matrix = [[1, 3, 5],\n [\"1/3\", 1, 3],\n [\"1/5\", 3, 1]]\n"));
    CHECK(e.kind() == ErrorKind::profile);
    CHECK(e.place().key == "weights.matrix[2][3]");
    CHECK(e.place().line == 18);
    CHECK_THAT(e.what(), Catch::Contains("reciprocal"));

    e = error_of(ahp_profile(
        "[weights]\nmethod = \"ahp\"\nfactors = [\"water\", \"novex\"]\nmatrix = [[1, 3], [\"1/3\", 1]]\n"));
    CHECK(e.place().key == "weights.factors");
    CHECK_THAT(e.what(), Catch::Contains("factor 'area' is missing"));

    e =
        error_of(ahp_profile("[weights]\nmethod = \"ahp\"\nfactors = [\"water\", \"novex\", \"area\"]\n"
                             "matrix = [[1, 3, 5], [\"1/3\", 1, \"x\"], [\"1/5\", 3, 1]]\n"));
    CHECK(e.place().key == "weights.matrix[2][3]");
    CHECK_THAT(e.what(), Catch::Contains("not a judgement"));

    e = error_of(ahp_profile("[weights]\nmethod = \"eigen\"\nfactors = []\nmatrix = []\n"));
    CHECK(e.place().key == "weights.method");

    // Without [weights] the weight key stays required.
    e = error_of(ahp_profile(""));
    CHECK(e.place().key == "factors[1].weight");
}
