// The layer catalogue: spellings, severity order, unmapped values, named places.
#include <catch2/catch.hpp>

#include "layers/catalogue.hpp"
#include "spatial/core/error.hpp"

using namespace ruimte;
using namespace ruimte::layers;

namespace {
std::string wbs_class(const std::string& value, const AliasMap& extra = {}) {
    const LayerKindInfo& k = kind_or_throw("wbs");
    const auto c = class_of(k, value, extra);
    return c ? k.classes[*c].code : std::string("(none)");
}
}  // namespace

TEST_CASE("normalise_value folds case, spaces, hyphens, commas and dashes", "[catalogue]") {
    CHECK(normalise_value("Ja, mits") == "ja_mits");
    CHECK(normalise_value("JA MITS") == "ja_mits");
    CHECK(normalise_value("ja-mits") == "ja_mits");
    CHECK(normalise_value("  Nee,  tenzij ") == "nee_tenzij");
    CHECK(normalise_value("ja, mits \xE2\x80\x94 kleine opgave") == "ja_mits_kleine_opgave");
    CHECK(normalise_value("3.000000") == "3");
    CHECK(normalise_value("2") == "2");
    CHECK(normalise_value("2.5") == "2_5");
}

TEST_CASE("WBS source spellings map to the catalogue classes", "[catalogue]") {
    CHECK(wbs_class("ja") == "ja");
    CHECK(wbs_class("Ja") == "ja");
    CHECK(wbs_class("Ja, mits") == "ja_mits_groot");  // no effort given: the more severe
    CHECK(wbs_class("JA MITS") == "ja_mits_groot");
    CHECK(wbs_class("ja-mits") == "ja_mits_groot");
    CHECK(wbs_class("Ja, mits (kleine opgave)") == "ja_mits_klein");
    CHECK(wbs_class("ja mits - grote opgave") == "ja_mits_groot");
    CHECK(wbs_class("ja_mits_klein") == "ja_mits_klein");
    CHECK(wbs_class("Nee, tenzij") == "nee_tenzij");
    CHECK(wbs_class("NEE") == "nee");
    CHECK(wbs_class("1") == "ja");
    CHECK(wbs_class("2") == "ja_mits_klein");
    CHECK(wbs_class("3.0") == "ja_mits_groot");
    CHECK(wbs_class("4") == "nee_tenzij");
    CHECK(wbs_class("5") == "nee");
    CHECK(wbs_class("6") == "(none)");
    CHECK(wbs_class("misschien") == "(none)");
    // Configuration comes first, and is itself normalised.
    CHECK(wbs_class("Ja, mits", {{"ja mits", "ja_mits_klein"}}) == "ja_mits_klein");
    CHECK(wbs_class("B", {{"b", "nee_tenzij"}}) == "nee_tenzij");
}

TEST_CASE("an alias to an unknown class is a usage error", "[catalogue]") {
    try {
        check_aliases(kind_or_throw("wbs"), {{"x", "ja_mits"}});
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        CHECK_THAT(e.what(), Catch::Contains("'ja_mits' is not a wbs class") && Catch::Contains("ja_mits_klein"));
    }
}

TEST_CASE("severity order: ja < ja_mits_klein < ja_mits_groot < nee_tenzij < nee, transparant < yellow < amber < red",
          "[catalogue]") {
    const auto& wbs = kind_or_throw("wbs").classes;
    REQUIRE(wbs.size() == 5);
    const std::vector<std::string> order = {"ja", "ja_mits_klein", "ja_mits_groot", "nee_tenzij", "nee"};
    for (std::size_t i = 0; i < wbs.size(); ++i) {
        CHECK(wbs[i].code == order[i]);
        CHECK(wbs[i].severity == static_cast<int>(i));
        CHECK(wbs[i].colour.size() == 7);
    }
    const auto& net = kind_or_throw("netcongestie").classes;
    REQUIRE(net.size() == 4);
    for (RAGKind k : {RAGKind::transparant, RAGKind::yellow, RAGKind::amber, RAGKind::red}) {
        CHECK(net[static_cast<std::size_t>(k)].code == to_string(k));
        CHECK(net[static_cast<std::size_t>(k)].severity == static_cast<int>(k));
    }
    CHECK(rag_kind("amber") == RAGKind::amber);
    CHECK_FALSE(rag_kind("Amber").has_value());  // the schema enum is exact
    CHECK(class_of(kind_or_throw("netcongestie"), "Rood").value() == 3);
    CHECK(find_kind("wbs")->themes.size() == 4);
    CHECK_THROWS_AS(kind_or_throw("geluid"), Error);
}

