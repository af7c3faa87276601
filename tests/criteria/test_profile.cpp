// Profile validation: every error names the key and line and says what to do.
#include <catch2/catch.hpp>

#include "spatial/core/error.hpp"
#include "spatial/criteria/profile.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {
// A valid profile; tests break one thing at a time. The layer source is the profile itself,
// which exists (validation only checks that sources exist).
std::string valid(const std::string& extra_factor_keys = "", const std::string& weight = "1") {
    return "[profile]\nname = \"t\"\n\n"
           "[layers.wbs]\nsource = \"p.toml\"\ntype = \"classes\"\nclass_field = \"klasse\"\n"
           "classes = [\"ja\", \"nee\"]\n\n"
           "[layers.novex]\nsource = \"p.toml\"\ntype = \"presence\"\n\n"
           "[[exclusions]]\nmetric = \"wbs.share.nee\"\nop = \">\"\nvalue = 0\n\n"
           "[[factors]]\nname = \"water\"\nkind = \"classes\"\nlayer = \"wbs\"\nweight = " +
           weight +
           "\n"
           "values = { ja = 1.0, nee = 0.0 }\n" +
           extra_factor_keys +
           "\n"
           "[[factors]]\nname = \"novex\"\nkind = \"distance_decay\"\nlayer = \"novex\"\nweight = 1\ndistance_m = "
           "500\n";
}

struct ProfileFile {
    test::TempDir dir{"profile"};
    std::string path = dir.file("p.toml");
    Profile load(const std::string& text) {
        test::write_text(path, text);
        return load_profile(path);
    }
};

// Loads `text` and returns the error; fails the test when it loads.
Error error_of(const std::string& text) {
    ProfileFile f;
    try {
        f.load(text);
    } catch (const Error& e) { return e; }
    FAIL("the profile loaded, but an error was expected");
    throw;
}
}  // namespace

TEST_CASE("a valid profile loads with normalised weights and its layer order", "[profile]") {
    ProfileFile f;
    const Profile p = f.load(valid("", "3"));
    REQUIRE(p.layers.size() == 2);
    CHECK(p.layers[0].name == "wbs");  // file order, not alphabetical
    CHECK(p.layers[1].kind == LayerKind::presence);
    CHECK(p.layers[1].field == "naam");
    REQUIRE(p.factors.size() == 2);
    CHECK(p.factors[0].weight == Approx(0.75));
    CHECK(p.factors[1].weight == Approx(0.25));
    CHECK(p.exclusions.at(0).op == CompareOp::gt);
}

TEST_CASE("unknown key: named with its line and a suggestion", "[profile]") {
    const Error e = error_of(valid("wieght = 2\n"));
    CHECK(e.kind() == ErrorKind::profile);
    CHECK(e.place().key == "factors[1].wieght");
    CHECK(e.place().line == 25);
    CHECK_THAT(e.what(), Catch::Contains("unknown key 'wieght'") && Catch::Contains("did you mean 'weight'"));
}

TEST_CASE("wrong type", "[profile]") {
    const Error e = error_of(valid("", "\"heavy\""));
    CHECK(e.place().key == "factors[1].weight");
    CHECK_THAT(e.what(), Catch::Contains("must be a number, not a string"));
}

TEST_CASE("missing layer", "[profile]") {
    std::string text = valid();
    text.replace(text.find("layer = \"wbs\""), 13, "layer = \"wbz\"");
    const Error e = error_of(text);
    CHECK(e.place().key == "factors[1].layer");
    CHECK_THAT(e.what(), Catch::Contains("no layer 'wbz'"));
}

TEST_CASE("bad weights: negative, NaN, all zero", "[profile]") {
    CHECK_THAT(error_of(valid("", "-1")).what(), Catch::Contains("weight is negative"));
    CHECK_THAT(error_of(valid("", "nan")).what(), Catch::Contains("weight is NaN"));
    std::string zero = valid("", "0");
    zero.replace(zero.rfind("weight = 1"), 10, "weight = 0");
    CHECK_THAT(error_of(zero).what(), Catch::Contains("all weights are zero"));
}

TEST_CASE("values outside 0..1, unknown classes and missing class values", "[profile]") {
    std::string text = valid();
    text.replace(text.find("ja = 1.0"), 8, "ja = 1.5");
    CHECK_THAT(error_of(text).what(), Catch::Contains("outside 0..1"));
    text = valid();
    text.replace(text.find("nee = 0.0 }"), 11, "nie = 0.0 }");
    CHECK_THAT(error_of(text).what(), Catch::Contains("has no class 'nie'"));
}

