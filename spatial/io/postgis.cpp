#include "spatial/io/postgis.hpp"

#include <gdal_priv.h>
#include <libpq-fe.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "spatial/core/escape.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/io/source.hpp"

namespace fs = std::filesystem;

namespace ruimte::pg {

namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    }
    return true;
}

bool is_uri(std::string_view s) {
    return starts_with_nocase(s, "postgresql://") || starts_with_nocase(s, "postgres://");
}

constexpr std::size_t kMaxNameBytes = 63;

const char* kSyntaxHint =
    "write PG:\"dbname=NAME host=HOST port=PORT user=USER\"[:TABLE] or "
    "postgresql://USER@HOST:PORT/DB[?schema=NAME][:TABLE]";

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// The place named when a connection string cannot be parsed: the text up to its first
// password (as ***), the rest left out: when a password holds a space, the word after it is
// more of the password, which redact_secrets cannot know.
std::string unparsed_place(const std::string& spec) {
    const std::string r = redact_secrets(spec);
    if (r == spec) return spec;
    return r.substr(0, r.find("***") + 3) + " ...";
}

// A value in libpq's keyword=value syntax: bare when it can be, else single-quoted.
std::string conninfo_value(const std::string& v) {
    const bool bare = !v.empty() && v.find_first_of(" \t\n'\\") == std::string::npos;
    if (bare) return v;
    std::string out = "'";
    for (char ch : v) {
        if (ch == '\'' || ch == '\\') out += '\\';
        out += ch;
    }
    return out + "'";
}

// Removes `schema=` (and GDAL's `active_schema=`) from a keyword=value conninfo; libpq does
// not know the keyword. Values may be single-quoted with backslash escapes, as libpq allows.
std::string strip_schema_keyword(const std::string& conninfo, std::string& schema, const std::string& spec,
                                 ErrorKind kind) {
    std::string rest;
    std::size_t i = 0;
    const std::size_t n = conninfo.size();
    while (i < n) {
        while (i < n && std::isspace(static_cast<unsigned char>(conninfo[i]))) ++i;
        if (i >= n) break;
        const std::size_t key_start = i;
        while (i < n && conninfo[i] != '=' && !std::isspace(static_cast<unsigned char>(conninfo[i]))) ++i;
        const std::string key = conninfo.substr(key_start, i - key_start);
        while (i < n && std::isspace(static_cast<unsigned char>(conninfo[i]))) ++i;
        if (i >= n || conninfo[i] != '=') {
            // The word may be the rest of a password with a space in it: named only when the
            // string holds no password.
            const bool secret = redact_secrets(spec) != spec;
            throw Error(kind,
                        (secret ? std::string("a word") : "'" + key + "'") + " in the connection string has no value",
                        ErrorPlace::at(unparsed_place(spec)),
                        kSyntaxHint + std::string(secret ? "; a password with spaces goes in single quotes" : ""));
        }
        ++i;
        while (i < n && std::isspace(static_cast<unsigned char>(conninfo[i]))) ++i;
        std::string value;
        if (i < n && conninfo[i] == '\'') {
            ++i;
            bool closed = false;
            while (i < n) {
                if (conninfo[i] == '\\' && i + 1 < n) {
                    value += conninfo[i + 1];
                    i += 2;
                } else if (conninfo[i] == '\'') {
                    ++i;
                    closed = true;
                    break;
                } else {
                    value += conninfo[i++];
                }
            }
            if (!closed)
                throw Error(kind, "unterminated quote in the connection string", ErrorPlace::at(unparsed_place(spec)),
                            kSyntaxHint);
        } else {
            while (i < n && !std::isspace(static_cast<unsigned char>(conninfo[i]))) value += conninfo[i++];
        }
        if (key == "schema" || key == "active_schema") {
            schema = value;
        } else {
            rest += (rest.empty() ? "" : " ") + key + "=" + conninfo_value(value);
        }
    }
    return rest;
}

// Removes `schema=NAME` from a URI's query string.
std::string strip_schema_param(const std::string& uri, std::string& schema) {
    const auto q = uri.find('?');
    if (q == std::string::npos) return uri;
    std::string kept;
    std::size_t start = q + 1;
    while (start <= uri.size()) {
        auto amp = uri.find('&', start);
        if (amp == std::string::npos) amp = uri.size();
        const std::string param = uri.substr(start, amp - start);
        if (param.rfind("schema=", 0) == 0) {
            schema = percent_decode(param.substr(7));
        } else if (!param.empty()) {
            kept += (kept.empty() ? "" : "&") + param;
        }
        start = amp + 1;
    }
    return uri.substr(0, q) + (kept.empty() ? "" : "?" + kept);
}

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(i);
}

}  // namespace

bool is_postgres(std::string_view spec) {
    return starts_with_nocase(spec, "PG:") || is_uri(spec);
}

std::string Target::display() const {
    std::string out;
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), nullptr);
    if (opts) {
        for (PQconninfoOption* o = opts; o->keyword; ++o) {
            if (!o->val || !*o->val || std::string(o->keyword) == "password") continue;
            out += (out.empty() ? "" : " ") + std::string(o->keyword) + "=" + conninfo_value(o->val);
        }
        PQconninfoFree(opts);
    }
    if (!schema.empty()) out += (out.empty() ? "" : " ") + std::string("schema=") + conninfo_value(schema);
    return "PG:\"" + out + "\"";
}

