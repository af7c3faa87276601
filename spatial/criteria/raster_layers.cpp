#include "spatial/criteria/raster_layers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <set>

#include "layers/catalogue.hpp"
#include "spatial/core/error.hpp"

namespace fs = std::filesystem;

namespace ruimte {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void fail(const std::string& path, const std::string& key, int line, const std::string& message,
                       const std::string& hint = {}) {
    throw Error(ErrorKind::profile, message,
                ErrorPlace{path, "", {}, key, line > 0 ? std::optional<int>(line) : std::nullopt},
                hint.empty() ? "correct '" + key + "' (the format is in docs/layers.md)" : hint);
}

int line_of(const toml::node& n) {
    return static_cast<int>(n.source().begin.line);
}

std::optional<double> as_number(const toml::node& n) {
    if (n.is_integer()) return static_cast<double>(n.as_integer()->get());
    if (n.is_floating_point()) return n.as_floating_point()->get();
    return std::nullopt;
}

std::string joined(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
    return s;
}

void parse_values_keys(const toml::table& t, const std::string& where, const std::string& path, RasterLayerSpec& l) {
    if (t.get("classes") || t.get("class_names") || t.get("catalogue")) {
        const char* key = t.get("classes") ? "classes" : t.get("class_names") ? "class_names" : "catalogue";
        fail(path, where + "." + key, line_of(*t.get(key)), std::string(key) + " belongs to raster_classes layers",
             "use type = \"raster_classes\" for a raster of class codes");
    }
    if (const toml::node* u = t.get("unit")) {
        if (!u->is_string()) fail(path, where + ".unit", line_of(*u), "must be a string, e.g. \"m\"");
        l.unit = std::string(*u->as_string());
    }
    if (const toml::node* th = t.get("thresholds")) {
        if (!th->is_array()) fail(path, where + ".thresholds", line_of(*th), "must be an array of numbers");
        for (const toml::node& e : *th->as_array()) {
            const auto v = as_number(e);
            if (!v || !std::isfinite(*v))
                fail(path, where + ".thresholds", line_of(e), "must be an array of finite numbers");
            if (std::find(l.thresholds.begin(), l.thresholds.end(), *v) != l.thresholds.end())
                fail(path, where + ".thresholds", line_of(e), "threshold " + threshold_text(*v) + " listed twice");
            l.thresholds.push_back(*v);
        }
    }
}

void parse_classes_keys(const toml::table& t, const std::string& where, const std::string& path, RasterLayerSpec& l) {
    if (t.get("thresholds") || t.get("unit")) {
        const char* key = t.get("thresholds") ? "thresholds" : "unit";
        fail(path, where + "." + key, line_of(*t.get(key)), std::string(key) + " belongs to raster_values layers");
    }
    if (const toml::node* c = t.get("classes")) {
        if (!c->is_array()) fail(path, where + ".classes", line_of(*c), "must be an array of strings");
        std::set<std::string> seen;
        for (const toml::node& e : *c->as_array()) {
            if (!e.is_string()) fail(path, where + ".classes", line_of(e), "must be an array of strings");
            const std::string s(*e.as_string());
            if (!seen.insert(s).second) fail(path, where + ".classes", line_of(e), "class '" + s + "' listed twice");
            l.classes.push_back(s);
        }
    }
    if (const toml::node* n = t.get("class_names")) {
        if (!n->is_table())
            fail(path, where + ".class_names", line_of(*n), "must be a table of cell value = class name",
                 "write e.g. class_names = { 1 = \"ja\", 2 = \"ja_mits_klein\" }");
        for (auto&& [k, v] : *n->as_table()) {
            const std::string key(k.str());
            char* end = nullptr;
            const long long value = std::strtoll(key.c_str(), &end, 10);
            if (key.empty() || *end != '\0')
                fail(path, where + ".class_names." + key, line_of(v), "'" + key + "' is not a whole cell value");
            if (!v.is_string())
                fail(path, where + ".class_names." + key, line_of(v), "must be a class name (a string)");
            const std::string name(*v.as_string());
            if (!l.classes.empty() && std::find(l.classes.begin(), l.classes.end(), name) == l.classes.end())
                fail(path, where + ".class_names." + key, line_of(v), "'" + name + "' is not one of classes",
                     "use one of: " + joined(l.classes));
            l.names[value] = name;
        }
        if (l.classes.empty()) {  // the order of the cell values
            for (const auto& [value, name] : l.names) {
                if (std::find(l.classes.begin(), l.classes.end(), name) == l.classes.end()) l.classes.push_back(name);
            }
        }
    }
    if (const toml::node* c = t.get("catalogue")) {
        if (!c->is_string()) fail(path, where + ".catalogue", line_of(*c), "must be a string");
        l.catalogue = std::string(*c->as_string());
        const layers::LayerKindInfo* kind = layers::find_kind(l.catalogue);
        std::vector<std::string> kinds, codes;
        for (const auto& known : layers::catalogue()) kinds.push_back(known.kind);
        if (!kind)
            fail(path, where + ".catalogue", line_of(*c), "no layer kind '" + l.catalogue + "' in the catalogue",
                 "use one of: " + joined(kinds));
        for (const auto& ci : kind->classes) codes.push_back(ci.code);
        for (const auto& cls : l.classes) {
            if (std::find(codes.begin(), codes.end(), cls) == codes.end())
                fail(path, where + ".classes", line_of(*c), "'" + cls + "' is not a " + l.catalogue + " class",
                     "use the catalogue's codes: " + joined(codes));
        }
        if (l.classes.empty()) l.classes = codes;
    }
}

}  // namespace

