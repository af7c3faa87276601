#include "spatial/jobs/score.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "layers/catalogue.hpp"
#include "ruimte/version.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/core/stopwatch.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/criteria/point_line_layer.hpp"
#include "spatial/criteria/profile.hpp"
#include "spatial/criteria/scoring.hpp"
#include "spatial/geometry/overlay.hpp"
#include "spatial/io/postgis.hpp"
#include "spatial/jobs/score_parts.hpp"
#include "spatial/jobs/score_pushdown.hpp"
#include "spatial/jobs/score_raster.hpp"
#include "spatial/output/atomic_output.hpp"
#include "spatial/output/gpkg_rows.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/manifest.hpp"
#include "spatial/output/run_output.hpp"
#include "spatial/output/schema.hpp"
#include "spatial/output/styles.hpp"

namespace ruimte {

namespace score_parts {

// Class per feature of a class layer (or name per feature of a presence layer).
std::vector<std::uint32_t> map_classes(const LayerSpec& spec, const FeatureLayer& layer,
                                       std::vector<std::string>& classes) {
    const int field = layer.field_index(spec.field);
    if (field < 0) {
        throw Error(ErrorKind::input,
                    "the layer has no field '" + spec.field + "'; its fields are: " + layer.field_names(),
                    layer.place(),
                    "set " + std::string(spec.kind == LayerKind::classes ? "class_field" : "name_field") +
                        " of [layers." + spec.name + "] in the profile to one of these fields");
    }
    std::vector<std::string> values(layer.features.size());
    for (std::size_t i = 0; i < layer.features.size(); ++i) {
        const Feature& f = layer.features[i];
        if (layer.field_is_null(f, field)) {
            if (spec.kind == LayerKind::classes) {
                throw Error(ErrorKind::input, "the feature has no value in class field '" + spec.field + "'",
                            layer.place(f.fid), "give every feature a class, or remove it");
            }
            values[i] = "fid " + std::to_string(f.fid);
        } else {
            values[i] = layer.field_as_string(f, field);
        }
    }
    if (!spec.catalogue.empty() && spec.kind == LayerKind::classes) {
        // Source spellings ("Ja, mits", "JA MITS", 3) become the catalogue's class codes.
        const layers::LayerKindInfo& kind = layers::kind_or_throw(spec.catalogue);
        std::vector<std::int64_t> fids;
        for (const Feature& f : layer.features) fids.push_back(f.fid);
        const std::vector<std::uint32_t> mapped = layers::map_values(kind, values, fids, {}, layer.place(), spec.field);
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = kind.classes[mapped[i]].code;
    }
    classes = spec.classes;
    if (classes.empty()) {
        std::set<std::string> seen(values.begin(), values.end());
        classes.assign(seen.begin(), seen.end());
    }
    std::map<std::string, std::uint32_t> position;
    for (std::size_t k = 0; k < classes.size(); ++k) position[classes[k]] = static_cast<std::uint32_t>(k);
    std::vector<std::uint32_t> out(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto it = position.find(values[i]);
        if (it == position.end()) {
            std::set<std::string> found(values.begin(), values.end());
            std::string found_list, allowed;
            for (const auto& v : found) found_list += (found_list.empty() ? "'" : ", '") + v + "'";
            for (const auto& c : classes) allowed += (allowed.empty() ? "'" : ", '") + c + "'";
            throw Error(ErrorKind::input,
                        "class value '" + values[i] + "' in field '" + spec.field +
                            "' is not one of the classes the profile allows (" + allowed +
                            "); values found in the layer: " + found_list,
                        layer.place(layer.features[i].fid),
                        "add the value to classes of [layers." + spec.name + "] or fix the data");
        }
        out[i] = it->second;
    }
    return out;
}

std::vector<CandidateId> candidate_ids(const FeatureLayer& cands, const std::string& requested) {
    int field = -1;
    if (!requested.empty()) {
        field = cands.field_index(requested);
        if (field < 0) {
            throw Error(ErrorKind::input, "no id field '" + requested + "'; the fields are: " + cands.field_names(),
                        cands.place(), "name an existing field with --id-field or id_field in the profile");
        }
    } else {
        field = cands.field_index("id");
    }
    std::vector<CandidateId> ids;
    ids.reserve(cands.features.size());
    const bool integer = field >= 0 && (cands.defn->GetFieldDefn(field)->GetType() == OFTInteger ||
                                        cands.defn->GetFieldDefn(field)->GetType() == OFTInteger64);
    for (const Feature& f : cands.features) {
        if (field < 0) {
            ids.emplace_back(static_cast<std::int64_t>(f.fid));
        } else if (cands.field_is_null(f, field)) {
            throw Error(ErrorKind::input, "the candidate has no id", cands.place(f.fid),
                        "give every candidate an id, or choose another --id-field");
        } else if (integer) {
            ids.emplace_back(static_cast<std::int64_t>(f.attributes->GetFieldAsInteger64(field)));
        } else {
            ids.emplace_back(cands.field_as_string(f, field));
        }
    }
    std::map<CandidateId, std::int64_t> seen;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto [it, fresh] = seen.emplace(ids[i], cands.features[i].fid);
        if (!fresh) refuse_duplicate_id(cands, ids[i], it->second, cands.features[i].fid);
    }
    return ids;
}

void refuse_duplicate_id(const FeatureLayer& cands, const CandidateId& id, std::int64_t first_fid, std::int64_t fid) {
    throw Error(ErrorKind::input,
                "duplicate candidate id '" + to_string(id) + "' (also on feature " + std::to_string(first_fid) + ")",
                cands.place(fid), "make the ids unique or choose another --id-field");
}

void report_hygiene(const ScoreRequest& req, const std::string& role, const FeatureLayer& l) {
    if (!req.notice) return;  // the notes are not even made
    for (const std::string& note : l.hygiene_notes(role, ", see table geometry_issues")) req.tell(note);
}

// Steps 2 and 3 for the profile's layers (score_parts.hpp).
LayerWork read_and_index_layers(const ScoreRequest& req, const Profile& profile, ReadOptions read, const StageFn& stage,
                                bool keep_features) {
    LayerWork work;
    ScoreRequest collecting = req;
    if (req.notice) collecting.notice = [&work](const std::string& n) { work.notices.push_back(n); };
    std::vector<FeatureLayer>& layer_data = work.layers;
    layer_data.reserve(profile.layers.size());
    for (const auto& spec : profile.layers) {
        read.progress = [&](std::size_t d, std::size_t t) { stage("read " + spec.name, d, t); };
        read.geometry = read_geometry(spec);
        layer_data.push_back(read_polygon_layer(spec.source, read));
        report_hygiene(collecting, "layer " + spec.name, layer_data.back());
    }
    work.read_done = std::chrono::steady_clock::now();
    IndexOptions index_options;
    index_options.max_piece_vertices = req.max_piece_vertices;
    for (std::size_t l = 0; l < profile.layers.size(); ++l) {
        stage("index " + profile.layers[l].name, l, profile.layers.size());
        if (is_point_line(profile.layers[l].kind)) {
            work.indexes.push_back(index_point_line_layer(profile.layers[l], layer_data[l]));
            continue;
        }
        std::vector<std::string> classes;
        std::vector<std::uint32_t> feature_class = map_classes(profile.layers[l], layer_data[l], classes);
        work.indexes.push_back(std::make_unique<LayerIndex>(profile.layers[l].name, profile.layers[l].kind,
                                                            layer_data[l].geometries(), std::move(feature_class),
                                                            std::move(classes), index_options, req.control));
        const auto& pairs = work.indexes.back()->overlapping_features();
        if (!pairs.empty() && collecting.notice && profile.layers[l].kind == LayerKind::classes) {
            collecting.notice("layer " + profile.layers[l].name + ": " + std::to_string(pairs.size()) +
                              " pairs of features overlap each other (first: features " +
                              std::to_string(layer_data[l].features[pairs[0].first].fid) + " and " +
                              std::to_string(layer_data[l].features[pairs[0].second].fid) +
                              "); overlapping area is counted once per class");
        }
        if (keep_features) continue;
        for (Feature& f : layer_data[l].features) {
            f.geom.reset();
            f.attributes.reset();
        }
    }
    work.index_done = std::chrono::steady_clock::now();
    return work;
}

}  // namespace score_parts