std::string Target::gdal_name() const {
    std::string out = "PG:" + conninfo;
    if (!schema.empty()) out += " active_schema=" + conninfo_value(schema);
    return out;
}

Target read_only(const Target& target) {
    Target out = target;
    out.conninfo.clear();
    std::string options;
    PQconninfoOption* opts = PQconninfoParse(target.conninfo.c_str(), nullptr);
    if (opts) {
        for (PQconninfoOption* o = opts; o->keyword; ++o) {
            if (!o->val || !*o->val) continue;
            if (std::string(o->keyword) == "options") {
                options = o->val;
                continue;
            }
            out.conninfo += (out.conninfo.empty() ? "" : " ") + std::string(o->keyword) + "=" + conninfo_value(o->val);
        }
        PQconninfoFree(opts);
    }
    options += (options.empty() ? "" : " ") + std::string("-c default_transaction_read_only=on");
    out.conninfo += (out.conninfo.empty() ? "" : " ") + std::string("options=") + conninfo_value(options);
    return out;
}

Target parse_target(std::string_view spec_in, ErrorKind kind) {
    const std::string spec(spec_in);
    std::string body;
    if (starts_with_nocase(spec, "PG:")) {
        body = spec.substr(3);
        if (!body.empty() && body.front() == '"') {
            if (body.size() < 2 || body.back() != '"') {
                throw Error(kind, "the connection string's closing '\"' is missing",
                            ErrorPlace::at(unparsed_place(spec)), kSyntaxHint);
            }
            body = body.substr(1, body.size() - 2);
        }
    } else if (is_uri(spec)) {
        body = spec;
    } else {
        throw Error(kind, "not a PostgreSQL connection", ErrorPlace::at(unparsed_place(spec)), kSyntaxHint);
    }
    Target t;
    body = trim(body);
    if (is_uri(body)) {
        body = strip_schema_param(body, t.schema);
    } else {
        body = strip_schema_keyword(body, t.schema, spec, kind);
    }
    // PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN 64) without a word: two
    // different long names would be one schema.
    if (t.schema.size() > kMaxNameBytes) {
        throw Error(kind,
                    "the schema name is " + std::to_string(t.schema.size()) + " bytes long; PostgreSQL cuts names to " +
                        std::to_string(kMaxNameBytes) + " bytes, so it would be another schema's name",
                    ErrorPlace::at(spec), "use a schema name of at most 63 bytes (a-z, 0-9 and _ are one byte each)");
    }
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(body.c_str(), &err);
    if (!opts) {
        std::string why = err ? trim(err) : "not understood";
        PQfreemem(err);
        // libpq quotes the part it did not understand, which may be a piece of the password.
        if (redact_secrets(spec) != spec) {
            for (std::size_t q = why.find('"'); q != std::string::npos; q = why.find('"', q + 1)) {
                const std::size_t close = why.find('"', q + 1);
                if (close == std::string::npos) break;
                why.replace(q + 1, close - q - 1, "...");
                q += 4;
            }
        }
        throw Error(kind, "invalid PostgreSQL connection: " + why, ErrorPlace::at(unparsed_place(spec)), kSyntaxHint);
    }
    // Normalised keyword=value form: the same database always gives the same string.
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
        if (!o->val || !*o->val) continue;
        t.conninfo += (t.conninfo.empty() ? "" : " ") + std::string(o->keyword) + "=" + conninfo_value(o->val);
    }
    PQconninfoFree(opts);
    return t;
}

std::pair<std::string, std::string> split_source(std::string_view spec_in) {
    const std::string spec(spec_in);
    if (starts_with_nocase(spec, "PG:")) {
        if (spec.size() > 3 && spec[3] == '"') {
            const auto close = spec.find('"', 4);
            if (close == std::string::npos) {
                throw Error(ErrorKind::input, "the connection string's closing '\"' is missing", ErrorPlace::at(spec),
                            kSyntaxHint);
            }
            const std::string conn = spec.substr(0, close + 1);
            const std::string rest = spec.substr(close + 1);
            if (rest.empty()) return {conn, ""};
            if (rest.front() != ':' || rest.size() == 1) {
                throw Error(ErrorKind::input,
                            "after the quoted connection string comes ':TABLE' or ':SELECT ...', not '" + rest + "'",
                            ErrorPlace::at(unparsed_place(spec)), kSyntaxHint);
            }
            return {conn, trim(rest.substr(1))};
        }
        return {spec, ""};  // unquoted: the whole rest is the connection string
    }
    if (is_uri(spec)) {
        const auto scheme_end = spec.find("://") + 3;
        const auto path = spec.find('/', scheme_end);
        if (path == std::string::npos) return {spec, ""};
        const auto colon = spec.find(':', path);
        if (colon == std::string::npos) return {spec, ""};
        if (colon + 1 == spec.size()) {
            throw Error(ErrorKind::input, "nothing after ':'", ErrorPlace::at(spec),
                        "write :TABLE or :SELECT ... after the URI");
        }
        return {spec.substr(0, colon), trim(spec.substr(colon + 1))};
    }
    throw Error(ErrorKind::input, "not a PostgreSQL source", ErrorPlace::at(unparsed_place(spec)), kSyntaxHint);
}

