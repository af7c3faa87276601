// Rank-interval chart (sensitivity): the chart's content and its cairo writer.
#pragma once

#include <string>
#include <vector>

namespace ruimte {

// A chart of rank intervals (one row per candidate: 5-95 % bar, median dot, profile rank mark).
struct RankChartRow {
    std::string label;
    double base_rank = 0, median = 0, p05 = 0, p95 = 0, p_top = 0;
};
struct RankChart {
    std::string title;
    std::string subtitle;
    std::string axis;  // x-axis label
    std::string legend_interval, legend_median, legend_base;
    std::vector<RankChartRow> rows;
};
// Writes the chart with cairo to `path`: SVG (svg = true), PDF when `display_path` (or `path`)
// ends in .pdf (both vector), else PNG at 300 dpi (2813 px wide, pHYs set). Errors name
// `display_path` (the output) when given.
void write_rank_chart(const RankChart& chart, const std::string& path, bool svg, const std::string& display_path = "");

}  // namespace ruimte
