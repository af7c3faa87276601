// The layer catalogue: spellings, severity order, unmapped values, named places.
#include <catch2/catch.hpp>

#include "layers/catalogue.hpp"
#include "spatial/error.hpp"

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

TEST_CASE("severity order: ja < ja_mits_klein < ja_mits_groot < nee_tenzij < nee; transparant < yellow < amber < red",
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
        map_values(kind_or_throw("wbs"), values, {10, 11, 12, 13}, {}, ErrorPlace{"wbs.gpkg", "wbs", {}, "", {}}, "klasse");
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
