#include "spatial/output/manifest.hpp"

#include <gdal_priv.h>
#include <geos_c.h>
#include <ogrsf_frmts.h>
#include <proj.h>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include <openssl/evp.h>
#include "spatial/core/error.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/output/atomic_output.hpp"
#include "spatial/output/gpkg_writer.hpp"

#include "ruimte/version.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/io/source.hpp"

namespace ruimte {

namespace {

// SHA-256 through OpenSSL's EVP interface (hardware-accelerated where the CPU can).
class Sha256 {
  public:
    Sha256() : ctx_(EVP_MD_CTX_new()) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
            throw Error(ErrorKind::internal, "OpenSSL SHA-256 is not available");
        }
    }
    ~Sha256() { EVP_MD_CTX_free(ctx_); }
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(const unsigned char* p, std::size_t n) { EVP_DigestUpdate(ctx_, p, n); }
    std::string hex() {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(ctx_, md, &len);
        static const char* digits = "0123456789abcdef";
        std::string out;
        for (unsigned int i = 0; i < len; ++i) {
            out += digits[md[i] >> 4];
            out += digits[md[i] & 15];
        }
        return out;
    }

  private:
    EVP_MD_CTX* ctx_;
};

using ojson = nlohmann::ordered_json;

ErrorPlace at(const std::string& path) {
    ErrorPlace p;
    p.file = path;
    p.layer = "gpkg_metadata";
    return p;
}

void exec(GDALDataset& ds, const std::string& display, const std::string& sql) {
    CPLErrorReset();
    OGRLayer* r = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (r) ds.ReleaseResultSet(r);
    if (CPLGetLastErrorType() >= CE_Failure) {
        throw Error(ErrorKind::output, "cannot write the run manifest: " + gdal_last_error(), at(display),
                    "check free disk space and write permission in the output folder");
    }
}

std::string sql_text(const std::string& s) {
    std::string out = "'";
    for (char ch : s) out += ch == '\'' ? std::string("''") : std::string(1, ch);
    return out + "'";
}

}  // namespace

std::string sha256_hex(const std::string& bytes) {
    Sha256 h;
    h.update(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return h.hex();
}

std::string sha256_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorKind::input, "cannot read the file to record its SHA-256", ErrorPlace::at(path),
                    "check that the file exists and is readable");
    }
    Sha256 h;
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        h.update(reinterpret_cast<const unsigned char*>(buf.data()), static_cast<std::size_t>(in.gcount()));
    }
    return h.hex();
}

std::string run_timestamp(const std::string& given) {
    if (!given.empty()) {
        int y, mo, d, h, mi, s;
        char z = 0;
        char tail = 0;
        if (given.size() != 20 ||
            std::sscanf(given.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &y, &mo, &d, &h, &mi, &s, &z, &tail) != 7 ||
            z != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
            throw Error(ErrorKind::usage, "--timestamp '" + given + "' is not a UTC time YYYY-MM-DDTHH:MM:SSZ", {},
                        "for example --timestamp 2026-01-01T00:00:00Z");
        }
        return given;
    }
    std::time_t t = std::time(nullptr);
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch && *epoch)
        t = static_cast<std::time_t>(std::atoll(epoch));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::vector<std::string> files_of_source(const std::string& source) {
    if (source.rfind("PG:", 0) == 0 || source.rfind("postgresql://", 0) == 0 || source.rfind("postgres://", 0) == 0)
        return {};
    const std::string path = parse_source(source).path;
    std::vector<std::string> out{path};
    namespace fs = std::filesystem;
    const fs::path p(path);
    std::string ext = p.extension().string();
    for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ext == ".shp") {
        for (const char* side : {".shx", ".dbf", ".prj", ".cpg"}) {
            fs::path s = p;
            s.replace_extension(side);
            std::error_code ec;
            if (fs::is_regular_file(s, ec)) out.push_back(s.string());
        }
    }
    return out;
}

FilePrefetch::FilePrefetch(std::vector<std::string> files) {
#ifdef __linux__
    try {
        thread_ = std::thread([files = std::move(files)] {
            std::set<std::string> seen;
            for (const std::string& f : files) {
                if (!seen.insert(f).second) continue;
                const int fd = open_regular_file(f);
                if (fd < 0) continue;
                ::posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
                ::close(fd);
            }
        });
    } catch (const std::system_error&) {
        // No thread to be had: only a hint.
    }
#else
    (void)files;
#endif
}

FilePrefetch::~FilePrefetch() {
    if (thread_.joinable()) thread_.join();
}

PinnedGpkgDate::PinnedGpkgDate(const std::string& timestamp) {
    if (const char* prev = CPLGetThreadLocalConfigOption("OGR_CURRENT_DATE", nullptr)) {
        previous_ = prev;
        had_previous_ = true;
    }
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", (timestamp.substr(0, 19) + ".000Z").c_str());
}

