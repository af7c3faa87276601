// Explain and compare on real `ruimte score` outputs of the bundled samples.
#include <catch2/catch.hpp>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>

#include "spatial/core/error.hpp"
#include "spatial/criteria/explain.hpp"
#include "spatial/jobs/compare.hpp"
#include "spatial/jobs/score.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {
std::string scored(const test::TempDir& dir, const std::string& profile, const std::string& name) {
    ScoreRequest r;
    r.candidates = test::source_dir() + "/data-samples/kandidaten.shp";
    r.profile_path = test::source_dir() + "/" + profile;
    r.output = dir.file(name + ".gpkg");
    run_score(r);
    return r.output;
}
}  // namespace

TEST_CASE("explain: contributions sum to the score for every candidate, a candidate by hand", "[explain]") {
    test::TempDir dir("explain");
    const ScoredRun run = read_scored_run(scored(dir, "data-samples/woningbouw.toml", "a"));
    REQUIRE(run.ids.size() == 200);
    for (const auto& id : run.ids) {
        const CandidateExplanation e = explain_candidate(run, id);
        CHECK(e.contribution_sum == Approx(e.score).margin(1e-12));
        double weights = 0;
        for (const auto& f : e.factors) {
            weights += f.weight;
            CHECK(f.contribution == Approx(f.weight * f.value).margin(1e-12));
        }
        CHECK(weights == Approx(1.0));
    }
    // Candidate 17 lies wholly in WBS class ja (value 1.0) and netcongestie red (0.1), far from
    // NOVEX and NPLV: score = 0.40 x 1.0 + 0.25 x 0.1 = 0.425.
    const CandidateExplanation e = explain_candidate(run, "17");
    CHECK(e.score == Approx(0.425).margin(1e-9));
    CHECK(e.factors.at(0).name == "water_bodem");
    CHECK(e.factors[0].metric == "wbs: ja 100 %");
    CHECK(e.factors[0].weight == Approx(0.40));
    // Classes by the catalogue's labels (the profile's classes are the catalogue's codes).
    CHECK(e.factors[1].metric == "net_afname: transportschaarste, wachtrij 100 %");
    CHECK(e.factors[1].contribution == Approx(0.025).margin(1e-9));
    CHECK_FALSE(e.excluded);
    const std::string text = render_explanation(e, "en");
    CHECK_THAT(text, Catch::Contains("Candidate 17 Polder Amersfoort 4 (profile woningbouw): score 0.4250") &&
                         Catch::Contains("Excluded: no"));
    CHECK(explain_candidate(run, "17", "en").factors[1].metric ==
          "net_afname: transport capacity shortage, queue 100 %");
    // Dutch: the name beside the id, decimal commas and no decimal point.
    const std::string nl = render_explanation(e, "nl");
    CHECK_THAT(nl, Catch::Contains("Kandidaat 17 Polder Amersfoort 4 (profiel woningbouw): score 0,4250") &&
                       Catch::Contains("som van de bijdragen") && Catch::Contains("0,4250  (= score)") &&
                       Catch::Contains("novex.covered_share = 0,000 (0,00..0,50, stijgend)"));
    CHECK_THAT(nl, !Catch::Contains("0.4"));

    // An excluded candidate carries its reasons.
    std::size_t excluded = 0;
    for (const auto& id : run.ids) {
        const CandidateExplanation x = explain_candidate(run, id);
        if (!x.excluded) continue;
        ++excluded;
        CHECK(x.rank == 0);
        CHECK_FALSE(x.reasons.empty());
    }
    CHECK(excluded == 55);
    CHECK_THROWS_AS(explain_candidate(run, "9999"), Error);
}

