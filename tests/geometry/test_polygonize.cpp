// polygonize_noded: the faces of noded linework, which must be GEOSPolygonize's faces (the
// same point sets, valid) whenever it answers, and no answer where it cannot prove its rings.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "spatial/geometry/geos.hpp"
#include "spatial/geometry/polygonize.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {

// GEOSNode of the boundaries of the polygons, as `ruimte claims` makes its linework.
geos::Geom noded_boundaries(const geos::Context& ctx, const std::vector<geos::Geom>& polys) {
    std::vector<GEOSGeometry*> rings;
    for (const auto& p : polys) rings.push_back(GEOSBoundary_r(ctx.handle(), p.get()));
    geos::Geom lines = geos::own(ctx,
                                 GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, rings.data(),
                                                             static_cast<unsigned>(rings.size())),
                                 "lines");
    return geos::own(ctx, GEOSNode_r(ctx.handle(), lines.get()), "node");
}

struct Face {
    double area, x, y;
    const GEOSGeometry* g;
};

std::vector<Face> faces_of(const geos::Context& ctx, const std::vector<const GEOSGeometry*>& gs) {
    std::vector<Face> out;
    for (const GEOSGeometry* g : gs) {
        const geos::Box b = geos::envelope(ctx, g);
        out.push_back({geos::area(ctx, g), b.xmin, b.ymin, g});
    }
    std::sort(out.begin(), out.end(),
              [](const Face& a, const Face& b) { return std::tie(a.area, a.x, a.y) < std::tie(b.area, b.x, b.y); });
    return out;
}

// Compares polygonize_noded with GEOSPolygonize; returns whether the fast path answered.
bool same_as_geos(const geos::Context& ctx, const GEOSGeometry* noded) {
    const auto ours = polygonize_noded(ctx, noded);
    const GEOSGeometry* const in[] = {noded};
    geos::Geom theirs = geos::own(ctx, GEOSPolygonize_r(ctx.handle(), in, 1), "polygonize");
    if (!ours) return false;
    const std::vector<const GEOSGeometry*> a = test::borrowed(*ours);
    std::vector<const GEOSGeometry*> b;
    for (int i = 0; i < GEOSGetNumGeometries_r(ctx.handle(), theirs.get()); ++i)
        b.push_back(GEOSGetGeometryN_r(ctx.handle(), theirs.get(), i));
    REQUIRE(a.size() == b.size());
    const auto fa = faces_of(ctx, a), fb = faces_of(ctx, b);
    for (std::size_t i = 0; i < fa.size(); ++i) {
        CHECK(GEOSGeomTypeId_r(ctx.handle(), fa[i].g) == GEOS_POLYGON);
        CHECK(GEOSisValid_r(ctx.handle(), fa[i].g) == 1);
        CHECK(fa[i].area == Approx(fb[i].area).epsilon(1e-12));
        CHECK(GEOSEquals_r(ctx.handle(), fa[i].g, fb[i].g) == 1);
        CHECK(GEOSGetNumInteriorRings_r(ctx.handle(), fa[i].g) == GEOSGetNumInteriorRings_r(ctx.handle(), fb[i].g));
    }
    return true;
}

}  // namespace

TEST_CASE("polygonize_noded finds GEOSPolygonize's faces in overlapping blobs, grids and nested rings",
          "[polygonize]") {
    geos::Context ctx;
    std::mt19937_64 rng(20261122);
    std::uniform_real_distribution<double> pos(0.0, 5000.0), radius(100.0, 1500.0), unit(0.0, 1.0);
    int answered = 0;
    for (int round = 0; round < 150; ++round) {
        std::vector<geos::Geom> polys;
        // Overlapping discs, some with a hole.
        for (int k = 0; k < 6; ++k) {
            const double cx = pos(rng), cy = pos(rng), r = radius(rng);
            geos::Geom pt = geos::from_wkt(ctx, "POINT(" + std::to_string(cx) + " " + std::to_string(cy) + ")");
            geos::Geom disc = geos::own(ctx, GEOSBuffer_r(ctx.handle(), pt.get(), r, 6), "disc");
            if (k % 2 == 0) {
                geos::Geom inner =
                    geos::own(ctx, GEOSBuffer_r(ctx.handle(), pt.get(), r * unit(rng) * 0.6 + 1, 5), "inner");
                disc = geos::own(ctx, GEOSDifference_r(ctx.handle(), disc.get(), inner.get()), "ring");
            }
            polys.push_back(std::move(disc));
        }
        // A grid of cells sharing edges (a coverage), over part of the area.
        const double step = 300 + 700 * unit(rng);
        for (int i = 0; i < 3; ++i) {
            for (int j = 0; j < 3; ++j) {
                polys.push_back(geos::own(ctx,
                                          GEOSGeom_createRectangle_r(ctx.handle(), 1000 + i * step, 1000 + j * step,
                                                                     1000 + (i + 1) * step, 1000 + (j + 1) * step),
                                          "cell"));
            }
        }
        const geos::Geom noded = noded_boundaries(ctx, polys);
        answered += same_as_geos(ctx, noded.get()) ? 1 : 0;
    }
    CHECK(answered > 120);  // the fast path is the usual one

    // Three nested levels: a square with a hole, an island in the hole with its own hole.
    std::vector<geos::Geom> nested;
    nested.push_back(geos::from_wkt(ctx, "POLYGON((0 0,100 0,100 100,0 100,0 0),(20 20,80 20,80 80,20 80,20 20))"));
    nested.push_back(geos::from_wkt(ctx, "POLYGON((30 30,70 30,70 70,30 70,30 30),(45 45,55 45,55 55,45 55,45 45))"));
    const geos::Geom n = noded_boundaries(ctx, nested);
    REQUIRE(same_as_geos(ctx, n.get()));
    CHECK(polygonize_noded(ctx, n.get())->size() == 4);
}

