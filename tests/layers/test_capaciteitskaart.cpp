// The capaciteitskaart (im-capaciteitskaart v1.3.0) loader on the official example files,
// broken variants of them, and the PC6 dissolve.
#include <catch2/catch.hpp>

#include <string>

#include "layers/capaciteitskaart.hpp"
#include "spatial/core/error.hpp"
#include "spatial/io/source.hpp"
#include "support.hpp"

using namespace ruimte;
using namespace ruimte::layers;

namespace {
std::string example(const std::string& name) {
    return test::source_dir() + "/tests/data/capaciteitskaart/" + name;
}

// The error message of parsing `text`, or "" when it parses.
std::string error_of(const std::string& text) {
    try {
        parse_capaciteitskaart(text, "broken.json");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        return e.what();
    }
    return "";
}

// `text` with every `from` replaced by `to`; `from` must occur in it.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
    std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    for (; at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
    return text;
}
}  // namespace

TEST_CASE("the DSO example: one energy area with three postcode areas", "[capaciteitskaart]") {
    const Capaciteitskaart k = load_capaciteitskaart(example("im_capaciteitskaart_dso-20250110.json"));
    CHECK(k.conforms_to == "http://data.netbeheernederland.nl/capaciteitskaart/v1.3.0");
    CHECK(k.issued == "2025-01-10");
    REQUIRE(k.areas.size() == 1);
    const EnergyArea& a = k.areas[0];
    CHECK(a.short_code == "OS FICTIEF 20-3i");
    CHECK_FALSE(a.afname.has_value());  // given per postcode instead
    CHECK(a.afname_available_mw == 47.0);
    CHECK(a.afname_queue_mw == 3.0);
    CHECK(a.afname_requests_in_queue == 15);
    CHECK(a.invoeding_queue_mw == 0.0);
    CHECK(a.works == 2);
    REQUIRE(a.postcodes.size() == 3);
    CHECK(a.postcodes[0].postcode == "1234AC");
    CHECK(a.postcodes[0].afname == RAGKind::amber);
    CHECK(a.postcodes[0].invoeding == RAGKind::transparant);
    CHECK(a.postcodes[1].afname == RAGKind::red);
    CHECK(a.postcodes[1].invoeding == RAGKind::red);
    CHECK(a.postcodes[2].afname == RAGKind::yellow);
    CHECK(a.postcodes[2].substation == "OS FICTIEF1");
}

TEST_CASE("the TSO example: area-level constraints and kinds", "[capaciteitskaart]") {
    const Capaciteitskaart k = load_capaciteitskaart(example("im_capaciteitskaart_tso-20250120.json"));
    REQUIRE(k.areas.size() == 3);
    CHECK(k.areas[0].short_code == "Drenthe");
    CHECK(k.areas[0].type == "congestion_area");
    CHECK(k.areas[0].afname == RAGKind::amber);
    CHECK(k.areas[0].invoeding == RAGKind::red);
    CHECK(k.areas[0].afname_alleviation_year == 2030);
    CHECK(k.areas[2].type == "energy_area");
    CHECK(k.areas[2].invoeding == RAGKind::transparant);
    CHECK(k.areas[2].postcodes.empty());
}

TEST_CASE("broken files give clear errors with the JSON path", "[capaciteitskaart]") {
    const std::string good = test::read_text(example("im_capaciteitskaart_dso-20250110.json"));
    REQUIRE(error_of(good).empty());

    // A wrong enum value.
    std::string wrong = replaced(good, "\"demand_constraint\": \"amber\"", "\"demand_constraint\": \"orange\"");
    REQUIRE(wrong != good);
    std::string m = error_of(wrong);
    CHECK_THAT(m, Catch::Contains("file 'broken.json'"));
    CHECK_THAT(m, Catch::Contains("key '/energy_areas/0/postcode_areas/0/demand_constraint'"));
    CHECK_THAT(m, Catch::Contains("'demand_constraint' is 'orange', not a RAGKind value"));
    CHECK_THAT(m, Catch::Contains("use one of: transparant, red, amber, yellow"));

    // A missing required field.
    std::string missing = replaced(good, "\"short_code\": \"OS FICTIEF 20-3i\",", "");
    REQUIRE(missing != good);
    m = error_of(missing);
    CHECK_THAT(m, Catch::Contains("key '/energy_areas/0'") && Catch::Contains("missing required field 'short_code'"));
    missing = replaced(good, "\"generation_constraint\": \"red\",", "");
    CHECK_THAT(error_of(missing), Catch::Contains("/energy_areas/0/postcode_areas/1") &&
                                      Catch::Contains("missing required field 'generation_constraint'"));
    CHECK_THAT(error_of(replaced(good, "\"issued\": \"2025-01-10\",", "")),
               Catch::Contains("missing required field 'issued'"));

    // Wrong type, negative capacity, unknown field where the schema forbids them.
    CHECK_THAT(error_of(replaced(good, "\"demand_requests_in_queue\": 15", "\"demand_requests_in_queue\": \"15\"")),
               Catch::Contains("'demand_requests_in_queue' must be an integer, not a string"));
    CHECK_THAT(error_of(replaced(good, "\"demand_available_capacity\": 47", "\"demand_available_capacity\": -1")),
               Catch::Contains("below the minimum 0"));
    CHECK_THAT(error_of(replaced(good, "\"postcode\": \"1234AC\"", "\"postcode\": \"1234AC\", \"kleur\": 1")),
               Catch::Contains("unknown field 'kleur'"));

    // Not JSON at all.
    CHECK_THAT(error_of("conforms_to: v1.3.0\n"), Catch::Contains("not JSON"));
    CHECK_THAT(error_of("[1, 2]"), Catch::Contains("must be an object, not an array"));
}

