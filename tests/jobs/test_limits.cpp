// Limits that keep hostile or careless input from crashing ruimte (issue 25 'Crashes and hangs',
// issue 27 section 4): TOML nesting and size, read before toml++ sees the text.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>

#include "spatial/claims/claims.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/toml_limits.hpp"
#include "spatial/criteria/profile.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {

std::string dotted_key(int parts) {
    std::string key = "a";
    for (int i = 1; i < parts; ++i) key += ".a";
    return key;
}

ErrorKind kind_of(const std::function<void()>& f, std::string& message) {
    try {
        f();
    } catch (const Error& e) {
        message = e.what();
        return e.kind();
    }
    FAIL("no error");
    return ErrorKind::internal;
}

}  // namespace

TEST_CASE("a profile with a key of 50,000 dotted parts is a profile error, not a stack overflow", "[limits]") {
    const std::string text = "[profile]\nname = \"x\"\n" + dotted_key(50000) + " = 1\n";
    std::string message;
    CHECK(kind_of([&] { parse_profile(text, "deep.toml"); }, message) == ErrorKind::profile);
    CHECK_THAT(message, Catch::Contains("deep.toml") && Catch::Contains("line 3") && Catch::Contains("levels deep"));
}

TEST_CASE("a [header] of 50,000 parts and deep inline tables are refused", "[limits]") {
    std::string message;
    CHECK(kind_of([&] { parse_profile("[" + dotted_key(50000) + "]\n", "h.toml"); }, message) == ErrorKind::profile);
    CHECK_THAT(message, Catch::Contains("line 1"));
    // 40 inline tables, each under a 3-part key: 160 levels, each part under the toml++ limit.
    std::string nested = "x = ";
    for (int i = 0; i < 40; ++i) nested += "{ a.b.c = ";
    nested += "1";
    for (int i = 0; i < 40; ++i) nested += " }";
    CHECK(kind_of([&] { parse_profile(nested + "\n", "n.toml"); }, message) == ErrorKind::profile);
    CHECK_THAT(message, Catch::Contains("levels deep"));
}

TEST_CASE("a compatibility matrix with 50,000 dotted parts is refused", "[limits]") {
    const std::string text = "kinds = [\"wonen\"]\n" + dotted_key(50000) + " = \"conflict\"\n";
    std::string message;
    CHECK(kind_of([&] { parse_compat_matrix(text, "m.toml"); }, message) == ErrorKind::profile);
    CHECK_THAT(message, Catch::Contains("m.toml") && Catch::Contains("line 2"));
}

TEST_CASE("a key longer than the limit and a text larger than the limit are refused", "[limits]") {
    std::string message;
    const std::string long_key = "\"" + std::string(TomlLimits::max_key_bytes + 10, 'k') + "\" = 1\n";
    CHECK(kind_of([&] { parse_profile(long_key, "k.toml"); }, message) == ErrorKind::profile);
    CHECK_THAT(message, Catch::Contains("key longer than"));
    const std::string big = "# " + std::string(TomlLimits::max_bytes, 'x') + "\n";
    CHECK(kind_of([&] { parse_profile(big, "big.toml"); }, message) == ErrorKind::profile);
    CHECK_THAT(message, Catch::Contains("larger than 1024 KiB"));
}

TEST_CASE("a profile read from /dev/zero stops at the size limit", "[limits]") {
    std::string message;
    CHECK(kind_of([&] { load_profile("/dev/zero"); }, message) == ErrorKind::profile);
    CHECK_THAT(message, Catch::Contains("/dev/zero") && Catch::Contains("larger than"));
    CHECK(kind_of([&] { load_compat_matrix("/dev/zero"); }, message) == ErrorKind::profile);
    CHECK_THAT(message, Catch::Contains("larger than"));
}

TEST_CASE("the TOML limits accept every sample profile and the built-in matrix", "[limits]") {
    // Strings, comments, arrays of tables, inline tables and multi-line strings with dots,
    // brackets and braces must not count as keys or nesting.
    const std::string tricky =
        "# a.b.c.d.e [x] {y}\n"
        "[profile]\nname = "
        "\"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b."
        "c.d.e.f.g\"\n"
        "description = "
        "\"\"\"\n[[a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x."
        "y.z.a.b.c.d.e.f]]\n{{{{\"\"\"\n"
        "x = { } \ny = {a = 1, b = { c = [ {d = 1}, {e = 2} ] } }\n'lit.key' = 'it''s'\n";
    for (int i = 0; i < 200; ++i) {
        REQUIRE_NOTHROW(
            check_toml_limits(tricky + "z" + std::to_string(i) + " = {}\n", "t.toml", ErrorKind::profile, "t"));
    }
    std::string many;
    for (int i = 0; i < 200; ++i) many += "[t" + std::to_string(i) + ".a.b]\nv = {x = {y = 1}}\n";
    REQUIRE_NOTHROW(check_toml_limits(many, "m.toml", ErrorKind::profile, "m"));
    REQUIRE_NOTHROW(default_compat_matrix());
    for (const char* p : {"data-samples/woningbouw.toml", "data-samples/profiles/woningbouw.toml",
                          "data-samples/profiles/water_zwaar.toml"}) {
        REQUIRE_NOTHROW(load_profile(std::string(RUIMTE_SOURCE_DIR) + "/" + p));
    }
}
