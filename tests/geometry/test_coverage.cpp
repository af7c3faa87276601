// dissolve_coverage: the union of polygons cut by tile edges, by dropping their shared edges.
// It must give back exactly the polygon that was cut (GEOS checks equality and validity), and
// refuse (null, so the caller unions with GEOS) whatever is not an edge-matched coverage.
#include <catch2/catch.hpp>

#include <random>

#include "spatial/geometry/coverage.hpp"
#include "spatial/geometry/geos.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {

// Cuts g by a grid of tiles (as `ruimte claims` does: GEOSIntersection with each tile's
// rectangle, the same grid lines on both sides) and returns the polygonal pieces.
std::vector<geos::Geom> cut(const geos::Context& ctx, const GEOSGeometry* g, double x0, double y0, double step, int n) {
    std::vector<geos::Geom> pieces;
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            geos::Geom rect = geos::own(ctx,
                                        GEOSGeom_createRectangle_r(ctx.handle(), x0 + i * step, y0 + j * step,
                                                                   x0 + (i + 1) * step, y0 + (j + 1) * step),
                                        "rect");
            geos::Geom part = geos::polygonal_part(ctx, geos::intersection(ctx, g, rect.get()).get());
            const int k = GEOSGetNumGeometries_r(ctx.handle(), part.get());
            for (int p = 0; p < k; ++p) {
                const GEOSGeometry* poly = GEOSGetGeometryN_r(ctx.handle(), part.get(), p);
                if (!geos::is_empty(ctx, poly) && geos::area(ctx, poly) > 0) pieces.push_back(geos::clone(ctx, poly));
            }
        }
    }
    return pieces;
}

}  // namespace

TEST_CASE("dissolve_coverage gives back the polygon that tile edges cut, holes included", "[coverage]") {
    geos::Context ctx;
    std::mt19937_64 rng(20261122);
    std::uniform_real_distribution<double> pos(150000.0, 160000.0), radius(300.0, 2500.0), unit(0.0, 1.0);
    int dissolved = 0, refused = 0;
    for (int round = 0; round < 200; ++round) {
        // A blob with a hole: the union of a few discs, minus a smaller disc inside the first.
        const double cx = pos(rng), cy = pos(rng), r = radius(rng);
        std::vector<geos::Geom> discs;
        for (int k = 0; k < 3; ++k) {
            geos::Geom pt = geos::from_wkt(ctx, "POINT(" + std::to_string(cx + (unit(rng) - 0.5) * r) + " " +
                                                    std::to_string(cy + (unit(rng) - 0.5) * r) + ")");
            discs.push_back(geos::own(ctx, GEOSBuffer_r(ctx.handle(), pt.get(), r * (0.5 + unit(rng)), 8), "disc"));
        }
        geos::Geom blob = geos::union_all(ctx, test::borrowed(discs));
        geos::Geom centre = geos::from_wkt(ctx, "POINT(" + std::to_string(cx) + " " + std::to_string(cy) + ")");
        geos::Geom hole = geos::own(ctx, GEOSBuffer_r(ctx.handle(), centre.get(), r * 0.15, 6), "hole");
        geos::Geom shape = geos::own(ctx, GEOSDifference_r(ctx.handle(), blob.get(), hole.get()), "shape");
        if (GEOSGeomTypeId_r(ctx.handle(), shape.get()) != GEOS_POLYGON) continue;

        const double step = r * (0.3 + unit(rng));
        const std::vector<geos::Geom> pieces =
            cut(ctx, shape.get(), cx - 4 * r - unit(rng) * step, cy - 4 * r - unit(rng) * step, step,
                static_cast<int>(8 * r / step) + 2);
        REQUIRE(pieces.size() > 1);
        geos::Geom u = dissolve_coverage(ctx, test::borrowed(pieces));
        if (!u) {
            ++refused;
            continue;
        }
        ++dissolved;
        CHECK(GEOSGeomTypeId_r(ctx.handle(), u.get()) == GEOS_POLYGON);
        CHECK(GEOSisValid_r(ctx.handle(), u.get()) == 1);
        CHECK(GEOSGetNumInteriorRings_r(ctx.handle(), u.get()) == GEOSGetNumInteriorRings_r(ctx.handle(), shape.get()));
        // Equal as point sets: no area on either side of the symmetric difference.
        geos::Geom diff = geos::own(ctx, GEOSSymDifference_r(ctx.handle(), u.get(), shape.get()), "symdiff");
        CHECK(geos::area(ctx, diff.get()) <= 1e-9 * geos::area(ctx, shape.get()));
        CHECK(geos::area(ctx, u.get()) == Approx(geos::area(ctx, shape.get())).epsilon(1e-12));
        // GEOS's orientation: shell clockwise.
        char ccw = 0;
        GEOSCoordSeq_isCCW_r(ctx.handle(),
                             GEOSGeom_getCoordSeq_r(ctx.handle(), GEOSGetExteriorRing_r(ctx.handle(), u.get())), &ccw);
        CHECK(ccw == 0);
    }
    CHECK(dissolved > 150);  // the fast path is the usual one
    CHECK(refused < 20);
}

