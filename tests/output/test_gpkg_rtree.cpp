// The bulk-loaded GeoPackage R*Tree: SQLite's own rtreecheck() accepts it, window queries
// through it find exactly the features a full scan finds, GDAL uses it for spatial filters,
// and the GeoPackage triggers keep it right when the file is edited later.
#include <catch2/catch.hpp>

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <sqlite3.h>

#include <algorithm>
#include <random>
#include <set>

#include "io/support_io.hpp"
#include "spatial/output/gpkg_rtree.hpp"
#include "spatial/output/gpkg_writer.hpp"

using namespace ruimte;

namespace {

// Rows of (id, minx, maxx, miny, maxy).
std::vector<std::array<double, 5>> box_rows(const test::SqliteReader& db, const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    std::vector<std::array<double, 5>> out;
    while (sqlite3_step(st) == SQLITE_ROW) {
        std::array<double, 5> r{};
        for (int i = 0; i < 5; ++i) r[static_cast<std::size_t>(i)] = sqlite3_column_double(st, i);
        out.push_back(r);
    }
    sqlite3_finalize(st);
    return out;
}

struct Written {
    std::vector<OGREnvelope> env;  // by FID - 1; MinX > MaxX for a feature without geometry
};

// n features with random boxes (RD coordinates with decimals that floats cannot hold), plus
// one without geometry and one with an empty polygon when n > 0.
Written write_boxes(const std::string& path, std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> x(13000.0, 278000.0), y(306000.0, 619000.0), size(0.3, 2500.0);
    Written w;
    DatasetPtr ds = create_gpkg(path);
    OGRLayer* layer = create_layer(*ds, path, "boxes", wkbMultiPolygon, "test boxes");
    begin_transaction(*ds, path);
    for (std::size_t i = 0; i < n + (n > 0 ? 2 : 0); ++i) {
        OGRFeature f(layer->GetLayerDefn());
        OGREnvelope e;
        if (i == n / 2 && n > 0) {
            f.SetGeometry(nullptr);  // no geometry: not indexed
        } else if (i == n / 2 + 1 && n > 0) {
            OGRMultiPolygon empty;
            f.SetGeometry(&empty);  // empty: not indexed
        } else {
            const double x0 = x(rng), y0 = y(rng), w_ = size(rng), h = size(rng);
            OGRLinearRing ring;
            ring.addPoint(x0, y0);
            ring.addPoint(x0 + w_, y0);
            ring.addPoint(x0 + w_, y0 + h);
            ring.addPoint(x0, y0);
            OGRPolygon poly;
            poly.addRing(&ring);
            OGRMultiPolygon multi;
            multi.addGeometry(&poly);
            multi.getEnvelope(&e);
            f.SetGeometry(&multi);
        }
        write_feature(*layer, path, f);
        REQUIRE(f.GetFID() == static_cast<GIntBig>(w.env.size() + 1));
        if (e.IsInit()) w.env.push_back(e);
        else {
            OGREnvelope none;
            none.MinX = 1;
            none.MaxX = 0;
            w.env.push_back(none);
        }
    }
    commit_transaction(*ds, path);
    close_dataset(std::move(ds), path);
    return w;
}

bool hits(const OGREnvelope& e, double x0, double y0, double x1, double y1) {
    return e.MinX <= e.MaxX && e.MinX <= x1 && e.MaxX >= x0 && e.MinY <= y1 && e.MaxY >= y0;
}

}  // namespace

