#include "support.hpp"

#include <unistd.h>

#include <sqlite3.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ruimte::test {

SqliteReader::SqliteReader(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db_);
        throw std::runtime_error("cannot open " + path);
    }
}

SqliteReader::~SqliteReader() {
    sqlite3_close(db_);
}

std::vector<std::string> SqliteReader::column(const std::string& sql) const {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + " in: " + sql);
    }
    std::vector<std::string> out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
            out.emplace_back("NULL");
        } else {
            const auto* p = static_cast<const char*>(sqlite3_column_blob(st, 0));
            out.emplace_back(p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st, 0))) : std::string());
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + " in: " + sql);
    return out;
}

std::string SqliteReader::text(const std::string& sql) const {
    const std::vector<std::string> rows = column(sql);
    return rows.empty() || rows[0] == "NULL" ? std::string() : rows[0];
}

std::vector<const GEOSGeometry*> borrowed(const std::vector<geos::Geom>& owned) {
    std::vector<const GEOSGeometry*> out;
    out.reserve(owned.size());
    for (const auto& g : owned) out.push_back(g.get());
    return out;
}

TempDir::TempDir(const std::string& name)
    : path_(std::filesystem::temp_directory_path() / ("ruimte-test-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string source_dir() {
    return RUIMTE_SOURCE_DIR;
}

}  // namespace ruimte::test
