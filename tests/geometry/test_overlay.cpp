// Exact areas on hand-made cases: every expected value is worked out by hand.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <random>

#include "spatial/geometry/overlay.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {

struct Fixture {
    geos::Context ctx;
    std::vector<std::vector<geos::Geom>> layers;
    std::vector<std::unique_ptr<LayerIndex>> indexes;
    std::vector<geos::Geom> candidates;

    const LayerIndex& add(LayerKind kind, const std::vector<std::string>& wkts, std::vector<std::uint32_t> cls,
                          std::vector<std::string> classes, std::size_t piece_vertices = 64) {
        layers.emplace_back();
        for (const auto& w : wkts) layers.back().push_back(geos::from_wkt(ctx, w));
        IndexOptions o;
        o.max_piece_vertices = piece_vertices;
        indexes.push_back(std::make_unique<LayerIndex>("l" + std::to_string(indexes.size()), kind,
                                                       test::borrowed(layers.back()), std::move(cls),
                                                       std::move(classes), o, RunControl{}));
        return *indexes.back();
    }
    void candidate(const std::string& wkt) { candidates.push_back(geos::from_wkt(ctx, wkt)); }
    OverlayResult run(unsigned threads = 0) {
        std::vector<const GEOSGeometry*> c;
        for (auto& g : candidates) c.push_back(g.get());
        std::vector<const LayerIndex*> l;
        for (auto& i : indexes) l.push_back(i.get());
        RunControl rc;
        rc.threads = threads;
        return overlay(c, l, rc);
    }
};

bool close_rel(double a, double b, double rel = 1e-9) {
    return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)) + 1e-12;
}

}  // namespace

TEST_CASE("a 10 x 10 square against a 5 x 10 half is exactly 50 m2", "[overlay]") {
    Fixture f;
    f.add(LayerKind::classes, {"POLYGON((0 0,5 0,5 10,0 10,0 0))", "POLYGON((5 0,10 0,10 10,5 10,5 0))"}, {0, 1},
          {"a", "b"});
    f.candidate("POLYGON((0 0,10 0,10 10,0 10,0 0))");
    const auto r = f.run();
    CHECK(r.candidate_area_m2[0] == 100.0);
    CHECK(close_rel(r.layers[0].area(0, 0), 50.0));
    CHECK(close_rel(r.layers[0].area(0, 1), 50.0));
    CHECK(close_rel(r.layers[0].covered_m2[0], 100.0));
}

TEST_CASE("an L-shaped candidate straddling three classes", "[overlay]") {
    Fixture f;
    // three vertical strips x in [0,4), [4,8), [8,12)
    f.add(
        LayerKind::classes,
        {"POLYGON((0 0,4 0,4 12,0 12,0 0))", "POLYGON((4 0,8 0,8 12,4 12,4 0))", "POLYGON((8 0,12 0,12 12,8 12,8 0))"},
        {0, 1, 2}, {"ja", "ja_mits_klein", "nee"});
    // L: the 12 x 2 bottom bar plus a 2 x 10 column at x in [0,2]
    f.candidate("POLYGON((0 0,12 0,12 2,2 2,2 12,0 12,0 0))");
    const auto r = f.run();
    CHECK(close_rel(r.candidate_area_m2[0], 44.0));
    CHECK(close_rel(r.layers[0].area(0, 0), 8.0 + 20.0));
    CHECK(close_rel(r.layers[0].area(0, 1), 8.0));
    CHECK(close_rel(r.layers[0].area(0, 2), 8.0));
}

TEST_CASE("a candidate with a hole, and a class polygon with a hole", "[overlay]") {
    Fixture f;
    // class a: 20 x 20 square with a 10 x 10 hole in the middle; class b fills the hole
    f.add(LayerKind::classes,
          {"POLYGON((0 0,20 0,20 20,0 20,0 0),(5 5,15 5,15 15,5 15,5 5))", "POLYGON((5 5,15 5,15 15,5 15,5 5))"},
          {0, 1}, {"a", "b"});
    // candidate: 16 x 16 square (2..18) with a 4 x 4 hole (8..12)
    f.candidate("POLYGON((2 2,18 2,18 18,2 18,2 2),(8 8,12 8,12 12,8 12,8 8))");
    const auto r = f.run();
    CHECK(close_rel(r.candidate_area_m2[0], 256.0 - 16.0));
    CHECK(close_rel(r.layers[0].area(0, 1), 100.0 - 16.0));
    CHECK(close_rel(r.layers[0].area(0, 0), 256.0 - 100.0));
}

