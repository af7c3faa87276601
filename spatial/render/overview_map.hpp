#pragma once
// A small overview map for reports (the water board check: one per water board): an area
// (the group) in light grey, shapes filled in their colour, shapes too small to see at this
// scale drawn as markers, labels beside them (never on them, never overlapping), a scale bar
// and a legend. Drawn with cairo into PNG bytes held in memory, so a report can carry it
// inline; the same input gives the same bytes.
#include <string>
#include <utility>
#include <vector>

namespace ruimte {

// Rings of x, y pairs in metres (EPSG:28992), each ring closed or not; holes are filled
// even-odd.
using OverviewRings = std::vector<std::vector<double>>;

struct OverviewShape {
    std::vector<OverviewRings> polygons;  // each: its exterior ring, then its holes
    std::string fill;                     // "#rrggbb"
    std::string label;                    // beside its largest polygon (or marker); empty: none
};

struct OverviewMap {
    std::string title;
    OverviewRings area;                                       // drawn under the shapes; may be empty
    std::vector<OverviewShape> shapes;                        // drawn in this order; labelled last first
    std::vector<std::pair<std::string, std::string>> legend;  // (colour, text)
    int width_px = 800;
    int height_px = 600;
};

struct OverviewSummary {
    std::string png;          // the PNG file's bytes
    std::size_t markers = 0;  // polygons drawn as markers (too small to see)
    std::size_t labels = 0;   // labels placed
    double metres_per_px = 0;
};

// Throws Error(output) when cairo fails.
OverviewSummary render_overview_map(const OverviewMap& map);

}  // namespace ruimte