namespace score_parts {

// Every area, share and distance must be a finite number: coordinates near the double range
// (1e150 and up) made areas Inf or NaN, which were scored and ranked with exit 0. Refused,
// naming the candidate (and the layer whose figure overflowed).
// candidates_scored holds fid, geom, the input's fields and, per class layer, a share per class
// and the uncovered share; per presence layer three columns; per factor two; and six more.
// SQLite refuses a table of more than 2000 columns (SQLITE_MAX_COLUMN), which surfaced as 'no
// such table ... check free disk space' after all the work. `classes` gives each class layer's
// class count (nullptr: the profile's declared classes, at least one, before any data is read).
std::size_t output_columns(const Profile& profile, std::size_t input_fields,
                           const std::vector<const LayerIndex*>* classes) {
    std::size_t n = 2 + input_fields + 6 + 2 * profile.factors.size() + used_raster_metrics(profile).size();
    for (std::size_t l = 0; l < profile.layers.size(); ++l) {
        if (profile.layers[l].kind == LayerKind::classes) {
            const std::size_t k =
                classes ? (*classes)[l]->classes().size() : std::max<std::size_t>(1, profile.layers[l].classes.size());
            n += k + 1;
        } else if (is_point_line(profile.layers[l].kind)) {
            n += profile.layers[l].kind == LayerKind::lines ? 4 : 2;
        } else {
            n += 3;
        }
    }
    return n;
}

void check_output_columns(const Profile& profile, std::size_t columns, ErrorKind kind, const ErrorPlace& place) {
    if (columns <= kMaxOutputColumns) return;
    throw Error(
        kind,
        "the output layer candidates_scored would have " + std::to_string(columns) + " columns (" +
            std::to_string(profile.layers.size()) + " layers, " + std::to_string(profile.factors.size()) +
            " factors), more than the limit of " + std::to_string(kMaxOutputColumns) + " (SQLite's)",
        place,
        "use fewer layers, classes or factors (a presence layer adds 3 columns, a class layer one per class and "
        "one more, a factor 2), or drop input fields");
}

// Degrees labelled as RD New (ogr2ogr -a_srs EPSG:28992 on WGS 84 data) were scored silently at
// 1e-8 ha, outside every layer. Two warnings: candidates outside RD New's extent (the
// Netherlands), and candidates of which none overlaps any feature of any layer.
void OutsideCheck::add(const ScoreInputs& in) {
    const geos::Context ctx;
    constexpr double kMinX = -7000, kMaxX = 300000, kMinY = 289000, kMaxY = 629000;  // as in source.cpp
    candidates += in.candidates.features.size();
    for (const Feature& f : in.candidates.features) {
        const geos::Box b = geos::envelope(ctx, f.geom.get());
        all = {std::min(all.xmin, b.xmin), std::min(all.ymin, b.ymin), std::max(all.xmax, b.xmax),
               std::max(all.ymax, b.ymax)};
        if (b.xmax < kMinX || b.xmin > kMaxX || b.ymax < kMinY || b.ymin > kMaxY) {
            ++outside;
            if (!first) first = f.fid;
        }
    }
    const OverlayResult& ov = in.overlay;
    layers = layers || !ov.layers.empty();
    for (std::size_t c = 0; c < ov.candidate_area_m2.size() && !overlap; ++c) {
        for (const LayerOverlay& lo : ov.layers) {
            if (lo.covered_m2[c] > 0 || (!lo.count_within.empty() && lo.count_within[c] > 0)) overlap = true;
        }
    }
}

void OutsideCheck::tell(const ScoreRequest& req) const {
    if (!req.notice || candidates == 0) return;
    if (outside > 0) {
        req.notice(
            "warning: " + std::to_string(outside) + " of " + std::to_string(candidates) +
            " candidates lie outside the Netherlands (first: feature " + std::to_string(*first) +
            "; the candidates span x " + fixed(all.xmin, 1) + "..." + fixed(all.xmax, 1) + ", y " + fixed(all.ymin, 1) +
            "..." + fixed(all.ymax, 1) +
            " m in EPSG:28992, RD New covers x -7000...300000, y 289000...629000); if these are degrees, the CRS "
            "label is wrong: assign EPSG:4326 (ogr2ogr -a_srs EPSG:4326) or correct the .prj");
    }
    if (!layers || overlap) return;
    req.notice(
        "warning: none of the " + std::to_string(candidates) +
        " candidates overlaps any feature of any layer: check that the candidates and the layers are in the CRS their "
        "files say (scores computed from no overlap at all are rarely meant)");
}

void warn_outside(const ScoreRequest& req, const ScoreInputs& in) {
    OutsideCheck check;
    check.add(in);
    check.tell(req);
}

void check_finite_overlay(const ScoreInputs& in) {
    const OverlayResult& ov = in.overlay;
    const std::string fix =
        "check the coordinates and the CRS of the candidates and the layer; RD New coordinates lie within "
        "0..300,000 x 289,000..629,000 m";
    for (std::size_t c = 0; c < ov.candidate_area_m2.size(); ++c) {
        if (!std::isfinite(ov.candidate_area_m2[c])) {
            throw Error(ErrorKind::input, "its area is not a finite number (coordinates too large)",
                        in.candidates.place(in.candidates.features[c].fid), fix);
        }
    }
    for (std::size_t l = 0; l < ov.layers.size(); ++l) {
        const LayerOverlay& lo = ov.layers[l];
        const std::string layer = in.profile.layers[l].name;
        auto check = [&](const std::vector<double>& values, std::size_t per_candidate, const char* what) {
            for (std::size_t i = 0; i < values.size(); ++i) {
                if (std::isfinite(values[i]) || (what == std::string("distance") && values[i] > 0)) continue;
                const std::size_t c = i / std::max<std::size_t>(per_candidate, 1);
                throw Error(ErrorKind::input,
                            std::string("its ") + what + " in layer '" + layer +
                                "' is not a finite number (coordinates too large)",
                            in.candidates.place(in.candidates.features[c].fid), fix);
            }
        };
        check(lo.area_m2, lo.class_count, "area");
        check(lo.covered_m2, 1, "covered area");
        check(lo.distance_m, 1, "distance");
    }
}

// The candidates' attributes the profile uses (attr.FIELD in exclusions and linear factors),
// as numbers: a missing field or a value that is not a number is an error naming it.
void read_attributes(const Profile& profile, const FeatureLayer& cands, CandidateTable& table) {
    std::set<std::string> attrs;
    for (const auto& e : profile.exclusions) {
        if (e.metric.rfind("attr.", 0) == 0) attrs.insert(e.metric.substr(5));
    }
    for (const auto& f : profile.factors) {
        if (f.kind == FactorKind::linear && f.metric.rfind("attr.", 0) == 0) attrs.insert(f.metric.substr(5));
    }
    for (const auto& a : attrs) {
        const int field = cands.field_index(a);
        if (field < 0) {
            throw Error(ErrorKind::input,
                        "the profile uses attr." + a + " but the candidates have no field '" + a +
                            "'; their fields are: " + cands.field_names(),
                        cands.place(), "fix the metric name in the profile");
        }
        std::vector<double> values;
        for (const Feature& f : cands.features) {
            const auto v = cands.field_as_double(f, field);
            if (!v && !cands.field_is_null(f, field)) {
                throw Error(ErrorKind::input,
                            "field '" + a + "' holds '" + cands.field_as_string(f, field) + "', not a number",
                            cands.place(f.fid), "attr." + a + " needs a numeric field");
            }
            values.push_back(v.value_or(std::nan("")));
        }
        table.attribute_names.push_back(a);
        table.attribute_values.push_back(std::move(values));
    }
}

// Step 1: the profile, whole, before any geometry is read (its notices and warnings told, a
// warning an error with --strict); then the outputs' paths.
Profile load_score_profile(const ScoreRequest& req) {
    Profile profile = load_profile(req.profile_path, req.layer_sources);
    if (profile.ahp && req.notice) {
        std::string w;
        for (const auto& f : profile.factors) w += (w.empty() ? "" : ", ") + f.name + " " + fixed(f.weight, 3);
        req.notice("weights from AHP: " + w + "; lambda_max " + fixed(profile.ahp->lambda_max, 3) + ", CI " +
                   fixed(profile.ahp->ci, 3) + ", CR " + fixed(profile.ahp->cr, 3));
    }
    check_output_columns(profile, output_columns(profile, 0, nullptr), ErrorKind::profile,
                         ErrorPlace::at(profile.path));
    for (const auto& w : profile.warnings) {
        if (req.strict)
            throw Error(ErrorKind::profile, w, ErrorPlace::in_config(profile.path, "weights"),
                        "revise the profile, or run without --strict");
        if (req.notice) req.notice("warning: " + w);
    }
    return profile;
}

void check_score_outputs(const ScoreRequest& req, const std::vector<std::string>& inputs) {
    if (pg::is_postgres(req.output)) {
        pg::check_output(req.output, req.overwrite,
                         {schema::kCandidatesScored, schema::kOverlayAreas, schema::kGeometryIssues});
    } else if (!req.output.empty()) {
        check_output_path(req.output, req.overwrite, inputs);
    }
    if (!req.csv.empty()) check_output_path(req.csv, req.overwrite, inputs);
    if (!req.csv.empty())
        check_distinct_outputs({req.output, req.csv}, "--csv and -o name the same file", "give the CSV its own name");
}

// Steps 2b-4 with --engine postgis: layers, index and overlay as SQL inside PostGIS
// (score_pushdown.hpp).
void overlay_in_postgis(const ScoreRequest& req, ScoreInputs& in, Stopwatch& clock) {
    PushdownOptions push;
    push.assume_crs = req.assume_crs;
    push.skip_invalid = req.skip_invalid;
    push.make_valid = req.make_valid;
    push.max_piece_vertices = req.max_piece_vertices;
    push.control = req.control;
    push.progress = req.progress;
    push.notice = req.notice;
    in.seconds.emplace_back("read", clock.lap());
    PushdownResult pushed = pushdown_overlay(in.profile, in.candidates, push);
    in.layers = std::move(pushed.layers);
    in.indexes = std::move(pushed.indexes);
    for (const auto& index : in.indexes) in.index_ptrs.push_back(index.get());
    in.overlay = std::move(pushed.overlay);
    for (std::size_t l = 0; l < in.layers.size(); ++l)
        report_hygiene(req, "layer " + in.profile.layers[l].name, in.layers[l]);
    in.seconds.emplace_back("overlay", clock.lap());
}

void plan_score(const ScoreRequest& req, ScoreInputs& in) {
    in.profile = load_score_profile(req);
    in.input_paths = {parse_source(req.candidates).path, req.profile_path};
    for (const auto& l : in.profile.layers) in.input_paths.push_back(l.source.path);
    for (const auto& r : in.profile.rasters) in.input_paths.push_back(r.path);
    check_score_outputs(req, in.input_paths);
}

ReadOptions score_read_options(const ScoreRequest& req) {
    ReadOptions read;
    read.assume_crs = req.assume_crs;
    read.skip_invalid = req.skip_invalid;
    read.make_valid = req.make_valid;
    read.control = req.control;
    return read;
}

void check_has_candidates(std::size_t usable, const FeatureLayer& cands) {
    if (usable > 0) return;
    throw Error(ErrorKind::input, "the candidate layer has no usable features", cands.place(),
                "check the layer; features with null, empty or zero-area geometry are skipped");
}

}  // namespace score_parts

