#include "map_render.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "atomic_output.hpp"
#include "attribution.hpp"
#include "error.hpp"
#include "gdal_init.hpp"
#include "gpkg_writer.hpp"
#include "read_check.hpp"
#include "ruimte/version.hpp"
#include "source.hpp"
#include "styles.hpp"

namespace ruimte {

namespace {

struct SurfaceClose {
    void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
};
struct CairoClose {
    void operator()(cairo_t* c) const noexcept { cairo_destroy(c); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceClose>;
using Cairo = std::unique_ptr<cairo_t, CairoClose>;

struct Rgb {
    double r = 0, g = 0, b = 0;
};
Rgb rgb(const std::string& hex) {
    unsigned r = 0, g = 0, b = 0;
    if (hex.size() == 7) std::sscanf(hex.c_str(), "#%02x%02x%02x", &r, &g, &b);
    return {r / 255.0, g / 255.0, b / 255.0};
}
void set(cairo_t* cr, const Rgb& c, double alpha = 1) { cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha); }

struct Box {
    double x0, y0, x1, y1;
    bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
    bool inside(const Box& o) const { return x0 >= o.x0 && x1 <= o.x1 && y0 >= o.y0 && y1 <= o.y1; }
};

struct MapFeature {
    std::unique_ptr<OGRGeometry> geom;  // EPSG:28992
    int klass = -1;                     // index into the style's classes; -1: none
    std::string label;
    std::int64_t rank = 0;              // 0: unranked
    bool excluded = false;
    bool marked = false;                // claim conflict
    double area = 0;
    double ax = 0, ay = 0;              // label anchor (a point on the surface)
};

struct Layer {
    Layer() = default;
    Layer(const Layer&) = delete;
    Layer(Layer&&) = default;
    std::string name, description;
    std::vector<MapFeature> features;
    OGREnvelope extent;
};

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
        throw Error(ErrorKind::input, "cannot open: " + gdal_last_error(), ErrorPlace{spec.path, spec.layer, {}, "", {}},
                    "check the path; give FILE[:LAYER]");
    }
    if (!spec.layer.empty()) {
        out.layer = out.ds->GetLayerByName(spec.layer.c_str());
    } else {
        // The first spatial layer in ruimte's order of interest, else the first spatial one.
        for (const char* n : {"candidates_scored", "candidates_selected", "check_locations", "claim_faces", "region_balance"}) {
            if (pick_styled && !out.layer) out.layer = out.ds->GetLayerByName(n);
        }
        for (int i = 0; i < out.ds->GetLayerCount() && !out.layer; ++i) {
            if (out.ds->GetLayer(i)->GetGeomType() != wkbNone) out.layer = out.ds->GetLayer(i);
        }
    }
    if (!out.layer || out.layer->GetGeomType() == wkbNone) {
        std::string names;
        for (int i = 0; i < out.ds->GetLayerCount(); ++i) {
            if (out.ds->GetLayer(i)->GetGeomType() != wkbNone) names += (names.empty() ? "" : ", ") + std::string(out.ds->GetLayer(i)->GetName());
        }
        throw Error(ErrorKind::input, "no spatial layer '" + spec.layer + "'; the spatial layers are: " + (names.empty() ? "(none)" : names),
                    ErrorPlace{spec.path, spec.layer, {}, "", {}}, "name one of them as FILE:LAYER");
    }
    return out;
}

int class_of(const styles::StyleSpec& spec, OGRFeature& f, int field) {
    if (spec.renderer == styles::Renderer::single) return 0;
    if (field < 0 || !f.IsFieldSetAndNotNull(field)) return -1;
    if (spec.renderer == styles::Renderer::categorized) {
        const std::string v = f.GetFieldAsString(field);
        for (std::size_t i = 0; i < spec.classes.size(); ++i) {
            if (spec.classes[i].value == v) return static_cast<int>(i);
        }
        return -1;
    }
    const double v = f.GetFieldAsDouble(field);
    for (std::size_t i = 0; i < spec.classes.size(); ++i) {
        const auto& c = spec.classes[i];
        if ((i == 0 ? v >= c.lower : v > c.lower) && v <= c.upper) return static_cast<int>(i);
    }
    return -1;
}

Layer read_layer(GDALDataset& ds, OGRLayer& l, const std::string& path, const styles::StyleSpec* spec) {
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
    const int f_class = spec && !spec->field.empty() ? defn->GetFieldIndex(spec->field.c_str()) : -1;
    const int f_label = spec && !spec->label_field.empty() ? defn->GetFieldIndex(spec->label_field.c_str()) : -1;
    const int f_rank = defn->GetFieldIndex("rank");
    const int f_excl = defn->GetFieldIndex("excluded");
    const int f_conf = out.name == "claim_faces" ? defn->GetFieldIndex("conflicts") : -1;
    const GIntBig declared = l.GetFeatureCount(FALSE);
    l.ResetReading();
    // A damaged source ends the read early with an error: refused, not drawn in part.
    LayerReadCheck read_check(l, &ds, declared, ErrorPlace{path, out.name, {}, "", {}});
    for (auto& f : l) {
        read_check.feature(f->GetFID());
        OGRGeometry* g = f->GetGeometryRef();
        if (!g || g->IsEmpty()) continue;
        MapFeature m;
        m.geom.reset(g->clone());
        if (ct && m.geom->transform(ct.get()) != OGRERR_NONE) {
            throw Error(ErrorKind::input, "cannot reproject the feature to EPSG:28992", ErrorPlace{path, out.name, f->GetFID(), "", {}},
                        "check the layer's CRS");
        }
        if (spec) m.klass = class_of(*spec, *f, f_class);
        if (f_label >= 0 && f->IsFieldSetAndNotNull(f_label)) m.label = f->GetFieldAsString(f_label);
        if (f_rank >= 0 && f->IsFieldSetAndNotNull(f_rank)) m.rank = f->GetFieldAsInteger64(f_rank);
        m.excluded = f_excl >= 0 && f->IsFieldSetAndNotNull(f_excl) && f->GetFieldAsInteger(f_excl) != 0;
        m.marked = f_conf >= 0 && f->IsFieldSetAndNotNull(f_conf) && *f->GetFieldAsString(f_conf);
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

struct View {
    Box frame;  // mm on the page
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
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
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

std::string distance_text(double m) {
    char buf[32];
    if (m >= 1000) std::snprintf(buf, sizeof buf, "%g km", m / 1000);
    else std::snprintf(buf, sizeof buf, "%g m", m);
    return buf;
}

// Adds a pHYs chunk (pixels per metre) after IHDR, so viewers and printers know the dpi.
void png_set_dpi(const std::string& path, int dpi) {
    std::ifstream in(path, std::ios::binary);
    std::string png((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    if (png.size() < 33) return;
    auto crc32 = [](const std::string& bytes) {
        std::uint32_t c = 0xffffffffu;
        for (unsigned char b : bytes) {
            c ^= b;
            for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
        }
        return c ^ 0xffffffffu;
    };
    auto be32 = [](std::uint32_t v) {
        std::string s(4, '\0');
        for (int i = 0; i < 4; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
        return s;
    };
    const auto ppm = static_cast<std::uint32_t>(std::lround(dpi / 0.0254));
    const std::string body = "pHYs" + be32(ppm) + be32(ppm) + std::string(1, '\1');
    const std::string chunk = be32(9) + body + be32(crc32(body));
    png.insert(33, chunk);  // 8 signature + 25 IHDR
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << png;
}

}  // namespace

MapSummary render_map(const MapRequest& req) {
    namespace fs = std::filesystem;
    if (!req.extent.empty() && (req.extent.size() != 4 || !(req.extent[0] < req.extent[2]) || !(req.extent[1] < req.extent[3]))) {
        throw Error(ErrorKind::usage, "--extent must be XMIN,YMIN,XMAX,YMAX with XMIN < XMAX and YMIN < YMAX", {},
                    "give the corners in EPSG:28992 metres, for example --extent 120000,480000,140000,495000");
    }
    std::string ext = fs::path(req.output).extension().string();
    for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ext != ".pdf" && ext != ".png" && ext != ".svg") {
        throw Error(ErrorKind::usage, "the map's file name '" + req.output + "' does not end in .pdf, .png or .svg", {},
                    "name the output OUT.pdf, OUT.png or OUT.svg");
    }
    std::vector<std::string> inputs{parse_source(req.input).path};
    for (const auto& c : req.context) inputs.push_back(parse_source(c).path);
    check_output_path(req.output, req.overwrite, inputs);

    MapSummary summary;
    DatasetOpen main = open_layer(req.input, true);
    const std::string main_path = parse_source(req.input).path;
    const std::optional<styles::StyleSpec> spec = styles::default_style(*main.layer);
    const Layer data = read_layer(*main.ds, *main.layer, main_path, spec ? &*spec : nullptr);
    summary.layer = data.name;
    summary.features = data.features.size();
    if (data.features.empty()) {
        throw Error(ErrorKind::input, "the layer has no features to draw", ErrorPlace{main_path, data.name, {}, "", {}},
                    "choose a layer with features (ruimte info FILE lists them)");
    }
    std::vector<Layer> context;
    std::vector<DatasetOpen> context_open;
    for (const auto& c : req.context) {
        context_open.push_back(open_layer(c, false));
        context.push_back(read_layer(*context_open.back().ds, *context_open.back().layer, parse_source(c).path, nullptr));
    }

    // Page in mm.
    double W = req.paper == Paper::a3 ? 420 : 297, H = req.paper == Paper::a3 ? 297 : 210;
    if (!req.landscape) std::swap(W, H);
    const double k = req.paper == Paper::a3 ? 1.35 : 1.0;  // type and symbols grow with the paper
    const double margin = 10 * k;
    const double title_h = 16 * k, foot_h = 7 * k;
    const double panel_w = std::max(62.0 * k, W * 0.24);
    Box frame{margin, margin + title_h, W - margin - panel_w - 5 * k, H - margin - foot_h};
    if (!req.landscape) {  // portrait: legend under the map
        frame.x1 = W - margin;
        frame.y1 = H - margin - foot_h - 62 * k;
    }
    View v;
    v.frame = frame;
    {
        OGREnvelope e = data.extent;
        if (req.extent.empty()) {
            const double pad = 0.04 * std::max(e.MaxX - e.MinX, e.MaxY - e.MinY);
            e.MinX -= pad, e.MaxX += pad, e.MinY -= pad, e.MaxY += pad;
        } else {
            e.MinX = req.extent[0], e.MinY = req.extent[1], e.MaxX = req.extent[2], e.MaxY = req.extent[3];
        }
        const double fw = frame.x1 - frame.x0, fh = frame.y1 - frame.y0;
        v.s = std::min(fw / (e.MaxX - e.MinX), fh / (e.MaxY - e.MinY));
        v.minx = e.MinX;
        v.miny = e.MinY;
        v.ox = frame.x0 + (fw - (e.MaxX - e.MinX) * v.s) / 2;
        v.oy = frame.y1 - (fh - (e.MaxY - e.MinY) * v.s) / 2;
    }
    summary.scale = 1000.0 / v.s;

    AtomicOutput out(req.output, req.overwrite, inputs);
    const double pt = 72.0 / 25.4;
    Surface surface;
    double unit = pt;
    if (ext == ".pdf") {
        surface.reset(cairo_pdf_surface_create(out.temp_path().c_str(), W * pt, H * pt));
    } else if (ext == ".svg") {
        surface.reset(cairo_svg_surface_create(out.temp_path().c_str(), W * pt, H * pt));
        cairo_svg_surface_set_document_unit(surface.get(), CAIRO_SVG_UNIT_PT);
    } else {
        unit = req.dpi / 25.4;
        summary.width_px = static_cast<int>(std::lround(W * unit));
        summary.height_px = static_cast<int>(std::lround(H * unit));
        surface.reset(cairo_image_surface_create(CAIRO_FORMAT_RGB24, summary.width_px, summary.height_px));
    }
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
        throw Error(ErrorKind::output, std::string("cannot create the map: ") + cairo_status_to_string(cairo_surface_status(surface.get())),
                    ErrorPlace{req.output, "", {}, "", {}}, "check free disk space and write permission in the output folder");
    }
    Cairo cr_owner(cairo_create(surface.get()));
    cairo_t* cr = cr_owner.get();
    cairo_scale(cr, unit, unit);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    const bool en = req.english;

    // The map: context, features, hatching, marks, frame.
    cairo_save(cr);
    cairo_rectangle(cr, frame.x0, frame.y0, frame.x1 - frame.x0, frame.y1 - frame.y0);
    cairo_clip(cr);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    for (const Layer& c : context) {
        for (const auto& f : c.features) {
            geom_path(cr, v, *f.geom);
            cairo_set_source_rgb(cr, 0.96, 0.96, 0.95);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
            cairo_set_line_width(cr, 0.25 * k);
            cairo_stroke(cr);
        }
    }
    bool any_excluded = false, any_marked = false, any_unclassed = false;
    for (const auto& f : data.features) {
        // A feature smaller than 1.5 mm on paper is drawn as a marker in its class colour.
        OGREnvelope fe;
        f.geom->getEnvelope(&fe);
        const bool tiny = std::max(fe.MaxX - fe.MinX, fe.MaxY - fe.MinY) * v.s < 1.5 * k;
        if (tiny) {
            cairo_new_path(cr);
            cairo_arc(cr, v.x(f.ax), v.y(f.ay), 0.9 * k, 0, 2 * M_PI);
        } else {
            geom_path(cr, v, *f.geom);
        }
        const bool filled = f.klass >= 0 && spec && !spec->classes[static_cast<std::size_t>(f.klass)].fill.empty();
        if (filled) {
            set(cr, rgb(spec->classes[static_cast<std::size_t>(f.klass)].fill));
            cairo_fill_preserve(cr);
        } else if (f.klass < 0) {
            any_unclassed = true;
            cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
            cairo_fill_preserve(cr);
        }
        if (tiny) {
            cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
            cairo_set_line_width(cr, 0.12 * k);
        } else {
            set(cr, rgb(spec ? spec->outline : "#232323"));
            cairo_set_line_width(cr, std::max(0.1, (spec ? spec->outline_mm : 0.26)) * k);
        }
        cairo_stroke(cr);
        if (f.excluded && tiny) {
            any_excluded = true;
            cairo_save(cr);
            cairo_new_path(cr);
            cairo_arc(cr, v.x(f.ax), v.y(f.ay), 0.9 * k, 0, 2 * M_PI);
            cairo_clip(cr);
            hatch(cr, Box{v.x(f.ax) - k, v.y(f.ay) - k, v.x(f.ax) + k, v.y(f.ay) + k}, 0.6 * k);
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            cairo_set_line_width(cr, 0.15 * k);
            cairo_stroke(cr);
            cairo_restore(cr);
        } else if (f.excluded) {
            any_excluded = true;
            cairo_save(cr);
            geom_path(cr, v, *f.geom);
            cairo_clip(cr);
            OGREnvelope e;
            f.geom->getEnvelope(&e);
            hatch(cr, Box{v.x(e.MinX), v.y(e.MaxY), v.x(e.MaxX), v.y(e.MinY)}, 0.9 * k);
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            cairo_set_line_width(cr, 0.18 * k);
            cairo_stroke(cr);
            cairo_restore(cr);
        }
    }
    for (const auto& f : data.features) {
        if (!f.marked) continue;
        any_marked = true;
        geom_path(cr, v, *f.geom);
        cairo_set_source_rgb(cr, 0.843, 0.098, 0.110);
        cairo_set_line_width(cr, 0.6 * k);
        cairo_stroke(cr);
    }
    cairo_restore(cr);

    // Labels: the top N ranked candidates, else every named feature, largest first; a label
    // that would overlap another (or leave the frame) is left out.
    std::vector<const MapFeature*> order;
    const bool ranked = std::any_of(data.features.begin(), data.features.end(), [](const MapFeature& f) { return f.rank > 0; });
    for (const auto& f : data.features) {
        const Box anchor{v.x(f.ax), v.y(f.ay), v.x(f.ax), v.y(f.ay)};
        if (!anchor.inside(frame)) continue;  // outside the shown part (--extent)
        if (ranked ? (f.rank > 0 && f.rank <= req.top) : !f.label.empty()) order.push_back(&f);
    }
    std::stable_sort(order.begin(), order.end(), [&](const MapFeature* a, const MapFeature* b) {
        return ranked ? a->rank < b->rank : a->area > b->area;
    });
    std::vector<Box> placed;
    if (ranked) {
        // The ranked candidates' markers first, so no label covers another candidate's marker.
        for (const MapFeature* f : order) {
            const double ax = v.x(f->ax), ay = v.y(f->ay);
            cairo_new_path(cr);
            cairo_arc(cr, ax, ay, 0.8 * k, 0, 2 * M_PI);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            cairo_set_line_width(cr, 0.35 * k);
            cairo_stroke(cr);
            placed.push_back(Box{ax - 0.9 * k, ay - 0.9 * k, ax + 0.9 * k, ay + 0.9 * k});
        }
    }
    font(cr, 2.6 * k, ranked);
    for (const MapFeature* f : order) {
        const std::string s = ranked ? std::to_string(f->rank) + ". " + f->label : f->label;
        const double w = text_width(cr, s), h = 2.6 * k;
        const double ax = v.x(f->ax), ay = v.y(f->ay);
        const double d = ranked ? 1.6 * k : 0;
        // Candidate positions: centred (named areas), then right, left, above, below, diagonals.
        const std::vector<std::pair<double, double>> spots =
            ranked ? std::vector<std::pair<double, double>>{{ax + d, ay + h / 2 - 0.4},        {ax - d - w, ay + h / 2 - 0.4},
                                                            {ax - w / 2, ay - d},              {ax - w / 2, ay + d + h},
                                                            {ax + d, ay - d},                  {ax - d - w, ay - d},
                                                            {ax + d, ay + d + h},              {ax - d - w, ay + d + h}}
                   : std::vector<std::pair<double, double>>{{ax - w / 2, ay + h / 2 - 0.4}, {ax - w / 2, ay - h / 2}, {ax - w / 2, ay + h * 1.3}};
        bool done = false;
        for (const auto& [x, y] : spots) {
            const Box b{x - 0.6, y - h - 0.2, x + w + 0.6, y + 0.9};
            if (!b.inside(frame)) continue;
            if (std::any_of(placed.begin(), placed.end(), [&](const Box& o) { return o.overlaps(b); })) continue;
            halo_text(cr, x, y, s);
            placed.push_back(b);
            done = true;
            break;
        }
        if (done) ++summary.labels_placed;
        else ++summary.labels_dropped;
    }

    // Frame.
    cairo_rectangle(cr, frame.x0, frame.y0, frame.x1 - frame.x0, frame.y1 - frame.y0);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 0.35 * k);
    cairo_stroke(cr);

    // Title and subtitle.
    const std::string title = !req.title.empty() ? req.title : (spec ? spec->title(en) : data.name);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    font(cr, 6.5 * k, true);
    text(cr, margin, margin + 7 * k, title);
    font(cr, 3.2 * k);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    text(cr, margin, margin + 12.5 * k, (en ? "Layer " : "Laag ") + data.name + " - " + fs::path(main_path).filename().string() +
                                            (ranked ? (en ? " - labels: top " : " - labels: beste ") + std::to_string(req.top) : std::string()));

    // Legend.
    const double lx = req.landscape ? frame.x1 + 6 * k : margin;
    double ly = req.landscape ? frame.y0 + 2 * k : frame.y1 + 8 * k;
    const double sw = 8 * k, sh = 5 * k, row = 6.8 * k;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    font(cr, 3.6 * k, true);
    text(cr, lx, ly + 3 * k, en ? "Legend" : "Legenda");
    ly += 7 * k;
    font(cr, 3.0 * k, true);
    if (spec) {
        text(cr, lx, ly + 2.5 * k, spec->title(en));
        ly += 5 * k;
    }
    font(cr, 3.0 * k);
    auto swatch = [&](const std::string& label, auto draw) {
        draw(Box{lx, ly, lx + sw, ly + sh});
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        font(cr, 3.0 * k);
        text(cr, lx + sw + 3 * k, ly + sh - 1.2 * k, label);
        summary.legend.push_back(label);
        ly += row;
    };
    if (spec) {
        for (const auto& c : spec->classes) {
            swatch(en ? c.label_en : c.label_nl, [&](const Box& b) {
                cairo_rectangle(cr, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
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
    auto box_swatch = [&](const Box& b) { cairo_rectangle(cr, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0); };
    if (any_unclassed) {
        swatch(en ? "no value" : "geen waarde", [&](const Box& b) {
            box_swatch(b);
            cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
            cairo_set_line_width(cr, 0.25 * k);
            cairo_stroke(cr);
        });
    }
    if (any_excluded) {
        swatch(en ? "excluded" : "uitgesloten", [&](const Box& b) {
            cairo_save(cr);
            box_swatch(b);
            cairo_clip(cr);
            hatch(cr, b, 0.9 * k);
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            cairo_set_line_width(cr, 0.18 * k);
            cairo_stroke(cr);
            cairo_restore(cr);
            box_swatch(b);
            cairo_set_line_width(cr, 0.25 * k);
            cairo_stroke(cr);
        });
    }
    if (any_marked) {
        swatch(en ? "conflict between claims" : "conflict tussen claims", [&](const Box& b) {
            box_swatch(b);
            cairo_set_source_rgb(cr, 0.843, 0.098, 0.110);
            cairo_set_line_width(cr, 0.6 * k);
            cairo_stroke(cr);
        });
    }
    if (ranked && summary.labels_placed > 0) {
        swatch(en ? "rank (best " + std::to_string(req.top) + ")" : "rang (beste " + std::to_string(req.top) + ")", [&](const Box& b) {
            cairo_new_path(cr);
            cairo_arc(cr, (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, 0.8 * k, 0, 2 * M_PI);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            cairo_set_line_width(cr, 0.3 * k);
            cairo_stroke(cr);
        });
    }
    for (const Layer& c : context) {
        const std::string label = c.name == "gemeenten" ? (en ? "municipal boundary" : "gemeentegrens") : c.name;
        swatch(label, [&](const Box& b) {
            box_swatch(b);
            cairo_set_source_rgb(cr, 0.96, 0.96, 0.95);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
            cairo_set_line_width(cr, 0.25 * k);
            cairo_stroke(cr);
        });
    }

    // Scale bar and north arrow, at the bottom of the panel (landscape) or right under the map.
    {
        const double target = 42 * k;  // mm of paper
        const double ground = target / v.s;
        double nice = std::pow(10.0, std::floor(std::log10(ground)));
        for (double m : {5.0, 2.0, 1.0}) {
            if (m * std::pow(10.0, std::floor(std::log10(ground))) <= ground) {
                nice = m * std::pow(10.0, std::floor(std::log10(ground)));
                break;
            }
        }
        const double len = nice * v.s;
        const double sx = req.landscape ? lx : W - margin - len - 4 * k;
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
        text(cr, sx + len / 2, sy + 5 * k, distance_text(nice / 2), 0.5);
        text(cr, sx + len, sy + 5 * k, distance_text(nice), 0.5);
        const long long ratio = std::llround(summary.scale / 1000.0) * 1000;
        text(cr, sx, sy - 2 * k, (en ? "Scale 1 : " + thousands(ratio, ',') : "Schaal 1 : " + thousands(ratio, '.')) +
                                     (en ? " (at print size)" : " (op ware grootte)"));

        // North arrow (RD New grid north; within 2 degrees of true north in the Netherlands).
        const double nx = req.landscape ? lx + panel_w - 14 * k : frame.x1 - 8 * k;
        const double ny = req.landscape ? frame.y1 - 24 * k : frame.y0 + 6 * k;
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

    // Attribution.
    {
        std::vector<std::string> descriptions{data.description};
        for (const Layer& c : context) descriptions.push_back(c.description);
        const std::string a = attribution_line(main_path, descriptions, en);
        summary.attribution = a;
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        font(cr, 2.5 * k);
        text(cr, margin, H - margin + 0.5 * k, a);
    }

    cairo_show_page(cr);
    cr_owner.reset();
    if (ext == ".png") {
        if (cairo_surface_write_to_png(surface.get(), out.temp_path().c_str()) != CAIRO_STATUS_SUCCESS) {
            throw Error(ErrorKind::output, "cannot write the PNG", ErrorPlace{req.output, "", {}, "", {}},
                        "check free disk space and write permission in the output folder");
        }
        surface.reset();
        png_set_dpi(out.temp_path(), req.dpi);
    } else {
        cairo_surface_finish(surface.get());
        const cairo_status_t st = cairo_surface_status(surface.get());
        surface.reset();
        if (st != CAIRO_STATUS_SUCCESS) {
            throw Error(ErrorKind::output, std::string("cannot write the map: ") + cairo_status_to_string(st),
                        ErrorPlace{req.output, "", {}, "", {}}, "check free disk space and write permission in the output folder");
        }
    }
    out.commit();
    return summary;
}

}  // namespace ruimte
