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

#include "ruimte/version.hpp"
#include "spatial/core/error.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/io/read_check.hpp"
#include "spatial/io/source.hpp"
#include "spatial/output/atomic_output.hpp"
#include "spatial/output/attribution.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/styles.hpp"
#include "spatial/render/cairo_ptr.hpp"

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
    std::int64_t rank = 0;  // 0: unranked
    bool excluded = false;
    bool marked = false;  // claim conflict
    double area = 0;
    double ax = 0, ay = 0;  // label anchor (a point on the surface)
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
        throw Error(ErrorKind::input, "cannot open: " + gdal_last_error(), ErrorPlace::at(spec.path, spec.layer),
                    "check the path; give FILE[:LAYER]");
    }
    if (!spec.layer.empty()) {
        out.layer = out.ds->GetLayerByName(spec.layer.c_str());
    } else {
        // The first spatial layer in ruimte's order of interest, else the first spatial one.
        for (const char* n :
             {"candidates_scored", "candidates_selected", "check_locations", "claim_faces", "region_balance"}) {
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
    bool excluded = false, marked = false, unclassed = false;
};

void draw_context(cairo_t* cr, const View& v, const std::vector<Layer>& context, double k) {
    for (const Layer& c : context) {
        for (const auto& f : c.features) {
            throw_if_cancelled();  // Ctrl-C while drawing
            geom_path(cr, v, *f.geom);
            cairo_set_source_rgb(cr, 0.96, 0.96, 0.95);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
            cairo_set_line_width(cr, 0.25 * k);
            cairo_stroke(cr);
        }
    }
}

void hatch_excluded(cairo_t* cr, const View& v, const MapFeature& f, bool tiny, double k) {
    cairo_save(cr);
    if (tiny) {
        cairo_new_path(cr);
        cairo_arc(cr, v.x(f.ax), v.y(f.ay), 0.9 * k, 0, 2 * M_PI);
        cairo_clip(cr);
        hatch(cr, Box{v.x(f.ax) - k, v.y(f.ay) - k, v.x(f.ax) + k, v.y(f.ay) + k}, 0.6 * k);
        cairo_set_line_width(cr, 0.15 * k);
    } else {
        geom_path(cr, v, *f.geom);
        cairo_clip(cr);
        OGREnvelope e;
        f.geom->getEnvelope(&e);
        hatch(cr, Box{v.x(e.MinX), v.y(e.MaxY), v.x(e.MaxX), v.y(e.MinY)}, 0.9 * k);
        cairo_set_line_width(cr, 0.18 * k);
    }
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_stroke(cr);
    cairo_restore(cr);
}

// The layer's features in their class colours (a feature smaller than 1.5 mm on paper as a
// marker), excluded ones hatched, then the conflict outlines.
Drawn draw_features(cairo_t* cr, const View& v, const Layer& data, const styles::StyleSpec* spec, double k) {
    Drawn drawn;
    for (const auto& f : data.features) {
        throw_if_cancelled();  // Ctrl-C while drawing
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
            drawn.unclassed = true;
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
        if (f.excluded) {
            drawn.excluded = true;
            hatch_excluded(cr, v, f, tiny, k);
        }
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

// Labels: the top N ranked candidates, else every named feature, largest first; a label that
// would overlap another (or leave the frame) is left out. Returns whether the layer is ranked.
bool draw_labels(cairo_t* cr, const View& v, const Box& frame, const Layer& data, int top, double k,
                 MapSummary& summary) {
    std::vector<const MapFeature*> order;
    const bool ranked =
        std::any_of(data.features.begin(), data.features.end(), [](const MapFeature& f) { return f.rank > 0; });
    for (const auto& f : data.features) {
        const Box anchor{v.x(f.ax), v.y(f.ay), v.x(f.ax), v.y(f.ay)};
        if (!anchor.inside(frame)) continue;  // outside the shown part (--extent)
        if (ranked ? (f.rank > 0 && f.rank <= top) : !f.label.empty()) order.push_back(&f);
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
            ranked ? std::vector<std::pair<double, double>>{{ax + d, ay + h / 2 - 0.4}, {ax - d - w, ay + h / 2 - 0.4},
                                                            {ax - w / 2, ay - d},       {ax - w / 2, ay + d + h},
                                                            {ax + d, ay - d},           {ax - d - w, ay - d},
                                                            {ax + d, ay + d + h},       {ax - d - w, ay + d + h}}
                   : std::vector<std::pair<double, double>>{
                         {ax - w / 2, ay + h / 2 - 0.4}, {ax - w / 2, ay - h / 2}, {ax - w / 2, ay + h * 1.3}};
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
    return ranked;
}

// The frame around the map, the title and the subtitle (layer, file, what is labelled).
void draw_frame_and_title(cairo_t* cr, const Page& page, const MapRequest& req, const styles::StyleSpec* spec,
                          const Layer& data, const std::string& main_path, bool ranked) {
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
    text(cr, page.margin, page.margin + 12.5 * k,
         (en ? "Layer " : "Laag ") + data.name + " - " + fs::path(main_path).filename().string() +
             (ranked ? (en ? " - labels: top " : " - labels: beste ") + std::to_string(req.top) : std::string()));
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
                 const std::vector<Layer>& context, const Drawn& drawn, bool ranked, MapSummary& summary) {
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
            cairo_save(cr);
            legend.box(b);
            cairo_clip(cr);
            hatch(cr, b, 0.9 * k);
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            cairo_set_line_width(cr, 0.18 * k);
            cairo_stroke(cr);
            cairo_restore(cr);
            legend.box(b);
            cairo_set_line_width(cr, 0.25 * k);
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
    if (ranked && summary.labels_placed > 0) {
        legend.row(en ? "rank (best " + std::to_string(req.top) + ")" : "rang (beste " + std::to_string(req.top) + ")",
                   [&](const Box& b) {
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
        legend.row(label, [&](const Box& b) { legend.filled_box(b, 0.96, 0.96, 0.95, 0.55); });
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
    text(cr, sx + len / 2, sy + 5 * k, distance_text(nice / 2), 0.5);
    text(cr, sx + len, sy + 5 * k, distance_text(nice), 0.5);
    const long long ratio = std::llround(scale / 1000.0) * 1000;
    text(cr, sx, sy - 2 * k,
         (en ? "Scale 1 : " + thousands(ratio, ',') : "Schaal 1 : " + thousands(ratio, '.')) +
             (en ? " (at print size)" : " (op ware grootte)"));

    // North arrow (RD New grid north; within 2 degrees of true north in the Netherlands).
    const double nx = req.landscape ? lx + page.panel_w - 14 * k : frame.x1 - 8 * k;
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

// Ends the page and writes the PDF/SVG (already streaming to the temporary file) or the PNG.
void finish_canvas(Canvas& canvas, const std::string& ext, const AtomicOutput& out, const MapRequest& req) {
    cairo_show_page(canvas.cr);
    canvas.owner.reset();
    canvas.cr = nullptr;
    if (ext == ".png") {
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
        png_set_dpi(out.temp_path(), req.dpi);
    } else {
        cairo_surface_finish(canvas.surface.get());
        cairo_status_t st = cairo_surface_status(canvas.surface.get());
        canvas.surface.reset();
        if (!canvas.file->close() && st == CAIRO_STATUS_SUCCESS) st = CAIRO_STATUS_WRITE_ERROR;
        throw_if_cancelled();
        if (st != CAIRO_STATUS_SUCCESS) {
            throw Error(ErrorKind::output, std::string("cannot write the map: ") + cairo_status_to_string(st),
                        ErrorPlace::at(req.output), "check free disk space and write permission in the output folder");
        }
    }
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
    const std::optional<styles::StyleSpec> style = styles::default_style(*main.layer);
    const styles::StyleSpec* spec = style ? &*style : nullptr;
    const Layer data = read_layer(*main.ds, *main.layer, main_path, spec);
    summary.layer = data.name;
    summary.features = data.features.size();
    if (data.features.empty()) {
        throw Error(ErrorKind::input, "the layer has no features to draw", ErrorPlace::at(main_path, data.name),
                    "choose a layer with features (ruimte info FILE lists them)");
    }
    std::vector<Layer> context;
    std::vector<DatasetOpen> context_open;
    for (const auto& c : req.context) {
        context_open.push_back(open_layer(c, false));
        context.push_back(
            read_layer(*context_open.back().ds, *context_open.back().layer, parse_source(c).path, nullptr));
    }

    const Page page = page_layout(req);
    const View v = fit_view(page.frame, data.extent, req.extent);
    summary.scale = 1000.0 / v.s;

    AtomicOutput out(req.output, req.overwrite, inputs);
    Canvas canvas = open_canvas(ext, out, page, req, summary);
    cairo_t* cr = canvas.cr;
    const Drawn drawn = draw_map(cr, v, page.frame, data, context, spec, page.k);
    const bool ranked = draw_labels(cr, v, page.frame, data, req.top, page.k, summary);
    draw_frame_and_title(cr, page, req, spec, data, main_path, ranked);
    draw_legend(cr, page, req, spec, context, drawn, ranked, summary);
    draw_scale_and_north(cr, page, v, req, summary.scale);
    summary.attribution = draw_attribution(cr, page, data, context, main_path, req.english);
    finish_canvas(canvas, ext, out, req);
    out.commit();
    return summary;
}

}  // namespace ruimte
