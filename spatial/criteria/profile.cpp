#include "spatial/criteria/profile.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "layers/catalogue.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/toml_limits.hpp"

namespace fs = std::filesystem;

namespace ruimte {

std::string to_string(CompareOp op) {
    switch (op) {
        case CompareOp::gt: return ">";
        case CompareOp::ge: return ">=";
        case CompareOp::lt: return "<";
        case CompareOp::le: return "<=";
        case CompareOp::eq: return "==";
        case CompareOp::ne: return "!=";
    }
    return "?";
}

bool compare(double lhs, CompareOp op, double rhs) {
    switch (op) {
        case CompareOp::gt: return lhs > rhs;
        case CompareOp::ge: return lhs >= rhs;
        case CompareOp::lt: return lhs < rhs;
        case CompareOp::le: return lhs <= rhs;
        case CompareOp::eq: return lhs == rhs;
        case CompareOp::ne: return lhs != rhs;
    }
    return false;
}

const LayerSpec* Profile::layer(const std::string& layer_name) const {
    for (const auto& l : layers) {
        if (l.name == layer_name) return &l;
    }
    return nullptr;
}

namespace {

// Reads one profile; every error carries the file, line and dotted key.
class Reader {
  public:
    explicit Reader(std::string path) : path_(std::move(path)) {}

    [[noreturn]] void fail(const std::string& key, int line, const std::string& message,
                           const std::string& hint = {}) const {
        const ErrorPlace place = ErrorPlace::in_config(path_, key, line);
        // Every profile error says what to do; a specific hint where the caller has one.
        throw Error(ErrorKind::profile, message, place,
                    hint.empty() ? "correct " + (key.empty() ? std::string("the profile") : "'" + key + "'") +
                                       " (the format is in docs/criteria.md)"
                                 : hint);
    }

    static int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

    static std::size_t edit_distance(const std::string& a, const std::string& b) {
        std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
        for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            cur[0] = i;
            for (std::size_t j = 1; j <= b.size(); ++j) {
                cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
            }
            std::swap(prev, cur);
        }
        return prev[b.size()];
    }

    void check_keys(const toml::table& t, const std::string& where, std::initializer_list<const char*> allowed) const {
        for (auto&& [k, v] : t) {
            const std::string key(k.str());
            if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }) !=
                allowed.end()) {
                continue;
            }
            std::string best;
            std::size_t best_d = 99;
            std::string all;
            for (const char* a : allowed) {
                all += (all.empty() ? "" : ", ") + std::string(a);
                const std::size_t d = edit_distance(key, a);
                if (d < best_d) {
                    best_d = d;
                    best = a;
                }
            }
            fail(where.empty() ? key : where + "." + key, line_of(v), "unknown key '" + key + "'",
                 best_d <= 2 ? "did you mean '" + best + "'? Allowed here: " + all : "allowed here: " + all);
        }
    }

    std::optional<std::string> string(const toml::table& t, const std::string& where, const char* key,
                                      bool required) const {
        const toml::node* n = t.get(key);
        if (!n) {
            if (required) fail(where + "." + key, line_of(t), "missing required key '" + std::string(key) + "'");
            return std::nullopt;
        }
        if (!n->is_string()) fail(where + "." + key, line_of(*n), "must be a string, not " + type_name(*n));
        return std::string(*n->as_string());
    }

    std::optional<double> number(const toml::table& t, const std::string& where, const char* key, bool required) const {
        const toml::node* n = t.get(key);
        if (!n) {
            if (required) fail(where + "." + key, line_of(t), "missing required key '" + std::string(key) + "'");
            return std::nullopt;
        }
        double v = 0;
        if (n->is_integer()) v = static_cast<double>(n->as_integer()->get());
        else if (n->is_floating_point()) v = n->as_floating_point()->get();
        else fail(where + "." + key, line_of(*n), "must be a number, not " + type_name(*n));
        if (std::isnan(v) || std::isinf(v))
            fail(where + "." + key, line_of(*n), "must be a finite number, not " + std::to_string(v));
        return v;
    }

    static std::string type_name(const toml::node& n) {
        switch (n.type()) {
            case toml::node_type::string: return "a string";
            case toml::node_type::integer: return "an integer";
            case toml::node_type::floating_point: return "a number";
            case toml::node_type::boolean: return "a boolean";
            case toml::node_type::array: return "an array";
            case toml::node_type::table: return "a table";
            default: return "a date or time";
        }
    }

    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

