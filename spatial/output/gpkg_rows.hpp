#pragma once
// Rows appended to a table of an open GeoPackage straight through SQLite, for the tables of
// many rows (candidates_scored, overlay_areas, claim_faces).
//
// GDAL's per-feature path builds an OGRFeature and an OGRGeometry per row and binds them
// itself; for the 10,000 scored candidates that cost as much again as SQLite's own inserts
// (0.09 s against 0.05 s). Here each value is bound as it is, and the geometry goes in as a
// GeoPackage blob made from the GEOS coordinates; rows are held and written many to one
// INSERT, which saves most of SQLite's cost per statement. The table itself (schema, gpkg_contents,
// gpkg_geometry_columns) is made by create_layer() and add_field(), so GDAL stays in charge of
// the metadata; finish() writes what GDAL would have kept up to date per feature: the row
// count in gpkg_ogr_contents (its per-row trigger is suspended meanwhile, as GDAL does) and
// the extent in gpkg_contents; and it builds the table's spatial index from the boxes of the
// rows (gpkg_rtree.hpp) instead of reading them back when the file is closed.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <ogrsf_frmts.h>

#include "spatial/core/error.hpp"
#include "spatial/geometry/geos.hpp"
#include "spatial/io/ogr_geometry.hpp"
#include "spatial/io/source.hpp"
#include "spatial/output/gpkg_rtree.hpp"
#include "spatial/output/gpkg_writer.hpp"

struct sqlite3;

namespace ruimte::sqlite {
class BatchInsert;
}

namespace ruimte {

// A GeoPackage geometry blob (the "GP" header with an XY envelope, then ISO WKB, little
// endian) of a Polygon or MultiPolygon, always written as a MultiPolygon with the same rings
// and XY coordinates, and its box. Throws Error(internal) naming `where` for an empty or
// non-polygonal geometry.
struct GpkgGeometry {
    std::vector<unsigned char> blob;
    geos::Box box;
};
GpkgGeometry gpkg_multipolygon(const geos::Context& ctx, const GEOSGeometry* g, std::int32_t srs_id,
                               const ErrorPlace& where = {});

// The value calls of GpkgRowWriter into an OGRFeature, for the rows GDAL writes.
struct OgrFieldSink {
    OGRFeature& feature;
    void real(int field, double v);
    void integer(int field, std::int64_t v);
    void text(int field, std::string_view v);
};

// Whether every field is an integer, a real or text: the fields GpkgRowWriter::fields_from()
// copies. Dates, lists and binary fields are left to GDAL, which spells them as its GeoPackage
// driver does.
bool plain_fields(const OGRFeatureDefn& defn);

class GpkgRowWriter {
  public:
    // All the layer's fields, in its order, and its geometry column if it has one. The
    // dataset must be a GeoPackage opened by GDAL for writing; rows go into its current
    // transaction (begin_transaction) if there is one.
    GpkgRowWriter(GDALDataset& ds, OGRLayer& layer, const std::string& path);
    ~GpkgRowWriter();
    GpkgRowWriter(const GpkgRowWriter&) = delete;
    GpkgRowWriter& operator=(const GpkgRowWriter&) = delete;

    // The SRS id of the geometry column (gpkg_geometry_columns), for gpkg_multipolygon().
    std::int32_t srs_id() const { return srs_id_; }
    // Room for the boxes of `rows` rows with a geometry, made at once: grown by doubling, the
    // copy at millions of rows held both (at 9 million, 335 MB more for a moment).
    void reserve(std::size_t rows) { boxes_.reserve(rows); }

    // Values of the next row by OGR field index; a field given nothing is NULL. A NaN real is
    // NULL too (as SQLite and GDAL store it).
    void real(int field, double v);
    void integer(int field, std::int64_t v);
    void text(int field, std::string_view v);
    // The geometry blob (moved in when given a temporary).
    void geometry(GpkgGeometry g);
    // Every set field of `f` into the field of the same index (the table's first fields are
    // a copy of f's); only for features whose fields are all plain_fields().
    void fields_from(const OGRFeature& f);
    // Ends the row. Rows go into SQLite up to 64 at a time, one INSERT with many rows (a
    // third of the cost per row of one INSERT each for narrow tables), so a failure may be
    // reported at a later insert() or at finish(). Throws Error(output) naming the file and
    // table.
    void insert();
    // Writes the rows still held, then the row count, extent and spatial index; call once,
    // after the last insert and before the dataset is closed.
    void finish();

