// ruimte claims: hand-made partitions with areas worked out by hand, the invariants of the
// partition on the samples and on a generated case, and the compatibility matrix errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <random>

#include "io/support_io.hpp"
#include "spatial/claims/claims.hpp"
#include "spatial/core/error.hpp"

using namespace ruimte;

namespace {

bool close_rel(double a, double b, double rel = 1e-9) {
    return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)) + 1e-9;
}

struct Case {
    geos::Context ctx;
    std::vector<std::unique_ptr<FeatureLayer>> layers;
    std::vector<ClaimLayer> claims;

    void add(const std::string& name, const std::vector<std::string>& wkts) {
        layers.push_back(std::make_unique<FeatureLayer>(test::layer_from_wkt(ctx, wkts)));
        claims.push_back({name, layers.back().get()});
    }
    Partition run(double tile_size_m = 0, unsigned threads = 2) {
        PartitionOptions o;
        o.tile_size_m = tile_size_m;
        RunControl rc;
        rc.threads = threads;
        return build_partition(ctx, claims, o, rc);
    }
};

// Area per claim set (bit mask), and per face id text.
std::map<std::uint64_t, double> by_set(const Partition& p) {
    std::map<std::uint64_t, double> out;
    for (const auto& f : p.faces) out[f.claims] += f.area_m2;
    return out;
}

double total_area(const Partition& p) {
    double a = 0;
    for (const auto& f : p.faces) a += f.area_m2;
    return a;
}

// The three invariants of the issue.
void check_invariants(const geos::Context& ctx, const Partition& p, const std::vector<ClaimLayer>& claims) {
    // 1. Faces do not overlap (pairwise intersection area <= 1e-6 m2).
    std::vector<geos::Box> boxes;
    for (const auto& f : p.faces) boxes.push_back(geos::envelope(ctx, f.geom.get()));
    std::vector<std::size_t> order(p.faces.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return boxes[a].xmin < boxes[b].xmin; });
    double worst_overlap = 0;
    std::size_t tested = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
        for (std::size_t j = i + 1; j < order.size() && boxes[order[j]].xmin < boxes[order[i]].xmax; ++j) {
            if (!boxes[order[i]].intersects(boxes[order[j]])) continue;
            ++tested;
            worst_overlap = std::max(worst_overlap, geos::intersection_area(ctx, p.faces[order[i]].geom.get(),
                                                                            p.faces[order[j]].geom.get()));
        }
    }
    INFO("pairs of faces tested: " << tested);
    CHECK(worst_overlap <= 1e-6);

    // 2. The faces add up to the union of all claims; 3. per claim, to the union of its polygons.
    std::vector<const GEOSGeometry*> all;
    for (std::size_t c = 0; c < claims.size(); ++c) {
        std::vector<const GEOSGeometry*> mine;
        for (const auto& f : claims[c].layer->features) mine.push_back(f.geom.get());
        all.insert(all.end(), mine.begin(), mine.end());
        const double claim_union = geos::area(ctx, geos::union_all(ctx, mine).get());
        double faces_with_claim = 0;
        for (const auto& f : p.faces) {
            if (f.claims >> c & 1) faces_with_claim += f.area_m2;
        }
        INFO("claim " << claims[c].name);
        CHECK(close_rel(faces_with_claim, claim_union));
    }
    const double union_area = geos::area(ctx, geos::union_all(ctx, all).get());
    CHECK(close_rel(total_area(p), union_area));
    // Every face is a valid polygon with at least one claim.
    for (const auto& f : p.faces) {
        CHECK(f.claims != 0);
        REQUIRE(GEOSisValid_r(ctx.handle(), f.geom.get()) == 1);
    }
}

CompatMatrix two_kinds(const std::string& status) {
    return parse_compat_matrix("kinds = [\"a\", \"b\"]\n[a]\nb = \"" + status + "\"\n", "test.toml");
}

}  // namespace

