#include "spatial/render/map_render.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ruimte/version.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/io/read_check.hpp"
#include "spatial/io/source.hpp"
#include "spatial/output/atomic_output.hpp"
#include "spatial/output/attribution.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/schema.hpp"
#include "spatial/output/styles.hpp"
#include "spatial/render/cairo_ptr.hpp"
#include "spatial/render/classify.hpp"
#include "spatial/render/png_meta.hpp"

namespace ruimte {

namespace {

struct Rgb {
    double r = 0, g = 0, b = 0;
};
Rgb rgb(const std::string& hex) {
    unsigned r = 0, g = 0, b = 0;
    if (hex.size() == 7) std::sscanf(hex.c_str(), "#%02x%02x%02x", &r, &g, &b);
    return {r / 255.0, g / 255.0, b / 255.0};
}
void set(cairo_t* cr, const Rgb& c, double alpha = 1) {
    cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

struct Box {
    double x0, y0, x1, y1;
    bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
    bool inside(const Box& o) const { return x0 >= o.x0 && x1 <= o.x1 && y0 >= o.y0 && y1 <= o.y1; }
};

struct MapFeature {
    std::unique_ptr<OGRGeometry> geom;  // EPSG:28992
    int klass = -1;                     // index into the style's classes; -1: none
    std::string label;
    double value = std::nan("");  // the classified field, numeric
    std::string category;         // the classified field, as text
    std::int64_t rank = 0;        // 0: unranked
    bool excluded = false;
    bool chosen = false;    // selection: selected
    bool marked = false;    // claim conflict
    bool outlined = false;  // the style's `outlined` features (the core of a selection frequency layer)
    bool tiny = false;      // drawn as a marker (smaller than 2 mm on paper)
    double area = 0;
    double ax = 0, ay = 0;                       // label anchor (a point on the surface)
    double homes = 0, affordable = 0, cost = 0;  // selection totals
};

struct Layer {
    Layer() = default;
    Layer(const Layer&) = delete;
    Layer(Layer&&) = default;
    std::string name, description;
    std::vector<MapFeature> features;
    OGREnvelope extent;
    bool selection = false;  // has the field `selected`
    bool has_homes = false, has_affordable = false, has_cost = false;
};

// Marker radius and the size below which a polygon is drawn as a marker, in mm (times k); a
// polygon smaller than kSmallMm is kept free of labels too (its label goes beside it).
constexpr double kMarkerR = 1.15, kTinyMm = 2.0, kSmallMm = 4.0;

struct DatasetOpen {
    DatasetPtr ds;
    OGRLayer* layer = nullptr;
};

DatasetOpen open_layer(const std::string& source, bool pick_styled) {
    ensure_gdal();
    const SourceSpec spec = parse_source(source);
    DatasetOpen out;
    CPLErrorReset();
    out.ds.reset(GDALDataset::Open(spec.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    if (!out.ds) {
        throw Error(ErrorKind::input, "cannot open: " + gdal_last_error(), ErrorPlace::at(spec.path, spec.layer),
                    "check the path; give FILE[:LAYER]");
    }
    if (!spec.layer.empty()) {
        out.layer = out.ds->GetLayerByName(spec.layer.c_str());
    } else {
        // The first spatial layer in ruimte's order of interest, else the first spatial one.
        for (const char* n : {schema::kCandidatesScored, schema::kCandidatesSelected, schema::kCheckLocations,
                              schema::kClaimFaces, schema::kRegionBalance}) {
            if (pick_styled && !out.layer) out.layer = out.ds->GetLayerByName(n);
        }
        for (int i = 0; i < out.ds->GetLayerCount() && !out.layer; ++i) {
            if (out.ds->GetLayer(i)->GetGeomType() != wkbNone) out.layer = out.ds->GetLayer(i);
        }
    }
    if (!out.layer || out.layer->GetGeomType() == wkbNone) {
        std::string names;
        for (int i = 0; i < out.ds->GetLayerCount(); ++i) {
            if (out.ds->GetLayer(i)->GetGeomType() != wkbNone)
                names += (names.empty() ? "" : ", ") + std::string(out.ds->GetLayer(i)->GetName());
        }
        throw Error(
            ErrorKind::input,
            "no spatial layer '" + spec.layer + "'; the spatial layers are: " + (names.empty() ? "(none)" : names),
            ErrorPlace::at(spec.path, spec.layer), "name one of them as FILE:LAYER");
    }
    return out;
}

int field_index(OGRFeatureDefn* defn, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        if (const int i = defn->GetFieldIndex(n); i >= 0) return i;
    }
    return -1;
}

// The features in EPSG:28992 with what drawing needs: the value of `value_field` (numeric and
// as text), the label, rank, excluded, chosen and the selection's totals.
Layer read_layer(GDALDataset& ds, OGRLayer& l, const std::string& path, const std::string& value_field,
                 const std::string& label_field, const styles::StyleSpec::Outlined* outlined = nullptr) {
    Layer out;
    out.name = l.GetName();
    const char* d = l.GetMetadataItem("DESCRIPTION");
    out.description = d ? d : "";
    std::unique_ptr<OGRCoordinateTransformation> ct;
    if (const OGRSpatialReference* srs = l.GetSpatialRef(); srs && !srs->IsSame(&rd_new())) {
        OGRSpatialReference src(*srs);
        src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        ct.reset(OGRCreateCoordinateTransformation(&src, &rd_new()));
    }
    OGRFeatureDefn* defn = l.GetLayerDefn();
    const int f_class = value_field.empty() ? -1 : defn->GetFieldIndex(value_field.c_str());
    const int f_label = label_field.empty() ? -1 : defn->GetFieldIndex(label_field.c_str());
    const int f_rank = defn->GetFieldIndex(schema::scored::kRank);
    const int f_excl = defn->GetFieldIndex(schema::scored::kExcluded);
    const int f_conf = out.name == schema::kClaimFaces ? defn->GetFieldIndex("conflicts") : -1;
    const int f_sel = defn->GetFieldIndex("selected");
    const int f_out = outlined && !outlined->field.empty() ? defn->GetFieldIndex(outlined->field.c_str()) : -1;
    const int f_homes = field_index(defn, {"woningen"});
    const int f_aff = field_index(defn, {"betaalbaar"});
    const int f_cost = field_index(defn, {"kosten_meur", "kosten_meu", "kosten"});
    out.selection = f_sel >= 0;
    out.has_homes = f_homes >= 0;
    out.has_affordable = f_aff >= 0;
    out.has_cost = f_cost >= 0;
    auto number = [](OGRFeature& f, int i) {
        return i >= 0 && f.IsFieldSetAndNotNull(i) ? f.GetFieldAsDouble(i) : 0.0;
    };
    const GIntBig declared = l.GetFeatureCount(FALSE);
    l.ResetReading();
    // A damaged source ends the read early with an error: refused, not drawn in part.
    LayerReadCheck read_check(l, &ds, declared, ErrorPlace::at(path, out.name));
    for (auto& f : l) {
        throw_if_cancelled();  // Ctrl-C while reading
        read_check.feature(f->GetFID());
        OGRGeometry* g = f->GetGeometryRef();
        if (!g || g->IsEmpty()) continue;
        MapFeature m;
        m.geom.reset(g->clone());
        if (ct && m.geom->transform(ct.get()) != OGRERR_NONE) {
            throw Error(ErrorKind::input, "cannot reproject the feature to EPSG:28992",
                        ErrorPlace::at(path, out.name, f->GetFID()), "check the layer's CRS");
        }
        if (f_class >= 0 && f->IsFieldSetAndNotNull(f_class)) {
            m.category = f->GetFieldAsString(f_class);
            const OGRFieldType type = defn->GetFieldDefn(f_class)->GetType();
            if (type == OFTInteger || type == OFTInteger64 || type == OFTReal) m.value = f->GetFieldAsDouble(f_class);
        }
        m.chosen = f_sel >= 0 && f->IsFieldSetAndNotNull(f_sel) && f->GetFieldAsInteger(f_sel) != 0;
        m.homes = number(*f, f_homes);
        m.affordable = number(*f, f_aff);
        m.cost = number(*f, f_cost);
        if (f_label >= 0 && f->IsFieldSetAndNotNull(f_label)) m.label = f->GetFieldAsString(f_label);
        if (f_rank >= 0 && f->IsFieldSetAndNotNull(f_rank)) m.rank = f->GetFieldAsInteger64(f_rank);
        m.excluded = f_excl >= 0 && f->IsFieldSetAndNotNull(f_excl) && f->GetFieldAsInteger(f_excl) != 0;
        m.marked = f_conf >= 0 && f->IsFieldSetAndNotNull(f_conf) && *f->GetFieldAsString(f_conf);
        m.outlined = f_out >= 0 && f->IsFieldSetAndNotNull(f_out) && outlined->value == f->GetFieldAsString(f_out);
        const OGRwkbGeometryType t = wkbFlatten(m.geom->getGeometryType());
        if (t == wkbPolygon) m.area = m.geom->toPolygon()->get_Area();
        if (t == wkbMultiPolygon) m.area = m.geom->toMultiPolygon()->get_Area();
        const OGRGeometryH pos = OGR_G_PointOnSurface(OGRGeometry::ToHandle(m.geom.get()));
        if (pos && wkbFlatten(OGR_G_GetGeometryType(pos)) == wkbPoint) {
            m.ax = OGR_G_GetX(pos, 0);
            m.ay = OGR_G_GetY(pos, 0);
            OGR_G_DestroyGeometry(pos);
        } else {
            if (pos) OGR_G_DestroyGeometry(pos);
            OGREnvelope e;
            m.geom->getEnvelope(&e);
            m.ax = (e.MinX + e.MaxX) / 2;
            m.ay = (e.MinY + e.MaxY) / 2;
        }
        OGREnvelope e;
        m.geom->getEnvelope(&e);
        out.extent.Merge(e);
        out.features.push_back(std::move(m));
    }
    read_check.end();
    l.ResetReading();
    return out;
}

// Colours for a text field without a catalogue kind (ColorBrewer Set2 and Dark2, colour-blind
// friendlier than most qualitative sets).
constexpr const char* kQualitative[] = {"#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f",
                                        "#e5c494", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"};

std::string field_list(OGRLayer& layer, bool numeric_only = false) {
    std::string names;
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const OGRFieldType t = defn->GetFieldDefn(i)->GetType();
        if (numeric_only && t != OFTInteger && t != OFTInteger64 && t != OFTReal) continue;
        names += (names.empty() ? "" : ", ") + std::string(defn->GetFieldDefn(i)->GetNameRef());
    }
    return names.empty() ? "(none)" : names;
}

// The style the map draws with: the layer's default style, or one on --field. Graduated
// classes are left for assign_classes() (they need the values).
std::optional<styles::StyleSpec> map_style(OGRLayer& layer, const std::string& path, const MapRequest& req) {
    std::optional<styles::StyleSpec> style = styles::default_style(layer);
    if (req.field.empty()) {
        if (!req.classes.empty() && (!style || style->renderer != styles::Renderer::graduated)) {
            throw Error(ErrorKind::usage,
                        "--classes needs a numeric field; the default style of layer '" + std::string(layer.GetName()) +
                            "' is not numeric" + (style && !style->field.empty() ? " (" + style->field + ")" : ""),
                        ErrorPlace::at(path, layer.GetName()),
                        "name a numeric field with --field; the layer's are: " + field_list(layer, true));
        }
        return style;
    }
    const int i = layer.GetLayerDefn()->GetFieldIndex(req.field.c_str());
    if (i < 0) {
        throw Error(ErrorKind::usage, "--field '" + req.field + "' is not a field of layer '" + layer.GetName() + "'",
                    ErrorPlace::at(path, layer.GetName()), "name one of its fields: " + field_list(layer));
    }
    const OGRFieldType type = layer.GetLayerDefn()->GetFieldDefn(i)->GetType();
    const bool numeric = type == OFTInteger || type == OFTInteger64 || type == OFTReal;
    if (!numeric && !req.classes.empty()) {
        throw Error(ErrorKind::usage, "--classes needs a numeric field; '" + req.field + "' holds text",
                    ErrorPlace::at(path, layer.GetName()),
                    "leave --classes out (a colour per value) or name a numeric field");
    }
    styles::StyleSpec s;
    if (style) s = *style;
    s.table = layer.GetName();
    s.renderer = numeric ? styles::Renderer::graduated : styles::Renderer::categorized;
    s.field = req.field;
    s.classes.clear();
    s.title_nl = s.title_en = req.field;
    if (s.outline == "#ffffff" || s.outline.empty()) s.outline = "#636363";
    return s;
}

const char* method_name(ClassMethod m, bool english) {
    switch (m) {
        case ClassMethod::jenks: return english ? "natural breaks" : "natuurlijke grenzen";
        case ClassMethod::quantile: return english ? "quantiles" : "kwantielen";
        case ClassMethod::equal: return english ? "equal intervals" : "gelijke intervallen";
        case ClassMethod::breaks: return english ? "own breaks" : "eigen grenzen";
    }
    return "";
}

// A colour per text value: the catalogue's classes and labels when every value is a code of one
// catalogue kind (WBS, netcongestie), else the values in order on a qualitative palette.
std::vector<styles::StyleClass> category_classes(const Layer& data, const std::string& path) {
    std::set<std::string> present;
    for (const auto& f : data.features) {
        if (!f.category.empty()) present.insert(f.category);
    }
    for (const char* kind : {"wbs", "netcongestie"}) {
        std::vector<styles::StyleClass> out;
        std::size_t known = 0;
        for (const auto& c : styles::catalogue_classes(kind)) {
            if (present.count(c.value)) {
                out.push_back(c);
                ++known;
            }
        }
        if (known == present.size() && known > 0) return out;
    }
    if (present.size() > std::size(kQualitative)) {
        throw Error(ErrorKind::usage,
                    "the field has " + std::to_string(present.size()) + " different values; a map tells at most " +
                        std::to_string(std::size(kQualitative)) + " colours apart",
                    ErrorPlace::at(path, data.name), "name a numeric field or one with fewer values");
    }
    std::vector<styles::StyleClass> out;
    for (const auto& v : present) out.push_back({v, 0, 0, v, v, kQualitative[out.size()]});
    return out;
}

// Sets the classes of `spec` (graduated: from the values of the features that are not
// excluded) and every feature's class; says how in summary.classification.
void assign_classes(Layer& data, styles::StyleSpec& spec, const MapRequest& req, const std::string& path,
                    MapSummary& summary) {
    const bool en = req.english;
    if (spec.renderer == styles::Renderer::categorized && spec.classes.empty()) {
        spec.classes = category_classes(data, path);
    }
    if (spec.renderer == styles::Renderer::graduated) {
        std::vector<double> values;
        for (const auto& f : data.features) {
            if (!f.excluded) values.push_back(f.value);
        }
        std::vector<std::size_t> counts(spec.classes.size(), 0);
        std::size_t classed = 0;
        for (double v : values) {
            const int k = graduated_class(spec.classes, v);
            if (k >= 0) ++counts[static_cast<std::size_t>(k)], ++classed;
        }
        const std::size_t largest = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
        const bool collapsed = spec.classes.size() < 3 || (classed > 0 && largest * 10 > classed * 6);
        if (!req.classes.empty() || !req.field.empty() || collapsed) {
            const Classing how = req.classes.empty() ? Classing{} : parse_classing(req.classes);
            spec.classes = classify(values, how);
            std::string base = spec.title(false);
            if (const auto p = base.find(" ("); p != std::string::npos) base.erase(p);
            std::string base_en = spec.title(true);
            if (const auto p = base_en.find(" ("); p != std::string::npos) base_en.erase(p);
            spec.title_nl = base + " (" + method_name(how.method, false) + ")";
            spec.title_en = base_en + " (" + method_name(how.method, true) + ")";
            const bool zero = spec.classes.size() > 1 && spec.classes[0].lower == 0 && spec.classes[0].upper == 0;
            summary.classification =
                std::string(method_name(how.method, en)) + (zero ? (en ? ", zero apart" : ", nul apart") : "");
            if (req.classes.empty() && req.field.empty()) {
                summary.classification += en ? " (the style's classes put " : " (de klassen van de stijl zetten ";
                summary.classification += std::to_string(largest) + (en ? " of " : " van ") + std::to_string(classed) +
                                          (en ? " features in one class)" : " objecten in een klasse)");
            }
        } else {
            for (auto& c : spec.classes) std::replace(c.label_nl.begin(), c.label_nl.end(), '.', ',');
            summary.classification = en ? "the style's classes (as in QGIS)" : "de klassen van de stijl (als in QGIS)";
        }
    }
    for (auto& f : data.features) {
        if (spec.renderer == styles::Renderer::single) f.klass = 0;
        else if (spec.renderer == styles::Renderer::graduated) f.klass = graduated_class(spec.classes, f.value);
        else {
            f.klass = -1;
            for (std::size_t i = 0; i < spec.classes.size(); ++i) {
                if (!f.category.empty() && spec.classes[i].value == f.category) f.klass = static_cast<int>(i);
            }
        }
    }
}

struct View {
    Box frame;                         // mm on the page
    double minx = 0, miny = 0, s = 1;  // mm per metre
    double ox = 0, oy = 0;             // page position of (minx, miny)
    double x(double wx) const { return ox + (wx - minx) * s; }
    double y(double wy) const { return oy - (wy - miny) * s; }
};

void ring_path(cairo_t* cr, const View& v, const OGRLinearRing& r) {
    for (int i = 0; i < r.getNumPoints(); ++i) {
        const double px = v.x(r.getX(i)), py = v.y(r.getY(i));
        if (i == 0) cairo_move_to(cr, px, py);
        else cairo_line_to(cr, px, py);
    }
    cairo_close_path(cr);
}

void geom_path(cairo_t* cr, const View& v, const OGRGeometry& g) {
    const OGRwkbGeometryType t = wkbFlatten(g.getGeometryType());
    if (t == wkbPolygon) {
        for (const OGRLinearRing* r : *g.toPolygon()) ring_path(cr, v, *r);
    } else if (t == wkbMultiPolygon) {
        for (const OGRPolygon* p : *g.toMultiPolygon()) geom_path(cr, v, *p);
    } else if (t == wkbGeometryCollection) {
        for (const OGRGeometry* part : *g.toGeometryCollection()) geom_path(cr, v, *part);
    } else if (t == wkbMultiSurface || t == wkbCurvePolygon) {
        std::unique_ptr<OGRGeometry> lin(g.getLinearGeometry());
        if (lin && wkbFlatten(lin->getGeometryType()) != t) geom_path(cr, v, *lin);
    }
}

void font(cairo_t* cr, double size_mm, bool bold = false) {
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size_mm);
}

double text_width(cairo_t* cr, const std::string& s) {
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    return e.x_advance;
}

void text(cairo_t* cr, double x, double y, const std::string& s, double align = 0) {
    cairo_move_to(cr, x - align * text_width(cr, s), y);
    cairo_show_text(cr, s.c_str());
}

// Text with a white halo (labels on the map).
void halo_text(cairo_t* cr, double x, double y, const std::string& s) {
    cairo_move_to(cr, x, y);
    cairo_text_path(cr, s.c_str());
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_set_line_width(cr, 0.7);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke_preserve(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_fill(cr);
}

void hatch(cairo_t* cr, const Box& b, double step) {
    for (double d = -(b.y1 - b.y0); d < b.x1 - b.x0; d += step) {
        cairo_move_to(cr, b.x0 + d, b.y1);
        cairo_line_to(cr, b.x0 + d + (b.y1 - b.y0), b.y0);
    }
}

std::string thousands(long long v, char sep) {
    std::string s = std::to_string(v), out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i && (s.size() - i) % 3 == 0) out += sep;
        out += s[i];
    }
    return out;
}

std::string distance_text(double m, bool english) {
    return m >= 1000 ? people_number(m / 1000, 1, english) + " km" : people_number(m, 1, english) + " m";
}

// The page in mm: paper, margins, the map frame and the panel beside (landscape) or under
// (portrait) it. k grows type and symbols with the paper.
struct Page {
    double W = 297, H = 210, k = 1, margin = 10, panel_w = 62;
    Box frame{};
};

Page page_layout(const MapRequest& req) {
    Page p;
    p.W = req.paper == Paper::a3 ? 420 : 297;
    p.H = req.paper == Paper::a3 ? 297 : 210;
    if (!req.landscape) std::swap(p.W, p.H);
    p.k = req.paper == Paper::a3 ? 1.35 : 1.0;
    p.margin = 10 * p.k;
    const double title_h = 16 * p.k, foot_h = 7 * p.k;
    p.panel_w = std::max(62.0 * p.k, p.W * 0.24);
    p.frame = Box{p.margin, p.margin + title_h, p.W - p.margin - p.panel_w - 5 * p.k, p.H - p.margin - foot_h};
    if (!req.landscape) {  // portrait: legend under the map
        p.frame.x1 = p.W - p.margin;
        p.frame.y1 = p.H - p.margin - foot_h - 62 * p.k;
    }
    return p;
}

// Fits the layer's extent (with a 4 % margin) or --extent into the frame, aspect kept.
View fit_view(const Box& frame, OGREnvelope e, const std::vector<double>& extent) {
    View v;
    v.frame = frame;
    if (extent.empty()) {
        const double pad = 0.04 * std::max(e.MaxX - e.MinX, e.MaxY - e.MinY);
        e.MinX -= pad, e.MaxX += pad, e.MinY -= pad, e.MaxY += pad;
    } else {
        e.MinX = extent[0], e.MinY = extent[1], e.MaxX = extent[2], e.MaxY = extent[3];
    }
    const double fw = frame.x1 - frame.x0, fh = frame.y1 - frame.y0;
    v.s = std::min(fw / (e.MaxX - e.MinX), fh / (e.MaxY - e.MinY));
    v.minx = e.MinX;
    v.miny = e.MinY;
    v.ox = frame.x0 + (fw - (e.MaxX - e.MinX) * v.s) / 2;
    v.oy = frame.y1 - (fh - (e.MaxY - e.MinY) * v.s) / 2;
    return v;
}

// The output's extension, lower case; throws for a bad --extent or an unknown extension.
std::string check_map_request(const MapRequest& req) {
    namespace fs = std::filesystem;
    if (!req.extent.empty() &&
        (req.extent.size() != 4 || !(req.extent[0] < req.extent[2]) || !(req.extent[1] < req.extent[3]))) {
        throw Error(ErrorKind::usage, "--extent must be XMIN,YMIN,XMAX,YMAX with XMIN < XMAX and YMIN < YMAX", {},
                    "give the corners in EPSG:28992 metres, for example --extent 120000,480000,140000,495000");
    }
    if (!req.classes.empty()) parse_classing(req.classes);  // throws for bad --classes
    std::string ext = fs::path(req.output).extension().string();
    for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ext != ".pdf" && ext != ".png" && ext != ".svg") {
        throw Error(ErrorKind::usage, "the map's file name '" + req.output + "' does not end in .pdf, .png or .svg", {},
                    "name the output OUT.pdf, OUT.png or OUT.svg");
    }
    return ext;
}

// The output's temporary file as cairo writes it, through write_map_bytes: a write fails once
// Ctrl-C was pressed, so a long PDF finish or PNG encoding stops too.
struct MapFile {
    std::FILE* f = nullptr;
    bool cancelled = false;
    MapFile() = default;
    MapFile(const MapFile&) = delete;
    MapFile& operator=(const MapFile&) = delete;
    ~MapFile() {
        if (f) std::fclose(f);
    }
    // Closes the file; false when a write or the close failed.
    bool close() {
        const bool ok = f && std::fflush(f) == 0 && !std::ferror(f);
        const bool closed = f && std::fclose(f) == 0;
        f = nullptr;
        return ok && closed;
    }
};

cairo_status_t write_map_bytes(void* closure, const unsigned char* data, unsigned int length) {
    auto* m = static_cast<MapFile*>(closure);
    if (cancel_requested()) {
        m->cancelled = true;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return std::fwrite(data, 1, length, m->f) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

std::unique_ptr<MapFile> open_map_file(const AtomicOutput& out, const MapRequest& req) {
    auto m = std::make_unique<MapFile>();
    m->f = std::fopen(out.temp_path().c_str(), "wb");
    if (!m->f) {
        throw Error(ErrorKind::output, std::string("cannot write the map: ") + std::strerror(errno),
                    ErrorPlace::at(req.output), "check free disk space and write permission in the output folder");
    }
    return m;
}

// A cairo surface on the output's temporary file (PDF, SVG) or in memory (PNG), in mm.
struct Canvas {
    std::unique_ptr<MapFile> file;  // first: closed after the surface that writes to it
    Surface surface;
    Cairo owner;
    cairo_t* cr = nullptr;
    Canvas() = default;
    Canvas(Canvas&&) = default;
    Canvas& operator=(Canvas&&) = delete;
    Canvas(const Canvas&) = delete;
    Canvas& operator=(const Canvas&) = delete;
    // A PDF or SVG surface still open here was left by an error or Ctrl-C: destroying it would
    // finish it, replaying the whole page (seconds, see finish_vector_page), so it is let go.
    ~Canvas() {
        if (file && surface) {
            owner.reset();
            static_cast<void>(surface.release());
        }
    }
};

Canvas open_canvas(const std::string& ext, const AtomicOutput& out, const Page& page, const MapRequest& req,
                   MapSummary& summary) {
    const double pt = 72.0 / 25.4;
    Canvas c;
    double unit = pt;
    if (ext == ".pdf") {
        c.file = open_map_file(out, req);
        c.surface.reset(cairo_pdf_surface_create_for_stream(write_map_bytes, c.file.get(), page.W * pt, page.H * pt));
    } else if (ext == ".svg") {
        c.file = open_map_file(out, req);
        c.surface.reset(cairo_svg_surface_create_for_stream(write_map_bytes, c.file.get(), page.W * pt, page.H * pt));
        cairo_svg_surface_set_document_unit(c.surface.get(), CAIRO_SVG_UNIT_PT);
    } else {
        unit = req.dpi / 25.4;
        summary.width_px = static_cast<int>(std::lround(page.W * unit));
        summary.height_px = static_cast<int>(std::lround(page.H * unit));
        c.surface.reset(cairo_image_surface_create(CAIRO_FORMAT_RGB24, summary.width_px, summary.height_px));
    }
    if (cairo_surface_status(c.surface.get()) != CAIRO_STATUS_SUCCESS) {
        throw Error(
            ErrorKind::output,
            std::string("cannot create the map: ") + cairo_status_to_string(cairo_surface_status(c.surface.get())),
            ErrorPlace::at(req.output), "check free disk space and write permission in the output folder");
    }
    c.owner.reset(cairo_create(c.surface.get()));
    c.cr = c.owner.get();
    cairo_scale(c.cr, unit, unit);
    cairo_set_source_rgb(c.cr, 1, 1, 1);
    cairo_paint(c.cr);
    return c;
}

// What the features drew that the legend must explain.
struct Drawn {
    bool excluded = false, marked = false, unclassed = false, outlined = false;
};

// Context points (a dot) and lines (a dark grey stroke), e.g. the stations and high-voltage
// lines of a points or lines layer; false for other geometries (drawn as areas).
bool draw_point_line(cairo_t* cr, const View& v, const OGRGeometry& g, double k) {
    const OGRwkbGeometryType t = wkbFlatten(g.getGeometryType());
    if (t == wkbPoint) {
        const OGRPoint& p = *g.toPoint();
        cairo_new_path(cr);
        cairo_arc(cr, v.x(p.getX()), v.y(p.getY()), 0.6 * k, 0, 2 * M_PI);
        cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
        cairo_fill(cr);
        return true;
    }
    if (t == wkbLineString) {
        const OGRLineString& l = *g.toLineString();
        cairo_new_path(cr);
        for (int i = 0; i < l.getNumPoints(); ++i) cairo_line_to(cr, v.x(l.getX(i)), v.y(l.getY(i)));
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        cairo_set_line_width(cr, 0.4 * k);
        cairo_stroke(cr);
        return true;
    }
    if (t == wkbMultiPoint || t == wkbMultiLineString) {
        for (const OGRGeometry* part : *g.toGeometryCollection()) draw_point_line(cr, v, *part, k);
        return true;
    }
    return false;
}

void draw_context(cairo_t* cr, const View& v, const std::vector<Layer>& context, double k) {
    for (const Layer& c : context) {
        for (const auto& f : c.features) {
            throw_if_cancelled();  // Ctrl-C while drawing
            if (draw_point_line(cr, v, *f.geom, k)) continue;
            geom_path(cr, v, *f.geom);
            cairo_set_source_rgb(cr, 0.96, 0.96, 0.95);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
            cairo_set_line_width(cr, 0.25 * k);
            cairo_stroke(cr);
        }
    }
}

// Grey with a light (white) hatch: excluded candidates, on the map and in the legend. The
// current path is the shape; it is consumed.
void fill_excluded(cairo_t* cr, const Box& bounds, double k) {
    cairo_path_t* shape = cairo_copy_path(cr);
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.62, 0.62, 0.62);
    cairo_fill_preserve(cr);
    cairo_clip(cr);
    hatch(cr, bounds, 0.8 * k);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, 0.22 * k);
    cairo_stroke(cr);
    cairo_restore(cr);
    cairo_new_path(cr);
    cairo_append_path(cr, shape);
    cairo_path_destroy(shape);
    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    cairo_set_line_width(cr, 0.2 * k);
    cairo_stroke(cr);
}

// The feature's bounding box on the page (mm).
Box paper_box(const View& v, const MapFeature& f) {
    OGREnvelope e;
    f.geom->getEnvelope(&e);
    return Box{v.x(e.MinX), v.y(e.MaxY), v.x(e.MaxX), v.y(e.MinY)};
}

// Which features are drawn as markers: smaller than kTinyMm on paper; in a sparse layer (the
// features cover under 5 % of its extent: candidates, locations) also those whose area is less
// than a square of 1.5 kTinyMm, so small sites stay visible at national scale.
void mark_tiny(Layer& data, const View& v, double k) {
    double total = 0;
    for (const auto& f : data.features) total += f.area;
    const double extent = (data.extent.MaxX - data.extent.MinX) * (data.extent.MaxY - data.extent.MinY);
    const bool sparse = extent > 0 && total < 0.05 * extent;
    for (auto& f : data.features) {
        OGREnvelope fe;
        f.geom->getEnvelope(&fe);
        f.tiny = std::max(fe.MaxX - fe.MinX, fe.MaxY - fe.MinY) * v.s < kTinyMm * k ||
                 (sparse && std::sqrt(f.area) * v.s < 1.5 * kTinyMm * k);
    }
}

// The layer's features in their class colours (a small one as a marker), excluded ones grey
// and hatched, from the bottom: excluded, no class, then the classes in order (so the last
// class, e.g. 'nee', is on top), then the conflict outlines.
Drawn draw_features(cairo_t* cr, const View& v, const Layer& data, const styles::StyleSpec* spec, double k) {
    Drawn drawn;
    std::vector<const MapFeature*> order;
    for (const auto& f : data.features) order.push_back(&f);
    std::stable_sort(order.begin(), order.end(), [](const MapFeature* a, const MapFeature* b) {
        return (a->excluded ? -2 : a->klass) < (b->excluded ? -2 : b->klass);
    });
    for (const MapFeature* fp : order) {
        throw_if_cancelled();  // Ctrl-C while drawing
        const MapFeature& f = *fp;
        Box bounds{v.x(f.ax) - kMarkerR * k, v.y(f.ay) - kMarkerR * k, v.x(f.ax) + kMarkerR * k,
                   v.y(f.ay) + kMarkerR * k};
        cairo_new_path(cr);
        if (f.tiny) {
            cairo_arc(cr, v.x(f.ax), v.y(f.ay), kMarkerR * k, 0, 2 * M_PI);
        } else {
            geom_path(cr, v, *f.geom);
            OGREnvelope e;
            f.geom->getEnvelope(&e);
            bounds = Box{v.x(e.MinX), v.y(e.MaxY), v.x(e.MaxX), v.y(e.MinY)};
        }
        if (f.excluded) {
            drawn.excluded = true;
            fill_excluded(cr, bounds, k);
            continue;
        }
        const bool filled = f.klass >= 0 && spec && !spec->classes[static_cast<std::size_t>(f.klass)].fill.empty();
        if (filled) {
            set(cr, rgb(spec->classes[static_cast<std::size_t>(f.klass)].fill));
            cairo_fill_preserve(cr);
        } else if (f.klass < 0) {
            drawn.unclassed = true;
            cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
            cairo_fill_preserve(cr);
        }
        if (f.tiny) {
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            cairo_set_line_width(cr, 0.2 * k);
        } else {
            set(cr, rgb(spec ? spec->outline : "#232323"));
            cairo_set_line_width(cr, std::max(0.1, (spec ? spec->outline_mm : 0.26)) * k);
        }
        cairo_stroke(cr);
    }
    for (const auto& f : data.features) {
        throw_if_cancelled();
        if (!f.marked) continue;
        drawn.marked = true;
        geom_path(cr, v, *f.geom);
        cairo_set_source_rgb(cr, 0.843, 0.098, 0.110);
        cairo_set_line_width(cr, 0.6 * k);
        cairo_stroke(cr);
    }
    for (const auto& f : data.features) {  // over every fill: the style's thick outlines
        throw_if_cancelled();
        if (!f.outlined || !spec) continue;
        drawn.outlined = true;
        cairo_new_path(cr);
        if (f.tiny) cairo_arc(cr, v.x(f.ax), v.y(f.ay), kMarkerR * k, 0, 2 * M_PI);
        else geom_path(cr, v, *f.geom);
        set(cr, rgb(spec->outlined.colour));
        cairo_set_line_width(cr, spec->outlined.mm * k);
        cairo_stroke(cr);
    }
    return drawn;
}

// Context, features, hatching and marks, clipped to the frame.
Drawn draw_map(cairo_t* cr, const View& v, const Box& frame, const Layer& data, const std::vector<Layer>& context,
               const styles::StyleSpec* spec, double k) {
    cairo_save(cr);
    cairo_rectangle(cr, frame.x0, frame.y0, frame.x1 - frame.x0, frame.y1 - frame.y0);
    cairo_clip(cr);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    draw_context(cr, v, context, k);
    const Drawn drawn = draw_features(cr, v, data, spec, k);
    cairo_restore(cr);
    return drawn;
}

// What the labels show: the best-ranked candidates, the chosen ones of a selection, the
// features with a value (graduated, zero left out; categorized, the last class first), or
// every named feature.
enum class LabelSet { none, ranked, chosen, classed, named };

struct PlacedLabel {
    Box box;  // mm on the page
    std::string text;
};

struct Labels {
    LabelSet set = LabelSet::none;
    int top = 0;  // ranked: the N labelled
    std::vector<PlacedLabel> placed;
};

// The features to label, most important first, and which kind of set they are.
std::pair<LabelSet, std::vector<const MapFeature*>> label_order(const Layer& data, const styles::StyleSpec* spec,
                                                                int top, const View& v, const Box& frame) {
    std::vector<const MapFeature*> order;
    const bool ranked =
        std::any_of(data.features.begin(), data.features.end(), [](const MapFeature& f) { return f.rank > 0; });
    const bool graduated = spec && spec->renderer == styles::Renderer::graduated;
    const bool categorized = spec && spec->renderer == styles::Renderer::categorized;
    const LabelSet set = data.selection             ? LabelSet::chosen
                         : ranked                   ? LabelSet::ranked
                         : graduated || categorized ? LabelSet::classed
                                                    : LabelSet::named;
    const int ranked_top = top < 0 ? 10 : top;
    for (const auto& f : data.features) {
        const Box anchor{v.x(f.ax), v.y(f.ay), v.x(f.ax), v.y(f.ay)};
        if (!anchor.inside(frame) || f.excluded) continue;  // outside the shown part (--extent)
        bool take = false;
        switch (set) {
            case LabelSet::chosen: take = f.chosen && !f.label.empty(); break;
            case LabelSet::ranked: take = f.rank > 0 && f.rank <= ranked_top; break;
            case LabelSet::classed:
                take = !f.label.empty() && f.klass >= 0 && (!graduated || (std::isfinite(f.value) && f.value != 0));
                break;
            default: take = !f.label.empty();
        }
        if (take) order.push_back(&f);
    }
    std::stable_sort(order.begin(), order.end(), [&](const MapFeature* a, const MapFeature* b) {
        if (set == LabelSet::ranked || set == LabelSet::chosen) {
            if ((a->rank > 0) != (b->rank > 0)) return a->rank > 0;
            if (a->rank != b->rank) return a->rank < b->rank;
            return a->area > b->area;
        }
        if (set == LabelSet::classed && graduated && a->value != b->value) return a->value > b->value;
        if (set == LabelSet::classed && a->klass != b->klass) return a->klass > b->klass;
        return a->area > b->area;
    });
    if (set == LabelSet::chosen && top >= 0 && order.size() > static_cast<std::size_t>(top)) {
        order.resize(static_cast<std::size_t>(top));
    }
    return {set, order};
}

// A white dot with a dark ring: the ranked candidates' marker.
void rank_dot(cairo_t* cr, double x, double y, double k) {
    cairo_new_path(cr);
    cairo_arc(cr, x, y, 0.8 * k, 0, 2 * M_PI);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 0.35 * k);
    cairo_stroke(cr);
}

