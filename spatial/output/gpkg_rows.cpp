#include "spatial/output/gpkg_rows.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <sqlite3.h>

#include "spatial/geometry/parallel.hpp"
#include "spatial/output/sqlite_statement.hpp"

namespace ruimte {

namespace {

static_assert(std::endian::native == std::endian::little, "GeoPackage blobs are written little endian");

// Writes little-endian values at a cursor into a buffer sized beforehand.
struct Cursor {
    unsigned char* p;
    void byte(unsigned char v) { *p++ = v; }
    void u32(std::uint32_t v) {
        std::memcpy(p, &v, 4);
        p += 4;
    }
    void doubles(const double* v, std::size_t count) {
        std::memcpy(p, v, 8 * count);
        p += 8 * count;
    }
};

}  // namespace

GpkgGeometry gpkg_multipolygon(const geos::Context& ctx, const GEOSGeometry* g, std::int32_t srs_id,
                               const ErrorPlace& where) {
    GEOSContextHandle_t h = ctx.handle();
    const int type = GEOSGeomTypeId_r(h, g);
    if ((type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) || GEOSisEmpty_r(h, g) != 0) {
        throw Error(ErrorKind::internal, "an output geometry is empty or not a polygon", where);
    }
    const int parts = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(h, g);
    auto part = [&](int p) { return type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(h, g, p); };
    // Header 8 bytes, envelope 32, MultiPolygon 9, per polygon 9, per ring 4, per point 16.
    std::size_t size = 8 + 32 + 9;
    for (int p = 0; p < parts; ++p) {
        const GEOSGeometry* poly = part(p);
        size += 9 + 4 * static_cast<std::size_t>(GEOSGetNumInteriorRings_r(h, poly) + 1) +
                16 * static_cast<std::size_t>(GEOSGetNumCoordinates_r(h, poly));
    }
    GpkgGeometry out;
    out.blob.resize(size);
    Cursor at{out.blob.data()};
    // Header: magic, version 0, flags (little endian, envelope [minx, maxx, miny, maxy]), SRS.
    at.byte('G');
    at.byte('P');
    at.byte(0);
    at.byte(0x03);
    at.u32(static_cast<std::uint32_t>(srs_id));
    unsigned char* envelope = at.p;
    at.p += 32;
    // ISO WKB MultiPolygon.
    at.byte(1);
    at.u32(6);
    at.u32(static_cast<std::uint32_t>(parts));
    geos::Box& box = out.box;
    box = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
           -std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    thread_local std::vector<double> xy;
    for (int p = 0; p < parts; ++p) {
        const GEOSGeometry* poly = part(p);
        const int holes = GEOSGetNumInteriorRings_r(h, poly);
        at.byte(1);
        at.u32(3);
        at.u32(static_cast<std::uint32_t>(holes + 1));
        for (int r = -1; r < holes; ++r) {
            const GEOSGeometry* ring = r < 0 ? GEOSGetExteriorRing_r(h, poly) : GEOSGetInteriorRingN_r(h, poly, r);
            const GEOSCoordSequence* seq = ring ? GEOSGeom_getCoordSeq_r(h, ring) : nullptr;
            unsigned int n = 0;
            if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n)) {
                throw Error(ErrorKind::internal, "cannot read an output geometry's coordinates: " + ctx.last_error(),
                            where);
            }
            xy.resize(2 * static_cast<std::size_t>(n));
            if (n > 0 && !GEOSCoordSeq_copyToBuffer_r(h, seq, xy.data(), 0, 0)) {
                throw Error(ErrorKind::internal, "cannot read an output geometry's coordinates: " + ctx.last_error(),
                            where);
            }
            at.u32(n);
            at.doubles(xy.data(), xy.size());
            if (r >= 0) continue;  // holes lie inside their shell
            for (std::size_t i = 0; i < n; ++i) {
                box.xmin = std::min(box.xmin, xy[2 * i]);
                box.xmax = std::max(box.xmax, xy[2 * i]);
                box.ymin = std::min(box.ymin, xy[2 * i + 1]);
                box.ymax = std::max(box.ymax, xy[2 * i + 1]);
            }
        }
    }
    const double env[4] = {box.xmin, box.xmax, box.ymin, box.ymax};
    std::memcpy(envelope, env, sizeof env);
    return out;
}