TEST_CASE("an unmapped value is an error listing the values found and the classes allowed", "[catalogue]") {
    const std::vector<std::string> values = {"Ja", "Ja, mits", "misschien", "Ja"};
    try {
        map_values(kind_or_throw("wbs"), values, {10, 11, 12, 13}, {}, ErrorPlace::at("wbs.gpkg", "wbs"), "klasse");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK(e.place().feature_id == 12);
        const std::string m = e.what();
        CHECK_THAT(m, Catch::Contains("file 'wbs.gpkg', layer 'wbs', feature 12"));
        CHECK_THAT(m, Catch::Contains("value 'misschien' in field 'klasse' maps to no wbs class"));
        CHECK_THAT(m, Catch::Contains("allowed: ja, ja_mits_klein, ja_mits_groot, nee_tenzij, nee"));
        CHECK_THAT(m, Catch::Contains("'Ja' (2x -> ja), 'Ja, mits' (1x -> ja_mits_groot), 'misschien' (1x, unmapped)"));
    }
    const auto mapped = map_values(kind_or_throw("wbs"), {"Ja", "5", "nee tenzij"}, {1, 2, 3}, {}, {}, "klasse");
    CHECK(mapped == std::vector<std::uint32_t>{0, 4, 3});
}

TEST_CASE("themes are found from field names", "[catalogue]") {
    const auto& wbs = kind_or_throw("wbs");
    CHECK(theme_for_field(wbs, "overstroming_m")->code == "waterveiligheid");
    CHECK(theme_for_field(wbs, "Bodemdaling_cm")->code == "bodemdaling");
    CHECK(theme_for_field(wbs, "wateroverlast")->code == "wateroverlast");
    CHECK(theme_for_field(wbs, "drinkwater")->code == "drinkwater");
    CHECK(theme_for_field(wbs, "kosten") == nullptr);
}

TEST_CASE("NOVEX and NPLV lists: 16 gebieden, 17 locations with homes, 20 focus areas", "[catalogue]") {
    CHECK(novex_gebieden().size() == 16);
    const auto& locs = novex_woningbouwlocaties();
    REQUIRE(locs.size() == 17);
    std::int64_t homes = 0;
    std::size_t unknown = 0;
    for (const auto& l : locs) {
        if (l.homes) homes += *l.homes;
        else ++unknown;
    }
    // DOMAIN.md: the listed counts add up to 440,500; Arnhem-Oost and Foodvalley have none.
    CHECK(homes == 440500);
    CHECK(unknown == 2);
    CHECK(nplv_focusgebieden().size() == 20);
    CHECK(places("nplv") == &nplv_focusgebieden());
    CHECK(places("elders") == nullptr);
}

// ---- The profile key `catalogue` in `ruimte score` ----
#include "spatial/criteria/profile.hpp"
#include "spatial/jobs/score.hpp"
#include "support.hpp"

namespace {
// A GeoJSON polygon layer in EPSG:28992 with one string attribute per feature.
std::string geojson(const std::string& field, const std::vector<std::pair<std::string, std::string>>& value_and_ring) {
    std::string s =
        R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"features":[)";
    for (std::size_t i = 0; i < value_and_ring.size(); ++i) {
        s += std::string(i ? "," : "") + R"({"type":"Feature","properties":{")" + field + R"(":")" +
             value_and_ring[i].first + R"("},"geometry":{"type":"Polygon","coordinates":[)" + value_and_ring[i].second +
             "]}}";
    }
    return s + "]}";
}
const std::string profile_head = "[layers.wbs]\nsource = \"wbs.geojson\"\nclass_field = \"klasse\"\n";
const std::string profile_factor =
    "[[factors]]\nname = \"w\"\nkind = \"classes\"\nlayer = \"wbs\"\nweight = 1\n"
    "values = { ja = 1, ja_mits_klein = 0.8, ja_mits_groot = 0.4, nee_tenzij = 0.1, nee = 0 }\n";
}  // namespace