// A label's baseline start; `leader`: far from its anchor, joined to it by a line.
struct Spot {
    double x = 0, y = 0;
    bool leader = false;
};

// Spots beside an anchor for a label w x h mm, `g` mm clear of it: right, left, above, below,
// the diagonals, then the same twice farther out (with a leader line).
std::vector<Spot> beside_spots(double ax, double ay, double w, double h, double g, double k) {
    std::vector<Spot> out;
    for (int ring = 0; ring < 3; ++ring) {
        const double d = g + ring * 3.5 * k;
        const double right = ax + d + 0.6, left = ax - d - 0.6 - w, above = ay - d - 0.9, below = ay + d + h + 0.2;
        const double mid = ay + h / 2 - 0.4, centre = ax - w / 2;
        for (const auto& [x, y] : std::vector<std::pair<double, double>>{{right, mid},
                                                                         {left, mid},
                                                                         {centre, above},
                                                                         {centre, below},
                                                                         {right, above},
                                                                         {left, above},
                                                                         {right, below},
                                                                         {left, below}}) {
            out.push_back({x, y, ring > 0});
        }
    }
    return out;
}

// A thin line from the edge of the marker (radius g) to the nearest point of the label's box.
void leader_line(cairo_t* cr, double ax, double ay, const Box& b, double g, double k) {
    const double bx = std::clamp(ax, b.x0, b.x1), by = std::clamp(ay, b.y0, b.y1);
    const double len = std::hypot(bx - ax, by - ay);
    if (len <= g) return;
    cairo_new_path(cr);
    cairo_move_to(cr, ax + (bx - ax) * (g - 0.3 * k) / len, ay + (by - ay) * (g - 0.3 * k) / len);
    cairo_line_to(cr, bx, by);
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    cairo_set_line_width(cr, 0.2 * k);
    cairo_stroke(cr);
}

