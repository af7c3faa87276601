// Rank-interval chart (sensitivity): SVG or PNG drawn with cairo.
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>

#include "spatial/core/error.hpp"
#include "spatial/render/cairo_ptr.hpp"
#include "spatial/render/chart.hpp"
#include "spatial/render/png_meta.hpp"

namespace ruimte {

namespace {

// A step between axis ticks of 1, 2 or 5 x 10^k giving at most about 10 ticks.
double tick_step(double range) {
    double step = 1;
    while (range / step > 10) {
        if (range / (step * 2) <= 10) return step * 2;
        if (range / (step * 5) <= 10) return step * 5;
        step *= 10;
    }
    return step;
}

void text(cairo_t* cr, double x, double y, const std::string& s, double size, bool bold = false, double align = 0) {
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, s.c_str(), &ext);
    cairo_move_to(cr, x - align * ext.x_advance, y);
    cairo_show_text(cr, s.c_str());
}

void check(cairo_status_t status, const std::string& path) {
    if (status != CAIRO_STATUS_SUCCESS) {
        throw Error(ErrorKind::output, std::string("cannot write the chart: ") + cairo_status_to_string(status),
                    ErrorPlace::at(path), "check free disk space and write permission in the output folder");
    }
}
}  // namespace

void write_rank_chart(const RankChart& chart, const std::string& path, bool svg, const std::string& display_path) {
    const std::string& named = display_path.empty() ? path : display_path;  // errors name the output
    const double row_h = 24, left = 260, right = 30, top = 92, bottom = 56, width = 900;
    const double height = top + bottom + row_h * static_cast<double>(std::max<std::size_t>(chart.rows.size(), 1));
    const double plot_w = width - left - right;
    double max_rank = 1;
    for (const auto& r : chart.rows) max_rank = std::max({max_rank, r.p95, r.base_rank, r.median});
    max_rank = std::max(max_rank, 2.0);
    auto x_of = [&](double rank) { return left + (rank - 1) / (max_rank - 1) * plot_w; };

    // The layout is in CSS pixels (1/96 inch): PNG at 300 dpi, SVG and PDF as vectors in points.
    constexpr int kDpi = 300;
    const bool pdf = !svg && std::filesystem::path(named).extension() == ".pdf";
    const double unit = svg || pdf ? 72.0 / 96.0 : kDpi / 96.0;
    Surface surface(svg   ? cairo_svg_surface_create(path.c_str(), width * unit, height * unit)
                    : pdf ? cairo_pdf_surface_create(path.c_str(), width * unit, height * unit)
                          : cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(std::lround(width * unit)),
                                                       static_cast<int>(std::lround(height * unit))));
    check(cairo_surface_status(surface.get()), named);
    Cairo ctx(cairo_create(surface.get()));
    cairo_t* cr = ctx.get();
    cairo_scale(cr, unit, unit);

    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text(cr, 20, 30, chart.title, 17, true);
    text(cr, 20, 52, chart.subtitle, 12);

    // Legend.
    double lx = 20;
    const double ly = 74;
    cairo_set_source_rgb(cr, 0.55, 0.7, 0.85);
    cairo_rectangle(cr, lx, ly - 8, 28, 8);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text(cr, lx + 34, ly, chart.legend_interval, 11);
    lx += 240;
    cairo_arc(cr, lx + 5, ly - 4, 4.5, 0, 2 * M_PI);
    cairo_fill(cr);
    text(cr, lx + 16, ly, chart.legend_median, 11);
    lx += 110;
    cairo_set_source_rgb(cr, 0.8, 0.15, 0.1);
    cairo_set_line_width(cr, 2.5);
    cairo_move_to(cr, lx + 5, ly - 10);
    cairo_line_to(cr, lx + 5, ly + 2);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text(cr, lx + 14, ly, chart.legend_base, 11);

    // Axis and grid.
    const double axis_y = top + row_h * static_cast<double>(chart.rows.size()) + 6;
    const double step = tick_step(max_rank - 1);
    cairo_set_line_width(cr, 1);
    for (double t = 1; t <= max_rank + 1e-9; t = (t == 1 && step > 1) ? step : t + step) {
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_move_to(cr, x_of(t), top - 4);
        cairo_line_to(cr, x_of(t), axis_y);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        text(cr, x_of(t), axis_y + 16, std::to_string(static_cast<long long>(std::lround(t))), 11, false, 0.5);
    }
    text(cr, left + plot_w / 2, axis_y + 38, chart.axis, 12, false, 0.5);

    for (std::size_t i = 0; i < chart.rows.size(); ++i) {
        const RankChartRow& r = chart.rows[i];
        const double y = top + row_h * (static_cast<double>(i) + 0.5);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        text(cr, left - 12, y + 4, r.label, 11, false, 1.0);
        cairo_set_source_rgb(cr, 0.55, 0.7, 0.85);
        const double x0 = x_of(r.p05), x1 = x_of(r.p95);
        cairo_rectangle(cr, x0 - 2, y - 5, std::max(4.0, x1 - x0 + 4), 10);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.8, 0.15, 0.1);
        cairo_set_line_width(cr, 2.5);
        cairo_move_to(cr, x_of(r.base_rank), y - 9);
        cairo_line_to(cr, x_of(r.base_rank), y + 9);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_arc(cr, x_of(r.median), y, 4.5, 0, 2 * M_PI);
        cairo_fill(cr);
    }
    cairo_show_page(cr);
    ctx.reset();
    if (!svg && !pdf) {
        check(cairo_surface_write_to_png(surface.get(), path.c_str()), named);
        if (!png_add_metadata(path, kDpi, {})) check(CAIRO_STATUS_WRITE_ERROR, named);
    }
    cairo_surface_finish(surface.get());
    check(cairo_surface_status(surface.get()), named);
}

}  // namespace ruimte
