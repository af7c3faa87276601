#include "spatial/jobs/select.hpp"
#include "spatial/jobs/select_robust.hpp"

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

#include "ruimte/version.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/core/stopwatch.hpp"
#include "spatial/criteria/scoring.hpp"
#include "spatial/geometry/area_kernel.hpp"
#include "spatial/io/source.hpp"
#include "spatial/output/atomic_output.hpp"
#include "spatial/output/gpkg_rows.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/manifest.hpp"
#include "spatial/output/run_output.hpp"
#include "spatial/output/schema.hpp"
#include "spatial/output/styles.hpp"

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
    // A fraction as people write a share: "2/3".
    if (const auto slash = s.find('/'); slash != std::string::npos && scale == 1) {
        const auto num = parse_number(s.substr(0, slash)), den = parse_number(s.substr(slash + 1));
        if (!num || !den || *den == 0 || s.find('%') != std::string::npos) return std::nullopt;
        return *num / *den;
    }
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v * scale;
}

Error usage(const std::string& option, const std::string& value, const std::string& example) {
    // Unquoted, a rule with < or > is a shell redirection: the value arrives cut short (and a
    // stray file appears), so the fix shows the quoted form.
    const bool quoted = example.find('\'') != std::string::npos;
    return Error(
        ErrorKind::usage, option + " '" + value + "' is not understood", {},
        "write it as " + example + (quoted ? " (in quotes: unquoted, the shell takes < and > as redirections)" : ""));
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
bool beyond_solver(double v) {
    return std::fabs(v) > kMaxSolverMagnitude;
}
std::string solver_limit_text() {
    return "the solver handles numbers up to " + number(kMaxSolverMagnitude) + " in magnitude";
}

// CSV with a header line naming group, min, max (any order; empty cells: no limit).
std::map<std::string, GroupLimit> read_group_limits(const std::string& path) {
    std::ifstream in(path);
    ErrorPlace place;
    place.file = path;
    if (!in)
        throw Error(ErrorKind::input, "cannot open the group limits file", place,
                    "check the path given to --group-limits");
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
        auto cell = [&](int col) {
            return col >= 0 && static_cast<std::size_t>(col) < c.size() ? c[static_cast<std::size_t>(col)]
                                                                        : std::string();
        };
        GroupLimit limit;
        for (const auto& [col, slot] : {std::pair{col_min, &limit.min}, std::pair{col_max, &limit.max}}) {
            const std::string v = cell(col);
            if (v.empty()) continue;
            *slot = parse_number(v);
            if (!*slot) {
                place.line = line_no;
                throw Error(ErrorKind::input, "'" + v + "' is not a number", place,
                            "write a number or leave the cell empty");
            }
            if (beyond_solver(**slot)) {
                place.line = line_no;
                throw Error(ErrorKind::input, "group limit '" + v + "' is too large: " + solver_limit_text(), place,
                            "write a limit between -" + number(kMaxSolverMagnitude) + " and " +
                                number(kMaxSolverMagnitude) + ", or leave the cell empty for no limit");
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
std::vector<std::string> groups_from_layer(const geos::Context& ctx, const FeatureLayer& cands,
                                           const std::string& spec_text, const std::string& assume_crs,
                                           std::string& display, const std::atomic<bool>* cancel) {
    const auto colon = spec_text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == spec_text.size()) {
        throw usage("--group-by", spec_text,
                    "FILE[:LAYER]:FIELD, e.g. data-samples/netcongestie.gpkg:netcongestie:short_code");
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
        throw Error(ErrorKind::input,
                    "the group layer has no field '" + field_name + "'; its fields are: " + layer.field_names(),
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
        const geos::Geom pt =
            geos::own(ctx, GEOSPointOnSurface_r(ctx.handle(), cands.features[c].geom.get()), "point on surface");
        double x = 0, y = 0;
        GEOSGeomGetX_r(ctx.handle(), pt.get(), &x);
        GEOSGeomGetY_r(ctx.handle(), pt.get(), &y);
        std::vector<std::pair<BBox, std::uint32_t>> hits;
        tree.query(bgi::intersects(BPoint(x, y)), std::back_inserter(hits));
        std::uint32_t best = UINT32_MAX;  // the first feature in layer order wins
        for (const auto& h : hits) {
            if (h.second < best && GEOSIntersects_r(ctx.handle(), layer.features[h.second].geom.get(), pt.get()) == 1)
                best = h.second;
        }
        if (best != UINT32_MAX) out[c] = layer.field_as_string(layer.features[best], field);
    }
    return out;
}

// Pairs of candidates whose intersection exceeds max_share of the smaller one's area.
std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> find_overlaps(const geos::Context& ctx,
                                                                            const FeatureLayer& cands, double max_share,
                                                                            const std::atomic<bool>* cancel) {
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

using Stage = std::function<void(const std::string&, std::size_t, std::size_t)>;

struct ShareRule {
    std::string text, num, den;
    double ratio;
};

// What the request asks, checked before any file is read.
struct SelectPlan {
    bool grouped = false;
    std::vector<std::pair<std::string, double>> targets, budgets;
    std::vector<ShareRule> shares;
    std::map<std::string, GroupLimit> limits;
    SourceSpec spec;
    std::vector<std::string> inputs;
};

void check_select_options(const SelectRequest& req) {
    if (req.targets.empty() && req.budgets.empty() && req.minimise.empty() && req.weight_field.empty()) {
        throw Error(ErrorKind::usage, "nothing to select for", {}, "give at least one --target FIELD=N");
    }
    if (!req.group_field.empty() && !req.group_by.empty()) {
        throw Error(ErrorKind::usage, "--group and --group-by both given", {},
                    "group by an attribute or by a layer, not both");
    }
    const bool grouped = !req.group_field.empty() || !req.group_by.empty();
    if (!grouped && (req.max_per_group || req.min_per_group || !req.group_limits.empty() || !req.group_sum.empty())) {
        throw Error(ErrorKind::usage, "group limits given but no groups", {},
                    "add --group FIELD or --group-by FILE[:LAYER]:FIELD");
    }
    if (grouped && !req.max_per_group && !req.min_per_group && req.group_limits.empty()) {
        throw Error(ErrorKind::usage, "groups given but no limits", {},
                    "add --max-per-group N, --min-per-group N or --group-limits FILE.csv");
    }
    if (req.objective_mode != "fill" && req.objective_mode != "reach") {
        throw Error(ErrorKind::usage, "--objective '" + req.objective_mode + "' is not known", {},
                    "write fill (maximise score x weight field) or reach (reach the targets, then stop)");
    }
    if (req.objective_mode == "reach" && (req.targets.empty() || !req.minimise.empty())) {
        throw Error(
            ErrorKind::usage,
            req.targets.empty() ? "--objective reach needs a --target" : "--objective reach and --minimise both given",
            {},
            "reach the target with the fewest over it: --objective reach --target woningen=30000; least cost: "
            "--minimise kosten_meu --target woningen=30000 (optionally --min-average-score S)");
    }
    if (req.min_average_score && !(*req.min_average_score >= 0 && *req.min_average_score <= 1)) {
        throw Error(ErrorKind::usage, "--min-average-score must lie between 0 and 1 (scores do)", {},
                    "e.g. --min-average-score 0.6");
    }
    check_robust_options(req);
    if (!(req.max_overlap >= 0 && req.max_overlap < 1)) {
        throw Error(ErrorKind::usage, "--max-overlap must lie in [0, 1)", {},
                    "for example --max-overlap 0.05 (5 % of the smaller area)");
    }
}

// Numbers the solver cannot handle (CBC aborted on --target woningen=1e308) are refused.
void within_solver(const std::string& option, const std::string& text, double v) {
    if (beyond_solver(v)) {
        throw Error(ErrorKind::usage, option + " '" + text + "' is too large: " + solver_limit_text(), {},
                    "give a number between -" + number(kMaxSolverMagnitude) + " and " + number(kMaxSolverMagnitude) +
                        " (express the field in larger units if need be)");
    }
}

SelectPlan plan_select(const SelectRequest& req) {
    check_select_options(req);
    SelectPlan plan;
    plan.grouped = !req.group_field.empty() || !req.group_by.empty();
    for (const auto& t : req.targets)
        plan.targets.push_back(split_rule("--target", t, {">=", "="}, "FIELD=N, e.g. --target woningen=100000"));
    for (const auto& b : req.budgets)
        plan.budgets.push_back(split_rule("--budget", b, {"<="}, "'FIELD<=N', e.g. --budget 'kosten_meu<=5000'"));
    for (std::size_t i = 0; i < plan.targets.size(); ++i)
        within_solver("--target", req.targets[i], plan.targets[i].second);
    for (std::size_t i = 0; i < plan.budgets.size(); ++i)
        within_solver("--budget", req.budgets[i], plan.budgets[i].second);
    if (req.max_per_group) within_solver("--max-per-group", number(*req.max_per_group), *req.max_per_group);
    if (req.min_per_group) within_solver("--min-per-group", number(*req.min_per_group), *req.min_per_group);
    for (const auto& s : req.shares) {
        const auto [fields, ratio] =
            split_rule("--share", s, {">="},
                       "'A/B>=R', e.g. --share 'betaalbaar/woningen>=0.667' or --share 'betaalbaar/woningen>=2/3'");
        const auto slash = fields.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == fields.size()) {
            throw usage("--share", s,
                        "'A/B>=R', e.g. --share 'betaalbaar/woningen>=0.667' or --share 'betaalbaar/woningen>=2/3'");
        }
        within_solver("--share", s, ratio);
        plan.shares.push_back({s, trim(fields.substr(0, slash)), trim(fields.substr(slash + 1)), ratio});
    }
    if (!req.group_limits.empty()) plan.limits = read_group_limits(req.group_limits);

    plan.spec = parse_source(req.scored);
    if (plan.spec.layer.empty()) {
        const auto layers = list_layers(plan.spec.path);
        if (std::find(layers.begin(), layers.end(), schema::kCandidatesScored) != layers.end())
            plan.spec.layer = schema::kCandidatesScored;
    }
    plan.inputs = {plan.spec.path};
    if (!req.group_limits.empty()) plan.inputs.push_back(req.group_limits);
    if (!req.group_by.empty())
        plan.inputs.push_back(parse_source(req.group_by.substr(0, req.group_by.rfind(':'))).path);
    check_output_path(req.output, req.overwrite, plan.inputs);
    return plan;
}

// The scored candidates, in id order (numeric ids as numbers): candidate k of the problem is
// order[k] of the layer, and every output and tie follows that order.
struct Candidates {
    FeatureLayer layer;
    std::size_t n = 0;
    std::vector<std::string> ids;  // layer order
    std::map<std::string, std::size_t> by_id;
    std::vector<std::size_t> order;
    std::string id_field;

    int need_field(const std::string& name, const std::string& why) const {
        const int f = layer.field_index(name);
        if (f < 0) {
            throw Error(
                ErrorKind::input,
                "the candidates have no field '" + name + "' (" + why + "); their fields are: " + layer.field_names(),
                layer.place(), "pass the output of `ruimte score` (layer candidates_scored) or fix the field name");
        }
        return f;
    }
    // Values of a numeric field per candidate, in problem order; null only where unavailable.
    std::vector<double> values_of(const std::string& name, const std::string& option, const SelectionProblem& p) const {
        const int f = need_field(name, "named by " + option);
        std::vector<double> v(n, 0);
        for (std::size_t k = 0; k < n; ++k) {
            const Feature& feat = layer.features[order[k]];
            const auto x = layer.field_as_double(feat, f);
            if (!x && !layer.field_is_null(feat, f)) {
                throw Error(ErrorKind::input,
                            "field '" + name + "' holds '" + layer.field_as_string(feat, f) + "', not a number",
                            layer.place(feat.fid), option + " needs a numeric field");
            }
            if (!x && p.available[k]) {
                throw Error(ErrorKind::input, "field '" + name + "' is empty for candidate " + p.ids[k],
                            layer.place(feat.fid),
                            "fill in the field, or leave the candidate out with --lock-out " + p.ids[k]);
            }
            v[k] = x.value_or(0);
        }
        return v;
    }
};

Candidates read_candidates(const SelectRequest& req, const SourceSpec& spec, const Stage& stage) {
    const FilePrefetch prefetch(files_of_source(spec.display()));  // the disk starts on the file meanwhile
    ReadOptions read;
    read.control.cancel = req.cancel;
    read.progress = [&](std::size_t d, std::size_t t) { stage("read", d, t); };
    Candidates c;
    c.layer = read_polygon_layer(spec, read);
    c.id_field = req.id_field;
    if (c.layer.features.empty()) {
        throw Error(ErrorKind::input, "the candidate layer has no usable features", c.layer.place(),
                    "run `ruimte score` first and pass its output");
    }
    c.n = c.layer.features.size();
    const int f_id = c.need_field(req.id_field, "the candidate id");
    c.need_field(schema::scored::kScore, "written by ruimte score");  // checked before the ids, as always
    c.need_field("excluded", "written by ruimte score");
    c.ids.resize(c.n);
    for (std::size_t i = 0; i < c.n; ++i) {
        c.ids[i] = c.layer.field_as_string(c.layer.features[i], f_id);
        if (c.ids[i].empty())
            throw Error(ErrorKind::input, "the candidate has no id", c.layer.place(c.layer.features[i].fid),
                        "give every candidate an id");
        if (!c.by_id.emplace(c.ids[i], i).second) {
            throw Error(ErrorKind::input, "duplicate candidate id '" + c.ids[i] + "'",
                        c.layer.place(c.layer.features[i].fid), "make the ids unique");
        }
    }
    const bool numeric_ids = c.layer.defn->GetFieldDefn(f_id)->GetType() == OFTInteger ||
                             c.layer.defn->GetFieldDefn(f_id)->GetType() == OFTInteger64;
    c.order.resize(c.n);
    for (std::size_t i = 0; i < c.n; ++i) c.order[i] = i;
    std::sort(c.order.begin(), c.order.end(), [&](std::size_t a, std::size_t b) {
        if (numeric_ids) return std::stoll(c.ids[a]) < std::stoll(c.ids[b]);
        return c.ids[a] < c.ids[b];
    });
    return c;
}

// The problem's candidates: ids, availability (excluded by score), score, and the reason a
// candidate cannot be chosen.
void set_candidates(const Candidates& c, SelectionProblem& p, std::vector<double>& score,
                    std::vector<std::string>& reason, SelectSummary& summary) {
    const int f_score = c.need_field(schema::scored::kScore, "written by ruimte score");
    const int f_excluded = c.need_field("excluded", "written by ruimte score");
    p.ids.resize(c.n);
    p.objective.assign(c.n, 0);
    p.available.assign(c.n, 1);
    p.locked_in.assign(c.n, 0);
    reason.assign(c.n, "");
    score.assign(c.n, 0);
    for (std::size_t k = 0; k < c.n; ++k) {
        const std::size_t i = c.order[k];
        p.ids[k] = c.ids[i];
        score[k] = c.layer.field_as_double(c.layer.features[i], f_score).value_or(0);
        if (c.layer.field_as_double(c.layer.features[i], f_excluded).value_or(0) != 0) {
            p.available[k] = 0;
            reason[k] = "excluded";
            ++summary.excluded;
        }
    }
}

// --lock-in (in) or --lock-out: the named candidates forced into or out of the selection.
void lock(const Candidates& c, const std::string& list, const std::string& option, bool in, SelectionProblem& p,
          std::vector<std::string>& reason, SelectSummary& summary) {
    for (const auto& id : split_ids(list)) {
        const auto it = c.by_id.find(id);
        if (it == c.by_id.end()) {
            throw Error(ErrorKind::usage, option + " names candidate '" + id + "', which is not in the layer",
                        c.layer.place(), "use the ids of field '" + c.id_field + "'");
        }
        const std::size_t k =
            static_cast<std::size_t>(std::find(c.order.begin(), c.order.end(), it->second) - c.order.begin());
        if (in) {
            if (!p.available[k]) {
                throw Error(ErrorKind::usage,
                            "candidate " + id + " is locked in but " + (reason[k].empty() ? "locked out" : reason[k]),
                            c.layer.place(c.layer.features[it->second].fid),
                            "an excluded candidate cannot be chosen: remove it from --lock-in (or change the profile)");
            }
            p.locked_in[k] = 1;
            ++summary.locked_in;
        } else {
            if (p.locked_in[k]) {
                throw Error(ErrorKind::usage, "candidate " + id + " is both locked in and locked out", {},
                            "name it in one of the two");
            }
            if (p.available[k]) ++summary.locked_out;
            p.available[k] = 0;
            if (reason[k].empty()) reason[k] = "locked out";
        }
    }
}

Terms dense(const std::vector<double>& v) {
    Terms t;
    for (std::size_t k = 0; k < v.size(); ++k) {
        if (v[k] != 0) t.emplace_back(static_cast<std::uint32_t>(k), v[k]);
    }
    return t;
}

// The objective and the target, budget and share rules; returns the fields whose running
// totals the output shows.
std::vector<std::string> set_objective_and_rules(const SelectRequest& req, const SelectPlan& plan, const Candidates& c,
                                                 const std::vector<double>& score, SelectionProblem& p,
                                                 SelectSummary& summary) {
    if (!req.minimise.empty()) {
        p.maximise = false;
        p.objective = c.values_of(req.minimise, "--minimise", p);
        summary.objective_text = "minimise " + req.minimise;
    } else if (req.objective_mode == "reach") {
        // Reach the target, then stop: the least of the first target's field (the fewest homes
        // over the target); of equal totals the higher sum(score x field), by a tie-breaking
        // term too small to trade one unit of the field (which counts in whole units).
        const std::string& field = plan.targets.front().first;
        const std::vector<double> t = c.values_of(field, "--target", p);
        double scale = 0;
        for (std::size_t k = 0; k < c.n; ++k) scale += p.available[k] ? std::fabs(score[k] * t[k]) : 0.0;
        const double eps = 0.5 / std::max(1.0, scale);
        p.maximise = false;
        for (std::size_t k = 0; k < c.n; ++k) p.objective[k] = t[k] - eps * score[k] * t[k];
        summary.objective_text = "reach the target with the least " + field + " over it (ties: higher score)";
    } else {
        const std::vector<double> w = c.values_of(req.weight_field, "--weight-field", p);
        for (std::size_t k = 0; k < c.n; ++k) p.objective[k] = score[k] * w[k];
        summary.objective_text = "maximise score x " + req.weight_field;
    }
    std::vector<std::string> total_fields;
    auto remember = [&](const std::string& f) {
        if (std::find(total_fields.begin(), total_fields.end(), f) == total_fields.end()) total_fields.push_back(f);
    };
    for (const auto& [field, bound] : plan.targets) {
        p.constraints.push_back({ConstraintKind::target,
                                 field + " >= " + number(bound),
                                 Sense::at_least,
                                 dense(c.values_of(field, "--target", p)),
                                 bound,
                                 {},
                                 {},
                                 0});
        remember(field);
    }
    for (const auto& [field, bound] : plan.budgets) {
        p.constraints.push_back({ConstraintKind::budget,
                                 field + " <= " + number(bound),
                                 Sense::at_most,
                                 dense(c.values_of(field, "--budget", p)),
                                 bound,
                                 {},
                                 {},
                                 0});
        remember(field);
    }
    for (const auto& s : plan.shares) {
        const auto a = c.values_of(s.num, "--share", p), b = c.values_of(s.den, "--share", p);
        std::vector<double> lin(c.n);
        for (std::size_t k = 0; k < c.n; ++k) lin[k] = a[k] - s.ratio * b[k];
        p.constraints.push_back({ConstraintKind::share, s.num + "/" + s.den + " >= " + number(s.ratio), Sense::at_least,
                                 dense(lin), 0.0, dense(a), dense(b), s.ratio});
        remember(s.num);
        remember(s.den);
    }
    if (req.min_average_score) {
        // The average score weighted by the weight field: sum(score W) >= S sum(W), a share rule.
        const double ratio = *req.min_average_score;
        const std::vector<double> w = c.values_of(req.weight_field, "--min-average-score", p);
        std::vector<double> num(c.n), lin(c.n);
        for (std::size_t k = 0; k < c.n; ++k) {
            num[k] = score[k] * w[k];
            lin[k] = num[k] - ratio * w[k];
        }
        p.constraints.push_back({ConstraintKind::share,
                                 "average score (by " + req.weight_field + ") >= " + number(ratio), Sense::at_least,
                                 dense(lin), 0.0, dense(num), dense(w), ratio});
    }
    if (req.minimise.empty()) remember(req.weight_field);
    else remember(req.minimise);
    return total_fields;
}

// The group of every candidate (problem order; empty: none), from a field or from a layer.
std::vector<std::string> candidate_groups(const geos::Context& ctx, const SelectRequest& req, const Candidates& c,
                                          const Stage& stage) {
    std::vector<std::string> group(c.n);
    if (!req.group_field.empty()) {
        const int f = c.need_field(req.group_field, "named by --group");
        for (std::size_t k = 0; k < c.n; ++k) group[k] = c.layer.field_as_string(c.layer.features[c.order[k]], f);
        return group;
    }
    stage("groups", 0, 1);
    std::string display;
    const std::vector<std::string> by_layer_order =
        groups_from_layer(ctx, c.layer, req.group_by, req.assume_crs, display, req.cancel);
    for (std::size_t k = 0; k < c.n; ++k) group[k] = by_layer_order[c.order[k]];
    std::size_t outside = 0;
    for (const auto& g : group) outside += g.empty() ? 1 : 0;
    if (outside && req.notice) {
        req.notice(std::to_string(outside) + " candidate(s) lie in no polygon of " + display +
                   ": they belong to no group and no group limit applies to them");
    }
    return group;
}

// The group rules: per group, at least and at most (candidates, or --group-sum).
void add_group_rules(const SelectRequest& req, const SelectPlan& plan, const Candidates& c,
                     const std::vector<std::string>& group, SelectionProblem& p) {
    const std::vector<double> measure =
        req.group_sum.empty() ? std::vector<double>(c.n, 1.0) : c.values_of(req.group_sum, "--group-sum", p);
    const std::string unit = req.group_sum.empty() ? std::string("candidates") : req.group_sum;
    std::map<std::string, Terms> members;
    for (std::size_t k = 0; k < c.n; ++k) {
        if (!group[k].empty()) members[group[k]].emplace_back(static_cast<std::uint32_t>(k), measure[k]);
    }
    for (const auto& [name, limit] : plan.limits) {
        if (!members.count(name)) {
            members[name];
            if (req.notice) req.notice("group '" + name + "' of " + req.group_limits + " has no candidates");
        }
    }
    for (const auto& [name, terms] : members) {
        GroupLimit limit{req.min_per_group, req.max_per_group};
        if (const auto it = plan.limits.find(name); it != plan.limits.end()) {
            if (it->second.min) limit.min = it->second.min;
            if (it->second.max) limit.max = it->second.max;
        }
        if (limit.min) {
            p.constraints.push_back({ConstraintKind::group_min,
                                     "group " + name + ": at least " + number(*limit.min) + " " + unit,
                                     Sense::at_least,
                                     terms,
                                     *limit.min,
                                     {},
                                     {},
                                     0});
        }
        if (limit.max) {
            p.constraints.push_back({ConstraintKind::group_max,
                                     "group " + name + ": at most " + number(*limit.max) + " " + unit,
                                     Sense::at_most,
                                     terms,
                                     *limit.max,
                                     {},
                                     {},
                                     0});
        }
    }
}

// The pairs of candidates that overlap more than --max-overlap, by problem position.
void add_overlaps(const geos::Context& ctx, const SelectRequest& req, const Candidates& c, SelectionProblem& p,
                  SelectSummary& summary) {
    std::vector<std::size_t> position(c.n);  // layer index -> problem index
    for (std::size_t k = 0; k < c.n; ++k) position[c.order[k]] = k;
    std::map<std::pair<std::uint32_t, std::uint32_t>, double> overlap_share;
    for (const auto& [i, j, share] : find_overlaps(ctx, c.layer, req.max_overlap, req.cancel)) {
        const auto a = static_cast<std::uint32_t>(position[i]), b = static_cast<std::uint32_t>(position[j]);
        overlap_share[{std::min(a, b), std::max(a, b)}] = share;
    }
    for (const auto& [pair, share] : overlap_share) {  // sorted by problem position, i.e. by id
        p.overlaps.push_back(pair);
        summary.overlaps.push_back({p.ids[pair.first], p.ids[pair.second], share});
    }
}

// Solves within what is left of --time-limit. Writing comes after the solver: it keeps a
// share of the limit as large as reading took (writing the same rows costs less), at most a
// fifth of the limit; and 0.5 s + 5 % of the limit (at most a tenth) are kept for CBC, which
// stops up to about a second after its deadline on a busy machine (root cut generation does
// not look at the clock).
std::chrono::steady_clock::time_point solver_deadline(const SelectRequest& req, double read_s,
                                                      std::chrono::steady_clock::time_point started) {
    const double limit = req.solve.time_limit_s;
    const double s = std::max(0.01, limit - std::min(read_s, limit / 5) - std::min(0.5 + 0.05 * limit, 0.1 * limit));
    return started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

// `fraction`: the share of the solver's time for this one solve (the weight draws, weight sets
// and portfolio share the rest).
SelectionResult solve_within_limit(const SelectRequest& req, const SelectionProblem& p, double read_s,
                                   std::chrono::steady_clock::time_point started, double fraction) {
    SolveOptions solve = req.solve;
    solve.cancel = req.cancel;
    const auto now = std::chrono::steady_clock::now();
    solve.started = now;
    solve.time_limit_s =
        std::max(0.01, fraction * std::chrono::duration<double>(solver_deadline(req, read_s, started) - now).count());
    return solve_selection(p, solve);
}

// The weight-independent part of the scores, for the draws and weight sets.
RobustInput robust_input(const SelectRequest& req, const Candidates& c, const SelectionProblem& p,
                         const std::vector<double>& score) {
    RobustInput in;
    std::vector<std::string> names;
    for (int i = 0; i < c.layer.defn->GetFieldCount(); ++i)
        names.emplace_back(c.layer.defn->GetFieldDefn(i)->GetNameRef());
    in.score = score;
    if (req.draws == 0 && req.weight_sets.empty()) return in;
    in.factors = factor_columns(names);
    for (const auto& f : in.factors) {
        in.value.push_back(c.values_of(schema::scored::factor_value(f), "--draws and --weight-sets", p));
        in.contrib.push_back(c.values_of(schema::scored::factor_contrib(f), "--draws and --weight-sets", p));
    }
    in.weight = c.values_of(req.weight_field, "--weight-field", p);
    return in;
}

// The selection in order (score, then id), the running totals of the rule fields, and for
// every candidate not chosen the reason.
struct SelectionOrder {
    std::vector<std::size_t> chosen;
    std::vector<std::int64_t> rank;           // 1-based selection order, 0: not chosen
    std::vector<std::vector<double>> totals;  // per total field, per candidate
};

SelectionOrder order_selection(const Candidates& c, const SelectionProblem& p, const SelectionResult& r,
                               const std::vector<double>& score, const std::vector<std::string>& total_fields,
                               std::vector<std::string>& reason, SelectSummary& summary) {
    SelectionOrder o;
    for (std::size_t k = 0; k < c.n; ++k) {
        if (!r.selected.empty() && r.selected[k]) o.chosen.push_back(k);
    }
    std::stable_sort(o.chosen.begin(), o.chosen.end(),
                     [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
    o.rank.assign(c.n, 0);
    const int name_field = c.layer.field_index("naam");  // names beside ids for people
    for (std::size_t i = 0; i < o.chosen.size(); ++i) {
        o.rank[o.chosen[i]] = static_cast<std::int64_t>(i + 1);
        summary.selected_ids.push_back(p.ids[o.chosen[i]]);
        const Feature& f = c.layer.features[o.chosen[i]];
        summary.selected_names.push_back(name_field >= 0 && !c.layer.field_is_null(f, name_field)
                                             ? c.layer.field_as_string(f, name_field)
                                             : std::string());
    }
    o.totals.assign(total_fields.size(), std::vector<double>(c.n, std::nan("")));
    for (std::size_t t = 0; t < total_fields.size(); ++t) {
        const std::vector<double> v = c.values_of(total_fields[t], "a rule", p);
        double run = 0;
        for (std::size_t k : o.chosen) o.totals[t][k] = run += v[k];
    }
    std::vector<std::vector<std::uint32_t>> partners(c.n);
    for (const auto& [a, b] : p.overlaps) {
        partners[a].push_back(b);
        partners[b].push_back(a);
    }
    for (std::size_t k = 0; k < c.n; ++k) {
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
    return o;
}

// The layer candidates_selected: the input's fields, then selected, group, selection order,
// running totals and reason, each added only when the input has no field of that name.
struct SelectedFields {
    int selected, group, order, reason;
    std::vector<int> totals;
};

SelectedFields add_selected_fields(OGRLayer& layer, const SelectRequest& req, const Candidates& c,
                                   const std::vector<std::string>& total_fields) {
    std::set<std::string> taken;
    auto upper = [](std::string s) {
        for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        return s;
    };
    for (int i = 0; i < c.layer.defn->GetFieldCount(); ++i) {
        OGRFieldDefn def(c.layer.defn->GetFieldDefn(i));
        if (layer.CreateField(&def) != OGRERR_NONE) {
            throw Error(ErrorKind::output, "cannot copy input field '" + std::string(def.GetNameRef()) + "'",
                        ErrorPlace::at(req.output, schema::kCandidatesSelected));
        }
        taken.insert(upper(def.GetNameRef()));
    }
    auto computed = [&](const std::string& name, OGRFieldType type, OGRFieldSubType sub = OFSTNone) {
        if (!taken.insert(upper(name)).second) {
            throw Error(ErrorKind::input,
                        "the candidates have a field '" + name + "', which ruimte select writes itself",
                        c.layer.place(), "rename that field in the input");
        }
        add_field(layer, req.output, name, type, sub);
        return layer.GetLayerDefn()->GetFieldCount() - 1;
    };
    SelectedFields f{};
    f.selected = computed(schema::selected::kSelected, OFTInteger, OFSTBoolean);
    f.group = computed("group", OFTString);
    f.order = computed("selection_order", OFTInteger64);
    for (const auto& t : total_fields) f.totals.push_back(computed("total_" + column_part(t), OFTReal));
    f.reason = computed("reason", OFTString);
    return f;
}

// The table selection_summary: status, objective, gap, counts, every rule's value, bound and
// slack, and what the diagnosis of an infeasible problem found.
void write_selection_summary(OGRLayer& table, const SelectRequest& req, const SelectionProblem& p,
                             const SelectionResult& r, const SelectSummary& summary, std::size_t chosen,
                             std::size_t n) {
    auto row = [&](const std::string& item, const std::string& kind, std::optional<double> value,
                   std::optional<double> bound, std::optional<double> slack, const std::string& note) {
        OGRFeature feat(table.GetLayerDefn());
        feat.SetField(0, item.c_str());
        feat.SetField(1, kind.c_str());
        if (value) feat.SetField(2, *value);
        if (bound) feat.SetField(3, *bound);
        if (slack) feat.SetField(4, *slack);
        if (!note.empty()) feat.SetField(5, note.c_str());
        write_feature(table, req.output, feat);
    };
    const bool solved = !r.selected.empty();
    row("status", "result", std::nullopt, std::nullopt, std::nullopt, to_string(r.status));
    row("objective", "result", solved ? std::optional(r.objective) : std::nullopt, std::nullopt, std::nullopt,
        summary.objective_text);
    row("gap", "result", solved ? std::optional(r.gap) : std::nullopt, std::nullopt, std::nullopt,
        "relative distance between the objective and the solver's bound");
    row("best_bound", "result", solved ? std::optional(r.best_bound) : std::nullopt, std::nullopt, std::nullopt, "");
    row("parts", "result", static_cast<double>(r.parts), std::nullopt, std::nullopt,
        r.parts ? "solved as independent parts (joined by group limits and overlaps)" : "solved as one model");
    row("greedy_objective", "result", r.greedy_feasible ? std::optional(r.greedy_objective) : std::nullopt,
        std::nullopt, std::nullopt,
        r.greedy_feasible ? "greedy start solution (feasible)" : "the greedy heuristic found no feasible selection");
    row("selected", "count", static_cast<double>(chosen), std::nullopt, std::nullopt, "");
    row("available", "count", static_cast<double>(summary.available), static_cast<double>(n), std::nullopt,
        "candidates neither excluded nor locked out");
    row("overlapping_pairs", "count", static_cast<double>(p.overlaps.size()), req.max_overlap, std::nullopt,
        "pairs overlapping more than the bound (share of the smaller area)");
    for (std::size_t c = 0; c < p.constraints.size(); ++c) {
        const auto& con = p.constraints[c];
        if (solved) {
            row(con.name, to_string(con.kind), r.values[c].value, r.values[c].bound, r.values[c].slack, "");
        } else {
            row(con.name, to_string(con.kind), std::nullopt, con.kind == ConstraintKind::share ? con.ratio : con.bound,
                std::nullopt, "");
        }
    }
    for (const auto& s : r.diagnosis) {
        row(s.rule, std::string("cannot_meet_") + to_string(s.kind), s.best, s.bound, std::nullopt, s.text);
    }
}

}  // namespace

SelectSummary run_select(const SelectRequest& req) {
    // --time-limit counts from here: reading, overlaps, the model and the solver (the solver
    // gets what is left, less a reserve for writing the output).
    const auto started = req.started.value_or(std::chrono::steady_clock::now());
    const std::string timestamp = run_timestamp(req.timestamp);  // checked before any work
    Stopwatch clock;
    SelectSummary summary;
    const Stage stage = [&](const std::string& name, std::size_t done, std::size_t total) {
        if (req.progress) req.progress(name, done, total);
    };
    auto cancelled = [&] { check_cancel(req.cancel); };

    // 1. Options, before any file is read; 2. the candidates and the rules.
    const SelectPlan plan = plan_select(req);
    geos::Context ctx;
    const Candidates c = read_candidates(req, plan.spec, stage);
    const std::size_t n = c.n;
    SelectionProblem& p = summary.problem;
    std::vector<std::string> reason;
    std::vector<double> score;
    set_candidates(c, p, score, reason, summary);
    lock(c, req.lock_out, "--lock-out", false, p, reason, summary);
    lock(c, req.lock_in, "--lock-in", true, p, reason, summary);
    summary.candidates = n;
    for (std::size_t k = 0; k < n; ++k) summary.available += p.available[k] ? 1 : 0;
    const std::vector<std::string> total_fields = set_objective_and_rules(req, plan, c, score, p, summary);
    std::vector<std::string> group(n);
    if (plan.grouped) {
        group = candidate_groups(ctx, req, c, stage);
        add_group_rules(req, plan, c, group, p);
    }
    summary.seconds.emplace_back("read", clock.lap());
    cancelled();

    // 3. Overlaps from the geometry; 4. solve.
    stage("overlaps", 0, 1);
    add_overlaps(ctx, req, c, p, summary);
    summary.seconds.emplace_back("overlaps", clock.lap());
    cancelled();
    stage("solve", 0, 1);
    SelectionResult& r = summary.result;
    const bool robust = robust_requested(req);
    // Robust runs: the base solve (candidates_selected) gets the share of one draw of the
    // solver's time, but at least a fifth.
    const double units = static_cast<double>(req.draws + req.portfolio) + (req.weight_sets.empty() ? 0.0 : 5.0);
    r = solve_within_limit(req, p, summary.seconds.front().second, started,
                           robust ? std::max(0.2, 1.0 / (1.0 + units)) : 1.0);
    summary.seconds.emplace_back("solve", clock.lap());
    cancelled();
    if (robust) {
        stage("draws", 0, 1);
        summary.robust = analyse_robust(req, p, robust_input(req, c, p, score),
                                        solver_deadline(req, summary.seconds.front().second, started));
        summary.seconds.emplace_back("robust", clock.lap());
        cancelled();
    }

    // 5. Selection order (score, then id), running totals and reasons; 6. write.
    const SelectionOrder sel = order_selection(c, p, r, score, total_fields, reason, summary);
    stage("write", 0, 1);
    RunOutput out(req.output, req.overwrite, plan.inputs, timestamp);
    {
        GDALDataset* ds = &out.dataset();
        cancelled();
        OGRLayer* layer = create_layer(*ds, req.output, schema::kCandidatesSelected, wkbMultiPolygon,
                                       "Candidate areas with the selection made by ruimte " + std::string(version) +
                                           " (" + summary.objective_text + ")");
        cancelled();
        OGRLayer* table = create_layer(*ds, req.output, schema::kSelectionSummary, wkbNone,
                                       "Objective, status, gap and every rule's value, bound and slack");
        cancelled();
        const SelectedFields f = add_selected_fields(*layer, req, c, total_fields);
        for (const auto& [name, type] :
             {std::pair{"item", OFTString}, std::pair{"kind", OFTString}, std::pair{"value", OFTReal},
              std::pair{"bound", OFTReal}, std::pair{"slack", OFTReal}, std::pair{"note", OFTString}}) {
            add_field(*table, req.output, name, type);
        }
        begin_transaction(*ds, req.output);
        // What select adds to row k, into a sink with integer(), real() and text() by field.
        auto selection_values = [&](auto& sink, std::size_t k) {
            if (k % 256 == 0) cancelled();
            const bool chosen = !r.selected.empty() && r.selected[k];
            sink.integer(f.selected, chosen ? 1 : 0);
            if (!group[k].empty()) sink.text(f.group, group[k]);
            if (chosen) {
                sink.integer(f.order, sel.rank[k]);
                for (std::size_t t = 0; t < total_fields.size(); ++t) sink.real(f.totals[t], sel.totals[t][k]);
            } else {
                sink.text(f.reason, reason[k]);
            }
        };
        write_copied_rows(
            *ds, *layer, req.output, c.layer, n, [&](std::size_t k) { return c.order[k]; }, selection_values);
        write_selection_summary(*table, req, p, r, summary, sel.chosen.size(), n);
        if (robust) write_robust(*ds, req, p, summary.robust, c.layer, c.order);
        commit_transaction(*ds, req.output);
        out.start_writeback();
        out.stamp(req.command_line);
        out.metadata("RUIMTE_INPUT_SCORED", plan.spec.display());
        out.close(timestamp, basic_manifest("select", req.command_line, timestamp, plan.inputs));
    }
    cancelled();  // Ctrl-C while writing: nothing is committed
    out.commit();
    summary.seconds.emplace_back("write", clock.lap());
    summary.output = req.output;
    return summary;
}

}  // namespace ruimte