// Labels beside their markers, never on a marker or another label; a label that finds no free
// spot inside the frame is left out (counted). Polygons large enough to hold a label get it
// centred when that spot is free.
Labels draw_labels(cairo_t* cr, const View& v, const Box& frame, const Layer& data, const styles::StyleSpec* spec,
                   int top, double k, MapSummary& summary) {
    Labels out;
    auto [set, order] = label_order(data, spec, top, v, frame);
    out.set = set;
    out.top = top < 0 ? 10 : top;
    std::vector<Box> taken;
    for (const auto& f : data.features) {  // every marker and small polygon is kept free
        if (f.tiny) {
            const double ax = v.x(f.ax), ay = v.y(f.ay), r = (kMarkerR + 0.25) * k;
            taken.push_back(Box{ax - r, ay - r, ax + r, ay + r});
        } else if (const Box b = paper_box(v, f); b.x1 - b.x0 < kSmallMm * k && b.y1 - b.y0 < kSmallMm * k) {
            taken.push_back(b);
        }
    }
    const bool dots = set == LabelSet::ranked;
    if (dots) {
        for (const MapFeature* f : order) {
            const double ax = v.x(f->ax), ay = v.y(f->ay);
            rank_dot(cr, ax, ay, k);
            taken.push_back(Box{ax - 0.9 * k, ay - 0.9 * k, ax + 0.9 * k, ay + 0.9 * k});
        }
    }
    const bool bold = set == LabelSet::ranked || set == LabelSet::chosen;
    font(cr, 2.6 * k, bold);
    for (const MapFeature* f : order) {
        const std::string s = dots ? std::to_string(f->rank) + ". " + f->label : f->label;
        const double w = text_width(cr, s), h = 2.6 * k;
        const double ax = v.x(f->ax), ay = v.y(f->ay);
        // g: the gap between the anchor and the label's box (clear of the marker or dot).
        const Box pb = paper_box(v, *f);
        const bool small = f->tiny || (pb.x1 - pb.x0 < kSmallMm * k && pb.y1 - pb.y0 < kSmallMm * k);
        const double g = f->tiny ? (kMarkerR + 0.45) * k
                         : small ? std::max(ax - pb.x0, pb.x1 - ax)
                         : dots  ? 1.0 * k
                                 : 0.3 * k;
        std::vector<Spot> spots;
        if (!small && !dots && w < pb.x1 - pb.x0) {  // inside a polygon wide enough first
            spots = {{ax - w / 2, ay + h / 2 - 0.4}, {ax - w / 2, ay - h / 2}, {ax - w / 2, ay + h * 1.3}};
        }
        for (const Spot& p : beside_spots(ax, ay, w, h, g, k)) spots.push_back(p);
        bool done = false;
        for (const Spot& p : spots) {
            const Box b{p.x - 0.6, p.y - h - 0.2, p.x + w + 0.6, p.y + 0.9};
            if (!b.inside(frame)) continue;
            if (std::any_of(taken.begin(), taken.end(), [&](const Box& o) { return o.overlaps(b); })) continue;
            if (p.leader) leader_line(cr, ax, ay, b, g, k);
            halo_text(cr, p.x, p.y, s);
            taken.push_back(b);
            out.placed.push_back({b, s});
            done = true;
            break;
        }
        if (done) ++summary.labels_placed;
        else ++summary.labels_dropped;
    }
    return out;
}