CompareOp parse_op(const Reader& r, const std::string& s, const std::string& key, int line) {
    if (s == ">") return CompareOp::gt;
    if (s == ">=") return CompareOp::ge;
    if (s == "<") return CompareOp::lt;
    if (s == "<=") return CompareOp::le;
    if (s == "==") return CompareOp::eq;
    if (s == "!=") return CompareOp::ne;
    r.fail(key, line, "unknown comparison '" + s + "'", "use one of >, >=, <, <=, ==, !=");
}

// [weights] method = "ahp": the factors' weights from a pairwise comparison matrix.
void apply_ahp(const Reader& r, const toml::node& node, Profile& p) {
    if (!node.is_table()) r.fail("weights", Reader::line_of(node), "must be a table ([weights])");
    const toml::table& t = *node.as_table();
    r.check_keys(t, "weights", {"method", "factors", "matrix"});
    const std::string method = *r.string(t, "weights", "method", true);
    if (method != "ahp")
        r.fail("weights.method", Reader::line_of(*t.get("method")), "unknown method '" + method + "'", "use \"ahp\"");
    const toml::node* names = t.get("factors");
    const toml::node* rows = t.get("matrix");
    if (!names || !names->is_array())
        r.fail("weights.factors", Reader::line_of(names ? *names : node), "must be an array of factor names");
    if (!rows || !rows->is_array())
        r.fail("weights.matrix", Reader::line_of(rows ? *rows : node), "must be an array of rows");
    std::vector<std::size_t> order;  // matrix position -> p.factors position
    for (const toml::node& n : *names->as_array()) {
        const auto it = std::find_if(p.factors.begin(), p.factors.end(),
                                     [&](const Factor& f) { return n.is_string() && f.name == *n.as_string(); });
        if (it == p.factors.end())
            r.fail("weights.factors", Reader::line_of(n),
                   "not a factor of this profile: " +
                       (n.is_string() ? n.as_string()->get() : std::string("(not a string)")),
                   "name each [[factors]] once, by its name");
        const auto pos = static_cast<std::size_t>(it - p.factors.begin());
        if (std::find(order.begin(), order.end(), pos) != order.end())
            r.fail("weights.factors", Reader::line_of(n), "factor '" + it->name + "' listed twice");
        order.push_back(pos);
    }
    for (const auto& f : p.factors) {
        if (std::none_of(order.begin(), order.end(), [&](std::size_t i) { return p.factors[i].name == f.name; })) {
            r.fail("weights.factors", Reader::line_of(*names), "factor '" + f.name + "' is missing",
                   "list every factor once");
        }
    }
    std::vector<std::vector<double>> a;
    std::vector<std::vector<int>> lines;
    for (const toml::node& row : *rows->as_array()) {
        if (!row.is_array()) r.fail("weights.matrix", Reader::line_of(row), "each row must be an array");
        a.emplace_back();
        lines.emplace_back();
        for (const toml::node& e : *row.as_array()) {
            const std::string key =
                "weights.matrix[" + std::to_string(a.size()) + "][" + std::to_string(a.back().size() + 1) + "]";
            std::optional<double> x;
            if (e.is_integer()) x = static_cast<double>(e.as_integer()->get());
            else if (e.is_floating_point()) x = e.as_floating_point()->get();
            else if (e.is_string()) x = parse_judgement(std::string(*e.as_string()));
            if (!x)
                r.fail(key, Reader::line_of(e), "not a judgement",
                       "write a number or a fraction in quotes, e.g. 3 or \"1/3\"");
            a.back().push_back(*x);
            lines.back().push_back(Reader::line_of(e));
        }
    }
    if (a.size() != order.size()) {
        r.fail("weights.matrix", Reader::line_of(*rows),
               "the matrix has " + std::to_string(a.size()) + " rows for " + std::to_string(order.size()) + " factors",
               "one row and one column per name in weights.factors, in that order");
    }
    if (const auto bad = check_pairwise(a)) {
        const bool has = bad->row < a.size() && bad->col < a[bad->row].size();
        r.fail("weights.matrix[" + std::to_string(bad->row + 1) + "][" + std::to_string(bad->col + 1) + "]",
               has ? lines[bad->row][bad->col] : Reader::line_of(*rows), bad->message, bad->hint);
    }
    try {
        p.ahp = ahp_weights(a);
    } catch (const Error& e) { r.fail("weights.factors", Reader::line_of(*names), e.message(), e.hint()); }
    for (std::size_t i = 0; i < order.size(); ++i) {
        Factor& f = p.factors[order[i]];
        if (f.weight_given > 0)
            p.warnings.push_back("factor '" + f.name + "': weight = " + std::to_string(f.weight_given) +
                                 " is ignored; [weights] gives the weights");
        f.weight = f.weight_given = p.ahp->weights[i];
    }
    if (p.ahp->cr > ahp_cr_limit) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "[weights] (line %d): AHP consistency ratio CR = %.3f is above %.1f",
                      Reader::line_of(node), p.ahp->cr, ahp_cr_limit);
        p.warnings.push_back(std::string(buf) +
                             "; the judgements contradict each other, revisit the matrix (docs/weights.md)");
    }
}

}  // namespace