  private:
    struct Value {
        enum class Kind : unsigned char { null, integer, real, text } kind = Kind::null;
        std::int64_t i = 0;
        double d = 0;
        std::string text;  // its buffer reused from row to row
    };
    [[noreturn]] void fail(const std::string& what) const;
    Value& value(int field);
    void flush();  // writes the rows held
    sqlite3* db_ = nullptr;
    std::string path_, table_;
    std::size_t fields_ = 0;                       // the layer's fields
    std::size_t params_ = 0;                       // per row: the fields, then the geometry if any
    std::unique_ptr<sqlite::BatchInsert> insert_;  // up to insert_->rows() rows per INSERT
    std::vector<Value> held_;                      // insert_->rows() * params_ values of the rows held
    std::vector<GpkgGeometry> held_geometry_;      // per row held; an empty blob: none
    std::size_t rows_held_ = 0;
    int geometry_param_ = 0;  // 0: no geometry column
    std::int32_t srs_id_ = 0;
    std::string count_trigger_sql_;  // the feature count trigger, suspended
    std::string fid_column_, geometry_column_;
    std::int64_t rows_before_ = 0, inserted_ = 0;  // for the feature count
    std::vector<RTreeEntry> boxes_;                // of the rows with a geometry, for the spatial index
    bool has_extent_ = false;
    geos::Box extent_;
};

// The rows of a table whose first fields are a copy of the features' own (candidates_scored,
// candidates_selected), added in one go (write_copied_rows) or chunk by chunk (score's
// streaming: the features of each chunk freed after add()): row k of a call holds feature
// order(k)'s attributes, what add(sink, k) puts in (a sink with real(), integer() and text() by
// field index) and its geometry. Straight into SQLite when the features' fields are
// plain_fields(); otherwise through GDAL. Rows get fids 1, 2, ... in the order added (the table
// is new).
class CopiedRowWriter {
  public:
    CopiedRowWriter(GDALDataset& ds, OGRLayer& layer, const std::string& path, const OGRFeatureDefn& defn)
        : layer_(layer), path_(path) {
        if (plain_fields(defn)) {
            rows_ = std::make_unique<GpkgRowWriter>(ds, layer, path);
            return;
        }
        identity_.resize(static_cast<std::size_t>(defn.GetFieldCount()));
        for (std::size_t i = 0; i < identity_.size(); ++i) identity_[i] = static_cast<int>(i);
    }
    template <class Order, class Add>
    void add(const FeatureLayer& features, std::size_t n, Order&& order, Add&& add) {
        for (std::size_t k = 0; k < n; ++k) {
            const Feature& src = features.features[order(k)];
            if (rows_) {
                if (src.attributes) rows_->fields_from(*src.attributes);
                add(*rows_, k);
                rows_->geometry(gpkg_multipolygon(ctx_, src.geom.get(), rows_->srs_id(), features.place(src.fid)));
                rows_->insert();
                continue;
            }
            OGRFeature feat(layer_.GetLayerDefn());
            if (src.attributes) feat.SetFieldsFrom(src.attributes.get(), identity_.data(), TRUE);
            OgrFieldSink sink{feat};
            add(sink, k);
            feat.SetGeometryDirectly(to_ogr_multipolygon(ctx_, src.geom.get(), features.place(src.fid)).release());
            write_feature(layer_, path_, feat);
        }
    }
    void finish() {
        if (rows_) rows_->finish();
    }
    void reserve(std::size_t rows) {
        if (rows_) rows_->reserve(rows);
    }

  private:
    const geos::Context ctx_;  // the geometries are made on this thread
    OGRLayer& layer_;
    std::string path_;
    std::unique_ptr<GpkgRowWriter> rows_;  // plain fields
    std::vector<int> identity_;            // through GDAL: field i from field i
};

template <class Order, class Add>
void write_copied_rows(GDALDataset& ds, OGRLayer& layer, const std::string& path, const FeatureLayer& features,
                       std::size_t n, Order&& order, Add&& add) {
    CopiedRowWriter rows(ds, layer, path, *features.defn);
    rows.add(features, n, order, add);
    rows.finish();
}

// Sets an integer column of rows by fid: values[k] into the row whose fid is k + 1; where
// values[k] is `keep`, the row is left as it is (score's ranks, known only when every row is
// written). Throws Error(output) naming the file and table.
void update_by_fid(GDALDataset& ds, OGRLayer& layer, const std::string& path, const std::string& column,
                   const std::vector<std::int64_t>& values, std::int64_t keep);

}  // namespace ruimte
