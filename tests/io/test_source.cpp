// Reading: geometry hygiene (repairs and skips reported with feature ids) and CRS handling,
// on files written and read by the real GDAL.
#include <catch2/catch.hpp>

#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogrsf_frmts.h>

#include <cmath>

#include "spatial/core/error.hpp"
#include "spatial/geometry/area_kernel.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/io/source.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {
std::string feature(int id, const std::string& geometry) {
    return R"({"type":"Feature","properties":{"id":)" + std::to_string(id) + R"(},"geometry":)" + geometry + "}";
}
std::string collection(const std::vector<std::string>& features) {
    std::string s =
        R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"features":[)";
    for (std::size_t i = 0; i < features.size(); ++i) s += (i ? "," : "") + features[i];
    return s + "]}";
}
bool has_fid(const std::vector<GeometryIssue>& v, std::int64_t fid, const std::string& what) {
    for (const auto& i : v) {
        if (i.fid == fid && i.what.find(what) != std::string::npos) return true;
    }
    return false;
}
}  // namespace

TEST_CASE("bow-tie, self-touching ring, repeated points, unclosed ring: repaired and reported", "[source]") {
    test::TempDir dir("hygiene");
    const std::string path = dir.file("bad.geojson");
    test::write_text(
        path,
        collection({
            feature(1, R"({"type":"Polygon","coordinates":[[[0,0],[10,10],[10,0],[0,10],[0,0]]]})"),  // bow-tie
            feature(
                2,
                R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[5,0],[0,10],[0,0]]]})"),  // ring touches
                                                                                                     // itself at (5,0)
            feature(
                3,
                R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,0],[10,10],[0,10],[0,0]]]})"),  // repeated point
            feature(4, R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10]]]})"),        // unclosed
            feature(5, R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]})"),  // fine
            feature(6, "null"),
            feature(7, R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[20,0],[0,0]]]})"),  // zero area
        }));
    geos::Context ctx;
    const FeatureLayer l = read_polygon_layer(parse_source(path), ReadOptions{});
    // GDAL's GeoJSON driver takes the integer property "id" as the FID.
    CHECK(has_fid(l.hygiene.repaired, 1, "MakeValid"));
    CHECK(has_fid(l.hygiene.repaired, 2, "MakeValid"));
    CHECK(has_fid(l.hygiene.repaired, 3, "repeated points removed"));
    CHECK(has_fid(l.hygiene.repaired, 4, "unclosed ring closed"));
    CHECK(has_fid(l.hygiene.skipped, 6, "null geometry"));
    CHECK(has_fid(l.hygiene.skipped, 7, "zero area"));
    CHECK(l.hygiene.repaired.size() == 4);
    CHECK(l.hygiene.skipped.size() == 2);
    REQUIRE(l.features.size() == 5);
    // The repaired bow-tie is two triangles of 25 m2 each.
    CHECK(geos::area(ctx, l.features[0].geom.get()) == Approx(50.0));
    CHECK(geos::area(ctx, l.features[3].geom.get()) == Approx(100.0));
    for (const auto& f : l.features) CHECK(GEOSisValid_r(ctx.handle(), f.geom.get()) == 1);
}

TEST_CASE("coordinates closer to 0 than 1e-100 are set to 0 and reported (the fuzzer's subnormal triangle)",
          "[source]") {
    // The fuzz finding tests/fuzz/crashes/geometry/subnormal-corner-area-zero.wkb: a triangle
    // on the corner of a square with extra vertices at subnormal coordinates next to (0, 0).
    test::TempDir dir("tiny");
    const std::string path = dir.file("tiny.geojson");
    test::write_text(
        path,
        collection({
            feature(
                1,
                R"({"type":"Polygon","coordinates":[[[0,0],[-1e-152,1e-307],[0,2],[1e-309,100],[100,1e-310],[1e-311,1e-313],[0,0]]]})"),
            feature(2, R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]})"),
        }));
    geos::Context ctx;
    const FeatureLayer l = read_polygon_layer(parse_source(path), ReadOptions{});
    CHECK(has_fid(l.hygiene.repaired, 1, "coordinates within 1e-100 of 0 set to 0"));
    CHECK_FALSE(has_fid(l.hygiene.repaired, 2, "1e-100"));
    REQUIRE(l.features.size() == 2);
    CHECK(geos::area(ctx, l.features[0].geom.get()) == Approx(5000.0));
    const area::Rings rings = area::rings_of(ctx, l.features[0].geom.get());
    for (const auto& r : rings.rings) {
        for (double v : r.xy) CHECK((v == 0 || std::fabs(v) >= 1e-100));
    }
    // and the area kernel agrees with GEOS on its overlap with a square
    geos::Geom square = geos::from_wkt(ctx, "POLYGON((0 0,100 0,100 100,0 100,0 0))");
    CHECK(area::intersection_area(rings, area::rings_of(ctx, square.get())) ==
          Approx(geos::intersection_area(ctx, l.features[0].geom.get(), square.get())));
}

