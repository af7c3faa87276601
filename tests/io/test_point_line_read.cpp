// Reading points and lines layers (ReadOptions::geometry): which geometries they take, and the
// errors for the rest naming file, layer, feature and fix.
#include <catch2/catch.hpp>

#include "spatial/core/error.hpp"
#include "spatial/io/source.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {
std::string feature(int id, const std::string& geometry) {
    return R"({"type":"Feature","id":)" + std::to_string(id) + R"(,"properties":{"naam":"f)" + std::to_string(id) +
           R"("},"geometry":)" + geometry + "}";
}
std::string collection(const std::vector<std::string>& features) {
    std::string s =
        R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"features":[)";
    for (std::size_t i = 0; i < features.size(); ++i) s += (i ? "," : "") + features[i];
    return s + "]}";
}
ReadOptions as(ReadGeometry g, bool skip = false) {
    ReadOptions o;
    o.geometry = g;
    o.skip_invalid = skip;
    return o;
}
}  // namespace

TEST_CASE("a points layer takes points and multipoints, and a line in it is an error naming it", "[source][points]") {
    test::TempDir dir("points");
    const std::string path = dir.file("mixed.geojson");
    test::write_text(path, collection({feature(1, R"({"type":"Point","coordinates":[10,20]})"),
                                       feature(2, R"({"type":"MultiPoint","coordinates":[[0,0],[5,5]]})"),
                                       feature(3, R"({"type":"LineString","coordinates":[[0,0],[1,1]]})")}));
    try {
        read_polygon_layer(parse_source(path), as(ReadGeometry::points));
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK(e.place().feature_id == 3);
        CHECK(e.place().layer == "mixed");
        CHECK_THAT(e.what(), Catch::Contains("mixed.geojson") && Catch::Contains("not a point but a LINESTRING") &&
                                 Catch::Contains("give every feature a point geometry"));
    }
    const FeatureLayer l = read_polygon_layer(parse_source(path), as(ReadGeometry::points, true));
    REQUIRE(l.features.size() == 2);
    CHECK(l.hygiene.skipped.at(0).fid == 3);
}

TEST_CASE("a polygon layer read as points or lines: the fix says to declare it as a polygon layer",
          "[source][points]") {
    const std::string nplv = test::source_dir() + "/data-samples/nplv.gpkg:nplv";
    for (ReadGeometry g : {ReadGeometry::points, ReadGeometry::lines}) {
        try {
            read_polygon_layer(parse_source(nplv), as(g));
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.place().feature_id == 1);
            CHECK_THAT(e.what(), Catch::Contains("nplv.gpkg") && Catch::Contains("MULTIPOLYGON") &&
                                     Catch::Contains("type = \"classes\" or \"presence\""));
        }
    }
}

TEST_CASE("a lines layer takes lines and multilines, skips a zero-length line, refuses points", "[source][points]") {
    test::TempDir dir("lines");
    const std::string path = dir.file("lines.geojson");
    test::write_text(
        path, collection({feature(1, R"({"type":"LineString","coordinates":[[0,0],[3,4]]})"),
                          feature(2, R"({"type":"MultiLineString","coordinates":[[[0,0],[1,0]],[[5,5],[5,6]]]})"),
                          feature(3, R"({"type":"LineString","coordinates":[[7,7],[7,7]]})")}));
    const FeatureLayer l = read_polygon_layer(parse_source(path), as(ReadGeometry::lines));
    REQUIRE(l.features.size() == 2);
    REQUIRE(l.hygiene.skipped.size() == 1);
    CHECK(l.hygiene.skipped[0].fid == 3);
    CHECK(l.hygiene.skipped[0].what == "zero length");
    CHECK_THROWS_WITH(read_polygon_layer(parse_source(path), as(ReadGeometry::points)),
                      Catch::Contains("not a point but a LINESTRING"));
}