TEST_CASE("two overlapping squares: three faces of 50 m2", "[claims]") {
    Case c;
    c.add("a", {"POLYGON((0 0,10 0,10 10,0 10,0 0))"});
    c.add("b", {"POLYGON((5 0,15 0,15 10,5 10,5 0))"});
    for (double tile : {0.0, 4.0, 3.3}) {
        INFO("tile size " << tile);
        const Partition p = c.run(tile);
        REQUIRE(p.faces.size() == 3);  // tile pieces merged back into the three faces
        const auto s = by_set(p);
        CHECK(close_rel(s.at(0b01), 50.0));
        CHECK(close_rel(s.at(0b10), 50.0));
        CHECK(close_rel(s.at(0b11), 50.0));
        // order: single claims first (a, then b), then a+b
        CHECK(p.faces[0].claims == 0b01);
        CHECK(p.faces[1].claims == 0b10);
        CHECK(p.faces[2].claims == 0b11);
        CHECK(member_ids_text(p.faces[2].members, c.claims) == "a:1;b:1");
        check_invariants(c.ctx, p, c.claims);
    }
    const Partition tiled = c.run(4.0);
    CHECK(tiled.tiles == 12);  // 15 x 10 extent in 4 x 3 tiles
    CHECK(tiled.merged_faces > 3);

    const CompatMatrix m = two_kinds("conflict");
    const ClaimTotals t = summarise(tiled, 2, {"a", "b"}, {0, 1}, m);
    CHECK(close_rel(t.claimed_m2, 150.0));
    CHECK(close_rel(t.claim_sum_m2, 200.0));
    CHECK(close_rel(t.multi_m2, 50.0));
    CHECK(close_rel(t.conflict_m2, 50.0));
    CHECK(t.voorwaardelijk_m2 == 0.0);
    CHECK(close_rel(t.claim_area_m2[0], 100.0));
    CHECK(close_rel(t.exclusive_area_m2[1], 50.0));
    REQUIRE(t.combinations.size() == 3);
    CHECK(t.combinations[2].label == "a+b");
    CHECK(t.combinations[2].worst == Compat::conflict);
    CHECK(!t.combinations[0].worst);
    REQUIRE(t.pairs.size() == 1);
    CHECK(close_rel(t.pairs[0].area_m2, 50.0));
    CHECK(t.pairs[0].status == Compat::conflict);
}

TEST_CASE("three layers overlapping in one region", "[claims]") {
    // a = [0,10]x[0,10], b = [5,15]x[0,10], c = [5,15]x[5,15]. By hand:
    // a only 50, b only [10,15]x[0,5] = 25, c only [5,15]x[10,15] = 50, a+b [5,10]x[0,5] = 25,
    // b+c [10,15]x[5,10] = 25, a+b+c [5,10]x[5,10] = 25; a+c without b: 0. Union 200.
    Case c;
    c.add("a", {"POLYGON((0 0,10 0,10 10,0 10,0 0))"});
    c.add("b", {"POLYGON((5 0,15 0,15 10,5 10,5 0))"});
    c.add("c", {"POLYGON((5 5,15 5,15 15,5 15,5 5))"});
    for (double tile : {0.0, 2.5}) {
        INFO("tile size " << tile);
        const Partition p = c.run(tile);
        const auto s = by_set(p);
        CHECK(p.faces.size() == 6);
        CHECK(s.size() == 6);
        CHECK(close_rel(s.at(0b001), 50.0));
        CHECK(close_rel(s.at(0b010), 25.0));
        CHECK(close_rel(s.at(0b100), 50.0));
        CHECK(close_rel(s.at(0b011), 25.0));
        CHECK(close_rel(s.at(0b110), 25.0));
        CHECK(close_rel(s.at(0b111), 25.0));
        CHECK(s.count(0b101) == 0);
        check_invariants(c.ctx, p, c.claims);

        // a/b combineerbaar, a/c voorwaardelijk, b/c conflict
        const CompatMatrix m = parse_compat_matrix(
            "kinds = [\"a\", \"b\", \"c\"]\n[a]\nb = \"combineerbaar\"\nc = "
            "\"voorwaardelijk\"\n[b]\nc = \"conflict\"\n",
            "m.toml");
        const ClaimTotals t = summarise(p, 3, {"a", "b", "c"}, {0, 1, 2}, m);
        CHECK(close_rel(t.claimed_m2, 200.0));
        CHECK(close_rel(t.claim_sum_m2, 300.0));
        CHECK(close_rel(t.multi_m2, 75.0));
        CHECK(close_rel(t.conflict_m2, 50.0));  // b+c and a+b+c
        CHECK(t.voorwaardelijk_m2 == 0.0);      // a+c never without b
        REQUIRE(t.pairs.size() == 3);
        CHECK(close_rel(t.pairs[0].area_m2, 50.0));  // a-b
        CHECK(close_rel(t.pairs[1].area_m2, 25.0));  // a-c
        CHECK(close_rel(t.pairs[2].area_m2, 50.0));  // b-c
        CHECK(worst_status(0b111, {0, 1, 2}, m) == Compat::conflict);
        CHECK(worst_status(0b011, {0, 1, 2}, m) == Compat::combineerbaar);
        CHECK(worst_status(0b101, {0, 1, 2}, m) == Compat::voorwaardelijk);
    }
}

