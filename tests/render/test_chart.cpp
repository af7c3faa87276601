// The rank-interval chart at print quality: PNG at 300 dpi (size and pHYs), SVG and PDF as vectors.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "spatial/render/chart.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {
std::uint32_t be32(const std::string& s, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
    return v;
}
RankChart sample_chart() {
    RankChart chart;
    chart.title = "Rangintervallen";
    chart.rows = {{"12", 1, 1, 1, 3, 1.0}, {"7", 2, 3, 1, 6, 0.6}};
    return chart;
}
}  // namespace

TEST_CASE("the PNG chart is 300 dpi and print sized", "[chart]") {
    test::TempDir dir("chart300");
    write_rank_chart(sample_chart(), dir.file("c.png"), false);
    const std::string png = test::read_text(dir.file("c.png"));
    REQUIRE(png.substr(1, 3) == "PNG");
    // 900 CSS pixels (9.375 in) wide at 300 dpi; the height follows the rows.
    CHECK(be32(png, 16) == 2813);
    const std::size_t phys = png.find("pHYs");
    REQUIRE(phys != std::string::npos);
    CHECK(be32(png, phys + 4) == 11811);  // pixels per metre = 300 dpi
}

TEST_CASE("the chart as PDF and SVG is vector", "[chart]") {
    test::TempDir dir("chartvec");
    write_rank_chart(sample_chart(), dir.file("c.pdf"), false);
    const std::string pdf = test::read_text(dir.file("c.pdf"));
    CHECK(pdf.rfind("%PDF", 0) == 0);
    CHECK(pdf.find("/Subtype /Image") == std::string::npos);  // drawn, not a picture
    write_rank_chart(sample_chart(), dir.file("c.svg"), true);
    const std::string svg = test::read_text(dir.file("c.svg"));
    CHECK_THAT(svg, Catch::Contains("<svg"));
    CHECK_THAT(svg, Catch::Contains("675pt"));  // 900 CSS px = 675 pt wide
    CHECK_THAT(svg, !Catch::Contains("<image"));
}
