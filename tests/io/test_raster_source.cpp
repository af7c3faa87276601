// Raster zonal statistics (issue 21): coverage-weighted statistics against a brute-force
// reference built from GEOS intersections of each cell box; the same field in EPSG:4326 and in
// RD gives the same answers; bad rasters are errors that name the file and the band.
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "spatial/core/error.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/io/raster_source.hpp"
#include "spatial/io/source.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {

// A one-band GeoTIFF; values row-major from the top-left cell.
void write_tif(const std::string& path, const std::array<double, 6>& gt, int cols, int rows,
               const std::vector<double>& values, GDALDataType type, const char* crs, std::optional<double> nodata) {
    ensure_gdal();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
    const char* opts[] = {"TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", nullptr};
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), cols, rows, 1, type, const_cast<char**>(opts)));
    REQUIRE(ds);
    std::array<double, 6> g = gt;
    ds->SetGeoTransform(g.data());
    if (crs) {
        OGRSpatialReference srs;
        srs.SetFromUserInput(crs);
        ds->SetSpatialRef(&srs);
    }
    GDALRasterBand* b = ds->GetRasterBand(1);
    if (nodata) b->SetNoDataValue(*nodata);
    std::vector<double> v = values;
    REQUIRE(b->RasterIO(GF_Write, 0, 0, cols, rows, v.data(), cols, rows, GDT_Float64, 0, 0, nullptr) == CE_None);
}

geos::Geom box_geom(const geos::Context& ctx, double x0, double y0, double x1, double y1) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "POLYGON((%.10f %.10f,%.10f %.10f,%.10f %.10f,%.10f %.10f,%.10f %.10f))", x0, y0, x1,
                  y0, x1, y1, x0, y1, x0, y0);
    return geos::from_wkt(ctx, buf);
}

struct Ref {
    std::vector<std::pair<double, double>> cells;  // (value, weight)
    double nodata = 0;
};

double ref_quantile(std::vector<std::pair<double, double>> cells, double q) {
    std::sort(cells.begin(), cells.end());
    double total = 0;
    for (const auto& c : cells) total += c.second;
    double cum = 0;
    for (const auto& c : cells) {
        cum += c.second;
        if (cum >= q * total * (1 - 1e-12)) return c.first;
    }
    return cells.back().first;
}

}  // namespace

TEST_CASE("raster statistics equal a brute-force GEOS reference, nodata excluded and reported", "[raster]") {
    test::TempDir dir("raster_stats");
    const std::string tif = dir.file("values.tif");
    const int cols = 37, rows = 29;
    const double x0 = 150000, y1 = 460000, cw = 25, ch = 25;
    std::mt19937 rng(21);
    std::uniform_real_distribution<double> u(0, 3);
    std::vector<double> values(static_cast<std::size_t>(cols * rows));
    for (auto& v : values) v = std::round(u(rng) * 8) / 8;  // many ties: quantiles must pick among equals
    for (std::size_t i = 0; i < values.size(); i += 7) values[i] = -9999;  // nodata cells
    write_tif(tif, {x0, cw, 0, y1, 0, -ch}, cols, rows, values, GDT_Float32, "EPSG:28992", -9999.0);

    const geos::Context ctx;
    // A polygon with a hole, a sliver narrower than a cell, and a part beyond the raster's east edge.
    const std::vector<std::string> wkts = {
        "POLYGON((150103 459311,150611 459402,150702 459870,150240 459955,150103 459311),"
        "(150300 459500,150420 459520,150380 459700,150300 459500))",
        "POLYGON((150010 459990,150800 459988,150800 459996,150010 459999,150010 459990))",
        "POLYGON((150850 459500,151200 459500,151200 459800,150850 459800,150850 459500))",
    };
    std::vector<geos::Geom> owned;
    for (const auto& w : wkts) owned.push_back(geos::from_wkt(ctx, w));
    const std::vector<const GEOSGeometry*> geoms = test::borrowed(owned);

    raster::RasterRequest req;
    req.path = tif;
    RunControl control;
    control.threads = 2;
    raster::ZonalResult z = raster::zonal_stats(req, geoms, control);
    REQUIRE(z.values.size() == 3);
    CHECK(z.info.nodata == -9999.0);
    CHECK(z.overlapping == 3);

    for (std::size_t c = 0; c < geoms.size(); ++c) {
        INFO("candidate " << c);
        Ref ref;
        for (int r = 0; r < rows; ++r) {
            for (int k = 0; k < cols; ++k) {
                const geos::Geom cell = box_geom(ctx, x0 + k * cw, y1 - (r + 1) * ch, x0 + (k + 1) * cw, y1 - r * ch);
                const double a = geos::intersection_area(ctx, geoms[c], cell.get());
                if (!(a > 0)) continue;
                const double v = values[static_cast<std::size_t>(r * cols + k)];
                if (v == -9999) ref.nodata += a;
                else ref.cells.emplace_back(static_cast<double>(static_cast<float>(v)), a);
            }
        }
        double sw = 0, swx = 0, mn = 1e300, mx = -1e300;
        for (const auto& [v, w] : ref.cells) {
            sw += w;
            swx += w * v;
            mn = std::min(mn, v);
            mx = std::max(mx, v);
        }
        const double mean = swx / sw;
        double ss = 0;
        for (const auto& [v, w] : ref.cells) ss += w * (v - mean) * (v - mean);
        raster::ValueStats& s = z.values[c];
        CHECK(s.data_weight() == Approx(sw).epsilon(1e-9));
        CHECK(s.nodata_weight() == Approx(ref.nodata).epsilon(1e-9).margin(1e-6));
        CHECK(ref.nodata > 0);  // the test must see nodata cells
        CHECK(s.mean() == Approx(mean).epsilon(1e-9));
        CHECK(s.stddev() == Approx(std::sqrt(ss / sw)).epsilon(1e-9));
        CHECK(s.min() == mn);
        CHECK(s.max() == mx);
        CHECK(s.quantile(0.5) == ref_quantile(ref.cells, 0.5));
        CHECK(s.quantile(0.9) == ref_quantile(ref.cells, 0.9));
        for (double t : {0.5, 1.25, 2.0}) {
            double above = 0, below = 0;
            for (const auto& [v, w] : ref.cells) {
                if (v > t) above += w;
                if (v < t) below += w;
            }
            CHECK(s.weight_above(t) == Approx(above).epsilon(1e-9).margin(1e-9));
            CHECK(s.weight_below(t) == Approx(below).epsilon(1e-9).margin(1e-9));
        }
        // The polygon's area in the raster CRS (RD here) is its GEOS area.
        CHECK(z.polygon_area[c] == Approx(geos::area(ctx, geoms[c])).epsilon(1e-12));
    }
    // The third polygon lies half outside: what is outside is neither data nor nodata, so
    // data + nodata is the part inside the raster (the caller's nodata_share adds the rest).
    CHECK(z.values[2].data_weight() + z.values[2].nodata_weight() == Approx(75 * 300.0).epsilon(1e-9));
}