TEST_CASE("a claim with a hole that another claim fills", "[claims]") {
    Case c;
    // natuur: 20 x 20 with a 10 x 10 hole; water fills the hole exactly
    c.add("natuur", {"POLYGON((0 0,20 0,20 20,0 20,0 0),(5 5,15 5,15 15,5 15,5 5))"});
    c.add("water", {"POLYGON((5 5,15 5,15 15,5 15,5 5))"});
    for (double tile : {0.0, 7.0}) {
        const Partition p = c.run(tile);
        REQUIRE(p.faces.size() == 2);
        const auto s = by_set(p);
        CHECK(close_rel(s.at(0b01), 300.0));
        CHECK(close_rel(s.at(0b10), 100.0));
        CHECK(s.count(0b11) == 0);
        check_invariants(c.ctx, p, c.claims);
    }
    // water a bit larger than the hole: a 44 m2 ring where both claim the ground
    Case d;
    d.add("natuur", {"POLYGON((0 0,20 0,20 20,0 20,0 0),(5 5,15 5,15 15,5 15,5 5))"});
    d.add("water", {"POLYGON((4 4,16 4,16 16,4 16,4 4))"});
    const Partition p = d.run();
    const auto s = by_set(p);
    CHECK(close_rel(s.at(0b01), 256.0));
    CHECK(close_rel(s.at(0b10), 100.0));
    CHECK(close_rel(s.at(0b11), 44.0));
    check_invariants(d.ctx, p, d.claims);
    // and the hole alone, with no claim in it, is no face
    Case e;
    e.add("natuur", {"POLYGON((0 0,20 0,20 20,0 20,0 0),(5 5,15 5,15 15,5 15,5 5))"});
    const Partition q = e.run();
    REQUIRE(q.faces.size() == 1);
    CHECK(close_rel(q.faces[0].area_m2, 300.0));
}

TEST_CASE("areas that no other ring comes near skip the noder, one across a long edge does not", "[claims]") {
    // The triangle's long edge has a box that holds every square; only the square across it
    // needs noding. The other squares go to the faces as they are (inside: as holes of the
    // triangle's face).
    Case c;
    c.add("natuur", {"POLYGON((0 0,1000 0,0 1000,0 0))"});
    c.add("wonen", {"POLYGON((480 500,489 500,489 509,480 509,480 500))",    // inside, 1 m from the edge
                    "POLYGON((496 506,505 506,505 515,496 515,496 506))",    // outside, 1 m from it
                    "POLYGON((100 100,110 100,110 110,100 110,100 100))",    // inside, far off
                    "POLYGON((700 295,710 295,710 305,700 305,700 295))"});  // across the edge
    for (double tile : {0.0, 300.0}) {
        const Partition p = c.run(tile);
        INFO("tile " << tile);
        const auto s = by_set(p);
        CHECK(close_rel(s.at(0b01), 500000.0 - 81 - 100 - 12.5));
        CHECK(close_rel(s.at(0b11), 81 + 100 + 12.5));
        CHECK(close_rel(s.at(0b10), 81 + 87.5));
        std::map<std::uint64_t, int> faces;
        for (const auto& f : p.faces) ++faces[f.claims];
        CHECK(faces[0b11] == 3);
        CHECK(faces[0b10] == 2);
        if (tile == 0.0) CHECK(faces[0b01] == 1);
        check_invariants(c.ctx, p, c.claims);
    }
}