TEST_CASE("a line in a polygon layer is an error naming it, or skipped on request", "[source]") {
    test::TempDir dir("nonpoly");
    const std::string path = dir.file("mixed.geojson");
    test::write_text(path, collection({feature(1, R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]})"),
                                       feature(2, R"({"type":"LineString","coordinates":[[0,0],[1,1]]})")}));
    geos::Context ctx;
    try {
        read_polygon_layer(parse_source(path), ReadOptions{});
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK(e.place().feature_id == 2);
        CHECK_THAT(e.what(), Catch::Contains("LINESTRING") && Catch::Contains("--skip-invalid") &&
                                 Catch::Contains("mixed.geojson"));
    }
    ReadOptions skip;
    skip.skip_invalid = true;
    const FeatureLayer l = read_polygon_layer(parse_source(path), skip);
    CHECK(l.features.size() == 1);
    CHECK(has_fid(l.hygiene.skipped, 2, "not a polygon"));
}

TEST_CASE("a layer without CRS is an error unless a CRS is assumed", "[source]") {
    ensure_gdal();
    test::TempDir dir("nocrs");
    const std::string path = dir.file("nocrs.shp");
    {
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
        std::unique_ptr<GDALDataset> ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        OGRLayer* layer = ds->CreateLayer("nocrs", nullptr, wkbPolygon, nullptr);
        OGRFeature f(layer->GetLayerDefn());
        OGRGeometry* g = nullptr;
        OGRGeometryFactory::createFromWkt("POLYGON((0 0,10 0,10 10,0 10,0 0))", nullptr, &g);
        f.SetGeometryDirectly(g);
        REQUIRE(layer->CreateFeature(&f) == OGRERR_NONE);
    }
    geos::Context ctx;
    try {
        read_polygon_layer(parse_source(path), ReadOptions{});
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK_THAT(e.what(), Catch::Contains("no coordinate reference system") && Catch::Contains("--assume-crs"));
    }
    ReadOptions assume;
    assume.assume_crs = "EPSG:28992";
    const FeatureLayer l = read_polygon_layer(parse_source(path), assume);
    CHECK(l.crs.assumed);
    CHECK_FALSE(l.crs.reprojected);
    CHECK(geos::area(ctx, l.features.at(0).geom.get()) == 100.0);
}

TEST_CASE("WGS84 input is reprojected with PROJ and the operation recorded", "[source]") {
    test::TempDir dir("wgs84");
    const std::string path = dir.file("wgs.geojson");
    // about 100 m x 100 m near Amersfoort
    test::write_text(
        path,
        R"({"type":"FeatureCollection","features":[)" +
            feature(
                1,
                R"({"type":"Polygon","coordinates":[[[5.387,52.155],[5.388466,52.155],[5.388466,52.1559],[5.387,52.1559],[5.387,52.155]]]})") +
            "]}");
    geos::Context ctx;
    const FeatureLayer l = read_polygon_layer(parse_source(path), ReadOptions{});
    CHECK(l.crs.reprojected);
    CHECK_THAT(l.crs.operation, Catch::Contains("RD New"));
    CHECK(l.crs.accuracy_m > 0);
    const geos::Box b = geos::envelope(ctx, l.features.at(0).geom.get());
    CHECK(b.xmin == Approx(155000).margin(1000));  // Amersfoort: RD x about 155 km, y about 463 km
    CHECK(b.ymin == Approx(463000).margin(1000));
    CHECK(geos::area(ctx, l.features[0].geom.get()) == Approx(100.0 * 100.0).epsilon(0.02));
}

TEST_CASE("FILE:LAYER picks a layer, a wrong layer lists the ones there are", "[source]") {
    const std::string novex = test::source_dir() + "/data-samples/novex.gpkg";
    geos::Context ctx;
    const FeatureLayer l = read_polygon_layer(parse_source(novex + ":novex_gebieden"), ReadOptions{});
    CHECK(l.features.size() == 16);
    try {
        read_polygon_layer(parse_source(novex + ":nope"), ReadOptions{});
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Catch::Contains("novex_locaties") && Catch::Contains("novex_gebieden"));
    }
    try {
        read_polygon_layer(parse_source(novex), ReadOptions{});
        FAIL("expected an error");
    } catch (const Error& e) { CHECK_THAT(e.what(), Catch::Contains("has 2 layers") && Catch::Contains("FILE:LAYER")); }
}

