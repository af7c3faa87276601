// Raster layers in a profile (issue 21): parsing, metric names, and the class check of a
// raster_classes layer against real GeoTIFFs.
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <catch2/catch.hpp>

#include <cmath>

#include "spatial/core/error.hpp"
#include "spatial/criteria/profile.hpp"
#include "spatial/criteria/raster_layers.hpp"
#include "spatial/io/gdal_init.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {

const char* kRasterProfile =
    "[layers.diepte]\nsource = \"d.tif\"\ntype = \"raster_values\"\nthresholds = [0.5, 1]\nunit = \"m\"\n\n"
    "[layers.klassen]\nsource = \"k.tif\"\ntype = \"raster_classes\"\nclass_names = { 1 = \"laag\", 2 = \"hoog\" }\n\n"
    "[[exclusions]]\nmetric = \"diepte.share_above_1.0\"\nvalue = 0.1\n\n"
    "[[factors]]\nname = \"d\"\nkind = \"linear\"\nmetric = \"diepte.p90\"\nlower = 0\nupper = 2\nweight = 1\n\n"
    "[[factors]]\nname = \"k\"\nkind = \"linear\"\nmetric = \"klassen.share.hoog\"\nlower = 0\nupper = 1\nweight = 1\n";

Error error_of(const std::string& text) {
    try {
        parse_profile(text, "/tmp/p.toml");
    } catch (const Error& e) { return e; }
    FAIL("the profile loaded");
    throw;
}

void class_tif(const std::string& path, const std::vector<double>& values) {
    ensure_gdal();
    GDALDatasetUniquePtr ds(
        GetGDALDriverManager()->GetDriverByName("GTiff")->Create(path.c_str(), 4, 4, 1, GDT_Byte, nullptr));
    double gt[6] = {150000, 10, 0, 460040, 0, -10};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromEPSG(28992);
    ds->SetSpatialRef(&srs);
    ds->GetRasterBand(1)->SetNoDataValue(0);
    std::vector<double> v = values;
    REQUIRE(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 4, 4, v.data(), 4, 4, GDT_Float64, 0, 0, nullptr) ==
            CE_None);
}

}  // namespace

TEST_CASE("raster layers: parsing and metric names", "[raster]") {
    const Profile p = parse_profile(kRasterProfile, "/data/p.toml");
    REQUIRE(p.rasters.size() == 2);
    CHECK(p.layers.empty());
    CHECK(p.rasters[0].name == "diepte");
    CHECK(p.rasters[0].path == "/data/d.tif");
    CHECK(p.rasters[0].thresholds == std::vector<double>{0.5, 1});
    CHECK(p.rasters[1].classes == std::vector<std::string>{"laag", "hoog"});
    const MetricName m = parse_metric("diepte.share_above_1.0", p, 1, "k");
    CHECK(m.kind == MetricName::Kind::raster);
    CHECK(m.klass == "share_above_1");  // the canonical spelling of the threshold
    CHECK(raster_stat_names(p.rasters[0], {}).size() == 6 + 2 * 4 + 1);

    const Error e1 =
        error_of(std::string(kRasterProfile) + "[[exclusions]]\nmetric = \"diepte.share_above_2\"\nvalue = 0\n");
    CHECK(e1.kind() == ErrorKind::profile);
    CHECK_THAT(e1.message(), Catch::Contains("2 is not one of the thresholds of layer 'diepte'"));
    CHECK_THAT(e1.hint(), Catch::Contains("now: 0.5, 1"));
    std::string bad = kRasterProfile;
    bad.replace(bad.find("unit = \"m\""), 10, "units = \"m\"");
    const Error e2 = error_of(bad);
    CHECK(e2.place().key == "layers.diepte.units");
    CHECK(e2.place().line == 5);
    bad = kRasterProfile;
    bad.replace(bad.find("thresholds = [0.5, 1]"), 21, "class_names = {}");
    CHECK_THAT(error_of(bad).message(), Catch::Contains("class_names belongs to raster_classes layers"));
}

TEST_CASE("raster_classes: cell values become classes, an unnamed value is an error", "[raster]") {
    test::TempDir dir("raster_classes");
    const geos::Context ctx;
    std::vector<geos::Geom> owned;
    owned.push_back(
        geos::from_wkt(ctx, "POLYGON((150005 460005,150035 460005,150035 460035,150005 460035,150005 460005))"));
    const std::vector<const GEOSGeometry*> geoms = test::borrowed(owned);
    RunControl control;
    control.threads = 1;
    // Rows from the top: 1 1 2 2 / 1 1 2 2 / 0 0 2 2 / 0 0 2 2 (0 = nodata).
    class_tif(dir.file("k.tif"), {1, 1, 2, 2, 1, 1, 2, 2, 0, 0, 2, 2, 0, 0, 2, 2});
    Profile p = parse_profile(kRasterProfile, dir.file("p.toml"));
    const RasterLayerResult r = compute_raster_layer(p.rasters[1], geoms, {900.0}, "", control);
    REQUIRE(r.classes == std::vector<std::string>{"laag", "hoog"});
    // The 30 x 30 m square covers 4 x 4 cells, the outer ones by halves and quarters (9 cells in
    // all): laag 1.5 x 1.5 = 2.25 cells, hoog 1.5 x 3 = 4.5, nodata 2.25.
    CHECK(r.stat("share.laag")[0] == Approx(2.25 / 9));
    CHECK(r.stat("share.hoog")[0] == Approx(4.5 / 9));
    CHECK(r.stat("area_m2.hoog")[0] == Approx(900 * 4.5 / 9));
    CHECK(r.stat("nodata_share")[0] == Approx(2.25 / 9));

    class_tif(dir.file("k.tif"), {1, 1, 2, 7, 1, 1, 2, 2, 0, 0, 2, 2, 0, 0, 2, 2});
    try {
        compute_raster_layer(p.rasters[1], geoms, {900.0}, "", control);
        FAIL("no error for cell value 7");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK(e.place().file == dir.file("k.tif"));
        CHECK(e.place().layer == "band 1");
        CHECK_THAT(e.message(), Catch::Contains("cell value 7 is not a class the profile names for layer 'klassen'"));
        CHECK_THAT(e.message(), Catch::Contains("values found under the candidates: 1, 2, 7"));
    }
    // Catalogue codes: 1..5 are the WBS classes; without names, the values are the classes.
    p.rasters[1].names.clear();
    p.rasters[1].classes.clear();
    const RasterLayerResult plain = compute_raster_layer(p.rasters[1], geoms, {900.0}, "", control);
    CHECK(plain.classes == std::vector<std::string>{"1", "2", "7"});
    p.rasters[1].catalogue = "wbs";
    p.rasters[1].classes = {"ja", "ja_mits_klein", "ja_mits_groot", "nee_tenzij", "nee"};
    class_tif(dir.file("k.tif"), {1, 1, 2, 2, 1, 1, 2, 2, 0, 0, 2, 2, 0, 0, 2, 2});
    const RasterLayerResult wbs = compute_raster_layer(p.rasters[1], geoms, {900.0}, "", control);
    CHECK(wbs.stat("share.ja_mits_klein")[0] == Approx(4.5 / 9));
    CHECK(wbs.stat("share.ja")[0] == Approx(2.25 / 9));
}