// The frame around the map, the title and the subtitle (layer, file, what is labelled).
void draw_frame_and_title(cairo_t* cr, const Page& page, const MapRequest& req, const styles::StyleSpec* spec,
                          const Layer& data, const std::string& main_path, const Labels& labels) {
    namespace fs = std::filesystem;
    const Box& frame = page.frame;
    const double k = page.k;
    const bool en = req.english;
    cairo_rectangle(cr, frame.x0, frame.y0, frame.x1 - frame.x0, frame.y1 - frame.y0);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 0.35 * k);
    cairo_stroke(cr);

    const std::string title = !req.title.empty() ? req.title : (spec ? spec->title(en) : data.name);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    font(cr, 6.5 * k, true);
    text(cr, page.margin, page.margin + 7 * k, title);
    font(cr, 3.2 * k);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    std::string what;
    if (labels.set == LabelSet::ranked)
        what = (en ? " - labels: top " : " - labels: beste ") + std::to_string(labels.top);
    if (labels.set == LabelSet::chosen)
        what = en ? " - labels: the chosen locations" : " - labels: de gekozen locaties";
    text(cr, page.margin, page.margin + 12.5 * k,
         (en ? "Layer " : "Laag ") + data.name + " - " + fs::path(main_path).filename().string() + what);
}