std::string threshold_text(double t) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.15g", t);
    return buf;
}

bool is_raster_type(const std::string& type) {
    return type == "raster_values" || type == "raster_classes";
}

RasterLayerSpec parse_raster_layer(const toml::table& t, const std::string& name, int line,
                                   const std::string& profile_path, const std::string* override_path) {
    const std::string where = "layers." + name;
    for (auto&& [k, v] : t) {
        static const std::set<std::string> allowed = {"source", "type",    "band",        "thresholds",
                                                      "unit",   "classes", "class_names", "catalogue"};
        if (!allowed.count(std::string(k.str())))
            fail(profile_path, where + "." + std::string(k.str()), line_of(v),
                 "unknown key '" + std::string(k.str()) + "'",
                 "allowed in a raster layer: source, type, band, thresholds, unit (raster_values), classes, "
                 "class_names, catalogue (raster_classes)");
    }
    RasterLayerSpec l;
    l.name = name;
    l.line = line;
    if (name.empty() || name.find('.') != std::string::npos)
        fail(profile_path, where, line, "a layer name must not contain a dot");
    l.kind = std::string(*t.get("type")->as_string()) == "raster_classes" ? RasterKind::classes : RasterKind::values;
    if (override_path) {
        l.path = *override_path;
    } else {
        const toml::node* s = t.get("source");
        if (!s) fail(profile_path, where + ".source", line, "missing required key 'source'");
        if (!s->is_string()) fail(profile_path, where + ".source", line_of(*s), "must be a string (a raster file)");
        const std::string source(*s->as_string());
        const fs::path p(source);
        // Relative to the profile's folder, as vector sources; GDAL's virtual paths stay as given.
        l.path = p.is_absolute() || source.rfind("/vsi", 0) == 0
                     ? source
                     : (fs::path(profile_path).parent_path() / p).lexically_normal().string();
    }
    if (const toml::node* b = t.get("band")) {
        if (!b->is_integer() || b->as_integer()->get() < 1 || b->as_integer()->get() > 65535)
            fail(profile_path, where + ".band", line_of(*b), "must be a band number (1, 2, ...)");
        l.band = static_cast<int>(b->as_integer()->get());
    }
    if (l.kind == RasterKind::values) parse_values_keys(t, where, profile_path, l);
    else parse_classes_keys(t, where, profile_path, l);
    return l;
}

