// The water board report's words and map: thresholds with units, sentences that depend on the
// magnitude, ordinal classes as classes, the reason for a small location, the overview map.
#include <catch2/catch.hpp>

#include <cairo.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cstring>
#include <fstream>
#include <variant>

#include "spatial/core/error.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/jobs/check.hpp"
#include "spatial/jobs/score.hpp"
#include "spatial/render/overview_map.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {

using Value = std::variant<std::monostate, std::int64_t, double, std::string>;
struct Row {
    std::string wkt;
    std::vector<Value> values;
};

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

// WBS (y 0..100): x 0..100 ja_mits_klein, 0.45 m flood depth, 12 cm subsidence, pluvial class 1;
//                 x 100..200 ja_mits_groot, 4.28 m, 45 cm, pluvial class 3.
// Locations: 1 on the first, 2 on the second, 3 a 7 x 7 m (49 m2) square inside the first,
//            4 across both (half each).
struct World {
    test::TempDir dir{"check_report"};
    CheckRequest req;
    World() {
        write_gpkg(dir.file("wbs.gpkg"), "wbs",
                   {{"klasse", OFTString},
                    {"overstroming_m", OFTReal},
                    {"bodemdaling_cm", OFTReal},
                    {"wateroverlast", OFTInteger64}},
                   {{rect(0, 0, 100, 100), {std::string("ja_mits_klein"), 0.45, 12.0, std::int64_t{1}}},
                    {rect(100, 0, 200, 100), {std::string("ja_mits_groot"), 4.28, 45.0, std::int64_t{3}}}});
        write_gpkg(dir.file("loc.gpkg"), "loc", {{"id", OFTInteger64}, {"naam", OFTString}},
                   {{rect(0, 0, 100, 100), {std::int64_t{1}, std::string("ondiep")}},
                    {rect(100, 0, 200, 100), {std::int64_t{2}, std::string("diep")}},
                    {rect(10, 10, 17, 17), {std::int64_t{3}, std::string("klein")}},
                    {rect(50, 0, 150, 100), {std::int64_t{4}, std::string("beide")}}});
        req.locations = dir.file("loc.gpkg");
        req.wbs = dir.file("wbs.gpkg");
        req.output = dir.file("out.gpkg");
        req.report = dir.file("out.md");
        req.timestamp = "2026-12-07T19:30:00Z";
        req.control.threads = 1;
    }
};

// The report's section of one location: from its heading to the next.
std::string section(const std::string& report, const std::string& heading) {
    const auto start = report.find(heading);
    REQUIRE(start != std::string::npos);
    const auto end = report.find("\n### ", start + 1);
    return report.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

const ThemeStat& theme(const CheckUnit& u, const std::string& field) {
    for (const auto& t : u.themes) {
        if (t.field == field) return t;
    }
    FAIL("no theme " << field);
    return u.themes.front();
}

}  // namespace