TEST_CASE("polygons that overlap inside one claim count once and keep all their ids", "[claims]") {
    Case c;
    // wonen: fid 1 = [0,10]^2, fid 2 = [5,15]^2 (overlap 25), fid 3 = [30,40]x[0,10] apart
    c.add("wonen", {"POLYGON((0 0,10 0,10 10,0 10,0 0))", "POLYGON((5 5,15 5,15 15,5 15,5 5))",
                    "POLYGON((30 0,40 0,40 10,30 10,30 0))"});
    c.add("natuur", {"POLYGON((8 0,12 0,12 4,8 4,8 0))"});  // 2 x 4 on fid 1 only, 2 x 4 outside
    const Partition p = c.run();
    std::map<std::string, double> by_ids;
    for (const auto& f : p.faces) by_ids[member_ids_text(f.members, c.claims)] += f.area_m2;
    // names are sorted by the caller; here the claim order is as given: wonen = 0, natuur = 1
    CHECK(close_rel(by_ids.at("wonen:1"), 75.0 - 8.0));
    CHECK(close_rel(by_ids.at("wonen:1,2"), 25.0));
    CHECK(close_rel(by_ids.at("wonen:2"), 75.0));
    CHECK(close_rel(by_ids.at("wonen:3"), 100.0));
    CHECK(close_rel(by_ids.at("wonen:1;natuur:1"), 8.0));
    CHECK(close_rel(by_ids.at("natuur:1"), 8.0));
    for (const auto& f : p.faces) {
        if (f.members.size() == 2 && f.members[1].first == 0)
            CHECK(f.claims == 0b01);  // the overlap is one claim, not two
    }
    const ClaimTotals t = summarise(p, 2, {"wonen", "natuur"}, {0, 1}, two_kinds("voorwaardelijk"));
    CHECK(close_rel(t.claim_area_m2[0], 275.0));  // union: 100 + 100 - 25 + 100
    CHECK(close_rel(t.claimed_m2, 283.0));
    CHECK(close_rel(t.multi_m2, 8.0));
    CHECK(close_rel(t.voorwaardelijk_m2, 8.0));
    check_invariants(c.ctx, p, c.claims);
}

TEST_CASE("invariants on a generated case, with a region coverage that adds up", "[claims]") {
    Case c;
    std::mt19937 rng(20260402);
    std::uniform_real_distribution<double> pos(0, 1000), size(20, 250), angle(0, 3.14159);
    for (const char* name : {"wonen", "natuur", "water", "energie"}) {
        std::vector<std::string> wkts;
        for (int i = 0; i < 25; ++i) {
            const double cx = pos(rng), cy = pos(rng), w = size(rng), h = size(rng), a = angle(rng);
            std::string wkt = "POLYGON((";
            const double xs[] = {-w / 2, w / 2, w / 2, -w / 2, -w / 2}, ys[] = {-h / 2, -h / 2, h / 2, h / 2, -h / 2};
            for (int k = 0; k < 5; ++k) {
                wkt += (k ? "," : "") + std::to_string(cx + xs[k] * std::cos(a) - ys[k] * std::sin(a)) + " " +
                       std::to_string(cy + xs[k] * std::sin(a) + ys[k] * std::cos(a));
            }
            wkts.push_back(wkt + "))");
        }
        c.add(name, wkts);
    }
    const Partition whole = c.run(1e6, 1);  // one tile
    const Partition tiled = c.run(97.0, 2);
    CHECK(whole.tiles == 1);
    CHECK(tiled.tiles > 50);
    CHECK(tiled.merged_faces > 0);
    INFO("slivers whole " << whole.slivers << " (" << whole.sliver_m2 << " m2), tiled " << tiled.slivers << " ("
                          << tiled.sliver_m2 << " m2)");
    CHECK(tiled.slivers == whole.slivers);
    check_invariants(c.ctx, whole, c.claims);
    check_invariants(c.ctx, tiled, c.claims);
    // Tiling changes no face: same count and the same area per claim set.
    CHECK(whole.faces.size() == tiled.faces.size());
    const auto a = by_set(whole), b = by_set(tiled);
    REQUIRE(a.size() == b.size());
    for (const auto& [set, area] : a) CHECK(close_rel(area, b.at(set)));

    // Regions: a 3 x 3 grid coverage of [-200, 1300]^2; every figure adds up to the totals.
    FeatureLayer regions;
    regions.source = {"memory", "regions"};
    for (int i = 0; i < 9; ++i) {
        const double x0 = -200 + 500.0 * (i % 3), y0 = -200 + 500.0 * (i / 3);
        Feature f;
        f.fid = i + 1;
        f.geom = geos::from_wkt(c.ctx, "POLYGON((" + std::to_string(x0) + " " + std::to_string(y0) + "," +
                                           std::to_string(x0 + 500) + " " + std::to_string(y0) + "," +
                                           std::to_string(x0 + 500) + " " + std::to_string(y0 + 500) + "," +
                                           std::to_string(x0) + " " + std::to_string(y0 + 500) + "," +
                                           std::to_string(x0) + " " + std::to_string(y0) + "))");
        regions.features.push_back(std::move(f));
    }
    const CompatMatrix m = default_compat_matrix();
    std::vector<std::size_t> kind_of;
    std::vector<std::string> names;
    for (const auto& cl : c.claims) {
        kind_of.push_back(*m.index_of(cl.name));
        names.push_back(cl.name);
    }
    std::vector<std::optional<Compat>> worst;
    for (const auto& f : tiled.faces) worst.push_back(worst_status(f.claims, kind_of, m));
    RunControl rc;
    rc.threads = 2;
    const auto rb = region_balance(tiled, c.claims.size(), worst, regions, -1, rc);
    const ClaimTotals t = summarise(tiled, c.claims.size(), names, kind_of, m);
    REQUIRE(rb.size() == 9);
    RegionFigures sum;
    sum.claim_m2.assign(c.claims.size(), 0);
    for (const auto& r : rb) {
        CHECK(close_rel(r.region_m2, 250000.0));
        CHECK(r.claimed_m2 <= r.region_m2);
        double per_claim = 0;
        for (double x : r.claim_m2) per_claim += x;
        CHECK(close_rel(per_claim, r.claim_sum_m2));  // a region's claims add up to its claim sum
        sum.claimed_m2 += r.claimed_m2;
        sum.claim_sum_m2 += r.claim_sum_m2;
        sum.multi_m2 += r.multi_m2;
        sum.conflict_m2 += r.conflict_m2;
        sum.voorwaardelijk_m2 += r.voorwaardelijk_m2;
        for (std::size_t k = 0; k < r.claim_m2.size(); ++k) sum.claim_m2[k] += r.claim_m2[k];
    }
    CHECK(close_rel(sum.claimed_m2, t.claimed_m2));
    CHECK(close_rel(sum.claim_sum_m2, t.claim_sum_m2));
    CHECK(close_rel(sum.multi_m2, t.multi_m2));
    CHECK(close_rel(sum.conflict_m2, t.conflict_m2));
    CHECK(close_rel(sum.voorwaardelijk_m2, t.voorwaardelijk_m2));
    for (std::size_t k = 0; k < c.claims.size(); ++k) CHECK(close_rel(sum.claim_m2[k], t.claim_area_m2[k]));
    CHECK(t.conflict_m2 > 0);  // wonen/natuur conflict in the default matrix
}

