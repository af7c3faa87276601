// The water board check on hand-made locations with known shares.
#include <catch2/catch.hpp>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <map>
#include <variant>

#include "spatial/core/error.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/jobs/check.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {

using Value = std::variant<std::monostate, std::int64_t, double, std::string>;
struct Row {
    std::string wkt;
    std::vector<Value> values;
};

// Writes a one-layer GeoPackage in EPSG:28992 with the given fields (name, type) and rows.
void write_gpkg(const std::string& path, const std::string& layer,
                const std::vector<std::pair<std::string, OGRFieldType>>& fields, const std::vector<Row>& rows) {
    ensure_gdal();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
    std::unique_ptr<GDALDataset> ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    REQUIRE(ds);
    OGRSpatialReference srs;
    srs.importFromEPSG(28992);
    OGRLayer* l = ds->CreateLayer(layer.c_str(), &srs, wkbPolygon, nullptr);
    REQUIRE(l);
    for (const auto& [name, type] : fields) {
        OGRFieldDefn def(name.c_str(), type);
        REQUIRE(l->CreateField(&def) == OGRERR_NONE);
    }
    for (const Row& r : rows) {
        OGRFeature f(l->GetLayerDefn());
        for (std::size_t i = 0; i < r.values.size(); ++i) {
            const int fi = static_cast<int>(i);
            if (const auto* v = std::get_if<std::int64_t>(&r.values[i])) f.SetField(fi, static_cast<GIntBig>(*v));
            else if (const auto* d = std::get_if<double>(&r.values[i])) f.SetField(fi, *d);
            else if (const auto* s = std::get_if<std::string>(&r.values[i])) f.SetField(fi, s->c_str());
        }
        OGRGeometry* g = nullptr;
        REQUIRE(OGRGeometryFactory::createFromWkt(r.wkt.c_str(), &srs, &g) == OGRERR_NONE);
        f.SetGeometryDirectly(g);
        REQUIRE(l->CreateFeature(&f) == OGRERR_NONE);
    }
}

std::string rect(double x0, double y0, double x1, double y1) {
    return "POLYGON((" + std::to_string(x0) + " " + std::to_string(y0) + "," + std::to_string(x1) + " " +
           std::to_string(y0) + "," + std::to_string(x1) + " " + std::to_string(y1) + "," + std::to_string(x0) + " " +
           std::to_string(y1) + "," + std::to_string(x0) + " " + std::to_string(y0) + "))";
}

// The hand-made world (all in metres, y 0..100 unless said):
//   WBS: x 0..100 "Ja" (overstroming_m 0), x 100..200 "JA MITS" (overstroming_m 1.5);
//        nothing beyond x 200.
//   theme layer: bodemdaling_cm 40 on x 0..100.
//   water boards: A on x 0..150, B on x 150..300 (y 0..200).
//   locations (id, x0..x1, homes):
//     1: 0..50     entirely ja
//     2: 50..150   half ja, half ja_mits_groot
//     3: 120..180  ja_mits_groot, split 30/30 over boards A and B, 100 homes
//     4: 500..600  outside WBS and outside both boards
//     5: 99.5..199.5  ja only a sliver of 50 m2 (0.5 %)
struct World {
    test::TempDir dir{"check"};
    CheckRequest req;
    World() {
        write_gpkg(dir.file("wbs.gpkg"), "wbs", {{"klasse", OFTString}, {"overstroming_m", OFTReal}},
                   {{rect(0, 0, 100, 100), {std::string("Ja"), 0.0}},
                    {rect(100, 0, 200, 100), {std::string("JA MITS"), 1.5}}});
        write_gpkg(dir.file("thema.gpkg"), "bodem", {{"bodemdaling_cm", OFTReal}}, {{rect(0, 0, 100, 100), {40.0}}});
        write_gpkg(dir.file("ws.gpkg"), "ws", {{"naam", OFTString}},
                   {{rect(0, 0, 150, 200), {std::string("A")}}, {rect(150, 0, 300, 200), {std::string("B")}}});
        write_gpkg(dir.file("loc.gpkg"), "loc", {{"id", OFTInteger64}, {"naam", OFTString}, {"woningen", OFTInteger64}},
                   {{rect(0, 0, 50, 100), {std::int64_t{1}, std::string("een"), std::int64_t{10}}},
                    {rect(50, 0, 150, 100), {std::int64_t{2}, std::string("twee"), Value{}}},
                    {rect(120, 0, 180, 100), {std::int64_t{3}, std::string("drie"), std::int64_t{100}}},
                    {rect(500, 0, 600, 100), {std::int64_t{4}, std::string("vier"), std::int64_t{20}}},
                    {rect(99.5, 0, 199.5, 100), {std::int64_t{5}, std::string("vijf"), std::int64_t{0}}}});
        req.locations = dir.file("loc.gpkg");
        req.wbs = dir.file("wbs.gpkg");
        req.themes = {dir.file("thema.gpkg")};
        req.by = dir.file("ws.gpkg") + ":naam";
        req.output = dir.file("out.gpkg");
        req.report = dir.file("out.md");
        req.control.threads = 2;
    }
};

