// ruimte map's classes: zero as its own class, natural breaks that find obvious groups,
// quantiles and equal intervals of the non-zero values, user breaks, and their errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "spatial/core/error.hpp"
#include "spatial/render/classify.hpp"

using namespace ruimte;

TEST_CASE("jenks finds three obvious groups", "[classify]") {
    const std::vector<double> v{1, 1.1, 1.2, 5, 5.2, 5.1, 10, 10.3, 9.9};
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    const auto b = jenks_breaks(sorted, 3);
    REQUIRE(b.size() == 2);
    CHECK(b[0] == 1.2);
    CHECK(b[1] == 5.2);
}

TEST_CASE("jenks on many tied values stays inside the data", "[classify]") {
    // Regression: 145 shares, most of them 1 or tiny, crashed the walk back through the splits.
    std::vector<double> v(100, 1.0);
    for (int i = 0; i < 40; ++i) v.push_back(1e-6 * (i % 3 + 1));
    for (int i = 0; i < 5; ++i) v.push_back(0.5);
    std::sort(v.begin(), v.end());
    for (int k = 2; k <= 7; ++k) {
        const auto b = jenks_breaks(v, k);
        CHECK(b.size() <= static_cast<std::size_t>(k - 1));
        for (std::size_t i = 0; i < b.size(); ++i) {
            CHECK(b[i] < v.back());
            if (i) CHECK(b[i] > b[i - 1]);
        }
    }
    const auto c = classify(v, Classing{});
    REQUIRE(c.size() >= 2);
    for (double x : v) CHECK(graduated_class(c, x) >= 0);
    // All values equal (a share that is 0 everywhere): one class.
    CHECK(jenks_breaks(std::vector<double>(145, 0.0), 5).empty());
    const auto one = classify(std::vector<double>(145, 0.0), Classing{});
    REQUIRE(one.size() == 1);
    CHECK(one[0].label_nl == "0");
}

TEST_CASE("skewed data: zero is a class of its own, the rest is still split", "[classify]") {
    // 308 zeros and 36 non-zero values, as region_balance on the samples.
    std::vector<double> v(308, 0.0);
    for (int i = 1; i <= 36; ++i) v.push_back(0.05 * i * i / 36.0);
    const auto c = classify(v, Classing{});
    REQUIRE(c.size() == 6);
    CHECK(c[0].lower == 0);
    CHECK(c[0].upper == 0);
    CHECK(c[0].label_nl == "0");
    CHECK(graduated_class(c, 0.0) == 0);
    CHECK(graduated_class(c, 0.05 / 36.0) == 1);
    CHECK(graduated_class(c, v.back()) == 5);
    CHECK(graduated_class(c, v.back() + 0.01) == -1);
    CHECK(graduated_class(c, std::nan("")) == -1);
    // Every value falls in a class, and more than two classes are used.
    std::set<int> used;
    for (double x : v) {
        const int k = graduated_class(c, x);
        REQUIRE(k >= 0);
        used.insert(k);
    }
    CHECK(used.size() == 6);
}

TEST_CASE("quantile and equal classes of the non-zero values", "[classify]") {
    std::vector<double> v{0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    Classing q;
    q.method = ClassMethod::quantile;
    const auto c = classify(v, q);
    REQUIRE(c.size() == 6);
    CHECK(c[1].lower == 1);
    CHECK(c[5].upper == 10);
    Classing e;
    e.method = ClassMethod::equal;
    const auto ce = classify(v, e);
    REQUIRE(ce.size() == 6);
    CHECK(ce[1].upper == Approx(2.8));
    CHECK(ce[2].upper == Approx(4.6));
}

TEST_CASE("decimal comma in Dutch labels, point in English", "[classify]") {
    const auto c = classify({0.25, 0.5, 1.5, 2.75}, parse_classing("1,2"));
    REQUIRE(c.size() == 3);
    CHECK(c[0].label_nl == "0,25 - 1");
    CHECK(c[0].label_en == "0.25 - 1");
    CHECK(c[2].label_nl == "2 - 2,75");
    CHECK(people_number(1234567.5, 1, false) == "1.234.567,5");
    CHECK(people_number(1234567.5, 1, true) == "1,234,567.5");
    CHECK(people_number(-0.0001, 2, true) == "0");
}

TEST_CASE("user breaks: zero first gives a zero class", "[classify]") {
    const auto c = classify({0, 0, 0.3, 0.7, 1.9}, parse_classing("0,0.5,1"));
    REQUIRE(c.size() == 4);
    CHECK(graduated_class(c, 0) == 0);
    CHECK(graduated_class(c, 0.3) == 1);
    CHECK(graduated_class(c, 0.7) == 2);
    CHECK(graduated_class(c, 1.9) == 3);
}

TEST_CASE("bad --classes values are usage errors naming the option", "[classify]") {
    CHECK(parse_classing("jenks").method == ClassMethod::jenks);
    CHECK(parse_classing("quantile").method == ClassMethod::quantile);
    CHECK(parse_classing("equal").method == ClassMethod::equal);
    for (const char* bad : {"", "kwantiel", "1,,2", "1,a", "2,1", "1,1", "nan"}) {
        try {
            parse_classing(bad);
            FAIL("accepted " << bad);
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(std::string(e.what()).find("--classes") != std::string::npos);
        }
    }
}
