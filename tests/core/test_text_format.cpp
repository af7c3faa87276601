// Number and text formatting for the CSV and report outputs.
#include <catch2/catch.hpp>

#include <cmath>
#include <iomanip>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "spatial/core/text_format.hpp"

using namespace ruimte;

namespace {
// The reference: iostreams format std::fixed as printf's "%.*f" does.
std::string stream_fixed(double v, int decimals) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(decimals) << v;
    return out.str();
}
}  // namespace

TEST_CASE("fixed and append_fixed write the digits printf's %.*f writes, however long", "[text_format]") {
    std::vector<double> values = {0.0,
                                  -0.0,
                                  1.0,
                                  -1.0,
                                  0.5,
                                  1e-7,
                                  2.5e-10,
                                  0.1234565,
                                  0.1234575,
                                  1e300,
                                  -1e300,
                                  std::numeric_limits<double>::max(),
                                  std::numeric_limits<double>::denorm_min(),
                                  123456789.123456789,
                                  std::nextafter(0.5, 1.0),
                                  std::nextafter(0.5, 0.0)};
    std::mt19937_64 rng(20261122);
    std::uniform_real_distribution<double> share(0.0, 1.0), area(0.0, 5e6);
    std::uniform_int_distribution<int> exponent(-30, 30);
    for (int i = 0; i < 20000; ++i) {
        values.push_back(share(rng));
        values.push_back(area(rng));
        values.push_back(std::ldexp(share(rng), exponent(rng)));
    }
    for (double v : values) {
        for (int decimals : {0, 3, 6, 9, 100}) {
            INFO(v << " with " << decimals << " decimals");
            const std::string expected = stream_fixed(v, decimals);
            std::string out = "x,";
            append_fixed(out, v, decimals);
            CHECK(out == "x," + expected);
            CHECK(fixed(v, decimals) == expected);
        }
    }
}

TEST_CASE("csv_quote quotes only what needs it", "[text_format]") {
    CHECK(csv_quote("ja_mits") == "ja_mits");
    CHECK(csv_quote("a,b") == "\"a,b\"");
    CHECK(csv_quote("zeg \"ja\"") == "\"zeg \"\"ja\"\"\"");
    CHECK(csv_quote("twee\nregels") == "\"twee\nregels\"");
}
