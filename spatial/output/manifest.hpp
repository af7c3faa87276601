#pragma once
// The run manifest: how an output was made (command line, profile text, every input file
// with its size and SHA-256, CRS operations and their accuracy, versions of ruimte, GDAL,
// GEOS and PROJ, and the time). Stored as JSON in the GeoPackage metadata extension tables
// gpkg_metadata + gpkg_metadata_reference (scope 'geopackage'); `ruimte info OUT.gpkg`
// prints it. Same inputs and the same --timestamp give the same bytes. See docs/outputs.md.
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

class GDALDataset;

namespace ruimte {

struct CrsReport;

inline constexpr const char* kManifestUri = "urn:ruimte:run-manifest:1";

struct ManifestInput {
    std::string role;    // "candidates", "profile", a profile layer's name, ...
    std::string source;  // as given: FILE[:LAYER] or a PostgreSQL source
    std::string crs;     // the source CRS; empty for non-spatial inputs
    bool crs_assumed = false;
    std::string operation;   // the operation to EPSG:28992; empty when none was needed
    double accuracy_m = -1;  // -1: unknown or not applicable
};

struct Manifest {
    std::string command;       // "score", "check", ...
    std::string command_line;  // as typed (joined_command_line)
    std::string timestamp;     // "YYYY-MM-DDTHH:MM:SSZ"
    std::string profile_path;  // empty when the command has no profile
    std::string profile_text;
    // How invalid polygons were repaired: GEOS MakeValid's method ("structure" or "linework");
    // empty for commands that do not read polygons through it.
    std::string make_valid;
    std::vector<ManifestInput> inputs;  // in the command's order
    // Every file read (shapefile sidecars included) is hashed: filled by write_manifest()
    // from `files` (paths), unique and in the order given.
    std::vector<std::string> files;
};

// Lower-case hex SHA-256 of a byte string, and of a file's contents (throws Error(input)
// naming the file when it cannot be read).
std::string sha256_hex(const std::string& bytes);
std::string sha256_file(const std::string& path);

// The timestamp for a run: `given` when set (checked: "YYYY-MM-DDTHH:MM:SSZ", else
// Error(usage)), else SOURCE_DATE_EPOCH from the environment when set, else now (UTC).
std::string run_timestamp(const std::string& given);
// FILE from FILE[:LAYER], plus a shapefile's sidecars (.shx .dbf .prj .cpg) that exist;
// nothing for a PostgreSQL source.
std::vector<std::string> files_of_source(const std::string& source);

// Asks the kernel to start reading the given files into the page cache (Linux
// posix_fadvise WILLNEED, on a thread of its own, joined by the destructor): a run whose
// inputs are not in memory then reads them at the disk's pace from the start instead of page
// by page as SQLite asks for them. Only a hint; files that cannot be opened are passed over.
class FilePrefetch {
  public:
    explicit FilePrefetch(std::vector<std::string> files);
    ~FilePrefetch();
    FilePrefetch(const FilePrefetch&) = delete;
    FilePrefetch& operator=(const FilePrefetch&) = delete;

  private:
    std::thread thread_;
};
// The manifest as JSON (keys in a fixed order, files hashed now), with the versions of
// ruimte, GDAL, GEOS and PROJ of this build.
std::string manifest_json(const Manifest& m);

// Writes the manifest into a GeoPackage the caller has open for writing and closes itself
// (GDAL's own metadata is flushed first; the metadata extension tables are created and
// registered when missing). `display_path` names the file in errors.
void write_manifest(GDALDataset& ds, const std::string& display_path, const Manifest& m);
// The same with the JSON made beforehand (manifest_json, perhaps on another thread while the
// GeoPackage was written) and the manifest's timestamp.
void write_manifest_json(GDALDataset& ds, const std::string& display_path, const std::string& json,
                         const std::string& timestamp);
// The manifest JSON of a ruimte GeoPackage, or nullopt when it has none.
std::optional<std::string> read_manifest(const std::string& path);
// The manifest as lines for people: "key: value", inputs one per line.
std::string manifest_text(const std::string& json);

// While alive, GDAL writes `timestamp` as the GeoPackage's dates (gpkg_contents.last_change,
// its own metadata): with the same --timestamp two runs give the same bytes. Thread-local.
class PinnedGpkgDate {
  public:
    explicit PinnedGpkgDate(const std::string& timestamp);
    ~PinnedGpkgDate();
    PinnedGpkgDate(const PinnedGpkgDate&) = delete;
    PinnedGpkgDate& operator=(const PinnedGpkgDate&) = delete;

  private:
    std::string previous_;
    bool had_previous_ = false;
};

// A manifest for a command that records its input files only (role "input"): the command
// line, the time, each file with its sidecars, size and SHA-256, and the versions.
Manifest basic_manifest(const std::string& command, const std::string& command_line, const std::string& timestamp,
                        const std::vector<std::string>& input_paths);

// Fills a ManifestInput from what the reader reported.
ManifestInput manifest_input(const std::string& role, const std::string& source, const CrsReport& crs);

}  // namespace ruimte
