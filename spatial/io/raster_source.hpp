#pragma once
// Zonal statistics of raster layers with exact coverage fractions (issue 21, items 1 and 2).
//
// Any raster GDAL reads (GeoTIFF, COG, VRT, ASCII grid, ...), one band, in any CRS: each
// candidate (EPSG:28992) is transformed into the raster's CRS with PROJ (the operation and its
// accuracy are reported), its exact coverage fractions are computed over the cells its box
// touches (raster_coverage.hpp), and only that window is read, in strips of at most
// kStripCells cells. The raster is never read whole: memory is one strip per thread plus the
// candidate's covered cells (16 bytes each, for the quantiles) plus GDAL's block cache.
//
// Cells that hold the band's nodata value, NaN, or are outside the raster count as "no data".
// Weights are in the raster CRS's units (fraction × cell area); the callers turn them into
// shares of the candidate's area in that CRS (`polygon_area`), which do not depend on the CRS.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spatial/geometry/parallel.hpp"
#include "spatial/geometry/raster_coverage.hpp"
#include "spatial/geometry/raster_stats.hpp"

namespace ruimte::raster {

inline constexpr std::int64_t kStripCells = 1 << 20;
// Cells covered by less than this fraction count as not covered (rounding noise of the
// coverage kernel; 1e-9 of a 25 m cell is 0.6 mm2).
inline constexpr double kMinFraction = 1e-9;
// GDAL's block cache while reading rasters, unless GDAL_CACHEMAX is set (raster_source.cpp).
inline constexpr std::int64_t kBlockCacheBytes = std::int64_t{256} << 20;

struct RasterRequest {
    std::string path;
    int band = 1;
    bool classes = false;    // integral class values (ClassStats) instead of ValueStats
    std::string assume_crs;  // for a raster without a CRS (else that is an error)
};

struct RasterInfo {
    std::string path;
    int band = 1;
    Grid grid;
    std::optional<double> nodata;
    std::string data_type;  // GDAL's name, e.g. "Float32"
    std::string crs;        // e.g. "Amersfoort / RD New (EPSG:28992)"
    bool crs_assumed = false;
    bool reprojected = false;  // the candidates were transformed into the raster's CRS
    std::string operation;     // PROJ's description of the operation used
    double accuracy_m = -1;    // PROJ's stated accuracy; -1 when unknown
};

// Opens the raster and checks the band, the grid and the CRS; reads no cells. Errors name the
// file and the band: Error(input) for a file GDAL cannot open, a missing band, a rotated grid
// or a missing CRS.
RasterInfo open_raster(const RasterRequest& request);

struct ZonalResult {
    RasterInfo info;
    std::vector<ValueStats> values;    // per candidate (request.classes == false)
    std::vector<ClassStats> classes;   // per candidate (request.classes == true)
    std::vector<double> polygon_area;  // per candidate, its area in the raster's CRS
    std::size_t cells_read = 0;        // cells read over all candidates
    std::size_t overlapping = 0;       // candidates that touch the raster's extent
};

// Statistics of every candidate (valid polygons in EPSG:28992, envelopes warmed).
ZonalResult zonal_stats(const RasterRequest& request, const std::vector<const GEOSGeometry*>& candidates,
                        const RunControl& control);

// Reads every block the candidates' windows touch and nothing else (the floor a zonal
// statistic cannot beat); returns the number of cells read. For the benchmark.
std::size_t read_touched_blocks(const RasterRequest& request, const std::vector<const GEOSGeometry*>& candidates,
                                const RunControl& control);

}  // namespace ruimte::raster