PinnedGpkgDate::~PinnedGpkgDate() {
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", had_previous_ ? previous_.c_str() : nullptr);
}

Manifest basic_manifest(const std::string& command, const std::string& command_line, const std::string& timestamp,
                        const std::vector<std::string>& input_paths) {
    Manifest m;
    m.command = command;
    m.command_line = command_line;
    m.timestamp = timestamp;
    for (const auto& p : input_paths) {
        if (p.empty()) continue;
        ManifestInput in;
        in.role = "input";
        in.source = p;
        m.inputs.push_back(in);
        for (auto& f : files_of_source(p)) m.files.push_back(std::move(f));
    }
    return m;
}

ManifestInput manifest_input(const std::string& role, const std::string& source, const CrsReport& crs) {
    ManifestInput in;
    in.role = role;
    in.source = source;
    in.crs = crs.source_crs;
    in.crs_assumed = crs.assumed;
    in.operation = crs.reprojected ? crs.operation : std::string();
    in.accuracy_m = crs.reprojected ? crs.accuracy_m : -1;
    return in;
}

std::string manifest_json(const Manifest& m) {
    ojson j;
    j["manifest"] = kManifestUri;
    j["command"] = m.command;
    // No password of a PostgreSQL source or result in the file (escape.hpp): the command line,
    // the sources and the profile's text are written redacted; the profile's sha256 is of the
    // file as read.
    j["command_line"] = redact_secrets(m.command_line);
    j["timestamp"] = m.timestamp;
    const PJ_INFO proj = proj_info();
    j["versions"] = ojson{{"ruimte", version},
                          {"gdal", GDALVersionInfo("RELEASE_NAME")},
                          {"geos", GEOSversion()},
                          {"proj", proj.release}};
    if (!m.make_valid.empty()) {
        j["make_valid"] = ojson{{"library", "GEOS MakeValid"}, {"method", m.make_valid}, {"keep_collapsed", false}};
    }
    if (!m.profile_path.empty()) {
        j["profile"] = ojson{{"path", redact_secrets(m.profile_path)},
                             {"sha256", sha256_hex(m.profile_text)},
                             {"text", redact_secrets(m.profile_text)}};
    }
    ojson inputs = ojson::array();
    for (const ManifestInput& in : m.inputs) {
        ojson i{{"role", in.role}, {"source", redact_secrets(in.source)}};
        if (!in.crs.empty()) {
            i["crs"] = in.crs;
            i["crs_assumed"] = in.crs_assumed;
            i["operation"] = in.operation.empty() ? ojson(nullptr) : ojson(in.operation);
            i["accuracy_m"] = in.accuracy_m >= 0 ? ojson(in.accuracy_m) : ojson(nullptr);
        }
        inputs.push_back(std::move(i));
    }
    j["inputs"] = std::move(inputs);
    ojson files = ojson::array();
    std::set<std::string> seen;
    for (const std::string& f : m.files) {
        if (!seen.insert(f).second) continue;
        std::error_code ec;
        const auto size = std::filesystem::file_size(f, ec);
        if (ec) {
            throw Error(ErrorKind::input, "cannot read the size of an input file", ErrorPlace::at(f),
                        "check that the file exists and is readable");
        }
        files.push_back(ojson{{"path", f}, {"size", static_cast<std::uint64_t>(size)}, {"sha256", sha256_file(f)}});
    }
    j["files"] = std::move(files);
    return j.dump(2) + "\n";
}

void write_manifest(GDALDataset& ds, const std::string& display_path, const Manifest& m) {
    write_manifest_json(ds, display_path, manifest_json(m), m.timestamp);
}

void write_manifest_json(GDALDataset& open_ds, const std::string& display_path, const std::string& json,
                         const std::string& timestamp) {
    GDALDataset* ds = &open_ds;
    ds->FlushCache();  // GDAL writes its own metadata first (and creates the metadata tables)
    // The GeoPackage metadata extension (GeoPackage 1.2, F.8), with its registration.
    exec(*ds, display_path,
         "CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL, "
         "md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL, mime_type TEXT NOT NULL DEFAULT "
         "'text/xml', "
         "metadata TEXT NOT NULL DEFAULT '')");
    exec(
        *ds, display_path,
        "CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL, table_name TEXT, "
        "column_name TEXT, row_id_value INTEGER, timestamp DATETIME NOT NULL DEFAULT "
        "(strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
        "md_file_id INTEGER NOT NULL, md_parent_id INTEGER, CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES "
        "gpkg_metadata(id), CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))");
    exec(*ds, display_path,
         "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, "
         "definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, "
         "extension_name))");
    for (const char* t : {"gpkg_metadata", "gpkg_metadata_reference"}) {
        exec(*ds, display_path,
             std::string(
                 "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) SELECT '") +
                 t +
                 "', NULL, 'gpkg_metadata', 'http://www.geopackage.org/spec120/#extension_metadata', 'read-write' "
                 "WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = '" +
                 t + "' AND extension_name = 'gpkg_metadata')");
    }
    exec(*ds, display_path,
         "DELETE FROM gpkg_metadata_reference WHERE md_file_id IN (SELECT id FROM gpkg_metadata WHERE md_standard_uri "
         "= " +
             sql_text(kManifestUri) + ")");
    exec(*ds, display_path, "DELETE FROM gpkg_metadata WHERE md_standard_uri = " + sql_text(kManifestUri));
    exec(*ds, display_path,
         "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) VALUES ('dataset', " +
             sql_text(kManifestUri) + ", 'application/json', " + sql_text(json) + ")");
    // "2026-01-01T00:00:00Z" -> "2026-01-01T00:00:00.000Z" (the extension's timestamp format).
    const std::string ts = timestamp.substr(0, 19) + ".000Z";
    exec(*ds, display_path,
         "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, row_id_value, timestamp, "
         "md_file_id, "
         "md_parent_id) SELECT 'geopackage', NULL, NULL, NULL, " +
             sql_text(ts) + ", id, NULL FROM gpkg_metadata WHERE md_standard_uri = " + sql_text(kManifestUri));
}

