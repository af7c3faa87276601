#include "spatial/output/styles.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "layers/catalogue.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/io/source.hpp"
#include "spatial/output/attribution.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/schema.hpp"

namespace ruimte::styles {

namespace {

namespace sc = schema::scored;

// viridis, 5 classes (colour-blind safe, prints in grey): low scores dark, high scores yellow.
const char* const kViridis[] = {"#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"};
// YlOrRd for counts (claims per face).
const char* const kYlOrRd[] = {"#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"};
const char* const kConflict = "#d7191c";
// Excluded features: mid grey under a near-white hatch, unlike any class colour (viridis,
// YlOrRd and the catalogue's have no grey).
const char* const kExcludedFill = "#a3a3a3";
const char* const kExcludedHatch = "#f5f5f5";
// The zero class of skewed values: a light grey that reads as 'nothing here'.
const char* const kZeroFill = "#ececec";

// "#rrggbb" -> "r,g,b,255" (QGIS colour text).
std::string qgis_colour(const std::string& hex) {
    unsigned r = 0, g = 0, b = 0;
    if (hex.size() != 7 || std::sscanf(hex.c_str(), "#%02x%02x%02x", &r, &g, &b) != 3) return "0,0,0,255";
    return std::to_string(r) + "," + std::to_string(g) + "," + std::to_string(b) + ",255";
}

std::string option(const std::string& name, const std::string& value) {
    return "<Option name=\"" + name + "\" type=\"QString\" value=\"" + xml_escape(value) + "\"/>";
}

// An <Option type="Map"> of QString options, indented by `indent` spaces.
std::string options(const std::vector<std::pair<std::string, std::string>>& values, int indent) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    std::string s = pad + "<Option type=\"Map\">\n";
    for (const auto& [n, v] : values) s += pad + "  " + option(n, v) + "\n";
    return s + pad + "</Option>\n";
}

// Data-defined properties of a symbol layer or label: property name -> QGIS expression.
std::string data_defined(const std::vector<std::pair<std::string, std::string>>& props, const std::string& tag,
                         int indent) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    std::string s = pad + "<" + tag + ">\n" + pad + "  <Option type=\"Map\">\n" + pad + "    " + option("name", "") +
                    "\n" + pad + "    <Option name=\"properties\" type=\"Map\">\n";
    for (const auto& [name, expression] : props) {
        s += pad + "      <Option name=\"" + name + "\" type=\"Map\">\n" + pad +
             "        <Option name=\"active\" type=\"bool\" value=\"true\"/>\n" + pad + "        " +
             option("expression", expression) + "\n" + pad +
             "        <Option name=\"type\" type=\"int\" value=\"3\"/>\n" + pad + "      </Option>\n";
    }
    return s + pad + "    </Option>\n" + pad + "    " + option("type", "collection") + "\n" + pad + "  </Option>\n" +
           pad + "</" + tag + ">\n";
}

std::string quoted_field(const std::string& f) {
    std::string s = "\"";
    for (char c : f) s += c == '"' ? std::string("\"\"") : std::string(1, c);
    return s + "\"";
}

std::string quoted_text(const std::string& v) {
    std::string s = "'";
    for (char c : v) s += c == '\'' ? std::string("''") : std::string(1, c);
    return s + "'";
}

std::string simple_fill(const StyleSpec& spec, const std::string& fill, const std::string& marked_field) {
    const bool filled = !fill.empty();
    std::string s = "        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n" +
                    options({{"color", filled ? qgis_colour(fill) : "0,0,0,0"},
                             {"outline_color", qgis_colour(spec.outline)},
                             {"outline_style", "solid"},
                             {"outline_width", fixed(spec.outline_mm, 2)},
                             {"outline_width_unit", "MM"},
                             {"style", filled ? "solid" : "no"}},
                            10);
    if (!marked_field.empty()) {
        // Features with a value in marked_field (claim conflicts) get a thick red outline.
        const std::string when =
            quoted_field(marked_field) + " IS NOT NULL AND " + quoted_field(marked_field) + " <> ''";
        s += data_defined(
            {{"outlineColor", "CASE WHEN " + when + " THEN '" + qgis_colour(kConflict) + "' ELSE '" +
                                  qgis_colour(spec.outline) + "' END"},
             {"outlineWidth", "CASE WHEN " + when + " THEN 0.8 ELSE " + fixed(spec.outline_mm, 2) + " END"}},
            "data_defined_properties", 10);
    }
    return s + "        </layer>\n";
}

// The light hatch over excluded features.
std::string hatch(const std::string& name) {
    return "        <layer class=\"LinePatternFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n" +
           options({{"angle", "45"},
                    {"color", qgis_colour(kExcludedHatch)},
                    {"distance", "1.4"},
                    {"distance_unit", "MM"},
                    {"line_width", "0.35"},
                    {"line_width_unit", "MM"}},
                   10) +
           "          <symbol type=\"line\" name=\"" + name +
           "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
           "            <layer class=\"SimpleLine\" enabled=\"1\" locked=\"0\" pass=\"0\">\n" +
           options({{"line_color", qgis_colour(kExcludedHatch)},
                    {"line_style", "solid"},
                    {"line_width", "0.35"},
                    {"line_width_unit", "MM"}},
                   14) +
           "            </layer>\n          </symbol>\n        </layer>\n";
}