TEST_CASE("polygonize_noded on grid-snapped polygons: shared edges, touching corners, collinear overlaps",
          "[polygonize]") {
    // Small integer coordinates make the degenerate cases common: rectangles and triangles
    // that share edges or parts of edges, meet at corners, or lie on each other's lines.
    geos::Context ctx;
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int> coord(0, 12), kind(0, 2);
    int answered = 0, rounds = 0;
    for (int round = 0; round < 400; ++round) {
        std::vector<geos::Geom> polys;
        for (int k = 0; k < 5; ++k) {
            int x0 = coord(rng), y0 = coord(rng), x1 = coord(rng), y1 = coord(rng);
            if (x0 == x1 || y0 == y1) continue;
            if (x0 > x1) std::swap(x0, x1);
            if (y0 > y1) std::swap(y0, y1);
            const std::string a = std::to_string(x0) + " " + std::to_string(y0),
                              b = std::to_string(x1) + " " + std::to_string(y0),
                              c = std::to_string(x1) + " " + std::to_string(y1),
                              d = std::to_string(x0) + " " + std::to_string(y1);
            switch (kind(rng)) {
                case 0:
                    polys.push_back(
                        geos::from_wkt(ctx, "POLYGON((" + a + "," + b + "," + c + "," + d + "," + a + "))"));
                    break;
                case 1:
                    polys.push_back(geos::from_wkt(ctx, "POLYGON((" + a + "," + b + "," + c + "," + a + "))"));
                    break;
                default:  // a rectangle with a rectangular hole when there is room
                    if (x1 - x0 >= 3 && y1 - y0 >= 3) {
                        const std::string h = std::to_string(x0 + 1) + " " + std::to_string(y0 + 1),
                                          i = std::to_string(x1 - 1) + " " + std::to_string(y0 + 1),
                                          j = std::to_string(x1 - 1) + " " + std::to_string(y1 - 1),
                                          l = std::to_string(x0 + 1) + " " + std::to_string(y1 - 1);
                        polys.push_back(geos::from_wkt(ctx, "POLYGON((" + a + "," + b + "," + c + "," + d + "," + a +
                                                                "),(" + h + "," + l + "," + j + "," + i + "," + h +
                                                                "))"));
                    }
            }
        }
        if (polys.empty()) continue;
        ++rounds;
        const geos::Geom noded = noded_boundaries(ctx, polys);
        answered += same_as_geos(ctx, noded.get()) ? 1 : 0;
    }
    INFO(answered << " of " << rounds << " answered by the face walk");
    CHECK(answered > rounds / 4);  // many rounds have corners that touch: those go to GEOS
}

TEST_CASE("polygonize_noded gives no answer for linework it cannot prove, and no faces for none", "[polygonize]") {
    geos::Context ctx;
    // A dangling line.
    CHECK_FALSE(
        polygonize_noded(ctx, geos::from_wkt(ctx, "MULTILINESTRING((0 0,10 0,10 10,0 10,0 0),(10 10,20 20))").get()));
    // Two squares meeting at one corner: the outside's boundary passes that corner twice.
    std::vector<geos::Geom> corner;
    corner.push_back(geos::from_wkt(ctx, "POLYGON((0 0,10 0,10 10,0 10,0 0))"));
    corner.push_back(geos::from_wkt(ctx, "POLYGON((10 10,20 10,20 20,10 20,10 10))"));
    CHECK_FALSE(polygonize_noded(ctx, noded_boundaries(ctx, corner).get()));
    // Nothing in, nothing out.
    const auto none = polygonize_noded(ctx, geos::from_wkt(ctx, "MULTILINESTRING EMPTY").get());
    REQUIRE(none);
    CHECK(none->empty());
}
