// Rows written straight through SQLite (GpkgRowWriter) must give the GeoPackage GDAL would
// have written: the same geometry blobs byte for byte, the same values and NULLs, the row
// count in gpkg_ogr_contents with its trigger back in place, and the extent in gpkg_contents.
#include <catch2/catch.hpp>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <sqlite3.h>

#include <cmath>
#include <limits>

#include "io/support_io.hpp"
#include "spatial/core/error.hpp"
#include "spatial/geometry/geos.hpp"
#include "spatial/io/ogr_geometry.hpp"
#include "spatial/output/gpkg_rows.hpp"
#include "spatial/output/gpkg_writer.hpp"

using namespace ruimte;

namespace {

const std::vector<std::string> kShapes = {
    "POLYGON((155000.125 463000.5,155100.75 463000.5,155100.75 463080.25,155000.125 463000.5))",
    "POLYGON((0 0,100 0,100 100,0 100,0 0),(10 10,10 20,20 20,20 10,10 10),(50 50,50 60,60 60,50 50))",
    "MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0)),((20 20,30 20,30 30,20 30,20 20),(22 22,22 24,24 24,22 22)))",
    "MULTIPOLYGON(((-5.5 -7.25,3 -7.25,3 1e-3,-5.5 -7.25)))",
};

}  // namespace

TEST_CASE("gpkg_multipolygon writes the blob GDAL writes for the same geometry", "[gpkg_rows]") {
    constexpr std::size_t kRows = 150;
    test::TempDir dir("gpkg_rows");
    const std::string path = dir.file("blobs.gpkg");
    geos::Context ctx;
    {
        DatasetPtr ds = create_gpkg(path);
        OGRLayer* by_gdal = create_layer(*ds, path, "by_gdal", wkbMultiPolygon, "GDAL's writer");
        OGRLayer* direct = create_layer(*ds, path, "direct", wkbMultiPolygon, "GpkgRowWriter");
        begin_transaction(*ds, path);
        // Enough rows for several multi-row INSERTs and a shorter last one; every seventh row
        // without a geometry (the spatial index must still find every row's own id).
        for (std::size_t i = 0; i < kRows; ++i) {
            OGRFeature f(by_gdal->GetLayerDefn());
            if (i % 7 != 6) {
                const geos::Geom g = geos::from_wkt(ctx, kShapes[i % kShapes.size()]);
                f.SetGeometryDirectly(to_ogr_multipolygon(ctx, g.get()).release());
            }
            write_feature(*by_gdal, path, f);
        }
        GpkgRowWriter rows(*ds, *direct, path);
        CHECK(rows.srs_id() == 28992);
        for (std::size_t i = 0; i < kRows; ++i) {
            if (i % 7 != 6) {
                const geos::Geom g = geos::from_wkt(ctx, kShapes[i % kShapes.size()]);
                GpkgGeometry blob = gpkg_multipolygon(ctx, g.get(), rows.srs_id());
                const geos::Box box = geos::envelope(ctx, g.get());
                CHECK(blob.box.xmin == box.xmin);
                CHECK(blob.box.ymin == box.ymin);
                CHECK(blob.box.xmax == box.xmax);
                CHECK(blob.box.ymax == box.ymax);
                rows.geometry(std::move(blob));
            }
            rows.insert();
        }
        rows.finish();
        // finish() built the spatial index from the rows' boxes; close_dataset() builds the
        // other table's by reading its geometries back (the two must agree, checked below).
        sqlite3_stmt* st = nullptr;
        auto* handle = static_cast<sqlite3*>(ds->GetInternalHandle("SQLITE_HANDLE"));
        REQUIRE(sqlite3_prepare_v2(handle,
                                   "SELECT coalesce(group_concat(name), '') FROM sqlite_master WHERE name IN "
                                   "('rtree_direct_geom', 'rtree_by_gdal_geom')",
                                   -1, &st, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(st) == SQLITE_ROW);
        CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "rtree_direct_geom");
        sqlite3_finalize(st);
        commit_transaction(*ds, path);
        close_dataset(std::move(ds), path);
    }
    test::SqliteReader db(path);
    CHECK(db.column("SELECT data FROM rtree_direct_geom_node ORDER BY nodeno") ==
          db.column("SELECT data FROM rtree_by_gdal_geom_node ORDER BY nodeno"));
    const auto expected = db.column("SELECT geom FROM by_gdal ORDER BY fid");
    const auto got = db.column("SELECT geom FROM direct ORDER BY fid");
    REQUIRE(expected.size() == kRows);
    REQUIRE(got.size() == kRows);
    for (std::size_t i = 0; i < kRows; ++i) {
        INFO(i << ": " << kShapes[i % kShapes.size()]);
        CHECK(got[i] == expected[i]);
    }
    // The extents GDAL keeps per feature and finish() writes are the same.
    CHECK(db.text("SELECT min_x || ' ' || min_y || ' ' || max_x || ' ' || max_y FROM gpkg_contents WHERE table_name = "
                  "'direct'") == db.text("SELECT min_x || ' ' || min_y || ' ' || max_x || ' ' || max_y FROM "
                                         "gpkg_contents WHERE table_name = 'by_gdal'"));
    CHECK(db.text("SELECT rtreecheck('rtree_direct_geom')") == "ok");
    CHECK(db.text("SELECT count(*) FROM rtree_direct_geom") == std::to_string(kRows - kRows / 7));
    CHECK(db.column("SELECT id FROM rtree_direct_geom ORDER BY id") ==
          db.column("SELECT id FROM rtree_by_gdal_geom ORDER BY id"));
}

