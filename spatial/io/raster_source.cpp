#include "spatial/io/raster_source.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <proj.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <mutex>
#include <numeric>

#include "spatial/core/error.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/geometry/area_kernel.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/io/source.hpp"

namespace ruimte::raster {

namespace {

std::string band_name(int band) {
    return "band " + std::to_string(band);
}

ErrorPlace place_of(const RasterRequest& req) {
    return ErrorPlace::at(req.path, band_name(req.band));
}

GDALDatasetUniquePtr open_dataset(const RasterRequest& req) {
    ensure_gdal();
    CPLErrorReset();
    GDALDatasetUniquePtr ds(GDALDataset::Open(req.path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!ds) {
        throw Error(ErrorKind::input, "GDAL cannot open the raster: " + gdal_last_error("not a raster GDAL reads"),
                    ErrorPlace::at(req.path),
                    "check the path and that the file is a complete raster (gdalinfo " + req.path + ")");
    }
    if (req.band < 1 || req.band > ds->GetRasterCount()) {
        throw Error(
            ErrorKind::input,
            "the raster has " + std::to_string(ds->GetRasterCount()) + " band(s), no " + band_name(req.band),
            place_of(req),
            "set band in the profile to a number from 1 to " + std::to_string(std::max(1, ds->GetRasterCount())));
    }
    return ds;
}

// The raster's CRS (or the assumed one); throws when it has none.
OGRSpatialReference raster_crs(GDALDataset& ds, const RasterRequest& req, bool& assumed) {
    OGRSpatialReference srs;
    assumed = false;
    if (const OGRSpatialReference* own = ds.GetSpatialRef()) {
        srs = *own;
    } else if (!req.assume_crs.empty()) {
        if (srs.SetFromUserInput(req.assume_crs.c_str()) != OGRERR_NONE) {
            throw Error(ErrorKind::usage, "--assume-crs '" + req.assume_crs + "' is not a CRS", place_of(req),
                        "give a CRS such as EPSG:28992");
        }
        assumed = true;
    } else {
        throw Error(ErrorKind::input, "the raster has no CRS", place_of(req),
                    "assign one (gdal_edit.py -a_srs EPSG:28992 " + req.path + ") or run with --assume-crs");
    }
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

bool is_rd_new(const OGRSpatialReference& srs) {
    OGRSpatialReference rd;
    if (rd.importFromEPSG(28992) != OGRERR_NONE) return false;
    const char* opts[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS",
                          nullptr};
    return srs.IsSame(&rd, opts);
}

struct PjDeleter {
    void operator()(PJ* p) const noexcept { proj_destroy(p); }
};
using Pj = std::unique_ptr<PJ, PjDeleter>;
struct CtxDeleter {
    void operator()(PJ_CONTEXT* c) const noexcept { proj_context_destroy(c); }
};

// EPSG:28992 to the raster's CRS, x/y (east/north) order on both sides; one per thread.
class ToRaster {
  public:
    ToRaster(const std::string& raster_wkt, const ErrorPlace& place) : ctx_(proj_context_create()) {
        proj_log_level(ctx_.get(), PJ_LOG_NONE);
        Pj src(proj_create(ctx_.get(), "EPSG:28992"));
        Pj dst(proj_create(ctx_.get(), raster_wkt.c_str()));
        if (!src || !dst)
            throw Error(ErrorKind::input, "PROJ cannot read the raster's CRS", place,
                        "give the raster a known CRS (for example EPSG:28992 or EPSG:4326)");
        Pj op(proj_create_crs_to_crs_from_pj(ctx_.get(), src.get(), dst.get(), nullptr, nullptr));
        if (!op)
            throw Error(ErrorKind::input, "PROJ finds no transformation from EPSG:28992 to the raster's CRS", place,
                        "warp the raster to EPSG:28992 first (gdalwarp -t_srs EPSG:28992)");
        op_.reset(proj_normalize_for_visualization(ctx_.get(), op.get()));
        if (!op_) throw Error(ErrorKind::internal, "PROJ normalisation failed", place);
    }

    bool apply(double& x, double& y) const {
        PJ_COORD c = proj_coord(x, y, 0, 0);
        c = proj_trans(op_.get(), PJ_FWD, c);
        if (!std::isfinite(c.xy.x) || !std::isfinite(c.xy.y)) return false;
        x = c.xy.x;
        y = c.xy.y;
        return true;
    }

    void record(RasterInfo& info) const {
        Pj last(proj_trans_get_last_used_operation(op_.get()));
        const PJ* used = last ? last.get() : op_.get();
        const PJ_PROJ_INFO pi = proj_pj_info(const_cast<PJ*>(used));
        const std::string desc = pi.description ? pi.description : "";
        const double acc = proj_coordoperation_get_accuracy(ctx_.get(), used);
        if (info.operation.empty()) {
            info.operation = desc;
            info.accuracy_m = acc;
        } else if (info.operation.find(desc) == std::string::npos) {
            info.operation += " | " + desc;
            info.accuracy_m = std::max(info.accuracy_m, acc);
        }
    }

  private:
    std::unique_ptr<PJ_CONTEXT, CtxDeleter> ctx_;
    Pj op_;
};

double signed_ring_area(const std::vector<double>& xy) {
    double s = 0;
    for (std::size_t i = 0; i + 3 < xy.size(); i += 2) s += xy[i] * xy[i + 3] - xy[i + 2] * xy[i + 1];
    return s / 2;
}

void set_boxes(area::Rings& rings) {
    bool first = true;
    for (area::Ring& r : rings.rings) {
        geos::Box b{r.xy[0], r.xy[1], r.xy[0], r.xy[1]};
        for (std::size_t i = 0; i < r.xy.size(); i += 2) {
            b = {std::min(b.xmin, r.xy[i]), std::min(b.ymin, r.xy[i + 1]), std::max(b.xmax, r.xy[i]),
                 std::max(b.ymax, r.xy[i + 1])};
        }
        r.box = b;
        rings.box = first ? b
                          : geos::Box{std::min(rings.box.xmin, b.xmin), std::min(rings.box.ymin, b.ymin),
                                      std::max(rings.box.xmax, b.xmax), std::max(rings.box.ymax, b.ymax)};
        first = false;
    }
}

// The candidate's rings in the raster's CRS, oriented as coverage_fractions needs them, with
// `area` its area there. Vertices are transformed; edges stay straight (candidate edges are
// short next to the curvature of any CRS used for Dutch data).
area::Rings rings_in_raster_crs(const geos::Context& ctx, const GEOSGeometry* g, const ToRaster* to) {
    area::Rings rings = area::rings_of(ctx, g);
    if (!to) return rings;
    double total = 0;
    for (area::Ring& r : rings.rings) {
        for (std::size_t i = 0; i + 1 < r.xy.size(); i += 2) {
            if (!to->apply(r.xy[i], r.xy[i + 1])) {
                throw Error(ErrorKind::input, "a candidate cannot be transformed into the raster's CRS", {},
                            "check that the raster's CRS covers the Netherlands");
            }
        }
        r.chunks.clear();
        total += signed_ring_area(r.xy);
    }
    if (total < 0) {  // a CRS with a flipped axis: the orientation flips with it
        for (area::Ring& r : rings.rings) {
            for (std::size_t i = 0, j = r.xy.size() - 2; i < j; i += 2, j -= 2) {
                std::swap(r.xy[i], r.xy[j]);
                std::swap(r.xy[i + 1], r.xy[j + 1]);
            }
        }
        total = -total;
    }
    rings.area = total;
    if (!rings.rings.empty()) set_boxes(rings);
    return rings;
}

// What one thread holds: its own dataset handle (GDAL datasets are not shared between
// threads), its transformation and its strip buffer.
struct Worker {
    GDALDatasetUniquePtr ds;
    GDALRasterBand* band = nullptr;
    std::unique_ptr<ToRaster> to;
    std::vector<double> buf;
    std::size_t cells_read = 0;
};

struct Setup {
    RasterInfo info;
    std::string wkt;  // the raster's CRS when the candidates must be transformed
    double nodata_cmp = 0;
};

Setup setup_of(const RasterRequest& req) {
    Setup s;
    GDALDatasetUniquePtr ds = open_dataset(req);
    s.info.path = req.path;
    s.info.band = req.band;
    std::array<double, 6> gt{};
    if (ds->GetGeoTransform(gt.data()) != CE_None) {
        throw Error(ErrorKind::input, "the raster has no georeferencing (no geotransform)", place_of(req),
                    "georeference it (gdal_translate -a_ullr or a world file)");
    }
    try {
        s.info.grid = grid_from_geotransform(gt, ds->GetRasterXSize(), ds->GetRasterYSize());
    } catch (const Error& e) { throw Error(ErrorKind::input, e.message(), place_of(req), e.hint()); }
    GDALRasterBand* band = ds->GetRasterBand(req.band);
    int has_nodata = 0;
    const double nd = band->GetNoDataValue(&has_nodata);
    const GDALDataType type = band->GetRasterDataType();
    s.info.data_type = GDALGetDataTypeName(type);
    if (has_nodata) {
        s.info.nodata = nd;
        // Cells are read as Float64: a Float32 nodata value compares as the float it is stored as.
        s.nodata_cmp = type == GDT_Float32 ? static_cast<double>(static_cast<float>(nd)) : nd;
    }
    bool assumed = false;
    const OGRSpatialReference srs = raster_crs(*ds, req, assumed);
    s.info.crs = describe_crs(srs);
    s.info.crs_assumed = assumed;
    if (is_rd_new(srs)) {
        s.info.operation = "none (raster is EPSG:28992)";
        s.info.accuracy_m = 0;
    } else {
        char* wkt = nullptr;
        const char* opts[] = {"FORMAT=WKT2_2019", nullptr};
        srs.exportToWkt(&wkt, opts);
        s.wkt = wkt ? wkt : "";
        CPLFree(wkt);
        s.info.reprojected = true;
    }
    return s;
}

void read_strip(Worker& w, const RasterRequest& req, const Window& strip) {
    w.buf.resize(static_cast<std::size_t>(strip.cells()));
    CPLErrorReset();
    const CPLErr err =
        w.band->RasterIO(GF_Read, static_cast<int>(strip.col0), static_cast<int>(strip.row0),
                         static_cast<int>(strip.ncols), static_cast<int>(strip.nrows), w.buf.data(),
                         static_cast<int>(strip.ncols), static_cast<int>(strip.nrows), GDT_Float64, 0, 0, nullptr);
    if (err != CE_None) {
        throw Error(ErrorKind::input,
                    "cannot read cells (rows " + std::to_string(strip.row0) + ".." +
                        std::to_string(strip.row0 + strip.nrows - 1) + ", columns " + std::to_string(strip.col0) +
                        ".." + std::to_string(strip.col0 + strip.ncols - 1) +
                        "): " + gdal_last_error("the file is damaged"),
                    place_of(req), "check the file with gdalinfo -checksum " + req.path);
    }
    w.cells_read += w.buf.size();
}

void prepare_worker(Worker& w, const RasterRequest& req, const Setup& s) {
    if (w.ds) return;
    w.ds = open_dataset(req);
    w.band = w.ds->GetRasterBand(req.band);
    if (!s.wkt.empty()) w.to = std::make_unique<ToRaster>(s.wkt, place_of(req));
}

// Adds candidate c's covered cells, strip by strip.
void accumulate(Worker& w, const RasterRequest& req, const Setup& s, const area::Rings& rings, const Window& window,
                ValueStats* values, ClassStats* classes) {
    const Grid& grid = s.info.grid;
    const double cell_area = grid.cell_area();
    const std::int64_t rows_per_strip =
        std::max<std::int64_t>(1, kStripCells / std::max<std::int64_t>(1, window.ncols));
    for (std::int64_t r0 = window.row0; r0 < window.row0 + window.nrows; r0 += rows_per_strip) {
        const Window strip{window.col0, r0, window.ncols, std::min(rows_per_strip, window.row0 + window.nrows - r0)};
        const Coverage cov = coverage_fractions(rings, grid, strip);
        read_strip(w, req, strip);
        for (std::size_t i = 0; i < w.buf.size(); ++i) {
            const double f = cov.fraction[i];
            // The kernel is exact to about 1e-12 of a cell: a cell the boundary only passes by
            // can get that much, which must not make it the minimum or the maximum.
            if (!(f > kMinFraction)) continue;
            const double weight = f * cell_area;
            const double v = w.buf[i];
            const bool nodata = std::isnan(v) || (s.info.nodata && v == s.nodata_cmp);
            if (values) {
                if (nodata) values->add_nodata(weight);
                else values->add(v, weight);
            } else if (nodata) {
                classes->add_nodata(weight);
            } else {
                if (v != std::floor(v) || std::fabs(v) > 9.0e15) {
                    throw Error(ErrorKind::input,
                                "a class raster cell holds " + fixed(v, 6) + ", not a whole number (row " +
                                    std::to_string(strip.row0 + static_cast<std::int64_t>(i) / strip.ncols) +
                                    ", column " +
                                    std::to_string(strip.col0 + static_cast<std::int64_t>(i) % strip.ncols) + ")",
                                place_of(req), "a raster_classes layer needs integer cell values; use raster_values");
                }
                classes->add(static_cast<std::int64_t>(v), weight);
            }
        }
    }
}

// Candidates in the order of their top edge (north first), so that neighbouring candidates
// read neighbouring blocks while GDAL still caches them.
std::vector<std::size_t> reading_order(const std::vector<const GEOSGeometry*>& candidates) {
    const geos::Context ctx;
    std::vector<std::pair<double, std::size_t>> key;
    key.reserve(candidates.size());
    for (std::size_t c = 0; c < candidates.size(); ++c) {
        const geos::Box b = geos::envelope(ctx, candidates[c]);
        key.emplace_back(-b.ymax, c);
    }
    std::sort(key.begin(), key.end());
    std::vector<std::size_t> order;
    order.reserve(key.size());
    for (const auto& k : key) order.push_back(k.second);
    return order;
}

// Candidates per work item: bands of the north-to-south order, two per thread. Each thread
// reads through its own dataset handle, and so decompresses into its own blocks: with small
// items both threads would work on the same rows of blocks at once and decompress each block
// twice; with bands they share only the blocks on the bands' edges.
std::size_t band_chunk(std::size_t n, const RunControl& control) {
    const std::size_t threads = std::max<std::size_t>(1, worker_count(n, control));
    return std::max<std::size_t>(8, (n + 2 * threads - 1) / (2 * threads));
}

// Runs work(ctx, worker, candidate) for every candidate, in bands of the north-to-south order,
// each worker with its own prepared dataset handle. Returns the workers (their counts and
// transformations).
std::vector<Worker> for_candidates_in_bands(
    const RasterRequest& req, const Setup& s, const std::vector<const GEOSGeometry*>& candidates,
    const RunControl& control, const std::function<void(const geos::Context&, Worker&, std::size_t)>& work) {
    const std::size_t n = candidates.size();
    const std::vector<std::size_t> order = reading_order(candidates);
    const std::size_t chunk = band_chunk(n, control);
    std::vector<Worker> workers(worker_count(n, control, chunk));
    parallel_for_workers(
        n, control,
        [&](const geos::Context& ctx, std::size_t wi, std::size_t i) {
            Worker& w = workers[wi];
            prepare_worker(w, req, s);
            work(ctx, w, order[i]);
        },
        chunk);
    return workers;
}

}  // namespace

RasterInfo open_raster(const RasterRequest& request) {
    return setup_of(request).info;
}

// GDAL keeps decompressed blocks in a cache of 5 % of the machine's memory by default (1.2 GB
// on 24 GB), which alone broke the 1 GB budget on a national grid. Unless the user set
// GDAL_CACHEMAX, it is held to kBlockCacheBytes: candidates are read north to south, so the
// blocks that a neighbour reuses are recent ones.
void bound_block_cache() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (CPLGetConfigOption("GDAL_CACHEMAX", nullptr)) return;
        if (GDALGetCacheMax64() > kBlockCacheBytes) GDALSetCacheMax64(kBlockCacheBytes);
    });
}