TEST_CASE("bulk-loaded R*Tree: rtreecheck ok, every box held, window queries match a full scan") {
    test::TempDir dir("gpkg_rtree");
    // 0: an empty root; 1 and 51: a root leaf (51 cells fill a node); 52: two levels;
    // 2602 = 51 * 51 + 1: three levels; 9000: three levels with partly filled slices.
    for (const std::size_t n :
         {std::size_t{0}, std::size_t{1}, std::size_t{51}, std::size_t{52}, std::size_t{2602}, std::size_t{9000}}) {
        CAPTURE(n);
        const std::string path = dir.file("boxes" + std::to_string(n) + ".gpkg");
        const Written w = write_boxes(path, n, 20261122U + n);
        test::SqliteReader db(path);
        CHECK(db.text("SELECT rtreecheck('rtree_boxes_geom')") == "ok");
        CHECK(db.text("SELECT count(*) FROM gpkg_extensions WHERE table_name = 'boxes' AND column_name = 'geom' "
                      "AND extension_name = 'gpkg_rtree_index' AND scope = 'write-only'") == "1");
        CHECK(db.text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree_boxes_geom_%'") ==
              "6");

        // Every feature with a non-empty geometry is in the tree once, its stored (32-bit) box
        // holds the exact envelope and is at most a float's rounding step larger.
        const auto all = box_rows(db, "SELECT id, minx, maxx, miny, maxy FROM rtree_boxes_geom");
        std::size_t with_geometry = 0;
        for (const auto& e : w.env) with_geometry += e.MinX <= e.MaxX ? 1 : 0;
        REQUIRE(all.size() == with_geometry);
        std::set<std::int64_t> seen;
        for (const auto& r : all) {
            const auto id = static_cast<std::int64_t>(r[0]);
            REQUIRE(seen.insert(id).second);
            REQUIRE(id >= 1);
            REQUIRE(static_cast<std::size_t>(id) <= w.env.size());
            const OGREnvelope& e = w.env[static_cast<std::size_t>(id - 1)];
            REQUIRE(e.MinX <= e.MaxX);
            CHECK(r[1] <= e.MinX);
            CHECK(r[2] >= e.MaxX);
            CHECK(r[3] <= e.MinY);
            CHECK(r[4] >= e.MaxY);
            CHECK(e.MinX - r[1] <= 0.0625);  // floats between 2^19 and 2^20 are 1/16 m apart
            CHECK(r[4] - e.MaxY <= 0.0625);
        }

        // Window queries answered by the tree (SQLite prunes subtrees by their boxes) equal a
        // filter over the stored boxes.
        std::mt19937_64 rng(7);
        std::uniform_real_distribution<double> x(0.0, 290000.0), y(300000.0, 625000.0), size(10.0, 60000.0);
        for (int q = 0; q < 40; ++q) {
            const double x0 = x(rng), y0 = y(rng), x1 = x0 + size(rng), y1 = y0 + size(rng);
            std::set<std::int64_t> expected;
            for (const auto& r : all) {
                if (r[1] <= x1 && r[2] >= x0 && r[3] <= y1 && r[4] >= y0)
                    expected.insert(static_cast<std::int64_t>(r[0]));
            }
            std::set<std::int64_t> got;
            for (const auto& r : box_rows(
                     db, "SELECT id, minx, maxx, miny, maxy FROM rtree_boxes_geom WHERE minx <= " + std::to_string(x1) +
                             " AND maxx >= " + std::to_string(x0) + " AND miny <= " + std::to_string(y1) +
                             " AND maxy >= " + std::to_string(y0))) {
                got.insert(static_cast<std::int64_t>(r[0]));
            }
            CHECK(got == expected);
        }
    }
}

TEST_CASE("bulk-loaded R*Tree: GDAL filters through it, and edits through the triggers keep it right") {
    test::TempDir dir("gpkg_rtree");
    const std::string path = dir.file("edit.gpkg");
    const Written w = write_boxes(path, 700, 11U);
    {
        DatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, nullptr, nullptr, nullptr));
        REQUIRE(ds);
        OGRLayer* layer = ds->GetLayerByName("boxes");
        REQUIRE(layer);
        CHECK(layer->TestCapability(OLCFastSpatialFilter));
        const double x0 = 100000, y0 = 400000, x1 = 180000, y1 = 500000;
        layer->SetSpatialFilterRect(x0, y0, x1, y1);
        std::set<GIntBig> got;
        for (auto& f : *layer) got.insert(f->GetFID());
        std::set<GIntBig> expected;
        for (std::size_t i = 0; i < w.env.size(); ++i) {
            if (hits(w.env[i], x0, y0, x1, y1)) expected.insert(static_cast<GIntBig>(i + 1));
        }
        REQUIRE_FALSE(expected.empty());
        CHECK(got == expected);
        layer->SetSpatialFilter(nullptr);

        // A new feature, a moved one and a deleted one.
        OGRFeature added(layer->GetLayerDefn());
        OGRPolygon square;
        OGRLinearRing ring;
        for (auto [px, py] : {std::pair{1.0, 1.0}, {2.0, 1.0}, {2.0, 2.0}, {1.0, 2.0}, {1.0, 1.0}})
            ring.addPoint(px, py);
        square.addRing(&ring);
        OGRMultiPolygon multi;
        multi.addGeometry(&square);
        added.SetGeometry(&multi);
        REQUIRE(layer->CreateFeature(&added) == OGRERR_NONE);
        std::unique_ptr<OGRFeature> moved(layer->GetFeature(3));
        REQUIRE(moved);
        multi.getGeometryRef(0)->getExteriorRing()->setPoint(2, 5.0, 5.0);
        moved->SetGeometry(&multi);
        REQUIRE(layer->SetFeature(moved.get()) == OGRERR_NONE);
        REQUIRE(layer->DeleteFeature(5) == OGRERR_NONE);
    }
    test::SqliteReader db(path);
    CHECK(db.text("SELECT rtreecheck('rtree_boxes_geom')") == "ok");
    CHECK(db.text("SELECT count(*) FROM rtree_boxes_geom") == std::to_string(700 + 1 - 1));
    CHECK(db.text("SELECT group_concat(id) FROM (SELECT id FROM rtree_boxes_geom WHERE maxx <= 10 ORDER BY id)") ==
          "3," + std::to_string(w.env.size() + 1));
    CHECK(db.text("SELECT count(*) FROM rtree_boxes_geom WHERE id = 5") == "0");
}

