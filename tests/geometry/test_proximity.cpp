// Points and lines layers (spatial/geometry/proximity.hpp): distance_m, count_within, length_m
// and length_within_m against hand-worked cases and against brute force on random inputs.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <sstream>

#include "spatial/geometry/overlay.hpp"
#include "spatial/geometry/proximity.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {

struct Run {
    geos::Context ctx;
    std::vector<geos::Geom> features, candidates;
    std::unique_ptr<LayerIndex> index;

    void build(LayerKind kind, const std::vector<std::string>& wkts, double within_m) {
        for (const auto& w : wkts) features.push_back(geos::from_wkt(ctx, w));
        auto prox = std::make_shared<const ProximityIndex>(
            kind == LayerKind::points ? ProximityKind::points : ProximityKind::lines, test::borrowed(features),
            within_m);
        index = std::make_unique<LayerIndex>("l", kind, std::move(prox));
    }
    LayerOverlay run(unsigned threads = 0) {
        RunControl rc;
        rc.threads = threads;
        return overlay(test::borrowed(candidates), {index.get()}, rc).layers.at(0);
    }
};

double distance(const geos::Context& ctx, const GEOSGeometry* a, const GEOSGeometry* b) {
    double d = 0;
    REQUIRE(GEOSDistance_r(ctx.handle(), a, b, &d) == 1);
    return d;
}

// Length of `line` within `reach` of `poly` (0: inside or on it), by cutting every segment into
// `pieces` parts and testing each part's midpoint: independent of GEOS's overlay and buffer.
double sampled_length(const geos::Context& ctx, const GEOSGeometry* poly, const std::vector<double>& xy, double reach,
                      int pieces) {
    double total = 0;
    for (std::size_t k = 0; k + 3 < xy.size(); k += 2) {
        const double x0 = xy[k], y0 = xy[k + 1], x1 = xy[k + 2], y1 = xy[k + 3];
        const double len = std::hypot(x1 - x0, y1 - y0);
        for (int i = 0; i < pieces; ++i) {
            const double t = (i + 0.5) / pieces;
            std::ostringstream w;
            w.precision(17);
            w << "POINT(" << x0 + t * (x1 - x0) << " " << y0 + t * (y1 - y0) << ")";
            const geos::Geom p = geos::from_wkt(ctx, w.str());
            if (distance(ctx, poly, p.get()) <= reach) total += len / pieces;
        }
    }
    return total;
}

// A star-shaped polygon around (cx, cy), optionally with a square hole in the middle.
std::string star(std::mt19937_64& rng, double cx, double cy, double r, bool hole) {
    std::uniform_real_distribution<double> u(0.5, 1.0);
    std::ostringstream w;
    w.precision(17);
    w << "POLYGON((";
    const int n = 12;
    double fx = 0, fy = 0;
    for (int i = 0; i < n; ++i) {
        const double a = 2 * M_PI * i / n, rr = r * u(rng);
        const double x = cx + rr * std::cos(a), y = cy + rr * std::sin(a);
        if (i == 0) fx = x, fy = y;
        w << x << " " << y << ",";
    }
    w << fx << " " << fy << ")";
    if (hole) {
        const double h = 0.2 * r;
        w << ",(" << cx - h << " " << cy - h << "," << cx - h << " " << cy + h << "," << cx + h << " " << cy + h << ","
          << cx + h << " " << cy - h << "," << cx - h << " " << cy - h << ")";
    }
    w << ")";
    return w.str();
}

}  // namespace