// The legend: a swatch and a label per row, from the top of the panel down.
class Legend {
  public:
    Legend(cairo_t* cr, double x, double y, double k, MapSummary& summary)
        : cr_(cr), x_(x), y_(y), k_(k), summary_(summary) {}

    // A bold line of `size` mm with its baseline `baseline` mm below the current row; the
    // next row starts `advance` mm lower.
    void heading(const std::string& s, double size, double baseline, double advance) {
        cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
        font(cr_, size * k_, true);
        text(cr_, x_, y_ + baseline * k_, s);
        y_ += advance * k_;
    }
    template <typename Draw>
    void row(const std::string& label, Draw draw) {
        const double sw = 8 * k_, sh = 5 * k_, row = 6.8 * k_;
        draw(Box{x_, y_, x_ + sw, y_ + sh});
        cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
        font(cr_, 3.0 * k_);
        text(cr_, x_ + sw + 3 * k_, y_ + sh - 1.2 * k_, label);
        summary_.legend.push_back(label);
        y_ += row;
    }
    void box(const Box& b) const { cairo_rectangle(cr_, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0); }
    double y() const { return y_; }
    // A line of text without a swatch (the totals box).
    void line(const std::string& s) {
        cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
        font(cr_, 3.0 * k_);
        text(cr_, x_, y_ + 2.5 * k_, s);
        y_ += 4.6 * k_;
    }
    // A box filled grey-ish and outlined: context layers and 'no value'.
    void filled_box(const Box& b, double fill_r, double fill_g, double fill_b, double line) const {
        box(b);
        cairo_set_source_rgb(cr_, fill_r, fill_g, fill_b);
        cairo_fill_preserve(cr_);
        cairo_set_source_rgb(cr_, line, line, line);
        cairo_set_line_width(cr_, 0.25 * k_);
        cairo_stroke(cr_);
    }