MetricName parse_metric(const std::string& metric, const Profile& profile, int line, const std::string& key) {
    auto fail = [&](const std::string& msg, const std::string& hint) {
        throw Error(ErrorKind::profile, "metric '" + metric + "': " + msg,
                    ErrorPlace::in_config(profile.path, key, line), hint);
    };
    const std::string hint_all =
        "metrics are area_ha, attr.FIELD, LAYER.share.CLASS, LAYER.area_m2.CLASS, "
        "LAYER.covered_share, LAYER.uncovered_share, LAYER.covered_m2, LAYER.distance_m";
    MetricName m;
    if (metric == "area_ha") return m;
    if (metric.rfind("attr.", 0) == 0 && metric.size() > 5) {
        m.kind = MetricName::Kind::attribute;
        m.attribute = metric.substr(5);
        return m;
    }
    const auto dot = metric.find('.');
    if (dot == std::string::npos) fail("not a metric name", hint_all);
    m.layer = metric.substr(0, dot);
    const LayerSpec* layer = profile.layer(m.layer);
    if (!layer) {
        std::string names;
        for (const auto& l : profile.layers) names += (names.empty() ? "" : ", ") + l.name;
        fail("no layer '" + m.layer + "' in [layers]", "declare it or use one of: " + names);
    }
    const std::string rest = metric.substr(dot + 1);
    auto with_class = [&](MetricName::Kind kind, const std::string& prefix) {
        m.kind = kind;
        m.klass = rest.substr(prefix.size());
        if (m.klass.empty()) fail("no class after '" + prefix + "'", hint_all);
        if (!layer->classes.empty() &&
            std::find(layer->classes.begin(), layer->classes.end(), m.klass) == layer->classes.end()) {
            std::string names;
            for (const auto& c : layer->classes) names += (names.empty() ? "" : ", ") + c;
            fail("layer '" + m.layer + "' has no class '" + m.klass + "'", "use one of: " + names);
        }
    };
    if (rest.rfind("share.", 0) == 0) with_class(MetricName::Kind::share, "share.");
    else if (rest.rfind("area_m2.", 0) == 0) with_class(MetricName::Kind::area_m2, "area_m2.");
    else if (rest == "covered_share") m.kind = MetricName::Kind::covered_share;
    else if (rest == "uncovered_share") m.kind = MetricName::Kind::uncovered_share;
    else if (rest == "covered_m2") m.kind = MetricName::Kind::covered_m2;
    else if (rest == "distance_m") {
        if (layer->kind != LayerKind::presence) fail("distance_m exists only for presence layers", hint_all);
        m.kind = MetricName::Kind::distance_m;
    } else {
        fail("unknown metric for layer '" + m.layer + "'", hint_all);
    }
    return m;
}

