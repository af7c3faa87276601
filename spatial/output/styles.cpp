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

namespace ruimte::styles {

namespace {

// viridis, 5 classes (colour-blind safe, prints in grey): low scores dark, high scores yellow.
const char* const kViridis[] = {"#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"};
// YlOrRd for counts (claims per face).
const char* const kYlOrRd[] = {"#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"};
const char* const kConflict = "#d7191c";

// "#rrggbb" -> "r,g,b,255" (QGIS colour text).
std::string qgis_colour(const std::string& hex) {
    unsigned r = 0, g = 0, b = 0;
    if (hex.size() != 7 || std::sscanf(hex.c_str(), "#%02x%02x%02x", &r, &g, &b) != 3) return "0,0,0,255";
    return std::to_string(r) + "," + std::to_string(g) + "," + std::to_string(b) + ",255";
}

std::string num(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string option(const std::string& name, const std::string& value) {
    return "<Option name=\"" + name + "\" type=\"QString\" value=\"" + xml_escape(value) + "\"/>";
}

std::string fill_symbol(const StyleSpec& spec, const StyleClass& c, std::size_t index,
                        const std::string& marked_field) {
    const bool filled = !c.fill.empty();
    std::string s = "      <symbol type=\"fill\" name=\"" + std::to_string(index) +
                    "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
                    "        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
                    "          <Option type=\"Map\">\n"
                    "            " +
                    option("color", filled ? qgis_colour(c.fill) : "0,0,0,0") +
                    "\n"
                    "            " +
                    option("outline_color", qgis_colour(spec.outline)) +
                    "\n"
                    "            " +
                    option("outline_style", "solid") +
                    "\n"
                    "            " +
                    option("outline_width", num(spec.outline_mm, 2)) +
                    "\n"
                    "            " +
                    option("outline_width_unit", "MM") +
                    "\n"
                    "            " +
                    option("style", filled ? "solid" : "no") +
                    "\n"
                    "          </Option>\n";
    if (!marked_field.empty()) {
        // Features with a value in marked_field (claim conflicts) get a thick red outline.
        const std::string when = "\"" + marked_field + "\" IS NOT NULL AND \"" + marked_field + "\" <> ''";
        s += "          <data_defined_properties>\n"
             "            <Option type=\"Map\">\n"
             "              " +
             option("name", "") +
             "\n"
             "              <Option name=\"properties\" type=\"Map\">\n"
             "                <Option name=\"outlineColor\" type=\"Map\">\n"
             "                  <Option name=\"active\" type=\"bool\" value=\"true\"/>\n"
             "                  " +
             option("expression", "CASE WHEN " + when + " THEN '" + qgis_colour(kConflict) + "' ELSE '" +
                                      qgis_colour(spec.outline) + "' END") +
             "\n"
             "                  <Option name=\"type\" type=\"int\" value=\"3\"/>\n"
             "                </Option>\n"
             "                <Option name=\"outlineWidth\" type=\"Map\">\n"
             "                  <Option name=\"active\" type=\"bool\" value=\"true\"/>\n"
             "                  " +
             option("expression", "CASE WHEN " + when + " THEN 0.8 ELSE " + num(spec.outline_mm, 2) + " END") +
             "\n"
             "                  <Option name=\"type\" type=\"int\" value=\"3\"/>\n"
             "                </Option>\n"
             "              </Option>\n"
             "              " +
             option("type", "collection") +
             "\n"
             "            </Option>\n"
             "          </data_defined_properties>\n";
    }
    s += "        </layer>\n      </symbol>\n";
    return s;
}

std::string marked_field_of(const StyleSpec& spec) {
    return spec.table == "claim_faces" ? "conflicts" : "";
}

std::string labeling(const StyleSpec& spec) {
    if (spec.label_field.empty()) return {};
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
           "      <placement placement=\"1\" offsetType=\"0\" dist=\"0\" priority=\"5\" centroidInside=\"1\" "
           "centroidWhole=\"0\" fitInPolygonOnly=\"0\"/>\n"
           "      <rendering obstacle=\"1\" displayAll=\"0\" upsidedownLabels=\"0\" limitNumLabels=\"0\" "
           "scaleVisibility=\"0\" labelPerPart=\"0\" mergeLines=\"0\" drawLabels=\"1\"/>\n"
           "    </settings>\n"
           "  </labeling>\n";
}

}  // namespace

std::string qml_for(const StyleSpec& spec) {
    const std::string marked = marked_field_of(spec);
    std::string symbols;
    for (std::size_t i = 0; i < spec.classes.size(); ++i) symbols += fill_symbol(spec, spec.classes[i], i, marked);
    std::string renderer;
    if (spec.renderer == Renderer::single) {
        renderer =
            "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
            "    <symbols>\n" +
            symbols +
            "    </symbols>\n"
            "  </renderer-v2>\n";
    } else if (spec.renderer == Renderer::categorized) {
        std::string cats;
        for (std::size_t i = 0; i < spec.classes.size(); ++i) {
            cats += "      <category render=\"true\" symbol=\"" + std::to_string(i) + "\" value=\"" +
                    xml_escape(spec.classes[i].value) + "\" label=\"" + xml_escape(spec.classes[i].label_nl) + "\"/>\n";
        }
        renderer = "  <renderer-v2 type=\"categorizedSymbol\" attr=\"" + xml_escape(spec.field) +
                   "\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
                   "    <categories>\n" +
                   cats +
                   "    </categories>\n"
                   "    <symbols>\n" +
                   symbols +
                   "    </symbols>\n"
                   "  </renderer-v2>\n";
    } else {
        std::string ranges;
        for (std::size_t i = 0; i < spec.classes.size(); ++i) {
            ranges += "      <range lower=\"" + num(spec.classes[i].lower, 6) + "\" upper=\"" +
                      num(spec.classes[i].upper, 6) + "\" symbol=\"" + std::to_string(i) + "\" label=\"" +
                      xml_escape(spec.classes[i].label_nl) + "\" render=\"true\"/>\n";
        }
        renderer = "  <renderer-v2 type=\"graduatedSymbol\" attr=\"" + xml_escape(spec.field) +
                   "\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
                   "    <ranges>\n" +
                   ranges +
                   "    </ranges>\n"
                   "    <symbols>\n" +
                   symbols +
                   "    </symbols>\n"
                   "    <mode name=\"quantile\"/>\n"
                   "    <classificationMethod id=\"Quantile\">\n"
                   "      <symmetricMode enabled=\"0\" symmetrypoint=\"0\" astride=\"0\"/>\n"
                   "      <labelFormat format=\"%1 - %2\" labelprecision=\"3\" trimtrailingzeroes=\"0\"/>\n"
                   "    </classificationMethod>\n"
                   "  </renderer-v2>\n";
    }
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
           "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\" labelsEnabled=\"" +
           std::string(spec.label_field.empty() ? "0" : "1") + "\">\n" + renderer + labeling(spec) +
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
             "</se:SvgParameter><se:SvgParameter name=\"stroke-width\">" + num(spec.outline_mm * 96.0 / 25.4, 2) +
             "</se:SvgParameter></se:Stroke>\n"
             "          </se:PolygonSymbolizer>\n";
        return s;
    };
    auto prop = [](const std::string& f) { return "<ogc:PropertyName>" + xml_escape(f) + "</ogc:PropertyName>"; };
    std::string rules;
    for (std::size_t i = 0; i < spec.classes.size(); ++i) {
        const StyleClass& c = spec.classes[i];
        std::string filter;
        if (spec.renderer == Renderer::categorized) {
            filter = "<ogc:Filter><ogc:PropertyIsEqualTo>" + prop(spec.field) + "<ogc:Literal>" + xml_escape(c.value) +
                     "</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>";
        } else if (spec.renderer == Renderer::graduated) {
            filter = "<ogc:Filter><ogc:And><" +
                     std::string(i == 0 ? "ogc:PropertyIsGreaterThanOrEqualTo" : "ogc:PropertyIsGreaterThan") + ">" +
                     prop(spec.field) + "<ogc:Literal>" + num(c.lower, 6) + "</ogc:Literal></" +
                     (i == 0 ? "ogc:PropertyIsGreaterThanOrEqualTo" : "ogc:PropertyIsGreaterThan") +
                     "><ogc:PropertyIsLessThanOrEqualTo>" + prop(spec.field) + "<ogc:Literal>" + num(c.upper, 6) +
                     "</ogc:Literal></ogc:PropertyIsLessThanOrEqualTo></ogc:And></ogc:Filter>";
        }
        rules += "        <se:Rule>\n          <se:Name>" + xml_escape(c.label_nl) + "</se:Name>\n";
        if (!filter.empty()) rules += "          " + filter + "\n";
        rules += polygon(c) + "        </se:Rule>\n";
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
        c.label_nl = num(c.lower, 3) + " - " + num(c.upper, 3);
        c.label_en = c.label_nl;
        // Spread fewer classes over the whole ramp, so the top class is always yellow.
        const std::size_t colour = classes == 1 ? 4 : i * 4 / (classes - 1);
        c.fill = kViridis[colour];
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

// selection_frequency (select --draws): the robustness classes, the core dark and outlined
// by the layer's dark outline, contested in between, never chosen light.
StyleSpec selection_frequency_style(OGRLayer& layer) {
    StyleSpec s =
        base(layer, "Selectiefrequentie over de gewichtstrekkingen", "Selection frequency over the weight draws");
    s.renderer = Renderer::categorized;
    s.field = "robustness";
    s.classes.push_back({"never", 0, 0, "nooit gekozen", "never chosen", "#f0f0f0"});
    s.classes.push_back(
        {"contested", 0, 0, "omstreden (in een deel van de trekkingen)", "contested (in some draws)", "#fdae61"});
    s.classes.push_back(
        {"core", 0, 0, "kern (in >= 90 % van de trekkingen)", "core (in >= 90 % of the draws)", "#1a9641"});
    s.outline = "#00441b";
    s.outline_mm = 0.4;
    s.label_field = first_field(layer, {"naam", "name"});
    return s;
}

}  // namespace

std::optional<StyleSpec> default_style(OGRLayer& layer, const KnownColumns& known) {
    if (layer.GetGeomType() == wkbNone) return std::nullopt;
    const std::string name = layer.GetName();
    std::optional<StyleSpec> s;
    if (name == "candidates_scored" && has_field(layer, "score")) {
        s = base(layer, "Score (kwantielen)", "Score (quantiles)");
        s->renderer = Renderer::graduated;
        s->field = "score";
        s->classes = quantile_classes(doubles(layer, "score", known));
        s->outline = "#ffffff";
        s->outline_mm = 0.2;
        s->label_field = first_field(layer, {"naam", "name", "candidate_id"});
    } else if ((name == "check_locations" || name == "check_parts") && has_field(layer, "verdict")) {
        s = catalogue_style(layer, "verdict", "wbs", "Water en bodem sturend: oordeel", "Water and soil: verdict");
        s->label_field = first_field(layer, {"naam"});
    } else if (name == "claim_faces" && has_field(layer, "claim_count")) {
        s = base(layer, "Aantal claims", "Number of claims");
        s->renderer = Renderer::categorized;
        s->field = "claim_count";
        std::set<int> counts;
        for (const auto& v : distinct(layer, "claim_count", known)) counts.insert(std::stoi(v));
        for (int c : counts) {
            const std::string t = std::to_string(c);
            s->classes.push_back({t, 0, 0, t + (c == 1 ? " claim" : " claims"), t + (c == 1 ? " claim" : " claims"),
                                  kYlOrRd[std::clamp(c - 1, 0, 4)]});
        }
        s->outline = "#636363";
        s->outline_mm = 0.15;
    } else if (name == "region_balance") {
        const std::string f = first_field(layer, {"claim_pressure", "pressure"});
        s = base(layer, "Claimdruk", "Claim pressure");
        if (!f.empty()) {
            s->renderer = Renderer::graduated;
            s->field = f;
            s->classes = quantile_classes(doubles(layer, f, known));
        } else {
            s->classes.push_back({"", 0, 0, "regio", "region", ""});
        }
        s->label_field = first_field(layer, {"naam", "name", "region"});
    } else if (name == "candidates_selected" && has_field(layer, "selected")) {
        s = base(layer, "Selectie", "Selection");
        s->renderer = Renderer::categorized;
        s->field = "selected";
        s->classes.push_back({"0", 0, 0, "niet gekozen", "not selected", "#e0e0e0"});
        s->classes.push_back({"1", 0, 0, "gekozen", "selected", "#2c7fb8"});
        s->outline = "#08306b";
        s->outline_mm = 0.3;
        s->label_field = first_field(layer, {"naam", "name"});
    } else if (name == "selection_frequency" && has_field(layer, "robustness")) {
        s = selection_frequency_style(layer);
    } else if (has_field(layer, "klasse") && !catalogue_style(layer, "klasse", "wbs", "", "").classes.empty()) {
        s = catalogue_style(layer, "klasse", "wbs", "Water en bodem sturend", "Water and soil");
        s->outline = "#ffffff";
        s->outline_mm = 0.1;
    } else if (has_field(layer, "afname") &&
               !catalogue_style(layer, "afname", "netcongestie", "", "").classes.empty()) {
        s = catalogue_style(layer, "afname", "netcongestie", "Netcongestie (afname)", "Grid congestion (demand)");
        s->outline = "#ffffff";
        s->outline_mm = 0.1;
    } else {
        // Context (municipalities, named areas): outlined, labelled by name.
        s = base(layer, name, name);
        s->classes.push_back({"", 0, 0, name, name, ""});
        s->outline = "#525252";
        s->outline_mm = 0.3;
        s->label_field = first_field(layer, {"naam", "name", "statnaam"});
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

// --- QGIS project -----------------------------------------------------------------------

namespace ruimte::styles {

namespace {

std::uint32_t crc32_of(const std::string& bytes) {
    std::uint32_t c = 0xffffffffu;
    for (unsigned char b : bytes) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

// A zip archive with one stored (uncompressed) entry: all QGIS needs from a .qgz.
std::string stored_zip(const std::string& name, const std::string& data) {
    auto le16 = [](std::uint32_t v) {
        return std::string{static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff)};
    };
    auto le32 = [&](std::uint32_t v) { return le16(v & 0xffff) + le16(v >> 16); };
    const std::uint32_t crc = crc32_of(data), size = static_cast<std::uint32_t>(data.size());
    const std::uint32_t name_len = static_cast<std::uint32_t>(name.size());
    const std::uint32_t dos_time = 0, dos_date = (46u << 9) | (1u << 5) | 1u;  // 2026-01-01
    std::string local = le32(0x04034b50) + le16(20) + le16(0) + le16(0) + le16(dos_time) + le16(dos_date) + le32(crc) +
                        le32(size) + le32(size) + le16(name_len) + le16(0) + name;
    std::string central = le32(0x02014b50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(dos_time) + le16(dos_date) +
                          le32(crc) + le32(size) + le32(size) + le16(name_len) + le16(0) + le16(0) + le16(0) + le16(0) +
                          le32(0) + le32(0) + name;
    const std::uint32_t central_at = static_cast<std::uint32_t>(local.size() + data.size());
    std::string end = le32(0x06054b50) + le16(0) + le16(0) + le16(1) + le16(1) +
                      le32(static_cast<std::uint32_t>(central.size())) + le32(central_at) + le16(0);
    return local + data + central + end;
}

// The renderer and labeling elements of a style (the body of its QML).
std::string qml_body(const StyleSpec& spec) {
    const std::string q = qml_for(spec);
    const std::size_t start = q.find('\n', q.find("<qgis ")) + 1;
    const std::size_t end = q.find("  <layerGeometryType>");
    return q.substr(start, end - start);
}

const char* kSrs =
    "<spatialrefsys><wkt></wkt><proj4>+proj=sterea +lat_0=52.1561605555556 +lon_0=5.38763888888889 +k=0.9999079 "
    "+x_0=155000 +y_0=463000 +ellps=bessel +units=m +no_defs</proj4><srsid>2517</srsid><srid>28992</srid>"
    "<authid>EPSG:28992</authid><description>Amersfoort / RD "
    "New</description><projectionacronym>sterea</projectionacronym>"
    "<ellipsoidacronym>EPSG:7004</ellipsoidacronym><geographicflag>false</geographicflag></spatialrefsys>";

std::string item(const std::string& type, const std::string& uuid, const std::string& id, double x, double y, double w,
                 double h, const std::string& extra_attrs, const std::string& children, int z) {
    char pos[128], size[128];
    std::snprintf(pos, sizeof pos, "%.1f,%.1f,mm", x, y);
    std::snprintf(size, sizeof size, "%.1f,%.1f,mm", w, h);
    return "    <LayoutItem type=\"" + type + "\" uuid=\"" + uuid + "\" id=\"" + xml_escape(id) + "\" position=\"" +
           pos + "\" positionOnPage=\"" + pos + "\" size=\"" + size + "\" zValue=\"" + std::to_string(z) +
           "\" visibility=\"1\" frame=\"false\" background=\"false\" referencePoint=\"0\" itemRotation=\"0\" "
           "opacity=\"1\" "
           "positionLock=\"false\" excludeFromExports=\"0\" blendMode=\"0\" " +
           extra_attrs + ">\n" + children + "    </LayoutItem>\n";
}

// A layer of the project: its id, name, OGR data source and style.
struct ProjectLayer {
    std::string id, name, source;
    StyleSpec style;
};

// The layers of the project, top first (the result's styled spatial layers, then the context
// layers as grey outlines), with the descriptions of every layer drawn (for the attribution)
// and the result's extent.
struct ProjectLayers {
    std::vector<ProjectLayer> entries;
    std::vector<std::string> descriptions;
    OGREnvelope extent;
};

ProjectLayers project_layers(const std::string& display_path, const std::string& gpkg_path,
                             const std::string& gpkg_file, const std::vector<std::string>& context) {
    namespace fs = std::filesystem;
    // Data sources relative to the project's folder ("./result.gpkg"), so the folder can be
    // moved or shared; absolute only where no relative path exists.
    const fs::path project_dir = fs::absolute(display_path).lexically_normal().parent_path();
    auto source_path = [&](const std::string& path) {
        const fs::path abs = fs::absolute(path).lexically_normal();
        const fs::path rel = abs.lexically_relative(project_dir);
        if (rel.empty()) return abs.string();
        const std::string r = rel.string();
        return r.rfind("..", 0) == 0 ? r : "./" + r;
    };
    ProjectLayers out;
    auto add = [&](const std::string& path, const std::string& layer_name, bool is_context,
                   const std::string& read_path) {
        ensure_gdal();
        DatasetPtr ds(
            GDALDataset::Open(read_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
        if (!ds) {
            throw Error(ErrorKind::input, "cannot open for the QGIS project: " + gdal_last_error(),
                        ErrorPlace::at(path, layer_name), "check the path");
        }
        for (int i = 0; i < ds->GetLayerCount(); ++i) {
            OGRLayer* l = ds->GetLayer(i);
            if (l->GetGeomType() == wkbNone || (!layer_name.empty() && layer_name != l->GetName())) continue;
            std::optional<StyleSpec> s = default_style(*l);
            if (!s) continue;
            if (is_context) {
                s->renderer = Renderer::single;
                s->classes = {{"", 0, 0, l->GetName(), l->GetName(), ""}};
                s->outline = "#737373";
                s->outline_mm = 0.3;
                s->label_field.clear();
            } else {
                OGREnvelope e;
                if (l->GetExtent(&e, TRUE) == OGRERR_NONE) out.extent.Merge(e);
            }
            const char* description = l->GetMetadataItem("DESCRIPTION");
            out.descriptions.emplace_back(description ? description : "");
            out.entries.push_back({"ruimte_" + std::to_string(out.entries.size()) + "_" + l->GetName(), l->GetName(),
                                   ogr_layer_source(source_path(path), l->GetName(), i), std::move(*s)});
        }
    };
    add(gpkg_path, "", false, gpkg_file);
    for (const auto& c : context) {
        const SourceSpec spec = parse_source(c);
        add(spec.path, spec.layer, true, spec.path);
    }
    return out;
}

// The project's layer tree, its map layers (with their styles) and the drawing order.
std::string layers_xml(const std::vector<ProjectLayer>& entries) {
    std::string tree, layers, order, layerorder;
    for (const ProjectLayer& e : entries) {
        tree +=
            "    <layer-tree-layer id=\"" + xml_escape(e.id) + "\" name=\"" + xml_escape(e.name) + "\" source=\"" +
            xml_escape(e.source) +
            "\" providerKey=\"ogr\" checked=\"Qt::Checked\" expanded=\"1\"><customproperties/></layer-tree-layer>\n";
        order += "      <item>" + xml_escape(e.id) + "</item>\n";
        layers += "    <maplayer type=\"vector\" geometry=\"Polygon\" wkbType=\"MultiPolygon\" labelsEnabled=\"" +
                  std::string(e.style.label_field.empty() ? "0" : "1") +
                  "\" styleCategories=\"AllStyleCategories\">\n"
                  "      <id>" +
                  xml_escape(e.id) + "</id>\n      <datasource>" + xml_escape(e.source) +
                  "</datasource>\n"
                  "      <layername>" +
                  xml_escape(e.name) + "</layername>\n      <srs>" + kSrs +
                  "</srs>\n"
                  "      <provider encoding=\"UTF-8\">ogr</provider>\n" +
                  qml_body(e.style) + "    </maplayer>\n";
        layerorder += "    <layer id=\"" + xml_escape(e.id) + "\"/>\n";
    }
    return "  <layer-tree-group>\n    <customproperties/>\n" + tree + "    <custom-order enabled=\"0\">\n" + order +
           "    </custom-order>\n  </layer-tree-group>\n  <projectlayers>\n" + layers +
           "  </projectlayers>\n"
           "  <layerorder>\n" +
           layerorder + "  </layerorder>\n";
}

// The A3 print layout: the map (the extent with the map item's aspect ratio, since QGIS
// resizes the item to the extent's), legend, scale bar, north arrow, title and attribution.
std::string layout_xml(const OGREnvelope& extent, const std::string& title, const std::string& attribution,
                       bool english) {
    const double map_w = 300, map_h = 258;
    const double pad = 0.04 * std::max(extent.MaxX - extent.MinX, extent.MaxY - extent.MinY);
    double ew = extent.MaxX - extent.MinX + 2 * pad, eh = extent.MaxY - extent.MinY + 2 * pad;
    if (ew / eh > map_w / map_h) eh = ew * map_h / map_w;
    else ew = eh * map_w / map_h;
    const double cx = (extent.MinX + extent.MaxX) / 2, cy = (extent.MinY + extent.MaxY) / 2;
    char ext[256];
    std::snprintf(ext, sizeof ext, "<Extent xmin=\"%.3f\" ymin=\"%.3f\" xmax=\"%.3f\" ymax=\"%.3f\"/>", cx - ew / 2,
                  cy - eh / 2, cx + ew / 2, cy + eh / 2);
    // Scale bar: four segments of a round number of km, about 15 mm each.
    const double km_per_mm = ew / map_w / 1000;
    const double raw = 15 * km_per_mm, decade = std::pow(10.0, std::floor(std::log10(raw)));
    double segment_km = decade;
    for (double m : {5.0, 2.0, 1.0}) {
        if (m * decade <= raw) {
            segment_km = m * decade;
            break;
        }
    }
    const std::string map_uuid = "{6f1b8a52-0000-4000-8000-000000000001}";
    auto label_font = [&](int size, bool bold) {
        return "<LabelFont description=\"DejaVu Sans," + std::to_string(size) + ",-1,5," + (bold ? "75" : "50") +
               ",0,0,0,0,0\" style=\"\"/>";
    };
    std::string layout;
    layout +=
        "  <Layouts>\n  <Layout name=\"ruimte A3\" units=\"mm\" worldFileMap=\"\" printResolution=\"300\">\n"
        "    <PageCollection>\n"
        "      <symbol type=\"fill\" name=\"\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\"><layer "
        "class=\"SimpleFill\" enabled=\"1\" "
        "locked=\"0\" pass=\"0\"><Option type=\"Map\"><Option name=\"color\" type=\"QString\" "
        "value=\"255,255,255,255\"/>"
        "<Option name=\"style\" type=\"QString\" value=\"solid\"/><Option name=\"outline_style\" type=\"QString\" "
        "value=\"no\"/>"
        "</Option></layer></symbol>\n" +
        item("65638", "{6f1b8a52-0000-4000-8000-000000000000}", "", 0, 0, 420, 297, "", "", 0) +
        "      <GuideCollection visible=\"1\"/>\n    </PageCollection>\n";
    layout += item("65639", map_uuid, "Kaart", 10, 24, map_w, map_h,
                   "keepLayerSet=\"false\" followPreset=\"false\" drawCanvasItems=\"true\" mapRotation=\"0\" "
                   "labelMargin=\"0,mm\" mapFlags=\"1\"",
                   std::string("      ") + ext + "\n      <LayerSet/>\n      <crs>" + kSrs + "</crs>\n", 1);
    const char* legend = english ? "Legend" : "Legenda";
    layout += item("65642", "{6f1b8a52-0000-4000-8000-000000000002}", legend, 318, 24, 92, 160,
                   "map_uuid=\"" + map_uuid + "\" title=\"" + std::string(legend) +
                       "\" legendFilterByMap=\"0\" resizeToContents=\"1\" columnCount=\"1\" "
                       "symbolWidth=\"8\" symbolHeight=\"5\" wrapChar=\"\" titleAlignment=\"1\"",
                   "", 2);
    layout += item("65646", "{6f1b8a52-0000-4000-8000-000000000003}", "Schaalstok", 318, 262, 80, 14,
                   "mapUuid=\"" + map_uuid +
                       "\" style=\"Single Box\" unitType=\"km\" unitLabel=\"km\" numSegments=\"4\" "
                       "numSegmentsLeft=\"0\" numUnitsPerSegment=\"" +
                       num(segment_km, 3) +
                       "\" numMapUnitsPerScaleBarUnit=\"1\" segmentSizeMode=\"0\" "
                       "minBarWidth=\"40\" maxBarWidth=\"70\" height=\"3\" labelBarSpace=\"2\" boxContentSpace=\"1\" "
                       "alignment=\"0\"",
                   "", 3);
    layout += item(
        "65640", "{6f1b8a52-0000-4000-8000-000000000004}", "Noordpijl", 390, 232, 14, 22,
        "file=\":/images/north_arrows/layout_default_north_arrow.svg\" pictureRotation=\"0\" mapUuid=\"" + map_uuid +
            "\" northMode=\"0\" northOffset=\"0\" resizeMode=\"0\" anchorPoint=\"0\" svgFillColor=\"0,0,0,255\" "
            "svgBorderColor=\"255,255,255,255\" svgBorderWidth=\"0.2\" mode=\"1\"",
        "", 4);
    layout += item("65641", "{6f1b8a52-0000-4000-8000-000000000005}", "Titel", 10, 8, 400, 12,
                   "labelText=\"" + xml_escape(title) +
                       "\" htmlState=\"0\" marginX=\"0\" marginY=\"0\" halign=\"1\" valign=\"128\"",
                   "      " + label_font(20, true) + "\n", 5);
    layout += item("65641", "{6f1b8a52-0000-4000-8000-000000000006}", "Bronvermelding", 10, 285, 400, 8,
                   "labelText=\"" + xml_escape(attribution) +
                       "\" htmlState=\"0\" marginX=\"0\" marginY=\"0\" halign=\"1\" valign=\"128\"",
                   "      " + label_font(8, false) + "\n", 6);
    layout += "  </Layout>\n  </Layouts>\n";
    return layout;
}

}  // namespace

void write_qgis_project(const std::string& qgz_path, const std::string& display_path, const std::string& gpkg_path,
                        const std::vector<std::string>& context, const std::string& title, bool english,
                        const std::string& gpkg_read_path) {
    namespace fs = std::filesystem;
    const std::string& gpkg_file = gpkg_read_path.empty() ? gpkg_path : gpkg_read_path;  // where it is now
    const ProjectLayers layers = project_layers(display_path, gpkg_path, gpkg_file, context);
    const std::string attribution = attribution_line(fs::absolute(gpkg_file).string(), layers.descriptions, english) +
                                    "  |  " + fs::path(gpkg_path).filename().string();
    const std::string qgs =
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        "<qgis projectname=\"" +
        xml_escape(title) +
        "\" version=\"3.22.0-Białowieża\">\n"
        "  <title>" +
        xml_escape(title) +
        "</title>\n"
        "  <properties><Paths><Absolute type=\"bool\">false</Absolute></Paths></properties>\n"
        "  <projectCrs>" +
        kSrs + "</projectCrs>\n" + layers_xml(layers.entries) + layout_xml(layers.extent, title, attribution, english) +
        "</qgis>\n";
    const std::string stem = fs::path(display_path).stem().string();
    std::ofstream out(qgz_path, std::ios::binary | std::ios::trunc);
    out << stored_zip(stem + ".qgs", qgs);
    out.close();
    if (!out) {
        throw Error(ErrorKind::output, "cannot write the QGIS project", ErrorPlace::at(display_path),
                    "check free disk space and write permission in the output folder");
    }
}

}  // namespace ruimte::styles
