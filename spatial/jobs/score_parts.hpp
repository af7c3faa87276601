#pragma once
// The parts of the `score` job (score.cpp) that its streaming form (score_stream.cpp) shares:
// the steps on a set of candidates (all of them, or one chunk), and the rows they write.
// Internal to spatial/jobs.
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "spatial/jobs/score.hpp"
#include "spatial/jobs/score_raster.hpp"
#include "spatial/output/gpkg_rows.hpp"
#include "spatial/output/manifest.hpp"
#include "spatial/output/run_output.hpp"
#include "spatial/output/schema.hpp"

namespace ruimte::score_parts {

// Steps 2 and 3 for the profile's layers: read each, report what reading repaired or skipped,
// and index it. Notices are collected, not sent, so they keep their place after the
// candidates' when this runs on another thread.
struct LayerWork {
    std::vector<FeatureLayer> layers;
    std::vector<std::unique_ptr<LayerIndex>> indexes;
    std::vector<std::string> notices;
    std::chrono::steady_clock::time_point read_done, index_done;
};

using StageFn = std::function<void(const std::string&, std::size_t, std::size_t)>;
// Without `keep_features`, a polygon layer's geometries and attributes are freed as soon as
// it is indexed (its index holds copies; the fids and hygiene stay): at the national scale they
// are most of the memory the layers take (11 million vertices of capaciteitskaart at 9 million
// parcels). Points and lines indexes point into their layer, which is kept whole.
LayerWork read_and_index_layers(const ScoreRequest& req, const Profile& profile, ReadOptions read, const StageFn& stage,
                                bool keep_features = true);

// A row of overlay_areas (and of the --csv long table): a class of a layer with area in a
// candidate.
struct LongRow {
    std::size_t cand;
    std::size_t layer;
    std::size_t klass;
};

// The field indexes of what ruimte computed, in candidates_scored (schema::scored).
struct ScoredFields {
    int id = -1, area = -1;
    std::vector<std::vector<int>> share;            // per class layer, per class
    std::vector<int> cover, names, dist;            // per layer (-1: not of its kind)
    std::vector<int> count, length, length_within;  // per points / lines layer
    std::vector<int> value, contrib;                // per factor
    std::vector<int> raster;                        // per raster metric the profile uses (used_raster_metrics)
    int excluded = -1, reasons = -1, score = -1, rank = -1;
};

// A candidate id into a row sink (an OGRFeature or gpkg_rows.hpp's writers) by field index.
template <typename Sink>
void put_id(Sink& sink, int field, const CandidateId& id) {
    if (const auto* i = std::get_if<std::int64_t>(&id)) sink.integer(field, *i);
    else sink.text(field, std::get<std::string>(id));
}

// What ruimte computed for candidate c, into a sink with real(), integer() and text().
template <typename Sink>
void put_scored_values(Sink& sink, const ScoredFields& f, const ScoreInputs& in, const Scores& scores, std::size_t c) {
    const OverlayResult& ov = in.overlay;
    const Profile& profile = in.profile;
    put_id(sink, f.id, in.table.ids[c]);
    const double area = ov.candidate_area_m2[c];
    sink.real(f.area, area / 1e4);
    for (std::size_t l = 0; l < profile.layers.size(); ++l) {
        const LayerOverlay& lo = ov.layers[l];
        if (profile.layers[l].kind == LayerKind::classes) {
            for (std::size_t k = 0; k < lo.class_count; ++k) sink.real(f.share[l][k], lo.area(c, k) / area);
            sink.real(f.cover[l], std::max(0.0, 1.0 - lo.covered_m2[c] / area));
        } else if (is_point_line(profile.layers[l].kind)) {
            sink.real(f.dist[l], lo.distance_m[c]);
            sink.integer(f.count[l], static_cast<std::int64_t>(lo.count_within[c]));
            if (f.length[l] >= 0) sink.real(f.length[l], lo.length_m[c]);
            if (f.length_within[l] >= 0) sink.real(f.length_within[l], lo.length_within_m[c]);
        } else {
            sink.real(f.cover[l], lo.covered_m2[c] / area);
            // Names of the features overlapped, in the layer's name order.
            std::string names;
            for (std::size_t k = 0; k < lo.class_count; ++k) {
                if (lo.area(c, k) > 0) names += (names.empty() ? "" : "; ") + in.index_ptrs[l]->classes()[k];
            }
            sink.text(f.names[l], names);
            if (!std::isnan(lo.distance_m[c])) sink.real(f.dist[l], lo.distance_m[c]);
        }
    }
    if (!f.raster.empty()) {
        const std::vector<std::string> metrics = used_raster_metrics(profile);
        for (std::size_t m = 0; m < metrics.size(); ++m)
            sink.real(f.raster[m], in.table.raster_metrics.at(metrics[m])[c]);
    }
    for (std::size_t k = 0; k < profile.factors.size(); ++k) {
        sink.real(f.value[k], scores.value[c * scores.factor_count + k]);
        sink.real(f.contrib[k], scores.contribution[c * scores.factor_count + k]);
    }
    sink.integer(f.excluded, scores.excluded[c] ? 1 : 0);
    std::string reasons;
    for (const auto& r : scores.reasons[c]) reasons += (reasons.empty() ? "" : "; ") + r;
    sink.text(f.reasons, reasons);
    sink.real(f.score, scores.score[c]);
    if (scores.rank[c] > 0) sink.integer(f.rank, scores.rank[c]);
}

// The candidates' ids (FIDs without an id field), refusing a missing or duplicate id.
std::vector<CandidateId> candidate_ids(const FeatureLayer& cands, const std::string& requested);
[[noreturn]] void refuse_duplicate_id(const FeatureLayer& cands, const CandidateId& id, std::int64_t first_fid,
                                      std::int64_t fid);
// Step 1: the profile (its notices told), the input paths, the outputs' paths checked.
void plan_score(const ScoreRequest& req, ScoreInputs& in);
// How `score` reads its candidates and layers (--assume-crs, --skip-invalid, --make-valid, threads).
ReadOptions score_read_options(const ScoreRequest& req);
// "the candidate layer has no usable features" when `usable` is 0.
void check_has_candidates(std::size_t usable, const FeatureLayer& cands);
void report_hygiene(const ScoreRequest& req, const std::string& role, const FeatureLayer& l);
void check_finite_overlay(const ScoreInputs& in);
void read_attributes(const Profile& profile, const FeatureLayer& cands, CandidateTable& table);
Profile load_score_profile(const ScoreRequest& req);
void check_score_outputs(const ScoreRequest& req, const std::vector<std::string>& inputs);

// Degrees labelled as RD New (ogr2ogr -a_srs EPSG:28992 on WGS 84 data) were scored silently at
// 1e-8 ha, outside every layer. Two warnings: candidates outside RD New's extent (the
// Netherlands), and candidates of which none overlaps any feature of any layer; add() takes
// the candidates and overlay of ScoreInputs (all, or a chunk at a time), tell() warns.
struct OutsideCheck {
    std::size_t candidates = 0, outside = 0;
    std::optional<std::int64_t> first;  // fid of the first candidate outside
    geos::Box all{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
                  -std::numeric_limits<double>::max(), -std::numeric_limits<double>::max()};
    bool layers = false, overlap = false;
    void add(const ScoreInputs& in);
    void tell(const ScoreRequest& req) const;
};
void warn_outside(const ScoreRequest& req, const ScoreInputs& in);

std::vector<std::size_t> in_id_order(const std::vector<CandidateId>& ids);
std::vector<LongRow> long_table_rows(const ScoreInputs& in, const std::vector<std::size_t>& by_id);
Manifest score_manifest(const ScoreRequest& req, const ScoreInputs& in, const std::string& timestamp);

// The --csv long table written to `temp_path`, rows added per set of candidates.
class LongCsv {
  public:
    LongCsv(const ScoreRequest& req, const ScoreInputs& in, const std::string& temp_path);
    void add(const ScoreInputs& in, const std::vector<LongRow>& long_rows);
    void close();  // throws Error(output) when the file could not be written

