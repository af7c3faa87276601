// libFuzzer target: geometry ingest as spatial/source.cpp does it (WKB -> geos::from_wkb ->
// remove repeated points -> validity check -> geos::make_valid_polygonal), then the area
// kernel (spatial/area_kernel.hpp) against a fixed 100 x 100 square, checked against GEOS:
// its area must equal the sum of GEOS's intersection areas of the parts (1e-6 relative).
// Also: area::certainly_simple on the raw input rings must never call a ring simple that GEOS
// finds not simple, and the face walk (spatial/polygonize.hpp) on the noded boundaries of the
// polygon and the square must find GEOSPolygonize's faces (count of faces above 1e-9 of the
// total, and total area) when it answers. And the layer index's pieces (spatial/overlay.hpp)
// must tile the polygon.
// Unparseable WKB (ruimte::Error) is fine; crashes, sanitizer reports and aborts are findings.
#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "spatial/core/error.hpp"
#include "spatial/geometry/area_kernel.hpp"
#include "spatial/geometry/coverage.hpp"
#include "spatial/geometry/geos.hpp"
#include "spatial/geometry/overlay.hpp"
#include "spatial/geometry/polygonize.hpp"
#include "spatial/io/source.hpp"

namespace {
bool sane_coordinates(const ruimte::area::Rings& r) {
    for (const auto& ring : r.rings) {
        for (double v : ring.xy) {
            if (!std::isfinite(v) || std::fabs(v) > 1e9) return false;  // beyond any RD extent
        }
    }
    return true;
}
// GEOS is no oracle for coordinates so small that its products underflow (it calls a
// subnormal triangle not simple, or drops it): the comparisons with GEOS skip those.
bool geos_comparable(const ruimte::area::Rings& r) {
    for (const auto& ring : r.rings) {
        for (double v : ring.xy) {
            if (v != 0 && std::fabs(v) < 1e-100) return false;
        }
    }
    return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const ruimte::geos::Context ctx;
    static const ruimte::geos::Geom square = ruimte::geos::from_wkt(ctx, "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0))");
    static const ruimte::area::Rings square_rings = ruimte::area::rings_of(ctx, square.get());
    try {
        ruimte::geos::Geom geom = ruimte::geos::from_wkb(ctx, data, size);
        geom = ruimte::geos::zero_tiny_coordinates(ctx, geom.get());  // as the readers do
        const int type = GEOSGeomTypeId_r(ctx.handle(), geom.get());
        if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) return 0;
        if (ruimte::geos::num_points(ctx, geom.get()) > 100000) return 0;
        {
            // Soundness of the simplicity proof on rings as they come, valid or not.
            const ruimte::area::Rings raw = ruimte::area::rings_of(ctx, geom.get());
            if (sane_coordinates(raw) && geos_comparable(raw)) {
                for (const auto& ring : raw.rings) {
                    if (!ruimte::area::certainly_simple(ring)) continue;
                    ruimte::geos::Geom line = ruimte::geos::linear_ring(ctx, ring.xy, false);
                    if (line && GEOSisSimple_r(ctx.handle(), line.get()) == 0) {
                        std::fprintf(stderr, "certainly_simple proved a ring GEOS finds not simple\n");
                        std::abort();
                    }
                }
            }
        }
        GEOSGeometry* deduped = GEOSRemoveRepeatedPoints_r(ctx.handle(), geom.get(), 0.0);
        if (!deduped) return 0;
        geom = ruimte::geos::own(ctx, deduped, "remove repeated points");
        char* reason = nullptr;
        GEOSGeometry* location = nullptr;
        const char valid = GEOSisValidDetail_r(ctx.handle(), geom.get(), 0, &reason, &location);
        GEOSFree_r(ctx.handle(), reason);
        if (location) ruimte::geos::own(ctx, location, "location");
        if (valid == 2) return 0;
        if (!valid) {
            ruimte::geos::Geom fixed = ruimte::geos::make_valid_polygonal(ctx, geom.get());
            if (!fixed) return 0;
            geom = std::move(fixed);
        }
        if (ruimte::geos::is_empty(ctx, geom.get())) return 0;
        const ruimte::area::Rings rings = ruimte::area::rings_of(ctx, geom.get());
        if (!sane_coordinates(rings)) return 0;
        for (const auto& ring : rings.rings) (void)ruimte::area::certainly_simple(ring);
        const double fast = ruimte::area::intersection_area(rings, square_rings);
        // GEOS part by part: the parts of a valid multipolygon do not overlap, so their shares
        // add up. (GEOS's overlay of a whole multipolygon with thin parts that touch can fall
        // back to snapping and be off by m2: found by this fuzzer, 4524.96 against 4522.72.)
        double exact = 0;
        const int parts = GEOSGetNumGeometries_r(ctx.handle(), geom.get());
        for (int i = 0; i < parts; ++i) {
            exact +=
                ruimte::geos::intersection_area(ctx, GEOSGetGeometryN_r(ctx.handle(), geom.get(), i), square.get());
        }
        const double scale = std::max({1.0, rings.area, 10000.0});
        if (std::fabs(fast - exact) > 1e-6 * scale) {
            std::fprintf(stderr, "area kernel %.17g, GEOS %.17g\n", fast, exact);
            std::abort();
        }
        (void)ruimte::area::boundary_distance(rings, square_rings, 1e300);

        if (!geos_comparable(rings)) return 0;

        // Layer pieces (spatial/overlay.cpp: GEOS's rectangle clip where its result is proven
        // right, else GEOS's intersection) must tile the polygon: a candidate holding the
        // polygon's whole box gets the polygon's area.
        {
            ruimte::FeatureLayer layer;
            layer.source = {"fuzz", "fuzz"};
            layer.layer_name = "fuzz";
            ruimte::Feature feature;
            feature.fid = 1;
            feature.geom = ruimte::geos::clone(ctx, geom.get());
            layer.features.push_back(std::move(feature));
            ruimte::IndexOptions small;
            small.max_piece_vertices = 8;
            ruimte::RunControl one;
            one.threads = 1;
            const ruimte::LayerIndex index("fuzz", ruimte::LayerKind::classes, layer.geometries(), {0}, {"a"}, small,
                                           one);
            const ruimte::geos::Box b = ruimte::geos::envelope(ctx, geom.get());
            const ruimte::geos::Geom all = ruimte::geos::own(
                ctx, GEOSGeom_createRectangle_r(ctx.handle(), b.xmin - 1, b.ymin - 1, b.xmax + 1, b.ymax + 1), "all");
            const ruimte::OverlayResult held = ruimte::overlay({all.get()}, {&index}, one);
            const double want = ruimte::geos::area(ctx, geom.get());
            const double tol = 1e-6 * std::max({1.0, want, 10000.0});
            if (std::fabs(held.layers[0].area(0, 0) - want) > tol) {
                std::fprintf(stderr, "layer pieces %.17g (%zu pieces), polygon %.17g\n", held.layers[0].area(0, 0),
                             index.piece_count(), want);
                std::abort();
            }
        }

        // Edge dropping: the polygon cut by four tiles meeting at (50, 50) and put together
        // again must be valid and have the polygon's area, when it answers.
        {
            std::vector<ruimte::geos::Geom> pieces;
            for (int t = 0; t < 4; ++t) {
                const double x0 = t % 2 == 0 ? -1e9 : 50, x1 = t % 2 == 0 ? 50 : 1e9, y0 = t < 2 ? -1e9 : 50,
                             y1 = t < 2 ? 50 : 1e9;
                GEOSGeometry* rect = GEOSGeom_createRectangle_r(ctx.handle(), x0, y0, x1, y1);
                if (!rect) return 0;
                const ruimte::geos::Geom r = ruimte::geos::own(ctx, rect, "tile");
                GEOSGeometry* cut = GEOSIntersection_r(ctx.handle(), geom.get(), r.get());
                if (!cut) return 0;
                const ruimte::geos::Geom part =
                    ruimte::geos::polygonal_part(ctx, ruimte::geos::own(ctx, cut, "cut").get());
                for (int i = 0; i < GEOSGetNumGeometries_r(ctx.handle(), part.get()); ++i) {
                    const GEOSGeometry* p = GEOSGetGeometryN_r(ctx.handle(), part.get(), i);
                    if (!ruimte::geos::is_empty(ctx, p) && ruimte::geos::area(ctx, p) > 0)
                        pieces.push_back(ruimte::geos::clone(ctx, p));
                }
            }
            std::vector<const GEOSGeometry*> ptrs;
            double pieces_area = 0;
            for (const auto& p : pieces) {
                ptrs.push_back(p.get());
                pieces_area += ruimte::geos::area(ctx, p.get());
            }
            if (ptrs.size() > 1) {
                const ruimte::geos::Geom u = ruimte::dissolve_coverage(ctx, ptrs);
                if (u &&
                    (GEOSisValid_r(ctx.handle(), u.get()) != 1 ||
                     std::fabs(ruimte::geos::area(ctx, u.get()) - pieces_area) > 1e-9 * std::max(1.0, pieces_area))) {
                    std::fprintf(stderr, "dissolve_coverage: valid %d, area %.17g, pieces %.17g\n",
                                 GEOSisValid_r(ctx.handle(), u.get()), ruimte::geos::area(ctx, u.get()), pieces_area);
                    std::abort();
                }
            }
        }

        // The face walk against GEOSPolygonize on the noded boundaries of both.
        GEOSGeometry* parts_of[] = {GEOSBoundary_r(ctx.handle(), geom.get()),
                                    GEOSBoundary_r(ctx.handle(), square.get())};
        if (!parts_of[0] || !parts_of[1]) return 0;
        const ruimte::geos::Geom both = ruimte::geos::own(
            ctx, GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, parts_of, 2), "boundaries");
        GEOSGeometry* noded_raw = GEOSNode_r(ctx.handle(), both.get());
        if (!noded_raw) return 0;
        const ruimte::geos::Geom noded = ruimte::geos::own(ctx, noded_raw, "noded");
        const auto walked = ruimte::polygonize_noded(ctx, noded.get());
        if (walked) {
            const GEOSGeometry* const in[] = {noded.get()};
            GEOSGeometry* faces_raw = GEOSPolygonize_r(ctx.handle(), in, 1);
            if (!faces_raw) return 0;
            const ruimte::geos::Geom faces = ruimte::geos::own(ctx, faces_raw, "polygonize");
            // Faces so thin that GEOS's own predicates see their rings collapsed are dropped by
            // GEOS and kept by the walk (exact predicates): compare the faces above 1e-9 of
            // the total, and the total area.
            const double area_geos = ruimte::geos::area(ctx, faces.get());
            const double tiny = 1e-9 * std::max(1.0, area_geos);
            double area_walk = 0;
            int n_walk = 0, n_geos = 0;
            for (const auto& f : *walked) {
                const double a = ruimte::geos::area(ctx, f.get());
                area_walk += a;
                n_walk += a > tiny ? 1 : 0;
            }
            for (int i = 0; i < GEOSGetNumGeometries_r(ctx.handle(), faces.get()); ++i) {
                n_geos += ruimte::geos::area(ctx, GEOSGetGeometryN_r(ctx.handle(), faces.get(), i)) > tiny ? 1 : 0;
            }
            // Where GEOSPolygonize covers as much as the walk, they must have the same faces.
            // Where it covers less, the walk must cover what the rings enclose: the union of
            // the square and the polygon with its holes filled (polygonize makes faces of holes
            // too). Fuzzing found rings with points 1e-300 apart that GEOS drops whole.
            bool ok = std::fabs(area_walk - area_geos) <= tiny && n_walk == n_geos;
            double area_filled = -1;
            if (!ok) {
                std::vector<GEOSGeometry*> shells{GEOSGeom_clone_r(ctx.handle(), square.get())};
                const int parts_n = GEOSGetNumGeometries_r(ctx.handle(), geom.get());
                for (int i = 0; i < parts_n; ++i) {
                    const GEOSGeometry* shell =
                        GEOSGetExteriorRing_r(ctx.handle(), GEOSGetGeometryN_r(ctx.handle(), geom.get(), i));
                    shells.push_back(
                        GEOSGeom_createPolygon_r(ctx.handle(), GEOSGeom_clone_r(ctx.handle(), shell), nullptr, 0));
                }
                const ruimte::geos::Geom all =
                    ruimte::geos::own(ctx,
                                      GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, shells.data(),
                                                                  static_cast<unsigned>(shells.size())),
                                      "shells");
                GEOSGeometry* u = GEOSUnaryUnion_r(ctx.handle(), all.get());
                if (!u) return 0;
                area_filled = ruimte::geos::area(ctx, ruimte::geos::own(ctx, u, "union").get());
                ok = area_geos < area_walk && std::fabs(area_walk - area_filled) <= 1e-9 * std::max(1.0, area_filled);
            }
            if (!ok) {
                std::fprintf(stderr,
                             "face walk %d faces %.17g m2, GEOSPolygonize %d faces %.17g m2, filled union %.17g m2\n",
                             n_walk, area_walk, n_geos, area_geos, area_filled);
                std::abort();
            }
        }
    } catch (const ruimte::Error&) {
        // unparseable WKB or a GEOS failure reported as an error: fine
    }
    return 0;
}