TEST_CASE("check report: 0.45 m and 4.28 m of flood depth get different sentences, with units", "[check]") {
    World w;
    const CheckResult r = run_check(w.req);
    const std::string md = test::read_text(w.req.report);
    const std::string shallow = section(md, "### 1 ondiep");
    const std::string deep = section(md, "### 2 diep");
    CHECK_THAT(shallow, Catch::Contains("waterveiligheid (overstroming): tot 0,45 m, gemiddeld 0,45 m; > 0,2 m op "
                                        "100,0 % van de locatie. Ondiep water (tot 0,5 m)"));
    CHECK_THAT(deep, Catch::Contains("waterveiligheid (overstroming): tot 4,28 m, gemiddeld 4,28 m; > 0,2 m op "
                                     "100,0 % van de locatie. Diep water (meer dan 2 m)"));
    CHECK_THAT(shallow, !Catch::Contains("Diep water"));
    CHECK_THAT(deep, !Catch::Contains("Ondiep water"));
    // Subsidence in cm: 12 cm is moderate, 45 cm strong.
    CHECK_THAT(shallow, Catch::Contains("bodemdaling: tot 12,00 cm") && Catch::Contains("Matige bodemdaling"));
    CHECK_THAT(deep, Catch::Contains("bodemdaling: tot 45,00 cm") && Catch::Contains("Sterke bodemdaling"));
    // The threshold and its unit are in the report's sources and in the theme table.
    CHECK_THAT(md, Catch::Contains("[overstroming\\_m] > 0,2 m; bodemdaling [bodemdaling\\_cm] > 10 cm"));
    CHECK_THAT(shallow,
               Catch::Contains("| waterveiligheid (overstroming) [overstroming\\_m] | > 0,2 m | 1,00 | 100,0 % "
                               "| 0,45 m | 0,45 m |"));
    // The run date and the WBS source's name and date (gpkg_contents.last_change: today).
    CHECK_THAT(md, Catch::Contains("- datum van de toets: 2026-12-07 19:30 UTC"));
    CHECK_THAT(
        md, Catch::Contains("; bron: wbs; datum: ") && Catch::Contains(" (laatste wijziging volgens de GeoPackage)"));
    CHECK(r.wbs_date.size() == 10);
    CHECK(r.wbs_date_from == "gpkg");

    SECTION("in English, with decimal points") {
        w.req.lang = "en";
        w.req.report = w.dir.file("out_en.md");
        w.req.output = w.dir.file("out_en.gpkg");
        run_check(w.req);
        const std::string en = test::read_text(w.req.report);
        CHECK_THAT(en, Catch::Contains("flood safety: up to 4.28 m, mean 4.28 m; > 0.2 m on 100.0 % of the location. "
                                       "Deep water (more than 2 m)"));
        CHECK_THAT(en, !Catch::Contains("4,28"));
    }
    SECTION("--threshold raises the flood threshold: 0.45 m no longer drives the verdict") {
        w.req.thresholds = {{"waterveiligheid", 0.5}};
        w.req.output = w.dir.file("out_t.gpkg");
        w.req.report = w.dir.file("out_t.md");
        const CheckResult t = run_check(w.req);
        const ThemeStat& flood = theme(t.whole[0], "overstroming_m");
        CHECK(flood.threshold == Approx(0.5));
        CHECK(flood.present_m2 == Approx(0));
        CHECK_THAT(section(test::read_text(w.req.report), "### 1 ondiep"),
                   !Catch::Contains("waterveiligheid (overstroming):"));
        w.req.thresholds = {{"overstroming", 1.0}};
        CHECK_THROWS_AS(run_check(w.req), Error);
    }
}

TEST_CASE("check report: an ordinal class is reported as classes, never averaged", "[check]") {
    World w;
    const CheckResult r = run_check(w.req);
    const ThemeStat& pluvial = theme(r.whole[3], "wateroverlast");  // location 4: half class 1, half class 3
    REQUIRE(pluvial.class_m2.size() == 4);
    CHECK(pluvial.class_m2[1] == Approx(5000));
    CHECK(pluvial.class_m2[3] == Approx(5000));
    const std::string both = section(test::read_text(w.req.report), "### 4 beide");
    CHECK_THAT(both, Catch::Contains("wateroverlast (extreme neerslag): klasse 3 (groot) 50,0 %; klasse 1 (klein) "
                                     "50,0 %; klasse 1 (klein) of hoger op 100,0 % van de locatie. Grote kans"));
    CHECK_THAT(both, !Catch::Contains("2,00"));  // the mean of classes 1 and 3
    // The GeoPackage holds the classes' shares, and no mean.
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(w.req.output.c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds);
    OGRLayer* themes = ds->GetLayerByName("check_themes");
    REQUIRE(themes);
    themes->SetAttributeFilter("location_id = 4 AND field = 'wateroverlast'");
    std::unique_ptr<OGRFeature> f(themes->GetNextFeature());
    REQUIRE(f);
    CHECK(std::string(f->GetFieldAsString("class_shares")) == "3=0.5000;1=0.5000");
    CHECK_FALSE(f->IsFieldSetAndNotNull(f->GetFieldIndex("mean")));
}

TEST_CASE("check report: a 49 m2 location inside ja_mits_klein is too small, not uncovered", "[check]") {
    World w;
    const CheckResult r = run_check(w.req);
    const CheckUnit& small = r.whole[2];
    CHECK(small.area_m2 == Approx(49));
    CHECK_FALSE(small.verdict.has_value());
    CHECK(unit_verdict_label(small, w.req.sliver, "nl") == "onbekend (kleiner dan de snippergrens voor een oordeel)");
    const std::string s = section(test::read_text(w.req.report), "### 3 klein");
    CHECK_THAT(s, !Catch::Contains("niet gedekt"));
    CHECK_THAT(s, Catch::Contains("De locatie (49 m²) is niet groter dan de snippergrens van 100 m²") &&
                      Catch::Contains("De WBS-kaart geeft hier ja, mits (kleine opgave) op 100,0 %"));
    // A location outside the map still says so.
    CheckUnit outside = small;
    std::fill(outside.class_m2.begin(), outside.class_m2.end(), 0.0);
    CHECK(unit_verdict_label(outside, w.req.sliver, "en") == "unknown (not covered by the WBS map)");
}