TEST_CASE("multipolygons on both sides, and the share not covered", "[overlay]") {
    Fixture f;
    f.add(LayerKind::classes, {"MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0)),((20 0,30 0,30 10,20 10,20 0)))"}, {0}, {"a"});
    f.candidate("MULTIPOLYGON(((5 0,15 0,15 10,5 10,5 0)),((25 0,35 0,35 10,25 10,25 0)))");
    const auto r = f.run();
    CHECK(close_rel(r.candidate_area_m2[0], 200.0));
    CHECK(close_rel(r.layers[0].area(0, 0), 100.0));
    CHECK(close_rel(r.layers[0].covered_m2[0], 100.0));
}

TEST_CASE("contains and within shortcuts give the same answer as intersection", "[overlay]") {
    Fixture f;
    // a big class polygon holding the whole candidate, and a candidate holding a whole piece
    f.add(LayerKind::classes, {"POLYGON((0 0,100 0,100 100,0 100,0 0))", "POLYGON((200 0,210 0,210 10,200 10,200 0))"},
          {0, 1}, {"a", "b"});
    f.candidate("POLYGON((10 10,20 10,20 20,10 20,10 10))");          // inside a
    f.candidate("POLYGON((190 -10,220 -10,220 20,190 20,190 -10))");  // holds b
    const auto r = f.run();
    CHECK(close_rel(r.layers[0].area(0, 0), 100.0));
    CHECK(r.layers[0].area(0, 1) == 0.0);
    CHECK(close_rel(r.layers[0].area(1, 1), 100.0));
    CHECK(r.layers[0].area(1, 0) == 0.0);
}

TEST_CASE("cutting large layer polygons into pieces keeps areas exact", "[overlay]") {
    // A 200-vertex circle-like polygon cut into pieces of at most 8 vertices.
    std::string ring;
    const int n = 200;
    for (int i = 0; i <= n; ++i) {
        const double a = 2 * M_PI * (i % n) / n;
        ring += (i ? "," : "") + std::to_string(50 + 40 * std::cos(a)) + " " + std::to_string(50 + 40 * std::sin(a));
    }
    Fixture coarse, fine;
    coarse.add(LayerKind::classes, {"POLYGON((" + ring + "))"}, {0}, {"a"}, 100000);
    const auto& idx = fine.add(LayerKind::classes, {"POLYGON((" + ring + "))"}, {0}, {"a"}, 8);
    CHECK(idx.piece_count() > 20);
    for (Fixture* fx : {&coarse, &fine}) fx->candidate("POLYGON((30 30,95 35,90 90,20 70,30 30))");
    const double a_coarse = coarse.run().layers[0].area(0, 0);
    const double a_fine = fine.run().layers[0].area(0, 0);
    CHECK(a_coarse > 1000.0);
    CHECK(close_rel(a_coarse, a_fine, 1e-12));
}