// A marker of the class colour at a point on the surface of polygons under 2 mm on paper
// (bounds in metres of EPSG:28992; @map_scale is the scale denominator).
std::string small_polygon_marker(const std::string& fill, const std::string& name, const std::string& only) {
    const std::string expression =
        "CASE WHEN max(bounds_width($geometry), bounds_height($geometry)) * 1000 / @map_scale < 2" +
        (only.empty() ? "" : " AND (" + only + ")") + " THEN point_on_surface($geometry) END";
    return "        <layer class=\"GeometryGenerator\" enabled=\"1\" locked=\"0\" pass=\"0\">\n" +
           options({{"SymbolType", "Marker"}, {"geometryModifier", expression}, {"units", "MapUnit"}}, 10) +
           "          <symbol type=\"marker\" name=\"" + name +
           "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
           "            <layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"0\">\n" +
           options({{"color", fill.empty() ? "255,255,255,255" : qgis_colour(fill)},
                    {"name", "circle"},
                    {"outline_color", "35,35,35,255"},
                    {"outline_style", "solid"},
                    {"outline_width", "0.25"},
                    {"outline_width_unit", "MM"},
                    {"scale_method", "diameter"},
                    {"size", "2.4"},
                    {"size_unit", "MM"}},
                   14) +
           "            </layer>\n          </symbol>\n        </layer>\n";
}

// The fill symbol `index` of a style: fill, the hatch when `hatched`, the marker when the
// style draws small polygons as markers.
std::string fill_symbol(const StyleSpec& spec, const std::string& fill, std::size_t index, bool hatched,
                        const std::string& marked_field) {
    const std::string n = std::to_string(index);
    std::string s = "      <symbol type=\"fill\" name=\"" + n +
                    "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n" + simple_fill(spec, fill, marked_field);
    if (hatched) s += hatch("@" + n + "@1");
    if (spec.markers_when_small)
        s += small_polygon_marker(fill, "@" + n + "@" + (hatched ? "2" : "1"), spec.marker_filter);
    return s + "      </symbol>\n";
}

std::string marked_field_of(const StyleSpec& spec) {
    return spec.table == schema::kClaimFaces ? "conflicts" : "";
}

std::string labeling(const StyleSpec& spec) {
    if (spec.label_field.empty()) return {};
    // Beside the marker (around the point, 1.5 mm off) when small polygons become markers, so a
    // label never covers its own marker; over the polygon otherwise.
    const std::string placement =
        spec.markers_when_small ? "placement=\"0\" dist=\"1.5\" distUnits=\"MM\"" : "placement=\"1\" dist=\"0\"";
    return "  <labeling type=\"simple\">\n"
           "    <settings calloutType=\"simple\">\n"
           "      <text-style fieldName=\"" +
           xml_escape(spec.label_field) +
           "\" isExpression=\"0\" fontFamily=\"DejaVu Sans\" fontSize=\"8\" fontSizeUnit=\"Point\" "
           "textColor=\"35,35,35,255\" textOpacity=\"1\" namedStyle=\"Book\" fontWeight=\"50\" fontItalic=\"0\" "
           "multilineHeight=\"1\" capitalization=\"0\">\n"
           "        <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" "
           "bufferColor=\"255,255,255,255\" "
           "bufferOpacity=\"0.85\" bufferJoinStyle=\"128\"/>\n"
           "      </text-style>\n"
           "      <text-format wrapChar=\"\" autoWrapLength=\"18\" multilineAlign=\"3\" plussign=\"0\" "
           "formatNumbers=\"0\"/>\n"
           "      <placement " +
           placement +
           " offsetType=\"0\" priority=\"5\" centroidInside=\"1\" "
           "centroidWhole=\"0\" fitInPolygonOnly=\"0\"/>\n"
           "      <rendering obstacle=\"1\" displayAll=\"0\" upsidedownLabels=\"0\" limitNumLabels=\"0\" "
           "scaleVisibility=\"0\" labelPerPart=\"0\" mergeLines=\"0\" drawLabels=\"1\"/>\n" +
           (spec.label_filter.empty()
                ? std::string()
                : data_defined({{"Show", "if(" + spec.label_filter + ", 1, 0)"}}, "dd_properties", 6)) +
           "    </settings>\n"
           "  </labeling>\n";
}

std::string single_renderer(const StyleSpec& spec) {
    std::string symbols;
    for (std::size_t i = 0; i < spec.classes.size(); ++i) {
        symbols += fill_symbol(spec, spec.classes[i].fill, i, false, marked_field_of(spec));
    }
    return "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
           "    <symbols>\n" +
           symbols +
           "    </symbols>\n"
           "  </renderer-v2>\n";
}