ZonalResult zonal_stats(const RasterRequest& req, const std::vector<const GEOSGeometry*>& candidates,
                        const RunControl& control) {
    bound_block_cache();
    const Setup s = setup_of(req);
    ZonalResult out;
    out.info = s.info;
    const std::size_t n = candidates.size();
    if (req.classes) out.classes.resize(n);
    else out.values.resize(n);
    out.polygon_area.assign(n, 0.0);
    std::vector<char> touches(n, 0);
    const std::vector<Worker> workers =
        for_candidates_in_bands(req, s, candidates, control, [&](const geos::Context& ctx, Worker& w, std::size_t c) {
            area::Rings rings;
            try {
                rings = rings_in_raster_crs(ctx, candidates[c], w.to.get());
            } catch (const Error& e) { throw Error(e.kind(), e.message(), place_of(req), e.hint()); }
            out.polygon_area[c] = rings.area;
            if (rings.rings.empty()) return;
            const Window window = window_of(s.info.grid, rings.box);
            if (window.empty()) return;
            touches[c] = 1;
            accumulate(w, req, s, rings, window, req.classes ? nullptr : &out.values[c],
                       req.classes ? &out.classes[c] : nullptr);
        });
    for (const Worker& w : workers) {
        out.cells_read += w.cells_read;
        if (w.to) w.to->record(out.info);
    }
    out.overlapping = static_cast<std::size_t>(std::count(touches.begin(), touches.end(), 1));
    return out;
}

std::size_t read_touched_blocks(const RasterRequest& req, const std::vector<const GEOSGeometry*>& candidates,
                                const RunControl& control) {
    bound_block_cache();
    const Setup s = setup_of(req);
    const std::vector<Worker> workers =
        for_candidates_in_bands(req, s, candidates, control, [&](const geos::Context& ctx, Worker& w, std::size_t c) {
            const area::Rings rings = rings_in_raster_crs(ctx, candidates[c], w.to.get());
            if (rings.rings.empty()) return;
            const Window window = window_of(s.info.grid, rings.box);
            if (window.empty()) return;
            const std::int64_t rows = std::max<std::int64_t>(1, kStripCells / std::max<std::int64_t>(1, window.ncols));
            for (std::int64_t r0 = window.row0; r0 < window.row0 + window.nrows; r0 += rows) {
                read_strip(w, req, {window.col0, r0, window.ncols, std::min(rows, window.row0 + window.nrows - r0)});
            }
        });
    std::size_t cells = 0;
    for (const Worker& w : workers) cells += w.cells_read;
    return cells;
}

}  // namespace ruimte::raster