  private:
    std::string path_;
    std::ofstream csv_;
    std::vector<std::string> layer_names_;
    std::vector<std::vector<std::string>> class_names_;
    std::string text_;
};

ScoredFields add_scored_fields(OGRLayer& scored, const ScoreRequest& req, const ScoreInputs& in);
void add_overlay_area_fields(OGRLayer& areas, const ScoreRequest& req, bool int_ids);
void put_overlay_area_rows(GpkgRowWriter& rows, const ScoreInputs& in, const std::vector<LongRow>& long_rows);
void write_score_metadata(RunOutput& out, const ScoreRequest& req, const ScoreInputs& in);
InputSummary input_summary(const std::string& role, const FeatureLayer& l, const LayerIndex* idx);
void check_project_paths(const ScoreRequest& req);

// Streaming (score_stream.cpp): candidates read, overlaid, scored and written in chunks of
// score_chunk_size() (50,000; the environment variable RUIMTE_SCORE_CHUNK sets another, for
// tests), then ranked from a few numbers kept per candidate. Used with the embedded engine and
// no raster layers (score_streams()); the output is the same as run_score's.
std::size_t score_chunk_size();
bool score_streams(const ScoreRequest& req);
ScoreSummary run_score_streaming(const ScoreRequest& req, const std::string& timestamp);

}  // namespace ruimte::score_parts