TEST_CASE("points: distance from the boundary, 0 inside, a point in a hole is outside", "[proximity]") {
    Run r;
    // A 100 x 100 square with a 20 x 20 hole at 40..60.
    r.candidates.push_back(
        geos::from_wkt(r.ctx, "POLYGON((0 0,100 0,100 100,0 100,0 0),(40 40,40 60,60 60,60 40,40 40))"));
    r.candidates.push_back(geos::from_wkt(r.ctx, "POLYGON((1000 0,1010 0,1010 10,1000 10,1000 0))"));
    SECTION("a point inside") {
        r.build(LayerKind::points, {"POINT(10 10)", "POINT(500 500)"}, 50);
        const LayerOverlay lo = r.run();
        CHECK(lo.distance_m[0] == 0.0);
        CHECK(lo.count_within[0] == 1.0);
        CHECK(lo.distance_m[1] == Approx(std::hypot(500.0, 490.0)).epsilon(1e-12));
        CHECK(lo.count_within[1] == 0.0);
    }
    SECTION("a point in the hole: 5 m from the hole's edge") {
        r.build(LayerKind::points, {"POINT(45 50)", "MULTIPOINT((130 50),(2000 0))"}, 30);
        const LayerOverlay lo = r.run();
        CHECK(lo.distance_m[0] == Approx(5.0).epsilon(1e-12));
        CHECK(lo.count_within[0] == 2.0);  // the hole point (5 m) and the multipoint (30 m)
        CHECK(lo.distance_m[1] ==
              Approx(std::hypot(1000.0 - 130.0, 10.0 - 50.0)).epsilon(1e-12));  // to corner (1000, 10)
        CHECK(lo.length_m[0] == 0.0);
    }
    SECTION("a point on the boundary is at 0") {
        r.build(LayerKind::points, {"POINT(100 30)"}, 1);
        CHECK(r.run().distance_m[0] == 0.0);
    }
}

TEST_CASE("lines: length inside and within a distance, worked by hand", "[proximity]") {
    Run r;
    r.candidates.push_back(geos::from_wkt(r.ctx, "POLYGON((0 0,100 0,100 100,0 100,0 0))"));
    // Crosses the square at y = 50 from x = -200 to 300: 100 m inside; within 10 m of the
    // square: 120 m (from x = -10 to 110).
    r.build(LayerKind::lines, {"LINESTRING(-200 50,300 50)", "MULTILINESTRING((0 150,100 150),(0 108,50 108))"}, 10);
    const LayerOverlay lo = r.run();
    CHECK(lo.distance_m[0] == 0.0);
    CHECK(lo.length_m[0] == Approx(100.0).epsilon(1e-12));
    CHECK(lo.count_within[0] == 2.0);  // the second feature's part at y = 108 is 8 m away
    // 120 m of the first line and all 50 m of the part at 8 m: its ends at x = 0 and 50 are
    // above the square's edge, so within 10 m whole.
    CHECK(lo.length_within_m[0] == Approx(170.0).epsilon(1e-6));
}

TEST_CASE("lines: the length within a distance is exact around corners (no buffer chords)", "[proximity]") {
    Run r;
    r.candidates.push_back(geos::from_wkt(r.ctx, "POLYGON((0 0,100 0,100 100,0 100,0 0))"));
    // 5 m above the square: within 10 m from x = -sqrt(75) to 100 + sqrt(75), along the corner
    // circles; a buffer of 64 segments per quarter gives a little less.
    r.build(LayerKind::lines, {"LINESTRING(-200 105,300 105)", "LINESTRING(50 50,50 -50,-50 -50)"}, 10);
    const LayerOverlay lo = r.run();
    // The second line: 50 m inside, then from (50, 0) down 10 m, then along y = -50 nothing.
    CHECK(lo.length_m[0] == Approx(50.0).epsilon(1e-12));
    CHECK(lo.length_within_m[0] == Approx(100 + 2 * std::sqrt(75.0) + 60.0).epsilon(1e-12));
    CHECK(lo.distance_m[0] == 0.0);
    CHECK(lo.count_within[0] == 2.0);
}