bool is_query(std::string_view relation) {
    std::size_t i = 0;
    while (i < relation.size() && (std::isspace(static_cast<unsigned char>(relation[i])) || relation[i] == '(')) ++i;
    const std::string_view r = relation.substr(i);
    for (std::string_view word : {std::string_view("select"), std::string_view("with")}) {
        if (starts_with_nocase(r, word) &&
            (r.size() == word.size() || std::isspace(static_cast<unsigned char>(r[word.size()])))) {
            return true;
        }
    }
    return false;
}

// --- GDAL layers ------------------------------------------------------------------------

struct OpenedLayer::Impl {
    std::unique_ptr<GDALDataset> ds;
    OGRLayer* layer = nullptr;
    bool result_set = false;
    ~Impl() {
        if (result_set && ds && layer) ds->ReleaseResultSet(layer);
    }
};

OpenedLayer::OpenedLayer() = default;
OpenedLayer::~OpenedLayer() = default;
OpenedLayer::OpenedLayer(OpenedLayer&&) noexcept = default;
OpenedLayer& OpenedLayer::operator=(OpenedLayer&&) noexcept = default;
OGRLayer* OpenedLayer::layer() const noexcept {
    return impl_ ? impl_->layer : nullptr;
}

void check_source_query(const Target& target, const std::string& query, const ErrorPlace& place) {
    // One statement (PQexecParams takes no second one: "...; DROP TABLE t" is refused), as a
    // subquery (where PostgreSQL refuses WITH ... DELETE/UPDATE/INSERT), in a READ ONLY
    // transaction of a read-only session; LIMIT 0: planned, no row read.
    Connection c(read_only(target), ErrorKind::input);
    c.exec("BEGIN READ ONLY");
    try {
        c.query("SELECT * FROM (\n" + query + "\n) AS s LIMIT 0");
    } catch (const Error& e) {
        throw Error(ErrorKind::input, "the query is refused: " + e.message(), place,
                    "a source query is one SELECT (or WITH ... SELECT) that only reads; test it in psql");
    }
    c.exec("ROLLBACK");
}

OpenedLayer open_layer(const SourceSpec& spec) {
    ensure_gdal();
    Target target = parse_target(spec.path, ErrorKind::input);
    ErrorPlace place = ErrorPlace::at(target.display(), spec.layer);
    if (is_query(spec.layer)) {
        // A query runs read-only: checked first, then run by GDAL in a session whose every
        // transaction is READ ONLY.
        check_source_query(target, spec.layer, place);
        target = read_only(target);
    }
    OpenedLayer out;
    out.impl_ = std::make_unique<OpenedLayer::Impl>();
    auto& impl = *out.impl_;
    CPLErrorReset();
    impl.ds.reset(
        GDALDataset::Open(target.gdal_name().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR));
    if (!impl.ds) {
        throw Error(ErrorKind::input, "cannot connect to PostgreSQL: " + trim(gdal_last_error()), place,
                    "check host, port, dbname and user, that the server runs, and that PostGIS is installed");
    }
    auto names = [&] {
        std::string s;
        for (int i = 0; i < impl.ds->GetLayerCount() && i < 30; ++i)
            s += (i ? ", " : "") + std::string(impl.ds->GetLayer(i)->GetName());
        if (impl.ds->GetLayerCount() > 30) s += ", ...";
        return s.empty() ? std::string("(no spatial tables)") : s;
    };
    if (spec.layer.empty()) {
        if (impl.ds->GetLayerCount() != 1) {
            throw Error(
                ErrorKind::input,
                "the database has " + std::to_string(impl.ds->GetLayerCount()) + " spatial tables (" + names() + ")",
                place, "name one: PG:\"...\":TABLE or postgresql://.../DB:TABLE");
        }
        impl.layer = impl.ds->GetLayer(0);
    } else if (is_query(spec.layer)) {
        CPLErrorReset();
        impl.layer = impl.ds->ExecuteSQL(spec.layer.c_str(), nullptr, nullptr);
        if (!impl.layer) {
            throw Error(ErrorKind::input, "the query failed: " + trim(gdal_last_error("it returned no result set")),
                        place, "fix the SQL; it must return one geometry column (test it in psql)");
        }
        impl.result_set = true;
        if (impl.layer->GetLayerDefn()->GetGeomFieldCount() == 0) {
            throw Error(ErrorKind::input, "the query returns no geometry column", place,
                        "select the geometry column too");
        }
    } else {
        CPLErrorReset();
        impl.layer = impl.ds->GetLayerByName(spec.layer.c_str());
        if (!impl.layer) {
            throw Error(ErrorKind::input, "no such spatial table; the database has: " + names(), place,
                        "use one of the tables listed (SCHEMA.TABLE outside the search path), or add ?schema=NAME");
        }
    }
    return out;
}

// --- libpq ------------------------------------------------------------------------------