TEST_CASE("PC6 polygons dissolve per voedingsgebied and constraint pair", "[capaciteitskaart]") {
    geos::Context ctx;
    const std::string text = R"({"conforms_to": "v1.3.0", "creator": "test", "identifier": "t", "issued": "2025-01-01",
      "energy_areas": [
        {"short_code": "VG-B", "works": [], "postcode_areas": [
           {"postcode": "1000AA", "demand_constraint": "red", "generation_constraint": "amber"},
           {"postcode": "1000ab", "demand_constraint": "red", "generation_constraint": "amber"},
           {"postcode": "1000AC", "demand_constraint": "yellow", "generation_constraint": "amber"},
           {"postcode": "1000ZZ", "demand_constraint": "red", "generation_constraint": "red"}]},
        {"short_code": "VG-A", "works": [], "demand_constraint": "amber", "generation_constraint": "red"}]})";
    const Capaciteitskaart k = parse_capaciteitskaart(text, "test.json");
    // Three adjacent 10 x 10 squares; 1000AB comes as two halves (a postcode in two features).
    const geos::Geom aa = geos::from_wkt(ctx, "POLYGON((0 0,10 0,10 10,0 10,0 0))");
    const geos::Geom ab1 = geos::from_wkt(ctx, "POLYGON((10 0,20 0,20 5,10 5,10 0))");
    const geos::Geom ab2 = geos::from_wkt(ctx, "POLYGON((10 5,20 5,20 10,10 10,10 5))");
    const geos::Geom ac = geos::from_wkt(ctx, "POLYGON((20 0,30 0,30 10,20 10,20 0))");
    const Voedingsgebieden v = dissolve_voedingsgebieden(ctx, k,
                                                         {{"1000 AA", aa.get()},
                                                          {"1000AB", ab1.get()},
                                                          {"1000AB", ab2.get()},
                                                          {"1000AC", ac.get()},
                                                          {"9999XX", ac.get()}});
    REQUIRE(v.parts.size() == 2);
    // Sorted by short_code, afname, invoeding: yellow (1) before red (3).
    CHECK(v.parts[0].short_code == "VG-B");
    CHECK(v.parts[0].afname == RAGKind::yellow);
    CHECK(geos::area(ctx, v.parts[0].geom.get()) == Approx(100.0));
    CHECK(v.parts[1].afname == RAGKind::red);
    CHECK(v.parts[1].invoeding == RAGKind::amber);
    CHECK(v.parts[1].postcodes == std::vector<std::string>{"1000AA", "1000AB"});
    CHECK(geos::area(ctx, v.parts[1].geom.get()) == Approx(200.0));
    // Dissolved: one ring 0..20 x 0..10 (8 points: the corners, the nodes at (10 0), (20 5),
    // (10 10) that the union keeps, and the closing point); three separate squares had 15.
    CHECK(geos::type_name(ctx, v.parts[1].geom.get()) == "MultiPolygon");
    CHECK(geos::num_points(ctx, v.parts[1].geom.get()) == 8);
    CHECK(v.missing_postcodes == std::vector<std::string>{"1000ZZ"});
    CHECK(v.areas_without_postcodes == std::vector<std::string>{"VG-A"});
}

TEST_CASE("the DSO example dissolved with the synthetic PC6 sample", "[capaciteitskaart]") {
    geos::Context ctx;
    const Capaciteitskaart k = load_capaciteitskaart(example("im_capaciteitskaart_dso-20250110.json"));
    const FeatureLayer pc6 =
        read_polygon_layer(parse_source(test::source_dir() + "/data-samples/pc6/pc6.gpkg:pc6"), {});
    const Voedingsgebieden v = dissolve_voedingsgebieden(ctx, k, pc6, "postcode");
    REQUIRE(v.parts.size() == 3);  // three postcodes, three different constraint pairs
    for (const auto& p : v.parts) {
        CHECK(p.short_code == "OS FICTIEF 20-3i");
        CHECK(geos::area(ctx, p.geom.get()) == Approx(5000.0));  // 100 m x 50 m each
    }
    CHECK(v.parts[0].afname == RAGKind::yellow);
    CHECK(v.parts[0].postcodes == std::vector<std::string>{"1234AE"});
    CHECK(v.parts[1].afname == RAGKind::amber);
    CHECK(v.parts[2].afname == RAGKind::red);
    CHECK(v.missing_postcodes.empty());
    CHECK_THROWS_WITH(dissolve_voedingsgebieden(ctx, k, pc6, "pc6"),
                      Catch::Contains("no postcode field 'pc6'") && Catch::Contains("postcode"));
}
