// `score` in chunks of candidates (score_parts.hpp): memory holds the layers, their indexes and
// one chunk, plus a few numbers per candidate for the ranks.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <future>
#include <mutex>
#include <numeric>

#include "ruimte/version.hpp"
#include "spatial/core/stopwatch.hpp"
#include "spatial/jobs/score_parts.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/styles.hpp"

namespace ruimte::score_parts {

std::size_t score_chunk_size() {
    constexpr std::size_t kDefault = 50'000;  // about 100 MB of parcels with 35 vertices each
    const char* env = std::getenv("RUIMTE_SCORE_CHUNK");
    if (!env || !*env) return kDefault;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(env, &end, 10);
    return (end && *end == '\0' && v > 0) ? static_cast<std::size_t>(v) : kDefault;
}

bool score_streams(const ScoreRequest& req) {
    if (req.engine != Engine::embedded) return false;
    // Raster layers are summarised over all candidates at once (score_raster.hpp).
    return load_profile(req.profile_path, req.layer_sources).rasters.empty();
}

namespace {

// What is kept of every candidate, in the order of the rows of candidates_scored: enough to
// refuse duplicate ids, rank and summarise.
struct Kept {
    std::vector<std::int64_t> int_ids;  // integer ids
    std::vector<std::string> text_ids;  // or text ids
    std::vector<std::int64_t> fids;
    std::vector<double> score;
    std::vector<char> excluded;

    std::size_t size() const { return fids.size(); }
    void reserve(std::size_t n, bool text) {
        if (text) text_ids.reserve(n);
        else int_ids.reserve(n);
        fids.reserve(n);
        score.reserve(n);
        excluded.reserve(n);
    }
    void add(const CandidateId& id, std::int64_t fid, double s, char ex) {
        if (const auto* i = std::get_if<std::int64_t>(&id)) int_ids.push_back(*i);
        else text_ids.push_back(std::get<std::string>(id));
        fids.push_back(fid);
        score.push_back(s);
        excluded.push_back(ex);
    }
    bool before(std::size_t a, std::size_t b) const {
        return text_ids.empty() ? int_ids[a] < int_ids[b] : text_ids[a] < text_ids[b];
    }
    CandidateId id(std::size_t r) const {
        if (text_ids.empty()) return int_ids[r];
        return text_ids[r];
    }
};

// An id seen twice, across chunks (candidate_ids() refuses those within one): the first
// repetition in row order, with the feature of the id's first row.
void refuse_duplicates(const Kept& kept, const FeatureLayer& cands) {
    std::vector<std::size_t> order(kept.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return kept.before(a, b); });
    std::size_t dup = kept.size(), first = 0;
    for (std::size_t i = 1, start = 0; i < order.size(); ++i) {
        if (kept.before(order[i - 1], order[i])) {
            start = i;
        } else if (order[i] < dup) {
            dup = order[i];
            first = order[start];
        }
    }
    if (dup < kept.size()) refuse_duplicate_id(cands, kept.id(dup), kept.fids[first], kept.fids[dup]);
}

class StreamingScore {
  public:
    StreamingScore(const ScoreRequest& req, std::string timestamp) : req_(req), timestamp_(std::move(timestamp)) {}
    ScoreSummary run();

  private:
    void stage(const std::string& name, std::size_t done, std::size_t total) {
        const std::lock_guard<std::mutex> lock(progress_mutex_);
        req_.stage(name, done, total);
    }
    void take_layers();
    void open_outputs();
    void chunk(FeatureLayer& cands);
    void write_chunk(const Scores& scores, const std::vector<std::size_t>& by_id);
    void finish_outputs();
    void summarise(ScoreSummary& summary) const;

