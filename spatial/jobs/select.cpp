#include "spatial/jobs/select.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "spatial/geometry/area_kernel.hpp"
#include "spatial/output/atomic_output.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/criteria/scoring.hpp"
#include "spatial/core/stopwatch.hpp"
#include "spatial/output/gpkg_rows.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/manifest.hpp"
#include "spatial/output/run_output.hpp"
#include "spatial/output/styles.hpp"
#include "ruimte/version.hpp"
#include "spatial/io/source.hpp"

namespace ruimte {

namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BBox = bg::model::box<BPoint>;
using RTree = bgi::rtree<std::pair<BBox, std::uint32_t>, bgi::quadratic<16>>;

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    const auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// A number as the user wrote it: "100000", "0.667", "66.7%".
std::optional<double> parse_number(std::string s) {
    s = trim(s);
    double scale = 1;
    if (!s.empty() && s.back() == '%') {
        scale = 0.01;
        s.pop_back();
    }
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v * scale;
}

Error usage(const std::string& option, const std::string& value, const std::string& example) {
    return Error(ErrorKind::usage, option + " '" + value + "' is not understood", {}, "write it as " + example);
}

// "FIELD<op>N" with one of the operators given, e.g. {">=", "="}.
std::pair<std::string, double> split_rule(const std::string& option, const std::string& text,
                                          const std::vector<std::string>& ops, const std::string& example) {
    for (const auto& op : ops) {
        const auto pos = text.find(op);
        if (pos == std::string::npos || pos == 0) continue;
        const auto v = parse_number(text.substr(pos + op.size()));
        if (!v) break;
        return {trim(text.substr(0, pos)), *v};
    }
    throw usage(option, text, example);
}

std::string number(double v) {
    char buf[64];
    if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::vector<std::string> split_ids(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string part;
    while (std::getline(in, part, ',')) {
        part = trim(part);
        if (!part.empty()) out.push_back(part);
    }
    return out;
}

struct GroupLimit {
    std::optional<double> min, max;
};

// Throws Error(cancelled) when Ctrl-C was pressed.
void check_cancel(const std::atomic<bool>* cancel) {
    if (cancel && cancel->load(std::memory_order_relaxed)) throw Error(ErrorKind::cancelled, "interrupted");
}

// A rule's number beyond what the solver handles (kMaxSolverMagnitude): CBC aborted on a
// target of 1e308.
bool beyond_solver(double v) { return std::fabs(v) > kMaxSolverMagnitude; }
std::string solver_limit_text() {
    return "the solver handles numbers up to " + number(kMaxSolverMagnitude) + " in magnitude";
}

// CSV with a header line naming group, min, max (any order; empty cells: no limit).
std::map<std::string, GroupLimit> read_group_limits(const std::string& path) {
    std::ifstream in(path);
    ErrorPlace place;
    place.file = path;
    if (!in) throw Error(ErrorKind::input, "cannot open the group limits file", place, "check the path given to --group-limits");
    auto cells = [](const std::string& line) {
        std::vector<std::string> out;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ',')) out.push_back(trim(cell));
        if (!line.empty() && line.back() == ',') out.emplace_back();
        for (auto& c : out) {
            if (c.size() >= 2 && c.front() == '"' && c.back() == '"') c = c.substr(1, c.size() - 2);
        }
        return out;
    };
    std::string line;
    int line_no = 0;
    int col_group = -1, col_min = -1, col_max = -1;
    std::map<std::string, GroupLimit> out;
    while (std::getline(in, line)) {
        ++line_no;
        if (trim(line).empty()) continue;
        const auto c = cells(line);
        if (col_group < 0) {
            for (std::size_t i = 0; i < c.size(); ++i) {
                if (c[i] == "group") col_group = static_cast<int>(i);
                if (c[i] == "min") col_min = static_cast<int>(i);
                if (c[i] == "max") col_max = static_cast<int>(i);
            }
            if (col_group < 0 || (col_min < 0 && col_max < 0)) {
                place.line = line_no;
                throw Error(ErrorKind::input, "the group limits file has no header 'group,min,max'", place,
                            "start the file with the line: group,min,max");
            }
            continue;
        }
        auto cell = [&](int col) { return col >= 0 && static_cast<std::size_t>(col) < c.size() ? c[static_cast<std::size_t>(col)] : std::string(); };
        GroupLimit limit;
        for (const auto& [col, slot] : {std::pair{col_min, &limit.min}, std::pair{col_max, &limit.max}}) {
            const std::string v = cell(col);
            if (v.empty()) continue;
            *slot = parse_number(v);
            if (!*slot) {
                place.line = line_no;
                throw Error(ErrorKind::input, "'" + v + "' is not a number", place, "write a number or leave the cell empty");
            }
            if (beyond_solver(**slot)) {
                place.line = line_no;
                throw Error(ErrorKind::input, "group limit '" + v + "' is too large: " + solver_limit_text(), place,
                            "write a limit between -" + number(kMaxSolverMagnitude) + " and " + number(kMaxSolverMagnitude) +
                                ", or leave the cell empty for no limit");
            }
        }
        const std::string name = cell(col_group);
        if (!out.emplace(name, limit).second) {
            place.line = line_no;
            throw Error(ErrorKind::input, "group '" + name + "' is listed twice", place, "give each group one line");
        }
    }
    return out;
}