const ThemeStat& theme(const CheckUnit& u, const std::string& field) {
    for (const auto& t : u.themes) {
        if (t.field == field) return t;
    }
    FAIL("no theme " << field);
    return u.themes.front();
}

}  // namespace

TEST_CASE("sliver threshold: at, just under and just over the limits", "[check]") {
    const SliverRule rule{0.01, 100};
    // At the limit (exactly 1 % and exactly 100 m2 of 10,000 m2) a class does not count.
    CHECK_FALSE(above_sliver(100.0, 10000.0, rule));
    CHECK_FALSE(above_sliver(99.99, 10000.0, rule));
    CHECK(above_sliver(100.01, 10000.0, rule));
    // Both limits must be exceeded: 0.5 % of 100 ha is 5,000 m2 (over the m2 limit, under the share).
    CHECK_FALSE(above_sliver(5000.0, 1e6, rule));
    CHECK(above_sliver(10000.01, 1e6, rule));
    // 50 % of a 150 m2 location is 75 m2: under the m2 limit.
    CHECK_FALSE(above_sliver(75.0, 150.0, rule));
    // Verdicts: the most severe class present; slivers of worse classes do not count.
    CHECK(verdict_of({9800, 100, 0, 0, 100}, 10000, rule) == std::optional<std::size_t>(0));
    CHECK(verdict_of({9799.98, 100.01, 0, 0, 100.01}, 10000, rule) == std::optional<std::size_t>(4));
    CHECK(verdict_of({5000, 0, 5000, 0, 0}, 10000, rule) == std::optional<std::size_t>(2));
    // Not covered, or covered only by slivers: onbekend, never ja.
    CHECK_FALSE(verdict_of({0, 0, 0, 0, 0}, 10000, rule).has_value());
    CHECK_FALSE(verdict_of({100, 0, 0, 0, 0}, 10000, rule).has_value());
    CHECK(verdict_code(std::nullopt) == "onbekend");
}