Result::~Result() {
    if (r_) PQclear(r_);
}
int Result::rows() const noexcept {
    return PQntuples(r_);
}
int Result::columns() const noexcept {
    return PQnfields(r_);
}
bool Result::is_null(int row, int col) const noexcept {
    return PQgetisnull(r_, row, col) != 0;
}
std::string Result::text(int row, int col) const {
    return PQgetvalue(r_, row, col);
}
double Result::number(int row, int col) const {
    if (is_null(row, col)) return std::nan("");
    return std::strtod(PQgetvalue(r_, row, col), nullptr);  // "NaN", "Infinity" parse too
}
long long Result::integer(int row, int col) const {
    return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10);
}
std::string Result::column_name(int col) const {
    return PQfname(r_, col);
}
unsigned Result::column_type(int col) const noexcept {
    return PQftype(r_, col);
}

Connection::Connection(const Target& target, ErrorKind kind) : target_(target), kind_(kind) {
    const std::string conninfo = target.conninfo + " fallback_application_name=ruimte";
    conn_ = PQconnectdb(conninfo.c_str());
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
        const std::string why = conn_ ? trim(PQerrorMessage(conn_)) : "out of memory";
        if (conn_) PQfinish(conn_);
        conn_ = nullptr;
        throw Error(kind, "cannot connect to PostgreSQL: " + why, ErrorPlace::at(target.display()),
                    "check host, port, dbname and user, and that the server runs (a password belongs in ~/.pgpass or "
                    "PGPASSWORD)");
    }
    PQsetClientEncoding(conn_, "UTF8");
    exec("SET client_min_messages = warning");
}

Connection::~Connection() {
    if (conn_) PQfinish(conn_);
}

void Connection::fail(const std::string& what, pg_result* r, const std::string& hint) {
    std::string msg = trim(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
    if (r) PQclear(r);
    throw Error(
        kind_, what + ": " + msg, ErrorPlace::at(target_.display()),
        hint.empty() ? "see the PostgreSQL message; check the connection and your rights in the database" : hint);
}

// PQexecParams, not PQexec: the extended protocol takes exactly one statement, so a name or a
// query from a profile can never add a second one ("...; DROP TABLE ...").
void Connection::exec(const std::string& sql) {
    PGresult* r = PQexecParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
    const auto st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail("SQL failed (" + sql.substr(0, 80) + (sql.size() > 80 ? "..." : "") + ")", r);
    PQclear(r);
}

Result Connection::query(const std::string& sql) {
    PGresult* r = PQexecParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail("SQL failed (" + sql.substr(0, 80) + (sql.size() > 80 ? "..." : "") + ")", r);
    return Result(r);
}

void Connection::copy_begin(const std::string& copy_sql) {
    PGresult* r = PQexec(conn_, copy_sql.c_str());
    if (PQresultStatus(r) != PGRES_COPY_IN) fail("COPY failed to start", r);
    PQclear(r);
}

void Connection::copy_put(std::string& data) {
    constexpr std::size_t kChunk = 1 << 20;
    if (data.size() < kChunk) return;
    for (std::size_t off = 0; off < data.size(); off += kChunk) {
        const std::size_t len = std::min(kChunk, data.size() - off);
        if (PQputCopyData(conn_, data.data() + off, static_cast<int>(len)) != 1) fail("COPY failed", nullptr);
    }
    data.clear();
}

void Connection::copy_end(std::string& data) {
    if (!data.empty() && PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1)
        fail("COPY failed", nullptr);
    data.clear();
    if (PQputCopyEnd(conn_, nullptr) != 1) fail("COPY failed", nullptr);
    PGresult* end = PQgetResult(conn_);
    if (PQresultStatus(end) != PGRES_COMMAND_OK) fail("COPY failed", end);
    PQclear(end);
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
}

std::string Connection::ident(std::string_view name) const {
    char* q = PQescapeIdentifier(conn_, name.data(), name.size());
    if (!q) throw Error(ErrorKind::internal, "cannot quote identifier '" + std::string(name) + "'");
    std::string out(q);
    PQfreemem(q);
    return out;
}

std::string Connection::literal(std::string_view text) const {
    char* q = PQescapeLiteral(conn_, text.data(), text.size());
    if (!q) throw Error(ErrorKind::internal, "cannot quote a string literal");
    std::string out(q);
    PQfreemem(q);
    return out;
}

std::string ewkb_hex(const unsigned char* wkb, std::size_t size, int srid) {
    static const char hex[] = "0123456789abcdef";
    if (size < 5) throw Error(ErrorKind::internal, "WKB too short");
    std::string out;
    out.reserve(size * 2 + 8);
    auto byte = [&](unsigned char b) {
        out += hex[b >> 4];
        out += hex[b & 15];
    };
    const bool little = wkb[0] == 1;
    if (!little) throw Error(ErrorKind::internal, "big-endian WKB is not supported here");
    std::uint32_t type = 0;
    for (int i = 0; i < 4; ++i) {
        const std::uint32_t b = wkb[1 + i];
        type |= b << (8 * i);
    }
    if (srid > 0) type |= 0x20000000u;
    byte(1);  // written little-endian whatever came in
    for (int i = 0; i < 4; ++i) byte(static_cast<unsigned char>(type >> (8 * i)));
    if (srid > 0) {
        const auto s = static_cast<std::uint32_t>(srid);
        for (int i = 0; i < 4; ++i) byte(static_cast<unsigned char>(s >> (8 * i)));
    }
    for (std::size_t i = 5; i < size; ++i) byte(wkb[i]);
    return out;
}

std::vector<std::string> table_name_parts(std::string_view table) {
    // "Schema"."Table" ("" inside quotes is one "), a.b split at the dot, or one name. Every
    // part is quoted again by Connection::ident: nothing written here reaches SQL unquoted.
    auto refuse = [&](const std::string& why) {
        return Error(ErrorKind::input, "'" + std::string(table) + "' is not a table name: " + why, ErrorPlace{},
                     "write TABLE, SCHEMA.TABLE or \"Schema\".\"Table\" (a \" inside quotes doubled), or a query "
                     "starting with SELECT");
    };
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (true) {
        std::string part;
        if (i < table.size() && table[i] == '"') {
            ++i;
            bool closed = false;
            while (i < table.size()) {
                if (table[i] == '"') {
                    if (i + 1 < table.size() && table[i + 1] == '"') {
                        part += '"';
                        i += 2;
                        continue;
                    }
                    closed = true;
                    ++i;
                    break;
                }
                part += table[i++];
            }
            if (!closed) throw refuse("a quote is not closed");
        } else {
            while (i < table.size() && table[i] != '.') {
                if (table[i] == '"') throw refuse("a quote inside a name that does not start with one");
                part += table[i++];
            }
        }
        if (part.empty()) throw refuse("an empty name");
        parts.push_back(std::move(part));
        if (i == table.size()) break;
        if (table[i] != '.') throw refuse("something other than '.' after a quoted name");
        ++i;
    }
    if (parts.size() > 2) throw refuse("more than SCHEMA.TABLE");
    return parts;
}

std::string quoted_table(const Connection& conn, std::string_view table, const std::string& schema) {
    const std::vector<std::string> parts = table_name_parts(table);
    if (parts.size() == 2) return conn.ident(parts[0]) + "." + conn.ident(parts[1]);
    return schema.empty() ? conn.ident(parts[0]) : conn.ident(schema) + "." + conn.ident(parts[0]);
}

// --- results ----------------------------------------------------------------------------

namespace {

Target output_target(const std::string& output) {
    Target t = parse_target(output, ErrorKind::usage);
    if (t.schema.empty()) {
        throw Error(ErrorKind::usage, "a PostgreSQL output needs a schema for the result", ErrorPlace::at(t.display()),
                    "add ?schema=NAME to the URI (postgresql://USER@HOST:PORT/DB?schema=NAME) or schema=NAME inside "
                    "PG:\"...\"");
    }
    return t;
}

void require_postgis(Connection& c) {
    const Result r = c.query("SELECT extversion FROM pg_extension WHERE extname = 'postgis'");
    if (r.rows() == 0) {
        throw Error(c.kind(), "PostGIS is not installed in this database", ErrorPlace::at(c.target().display()),
                    "run CREATE EXTENSION postgis; in the database (as its owner or a superuser)");
    }
}

std::vector<std::string> existing_tables(Connection& c, const std::string& schema,
                                         const std::vector<std::string>& tables) {
    std::string list;
    for (const auto& t : tables) list += (list.empty() ? "" : ", ") + c.literal(t);
    if (list.empty()) return {};
    const Result r =
        c.query("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = " +
                c.literal(schema) + " AND c.relname IN (" + list + ") ORDER BY c.relname");
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
    return out;
}

[[noreturn]] void result_exists(const Connection& c, const std::vector<std::string>& found) {
    std::string names;
    for (const auto& f : found) names += (names.empty() ? "" : ", ") + f;
    throw Error(ErrorKind::output, "the result exists (tables " + names + ")", ErrorPlace::at(c.target().display()),
                "pass --overwrite to replace it, or write to another schema");
}

std::string copy_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        switch (ch) {
            case '\\': out += "\\\\"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            default: out += ch;
        }
    }
    return out;
}