using namespace score_parts;

ScoreInputs prepare_score(const ScoreRequest& req) {
    Stopwatch clock;
    ScoreInputs in;
    std::mutex progress_mutex;  // the layers are read on another thread (step 2)
    auto stage = [&](const std::string& name, std::size_t done, std::size_t total) {
        if (!req.progress) return;
        const std::lock_guard<std::mutex> lock(progress_mutex);
        req.progress(name, done, total);
    };

    // 1. The profile, whole, before any geometry is read; then the outputs' paths.
    plan_score(req, in);
    const Profile& profile = in.profile;
    const SourceSpec cand_spec = parse_source(req.candidates);
    std::vector<std::string> source_files = files_of_source(req.candidates);
    for (const auto& l : profile.layers) {
        for (auto& f : files_of_source(l.source.display())) source_files.push_back(std::move(f));
    }
    const FilePrefetch prefetch(std::move(source_files));  // the disk starts on them meanwhile
    in.seconds.emplace_back("profile", clock.lap());

    // 2. Read. With more than one thread the profile's layers are read and indexed (3) on
    //    another thread meanwhile, so GDAL's sequential reading of one source overlaps the
    //    parallel work on the other. Errors and notices keep their order either way: the
    //    candidates' first, then the layers'.
    ReadOptions read = score_read_options(req);
    using Clock = std::chrono::steady_clock;
    const Clock::time_point read_start = Clock::now();
    const StageFn stage_fn = stage;
    std::future<LayerWork> layer_work;
    const bool layers_meanwhile = req.engine != Engine::postgis && resolve_threads(req.control.threads) > 1;
    if (layers_meanwhile) {
        layer_work = std::async(std::launch::async, [&req, &profile, &stage_fn, read] {
            return read_and_index_layers(req, profile, read, stage_fn);
        });
    }
    read.progress = [&](std::size_t d, std::size_t t) { stage("read candidates", d, t); };
    in.candidates = read_polygon_layer(cand_spec, read);
    FeatureLayer& cands = in.candidates;
    report_hygiene(req, "candidates", cands);
    check_has_candidates(cands.features.size(), cands);
    CandidateTable& table = in.table;
    table.ids = candidate_ids(cands, req.id_field.empty() ? profile.id_field : req.id_field);
    read_attributes(profile, cands, table);

    if (req.engine == Engine::postgis) {
        overlay_in_postgis(req, in, clock);
        in.rasters = score_rasters(profile, cands, in.overlay.candidate_area_m2, in.table, req.assume_crs, req.control,
                                   req.notice);
        check_finite_overlay(in);
        warn_outside(req, in);
        return in;
    }
    const Clock::time_point cands_done = Clock::now();
    LayerWork work = layers_meanwhile ? layer_work.get() : read_and_index_layers(req, profile, read, stage_fn);
    if (req.notice) {
        for (const auto& n : work.notices) req.notice(n);
    }
    in.layers = std::move(work.layers);
    in.indexes = std::move(work.indexes);
    for (const auto& index : in.indexes) in.index_ptrs.push_back(index.get());
    const std::vector<const LayerIndex*>& index_ptrs = in.index_ptrs;
    // Stage times of overlapping work: reading lasts until both sources are read, indexing
    // for what the layers' thread still needed after that.
    const Clock::time_point read_end = std::max(cands_done, work.read_done);
    in.seconds.emplace_back("read", std::chrono::duration<double>(read_end - read_start).count());
    in.seconds.emplace_back("index",
                            std::chrono::duration<double>(std::max(work.index_done, read_end) - read_end).count());
    clock.lap();

    // 4. Overlay.
    std::vector<const GEOSGeometry*> geoms;
    geoms.reserve(cands.features.size());
    for (const auto& f : cands.features) geoms.push_back(f.geom.get());
    RunControl control = req.control;
    control.progress = [&](std::size_t d, std::size_t t) { stage("overlay", d, t); };
    in.overlay = overlay(geoms, index_ptrs, control);
    in.seconds.emplace_back("overlay", clock.lap());
    in.rasters =
        score_rasters(profile, cands, in.overlay.candidate_area_m2, in.table, req.assume_crs, req.control, req.notice);
    if (!in.rasters.empty()) in.seconds.emplace_back("raster", clock.lap());
    check_finite_overlay(in);
    warn_outside(req, in);
    return in;
}