TEST_CASE("points and lines against brute force on random candidates (holes, multipart)", "[proximity]") {
    std::mt19937_64 rng(2106);
    std::uniform_real_distribution<double> pos(0, 5000);
    for (int round = 0; round < 4; ++round) {
        Run pts, lns;
        for (int c = 0; c < 25; ++c) {
            const double cx = pos(rng), cy = pos(rng);
            std::string wkt = star(rng, cx, cy, 300, c % 3 == 0);
            if (c % 5 == 0) {  // multipart: a second star 1 km away
                const std::string a = star(rng, cx, cy, 250, false), b = star(rng, cx + 1000, cy, 250, c % 2 == 0);
                wkt = "MULTIPOLYGON(" + a.substr(7) + "," + b.substr(7) + ")";
            }
            pts.candidates.push_back(geos::from_wkt(pts.ctx, wkt));
            lns.candidates.push_back(geos::from_wkt(lns.ctx, wkt));
        }
        std::vector<std::string> points, lines;
        std::vector<std::vector<double>> line_xy;
        for (int i = 0; i < 60; ++i) {
            std::ostringstream w;
            w.precision(17);
            w << "POINT(" << pos(rng) << " " << pos(rng) << ")";
            points.push_back(w.str());
        }
        for (int i = 0; i < 12; ++i) {
            std::vector<double> xy;
            std::ostringstream w;
            w.precision(17);
            w << "LINESTRING(";
            for (int k = 0; k < 4; ++k) {
                xy.push_back(pos(rng));
                xy.push_back(pos(rng));
                w << (k ? "," : "") << xy[xy.size() - 2] << " " << xy.back();
            }
            w << ")";
            lines.push_back(w.str());
            line_xy.push_back(xy);
        }
        const double within = 400;
        pts.build(LayerKind::points, points, within);
        lns.build(LayerKind::lines, lines, within);
        const LayerOverlay p1 = pts.run(1), p2 = pts.run(2), l1 = lns.run(1);
        for (std::size_t c = 0; c < pts.candidates.size(); ++c) {
            double best = std::numeric_limits<double>::infinity();
            int count = 0;
            for (const auto& f : pts.features) {
                const double d = distance(pts.ctx, pts.candidates[c].get(), f.get());
                best = std::min(best, d);
                count += d <= within ? 1 : 0;
                if (GEOSIntersects_r(pts.ctx.handle(), pts.candidates[c].get(), f.get()) == 1) CHECK(d == 0.0);
            }
            CHECK(p1.distance_m[c] == Approx(best).epsilon(1e-12).margin(1e-9));
            CHECK(p1.count_within[c] == count);
            CHECK(p2.distance_m[c] == p1.distance_m[c]);
            CHECK(p2.count_within[c] == p1.count_within[c]);

            best = std::numeric_limits<double>::infinity();
            count = 0;
            double inside = 0, near = 0, total = 0, geos_inside = 0, geos_near = 0;
            // GEOS's overlay on the candidate and on a buffer with 1024 segments per quarter
            // circle (it lies within 400 * (1 - cos(pi / 4096)) = 1.2e-4 m inside the exact one).
            const geos::Geom buffered =
                geos::own(lns.ctx, GEOSBuffer_r(lns.ctx.handle(), lns.candidates[c].get(), within, 1024), "buffer");
            for (std::size_t i = 0; i < lns.features.size(); ++i) {
                double l = 0;
                const geos::Geom in = geos::intersection(lns.ctx, lns.candidates[c].get(), lns.features[i].get());
                GEOSLength_r(lns.ctx.handle(), in.get(), &l);
                geos_inside += l;
                const geos::Geom nb = geos::intersection(lns.ctx, buffered.get(), lns.features[i].get());
                GEOSLength_r(lns.ctx.handle(), nb.get(), &l);
                geos_near += l;
            }
            CHECK(l1.length_m[c] == Approx(geos_inside).epsilon(1e-9).margin(1e-6));
            // The chords cut at most 2 * sqrt(2 * 400 * 1.2e-4) = 0.6 m off each crossing.
            CHECK(l1.length_within_m[c] >= geos_near - 1e-6);
            CHECK(l1.length_within_m[c] <= geos_near + 0.6 * 2 * 12 * 3);
            for (std::size_t i = 0; i < lns.features.size(); ++i) {
                const double d = distance(lns.ctx, lns.candidates[c].get(), lns.features[i].get());
                best = std::min(best, d);
                count += d <= within ? 1 : 0;
                inside += sampled_length(lns.ctx, lns.candidates[c].get(), line_xy[i], 0.0, 400);
                if (d <= within) near += sampled_length(lns.ctx, lns.candidates[c].get(), line_xy[i], within, 400);
                double len = 0;
                GEOSLength_r(lns.ctx.handle(), lns.features[i].get(), &len);
                total += len;
            }
            CHECK(l1.distance_m[c] == Approx(best).epsilon(1e-12).margin(1e-9));
            CHECK(l1.count_within[c] == count);
            // Sampling: at most one piece (under 20 m here) wrong per boundary crossing.
            CHECK(std::fabs(l1.length_m[c] - inside) <= 1e-3 * total + 60);
            CHECK(std::fabs(l1.length_within_m[c] - near) <= 1e-3 * total + 60);
            CHECK(l1.length_within_m[c] >= l1.length_m[c]);
        }
    }
}