std::string real_text(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

const char kHex[] = "0123456789abcdef";

std::string ewkb_of(const OGRGeometry& g, int srid) {
    std::vector<unsigned char> wkb(g.WkbSize());
    g.exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
    return ewkb_hex(wkb.data(), wkb.size(), srid);
}

std::string sql_type(const OGRFieldDefn& f) {
    switch (f.GetType()) {
        case OFTInteger:
            return f.GetSubType() == OFSTBoolean ? "boolean" : (f.GetSubType() == OFSTInt16 ? "smallint" : "integer");
        case OFTInteger64: return "bigint";
        case OFTReal: return f.GetSubType() == OFSTFloat32 ? "real" : "double precision";
        case OFTDate: return "date";
        case OFTTime: return "time";
        case OFTDateTime: return "timestamp with time zone";
        case OFTBinary: return "bytea";
        default: return "text";  // strings and lists
    }
}

std::string field_text(const OGRFeature& feat, int i, const OGRFieldDefn& f) {
    auto& ft = const_cast<OGRFeature&>(feat);
    switch (f.GetType()) {
        case OFTInteger:
            if (f.GetSubType() == OFSTBoolean) return ft.GetFieldAsInteger(i) ? "t" : "f";
            return std::to_string(ft.GetFieldAsInteger(i));
        case OFTInteger64: return std::to_string(static_cast<long long>(ft.GetFieldAsInteger64(i)));
        case OFTReal: return real_text(ft.GetFieldAsDouble(i));
        case OFTDate: {
            int y = 0, m = 0, d = 0, hh = 0, mm = 0, tz = 0;
            float ss = 0;
            ft.GetFieldAsDateTime(i, &y, &m, &d, &hh, &mm, &ss, &tz);
            char buf[32];
            std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
            return buf;
        }
        case OFTDateTime: {
            int y = 0, m = 0, d = 0, hh = 0, mm = 0, tz = 0;
            float ss = 0;
            ft.GetFieldAsDateTime(i, &y, &m, &d, &hh, &mm, &ss, &tz);
            char buf[64];
            std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%06.3f", y, m, d, hh, mm, static_cast<double>(ss));
            std::string out = buf;
            if (tz > 1) {  // OGR: 100 = UTC, each step of 1 = 15 minutes
                const int minutes = (tz - 100) * 15;
                std::snprintf(buf, sizeof buf, "%+03d:%02d", minutes / 60, std::abs(minutes % 60));
                out += buf;
            }
            return out;
        }
        case OFTBinary: {
            int len = 0;
            const GByte* data = ft.GetFieldAsBinary(i, &len);
            std::string out = "\\\\x";
            for (int k = 0; k < len; ++k) {
                out += kHex[data[k] >> 4];
                out += kHex[data[k] & 15];
            }
            return out;
        }
        default: return copy_escape(ft.GetFieldAsString(i));
    }
}

int epsg_of(const OGRSpatialReference* srs) {
    if (!srs) return 0;
    const char* auth = srs->GetAuthorityName(nullptr);
    const char* code = srs->GetAuthorityCode(nullptr);
    if (auth && code && std::string(auth) == "EPSG") return std::atoi(code);
    return 0;
}

// The run manifest from the GeoPackage's RUIMTE_* metadata (version, command, profile, inputs).
std::string manifest_text(GDALDataset& ds) {
    std::string out;
    CSLConstList md = ds.GetMetadata();
    std::map<std::string, std::string> items;
    for (CSLConstList p = md; p && *p; ++p) {
        const std::string kv = *p;
        const auto eq = kv.find('=');
        if (eq == std::string::npos || kv.rfind("RUIMTE_", 0) != 0) continue;
        items[kv.substr(7, eq - 7)] = kv.substr(eq + 1);
    }
    // Short items first, the profile text last.
    for (const auto& [k, v] : items) {
        if (k != "PROFILE") out += k + ": " + v + "\n";
    }
    if (items.count("PROFILE"))
        out +=
            "PROFILE:\n" + items["PROFILE"] + (items["PROFILE"].empty() || items["PROFILE"].back() == '\n' ? "" : "\n");
    return out;
}

void write_table(Connection& c, OGRLayer& layer, const std::string& schema, const std::string& manifest) {
    const std::string name = layer.GetName();
    const std::string table = c.ident(schema) + "." + c.ident(name);
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    const std::string fid_col = *layer.GetFIDColumn() ? layer.GetFIDColumn() : "fid";
    const bool spatial = layer.GetGeomType() != wkbNone && defn->GetGeomFieldCount() > 0;
    const std::string geom_col = spatial ? (*layer.GetGeometryColumn() ? layer.GetGeometryColumn() : "geom") : "";
    const int srid = spatial ? epsg_of(layer.GetSpatialRef()) : 0;

    std::string columns = c.ident(fid_col) + " bigint PRIMARY KEY";
    std::string names = c.ident(fid_col);
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const OGRFieldDefn& f = *defn->GetFieldDefn(i);
        columns += ", " + c.ident(f.GetNameRef()) + " " + sql_type(f);
        names += ", " + c.ident(f.GetNameRef());
    }
    if (spatial) {
        std::string type = OGRToOGCGeomType(wkbFlatten(layer.GetGeomType()));
        if (type.empty()) type = "GEOMETRY";
        columns += ", " + c.ident(geom_col) + " geometry(" + type + ", " + std::to_string(srid) + ")";
        names += ", " + c.ident(geom_col);
    }
    c.exec("CREATE TABLE " + table + " (" + columns + ")");

    std::string data;  // sent every 1 MB: a table of millions of rows is never whole in memory
    c.copy_begin("COPY " + table + " (" + names + ") FROM STDIN");
    layer.ResetReading();
    for (auto& feat : layer) {
        data += std::to_string(static_cast<long long>(feat->GetFID()));
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            data += '\t';
            data += feat->IsFieldSetAndNotNull(i) ? field_text(*feat, i, *defn->GetFieldDefn(i)) : std::string("\\N");
        }
        if (spatial) {
            data += '\t';
            const OGRGeometry* g = feat->GetGeometryRef();
            data += g ? ewkb_of(*g, srid) : std::string("\\N");
        }
        data += '\n';
        c.copy_put(data);
    }
    c.copy_end(data);
    if (spatial) {
        c.exec("CREATE INDEX " + c.ident(name + "_" + geom_col + "_gist") + " ON " + table + " USING gist (" +
               c.ident(geom_col) + ")");
    }
    const char* description = layer.GetMetadataItem("DESCRIPTION");
    std::string comment = description && *description ? std::string(description) + "\n\n" : std::string();
    comment += "ruimte run manifest\n" + manifest;
    // Every role that can see the table can read its comment: no password in it.
    c.exec("COMMENT ON TABLE " + table + " IS " + c.literal(redact_secrets(comment)));
    c.exec("ANALYZE " + table);
}

