#pragma once
// Workshop maps drawn with cairo: one layer of a GeoPackage (ruimte's output, or any polygon
// layer) in its default style (spatial/styles.hpp, the same classes as in QGIS), with title,
// legend, scale bar, north arrow, attribution line, labels that never overlap, and optional
// context boundaries. PDF, SVG or PNG (300 dpi). See docs/outputs.md.
#include <string>
#include <vector>

namespace ruimte {

enum class Paper { a4, a3 };

struct MapRequest {
    std::string input;                 // FILE[:LAYER]; without a layer, the file's first styled spatial layer
    std::string output;                // .pdf, .png or .svg
    std::vector<std::string> context;  // FILE[:LAYER] drawn as grey boundaries under the layer
    Paper paper = Paper::a4;
    bool landscape = true;
    bool english = false;  // labels, legend and attribution in English (default Dutch)
    std::string title;     // empty: from the style ("Score (kwantielen)") and the file
    // Labels: the N best-ranked candidates (rank field) or, on a selection, the N best-ranked
    // chosen ones; -1: 10 on a scored layer, every chosen candidate on a selection.
    int top = -1;
    // Classify on this field instead of the style's (numeric: graduated; text: a colour per value).
    std::string field;
    // quantile | jenks | equal | BREAKS (comma-separated upper bounds). Empty: the style's classes,
    // or zero + natural breaks when the style's put most features in one class (skewed data).
    std::string classes;
    int dpi = 300;  // PNG only
    bool overwrite = false;
    // The part of the map to show: xmin, ymin, xmax, ymax in EPSG:28992 metres (fitted to the
    // frame, aspect kept). Empty: the layer's extent with a small margin.
    std::vector<double> extent;
};

struct MapSummary {
    std::string layer;
    std::vector<std::string> legend;  // the legend entries, in order (the style's classes first)
    int width_px = 0, height_px = 0;  // PNG only
    std::size_t features = 0;
    std::size_t labels_placed = 0;
    std::size_t labels_dropped = 0;  // left out because they would overlap
    double scale = 0;                // 1 : scale
    std::string attribution;
    std::string classification;       // how the classes were made, e.g. "natural breaks (jenks), zero apart"
    std::vector<std::string> totals;  // selection maps: the totals box, one line each
};

// Throws Error(input) naming the file and layer for a missing or empty layer, Error(usage)
// for an unknown output extension, an extent that is not xmin < xmax, ymin < ymax or does not
// overlap the layer (degrees given for metres), an unknown --field or bad --classes,
// Error(output) when the file cannot be written. A PNG carries tEXt chunks "ruimte:georef"
// (page pixel = A + B * x, C - B * y for EPSG:28992 x, y: "A B C") and "ruimte:labels" (one
// line per placed label: x0 y0 x1 y1 in pixels, a tab, the text).
MapSummary render_map(const MapRequest& req);

}  // namespace ruimte