std::optional<std::string> read_manifest(const std::string& path) {
    ensure_gdal();
    const char* drivers[] = {"GPKG", nullptr};
    DatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, nullptr, nullptr));
    if (!ds) return std::nullopt;
    OGRLayer* has = ds->ExecuteSQL("SELECT count(*) FROM sqlite_master WHERE name = 'gpkg_metadata'", nullptr, nullptr);
    bool present = false;
    if (has) {
        if (auto f = std::unique_ptr<OGRFeature>(has->GetNextFeature())) present = f->GetFieldAsInteger(0) > 0;
        ds->ReleaseResultSet(has);
    }
    if (!present) return std::nullopt;
    const std::string sql = "SELECT metadata FROM gpkg_metadata WHERE md_standard_uri = " + sql_text(kManifestUri) +
                            " ORDER BY id DESC LIMIT 1";
    OGRLayer* r = ds->ExecuteSQL(sql.c_str(), nullptr, nullptr);
    std::optional<std::string> out;
    if (r) {
        if (auto f = std::unique_ptr<OGRFeature>(r->GetNextFeature())) out = f->GetFieldAsString(0);
        ds->ReleaseResultSet(r);
    }
    return out;
}

std::string manifest_text(const std::string& json) {
    const ojson j = ojson::parse(json, nullptr, false);
    if (j.is_discarded()) return redact_secrets(json);
    // Redacted again for manifests written before ruimte redacted them.
    auto str = [](const ojson& v) { return redact_secrets(v.is_string() ? v.get<std::string>() : v.dump()); };
    std::string out;
    out += "Run manifest (" + str(j.value("manifest", ojson(""))) + ")\n";
    out += "  command:      " + str(j.value("command", ojson(""))) + "\n";
    out += "  command line: " + str(j.value("command_line", ojson(""))) + "\n";
    out += "  time:         " + str(j.value("timestamp", ojson(""))) + "\n";
    if (j.contains("versions")) {
        out += "  versions:    ";
        for (const auto& [k, v] : j["versions"].items()) out += " " + k + " " + str(v);
        out += "\n";
    }
    if (j.contains("inputs")) {
        out += "  inputs:\n";
        for (const auto& in : j["inputs"]) {
            out += "    " + str(in.value("role", ojson(""))) + ": " + str(in.value("source", ojson("")));
            if (in.contains("crs")) {
                out += " | CRS " + str(in["crs"]) + (in.value("crs_assumed", false) ? " (assumed)" : "");
                if (!in["operation"].is_null()) {
                    out += " | operation " + str(in["operation"]) + " | accuracy " +
                           (in["accuracy_m"].is_null() ? std::string("unknown") : str(in["accuracy_m"]) + " m");
                }
            }
            out += "\n";
        }
    }
    if (j.contains("files")) {
        out += "  files:\n";
        for (const auto& f : j["files"]) {
            out += "    " + str(f.value("sha256", ojson(""))) + "  " + str(f.value("size", ojson(0))) + " B  " +
                   str(f.value("path", ojson(""))) + "\n";
        }
    }
    if (j.contains("profile")) {
        out += "  profile " + str(j["profile"].value("path", ojson(""))) + " (sha256 " +
               str(j["profile"].value("sha256", ojson(""))) + "):\n";
        const std::string text = str(j["profile"].value("text", ojson("")));
        std::size_t start = 0;
        while (start < text.size()) {
            const std::size_t end = text.find('\n', start);
            out += "    | " + text.substr(start, end == std::string::npos ? std::string::npos : end - start) + "\n";
            if (end == std::string::npos) break;
            start = end + 1;
        }
    }
    return out;
}

}  // namespace ruimte