// Per candidate the value of a group-by layer's field at its point on surface ("" outside).
std::vector<std::string> groups_from_layer(const geos::Context& ctx, const FeatureLayer& cands, const std::string& spec_text,
                                           const std::string& assume_crs, std::string& display, const std::atomic<bool>* cancel) {
    const auto colon = spec_text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == spec_text.size()) {
        throw usage("--group-by", spec_text, "FILE[:LAYER]:FIELD, e.g. data-samples/netcongestie.gpkg:netcongestie:short_code");
    }
    const std::string field_name = spec_text.substr(colon + 1);
    const SourceSpec spec = parse_source(spec_text.substr(0, colon));
    display = spec.display();
    ReadOptions read;
    read.assume_crs = assume_crs;
    read.control.cancel = cancel;
    const FeatureLayer layer = read_polygon_layer(spec, read);
    const int field = layer.field_index(field_name);
    if (field < 0) {
        throw Error(ErrorKind::input, "the group layer has no field '" + field_name + "'; its fields are: " + layer.field_names(),
                    layer.place(), "name one of these fields after the last ':' of --group-by");
    }
    RTree tree;
    for (std::size_t k = 0; k < layer.features.size(); ++k) {
        const geos::Box b = geos::envelope(ctx, layer.features[k].geom.get());
        tree.insert({BBox(BPoint(b.xmin, b.ymin), BPoint(b.xmax, b.ymax)), static_cast<std::uint32_t>(k)});
    }
    std::vector<std::string> out(cands.features.size());
    for (std::size_t c = 0; c < cands.features.size(); ++c) {
        if (c % 256 == 0) check_cancel(cancel);
        const geos::Geom pt = geos::own(ctx, GEOSPointOnSurface_r(ctx.handle(), cands.features[c].geom.get()), "point on surface");
        double x = 0, y = 0;
        GEOSGeomGetX_r(ctx.handle(), pt.get(), &x);
        GEOSGeomGetY_r(ctx.handle(), pt.get(), &y);
        std::vector<std::pair<BBox, std::uint32_t>> hits;
        tree.query(bgi::intersects(BPoint(x, y)), std::back_inserter(hits));
        std::uint32_t best = UINT32_MAX;  // the first feature in layer order wins
        for (const auto& h : hits) {
            if (h.second < best && GEOSIntersects_r(ctx.handle(), layer.features[h.second].geom.get(), pt.get()) == 1) best = h.second;
        }
        if (best != UINT32_MAX) out[c] = layer.field_as_string(layer.features[best], field);
    }
    return out;
}