TEST_CASE("verdicts, shares, themes and groups on hand-made locations", "[check]") {
    World w;
    const CheckResult r = run_check(w.req);
    REQUIRE(r.locations.size() == 5);
    REQUIRE(r.whole.size() == 5);
    CHECK(r.has_homes);
    for (std::size_t i = 0; i < 5; ++i) CHECK(r.locations[i].id == std::to_string(i + 1));

    // 1: entirely ja.
    const CheckUnit& l1 = r.whole[0];
    CHECK(l1.area_m2 == Approx(5000));
    CHECK(l1.class_m2[0] == Approx(5000));
    CHECK(verdict_code(l1.verdict) == "ja");
    CHECK(l1.drivers.empty());

    // 2: half ja, half ja_mits_groot ("JA MITS" maps to ja_mits_groot).
    const CheckUnit& l2 = r.whole[1];
    CHECK(l2.class_m2[0] == Approx(5000));
    CHECK(l2.class_m2[2] == Approx(5000));
    CHECK(verdict_code(l2.verdict) == "ja_mits_groot");
    const ThemeStat& flood = theme(l2, "overstroming_m");
    CHECK(flood.theme == "waterveiligheid");
    CHECK(flood.present_m2 == Approx(5000));
    CHECK(flood.valued_m2 == Approx(10000));
    CHECK(flood.max == Approx(1.5));
    CHECK(flood.mean == Approx(0.75));  // (5000 x 0 + 5000 x 1.5) / 10000
    const ThemeStat& soil = theme(l2, "bodemdaling_cm");
    CHECK(soil.theme == "bodemdaling");
    CHECK(soil.present_m2 == Approx(5000));
    CHECK(soil.valued_m2 == Approx(5000));
    CHECK(soil.mean == Approx(40));
    REQUIRE(l2.drivers.size() == 2);

    // 4: outside the WBS coverage: onbekend, never ja.
    const CheckUnit& l4 = r.whole[3];
    CHECK_FALSE(l4.verdict.has_value());
    CHECK(l4.uncovered_m2 == Approx(10000));

    // 5: the 50 m2 (0.5 %) of ja is a sliver: ja_mits_groot; a 99.5 % share.
    const CheckUnit& l5 = r.whole[4];
    CHECK(l5.class_m2[0] == Approx(50));
    CHECK(l5.class_m2[2] == Approx(9950));
    CHECK(verdict_code(l5.verdict) == "ja_mits_groot");

    // Groups: A holds 1, 2, 3 (part), 5 (part); B holds 3 (part), 5 (part); 4 lies outside.
    CHECK(r.groups == std::vector<std::string>{"A", "B", "(buiten de indeling)"});
    std::map<std::pair<std::string, std::string>, const CheckUnit*> parts;
    for (const auto& p : r.parts) parts[{p.group, r.locations[p.location].id}] = &p;
    CHECK(parts.size() == 7);
    const CheckUnit* a3 = parts.at({"A", "3"});
    const CheckUnit* b3 = parts.at({"B", "3"});
    CHECK(a3->area_m2 == Approx(3000));
    CHECK(b3->area_m2 == Approx(3000));
    CHECK(a3->part_share == Approx(0.5));
    CHECK(*a3->homes == Approx(50));
    CHECK(*b3->homes == Approx(50));
    CHECK(verdict_code(a3->verdict) == "ja_mits_groot");
    CHECK(verdict_code(b3->verdict) == "ja_mits_groot");
    // Location 5 in A: x 99.5..150, of which 50 m2 ja (1 % of 5050 m2 is 50.5): still a sliver.
    const CheckUnit* a5 = parts.at({"A", "5"});
    CHECK(a5->area_m2 == Approx(5050));
    CHECK(verdict_code(a5->verdict) == "ja_mits_groot");
    const CheckUnit* out4 = parts.at({"(buiten de indeling)", "4"});
    CHECK_FALSE(out4->verdict.has_value());
    CHECK(*out4->homes == Approx(20));

    // Summary: group A has ja 1 (10 homes), ja_mits_groot 3 (2 without a count, 3 with 50, 5 with 0).
    std::map<std::pair<std::string, std::string>, GroupVerdict> sum;
    for (const auto& g : r.summary) sum[{g.group, verdict_code(g.verdict)}] = g;
    CHECK(sum.at({"A", "ja"}).count == 1);
    CHECK(sum.at({"A", "ja"}).homes == Approx(10));
    CHECK(sum.at({"A", "ja_mits_groot"}).count == 3);
    CHECK(sum.at({"A", "ja_mits_groot"}).homes == Approx(50));
    CHECK(sum.at({"A", "ja_mits_groot"}).without_homes == 1);
    CHECK(sum.at({"A", "ja_mits_groot"}).area_m2 == Approx(10000 + 3000 + 5050).epsilon(1e-9));
    CHECK(sum.at({"B", "ja_mits_groot"}).count == 2);
    CHECK(sum.at({"(buiten de indeling)", "onbekend"}).count == 1);

    // The report says it in words.
    const std::string md = test::read_text(w.req.report);
    CHECK_THAT(md, Catch::Contains("### 4 vier: onbekend (niet gedekt door de WBS-kaart)"));
    CHECK_THAT(md, Catch::Contains("### 3 drie: ja, mits (grote opgave)"));
    CHECK_THAT(md, Catch::Contains("50,0 % van de locatie ligt in deze groep"));
    // Location 5's part in A: 50 m2 of ja in 5050 m2 is 0.99 %, shown rounded, not counted.
    CHECK_THAT(md, Catch::Contains("| ja | 0,01 | 1,0 % | nee (snipper) |"));
    CHECK_THAT(md, Catch::Contains("waterveiligheid (overstroming): tot 1,50 m, gemiddeld 0,75 m; > 0,2 m op 50,0 % "
                                   "van de locatie"));
}