TEST_CASE("shapefile .cpg is honoured: UTF-8 and Latin-1 attributes arrive as UTF-8", "[source]") {
    geos::Context ctx;
    // The bundled samples: UTF-8 with a .cpg saying so.
    const FeatureLayer samples =
        read_polygon_layer(parse_source(test::source_dir() + "/data-samples/kandidaten.shp"), ReadOptions{});
    const int naam = samples.field_index("gemeente");
    bool found = false;
    for (const auto& f : samples.features)
        found = found || samples.field_as_string(f, naam) ==
                             "S\xc3\xba"
                             "dwest-Frysl\xc3\xa2n";
    CHECK(found);

    // A Latin-1 shapefile written by GDAL (its .cpg says ISO-8859-1): read back as UTF-8.
    ensure_gdal();
    test::TempDir dir("latin1");
    const std::string path = dir.file("latin1.shp");
    {
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
        std::unique_ptr<GDALDataset> ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        OGRSpatialReference rd;
        rd.importFromEPSG(28992);
        const char* lco[] = {"ENCODING=ISO-8859-1", nullptr};
        OGRLayer* layer = ds->CreateLayer("latin1", &rd, wkbPolygon, const_cast<char**>(lco));
        OGRFieldDefn def("naam", OFTString);
        layer->CreateField(&def);
        OGRFeature f(layer->GetLayerDefn());
        f.SetField("naam",
                   "Sn\xc3\xa9"
                   "ek");  // UTF-8 in; GDAL writes Latin-1 bytes
        OGRGeometry* g = nullptr;
        OGRGeometryFactory::createFromWkt("POLYGON((0 0,10 0,10 10,0 10,0 0))", nullptr, &g);
        f.SetGeometryDirectly(g);
        REQUIRE(layer->CreateFeature(&f) == OGRERR_NONE);
    }
    REQUIRE(test::read_text(dir.file("latin1.cpg")).find("8859") != std::string::npos);
    const std::string dbf = test::read_text(dir.file("latin1.dbf"));
    CHECK(dbf.find("Sn\xe9"
                   "ek") != std::string::npos);  // really Latin-1 on disk
    const FeatureLayer l = read_polygon_layer(parse_source(path), ReadOptions{});
    CHECK(l.field_as_string(l.features.at(0), l.field_index("naam")) ==
          "Sn\xc3\xa9"
          "ek");
}

TEST_CASE(
    "a layer of many batches reads the same with 1 and 2 threads, the first bad feature in source order is the error",
    "[source]") {
    // 1,000 features: several of the batches in which pass 1 hands features to pass 2. Among
    // them repairs, skips and two unusable features far apart (the first must be reported).
    test::TempDir dir("batches");
    std::vector<std::string> features;
    for (int id = 1; id <= 1000; ++id) {
        const double x = id * 20.0;
        auto sq = [&](double size) {
            return "[[" + std::to_string(x) + ",0],[" + std::to_string(x + size) + ",0],[" + std::to_string(x + size) +
                   "," + std::to_string(size) + "],[" + std::to_string(x) + "," + std::to_string(size) + "],[" +
                   std::to_string(x) + ",0]]";
        };
        if (id % 97 == 0) {
            features.push_back(feature(id, "null"));
        } else if (id % 89 == 0) {  // bow-tie
            features.push_back(feature(id, "{\"type\":\"Polygon\",\"coordinates\":[[[" + std::to_string(x) + ",0],[" +
                                               std::to_string(x + 10) + ",10],[" + std::to_string(x + 10) + ",0],[" +
                                               std::to_string(x) + ",10],[" + std::to_string(x) + ",0]]]}"));
        } else {
            features.push_back(feature(id, "{\"type\":\"Polygon\",\"coordinates\":[" + sq(5.0 + id % 7) + "]}"));
        }
    }
    const std::string good = dir.file("good.geojson");
    test::write_text(good, collection(features));
    features[700 - 1] = feature(700, R"({"type":"LineString","coordinates":[[0,0],[1,1]]})");
    features[300 - 1] = feature(300, R"({"type":"Polygon","coordinates":[[[0,0],[1e400,0],[1,1],[0,0]]]})");
    const std::string bad = dir.file("bad.geojson");
    test::write_text(bad, collection(features));

    geos::Context ctx;
    std::vector<std::vector<double>> areas;
    for (unsigned threads : {1u, 2u, 3u}) {
        ReadOptions options;
        options.control.threads = threads;
        const FeatureLayer l = read_polygon_layer(parse_source(good), options);
        CHECK(l.hygiene.skipped.size() == 10);   // 97, 194, ..., 970
        CHECK(l.hygiene.repaired.size() == 11);  // 89, 178, ..., 979
        REQUIRE(l.features.size() == 990);
        std::vector<double> a;
        std::int64_t last_fid = 0;
        for (const auto& f : l.features) {
            CHECK(f.fid > last_fid);  // source order
            last_fid = f.fid;
            a.push_back(geos::area(ctx, f.geom.get()));
        }
        areas.push_back(a);
        try {
            read_polygon_layer(parse_source(bad), options);
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::input);
            CHECK(e.place().feature_id == 300);
        }
    }
    CHECK(areas[0] == areas[1]);
    CHECK(areas[0] == areas[2]);
}