struct StyleRow {
    std::string table, geom_col, name, qml, sld, description;
    bool spatial = false;
};

// Styles for the result: the GeoPackage's own layer_styles when it has one, else default_qml().
std::vector<StyleRow> styles_for(GDALDataset& ds, const std::vector<OGRLayer*>& layers) {
    std::vector<StyleRow> rows;
    std::set<std::string> styled;
    if (OGRLayer* ls = ds.GetLayerByName("layer_styles")) {
        for (auto& f : *ls) {
            StyleRow r;
            r.table = f->GetFieldAsString("f_table_name");
            r.geom_col = f->GetFieldAsString("f_geometry_column");
            r.name = f->GetFieldAsString("styleName");
            r.qml = f->GetFieldAsString("styleQML");
            r.sld = f->GetFieldAsString("styleSLD");
            r.description = f->GetFieldAsString("description");
            r.spatial = true;
            styled.insert(r.table);
            rows.push_back(std::move(r));
        }
    }
    for (OGRLayer* l : layers) {
        if (styled.count(l->GetName())) continue;
        std::vector<std::string> fields;
        for (int i = 0; i < l->GetLayerDefn()->GetFieldCount(); ++i)
            fields.emplace_back(l->GetLayerDefn()->GetFieldDefn(i)->GetNameRef());
        const std::string qml = default_qml(l->GetName(), fields);
        if (qml.empty()) continue;
        StyleRow r;
        r.table = l->GetName();
        r.spatial = l->GetGeomType() != wkbNone;
        r.geom_col = r.spatial ? (*l->GetGeometryColumn() ? l->GetGeometryColumn() : "geom") : "";
        r.name = r.table;
        r.qml = qml;
        r.description = "ruimte default style";
        rows.push_back(std::move(r));
    }
    return rows;
}