TEST_CASE("pieces tile the polygon whether cut by the rectangle clip or by GEOS", "[overlay]") {
    // The cut takes GEOS's rectangle clip when every part is one simple ring and the areas add
    // up, else an exact intersection: a comb (many parts per cut), rings with holes (always
    // GEOS), a staircase with edges on the cut lines, and a spiky 2000-vertex blob.
    std::string comb = "0 0,100 0";
    for (int t = 0; t < 20; ++t) {
        const double x = 100 - 5 * t;
        comb += "," + std::to_string(x) + " 100," + std::to_string(x - 2.5) + " 100," + std::to_string(x - 2.5) + " 10";
    }
    comb += ",0 10,0 0";
    std::string blob;
    {
        std::mt19937_64 rng(3);
        std::uniform_real_distribution<double> u(0, 1);
        std::vector<double> angles(2000);
        for (double& a : angles) a = 2 * M_PI * u(rng);
        std::sort(angles.begin(), angles.end());
        std::string first;
        for (const double a : angles) {
            const double r = 50 * (0.55 + 0.45 * u(rng));
            const std::string p = std::to_string(50 + r * std::cos(a)) + " " + std::to_string(50 + r * std::sin(a));
            blob += (blob.empty() ? "" : ",") + p;
            if (first.empty()) first = p;
        }
        blob += "," + first;
    }
    const std::vector<std::string> shapes = {
        "POLYGON((" + comb + "))",
        "POLYGON((0 0,100 0,100 100,0 100,0 0),(10 10,10 40,40 40,40 10,10 10),(60 60,60 90,90 90,90 60,60 60))",
        "POLYGON((0 0,100 0,100 25,75 25,75 50,50 50,50 75,25 75,25 100,0 100,0 0))",
        "POLYGON((" + blob + "))",
    };
    for (const auto& wkt : shapes) {
        INFO(wkt.substr(0, 80));
        Fixture coarse, fine;
        coarse.add(LayerKind::classes, {wkt}, {0}, {"a"}, 1000000);
        const auto& idx = fine.add(LayerKind::classes, {wkt}, {0}, {"a"}, 8);
        CHECK(idx.piece_count() > 1);
        for (Fixture* fx : {&coarse, &fine}) {
            fx->candidate("POLYGON((-10 -10,110 -10,110 110,-10 110,-10 -10))");  // holds every piece
            fx->candidate("POLYGON((12 3,97 31,61 97,3 77,12 3))");               // cuts through many
        }
        const OverlayResult rc = coarse.run(), rf = fine.run();
        const double whole = geos::area(coarse.ctx, coarse.layers[0][0].get());
        CHECK(close_rel(rf.layers[0].area(0, 0), whole, 1e-11));  // no piece missing or twice
        CHECK(close_rel(rf.layers[0].area(1, 0), rc.layers[0].area(1, 0), 1e-11));
        CHECK(rf.layers[0].area(1, 0) > 100);
    }
}

TEST_CASE("overlapping features of one class count once", "[overlay]") {
    Fixture f;
    const auto& idx = f.add(LayerKind::classes,
                            {"POLYGON((0 0,6 0,6 10,0 10,0 0))", "POLYGON((4 0,10 0,10 10,4 10,4 0))"}, {0, 0}, {"a"});
    REQUIRE(idx.overlapping_features().size() == 1);
    f.candidate("POLYGON((0 0,10 0,10 10,0 10,0 0))");
    const auto r = f.run();
    CHECK(close_rel(r.layers[0].area(0, 0), 100.0));
    CHECK(close_rel(r.layers[0].covered_m2[0], 100.0));
}

TEST_CASE("overlapping features of two classes: each class its own area, covered once", "[overlay]") {
    Fixture f;
    f.add(LayerKind::classes, {"POLYGON((0 0,6 0,6 10,0 10,0 0))", "POLYGON((4 0,10 0,10 10,4 10,4 0))"}, {0, 1},
          {"a", "b"});
    f.candidate("POLYGON((0 0,10 0,10 10,0 10,0 0))");
    const auto r = f.run();
    CHECK(close_rel(r.layers[0].area(0, 0), 60.0));
    CHECK(close_rel(r.layers[0].area(0, 1), 60.0));
    CHECK(close_rel(r.layers[0].covered_m2[0], 100.0));
}

TEST_CASE("presence layers: overlap per name and distance to the nearest feature", "[overlay]") {
    Fixture f;
    f.add(LayerKind::presence, {"POLYGON((0 0,10 0,10 10,0 10,0 0))", "POLYGON((100 0,110 0,110 10,100 10,100 0))"},
          {0, 1}, {"Noord", "Zuid"});
    f.candidate("POLYGON((5 0,15 0,15 10,5 10,5 0))");        // half over Noord
    f.candidate("POLYGON((40 0,50 0,50 10,40 10,40 0))");     // 30 m from Noord, 50 m from Zuid
    f.candidate("POLYGON((60 20,70 20,70 30,60 30,60 20))");  // nearest: Zuid at (100,10): sqrt(30^2+10^2)
    const auto r = f.run();
    CHECK(close_rel(r.layers[0].area(0, 0), 50.0));
    CHECK(r.layers[0].distance_m[0] == 0.0);
    CHECK(r.layers[0].covered_m2[1] == 0.0);
    CHECK(close_rel(r.layers[0].distance_m[1], 30.0));
    CHECK(close_rel(r.layers[0].distance_m[2], std::sqrt(30.0 * 30.0 + 10.0 * 10.0)));
}