// Rules, in order: excluded features (when the style has an exclusion field), one rule per
// class (restricted to features not excluded), and ELSE (features with no value: outlined),
// so every feature gets a symbol.
std::string rule_renderer(const StyleSpec& spec) {
    const std::string marked = marked_field_of(spec);
    std::string rules, symbols;
    std::size_t n = 0;
    auto add = [&](const std::string& filter, const std::string& label, const std::string& fill, bool hatched) {
        const std::string i = std::to_string(n);
        rules += "      <rule key=\"{ruimte-rule-" + i + "}\" filter=\"" + xml_escape(filter) + "\" label=\"" +
                 xml_escape(label) + "\" symbol=\"" + i + "\"/>\n";
        symbols += fill_symbol(spec, fill, n++, hatched, marked);
    };
    const std::string kept =
        spec.excluded_field.empty() ? "" : "if(" + quoted_field(spec.excluded_field) + ", 0, 1) = 1 AND ";
    if (!spec.excluded_field.empty()) {
        const StyleClass x = excluded_class();
        add("if(" + quoted_field(spec.excluded_field) + ", 1, 0) = 1", x.label_nl, x.fill, true);
    }
    for (std::size_t i = 0; i < spec.classes.size(); ++i) {
        add(kept + "(" + class_filter(spec, i) + ")", spec.classes[i].label_nl, spec.classes[i].fill,
            spec.classes[i].hatched);
    }
    add("ELSE", "geen waarde", "", false);
    if (!spec.outlined.field.empty()) {
        // Last, so that its outline is drawn over the class fills.
        StyleSpec thick = spec;
        thick.outline = spec.outlined.colour;
        thick.outline_mm = spec.outlined.mm;
        thick.markers_when_small = false;
        const std::string i = std::to_string(n);
        rules += "      <rule key=\"{ruimte-rule-" + i + "}\" filter=\"" +
                 xml_escape(quoted_field(spec.outlined.field) + " = " + quoted_text(spec.outlined.value)) +
                 "\" label=\"" + xml_escape(spec.outlined.label_nl) + "\" symbol=\"" + i + "\"/>\n";
        symbols += fill_symbol(thick, "", n++, false, "");
    }
    return "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
           "    <rules key=\"{ruimte-rules}\">\n" +
           rules +
           "    </rules>\n"
           "    <symbols>\n" +
           symbols +
           "    </symbols>\n"
           "  </renderer-v2>\n";
}

}  // namespace

StyleClass excluded_class() {
    return {"", 0, 0, "uitgesloten", "excluded", kExcludedFill, true};
}

std::string class_filter(const StyleSpec& spec, std::size_t index) {
    const StyleClass& c = spec.classes.at(index);
    const std::string f = quoted_field(spec.field);
    if (spec.renderer == Renderer::single) return "TRUE";
    if (spec.renderer == Renderer::graduated) {
        return f + (index == 0 ? " >= " : " > ") + fixed(c.lower, 6) + " AND " + f + " <= " + fixed(c.upper, 6);
    }
    switch (spec.field_kind) {
        case FieldKind::boolean: {
            const bool yes = c.value == "1" || c.value == "true";
            return "if(" + f + ", 1, 0) = " + (yes ? "1" : "0");
        }
        case FieldKind::integer:
        case FieldKind::real: return f + " = " + c.value;
        case FieldKind::text: break;
    }
    return f + " = " + quoted_text(c.value);
}

std::string qml_for(const StyleSpec& spec) {
    const bool single = spec.renderer == Renderer::single && spec.excluded_field.empty();
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
           "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\" labelsEnabled=\"" +
           std::string(spec.label_field.empty() ? "0" : "1") + "\">\n" +
           (single ? single_renderer(spec) : rule_renderer(spec)) + labeling(spec) +
           "  <layerGeometryType>2</layerGeometryType>\n"
           "</qgis>\n";
}