TEST_CASE("invariants on the synthetic claim samples", "[claims][samples]") {
    geos::Context ctx;
    const std::string gpkg = test::source_dir() + "/data-samples/claims/claims.gpkg";
    std::vector<std::unique_ptr<FeatureLayer>> layers;
    std::vector<ClaimLayer> claims;
    for (const char* kind :
         {"defensie", "energie", "infrastructuur", "landbouw", "natuur", "water", "werken", "wonen"}) {
        layers.push_back(std::make_unique<FeatureLayer>(read_polygon_layer({gpkg, kind}, ReadOptions{})));
        claims.push_back({kind, layers.back().get()});
    }
    RunControl rc;
    rc.threads = 2;
    const Partition p = build_partition(ctx, claims, PartitionOptions{}, rc);
    check_invariants(ctx, p, claims);
    PartitionOptions small;
    small.tile_size_m = 4000;
    const Partition q = build_partition(ctx, claims, small, rc);
    CHECK(q.tiles > 100);
    CHECK(q.slivers == 0);  // shared edges are cut at the same point in both polygons
    check_invariants(ctx, q, claims);
    CHECK(p.faces.size() == q.faces.size());
    CHECK(close_rel(total_area(p), total_area(q)));
    // Within-layer overlaps are in the samples on purpose: some face carries two wonen ids.
    bool two_wonen = false;
    for (const auto& f : p.faces) {
        std::size_t n = 0;
        for (const auto& m : f.members) n += m.first == 7 ? 1 : 0;
        two_wonen = two_wonen || n >= 2;
    }
    CHECK(two_wonen);
}

TEST_CASE("the default compatibility matrix", "[claims][compat]") {
    const CompatMatrix m = default_compat_matrix();
    REQUIRE(m.kinds.size() == 8);
    CHECK(m.kinds[0] == "wonen");
    auto st = [&](const char* a, const char* b) { return m.get(*m.index_of(a), *m.index_of(b)); };
    CHECK(st("natuur", "water") == Compat::combineerbaar);
    CHECK(st("water", "natuur") == Compat::combineerbaar);
    CHECK(st("wonen", "natuur") == Compat::conflict);
    CHECK(st("landbouw", "energie") == Compat::voorwaardelijk);
    CHECK(st("wonen", "wonen") == Compat::combineerbaar);
    int counts[3] = {0, 0, 0};
    for (std::size_t a = 0; a < 8; ++a) {
        for (std::size_t b = a + 1; b < 8; ++b) ++counts[static_cast<int>(m.get(a, b))];
    }
    CHECK(counts[0] + counts[1] + counts[2] == 28);
    CHECK(counts[0] == 4);  // werken/energie, werken/infrastructuur, natuur/water, energie/infrastructuur
    CHECK(counts[2] == 11);
}