TEST_CASE("the same field in EPSG:4326 and in RD gives the same statistics", "[raster]") {
    // Each raster holds, per cell, the longitude of its centre: in RD (10 m cells) through PROJ,
    // in EPSG:4326 (0.0001 degree cells) directly. A linear field: the weighted means must agree
    // to a fraction of a cell, and a polygon wholly inside has no nodata in either.
    test::TempDir dir("raster_crs");
    ensure_gdal();
    OGRSpatialReference rd, wgs;
    rd.importFromEPSG(28992);
    wgs.importFromEPSG(4326);
    rd.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    wgs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> to_wgs(OGRCreateCoordinateTransformation(&rd, &wgs));
    REQUIRE(to_wgs);
    const int n = 300;
    const double x0 = 154000, y1 = 464000, cell = 10;
    std::vector<double> rd_values(static_cast<std::size_t>(n * n));
    for (int r = 0; r < n; ++r) {
        for (int k = 0; k < n; ++k) {
            double x = x0 + (k + 0.5) * cell, y = y1 - (r + 0.5) * cell;
            REQUIRE(to_wgs->Transform(1, &x, &y));
            rd_values[static_cast<std::size_t>(r * n + k)] = x;
        }
    }
    write_tif(dir.file("rd.tif"), {x0, cell, 0, y1, 0, -cell}, n, n, rd_values, GDT_Float64, "EPSG:28992", {});
    double lon0 = x0, lat1 = y1;
    REQUIRE(to_wgs->Transform(1, &lon0, &lat1));
    lon0 -= 0.005;
    lat1 += 0.005;
    const int m = 700;
    const double d = 0.0001;
    std::vector<double> wgs_values(static_cast<std::size_t>(m * m));
    for (int r = 0; r < m; ++r)
        for (int k = 0; k < m; ++k) wgs_values[static_cast<std::size_t>(r * m + k)] = lon0 + (k + 0.5) * d;
    write_tif(dir.file("wgs.tif"), {lon0, d, 0, lat1, 0, -d}, m, m, wgs_values, GDT_Float64, "EPSG:4326", {});

    const geos::Context ctx;
    std::vector<geos::Geom> owned;
    owned.push_back(
        geos::from_wkt(ctx, "POLYGON((154500 463500,155800 463300,156200 462400,154900 461900,154500 463500))"));
    owned.push_back(
        geos::from_wkt(ctx, "POLYGON((156000 462000,156120 462000,156120 462030,156000 462030,156000 462000))"));
    const std::vector<const GEOSGeometry*> geoms = test::borrowed(owned);
    RunControl control;
    control.threads = 1;
    raster::RasterRequest req;
    req.path = dir.file("rd.tif");
    raster::ZonalResult a = raster::zonal_stats(req, geoms, control);
    req.path = dir.file("wgs.tif");
    raster::ZonalResult b = raster::zonal_stats(req, geoms, control);
    CHECK_FALSE(a.info.reprojected);
    CHECK(b.info.reprojected);
    CHECK_FALSE(b.info.operation.empty());
    for (std::size_t c = 0; c < geoms.size(); ++c) {
        INFO("candidate " << c);
        // 1e-6 degree of longitude is about 0.07 m here.
        CHECK(a.values[c].mean() == Approx(b.values[c].mean()).margin(2e-6));
        CHECK(a.values[c].quantile(0.5) == Approx(b.values[c].quantile(0.5)).margin(2e-4));
        CHECK(a.values[c].nodata_weight() == 0);
        CHECK(b.values[c].nodata_weight() == 0);
        // Everything inside the raster: the covered weight is the polygon's area in that CRS.
        CHECK(b.values[c].data_weight() == Approx(b.polygon_area[c]).epsilon(1e-7));
        CHECK(a.values[c].data_weight() == Approx(a.polygon_area[c]).epsilon(1e-9));
    }
}