TEST_CASE("check report: the overview map shows the locations, in their verdict's colour", "[check]") {
    World w;
    w.req.report = w.dir.file("out.html");
    const CheckResult r = run_check(w.req);
    REQUIRE(r.maps_png.size() == 1);
    const std::string html = test::read_text(w.req.report);
    CHECK_THAT(html, Catch::Contains("<img class=\"map\" alt=\"Overzichtskaart: alle locaties\" "
                                     "src=\"data:image/png;base64,iVBORw0KGgo"));

    // Draw a map of a 100 x 100 m square and a 1 m square far away: the first filled, the
    // second a marker, both labelled beside them.
    OverviewMap m;
    m.title = "test";
    m.width_px = 400;
    m.height_px = 300;
    m.shapes.push_back({{{{0, 0, 100, 0, 100, 100, 0, 100}}}, "#d73027", "A"});
    m.shapes.push_back({{{{1000, 0, 1001, 0, 1001, 1, 1000, 1}}}, "#1a9850", "B"});
    const OverviewSummary sum = render_overview_map(m);
    CHECK(sum.markers == 1);
    CHECK(sum.labels == 2);
    struct Reader {
        const std::string* png;
        std::size_t at = 0;
    } reader{&sum.png};
    cairo_surface_t* img = cairo_image_surface_create_from_png_stream(
        [](void* c, unsigned char* data, unsigned int n) {
            auto* rd = static_cast<Reader*>(c);
            if (rd->at + n > rd->png->size()) return CAIRO_STATUS_READ_ERROR;
            std::memcpy(data, rd->png->data() + rd->at, n);
            rd->at += n;
            return CAIRO_STATUS_SUCCESS;
        },
        &reader);
    REQUIRE(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS);
    CHECK(cairo_image_surface_get_width(img) == 400);
    const unsigned char* px = cairo_image_surface_get_data(img);
    const int stride = cairo_image_surface_get_stride(img);
    auto colour = [&](int x, int y) {
        const std::uint32_t v = *reinterpret_cast<const std::uint32_t*>(px + y * stride + x * 4);
        return v & 0xffffff;
    };
    // World x 0..1001 fits the frame (380 px wide, 6 % margin): the square's centre and the marker.
    const double scale = 380 / (1001 * 1.12);
    const double ox = 500.5 - 190 / scale, oy = 50 - 116 / scale;  // frame 10..390 x 34..266
    auto at = [&](double x, double y) {
        return colour(static_cast<int>(10 + (x - ox) * scale), static_cast<int>(34 + 232 - (y - oy) * scale));
    };
    CHECK(at(50, 50) == 0xd73027u);
    CHECK(at(1000.5, 0.5) == 0x1a9850u);
    cairo_surface_destroy(img);
}

TEST_CASE("exclusion reasons: numbers in plain notation, never 1e-05", "[score][check]") {
    // The sample profile plus an exclusion whose limit is tiny: every candidate meets it.
    test::TempDir dir("reasons");
    const std::string samples = test::source_dir() + "/data-samples/";
    std::string profile = test::read_text(samples + "woningbouw.toml");
    profile += "\n[[exclusions]]\nmetric = \"area_ha\"\nop = \">\"\nvalue = 0.00001\nreason = \"klein\"\n";
    std::ofstream(dir.file("p.toml")) << profile;
    ScoreRequest r;
    r.candidates = samples + "kandidaten.shp";
    r.profile_path = dir.file("p.toml");
    for (const auto& [name, src] : std::map<std::string, std::string>{{"wbs", "wbs.gpkg:wbs"},
                                                                      {"net_afname", "netcongestie.gpkg:netcongestie"},
                                                                      {"novex", "novex.gpkg:novex_locaties"},
                                                                      {"nplv", "nplv.gpkg:nplv"}})
        r.layer_sources[name] = samples + src;
    r.output = dir.file("s.gpkg");
    run_score(r);
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(r.output.c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds);
    OGRLayer* l = ds->GetLayerByName("candidates_scored");
    REQUIRE(l);
    std::size_t seen = 0;
    for (auto& f : *l) {
        const std::string reasons = f->GetFieldAsString("reasons");
        CHECK_THAT(reasons, Catch::Contains(" > 0.00001)"));
        CHECK_THAT(reasons, !Catch::Contains("e-0"));
        ++seen;
    }
    CHECK(seen == 200);
}