TEST_CASE("compatibility matrix errors name the file, key and line", "[claims][compat]") {
    auto error_of = [](const std::string& text) -> Error {
        try {
            parse_compat_matrix(text, "m.toml");
        } catch (const Error& e) { return e; }
        FAIL("no error for:\n" << text);
        return Error(ErrorKind::internal, "");
    };
    SECTION("missing pair") {
        const Error e = error_of(
            "kinds = [\"wonen\", \"natuur\", \"water\"]\n[wonen]\nnatuur = \"conflict\"\nwater = "
            "\"voorwaardelijk\"\n");
        CHECK(e.kind() == ErrorKind::profile);
        CHECK(e.message() == "missing pair: no status for natuur and water");
        CHECK(e.place().key == "natuur.water");
        CHECK(e.place().file == "m.toml");
    }
    SECTION("unknown kind as a table") {
        const Error e = error_of(
            "kinds = [\"wonen\", \"natuur\"]\n[wonen]\nnatuur = \"conflict\"\n[wonne]\nnatuur = "
            "\"conflict\"\n");
        CHECK(e.message() == "unknown kind 'wonne' (not in kinds)");
        CHECK(e.place().line == 4);
        CHECK(e.hint().find("wonen, natuur") != std::string::npos);
    }
    SECTION("unknown kind as a key") {
        const Error e = error_of(
            "kinds = [\"wonen\", \"natuur\"]\n[wonen]\nnatuur = \"conflict\"\nwater = "
            "\"conflict\"\n");
        CHECK(e.message() == "unknown kind 'water' (not in kinds)");
        CHECK(e.place().key == "wonen.water");
        CHECK(e.place().line == 4);
    }
    SECTION("asymmetric entries") {
        const Error e = error_of(
            "kinds = [\"wonen\", \"natuur\"]\n[wonen]\nnatuur = \"conflict\"\n[natuur]\nwonen = "
            "\"combineerbaar\"\n");
        CHECK(e.message() ==
              "asymmetric entries: natuur.wonen = \"combineerbaar\" but wonen.natuur = "
              "\"conflict\" on line 3");
        CHECK(e.place().line == 5);
        CHECK(e.place().key == "natuur.wonen");
    }
    SECTION("the same pair twice with the same status is fine") {
        const CompatMatrix m =
            parse_compat_matrix("kinds = [\"a\", \"b\"]\n[a]\nb = \"conflict\"\n[b]\na = \"conflict\"\n", "m.toml");
        CHECK(m.get(1, 0) == Compat::conflict);
    }
    SECTION("unknown status") {
        const Error e = error_of("kinds = [\"a\", \"b\"]\n[a]\nb = \"conflic\"\n");
        CHECK(e.message() == "unknown status 'conflic'");
        CHECK(e.place().line == 3);
    }
    SECTION("a kind paired with itself") {
        const Error e = error_of("kinds = [\"a\", \"b\"]\n[a]\na = \"conflict\"\nb = \"conflict\"\n");
        CHECK(e.message() == "kind 'a' is paired with itself");
    }
    SECTION("no kinds, duplicate kinds, bad TOML") {
        CHECK(error_of("[a]\nb = \"conflict\"\n").message() == "missing the list of claim kinds");
        CHECK(error_of("kinds = [\"a\", \"a\"]\n").message() == "kind 'a' is listed twice");
        CHECK(error_of("kinds = [\"a\"\n").message().rfind("not valid TOML", 0) == 0);
    }
    SECTION("the rendered message names file, line and key") {
        const Error e = error_of("kinds = [\"a\", \"b\"]\n[a]\nb = \"maybe\"\n");
        const std::string text = render_error(e.place(), e.message(), e.hint());
        CHECK(text.find("m.toml") != std::string::npos);
        CHECK(text.find("3") != std::string::npos);
        CHECK(text.find("a.b") != std::string::npos);
    }
}
