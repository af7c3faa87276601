#pragma once
// Exact coverage fractions of a polygon over a raster grid: for every cell, the share of its
// area that lies inside the polygon (0..1), computed from the polygon's boundary alone, with
// no per-cell geometry and no sampling (issue 21, item 2).
//
// The method is exactextract's idea (walk each ring's edges through the cells they cross and
// let only those cells do geometric work; fill the interior without testing cells) in the
// form of a scanline accumulation. With shells counter-clockwise and holes clockwise (as
// area::rings_of gives them), the winding number w(x, y) of a valid polygon is 1 inside and 0
// outside, and w at a point is the signed count of edges crossing the horizontal line through
// it to its right (+1 upward, −1 downward). So the covered area of a cell [xa, xa + w] × row
// is, summed over the edges e and integrated along them,
//     Σ_e ∫_e clamp(x_e(y) − xa, 0, w) dy.
// Each edge is cut at the row lines and then at the column lines; a piece inside column k adds
// dy · (mean x of the piece − xa_k) to cell k (the trapezoid between the piece and the cell's
// left side) and dy · w to every cell left of k, which is stored once at k ("cover") and summed
// right to left along the row at the end. Interior cells get their 1 from that running sum,
// so the work is O(cells the boundary crosses + rows the edges span + cells of the window).
// Edges right of the window count as cover only, edges left of it and rows outside it are
// skipped: a polygon larger than the grid costs no more than its boundary inside the window.
//
// Exact in real arithmetic (linearity of the integral; no case analysis that rounding could
// flip), floating point only in the crossing points and the sums, done in cell units relative
// to the grid origin (x − x0, so RD coordinates lose no digits). The tests compare every cell
// with GEOS's intersection of the polygon and the cell box: agreement within 1e-9 of a cell.
//
// Limits: north-up grids only (no rotation/shear terms of a GDAL geotransform); the polygon
// must be valid (overlapping parts of an invalid MultiPolygon would count twice, then the
// fraction is clamped to 1); coordinates in the grid's CRS (transforming is the caller's).
#include <array>
#include <cstdint>
#include <vector>

#include "spatial/geometry/area_kernel.hpp"
#include "spatial/geometry/geos.hpp"

namespace ruimte::raster {

// A north-up raster grid: (x0, y0) is the top-left corner of cell (row 0, col 0); columns go
// east by cell_w, rows go south by |cell_h| (cell_h may be given negative, as in a GDAL
// geotransform's gt[5], or positive: only its size counts).
struct Grid {
    double x0 = 0, y0 = 0;
    double cell_w = 0, cell_h = 0;
    std::int64_t ncols = 0, nrows = 0;

    double cell_height() const noexcept { return cell_h < 0 ? -cell_h : cell_h; }
    double cell_area() const noexcept { return cell_w * cell_height(); }
    // The map box of the whole grid.
    geos::Box box() const noexcept;
};

// The grid of a GDAL geotransform (gt[0] x0, gt[1] cell width, gt[3] y0, gt[5] cell height,
// negative for north-up). Throws Error(input) for rotation or shear terms (gt[2], gt[4] not 0):
// rotated grids are out of scope.
Grid grid_from_geotransform(const std::array<double, 6>& gt, std::int64_t ncols, std::int64_t nrows);

// A rectangle of cells: columns col0 .. col0 + ncols − 1, rows row0 .. row0 + nrows − 1.
struct Window {
    std::int64_t col0 = 0, row0 = 0, ncols = 0, nrows = 0;
    bool empty() const noexcept { return ncols <= 0 || nrows <= 0; }
    std::int64_t cells() const noexcept { return empty() ? 0 : ncols * nrows; }
};

// The cells of `grid` that the box touches (a box edge exactly on a cell line does not take
// in the cell beyond it), clipped to the grid; empty when the box misses the grid.
Window window_of(const Grid& grid, const geos::Box& box);

// The fraction (0..1) of each cell of `window` inside the polygon, row-major from the window's
// top-left cell.
struct Coverage {
    Window window;
    std::vector<double> fraction;  // window.nrows × window.ncols

    // The fraction of grid cell (row, col); 0 outside the window.
    double at(std::int64_t row, std::int64_t col) const noexcept;
    // Σ fraction: the covered area in cells (times grid.cell_area() for map units).
    double covered_cells() const noexcept;
};

// Coverage fractions of a valid Polygon or MultiPolygon (rings as area::rings_of gives them:
// shells counter-clockwise, holes clockwise) over the cells of `window` (clipped to the grid).
// Throws Error(input) for a grid with a cell size that is not positive and finite or a negative
// number of rows or columns.
Coverage coverage_fractions(const area::Rings& polygon, const Grid& grid, const Window& window);
// The same over the window the polygon's box touches (window_of).
Coverage coverage_fractions(const area::Rings& polygon, const Grid& grid);
// The same for a GEOS geometry (types other than Polygon/MultiPolygon cover nothing).
Coverage coverage_fractions(const geos::Context& ctx, const GEOSGeometry* polygon, const Grid& grid);
Coverage coverage_fractions(const geos::Context& ctx, const GEOSGeometry* polygon, const Grid& grid,
                            const Window& window);

}  // namespace ruimte::raster