namespace {
std::string fixed_weight(double w) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", w);
    return buf;
}
}  // namespace

Profile parse_profile(const std::string& text, const std::string& path, const SourceOverrides& overrides) {
    Reader r(path);
    toml::table root;
    check_toml_limits(text, path, ErrorKind::profile, "the profile");
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        r.fail("", static_cast<int>(e.source().begin.line), "not valid TOML: " + std::string(e.description()),
               "see docs/criteria.md for the format");
    }
    Profile p;
    p.path = path;
    p.text = text;
    const std::string base_dir = fs::path(path).parent_path().string();

    r.check_keys(root, "", {"profile", "layers", "exclusions", "factors", "weights"});
    if (const toml::node* n = root.get("profile")) {
        if (!n->is_table()) r.fail("profile", Reader::line_of(*n), "must be a table ([profile])");
        const toml::table& t = *n->as_table();
        r.check_keys(t, "profile", {"name", "description", "aggregation", "id_field"});
        p.name = r.string(t, "profile", "name", false).value_or(fs::path(path).stem().string());
        p.description = r.string(t, "profile", "description", false).value_or("");
        p.id_field = r.string(t, "profile", "id_field", false).value_or("");
        const std::string agg = r.string(t, "profile", "aggregation", false).value_or("weighted_sum");
        if (agg == "weighted_sum") p.aggregation = Aggregation::weighted_sum;
        else if (agg == "minimum") p.aggregation = Aggregation::minimum;
        else
            r.fail("profile.aggregation", Reader::line_of(*t.get("aggregation")), "unknown aggregation '" + agg + "'",
                   "use weighted_sum or minimum");
    } else {
        p.name = fs::path(path).stem().string();
    }

    // [layers.NAME]
    const toml::node* layers = root.get("layers");
    if (!layers || !layers->is_table() || layers->as_table()->empty()) {
        r.fail("layers", layers ? Reader::line_of(*layers) : 0, "the profile declares no layers",
               "add at least one [layers.NAME] table with source and type");
    }
    for (auto&& [k, v] : *layers->as_table()) {
        const std::string where = "layers." + std::string(k.str());
        if (!v.is_table()) r.fail(where, Reader::line_of(v), "must be a table");
        const toml::table& t = *v.as_table();
        r.check_keys(t, where, {"source", "type", "class_field", "name_field", "classes", "catalogue"});
        LayerSpec l;
        l.name = std::string(k.str());
        l.line = Reader::line_of(v);
        if (l.name.find('.') != std::string::npos || l.name.empty()) {
            r.fail(where, l.line, "a layer name must not contain a dot");
        }
        const auto override = overrides.find(l.name);
        const std::string source = override != overrides.end() ? override->second : *r.string(t, where, "source", true);
        try {
            l.source = override != overrides.end() ? parse_source(source) : parse_source(source, base_dir);
        } catch (const Error& e) {
            r.fail(where + ".source", Reader::line_of(*t.get("source")),
                   "source '" + source + "' not found (" + e.place().file + ")",
                   "paths are relative to the profile's folder; write FILE or FILE:LAYER");
        }
        const std::string type = r.string(t, where, "type", false).value_or("classes");
        if (type == "classes") {
            l.kind = LayerKind::classes;
            l.field = *r.string(t, where, "class_field", true);
            if (t.get("name_field"))
                r.fail(where + ".name_field", Reader::line_of(*t.get("name_field")),
                       "name_field belongs to presence layers", "use class_field");
        } else if (type == "presence") {
            l.kind = LayerKind::presence;
            l.field = r.string(t, where, "name_field", false).value_or("naam");
            if (t.get("class_field"))
                r.fail(where + ".class_field", Reader::line_of(*t.get("class_field")),
                       "class_field belongs to class layers", "use name_field");
        } else {
            r.fail(where + ".type", Reader::line_of(*t.get("type")), "unknown layer type '" + type + "'",
                   "use classes or presence");
        }
        if (const toml::node* c = t.get("classes")) {
            if (!c->is_array()) r.fail(where + ".classes", Reader::line_of(*c), "must be an array of strings");
            std::set<std::string> seen;
            for (const toml::node& e : *c->as_array()) {
                if (!e.is_string()) r.fail(where + ".classes", Reader::line_of(e), "must be an array of strings");
                const std::string s(*e.as_string());
                if (!seen.insert(s).second)
                    r.fail(where + ".classes", Reader::line_of(e), "class '" + s + "' listed twice");
                l.classes.push_back(s);
            }
        }
        if (const auto cat = r.string(t, where, "catalogue", false)) {
            const layers::LayerKindInfo* kind = layers::find_kind(*cat);
            std::string kinds, codes;
            for (const auto& known : layers::catalogue()) kinds += (kinds.empty() ? "" : ", ") + known.kind;
            if (!kind)
                r.fail(where + ".catalogue", Reader::line_of(*t.get("catalogue")),
                       "no layer kind '" + *cat + "' in the catalogue", "use one of: " + kinds);
            if (l.kind != LayerKind::classes)
                r.fail(where + ".catalogue", Reader::line_of(*t.get("catalogue")), "catalogue belongs to class layers");
            for (const auto& c : kind->classes) codes += (codes.empty() ? "" : ", ") + c.code;
            for (const auto& c : l.classes) {
                if (std::none_of(kind->classes.begin(), kind->classes.end(),
                                 [&](const layers::ClassInfo& ci) { return ci.code == c; })) {
                    r.fail(where + ".classes", Reader::line_of(*t.get("classes")),
                           "'" + c + "' is not a " + *cat + " class", "use the catalogue's codes: " + codes);
                }
            }
            if (l.classes.empty()) {
                for (const auto& c : kind->classes) l.classes.push_back(c.code);
            }
            l.catalogue = *cat;
        }
        p.layers.push_back(std::move(l));
    }

    for (const auto& [name, source] : overrides) {
        if (!p.layer(name)) {
            std::string names;
            for (const auto& l : p.layers) names += (names.empty() ? "" : ", ") + l.name;
            throw Error(ErrorKind::usage, "--layer " + name + "=...: the profile has no layer '" + name + "'", {},
                        "use one of: " + names);
        }
    }
    // toml++ keeps tables sorted by key; the profile's own order is the order people wrote.
    std::stable_sort(p.layers.begin(), p.layers.end(),
                     [](const LayerSpec& a, const LayerSpec& b) { return a.line < b.line; });

    // [[exclusions]]
    if (const toml::node* ex = root.get("exclusions")) {
        if (!ex->is_array_of_tables())
            r.fail("exclusions", Reader::line_of(*ex), "must be an array of tables ([[exclusions]])");
        std::size_t i = 0;
        for (const toml::node& v : *ex->as_array()) {
            const std::string where = "exclusions[" + std::to_string(++i) + "]";
            const toml::table& t = *v.as_table();
            r.check_keys(t, where, {"metric", "op", "value", "reason"});
            Exclusion e;
            e.line = Reader::line_of(v);
            e.metric = *r.string(t, where, "metric", true);
            parse_metric(e.metric, p, Reader::line_of(*t.get("metric")), where + ".metric");
            const std::string op = r.string(t, where, "op", false).value_or(">");
            e.op = parse_op(r, op, where + ".op", e.line);
            e.value = *r.number(t, where, "value", true);
            e.reason = r.string(t, where, "reason", false).value_or("");
            p.exclusions.push_back(std::move(e));
        }
    }

    // [[factors]]
    const toml::node* fs_node = root.get("factors");
    if (!fs_node) r.fail("factors", 0, "the profile declares no factors", "add at least one [[factors]] table");
    if (!fs_node->is_array_of_tables())
        r.fail("factors", Reader::line_of(*fs_node), "must be an array of tables ([[factors]])");
    std::set<std::string> names;
    std::size_t i = 0;
    for (const toml::node& v : *fs_node->as_array()) {
        const std::string where = "factors[" + std::to_string(++i) + "]";
        const toml::table& t = *v.as_table();
        Factor f;
        f.line = Reader::line_of(v);
        f.name = *r.string(t, where, "name", true);
        if (f.name.empty() || f.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
            r.fail(where + ".name", f.line, "factor name '" + f.name + "' must be lower-case letters, digits and _",
                   "it becomes a column name");
        }
        if (!names.insert(f.name).second) r.fail(where + ".name", f.line, "factor '" + f.name + "' declared twice");
        const toml::node* w = t.get("weight");
        if (!w && !root.get("weights")) r.fail(where + ".weight", f.line, "missing required key 'weight'");
        if (w && w->is_floating_point() && std::isnan(w->as_floating_point()->get())) {
            r.fail(where + ".weight", Reader::line_of(*w), "weight is NaN", "give a number >= 0");
        }
        f.weight_given = r.number(t, where, "weight", false).value_or(0.0);
        if (f.weight_given < 0)
            r.fail(where + ".weight", Reader::line_of(*w), "weight is negative", "give a number >= 0");
        const std::string kind = *r.string(t, where, "kind", true);
        auto layer_ref = [&](LayerKind expected) {
            f.layer = *r.string(t, where, "layer", true);
            const LayerSpec* l = p.layer(f.layer);
            if (!l)
                r.fail(where + ".layer", Reader::line_of(*t.get("layer")), "no layer '" + f.layer + "' in [layers]",
                       "declare [layers." + f.layer + "] or fix the name");
            if (l->kind != expected) {
                r.fail(where + ".layer", Reader::line_of(*t.get("layer")),
                       "layer '" + f.layer + "' is a " + (l->kind == LayerKind::classes ? "classes" : "presence") +
                           " layer; factor kind '" + kind + "' needs a " +
                           (expected == LayerKind::classes ? "classes" : "presence") + " layer");
            }
            return l;
        };
        auto unit = [&](const char* key, double x, int line) {
            if (x < 0 || x > 1)
                r.fail(where + "." + key, line, "value " + std::to_string(x) + " is outside 0..1",
                       "standardised values lie in 0..1");
        };
        if (kind == "classes") {
            f.kind = FactorKind::classes;
            r.check_keys(t, where, {"name", "weight", "kind", "layer", "values", "uncovered"});
            const LayerSpec* l = layer_ref(LayerKind::classes);
            const toml::node* vals = t.get("values");
            if (!vals || !vals->is_table())
                r.fail(where + ".values", f.line, "missing table 'values' (class = value in 0..1)");
            for (auto&& [ck, cv] : *vals->as_table()) {
                const std::string cls(ck.str());
                double x = 0;
                if (cv.is_integer()) x = static_cast<double>(cv.as_integer()->get());
                else if (cv.is_floating_point()) x = cv.as_floating_point()->get();
                else r.fail(where + ".values." + cls, Reader::line_of(cv), "must be a number in 0..1");
                unit(("values." + cls).c_str(), x, Reader::line_of(cv));
                if (!l->classes.empty() && std::find(l->classes.begin(), l->classes.end(), cls) == l->classes.end()) {
                    r.fail(where + ".values." + cls, Reader::line_of(cv),
                           "layer '" + l->name + "' has no class '" + cls + "'");
                }
                f.values[cls] = x;
            }
            for (const auto& c : l->classes) {
                if (!f.values.count(c))
                    r.fail(where + ".values", Reader::line_of(*vals), "no value for class '" + c + "'",
                           "give every class of layer '" + l->name + "' a value");
            }
            f.uncovered = r.number(t, where, "uncovered", false).value_or(0.0);
            unit("uncovered", f.uncovered, f.line);
        } else if (kind == "linear") {
            f.kind = FactorKind::linear;
            r.check_keys(t, where, {"name", "weight", "kind", "metric", "lower", "upper", "direction"});
            f.metric = *r.string(t, where, "metric", true);
            parse_metric(f.metric, p, Reader::line_of(*t.get("metric")), where + ".metric");
            f.lower = *r.number(t, where, "lower", true);
            f.upper = *r.number(t, where, "upper", true);
            if (!(f.upper > f.lower)) r.fail(where + ".upper", f.line, "upper must be greater than lower");
            const std::string dir = r.string(t, where, "direction", false).value_or("rising");
            if (dir == "rising") f.direction = Direction::rising;
            else if (dir == "falling") f.direction = Direction::falling;
            else r.fail(where + ".direction", f.line, "unknown direction '" + dir + "'", "use rising or falling");
        } else if (kind == "distance_decay") {
            f.kind = FactorKind::distance_decay;
            r.check_keys(t, where, {"name", "weight", "kind", "layer", "distance_m", "shape"});
            layer_ref(LayerKind::presence);
            f.distance_m = *r.number(t, where, "distance_m", true);
            if (!(f.distance_m > 0)) r.fail(where + ".distance_m", f.line, "distance_m must be > 0");
            const std::string shape = r.string(t, where, "shape", false).value_or("linear");
            if (shape == "linear") f.shape = DecayShape::linear;
            else if (shape == "exponential") f.shape = DecayShape::exponential;
            else r.fail(where + ".shape", f.line, "unknown shape '" + shape + "'", "use linear or exponential");
        } else {
            r.fail(where + ".kind", Reader::line_of(*t.get("kind")), "unknown factor kind '" + kind + "'",
                   "use classes, linear or distance_decay");
        }
        p.factors.push_back(std::move(f));
    }
    if (const toml::node* w = root.get("weights")) {
        apply_ahp(r, *w, p);
        return p;
    }
    double total = 0;
    for (const auto& f : p.factors) total += f.weight_given;
    if (!(total > 0))
        r.fail("factors", Reader::line_of(*fs_node), "all weights are zero", "give at least one factor a weight > 0");
    if (!std::isfinite(total)) {
        // Two weights of 1e308 overflowed to inf, and every normalised weight became 0.
        r.fail("factors", Reader::line_of(*fs_node), "the weights are too large: their sum is not a finite number",
               "give weights between 0 and 1 that sum to 1");
    }
    for (auto& f : p.factors) f.weight = f.weight_given / total;
    if (std::fabs(total - 1.0) > 1e-6) {
        // Normalising is documented, but 'weight = 35' meant as 0.35 gives one factor most of the
        // model without a word: say what the sum was and what the weights became.
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6g", total);
        std::string w;
        for (const auto& f : p.factors) w += (w.empty() ? "" : ", ") + f.name + " " + fixed_weight(f.weight);
        p.warnings.push_back(std::string("the factor weights sum to ") + buf + ", not 1; they were normalised to " + w);
    }
    return p;
}

Profile load_profile(const std::string& path, const SourceOverrides& overrides) {
    std::string text;
    if (!read_toml_file(path, ErrorKind::profile, "the profile", text)) {
        throw Error(ErrorKind::profile, "cannot read the profile", ErrorPlace::at(path),
                    "check the path given to --profile");
    }
    return parse_profile(text, path, overrides);
}

}  // namespace ruimte
