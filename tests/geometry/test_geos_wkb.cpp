// geos::from_wkb: its fast path for little-endian 2D polygons against GEOS's own WKB reader,
// on well-formed and on damaged input.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "spatial/core/error.hpp"
#include "spatial/geometry/geos.hpp"

using namespace ruimte;

namespace {

// What GEOS's reader makes of the bytes: the geometry as hex WKB (exact coordinates), or
// "refused".
std::string by_geos_reader(const geos::Context& ctx, const std::vector<unsigned char>& wkb) {
    GEOSWKBReader* reader = GEOSWKBReader_create_r(ctx.handle());
    GEOSGeometry* g = GEOSWKBReader_read_r(ctx.handle(), reader, wkb.data(), wkb.size());
    GEOSWKBReader_destroy_r(ctx.handle(), reader);
    if (!g) return "refused";
    const geos::Geom owned(g);
    const auto out = geos::to_wkb(ctx, g);
    return std::string(out.begin(), out.end()) + "|" + std::to_string(GEOSGeomTypeId_r(ctx.handle(), g));
}

std::string by_from_wkb(const geos::Context& ctx, const std::vector<unsigned char>& wkb) {
    try {
        const geos::Geom g = geos::from_wkb(ctx, wkb.data(), wkb.size());
        const auto out = geos::to_wkb(ctx, g.get());
        return std::string(out.begin(), out.end()) + "|" + std::to_string(GEOSGeomTypeId_r(ctx.handle(), g.get()));
    } catch (const Error&) { return "refused"; }
}

std::vector<unsigned char> wkb_of(const geos::Context& ctx, const std::string& wkt) {
    const geos::Geom g = geos::from_wkt(ctx, wkt);
    return geos::to_wkb(ctx, g.get());
}

}  // namespace

TEST_CASE("from_wkb reads polygons and multipolygons exactly as GEOS's reader does", "[geos]") {
    geos::Context ctx;
    const std::vector<std::string> wkts = {
        "POLYGON((0 0,10 0,10 10,0 10,0 0))",
        "POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,2 4,4 4,4 2,2 2),(6 6,6 8,8 8,6 6))",
        "MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5),(5.2 5.1,5.8 5.1,5.8 5.7,5.2 5.1)))",
        "POLYGON((155000.123456789 463000.987654321,155010.5 463000.25,155003.75 463020.125,155000.123456789 "
        "463000.987654321))",
        "POLYGON((0 0,1e-300 0,1 1e300,0 0))",
        "POLYGON((0 0,1 0,1 0,1 1,0 0))",  // a repeated point stays
    };
    for (const auto& wkt : wkts) {
        INFO(wkt);
        const auto wkb = wkb_of(ctx, wkt);
        const std::string expected = by_geos_reader(ctx, wkb);
        REQUIRE(expected != "refused");
        CHECK(by_from_wkb(ctx, wkb) == expected);
        CHECK(geos::polygonal_from_ndr_wkb(ctx, wkb.data(), wkb.size()));  // the fast path took it
    }
}

TEST_CASE("from_wkb on damaged or other WKB does what GEOS's reader does", "[geos]") {
    geos::Context ctx;
    std::vector<std::vector<unsigned char>> cases;
    const auto square = wkb_of(ctx, "POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,2 4,4 4,4 2,2 2))");
    const auto multi = wkb_of(ctx, "MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))");
    for (const auto& base : {square, multi}) {
        for (std::size_t cut = 0; cut < base.size(); ++cut)
            cases.emplace_back(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(cut));
        auto longer = base;
        longer.push_back(0);
        cases.push_back(longer);  // a byte left over
        // Every count field set to 0, 3, 1000 and 2^32 - 1 in turn (byte offsets of the first few).
        for (std::size_t at : {5u, 9u, 13u, 14u, 18u}) {
            for (std::uint32_t v : {0u, 3u, 1000u, 0xffffffffu}) {
                if (at + 4 > base.size()) continue;
                auto bad = base;
                std::memcpy(bad.data() + at, &v, 4);
                cases.push_back(bad);
            }
        }
    }
    cases.push_back(wkb_of(ctx, "POLYGON EMPTY"));
    cases.push_back(wkb_of(ctx, "MULTIPOLYGON EMPTY"));
    cases.push_back(wkb_of(ctx, "POLYGON Z((0 0 1,1 0 1,1 1 1,0 0 1))"));
    cases.push_back(wkb_of(ctx, "LINESTRING(0 0,1 1)"));
    cases.push_back(wkb_of(ctx, "GEOMETRYCOLLECTION(POLYGON((0 0,1 0,1 1,0 0)))"));
    {
        // Big-endian: GEOS reads it, the fast path leaves it to GEOS.
        GEOSWKBWriter* writer = GEOSWKBWriter_create_r(ctx.handle());
        GEOSWKBWriter_setByteOrder_r(ctx.handle(), writer, GEOS_WKB_XDR);
        const geos::Geom g = geos::from_wkt(ctx, "POLYGON((0 0,10 0,10 10,0 0))");
        std::size_t size = 0;
        unsigned char* buf = GEOSWKBWriter_write_r(ctx.handle(), writer, g.get(), &size);
        cases.emplace_back(buf, buf + size);
        GEOSFree_r(ctx.handle(), buf);
        GEOSWKBWriter_destroy_r(ctx.handle(), writer);
    }
    {
        // A ring not closed, and one of three points.
        auto open = square;
        const double x = 9.5;
        std::memcpy(open.data() + 13 + 4 * 16, &x, 8);  // last point of the shell
        cases.push_back(open);
        cases.push_back(wkb_of(ctx, "POLYGON((0 0,1 0,1 1,0 0))"));
        std::uint32_t three = 3;
        std::memcpy(cases.back().data() + 13, &three, 4);
        cases.back().resize(cases.back().size() - 16);
    }
    // Random bytes after a valid header.
    std::mt19937 rng(5);
    for (int i = 0; i < 300; ++i) {
        auto noisy = (i % 2 ? square : multi);
        for (int k = 0; k < 3; ++k) noisy[rng() % noisy.size()] = static_cast<unsigned char>(rng());
        cases.push_back(noisy);
    }
    int refused = 0, fast_taken = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        INFO("case " << i << ", " << cases[i].size() << " bytes");
        const std::string expected = by_geos_reader(ctx, cases[i]);
        refused += expected == "refused";
        CHECK(by_from_wkb(ctx, cases[i]) == expected);
        // The fast path takes only what it reads exactly as GEOS does.
        if (const geos::Geom fast = geos::polygonal_from_ndr_wkb(ctx, cases[i].data(), cases[i].size())) {
            const auto out = geos::to_wkb(ctx, fast.get());
            CHECK(std::string(out.begin(), out.end()) + "|" +
                      std::to_string(GEOSGeomTypeId_r(ctx.handle(), fast.get())) ==
                  expected);
            ++fast_taken;
        }
    }
    CHECK(refused > 30);
    CHECK(fast_taken > 30);  // damaged coordinates (not counts) still read
}
