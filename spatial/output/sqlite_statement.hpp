#pragma once
// For the code that writes GeoPackage tables directly (gpkg_rtree, gpkg_rows): identifier
// quoting, the text of a many-row INSERT, a prepared statement that finalizes itself, and the
// statements of a many-row INSERT in batches (BatchInsert).
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include <sqlite3.h>

namespace ruimte::sqlite {

// "name" with embedded quotes doubled.
inline std::string quote_id(const std::string& s) {
    std::string out = "\"";
    for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return out + "\"";
}

// "head" followed by `rows` copies of "row", comma-separated: one INSERT of many rows
// ("INSERT INTO t (a, b) VALUES ", "(?, ?)"). SQLite's cost per statement is most of its
// cost per narrow row, so many rows per statement are up to three times faster.
inline std::string insert_rows_sql(const std::string& head, const std::string& row, std::size_t rows) {
    std::string sql = head;
    sql.reserve(head.size() + rows * (row.size() + 2));
    for (std::size_t r = 0; r < rows; ++r) {
        if (r) sql += ", ";
        sql += row;
    }
    return sql;
}

class Statement {
  public:
    Statement(sqlite3* db, const std::string& sql) {
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    explicit operator bool() const { return stmt_ != nullptr; }
    sqlite3_stmt* get() const { return stmt_; }

  private:
    sqlite3_stmt* stmt_ = nullptr;
};

// The statements of a many-row INSERT (head and row as for insert_rows_sql): one for `rows`
// rows, prepared at once, and one for a last, shorter batch, prepared when it is asked for.
class BatchInsert {
  public:
    BatchInsert(sqlite3* db, std::string head, std::string row, std::size_t rows)
        : db_(db),
          head_(std::move(head)),
          row_(std::move(row)),
          rows_(rows),
          full_(std::make_unique<Statement>(db, insert_rows_sql(head_, row_, rows))) {}
    std::size_t rows() const { return rows_; }
    // The statement for n rows (1 <= n <= rows()); null when SQLite refuses to prepare it.
    sqlite3_stmt* statement(std::size_t n) {
        if (n == rows_) return full_->get();
        if (n != rest_rows_) {
            rest_ = std::make_unique<Statement>(db_, insert_rows_sql(head_, row_, n));
            rest_rows_ = n;
        }
        return rest_->get();
    }

  private:
    sqlite3* db_;
    std::string head_, row_;
    std::size_t rows_;
    std::unique_ptr<Statement> full_, rest_;
    std::size_t rest_rows_ = 0;
};

}  // namespace ruimte::sqlite
