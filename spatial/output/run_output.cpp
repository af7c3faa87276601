#include "spatial/output/run_output.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "ruimte/version.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/output/styles.hpp"

namespace ruimte {

RunOutput::RunOutput(std::string output, bool overwrite, std::vector<std::string> inputs,
                     const std::string& pinned_timestamp)
    : output_(std::move(output)),
      overwrite_(overwrite),
      inputs_(std::move(inputs)),
      staged_(pg::is_postgres(output_) ? std::make_unique<pg::StagedResult>(output_, overwrite_) : nullptr),
      gpkg_(staged_ ? staged_->gpkg_path() : output_, overwrite_, inputs_) {
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

void RunOutput::close(const std::string& timestamp, std::future<std::string>& manifest_json,
                      const styles::KnownColumns& known) {
    styles::write_default_styles(*ds_, output_, timestamp, known);
    write_manifest_json(*ds_, output_, manifest_json.get(), timestamp);
    close();
}

OGRLayer* RunOutput::create_issues_layer() {
    // Its own key (issue_id): the column fid holds the input's feature id, which a candidate
    // and a layer feature can share (GDAL took a column named fid as the key, and two repaired
    // features with one id failed the run with 'UNIQUE constraint failed').
    OGRLayer* issues = create_layer(*ds_, output_, "geometry_issues", wkbNone,
                                    "Input features repaired or skipped while reading", "issue_id");
    add_field(*issues, output_, "input", OFTString);
    add_field(*issues, output_, "source", OFTString);
    add_field(*issues, output_, "fid", OFTInteger64);
    add_field(*issues, output_, "action", OFTString);
    add_field(*issues, output_, "what", OFTString);
    return issues;
}

void RunOutput::write_issues(OGRLayer& issues, const std::string& role, const FeatureLayer& layer) {
    for (const auto& [list, action] :
         {std::pair{&layer.hygiene.repaired, "repaired"}, std::pair{&layer.hygiene.skipped, "skipped"}}) {
        for (const auto& issue : *list) {
            OGRFeature feat(issues.GetLayerDefn());
            feat.SetField(0, role.c_str());
            feat.SetField(1, layer.source.display().c_str());
            feat.SetField(2, static_cast<GIntBig>(issue.fid));
            feat.SetField(3, action);
            feat.SetField(4, issue.what.c_str());
            write_feature(issues, output_, feat);
        }
    }
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
    if (staged_) {
        gpkg_.commit();
        staged_->publish();
        commit_together(all);
        return;
    }
    all.push_back(&gpkg_);
    commit_together(all);
}

}  // namespace ruimte
