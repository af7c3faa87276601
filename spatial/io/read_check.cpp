#include "spatial/io/read_check.hpp"

#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace ruimte {

const char* const kDamagedLayerFix =
    "the file is damaged or incomplete: copy or export it again from its source "
    "(a GeoPackage can be checked with sqlite3 FILE 'PRAGMA integrity_check')";

namespace {

void CPL_STDCALL on_gdal_error(CPLErr type, CPLErrorNum, const char* message) {
    if (type != CE_Failure && type != CE_Fatal) return;
    static_cast<LayerReadCheck*>(CPLGetErrorHandlerUserData())->record_failure(message);
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

bool is_driver(GDALDataset* ds, const char* name) {
    return ds && ds->GetDriver() && EQUAL(ds->GetDriver()->GetDescription(), name);
}

// The records a shapefile's parts hold: the .shx's index entries, the .dbf's header count and
// what its size holds, and the .dbf's records marked deleted (GDAL skips those).
struct ShapefileCounts {
    std::optional<std::int64_t> shx, dbf_header, dbf_size, dbf_deleted;
    std::string shx_path, dbf_path;
};

std::string sibling(GDALDataset& ds, const std::string& layer, const char* ext) {
    char** files = ds.GetFileList();
    std::string found;
    for (char** f = files; f && *f; ++f) {
        if (EQUAL(CPLGetExtension(*f), ext) && layer == CPLGetBasename(*f)) found = *f;
    }
    CSLDestroy(files);
    return found;
}

std::uint32_t le32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

ShapefileCounts shapefile_counts(GDALDataset& ds, const std::string& layer, bool count_deleted) {
    ShapefileCounts c;
    c.shx_path = sibling(ds, layer, "shx");
    c.dbf_path = sibling(ds, layer, "dbf");
    VSIStatBufL st;
    if (!c.shx_path.empty() && VSIStatL(c.shx_path.c_str(), &st) == 0 && st.st_size >= 100) {
        c.shx = static_cast<std::int64_t>((st.st_size - 100) / 8);
    }
    if (c.dbf_path.empty() || VSIStatL(c.dbf_path.c_str(), &st) != 0) return c;
    VSILFILE* f = VSIFOpenL(c.dbf_path.c_str(), "rb");
    if (!f) return c;
    std::array<unsigned char, 32> h{};
    if (VSIFReadL(h.data(), 1, h.size(), f) == h.size()) {
        c.dbf_header = le32(&h[4]);
        const std::size_t header_length = h[8] | h[9] << 8, record_length = h[10] | h[11] << 8;
        if (record_length > 0 && static_cast<std::uint64_t>(st.st_size) >= header_length) {
            c.dbf_size =
                static_cast<std::int64_t>((static_cast<std::uint64_t>(st.st_size) - header_length) / record_length);
            if (count_deleted) {
                // Only when the counts disagree: one byte per record, read in blocks.
                std::int64_t deleted = 0;
                std::vector<unsigned char> block(record_length * 4096);
                VSIFSeekL(f, header_length, SEEK_SET);
                for (std::int64_t left = *c.dbf_size; left > 0;) {
                    const std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(left, 4096));
                    if (VSIFReadL(block.data(), record_length, want, f) != want) break;
                    for (std::size_t r = 0; r < want; ++r) deleted += block[r * record_length] == '*';
                    left -= static_cast<std::int64_t>(want);
                }
                c.dbf_deleted = deleted;
            }
        }
    }
    VSIFCloseL(f);
    return c;
}

}  // namespace

LayerReadCheck::LayerReadCheck(OGRLayer& layer, GDALDataset* dataset, std::int64_t declared, ErrorPlace place)
    : layer_(layer), dataset_(dataset), declared_(declared), place_(std::move(place)) {
    if (is_driver(dataset_, "GPKG")) {
        // A table (not a view) is read in rowid order: a fid that repeats or goes back is a
        // damaged page read as rows (seen: six rows of fid 0 in place of a page's six).
        const std::string sql =
            "SELECT type FROM sqlite_master WHERE name = '" + CPLString(layer_.GetName()).replaceAll("'", "''") + "'";
        if (OGRLayer* r = dataset_->ExecuteSQL(sql.c_str(), nullptr, nullptr)) {
            if (OGRFeatureUniquePtr f{r->GetNextFeature()}) in_fid_order_ = EQUAL(f->GetFieldAsString(0), "table");
            dataset_->ReleaseResultSet(r);
        }
    }
    CPLErrorReset();
    CPLPushErrorHandlerEx(&on_gdal_error, this);
    watching_ = true;
}

LayerReadCheck::~LayerReadCheck() {
    stop_watching();
}

void LayerReadCheck::stop_watching() noexcept {
    if (watching_) CPLPopErrorHandler();
    watching_ = false;
}