std::vector<std::string> raster_stat_names(const RasterLayerSpec& spec, const std::vector<std::string>& classes) {
    std::vector<std::string> out;
    if (spec.kind == RasterKind::values) {
        out = {"mean", "min", "max", "stddev", "median", "p90"};
        for (double t : spec.thresholds) {
            const std::string tt = threshold_text(t);
            for (const char* s : {"share_above_", "area_m2_above_", "share_below_", "area_m2_below_"})
                out.push_back(s + tt);
        }
    } else {
        for (const auto& c : classes) out.push_back("share." + c);
        for (const auto& c : classes) out.push_back("area_m2." + c);
    }
    out.push_back("nodata_share");
    return out;
}

std::string parse_raster_metric(const RasterLayerSpec& spec, const std::string& rest, const std::string& metric,
                                const std::string& profile_path, int line, const std::string& key) {
    const std::vector<std::string> names = raster_stat_names(spec, spec.classes);
    if (std::find(names.begin(), names.end(), rest) != names.end()) return rest;
    const std::string kind = spec.kind == RasterKind::values ? "raster_values" : "raster_classes";
    for (const char* prefix : {"share_above_", "area_m2_above_", "share_below_", "area_m2_below_"}) {
        if (spec.kind != RasterKind::values || rest.rfind(prefix, 0) != 0) continue;
        const std::string num = rest.substr(std::string(prefix).size());
        char* end = nullptr;
        const double t = std::strtod(num.c_str(), &end);
        if (!num.empty() && *end == '\0' &&
            std::find(spec.thresholds.begin(), spec.thresholds.end(), t) != spec.thresholds.end())
            return prefix + threshold_text(t);
        std::vector<std::string> th;
        for (double x : spec.thresholds) th.push_back(threshold_text(x));
        fail(profile_path, key, line,
             "metric '" + metric + "': " + num + " is not one of the thresholds of layer '" + spec.name + "'",
             "add it to thresholds of [layers." + spec.name + "] (now: " + (th.empty() ? "none" : joined(th)) + ")");
    }
    if (spec.kind == RasterKind::classes && spec.classes.empty() &&
        (rest.rfind("share.", 0) == 0 || rest.rfind("area_m2.", 0) == 0) && rest.find('.') + 1 < rest.size())
        return rest;  // classes come from the data: checked once it is read
    fail(profile_path, key, line, "metric '" + metric + "': a " + kind + " layer has no metric '" + rest + "'",
         "use one of: " + joined(names) +
             (spec.kind == RasterKind::values ? " (thresholds from [layers." + spec.name + "].thresholds)" : ""));
}

const std::vector<double>& RasterLayerResult::stat(const std::string& stat_name) const {
    for (std::size_t i = 0; i < stats.size(); ++i) {
        if (stats[i] == stat_name) return values[i];
    }
    throw Error(ErrorKind::internal, "raster statistic not computed: " + name + "." + stat_name);
}