  private:
    cairo_t* cr_;
    double x_, y_, k_;
    MapSummary& summary_;
};

void draw_legend(cairo_t* cr, const Page& page, const MapRequest& req, const styles::StyleSpec* spec,
                 const std::vector<Layer>& context, const Drawn& drawn, const Labels& labels, MapSummary& summary) {
    const double k = page.k;
    const bool en = req.english;
    const double lx = req.landscape ? page.frame.x1 + 6 * k : page.margin;
    const double ly = req.landscape ? page.frame.y0 + 2 * k : page.frame.y1 + 8 * k;
    Legend legend(cr, lx, ly, k, summary);
    legend.heading(en ? "Legend" : "Legenda", 3.6, 3, 7);
    if (spec) legend.heading(spec->title(en), 3.0, 2.5, 5);
    font(cr, 3.0 * k);
    if (spec) {
        for (const auto& c : spec->classes) {
            legend.row(en ? c.label_en : c.label_nl, [&](const Box& b) {
                legend.box(b);
                if (!c.fill.empty()) {
                    set(cr, rgb(c.fill));
                    cairo_fill_preserve(cr);
                }
                set(cr, rgb(spec->outline == "#ffffff" ? "#999999" : spec->outline));
                cairo_set_line_width(cr, 0.25 * k);
                cairo_stroke(cr);
            });
        }
    }
    if (drawn.unclassed) {
        legend.row(en ? "no value" : "geen waarde", [&](const Box& b) { legend.filled_box(b, 0.85, 0.85, 0.85, 0.4); });
    }
    if (drawn.excluded) {
        legend.row(en ? "excluded" : "uitgesloten", [&](const Box& b) {
            legend.box(b);
            fill_excluded(cr, b, k);
        });
    }
    if (drawn.outlined) {
        legend.row(en ? spec->outlined.label_en : spec->outlined.label_nl, [&](const Box& b) {
            legend.box(b);
            set(cr, rgb(spec->outlined.colour));
            cairo_set_line_width(cr, spec->outlined.mm * k);
            cairo_stroke(cr);
        });
    }
    if (drawn.marked) {
        legend.row(en ? "conflict between claims" : "conflict tussen claims", [&](const Box& b) {
            legend.box(b);
            cairo_set_source_rgb(cr, 0.843, 0.098, 0.110);
            cairo_set_line_width(cr, 0.6 * k);
            cairo_stroke(cr);
        });
    }
    if (labels.set == LabelSet::ranked && summary.labels_placed > 0) {
        const std::string n = std::to_string(labels.top);
        legend.row(en ? "rank (best " + n + ")" : "rang (beste " + n + ")",
                   [&](const Box& b) { rank_dot(cr, (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, k); });
    }
    for (const Layer& c : context) {
        const std::string label = c.name == "gemeenten" ? (en ? "municipal boundary" : "gemeentegrens") : c.name;
        legend.row(label, [&](const Box& b) { legend.filled_box(b, 0.96, 0.96, 0.95, 0.55); });
    }
    if (!summary.totals.empty()) {  // under the legend (landscape), in a column beside it (portrait)
        Legend totals(cr, req.landscape ? lx : page.W * 0.42, req.landscape ? legend.y() + 3 * k : ly, k, summary);
        totals.heading(en ? "Chosen" : "Gekozen", 3.2, 2.5, 5.5);
        for (const auto& line : summary.totals) totals.line(line);
    }
}

// A 'nice' ground length (1, 2 or 5 x 10^n m) of about 42 mm on paper.
double scale_bar_length(const View& v, double k) {
    const double target = 42 * k;  // mm of paper
    const double ground = target / v.s;
    double nice = std::pow(10.0, std::floor(std::log10(ground)));
    for (double m : {5.0, 2.0, 1.0}) {
        if (m * std::pow(10.0, std::floor(std::log10(ground))) <= ground) {
            nice = m * std::pow(10.0, std::floor(std::log10(ground)));
            break;
        }
    }
    return nice;
}

// Scale bar and north arrow, at the bottom of the panel (landscape) or right under the map.
void draw_scale_and_north(cairo_t* cr, const Page& page, const View& v, const MapRequest& req, double scale) {
    const double k = page.k;
    const bool en = req.english;
    const Box& frame = page.frame;
    const double lx = req.landscape ? frame.x1 + 6 * k : page.margin;
    const double nice = scale_bar_length(v, k);
    const double len = nice * v.s;
    const double sx = req.landscape ? lx : page.W - page.margin - len - 4 * k;
    const double sy = req.landscape ? frame.y1 - 9 * k : frame.y1 + 14 * k;
    for (int i = 0; i < 4; ++i) {
        cairo_rectangle(cr, sx + len * i / 4, sy, len / 4, 1.6 * k);
        if (i % 2 == 0) cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        else cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_set_line_width(cr, 0.25 * k);
        cairo_stroke(cr);
    }
    font(cr, 2.8 * k);
    text(cr, sx, sy + 5 * k, "0", 0.5);
    text(cr, sx + len / 2, sy + 5 * k, distance_text(nice / 2, en), 0.5);
    text(cr, sx + len, sy + 5 * k, distance_text(nice, en), 0.5);
    const long long ratio = std::llround(scale / 1000.0) * 1000;
    // Landscape: from the bar's left end; portrait: ending at the right margin (on the page).
    text(cr, req.landscape ? sx : page.W - page.margin, sy - 2 * k,
         (en ? "Scale 1 : " + thousands(ratio, ',') : "Schaal 1 : " + thousands(ratio, '.')) +
             (en ? " (at print size)" : " (op ware grootte)"),
         req.landscape ? 0 : 1);

    // North arrow (RD New grid north; within 2 degrees of true north in the Netherlands).
    const double nx = req.landscape ? lx + page.panel_w - 14 * k : page.W - page.margin - 6 * k;
    const double ny = req.landscape ? frame.y1 - 24 * k : frame.y1 + 36 * k;
    cairo_move_to(cr, nx, ny - 7 * k);
    cairo_line_to(cr, nx + 3 * k, ny + 3 * k);
    cairo_line_to(cr, nx, ny + 1 * k);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_fill(cr);
    cairo_move_to(cr, nx, ny - 7 * k);
    cairo_line_to(cr, nx - 3 * k, ny + 3 * k);
    cairo_line_to(cr, nx, ny + 1 * k);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 0.25 * k);
    cairo_stroke(cr);
    font(cr, 3.6 * k, true);
    text(cr, nx, ny - 8.5 * k, "N", 0.5);
}