TEST_CASE("the report in English, as HTML, and the GeoPackage layers", "[check]") {
    World w;
    w.req.report = w.dir.file("out.html");
    w.req.lang = "en";
    w.req.by.clear();
    const CheckResult r = run_check(w.req);
    CHECK(r.parts.empty());
    const std::string html = test::read_text(w.req.report);
    CHECK_THAT(html, Catch::StartsWith("<!DOCTYPE html>"));
    CHECK_THAT(html, Catch::Contains("<html lang=\"en\">"));
    CHECK_THAT(html, Catch::Contains("2 twee: yes, provided (large effort)</h3>"));
    CHECK_THAT(html, Catch::Contains("flood safety: up to 1.50 m, mean 0.75 m; &gt; 0.2 m on 50.0 % of the location"));

    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(w.req.output.c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds);
    OGRLayer* locs = ds->GetLayerByName("check_locations");
    REQUIRE(locs);
    CHECK(locs->GetFeatureCount() == 5);
    CHECK(ds->GetLayerByName("check_parts") == nullptr);
    std::map<std::int64_t, std::string> verdicts;
    for (auto& f : *locs) verdicts[f->GetFieldAsInteger64("location_id")] = f->GetFieldAsString("verdict");
    CHECK(verdicts ==
          std::map<std::int64_t, std::string>{
              {1, "ja"}, {2, "ja_mits_groot"}, {3, "ja_mits_groot"}, {4, "onbekend"}, {5, "ja_mits_groot"}});
    OGRLayer* themes = ds->GetLayerByName("check_themes");
    REQUIRE(themes);
    // overstroming_m (the WBS layer, x 0..200) for 1, 2, 3, 5; bodemdaling_cm (x 0..100) for
    // 1, 2 and 5 (50 m2), not 3 (x 120..180); location 4 has no value at all.
    CHECK(themes->GetFeatureCount() == 4 + 3);
}

TEST_CASE("an unmapped WBS value and a missing class field are input errors", "[check]") {
    World w;
    write_gpkg(w.dir.file("wbs2.gpkg"), "wbs", {{"klasse", OFTString}},
               {{rect(0, 0, 100, 100), {std::string("ja")}}, {rect(100, 0, 200, 100), {std::string("misschien")}}});
    w.req.wbs = w.dir.file("wbs2.gpkg");
    try {
        run_check(w.req);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK(e.place().feature_id == 2);
        CHECK_THAT(e.what(), Catch::Contains("value 'misschien' in field 'klasse' maps to no wbs class"));
    }
    // The same with an alias is fine.
    w.req.aliases = {{"misschien", "nee_tenzij"}};
    const CheckResult r = run_check(w.req);
    CHECK(verdict_code(r.whole[1].verdict) == "nee_tenzij");
    w.req.overwrite = true;
    w.req.class_field = "class";
    CHECK_THROWS_WITH(run_check(w.req), Catch::Contains("no class field 'class'") && Catch::Contains("klasse"));
}