GpkgRowWriter::GpkgRowWriter(GDALDataset& ds, OGRLayer& layer, const std::string& path)
    : path_(path), table_(layer.GetName()) {
    GDALDriver* driver = ds.GetDriver();
    if (!driver || !EQUAL(driver->GetDescription(), "GPKG")) {
        throw Error(ErrorKind::internal, "GpkgRowWriter needs a GeoPackage", ErrorPlace::at(path, table_));
    }
    db_ = static_cast<sqlite3*>(ds.GetInternalHandle("SQLITE_HANDLE"));
    if (!db_)
        throw Error(ErrorKind::internal, "GDAL gives no SQLite handle for the GeoPackage",
                    ErrorPlace::at(path, table_));
    // GDAL may hold rows of its own for this layer (a deferred table creation, cached
    // statements): let it write them before rows go in beside it.
    layer.SyncToDisk();
    // GDAL keeps gpkg_ogr_contents.feature_count with a trigger that updates it per inserted
    // row (an UPDATE with lower() on the table name: more than the insert itself). As GDAL
    // does around its own bulk inserts, the trigger is dropped here and finish() puts it back
    // with the count.
    {
        sqlite::Statement trigger(
            db_, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name = ?");
        if (!trigger) fail("reading the triggers");
        sqlite3_bind_text(trigger.get(), 1, table_.c_str(), -1, SQLITE_TRANSIENT);
        const std::string name = "trigger_insert_feature_count_" + table_;
        sqlite3_bind_text(trigger.get(), 2, name.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(trigger.get()) == SQLITE_ROW) {
            count_trigger_sql_ = reinterpret_cast<const char*>(sqlite3_column_text(trigger.get(), 1));
            const std::string drop = "DROP TRIGGER " + sqlite::quote_id(name);
            if (sqlite3_exec(db_, drop.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
                fail("suspending the feature count trigger");
        }
    }
    {
        sqlite::Statement rows(db_, "SELECT COUNT(*) FROM " + sqlite::quote_id(table_));
        if (!rows || sqlite3_step(rows.get()) != SQLITE_ROW) fail("counting the rows");
        rows_before_ = sqlite3_column_int64(rows.get(), 0);
    }
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    std::string columns, params;
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        columns += (i ? ", " : "") + sqlite::quote_id(defn->GetFieldDefn(i)->GetNameRef());
        params += i ? ", ?" : "?";
    }
    if (layer.GetGeomType() != wkbNone && layer.GetGeometryColumn()[0] != '\0') {
        columns += (columns.empty() ? "" : ", ") + sqlite::quote_id(layer.GetGeometryColumn());
        params += params.empty() ? "?" : ", ?";
        geometry_param_ = defn->GetFieldCount() + 1;
        geometry_column_ = layer.GetGeometryColumn();
        fid_column_ = layer.GetFIDColumn()[0] ? layer.GetFIDColumn() : "fid";
        sqlite::Statement srs(db_, "SELECT srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)");
        if (!srs) fail("reading gpkg_geometry_columns");
        sqlite3_bind_text(srs.get(), 1, table_.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(srs.get()) != SQLITE_ROW) fail("reading the SRS of the geometry column");
        srs_id_ = sqlite3_column_int(srs.get(), 0);
    }
    fields_ = static_cast<std::size_t>(defn->GetFieldCount());
    params_ = fields_ + (geometry_param_ ? 1 : 0);
    const auto max_params = static_cast<std::size_t>(std::max(1, sqlite3_limit(db_, SQLITE_LIMIT_VARIABLE_NUMBER, -1)));
    const std::size_t rows_per_insert = std::clamp<std::size_t>(max_params / std::max<std::size_t>(params_, 1), 1, 64);
    insert_ = std::make_unique<sqlite::BatchInsert>(
        db_, "INSERT INTO " + sqlite::quote_id(table_) + " (" + columns + ") VALUES ", "(" + params + ")",
        rows_per_insert);
    if (!insert_->statement(rows_per_insert)) fail("preparing the insert");
    held_.resize(rows_per_insert * std::max<std::size_t>(params_, 1));
    held_geometry_.resize(rows_per_insert);
}

GpkgRowWriter::~GpkgRowWriter() {
    // Left without finish(), by an error: the file is being abandoned, but leave its schema whole.
    if (!count_trigger_sql_.empty()) sqlite3_exec(db_, count_trigger_sql_.c_str(), nullptr, nullptr, nullptr);
}

void GpkgRowWriter::fail(const std::string& what) const {
    throw Error(ErrorKind::output, "cannot write rows (" + what + "): " + sqlite3_errmsg(db_),
                ErrorPlace::at(path_, table_), "check free disk space and write permission in the output folder");
}

GpkgRowWriter::Value& GpkgRowWriter::value(int field) {
    if (field < 0 || static_cast<std::size_t>(field) >= fields_) {
        throw Error(ErrorKind::internal, "no field " + std::to_string(field) + " in the table",
                    ErrorPlace::at(path_, table_));
    }
    return held_[rows_held_ * params_ + static_cast<std::size_t>(field)];
}

void GpkgRowWriter::real(int field, double v) {
    if (std::isnan(v)) return;
    Value& x = value(field);
    x.kind = Value::Kind::real;
    x.d = v;
}

void GpkgRowWriter::integer(int field, std::int64_t v) {
    Value& x = value(field);
    x.kind = Value::Kind::integer;
    x.i = v;
}

void GpkgRowWriter::text(int field, std::string_view v) {
    Value& x = value(field);
    x.kind = Value::Kind::text;
    x.text.assign(v.data() ? v.data() : "", v.size());
}

void OgrFieldSink::real(int field, double v) {
    feature.SetField(field, v);
}
void OgrFieldSink::integer(int field, std::int64_t v) {
    feature.SetField(field, static_cast<GIntBig>(v));
}
void OgrFieldSink::text(int field, std::string_view v) {
    feature.SetField(field, std::string(v).c_str());
}

bool plain_fields(const OGRFeatureDefn& defn) {
    for (int i = 0; i < defn.GetFieldCount(); ++i) {
        const OGRFieldType t = defn.GetFieldDefn(i)->GetType();
        if (t != OFTInteger && t != OFTInteger64 && t != OFTReal && t != OFTString) return false;
    }
    return true;
}

void GpkgRowWriter::fields_from(const OGRFeature& f) {
    const OGRFeatureDefn* defn = f.GetDefnRef();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        if (!f.IsFieldSetAndNotNull(i)) continue;
        switch (defn->GetFieldDefn(i)->GetType()) {
            case OFTInteger: integer(i, f.GetFieldAsInteger(i)); break;
            case OFTInteger64: integer(i, f.GetFieldAsInteger64(i)); break;
            case OFTReal: real(i, f.GetFieldAsDouble(i)); break;
            case OFTString: text(i, f.GetFieldAsString(i)); break;
            default:
                throw Error(ErrorKind::internal, "fields_from() takes integers, reals and text only",
                            ErrorPlace::at(path_, table_));
        }
    }
}

void GpkgRowWriter::geometry(GpkgGeometry g) {
    if (!geometry_param_)
        throw Error(ErrorKind::internal, "the table has no geometry column", ErrorPlace::at(path_, table_));
    boxes_.push_back({0, g.box.xmin, g.box.ymin, g.box.xmax, g.box.ymax});  // the id once inserted
    if (!has_extent_) {
        extent_ = g.box;
        has_extent_ = true;
    } else {
        extent_.xmin = std::min(extent_.xmin, g.box.xmin);
        extent_.ymin = std::min(extent_.ymin, g.box.ymin);
        extent_.xmax = std::max(extent_.xmax, g.box.xmax);
        extent_.ymax = std::max(extent_.ymax, g.box.ymax);
    }
    held_geometry_[rows_held_] = std::move(g);
}

void GpkgRowWriter::insert() {
    if (++rows_held_ == insert_->rows()) flush();
}

void GpkgRowWriter::flush() {
    if (rows_held_ == 0) return;
    throw_if_cancelled();  // Ctrl-C while writing rows: checked once a batch
    sqlite3_stmt* st = insert_->statement(rows_held_);
    if (!st) fail("preparing the insert");
    // Values bound as they are: texts and blobs without a copy (they stay until the step).
    std::size_t with_geometry = 0;
    for (std::size_t r = 0; r < rows_held_; ++r) {
        for (std::size_t f = 0; f < fields_; ++f) {
            const Value& x = held_[r * params_ + f];
            const int p = static_cast<int>(r * params_ + f + 1);
            switch (x.kind) {
                case Value::Kind::null: break;  // cleared after the last step
                case Value::Kind::integer: sqlite3_bind_int64(st, p, x.i); break;
                case Value::Kind::real: sqlite3_bind_double(st, p, x.d); break;
                case Value::Kind::text:
                    sqlite3_bind_text(st, p, x.text.data(), static_cast<int>(x.text.size()), SQLITE_STATIC);
                    break;
            }
        }
        const std::vector<unsigned char>& blob = held_geometry_[r].blob;
        if (geometry_param_ && !blob.empty()) {
            sqlite3_bind_blob(st, static_cast<int>((r + 1) * params_), blob.data(), static_cast<int>(blob.size()),
                              SQLITE_STATIC);
            ++with_geometry;
        }
    }
    if (sqlite3_step(st) != SQLITE_DONE) fail("inserting rows");
    // The rows got consecutive ids, the last one's known: the boxes of this statement's rows
    // with a geometry are the last `with_geometry` ones.
    const std::int64_t last = sqlite3_last_insert_rowid(db_);
    std::size_t box = boxes_.size() - with_geometry;
    for (std::size_t r = 0; r < rows_held_; ++r) {
        if (!held_geometry_[r].blob.empty()) boxes_[box++].id = last - static_cast<std::int64_t>(rows_held_ - 1 - r);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    for (Value& x : held_) x.kind = Value::Kind::null;
    for (GpkgGeometry& g : held_geometry_) g.blob.clear();
    inserted_ += static_cast<std::int64_t>(rows_held_);
    rows_held_ = 0;
}

void GpkgRowWriter::finish() {
    flush();
    // The count as the trigger would have left it: the rows there were and the rows inserted
    // (counting them again would read the whole table back: 100,000 scored candidates, 26 ms).
    sqlite::Statement count(db_, "UPDATE gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = lower(?)");
    if (count) {  // gpkg_ogr_contents is GDAL's own table, not in every GeoPackage
        sqlite3_bind_int64(count.get(), 1, rows_before_ + inserted_);
        sqlite3_bind_text(count.get(), 2, table_.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(count.get()) != SQLITE_DONE) fail("updating gpkg_ogr_contents");
    }
    if (!count_trigger_sql_.empty()) {
        if (sqlite3_exec(db_, count_trigger_sql_.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
            fail("restoring the feature count trigger");
        count_trigger_sql_.clear();
    }
    if (geometry_param_) {
        sqlite::Statement exists(db_, "SELECT 1 FROM sqlite_master WHERE name = ?");
        const std::string rtree = "rtree_" + table_ + "_" + geometry_column_;
        if (!exists) fail("reading sqlite_master");
        sqlite3_bind_text(exists.get(), 1, rtree.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(exists.get()) != SQLITE_ROW)
            build_spatial_index(db_, path_, table_, geometry_column_, fid_column_, std::move(boxes_));
        boxes_.clear();
    }
    if (!has_extent_) return;
    sqlite::Statement extent(
        db_, "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE lower(table_name) = lower(?)");
    if (!extent) fail("updating gpkg_contents");
    sqlite3_bind_double(extent.get(), 1, extent_.xmin);
    sqlite3_bind_double(extent.get(), 2, extent_.ymin);
    sqlite3_bind_double(extent.get(), 3, extent_.xmax);
    sqlite3_bind_double(extent.get(), 4, extent_.ymax);
    sqlite3_bind_text(extent.get(), 5, table_.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(extent.get()) != SQLITE_DONE) fail("updating gpkg_contents");
}

void update_by_fid(GDALDataset& ds, OGRLayer& layer, const std::string& path, const std::string& column,
                   const std::vector<std::int64_t>& values, std::int64_t keep) {
    auto* db = static_cast<sqlite3*>(ds.GetInternalHandle("SQLITE_HANDLE"));
    const std::string table = layer.GetName();
    const std::string fid = *layer.GetFIDColumn() ? layer.GetFIDColumn() : "fid";
    const auto fail = [&](const std::string& what) {
        throw Error(ErrorKind::output, what + " failed: " + (db ? sqlite3_errmsg(db) : "no SQLite handle"),
                    ErrorPlace::at(path, table), "check free disk space and write permission in the output folder");
    };
    if (!db) fail("updating " + column);
    layer.SyncToDisk();
    sqlite::Statement update(db, "UPDATE " + sqlite::quote_id(table) + " SET " + sqlite::quote_id(column) +
                                     " = ? WHERE " + sqlite::quote_id(fid) + " = ?");
    if (!update) fail("updating " + column);
    for (std::size_t k = 0; k < values.size(); ++k) {
        if (values[k] == keep) continue;
        sqlite3_bind_int64(update.get(), 1, values[k]);
        sqlite3_bind_int64(update.get(), 2, static_cast<std::int64_t>(k + 1));
        if (sqlite3_step(update.get()) != SQLITE_DONE) fail("updating " + column);
        sqlite3_reset(update.get());
    }
}

}  // namespace ruimte
