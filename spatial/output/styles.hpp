#pragma once
// Default styles for ruimte's output layers: one StyleSpec per spatial layer, written as QML
// (and SLD) into the GeoPackage's `layer_styles` table, the table QGIS reads a layer's
// default style from. The same StyleSpec drives `ruimte map` (spatial/map_render.hpp), so a
// printed legend always matches what QGIS shows. See docs/outputs.md.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

class GDALDataset;
class OGRLayer;

namespace ruimte::styles {

enum class Renderer {
    single,       // one symbol for every feature
    categorized,  // a colour per attribute value
    graduated,    // a colour per range of a numeric attribute
};

struct StyleClass {
    std::string value;            // categorized: the attribute value (as text)
    double lower = 0, upper = 0;  // graduated: the range, lower < v <= upper (the first includes lower)
    std::string label_nl, label_en;
    std::string fill;      // "#rrggbb"; empty: no fill (outline only)
    bool hatched = false;  // a light hatch over the fill (excluded features)
};

// How the classified field is stored, so the filters QGIS evaluates match its values (a
// GeoPackage BOOLEAN is true/false in QGIS, not the '0'/'1' text GDAL prints).
enum class FieldKind { text, integer, real, boolean };

struct StyleSpec {
    std::string table;  // the layer the style belongs to
    std::string geometry_column = "geom";
    Renderer renderer = Renderer::single;
    std::string field;  // attribute classified (categorized, graduated)
    FieldKind field_kind = FieldKind::text;
    std::vector<StyleClass> classes;  // single: exactly one class
    std::string outline = "#232323";  // "#rrggbb"
    double outline_mm = 0.26;
    std::string label_field;         // names as labels; empty: no labels
    std::string title_nl, title_en;  // legend title
    bool synthetic = false;          // data made up for the samples (attribution says so)
    // A boolean attribute; its true features are drawn as excluded_class() before any class
    // (grey with a light hatch), whatever their value of `field`. Empty: none.
    std::string excluded_field;
    // Polygons smaller than about 2 mm on paper are also drawn as a marker of their class
    // colour at a point on their surface (QGIS; national maps of small candidate areas).
    bool markers_when_small = false;
    std::string marker_filter;  // a QGIS expression: only these small polygons get a marker (empty: all)
    // A QGIS expression: only these features are labelled (empty: every feature).
    std::string label_filter;
    // Drawn over the classes (the core of a selection frequency layer): the features whose
    // `field` equals `value`, outlined thick in `colour`, with no fill. Empty field: none.
    struct Outlined {
        std::string field, value, label_nl, label_en, colour = "#000000";
        double mm = 0.8;
    } outlined;

    const std::string& title(bool english) const { return english ? title_en : title_nl; }
};

// QGIS 3 style (QML) with renderer, symbols and labels; deterministic text.
std::string qml_for(const StyleSpec& spec);
// OGC SLD 1.1 (SE) with one rule per class and a text symbolizer for the labels.
std::string sld_for(const StyleSpec& spec);

// Five quantile classes of `values` (NaN ignored) on a colour-blind-safe ramp (viridis),
// bounds rounded outward to 3 decimals; fewer classes when quantiles coincide.
std::vector<StyleClass> quantile_classes(std::vector<double> values, int count = 5);
// Skewed counts and shares, most of them 0 (claim pressure, P(top K)): 0 as its own class
// (light grey), then quantile_classes() of the values above 0 (count - 1 classes). Without
// zeros, quantile_classes(values, count).
std::vector<StyleClass> zero_and_quantile_classes(std::vector<double> values, int count = 5);
// How excluded features are drawn: grey fill (QGIS adds a light hatch), label 'uitgesloten'.
StyleClass excluded_class();
// The QGIS expression that selects the features of class `index` of `spec` (without the
// exclusion), e.g. "\"score\" > 0.2 AND \"score\" <= 0.4" or "if(\"selected\", 1, 0) = 1".
std::string class_filter(const StyleSpec& spec, std::size_t index);

// The classes of a catalogue layer kind ("wbs", "netcongestie") with their colours.
std::vector<StyleClass> catalogue_classes(const std::string& kind);

// The default style of one of ruimte's output layers (candidates_scored, check_locations,
// check_parts, claim_faces, region_balance, candidates_selected, ...) computed from its
// fields and data, or nullopt for a layer without a default style (tables without geometry).
// Values of numeric columns the caller already holds are taken from `known` instead of read
// back from the layer: "table.column" -> the column's value in every row (NaN for NULL), in
// any order. Text columns are always read.
using KnownColumns = std::map<std::string, std::vector<double>>;
std::optional<StyleSpec> default_style(OGRLayer& layer, const KnownColumns& known = {});

// Creates `layer_styles` with QGIS's columns (registered in gpkg_contents as attributes) when
// missing and writes one default style row per spec. `update_time` is written as given
// ("YYYY-MM-DDTHH:MM:SSZ"), so two runs with the same --timestamp give the same rows.
// Throws Error(output) naming `path` on failure.
void write_layer_styles(GDALDataset& ds, const std::string& path, const std::vector<StyleSpec>& specs,
                        const std::string& update_time);
// default_style() of every spatial layer of ds, written with write_layer_styles().
void write_default_styles(GDALDataset& ds, const std::string& path, const std::string& update_time,
                          const KnownColumns& known = {});

}  // namespace ruimte::styles

namespace ruimte::styles {

// A QGIS project (.qgz: a zip holding one .qgs) that references every spatial layer of the
// GeoPackage `gpkg_path` with its default style, the `context` sources (FILE[:LAYER], drawn as
// outlines below), and a print layout "ruimte A3" (A3 landscape: map, legend, scale bar, north
// arrow, title, attribution from the layers' descriptions: synthetic data say so). Sources are
// relative to the project's folder (`display_path`'s), so the folder can be moved. Dutch
// layout texts unless `english`. Written to `qgz_path` as is (the caller renames it into
// place). Throws Error(output) naming `display_path`. The GeoPackage is read from
// `gpkg_read_path` when given (its temporary file, not yet committed), named `gpkg_path`.
void write_qgis_project(const std::string& qgz_path, const std::string& display_path, const std::string& gpkg_path,
                        const std::vector<std::string>& context, const std::string& title, bool english = false,
                        const std::string& gpkg_read_path = "");

}  // namespace ruimte::styles
