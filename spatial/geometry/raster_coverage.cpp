#include "spatial/geometry/raster_coverage.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "spatial/core/error.hpp"

namespace ruimte::raster {

namespace {

void check_grid(const Grid& g) {
    const bool sizes = std::isfinite(g.cell_w) && g.cell_w > 0 && std::isfinite(g.cell_h) && g.cell_h != 0;
    const bool origin = std::isfinite(g.x0) && std::isfinite(g.y0);
    if (!sizes || !origin || g.ncols < 0 || g.nrows < 0) {
        throw Error(ErrorKind::input,
                    "raster grid not usable: origin (" + std::to_string(g.x0) + ", " + std::to_string(g.y0) +
                        "), cell size " + std::to_string(g.cell_w) + " x " + std::to_string(g.cell_h) + ", " +
                        std::to_string(g.ncols) + " columns, " + std::to_string(g.nrows) + " rows",
                    {},
                    "give a finite origin, a positive finite cell width, a non-zero finite cell height and "
                    "non-negative numbers of rows and columns");
    }
}

Window clip(const Window& w, const Grid& g) {
    const std::int64_t c0 = std::clamp<std::int64_t>(w.col0, 0, g.ncols);
    const std::int64_t r0 = std::clamp<std::int64_t>(w.row0, 0, g.nrows);
    const std::int64_t c1 = std::clamp<std::int64_t>(w.col0 + std::max<std::int64_t>(w.ncols, 0), 0, g.ncols);
    const std::int64_t r1 = std::clamp<std::int64_t>(w.row0 + std::max<std::int64_t>(w.nrows, 0), 0, g.nrows);
    if (c1 <= c0 || r1 <= r0) return {};
    return {c0, r0, c1 - c0, r1 - r0};
}

// The accumulation over one window: per row, `area` (W cells) and `cover` (W + 1 entries: the
// last one for edge pieces right of the window, which cover the whole row to their left).
class Accumulator {
  public:
    Accumulator(std::int64_t cols, std::int64_t rows, double* area)
        : cols_(cols), rows_(rows), area_(area), cover_(static_cast<std::size_t>((cols + 1) * rows), 0.0) {}

    // The edge (ua, ta) → (ub, tb) in window cell units (u east, t south, the window's top-left
    // corner at 0, 0).
    void edge(double ua, double ta, double ub, double tb) {
        if (ta == tb) return;            // horizontal: crosses no horizontal line, adds nothing
        if (ua <= 0 && ub <= 0) return;  // left of the window: covers none of its cells
        const double tmin = std::min(ta, tb), tmax = std::max(ta, tb);
        if (tmax <= 0 || tmin >= static_cast<double>(rows_)) return;
        // Moving south (t up) is moving down in map y: the piece's signed dy is −dt.
        const double sign = tb > ta ? -1.0 : 1.0;
        const auto first = static_cast<std::int64_t>(std::max(0.0, std::floor(tmin)));
        const auto last = static_cast<std::int64_t>(std::min(static_cast<double>(rows_), std::ceil(tmax)));
        for (std::int64_t r = first; r < last; ++r) {
            const double ts = std::max(tmin, static_cast<double>(r)), te = std::min(tmax, static_cast<double>(r + 1));
            if (te <= ts) continue;
            // u where the edge is at ts and te; the edge's own end where it ends in this row.
            // The share of the edge (in 0..1) first: no overflow for an almost horizontal edge.
            const double us = ts == ta ? ua : ts == tb ? ub : ua + (ub - ua) * ((ts - ta) / (tb - ta));
            const double ue = te == ta ? ua : te == tb ? ub : ua + (ub - ua) * ((te - ta) / (tb - ta));
            piece(r, std::min(us, ue), std::max(us, ue), sign * (te - ts));
        }
    }

    // Sums the cover right to left into the cells, clamped to 0..1 (rounding only).
    void finish() {
        const auto w = static_cast<std::size_t>(cols_);
        for (std::int64_t r = 0; r < rows_; ++r) {
            double* area = area_ + static_cast<std::size_t>(r) * w;
            const double* cover = cover_.data() + static_cast<std::size_t>(r) * (w + 1);
            double running = cover[w];
            for (std::size_t c = w; c-- > 0;) {
                area[c] = std::clamp(area[c] + running, 0.0, 1.0);
                running += cover[c];
            }
        }
    }

  private:
    // A piece of an edge inside row r spanning u in [lo, hi], its signed area weight `dy` (the
    // signed height of the piece in cells, positive moving north). Cut at the column lines.
    void piece(std::int64_t r, double lo, double hi, double dy) {
        if (hi <= 0) return;
        double* area = area_ + static_cast<std::size_t>(r * cols_);
        double* cover = cover_.data() + static_cast<std::size_t>(r * (cols_ + 1));
        const auto w = static_cast<double>(cols_);
        if (lo >= w) {
            cover[cols_] += dy;
            return;
        }
        if (hi == lo) {  // vertical: one column (on a column line either side gives the same)
            const auto k = static_cast<std::int64_t>(std::floor(lo));
            area[k] += dy * (lo - static_cast<double>(k));
            cover[k] += dy;
            return;
        }
        const double span = hi - lo;
        double a = std::max(lo, 0.0);  // what lies left of the window covers none of its cells
        while (a < hi) {
            if (a >= w) {
                cover[cols_] += dy * ((hi - a) / span);
                return;
            }
            const double k = std::floor(a);
            const double b = std::min(hi, k + 1);
            const double part = dy * ((b - a) / span);  // the share first: no overflow
            const auto col = static_cast<std::int64_t>(k);
            area[col] += part * ((a + b) / 2 - k);
            cover[col] += part;
            a = b;
        }
    }