void LayerReadCheck::record_failure(const char* message) {
    if (failure_) return;  // the first one is the cause
    failure_ = true;
    failure_message_ = message && *message ? message : "(GDAL gave no message)";
    while (!failure_message_.empty() && std::isspace(static_cast<unsigned char>(failure_message_.back()))) {
        failure_message_.pop_back();  // PostgreSQL's messages end in a newline
    }
}

const char* LayerReadCheck::fix() const noexcept {
    // No dataset of its own: a PostgreSQL table or query, read through a cursor.
    return dataset_ ? kDamagedLayerFix
                    : "PostgreSQL stopped the query part way: correct the query or the rows it fails on, and run again";
}

std::string LayerReadCheck::read_so_far(bool with_declared) const {
    const bool of = with_declared && declared_ >= 0;
    if (read_ == 0)
        return "before the first feature" + (of ? " (it declares " + std::to_string(declared_) + ")" : std::string());
    return "after " +
           (of ? std::to_string(read_) + " of the " + std::to_string(declared_) + " features it declares"
               : plural(read_, "feature", "features")) +
           " (the last one read was feature " + std::to_string(*last_fid_) + ")";
}

void LayerReadCheck::refuse_failure(std::int64_t fid) {
    stop_watching();
    ErrorPlace at = place_;
    at.feature_id = fid;
    throw Error(ErrorKind::input, "GDAL failed while reading the feature: " + failure_message_, at, fix());
}

void LayerReadCheck::refuse_order(std::int64_t fid) {
    stop_watching();
    ErrorPlace at = place_;
    at.feature_id = fid;
    throw Error(ErrorKind::input,
                "the layer is damaged: feature " + std::to_string(fid) + " follows feature " +
                    std::to_string(*last_fid_) + " (" + plural(read_, "feature", "features") +
                    " read), but a GeoPackage table is read in fid order, so a fid never repeats or goes back",
                at, kDamagedLayerFix);
}

void LayerReadCheck::end() {
    if (auto f = finding()) throw *f;
}

std::optional<Error> LayerReadCheck::finding() {
    stop_watching();
    if (failure_) {
        return Error(
            ErrorKind::input,
            "the layer is damaged: reading stopped with an error " + read_so_far(true) + ": " + failure_message_,
            place_, fix());
    }
    const auto read = static_cast<std::int64_t>(read_);
    if (is_driver(dataset_, "GPKG")) {
        if (declared_ < 0 || read == declared_) return std::nullopt;
        // gpkg_ogr_contents can be stale (a table changed by a tool that did not update it):
        // the table's own COUNT(*) decides.
        std::optional<std::int64_t> rows;
        const std::string sql =
            std::string("SELECT COUNT(*) FROM \"") + CPLString(layer_.GetName()).replaceAll("\"", "\"\"") + "\"";
        CPLErrorReset();
        if (OGRLayer* r = dataset_->ExecuteSQL(sql.c_str(), nullptr, nullptr)) {
            if (OGRFeatureUniquePtr f{r->GetNextFeature()}) rows = f->GetFieldAsInteger64(0);
            dataset_->ReleaseResultSet(r);
        }
        if (rows && *rows == read) return std::nullopt;
        const std::int64_t expected = rows ? *rows : declared_;
        return Error(ErrorKind::input,
                     "the layer is damaged: reading ended " + read_so_far(false) + ", but the table holds " +
                         std::to_string(expected) + (rows ? " rows" : " rows by its feature count"),
                     place_, kDamagedLayerFix);
    }
    if (is_driver(dataset_, "ESRI Shapefile")) {
        ShapefileCounts c = shapefile_counts(*dataset_, layer_.GetName(), false);
        auto agree = [&](const ShapefileCounts& k) {
            const std::int64_t deleted = k.dbf_deleted.value_or(0);
            return (!k.shx || *k.shx == read + deleted) && (!k.dbf_header || *k.dbf_header == read + deleted) &&
                   (!k.dbf_size || *k.dbf_size == read + deleted) && (declared_ < 0 || declared_ == read + deleted);
        };
        if (agree(c)) return std::nullopt;
        c = shapefile_counts(*dataset_, layer_.GetName(), true);  // records marked deleted are not read
        if (agree(c)) return std::nullopt;
        std::string parts;
        if (c.shx) parts += "the .shx indexes " + std::to_string(*c.shx) + " shapes";
        if (c.dbf_header)
            parts += (parts.empty() ? "" : ", ") + std::string("the .dbf header counts ") +
                     std::to_string(*c.dbf_header) + " records";
        if (c.dbf_size)
            parts += (parts.empty() ? "" : ", ") + std::string("the .dbf's size holds ") + std::to_string(*c.dbf_size);
        if (c.dbf_deleted && *c.dbf_deleted) parts += " (" + std::to_string(*c.dbf_deleted) + " marked deleted)";
        return Error(ErrorKind::input,
                     "the shapefile is damaged, its parts disagree: " + parts + "; reading ended " + read_so_far(false),
                     place_, kDamagedLayerFix);
    }
    return std::nullopt;
}

}  // namespace ruimte