TEST_CASE("dissolve_coverage on grid-snapped polygons cut by tiles through their vertices", "[coverage]") {
    // Integer coordinates and tile lines through vertices and along edges: pieces that meet at
    // corners, edges lying on tile lines, holes touching the cuts.
    geos::Context ctx;
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int> coord(0, 20);
    int dissolved = 0, rounds = 0;
    for (int round = 0; round < 300; ++round) {
        std::vector<geos::Geom> rects;
        for (int k = 0; k < 4; ++k) {
            int x0 = coord(rng), y0 = coord(rng), x1 = coord(rng), y1 = coord(rng);
            if (x0 == x1 || y0 == y1) continue;
            rects.push_back(geos::own(ctx,
                                      GEOSGeom_createRectangle_r(ctx.handle(), std::min(x0, x1), std::min(y0, y1),
                                                                 std::max(x0, x1), std::max(y0, y1)),
                                      "rect"));
        }
        if (rects.empty()) continue;
        geos::Geom shape = geos::union_all(ctx, test::borrowed(rects));
        if (GEOSGeomTypeId_r(ctx.handle(), shape.get()) != GEOS_POLYGON) continue;
        ++rounds;
        const double step = 2 + static_cast<int>(rng() % 5);
        const std::vector<geos::Geom> pieces = cut(ctx, shape.get(), 0, 0, step, static_cast<int>(20 / step) + 2);
        geos::Geom u = dissolve_coverage(ctx, test::borrowed(pieces));
        if (!u) continue;
        ++dissolved;
        CHECK(GEOSisValid_r(ctx.handle(), u.get()) == 1);
        geos::Geom diff = geos::own(ctx, GEOSSymDifference_r(ctx.handle(), u.get(), shape.get()), "symdiff");
        CHECK(geos::area(ctx, diff.get()) <= 1e-9 * geos::area(ctx, shape.get()));
        CHECK(geos::area(ctx, u.get()) == Approx(geos::area(ctx, shape.get())).epsilon(1e-12));
    }
    INFO(dissolved << " of " << rounds << " dissolved without GEOS");
    CHECK(dissolved > rounds / 2);
}

TEST_CASE("dissolve_coverage: several polygons when the parts make several, null for what is not edge-matched",
          "[coverage]") {
    geos::Context ctx;
    auto dissolve = [&](std::initializer_list<const char*> wkts) {
        std::vector<geos::Geom> parts;
        for (const char* w : wkts) parts.push_back(geos::from_wkt(ctx, w));
        return dissolve_coverage(ctx, test::borrowed(parts));
    };
    // Edge-matched: two squares sharing an edge, four squares around a hole.
    geos::Geom two = dissolve({"POLYGON((0 0,10 0,10 10,0 10,0 0))", "POLYGON((10 0,20 0,20 10,10 10,10 0))"});
    REQUIRE(two);
    CHECK(geos::area(ctx, two.get()) == 200.0);
    geos::Geom ring =
        dissolve({"POLYGON((0 0,30 0,30 10,20 10,10 10,0 10,0 0))", "POLYGON((0 20,10 20,20 20,30 20,30 30,0 30,0 20))",
                  "POLYGON((0 10,10 10,10 20,0 20,0 10))", "POLYGON((20 10,30 10,30 20,20 20,20 10))"});
    REQUIRE(ring);
    CHECK(GEOSGetNumInteriorRings_r(ctx.handle(), ring.get()) == 1);
    CHECK(geos::area(ctx, ring.get()) == 800.0);
    CHECK(GEOSisValid_r(ctx.handle(), ring.get()) == 1);

    // Parts that do not meet stay apart: a MultiPolygon, here with the hole of the ring of four
    // squares kept by the ring and not by the square that sits inside that hole.
    geos::Geom apart =
        dissolve({"POLYGON((0 0,30 0,30 10,20 10,10 10,0 10,0 0))", "POLYGON((0 20,10 20,20 20,30 20,30 30,0 30,0 20))",
                  "POLYGON((0 10,10 10,10 20,0 20,0 10))", "POLYGON((20 10,30 10,30 20,20 20,20 10))",
                  "POLYGON((12 12,18 12,18 18,12 18,12 12))"});
    REQUIRE(apart);
    CHECK(GEOSGeomTypeId_r(ctx.handle(), apart.get()) == GEOS_MULTIPOLYGON);
    CHECK(GEOSisValid_r(ctx.handle(), apart.get()) == 1);
    CHECK(geos::area(ctx, apart.get()) == 836.0);
    geos::Geom expected = geos::from_wkt(
        ctx,
        "MULTIPOLYGON(((0 0,30 0,30 30,0 30,0 0),(10 10,10 20,20 20,20 10,10 10)),((12 12,18 12,18 18,12 18,12 12)))");
    CHECK(GEOSEquals_r(ctx.handle(), apart.get(), expected.get()) == 1);

    // A vertex on one side of the shared edge only: the edges do not cancel.
    CHECK_FALSE(dissolve({"POLYGON((0 0,10 0,10 10,0 10,0 0))", "POLYGON((10 0,20 0,20 10,10 10,10 5,10 0))"}));
    // A long edge against two short ones along the same line (no shared vertices).
    CHECK_FALSE(dissolve({"POLYGON((0 0,30 0,30 10,0 10,0 0))", "POLYGON((0 10,10 10,10 20,0 20,0 10))",
                          "POLYGON((20 10,30 10,30 20,20 20,20 10))"}));
    // Overlapping parts; parts that only meet at a corner.
    CHECK_FALSE(dissolve({"POLYGON((0 0,10 0,10 10,0 10,0 0))", "POLYGON((5 0,15 0,15 10,5 10,5 0))"}));
    CHECK_FALSE(dissolve({"POLYGON((0 0,10 0,10 10,0 10,0 0))", "POLYGON((10 10,20 10,20 20,10 20,10 10))"}));
    // The same part twice.
    CHECK_FALSE(dissolve({"POLYGON((0 0,10 0,10 10,0 10,0 0))", "POLYGON((0 0,10 0,10 10,0 10,0 0))"}));
}