namespace score_parts {

// Row c of candidates_scored, by position in the candidate layer; rows and the long table are
// written in candidate-id order.
std::vector<std::size_t> in_id_order(const std::vector<CandidateId>& ids) {
    std::vector<std::size_t> by_id(ids.size());
    for (std::size_t c = 0; c < by_id.size(); ++c) by_id[c] = c;
    const auto id_order = [&](std::size_t a, std::size_t b) { return id_less(ids[a], ids[b]); };
    if (!std::is_sorted(by_id.begin(), by_id.end(), id_order)) std::sort(by_id.begin(), by_id.end(), id_order);
    return by_id;
}

std::vector<LongRow> long_table_rows(const ScoreInputs& in, const std::vector<std::size_t>& by_id) {
    const OverlayResult& ov = in.overlay;
    std::vector<LongRow> rows;
    rows.reserve(2 * by_id.size());
    for (std::size_t c : by_id) {
        for (std::size_t l = 0; l < in.profile.layers.size(); ++l) {
            for (std::size_t k = 0; k < ov.layers[l].class_count; ++k) {
                if (ov.layers[l].area(c, k) > 0) rows.push_back({c, l, k});
            }
        }
    }
    return rows;
}

Manifest score_manifest(const ScoreRequest& req, const ScoreInputs& in, const std::string& timestamp) {
    const Profile& profile = in.profile;
    Manifest manifest;
    manifest.command = "score";
    manifest.command_line = req.command_line;
    manifest.timestamp = timestamp;
    manifest.profile_path = profile.path;
    manifest.profile_text = profile.text;
    manifest.make_valid = geos::to_string(req.make_valid);
    manifest.inputs.push_back(manifest_input("candidates", req.candidates, in.candidates.crs));
    for (std::size_t l = 0; l < profile.layers.size(); ++l) {
        manifest.inputs.push_back(
            manifest_input(profile.layers[l].name, in.layers[l].source.display(), in.layers[l].crs));
    }
    manifest.files = files_of_source(req.candidates);
    manifest.files.push_back(profile.path);
    for (const auto& l : in.layers) {
        for (auto& f : files_of_source(l.source.display())) manifest.files.push_back(std::move(f));
    }
    for (const auto& r : in.rasters) {
        manifest.inputs.push_back(manifest_input(r.name, r.info.path, raster_crs_report(r.info)));
        manifest.files.push_back(r.info.path);
    }
    return manifest;
}

// The long table as CSV (--csv): names quoted once; rows made in a buffer written in pieces of
// about 1 MB.
LongCsv::LongCsv(const ScoreRequest& req, const ScoreInputs& in, const std::string& temp_path)
    : path_(req.csv), csv_(temp_path, std::ios::binary) {
    const Profile& profile = in.profile;
    for (std::size_t l = 0; l < profile.layers.size(); ++l) {
        layer_names_.push_back(csv_quote(profile.layers[l].name));
        class_names_.emplace_back();
        for (const auto& c : in.index_ptrs[l]->classes()) class_names_.back().push_back(csv_quote(c));
    }
    text_ = "candidate_id,layer,class,area_m2,share\n";
}

void LongCsv::add(const ScoreInputs& in, const std::vector<LongRow>& long_rows) {
    const OverlayResult& ov = in.overlay;
    const std::vector<CandidateId>& ids = in.table.ids;
    std::string id;
    std::size_t id_of = ids.size();  // the candidate `id` holds
    for (const LongRow& r : long_rows) {
        if (r.cand != id_of) {
            id = csv_quote(to_string(ids[r.cand]));
            id_of = r.cand;
        }
        const double a = ov.layers[r.layer].area(r.cand, r.klass);
        text_ += id;
        text_ += ',';
        text_ += layer_names_[r.layer];
        text_ += ',';
        text_ += class_names_[r.layer][r.klass];
        text_ += ',';
        append_fixed(text_, a, 6);
        text_ += ',';
        append_fixed(text_, a / ov.candidate_area_m2[r.cand], 9);
        text_ += '\n';
        if (text_.size() > (1u << 20)) {
            csv_.write(text_.data(), static_cast<std::streamsize>(text_.size()));
            text_.clear();
        }
    }
}

void LongCsv::close() {
    csv_.write(text_.data(), static_cast<std::streamsize>(text_.size()));
    text_.clear();
    csv_.close();
    if (!csv_) {
        throw Error(ErrorKind::output, "cannot write the CSV", ErrorPlace::at(path_),
                    "check free disk space and write permission in the output folder");
    }
}

void write_long_csv(const ScoreRequest& req, const ScoreInputs& in, const std::vector<LongRow>& long_rows,
                    const std::string& temp_path) {
    LongCsv csv(req, in, temp_path);
    csv.add(in, long_rows);
    csv.close();
}

// candidates_scored's fields: the input attributes, then what ruimte computed.
ScoredFields add_scored_fields(OGRLayer& scored, const ScoreRequest& req, const ScoreInputs& in) {
    namespace col = schema::scored;
    const Profile& profile = in.profile;
    const FeatureLayer& cands = in.candidates;
    std::set<std::string> taken;
    auto upper = [](std::string s) {
        for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        return s;
    };
    for (int i = 0; i < cands.defn->GetFieldCount(); ++i) {
        OGRFieldDefn def(cands.defn->GetFieldDefn(i));
        if (scored.CreateField(&def) != OGRERR_NONE) {
            throw Error(ErrorKind::output, "cannot copy input field '" + std::string(def.GetNameRef()) + "'",
                        ErrorPlace::at(req.output, schema::kCandidatesScored));
        }
        taken.insert(upper(def.GetNameRef()));
    }
    auto computed = [&](const std::string& name, OGRFieldType type, OGRFieldSubType sub = OFSTNone) {
        if (!taken.insert(upper(name)).second) {
            throw Error(ErrorKind::input, "the candidates have a field '" + name + "', which ruimte writes itself",
                        cands.place(), "rename that field in the input");
        }
        add_field(scored, req.output, name, type, sub);
        return scored.GetLayerDefn()->GetFieldCount() - 1;
    };
    check_output_columns(profile,
                         output_columns(profile, static_cast<std::size_t>(cands.defn->GetFieldCount()), &in.index_ptrs),
                         ErrorKind::input, cands.place());
    ScoredFields f;
    const bool int_ids = std::holds_alternative<std::int64_t>(in.table.ids.front());
    f.id = computed(col::kCandidateId, int_ids ? OFTInteger64 : OFTString);
    f.area = computed(col::kAreaHa, OFTReal);
    const std::size_t layers = profile.layers.size();
    f.share.resize(layers);
    f.cover.assign(layers, -1);
    f.names.assign(layers, -1);
    f.dist.assign(layers, -1);
    f.count.assign(layers, -1);
    f.length.assign(layers, -1);
    f.length_within.assign(layers, -1);
    for (std::size_t l = 0; l < layers; ++l) {
        const std::string lname = column_part(profile.layers[l].name);
        if (profile.layers[l].kind == LayerKind::classes) {
            std::set<std::string> used;
            for (const auto& cls : in.index_ptrs[l]->classes()) {
                std::string name = col::class_share(lname, column_part(cls));
                for (int suffix = 2; !used.insert(name).second; ++suffix)
                    name = col::class_share(lname, column_part(cls) + "_" + std::to_string(suffix));
                f.share[l].push_back(computed(name, OFTReal));
            }
            f.cover[l] = computed(col::uncovered_share(lname), OFTReal);
        } else if (is_point_line(profile.layers[l].kind)) {
            f.dist[l] = computed(col::distance_m(lname), OFTReal);
            f.count[l] = computed(col::count_within(lname), OFTInteger64);
            if (profile.layers[l].kind == LayerKind::lines) {
                f.length[l] = computed(col::length_m(lname), OFTReal);
                f.length_within[l] = computed(col::length_within_m(lname), OFTReal);
            }
        } else {
            f.cover[l] = computed(col::overlap_share(lname), OFTReal);
            f.names[l] = computed(col::feature_names(lname), OFTString);
            f.dist[l] = computed(col::distance_m(lname), OFTReal);
        }
    }
    for (const auto& m : used_raster_metrics(profile)) f.raster.push_back(computed(raster_column(m), OFTReal));
    for (const auto& fac : profile.factors) {
        f.value.push_back(computed(col::factor_value(fac.name), OFTReal));
        f.contrib.push_back(computed(col::factor_contrib(fac.name), OFTReal));
    }
    f.excluded = computed(col::kExcluded, OFTInteger, OFSTBoolean);
    f.reasons = computed(col::kReasons, OFTString);
    f.score = computed(col::kScore, OFTReal);
    f.rank = computed(col::kRank, OFTInteger64);
    return f;
}

void add_overlay_area_fields(OGRLayer& areas, const ScoreRequest& req, bool int_ids) {
    namespace col = schema::overlay_areas;
    add_field(areas, req.output, col::kCandidateId, int_ids ? OFTInteger64 : OFTString);
    add_field(areas, req.output, col::kLayer, OFTString);
    add_field(areas, req.output, col::kClass, OFTString);
    add_field(areas, req.output, col::kAreaM2, OFTReal);
    add_field(areas, req.output, col::kShare, OFTReal);
}

void put_overlay_area_rows(GpkgRowWriter& rows, const ScoreInputs& in, const std::vector<LongRow>& long_rows) {
    const OverlayResult& ov = in.overlay;
    for (const LongRow& r : long_rows) {
        put_id(rows, 0, in.table.ids[r.cand]);
        rows.text(1, in.profile.layers[r.layer].name);
        rows.text(2, in.index_ptrs[r.layer]->classes()[r.klass]);
        const double a = ov.layers[r.layer].area(r.cand, r.klass);
        rows.real(3, a);
        rows.real(4, a / ov.candidate_area_m2[r.cand]);
        rows.insert();
    }
}

void write_overlay_areas(GDALDataset& ds, OGRLayer& areas, const ScoreRequest& req, const ScoreInputs& in,
                         const std::vector<LongRow>& long_rows) {
    GpkgRowWriter rows(ds, areas, req.output);
    put_overlay_area_rows(rows, in, long_rows);
    append_raster_class_rows(rows, in.rasters, in.table.ids, in_id_order(in.table.ids));
    rows.finish();
}

// Provenance: what made this file (a full manifest lives in gpkg_metadata).
void write_score_metadata(RunOutput& out, const ScoreRequest& req, const ScoreInputs& in) {
    const Profile& profile = in.profile;
    out.stamp(req.command_line);
    out.metadata(schema::kMetaProfilePath, profile.path);
    out.metadata(schema::kMetaProfile, profile.text);
    out.metadata("RUIMTE_MAKE_VALID",
                 std::string("GEOS MakeValid, method=") + geos::to_string(req.make_valid) + " keepcollapsed=false");
    auto crs_line = [&](const FeatureLayer& l) {
        return l.source.display() + " | CRS " + l.crs.source_crs + (l.crs.assumed ? " (assumed)" : "") +
               " | operation " + l.crs.operation + " | accuracy_m " +
               (l.crs.accuracy_m >= 0 ? fixed(l.crs.accuracy_m, 3) : std::string("unknown"));
    };
    out.metadata("RUIMTE_INPUT_CANDIDATES", crs_line(in.candidates));
    for (std::size_t l = 0; l < profile.layers.size(); ++l)
        out.metadata("RUIMTE_INPUT_" + profile.layers[l].name, crs_line(in.layers[l]));
    for (const auto& r : in.rasters) out.metadata("RUIMTE_INPUT_" + r.name, raster_input_line(r));
}

// Step 6: candidates_scored, overlay_areas and geometry_issues in one transaction, then the
// metadata, styles and manifest; the --csv long table and the manifest's hashing run beside
// it (on this thread with --threads 1); the QGIS project after it; all committed together.
void write_score_outputs(const ScoreRequest& req, const ScoreInputs& in, const Scores& scores,
                         const std::string& timestamp) {
    const Profile& profile = in.profile;
    const std::vector<LongRow> long_rows = long_table_rows(in, in_id_order(in.table.ids));
    const Manifest manifest = score_manifest(req, in, timestamp);
    std::future<std::string> manifest_text =
        std::async(side_work_policy(req.control), [&manifest] { return manifest_json(manifest); });
    RunOutput out(req.output, req.overwrite, in.input_paths, timestamp);
    std::future<void> csv_written;
    if (!req.csv.empty()) {
        const std::string& csv_temp = out.secondary(req.csv);
        csv_written = std::async(side_work_policy(req.control),
                                 [&req, &in, &long_rows, &csv_temp] { write_long_csv(req, in, long_rows, csv_temp); });
    }
    GDALDataset& ds = out.dataset();
    OGRLayer* scored = create_layer(
        ds, req.output, schema::kCandidatesScored, wkbMultiPolygon,
        "Candidate areas scored by ruimte " + std::string(version) + " with profile '" + profile.name + "'");
    OGRLayer* areas = create_layer(ds, req.output, schema::kOverlayAreas, wkbNone,
                                   "Area (m2) and share of each candidate per class of each layer");
    OGRLayer* issues = out.create_issues_layer();
    const ScoredFields fields = add_scored_fields(*scored, req, in);
    add_overlay_area_fields(*areas, req, std::holds_alternative<std::int64_t>(in.table.ids.front()));

    begin_transaction(ds, req.output);
    const FeatureLayer& cands = in.candidates;
    write_copied_rows(
        ds, *scored, req.output, cands, cands.features.size(), [](std::size_t c) { return c; },
        [&](auto& sink, std::size_t c) { put_scored_values(sink, fields, in, scores, c); });
    out.start_writeback();  // these rows go to disk while overlay_areas is written
    write_overlay_areas(ds, *areas, req, in, long_rows);
    write_raster_stats(ds, req.output, in.rasters, in.table.ids, in_id_order(in.table.ids));
    out.write_issues(*issues, "candidates", cands);
    for (std::size_t l = 0; l < profile.layers.size(); ++l)
        out.write_issues(*issues, profile.layers[l].name, in.layers[l]);
    commit_transaction(ds, req.output);
    out.start_writeback();  // the disk writes the rows while the styles and metadata are made

    write_score_metadata(out, req, in);
    styles::KnownColumns known;  // the scores are at hand: the style need not read rows back
    known[std::string(schema::kCandidatesScored) + "." + schema::scored::kScore] = scores.score;
    out.close(timestamp, manifest_text, known);
    if (csv_written.valid()) csv_written.get();
    if (!req.qgis_project.empty()) {
        styles::write_qgis_project(out.secondary(req.qgis_project), req.qgis_project, req.output, req.qgis_context,
                                   "ruimte score - " + profile.name, req.english, out.temp_path());
    }
    // Every output is complete: committed together, the GeoPackage last (docs/reliability.md);
    // to PostgreSQL the table is published first and the CSV committed only after it.
    out.commit();
}

InputSummary input_summary(const std::string& role, const FeatureLayer& l, const LayerIndex* idx) {
    InputSummary s;
    s.role = role;
    s.source = l.source.display();
    s.features = l.features.size();
    s.repaired = l.hygiene.repaired.size();
    s.skipped = l.hygiene.skipped.size();
    s.crs = l.crs;
    if (idx) {
        s.pieces = idx->piece_count();
        s.overlapping_pairs = idx->overlapping_features().size();
    }
    return s;
}

// What the command prints: counts, the top five, and per input what reading found.
void summarise(ScoreSummary& summary, const ScoreRequest& req, const ScoreInputs& in, const Scores& scores) {
    const std::size_t n = in.candidates.features.size();
    summary.candidates = n;
    summary.output = req.output;
    summary.csv = req.csv;
    for (std::size_t c = 0; c < n; ++c) summary.excluded += scores.excluded[c] ? 1 : 0;
    std::vector<std::size_t> ranked;
    for (std::size_t c = 0; c < n; ++c)
        if (scores.rank[c] > 0) ranked.push_back(c);
    std::sort(ranked.begin(), ranked.end(),
              [&](std::size_t a, std::size_t b) { return scores.rank[a] < scores.rank[b]; });
    for (std::size_t i = 0; i < ranked.size() && i < 5; ++i) {
        summary.top.emplace_back(scores.rank[ranked[i]], to_string(in.table.ids[ranked[i]]), scores.score[ranked[i]]);
    }
    summary.inputs.push_back(input_summary("candidates", in.candidates, nullptr));
    for (std::size_t l = 0; l < in.profile.layers.size(); ++l) {
        summary.inputs.push_back(input_summary(in.profile.layers[l].name, in.layers[l], in.index_ptrs[l]));
    }
}

// --qgis-project: a GeoPackage output (not PostgreSQL) and a name of its own.
void check_project_paths(const ScoreRequest& req) {
    if (req.qgis_project.empty()) return;
    if (pg::is_postgres(req.output)) {
        throw Error(ErrorKind::usage, "--qgis-project needs a GeoPackage output", {},
                    "write -o OUT.gpkg, or leave out --qgis-project");
    }
    check_output_path(req.qgis_project, req.overwrite, {req.output});
    check_distinct_outputs({req.csv, req.qgis_project}, "--qgis-project and --csv name the same file",
                           "give the project its own name");
}

}  // namespace score_parts

ScoreSummary run_score(const ScoreRequest& req) {
    const std::string timestamp = run_timestamp(req.timestamp);
    check_project_paths(req);
    if (score_streams(req)) return run_score_streaming(req, timestamp);         // bounded memory (score_stream.cpp)
    const auto data = std::make_shared<const ScoreInputs>(prepare_score(req));  // steps 1-4
    const ScoreInputs& in = *data;
    Stopwatch clock;
    ScoreSummary summary;
    summary.seconds = in.seconds;
    // 5. Score.
    const Scores scores = score_candidates(in.profile, in.index_ptrs, in.overlay, in.table);
    summary.seconds.emplace_back("score", clock.lap());
    // 6. Write.
    req.stage("write", 0, 1);
    write_score_outputs(req, in, scores, timestamp);
    summary.seconds.emplace_back("write", clock.lap());
    summarise(summary, req, in, scores);
    summary.data = data;
    return summary;
}

}  // namespace ruimte
