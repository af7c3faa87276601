#include "spatial/output/run_output.hpp"

#include <gdal_priv.h>

#include "ruimte/version.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/output/styles.hpp"

namespace ruimte {

RunOutput::RunOutput(std::string output, bool overwrite, std::vector<std::string> inputs,
                     const std::string& pinned_timestamp)
    : output_(std::move(output)),
      overwrite_(overwrite),
      inputs_(std::move(inputs)),
      gpkg_(output_, overwrite_, inputs_) {
    if (!pinned_timestamp.empty()) pinned_.emplace(pinned_timestamp);
    ds_ = create_gpkg(gpkg_.temp_path());
}

RunOutput::~RunOutput() = default;

void RunOutput::stamp(const std::string& command_line) {
    ds_->SetMetadataItem("RUIMTE_VERSION", version);
    ds_->SetMetadataItem("RUIMTE_COMMAND", redact_secrets(command_line).c_str());
}

void RunOutput::metadata(const std::string& key, const std::string& value) {
    ds_->SetMetadataItem(key.c_str(), redact_secrets(value).c_str());
}

void RunOutput::close(const std::string& timestamp, const std::optional<Manifest>& manifest) {
    styles::write_default_styles(*ds_, output_, timestamp);
    if (manifest) write_manifest(*ds_, output_, *manifest);
    close();
}

void RunOutput::close() {
    if (ds_) close_dataset(std::move(ds_), output_);
    pinned_.reset();
}

const std::string& RunOutput::secondary(const std::string& path) {
    secondary_.push_back(std::make_unique<AtomicOutput>(path, overwrite_, inputs_));
    return secondary_.back()->temp_path();
}

void RunOutput::commit() {
    close();
    std::vector<AtomicOutput*> all;
    for (auto& s : secondary_) all.push_back(s.get());
    all.push_back(&gpkg_);
    commit_together(all);
}

}  // namespace ruimte