std::string sld_for(const StyleSpec& spec) {
    auto polygon = [&](const StyleClass& c) {
        std::string s = "          <se:PolygonSymbolizer>\n";
        if (!c.fill.empty()) {
            s += "            <se:Fill><se:SvgParameter name=\"fill\">" + c.fill + "</se:SvgParameter></se:Fill>\n";
        }
        s += "            <se:Stroke><se:SvgParameter name=\"stroke\">" + spec.outline +
             "</se:SvgParameter><se:SvgParameter name=\"stroke-width\">" + fixed(spec.outline_mm * 96.0 / 25.4, 2) +
             "</se:SvgParameter></se:Stroke>\n"
             "          </se:PolygonSymbolizer>\n";
        return s;
    };
    auto prop = [](const std::string& f) { return "<ogc:PropertyName>" + xml_escape(f) + "</ogc:PropertyName>"; };
    // Excluded features first (grey), and the classes only of the features not excluded.
    const std::string excluded =
        spec.excluded_field.empty() ? "" : prop(spec.excluded_field) + "<ogc:Literal>1</ogc:Literal>";
    std::string rules;
    if (!excluded.empty()) {
        rules += "        <se:Rule>\n          <se:Name>" + excluded_class().label_nl +
                 "</se:Name>\n          <ogc:Filter><ogc:PropertyIsEqualTo>" + excluded +
                 "</ogc:PropertyIsEqualTo></ogc:Filter>\n" + polygon(excluded_class()) + "        </se:Rule>\n";
    }
    for (std::size_t i = 0; i < spec.classes.size(); ++i) {
        const StyleClass& c = spec.classes[i];
        std::string filter;
        if (spec.renderer == Renderer::categorized) {
            filter = "<ogc:Filter><ogc:PropertyIsEqualTo>" + prop(spec.field) + "<ogc:Literal>" + xml_escape(c.value) +
                     "</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>";
        } else if (spec.renderer == Renderer::graduated) {
            filter = "<ogc:Filter><ogc:And><" +
                     std::string(i == 0 ? "ogc:PropertyIsGreaterThanOrEqualTo" : "ogc:PropertyIsGreaterThan") + ">" +
                     prop(spec.field) + "<ogc:Literal>" + fixed(c.lower, 6) + "</ogc:Literal></" +
                     (i == 0 ? "ogc:PropertyIsGreaterThanOrEqualTo" : "ogc:PropertyIsGreaterThan") +
                     "><ogc:PropertyIsLessThanOrEqualTo>" + prop(spec.field) + "<ogc:Literal>" + fixed(c.upper, 6) +
                     "</ogc:Literal></ogc:PropertyIsLessThanOrEqualTo></ogc:And></ogc:Filter>";
        }
        if (!excluded.empty() && !filter.empty()) {
            filter = "<ogc:Filter><ogc:And><ogc:PropertyIsNotEqualTo>" + excluded + "</ogc:PropertyIsNotEqualTo>" +
                     filter.substr(12, filter.size() - 25) + "</ogc:And></ogc:Filter>";
        }
        rules += "        <se:Rule>\n          <se:Name>" + xml_escape(c.label_nl) + "</se:Name>\n";
        if (!filter.empty()) rules += "          " + filter + "\n";
        rules += polygon(c) + "        </se:Rule>\n";
    }
    if (!spec.outlined.field.empty()) {
        rules += "        <se:Rule>\n          <se:Name>" + xml_escape(spec.outlined.label_nl) +
                 "</se:Name>\n          <ogc:Filter><ogc:PropertyIsEqualTo>" + prop(spec.outlined.field) +
                 "<ogc:Literal>" + xml_escape(spec.outlined.value) +
                 "</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>\n          <se:PolygonSymbolizer>\n"
                 "            <se:Stroke><se:SvgParameter name=\"stroke\">" +
                 spec.outlined.colour + "</se:SvgParameter><se:SvgParameter name=\"stroke-width\">" +
                 fixed(spec.outlined.mm * 96.0 / 25.4, 2) +
                 "</se:SvgParameter></se:Stroke>\n          </se:PolygonSymbolizer>\n        </se:Rule>\n";
    }
    if (!spec.label_field.empty()) {
        rules += "        <se:Rule>\n          <se:TextSymbolizer>\n            <se:Label>" + prop(spec.label_field) +
                 "</se:Label>\n            <se:Font><se:SvgParameter name=\"font-family\">DejaVu Sans</se:SvgParameter>"
                 "<se:SvgParameter name=\"font-size\">11</se:SvgParameter></se:Font>\n"
                 "            <se:Halo><se:Radius>1.5</se:Radius><se:Fill><se:SvgParameter "
                 "name=\"fill\">#ffffff</se:SvgParameter></se:Fill></se:Halo>\n"
                 "          </se:TextSymbolizer>\n        </se:Rule>\n";
    }
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<StyledLayerDescriptor xmlns=\"http://www.opengis.net/sld\" xmlns:ogc=\"http://www.opengis.net/ogc\" "
           "xmlns:se=\"http://www.opengis.net/se\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" version=\"1.1.0\" "
           "xsi:schemaLocation=\"http://www.opengis.net/sld "
           "http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd\">\n"
           "  <NamedLayer>\n    <se:Name>" +
           xml_escape(spec.table) + "</se:Name>\n    <UserStyle>\n      <se:Name>" + xml_escape(spec.table) +
           "</se:Name>\n      <se:FeatureTypeStyle>\n" + rules +
           "      </se:FeatureTypeStyle>\n    </UserStyle>\n  </NamedLayer>\n</StyledLayerDescriptor>\n";
}

