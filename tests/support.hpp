#pragma once
// Test helpers: layers built from WKT, temporary folders, and files written by real GDAL.
#include <filesystem>
#include <string>
#include <vector>

#include "spatial/geometry/geos.hpp"

struct sqlite3;

namespace ruimte::test {

// A FeatureLayer with the given polygons (WKT, EPSG:28992), FIDs 1..n, no attributes.
// A fresh empty folder under the build tree, removed when the object goes.
class TempDir {
  public:
    explicit TempDir(const std::string& name);
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
};

// The geometries of `owned`, borrowed (for GEOS calls that take a list).
std::vector<const GEOSGeometry*> borrowed(const std::vector<geos::Geom>& owned);

// A SQLite file opened read-only, for looking at what a GeoPackage holds byte for byte.
// Throws std::runtime_error when the file or a statement fails.
class SqliteReader {
  public:
    explicit SqliteReader(const std::string& path);
    ~SqliteReader();
    SqliteReader(const SqliteReader&) = delete;
    SqliteReader& operator=(const SqliteReader&) = delete;
    sqlite3* handle() const { return db_; }
    // The first column of the first row as text ("" for none or NULL).
    std::string text(const std::string& sql) const;
    // The first column of every row (NULL as "NULL", a blob as its bytes).
    std::vector<std::string> column(const std::string& sql) const;

  private:
    sqlite3* db_ = nullptr;
};

void write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);
std::string source_dir();  // the repository root

}  // namespace ruimte::test