    const ScoreRequest& req_;
    std::string timestamp_;
    std::mutex progress_mutex_;
    ScoreInputs in_;  // profile, layers and indexes; candidates, table and overlay of one chunk
    std::future<LayerWork> layer_work_;
    bool layers_taken_ = false;
    std::vector<std::string> layer_notices_;
    OutsideCheck outside_;
    Kept kept_;
    std::vector<std::int64_t> ranks_;  // by kept_'s rows, made once the last chunk is in
    std::optional<RunOutput> out_;
    OGRLayer* scored_ = nullptr;
    OGRLayer* issues_ = nullptr;
    ScoredFields fields_;
    std::optional<CopiedRowWriter> scored_rows_;
    std::optional<GpkgRowWriter> area_rows_;
    std::optional<LongCsv> csv_;
    double overlay_s_ = 0, score_s_ = 0, write_s_ = 0, index_s_ = 0;
    std::size_t declared_ = 0;  // the candidates the source declares (0: unknown), for reserve()
};

void StreamingScore::take_layers() {
    if (layers_taken_) return;
    Stopwatch clock;
    LayerWork work = layer_work_.get();
    layers_taken_ = true;
    index_s_ = clock.lap();
    layer_notices_ = std::move(work.notices);
    in_.layers = std::move(work.layers);
    in_.indexes = std::move(work.indexes);
    for (const auto& index : in_.indexes) in_.index_ptrs.push_back(index.get());
#ifdef __GLIBC__
    // The layers' freed geometries are many small blocks: glibc keeps their pages (the large
    // arrays kept per candidate are mapped afresh, not made from them) unless asked to return them.
    malloc_trim(0);
#endif
}

// The outputs, made when the first chunk is at hand (its fields and ids give the columns):
// candidates_scored, overlay_areas and geometry_issues in one transaction; the CSV beside.
void StreamingScore::open_outputs() {
    out_.emplace(req_.output, req_.overwrite, in_.input_paths, timestamp_);
    if (!req_.csv.empty()) csv_.emplace(req_, in_, out_->secondary(req_.csv));
    GDALDataset& ds = out_->dataset();
    scored_ = create_layer(
        ds, req_.output, schema::kCandidatesScored, wkbMultiPolygon,
        "Candidate areas scored by ruimte " + std::string(version) + " with profile '" + in_.profile.name + "'");
    OGRLayer* areas = create_layer(ds, req_.output, schema::kOverlayAreas, wkbNone,
                                   "Area (m2) and share of each candidate per class of each layer");
    issues_ = out_->create_issues_layer();
    fields_ = add_scored_fields(*scored_, req_, in_);
    add_overlay_area_fields(*areas, req_, std::holds_alternative<std::int64_t>(in_.table.ids.front()));
    begin_transaction(ds, req_.output);
    scored_rows_.emplace(ds, *scored_, req_.output, *in_.candidates.defn);
    area_rows_.emplace(ds, *areas, req_.output);
}

// Steps 2-6 for one chunk of candidates: ids, attributes, overlay, scores, rows. Ranks wait
// for the last chunk.
void StreamingScore::chunk(FeatureLayer& cands) {
    take_layers();
    std::swap(in_.candidates, cands);  // given back below: the reader keeps its report in it
    Stopwatch clock;
    in_.table = CandidateTable{};
    in_.table.ids = candidate_ids(in_.candidates, req_.id_field.empty() ? in_.profile.id_field : req_.id_field);
    read_attributes(in_.profile, in_.candidates, in_.table);
    std::vector<const GEOSGeometry*> geoms;
    geoms.reserve(in_.candidates.features.size());
    for (const auto& f : in_.candidates.features) geoms.push_back(f.geom.get());
    RunControl control = req_.control;
    control.progress = [&](std::size_t d, std::size_t t) { stage("overlay", kept_.size() + d, kept_.size() + t); };
    in_.overlay = overlay(geoms, in_.index_ptrs, control);
    check_finite_overlay(in_);
    outside_.add(in_);
    overlay_s_ += clock.lap();
    Scores scores = score_candidates(in_.profile, in_.index_ptrs, in_.overlay, in_.table);
    std::fill(scores.rank.begin(), scores.rank.end(), 0);  // ranked over every chunk at the end
    const std::vector<std::size_t> by_id = in_id_order(in_.table.ids);
    for (const std::size_t c : by_id) {
        kept_.add(in_.table.ids[c], in_.candidates.features[c].fid, scores.score[c], scores.excluded[c]);
    }
    score_s_ += clock.lap();
    if (!out_) {
        open_outputs();
        // What is kept per candidate, made at its full size at once (grown by doubling, the
        // copies at 8 million candidates held 0.5 GB more for a moment).
        // A damaged source may declare any count: at most 20 million are reserved (pages not
        // written to take no memory).
        constexpr std::size_t kMaxReserve = 20'000'000;
        const std::size_t expect = std::min(std::max(declared_, in_.candidates.features.size()), kMaxReserve);
        kept_.reserve(expect, std::holds_alternative<std::string>(in_.table.ids.front()));
        scored_rows_->reserve(expect);
    }
    write_chunk(scores, by_id);
    write_s_ += clock.lap();
    in_.overlay = OverlayResult{};
    in_.table = CandidateTable{};
    std::swap(in_.candidates, cands);
}

void StreamingScore::write_chunk(const Scores& scores, const std::vector<std::size_t>& by_id) {
    scored_rows_->add(
        in_.candidates, by_id.size(), [&](std::size_t k) { return by_id[k]; },
        [&](auto& sink, std::size_t k) { put_scored_values(sink, fields_, in_, scores, by_id[k]); });
    const std::vector<LongRow> long_rows = long_table_rows(in_, by_id);
    put_overlay_area_rows(*area_rows_, in_, long_rows);
    if (csv_) csv_->add(in_, long_rows);
}

// After the last chunk: the ranks into candidates_scored, the issues, metadata, styles and
// manifest; every output committed together.
void StreamingScore::finish_outputs() {
    GDALDataset& ds = out_->dataset();
    scored_rows_->finish();
    area_rows_->finish();
    ranks_ =
        rank_by_score(kept_.score, kept_.excluded, [&](std::size_t a, std::size_t b) { return kept_.before(a, b); });
    update_by_fid(ds, *scored_, req_.output, schema::scored::kRank, ranks_, 0);
    out_->write_issues(*issues_, "candidates", in_.candidates);
    for (std::size_t l = 0; l < in_.profile.layers.size(); ++l)
        out_->write_issues(*issues_, in_.profile.layers[l].name, in_.layers[l]);
    commit_transaction(ds, req_.output);
    out_->start_writeback();
    const Manifest manifest = score_manifest(req_, in_, timestamp_);
    std::future<std::string> manifest_text =
        std::async(side_work_policy(req_.control), [&manifest] { return manifest_json(manifest); });
    write_score_metadata(*out_, req_, in_);
    if (csv_) csv_->close();
    styles::KnownColumns known;
    known[std::string(schema::kCandidatesScored) + "." + schema::scored::kScore] = kept_.score;
    // With the flags, in the same (row) order: the styles need not read 9 million rows back.
    known[std::string(schema::kCandidatesScored) + "." + schema::scored::kExcluded] =
        std::vector<double>(kept_.excluded.begin(), kept_.excluded.end());
    out_->close(timestamp_, manifest_text, known);
    if (!req_.qgis_project.empty()) {
        styles::write_qgis_project(out_->secondary(req_.qgis_project), req_.qgis_project, req_.output,
                                   req_.qgis_context, "ruimte score - " + in_.profile.name, req_.english,
                                   out_->temp_path());
    }
    out_->commit();
}

void StreamingScore::summarise(ScoreSummary& summary) const {
    summary.candidates = kept_.size();
    summary.output = req_.output;
    summary.csv = req_.csv;
    summary.excluded = static_cast<std::size_t>(std::count(kept_.excluded.begin(), kept_.excluded.end(), 1));
    std::vector<std::pair<std::int64_t, std::size_t>> best;  // the top five, by the ranks written
    for (std::size_t r = 0; r < ranks_.size(); ++r) {
        if (ranks_[r] > 0 && ranks_[r] <= 5) best.emplace_back(ranks_[r], r);
    }
    std::sort(best.begin(), best.end());
    for (const auto& [rank, r] : best) summary.top.emplace_back(rank, to_string(kept_.id(r)), kept_.score[r]);
    InputSummary cands = input_summary("candidates", in_.candidates, nullptr);
    cands.features = kept_.size();
    summary.inputs.push_back(cands);
    for (std::size_t l = 0; l < in_.profile.layers.size(); ++l) {
        summary.inputs.push_back(input_summary(in_.profile.layers[l].name, in_.layers[l], in_.index_ptrs[l]));
    }
}

ScoreSummary StreamingScore::run() {
    Stopwatch clock;
    ScoreSummary summary;
    plan_score(req_, in_);  // 1. the profile and the paths
    summary.seconds.emplace_back("profile", clock.lap());
    // 2-3. The layers read and indexed once: on another thread while the first chunk of
    //      candidates is read when there is more than one thread.
    ReadOptions read = score_read_options(req_);
    const StageFn stage_fn = [this](const std::string& n, std::size_t d, std::size_t t) { stage(n, d, t); };
    const Profile& profile = in_.profile;
    layer_work_ = std::async(
        resolve_threads(req_.control.threads) > 1 ? std::launch::async : std::launch::deferred,
        [this, &profile, stage_fn, read] { return read_and_index_layers(req_, profile, read, stage_fn, false); });
    // 2-6. The candidates, chunk by chunk.
    read.progress = [this](std::size_t d, std::size_t t) {
        declared_ = t;  // every 4096 features, so known before the first chunk of 50,000
        stage("read candidates", d, t);
    };
    FeatureLayer cands = read_polygon_layer_chunks(parse_source(req_.candidates), read, score_chunk_size(),
                                                   [this](FeatureLayer& part) { chunk(part); });
    take_layers();
    const double streamed = clock.lap();
    in_.candidates = std::move(cands);
    report_hygiene(req_, "candidates", in_.candidates);
    check_has_candidates(kept_.size(), in_.candidates);
    for (const auto& n : layer_notices_) req_.tell(n);
    outside_.tell(req_);
    refuse_duplicates(kept_, in_.candidates);
    summary.seconds.emplace_back("read", std::max(0.0, streamed - index_s_ - overlay_s_ - score_s_ - write_s_));
    summary.seconds.emplace_back("index", index_s_);
    summary.seconds.emplace_back("overlay", overlay_s_);
    summary.seconds.emplace_back("score", score_s_);
    req_.stage("write", 0, 1);
    finish_outputs();
    summary.seconds.emplace_back("write", write_s_ + clock.lap());
    summarise(summary);
    return summary;
}

}  // namespace

ScoreSummary run_score_streaming(const ScoreRequest& req, const std::string& timestamp) {
    return StreamingScore(req, timestamp).run();
}

}  // namespace ruimte::score_parts
