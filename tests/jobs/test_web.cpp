// `ruimte web`: what the page carries, read back from the page written for the samples
// (the browser half is tests/cli/web_samples.sh).
#include <catch2/catch.hpp>

#include <algorithm>
#include <climits>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "spatial/core/error.hpp"
#include "spatial/criteria/explain.hpp"
#include "spatial/jobs/score.hpp"
#include "spatial/jobs/web.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {
std::string scored(const test::TempDir& dir) {
    ScoreRequest r;
    r.candidates = test::source_dir() + "/data-samples/kandidaten.shp";
    r.profile_path = test::source_dir() + "/data-samples/woningbouw.toml";
    r.output = dir.file("score.gpkg");
    run_score(r);
    return r.output;
}

// The JSON between <script type="application/json" id="ruimte-data"> and </script>.
nlohmann::json page_data(const std::string& page) {
    const std::string open = "<script type=\"application/json\" id=\"ruimte-data\">";
    const std::size_t a = page.find(open);
    REQUIRE(a != std::string::npos);
    const std::size_t b = page.find("</script>", a);
    REQUIRE(b != std::string::npos);
    return nlohmann::json::parse(page.substr(a + open.size(), b - a - open.size()));
}
}  // namespace

TEST_CASE("web: the page carries score's factor values exactly, the id order, anchors and closed rings", "[web]") {
    test::TempDir dir("web");
    const std::string gpkg = scored(dir);
    WebRequest req;
    req.scored = gpkg;
    req.output = dir.file("page.html");
    req.title = "a </script> in the title";
    const WebSummary s = run_web(req);
    CHECK(s.candidates == 200);
    CHECK(s.excluded == 55);
    CHECK(s.factors == 4);
    CHECK(s.synthetic);
    const std::string page = test::read_text(req.output);
    CHECK(s.bytes == page.size());
    // The title cannot end a script: it is escaped in the HTML and in the data.
    CHECK(page.find("a </script> in the title") == std::string::npos);
    const nlohmann::json d = page_data(page);
    CHECK(d["title"] == "a </script> in the title");

    const ScoredRun run = read_scored_run(gpkg);
    const auto& c = d["candidates"];
    REQUIRE(c["id"].size() == run.ids.size());
    for (std::size_t r = 0; r < run.ids.size(); ++r) {
        CHECK(std::to_string(c["id"][r].get<long long>()) == run.ids[r]);
        for (std::size_t f = 0; f < run.profile.factors.size(); ++f) {
            // The same double, not merely close: the page's scores must be score's.
            CHECK(c["values"][r][f].get<double>() == run.value("f_" + run.profile.factors[f].name + "_value", r));
        }
        CHECK(c["rank"][r].get<long long>() == run.rank[r]);
        CHECK(c["excluded"][r].get<int>() == run.excluded[r]);
        // The anchor lies inside the candidate's (simplified) rings' box; every ring closes.
        const auto& anchor = c["anchor"][r];
        long long xmin = LLONG_MAX, ymin = LLONG_MAX, xmax = LLONG_MIN, ymax = LLONG_MIN;
        for (const auto& poly : c["geom"][r]) {
            for (const auto& ring : poly) {
                REQUIRE(ring.size() >= 8);
                long long x = 0, y = 0, x0 = ring[0], y0 = ring[1];
                for (std::size_t i = 0; i < ring.size(); i += 2) {
                    x = i == 0 ? ring[0].get<long long>() : x + ring[i].get<long long>();
                    y = i == 0 ? ring[1].get<long long>() : y + ring[i + 1].get<long long>();
                    xmin = std::min(xmin, x), xmax = std::max(xmax, x);
                    ymin = std::min(ymin, y), ymax = std::max(ymax, y);
                }
                CHECK(x == x0);
                CHECK(y == y0);
            }
        }
        // (the anchor is on the unsimplified surface: within the tolerance of the simplified box)
        const auto tol = static_cast<long long>(std::ceil(s.tolerance_m)) + 1;
        CHECK(anchor[0].get<long long>() >= xmin - tol);
        CHECK(anchor[0].get<long long>() <= xmax + tol);
        CHECK(anchor[1].get<long long>() >= ymin - tol);
        CHECK(anchor[1].get<long long>() <= ymax + tol);
    }
    // id_order is the position in numeric id order.
    for (std::size_t a = 0; a < run.ids.size(); ++a) {
        for (std::size_t b = a + 1; b < run.ids.size(); b += 17) {
            CHECK((std::stoll(run.ids[a]) < std::stoll(run.ids[b])) ==
                  (c["id_order"][a].get<long long>() < c["id_order"][b].get<long long>()));
        }
    }
    CHECK(d["manifest"]["command"] == "score");
    CHECK(d["profile"]["factors"].size() == 4);
    CHECK(d["profile"]["factors"][0]["weight_given"].get<double>() == 0.40);
}

TEST_CASE("web: no page over an existing one, none for a file that is not a score output", "[web]") {
    test::TempDir dir("web_errors");
    const std::string gpkg = scored(dir);
    WebRequest req;
    req.scored = gpkg;
    req.output = dir.file("page.html");
    test::write_text(req.output, "old");
    try {
        run_web(req);
        FAIL("no error");
    } catch (const Error& e) { CHECK(e.kind() == ErrorKind::output); }
    CHECK(test::read_text(req.output) == "old");
    req.scored = test::source_dir() + "/data-samples/gemeenten.gpkg";
    req.output = dir.file("other.html");
    try {
        run_web(req);
        FAIL("no error");
    } catch (const Error& e) { CHECK(e.kind() == ErrorKind::input); }
}
