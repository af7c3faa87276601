// Overview maps for reports, drawn with cairo into PNG bytes (see overview_map.hpp).
#include "spatial/render/overview_map.hpp"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "spatial/core/error.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/render/cairo_ptr.hpp"

namespace ruimte {

namespace {

constexpr double kTitleH = 34, kLegendH = 34, kPad = 10, kMarkerR = 5.5;

struct Rgb {
    double r = 0.5, g = 0.5, b = 0.5;
};

Rgb rgb(const std::string& hex) {
    unsigned r = 128, g = 128, b = 128;
    if (hex.size() == 7 && hex[0] == '#') std::sscanf(hex.c_str() + 1, "%2x%2x%2x", &r, &g, &b);
    return {r / 255.0, g / 255.0, b / 255.0};
}

struct Box {
    double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
    void add(double x, double y) {
        x0 = std::min(x0, x);
        y0 = std::min(y0, y);
        x1 = std::max(x1, x);
        y1 = std::max(y1, y);
    }
    void add(const OverviewRings& rings) {
        for (const auto& r : rings)
            for (std::size_t i = 0; i + 1 < r.size(); i += 2) add(r[i], r[i + 1]);
    }
    bool empty() const { return !(x0 <= x1 && y0 <= y1); }
    bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

// World to pixel: the extent fitted into the map frame, aspect kept, y up.
struct View {
    double scale = 1, ox = 0, oy = 0, frame_x = 0, frame_y = 0, frame_h = 0;
    double px(double x) const { return frame_x + (x - ox) * scale; }
    double py(double y) const { return frame_y + frame_h - (y - oy) * scale; }
};

View fit(Box world, double fx, double fy, double fw, double fh) {
    const double w = std::max(world.x1 - world.x0, 1.0), h = std::max(world.y1 - world.y0, 1.0);
    const double m = 0.06 * std::max(w, h);  // margin
    View v;
    v.scale = std::min(fw / (w + 2 * m), fh / (h + 2 * m));
    v.frame_x = fx;
    v.frame_y = fy;
    v.frame_h = fh;
    v.ox = (world.x0 + world.x1) / 2 - fw / 2 / v.scale;
    v.oy = (world.y0 + world.y1) / 2 - fh / 2 / v.scale;
    return v;
}

void path(cairo_t* cr, const OverviewRings& rings, const View& v) {
    for (const auto& r : rings) {
        for (std::size_t i = 0; i + 1 < r.size(); i += 2) {
            if (i == 0) cairo_move_to(cr, v.px(r[i]), v.py(r[i + 1]));
            else cairo_line_to(cr, v.px(r[i]), v.py(r[i + 1]));
        }
        cairo_close_path(cr);
    }
}

void font(cairo_t* cr, double size, bool bold = false) {
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

// Text with a white halo, its baseline at (x, y).
void halo_text(cairo_t* cr, double x, double y, const std::string& s) {
    cairo_move_to(cr, x, y);
    cairo_text_path(cr, s.c_str());
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, 3);
    cairo_stroke_preserve(cr);
    cairo_set_source_rgb(cr, 0.08, 0.08, 0.08);
    cairo_fill(cr);
}

// A label beside its anchor box (right, left, above, below), clear of the other labels and
// of the markers; false when no place is free.
bool place_label(cairo_t* cr, const std::string& s, const Box& anchor, std::vector<Box>& taken, const Box& frame) {
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    const double w = e.x_advance, h = 11, gap = 3;
    const double cx = (anchor.x0 + anchor.x1) / 2, cy = (anchor.y0 + anchor.y1) / 2;
    const double spots[4][2] = {{anchor.x1 + gap, cy - h / 2},
                                {anchor.x0 - gap - w, cy - h / 2},
                                {cx - w / 2, anchor.y0 - gap - h},
                                {cx - w / 2, anchor.y1 + gap}};
    for (const auto& s0 : spots) {
        Box b;
        b.add(s0[0], s0[1]);
        b.add(s0[0] + w, s0[1] + h);
        if (b.x0 < frame.x0 || b.x1 > frame.x1 || b.y0 < frame.y0 || b.y1 > frame.y1) continue;
        if (std::any_of(taken.begin(), taken.end(), [&](const Box& t) { return t.overlaps(b); })) continue;
        taken.push_back(b);
        halo_text(cr, b.x0, b.y1 - 1, s);
        return true;
    }
    return false;
}

// A scale bar of 1, 2 or 5 x 10^k metres, about a fifth of the frame wide.
void scale_bar(cairo_t* cr, const View& v, double x, double y, double frame_w) {
    const double target_m = frame_w / 5 / v.scale;
    double len = std::pow(10.0, std::floor(std::log10(std::max(target_m, 1.0))));
    if (len * 5 <= target_m) len *= 5;
    else if (len * 2 <= target_m) len *= 2;
    const double px = len * v.scale;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 2);
    cairo_move_to(cr, x, y - 5);
    cairo_line_to(cr, x, y);
    cairo_line_to(cr, x + px, y);
    cairo_line_to(cr, x + px, y - 5);
    cairo_stroke(cr);
    font(cr, 11);
    char buf[32];
    if (len >= 1000) std::snprintf(buf, sizeof buf, "%g km", len / 1000);
    else std::snprintf(buf, sizeof buf, "%g m", len);
    halo_text(cr, x + px + 6, y, buf);
}

void legend(cairo_t* cr, const OverviewMap& m, double y) {
    double x = kPad;
    font(cr, 11);
    for (const auto& [colour, text] : m.legend) {
        const Rgb c = rgb(colour);
        cairo_rectangle(cr, x, y - 10, 12, 12);
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        cairo_text_extents_t e;
        cairo_text_extents(cr, text.c_str(), &e);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_move_to(cr, x + 17, y);
        cairo_show_text(cr, text.c_str());
        x += 17 + e.x_advance + 16;
    }
}

cairo_status_t append_png(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

// One polygon: filled where it is large enough to see, else a marker; returns its box in pixels.
Box draw_polygon(cairo_t* cr, const OverviewRings& rings, const Rgb& c, const View& v, std::vector<Box>& taken,
                 OverviewSummary& sum) {
    Box w;
    w.add(rings);
    Box p;
    if (w.empty()) return p;
    p.add(v.px(w.x0), v.py(w.y1));
    p.add(v.px(w.x1), v.py(w.y0));
    if (p.x1 - p.x0 < 2 * kMarkerR || p.y1 - p.y0 < 2 * kMarkerR) {
        const double cx = (p.x0 + p.x1) / 2, cy = (p.y0 + p.y1) / 2;
        cairo_arc(cr, cx, cy, kMarkerR, 0, 2 * M_PI);
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_set_line_width(cr, 1.5);
        cairo_stroke(cr);
        p = Box{};
        p.add(cx - kMarkerR, cy - kMarkerR);
        p.add(cx + kMarkerR, cy + kMarkerR);
        ++sum.markers;
        taken.push_back(p);  // no label on a marker
        return p;
    }
    path(cr, rings, v);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    return p;
}

// The shapes, then their labels beside each shape's largest polygon (the last drawn first).
void draw_shapes(cairo_t* cr, const OverviewMap& m, const View& v, const Box& frame, OverviewSummary& sum) {
    std::vector<Box> anchors, taken;
    for (const OverviewShape& s : m.shapes) {
        if (anchors.size() % 256 == 0) throw_if_cancelled();  // Ctrl-C while drawing
        const Rgb c = rgb(s.fill);
        Box anchor;
        double best = -1;
        for (const OverviewRings& poly : s.polygons) {
            const Box p = draw_polygon(cr, poly, c, v, taken, sum);
            const double size = p.empty() ? -1 : (p.x1 - p.x0) * (p.y1 - p.y0);
            if (size > best) {
                best = size;
                anchor = p;
            }
        }
        anchors.push_back(anchor);
    }
    font(cr, 11, true);
    for (std::size_t i = m.shapes.size(); i-- > 0;) {
        if (i % 64 == 0) throw_if_cancelled();  // the label search grows with the labels placed
        if (m.shapes[i].label.empty() || anchors[i].empty()) continue;
        if (place_label(cr, m.shapes[i].label, anchors[i], taken, frame)) ++sum.labels;
    }
}

}  // namespace

OverviewSummary render_overview_map(const OverviewMap& m) {
    OverviewSummary sum;
    const double W = std::max(m.width_px, 200), H = std::max(m.height_px, 200);
    Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(W), static_cast<int>(H)));
    Cairo ctx(cairo_create(surface.get()));
    cairo_t* cr = ctx.get();
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);

    Box world;
    world.add(m.area);
    for (const auto& s : m.shapes)
        for (const auto& poly : s.polygons) world.add(poly);
    if (world.empty()) {
        world.add(0, 0);
        world.add(1, 1);
    }
    const double fx = kPad, fy = kTitleH, fw = W - 2 * kPad, fh = H - kTitleH - kLegendH;
    const View v = fit(world, fx, fy, fw, fh);
    sum.metres_per_px = 1 / v.scale;
    Box frame;
    frame.add(fx, fy);
    frame.add(fx + fw, fy + fh);

    cairo_save(cr);
    cairo_rectangle(cr, fx, fy, fw, fh);
    cairo_clip(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    if (!m.area.empty()) {
        path(cr, m.area, v);
        cairo_set_source_rgb(cr, 0.93, 0.93, 0.91);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
        cairo_set_line_width(cr, 1.2);
        cairo_stroke(cr);
    }
    draw_shapes(cr, m, v, frame, sum);
    cairo_restore(cr);

    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, fx + 0.5, fy + 0.5, fw - 1, fh - 1);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    font(cr, 15, true);
    cairo_move_to(cr, kPad, 23);
    cairo_show_text(cr, m.title.c_str());
    scale_bar(cr, v, fx + 12, fy + fh - 12, fw);
    legend(cr, m, H - 12);

    cairo_surface_flush(surface.get());
    const cairo_status_t st = cairo_surface_write_to_png_stream(surface.get(), append_png, &sum.png);
    if (st != CAIRO_STATUS_SUCCESS || cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        throw Error(ErrorKind::output, std::string("cannot draw the overview map: ") + cairo_status_to_string(st), {},
                    "check free memory");
    }
    return sum;
}

}  // namespace ruimte