TEST_CASE("gpkg_multipolygon refuses empty and non-polygonal geometries", "[gpkg_rows]") {
    geos::Context ctx;
    for (const char* wkt :
         {"POLYGON EMPTY", "LINESTRING(0 0,1 1)", "POINT(1 2)", "GEOMETRYCOLLECTION(POLYGON((0 0,1 0,1 1,0 0)))"}) {
        INFO(wkt);
        const geos::Geom g = geos::from_wkt(ctx, wkt);
        CHECK_THROWS_AS(gpkg_multipolygon(ctx, g.get(), 28992), Error);
    }
}

TEST_CASE("GpkgRowWriter: values and NULLs as written, the count kept, the trigger back", "[gpkg_rows]") {
    test::TempDir dir("gpkg_rows");
    const std::string path = dir.file("values.gpkg");
    geos::Context ctx;
    const std::size_t n = 150;  // two INSERTs of 64 rows and one of 22
    {
        DatasetPtr ds = create_gpkg(path);
        OGRLayer* plain = create_layer(*ds, path, "plain", wkbNone, "an attribute table");
        add_field(*plain, path, "i", OFTInteger64);
        add_field(*plain, path, "x", OFTReal);
        add_field(*plain, path, "s", OFTString);
        add_field(*plain, path, "b", OFTInteger, OFSTBoolean);
        OGRLayer* shapes = create_layer(*ds, path, "shapes", wkbMultiPolygon, "a feature table");
        add_field(*shapes, path, "name", OFTString);
        begin_transaction(*ds, path);
        {
            GpkgRowWriter rows(*ds, *plain, path);
            CHECK_THROWS_AS(rows.geometry(GpkgGeometry{}), Error);  // an attribute table has no geometry
            CHECK_THROWS_AS(rows.integer(4, 1), Error);             // nor a fifth field
            CHECK_THROWS_AS(rows.real(-1, 1.0), Error);
            for (std::size_t r = 0; r < n; ++r) {
                if (r % 5 != 1) rows.integer(0, static_cast<std::int64_t>(r) * 1000000007LL - 3);
                rows.real(1, r % 7 == 3 ? std::numeric_limits<double>::quiet_NaN() : 0.1 * static_cast<double>(r));
                if (r == 5) rows.text(2, std::string_view());  // empty, not NULL
                else if (r % 4 != 2) rows.text(2, r % 3 == 0 ? std::string("it's \"quoted\"; ë ∆") : std::to_string(r));
                rows.integer(3, r % 2);
                rows.insert();
            }
            rows.finish();
        }
        {
            GpkgRowWriter rows(*ds, *shapes, path);
            for (std::size_t r = 0; r < kShapes.size(); ++r) {
                rows.text(0, "shape " + std::to_string(r));
                const geos::Geom g = geos::from_wkt(ctx, kShapes[r]);
                rows.geometry(gpkg_multipolygon(ctx, g.get(), rows.srs_id()));
                rows.insert();
            }
            rows.finish();
        }
        commit_transaction(*ds, path);
        close_dataset(std::move(ds), path);
    }
    {
        test::SqliteReader db(path);
        CHECK(db.text("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'plain'") == std::to_string(n));
        CHECK(db.text("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'shapes'") ==
              std::to_string(kShapes.size()));
        CHECK(db.text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE "
                      "'trigger_%_feature_count_plain'") == "2");
        CHECK(db.text("SELECT typeof(x) FROM plain WHERE fid = 4") == "null");  // NaN
        CHECK(db.text("SELECT typeof(i) FROM plain WHERE fid = 2") == "null");  // not given
    }
    // GDAL reads back every value; its own insert afterwards is counted by the restored trigger.
    DatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, nullptr, nullptr, nullptr));
    REQUIRE(ds);
    OGRLayer* plain = ds->GetLayerByName("plain");
    REQUIRE(plain);
    CHECK(plain->GetFeatureCount(TRUE) == static_cast<GIntBig>(n));
    std::size_t r = 0;
    for (auto& f : *plain) {
        INFO("row " << r);
        CHECK(f->GetFID() == static_cast<GIntBig>(r + 1));
        if (r % 5 != 1) CHECK(f->GetFieldAsInteger64(0) == static_cast<GIntBig>(r) * 1000000007LL - 3);
        else CHECK(f->IsFieldNull(0));
        if (r % 7 == 3) CHECK(f->IsFieldNull(1));
        else CHECK(f->GetFieldAsDouble(1) == 0.1 * static_cast<double>(r));
        if (r == 5) CHECK((f->IsFieldSetAndNotNull(2) && std::string(f->GetFieldAsString(2)).empty()));
        else if (r % 4 == 2) CHECK(f->IsFieldNull(2));
        else
            CHECK(std::string(f->GetFieldAsString(2)) ==
                  (r % 3 == 0 ? std::string("it's \"quoted\"; ë ∆") : std::to_string(r)));
        CHECK(f->GetFieldAsInteger(3) == static_cast<int>(r % 2));
        ++r;
    }
    CHECK(r == n);
    OGRLayer* shapes = ds->GetLayerByName("shapes");
    REQUIRE(shapes);
    OGREnvelope extent;
    REQUIRE(shapes->GetExtent(&extent, FALSE) == OGRERR_NONE);
    CHECK(extent.MinX == -5.5);
    CHECK(extent.MinY == -7.25);
    CHECK(extent.MaxX == 155100.75);
    CHECK(extent.MaxY == 463080.25);
    OGRFeature added(plain->GetLayerDefn());
    added.SetField(2, "added by GDAL");
    REQUIRE(plain->CreateFeature(&added) == OGRERR_NONE);
    ds.reset();
    // Another program's insert, with nothing but SQLite: the trigger counts it.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    CHECK(sqlite3_exec(raw, "INSERT INTO plain (s) VALUES ('added by sqlite3')", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
    sqlite3_close(raw);
    test::SqliteReader db(path);
    CHECK(db.text("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'plain'") == std::to_string(n + 2));
}