// Pairs of candidates whose intersection exceeds max_share of the smaller one's area.
std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> find_overlaps(const geos::Context& ctx, const FeatureLayer& cands,
                                                                            double max_share, const std::atomic<bool>* cancel) {
    const std::size_t n = cands.features.size();
    std::vector<BBox> boxes(n);
    std::vector<double> area_m2(n);
    std::vector<area::Rings> rings(n);  // for the exact area kernel
    RTree tree;
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 256 == 0) check_cancel(cancel);
        const geos::Box b = geos::envelope(ctx, cands.features[i].geom.get());
        boxes[i] = BBox(BPoint(b.xmin, b.ymin), BPoint(b.xmax, b.ymax));
        area_m2[i] = geos::area(ctx, cands.features[i].geom.get());
        rings[i] = area::rings_of(ctx, cands.features[i].geom.get());
        tree.insert({boxes[i], static_cast<std::uint32_t>(i)});
    }
    std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> out;
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 64 == 0) check_cancel(cancel);
        std::vector<std::pair<BBox, std::uint32_t>> hits;
        tree.query(bgi::intersects(boxes[i]), std::back_inserter(hits));
        std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
        for (const auto& h : hits) {
            const std::uint32_t j = h.second;
            if (j <= i) continue;
            const double inter = area::intersection_area(rings[i], rings[j]);
            const double smaller = std::min(area_m2[i], area_m2[j]);
            if (smaller <= 0 || inter <= 0) continue;
            const double share = inter / smaller;
            if (share > max_share) out.emplace_back(static_cast<std::uint32_t>(i), j, share);
        }
    }
    return out;
}

}  // namespace