void write_styles(Connection& c, const std::string& schema, const std::vector<StyleRow>& rows,
                  const std::vector<std::string>& tables) {
    if (rows.empty()) return;
    // QGIS reads default styles from `layer_styles` on the search path: public.layer_styles.
    // When this role may not write there, the styles go into the result's own schema.
    Result where = c.query(
        "SELECT to_regclass('public.layer_styles') IS NOT NULL, "
        "has_schema_privilege('public', 'CREATE'), "
        "CASE WHEN to_regclass('public.layer_styles') IS NULL THEN false "
        "ELSE has_table_privilege('public.layer_styles', 'INSERT, DELETE') END");
    const bool exists = where.text(0, 0) == "t", can_create = where.text(0, 1) == "t",
               can_write = where.text(0, 2) == "t";
    std::string styles_schema = "public";
    if ((exists && !can_write) || (!exists && !can_create)) styles_schema = schema;
    const std::string table = c.ident(styles_schema) + ".layer_styles";
    // Two runs creating the table at once would collide: serialise the creation (the lock
    // lasts until commit, so only runs that find no table wait for each other).
    if (!exists || styles_schema != "public") {
        c.exec("SELECT pg_advisory_xact_lock(hashtextextended('ruimte layer_styles ' || " + c.literal(styles_schema) +
               ", 0))");
    }
    c.exec("CREATE TABLE IF NOT EXISTS " + table +
           " (id serial PRIMARY KEY, f_table_catalog varchar, f_table_schema varchar, f_table_name varchar, "
           "f_geometry_column varchar, stylename text, styleqml xml, stylesld xml, useasdefault boolean, description "
           "text, "
           "owner varchar(63) DEFAULT CURRENT_USER, ui xml, update_time timestamp DEFAULT CURRENT_TIMESTAMP, type "
           "varchar)");
    const Result has_type = c.query("SELECT 1 FROM pg_attribute WHERE attrelid = '" + table +
                                    "'::regclass AND attname = 'type' AND NOT attisdropped");
    std::string list;
    for (const auto& t : tables) list += (list.empty() ? "" : ", ") + c.literal(t);
    c.exec("DELETE FROM " + table + " WHERE f_table_catalog = current_database() AND f_table_schema = " +
           c.literal(schema) + " AND f_table_name IN (" + list + ")");
    for (const StyleRow& r : rows) {
        std::string sql =
            "INSERT INTO " + table +
            " (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, stylename, styleqml, stylesld, "
            "useasdefault, description" +
            std::string(has_type.rows() ? ", type" : "") + ") VALUES (current_database(), " + c.literal(schema) + ", " +
            c.literal(r.table) + ", " + c.literal(r.geom_col) + ", " + c.literal(r.name) + ", " + "XMLPARSE(DOCUMENT " +
            c.literal(r.qml) + "), " +
            (r.sld.empty() ? std::string("NULL") : "XMLPARSE(DOCUMENT " + c.literal(r.sld) + ")") + ", true, " +
            c.literal(r.description);
        if (has_type.rows()) sql += ", " + std::string(r.spatial ? "'Polygon'" : "NULL");
        c.exec(sql + ")");
    }
}

}  // namespace

void check_output(const std::string& output, bool overwrite, const std::vector<std::string>& tables) {
    const Target t = output_target(output);
    Connection c(t, ErrorKind::output);
    require_postgis(c);
    const auto found = existing_tables(c, t.schema, tables);
    if (!found.empty() && !overwrite) result_exists(c, found);
}