std::string draw_attribution(cairo_t* cr, const Page& page, const Layer& data, const std::vector<Layer>& context,
                             const std::string& main_path, bool en) {
    std::vector<std::string> descriptions{data.description};
    for (const Layer& c : context) descriptions.push_back(c.description);
    const std::string a = attribution_line(main_path, descriptions, en);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    font(cr, 2.5 * page.k);
    text(cr, page.margin, page.H - page.margin + 0.5 * page.k, a);
    return a;
}

// Ends the page of a PDF or SVG and finishes the file: the status, CAIRO_STATUS_WRITE_ERROR when
// writing failed.
cairo_status_t show_and_finish(Canvas& canvas) {
    cairo_show_page(canvas.cr);
    canvas.owner.reset();
    canvas.cr = nullptr;
    cairo_surface_finish(canvas.surface.get());
    cairo_status_t st = cairo_surface_status(canvas.surface.get());
    canvas.surface.reset();
    if (!canvas.file->close() && st == CAIRO_STATUS_SUCCESS) st = CAIRO_STATUS_WRITE_ERROR;
    return st;
}

// cairo_show_page replays the whole recorded page of a PDF or SVG in one call, without a look
// at Ctrl-C: an SVG's into memory (11 s for 160,000 features), so a failing stream does not stop
// it either. So the replay and the finish run in a child process (fork) that writes the
// temporary file and ends with _exit; this process waits for it, looks at the cancel flag every
// 10 ms and kills the child on Ctrl-C (a zombie until this process ends). This process's copy
// of the surface is left unfinished and never destroyed (destroying it would replay the page
// again). When fork fails: here, as before.
cairo_status_t finish_vector_page(Canvas& canvas) {
    std::fflush(canvas.file->f);  // nothing buffered twice
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) return show_and_finish(canvas);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphan writing on once this process is gone
        if (getppid() != parent) _exit(2);
        _exit(show_and_finish(canvas) == CAIRO_STATUS_SUCCESS ? 0 : 1);
    }
    int wstatus = 0;
    for (;;) {
        const pid_t w = waitpid(pid, &wstatus, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) return CAIRO_STATUS_WRITE_ERROR;
        if (cancel_requested()) {
            // Not waited for: the kernel takes 0.3 s to tear down a child of some GB, and a
            // killed child writes nothing more (into a temporary file that is removed anyway).
            kill(pid, SIGKILL);
            throw_if_cancelled();
        }
        const timespec pause{0, 10'000'000};
        nanosleep(&pause, nullptr);
    }
    canvas.owner.reset();
    canvas.cr = nullptr;
    static_cast<void>(canvas.surface.release());  // see above: never finished here
    std::fclose(canvas.file->f);                  // its buffer is empty: the child wrote the file
    canvas.file->f = nullptr;
    return WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

