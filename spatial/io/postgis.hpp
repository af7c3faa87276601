#pragma once
// PostgreSQL/PostGIS as a place for sources and for results. See docs/postgis.md.
//
// Sources (every FILE[:LAYER] argument and `source` in a profile), read through GDAL:
//   PG:"CONNINFO"                 the database's only spatial table
//   PG:"CONNINFO":TABLE           a table or view: TABLE or SCHEMA.TABLE
//   PG:"CONNINFO":SELECT ...      a query (starting with SELECT or WITH) with one geometry column
//   postgresql://USER@HOST:PORT/DB[?schema=NAME][:TABLE | :SELECT ...]
// CONNINFO is libpq's keyword=value form, e.g. "host=127.0.0.1 port=5432 dbname=ruimte";
// the double quotes delimit it, so it may hold any character but '"'. In both forms
// `schema=NAME` names the schema where a bare TABLE is looked up. In a URI the part after the
// first ':' that follows the database path is the TABLE or query.
//
// Results: -o postgresql://USER@HOST:PORT/DB?schema=NAME (or PG:"CONNINFO schema=NAME"). Every
// layer of the command's GeoPackage becomes a table of schema NAME, written in ONE transaction
// under a transaction-scoped advisory lock on the schema: a killed run leaves nothing, an
// existing result needs --overwrite, and of two runs writing the same schema at once one
// wins and the other gets Error(output).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "spatial/core/error.hpp"

struct pg_conn;
struct pg_result;
class OGRLayer;

namespace ruimte {

struct SourceSpec;

namespace pg {

// Whether a source or output names PostgreSQL (PG:... or postgresql:// / postgres://).
bool is_postgres(std::string_view spec);

// A database and, optionally, a schema.
struct Target {
    std::string conninfo;  // libpq keyword=value form, without `schema`
    std::string schema;    // empty when not given
    // For messages: the conninfo without a password, and the schema.
    std::string display() const;
    // GDAL's PG: connection string (active_schema set when a schema is given).
    std::string gdal_name() const;
};

// Parses PG:"CONNINFO", PG:CONNINFO or a postgresql:// URI (no :TABLE part); libpq checks the
// keywords. Throws Error(kind) naming the spec.
Target parse_target(std::string_view spec, ErrorKind kind = ErrorKind::input);
// The same database with every transaction READ ONLY (libpq's options=-c
// default_transaction_read_only=on, added to any options given).
Target read_only(const Target& target);

// Splits a source into its connection part (as written) and its TABLE or query (may be empty).
// Throws Error(input) when the spec is not a PostgreSQL source or the quotes do not close.
std::pair<std::string, std::string> split_source(std::string_view spec);

// Whether the relation part of a source is a query rather than a table name.
bool is_query(std::string_view relation);

// A PostgreSQL table or query opened through GDAL (for read_polygon_layer).
class OpenedLayer {
  public:
    OpenedLayer();
    ~OpenedLayer();
    OpenedLayer(OpenedLayer&&) noexcept;
    OpenedLayer& operator=(OpenedLayer&&) noexcept;
    OGRLayer* layer() const noexcept;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
    friend OpenedLayer open_layer(const SourceSpec& spec);
};
// spec.path is the connection part, spec.layer the TABLE or query (empty: the only table).
// A query is checked by check_source_query, then run in a read-only session (read_only).
OpenedLayer open_layer(const SourceSpec& spec);
// Throws Error(input) at `place` unless `query` is one statement that PostgreSQL accepts as a
// subquery in a READ ONLY transaction (no second statement, no WITH ... DELETE, no write).
void check_source_query(const Target& target, const std::string& query, const ErrorPlace& place);

// A query result (libpq). Values in text form.
class Result {
  public:
    explicit Result(pg_result* r) noexcept : r_(r) {}
    ~Result();
    Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
    Result& operator=(Result&&) = delete;
    int rows() const noexcept;
    int columns() const noexcept;
    bool is_null(int row, int col) const noexcept;
    std::string text(int row, int col) const;
    double number(int row, int col) const;  // NaN for NULL
    long long integer(int row, int col) const;
    std::string column_name(int col) const;
    unsigned column_type(int col) const noexcept;  // type OID

  private:
    pg_result* r_;
};

// One libpq connection. Every failure throws Error(kind) placed at the target.
class Connection {
  public:
    Connection(const Target& target, ErrorKind kind);
    ~Connection();  // an open transaction is rolled back by the server
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void exec(const std::string& sql);
    Result query(const std::string& sql);
    // COPY ... FROM STDIN (COPY text format) in pieces, so that a large table never sits whole
    // in memory: copy_begin, then
    // copy_put as the rows are made (it sends `data` and clears it once it holds 1 MB or
    // more), then copy_end (sends the rest and finishes the COPY).
    void copy_begin(const std::string& copy_sql);
    void copy_put(std::string& data);
    void copy_end(std::string& data);
    std::string ident(std::string_view name) const;    // a quoted identifier
    std::string literal(std::string_view text) const;  // a quoted string literal
    const Target& target() const noexcept { return target_; }
    ErrorKind kind() const noexcept { return kind_; }

  private:
    [[noreturn]] void fail(const std::string& what, pg_result* r, const std::string& hint = {});
    Target target_;
    ErrorKind kind_;
    pg_conn* conn_ = nullptr;
};

// Hex of extended WKB (the SRID embedded when srid > 0), as PostGIS's COPY input accepts it,
// from little- or big-endian WKB.
std::string ewkb_hex(const unsigned char* wkb, std::size_t size, int srid);

// The parts of TABLE, SCHEMA.TABLE or "Schema"."Table" ("" is a quote inside quotes), unquoted.
// Throws Error(input) for anything else (an unclosed quote, text after a quoted name, three
// parts, an empty name).
std::vector<std::string> table_name_parts(std::string_view table);
// `SCHEMA.TABLE` or `TABLE` (looked up in `schema` when given) as a quoted SQL name: every part
// from table_name_parts, quoted by Connection::ident.
std::string quoted_table(const Connection& conn, std::string_view table, const std::string& schema);

// The tables a command writes, checked before the work starts: Error(output) when the output
// has no schema, the database cannot be reached, or one of `tables` exists and !overwrite.
void check_output(const std::string& output, bool overwrite, const std::vector<std::string>& tables);

// The QGIS style (QML) stored in layer_styles for a result table, or "" for none. For now a
// graduated renderer on `score` for candidates_scored; meant to be replaced by the real styles.
std::string default_qml(const std::string& table, const std::vector<std::string>& fields);

// A command's result on its way to PostgreSQL: the command writes its GeoPackage to
// gpkg_path() (a private temporary folder), then publish() copies every layer into the schema
// in one transaction. The folder is removed when the object goes.
class StagedResult {
  public:
    StagedResult(std::string output, bool overwrite);
    ~StagedResult();
    StagedResult(const StagedResult&) = delete;
    StagedResult& operator=(const StagedResult&) = delete;
    const std::string& gpkg_path() const noexcept { return gpkg_; }
    void publish() const;

  private:
    std::string output_;
    bool overwrite_;
    std::string dir_;
    std::string gpkg_;
};

// Copies every layer of a GeoPackage into `output`'s schema (see the file comment). The
// GeoPackage's RUIMTE_* metadata items become the run manifest in each table's comment.
void publish_gpkg(const std::string& gpkg_path, const std::string& output, bool overwrite);

}  // namespace pg
}  // namespace ruimte
