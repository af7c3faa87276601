// read_polygon_layer_chunks (score's streaming, issue 24): the features of the whole read, in
// the same order, with the same geometries, attributes and hygiene report, handed over in chunks.
#include <catch2/catch.hpp>

#include <ogrsf_frmts.h>

#include <string>
#include <vector>

#include "spatial/geometry/geos.hpp"
#include "spatial/io/source.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {
struct Seen {
    std::vector<std::int64_t> fids;
    std::vector<std::vector<unsigned char>> wkb;
    std::vector<std::string> ids;
};
void take(const FeatureLayer& layer, Seen& seen) {
    const geos::Context ctx;
    const int id = layer.field_index("id");
    for (const Feature& f : layer.features) {
        seen.fids.push_back(f.fid);
        seen.wkb.push_back(geos::to_wkb(ctx, f.geom.get()));
        seen.ids.push_back(layer.field_as_string(f, id));
    }
}
}  // namespace

TEST_CASE("the samples read in chunks of 7 are the samples read whole", "[source][chunks]") {
    const SourceSpec spec = parse_source(test::source_dir() + "/data-samples/kandidaten.shp");
    Seen whole, chunked;
    const FeatureLayer all = read_polygon_layer(spec, ReadOptions{});
    take(all, whole);
    std::vector<std::size_t> sizes;
    const FeatureLayer rest = read_polygon_layer_chunks(spec, ReadOptions{}, 7, [&](FeatureLayer& chunk) {
        sizes.push_back(chunk.features.size());
        take(chunk, chunked);
    });
    REQUIRE(whole.fids.size() == 200);
    CHECK(chunked.fids == whole.fids);
    CHECK(chunked.wkb == whole.wkb);
    CHECK(chunked.ids == whole.ids);
    CHECK(sizes.size() == (200 + 6) / 7);
    for (std::size_t i = 0; i + 1 < sizes.size(); ++i) CHECK(sizes[i] == 7);
    CHECK(rest.features.empty());
    CHECK(rest.crs.source_crs == all.crs.source_crs);
    CHECK(rest.defn->GetFieldCount() == all.defn->GetFieldCount());
}

TEST_CASE("a chunked read reports the repairs and skips of every chunk, and fails as the whole read does",
          "[source][chunks]") {
    test::TempDir dir("chunks");
    const std::string path = dir.file("mixed.geojson");
    std::string features;
    for (int i = 1; i <= 9; ++i) {
        const std::string x = std::to_string(155000 + 100 * i);
        std::string ring =
            "[[" + x + ",463000],[" + x + ".5,463000],[" + x + ".5,463050],[" + x + ",463050],[" + x + ",463000]]";
        if (i == 2)
            ring = "[[" + x + ",463000],[" + x + ".5,463050],[" + x + ".5,463000],[" + x + ",463050],[" + x +
                   ",463000]]";  // bow-tie: repaired
        if (i == 6) ring = "[[" + x + ",463000],[" + x + ",463000],[" + x + ",463000],[" + x + ",463000]]";  // no area
        features += std::string(features.empty() ? "" : ",") + R"({"type":"Feature","properties":{"id":)" +
                    std::to_string(i) + R"(},"geometry":{"type":"Polygon","coordinates":[)" + ring + "]}}";
    }
    test::write_text(
        path,
        R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"features":[)" +
            features + "]}");
    const FeatureLayer all = read_polygon_layer(parse_source(path), ReadOptions{});
    std::size_t chunks = 0, features_seen = 0;
    const FeatureLayer rest = read_polygon_layer_chunks(parse_source(path), ReadOptions{}, 2, [&](FeatureLayer& c) {
        ++chunks;
        features_seen += c.features.size();
    });
    CHECK(features_seen == all.features.size());
    CHECK(chunks >= 4);
    REQUIRE(rest.hygiene.repaired.size() == all.hygiene.repaired.size());
    REQUIRE(rest.hygiene.skipped.size() == all.hygiene.skipped.size());
    CHECK(!all.hygiene.repaired.empty());
    CHECK(!all.hygiene.skipped.empty());
    for (std::size_t i = 0; i < all.hygiene.skipped.size(); ++i) {
        CHECK(rest.hygiene.skipped[i].fid == all.hygiene.skipped[i].fid);
        CHECK(rest.hygiene.skipped[i].what == all.hygiene.skipped[i].what);
    }
    for (std::size_t i = 0; i < all.hygiene.repaired.size(); ++i)
        CHECK(rest.hygiene.repaired[i].fid == all.hygiene.repaired[i].fid);
}