TEST_CASE(
    "GeoPackages are written with 16 KiB pages, a user's OGR_SQLITE_PRAGMA wins, and the R*Tree follows its node "
    "size") {
    test::TempDir dir("gpkg_rtree");
    write_boxes(dir.file("default.gpkg"), 10, 3U);
    CHECK(test::SqliteReader(dir.file("default.gpkg")).text("PRAGMA page_size") == "16384");
    // 1 KiB pages give R*Tree nodes of 960 bytes (39 cells): the bulk loader reads that size.
    CPLSetConfigOption("OGR_SQLITE_PRAGMA", "page_size=1024");
    const Written w = write_boxes(dir.file("small_pages.gpkg"), 3000, 5U);
    CPLSetConfigOption("OGR_SQLITE_PRAGMA", nullptr);
    test::SqliteReader db(dir.file("small_pages.gpkg"));
    CHECK(db.text("PRAGMA page_size") == "1024");
    CHECK(db.text("SELECT length(data) FROM rtree_boxes_geom_node WHERE nodeno = 1") == "960");
    CHECK(db.text("SELECT rtreecheck('rtree_boxes_geom')") == "ok");
    CHECK(db.text("SELECT count(*) FROM rtree_boxes_geom") == std::to_string(w.env.size() - 2));
}

TEST_CASE("pack_rtree: full nodes, one parent each, the root numbered 1 with the depth") {
    std::vector<RTreeEntry> entries;
    for (int i = 0; i < 2602; ++i)
        entries.push_back({i + 1, double(i % 50), double(i / 50), double(i % 50) + 0.5, double(i / 50) + 0.5});
    const PackedRTree t = pack_rtree(entries, 1228);
    REQUIRE_FALSE(t.nodes.empty());
    CHECK(t.nodes.front().number == 1);
    CHECK(t.nodes.front().parent == 0);
    CHECK(t.nodes.front().blob[1] == 2);  // depth: leaves, one level above, the root
    std::set<std::int64_t> numbers;
    for (const auto& n : t.nodes) {
        CHECK(n.blob.size() == 1228);
        numbers.insert(n.number);
        if (n.number != 1) CHECK(n.parent >= 1);
    }
    CHECK(numbers.size() == t.nodes.size());
    CHECK(*numbers.rbegin() == static_cast<std::int64_t>(t.nodes.size()));
    // 2602 entries need ceil(2602 / 51) = 52 leaves at least; STR slices leave a few partly filled.
    CHECK(t.leaf_of.size() == 2602);
    std::set<std::int64_t> leaves;
    for (const auto& [id, leaf] : t.leaf_of) leaves.insert(leaf);
    CHECK(leaves.size() >= 52);
    CHECK(leaves.size() <= 60);
    CHECK_THROWS(pack_rtree(entries, 40));  // a node must hold two cells
}

TEST_CASE("pack_rtree: boxes with equal centres keep the order they had, so runs are reproducible") {
    // x falls as the id grows, y is the same for all: the x sort reverses the input, and the y
    // sort of each slice (all ties) must keep that reversed order, so every leaf holds a run
    // of ids counting down.
    std::vector<RTreeEntry> entries;
    for (int i = 0; i < 1000; ++i) entries.push_back({i + 1, -double(i), 5.0, -double(i) + 0.5, 6.0});
    const PackedRTree t = pack_rtree(entries, 1228);
    REQUIRE(t.leaf_of.size() == 1000);
    std::size_t runs_checked = 0;
    for (std::size_t k = 1; k < t.leaf_of.size(); ++k) {
        if (t.leaf_of[k].second != t.leaf_of[k - 1].second) continue;  // a new leaf
        CHECK(t.leaf_of[k].first == t.leaf_of[k - 1].first - 1);
        ++runs_checked;
    }
    CHECK(runs_checked > 900);
    // Identical boxes: the input order throughout.
    for (auto& e : entries) e = {e.id, 0.0, 0.0, 1.0, 1.0};
    const PackedRTree same = pack_rtree(entries, 1228);
    for (std::size_t k = 1; k < same.leaf_of.size(); ++k) {
        if (same.leaf_of[k].second == same.leaf_of[k - 1].second)
            CHECK(same.leaf_of[k].first == same.leaf_of[k - 1].first + 1);
    }
}