void publish_gpkg(const std::string& gpkg_path, const std::string& output, bool overwrite) {
    ensure_gdal();
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(gpkg_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds)
        throw Error(ErrorKind::internal, "cannot reopen the staged GeoPackage: " + gdal_last_error(),
                    ErrorPlace::at(gpkg_path));
    std::vector<OGRLayer*> layers;
    std::vector<std::string> names;
    for (int i = 0; i < ds->GetLayerCount(); ++i) {
        OGRLayer* l = ds->GetLayer(i);
        if (std::string(l->GetName()) == "layer_styles") continue;
        layers.push_back(l);
        names.emplace_back(l->GetName());
    }
    const std::string manifest = manifest_text(*ds);

    const Target t = output_target(output);
    Connection c(t, ErrorKind::output);
    c.exec("BEGIN");
    // One writer per result schema; the lock goes with the transaction (commit, rollback or a
    // killed client).
    const Result lock =
        c.query("SELECT pg_try_advisory_xact_lock(hashtextextended('ruimte result ' || current_database() || '.' || " +
                c.literal(t.schema) + ", 0))");
    if (lock.text(0, 0) != "t") {
        throw Error(
            ErrorKind::output, "another run is writing this result right now", ErrorPlace::at(t.display()),
            "wait until it has finished (then use --overwrite to replace its result), or write to another schema");
    }
    require_postgis(c);
    c.exec("CREATE SCHEMA IF NOT EXISTS " + c.ident(t.schema));
    const auto found = existing_tables(c, t.schema, names);
    if (!found.empty() && !overwrite) result_exists(c, found);
    for (const auto& f : found) c.exec("DROP TABLE " + c.ident(t.schema) + "." + c.ident(f));
    for (OGRLayer* l : layers) write_table(c, *l, t.schema, manifest);
    write_styles(c, t.schema, styles_for(*ds, layers), names);
    // Test hook: hold the open transaction so tests can kill the run or race a second one.
    if (const char* pause = std::getenv("RUIMTE_TEST_PG_PAUSE_BEFORE_COMMIT")) {
        std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(std::atof(pause) * 1000)));
    }
    c.exec("COMMIT");
}

StagedResult::StagedResult(std::string output, bool overwrite) : output_(std::move(output)), overwrite_(overwrite) {
    std::string tmpl = (fs::temp_directory_path() / "ruimte-pg-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
        throw Error(ErrorKind::output, "cannot create a temporary folder",
                    ErrorPlace::at(fs::temp_directory_path().string()),
                    "check free space and write permission in TMPDIR");
    }
    dir_ = tmpl;
    gpkg_ = (fs::path(dir_) / "result.gpkg").string();
}

StagedResult::~StagedResult() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void StagedResult::publish() const {
    publish_gpkg(gpkg_, output_, overwrite_);
}

// --- styles -----------------------------------------------------------------------------

std::string default_qml(const std::string& table, const std::vector<std::string>& fields) {
    if (table != "candidates_scored" || std::find(fields.begin(), fields.end(), "score") == fields.end()) return {};
    // Five equal classes of the score (0..1), red (poor) to green (good).
    struct Band {
        double lower, upper;
        const char* color;
    };
    const Band bands[] = {{0.0, 0.2, "215,25,28,255"},
                          {0.2, 0.4, "253,174,97,255"},
                          {0.4, 0.6, "255,255,191,255"},
                          {0.6, 0.8, "166,217,106,255"},
                          {0.8, 1.0, "26,150,65,255"}};
    std::string ranges, symbols;
    for (int i = 0; i < 5; ++i) {
        char buf[256];
        std::snprintf(
            buf, sizeof buf,
            "      <range lower=\"%.6f\" upper=\"%.6f\" symbol=\"%d\" label=\"%.1f - %.1f\" render=\"true\"/>\n",
            bands[i].lower, bands[i].upper, i, bands[i].lower, bands[i].upper);
        ranges += buf;
        symbols += "      <symbol type=\"fill\" name=\"" + std::to_string(i) +
                   "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
                   "        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
                   "          <Option type=\"Map\">\n"
                   "            <Option name=\"color\" type=\"QString\" value=\"" +
                   bands[i].color +
                   "\"/>\n"
                   "            <Option name=\"outline_color\" type=\"QString\" value=\"35,35,35,255\"/>\n"
                   "            <Option name=\"outline_style\" type=\"QString\" value=\"solid\"/>\n"
                   "            <Option name=\"outline_width\" type=\"QString\" value=\"0.26\"/>\n"
                   "            <Option name=\"style\" type=\"QString\" value=\"solid\"/>\n"
                   "          </Option>\n"
                   "        </layer>\n"
                   "      </symbol>\n";
    }
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
           "<qgis version=\"3.22.0\" styleCategories=\"Symbology\">\n"
           "  <renderer-v2 type=\"graduatedSymbol\" attr=\"score\" graduatedMethod=\"GraduatedColor\" "
           "symbollevels=\"0\" "
           "enableorderby=\"0\" forceraster=\"0\">\n"
           "    <ranges>\n" +
           ranges +
           "    </ranges>\n"
           "    <symbols>\n" +
           symbols +
           "    </symbols>\n"
           "    <mode name=\"equal\"/>\n"
           "  </renderer-v2>\n"
           "</qgis>\n";
}

}  // namespace ruimte::pg