TEST_CASE("explain --vs: the differences per criterion add up to the score difference", "[explain]") {
    test::TempDir dir("explain");
    const ScoredRun run = read_scored_run(scored(dir, "data-samples/woningbouw.toml", "a"));
    // 98: wbs ja (1.0), yellow (0.7); 41: water 0.8766, transparant (1.0); neither near NOVEX/NPLV.
    const CandidateComparison c = compare_candidates(run, "98", "41");
    CHECK(c.a.score == Approx(0.40 + 0.25 * 0.7).margin(1e-12));
    double sum = 0;
    for (const auto& f : c.factors) sum += f.difference;
    CHECK(sum == Approx(c.gap).margin(1e-12));
    REQUIRE(c.factors.size() == 4);
    CHECK(c.factors[0].name == "netcongestie");  // largest |difference| first: 0.25 x 0.3
    CHECK(c.factors[0].difference == Approx(-0.075).margin(1e-12));
    CHECK(c.factors[1].name == "water_bodem");
    CHECK(c.factors[0].share + c.factors[1].share == Approx(1.0).margin(1e-9));
    CHECK_THAT(render_comparison(c, "nl"),
               Catch::Contains("In het voordeel van 41 Kanaalzone De Wolden 1: netcongestie (0,0750)") &&
                   Catch::Contains("  98 Bedrijventerrein Krimpen aan den IJssel 1: score 0,5750"));
}

TEST_CASE("compare two sample profiles: water weighing more swaps 41 and 98 around the top 10", "[explain][compare]") {
    test::TempDir dir("compare");
    const ScoredRun a = read_scored_run(scored(dir, "data-samples/woningbouw.toml", "a"), true);
    const ScoredRun b = read_scored_run(scored(dir, "data-samples/profiles/water_zwaar.toml", "b"), true);
    // water_zwaar's AHP weights are exactly 8:2:2:1 (a consistent matrix).
    REQUIRE(b.profile.ahp);
    CHECK(b.profile.factors[0].weight == Approx(8.0 / 13).margin(1e-12));
    // By hand. woningbouw: 98 = 0.40 + 0.25 x 0.7 = 0.575 < 41 = 0.40 x v + 0.25 (v = 0.8766).
    // water_zwaar: 98 = (8 + 2 x 0.7) / 13 = 0.7231 > 41 = (8 v + 2) / 13 = 0.6933.
    const double v = a.value("f_water_bodem_value", a.row("41"));
    CHECK(v == Approx(0.8766).margin(1e-4));
    CHECK(a.score[a.row("98")] == Approx(0.575).margin(1e-12));
    CHECK(b.score[b.row("98")] == Approx(9.4 / 13).margin(1e-12));
    CHECK(b.score[b.row("41")] == Approx((8 * v + 2) / 13).margin(1e-12));
    CHECK(a.rank[a.row("41")] < a.rank[a.row("98")]);
    CHECK(b.rank[b.row("98")] < b.rank[b.row("41")]);

    const RunComparison c = compare_runs(a, b, 10);
    auto row = [&](const std::string& id) {
        for (const auto& r : c.rows)
            if (r.id == id) return r;
        FAIL("no row " + id);
        throw;
    };
    CHECK(row("98").change == TopChange::entry);
    CHECK(row("41").change == TopChange::exit);
    CHECK(row("145").change == TopChange::stays);  // rank 1 in both
    CHECK(row("145").rank_a == 1);
    CHECK(row("145").rank_b == 1);
    CHECK(c.entries == c.exits);
    CHECK(c.rows.size() == 200);
    CHECK(c.spearman > 0.5);
    CHECK(c.spearman < 1.0);

    const std::string out = dir.file("compare.gpkg");
    write_comparison(c, a, b, out, false, "test");
    GDALDatasetUniquePtr ds(GDALDataset::Open(out.c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds);
    CHECK(ds->GetLayerByName("rank_change")->GetFeatureCount() == 200);
    CHECK(ds->GetLayerByName("top_changes")->GetFeatureCount() == static_cast<GIntBig>(c.entries + c.exits));
    OGRLayer* rc = ds->GetLayerByName("rank_change");
    rc->SetAttributeFilter("candidate_id = 98");
    OGRFeatureUniquePtr f(rc->GetNextFeature());
    REQUIRE(f);
    CHECK(f->GetFieldAsInteger64("rank_change") == a.rank[a.row("98")] - b.rank[b.row("98")]);
    CHECK(std::string(f->GetFieldAsString("change")) == "entry");
    CHECK(std::string(f->GetFieldAsString("naam")) == "Bedrijventerrein Krimpen aan den IJssel 1");
    CHECK(f->GetGeometryRef() != nullptr);
    // A comparison is not a score output: explain refuses it with a clear message.
    CHECK_THROWS_WITH(read_scored_run(out), Catch::Contains("not a `ruimte score` output"));
}