TEST_CASE("GpkgRowWriter counts the rows a table had before it appended its own", "[gpkg_rows]") {
    test::TempDir dir("gpkg_rows_append");
    const std::string path = dir.file("append.gpkg");
    {
        DatasetPtr ds = create_gpkg(path);
        OGRLayer* plain = create_layer(*ds, path, "plain", wkbNone, "an attribute table");
        add_field(*plain, path, "i", OFTInteger64);
        add_field(*plain, path, "name", OFTString);
        for (int r = 0; r < 3; ++r) {  // through GDAL first
            OGRFeature f(plain->GetLayerDefn());
            f.SetField(0, static_cast<GIntBig>(r));
            write_feature(*plain, path, f);
        }
        begin_transaction(*ds, path);
        GpkgRowWriter rows(*ds, *plain, path);
        const std::vector<std::string> names{"drie", "vier", "", "zes ë"};
        for (int r = 3; r < 7; ++r) {
            rows.integer(0, r);
            rows.text(1, names[static_cast<std::size_t>(r - 3)]);
            rows.insert();
        }
        rows.finish();
        commit_transaction(*ds, path);
        close_dataset(std::move(ds), path);
    }
    test::SqliteReader db(path);
    CHECK(db.text("SELECT count(*) FROM plain") == "7");
    CHECK(db.column("SELECT quote(name) FROM plain WHERE i >= 3 ORDER BY i") ==
          std::vector<std::string>{"'drie'", "'vier'", "''", "'zes ë'"});
    CHECK(db.text("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'plain'") == "7");
}

TEST_CASE("update_by_fid sets a column by fid and leaves the rows given `keep`", "[gpkg_rows]") {
    std::vector<std::int64_t> ranks(200, 0);  // every third row ranked, the others kept NULL
    for (std::size_t k = 0; k < ranks.size(); k += 3) ranks[k] = static_cast<std::int64_t>(1000 + k);
    test::TempDir dir("update_by_fid");
    const std::string path = dir.file("ranks.gpkg");
    DatasetPtr ds = create_gpkg(path);
    OGRLayer* layer = create_layer(*ds, path, "t", wkbNone, "ranks");
    add_field(*layer, path, "rank", OFTInteger64);
    begin_transaction(*ds, path);
    {
        GpkgRowWriter rows(*ds, *layer, path);
        for (int i = 0; i < 200; ++i) rows.insert();  // 200 rows, rank NULL
        rows.finish();
    }
    update_by_fid(*ds, *layer, path, "rank", ranks, 0);
    commit_transaction(*ds, path);
    layer->ResetReading();
    std::size_t seen = 0;
    for (auto& f : *layer) {
        const auto k = static_cast<std::size_t>(f->GetFID() - 1);
        if (k % 3 == 0) {
            CHECK(f->GetFieldAsInteger64(0) == static_cast<GIntBig>(1000 + k));
        } else {
            CHECK_FALSE(f->IsFieldSetAndNotNull(0));
        }
        ++seen;
    }
    CHECK(seen == 200);
}