    std::int64_t cols_, rows_;
    double* area_;
    std::vector<double> cover_;
};

}  // namespace

geos::Box Grid::box() const noexcept {
    const double h = cell_height();
    return {x0, y0 - h * static_cast<double>(nrows), x0 + cell_w * static_cast<double>(ncols), y0};
}

Grid grid_from_geotransform(const std::array<double, 6>& gt, std::int64_t ncols, std::int64_t nrows) {
    if (gt[2] != 0 || gt[4] != 0) {
        throw Error(ErrorKind::input,
                    "raster grid is rotated or sheared (geotransform terms " + std::to_string(gt[2]) + ", " +
                        std::to_string(gt[4]) + "); coverage fractions need a north-up grid",
                    {}, "warp the raster to a north-up grid first (gdalwarp without rotation)");
    }
    const Grid g{gt[0], gt[3], gt[1], gt[5], ncols, nrows};
    check_grid(g);
    return g;
}

Window window_of(const Grid& grid, const geos::Box& box) {
    check_grid(grid);
    const double h = grid.cell_height();
    const double c0 = std::floor((box.xmin - grid.x0) / grid.cell_w);
    const double c1 = std::ceil((box.xmax - grid.x0) / grid.cell_w);
    const double r0 = std::floor((grid.y0 - box.ymax) / h);
    const double r1 = std::ceil((grid.y0 - box.ymin) / h);
    if (!(c1 > 0 && r1 > 0 && c0 < static_cast<double>(grid.ncols) && r0 < static_cast<double>(grid.nrows))) return {};
    const auto lo_c = static_cast<std::int64_t>(std::max(c0, 0.0));
    const auto lo_r = static_cast<std::int64_t>(std::max(r0, 0.0));
    const auto hi_c = static_cast<std::int64_t>(std::min(std::max(c1, c0 + 1), static_cast<double>(grid.ncols)));
    const auto hi_r = static_cast<std::int64_t>(std::min(std::max(r1, r0 + 1), static_cast<double>(grid.nrows)));
    return clip({lo_c, lo_r, hi_c - lo_c, hi_r - lo_r}, grid);
}

double Coverage::at(std::int64_t row, std::int64_t col) const noexcept {
    if (row < window.row0 || col < window.col0 || row >= window.row0 + window.nrows ||
        col >= window.col0 + window.ncols) {
        return 0;
    }
    return fraction[static_cast<std::size_t>((row - window.row0) * window.ncols + (col - window.col0))];
}

double Coverage::covered_cells() const noexcept {
    double s = 0;
    for (double f : fraction) s += f;
    return s;
}

Coverage coverage_fractions(const area::Rings& polygon, const Grid& grid, const Window& window) {
    check_grid(grid);
    Coverage out;
    out.window = clip(window, grid);
    if (out.window.empty()) return out;
    out.fraction.assign(static_cast<std::size_t>(out.window.cells()), 0.0);
    Accumulator acc(out.window.ncols, out.window.nrows, out.fraction.data());
    // Window cell units, relative to the grid origin first (no digits lost to large map
    // coordinates), then to the window's corner (an integer shift).
    const double h = grid.cell_height();
    const auto c0 = static_cast<double>(out.window.col0), r0 = static_cast<double>(out.window.row0);
    for (const area::Ring& ring : polygon.rings) {
        const double* xy = ring.xy.data();
        const std::size_t n = ring.points();
        if (n < 2) continue;
        double pu = (xy[0] - grid.x0) / grid.cell_w - c0, pt = (grid.y0 - xy[1]) / h - r0;
        for (std::size_t i = 1; i < n; ++i) {
            const double u = (xy[2 * i] - grid.x0) / grid.cell_w - c0, t = (grid.y0 - xy[2 * i + 1]) / h - r0;
            acc.edge(pu, pt, u, t);
            pu = u;
            pt = t;
        }
    }
    acc.finish();
    return out;
}

Coverage coverage_fractions(const area::Rings& polygon, const Grid& grid) {
    check_grid(grid);  // also for a polygon with no rings
    if (polygon.rings.empty()) return {};
    return coverage_fractions(polygon, grid, window_of(grid, polygon.box));
}

Coverage coverage_fractions(const geos::Context& ctx, const GEOSGeometry* polygon, const Grid& grid) {
    return coverage_fractions(area::rings_of(ctx, polygon), grid);
}

Coverage coverage_fractions(const geos::Context& ctx, const GEOSGeometry* polygon, const Grid& grid,
                            const Window& window) {
    return coverage_fractions(area::rings_of(ctx, polygon), grid, window);
}

}  // namespace ruimte::raster