// Ends the page and writes the PDF/SVG (already streaming to the temporary file) or the PNG.
void finish_canvas(Canvas& canvas, const std::string& ext, const AtomicOutput& out, const MapRequest& req,
                   const std::vector<std::pair<std::string, std::string>>& texts) {
    if (ext == ".png") {
        cairo_show_page(canvas.cr);
        canvas.owner.reset();
        canvas.cr = nullptr;
        canvas.file = open_map_file(out, req);
        const cairo_status_t st =
            cairo_surface_write_to_png_stream(canvas.surface.get(), write_map_bytes, canvas.file.get());
        canvas.surface.reset();
        const bool closed = canvas.file->close();
        throw_if_cancelled();
        if (st != CAIRO_STATUS_SUCCESS || !closed) {
            throw Error(ErrorKind::output, "cannot write the PNG", ErrorPlace::at(req.output),
                        "check free disk space and write permission in the output folder");
        }
        if (!png_add_metadata(out.temp_path(), req.dpi, texts)) {
            throw Error(ErrorKind::output, "cannot write the PNG", ErrorPlace::at(req.output),
                        "check free disk space and write permission in the output folder");
        }
    } else {
        const cairo_status_t st = finish_vector_page(canvas);
        throw_if_cancelled();
        if (st != CAIRO_STATUS_SUCCESS) {
            throw Error(ErrorKind::output, std::string("cannot write the map: ") + cairo_status_to_string(st),
                        ErrorPlace::at(req.output), "check free disk space and write permission in the output folder");
        }
    }
}

// The totals box of a selection map: count, homes, cost and affordable share of the chosen.
std::vector<std::string> selection_totals(const Layer& data, bool en) {
    if (!data.selection) return {};
    std::size_t n = 0;
    double homes = 0, affordable = 0, cost = 0;
    for (const auto& f : data.features) {
        if (!f.chosen) continue;
        ++n;
        homes += f.homes;
        affordable += f.affordable;
        cost += f.cost;
    }
    std::vector<std::string> out{(en ? "locations: " : "locaties: ") + people_number(static_cast<double>(n), 0, en)};
    if (data.has_homes) out.push_back((en ? "homes: " : "woningen: ") + people_number(homes, 0, en));
    if (data.has_cost)
        out.push_back((en ? "cost: EUR " : "kosten: \u20ac ") + people_number(cost, 1, en) +
                      (en ? " million" : " mln"));
    if (data.has_homes && data.has_affordable && homes > 0) {
        out.push_back((en ? "affordable: " : "betaalbaar: ") + people_number(100 * affordable / homes, 1, en) + " %");
    }
    return out;
}

// --extent must overlap the layer; numbers that look like degrees get their own message.
void check_extent(const std::vector<double>& x, const OGREnvelope& data, const std::string& path,
                  const std::string& layer) {
    if (x.empty()) return;
    const bool degrees = std::all_of(x.begin(), x.end(), [](double c) { return std::fabs(c) <= 180; });
    const bool overlaps = x[0] < data.MaxX && data.MinX < x[2] && x[1] < data.MaxY && data.MinY < x[3];
    if (overlaps && !degrees) return;
    char layer_box[160];
    std::snprintf(layer_box, sizeof layer_box, "%.0f,%.0f,%.0f,%.0f", data.MinX, data.MinY, data.MaxX, data.MaxY);
    if (degrees) {
        throw Error(ErrorKind::usage,
                    "--extent is in EPSG:28992 (Amersfoort / RD New) metres, but these numbers look like degrees",
                    ErrorPlace::at(path, layer),
                    std::string("give RD metres, e.g. the layer's own extent --extent ") + layer_box +
                        "; convert degrees with: echo LAT LON | cs2cs EPSG:4326 EPSG:28992");
    }
    throw Error(
        ErrorKind::usage, "--extent does not overlap the layer (EPSG:28992 extent " + std::string(layer_box) + ")",
        ErrorPlace::at(path, layer), "give XMIN,YMIN,XMAX,YMAX in EPSG:28992 metres inside " + std::string(layer_box));
}

// The PNG's text chunks: the georeference and the placed labels, in pixels.
std::vector<std::pair<std::string, std::string>> png_texts(const View& v, const Labels& labels, int dpi) {
    const double u = dpi / 25.4;  // px per mm
    char georef[120];
    std::snprintf(georef, sizeof georef, "%.6f %.9f %.6f", u * (v.ox - v.minx * v.s), u * v.s,
                  u * (v.oy + v.miny * v.s));
    std::string placed;
    for (const auto& l : labels.placed) {
        char box[120];
        std::snprintf(box, sizeof box, "%.1f %.1f %.1f %.1f\t", u * l.box.x0, u * l.box.y0, u * l.box.x1, u * l.box.y1);
        placed += box + l.text + "\n";
    }
    return {{"ruimte:georef", georef}, {"ruimte:labels", placed}};
}

}  // namespace

MapSummary render_map(const MapRequest& req) {
    const std::string ext = check_map_request(req);
    std::vector<std::string> inputs{parse_source(req.input).path};
    for (const auto& c : req.context) inputs.push_back(parse_source(c).path);
    check_output_path(req.output, req.overwrite, inputs);

    MapSummary summary;
    DatasetOpen main = open_layer(req.input, true);
    const std::string main_path = parse_source(req.input).path;
    std::optional<styles::StyleSpec> style = map_style(*main.layer, main_path, req);
    styles::StyleSpec* spec = style ? &*style : nullptr;
    Layer data = read_layer(*main.ds, *main.layer, main_path, spec ? spec->field : "", spec ? spec->label_field : "",
                            spec ? &spec->outlined : nullptr);
    summary.layer = data.name;
    summary.features = data.features.size();
    if (data.features.empty()) {
        throw Error(ErrorKind::input, "the layer has no features to draw", ErrorPlace::at(main_path, data.name),
                    "choose a layer with features (ruimte info FILE lists them)");
    }
    check_extent(req.extent, data.extent, main_path, data.name);
    if (spec) assign_classes(data, *spec, req, main_path, summary);
    summary.totals = selection_totals(data, req.english);
    std::vector<Layer> context;
    std::vector<DatasetOpen> context_open;
    for (const auto& c : req.context) {
        context_open.push_back(open_layer(c, false));
        context.push_back(
            read_layer(*context_open.back().ds, *context_open.back().layer, parse_source(c).path, "", ""));
    }

    const Page page = page_layout(req);
    const View v = fit_view(page.frame, data.extent, req.extent);
    summary.scale = 1000.0 / v.s;
    mark_tiny(data, v, page.k);

    AtomicOutput out(req.output, req.overwrite, inputs);
    Canvas canvas = open_canvas(ext, out, page, req, summary);
    cairo_t* cr = canvas.cr;
    const Drawn drawn = draw_map(cr, v, page.frame, data, context, spec, page.k);
    const Labels labels = draw_labels(cr, v, page.frame, data, spec, req.top, page.k, summary);
    draw_frame_and_title(cr, page, req, spec, data, main_path, labels);
    draw_legend(cr, page, req, spec, context, drawn, labels, summary);
    draw_scale_and_north(cr, page, v, req, summary.scale);
    summary.attribution = draw_attribution(cr, page, data, context, main_path, req.english);
    finish_canvas(canvas, ext, out, req, png_texts(v, labels, req.dpi));
    out.commit();
    return summary;
}

}  // namespace ruimte
