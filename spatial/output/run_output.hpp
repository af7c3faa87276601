#pragma once
// The write skeleton that every job writing a GeoPackage shares, in one place: the GeoPackage
// is created under a temporary name (AtomicOutput) with its dates pinned to the run's
// timestamp, the job writes its layers, then the run is stamped (RUIMTE_VERSION and the
// command line, secrets redacted), styled and given its manifest, and closed; secondary
// outputs (a CSV, a report, a chart, a QGIS project) are written to their own temporary
// names and committed together with it, the GeoPackage last: all or nothing.
//
//   RunOutput out(req.output, req.overwrite, inputs, timestamp);
//   OGRLayer* l = create_layer(out.dataset(), out.path(), ...);  ... rows ...
//   out.stamp(req.command_line);
//   out.metadata("RUIMTE_SLIVER", ...);
//   out.close(timestamp, basic_manifest(...));
//   const std::string& report_tmp = out.secondary(req.report);  ... write the report ...
//   out.commit();
//
// The output may also be a PostgreSQL schema (`postgresql://...?schema=NAME`, score only): the
// GeoPackage is then staged in a temporary folder and published into the schema by commit(),
// before the secondary outputs are committed.
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "spatial/io/postgis.hpp"
#include "spatial/io/source.hpp"
#include "spatial/output/atomic_output.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/manifest.hpp"
#include "spatial/output/styles.hpp"

namespace ruimte {

class RunOutput {
  public:
    // Creates the GeoPackage at a temporary name beside `output` (the caller has checked the
    // paths with check_output_path before any work). A non-empty `pinned_timestamp` pins the
    // GeoPackage's dates (gpkg_contents, layer_styles) to it, for byte-identical reruns.
    RunOutput(std::string output, bool overwrite, std::vector<std::string> inputs, const std::string& pinned_timestamp);
    ~RunOutput();
    RunOutput(const RunOutput&) = delete;
    RunOutput& operator=(const RunOutput&) = delete;

    GDALDataset& dataset() { return *ds_; }
    // The output as the user named it: what messages name.
    const std::string& path() const noexcept { return output_; }
    // Where the GeoPackage is being written (a QGIS project made beside it reads it there).
    const std::string& temp_path() const noexcept { return gpkg_.temp_path(); }
    const std::vector<std::string>& inputs() const noexcept { return inputs_; }
    // Starts writing the rows so far to disk while the job goes on (AtomicOutput).
    void start_writeback() { gpkg_.start_writeback(); }

    // RUIMTE_VERSION and RUIMTE_COMMAND (secrets redacted): the first metadata of every output.
    void stamp(const std::string& command_line);
    // A metadata item, its value with secrets redacted.
    void metadata(const std::string& key, const std::string& value);
    // Creates the table geometry_issues (what reading repaired or skipped, per input), and
    // writes one input's rows into it.
    OGRLayer* create_issues_layer();
    void write_issues(OGRLayer& issues, const std::string& role, const FeatureLayer& layer);

    // Writes the default styles (update time `timestamp`) and, when given, the manifest; then
    // closes the GeoPackage. Without styles and manifest: close().
    void close(const std::string& timestamp, const std::optional<Manifest>& manifest);
    // The same with a manifest whose JSON was made beside the job (manifest_json, on its own
    // thread: hashing the inputs) and style columns already at hand.
    void close(const std::string& timestamp, std::future<std::string>& manifest_json,
               const styles::KnownColumns& known);
    void close();

    // A secondary output committed with this one (before it): returns the temporary path to
    // write it to.
    const std::string& secondary(const std::string& path);
    // Commits every output of the run, the secondary ones in the order added, the GeoPackage
    // last (commit_together). To PostgreSQL the schema is published first and the secondary
    // outputs committed only after it.
    void commit();

  private:
    std::string output_;
    bool overwrite_;
    std::vector<std::string> inputs_;
    std::unique_ptr<pg::StagedResult> staged_;  // -o postgresql://...
    AtomicOutput gpkg_;
    std::optional<PinnedGpkgDate> pinned_;
    DatasetPtr ds_;
    std::vector<std::unique_ptr<AtomicOutput>> secondary_;
};

}  // namespace ruimte