SelectSummary run_select(const SelectRequest& req) {
    // --time-limit counts from here: reading, overlaps, the model and the solver (the solver
    // gets what is left, less a reserve for writing the output).
    const auto started = req.started.value_or(std::chrono::steady_clock::now());
    const std::string timestamp = run_timestamp(req.timestamp);  // checked before any work
    Stopwatch clock;
    SelectSummary summary;
    auto stage = [&](const std::string& name, std::size_t done, std::size_t total) {
        if (req.progress) req.progress(name, done, total);
    };
    auto cancelled = [&] { check_cancel(req.cancel); };

    // 1. Options, before any file is read.
    if (req.targets.empty() && req.budgets.empty() && req.minimise.empty() && req.weight_field.empty()) {
        throw Error(ErrorKind::usage, "nothing to select for", {}, "give at least one --target FIELD=N");
    }
    if (!req.group_field.empty() && !req.group_by.empty()) {
        throw Error(ErrorKind::usage, "--group and --group-by both given", {}, "group by an attribute or by a layer, not both");
    }
    const bool grouped = !req.group_field.empty() || !req.group_by.empty();
    if (!grouped && (req.max_per_group || req.min_per_group || !req.group_limits.empty() || !req.group_sum.empty())) {
        throw Error(ErrorKind::usage, "group limits given but no groups", {}, "add --group FIELD or --group-by FILE[:LAYER]:FIELD");
    }
    if (grouped && !req.max_per_group && !req.min_per_group && req.group_limits.empty()) {
        throw Error(ErrorKind::usage, "groups given but no limits", {}, "add --max-per-group N, --min-per-group N or --group-limits FILE.csv");
    }
    if (!(req.max_overlap >= 0 && req.max_overlap < 1)) {
        throw Error(ErrorKind::usage, "--max-overlap must lie in [0, 1)", {}, "for example --max-overlap 0.05 (5 % of the smaller area)");
    }
    std::vector<std::pair<std::string, double>> targets, budgets;
    for (const auto& t : req.targets) targets.push_back(split_rule("--target", t, {">=", "="}, "FIELD=N, e.g. --target woningen=100000"));
    for (const auto& b : req.budgets) budgets.push_back(split_rule("--budget", b, {"<="}, "FIELD<=N, e.g. --budget kosten_meu<=5000"));
    // Numbers the solver cannot handle (CBC aborted on --target woningen=1e308): refused here.
    auto within_solver = [](const std::string& option, const std::string& text, double v) {
        if (beyond_solver(v)) {
            throw Error(ErrorKind::usage, option + " '" + text + "' is too large: " + solver_limit_text(), {},
                        "give a number between -" + number(kMaxSolverMagnitude) + " and " + number(kMaxSolverMagnitude) +
                            " (express the field in larger units if need be)");
        }
    };
    for (std::size_t i = 0; i < targets.size(); ++i) within_solver("--target", req.targets[i], targets[i].second);
    for (std::size_t i = 0; i < budgets.size(); ++i) within_solver("--budget", req.budgets[i], budgets[i].second);
    if (req.max_per_group) within_solver("--max-per-group", number(*req.max_per_group), *req.max_per_group);
    if (req.min_per_group) within_solver("--min-per-group", number(*req.min_per_group), *req.min_per_group);
    struct ShareRule {
        std::string text, num, den;
        double ratio;
    };
    std::vector<ShareRule> shares;
    for (const auto& s : req.shares) {
        const auto [fields, ratio] = split_rule("--share", s, {">="}, "A/B>=R, e.g. --share betaalbaar/woningen>=0.667");
        const auto slash = fields.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == fields.size()) {
            throw usage("--share", s, "A/B>=R, e.g. --share betaalbaar/woningen>=0.667");
        }
        within_solver("--share", s, ratio);
        shares.push_back({s, trim(fields.substr(0, slash)), trim(fields.substr(slash + 1)), ratio});
    }
    std::map<std::string, GroupLimit> limits;
    if (!req.group_limits.empty()) limits = read_group_limits(req.group_limits);

    SourceSpec spec = parse_source(req.scored);
    if (spec.layer.empty()) {
        const auto layers = list_layers(spec.path);
        if (std::find(layers.begin(), layers.end(), "candidates_scored") != layers.end()) spec.layer = "candidates_scored";
    }
    std::vector<std::string> inputs = {spec.path};
    if (!req.group_limits.empty()) inputs.push_back(req.group_limits);
    if (!req.group_by.empty()) inputs.push_back(parse_source(req.group_by.substr(0, req.group_by.rfind(':'))).path);
    check_output_path(req.output, req.overwrite, inputs);

    // 2. Read (the disk starts on the scored file meanwhile).
    const FilePrefetch prefetch(files_of_source(spec.display()));
    geos::Context ctx;
    ReadOptions read;
    read.control.cancel = req.cancel;
    read.progress = [&](std::size_t d, std::size_t t) { stage("read", d, t); };
    FeatureLayer cands = read_polygon_layer(spec, read);
    if (cands.features.empty()) {
        throw Error(ErrorKind::input, "the candidate layer has no usable features", cands.place(), "run `ruimte score` first and pass its output");
    }
    const std::size_t n = cands.features.size();
    auto need_field = [&](const std::string& name, const std::string& why) {
        const int f = cands.field_index(name);
        if (f < 0) {
            throw Error(ErrorKind::input, "the candidates have no field '" + name + "' (" + why + "); their fields are: " + cands.field_names(),
                        cands.place(), "pass the output of `ruimte score` (layer candidates_scored) or fix the field name");
        }
        return f;
    };
    const int f_id = need_field(req.id_field, "the candidate id");
    const int f_score = need_field("score", "written by ruimte score");
    const int f_excluded = need_field("excluded", "written by ruimte score");
    std::vector<std::string> ids(n);
    std::map<std::string, std::size_t> by_id;
    for (std::size_t i = 0; i < n; ++i) {
        ids[i] = cands.field_as_string(cands.features[i], f_id);
        if (ids[i].empty()) throw Error(ErrorKind::input, "the candidate has no id", cands.place(cands.features[i].fid), "give every candidate an id");
        if (!by_id.emplace(ids[i], i).second) {
            throw Error(ErrorKind::input, "duplicate candidate id '" + ids[i] + "'", cands.place(cands.features[i].fid), "make the ids unique");
        }
    }
    // The candidates in id order (numeric ids as numbers): every output and tie follows it.
    const bool numeric_ids = cands.defn->GetFieldDefn(f_id)->GetType() == OFTInteger ||
                             cands.defn->GetFieldDefn(f_id)->GetType() == OFTInteger64;
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (numeric_ids) return std::stoll(ids[a]) < std::stoll(ids[b]);
        return ids[a] < ids[b];
    });

    SelectionProblem& p = summary.problem;
    p.ids.resize(n);
    p.objective.assign(n, 0);
    p.available.assign(n, 1);
    p.locked_in.assign(n, 0);
    std::vector<std::string> reason(n);
    std::vector<double> score(n, 0);
    // Candidate k of the problem is order[k] of the layer.
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = order[k];
        p.ids[k] = ids[i];
        const auto s = cands.field_as_double(cands.features[i], f_score);
        score[k] = s.value_or(0);
        const auto e = cands.field_as_double(cands.features[i], f_excluded);
        if (e.value_or(0) != 0) {
            p.available[k] = 0;
            reason[k] = "excluded";
            ++summary.excluded;
        }
    }
    // Values of a numeric field per candidate, in problem order; null only where unavailable.
    auto values_of = [&](const std::string& name, const std::string& option) {
        const int f = need_field(name, "named by " + option);
        std::vector<double> v(n, 0);
        for (std::size_t k = 0; k < n; ++k) {
            const Feature& feat = cands.features[order[k]];
            const auto x = cands.field_as_double(feat, f);
            if (!x && !cands.field_is_null(feat, f)) {
                throw Error(ErrorKind::input, "field '" + name + "' holds '" + cands.field_as_string(feat, f) + "', not a number",
                            cands.place(feat.fid), option + " needs a numeric field");
            }
            if (!x && p.available[k]) {
                throw Error(ErrorKind::input, "field '" + name + "' is empty for candidate " + p.ids[k], cands.place(feat.fid),
                            "fill in the field, or leave the candidate out with --lock-out " + p.ids[k]);
            }
            v[k] = x.value_or(0);
        }
        return v;
    };
    auto lock = [&](const std::string& list, const std::string& option, bool in) {
        for (const auto& id : split_ids(list)) {
            const auto it = by_id.find(id);
            if (it == by_id.end()) {
                throw Error(ErrorKind::usage, option + " names candidate '" + id + "', which is not in the layer", cands.place(),
                            "use the ids of field '" + req.id_field + "'");
            }
            const std::size_t k = static_cast<std::size_t>(std::find(order.begin(), order.end(), it->second) - order.begin());
            if (in) {
                if (!p.available[k]) {
                    throw Error(ErrorKind::usage, "candidate " + id + " is locked in but " + (reason[k].empty() ? "locked out" : reason[k]),
                                cands.place(cands.features[it->second].fid),
                                "an excluded candidate cannot be chosen: remove it from --lock-in (or change the profile)");
                }
                p.locked_in[k] = 1;
                ++summary.locked_in;
            } else {
                if (p.locked_in[k]) {
                    throw Error(ErrorKind::usage, "candidate " + id + " is both locked in and locked out", {}, "name it in one of the two");
                }
                if (p.available[k]) ++summary.locked_out;
                p.available[k] = 0;
                if (reason[k].empty()) reason[k] = "locked out";
            }
        }
    };
    lock(req.lock_out, "--lock-out", false);
    lock(req.lock_in, "--lock-in", true);
    summary.candidates = n;
    for (std::size_t k = 0; k < n; ++k) summary.available += p.available[k] ? 1 : 0;

    // Objective.
    if (!req.minimise.empty()) {
        p.maximise = false;
        p.objective = values_of(req.minimise, "--minimise");
        summary.objective_text = "minimise " + req.minimise;
    } else {
        const std::vector<double> w = values_of(req.weight_field, "--weight-field");
        for (std::size_t k = 0; k < n; ++k) p.objective[k] = score[k] * w[k];
        summary.objective_text = "maximise score x " + req.weight_field;
    }
    // Rules.
    std::vector<std::string> total_fields;  // running totals in the output
    auto remember = [&](const std::string& f) {
        if (std::find(total_fields.begin(), total_fields.end(), f) == total_fields.end()) total_fields.push_back(f);
    };
    auto dense = [](const std::vector<double>& v) {
        Terms t;
        for (std::size_t k = 0; k < v.size(); ++k) {
            if (v[k] != 0) t.emplace_back(static_cast<std::uint32_t>(k), v[k]);
        }
        return t;
    };
    for (const auto& [field, bound] : targets) {
        p.constraints.push_back({ConstraintKind::target, field + " >= " + number(bound), Sense::at_least,
                                 dense(values_of(field, "--target")), bound, {}, {}, 0});
        remember(field);
    }
    for (const auto& [field, bound] : budgets) {
        p.constraints.push_back({ConstraintKind::budget, field + " <= " + number(bound), Sense::at_most,
                                 dense(values_of(field, "--budget")), bound, {}, {}, 0});
        remember(field);
    }
    for (const auto& s : shares) {
        const auto a = values_of(s.num, "--share"), b = values_of(s.den, "--share");
        std::vector<double> lin(n);
        for (std::size_t k = 0; k < n; ++k) lin[k] = a[k] - s.ratio * b[k];
        p.constraints.push_back({ConstraintKind::share, s.num + "/" + s.den + " >= " + number(s.ratio), Sense::at_least, dense(lin), 0.0,
                                 dense(a), dense(b), s.ratio});
        remember(s.num);
        remember(s.den);
    }
    if (req.minimise.empty()) remember(req.weight_field);
    else remember(req.minimise);

    // Groups.
    std::vector<std::string> group(n);
    if (grouped) {
        std::vector<std::string> by_layer_order;
        if (!req.group_field.empty()) {
            const int f = need_field(req.group_field, "named by --group");
            for (std::size_t k = 0; k < n; ++k) group[k] = cands.field_as_string(cands.features[order[k]], f);
        } else {
            stage("groups", 0, 1);
            std::string display;
            by_layer_order = groups_from_layer(ctx, cands, req.group_by, req.assume_crs, display, req.cancel);
            for (std::size_t k = 0; k < n; ++k) group[k] = by_layer_order[order[k]];
            std::size_t outside = 0;
            for (const auto& g : group) outside += g.empty() ? 1 : 0;
            if (outside && req.notice) {
                req.notice(std::to_string(outside) + " candidate(s) lie in no polygon of " + display + ": they belong to no group and no group limit applies to them");
            }
        }
        const std::vector<double> measure = req.group_sum.empty() ? std::vector<double>(n, 1.0) : values_of(req.group_sum, "--group-sum");
        const std::string unit = req.group_sum.empty() ? std::string("candidates") : req.group_sum;
        std::map<std::string, Terms> members;
        for (std::size_t k = 0; k < n; ++k) {
            if (!group[k].empty()) members[group[k]].emplace_back(static_cast<std::uint32_t>(k), measure[k]);
        }
        for (const auto& [name, limit] : limits) {
            if (!members.count(name)) {
                members[name];
                if (req.notice) req.notice("group '" + name + "' of " + req.group_limits + " has no candidates");
            }
        }
        for (const auto& [name, terms] : members) {
            GroupLimit limit{req.min_per_group, req.max_per_group};
            if (const auto it = limits.find(name); it != limits.end()) {
                if (it->second.min) limit.min = it->second.min;
                if (it->second.max) limit.max = it->second.max;
            }
            if (limit.min) {
                p.constraints.push_back({ConstraintKind::group_min, "group " + name + ": at least " + number(*limit.min) + " " + unit,
                                         Sense::at_least, terms, *limit.min, {}, {}, 0});
            }
            if (limit.max) {
                p.constraints.push_back({ConstraintKind::group_max, "group " + name + ": at most " + number(*limit.max) + " " + unit,
                                         Sense::at_most, terms, *limit.max, {}, {}, 0});
            }
        }
    }
    summary.seconds.emplace_back("read", clock.lap());
    cancelled();

    // 3. Overlaps from the geometry.
    stage("overlaps", 0, 1);
    std::vector<std::size_t> position(n);  // layer index -> problem index
    for (std::size_t k = 0; k < n; ++k) position[order[k]] = k;
    std::map<std::pair<std::uint32_t, std::uint32_t>, double> overlap_share;
    for (const auto& [i, j, share] : find_overlaps(ctx, cands, req.max_overlap, req.cancel)) {
        const auto a = static_cast<std::uint32_t>(position[i]), b = static_cast<std::uint32_t>(position[j]);
        overlap_share[{std::min(a, b), std::max(a, b)}] = share;
    }
    for (const auto& [pair, share] : overlap_share) {  // sorted by problem position, i.e. by id
        p.overlaps.push_back(pair);
        summary.overlaps.push_back({p.ids[pair.first], p.ids[pair.second], share});
    }
    summary.seconds.emplace_back("overlaps", clock.lap());
    cancelled();

    // 4. Solve.
    stage("solve", 0, 1);
    SelectionResult& r = summary.result;
    SolveOptions solve = req.solve;
    solve.cancel = req.cancel;
    solve.started = started;
    // Writing comes after the solver: it keeps a share of the limit as large as reading took
    // (writing the same rows costs less), at most a fifth of the limit; and 0.5 s + 5 % of the
    // limit (at most a tenth) are kept for CBC, which stops up to about a second after its
    // deadline on a busy machine (root cut generation does not look at the clock).
    const double read_s = summary.seconds.front().second;
    const double limit = req.solve.time_limit_s;
    solve.time_limit_s = std::max(0.01, limit - std::min(read_s, limit / 5) - std::min(0.5 + 0.05 * limit, 0.1 * limit));
    r = solve_selection(p, solve);
    summary.seconds.emplace_back("solve", clock.lap());
    cancelled();

    // 5. Selection order (score, then id), running totals and reasons.
    std::vector<std::size_t> chosen;
    for (std::size_t k = 0; k < n; ++k) {
        if (!r.selected.empty() && r.selected[k]) chosen.push_back(k);
    }
    std::stable_sort(chosen.begin(), chosen.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
    std::vector<std::int64_t> sel_order(n, 0);
    for (std::size_t o = 0; o < chosen.size(); ++o) {
        sel_order[chosen[o]] = static_cast<std::int64_t>(o + 1);
        summary.selected_ids.push_back(p.ids[chosen[o]]);
    }
    std::vector<std::vector<double>> totals(total_fields.size(), std::vector<double>(n, std::nan("")));
    for (std::size_t t = 0; t < total_fields.size(); ++t) {
        const std::vector<double> v = values_of(total_fields[t], "a rule");
        double run = 0;
        for (std::size_t k : chosen) totals[t][k] = run += v[k];
    }
    std::vector<std::vector<std::uint32_t>> partners(n);
    for (const auto& [a, b] : p.overlaps) {
        partners[a].push_back(b);
        partners[b].push_back(a);
    }
    for (std::size_t k = 0; k < n; ++k) {
        if (!reason[k].empty() || (!r.selected.empty() && r.selected[k])) continue;
        if (r.selected.empty()) {
            reason[k] = "no solution";
            continue;
        }
        for (std::uint32_t j : partners[k]) {
            if (r.selected[j]) {
                reason[k] = "overlaps with selected candidate " + p.ids[j];
                break;
            }
        }
        if (reason[k].empty()) reason[k] = "not needed";
    }

    // 6. Write.
    stage("write", 0, 1);
    RunOutput out(req.output, req.overwrite, inputs, timestamp);
    {
        GDALDataset* ds = &out.dataset();
        cancelled();
        OGRLayer* layer = create_layer(*ds, req.output, "candidates_selected", wkbMultiPolygon,
                                       "Candidate areas with the selection made by ruimte " + std::string(version) + " (" +
                                           summary.objective_text + ")");
        cancelled();
        OGRLayer* table = create_layer(*ds, req.output, "selection_summary", wkbNone,
                                       "Objective, status, gap and every rule's value, bound and slack");
        cancelled();
        std::set<std::string> taken;
        auto upper = [](std::string s) {
            for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            return s;
        };
        for (int i = 0; i < cands.defn->GetFieldCount(); ++i) {
            OGRFieldDefn def(cands.defn->GetFieldDefn(i));
            if (layer->CreateField(&def) != OGRERR_NONE) {
                throw Error(ErrorKind::output, "cannot copy input field '" + std::string(def.GetNameRef()) + "'",
                            ErrorPlace{req.output, "candidates_selected", {}, "", {}});
            }
            taken.insert(upper(def.GetNameRef()));
        }
        auto computed = [&](const std::string& name, OGRFieldType type, OGRFieldSubType sub = OFSTNone) {
            if (!taken.insert(upper(name)).second) {
                throw Error(ErrorKind::input, "the candidates have a field '" + name + "', which ruimte select writes itself", cands.place(),
                            "rename that field in the input");
            }
            add_field(*layer, req.output, name, type, sub);
            return layer->GetLayerDefn()->GetFieldCount() - 1;
        };
        const int f_sel = computed("selected", OFTInteger, OFSTBoolean);
        const int f_group = computed("group", OFTString);
        const int f_order = computed("selection_order", OFTInteger64);
        std::vector<int> f_total;
        for (const auto& t : total_fields) f_total.push_back(computed("total_" + column_part(t), OFTReal));
        const int f_reason = computed("reason", OFTString);

        for (const auto& [name, type] : {std::pair{"item", OFTString}, std::pair{"kind", OFTString}, std::pair{"value", OFTReal},
                                         std::pair{"bound", OFTReal}, std::pair{"slack", OFTReal}, std::pair{"note", OFTString}}) {
            add_field(*table, req.output, name, type);
        }
        begin_transaction(*ds, req.output);
        // What select adds to row k, into a sink with integer(), real() and text() by field.
        auto selection_values = [&](auto& sink, std::size_t k) {
            if (k % 256 == 0) cancelled();
            const bool sel = !r.selected.empty() && r.selected[k];
            sink.integer(f_sel, sel ? 1 : 0);
            if (!group[k].empty()) sink.text(f_group, group[k]);
            if (sel) {
                sink.integer(f_order, sel_order[k]);
                for (std::size_t t = 0; t < total_fields.size(); ++t) sink.real(f_total[t], totals[t][k]);
            } else {
                sink.text(f_reason, reason[k]);
            }
        };
        write_copied_rows(*ds, *layer, req.output, cands, n, [&](std::size_t k) { return order[k]; }, selection_values);
        auto row = [&](const std::string& item, const std::string& kind, std::optional<double> value, std::optional<double> bound,
                       std::optional<double> slack, const std::string& note) {
            OGRFeature feat(table->GetLayerDefn());
            feat.SetField(0, item.c_str());
            feat.SetField(1, kind.c_str());
            if (value) feat.SetField(2, *value);
            if (bound) feat.SetField(3, *bound);
            if (slack) feat.SetField(4, *slack);
            if (!note.empty()) feat.SetField(5, note.c_str());
            write_feature(*table, req.output, feat);
        };
        const bool solved = !r.selected.empty();
        row("status", "result", std::nullopt, std::nullopt, std::nullopt, to_string(r.status));
        row("objective", "result", solved ? std::optional(r.objective) : std::nullopt, std::nullopt, std::nullopt, summary.objective_text);
        row("gap", "result", solved ? std::optional(r.gap) : std::nullopt, std::nullopt, std::nullopt,
            "relative distance between the objective and the solver's bound");
        row("best_bound", "result", solved ? std::optional(r.best_bound) : std::nullopt, std::nullopt, std::nullopt, "");
        row("parts", "result", static_cast<double>(r.parts), std::nullopt, std::nullopt,
            r.parts ? "solved as independent parts (joined by group limits and overlaps)" : "solved as one model");
        row("greedy_objective", "result", r.greedy_feasible ? std::optional(r.greedy_objective) : std::nullopt, std::nullopt, std::nullopt,
            r.greedy_feasible ? "greedy start solution (feasible)" : "the greedy heuristic found no feasible selection");
        row("selected", "count", static_cast<double>(chosen.size()), std::nullopt, std::nullopt, "");
        row("available", "count", static_cast<double>(summary.available), static_cast<double>(n), std::nullopt,
            "candidates neither excluded nor locked out");
        row("overlapping_pairs", "count", static_cast<double>(p.overlaps.size()), req.max_overlap, std::nullopt,
            "pairs overlapping more than the bound (share of the smaller area)");
        for (std::size_t c = 0; c < p.constraints.size(); ++c) {
            const auto& con = p.constraints[c];
            if (solved) {
                row(con.name, to_string(con.kind), r.values[c].value, r.values[c].bound, r.values[c].slack, "");
            } else {
                row(con.name, to_string(con.kind), std::nullopt, con.kind == ConstraintKind::share ? con.ratio : con.bound, std::nullopt, "");
            }
        }
        for (const auto& s : r.diagnosis) {
            row(s.rule, std::string("cannot_meet_") + to_string(s.kind), s.best, s.bound, std::nullopt, s.text);
        }
        commit_transaction(*ds, req.output);
        out.start_writeback();
        out.stamp(req.command_line);
        out.metadata("RUIMTE_INPUT_SCORED", spec.display());
        out.close(timestamp, basic_manifest("select", req.command_line, timestamp, inputs));
    }
    cancelled();  // Ctrl-C while writing: nothing is committed
    out.commit();
    summary.seconds.emplace_back("write", clock.lap());
    summary.output = req.output;
    return summary;
}

}  // namespace ruimte