TEST_CASE("distance to the nearest of many cut features equals GEOS's", "[overlay]") {
    Fixture f;
    std::mt19937_64 rng(31);
    std::uniform_real_distribution<double> pos(0, 20000), u(0.5, 1.0);
    // Blobs of 40-200 vertices, cut into pieces of at most 16 vertices, so the nearest piece by
    // box is often not the nearest piece.
    auto blob = [&](double cx, double cy, double r, int n) {
        std::string s, first;
        for (int i = 0; i < n; ++i) {
            const double a = 2 * M_PI * i / n, rr = r * u(rng);
            const std::string pt = std::to_string(cx + rr * std::cos(a)) + " " + std::to_string(cy + rr * std::sin(a));
            s += (i ? "," : "") + pt;
            if (i == 0) first = pt;
        }
        return "POLYGON((" + s + "," + first + "))";
    };
    std::vector<std::string> features;
    for (int i = 0; i < 25; ++i) features.push_back(blob(150000 + pos(rng), 450000 + pos(rng), 600, 40 + i * 7));
    f.add(LayerKind::presence, features, std::vector<std::uint32_t>(features.size(), 0), {"plek"}, 16);
    for (int k = 0; k < 300; ++k) f.candidate(blob(150000 + pos(rng), 450000 + pos(rng), 150, 12 + k % 50));
    const auto r = f.run(2);
    int compared = 0;
    for (std::size_t c = 0; c < f.candidates.size(); ++c) {
        double expected = std::numeric_limits<double>::infinity();
        bool overlaps = false;
        for (const auto& feature : f.layers[0]) {
            const GEOSGeometry* g = feature.get();
            double d = 0;
            REQUIRE(GEOSDistance_r(f.ctx.handle(), f.candidates[c].get(), g, &d) == 1);
            expected = std::min(expected, d);
            overlaps = overlaps || geos::intersection_area(f.ctx, f.candidates[c].get(), g) > 0;
        }
        INFO("candidate " << c << ": " << std::setprecision(17) << r.layers[0].distance_m[c] << " GEOS " << expected);
        if (overlaps) {
            CHECK(r.layers[0].distance_m[c] == 0.0);
            continue;
        }
        CHECK(std::fabs(r.layers[0].distance_m[c] - expected) <=
              1e-12 * expected + 1e-9);  // rounding at RD coordinates
        ++compared;
    }
    CHECK(compared > 250);
}

TEST_CASE("results do not depend on the number of threads", "[overlay]") {
    Fixture f;
    std::vector<std::string> cells;
    std::vector<std::uint32_t> cls;
    for (int i = 0; i < 10; ++i) {
        for (int j = 0; j < 10; ++j) {
            cells.push_back("POLYGON((" + std::to_string(i * 10) + " " + std::to_string(j * 10) + "," +
                            std::to_string(i * 10 + 10) + " " + std::to_string(j * 10) + "," +
                            std::to_string(i * 10 + 10) + " " + std::to_string(j * 10 + 10) + "," +
                            std::to_string(i * 10) + " " + std::to_string(j * 10 + 10) + "," + std::to_string(i * 10) +
                            " " + std::to_string(j * 10) + "))");
            cls.push_back(static_cast<std::uint32_t>((i * 7 + j * 3) % 4));
        }
    }
    f.add(LayerKind::classes, cells, cls, {"a", "b", "c", "d"});
    for (int k = 0; k < 200; ++k) {
        const double x = (k * 37) % 80 + 0.3, y = (k * 53) % 80 + 0.7, s = 3 + k % 11;
        f.candidate("POLYGON((" + std::to_string(x) + " " + std::to_string(y) + "," + std::to_string(x + s) + " " +
                    std::to_string(y + 1) + "," + std::to_string(x + s / 2) + " " + std::to_string(y + s) + "," +
                    std::to_string(x) + " " + std::to_string(y) + "))");
    }
    const auto one = f.run(1);
    const auto two = f.run(2);
    const auto eight = f.run(8);
    CHECK(one.layers[0].area_m2 == two.layers[0].area_m2);
    CHECK(one.layers[0].area_m2 == eight.layers[0].area_m2);
    double total = 0;
    for (double a : one.layers[0].area_m2) total += a;
    double cand_total = 0;
    for (double a : one.candidate_area_m2) cand_total += a;
    CHECK(close_rel(total, cand_total, 1e-12));  // all candidates lie inside the grid
}