TEST_CASE("metrics are checked against the layers", "[profile]") {
    std::string text = valid();
    text.replace(text.find("wbs.share.nee"), 13, "wbs.share.xyz");
    CHECK_THAT(error_of(text).what(), Catch::Contains("layer 'wbs' has no class 'xyz'"));
    text = valid();
    text.replace(text.find("wbs.share.nee"), 13, "wbs.distance_m");
    CHECK_THAT(error_of(text).what(), Catch::Contains("distance_m exists only for presence layers"));
}

TEST_CASE("TOML syntax errors carry the line", "[profile]") {
    const Error e = error_of("[profile]\nname = \"x\n");
    CHECK(e.kind() == ErrorKind::profile);
    CHECK(e.place().line == 2);
    CHECK_THAT(e.what(), Catch::Contains("not valid TOML"));
}

TEST_CASE("a source that does not exist", "[profile]") {
    std::string text = valid();
    text.replace(text.find("source = \"p.toml\""), 17, "source = \"nope.gpkg:wbs\"");
    const Error e = error_of(text);
    CHECK(e.place().key == "layers.wbs.source");
    CHECK(e.place().line == 5);
}

TEST_CASE("points and lines layers: within_m, their metrics, and the keys of polygon layers refused",
          "[profile][points]") {
    const std::string layers =
        "[profile]\nname = \"t\"\n\n"
        "[layers.stations]\nsource = \"p.toml\"\ntype = \"points\"\nwithin_m = 1500\n\n"
        "[layers.hs]\nsource = \"p.toml\"\ntype = \"lines\"\n\n";
    ProfileFile f;
    const Profile p = f.load(layers +
                             "[[exclusions]]\nmetric = \"hs.distance_m\"\nop = \"<\"\nvalue = 50\n\n"
                             "[[factors]]\nname = \"a\"\nkind = \"distance_decay\"\nlayer = \"stations\"\n"
                             "weight = 1\ndistance_m = 2000\n\n"
                             "[[factors]]\nname = \"b\"\nkind = \"linear\"\nmetric = \"hs.length_within_m\"\n"
                             "weight = 1\nlower = 0\nupper = 100\n");
    REQUIRE(p.layers.size() == 2);
    CHECK(p.layers[0].kind == LayerKind::points);
    CHECK(p.layers[0].within_m == 1500);
    CHECK(p.layers[1].kind == LayerKind::lines);
    CHECK(p.layers[1].within_m == 1000);  // the default
    CHECK(parse_metric("stations.count_within", p, 1, "k").kind == MetricName::Kind::count_within);
    CHECK(parse_metric("hs.length_m", p, 1, "k").kind == MetricName::Kind::length_m);
    CHECK_THROWS_WITH(parse_metric("stations.length_m", p, 1, "k"),
                      Catch::Contains("is a points layer") && Catch::Contains("distance_m and count_within"));
    CHECK_THROWS_WITH(parse_metric("hs.share.x", p, 1, "k"), Catch::Contains("is a lines layer"));

    const std::string factor =
        "[[factors]]\nname = \"a\"\nkind = \"linear\"\nmetric = \"area_ha\"\nweight = 1\n"
        "lower = 0\nupper = 1\n";
    Error e =
        error_of(layers + "[layers.x]\nsource = \"p.toml\"\ntype = \"points\"\nname_field = \"naam\"\n\n" + factor);
    CHECK(e.place().key == "layers.x.name_field");
    CHECK_THAT(e.what(), Catch::Contains("belongs to polygon layers"));
    e = error_of(layers + "[layers.x]\nsource = \"p.toml\"\ntype = \"points\"\nwithin_m = 0\n\n" + factor);
    CHECK(e.place().key == "layers.x.within_m");
    e = error_of(layers + "[layers.x]\nsource = \"p.toml\"\ntype = \"presence\"\nwithin_m = 10\n\n" + factor);
    CHECK(e.place().key == "layers.x.within_m");
    e = error_of(layers +
                 "[[factors]]\nname = \"a\"\nkind = \"classes\"\nlayer = \"stations\"\nweight = 1\n"
                 "values = { a = 1 }\n");
    CHECK_THAT(e.what(), Catch::Contains("is a points layer"));
}