std::vector<StyleClass> quantile_classes(std::vector<double> values, int count) {
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }), values.end());
    std::sort(values.begin(), values.end());
    std::vector<StyleClass> out;
    if (values.empty() || count < 1) return out;
    const double lo = std::floor(values.front() * 1000.0) / 1000.0;
    const double hi = std::ceil(values.back() * 1000.0) / 1000.0;
    std::vector<double> bounds{lo};
    for (int i = 1; i < count; ++i) {
        // The value below which i/count of the values lie (nearest rank), rounded to 3 decimals.
        const std::size_t k =
            static_cast<std::size_t>(std::ceil(static_cast<double>(i) * static_cast<double>(values.size()) / count)) -
            1;
        const double b = std::round(values[std::min(k, values.size() - 1)] * 1000.0) / 1000.0;
        if (b > bounds.back() && b < hi) bounds.push_back(b);
    }
    if (hi > bounds.back() || bounds.size() == 1) bounds.push_back(hi);
    const std::size_t classes = bounds.size() - 1;
    for (std::size_t i = 0; i < classes; ++i) {
        StyleClass c;
        c.lower = bounds[i];
        c.upper = bounds[i + 1];
        c.label_nl = fixed(c.lower, 3) + " - " + fixed(c.upper, 3);
        c.label_en = c.label_nl;
        // Spread fewer classes over the whole ramp, so the top class is always yellow.
        const std::size_t colour = classes == 1 ? 4 : i * 4 / (classes - 1);
        c.fill = kViridis[colour];
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<StyleClass> zero_and_quantile_classes(std::vector<double> values, int count) {
    std::vector<double> above;
    bool zeros = false;
    for (double v : values) {
        if (v == 0) zeros = true;
        else if (!std::isnan(v)) above.push_back(v);
    }
    const bool negative = std::any_of(above.begin(), above.end(), [](double v) { return v < 0; });
    if (!zeros || negative || count < 2) return quantile_classes(std::move(values), count);
    std::vector<StyleClass> out{{"0", 0, 0, "0", "0", kZeroFill}};
    for (StyleClass c : quantile_classes(std::move(above), count - 1)) {
        // The first class above zero starts at 0 (exclusive), so no value falls between classes.
        if (out.size() == 1) {
            c.lower = 0;
            c.label_nl = "> 0 - " + fixed(c.upper, 3);
            c.label_en = c.label_nl;
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<StyleClass> catalogue_classes(const std::string& kind) {
    std::vector<StyleClass> out;
    const layers::LayerKindInfo* info = layers::find_kind(kind);
    if (!info) return out;
    for (const auto& c : info->classes) out.push_back({c.code, 0, 0, c.label_nl, c.label_en, c.colour});
    return out;
}

namespace {

bool has_field(OGRLayer& layer, const std::string& name) {
    return layer.GetLayerDefn()->GetFieldIndex(name.c_str()) >= 0;
}

std::string first_field(OGRLayer& layer, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        if (has_field(layer, n)) return n;
    }
    return {};
}

// While alive, the layer reads only `field`: no geometry and no other field (a fraction of
// the bytes when the classes of a large layer are computed).
class OnlyField {
  public:
    OnlyField(OGRLayer& layer, const std::string& field) : layer_(layer) {
        CPLStringList ignored;
        const OGRFeatureDefn* defn = layer.GetLayerDefn();
        for (int k = 0; k < defn->GetFieldCount(); ++k) {
            if (field != defn->GetFieldDefn(k)->GetNameRef()) ignored.AddString(defn->GetFieldDefn(k)->GetNameRef());
        }
        ignored.AddString("OGR_GEOMETRY");
        ignored.AddString("OGR_STYLE");
        layer.SetIgnoredFields(const_cast<const char**>(ignored.List()));
    }
    ~OnlyField() { layer_.SetIgnoredFields(nullptr); }
    OnlyField(const OnlyField&) = delete;
    OnlyField& operator=(const OnlyField&) = delete;

  private:
    OGRLayer& layer_;
};

const std::vector<double>* known_column(const KnownColumns& known, OGRLayer& layer, const std::string& field) {
    const auto it = known.find(std::string(layer.GetName()) + "." + field);
    return it == known.end() ? nullptr : &it->second;
}

std::vector<double> doubles(OGRLayer& layer, const std::string& field, const KnownColumns& known) {
    if (const auto* values = known_column(known, layer, field)) return *values;
    std::vector<double> v;
    const int i = layer.GetLayerDefn()->GetFieldIndex(field.c_str());
    const OnlyField only(layer, field);
    layer.ResetReading();
    for (auto& f : layer) v.push_back(f->IsFieldSetAndNotNull(i) ? f->GetFieldAsDouble(i) : std::nan(""));
    layer.ResetReading();
    return v;
}

std::set<std::string> distinct(OGRLayer& layer, const std::string& field, const KnownColumns& known) {
    std::set<std::string> v;
    const int i = layer.GetLayerDefn()->GetFieldIndex(field.c_str());
    const OGRFieldType type = i >= 0 ? layer.GetLayerDefn()->GetFieldDefn(i)->GetType() : OFTString;
    const auto* values = known_column(known, layer, field);
    if (values && (type == OFTInteger || type == OFTInteger64)) {  // as GDAL would print them
        for (double x : *values) {
            if (!std::isnan(x)) v.insert(std::to_string(std::llround(x)));
        }
        return v;
    }
    const OnlyField only(layer, field);
    layer.ResetReading();
    for (auto& f : layer) {
        if (f->IsFieldSetAndNotNull(i)) v.insert(f->GetFieldAsString(i));
    }
    layer.ResetReading();
    return v;
}

StyleSpec base(OGRLayer& layer, const std::string& nl, const std::string& en) {
    StyleSpec s;
    s.table = layer.GetName();
    const char* g = layer.GetGeometryColumn();
    s.geometry_column = g && *g ? g : "geom";
    s.title_nl = nl;
    s.title_en = en;
    return s;
}

// Categorized with a catalogue kind's colours; only the classes present, plus 'onbekend'.
StyleSpec catalogue_style(OGRLayer& layer, const std::string& field, const std::string& kind, const std::string& nl,
                          const std::string& en) {
    StyleSpec s = base(layer, nl, en);
    s.renderer = Renderer::categorized;
    s.field = field;
    const std::set<std::string> present = distinct(layer, field, {});  // text: always read
    for (const auto& c : catalogue_classes(kind)) {
        if (present.count(c.value)) s.classes.push_back(c);
    }
    if (present.count("onbekend")) s.classes.push_back({"onbekend", 0, 0, "onbekend", "unknown", "#bdbdbd"});
    return s;
}

FieldKind field_kind_of(OGRLayer& layer, const std::string& field) {
    const int i = layer.GetLayerDefn()->GetFieldIndex(field.c_str());
    if (i < 0) return FieldKind::text;
    const OGRFieldDefn* d = layer.GetLayerDefn()->GetFieldDefn(i);
    switch (d->GetType()) {
        case OFTInteger:
        case OFTInteger64: return d->GetSubType() == OFSTBoolean ? FieldKind::boolean : FieldKind::integer;
        case OFTReal: return FieldKind::real;
        default: return FieldKind::text;
    }
}

// The values of `field` of the features whose `excluded` is not true (the classes of what is
// drawn in colour; excluded features have their own class).
std::vector<double> kept_doubles(OGRLayer& layer, const std::string& field, const std::string& excluded,
                                 const KnownColumns& known) {
    if (excluded.empty() || !has_field(layer, excluded)) return doubles(layer, field, known);
    // Both from `known` (then in the same order) or both read back.
    const bool both = known_column(known, layer, field) && known_column(known, layer, excluded);
    const KnownColumns& from = both ? known : KnownColumns{};
    const std::vector<double> values = doubles(layer, field, from), flags = doubles(layer, excluded, from);
    std::vector<double> kept;
    for (std::size_t i = 0; i < values.size() && i < flags.size(); ++i) {
        if (!(flags[i] != 0 && !std::isnan(flags[i]))) kept.push_back(values[i]);
    }
    return kept;
}

// Areas small at national scale (candidates, locations): excluded ones grey, small ones as
// markers, labelled only where `label_filter` holds.
void small_areas(StyleSpec& s, OGRLayer& layer, const std::string& label_filter) {
    if (has_field(layer, sc::kExcluded)) s.excluded_field = sc::kExcluded;
    s.markers_when_small = true;
    s.label_filter = label_filter;
}

StyleSpec scored_style(OGRLayer& layer, const KnownColumns& known) {
    StyleSpec s = base(layer, "Score (kwantielen)", "Score (quantiles)");
    s.renderer = Renderer::graduated;
    s.field = sc::kScore;
    s.field_kind = FieldKind::real;
    small_areas(s, layer, has_field(layer, sc::kRank) ? "if(\"excluded\", 0, 1) = 1 AND \"rank\" <= 10" : "");
    s.classes = quantile_classes(kept_doubles(layer, sc::kScore, s.excluded_field, known));
    s.outline = "#ffffff";
    s.outline_mm = 0.2;
    s.label_field = first_field(layer, {"naam", "name", "candidate_id"});
    return s;
}

StyleSpec selected_style(OGRLayer& layer) {
    StyleSpec s = base(layer, "Selectie", "Selection");
    s.renderer = Renderer::categorized;
    s.field = schema::selected::kSelected;
    s.field_kind = field_kind_of(layer, schema::selected::kSelected);
    s.classes.push_back({"0", 0, 0, "niet gekozen", "not selected", "#deebf7"});
    s.classes.push_back({"1", 0, 0, "gekozen", "selected", "#2c7fb8"});
    small_areas(s, layer, "if(\"selected\", 1, 0) = 1");
    s.outline = "#08306b";
    s.outline_mm = 0.3;
    s.label_field = first_field(layer, {"naam", "name", "candidate_id"});
    return s;
}

// selection_frequency (select --draws): classes of the selection frequency (never chosen light
// grey, then greens darker with the frequency), and the core (robustness 'core': chosen in at
// least 90 % of the draws) outlined thick in dark purple over its fill (apart from the labels' black).
StyleSpec selection_frequency_style(OGRLayer& layer) {
    StyleSpec s =
        base(layer, "Selectiefrequentie over de gewichtstrekkingen", "Selection frequency over the weight draws");
    s.renderer = Renderer::graduated;
    s.field = schema::selection_frequency::kFrequency;
    s.field_kind = field_kind_of(layer, schema::selection_frequency::kFrequency);
    s.classes.push_back({"", 0, 0, "nooit gekozen (0 %)", "never chosen (0 %)", "#f0f0f0"});
    s.classes.push_back(
        {"", 0, 0.25, "gekozen in tot 25 % van de trekkingen", "chosen in up to 25 % of the draws", "#d9f0a3"});
    s.classes.push_back({"", 0.25, 0.5, "25 - 50 %", "25 - 50 %", "#addd8e"});
    s.classes.push_back({"", 0.5, 0.75, "50 - 75 %", "50 - 75 %", "#78c679"});
    s.classes.push_back({"", 0.75, 1, "75 - 100 %", "75 - 100 %", "#238443"});
    s.outline = "#969696";
    s.outline_mm = 0.15;
    s.outlined = {"robustness", "core", "kern (omlijnd)", "core (outlined)", "#2d004b", 0.8};
    s.label_field = first_field(layer, {"naam", "name"});
    return s;
}

StyleSpec claim_faces_style(OGRLayer& layer, const KnownColumns& known) {
    StyleSpec s = base(layer, "Aantal claims", "Number of claims");
    s.renderer = Renderer::categorized;
    s.field = "claim_count";
    s.field_kind = field_kind_of(layer, "claim_count");
    std::set<int> counts;
    for (const auto& v : distinct(layer, "claim_count", known)) counts.insert(std::stoi(v));
    for (int c : counts) {
        const std::string t = std::to_string(c);
        s.classes.push_back({t, 0, 0, t + (c == 1 ? " claim" : " claims"), t + (c == 1 ? " claim" : " claims"),
                             kYlOrRd[std::clamp(c - 1, 0, 4)]});
    }
    s.outline = "#636363";
    s.outline_mm = 0.15;
    // Faces of three claims or more are rare and small: a marker keeps them on a regional map.
    s.markers_when_small = true;
    s.marker_filter = "\"claim_count\" >= 3";
    return s;
}

StyleSpec region_balance_style(OGRLayer& layer, const KnownColumns& known) {
    const std::string f = first_field(layer, {"claim_pressure", "pressure"});
    StyleSpec s = base(layer, "Claimdruk", "Claim pressure");
    if (!f.empty()) {
        s.renderer = Renderer::graduated;
        s.field = f;
        s.field_kind = FieldKind::real;
        // Most regions carry no claim: 0 is a class of its own, labels only where there is pressure.
        s.classes = zero_and_quantile_classes(doubles(layer, f, known));
        s.label_filter = "\"" + f + "\" > 0";
    } else {
        s.classes.push_back({"", 0, 0, "regio", "region", ""});
    }
    s.outline = "#969696";
    s.outline_mm = 0.15;
    s.label_field = first_field(layer, {"naam", "name", "region"});
    return s;
}

// compare: how each candidate's place in the top K changed from A to B.
StyleSpec rank_change_style(OGRLayer& layer) {
    StyleSpec s = base(layer, "Verandering in de top K", "Change in the top K");
    s.renderer = Renderer::categorized;
    s.field = "change";
    const std::set<std::string> present = distinct(layer, "change", {});
    const std::vector<StyleClass> all{{"entry", 0, 0, "nieuw in de top K", "entry", "#1a9641"},
                                      {"exit", 0, 0, "uit de top K", "exit", "#d7191c"},
                                      {"stays", 0, 0, "blijft in de top K", "stays", "#2b83ba"},
                                      {"outside", 0, 0, "buiten de top K", "outside", "#fff7bc"},
                                      {"excluded", 0, 0, "uitgesloten", "excluded", kExcludedFill, true},
                                      {"unmatched", 0, 0, "in een van beide", "unmatched", "#ffffff"}};
    for (const StyleClass& c : all) {
        if (present.count(c.value)) s.classes.push_back(c);
    }
    s.markers_when_small = true;
    s.label_filter = "\"change\" IN ('entry', 'exit')";
    s.label_field = first_field(layer, {"naam", "name", "candidate_id"});
    s.outline = "#525252";
    s.outline_mm = 0.2;
    return s;
}

// sensitivity: the chance to be in the top K over the weight draws (mostly 0).
StyleSpec rank_intervals_style(OGRLayer& layer, const KnownColumns& known) {
    StyleSpec s = base(layer, "Kans op de top K", "Chance of the top K");
    s.renderer = Renderer::graduated;
    s.field = "p_top";
    s.field_kind = FieldKind::real;
    small_areas(s, layer, "\"p_top\" >= 0.5");
    s.classes = zero_and_quantile_classes(kept_doubles(layer, "p_top", s.excluded_field, known));
    s.outline = "#ffffff";
    s.outline_mm = 0.2;
    s.label_field = first_field(layer, {"naam", "name", "candidate_id"});
    return s;
}

StyleSpec check_style(OGRLayer& layer) {
    StyleSpec s =
        catalogue_style(layer, "verdict", "wbs", "Water en bodem sturend: oordeel", "Water and soil: verdict");
    s.markers_when_small = true;
    s.label_field = first_field(layer, {"naam"});
    return s;
}

}  // namespace

std::optional<StyleSpec> default_style(OGRLayer& layer, const KnownColumns& known) {
    if (layer.GetGeomType() == wkbNone) return std::nullopt;
    const std::string name = layer.GetName();
    if (name == schema::kCandidatesScored && has_field(layer, sc::kScore)) return scored_style(layer, known);
    if ((name == schema::kCheckLocations || name == schema::kCheckParts) && has_field(layer, "verdict"))
        return check_style(layer);
    if (name == schema::kClaimFaces && has_field(layer, "claim_count")) return claim_faces_style(layer, known);
    if (name == schema::kRegionBalance) return region_balance_style(layer, known);
    if (name == schema::kCandidatesSelected && has_field(layer, schema::selected::kSelected))
        return selected_style(layer);
    if (name == schema::kSelectionFrequency && has_field(layer, "robustness")) return selection_frequency_style(layer);
    if (name == "rank_change" && has_field(layer, "change")) return rank_change_style(layer);
    if (name == "rank_intervals" && has_field(layer, "p_top")) return rank_intervals_style(layer, known);
    StyleSpec s;
    if (has_field(layer, "klasse") && !catalogue_style(layer, "klasse", "wbs", "", "").classes.empty()) {
        s = catalogue_style(layer, "klasse", "wbs", "Water en bodem sturend", "Water and soil");
        s.outline = "#ffffff";
        s.outline_mm = 0.1;
    } else if (has_field(layer, "afname") &&
               !catalogue_style(layer, "afname", "netcongestie", "", "").classes.empty()) {
        s = catalogue_style(layer, "afname", "netcongestie", "Netcongestie (afname)", "Grid congestion (demand)");
        s.outline = "#ffffff";
        s.outline_mm = 0.1;
    } else {
        // Context (municipalities, named areas): outlined, labelled by name.
        s = base(layer, name, name);
        s.classes.push_back({"", 0, 0, name, name, ""});
        s.outline = "#525252";
        s.outline_mm = 0.3;
        s.label_field = first_field(layer, {"naam", "name", "statnaam"});
    }
    return s;
}

void write_layer_styles(GDALDataset& ds, const std::string& path, const std::vector<StyleSpec>& specs,
                        const std::string& update_time) {
    auto fail = [&](const std::string& what) {
        return Error(ErrorKind::output, what + ": " + gdal_last_error(), ErrorPlace::at(path, "layer_styles"),
                     "check free disk space and write permission in the output folder");
    };
    OGRLayer* table = ds.GetLayerByName("layer_styles");
    if (!table) {
        CPLStringList options;
        options.SetNameValue("FID", "id");
        options.SetNameValue("DESCRIPTION", "Default styles of the layers (QGIS reads them on opening)");
        CPLErrorReset();
        table = ds.CreateLayer("layer_styles", nullptr, wkbNone, options.List());
        if (!table) throw fail("cannot create the table layer_styles");
        for (const auto& [n, t, w] :
             std::vector<std::tuple<const char*, OGRFieldType, int>>{{"f_table_catalog", OFTString, 256},
                                                                     {"f_table_schema", OFTString, 256},
                                                                     {"f_table_name", OFTString, 256},
                                                                     {"f_geometry_column", OFTString, 256},
                                                                     {"styleName", OFTString, 30},
                                                                     {"styleQML", OFTString, 0},
                                                                     {"styleSLD", OFTString, 0},
                                                                     {"useAsDefault", OFTInteger, 0},
                                                                     {"description", OFTString, 0},
                                                                     {"owner", OFTString, 30},
                                                                     {"ui", OFTString, 30},
                                                                     {"update_time", OFTDateTime, 0}}) {
            OGRFieldDefn def(n, t);
            def.SetWidth(w);
            if (t == OFTInteger) def.SetSubType(OFSTBoolean);
            if (table->CreateField(&def) != OGRERR_NONE) throw fail(std::string("cannot create field ") + n);
        }
    }
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    std::sscanf(update_time.c_str(), "%d-%d-%dT%d:%d:%d", &year, &month, &day, &hour, &minute, &second);
    for (const StyleSpec& spec : specs) {
        OGRFeature f(table->GetLayerDefn());
        f.SetField("f_table_catalog", "");
        f.SetField("f_table_schema", "");
        f.SetField("f_table_name", spec.table.c_str());
        f.SetField("f_geometry_column", spec.geometry_column.c_str());
        f.SetField("styleName", spec.table.substr(0, 30).c_str());
        f.SetField("styleQML", qml_for(spec).c_str());
        f.SetField("styleSLD", sld_for(spec).c_str());
        f.SetField("useAsDefault", 1);
        f.SetField("description", ("ruimte default style: " + spec.title_nl).c_str());
        f.SetField("owner", "ruimte");
        f.SetField("ui", "");
        f.SetField("update_time", year, month, day, hour, minute, static_cast<float>(second), 100);
        if (table->CreateFeature(&f) != OGRERR_NONE) throw fail("cannot write the style of " + spec.table);
    }
}

void write_default_styles(GDALDataset& ds, const std::string& path, const std::string& update_time,
                          const KnownColumns& known) {
    std::vector<StyleSpec> specs;
    for (int i = 0; i < ds.GetLayerCount(); ++i) {
        OGRLayer* l = ds.GetLayer(i);
        if (std::string(l->GetName()) == "layer_styles") continue;
        if (auto s = default_style(*l, known)) specs.push_back(std::move(*s));
    }
    if (!specs.empty()) write_layer_styles(ds, path, specs, update_time);
}

}  // namespace ruimte::styles