TEST_CASE("a profile layer with catalogue = wbs reads source spellings as catalogue classes", "[catalogue][score]") {
    test::TempDir dir("catalogue-score");
    test::write_text(dir.file("wbs.geojson"),
                     geojson("klasse", {{"Ja", "[[0,0],[100,0],[100,100],[0,100],[0,0]]"},
                                        {"Ja, mits", "[[100,0],[200,0],[200,100],[100,100],[100,0]]"},
                                        {"5", "[[200,0],[300,0],[300,100],[200,100],[200,0]]"}}));
    test::write_text(dir.file("cand.geojson"),
                     geojson("naam", {{"a", "[[50,0],[150,0],[150,100],[50,100],[50,0]]"},
                                      {"b", "[[150,0],[250,0],[250,100],[150,100],[150,0]]"}}));
    test::write_text(dir.file("p.toml"), profile_head + "catalogue = \"wbs\"\n" + profile_factor);
    const Profile p = load_profile(dir.file("p.toml"));
    REQUIRE(p.layers.size() == 1);
    CHECK(p.layers[0].catalogue == "wbs");
    CHECK(p.layers[0].classes == std::vector<std::string>{"ja", "ja_mits_klein", "ja_mits_groot", "nee_tenzij", "nee"});

    ScoreRequest req;
    req.candidates = dir.file("cand.geojson");
    req.profile_path = dir.file("p.toml");
    req.output = dir.file("out.gpkg");
    req.csv = dir.file("out.csv");
    run_score(req);
    const std::string csv = test::read_text(req.csv);
    // a (GeoJSON FID 0): 50 % ja, 50 % ja_mits_groot ("Ja, mits"); b (FID 1): 50 %
    // ja_mits_groot, 50 % nee (code 5).
    CHECK(csv ==
          "candidate_id,layer,class,area_m2,share\n"
          "0,wbs,ja,5000.000000,0.500000000\n0,wbs,ja_mits_groot,5000.000000,0.500000000\n"
          "1,wbs,ja_mits_groot,5000.000000,0.500000000\n1,wbs,nee,5000.000000,0.500000000\n");

    // Without the catalogue the same data is refused: 'Ja, mits' is no declared class.
    test::write_text(dir.file("q.toml"),
                     profile_head +
                         "classes = [\"ja\", \"ja_mits_klein\", \"ja_mits_groot\", \"nee_tenzij\", \"nee\"]\n" +
                         profile_factor);
    req.profile_path = dir.file("q.toml");
    req.overwrite = true;
    CHECK_THROWS_WITH(run_score(req), Catch::Contains("class value 'Ja'"));
}

TEST_CASE("the catalogue key is checked when the profile is read", "[catalogue][score]") {
    test::TempDir dir("catalogue-profile");
    test::write_text(dir.file("wbs.geojson"), geojson("klasse", {{"ja", "[[0,0],[1,0],[1,1],[0,0]]"}}));
    auto error = [&](const std::string& text) -> std::string {
        try {
            parse_profile(text, dir.file("p.toml"));
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::profile);
            return e.what();
        }
        return "";
    };
    CHECK_THAT(
        error(profile_head + "catalogue = \"geluid\"\n" + profile_factor),
        Catch::Contains("no layer kind 'geluid' in the catalogue") && Catch::Contains("use one of: wbs, netcongestie"));
    CHECK_THAT(error(profile_head + "catalogue = \"wbs\"\nclasses = [\"ja\", \"ja_mits\"]\n" + profile_factor),
               Catch::Contains("'ja_mits' is not a wbs class") && Catch::Contains("line 5"));
    CHECK_THAT(error("[layers.wbs]\nsource = \"wbs.geojson\"\ntype = \"presence\"\ncatalogue = "
                     "\"wbs\"\n[[factors]]\nname = \"x\"\nkind = \"distance_decay\"\nlayer = \"wbs\"\nweight = 1\n"),
               Catch::Contains("catalogue belongs to class layers"));
}

TEST_CASE("normalise_value: whole numbers by their text, idempotent, no overflow (fuzzer findings)", "[catalogue]") {
    using ruimte::layers::normalise_value;
    CHECK(normalise_value("3") == "3");
    CHECK(normalise_value("3.0 ") == "3");
    CHECK(normalise_value("03") == "3");
    CHECK(normalise_value("+5") == "5");
    CHECK(normalise_value("0.000") == "0");
    CHECK(normalise_value("Ja, mits") == "ja_mits");
    // Fuzzer reproducers (tests/fuzz/crashes/classes/): these once converted an out-of-range
    // double to an integer (undefined behaviour) or normalised differently the second time.
    for (const char* v : {"9E55", "26e633", "naN", "03333.-", ".+5", "3.0 ", "1e400", "-0", "_7_"}) {
        const std::string once = normalise_value(v);
        INFO(v << " -> " << once);
        CHECK(normalise_value(once) == once);
    }
    CHECK(normalise_value("9E55") == "9e55");
}