TEST_CASE("bad rasters are errors naming the file and the band", "[raster]") {
    test::TempDir dir("raster_bad");
    const geos::Context ctx;
    std::vector<geos::Geom> owned;
    owned.push_back(geos::from_wkt(ctx, "POLYGON((150010 459010,150090 459010,150090 459090,150010 459010))"));
    const std::vector<const GEOSGeometry*> geoms = test::borrowed(owned);
    RunControl control;
    control.threads = 1;
    const std::vector<double> values(64 * 64, 1.0);
    raster::RasterRequest req;

    SECTION("corrupt TIFF") {
        const std::string good = dir.file("good.tif");
        write_tif(good, {150000, 5, 0, 459320, 0, -5}, 64, 64, values, GDT_Float32, "EPSG:28992", {});
        std::ifstream in(good, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        // The header survives, the tiles are gone: GDAL opens it and fails on the cells.
        std::ofstream(dir.file("cut.tif"), std::ios::binary)
            .write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
        std::ofstream(dir.file("junk.tif"), std::ios::binary) << "II*\0not a tiff at all";
        for (const char* name : {"cut.tif", "junk.tif"}) {
            req.path = dir.file(name);
            try {
                raster::zonal_stats(req, geoms, control);
                FAIL("no error for " << name);
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::input);
                CHECK(e.place().file == req.path);
                CHECK_FALSE(e.hint().empty());
            }
        }
    }
    SECTION("no CRS: an error, unless one is assumed") {
        req.path = dir.file("nocrs.tif");
        write_tif(req.path, {150000, 5, 0, 459320, 0, -5}, 64, 64, values, GDT_Float32, nullptr, {});
        try {
            raster::zonal_stats(req, geoms, control);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.message() == "the raster has no CRS");
            CHECK(e.place().file == req.path);
            CHECK(e.place().layer == "band 1");
        }
        req.assume_crs = "EPSG:28992";
        const raster::ZonalResult z = raster::zonal_stats(req, geoms, control);
        CHECK(z.info.crs_assumed);
        CHECK(z.values[0].mean() == 1.0);
    }
    SECTION("a band the raster does not have") {
        req.path = dir.file("one.tif");
        req.band = 2;
        write_tif(req.path, {150000, 5, 0, 459320, 0, -5}, 64, 64, values, GDT_Float32, "EPSG:28992", {});
        try {
            raster::zonal_stats(req, geoms, control);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.message() == "the raster has 1 band(s), no band 2");
            CHECK(e.place().layer == "band 2");
        }
    }
    SECTION("a raster that overlaps no candidate: no statistics, no error") {
        req.path = dir.file("far.tif");
        write_tif(req.path, {10000, 5, 0, 400320, 0, -5}, 64, 64, values, GDT_Float32, "EPSG:28992", {});
        const raster::ZonalResult z = raster::zonal_stats(req, geoms, control);
        CHECK(z.overlapping == 0);
        CHECK(z.cells_read == 0);
        CHECK(std::isnan(z.values[0].mean()));
        CHECK(z.values[0].data_weight() == 0);
    }
}

// The floor of scripts/bench-raster.sh: the time to read just the raster windows the candidates
// touch (the same strips zonal_stats reads), with no coverage and no statistics. Hidden: run by
// the script with RUIMTE_BENCH_RASTER=FILE and RUIMTE_BENCH_CANDIDATES=FILE[:LAYER].
TEST_CASE("raster floor: read only the windows the candidates touch", "[.bench]") {
    const char* raster_path = std::getenv("RUIMTE_BENCH_RASTER");
    const char* cands = std::getenv("RUIMTE_BENCH_CANDIDATES");
    if (!raster_path || !cands) {
        WARN("set RUIMTE_BENCH_RASTER and RUIMTE_BENCH_CANDIDATES");
        return;
    }
    const FeatureLayer layer = read_polygon_layer(parse_source(cands), ReadOptions{});
    const std::vector<const GEOSGeometry*> geoms = layer.geometries();
    raster::RasterRequest req;
    req.path = raster_path;
    RunControl control;
    const auto t0 = std::chrono::steady_clock::now();
    const std::size_t cells = raster::read_touched_blocks(req, geoms, control);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("floor_seconds=%.3f cells=%zu candidates=%zu\n", s, cells, geoms.size());
    CHECK(cells > 0);
}