namespace {

// A share computed as a ratio of two sums of the same area in another order: 1 − 1e-15 is 1.
double share_of(double part, double whole) {
    if (!(whole > 0)) return kNaN;
    const double s = std::clamp(part / whole, 0.0, 1.0);
    return s < 1e-12 ? 0.0 : s > 1 - 1e-12 ? 1.0 : s;
}

// The class of every cell value found, in the profile's terms; an unnamed value is an error.
std::map<std::int64_t, std::size_t> map_class_values(const RasterLayerSpec& spec, const raster::ZonalResult& z,
                                                     std::vector<std::string>& classes) {
    std::set<std::int64_t> found;
    for (const auto& cs : z.classes) {
        for (const auto& [v, w] : cs.weights()) found.insert(v);
    }
    classes = spec.classes;
    std::map<std::int64_t, std::size_t> out;
    const layers::LayerKindInfo* kind = spec.catalogue.empty() ? nullptr : layers::find_kind(spec.catalogue);
    auto position = [&](const std::string& cls) -> std::optional<std::size_t> {
        const auto it = std::find(classes.begin(), classes.end(), cls);
        if (it != classes.end()) return static_cast<std::size_t>(it - classes.begin());
        if (!spec.classes.empty()) return std::nullopt;
        classes.push_back(cls);  // no classes declared: every value found is a class
        return classes.size() - 1;
    };
    for (std::int64_t v : found) {
        std::optional<std::size_t> k;
        if (const auto named = spec.names.find(v); named != spec.names.end()) k = position(named->second);
        else if (kind) {
            if (const auto ci = layers::class_of(*kind, std::to_string(v))) k = position(kind->classes[*ci].code);
        } else if (spec.names.empty()) {
            k = position(std::to_string(v));
        }
        if (!k) {
            std::string all;
            for (std::int64_t x : found) all += (all.empty() ? "" : ", ") + std::to_string(x);
            throw Error(ErrorKind::input,
                        "cell value " + std::to_string(v) + " is not a class the profile names for layer '" +
                            spec.name + "' (values found under the candidates: " + all + ")",
                        ErrorPlace::at(spec.path, "band " + std::to_string(spec.band)),
                        spec.catalogue.empty()
                            ? "name it in class_names of [layers." + spec.name + "], or set it as the band's nodata"
                            : "the " + spec.catalogue + " catalogue maps codes 1.." +
                                  std::to_string(kind->classes.size()) + "; add class_names of [layers." + spec.name +
                                  "] for other codes");
        }
        out[v] = *k;
    }
    return out;
}

}  // namespace

RasterLayerResult compute_raster_layer(const RasterLayerSpec& spec, const std::vector<const GEOSGeometry*>& candidates,
                                       const std::vector<double>& candidate_area_m2, const std::string& assume_crs,
                                       const RunControl& control) {
    raster::RasterRequest req;
    req.path = spec.path;
    req.band = spec.band;
    req.classes = spec.kind == RasterKind::classes;
    req.assume_crs = assume_crs;
    raster::ZonalResult z = raster::zonal_stats(req, candidates, control);
    RasterLayerResult r;
    r.name = spec.name;
    r.info = z.info;
    r.overlapping = z.overlapping;
    r.cells_read = z.cells_read;
    const std::size_t n = candidates.size();
    std::map<std::int64_t, std::size_t> class_of_value;
    if (req.classes) class_of_value = map_class_values(spec, z, r.classes);
    r.stats = raster_stat_names(spec, r.classes);
    r.values.assign(r.stats.size(), std::vector<double>(n, kNaN));
    for (std::size_t c = 0; c < n; ++c) {
        const double poly = z.polygon_area[c];
        const double area = candidate_area_m2[c];
        std::size_t s = 0;
        auto put = [&](double v) { r.values[s++][c] = v; };
        if (!req.classes) {
            raster::ValueStats& v = z.values[c];
            put(v.mean());
            put(v.min());
            put(v.max());
            put(v.stddev());
            put(v.quantile(0.5));
            put(v.quantile(0.9));
            for (double t : spec.thresholds) {
                const double above = share_of(v.weight_above(t), poly);
                const double below = share_of(v.weight_below(t), poly);
                put(above);
                put(above * area);
                put(below);
                put(below * area);
            }
            put(poly > 0 ? 1.0 - share_of(v.data_weight(), poly) : kNaN);
        } else {
            std::vector<double> w(r.classes.size(), 0.0);
            double data = 0;
            for (const auto& [value, weight] : z.classes[c].weights()) {
                w[class_of_value.at(value)] += weight;
                data += weight;
            }
            for (double x : w) put(share_of(x, poly));
            for (double x : w) put(share_of(x, poly) * area);
            put(poly > 0 ? 1.0 - share_of(data, poly) : kNaN);
        }
        if (!req.classes) z.values[c] = raster::ValueStats{};  // free the cells
    }
    return r;
}

}  // namespace ruimte
